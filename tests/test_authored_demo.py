"""`manage.py seed_demo` ships authored SOPs as data, each with one process at its own step."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from viewflow.workflow.status import PROCESS, STATUS

from workflows.authored.models import AuthoredProcess, SopDefinition, StepAttachment
from workflows.catalogue import REGISTRY
from workflows.management.commands.seed_demo import DEMO_PASSWORD
from workflows.models import Officer, Review, SignedDocument

BENGKULU = "Dinas Kependudukan dan Pencatatan Sipil Provinsi Bengkulu"
SUMBAR = "Dinas Pengendalian Penduduk, KB, Dukcapil Provinsi Sumatera Barat"


@pytest.fixture(scope="session")
def signing_dir(tmp_path_factory):
    """The demo CA and Kadis certificates, made by the first seed and reused (key generation is slow)."""
    return tmp_path_factory.mktemp("demo-signing")


@pytest.fixture
def seeded(db, settings, signing_dir):
    settings.SIGNING_DIR = signing_dir
    call_command("seed_demo", stdout=StringIO())


def login(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def definition(organisation_name, code):
    return SopDefinition.objects.get(organisation__name=organisation_name, code=code)


def process_of(organisation_name, code):
    return AuthoredProcess.objects.get(version__definition=definition(organisation_name, code))


def open_task(process):
    return process.task_set.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]).get()


def steps_done(process):
    tasks = process.task_set.filter(flow_task_type="HUMAN", status=STATUS.DONE).order_by("created", "pk")
    return [task.data["step"] for task in tasks]


def row_counts():
    User = get_user_model()
    models = [model for model in apps.get_app_config("workflows").get_models() if not model._meta.proxy]
    counts = {model._meta.label: model.objects.count() for model in models}
    counts["users"] = User.objects.count()
    counts["tasks"] = apps.get_model("viewflow", "Task").objects.count()
    return counts


def check_three_authored_sops_with_steps():
    bengkulu = SopDefinition.objects.filter(organisation__name=BENGKULU).order_by("code")
    assert [item.code for item in bengkulu] == ["HAK-AKSES-DB", "LAYANAN-DATA", "SURAT-MASUK"]
    assert SopDefinition.objects.filter(organisation__name=SUMBAR).count() >= 1
    related = {line for sop in REGISTRY for line in sop.identity.keterkaitan}
    for item in SopDefinition.objects.all():
        version = item.latest_published()
        assert version is not None and version.number == 1 and item.draft() is None, item
        assert version.problems() == [], item
        steps = version.ordered_steps
        assert 5 <= len(steps) <= 8, item
        assert [step.number for step in steps] == list(range(1, len(steps) + 1))
        assert all(step.kegiatan and step.output and step.waktu_amount > 0 for step in steps), item
        assert all(step.position.organisation_id == item.organisation_id for step in steps), item
        assert len(version.lines("dasar_hukum")) >= 3 and version.lines("keterkaitan"), item
        assert version.peringatan and version.pencatatan and version.disahkan_oleh, item
        # Each is a SOP the seed documents name in their Keterkaitan.
        assert f"SOP {version.nama}" in related, version.nama
    kinds = {item.code: [step.kind for step in item.latest_published().ordered_steps] for item in bengkulu}
    assert "penandatanganan" in kinds["LAYANAN-DATA"]
    access = definition(BENGKULU, "HAK-AKSES-DB").latest_published()
    check = next(step for step in access.ordered_steps if step.kind == "pemeriksaan")
    assert check.return_to is not None and check.return_to < check.number
    # The organisation's own positions, each held by a demo officer who can log in.
    own_positions = [
        ("bkl.operator", "Operator Layanan"), ("bkl.kasubag-umum", "Kepala Sub Bagian Umum dan Kepegawaian"),
        ("bkl.pengadministrasi", "Pengadministrasi Umum"), ("sbr.operator", "Operator Layanan"),
    ]
    for username, position in own_positions:
        officer = Officer.objects.get(user__username=username)
        assert [holding.position.name for holding in officer.roles.all()] == [position]
        assert officer.user.check_password(DEMO_PASSWORD)
    for name in (BENGKULU, SUMBAR):
        assert Officer.objects.filter(organisation__name=name, is_sop_admin=True).count() == 1
        assert Officer.objects.filter(organisation__name=name, is_org_admin=True).count() == 1
    assert Officer.objects.get(is_sop_admin=True, organisation__name=BENGKULU).user.username == "bkl.sekretariat"


def check_one_process_of_each_at_its_own_step_and_a_second_seed_changes_nothing():
    # Finished, signed by the demo Kadis on the PDF the ADB attached at step 3.
    finished = process_of(BENGKULU, "LAYANAN-DATA")
    assert finished.status == PROCESS.DONE and finished.current_step == ""
    assert steps_done(finished) == ["k2", "k3", "k4", "k5", "k6"]
    signed = SignedDocument.objects.get(process=finished)
    assert signed.signed_by.username == "bkl.kadis" and signed.signer_title == "Kepala Dinas"
    assert signed.title == "konsep-surat-jawaban"
    assert signed.file.open("rb").read(5) == b"%PDF-"
    draft = StepAttachment.objects.get(record__process=finished, record__step_key="k3")
    assert draft.is_pdf and draft.file.open("rb").read(5) == b"%PDF-"
    verification = Client().get(f"/verifikasi/{signed.token}/")
    assert verification.status_code == 200 and "Kadis Bengkulu (demo)" in verification.content.decode()

    # Back at the Kasi's check after one return round to the ADB.
    returned = process_of(BENGKULU, "HAK-AKSES-DB")
    assert returned.status == PROCESS.NEW and returned.current_step == "k4"
    assert steps_done(returned) == ["k2", "k3", "k4", "k3"]
    assert list(Review.objects.filter(process=returned).values_list("decision", flat=True)) == ["return"]
    task = open_task(returned)
    assert task.data["step"] == "k4" and task.owner.username == "bkl.kasi"
    inbox = login("bkl.kasi").get("/sop/inbox/").content.decode()
    assert task.data["title"] in inbox
    page = login("bkl.kasi").get(f"/sop/{returned.pk}/step/{task.pk}/execute/")
    assert page.status_code == 200 and "PKS hanya mencakup verifikasi NIK dan nama" in page.content.decode()

    # Early: the letter is recorded and waits in the Kasubag Umum's queue.
    early = process_of(BENGKULU, "SURAT-MASUK")
    assert early.current_step == "k2" and steps_done(early) == []
    task = open_task(early)
    assert task.status == STATUS.NEW and task.data["step"] == "k2"
    assert task.data["title"] in login("bkl.kasubag-umum").get("/sop/queue/").content.decode()

    # Sumatera Barat's waits for its Kadis's signature.
    signing = process_of(SUMBAR, "LAYANAN-DATA")
    assert signing.current_step == "k5" and open_task(signing).data["kind"] == "penandatanganan"

    for process, username in [(finished, "bkl.operator"), (returned, "bkl.kasi"), (early, "bkl.pengadministrasi"),
                              (signing, "sbr.kadis")]:
        assert login(username).get(f"/sop/{process.pk}/").status_code == 200, process

    # A second seed adds nothing and moves no process.
    before = row_counts()
    call_command("seed_demo", stdout=StringIO())
    assert row_counts() == before
    for process in (finished, returned, early, signing):
        current = process.current_step
        process.refresh_from_db()
        assert process.current_step == current


def check_the_demo_signing_step_can_be_finished_by_the_demo_kadis():
    process = process_of(SUMBAR, "LAYANAN-DATA")
    task = open_task(process)
    kadis = login("sbr.kadis")
    assert kadis.post(f"/sop/{process.pk}/step/{task.pk}/assign/").status_code == 302
    document = StepAttachment.objects.get(record__process=process, original_name="konsep-surat-jawaban.pdf")
    response = kadis.post(f"/sop/{process.pk}/step/{task.pk}/execute/", {
        "document": document.pk, "passphrase": DEMO_PASSWORD,
    })
    assert response.status_code == 302
    assert SignedDocument.objects.get(process=process).signed_by.username == "sbr.kadis"
    process.refresh_from_db()
    assert process.current_step == "k6"


def test_seed_demo_ships_authored_sops_and_one_process_of_each(seeded):
    """One seed (the slow part, it drives every demo process over HTTP) for all three checks, in
    an order where each leaves the data as the next one expects: read, re-seed, then act."""
    check_three_authored_sops_with_steps()
    check_one_process_of_each_at_its_own_step_and_a_second_seed_changes_nothing()
    check_the_demo_signing_step_can_be_finished_by_the_demo_kadis()
