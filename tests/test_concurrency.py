"""Two simultaneous completions of one task: exactly one wins (real row locks: PostgreSQL)."""

import threading

import pytest
from django.db import connection

from workflows.models import Review

from .conftest import client_for, do_step, make_org, open_task, process_dkb, start_population, task_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locking (SELECT ... FOR UPDATE) is only real on PostgreSQL; run with DATABASE_URL")


def test_two_simultaneous_completions_of_one_task_advance_the_process_once(postgres_only, dkb_file):
    org = make_org("bkl", "Disdukcapil Provinsi Bengkulu", "17", "Bengkulu")
    process = start_population(org["kadis"])
    do_step(org["kabid"], process, "form_team", {"number": "1", "date": "2025-07-01", "members": [org["tim"].pk]})
    process_dkb(org["tim"], process, dkb_file)
    task = open_task(process, "correct")
    client_for(org["kasi"]).post(task_url(process, task, "assign"))

    # The same Kasi submits from two browser tabs at the same moment.
    clients = [client_for(org["kasi"]), client_for(org["kasi"])]
    barrier = threading.Barrier(2)
    results = []

    def submit(client, decision):
        try:
            barrier.wait()
            response = client.post(task_url(process, task, "execute"), {"decision": decision, "notes": "Cek ulang."})
            results.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(c, d)) for c, d in zip(clients, ["approve", "return"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    codes = sorted(code for code, _ in results)
    assert codes == [302, 409], codes
    loser_page = next(page for code, page in results if code == 409)
    assert "sudah diselesaikan oleh" in loser_page or "sedang diperbarui oleh pengguna lain" in loser_page
    assert Review.objects.filter(task=task).count() == 1
    open_tasks = process.task_set.filter(flow_task_type="HUMAN", status__in=["NEW", "ASSIGNED"])
    assert open_tasks.count() == 1
