"""Every task URL answers only the right role of the right organisation.

Wrong role in the same organisation: 403 (viewflow's permission check). Officers of the other
organisation and users without one: 404, as if the process did not exist.
"""

from viewflow.workflow.status import STATUS

from io import StringIO

from django.core.management import call_command

from .conftest import SIGNING_PASSPHRASE, client_for, do_step, open_task, start_population, start_utilization, task_url, upload_dkb

POPULATION_STEPS = [
    ("form_team", "kabid", lambda org, f: {"number": "1/SK", "date": "2025-07-01", "members": [org["tim"].pk]}),
    ("process_data", "tim", None),  # upload, aggregate, then hand over: see below
    ("correct", "kasi", lambda org, f: {"decision": "approve"}),
    ("validate", "kabid", lambda org, f: {"decision": "approve"}),
    ("approve", "kadis", lambda org, f: {"decision": "approve", "passphrase": SIGNING_PASSPHRASE}),
    ("receive", "kabid", lambda org, f: {"text": "Cetak."}),
    ("print_distribute", "kasi", lambda org, f: {
        "copies": 5, "printed_on": "2025-08-01", "published_on": "2025-08-01", "channel": "Web",
        "instruction_to_adb": "Back-up.", "distribution-TOTAL_FORMS": 1, "distribution-INITIAL_FORMS": 0,
        "distribution-0-recipient": "Bappeda", "distribution-0-delivered_on": "2025-08-02",
        "distribution-0-copies": 1}),
    ("backup", "adb", lambda org, f: {"password1": "arsip-uji-akses-12", "password2": "arsip-uji-akses-12"}),
]

UTILIZATION_STEPS = [
    ("instruct_staff", "kasi", lambda org, f: {"text": "Isi.", "staff": [org["staf"].pk]}),
    ("fill_list", "staf", None),  # filled below: needs a row first
    ("count", "staf", lambda org, f: {"confirmed": "on"}),
    ("evaluate", "kasi", lambda org, f: {"decision": "approve", "analysis": "Baik.", "passphrase": SIGNING_PASSPHRASE}),
    ("lakip", "kabid", lambda org, f: {"indicator": "I", "target": "10", "realisation": "10", "analysis": "A",
                                       "passphrase": SIGNING_PASSPHRASE}),
    ("check", "sekretariat", lambda org, f: {"decision": "approve"}),
]


def everyone(home, other, outsider):
    for key, user in home.users.items():
        yield key, user, True
    for key, user in other.users.items():
        yield f"other.{key}", user, False
    yield "outsider", outsider, False


def assert_refused_to_all_but(actor_key, process, node, home, other, outsider):
    task = open_task(process, node)
    assert task.status == STATUS.NEW
    for key, user, same_org in everyone(home, other, outsider):
        if key == actor_key:
            continue
        client = client_for(user)
        expected = 403 if same_org else 404
        for action in ("assign", "execute"):
            response = client.post(task_url(process, task, action), {})
            assert response.status_code == expected, f"{key} {action} {node}: {response.status_code}"
    # The other organisation's holder of the very role the step needs, and a user without an
    # organisation, cannot even look at the task.
    for user in (other[actor_key], outsider):
        client = client_for(user)
        for action in ("detail", "unassign", "cancel", ""):
            response = client.get(task_url(process, task, action).replace("//", "/"))
            assert response.status_code == 404, f"{user} GET {action} {node}: {response.status_code}"
    # Claimed by the right officer, the execute page stays closed to every other user.
    owner = home[actor_key]
    assert client_for(owner).post(task_url(process, task, "assign")).status_code == 302
    for key, user, same_org in everyone(home, other, outsider):
        if key == actor_key:
            continue
        response = client_for(user).post(task_url(process, task, "execute"), {})
        assert response.status_code == (403 if same_org else 404), f"{key} execute claimed {node}"


def test_every_sop_a_task_is_refused_to_every_wrong_role_and_to_the_other_organisation(
    bengkulu, sumbar, outsider, dkb_file
):
    process = start_population(bengkulu["kadis"])
    for node, actor, data in POPULATION_STEPS:
        assert_refused_to_all_but(actor, process, node, bengkulu, sumbar, outsider)
        if node == "process_data":
            upload_dkb(bengkulu[actor], process, dkb_file)
            call_command("run_jobs", "--once", stdout=StringIO())
            do_step(bengkulu[actor], process, node, {"notes": ""})
        else:
            do_step(bengkulu[actor], process, node, data(bengkulu, dkb_file))


def test_every_sop_b_task_is_refused_to_every_wrong_role_and_to_the_other_organisation(sumbar, bengkulu, outsider):
    from .test_utilization_flow import add_entry, entry, sopb_signers

    sopb_signers(sumbar)  # steps 5 and 6 sign the Kasi's report and the Kabid's LAKIP material
    process = start_utilization(sumbar["kabid"])
    for node, actor, data in UTILIZATION_STEPS:
        if node == "count":
            # Auto-assigned to the staff member who filled the list: closed to everyone else.
            task = open_task(process, node)
            for key, user, same_org in everyone(sumbar, bengkulu, outsider):
                if key != actor:
                    status = client_for(user).post(task_url(process, task, "execute"), {}).status_code
                    assert status == (403 if same_org else 404), key
        else:
            assert_refused_to_all_but(actor, process, node, sumbar, bengkulu, outsider)
        if node == "fill_list":
            add_entry(sumbar["staf"], process, entry(sumbar.organisation.opds.first(), 3))
            do_step(sumbar["staf"], process, node, {"action": "submit"})
        else:
            do_step(sumbar[actor], process, node, data(sumbar, None))


def test_start_is_refused_to_roles_the_sop_does_not_name(bengkulu, outsider):
    for key in ("kabid", "kasi", "tim", "adb", "staf", "sekretariat"):
        assert client_for(bengkulu[key]).get("/population/start/").status_code == 403, key
    for key in ("kadis", "kasi", "tim", "adb", "staf", "sekretariat"):
        assert client_for(bengkulu[key]).get("/utilization/start/").status_code == 403, key
    assert client_for(outsider).get("/population/start/").status_code == 403


def test_lists_charts_and_downloads_never_show_the_other_organisation(bengkulu, sumbar, dkb_file):
    process = start_population(bengkulu["kadis"])
    do_step(bengkulu["kabid"], process, "form_team", POPULATION_STEPS[0][2](bengkulu, dkb_file))
    upload_dkb(bengkulu["tim"], process, dkb_file)
    call_command("run_jobs", "--once", stdout=StringIO())
    upload = process.dkb_uploads.get()
    run = upload.runs.get()
    marker = f"/population/{process.pk}/"
    for key, user in sumbar.users.items():
        client = client_for(user)
        for url in ("/population/", "/population/inbox/", "/population/queue/", "/population/archive/",
                    "/population/flows/", "/population/tasks/"):
            response = client.get(url)
            assert response.status_code == 200, (key, url)
            assert marker not in response.content.decode(), (key, url)
        for url in (marker, f"{marker}chart/", f"/berkas/{process.pk}/dkb/{upload.pk}/",
                    f"/berkas/{process.pk}/olah/{run.pk}/status/", f"/berkas/{process.pk}/tabel/{run.pk}.xlsx"):
            assert client.get(url).status_code == 404, (key, url)
    # The home organisation sees it; the raw extract downloads for its SOP A officers.
    assert marker in client_for(bengkulu["kasi"]).get("/population/flows/").content.decode()
    assert client_for(bengkulu["kasi"]).get(f"/berkas/{process.pk}/dkb/{upload.pk}/").status_code == 200
    assert client_for(bengkulu["staf"]).get(f"/berkas/{process.pk}/dkb/{upload.pk}/").status_code == 404


def test_bulk_actions_cannot_reach_the_other_organisations_tasks(bengkulu, sumbar):
    process = start_population(bengkulu["kadis"])
    task = open_task(process, "form_team")
    client_for(bengkulu["kabid"]).post(task_url(process, task, "assign"))
    response = client_for(sumbar["kadis"]).post("/population/inbox/unassign/", {"pk": [task.pk], "_confirm": 1})
    task.refresh_from_db()
    assert task.owner == bengkulu["kabid"], response.status_code
