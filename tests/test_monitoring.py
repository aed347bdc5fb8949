"""Formulir Monitoring Pelaksanaan SOP: the figures equal a hand-computed fixture (run this file on
SQLite and on PostgreSQL), the Penilaian follows the organisation's rules and the evaluator's
override, the page is the organisation's own, and it prints as PDF and downloads as XLSX."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader
from viewflow.workflow.status import STATUS

from workflows.models import MonitoringRule, Officer, OfficerRole, Penilaian, Review, StepAssessment, TaskSla
from workflows.monitoring import Period, PeriodError, available_periods, monitoring_form

from .authored_sop import add_operator, make_authored_sop
from .conftest import client_for
from .test_authored_flow import act, open_step, start, step_url
from .test_dashboard import week_of_sop_b  # noqa: F401 (a fixture)

WIB = ZoneInfo("Asia/Jakarta")
S2 = Period.parse("2026-s2")
MIN = 60

REASON_1 = "Tambahkan rincian per desa."
REASON_2 = "Lampirkan surat permohonan."

# Working minutes of each finished task, per step, in the order the tasks were opened
# (process 1, 2, 3; within a process, first round first). Waktu: k2 1 jam, k3 2 jam, k4 1 jam.
ELAPSED = {
    "k2": [20, 50, 80],  # P1, P2, P3 (P3 done by an officer who lost the Kasi position)
    "k3": [30, 120, 60, 240, 90, 150],  # P1, P1 after a return, P2, P2 x2 returns, P3
    "k4": [10, 20, 30, 40, 50],  # P1 return, P1 approve, P2 return, P2 return, P2 approve
}
STANDARD = {"k2": 60, "k3": 120, "k4": 60}


def wib(*args):
    return datetime(*args, tzinfo=WIB)


def delegated_step(process, user, org_user_role):
    """``user`` claims the open step, loses the position, and still completes it (over HTTP)."""
    process.refresh_from_db()
    task = open_step(process)
    client = client_for(user)
    assert client.post(step_url(process, task, "assign")).status_code == 302
    org_user_role.delete()
    response = client.post(step_url(process, task, "execute"), {"text": "Lanjutkan sesuai disposisi."})
    assert response.status_code == 302, response.status_code
    task.refresh_from_db()
    assert task.status == STATUS.DONE and task.owner == user


def drive(org, operator, definition, kasi2, holding):
    p1 = start(operator, definition, subject="Permohonan satu")
    act(org["kasi"], p1, {"text": "Siapkan."}, "k2")
    act(operator, p1, {"notes": "Siap."}, "k3")
    act(org["kabid"], p1, {"decision": "return", "notes": "  Tambahkan rincian\n per   desa. "}, "k4")
    act(operator, p1, {"notes": "Diperbaiki."}, "k3")
    act(org["kabid"], p1, {"decision": "approve", "notes": ""}, "k4")

    p2 = start(operator, definition, subject="Permohonan dua")
    act(org["kasi"], p2, {"text": "Siapkan."}, "k2")
    act(operator, p2, {"notes": "Siap."}, "k3")
    act(org["kabid"], p2, {"decision": "return", "notes": REASON_1}, "k4")
    act(operator, p2, {"notes": "Diperbaiki."}, "k3")
    act(org["kabid"], p2, {"decision": "return", "notes": REASON_2}, "k4")
    act(operator, p2, {"notes": "Dilampirkan."}, "k3")
    act(org["kabid"], p2, {"decision": "approve", "notes": ""}, "k4")

    p3 = start(operator, definition, subject="Permohonan tiga")
    delegated_step(p3, kasi2, holding)
    act(operator, p3, {"notes": "Siap."}, "k3")

    p4 = start(operator, definition, subject="Permohonan empat")
    act(org["kasi"], p4, {"text": "Siapkan."}, "k2")
    return p1, p2, p3, p4


@pytest.fixture
def monitored(bengkulu):
    """Four runs of the six-step authored SOP, with their clocks set to hand-picked numbers:

    P1: k2, k3, k4 returns (reason 1, odd whitespace), k3, k4 approves -> waits at k5
    P2: k2, k3, k4 returns (reason 1), k3, k4 returns (reason 2), k3, k4 approves -> waits at k5
    P3: k2 by a second Kasi who lost the position before finishing (a delegation), k3 -> waits at k4
    P4: started and k2 done in June (Semester I), k3 opened in July and still open

    Semester II 2026 by hand:
    k1: 3 runs, untimed.
    k2 (1 jam): 20, 50, 80 min -> median 50, p90 50 + 0.8 x 30 = 74 min; on time 2/3; 1 delegation.
    k3 (2 jam): 30, 60, 90, 120, 150, 240 min -> median (90+120)/2 = 105, p90 150 + 0.5 x 90 = 195 min;
        on time 4/6; 3 returns to it (reason 1 x2, reason 2 x1) = 50% of 6 runs; 1 open (P4).
    k4 (1 jam): 10..50 min -> median 30, p90 40 + 0.6 x 10 = 46 min; on time 5/5; returned 3 times.
    k5: 2 open, no runs.
    """
    org = bengkulu
    operator = add_operator(org, "bkl.operator")
    definition, version = make_authored_sop(org, org["kadis"])
    User = get_user_model()
    kasi2 = User.objects.create_user("bkl.kasi2", password="pw", first_name="Kasi Dua", last_name="BKL")
    holding = OfficerRole.objects.create(
        officer=Officer.objects.create(user=kasi2, organisation=org.organisation), role="kasi")

    # Driven on a day of Semester II 2026, so the processes are of that semester too.
    with time_machine.travel(wib(2026, 8, 3, 9, 0), tick=True):
        processes = drive(org, operator, definition, kasi2, holding)
    p1, p2, p3, p4 = processes

    # The clocks: opened on working days of August (P4: June), finished after the chosen minutes.
    elapsed = {key: iter(values) for key, values in ELAPSED.items()}
    for index, process in enumerate([p1, p2, p3, p4]):
        base = wib(2026, 6, 15, 8, 0) if process is p4 else wib(2026, 8, 3 + index, 8, 0)
        for offset, row in enumerate(TaskSla.objects.filter(process=process).order_by("opened", "pk")):
            opened = base + timedelta(minutes=offset)
            if process is p4 and row.node == "k3":
                opened = wib(2026, 7, 1, 9, 0)
            values = {"opened": opened, "due": opened + timedelta(hours=8)}
            if row.finished is not None:
                if row.node == "k1":
                    values["finished"] = opened
                elif process is p4:
                    values.update(finished=opened + timedelta(minutes=5), elapsed_seconds=5 * MIN, on_time=True)
                else:
                    minutes = next(elapsed[row.node])
                    values.update(finished=opened + timedelta(minutes=minutes), elapsed_seconds=minutes * MIN,
                                  on_time=minutes <= STANDARD[row.node])
            TaskSla.objects.filter(pk=row.pk).update(**values)
    for values in elapsed.values():
        assert next(values, None) is None  # every chosen number was used
    return org, operator, definition, [p1, p2, p3, p4]


def rows_by_key(form):
    return {row.key: row for row in form.rows}


def test_figures_equal_the_hand_computed_fixture(monitored):
    org, _operator, definition, _processes = monitored
    form = monitoring_form(org.organisation, definition.key, S2)
    rows = rows_by_key(form)
    assert [row.key for row in form.rows] == ["k1", "k2", "k3", "k4", "k5", "k6"]
    k1, k2, k3, k4, k5, k6 = (rows[f"k{n}"] for n in range(1, 7))

    # Step 1 is done in the start form: runs, but no working time to judge (not a zero).
    assert (k1.runs, k1.timed_runs, k1.untimed, k1.median_seconds, k1.on_time_percent) == (3, 0, True, None, None)
    assert k1.automatic == Penilaian.BAIK and k1.pelaksana == "Operator Layanan"

    assert (k2.runs, k2.timed_runs, k2.on_time_count, k2.delegations) == (3, 3, 2, 1)
    assert k2.median_seconds == pytest.approx(50 * MIN) and k2.p90_seconds == pytest.approx(74 * MIN)
    assert k2.on_time_percent == pytest.approx(200 / 3) and k2.automatic == Penilaian.TIDAK_BAIK
    assert (k2.waktu_label, k2.standard_seconds, k2.returns_to, k2.returns_from) == ("1 jam", 3600, 0, 0)

    assert (k3.runs, k3.timed_runs, k3.open_count, k3.on_time_count, k3.delegations) == (6, 6, 1, 4, 0)
    assert k3.median_seconds == pytest.approx(105 * MIN) and k3.p90_seconds == pytest.approx(195 * MIN)
    assert k3.median_ratio == pytest.approx(105 / 120)
    assert (k3.returns_to, k3.returns_percent, k3.returns_from) == (3, 50, 0)
    assert k3.reasons_to == [(REASON_1, 2), (REASON_2, 1)] and k3.reasons_from == []
    assert k3.automatic == Penilaian.TIDAK_BAIK and len(k3.automatic_reasons) == 2

    assert (k4.runs, k4.on_time_count, k4.on_time_percent, k4.returns_to, k4.returns_from) == (5, 5, 100, 0, 3)
    assert k4.median_seconds == pytest.approx(30 * MIN) and k4.p90_seconds == pytest.approx(46 * MIN)
    assert k4.reasons_from == [(REASON_1, 2), (REASON_2, 1)] and k4.reasons_to == []
    assert k4.automatic == Penilaian.BAIK and k4.automatic_reasons == []

    assert (k5.runs, k5.open_count, k5.automatic, k5.penilaian_label) == (0, 2, None, "Tidak ada pelaksanaan")
    assert (k6.runs, k6.open_count) == (0, 0)
    assert form.totals["runs"] == 3 + 3 + 6 + 5
    assert (form.totals["returns_to"], form.totals["returns_from"], form.totals["delegations"]) == (3, 3, 1)
    assert form.totals["on_time_percent"] == pytest.approx(100 * (2 + 4 + 5) / 14)


def test_the_period_decides_by_the_moment_a_task_was_opened(monitored):
    org, _operator, definition, _processes = monitored
    s1 = rows_by_key(monitoring_form(org.organisation, definition.key, Period.parse("2026-s1")))
    assert (s1["k1"].runs, s1["k2"].runs, s1["k2"].median_seconds, s1["k3"].runs, s1["k3"].open_count) == (
        1, 1, pytest.approx(5 * MIN), 0, 0)
    year = rows_by_key(monitoring_form(org.organisation, definition.key, Period.parse("2026")))
    assert (year["k2"].runs, year["k3"].runs, year["k3"].open_count) == (4, 6, 1)
    # Triwulan III holds July (P4's open k3) and August (everything else of Semester II).
    q3 = rows_by_key(monitoring_form(org.organisation, definition.key, Period.parse("2026-t3")))
    assert (q3["k3"].runs, q3["k3"].open_count, q3["k4"].returns_from) == (6, 1, 3)
    assert [period.slug for period in available_periods(org.organisation, definition.key)] == [
        "2026-s2", "2026-s1", "2026-t3", "2026-t2", "2026"]


def test_the_number_of_queries_does_not_grow_with_the_tasks(monitored):
    org, _operator, definition, _processes = monitored
    counts = []
    for period in (Period.parse("2026-s1"), S2, Period.parse("2026")):
        with CaptureQueriesContext(connection) as queries:
            monitoring_form(org.organisation, definition.key, period)
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts


def test_the_organisations_rules_decide_the_automatic_penilaian(monitored):
    org, _operator, definition, _processes = monitored
    rule = MonitoringRule.objects.create(organisation=org.organisation, min_on_time_percent=60, max_returns_percent=50)
    rows = rows_by_key(monitoring_form(org.organisation, definition.key, S2))
    # k3: 66.7% on time (not below 60) and 50% returns (not above 50); k2 likewise 66.7%.
    assert (rows["k2"].automatic, rows["k3"].automatic) == (Penilaian.BAIK, Penilaian.BAIK)
    rule.max_median_percent = 80  # k2's median is 83% of its Waktu, k3's 87.5%, k4's 50%
    rule.save()
    rows = rows_by_key(monitoring_form(org.organisation, definition.key, S2))
    assert [rows[key].automatic for key in ("k2", "k3", "k4")] == [Penilaian.TIDAK_BAIK] * 2 + [Penilaian.BAIK]
    assert "median" in rows["k2"].automatic_reasons[0]
    for bad in ({"min_on_time_percent": 101}, {"max_returns_percent": 150}, {"max_median_percent": 0}):
        candidate = MonitoringRule(organisation=org.organisation, **{"min_on_time_percent": 80, **bad})
        with pytest.raises(ValidationError):
            candidate.full_clean(exclude=["organisation"])


def test_delegation_is_stored_when_the_clock_stops(monitored):
    _org, _operator, _definition, processes = monitored
    delegated = TaskSla.objects.filter(delegated=True)
    assert list(delegated.values_list("process_id", "node", "done_by__username")) == [
        (processes[2].pk, "k2", "bkl.kasi2")]
    assert TaskSla.objects.filter(finished__isnull=False, delegated=False).count() > 10


def test_a_step_the_latest_version_dropped_is_listed_under_its_old_number(monitored):
    org, _operator, definition, _processes = monitored
    draft = definition.open_draft(org["kadis"])
    draft.steps.get(key="k5").delete()
    last = draft.steps.get(key="k6")
    last.number = 5
    last.save()
    draft.publish(org["kadis"])
    form = monitoring_form(org.organisation, definition.key, S2)
    assert [(row.number, row.key, row.old_version) for row in form.rows] == [
        (1, "k1", False), (2, "k2", False), (3, "k3", False), (4, "k4", False), (5, "k6", False), (5, "k5", True)]
    old = form.row("k5")
    assert (old.title, old.pelaksana, old.open_count) == ("Menandatangani surat jawaban", "Kepala Dinas", 2)
    page = client_for(org["kasi"]).get(f"/sop-monitoring/{definition.key}/?periode=2026-s2").content.decode()
    assert "(versi lama)" in page


def test_period_parsing():
    assert (Period.parse("2026-s2").label, Period.parse("2026-t3").label, Period.parse("2026").label) == (
        "Semester II 2026", "Triwulan III 2026", "Tahun 2026")
    assert (Period.parse("2026-t1").start.isoformat(), Period.parse("2026-t1").end.isoformat()) == (
        "2026-01-01", "2026-03-31")
    assert Period.parse(" 2026-S1 ").slug == "2026-s1"
    for bad in ("2026-s3", "2026-t5", "26-s1", "semester", "2026-x1", ""):
        with pytest.raises(PeriodError):
            Period.parse(bad)


# -- pages ------------------------------------------------------------------------------------


def page_url(definition, query="?periode=2026-s2"):
    return f"/sop-monitoring/{definition.key}/{query}"


def test_page_is_the_organisations_own(monitored, sumbar, outsider):
    org, operator, definition, _processes = monitored
    response = client_for(org["kasi"]).get(page_url(definition))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Formulir Monitoring Pelaksanaan SOP" in html and "Semester II 2026" in html
    assert "Menyiapkan data agregat dan konsep surat jawaban" in html and "<svg" in html
    assert f"{REASON_1} (2×)" in html and "tidak diukur" in html and "1 jam 45 menit" in html
    assert 'name="penilaian"' in html  # a supervisor writes the Penilaian
    # Any officer of the organisation reads it, without the form.
    html = client_for(operator).get(page_url(definition)).content.decode()
    assert "Tidak berjalan baik" in html and 'name="penilaian"' not in html
    for user in (sumbar["kasi"], outsider):
        for url in (page_url(definition), f"/sop-monitoring/{definition.key}/2026-s2.pdf",
                    f"/sop-monitoring/{definition.key}/2026-s2.xlsx"):
            assert client_for(user).get(url).status_code == 404, (user, url)
    assert client_for(org["kasi"]).get("/sop-monitoring/u999999/").status_code == 404
    assert client_for(org["kasi"]).get("/sop-monitoring/ZZ/").status_code == 404
    assert client_for(org["kasi"]).get(f"/sop-monitoring/{definition.key}/2026-s9.pdf").status_code == 404


def test_a_bad_period_is_explained(monitored):
    org, _operator, definition, _processes = monitored
    response = client_for(org["kasi"]).get(page_url(definition, "?periode=2026-s9"))
    assert response.status_code == 400
    assert "Semester ke-9 tidak ada" in response.content.decode()


def test_the_evaluator_overrides_with_a_note(monitored):
    org, operator, definition, _processes = monitored
    url = page_url(definition)
    kabid = client_for(org["kabid"])
    # k3 is automatically Tidak berjalan baik: Berjalan baik needs a note.
    response = kabid.post(url, {"step": "k3", "penilaian": Penilaian.BAIK, "note": "  "})
    assert response.status_code == 400 and "Tulis catatan" in response.content.decode()
    assert not StepAssessment.objects.exists()
    response = kabid.post(url, {"step": "k3", "penilaian": Penilaian.BAIK,
                                "note": "Pengembalian karena format baru surat permohonan."})
    assert response.status_code == 302
    saved = StepAssessment.objects.get()
    assert (saved.sop, saved.period, saved.step_key, saved.author, saved.automatic) == (
        definition.key, "2026-s2", "k3", org["kabid"], Penilaian.TIDAK_BAIK)
    form = monitoring_form(org.organisation, definition.key, S2)
    assert form.row("k3").penilaian == Penilaian.BAIK and form.row("k3").overridden
    assert "Pengembalian karena format baru" in kabid.get(url).content.decode()
    # The same Penilaian as the automatic one needs no note; another period keeps its own.
    assert kabid.post(url, {"step": "k4", "penilaian": Penilaian.BAIK, "note": ""}).status_code == 302
    assert monitoring_form(org.organisation, definition.key, Period.parse("2026-s1")).row("k3").assessment is None
    # An SOP administrator may write it too; an operator may not; an unknown step is refused.
    admin = Officer.objects.get(user=operator)
    assert client_for(operator).post(url, {"step": "k4", "penilaian": "tidak_baik", "note": "x"}).status_code == 403
    admin.is_sop_admin = True
    admin.save()
    assert client_for(operator).post(url, {"step": "k4", "penilaian": "tidak_baik", "note": "Terlalu lama."}).status_code == 302
    assert kabid.post(url, {"step": "k99", "penilaian": "baik", "note": "x"}).status_code == 400
    # Clearing the Penilaian brings the automatic one back.
    assert kabid.post(url, {"step": "k3", "penilaian": "", "note": ""}).status_code == 302
    assert monitoring_form(org.organisation, definition.key, S2).row("k3").penilaian == Penilaian.TIDAK_BAIK


def test_pdf_prints_the_steps_and_the_evaluator(monitored):
    org, _operator, definition, _processes = monitored
    response = client_for(org["kabid"]).get(f"/sop-monitoring/{definition.key}/2026-s2.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for title in ("Menerima permohonan data dan memeriksa kelengkapan berkas pemohon",
                  "Menyiapkan data agregat dan konsep surat jawaban", "Menandatangani surat jawaban"):
        assert title in text, title
    assert "Formulir Monitoring Pelaksanaan SOP" in text and "Semester II 2026" in text
    assert "Evaluator" in text and "Halaman 1 dari" in text and "66,7%" in text and "1 jam 45 menit" in text
    assert "Kabid BKL" in text  # the supervisor who printed it signs as evaluator
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape


def test_xlsx_has_indonesian_headers_values_and_totals(monitored):
    org, _operator, definition, _processes = monitored
    response = client_for(org["kasi"]).get(f"/sop-monitoring/{definition.key}/2026-s2.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[7]]
    assert header[:8] == ["No.", "Kegiatan", "Pelaksana", "Waktu baku", "Waktu baku (jam kerja)",
                          "Jumlah pelaksanaan", "Pelaksanaan diukur", "Median (jam kerja)"]
    assert "Penilaian" in header and "Delegasi" in header and "Catatan evaluator" in header
    assert sheet.freeze_panes == "C8"
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=8, max_row=13)}
    k3 = {name: cell for name, cell in zip(header, rows[3])}
    assert k3["Kegiatan"].value == "Menyiapkan data agregat dan konsep surat jawaban"
    assert (k3["Jumlah pelaksanaan"].value, k3["Median (jam kerja)"].value) == (6, pytest.approx(1.75))
    assert k3["Persentil ke-90 (jam kerja)"].value == pytest.approx(3.25)
    assert k3["Tepat waktu"].value == pytest.approx(4 / 6) and k3["Tepat waktu"].number_format == "0.0%"
    assert k3["Dikembalikan ke langkah ini"].value == 3
    assert k3["Alasan pengembalian ke langkah ini"].value == f"{REASON_1} (2×); {REASON_2} (1×)"
    assert k3["Penilaian"].value == "Tidak berjalan baik"
    k1 = {name: cell.value for name, cell in zip(header, rows[1])}
    assert k1["Median (jam kerja)"] == "tidak diukur"
    total = {name: cell.value for name, cell in zip(header, sheet[14])}
    assert (total["No."], total["Jumlah pelaksanaan"], total["Delegasi"]) == ("Jumlah", 17, 1)
    assert total["Dikembalikan ke langkah ini"] == 3


def test_dashboard_and_sop_page_link_the_form(monitored):
    org, _operator, definition, _processes = monitored
    html = client_for(org["kasi"]).get("/sla/").content.decode()
    assert f'href="/sop-monitoring/{definition.key}/"' in html and "Formulir monitoring" in html
    html = client_for(org["kasi"]).get("/sla/?year=2026&period=semester-2").content.decode()
    assert f"/sop-monitoring/{definition.key}/?periode=2026-s2" in html
    html = client_for(org["kasi"]).get(f"/sop-organisasi/{definition.pk}/").content.decode()
    assert f"/sop-monitoring/{definition.key}/" in html


def test_a_builtin_sop_without_tasks_lists_its_steps(bengkulu):
    from workflows.catalogue import REGISTRY

    sop = REGISTRY[0]
    response = client_for(bengkulu["kasi"]).get(f"/sop-monitoring/{sop.code}/")
    assert response.status_code == 200
    form = response.context["form"]
    assert [row.number for row in form.rows] == [step.number for step in sop.steps]
    assert all(row.runs == 0 and row.automatic is None for row in form.rows)
    assert Review.objects.count() == 0


def test_a_builtin_sop_run_over_http_gives_the_dashboards_hand_computed_figures(week_of_sop_b):
    """The dashboard's hand-computed week of a built-in SOP (tests/test_dashboard.py), read
    through the monitoring form: Triwulan II and Semester I 2026 hold all of it."""
    org = week_of_sop_b
    code = TaskSla.objects.values_list("sop", flat=True).distinct().get()
    for period in (Period.parse("2026-t2"), Period.parse("2026-s1")):
        rows = monitoring_form(org.organisation, code, period).rows
        start_, instruct, fill, count, evaluate = rows[:5]
        assert (start_.runs, start_.untimed) == (4, True)
        assert (instruct.runs, instruct.on_time_count, instruct.on_time_percent) == (4, 2, 50)
        assert instruct.median_seconds == pytest.approx(14 * MIN) and instruct.p90_seconds == pytest.approx(34 * MIN)
        assert (fill.runs, fill.open_count, fill.returns_to, fill.reasons_to) == (1, 4, 1, [("Lengkapi PKS.", 1)])
        assert fill.returns_percent == 100 and fill.automatic == Penilaian.TIDAK_BAIK
        assert (evaluate.returns_from, evaluate.reasons_from, evaluate.automatic) == (1, [("Lengkapi PKS.", 1)],
                                                                                     Penilaian.BAIK)
        assert (count.runs, count.on_time_percent) == (1, 100)
    assert all(row.runs == 0 for row in monitoring_form(org.organisation, code, Period.parse("2026-s2")).rows)


def test_the_rules_are_kept_in_the_admin_with_indonesian_labels(bengkulu, admin_client):
    response = admin_client.get("/admin/workflows/monitoringrule/add/")
    html = response.content.decode()
    assert response.status_code == 200 and "Batas bawah tepat waktu (%)" in html and "Batas atas pengembalian (%)" in html
    data = {"organisation": bengkulu.organisation.pk, "min_on_time_percent": 101, "max_returns_percent": 30,
            "max_median_percent": ""}
    response = admin_client.post("/admin/workflows/monitoringrule/add/", data)
    assert response.status_code == 200 and not MonitoringRule.objects.exists()
    assert "lebih kecil dari atau sama dengan 100" in response.content.decode()
    data["min_on_time_percent"] = 75
    assert admin_client.post("/admin/workflows/monitoringrule/add/", data).status_code == 302
    assert MonitoringRule.for_organisation(bengkulu.organisation).min_on_time_percent == 75
