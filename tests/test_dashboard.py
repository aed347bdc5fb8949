"""The supervisors' SLA dashboard: figures equal a hand-computed week of SOP B, scoped to the
organisation, open only to supervisors, and a constant number of SQL queries."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import client_for, do_step, make_org, start_utilization
from .test_sla_deadlines import hand_over_list, submit_list, wib

FRIDAY_10 = wib(2026, 4, 10, 10, 0)


def step(org, at, user, process, node, data):
    with time_machine.travel(at, tick=False):
        do_step(org[user], process, node, data)


def start_and_instruct(org, number, started, instructed):
    with time_machine.travel(started, tick=False):
        process = start_utilization(org["kabid"], year=2026, period_type="triwulan", number=number)
    step(org, instructed, "kasi", process, "instruct_staff", {"text": "Isi daftar.", "staff": [org["staf"].pk]})
    return process


@pytest.fixture
def week_of_sop_b(sumbar):
    """Four SOP B runs, Monday to Thursday 6-9 April 2026 (times WIB), worked out by hand:

    step 2 (10 menit) done after 5, 8, 20 and 40 minutes: median 14, p90 34 minutes, 2 of 4 on time;
    run 1 also fills its list in 3 hours (late, 2 jam), counts in 10 minutes, and the Kasi returns
    it after 1 working hour (11:15-12:00, 13:00-13:15), reopening step 3 at 13:15 (due 15:15).
    """
    org = sumbar
    first = start_and_instruct(org, 1, wib(2026, 4, 6, 8, 0), wib(2026, 4, 6, 8, 5))
    with time_machine.travel(wib(2026, 4, 6, 11, 5), tick=False):
        submit_list(org, first)
    step(org, wib(2026, 4, 6, 11, 15), "staf", first, "count", {"confirmed": "on"})
    step(org, wib(2026, 4, 6, 13, 15), "kasi", first, "evaluate",
         {"decision": "return", "notes": "Lengkapi PKS.", "analysis": ""})
    start_and_instruct(org, 2, wib(2026, 4, 7, 8, 0), wib(2026, 4, 7, 8, 8))
    start_and_instruct(org, 3, wib(2026, 4, 8, 8, 0), wib(2026, 4, 8, 8, 20))
    start_and_instruct(org, 4, wib(2026, 4, 9, 8, 0), wib(2026, 4, 9, 8, 40))
    return org


def dashboard(user, query="", at=FRIDAY_10):
    with time_machine.travel(at, tick=False):
        response = client_for(user).get("/sla/" + query)
    assert response.status_code == 200
    return response


def by_step(response):
    return {(row["sop"], row["step_number"]): row for row in response.context["step_rows"]}


def test_step_figures_equal_the_hand_computed_week(week_of_sop_b):
    response = dashboard(week_of_sop_b["kasi"])
    rows = by_step(response)
    assert sorted(rows) == [("B", 1), ("B", 2), ("B", 3), ("B", 4), ("B", 5)]
    start, instruct, fill, count, evaluate = (rows[("B", n)] for n in range(1, 6))
    # Step 1 is created and finished by one POST: counted as done, but never timed.
    assert (start["tasks"], start["finished_count"], start["timed_count"], start["untimed"]) == (4, 4, 0, 4)
    assert (start["on_time_count"], start["on_time_percent"], start["median"], start["p90"]) == (0, None, None, None)
    assert (instruct["tasks"], instruct["on_time_count"]) == (4, 2)
    assert instruct["median"] == pytest.approx(14 * 60) and instruct["p90"] == pytest.approx(34 * 60)
    assert instruct["on_time_percent"] == 50 and instruct["median_over"]
    assert (fill["tasks"], fill["finished_count"], fill["on_time_count"]) == (5, 1, 0)
    assert (fill["open_count"], fill["overdue_open"], fill["returns"]) == (4, 4, 1)
    assert fill["median"] == pytest.approx(3 * 3600) and fill["p90"] == pytest.approx(3 * 3600)
    assert (count["median"], count["on_time_percent"]) == (pytest.approx(600), 100)
    assert (evaluate["median"], evaluate["returns"]) == (pytest.approx(3600), 0)
    assert response.context["summary"] == {
        "finished": 7, "on_time_percent": pytest.approx(400 / 7), "overdue_open": 4, "returns": 1,
    }
    assert response.context["untimed_total"] == 4
    html = response.content.decode()
    assert "57,1%" in html and "14 menit" in html and "34 menit" in html and "<svg" in html
    assert "tidak diukur" in html and "4 tugas langkah 1 tidak dihitung" in html
    assert "persentil ke-90, interpolasi linear" in html
    assert "dinilai terhadap waktu baku yang berlaku saat tugas itu dibuka" in html


def test_officer_workload_trend_heatmap_and_open_overdue_list(week_of_sop_b):
    org = week_of_sop_b
    response = dashboard(org["kabid"])
    people = {person["name"]: person for person in response.context["officers"]}
    # The Kabid only started the runs (step 1, untimed): no finished or open figures to show.
    assert "Kabid SBR" not in people
    assert (people["Kasi SBR"]["finished"], people["Kasi SBR"]["on_time_percent"]) == (5, 60)
    staf = people["Staf SBR"]
    assert (staf["finished"], staf["on_time"], staf["open"], staf["overdue"]) == (2, 1, 1, 1)
    (label, percent, _row), = response.context["trend"]
    assert label == "TW II 2026" and percent == pytest.approx(400 / 7)
    # Late or overdue, by week of the deadline: two step-2 tasks and five step-3 rounds.
    assert response.context["heatmap_total"] == 7
    overdue = response.context["overdue"]
    assert [item["row"].step_number for item in overdue] == [3, 3, 3, 3]
    assert [item["row"].due for item in overdue] == [
        wib(2026, 4, 6, 15, 15), wib(2026, 4, 7, 10, 8), wib(2026, 4, 8, 10, 20), wib(2026, 4, 9, 10, 40),
    ]


def test_period_and_date_filters_narrow_every_figure(week_of_sop_b):
    kasi = week_of_sop_b["kasi"]
    first_quarter = by_step(dashboard(kasi, "?year=2026&period=triwulan-1"))
    assert first_quarter[("B", 3)]["tasks"] == 2 and first_quarter[("B", 2)]["median"] == pytest.approx(300)
    assert by_step(dashboard(kasi, "?period=triwulan-1")) == first_quarter
    second = by_step(dashboard(kasi, "?year=2026&period=triwulan-2"))
    assert second[("B", 2)]["median"] == pytest.approx(480) and second[("B", 3)]["tasks"] == 1
    late_week = by_step(dashboard(kasi, "?date_from=2026-04-08&date_to=2026-04-09"))
    assert late_week[("B", 2)]["median"] == pytest.approx(1800) and late_week[("B", 2)]["on_time_count"] == 0
    assert late_week[("B", 3)]["tasks"] == 2
    assert by_step(dashboard(kasi, "?sop=A")) == {}


def test_only_supervisors_and_admins_see_the_dashboard_and_only_their_organisation(week_of_sop_b, bengkulu,
                                                                                    admin_user):
    for key in ("kadis", "kabid", "kasi"):
        assert client_for(week_of_sop_b[key]).get("/sla/").status_code == 200
    for key in ("staf", "sekretariat", "tim", "adb"):
        assert client_for(week_of_sop_b[key]).get("/sla/").status_code == 403
    # Bengkulu's Kasi asking for Sumatera Barat still gets Bengkulu, which has no tasks.
    other = dashboard(bengkulu["kasi"], f"?organisation={week_of_sop_b.organisation.pk}")
    assert other.context["organisation"] == bengkulu.organisation and other.context["step_rows"] == []
    admin = dashboard(admin_user, f"?organisation={week_of_sop_b.organisation.pk}")
    assert admin.context["summary"]["finished"] == 7


def build_history(org, runs, first_year):
    """``runs`` SOP B processes: each with step 3 claimed by the staff (inbox) and one more
    process whose step 2 waits in the Kasi's queue."""
    for index in range(runs):
        process = hand_over_list(org, wib(2026, 4, 6, 8, 0), number=1, year=first_year + index)
        with time_machine.travel(wib(2026, 4, 6, 9, 0), tick=False):
            task = process.task_set.get(flow_task_type="HUMAN", status="NEW")
            client_for(org["staf"]).post(f"/utilization/{process.pk}/fill_list/{task.pk}/assign/")
            start_utilization(org["kabid"], year=first_year + index, period_type="triwulan", number=2)


def count_queries(user, url):
    client = client_for(user)
    client.get(url)  # warm caches such as the content types and the session
    with time_machine.travel(wib(2026, 4, 6, 11, 0), tick=False), CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("who, url, rows", [
    ("kasi", "/sla/", None),
    ("staf", "/utilization/inbox/", "fill_list"),
    ("kasi", "/utilization/queue/", "instruct_staff"),
])
def test_dashboard_inbox_and_queue_run_the_same_number_of_queries_for_3n_tasks(sumbar, who, url, rows):
    org = sumbar
    build_history(org, 2, 2000)
    few, small = count_queries(org[who], url)
    build_history(org, 4, 2010)
    many, large = count_queries(org[who], url)
    if rows:
        assert large.content.decode().count(f"/{rows}/") == 3 * small.content.decode().count(f"/{rows}/") > 0
    assert many == few, f"{url}: {few} queries for N, {many} for 3N"


def test_inbox_shows_due_moment_and_status_and_puts_the_most_urgent_first(sumbar):
    org = sumbar
    handed = [(1, wib(2026, 4, 6, 8, 0)), (2, wib(2026, 4, 6, 8, 30)), (3, wib(2026, 4, 6, 9, 30))]
    processes = []
    for number, at in handed:
        process = hand_over_list(org, at, number=number)
        with time_machine.travel(at, tick=False):
            task = process.task_set.get(flow_task_type="HUMAN", status="NEW")
            client_for(org["staf"]).post(f"/utilization/{process.pk}/fill_list/{task.pk}/assign/")
        processes.append((process, task))
    with time_machine.travel(wib(2026, 4, 6, 10, 10), tick=False):
        html = client_for(org["staf"]).get("/utilization/inbox/").content.decode()
    positions = [html.index(f"#{process.pk}/{task.pk}") for process, task in processes]
    assert positions == sorted(positions), "earliest deadline first"
    for label in ("Batas waktu", "Terlambat", "Mendekati batas", "Sesuai jadwal", "6 Apr 2026 10.00 WIB"):
        assert label in html
    terlambat, mendekati, sesuai = (html.index(text) for text in ("Terlambat<", "Mendekati batas<", "Sesuai jadwal<"))
    assert terlambat < mendekati < sesuai
    # The due column sorts both ways on request.
    with time_machine.travel(wib(2026, 4, 6, 10, 10), tick=False):
        latest_first = client_for(org["staf"]).get("/utilization/inbox/?_orderby=-due").content.decode()
    positions = [latest_first.index(f"#{process.pk}/{task.pk}") for process, task in processes]
    assert positions == sorted(positions, reverse=True)


def test_a_second_organisation_sees_nothing_of_the_first_in_its_figures(week_of_sop_b, db):
    third = make_org("jmb", "Disdukcapil Provinsi Jambi", "15", "Jambi")
    response = dashboard(third["kadis"])
    assert response.context["step_rows"] == [] and response.context["officers"] == []
