"""Two supervisors reassign one task at the same moment (real row locks: PostgreSQL): one
change applies, the other is refused because the task is no longer as its page showed it."""

import pytest

from workflows.models import AuditEvent, Reassignment
from workflows.roles import Role

from .authorisation import add_officer
from .conftest import client_for, do_step, make_org, open_task, start_population, task_url
from .test_concurrency import postgres_only, race  # noqa: F401 - the PostgreSQL-only fixture

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_reassignments_of_one_task_apply_once(postgres_only):
    org = make_org("bkl", "Disdukcapil Provinsi Bengkulu", "17", "Bengkulu")
    tim3 = add_officer(org, Role.TIM, "bkl.tim3")
    process = start_population(org["kadis"])
    do_step(org["kabid"], process, "form_team", {
        "number": "1", "date": "2025-07-01", "members": [org["tim"].pk, org["tim2"].pk, tim3.pk],
    })
    task = open_task(process, "process_data")
    assert client_for(org["tim"]).post(task_url(process, task, "assign")).status_code == 302
    url = f"/penugasan/tugas/{task.pk}/alihkan/"
    clients = [client_for(org["kabid"]), client_for(org["kasi"])]
    targets = [org["tim2"], tim3]

    def reassign(client, target):
        return lambda: client.post(url, {"target": target.pk, "reason": "Dibagi ulang.", "holder": org["tim"].pk})

    responses = race([reassign(c, t) for c, t in zip(clients, targets)])
    codes = sorted(response.status_code for response in responses)
    assert codes == [302, 409], codes
    loser = next(r for r in responses if r.status_code == 409).content.decode()
    assert "Pemegang tugas ini berubah" in loser or "sedang diperbarui oleh pengguna lain" in loser
    change = Reassignment.objects.get()
    task.refresh_from_db()
    assert task.owner == change.to_user and change.from_user == org["tim"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REASSIGN).count() == 1
