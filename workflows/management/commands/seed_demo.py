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

from workflows.jobs import run_pending
from workflows.models import Officer, OfficerRole, Opd, Organisation, SopProcess
from workflows.roles import Role

DEMO_PASSWORD = "sopflow-demo"
# The demo semester archive's password (real archives' passwords are never stored anywhere).
DEMO_BACKUP_PASSWORD = "arsip-demo-sopflow-2024"

ORGANISATIONS = [
    {
        "key": "bkl",
        "name": "Dinas Kependudukan dan Pencatatan Sipil Provinsi Bengkulu",
        "short_name": "Disdukcapil Bengkulu",
        "province_code": "17",
        "province_name": "Bengkulu",
        "unit_name": "Bidang Pengelolaan Informasi Administrasi Kependudukan",
        "head_name": "Kadis Bengkulu (demo)",
    },
    {
        "key": "sbr",
        "name": "Dinas Pengendalian Penduduk, KB, Dukcapil Provinsi Sumatera Barat",
        "short_name": "DP2KBKPS Sumbar",
        "province_code": "13",
        "province_name": "Sumatera Barat",
        "unit_name": "Bidang PIAK dan Pemanfaatan Data",
        "head_name": "Kadis Sumbar (demo)",
    },
]

# domain.md §3: one verified OPD name, the rest illustrative; editable in the admin.
OPDS = [
    ("Badan Perencanaan Pembangunan Daerah", "Bappeda"),
    ("Badan Pendapatan Daerah", "Bapenda"),
    ("Badan Kepegawaian Daerah", "BKD"),
    ("Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD"),
    ("Dinas Sosial", "Dinsos"),
    ("Dinas Kesehatan", "Dinkes"),
    ("Dinas Pendidikan", "Disdik"),
    ("Dinas Tenaga Kerja dan Transmigrasi", "Disnakertrans"),
    ("Dinas Pemberdayaan Masyarakat dan Desa", "DPMD"),
    ("Badan Kesatuan Bangsa dan Politik", "Kesbangpol"),
    ("Biro Pemerintahan", "Biro Pem"),
    ("Rumah Sakit Umum Daerah", "RSUD"),
    ("Dinas Perumahan Rakyat, Kawasan Permukiman dan Pertanahan", "Disperkim"),
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
        for name, short in OPDS:
            Opd.objects.get_or_create(organisation=organisation, name=name, defaults={"short_name": short})
        return organisation

    def officer(self, organisation, key, role, label, suffix=""):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username(key, role) + suffix,
            defaults={"first_name": f"{label}{suffix}", "last_name": organisation.province_name + " (demo)"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        officer, _ = Officer.objects.get_or_create(
            user=user, defaults={"organisation": organisation, "position": f"{label} (demo)"}
        )
        OfficerRole.objects.get_or_create(officer=officer, role=role)

    def signing_identity(self, key, organisation):
        """A demo CA and a PKCS#12 certificate for the demo Kadis (passphrase: the demo password)."""
        import tempfile
        from pathlib import Path

        from django.core.management import call_command

        from workflows.management.commands.make_demo_ca import signer_file_name
        from workflows.models import SigningIdentity

        officer = Officer.objects.get(user__username=username(key, Role.KADIS))
        directory = Path(settings.SIGNING_DIR) / key
        p12 = directory / signer_file_name(organisation.head_name)
        if not p12.exists():
            with tempfile.NamedTemporaryFile("w", suffix=".txt") as secret:
                secret.write(DEMO_PASSWORD)
                secret.flush()
                call_command("make_demo_ca", str(directory), signer=organisation.head_name,
                             organisation=organisation.name, passphrase_file=secret.name, stdout=StringIO())
        SigningIdentity.objects.update_or_create(officer=officer, defaults={"kind": "pkcs12", "p12_path": str(p12)})

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
        if key == "bkl":
            self.population_process(key, 2024, 2, until=None)  # finished, with one return round
            self.population_process(key, 2025, 1, until="correct")  # waiting for the Kasi's correction
        else:
            self.utilization_process(key, 2, until=None)  # Triwulan II 2026 finished
            self.utilization_process(key, 3, until="fill_list")  # staff filling the list

    def population_process(self, key, year, semester, until):
        """Semester processes; a finished one is signed by the demo Kadis and backed up."""
        process = self.start(key, "/population/start/", {"year": year, "semester": semester, "text": "Bentuk tim."})
        self.do(key, Role.KABID, process, "form_team", {
            "number": f"800/{semester}/DKPS/{year}", "date": f"{year}-{'07-01' if semester == 1 else '12-01'}",
            "members": [self.user_pk(key, Role.TIM), self.user_pk(key, Role.TIM, "2")],
        })
        cutoff = f"{year}-06-30" if semester == 1 else f"{year}-12-31"
        self.upload_and_submit(key, process, cutoff)
        if until == "correct":
            return process
        self.do(key, Role.KASI, process, "correct", {"decision": "return", "notes": "Periksa kembali tabel umur."})
        self.upload_and_submit(key, process, cutoff)
        self.do(key, Role.KASI, process, "correct", {"decision": "approve"})
        self.do(key, Role.KABID, process, "validate", {"decision": "approve"})
        run_pending(isolated=False)  # the worker renders the final report for the Kadis
        self.do(key, Role.KADIS, process, "approve", {"decision": "approve", "passphrase": DEMO_PASSWORD})
        self.do(key, Role.KABID, process, "receive", {"text": "Cetak dan publikasikan."})
        self.do(key, Role.KASI, process, "print_distribute", {
            "copies": 40, "printed_on": f"{year + 1}-01-20", "published_on": f"{year + 1}-01-21",
            "channel": "Situs web dinas", "instruction_to_adb": "Back-up data semester ini.",
            "distribution-TOTAL_FORMS": 1, "distribution-INITIAL_FORMS": 0,
            "distribution-0-recipient": "Bappeda Provinsi", "distribution-0-delivered_on": f"{year + 1}-01-22",
            "distribution-0-copies": 5,
        })
        self.do(key, Role.ADB, process, "backup", {
            "password1": DEMO_BACKUP_PASSWORD, "password2": DEMO_BACKUP_PASSWORD, "notes": "Arsip demo.",
        })
        return process

    def upload_and_submit(self, key, process, cutoff):
        import tempfile
        from pathlib import Path

        from workflows.jobs import run_pending
        from workflows.dkb.generator import write_dkb

        task = self.open_task(process, "process_data")
        client = self.client_for(key, Role.TIM)
        prefix = self.prefix(process, task)
        if task.status == STATUS.NEW:
            client.post(f"{prefix}/assign/")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "dkb-demo.csv"
            write_dkb(path, province=process.organisation.province_code, rows=3000, seed=process.year * 10 + process.period_number)
            with open(path, "rb") as handle:
                response = client.post(f"{prefix}/execute/", {
                    "action": "upload", "upload": handle, "source": "DKB", "cutoff_date": cutoff,
                })
        if response.status_code != 302:
            raise RuntimeError(f"Demo upload failed: {response.status_code}")
        run_pending(isolated=False)
        self.do(key, Role.TIM, process, "process_data", {"notes": "Diolah dari DKB (data sintetis)."})

    def utilization_process(self, key, quarter, until):
        process = self.start(key, "/utilization/start/", {
            "year": 2026, "period_type": "triwulan", "period_number": quarter, "text": "Buat daftar pemanfaatan.",
        })
        self.do(key, Role.KASI, process, "instruct_staff", {
            "text": "Kumpulkan data dukung dari OPD.", "staff": [self.user_pk(key, Role.STAF)],
        })
        if until == "fill_list":
            return process
        task = self.open_task(process, "fill_list")
        client = self.client_for(key, Role.STAF)
        prefix = self.prefix(process, task)
        client.post(f"{prefix}/assign/")
        opds = list(process.organisation.opds.order_by("name")[:6])
        for index, opd in enumerate(opds):
            client.post(f"{prefix}/execute/", {
                "action": "add", "opd": opd.pk, "use_type": ["nik", "data", "ktpel"][index % 3],
                "access_method": ["web_service", "web_portal", "card_reader"][index % 3],
                "pks_number": f"119/{index + 1}/PKS-DUKCAPIL/2025", "pks_date": "2025-02-01",
                "pks_expiry": "2030-02-01", "purpose": "Verifikasi data penerima layanan",
                "uses": 150 * (index + 1) * quarter,
            })
        self.do(key, Role.STAF, process, "fill_list", {"action": "submit"})
        self.do(key, Role.STAF, process, "count", {"confirmed": "on"})
        self.do(key, Role.KASI, process, "evaluate", {
            "decision": "approve", "analysis": "Enam OPD memanfaatkan data kependudukan melalui PKS yang berlaku.",
        })
        self.do(key, Role.KABID, process, "lakip", {
            "indicator": "Persentase OPD yang memanfaatkan data kependudukan", "target": "40",
            "realisation": "46.15", "analysis": "Capaian melampaui target triwulan.",
        })
        self.do(key, Role.SEKRETARIAT, process, "check", {"decision": "approve"})
        return process

    def open_task(self, process, node):
        task = process.task_set.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]).get()
        assert task.flow_task.name == node, (task.flow_task.name, node)
        return task

    def prefix(self, process, task):
        return f"/{'population' if process.sop == 'A' else 'utilization'}/{process.pk}/{task.flow_task.name}/{task.pk}"

    def user_pk(self, key, role, suffix=""):
        return get_user_model().objects.get(username=username(key, role) + suffix).pk

    def start(self, key, url, data):
        response = self.client_for(key, Role.KADIS if "population" in url else Role.KABID).post(url, data)
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
