#!/usr/bin/env python
"""Reliability soak: SOP A's heaviest steps on the `make run` set-up, over real HTTP, with kills.

    .venv/bin/python bench/soak.py                       # SQLite, 2.1M-row extract, 20 signings
    .venv/bin/python bench/soak.py --database postgres   # the same on a fresh PostgreSQL database
    .venv/bin/python bench/soak.py --database both       # what `make soak` runs
    .venv/bin/python bench/soak.py --rows 50000 --signings 3 --worker-kills 2   # quick look

What it does, everything it starts stopped at the end (also on Ctrl+C):

1. a fresh SOPFLOW_VAR_DIR under /tmp (and, for PostgreSQL, a fresh database, by default
   ``sopflow_soak_run``), ``manage.py migrate`` and ``seed_demo`` as `make run` does, then
   processes driven through the real views (bench/soak_django.py): ``--signings`` waiting at
   step 6, and 1 + ``--uploads`` waiting at step 3; the extract comes from
   ``manage.py generate_dkb --province 17 --rows N --seed 7`` (cached in ``--cache-dir``);
2. the three processes of `make run` as separate OS processes: ``manage.py runserver``,
   ``run_jobs``, ``run_timers``, with DEBUG off, a generated secret and the default worker
   settings (lease, attempts);
3. over HTTP like a browser (one login per officer, session cookie and CSRF token kept): the
   Tim uploads the extract at step 3 of one process; while the worker aggregates it, the Kadis
   signs step 6 of every waiting process (passphrase ``sopflow-demo``) and the Tim uploads
   the extract to the other step-3 processes; meanwhile the worker is killed (SIGKILL) each time
   a run shows progress and restarted, ``--worker-kills`` times (never more often per job than
   the attempt limit allows); then every job must finish;
4. the big process goes on to step 9 (full-semester report signed at step 6); the web server is
   killed (SIGKILL) while the backup POST is in flight (as soon as it writes a file), restarted,
   and the retry must succeed and leave exactly one new archive; stray files planted two days
   old must be gone after ``manage.py sweep_files``;
5. prints a summary (requests by status, every HTTP 500 with the server's exception, sign,
   backup and aggregation times, jobs, kills, archives, strays) and exits 1 when a target is
   missed: any HTTP 500, a signing or upload that did not go through, a job not done, fewer
   kills than asked, a backup retry that failed, not exactly one archive, a planted stray left.
   Times are reported, not judged here (`make bench` judges the sign request against 2 s).

Every wait polls progress (the database through a read-only probe, the server's answers) with
a count and a time limit; ``--deadline`` bounds the whole run. The test suite runs a short
version (tests/test_soak_short.py) through ``run()``.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "sopflow-demo"  # every demo login and the demo Kadis's certificate passphrase
ARCHIVE_PASSWORD = "arsip-soak-sopflow-uji"  # synthetic data only; the run's folder is removed
PG_URL = "postgres://postgres@127.0.0.1:5432/sopflow_soak_run"
DAY = 24 * 3600
OFFICERS = ("kadis", "kabid", "kasi", "tim", "adb")
TERMINAL = ("done", "failed")
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit)\b")


class SoakError(Exception):
    """A step of the soak could not go on (reported in the summary, never a traceback)."""


@dataclass
class Config:
    database: str = "sqlite"
    pg_url: str = PG_URL
    rows: int = 2_100_000
    seed: int = 7
    signings: int = 20
    uploads: int = 2
    worker_kills: int = 5
    server_kills: int = 1
    port: int = 8106
    deadline: float = 3600.0  # the whole run
    wait: float = 900.0  # any single wait on progress
    small_rows: int = 2000  # the extracts of the processes that wait at step 6
    cache_dir: Path = Path(tempfile.gettempdir()) / "sopflow-soak-cache"
    root: Path = ROOT
    python: str = sys.executable
    autoreload: bool = False
    keep: bool = False
    quiet: bool = False


# Time limits -----------------------------------------------------------------------------------

class Clock:
    def __init__(self, seconds):
        self.start = time.monotonic()
        self.end = self.start + seconds

    def elapsed(self):
        return time.monotonic() - self.start

    def left(self):
        return self.end - time.monotonic()


def wait_for(what, check, clock, timeout, interval=0.2):
    """Poll ``check()`` until it returns something truthy; bounded by a count and a time."""
    limit = min(timeout, max(clock.left(), 0))
    end = time.monotonic() + limit
    for _attempt in range(int(limit / interval) + 2):
        value = check()
        if value:
            return value
        if time.monotonic() >= end:
            break
        time.sleep(interval)
    raise SoakError(f"{what}: not reached within {limit:.0f} s")


# What the server answered ------------------------------------------------------------------------

@dataclass
class Hit:
    label: str
    method: str
    path: str
    status: int | None  # None: no answer (connection dropped, timeout)
    seconds: float
    reason: str = ""


class Recorder:
    def __init__(self):
        self.hits = []
        self.lock = threading.Lock()

    def add(self, hit):
        with self.lock:
            self.hits.append(hit)

    def by_status(self):
        return Counter("no answer" if hit.status is None else str(hit.status) for hit in self.hits)


def page_reason(text):
    """The form errors of a re-shown page, else its title: what an officer would read."""
    errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', text, re.S)
    parts = [re.sub(r"<[^>]+>", " ", error) for error in errors]
    if not parts:
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.S)
        parts = [title.group(1)] if title else [text[:120]]
    return re.sub(r"\s+", " ", unescape(" | ".join(parts))).strip()[:300]


class Browser:
    """One officer's browser: a session cookie, the CSRF token, no redirects followed."""

    def __init__(self, base_url, recorder, username):
        import httpx

        self.httpx = httpx
        self.username = username
        self.recorder = recorder
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=httpx.Timeout(900, connect=15))

    def csrf_token(self):
        for cookie in self.http.cookies.jar:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    def send(self, label, method, path, data=None, files=None):
        if method == "POST":
            data = {**(data or {}), "csrfmiddlewaretoken": self.csrf_token()}
        started = time.perf_counter()
        try:
            response = self.http.request(method, path, data=data, files=files)
        except self.httpx.TransportError as error:
            hit = Hit(label, method, path, None, time.perf_counter() - started, type(error).__name__)
            self.recorder.add(hit)
            return None, hit
        seconds = time.perf_counter() - started
        reason = ""
        if response.status_code >= 400 or (method == "POST" and response.status_code == 200):
            reason = page_reason(response.text)
        hit = Hit(label, method, path, response.status_code, seconds, reason)
        self.recorder.add(hit)
        return response, hit

    def login(self):
        self.send("login page", "GET", "/accounts/login/")
        response, hit = self.send("login", "POST", "/accounts/login/",
                                  {"username": self.username, "password": DEMO_PASSWORD})
        if response is None or response.status_code != 302:
            raise SoakError(f"login of {self.username}: {hit.status} {hit.reason}")

    def close(self):
        self.http.close()


# The processes of `make run` ------------------------------------------------------------------------

def database_name(url):
    return urlparse(url).path.lstrip("/")


def recreate_database(url, drop_only=False):
    import psycopg2

    name = database_name(url)
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SoakError(f"unsafe database name {name!r}")
    admin = psycopg2.connect(urlparse(url)._replace(path="/postgres").geturl())
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not drop_only:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()


class Stack:
    """A fresh VAR_DIR (and database), the servers in their own process groups, their logs."""

    COMMANDS = {"timers": ["run_timers"], "jobs": ["run_jobs"]}

    def __init__(self, config, log):
        self.config = config
        self.log = log
        self.work = Path(tempfile.mkdtemp(prefix=f"sopflow-soak-{config.database}-"))
        self.var_dir = self.work / "var"
        self.logs = self.work / "logs"
        self.logs.mkdir()
        self.base_url = f"http://127.0.0.1:{config.port}"
        self.procs = {}
        self.started_at = {}
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("SOPFLOW_", "DJANGO_", "DATABASE_"))}
        env.update({
            "SOPFLOW_VAR_DIR": str(self.var_dir),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_DEBUG": "",
            # What `make run` writes to .env (DEBUG off, plain http on the loopback), with a
            # secret of this run's own; no .env file is read (SOPFLOW_ENV_FILE empty).
            "SOPFLOW_ENV": "local",
            "SOPFLOW_ENV_FILE": "",
            "SOPFLOW_BASE_URL": f"http://127.0.0.1:{config.port}",
            "DJANGO_SECURE_COOKIES": "0",  # the same for trees older than SOPFLOW_ENV
            "DJANGO_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        })
        if config.database == "postgres":
            env["DATABASE_URL"] = config.pg_url
        self.env = env

    def manage(self, *args, timeout=1800, check=True):
        with open(self.logs / "manage.log", "ab") as log:
            log.write(f"\n$ manage.py {' '.join(args)}\n".encode())
            log.flush()
            done = subprocess.run([self.config.python, "manage.py", *args], cwd=self.config.root, env=self.env,
                                  stdout=log, stderr=subprocess.STDOUT, timeout=timeout)
        if check and done.returncode:
            raise SoakError(f"manage.py {args[0]} exited {done.returncode}: {self.last_exception('manage.log')}")
        return done.returncode

    def last_exception(self, name):
        """The last exception line of a log (synthetic data only), for a one-line report."""
        text = (self.logs / name).read_text(errors="replace") if (self.logs / name).exists() else ""
        lines = [line for line in text.splitlines() if EXCEPTION_LINE.match(line)]
        return lines[-1][:300] if lines else f"see {self.logs / name}"

    def extract(self, rows, seed):
        """The synthetic extract, made once per (rows, seed) with the project's generator."""
        self.config.cache_dir.mkdir(parents=True, exist_ok=True)
        path = self.config.cache_dir / f"dkb-17-{rows}-seed{seed}.csv"
        if not path.exists():
            self.log(f"generating {rows:,} rows -> {path}")
            partial = path.with_suffix(".part.csv")
            self.manage("generate_dkb", "--province", "17", "--rows", str(rows), "--seed", str(seed),
                        "--out", str(partial))
            partial.rename(path)
        return path

    def prepare(self, spec):
        done = subprocess.run([self.config.python, str(ROOT / "bench" / "soak_django.py"), "prepare", json.dumps(spec)],
                              cwd=self.config.root, env=self.env, capture_output=True, text=True, timeout=1800)
        (self.logs / "prepare.log").write_text(done.stdout + done.stderr)
        if done.returncode:
            raise SoakError(f"prepare exited {done.returncode}: {self.last_exception('prepare.log')}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def spawn(self, name):
        if name == "server":
            args = ["runserver", *([] if self.config.autoreload else ["--noreload"]), f"127.0.0.1:{self.config.port}"]
        else:
            args = self.COMMANDS[name]
        log = open(self.logs / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen([self.config.python, "manage.py", *args], cwd=self.config.root,
                                            env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.started_at[name] = time.time()

    def kill(self, name, sig=signal.SIGKILL):
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=5 if sig == signal.SIGTERM else 30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)

    def stop_all(self):
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM)

    def alive(self, name):
        proc = self.procs.get(name)
        return proc is not None and proc.poll() is None

    def wait_server(self, clock):
        import httpx

        def answers():
            if not self.alive("server"):
                raise SoakError(f"the web server exited (see {self.logs / 'server.log'})")
            try:
                return httpx.get(f"{self.base_url}/accounts/login/", timeout=10).status_code == 200
            except httpx.TransportError:
                return False

        wait_for("web server answering", answers, clock, timeout=120, interval=0.25)

    def group_cpu(self, name):
        """CPU seconds used so far by the process ``name`` and its children."""
        import psutil

        proc = self.procs.get(name)
        if proc is None:
            return 0.0
        try:
            root = psutil.Process(proc.pid)
            total = 0.0
            for member in [root, *root.children(recursive=True)]:
                times = member.cpu_times()
                total += times.user + times.system
            return total
        except psutil.Error:
            return 0.0

    def files(self):
        """Paths of the files the application keeps (not the database, logs or signing keys)."""
        found = set()
        for directory, _dirs, names in os.walk(self.var_dir):
            if Path(directory).is_relative_to(self.var_dir / "signing"):
                continue
            for name in names:
                if not name.startswith("sopflow.sqlite3"):
                    found.add(os.path.realpath(os.path.join(directory, name)))
        return found

    def server_exceptions(self):
        """Distinct exceptions of the server's 500s in its log: {'OperationalError: ...': count}."""
        log = self.logs / "server.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        found = Counter()
        for block in re.split(r"^(?=.*Internal Server Error: )", text, flags=re.M)[1:]:
            path = re.sub(r"/\d+", "/N", re.match(r".*Internal Server Error: (\S+)", block).group(1))
            traceback = []
            for line in block.splitlines()[1:]:
                if line.startswith("["):  # runserver's next request line: the traceback has ended
                    break
                traceback.append(line)
            lines = [line for line in traceback if EXCEPTION_LINE.match(line)]
            found[f"{path}: {lines[-1][:200] if lines else 'traceback not found in log'}"] += 1
        return found

    def remove(self):
        shutil.rmtree(self.work, ignore_errors=True)


class Probe:
    """The read-only helper child (bench/soak_django.py probe): one JSON line in, one out."""

    def __init__(self, stack):
        self.lock = threading.Lock()
        self.log = open(stack.logs / "probe.log", "ab")
        self.proc = subprocess.Popen([stack.config.python, str(ROOT / "bench" / "soak_django.py"), "probe"],
                                     cwd=stack.config.root, env=stack.env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, start_new_session=True)

    def ask(self, command, **arguments):
        with self.lock:
            if self.proc.poll() is not None:
                raise SoakError("the database probe exited (see logs/probe.log)")
            self.proc.stdin.write(json.dumps({"cmd": command, **arguments}) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            raise SoakError("the database probe exited (see logs/probe.log)")
        reply = json.loads(line)
        if "error" in reply:
            raise SoakError(f"probe {command}: {reply['error']}")
        return reply["ok"]

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


def timestamp(value):
    return datetime.fromisoformat(value).timestamp() if value else None


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# One soak session: the stack, the officers and the steps they take ------------------------------------

class Session:
    def __init__(self, config):
        self.config = config
        self.clock = Clock(config.deadline)
        self.recorder = Recorder()
        self.stack = Stack(config, self.log)
        self.probe = None
        self.officers = {}
        self.failures = []
        self.notes = []

    def log(self, message):
        if not self.config.quiet:
            print(f"[{self.config.database} {self.clock.elapsed():7.1f}s] {message}", flush=True)

    def miss(self, message):
        self.log(f"TARGET MISSED: {message}")
        self.failures.append(message)

    # set-up and tear-down
    def start(self, signings, step3):
        if self.config.database == "postgres":
            recreate_database(self.config.pg_url)
        extract = self.stack.extract(self.config.rows, self.config.seed)
        self.log(f"fresh VAR_DIR {self.stack.var_dir}; migrate, seed_demo")
        self.stack.manage("migrate", "--noinput")
        self.stack.manage("seed_demo")
        self.log(f"preparing {signings} process(es) at step 6 and {step3} at step 3")
        ids = self.stack.prepare({"signing": signings, "step3": step3, "small_rows": self.config.small_rows})
        for name in ("timers", "jobs", "server"):
            self.stack.spawn(name)
        self.stack.wait_server(self.clock)
        self.probe = Probe(self.stack)
        for role in OFFICERS:
            self.officers[role] = Browser(self.stack.base_url, self.recorder, f"bkl.{role}")
            self.officers[role].login()
        self.log("servers up (runserver, run_jobs, run_timers); officers logged in")
        return extract, ids

    def close(self):
        for browser in self.officers.values():
            browser.close()
        self.stack.stop_all()
        if self.probe is not None:
            self.probe.close()
        if self.config.database == "postgres" and not self.config.keep:
            try:
                recreate_database(self.config.pg_url, drop_only=True)
            except Exception as error:  # noqa: BLE001 - reported; the run's result stands
                self.notes.append(f"could not drop {database_name(self.config.pg_url)}: {error}")
        if self.config.keep:
            self.log(f"kept {self.stack.work}")
        else:
            self.stack.remove()

    # looks at the database
    def jobs(self):
        return self.probe.ask("jobs")

    def wait_jobs_idle(self, what, timeout=None):
        def idle():
            return all(job["status"] in TERMINAL for job in self.jobs())

        wait_for(what, idle, self.clock, timeout or self.config.wait, interval=0.5)

    def task(self, process):
        return self.probe.ask("task", process=process)

    # what officers do, over HTTP
    def step(self, role, process, node, data, label=None):
        """Claim (if new) and complete the open step ``node``: the step page, then the POST."""
        browser = self.officers[role]
        task = self.task(process)
        if task is None or task["node"] != node:
            raise SoakError(f"process {process}: expected step {node}, found {task}")
        prefix = f"/population/{process}/{node}/{task['pk']}"
        if task["status"] == "NEW":
            response, hit = browser.send(f"claim {node}", "POST", f"{prefix}/assign/")
            if response is None or response.status_code != 302:
                return False, hit
        browser.send(f"{node} page", "GET", f"{prefix}/execute/")
        response, hit = browser.send(label or node, "POST", f"{prefix}/execute/", data)
        return response is not None and response.status_code == 302, hit

    def upload(self, process, cutoff, extract, label="upload"):
        data = {"action": "upload", "source": "DKB", "cutoff_date": cutoff}
        with open(extract, "rb") as handle:
            # The step view re-reads the open task; claim, page and POST are the browser's.
            browser = self.officers["tim"]
            task = self.task(process)
            if task is None or task["node"] != "process_data":
                raise SoakError(f"process {process}: expected step process_data, found {task}")
            prefix = f"/population/{process}/process_data/{task['pk']}"
            if task["status"] == "NEW":
                browser.send("claim process_data", "POST", f"{prefix}/assign/")
            browser.send("process_data page", "GET", f"{prefix}/execute/")
            response, hit = browser.send(label, "POST", f"{prefix}/execute/", data,
                                         files={"upload": ("dkb-soak.csv", handle, "text/csv")})
        return response is not None and response.status_code == 302, hit

    def sign(self, process, label="sign"):
        return self.step("kadis", process, "approve", {"decision": "approve", "passphrase": DEMO_PASSWORD, "notes": ""},
                         label=label)

    def to_backup(self, process):
        """Steps 3 (hand over), 4, 5, then 6 signed, 7 and 8: returns the sign request's Hit."""
        for role, node, data in (
            ("tim", "process_data", {"notes": "Diolah (soak)."}),
            ("kasi", "correct", {"decision": "approve"}),
            ("kabid", "validate", {"decision": "approve"}),
        ):
            ok, hit = self.step(role, process, node, data)
            if not ok:
                raise SoakError(f"step {node} of {process}: {hit.status} {hit.reason}")
        self.wait_jobs_idle("final report rendered in the background")
        ok, signed = self.sign(process, label="sign (full semester)")
        if not ok:
            raise SoakError(f"signing {process}: {signed.status} {signed.reason}")
        # Yesterday here is never in the future of the organisation's own time zone.
        today = (date.today() - timedelta(days=1)).isoformat()
        for role, node, data in (
            ("kabid", "receive", {"text": "Cetak dan publikasikan (soak)."}),
            ("kasi", "print_distribute", {
                "copies": 10, "printed_on": today, "published_on": today, "channel": "Situs web dinas",
                "instruction_to_adb": "Back-up data semester ini.",
                "distribution-TOTAL_FORMS": 1, "distribution-INITIAL_FORMS": 0,
                "distribution-0-recipient": "Bappeda Provinsi", "distribution-0-delivered_on": today,
                "distribution-0-copies": 2,
            }),
        ):
            ok, hit = self.step(role, process, node, data)
            if not ok:
                raise SoakError(f"step {node} of {process}: {hit.status} {hit.reason}")
        return signed

    def backup_data(self):
        return {"password1": ARCHIVE_PASSWORD, "password2": ARCHIVE_PASSWORD, "notes": "Arsip soak."}


# The soak's phases ------------------------------------------------------------------------------------

class JobMonitor(threading.Thread):
    """Polls the jobs a few times a second: the signer notes whether an aggregation was running."""

    def __init__(self, session):
        super().__init__(daemon=True)
        self.session = session
        self.rows = []
        self.stop = threading.Event()
        self.error = None

    def run(self):
        for _look in range(int(self.session.config.deadline / 0.15) + 1):
            if self.stop.is_set() or self.session.clock.left() <= 0:
                return
            try:
                self.rows = self.session.jobs()
            except SoakError as error:
                self.error = str(error)
                return
            time.sleep(0.15)

    def aggregating(self):
        return any(row["kind"] == "aggregationrun" and row["status"] not in TERMINAL for row in self.rows)


def signings(session, entries, monitor, out):
    for entry in entries:
        if session.clock.left() <= 0:
            break
        during = monitor.aggregating()
        ok, hit = session.sign(entry["process"])
        out.append({"process": entry["process"], "ok": ok, "seconds": hit.seconds,
                    "during_aggregation": during or monitor.aggregating(), "status": hit.status, "reason": hit.reason})


def uploads(session, entries, extract, out, finished):
    try:
        for entry in entries:
            if session.clock.left() <= 0:
                break
            ok, hit = session.upload(entry["process"], entry["cutoff"], extract)
            out.append({"process": entry["process"], "ok": ok, "seconds": hit.seconds, "status": hit.status,
                        "reason": hit.reason})
    finally:
        finished.set()


def worker_kills(session, target, max_attempts, uploads_done, out):
    """Kill -9 the worker each time an aggregation run of the current worker shows progress."""
    per_job = max(1, (max_attempts or 3) - 1)  # the last allowed attempt is left to finish
    killed = Counter()
    limit = time.monotonic() + min(session.config.wait, max(session.clock.left(), 0))
    for _look in range(int(session.config.wait / 0.02) + 1):
        if len(out) >= target or time.monotonic() > limit:
            break
        since = session.stack.started_at["jobs"]
        rows = session.jobs()
        candidates = [
            row for row in rows
            if row["kind"] == "aggregationrun" and row["status"] == "running" and (row.get("progress") or 0) > 0
            # Claimed by the worker started last (a killed worker's row says "running" until
            # it is recovered), and not yet killed as often as the attempt limit allows.
            and (timestamp(row.get("started")) or 0) >= since and killed[row["id"]] < per_job
        ]
        if candidates:
            row = candidates[0]
            session.stack.kill("jobs")
            killed[row["id"]] += 1
            out.append({"job": row["id"], "process": row["process"], "percent": round(row["progress"] * 100),
                        "attempt": row.get("attempts")})
            session.log(f"worker killed (run {row['id']} at {round(row['progress'] * 100)}%), restarting it")
            session.stack.spawn("jobs")
        elif uploads_done.is_set() and not any(
                row["kind"] == "aggregationrun" and row["status"] not in TERMINAL for row in rows):
            break
        time.sleep(0.02)


def phase_signing(session, extract, ids, summary):
    """While the worker aggregates the big extract: sign, upload, kill the worker."""
    big, others = ids["step3"][0], ids["step3"][1:]
    session.wait_jobs_idle("set-up jobs (reports rendered in the background) finished")
    settings = session.probe.ask("settings")
    summary["worker_settings"] = settings
    session.log(f"uploading the {session.config.rows:,}-row extract to process {big['process']}")
    ok, hit = session.upload(big["process"], big["cutoff"], extract, label="upload (big)")
    summary["uploads"].append({"process": big["process"], "ok": ok, "seconds": hit.seconds, "status": hit.status,
                               "reason": hit.reason})
    uploaded_at = time.time()
    monitor = JobMonitor(session)
    monitor.start()
    uploads_done = threading.Event()
    threads = [
        threading.Thread(target=signings, args=(session, ids["signing"], monitor, summary["signings"]), daemon=True),
        threading.Thread(target=uploads, args=(session, others, extract, summary["uploads"], uploads_done), daemon=True),
        threading.Thread(target=worker_kills, args=(session, session.config.worker_kills,
                                                    settings.get("max_attempts"), uploads_done, summary["worker_kills"]),
                         daemon=True),
    ]
    session.log(f"signing {len(ids['signing'])} process(es), uploading {len(others)} more, "
                f"killing the worker {session.config.worker_kills} time(s)")
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(session.clock.left(), 1))
    monitor.stop.set()
    try:
        session.wait_jobs_idle("every job finished after the worker kills")
    except SoakError as error:
        session.miss(str(error))
    jobs = session.jobs()
    summary["jobs"] = Counter(job["status"] for job in jobs)
    summary["failed_jobs"] = [f"{job['kind']} {job['id']}: {job.get('message', '')}" for job in jobs
                              if job["status"] == "failed"]
    for job in jobs:
        if job["kind"] == "aggregationrun" and job["status"] == "done" and job.get("started"):
            seconds = timestamp(job["finished"]) - timestamp(job["started"])
            summary["aggregations"].append({"process": job["process"], "seconds": seconds,
                                            "attempts": job.get("attempts")})
            if job["process"] == big["process"]:
                summary["big_aggregation_wall"] = timestamp(job["finished"]) - uploaded_at
    return big


def backup_with_kill(session, process, summary):
    """The step-9 POST, the web server killed while it writes, restarted; the retry must succeed."""
    stack = session.stack
    adb = session.officers["adb"]
    backup_dir = Path(stack.var_dir) / "backups"
    archives_before = {path.name for path in backup_dir.glob("*.7z")}
    for attempt in range(session.config.server_kills + 1):
        task = session.task(process)
        if task is None or task["node"] != "backup":
            raise SoakError(f"process {process}: step 9 is no longer open ({task}) before attempt {attempt + 1}")
        prefix = f"/population/{process}/backup/{task['pk']}"
        if task["status"] == "NEW":
            adb.send("claim backup", "POST", f"{prefix}/assign/")
        adb.send("backup page", "GET", f"{prefix}/execute/")
        last = attempt == session.config.server_kills
        if last:
            response, hit = adb.send("backup", "POST", f"{prefix}/execute/", session.backup_data())
            summary["backup"] = {"ok": response is not None and response.status_code == 302, "seconds": hit.seconds,
                                 "status": hit.status, "reason": hit.reason}
            break
        before, cpu = stack.files(), stack.group_cpu("server")
        result = {}
        poster = threading.Thread(target=lambda: result.update(
            zip(("response", "hit"), adb.send("backup (server killed)", "POST", f"{prefix}/execute/",
                                              session.backup_data()))), daemon=True)
        poster.start()
        signal_seen = None
        for _look in range(int(session.config.wait / 0.01)):
            if not poster.is_alive() or session.clock.left() <= 0:
                break
            written = stack.files() - before
            if written:
                signal_seen = f"new file {Path(sorted(written)[0]).name}"
            elif stack.group_cpu("server") - cpu > 3.0:
                signal_seen = "3 s of server CPU"
            if signal_seen:
                stack.kill("server")
                break
            time.sleep(0.01)
        poster.join(timeout=60)
        if signal_seen is None:
            session.miss(f"backup attempt {attempt + 1} ended before the server could be killed "
                         f"({result.get('hit')})")
        else:
            summary["server_kills"].append(signal_seen)
            session.log(f"web server killed during the backup POST ({signal_seen}); restarting it")
        if not stack.alive("server"):
            stack.spawn("server")
            stack.wait_server(session.clock)
    new_archives = sorted({path.name for path in backup_dir.glob("*.7z")} - archives_before)
    summary["archives"] = new_archives
    summary["backup_records"] = len(session.probe.ask("backups", process=process))


def sweep(session, summary):
    """Plant stray files two days old, run the sweep, count what is left unrecorded."""
    stack = session.stack
    planted = []
    for folder, name in (("private", f"soak-stray-{secrets.token_hex(4)}.csv"),
                         ("backups", f".soak-stray-{secrets.token_hex(4)}.7z.part")):
        path = stack.var_dir / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"stray\n")
        old = time.time() - 2 * DAY
        os.utime(path, (old, old))
        planted.append(os.path.realpath(path))
    if stack.manage("sweep_files", check=False, timeout=600):
        session.miss("manage.py sweep_files failed or does not exist (see logs/manage.log)")
    recorded = set(session.probe.ask("files")["recorded"])
    strays = sorted(stack.files() - recorded)
    now = time.time()
    summary["strays_young"] = [Path(path).name for path in strays if os.path.getmtime(path) >= now - DAY]
    summary["strays_old"] = [Path(path).name for path in strays if os.path.getmtime(path) < now - DAY]
    summary["planted_left"] = sum(1 for path in planted if os.path.exists(path))


def new_summary(config):
    return {"database": config.database, "rows": config.rows, "signings": [], "uploads": [], "worker_kills": [],
            "server_kills": [], "aggregations": [], "jobs": Counter(), "failed_jobs": [], "backup": None,
            "archives": [], "backup_records": None, "strays_young": [], "strays_old": [], "planted_left": None,
            "sign_full": None, "big_aggregation_wall": None, "worker_settings": None}


def run(config):
    """One soak on one database; returns the summary dict (``summary["failures"]``: targets missed)."""
    session = Session(config)
    summary = new_summary(config)
    try:
        extract, ids = session.start(config.signings, 1 + config.uploads)
        big = phase_signing(session, extract, ids, summary)
        tables = [job for job in session.jobs() if job["kind"] == "aggregationrun"
                  and job["process"] == big["process"] and job["status"] == "done"]
        if not tables:
            session.miss(f"process {big['process']}: the big extract was never aggregated; steps 3-9 not run")
        else:
            session.log(f"process {big['process']}: steps 3-8 (the full-semester report signed)")
            hit = session.to_backup(big["process"])
            summary["sign_full"] = {"seconds": hit.seconds, "status": hit.status}
            backup_with_kill(session, big["process"], summary)
            sweep(session, summary)
    except SoakError as error:
        session.miss(str(error))
    except KeyboardInterrupt:
        session.miss("interrupted")
        raise
    finally:
        summary["server_exceptions"] = session.stack.server_exceptions()
        summary["logs"] = str(session.stack.logs) if config.keep else None
        session.close()
        judge(config, session, summary)
    return summary


def judge(config, session, summary):
    hits = session.recorder.hits
    summary["requests"] = dict(session.recorder.by_status())
    summary["http_500"] = [f"{hit.label} {hit.method} {hit.path}" for hit in hits if hit.status and hit.status >= 500]
    summary["refused"] = [f"{hit.label} {hit.status}: {hit.reason}" for hit in hits
                          if hit.status and (400 <= hit.status < 500 or (hit.method == "POST" and hit.status == 200))]
    summary["dropped"] = [f"{hit.label}: {hit.reason}" for hit in hits if hit.status is None]
    signed = [entry for entry in summary["signings"] if entry["ok"]]
    times = [entry["seconds"] for entry in summary["signings"]]
    summary["sign_median"] = statistics.median(times) if times else None
    summary["sign_p90"] = percentile(times, 0.9)
    failures = session.failures
    if summary["http_500"]:
        failures.append(f"{len(summary['http_500'])} HTTP 500")
    if len(signed) < config.signings:
        failures.append(f"{len(signed)} of {config.signings} signings went through")
    if sum(entry["ok"] for entry in summary["uploads"]) < 1 + config.uploads:
        failures.append(f"{sum(e['ok'] for e in summary['uploads'])} of {1 + config.uploads} uploads went through")
    if len(summary["worker_kills"]) < config.worker_kills:
        failures.append(f"{len(summary['worker_kills'])} of {config.worker_kills} worker kills done")
    not_done = sum(count for status, count in summary["jobs"].items() if status != "done")
    if not_done or not summary["jobs"]:
        failures.append(f"{not_done} job(s) not done: {dict(summary['jobs'])}")
    if len(summary["server_kills"]) < config.server_kills:
        failures.append(f"{len(summary['server_kills'])} of {config.server_kills} server kills during the backup")
    if not (summary["backup"] or {}).get("ok"):
        failures.append(f"backup retry did not succeed: {summary['backup']}")
    if len(summary["archives"]) != 1 or summary["backup_records"] != 1:
        failures.append(f"{len(summary['archives'])} new archive(s), {summary['backup_records']} backup record(s); "
                        "expected exactly one")
    if summary["strays_old"] or summary["planted_left"]:
        failures.append(f"strays older than a day left after the sweep: {summary['strays_old']}")
    summary["failures"] = list(dict.fromkeys(failures))
    summary["notes"] = session.notes


def seconds(value):
    return "-" if value is None else f"{value:.2f} s"


def print_summary(summary):
    kills = ", ".join(f"run {kill['job']} at {kill['percent']}%" for kill in summary["worker_kills"])
    rows = [
        ("database", summary["database"]),
        ("extract rows", f"{summary['rows']:,}"),
        ("requests by status", ", ".join(f"{k}: {v}" for k, v in sorted(summary["requests"].items()))),
        ("HTTP 500", len(summary["http_500"])),
        ("signings ok", f"{sum(e['ok'] for e in summary['signings'])}/{len(summary['signings'])}"
                        f" ({sum(e['during_aggregation'] for e in summary['signings'])} while aggregating)"),
        ("sign request median / p90", f"{seconds(summary['sign_median'])} / {seconds(summary['sign_p90'])}"),
        ("sign request, full semester", seconds((summary["sign_full"] or {}).get("seconds"))),
        ("uploads ok", f"{sum(e['ok'] for e in summary['uploads'])}/{len(summary['uploads'])}"
                       f" ({', '.join(seconds(e['seconds']) for e in summary['uploads'])})"),
        ("aggregation (last attempt)", ", ".join(seconds(a["seconds"]) for a in summary["aggregations"]
                                                 if a["process"] in {u["process"] for u in summary["uploads"]})),
        ("big extract: upload to tables", seconds(summary["big_aggregation_wall"])),
        ("worker kills", f"{len(summary['worker_kills'])} ({kills})"),
        ("jobs", ", ".join(f"{k}: {v}" for k, v in sorted(summary["jobs"].items())) or "-"),
        ("worker settings", ", ".join(f"{k} {v}" for k, v in (summary.get("worker_settings") or {}).items()) or "-"),
        ("server kills during backup", f"{len(summary['server_kills'])} ({', '.join(summary['server_kills'])})"),
        ("backup request (retry)", f"{seconds((summary['backup'] or {}).get('seconds'))} "
                                   f"HTTP {(summary['backup'] or {}).get('status')}"),
        ("archives (new) / records", f"{len(summary['archives'])} / {summary['backup_records']}"),
        ("strays < 1 day / older", f"{len(summary['strays_young'])} / {len(summary['strays_old'])}"
                                   f" (planted left: {summary['planted_left']})"),
    ]
    width = max(len(name) for name, _value in rows)
    print()
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    for title, items in (("HTTP 500", summary["http_500"]), ("server exceptions", [
            f"{count} x {line}" for line, count in summary["server_exceptions"].items()]),
            ("refused (4xx, or form shown again)", summary["refused"]), ("no answer", summary["dropped"]),
            ("failed jobs", summary["failed_jobs"]), ("young strays", summary["strays_young"]),
            ("notes", summary["notes"])):
        if items:
            counted = Counter(items)
            print(f"  {title}:")
            for item, count in counted.most_common(15):
                print(f"    {count} x {item}")
    print(f"  RESULT: {'OK' if not summary['failures'] else 'TARGETS MISSED'}")
    for failure in summary["failures"]:
        print(f"    - {failure}")


def interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("SOAK_DATABASE_URL", PG_URL),
                        help="PostgreSQL database to (re)create and drop (default %(default)s)")
    parser.add_argument("--rows", type=int, default=Config.rows)
    parser.add_argument("--seed", type=int, default=Config.seed)
    parser.add_argument("--signings", type=int, default=Config.signings)
    parser.add_argument("--uploads", type=int, default=Config.uploads)
    parser.add_argument("--worker-kills", type=int, default=Config.worker_kills)
    parser.add_argument("--server-kills", type=int, default=Config.server_kills)
    parser.add_argument("--port", type=int, default=Config.port, help="SQLite port; PostgreSQL uses the next one")
    parser.add_argument("--deadline", type=float, default=Config.deadline, help="seconds for one database's run")
    parser.add_argument("--wait", type=float, default=Config.wait, help="seconds for any single wait")
    parser.add_argument("--cache-dir", type=Path, default=Config.cache_dir)
    parser.add_argument("--root", type=Path, default=ROOT, help="project tree to run (default: this one)")
    parser.add_argument("--autoreload", action="store_true", help="runserver with its reloader, as `make run`")
    parser.add_argument("--keep", action="store_true", help="keep VAR_DIR, logs and the PostgreSQL database")
    parser.add_argument("--json", type=Path, help="also write the summaries here")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, interrupt)
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    summaries = []
    for offset, database in enumerate(databases):
        config = Config(database=database, pg_url=args.pg_url, rows=args.rows, seed=args.seed,
                        signings=args.signings, uploads=args.uploads, worker_kills=args.worker_kills,
                        server_kills=args.server_kills, port=args.port + offset, deadline=args.deadline,
                        wait=args.wait, cache_dir=args.cache_dir, root=args.root.resolve(),
                        autoreload=args.autoreload, keep=args.keep)
        summary = run(config)
        print_summary(summary)
        summaries.append(summary)
    if args.json:
        args.json.write_text(json.dumps(summaries, indent=2, default=str))
    return 1 if any(summary["failures"] for summary in summaries) else 0


if __name__ == "__main__":
    sys.exit(main())
