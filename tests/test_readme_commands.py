"""Every command README.md shows works as typed, in a fresh clone, after `make run` has set it up.

The commands come from README.md itself: every line of its ```sh blocks and every inline code
span that starts like a command (`make ...`, `.venv/bin/...`), so a command added to the README
is covered without touching this test. A fresh `git clone` of this repository gets the existing
virtualenv as a symlink (nothing is installed again) and a clean environment: no DJANGO_* or
SOPFLOW_* variables, as in a new shell. `make run` comes first, as for a new user: it writes
`.env`, migrates, seeds and serves; the server is asked for its login page and stopped.

How each command is run:
- most run to the end and must exit 0;
- commands that serve or loop forever (`make run`, `make dev`, `make serve`, `runserver`, the two
  loops without `--once`) run until they answer on their port or print that they started, then
  are stopped;
- `make test` / `make test-postgres` run until their first test file has passed (the whole suite
  is CI's own job, in .ci/run; PYTEST_ADDOPTS leaves out the browser test, so that the first file
  is a quick one, and this file), and commands that cost minutes on purpose (`make bench`, `make
  soak`) or change the machine (`make browser-deps`) are checked with `make -n` only.

Commands that need PostgreSQL (`make serve`, `make test-postgres`) get DATABASE_URL pointing at a
database of this test's own, dropped at the end.
"""

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Another run of this suite on the same machine must not collide: a free port, its own database.
PORT = int(os.environ.get("SOPFLOW_README_TEST_PORT") or free_port())
PG_ADMIN_URL = os.environ.get("SOPFLOW_README_TEST_PG", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = f"sopflow_readme_{os.getpid()}"
# Generous: the machine may be busy; every wait also ends as soon as the process exits.
READY_SECONDS = 900
RUN_SECONDS = 900

COMMAND_PREFIXES = ("make ", ".venv/bin/", "7z ")
FOREVER = [
    re.compile(r"^make (run|dev|serve)$"),
    re.compile(r"manage\.py runserver\b"),
    re.compile(r"manage\.py (run_jobs|run_timers)\b(?!.*--once)"),
    re.compile(r"\bgunicorn\b"),
]
UNTIL_FIRST_TESTS = re.compile(r"^make (test|test-postgres)( TEST_WORKERS=\d+)?$")
DRY_RUN_ONLY = re.compile(r"^make (bench|soak|browser-deps)$")
NEEDS_POSTGRES = re.compile(r"^make (serve|test-postgres)$")


def readme_commands(text):
    """Commands in README order: lines of ```sh blocks, then command-like inline code spans."""
    commands = []
    for block in re.findall(r"^[ \t]*```(?:sh|bash|shell)\n(.*?)^[ \t]*```", text, flags=re.S | re.M):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                commands.append(line)
    prose = re.sub(r"^[ \t]*```.*?^[ \t]*```", "", text, flags=re.S | re.M)
    for span in re.findall(r"`([^`\n]+)`", prose):
        span = span.strip()
        if span.startswith(COMMAND_PREFIXES) and span not in commands:
            commands.append(span)
    return commands


def test_readme_commands_are_found_and_none_is_a_placeholder():
    commands = readme_commands(README.read_text())
    assert commands[:2] == ["make run", "make test"]  # the README's first lines
    assert any("generate_dkb" in command for command in commands)
    spans = re.findall(r"`([^`\n]+)`", README.read_text())
    typed_with_another_python = [span for span in spans if re.match(r"python3?(\.\d+)? manage\.py", span)]
    assert not typed_with_another_python, "write .venv/bin/python, the project's own: " + str(typed_with_another_python)
    for command in commands:
        assert "..." not in command and not re.search(r"<[A-Za-z_ -]+>", command), (
            f"README shows {command!r}, which cannot be run as typed: write a real command"
        )


# --- running them -------------------------------------------------------------------------------


def clean_environment(**extra):
    """A new user's shell: none of the suite's own settings leak into the clone."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "SOPFLOW_", "PYTEST", "DATABASE_URL", "BENCH_"))}
    env.update(PORT=str(PORT), SERVE_BIND=f"127.0.0.1:{PORT}", PYTHONUNBUFFERED="1", **extra)
    return env


def port_open(port):
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def http_get(path, headers=None):
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers=headers or {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


class Running:
    """A command started in its own process group, its output collected in a file."""

    def __init__(self, command, cwd, env, log):
        self.command = command
        self.log = log
        self.handle = open(log, "wb")
        self.process = subprocess.Popen(command, shell=True, cwd=cwd, env=env, stdout=self.handle,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def output(self):
        return self.log.read_text(errors="replace")

    def wait_until(self, ready, what):
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if ready():
                return
            if "Traceback (most recent call last)" in self.output():
                pytest.fail(f"{self.command!r} failed before {what}:\n{self.output()[-4000:]}")
            if self.process.poll() is not None:
                pytest.fail(f"{self.command!r} exited ({self.process.returncode}) before {what}:\n{self.output()[-4000:]}")
            time.sleep(0.5)
        pytest.fail(f"{self.command!r}: no {what} within {READY_SECONDS} s:\n{self.output()[-4000:]}")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=60)
        self.handle.close()
        # Nothing it started may outlive it (runserver's reloader, the loops, gunicorn workers).
        deadline = time.monotonic() + 60
        while port_open(PORT) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not port_open(PORT), f"{self.command!r} left something listening on {PORT}"


def check_served_local_site(debug):
    status, _headers, page = http_get("/accounts/login/")
    assert status == 200 and "Masuk" in page, page[:2000]
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page)
    assert stylesheet, "the login page links no stylesheet"
    assert http_get(stylesheet.group(1))[0] == 200  # WhiteNoise serves it, DEBUG or not
    status, _headers, missing = http_get("/tidak-ada/")
    assert status == 404
    if debug:  # `make dev`, for developers: Django's debug page, as documented
        assert "DEBUG = True" in missing
    else:  # what officers get: SOPFlow's own page, never a debug page
        assert "Halaman tidak ditemukan" in missing
        assert "Using the URLconf" not in missing and "Traceback" not in missing


def check_served_production_site():
    # Production: plain http is sent to https; through the proxy (X-Forwarded-Proto) it serves.
    status, headers, _page = http_get("/accounts/login/")
    assert status == 301 and headers["Location"].startswith("https://"), (status, headers)
    status, headers, page = http_get("/accounts/login/", {"X-Forwarded-Proto": "https"})
    assert status == 200 and "Masuk" in page
    assert "max-age=" in headers.get("Strict-Transport-Security", "")
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page)
    assert stylesheet and re.search(r"\.[0-9a-f]{12}\.css$", stylesheet.group(1)), "collectstatic's hashed names"
    assert http_get(stylesheet.group(1), {"X-Forwarded-Proto": "https"})[0] == 200


def run_forever_command(command, clone, env, log):
    running = Running(command, clone, env, log)
    try:
        if command.startswith("make ") or "runserver" in command or "gunicorn" in command:
            running.wait_until(lambda: port_open(PORT), f"server on port {PORT}")
            if command == "make serve":
                check_served_production_site()
            else:
                check_served_local_site(debug=command == "make dev")
        else:
            running.wait_until(lambda: ": started" in running.output(), "start line")
        assert running.process.poll() is None, running.output()[-4000:]
    finally:
        running.stop()


def run_until_first_tests(command, clone, env, log):
    running = Running(command, clone, env, log)
    # pytest's progress: "tests/x.py ..s" in one process, "..s.  [ 3%]" from xdist's workers.
    progress = re.compile(r"^(?:tests/\S+\.py )?([.sxFE]+)(?:\s+\[\s*\d+%\])?[ \t]*$", re.M)

    def marks():
        return "".join(progress.findall(running.output()))

    try:
        running.wait_until(lambda: "." in marks(), "a passing test")
        assert not re.search(r"[FE]", marks()), running.output()[-4000:]
    finally:
        running.stop()


def run_to_the_end(command, clone, env, log):
    with open(log, "wb") as handle:
        result = subprocess.run(command, shell=True, cwd=clone, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                timeout=RUN_SECONDS)
    assert result.returncode == 0, f"{command!r} exited {result.returncode}:\n{log.read_text(errors='replace')[-4000:]}"


def postgres(sql):
    return subprocess.run(["psql", f"{PG_ADMIN_URL}/postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
                          capture_output=True, text=True, timeout=120)


def databases_named_in_readme():
    """Databases the README's own commands create (moving from SQLite): this test's to drop."""
    names = set()
    for command in readme_commands(README.read_text()):
        names.update(re.findall(r"postgres://[^/\s]+/(\w+)", command))
    return names


@pytest.fixture
def postgres_database():
    if postgres("select 1").returncode != 0:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable at " + PG_ADMIN_URL)
        pytest.skip("PostgreSQL is not reachable at " + PG_ADMIN_URL)
    ours = {PG_DATABASE, f"test_{PG_DATABASE}", *databases_named_in_readme()}
    for name in ours:
        postgres(f'drop database if exists "{name}" with (force)')
    assert postgres(f'create database "{PG_DATABASE}"').returncode == 0
    yield f"{PG_ADMIN_URL}/{PG_DATABASE}"
    for name in ours:
        postgres(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def clone(tmp_path):
    if port_open(PORT):
        pytest.fail(f"port {PORT} is taken; set SOPFLOW_README_TEST_PORT")
    target = tmp_path / "sopflow"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True, timeout=300)
    (target / ".venv").symlink_to(ROOT / ".venv")
    # The clone's files are newer than the virtualenv's install stamp; make must not take that as
    # "requirements changed" and install again.
    stamp = (ROOT / ".venv" / ".installed").stat().st_mtime
    for name in ("requirements.txt", "requirements-dev.txt"):
        os.utime(target / name, (stamp - 60, stamp - 60))
    return target


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason=(
    "the clone makes its own databases whatever the suite's DATABASE_URL: it runs in the SQLite run"))
def test_every_readme_command_works_as_typed_in_a_fresh_clone(clone, postgres_database, tmp_path):
    commands = readme_commands((clone / "README.md").read_text())
    assert not (clone / ".env").exists()
    logs = tmp_path / "logs"
    logs.mkdir()
    ordered = ["make run"] + [command for command in commands if command != "make run"]
    for number, command in enumerate(ordered):
        env = clean_environment()
        if NEEDS_POSTGRES.match(command):
            env["DATABASE_URL"] = postgres_database
        log = logs / f"{number:02d}.log"
        if any(pattern.search(command) for pattern in FOREVER):
            run_forever_command(command, clone, env, log)
        elif UNTIL_FIRST_TESTS.match(command):
            env["PYTEST_ADDOPTS"] = "-p no:cacheprovider --ignore=tests/browser --ignore=tests/test_readme_commands.py"
            run_until_first_tests(command, clone, env, log)
        elif DRY_RUN_ONLY.match(command):
            run_to_the_end(command.replace("make ", "make -n ", 1), clone, env, log)
        else:
            run_to_the_end(command, clone, env, log)
        if command == "make run":
            check_local_env_file(clone / ".env")
            check_private_tree(clone / "var")


def check_private_tree(var):
    """Everything `make run` stored (SQLite, uploads, signed reports, signing keys, backups) is
    its user's only: files 0600, folders 0700."""
    kinds = {"sopflow.sqlite3", "private", "signing", "backups"}
    assert kinds <= {entry.name for entry in var.iterdir()}, sorted(entry.name for entry in var.iterdir())
    assert any(var.glob("backups/*.7z")) and any(var.glob("signing/**/*.p12"))
    for path in [var, *var.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.suffix == ".crt":  # the demo CA's public certificate (0644 by make_demo_ca), in a 0700 folder
            continue
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path.relative_to(var.parent)}: {oct(mode)}"


def check_local_env_file(path):
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    values = dict(line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#"))
    assert values["SOPFLOW_ENV"] == "local"
    assert len(values["DJANGO_SECRET_KEY"]) >= 50


def test_a_hand_typed_command_without_env_file_or_secret_refuses_to_start(tmp_path):
    env = clean_environment(SOPFLOW_ENV_FILE=str(tmp_path / "missing.env"), SOPFLOW_VAR_DIR=str(tmp_path / "var"))
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode != 0
    # The message names the command that fixes it.
    assert "DJANGO_SECRET_KEY is not set" in result.stderr and "make run" in result.stderr
