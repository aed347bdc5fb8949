"""Demo organisations, officers, OPDs and a few processes at different steps (idempotent).

Processes are advanced through the real web views with Django's test client, so the demo
holds exactly what officers would have produced by clicking: tasks, reviews, audit events.
"""

from io import StringIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import Client
from viewflow.workflow.status import STATUS

from workflows.catalogue import hooks
from workflows.models import Officer, OfficerRole, Organisation, SopProcess
from workflows.roles import Role

DEMO_PASSWORD = "sopflow-demo"

ORGANISATIONS = [
    {
        "key": "bkl",
        "name": "Dinas Kependudukan dan Pencatatan Sipil Provinsi Bengkulu",
        "short_name": "Disdukcapil Bengkulu",
        "province_code": "17",
        "province_name": "Bengkulu",
        "city": "Bengkulu",
        "unit_name": "Bidang Pengelolaan Informasi Administrasi Kependudukan",
        "head_name": "Kadis Bengkulu (demo)",
        "head_nip": "197501152000031001",  # synthetic, for the signature block
    },
    {
        "key": "sbr",
        "name": "Dinas Pengendalian Penduduk, KB, Dukcapil Provinsi Sumatera Barat",
        "short_name": "DP2KBKPS Sumbar",
        "province_code": "13",
        "province_name": "Sumatera Barat",
        "city": "Padang",
        "unit_name": "Bidang PIAK dan Pemanfaatan Data",
        "head_name": "Kadis Sumbar (demo)",
        "head_nip": "197602202001032002",  # synthetic, for the signature block
    },
]

ROLE_NAMES = {
    Role.KADIS: "Kadis",
    Role.KABID: "Kabid",
    Role.KASI: "Kasi",
    Role.TIM: "Tim",
    Role.ADB: "ADB",
    Role.STAF: "Staf",
    Role.SEKRETARIAT: "Sekretariat",
}


class SecureClient(Client):
    """Requests as over HTTPS, so that production's SSL redirect lets the seed through."""

    def generic(self, *args, secure=True, **kwargs):
        return super().generic(*args, secure=True, **kwargs)


def username(org_key, role):
    return f"{org_key}.{role}"


def demo_officer(organisation, login, label, title=None, **holding):
    """The demo login ``login`` (password DEMO_PASSWORD), named ``label`` after its position
    (``title``, the jabatan text, defaults to it), holding ``holding`` (``role=`` or
    ``position=``) in ``organisation``; idempotent."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=login, defaults={"first_name": label, "last_name": organisation.province_name + " (demo)"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    officer, _ = Officer.objects.get_or_create(
        user=user, defaults={"organisation": organisation, "position": f"{title or label} (demo)"}
    )
    OfficerRole.objects.get_or_create(officer=officer, **holding)
    return officer


def demo_signing_identity(officer, key, signer_name, organisation):
    """``officer`` signs with a PKCS#12 certificate for ``signer_name`` from the demo CA of the
    organisation ``key`` (made once, under SIGNING_DIR/<key>; passphrase: the demo password)."""
    import tempfile
    from pathlib import Path

    from django.core.management import call_command

    from workflows.management.commands.make_demo_ca import signer_file_name
    from workflows.models import SigningIdentity

    directory = Path(settings.SIGNING_DIR) / key
    p12 = directory / signer_file_name(signer_name)
    if not p12.exists():
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as secret:
            secret.write(DEMO_PASSWORD)
            secret.flush()
            call_command("make_demo_ca", str(directory), signer=signer_name,
                         organisation=organisation.name, passphrase_file=secret.name, stdout=StringIO())
    SigningIdentity.objects.update_or_create(officer=officer, defaults={"kind": "pkcs12", "p12_path": str(p12)})


class Command(BaseCommand):
    help = "Create demo organisations, officers (password: %s), OPDs and processes." % DEMO_PASSWORD

    def handle(self, *args, **options):
        with transaction.atomic():
            organisations = {spec["key"]: self.organisation(spec) for spec in ORGANISATIONS}
            self.admin()
        for key, organisation in organisations.items():
            self.signing_identity(key, organisation)
        for key, organisation in organisations.items():
            self.advance_demo_processes(key, organisation)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Password for every demo login: %s" % DEMO_PASSWORD))

    def organisation(self, spec):
        spec = dict(spec)
        key = spec.pop("key")
        organisation, _ = Organisation.objects.update_or_create(name=spec["name"], defaults=spec)
        for role, label in ROLE_NAMES.items():
            self.officer(organisation, key, role, label)
        # A second team member and staff member so choosing who is named means something.
        self.officer(organisation, key, Role.TIM, "Tim", suffix="2")
        self.officer(organisation, key, Role.STAF, "Staf", suffix="2")
        for _sop, seed in hooks("seed_organisation"):
            seed(organisation)
        return organisation

    def officer(self, organisation, key, role, label, suffix=""):
        demo_officer(organisation, username(key, role) + suffix, f"{label}{suffix}", role=role)

    def signing_identity(self, key, organisation):
        """A demo CA and a PKCS#12 certificate for the demo Kadis (passphrase: the demo password)."""
        officer = Officer.objects.get(user__username=username(key, Role.KADIS))
        demo_signing_identity(officer, key, organisation.head_name, organisation)

    def admin(self):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True, "first_name": "Administrator"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()

    # Demo processes ---------------------------------------------------------------------

    def client_for(self, key, role, suffix=""):
        host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS and settings.ALLOWED_HOSTS[0] != "*" else "localhost"
        client = SecureClient(HTTP_HOST=host.lstrip("."))
        client.force_login(get_user_model().objects.get(username=username(key, role) + suffix))
        return client

    def advance_demo_processes(self, key, organisation):
        if SopProcess.objects.filter(organisation=organisation).exists():
            return  # already seeded (or in real use): leave it alone
        for _sop, seed in hooks("seed_processes"):
            seed(self, key, organisation)

    def open_task(self, process, node):
        task = process.task_set.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]).get()
        assert task.flow_task.name == node, (task.flow_task.name, node)
        return task

    def prefix(self, process, task):
        return f"/{process.catalogue.url_prefix}/{process.pk}/{task.flow_task.name}/{task.pk}"

    def user_pk(self, key, role, suffix=""):
        return get_user_model().objects.get(username=username(key, role) + suffix).pk

    def start(self, key, sop, data):
        """Start a process of ``sop`` as the actor of its first step; the new process."""
        url = f"/{sop.url_prefix}/start/"
        response = self.client_for(key, sop.steps[0].actor).post(url, data)
        if response.status_code != 302:
            raise RuntimeError(f"Demo start failed at {url}: {response.status_code}")
        return SopProcess.objects.filter(organisation__officers__user__username=username(key, Role.KADIS)).latest("pk")

    def do(self, key, role, process, node, data, suffix=""):
        task = self.open_task(process, node)
        client = self.client_for(key, role, suffix)
        prefix = self.prefix(process, task)
        if task.status == STATUS.NEW:
            client.post(f"{prefix}/assign/")
        response = client.post(f"{prefix}/execute/", data)
        if response.status_code != 302:
            raise RuntimeError(f"Demo step {node} failed: {response.status_code}")
