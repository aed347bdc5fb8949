"""Evaluating a SOP from its measured times, and the new version (or Waktu) it leads to."""

import pytest

from workflows.authored.models import SopVersion
from workflows.models import AuditEvent, SopEvaluation, TaskSla, WaktuOverride
from workflows.models.evaluation import suggested_amount
from workflows.sla import calendar_for

from .authored_sop import add_operator, make_authored_sop
from .conftest import client_for, form_errors
from .test_authored_flow import act, open_step, start


@pytest.fixture
def measured(bengkulu):
    """Three finished runs of step 2 (Waktu 1 jam) that took 50, 80 and 110 working minutes, one
    process still running at step 3 under version 1."""
    org = bengkulu
    operator = add_operator(org, "bkl.operator")
    admin = org["sekretariat"]
    admin.officer.is_sop_admin = True
    admin.officer.save(update_fields=["is_sop_admin"])
    definition, version = make_authored_sop(org, org["kadis"])
    processes = []
    for index, minutes in enumerate((50, 80, 110)):
        process = start(operator, definition, subject=f"Permohonan {index}")
        act(org["kasi"], process, {"text": "Siapkan."}, "k2")
        row = TaskSla.objects.get(process=process, step_number=2)
        TaskSla.objects.filter(pk=row.pk).update(elapsed_seconds=minutes * 60, on_time=minutes <= 60)
        processes.append(process)
    org.users["operator"] = operator
    return org, admin, definition, version, processes


def test_the_form_suggests_the_90th_percentile_rounded_up_in_the_steps_unit(measured):
    org, admin, definition, version, _processes = measured
    response = client_for(admin).get(f"/sop-evaluasi/{definition.key}/baru/")
    assert response.status_code == 200, response.content.decode()[:500]
    # p90 of 50, 80, 110 minutes = 80 + 0.8 * 30 = 104 minutes -> 2 jam (the step's unit, rounded up).
    field = response.context["form"]["amount_k2"]
    assert field.value() == 2 and response.context["form"]["unit_k2"].value() == "jam"
    assert response.context["form"]["amount_k4"].value() == 1  # not measured: the SOP's own Waktu


def test_suggested_amount_rounds_up_and_never_below_one(bengkulu):
    calendar = calendar_for(bengkulu.organisation)
    assert suggested_amount(104 * 60, "jam", calendar) == 2
    assert suggested_amount(3600, "jam", calendar) == 1
    assert suggested_amount(5, "menit", calendar) == 1
    day = calendar.standard_duration(1, "hari").total_seconds()
    assert suggested_amount(day * 2.2, "hari", calendar) == 3


def test_evaluation_opens_a_new_version_and_the_running_process_keeps_its_own(measured):
    org, admin, definition, version, processes = measured
    client = client_for(admin)
    data = {"recommendation": "revise_waktu", "summary": "Langkah 2 butuh lebih dari 1 jam.",
            "finding_k2": "Disposisi menunggu Kasi rapat.", "amount_k2": "2", "unit_k2": "jam"}
    for step in version.ordered_steps:
        if step.key != "k2":
            data.update({f"amount_{step.key}": step.waktu_amount, f"unit_{step.key}": step.waktu_unit})
    response = client.post(f"/sop-evaluasi/{definition.key}/baru/", data)
    assert response.status_code == 302, form_errors(response)
    evaluation = SopEvaluation.objects.get()
    assert evaluation.suggested_waktu() == {"k2": (2, "jam")}
    assert AuditEvent.objects.filter(definition=definition, action="sop_evaluate").exists()

    response = client.post(f"/sop-evaluasi/{evaluation.pk}/draf/")
    assert response.status_code == 302
    evaluation.refresh_from_db()
    draft = evaluation.resulting_version
    assert draft.status == SopVersion.DRAFT and draft.steps.get(key="k2").waktu_amount == 2
    assert version.steps.get(key="k2").waktu_amount == 1  # the published version never changes
    draft.publish(admin)
    page = client.get(f"/sop-organisasi/{definition.pk}/").content.decode()
    assert "Evaluasi" in page and "versi 2" in page

    # The process that started under version 1 goes on with it; a new one takes version 2.
    running = processes[0]
    running.refresh_from_db()
    assert running.version_id == version.pk and open_step(running).data["step"] == "k3"
    newer = start(org["operator"], definition, subject="Permohonan baru")
    assert newer.version.number == 2 and TaskSla.objects.get(task=open_step(newer)).waktu_amount == 2
    # A second draft from the same evaluation is refused with the reason.
    again = client.post(f"/sop-evaluasi/{evaluation.pk}/draf/")
    assert again.status_code == 400 and "sudah menghasilkan versi baru" in again.content.decode()


def test_keep_with_changed_waktu_is_refused_and_only_the_sop_admin_evaluates(measured, sumbar):
    org, admin, definition, version, _processes = measured
    data = {"recommendation": "keep", "amount_k2": "3", "unit_k2": "jam"}
    for step in version.ordered_steps:
        if step.key != "k2":
            data.update({f"amount_{step.key}": step.waktu_amount, f"unit_{step.key}": step.waktu_unit})
    response = client_for(admin).post(f"/sop-evaluasi/{definition.key}/baru/", data)
    assert response.status_code == 400 and "tidak mengubah Waktu" in response.content.decode()
    assert not SopEvaluation.objects.exists()
    assert client_for(org["kasi"]).get(f"/sop-evaluasi/{definition.key}/baru/").status_code == 403
    assert client_for(sumbar["sekretariat"]).get(f"/sop-evaluasi/{definition.key}/baru/").status_code == 404


def test_a_built_in_sops_evaluation_applies_its_waktu_as_the_organisations_own(sumbar):
    from workflows.catalogue import REGISTRY

    sop = REGISTRY[-1]
    admin = sumbar["sekretariat"]
    admin.officer.is_sop_admin = True
    admin.officer.save(update_fields=["is_sop_admin"])
    client = client_for(admin)
    step = sop.steps[1]
    data = {"recommendation": "revise_waktu"}
    for item in sop.steps:
        amount = item.waktu_amount + (2 if item is step else 0)
        data.update({f"amount_{item.node}": amount, f"unit_{item.node}": item.waktu_unit})
    response = client.post(f"/sop-evaluasi/{sop.code}/baru/", data)
    assert response.status_code == 302, form_errors(response)
    evaluation = SopEvaluation.objects.get()
    assert client.post(f"/sop-evaluasi/{evaluation.pk}/terapkan/").status_code == 302
    override = WaktuOverride.objects.get(organisation=sumbar.organisation, sop=sop.code)
    assert (override.step_number, override.amount) == (step.number, step.waktu_amount + 2)
    page = client.get(f"/sop-bawaan/{sop.code}/").content.decode()
    assert "Waktu diterapkan" in page and "disesuaikan organisasi" in page
    assert client.post(f"/sop-evaluasi/{evaluation.pk}/terapkan/").status_code == 400  # once only


def test_the_sop_page_shows_the_current_periods_figures_and_chart(measured):
    org, admin, definition, version, _processes = measured
    page = client_for(org["kasi"]).get(f"/sop-organisasi/{definition.pk}/").content.decode()
    assert "Pemantauan — Semester" in page and "<svg" in page and "Formulir monitoring" in page
    # Three processes, each past steps 1 (untimed) and 2: six finished steps; one of the three
    # step-2 runs (50 minutes) was within its hour: 1 of 3 measured.
    assert "6 langkah selesai, 0 kali dikembalikan" in page
    assert "33% langkah yang diukur selesai tepat waktu" in page


def test_the_monitoring_form_leads_the_sop_admin_to_the_evaluation(measured):
    org, admin, definition, version, _processes = measured
    page = client_for(admin).get(f"/sop-monitoring/{definition.key}/").content.decode()
    assert f"/sop-evaluasi/{definition.key}/baru/?periode=" in page
    assert "/sop-evaluasi/" not in client_for(org["kasi"]).get(f"/sop-monitoring/{definition.key}/").content.decode()
