"""Demo organisations, officers, OPDs and a few processes at different steps (idempotent).

Processes are advanced through the real web views with Django's test client, so the demo
holds exactly what officers would have produced by clicking: tasks, reviews, audit events.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import Client
from viewflow.workflow.status import STATUS

from workflows.models import Officer, OfficerRole, Opd, Organisation, SopProcess
from workflows.roles import Role

DEMO_PASSWORD = "sopflow-demo"

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


def username(org_key, role):
    return f"{org_key}.{role}"


class Command(BaseCommand):
    help = "Create demo organisations, officers (password: %s), OPDs and processes." % DEMO_PASSWORD

    def handle(self, *args, **options):
        with transaction.atomic():
            organisations = {spec["key"]: self.organisation(spec) for spec in ORGANISATIONS}
            self.admin()
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
        client = Client(HTTP_HOST=host.lstrip("."))
        client.force_login(get_user_model().objects.get(username=username(key, role) + suffix))
        return client

    def advance_demo_processes(self, key, organisation):
        if SopProcess.objects.filter(organisation=organisation).exists():
            return  # already seeded (or in real use): leave it alone
        if key == "bkl":
            # SOP A, Semester I 2025: team formed, waiting for the team's upload (step 3).
            process = self.start(key, "/population/start/", {"year": 2025, "semester": 1, "text": "Bentuk tim."})
            self.do(key, Role.KABID, process, "form_team", {
                "number": "800/123/DKPS/2025", "date": "2025-07-01",
                "members": [self.user_pk(key, Role.TIM), self.user_pk(key, Role.TIM, "2")],
            })
        else:
            # SOP B, Triwulan III 2026: staff is filling the list (step 3).
            process = self.start(key, "/utilization/start/", {
                "year": 2026, "period_type": "triwulan", "period_number": 3, "text": "Buat daftar pemanfaatan.",
            })
            self.do(key, Role.KASI, process, "instruct_staff", {
                "text": "Kumpulkan data dukung dari OPD.", "staff": [self.user_pk(key, Role.STAF)],
            })

    def user_pk(self, key, role, suffix=""):
        return get_user_model().objects.get(username=username(key, role) + suffix).pk

    def start(self, key, url, data):
        response = self.client_for(key, Role.KADIS if "population" in url else Role.KABID).post(url, data)
        if response.status_code != 302:
            raise RuntimeError(f"Demo start failed at {url}: {response.status_code}")
        return SopProcess.objects.filter(organisation__officers__user__username__startswith=key).latest("pk")

    def do(self, key, role, process, node, data, suffix=""):
        task = process.task_set.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]).get()
        assert task.flow_task.name == node, (task.flow_task.name, node)
        client = self.client_for(key, role, suffix)
        prefix = f"/{'population' if process.sop == 'A' else 'utilization'}/{process.pk}/{node}/{task.pk}"
        if task.status == STATUS.NEW:
            client.post(f"{prefix}/assign/")
        response = client.post(f"{prefix}/execute/", data)
        if response.status_code != 302:
            raise RuntimeError(f"Demo step {node} failed: {response.status_code}")
