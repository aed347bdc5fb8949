#!/usr/bin/env python
"""SLA bench: the supervisor dashboard and the inbox over a synthetic 200,000-process history.

What it does, on PostgreSQL only (SQLite is the development database, not the one we size):

1. creates (or reuses) a separate database, ``sopflow_bench`` by default, and migrates it;
2. seeds about 200,000 processes and 1.5 million human tasks with bulk ``COPY`` (never through
   the flows): 548 organisations x 40 years x 9 SOP periods, each step's working time drawn
   around its Mutu Baku Waktu on the real working calendar, with returns, late steps and a few
   processes still open;
3. serves the project with ``manage.py runserver --noreload`` (DEBUG off) plus one bare Django
   view that answers "ok" through the same middleware, and times HTTP requests from a client
   loop, interleaving the URLs so all see the same machine load;
4. reports, per URL, the median of each run's median and its ratio to the bare view.

Usage: ``python bench/bench_sla.py [--reseed] [--runs 5] [--requests 20]``;
``BENCH_DATABASE_URL`` overrides the database (default postgres://postgres@127.0.0.1:5432/sopflow_bench).
Not seeded: If/End gateway rows, task predecessor links, reviews and dispositions (no page timed
here reads them).
"""

import argparse
import io
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta
from multiprocessing import Pool
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sopflow_bench"
ORGANISATIONS, FIRST_YEAR, YEARS = 548, 1986, 41
ROLES = ("kadis", "kabid", "kasi", "tim", "adb", "staf", "sekretariat")
# (sop, period type, numbers) run every year: SOP A per semester, SOP B per quarter, half and year.
PERIODS = (("A", "semester", (1, 2)), ("B", "triwulan", (1, 2, 3, 4)), ("B", "semester", (1, 2)), ("B", "tahun", (1,)))
# Review steps that may send work back: (sop, reviewing step) -> (step reopened, probability).
RETURNS = {("A", 4): (3, 0.15), ("A", 5): (4, 0.05), ("A", 6): (5, 0.03), ("B", 5): (3, 0.15), ("B", 7): (6, 0.05)}
NAMED_STEPS = {("A", 3), ("B", 3), ("B", 4)}
ID_STRIDE = {"process": 1_000, "task": 10_000}


def env_for(url):
    env = dict(os.environ, DATABASE_URL=url, DJANGO_DEBUG="", DJANGO_SECRET_KEY="bench-only-not-a-secret",
               DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost", DJANGO_LOG_LEVEL="WARNING")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def ensure_database(url, reseed):
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(url.replace(parts.path, "/postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        if reseed:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


# -- seeding ----------------------------------------------------------------------------------


def period_end(year, period_type, number):
    months = {"semester": 6, "triwulan": 3, "tahun": 12}[period_type]
    last_month = months * number
    following = date(year + last_month // 12, last_month % 12 + 1, 1)
    return following - timedelta(days=1)


def csv_field(value):
    # COPY's CSV reads an unquoted empty field as NULL and a quoted one as an empty string;
    # Python's csv module cannot write that distinction, so fields are written here.
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (int, float)):
        return str(value)
    return '"' + str(value).replace('"', '""') + '"'


class Rows:
    def __init__(self):
        self.lines = []

    def writerow(self, values):
        self.lines.append(",".join(csv_field(value) for value in values) + "\n")

    def writerows(self, rows):
        for values in rows:
            self.writerow(values)

    def getvalue(self):
        return "".join(self.lines)


def writer_for(buffers, table):
    return buffers.setdefault(table, Rows())


def iso(moment):
    return moment.isoformat() if moment else None


def simulate(org_index, spec):
    """Rows for one organisation's whole history, ids from fixed per-organisation ranges."""
    from workflows.catalogue import SOPS
    from workflows.workcalendar import WorkCalendar

    rng = random.Random(org_index)
    org_id = org_index + 1
    tz = spec["timezones"][org_index]
    calendar = WorkCalendar(tz=tz)
    users = {role: org_index * len(ROLES) + i + 1 for i, role in enumerate(ROLES)}
    now = spec["now"]
    process_id = org_index * ID_STRIDE["process"]
    task_id = org_index * ID_STRIDE["task"]
    out = {}
    for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        for sop_code, period_type, numbers in PERIODS:
            sop = SOPS[sop_code]
            for number in numbers:
                end = period_end(year, period_type, number)
                started = datetime(end.year, end.month, end.day, 8, 0, tzinfo=ZoneInfo(tz))
                started = calendar.next_working_moment(started + timedelta(days=1 + rng.randint(0, 20),
                                                                          minutes=rng.randint(0, 400)))
                if started > now:
                    continue
                process_id += 1
                standards = {s.number: int(calendar.standard_duration(s.waktu_amount, s.waktu_unit).total_seconds())
                             for s in sop.steps}
                standard = sum(standards.values())
                moment, number_at, elapsed_total, open_task, returning = started, 1, 0, False, False
                # Runs of the last four months are still under way somewhere after step 1.
                stall_at = rng.randint(2, len(sop.steps)) if now - started < timedelta(days=120) else None
                rounds = {}
                while number_at is not None:
                    step = sop.step(number_at)
                    task_id += 1
                    opened = moment
                    due = calendar.add(opened, step.waktu_amount, step.waktu_unit)
                    # Working time is additive, so only "hari" needs measuring between start and due.
                    std = calendar.elapsed(opened, due) if step.waktu_unit == "hari" else timedelta(
                        seconds=standards[step.number])
                    warn_at = calendar.add_duration(opened, std * 0.8)
                    if number_at == 1:
                        work = timedelta(0)
                    else:
                        work = std * math.exp(rng.gauss(math.log(0.6), 0.8))
                    finished = calendar.add_duration(opened, work)
                    reopened, returning = returning, False
                    rounds[number_at] = rounds.get(number_at, 0) + 1
                    owner = users[step.actor] if step.actor in users else None
                    if finished > now or number_at == stall_at:
                        open_task, finished = True, None
                    status = "DONE" if finished else ("ASSIGNED" if rng.random() < 0.7 else "NEW")
                    permission = (f"workflows.assignee_p{process_id}" if (sop_code, number_at) in NAMED_STEPS
                                  else f"workflows.org{org_id}.{step.actor}")
                    writer_for(out, "viewflow_task").writerow([
                        task_id, spec["refs"][(sop_code, step.node)], "HUMAN_START" if number_at == 1 else "HUMAN",
                        status, iso(opened), None, iso(finished), iso(finished), None, "start", None,
                        owner if status != "NEW" else None, permission, process_id, "{}",
                    ])
                    elapsed = int(work.total_seconds())  # add_duration's inverse: no need to measure again
                    notify_at = calendar.next_working_moment(due)
                    writer_for(out, "workflows_tasksla").writerow([
                        task_id, process_id, org_id, sop_code, step.number, step.node, step.waktu_amount,
                        step.waktu_unit, standards[step.number], iso(opened), iso(due), iso(warn_at), iso(notify_at),
                        iso(finished), elapsed if finished else None, (finished <= due) if finished else None, False,
                        reopened, owner if finished else None,
                        iso(notify_at) if not finished and notify_at <= now else None,  # already escalated
                    ])
                    if open_task:
                        break
                    elapsed_total += elapsed
                    moment = finished
                    back = RETURNS.get((sop_code, number_at))
                    if back and rounds[number_at] < 3 and rng.random() < back[1]:
                        number_at, returning = back[0], True
                    else:
                        number_at = number_at + 1 if number_at < len(sop.steps) else None
                done = not open_task
                writer_for(out, "viewflow_process").writerow([
                    process_id, spec["flows"][sop_code], "DONE" if done else "NEW", iso(started),
                    iso(moment) if done else None, "{}",
                ])
                writer_for(out, "workflows_sopprocess").writerow(
                    [process_id, org_id, sop_code, year, period_type, number, False])
                writer_for(out, "workflows_processsla").writerow([process_id, standard, elapsed_total])
    return out


COLUMNS = {
    "viewflow_process": "id, flow_class, status, created, finished, data",
    "workflows_sopprocess": "process_ptr_id, organisation_id, sop, year, period_type, period_number, cancelled",
    "workflows_processsla": "process_id, standard_seconds, elapsed_seconds",
    "viewflow_task": "id, flow_task, flow_task_type, status, created, assigned, started, finished, scheduled, token, "
                     "external_task_id, owner_id, owner_permission, process_id, data",
    "workflows_tasksla": "task_id, process_id, organisation_id, sop, step_number, node, waktu_amount, waktu_unit, "
                         "standard_seconds, opened, due, warn_at, notify_at, finished, elapsed_seconds, on_time, "
                         "cancelled, reopened, done_by_id, escalated_at",
}
ORDER = ("viewflow_process", "workflows_sopprocess", "workflows_processsla", "viewflow_task", "workflows_tasksla")


def copy_rows(connection, table, columns, text):
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", io.StringIO(text))


def seed_chunk(job):
    """One worker: simulate a slice of organisations and COPY them in one transaction."""
    import psycopg2

    url, indexes, spec = job
    connection = psycopg2.connect(url)
    buffers = {}
    for org_index in indexes:
        for table, buffer in simulate(org_index, spec).items():
            buffers.setdefault(table, []).append(buffer.getvalue())
    for table in ORDER:
        copy_rows(connection, table, COLUMNS[table], "".join(buffers.get(table, [])))
    connection.commit()
    connection.close()
    return len(indexes)


def seed(url, workers, organisations):
    from django.db import connection
    from viewflow.workflow.fields import get_flow_ref, get_task_ref

    from workflows.catalogue import SOPS
    from workflows.sops.population.flow import PopulationFlow
    from workflows.sops.utilization.flow import UtilizationFlow
    from workflows.roles import Role

    flows = {"A": PopulationFlow, "B": UtilizationFlow}
    timezones = ["Asia/Makassar" if i % 10 == 8 else "Asia/Jayapura" if i % 10 == 9 else "Asia/Jakarta"
                 for i in range(organisations)]
    started = time.perf_counter()
    raw = connection.connection
    people = {"workflows_organisation": [], "auth_user": [], "workflows_officer": [], "workflows_officerrole": []}
    for i in range(organisations):
        people["workflows_organisation"].append(
            [i + 1, f"Dinas Dukcapil Bench {i:03d}", f"B{i:03d}", "17", "Bengkulu", "", timezones[i],
             "Kepala Dinas", "", ""])
        for r, role in enumerate(ROLES):
            uid = i * len(ROLES) + r + 1
            people["auth_user"].append([uid, "!", None, False, f"b{i:03d}.{role}", Role(role).label, f"B{i:03d}", "",
                                        False, True, "2020-01-01T00:00:00+00:00"])
            people["workflows_officer"].append([uid, uid, i + 1, "", ""])
            people["workflows_officerrole"].append([uid, uid, role])
    columns = {
        "workflows_organisation": "id, name, short_name, province_code, province_name, unit_name, timezone, "
                                  "head_title, head_name, head_nip",
        "auth_user": "id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, "
                     "is_active, date_joined",
        "workflows_officer": "id, user_id, organisation_id, nip, position",
        "workflows_officerrole": "id, officer_id, role",
    }
    for table, rows in people.items():
        buffer = Rows()
        buffer.writerows(rows)
        copy_rows(raw, table, columns[table], buffer.getvalue())
    raw.commit()
    spec = {
        "now": datetime.now(ZoneInfo("UTC")),
        "timezones": timezones,
        "flows": {code: get_flow_ref(flow) for code, flow in flows.items()},
        "refs": {(code, step.node): get_task_ref(getattr(flows[code], step.node))
                 for code in SOPS for step in SOPS[code].steps},
        "reopenable": {(sop, back) for (sop, _), (back, _) in RETURNS.items()},
    }
    chunks = [list(range(start, min(start + 20, organisations))) for start in range(0, organisations, 20)]
    with Pool(workers) as pool:
        done = 0
        for count in pool.imap_unordered(seed_chunk, [(url, chunk, spec) for chunk in chunks]):
            done += count
            print(f"  seeded {done}/{organisations} organisations ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        for table in ("auth_user", "workflows_organisation", "workflows_officer", "workflows_officerrole",
                      "viewflow_process", "viewflow_task"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute("ANALYZE")
    print(f"Seeded in {time.perf_counter() - started:.0f} s")


# -- serving and timing -----------------------------------------------------------------------

SITE = """
from sopflow.settings import *  # noqa: F401,F403
ROOT_URLCONF = "sopflow_bench_urls"
"""
URLS = """
from django.http import HttpResponse
from django.urls import path
from sopflow.urls import urlpatterns as project_patterns

def bare(request):
    return HttpResponse("ok")

urlpatterns = [path("__bench__/bare/", bare)] + project_patterns
"""


def login_cookie(username):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def fetch(base, path, cookie):
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{path}: HTTP {error.code}") from None
    return time.perf_counter() - started, body


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(url, port):
    folder = tempfile.mkdtemp(prefix="sopflow-bench-")
    Path(folder, "sopflow_bench_site.py").write_text(SITE)
    Path(folder, "sopflow_bench_urls.py").write_text(URLS)
    env = env_for(url)
    env.update(DJANGO_SETTINGS_MODULE="sopflow_bench_site", PYTHONPATH=os.pathsep.join([folder, str(ROOT)]))
    log = open(Path(folder, "server.log"), "w")
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server.folder = folder
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit(f"the server stopped; see {log.name}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"the server did not start; see {log.name}")


def measure(base, targets, runs, requests):
    """Interleave the targets request by request; return {name: [median of each run]}."""
    for name, path, cookie in targets:
        for _ in range(3):  # warm-up: imports, template loading, PostgreSQL buffers
            fetch(base, path, cookie)
    medians = {name: [] for name, _, _ in targets}
    for _ in range(runs):
        samples = {name: [] for name, _, _ in targets}
        for _ in range(requests):
            for name, path, cookie in targets:
                samples[name].append(fetch(base, path, cookie)[0])
        for name in samples:
            medians[name].append(statistics.median(samples[name]))
    return medians


def pick_targets():
    from django.db.models import Count

    from workflows.models import SopProcess, TaskSla
    from viewflow.workflow.models import Task

    organisation_id = 1
    supervisor = f"b{organisation_id - 1:03d}.kasi"
    busiest = (Task.objects.filter(status="ASSIGNED").values("owner__username", "process__flow_class")
               .annotate(n=Count("pk")).order_by("-n").first())
    inbox_user = busiest["owner__username"] if busiest else supervisor
    prefix = "population" if busiest and "Population" in str(busiest["process__flow_class"]) else "utilization"
    latest = SopProcess.objects.filter(organisation_id=organisation_id, sop="A").order_by("-year", "-period_number")[1]
    period = f"year={latest.year}&period={latest.period_type}-{latest.period_number}"
    facts = {
        "processes": SopProcess.objects.count(),
        "tasks": Task.objects.count(),
        "organisation_tasks": TaskSla.objects.filter(organisation_id=organisation_id).count(),
        "inbox_rows": busiest["n"] if busiest else 0,
    }
    cookies = {user: login_cookie(user) for user in {supervisor, inbox_user}}
    targets = [
        ("bare view", "/__bench__/bare/", cookies[supervisor]),
        ("dashboard (all time)", "/sla/", cookies[supervisor]),
        ("dashboard (SOP A, one semester)", f"/sla/?sop=A&{period}", cookies[supervisor]),
        (f"inbox ({inbox_user})", f"/{prefix}/inbox/", cookies[inbox_user]),
        (f"queue ({supervisor})", "/utilization/queue/", cookies[supervisor]),
    ]
    return targets, facts


def sql_over_everything():
    """The dashboard's step figures and percentiles over all organisations at once, in-process:
    how the SQL scales with the whole table rather than one organisation's share."""
    from django.utils import timezone

    from workflows.models import TaskSla
    from workflows.models.sla import percentiles

    tasks = TaskSla.objects.measured()
    started = time.perf_counter()
    list(tasks.step_figures(timezone.now()))
    percentiles(tasks, ("sop", "step_number"), "elapsed_seconds", (0.5, 0.9))
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reseed", action="store_true", help="drop and seed the bench database again")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20, help="requests per URL per run")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--organisations", type=int, default=ORGANISATIONS, help="size of a new seed")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)

    ensure_database(url, args.reseed)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env_for(url),
                   check=True)
    os.environ.update(env_for(url), DJANGO_SETTINGS_MODULE="sopflow.settings")
    import django

    django.setup()
    from workflows.models import SopProcess

    if not SopProcess.objects.exists():
        print(f"Seeding {url.rsplit('/', 1)[-1]}: {args.organisations} organisations x {YEARS} years ...", flush=True)
        seed(url, args.workers, args.organisations)
    targets, facts = pick_targets()
    whole_table = min(sql_over_everything() for _ in range(3))
    port = args.port or free_port()
    server = serve(url, port)
    try:
        medians = measure(f"http://127.0.0.1:{port}", targets, args.runs, args.requests)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(server.folder, ignore_errors=True)

    bare = statistics.median(medians["bare view"])
    print(textwrap.dedent(f"""
        Dataset: {facts['processes']:,} processes, {facts['tasks']:,} tasks; the timed organisation has
        {facts['organisation_tasks']:,} tasks; the timed inbox holds {facts['inbox_rows']} open task(s).
        Server: manage.py runserver --noreload, DEBUG off, PostgreSQL; {args.runs} runs x {args.requests} requests
        per URL, interleaved; median of the run medians (ms), and ratio to the bare view.
    """))
    print(f"{'URL':<40} {'median ms':>10} {'runs (ms)':<40} {'x bare':>7}")
    for name, values in medians.items():
        median = statistics.median(values)
        runs = " ".join(f"{value * 1000:.1f}" for value in values)
        print(f"{name:<40} {median * 1000:>10.1f} {runs:<40} {median / bare:>7.1f}")
    print(f"\nStep figures + percentiles over all {facts['tasks']:,} tasks in one go (SQL only): "
          f"{whole_table * 1000:.0f} ms")
    dashboard = statistics.median(medians["dashboard (all time)"])
    print(f"Target: dashboard <= 300 ms -> {'met' if dashboard <= 0.3 else 'NOT met'} ({dashboard * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
