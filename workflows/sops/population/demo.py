"""SOP A's demo processes for ``manage.py seed_demo``, driven through HTTP like an officer.

``command`` is the running seed_demo command: it holds the demo logins (``client_for``) and the
step driver (``do``, ``open_task``, ``prefix``, ``start``).
"""

import tempfile
from pathlib import Path

from viewflow.workflow.status import STATUS

from workflows.dkb.generator import write_dkb
from workflows.jobs import run_pending
from workflows.management.commands.seed_demo import DEMO_PASSWORD
from workflows.roles import Role

from .definition import SOP_A

# The demo semester archive's password (real archives' passwords are never stored anywhere).
DEMO_BACKUP_PASSWORD = "arsip-demo-sopflow-2024"

# The organisation (seed_demo's key) whose demo runs SOP A.
DEMO_ORGANISATION = "bkl"


def seed_processes(command, key, organisation):
    if key != DEMO_ORGANISATION:
        return
    population_process(command, key, 2024, 2, until=None)  # finished, with one return round
    population_process(command, key, 2025, 1, until="correct")  # waiting for the Kasi's correction


def population_process(command, key, year, semester, until):
    """Semester processes; a finished one is signed by the demo Kadis and backed up."""
    process = command.start(key, SOP_A, {"year": year, "semester": semester, "text": "Bentuk tim."})
    command.do(key, Role.KABID, process, "form_team", {
        "number": f"800/{semester}/DKPS/{year}", "date": f"{year}-{'07-01' if semester == 1 else '12-01'}",
        "members": [command.user_pk(key, Role.TIM), command.user_pk(key, Role.TIM, "2")],
    })
    cutoff = f"{year}-06-30" if semester == 1 else f"{year}-12-31"
    upload_and_submit(command, key, process, cutoff)
    if until == "correct":
        return process
    command.do(key, Role.KASI, process, "correct", {"decision": "return", "notes": "Periksa kembali tabel umur."})
    upload_and_submit(command, key, process, cutoff)
    command.do(key, Role.KASI, process, "correct", {"decision": "approve"})
    command.do(key, Role.KABID, process, "validate", {"decision": "approve"})
    run_pending(isolated=False)  # the worker renders the final report for the Kadis
    command.do(key, Role.KADIS, process, "approve", {"decision": "approve", "passphrase": DEMO_PASSWORD})
    command.do(key, Role.KABID, process, "receive", {"text": "Cetak dan publikasikan."})
    command.do(key, Role.KASI, process, "print_distribute", {
        "copies": 40, "printed_on": f"{year + 1}-01-20", "published_on": f"{year + 1}-01-21",
        "channel": "Situs web dinas", "instruction_to_adb": "Back-up data semester ini.",
        "distribution-TOTAL_FORMS": 1, "distribution-INITIAL_FORMS": 0,
        "distribution-0-recipient": "Bappeda Provinsi", "distribution-0-delivered_on": f"{year + 1}-01-22",
        "distribution-0-copies": 5,
    })
    command.do(key, Role.ADB, process, "backup", {
        "password1": DEMO_BACKUP_PASSWORD, "password2": DEMO_BACKUP_PASSWORD, "notes": "Arsip demo.",
    })
    return process

def upload_and_submit(command, key, process, cutoff):
    task = command.open_task(process, "process_data")
    client = command.client_for(key, Role.TIM)
    prefix = command.prefix(process, task)
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
    command.do(key, Role.TIM, process, "process_data", {"notes": "Diolah dari DKB (data sintetis)."})
