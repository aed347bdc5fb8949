# SOPFlow: `make run` (everything from a fresh clone to a running server) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
PORT ?= 8000
export DJANGO_DEBUG ?= 1

.PHONY: run test test-postgres bench soak lint clean messages browser-deps

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "SOPFlow: http://127.0.0.1:$(PORT)/  (demo logins in README.md)"
	@$(PY) manage.py run_timers & TIMERS=$$!; $(PY) manage.py run_jobs & JOBS=$$!; \
	  trap "kill $$TIMERS $$JOBS 2>/dev/null" EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite; browser tests need Debian's chromium (`make browser-deps`) and are
# reported as skipped, never silently passed, when it is missing.
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sopflow} $(PY) -m pytest $(PYTEST_ARGS)

browser-deps:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium p7zip-full poppler-utils

bench: $(STAMP)
	$(PY) bench/bench_dkb.py
	$(PY) bench/bench_sla.py
	$(PY) bench/bench_outputs.py
	$(PY) bench/bench_requests.py

# Reliability soak (bench/soak.py): SQLite, then PostgreSQL; `make soak DATABASE=sqlite` for one.
soak: $(STAMP)
	$(PY) bench/soak.py --database $(or $(DATABASE),both)

lint: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

messages:
	cd workflows && ../$(PY) ../manage.py makemessages -l id -l en --no-obsolete
	$(PY) manage.py compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
