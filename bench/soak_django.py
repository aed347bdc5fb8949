"""The Django side of the soak (bench/soak.py): run in a child process with the soak's environment.

The soak itself never imports Django (so the test suite can import it while pytest-django has
its own settings); whatever needs the project's models runs here:

- ``prepare``: drive fresh SOP A processes through the real web views with Django's test
  client (as ``seed_demo`` does), before the servers start: processes waiting at step 6 (their
  small extracts aggregated here by ``run_jobs --once``) and processes waiting at step 3 for
  the soak's uploads over HTTP. Prints one JSON line with their ids.
- ``probe``: a long-lived read-only helper. It answers one JSON request per stdin line with one
  JSON line (open task of a process, background jobs, stored files), so the soak can wait on
  progress without starting Python for every look.

Usage (by bench/soak.py, from the project tree): ``python bench/soak_django.py prepare '<json>'``
and ``python bench/soak_django.py probe``.
"""

import json
import os
import sys
import tempfile
from datetime import date
from io import StringIO
from pathlib import Path

# Run with the project tree to test as the working directory (bench/soak.py --root).
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sopflow.settings")

ORG = "bkl"  # the demo Bengkulu organisation (province 17): the extract generator's default
DEMO_PASSWORD = "sopflow-demo"
SEEDED_PERIODS = {(2024, 2), (2025, 1)}  # seed_demo's own Bengkulu processes


def semester_bounds(year, semester):
    return (date(year, 1, 1), date(year, 6, 30)) if semester == 1 else (date(year, 7, 1), date(year, 12, 31))


def free_periods(today, count):
    """``count`` (year, semester, cutoff) triples, newest first, none in the future or seeded."""
    periods = []
    year, semester = today.year, 2
    while len(periods) < count:
        start, end = semester_bounds(year, semester)
        if start <= today and (year, semester) not in SEEDED_PERIODS:
            periods.append((year, semester, min(end, today)))
        year, semester = (year, 1) if semester == 2 else (year - 1, 2)
        if year < 2000:
            raise ValueError("not enough free semesters since 2000")
    return periods


class Driver:
    """The officers of the demo organisation, each a logged-in test client."""

    def __init__(self):
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.test import Client

        host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")), "localhost")
        self.clients = {}
        for role in ("kadis", "kabid", "kasi", "tim", "tim2"):
            # Through the login view, as a browser: login throttling sees a real request.
            client = Client(HTTP_HOST=host)
            response = client.post("/accounts/login/", {"username": f"{ORG}.{role}", "password": DEMO_PASSWORD})
            if response.status_code != 302:
                raise RuntimeError(f"login of {ORG}.{role}: HTTP {response.status_code}")
            self.clients[role] = client
        self.user_pks = {
            role: get_user_model().objects.get(username=f"{ORG}.{role}").pk for role in ("tim", "tim2")
        }

    def start(self, year, semester):
        from workflows.models import SopProcess

        response = self.clients["kadis"].post(
            "/population/start/", {"year": year, "semester": semester, "text": "Bentuk tim (soak)."}
        )
        if response.status_code != 302:
            raise RuntimeError(f"start {year}/{semester}: HTTP {response.status_code}")
        return SopProcess.objects.filter(
            organisation__officers__user__username=f"{ORG}.kadis", sop="A", year=year, period_number=semester
        ).latest("pk")

    def do(self, role, process, node, data, expect=302):
        prefix = task_prefix(process, node)
        client = self.clients[role]
        if open_task(process)["status"] == "NEW":
            response = client.post(f"{prefix}/assign/")
            if response.status_code != 302:
                raise RuntimeError(f"claim {node} of {process.pk}: HTTP {response.status_code}")
        response = client.post(f"{prefix}/execute/", data)
        if response.status_code != expect:
            raise RuntimeError(f"{node} of {process.pk}: HTTP {response.status_code}")
        return response


def open_task(process):
    from viewflow.workflow.status import STATUS

    task = (
        process.task_set.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED])
        .order_by("-pk")
        .first()
    )
    if task is None:
        return None
    return {"node": task.flow_task.name, "pk": task.pk, "status": str(task.status),
            "owner": task.owner.username if task.owner_id else None}


def task_prefix(process, node):
    task = open_task(process)
    if task is None or task["node"] != node:
        raise RuntimeError(f"process {process.pk}: expected open step {node}, found {task}")
    return f"/population/{process.pk}/{node}/{task['pk']}"


def prepare(spec):
    """Processes for the soak; ``spec``: {"signing": n, "step3": m, "small_rows": r}."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from workflows.dkb.generator import write_dkb
    from workflows.models import SopProcess

    driver = Driver()
    periods = free_periods(timezone.localdate(), spec["step3"] + spec["signing"])
    step3_periods, signing_periods = periods[: spec["step3"]], periods[spec["step3"]:]
    out = {"step3": [], "signing": []}
    signing = []
    with tempfile.TemporaryDirectory(prefix="sopflow-soak-prepare-") as tmp:
        for year, semester, cutoff in step3_periods + signing_periods:
            process = driver.start(year, semester)
            driver.do("kabid", process, "form_team", {
                "number": f"800/{semester}/SOAK/{year}", "date": cutoff.isoformat(),
                "members": [driver.user_pks["tim"], driver.user_pks["tim2"]],
            })
            entry = {"process": process.pk, "year": year, "semester": semester, "cutoff": cutoff.isoformat()}
            if (year, semester, cutoff) in step3_periods:
                out["step3"].append(entry)
                continue
            path = Path(tmp) / f"dkb-{process.pk}.csv"
            write_dkb(path, province="17", rows=spec["small_rows"], seed=process.pk, as_of=cutoff)
            prefix = task_prefix(process, "process_data")
            driver.clients["tim"].post(f"{prefix}/assign/")
            with open(path, "rb") as handle:
                response = driver.clients["tim"].post(f"{prefix}/execute/", {
                    "action": "upload", "upload": handle, "source": "DKB", "cutoff_date": cutoff.isoformat(),
                })
            if response.status_code != 302:
                raise RuntimeError(f"small upload for {process.pk}: HTTP {response.status_code}")
            signing.append((process, entry))
    call_command("run_jobs", "--once", stdout=StringIO())
    for process, entry in signing:
        process = SopProcess.objects.get(pk=process.pk)
        driver.do("tim", process, "process_data", {"notes": "Diolah (soak)."})
        driver.do("kasi", process, "correct", {"decision": "approve"})
        driver.do("kabid", process, "validate", {"decision": "approve"})
        entry["task"] = open_task(process)
        out["signing"].append(entry)
    return out


# The probe ------------------------------------------------------------------------------------

def job_models():
    from django.apps import apps

    try:
        from workflows.models.jobs import Job
    except ImportError:
        from workflows.sops.population.models import AggregationRun

        return [AggregationRun]
    return [model for model in apps.get_models() if issubclass(model, Job)]


def job_rows():
    rows = []
    for model in job_models():
        fields = {field.name for field in model._meta.concrete_fields}
        wanted = [name for name in ("status", "progress", "attempts", "created", "started", "heartbeat",
                                    "finished", "message", "worker") if name in fields]
        process_path = "upload__process_id" if "upload" in fields else "process_id" if "process" in fields else None
        values = wanted + ([process_path] if process_path else [])
        for row in model.objects.values("pk", *values):
            rows.append({
                "kind": model._meta.model_name, "id": row["pk"],
                "process": row.get(process_path) if process_path else None,
                **{name: (row[name].isoformat() if hasattr(row[name], "isoformat") else row[name])
                   for name in wanted},
            })
    return rows


def recorded_files():
    """Every file path the database points to: FileFields of every model, plus the models that
    keep a path in a text field (``stored_path_field``, e.g. the backup archives)."""
    from django.apps import apps
    from django.db.models import FileField

    paths = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField):
                for name in model.objects.exclude(**{field.name: ""}).values_list(field.name, flat=True):
                    if name:
                        paths.add(os.path.realpath(field.storage.path(name)))
        path_field = getattr(model, "stored_path_field", None)
        if path_field is None and model._meta.label == "workflows.BackupRecord":
            path_field = "location"
        if path_field:
            for location in model.objects.values_list(path_field, flat=True):
                if location:
                    paths.add(os.path.realpath(location))
    return sorted(paths)


def answer(request):
    from django.conf import settings
    from django.db import close_old_connections

    from workflows.models import SopProcess
    from workflows.sops.population.models import BackupRecord

    close_old_connections()
    command = request["cmd"]
    if command == "task":
        return open_task(SopProcess.objects.get(pk=request["process"]))
    if command == "jobs":
        return job_rows()
    if command == "files":
        return {
            "recorded": recorded_files(),
            "private_dir": str(settings.PRIVATE_STORAGE_DIR),
            "backup_dir": str(settings.BACKUP_DIR),
        }
    if command == "backups":
        return list(BackupRecord.objects.filter(process_id=request["process"]).values_list("location", flat=True))
    if command == "settings":
        return {
            "max_attempts": getattr(settings, "SOPFLOW_JOB_MAX_ATTEMPTS", None),
            "lease_seconds": getattr(settings, "SOPFLOW_JOB_LEASE_SECONDS", None),
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        }
    raise ValueError(f"unknown probe command {command!r}")


def probe():
    import django

    django.setup()
    from django.db import connection

    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = {"ok": answer(json.loads(line))}
        except Exception as error:  # noqa: BLE001 - the soak reports it and goes on
            reply = {"error": f"{type(error).__name__}: {error}"}
        finally:
            connection.close()  # never hold a connection (or a SQLite snapshot) between looks
        sys.stdout.write(json.dumps(reply, default=str) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        print(json.dumps(prepare(json.loads(sys.argv[2])), default=str))
    elif sys.argv[1] == "probe":
        probe()
    else:
        raise SystemExit(f"unknown command {sys.argv[1]!r}")
