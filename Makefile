# SOPFlow: `make run` (everything from a fresh clone to a running server) and `make test`.
# `make run` writes .env (a generated secret, local settings, DEBUG off) on its first run; every
# hand-typed `.venv/bin/python manage.py ...` reads it too. `make dev` is the same with DEBUG on.
# `make serve` is the production recipe (gunicorn, PostgreSQL, DEBUG off; see deploy/).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
PORT ?= 8000
SERVE_BIND ?= 127.0.0.1:8001
ENV_FILE := .env

.PHONY: run dev setup serve test test-postgres bench soak lint clean messages messages-check browser-deps

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

$(ENV_FILE): | $(PY)
	PORT=$(PORT) $(PY) deploy/make_local_env.py $@

# Everything `make run` does before it starts the processes.
setup: $(STAMP) $(ENV_FILE)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

# The web server with the two background loops beside it; Ctrl+C stops all three.
define start_local
	@echo "SOPFlow: http://127.0.0.1:$(PORT)/  (demo logins in README.md)"
	@$(PY) manage.py run_timers & TIMERS=$$!; $(PY) manage.py run_jobs & JOBS=$$!; \
	  trap "kill $$TIMERS $$JOBS 2>/dev/null" EXIT INT TERM; \
	  $(PY) manage.py runserver $(RUNSERVER_OPTIONS) 127.0.0.1:$(PORT)
endef

# Officers' server: one process, no code reloader (restart it after an update).
run: RUNSERVER_OPTIONS := --noreload
run: setup
	$(start_local)

# For developers only: Django's debug pages (which can show data) instead of SOPFlow's own,
# and the server reloads itself when the code changes.
dev: export DJANGO_DEBUG := 1
dev: setup
	$(start_local)

# The production recipe: gunicorn on $(SERVE_BIND) (nginx in front: deploy/nginx/sopflow.conf),
# run_jobs and run_timers as their own processes, PostgreSQL from DATABASE_URL, DEBUG off.
# Needs DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and SOPFLOW_BASE_URL (environment or .env), and stops
# on a deploy warning (SOPFLOW_TSA_URL unset, for one). Ctrl+C stops all three.
serve: export SOPFLOW_ENV := production
serve: export SOPFLOW_BIND := $(SERVE_BIND)
serve: $(STAMP)
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make serve: set DATABASE_URL=postgres://... (README: Production)" >&2; exit 1;; esac
	$(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "SOPFlow (production recipe): gunicorn on http://$(SERVE_BIND)/ behind the proxy"
	@$(PY) manage.py run_timers --interval 60 & TIMERS=$$!; $(PY) manage.py run_jobs & JOBS=$$!; \
	  trap "kill $$TIMERS $$JOBS 2>/dev/null" EXIT INT TERM; \
	  $(VENV)/bin/gunicorn --config deploy/gunicorn.conf.py sopflow.wsgi

# The whole suite; browser tests need Debian's chromium (`make browser-deps`) and are
# reported as skipped, never silently passed, when it is missing. It runs in one worker per core
# (pytest-xdist; each worker has its own test database); a test file stays in one worker, so a
# module's shared fixture (the soak run, a seeded demo) is built once. `make test TEST_WORKERS=0`
# runs it in this one process.
TEST_WORKERS ?= auto
test: $(STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sopflow} $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

browser-deps:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium p7zip-full poppler-utils fonts-dejavu-core

bench: $(STAMP)
	$(PY) bench/bench_dkb.py
	$(PY) bench/bench_sla.py
	$(PY) bench/bench_outputs.py
	$(PY) bench/bench_requests.py

# Reliability soak (bench/soak.py): SQLite, then PostgreSQL; `make soak DATABASE=sqlite` for one.
soak: $(STAMP)
	$(PY) bench/soak.py --database $(or $(DATABASE),both)

lint: $(STAMP) $(ENV_FILE)
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# sopflow/locale/id is kept by hand: SOPFlow's own msgids are already Indonesian, and its entries
# translate viewflow's, django-filter's and django-axes' English. makemessages -l id over
# workflows/ with --no-obsolete would drop every one of them, so it is never run for id.
# sopflow/locale/en translates SOPFlow's own (Indonesian) msgids: `make messages` merges the
# code's msgids into it (new ones empty, translations kept) and compiles both catalogues (only
# ours: from the top directory compilemessages would also rewrite the .mo files in .venv).
# `make messages-check` lists what has no English yet and fails until it is translated.
messages: $(STAMP) $(ENV_FILE)
	$(PY) manage.py messages_check --update
	cd sopflow && ../$(PY) ../manage.py compilemessages -l id -l en

messages-check: $(STAMP) $(ENV_FILE)
	$(PY) manage.py messages_check

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
