"""Every loser of a race on a task gets the clear 409 page, never a bare 403 (issue 8, point 11).

A probe of 100 concurrent completions found 11 losers answered with a bare 403: the task was
not yet DONE when they were refused (claimed by the winner, who had not submitted yet), so
the conflict page, which only knew DONE and CANCELED, let viewflow's PermissionDenied through
(reproduced on PostgreSQL with that page: 40 Kabid claiming and submitting step 2 at once,
35 of the 78 losing requests were bare 403s).
Each way of losing is replayed here deterministically, one request after the other, in the
order a race can produce (tests/test_concurrency.py races them for real on PostgreSQL).
"""

from contextlib import contextmanager

import pytest
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.sops.utilization.flow import UtilizationFlow

from .authorisation import make_org_admin
from .conftest import client_for, do_step, open_task, start_utilization, task_url
from .test_utilization_flow import entry


@pytest.fixture
def race(sumbar):
    """SOP B step 3 open in the queue of the two staff members the Kasi named."""
    process = start_utilization(sumbar["kabid"])
    do_step(sumbar["kasi"], process, "instruct_staff", {"text": "Isi.", "staff": [sumbar["staf"].pk, sumbar["staf2"].pk]})
    task = open_task(process, "fill_list")
    assert task.status == STATUS.NEW
    return process, task, sumbar["staf"], sumbar["staf2"]


def row(org):
    """A plausible step-3 POST: one row of the list."""
    return {"action": "add", **entry(org.organisation.opds.first(), 3)}


def complete(org, process, task, client):
    assert client.post(task_url(process, task, "execute"), row(org)).status_code == 302
    assert client.post(task_url(process, task, "execute"), {"action": "submit"}).status_code == 302
    task.refresh_from_db()
    assert task.status == STATUS.DONE


def assert_conflict(response, text):
    page = response.content.decode()
    assert response.status_code == 409, (response.status_code, page[:300])
    assert text in page, page[:2000]


def test_the_same_officer_submitting_twice_gets_the_conflict_page(sumbar, race):
    process, task, staf, _ = race
    first, second = client_for(staf), client_for(staf)
    assert first.post(task_url(process, task, "assign")).status_code == 302
    complete(sumbar, process, task, first)
    assert_conflict(second.post(task_url(process, task, "execute"), {"action": "submit"}), "sudah diselesaikan oleh")
    assert_conflict(second.post(task_url(process, task, "execute"), row(sumbar)), "sudah diselesaikan oleh")
    assert process.utilization_entries.count() == 1


def test_the_loser_of_a_claim_race_gets_the_conflict_page_on_every_request(sumbar, race):
    process, task, staf, staf2 = race
    loser = client_for(staf2)
    assert loser.get(task_url(process, task, "assign")).status_code == 200  # both saw it free
    assert client_for(staf).post(task_url(process, task, "assign")).status_code == 302
    # The winner holds it but has not submitted yet: this was the bare 403.
    assert_conflict(loser.post(task_url(process, task, "assign")), "sudah diambil oleh")
    assert_conflict(loser.get(task_url(process, task, "assign")), "sudah diambil oleh")
    assert_conflict(loser.post(task_url(process, task, "execute"), row(sumbar)), "sudah diambil oleh")
    assert_conflict(loser.post(task_url(process, task, "unassign")), "sudah diambil oleh")
    # The winner completes it: the loser's late requests say so.
    complete(sumbar, process, task, client_for(staf))
    assert_conflict(loser.post(task_url(process, task, "assign")), "sudah diselesaikan oleh")
    assert_conflict(loser.post(task_url(process, task, "execute"), row(sumbar)), "sudah diselesaikan oleh")
    task.refresh_from_db()
    assert task.status == STATUS.DONE and task.owner == staf
    assert process.utilization_entries.count() == 1


def test_a_double_click_on_claim_gets_the_conflict_page(race):
    process, task, staf, _ = race
    first, second = client_for(staf), client_for(staf)
    assert first.post(task_url(process, task, "assign")).status_code == 302
    assert_conflict(second.post(task_url(process, task, "assign")), "sudah Anda ambil")


def test_a_task_released_or_cancelled_under_the_officer_gets_the_conflict_page(sumbar, race):
    process, task, staf, staf2 = race
    holder = client_for(staf)
    assert holder.post(task_url(process, task, "assign")).status_code == 302
    # The Kasi releases it while the staff member is still filling the list.
    assert client_for(sumbar["kasi"]).post(task_url(process, task, "unassign")).status_code == 302
    assert_conflict(holder.post(task_url(process, task, "execute"), row(sumbar)), "sudah dilepaskan")
    assert_conflict(holder.post(task_url(process, task, "unassign")), "sudah dilepaskan")
    # The other staff member takes it; the first one's release button now loses to that.
    assert client_for(staf2).post(task_url(process, task, "assign")).status_code == 302
    assert_conflict(holder.post(task_url(process, task, "unassign")), "sudah diambil oleh")
    # The organisation's admin cancels it.
    assert client_for(make_org_admin(sumbar)).post(task_url(process, task, "cancel")).status_code == 302
    for client in (holder, client_for(staf2)):
        assert_conflict(client.post(task_url(process, task, "execute"), row(sumbar)), "sudah dibatalkan")
        assert_conflict(client.post(task_url(process, task, "assign")), "sudah dibatalkan")
    assert not process.utilization_entries.exists()


def test_a_submission_still_in_progress_from_another_window_gets_the_conflict_page(sumbar, race):
    """A task left STARTED by the officer's other submission (viewflow's state between start and
    completion) answers the second submission with the conflict page."""
    process, task, staf, _ = race
    client = client_for(staf)
    assert client.post(task_url(process, task, "assign")).status_code == 302
    Task.objects.filter(pk=task.pk).update(status=STATUS.STARTED)
    assert_conflict(client.post(task_url(process, task, "execute"), row(sumbar)), "sedang diproses")


@contextmanager
def failing_lock():
    """The process lock held elsewhere past viewflow's retries (what PostgreSQL's NOWAIT lock
    raises under contention; on SQLite the lock never fails, so it is replaced here)."""
    original = UtilizationFlow.lock_impl

    @contextmanager
    def busy(flow_class, process_pk):
        raise FlowLockFailed(f"Lock failed for {flow_class}")
        yield

    UtilizationFlow.lock_impl = busy
    try:
        yield
    finally:
        UtilizationFlow.lock_impl = original


def test_a_lock_that_cannot_be_had_gets_the_conflict_page(sumbar, race):
    process, task, staf, _ = race
    client = client_for(staf)
    assert client.post(task_url(process, task, "assign")).status_code == 302
    with failing_lock():
        assert_conflict(client.post(task_url(process, task, "execute"), row(sumbar)), "sedang diperbarui")
    assert not process.utilization_entries.exists()
    complete(sumbar, process, task, client)


def test_an_officer_who_could_never_do_the_step_still_gets_403(sumbar, race):
    process, task, staf, _ = race
    assert client_for(staf).post(task_url(process, task, "assign")).status_code == 302
    for key in ("kasi", "kabid", "tim", "sekretariat"):
        client = client_for(sumbar[key])
        assert client.post(task_url(process, task, "assign")).status_code == 403, key
        assert client.post(task_url(process, task, "execute"), row(sumbar)).status_code == 403, key
    complete(sumbar, process, task, client_for(staf))
    assert client_for(sumbar["sekretariat"]).post(task_url(process, task, "execute"), row(sumbar)).status_code == 403


def test_a_bulk_claim_that_lost_a_task_gets_the_conflict_page(sumbar, race):
    """The queue's "ambil" for several tasks: one of them was claimed meanwhile."""
    process, task, staf, staf2 = race
    assert client_for(staf).post(task_url(process, task, "assign")).status_code == 302
    response = client_for(staf2).post("/utilization/queue/assign/", {"pk": [task.pk], "_confirm": 1})
    assert_conflict(response, "sudah diambil oleh")
    # An officer who may not take the task at all still gets 403.
    assert client_for(sumbar["sekretariat"]).post(
        "/utilization/queue/assign/", {"pk": [task.pk], "_confirm": 1}).status_code == 403
    task.refresh_from_db()
    assert task.owner == staf
