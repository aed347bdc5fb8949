"""Persona fixtures (one user per role per organisation, plus an outsider) and flow drivers.

Flows are driven through HTTP exactly as a browser does: claim the task (assign), then POST
the step's form to its execute URL.
"""

import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from io import StringIO

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from django.contrib.auth import get_user_model
from django.test import Client
from viewflow.workflow.status import STATUS

from workflows.dkb.generator import write_dkb
from workflows.models import Officer, OfficerRole, Organisation, SigningIdentity, SopProcess
from workflows.sops.utilization.models import Opd
from workflows.roles import Role

FLOW_PREFIX = {"A": "population", "B": "utilization"}

# Property tests share two cores with a live server and DuckDB in CI: judge them on their
# properties, not on how fast the machine happened to generate inputs.
hypothesis_settings.register_profile(
    "sopflow", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
hypothesis_settings.load_profile("sopflow")


@dataclass
class Org:
    organisation: Organisation
    users: dict

    def __getitem__(self, role):
        return self.users[role]


SIGNING_PASSPHRASE = "rahasia-kadis-uji"
# Synthetic NIPs of the test organisations' heads (the signature block prints them).
KADIS_NIP = {"bkl": "197001011995031001", "sbr": "197202021996032002"}


@lru_cache(maxsize=None)
def demo_certificate():
    """One demo CA and Kadis certificate for the whole run (key generation is the slow part)."""
    from django.core.management import call_command

    directory = Path(tempfile.mkdtemp(prefix="sopflow-test-signing-"))
    secret = directory / "passphrase.txt"
    secret.write_text(SIGNING_PASSPHRASE)
    call_command("make_demo_ca", str(directory), signer="Kadis Uji", passphrase_file=str(secret), stdout=StringIO())
    return next(directory.glob("signer-*.p12"))


def make_org(key, name, province_code, province_name):
    organisation = Organisation.objects.create(
        name=name, short_name=key.upper(), province_code=province_code, province_name=province_name
    )
    users = {}
    User = get_user_model()
    for role in Role.values:
        for suffix in ("", "2") if role in (Role.TIM, Role.STAF) else ("",):
            user = User.objects.create_user(
                f"{key}.{role}{suffix}", password="pw", first_name=f"{role.title()}{suffix}", last_name=key.upper()
            )
            # The head signs the semester book, whose signature block needs a NIP (synthetic here).
            nip = KADIS_NIP.get(key, "197001011995031001") if role == Role.KADIS else ""
            officer = Officer.objects.create(user=user, organisation=organisation, nip=nip)
            OfficerRole.objects.create(officer=officer, role=role)
            if role == Role.KADIS:
                SigningIdentity.objects.create(officer=officer, p12_path=str(demo_certificate()))
            users[role + suffix] = user
    for name, short in [("Dinas Kesehatan", "Dinkes"), ("Dinas Sosial", "Dinsos"), ("Bappeda", "Bappeda"), ("BKD", "BKD")]:
        Opd.objects.create(organisation=organisation, name=name, short_name=short)
    return Org(organisation, users)


@pytest.fixture
def bengkulu(db):
    return make_org("bkl", "Disdukcapil Provinsi Bengkulu", "17", "Bengkulu")


@pytest.fixture
def sumbar(db):
    return make_org("sbr", "DP2KBKPS Provinsi Sumatera Barat", "13", "Sumatera Barat")


@pytest.fixture
def outsider(db):
    """A logged-in user with no organisation and no role."""
    return get_user_model().objects.create_user("outsider", password="pw")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def open_task(process, node=None):
    tasks = process.task_set.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED])
    task = tasks.get()
    if node is not None:
        assert task.flow_task.name == node, f"expected open step {node}, found {task.flow_task.name}"
    return task


def task_url(process, task, action):
    return f"/{FLOW_PREFIX[process.sop]}/{process.pk}/{task.flow_task.name}/{task.pk}/{action}/"


def run_worker():
    """What `manage.py run_jobs` does beside the web server: the queued jobs, done now."""
    from django.core.management import call_command

    call_command("run_jobs", "--once", stdout=StringIO())


def do_step(user, process, node, data, expect=302):
    """Claim (if needed) and complete the open step ``node`` as ``user`` over HTTP, with the
    background worker having done what was queued before (as it does beside the web server)."""
    run_worker()
    process.refresh_from_db()
    task = open_task(process, node)
    client = client_for(user)
    if task.status == STATUS.NEW:
        response = client.post(task_url(process, task, "assign"))
        assert response.status_code == 302, f"{user} could not claim {node}: {response.status_code}"
    response = client.post(task_url(process, task, "execute"), data)
    assert response.status_code == expect, f"{node} by {user}: {response.status_code} {form_errors(response)}"
    return response


def form_errors(response):
    """The form (and formset) errors of a re-rendered page, for readable failures."""
    context = getattr(response, "context", None) or {}
    errors = {}
    for name in ("form", "formset", "submit_form"):
        form = context.get(name) if hasattr(context, "get") else None
        if form is not None:
            errors[name] = getattr(form, "errors", None)
            if hasattr(form, "non_form_errors"):
                errors[name + "_non_form"] = form.non_form_errors()
    return errors


def upload_dkb(user, process, dkb_file, cutoff="2025-06-30", expect=302):
    """Step 3, first part: claim the task if needed and upload the extract."""
    process.refresh_from_db()
    task = open_task(process, "process_data")
    client = client_for(user)
    if task.status == STATUS.NEW:
        assert client.post(task_url(process, task, "assign")).status_code == 302
    with open(dkb_file, "rb") as handle:
        response = client.post(task_url(process, task, "execute"), {
            "action": "upload", "upload": handle, "source": "DKB", "cutoff_date": cutoff,
        })
    assert response.status_code == expect, form_errors(response)
    return response


def process_dkb(user, process, dkb_file, notes="Diolah dari DKB."):
    """Step 3 as the team does it: upload, let the worker aggregate, hand the draft to the Kasi."""
    upload_dkb(user, process, dkb_file)
    do_step(user, process, "process_data", {"notes": notes})


def start_population(user, year=2025, semester=1):
    response = client_for(user).post("/population/start/", {"year": year, "semester": semester, "text": "Bentuk tim."})
    assert response.status_code == 302, response.content.decode()[:2000]
    return SopProcess.objects.latest("pk")


def start_utilization(user, year=2026, period_type="triwulan", number=2):
    response = client_for(user).post(
        "/utilization/start/",
        {"year": year, "period_type": period_type, "period_number": number, "text": "Buat daftar."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return SopProcess.objects.latest("pk")


@pytest.fixture(scope="session")
def dkb_file(tmp_path_factory):
    """A small synthetic Bengkulu extract from the project's own generator."""
    path = tmp_path_factory.mktemp("dkb") / "dkb_bengkulu.csv"
    write_dkb(path, province="17", rows=300, seed=7)
    return path


@pytest.fixture(autouse=True)
def private_dirs(settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    settings.BACKUP_DIR = tmp_path / "backups"
    # Persona passwords need no real hashing cost in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
