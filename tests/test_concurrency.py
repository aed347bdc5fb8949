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


def race(requests):
    """Run ``requests`` (callables returning a response) at the same moment, one thread each."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait()
            results[index] = request()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


CONFLICT_TEXTS = ("sudah diselesaikan oleh", "sudah diambil oleh", "sedang diperbarui oleh pengguna lain")


def assert_every_loser_gets_the_conflict_page(responses):
    for response in responses:
        page = response.content.decode()
        assert response.status_code == 409, (response.status_code, page[:300])
        assert any(text in page for text in CONFLICT_TEXTS), page[:2000]


def test_every_loser_of_a_claim_and_complete_race_gets_the_conflict_page(postgres_only):
    """Six Kabid claim step 2 and submit the SK at once: one wins both requests, each of the
    other eleven requests answers 409 with its message (the probe saw bare 403s here)."""
    from workflows.sops.population.models import TeamDecree
    from workflows.roles import Role

    from .authorisation import add_officer

    org = make_org("bkl", "Disdukcapil Provinsi Bengkulu", "17", "Bengkulu")
    racers = [org["kabid"]] + [add_officer(org, Role.KABID, f"bkl.kabid{i}") for i in range(2, 7)]
    process = start_population(org["kadis"])
    task = open_task(process, "form_team")
    body = {"number": "1/SK", "date": "2025-07-01", "members": [org["tim"].pk]}

    def claim_and_submit(user):
        client = client_for(user)
        return [client.post(task_url(process, task, "assign")), client.post(task_url(process, task, "execute"), body)]

    results = race([lambda user=user: claim_and_submit(user) for user in racers])
    codes = [[r.status_code for r in pair] for pair in results]
    assert codes.count([302, 302]) == 1, codes
    assert_every_loser_gets_the_conflict_page([r for pair in results if pair[0].status_code != 302 for r in pair])
    assert TeamDecree.objects.filter(process_id=process.pk).count() == 1
    assert open_task(process, "process_data")


def test_every_loser_of_six_simultaneous_submissions_gets_the_conflict_page(postgres_only):
    from workflows.sops.population.models import TeamDecree

    org = make_org("bkl", "Disdukcapil Provinsi Bengkulu", "17", "Bengkulu")
    process = start_population(org["kadis"])
    task = open_task(process, "form_team")
    assert client_for(org["kabid"]).post(task_url(process, task, "assign")).status_code == 302
    body = {"number": "1/SK", "date": "2025-07-01", "members": [org["tim"].pk]}
    clients = [client_for(org["kabid"]) for _ in range(6)]
    responses = race([lambda client=client: client.post(task_url(process, task, "execute"), body) for client in clients])
    codes = sorted(response.status_code for response in responses)
    assert codes == [302] + [409] * 5, codes
    assert_every_loser_gets_the_conflict_page([r for r in responses if r.status_code != 302])
    assert TeamDecree.objects.filter(process_id=process.pk).count() == 1
