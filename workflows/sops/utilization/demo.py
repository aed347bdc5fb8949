"""SOP B's demo data for ``manage.py seed_demo``: the OPDs, and processes driven through HTTP.

``command`` is the running seed_demo command: it holds the demo logins (``client_for``) and the
step driver (``do``, ``open_task``, ``prefix``, ``start``).
"""

from workflows.roles import Role

from .definition import SOP_B
from .models import Opd

# The organisation (seed_demo's key) whose demo runs SOP B.
DEMO_ORGANISATION = "sbr"

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


def seed_organisation(organisation):
    for name, short in OPDS:
        Opd.objects.get_or_create(organisation=organisation, name=name, defaults={"short_name": short})


# The demo Kasi and Kabid sign SOP B's outputs (steps 5 and 6): synthetic NIPs, and certificates
# from the organisation's demo CA (seed_demo's, same passphrase: the demo password).
DEMO_SIGNERS = {Role.KASI: "198505172010012003", Role.KABID: "197811092003121002"}


def demo_signers(organisation):
    from workflows.management.commands.seed_demo import demo_signing_identity, username
    from workflows.models import Officer

    for role, nip in DEMO_SIGNERS.items():
        officer = Officer.objects.select_related("user").get(user__username=username(DEMO_ORGANISATION, role))
        if not officer.nip:
            officer.nip = nip
            officer.save(update_fields=["nip"])
        demo_signing_identity(officer, DEMO_ORGANISATION, officer.display_name, organisation)


def seed_processes(command, key, organisation):
    if key != DEMO_ORGANISATION:
        return
    demo_signers(organisation)
    utilization_process(command, key, 2, until=None)  # Triwulan II 2026 finished
    utilization_process(command, key, 3, until="fill_list")  # staff filling the list


def utilization_process(command, key, quarter, until):
    from workflows.management.commands.seed_demo import DEMO_PASSWORD

    process = command.start(key, SOP_B, {
        "year": 2026, "period_type": "triwulan", "period_number": quarter, "text": "Buat daftar pemanfaatan.",
    })
    command.do(key, Role.KASI, process, "instruct_staff", {
        "text": "Kumpulkan data dukung dari OPD.", "staff": [command.user_pk(key, Role.STAF)],
    })
    if until == "fill_list":
        return process
    task = command.open_task(process, "fill_list")
    client = command.client_for(key, Role.STAF)
    prefix = command.prefix(process, task)
    client.post(f"{prefix}/assign/")
    opds = list(process.organisation.opds.order_by("name")[:6])
    for index, opd in enumerate(opds):
        client.post(f"{prefix}/execute/", {
            "action": "add", "opd": opd.pk, "use_type": ["nik", "data", "ktpel"][index % 3],
            "access_method": ["web_service", "web_portal", "card_reader"][index % 3],
            "pks_number": f"119/{index + 1}/PKS-DUKCAPIL/2025", "pks_date": "2025-02-01",
            # One PKS ended after the quarter: the report flags it "sudah berakhir".
            "pks_expiry": "2026-09-30" if index == 1 else "2030-02-01", "purpose": "Verifikasi data penerima layanan",
            "uses": 150 * (index + 1) * quarter,
        })
    command.do(key, Role.STAF, process, "fill_list", {"action": "submit"})
    command.do(key, Role.STAF, process, "count", {"confirmed": "on"})
    command.do(key, Role.KASI, process, "evaluate", {
        "decision": "approve", "analysis": "Enam OPD memanfaatkan data kependudukan melalui PKS yang berlaku.",
        "passphrase": DEMO_PASSWORD,
    })
    command.do(key, Role.KABID, process, "lakip", {
        "indicator": "Persentase OPD yang memanfaatkan data kependudukan", "target": "40",
        "realisation": "46.2", "analysis": "Capaian melampaui target triwulan.", "passphrase": DEMO_PASSWORD,
    })
    command.do(key, Role.SEKRETARIAT, process, "check", {"decision": "approve"})
    return process
