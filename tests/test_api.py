"""The REST API (/api/v1/) over HTTP with real tokens: its OpenAPI document, organisation scope,
claiming and completing steps through the pages' own code, tokens refused, throttling."""

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, get_resolver
from django.utils import timezone
from viewflow.workflow.status import STATUS

from workflows.api.models import ApiToken
from workflows.authored.models import AuthoredProcess
from workflows.models import AuditEvent, Instruction, Review

from .authored_sop import add_operator, make_authored_sop
from .authorisation import snapshot
from .conftest import client_for, open_task, start_population, task_url


@pytest.fixture(autouse=True)
def fresh_throttle():
    # The throttle counts in the cache (locmem in tests), which outlives each test's database.
    cache.clear()
    yield
    cache.clear()


def token_for(user, days=30, name="uji"):
    token = ApiToken(officer=user.officer, name=name, expires=timezone.now() + timedelta(days=days))
    raw = token.issue()
    token.save()
    return raw


def api(user_or_raw):
    raw = user_or_raw if isinstance(user_or_raw, str) else token_for(user_or_raw)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT="application/json")


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def start_authored(operator, definition, subject="Permohonan data Bappeda"):
    response = client_for(operator).post(f"/sop/start/?sop={definition.pk}", {
        "subject": subject, "notes": "Berkas diterima lengkap."})
    assert response.status_code == 302, response.content.decode()[:1500]
    return AuthoredProcess.objects.get(subject=subject)


def open_step(process):
    return process.task_set.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]).get()


@pytest.fixture
def authored(bengkulu):
    operator = add_operator(bengkulu, "bkl.operator")
    definition, version = make_authored_sop(bengkulu, bengkulu["kadis"])
    return bengkulu, operator, definition, version


# -- the OpenAPI document ------------------------------------------------------------------------


def api_routes():
    """Every route of the API's URL module, as the OpenAPI document spells paths."""
    _, resolver = get_resolver().namespace_dict["api"]
    routes = set()
    for pattern in resolver.url_patterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        if route.startswith("^") or route in ("schema/", "docs/"):
            continue  # the JSON 404 for unknown addresses; the document and its page
        # drf-spectacular names a primary key "id" in paths.
        routes.add("/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace("{pk}", "{id}"))
    return routes


def test_the_openapi_document_validates_and_lists_every_endpoint(bengkulu):
    from openapi_spec_validator import validate

    response = api(bengkulu["kasi"]).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == api_routes()
    assert len(api_routes()) == 12
    assert document["components"]["securitySchemes"]["tokenApi"] == {
        "type": "http", "scheme": "bearer", "description": document["components"]["securitySchemes"]["tokenApi"]["description"]}
    complete = document["paths"]["/api/v1/tasks/{id}/complete/"]["post"]
    assert set(complete["responses"]) >= {"200", "400", "401", "403", "404", "409", "429"}


def test_the_docs_page_and_the_browsable_api_work_with_the_session_and_load_nothing_from_a_cdn(bengkulu):
    client = client_for(bengkulu["kasi"])
    docs = client.get("/api/v1/docs/", HTTP_ACCEPT="text/html")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert not re.search(r"https?://(?!testserver)", page.replace("http://testserver", "")), "an outside asset"
    browsable = client.get("/api/v1/tasks/", HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200 and b"<html" in browsable.content
    # The schema itself answers the session too; anonymous callers get a JSON 401 in Indonesian.
    assert client.get("/api/v1/schema/").status_code == 200
    anonymous = Client().get("/api/v1/processes/")
    assert anonymous.status_code == 401
    assert anonymous.json()["detail"].startswith("Perlu autentikasi")
    assert Client().get("/api/v1/tidak-ada/").json() == {"detail": "Tidak ditemukan.", "code": "not_found"}


# -- reading ---------------------------------------------------------------------------------------


def test_reads_sops_processes_tasks_audit_and_sla_figures(authored):
    org, operator, definition, version = authored
    process = start_authored(operator, definition)
    kasi = api(org["kasi"])

    sops = {row["key"]: row for row in kasi.get("/api/v1/sops/").json()}
    assert set(sops) == {"A", "B", definition.key}
    assert sops[definition.key]["latest_version"] == 1 and sops[definition.key]["nomor"] == definition.nomor
    body = kasi.get(f"/api/v1/sops/{definition.key}/versions/1/").json()
    assert body["identity"]["nama"] == "Layanan Data dan Informasi Kependudukan"
    assert body["identity"]["dasar_hukum"] == ["Undang-Undang Nomor 24 Tahun 2013", "Permendagri Nomor 102 Tahun 2019"]
    assert [(step["number"], step["kind"], step["waktu_label"]) for step in body["steps"]][:2] == [
        (1, "isian", "30 menit"), (2, "perintah", "1 jam")]
    builtin = kasi.get("/api/v1/sops/A/versions/1/").json()
    assert len(builtin["steps"]) == 9 and builtin["identity"]["instansi"]
    assert kasi.get("/api/v1/sops/A/versions/2/").status_code == 404

    listed = kasi.get("/api/v1/processes/").json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert row["id"] == process.pk and row["status"] == "NEW"
    assert [step["step_number"] for step in row["current_steps"]] == [2]
    assert row["sla_status"]["code"] == "on_track" and row["due"] is not None
    assert row["due_label"].endswith("WIB")

    tasks = kasi.get("/api/v1/tasks/").json()
    assert [(task["list"], task["step_number"]) for task in tasks] == [("queue", 2)]
    assert tasks[0]["web_url"].endswith("/assign/")
    assert kasi.get("/api/v1/tasks/?list=inbox").json() == []
    bad = kasi.get("/api/v1/tasks/?list=semua")
    assert bad.status_code == 400 and bad.json()["errors"]["list"] == ["Pilih inbox atau queue."]
    detail = kasi.get(f"/api/v1/tasks/{tasks[0]['id']}/").json()
    assert [field["name"] for field in detail["form"]["fields"]] == ["text"] and detail["form"]["browser_only"] is None

    audit = kasi.get(f"/api/v1/processes/{process.pk}/audit/").json()
    assert [(event["action"], event["step_number"]) for event in audit] == [("start", 1)]

    # The dashboard's figures: for supervisors (the Kasi is one), not for an operator.
    figures = kasi.get("/api/v1/sla/").json()
    assert figures["organisation"] == org.organisation.name
    assert {(step["sop"], step["step_number"]) for step in figures["steps"]} == {(definition.key, 1), (definition.key, 2)}
    assert figures["summary"]["overdue_open"] == 0
    refused = api(operator).get("/api/v1/sla/")
    assert refused.status_code == 403 and refused.json()["detail"] == "Angka kinerja waktu hanya untuk atasan dan administrator."
    assert kasi.get("/api/v1/sla/?year=abc").status_code == 400


# -- acting ----------------------------------------------------------------------------------------


def test_claim_and_complete_an_authored_sop_through_the_api_like_the_page(authored):
    org, operator, definition, version = authored
    process = start_authored(operator, definition)
    task = open_step(process)
    kasi, kabid, op = api(org["kasi"]), api(org["kabid"]), api(operator)

    # Not the step's position: refused as on the page, nothing changed.
    before = snapshot(process)
    refused = post(kabid, f"/api/v1/tasks/{task.pk}/claim/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert snapshot(process) == before

    claimed = post(kasi, f"/api/v1/tasks/{task.pk}/claim/")
    assert claimed.status_code == 200, claimed.json()
    assert claimed.json()["task"]["list"] == "inbox" and claimed.json()["task"]["owner"] == org["kasi"].get_full_name()
    assert AuditEvent.objects.filter(task=task, action=AuditEvent.Action.ASSIGN, actor=org["kasi"]).count() == 1
    again = post(kasi, f"/api/v1/tasks/{task.pk}/claim/")
    assert again.status_code == 409 and "sudah Anda ambil" in again.json()["detail"]

    # An empty instruction: the form's own Indonesian error, and the task stays claimed.
    invalid = post(kasi, f"/api/v1/tasks/{task.pk}/complete/", {"text": ""})
    assert invalid.status_code == 400
    assert invalid.json()["errors"]["text"][0]["code"] == "required"
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED

    done = post(kasi, f"/api/v1/tasks/{task.pk}/complete/", {"text": "Siapkan data agregat per kecamatan."})
    assert done.status_code == 200, done.json()
    assert done.json()["detail"] == "Langkah 2 (Mendisposisikan permohonan kepada operator untuk disiapkan) selesai."
    assert Instruction.objects.get(task=task).text == "Siapkan data agregat per kecamatan."
    assert [step["step_number"] for step in done.json()["process"]["current_steps"]] == [3]
    process.refresh_from_db()
    assert process.current_step == "k3"

    # Step 3 takes files: the browser's, 409 with the reason; done on the page.
    step3 = open_step(process)
    assert post(op, f"/api/v1/tasks/{step3.pk}/claim/").status_code == 200
    browser = post(op, f"/api/v1/tasks/{step3.pk}/complete/", {"notes": "Siap."})
    assert browser.status_code == 409 and "harus dikerjakan di peramban" in browser.json()["detail"]
    step3.refresh_from_db()
    assert step3.status == STATUS.ASSIGNED
    response = client_for(operator).post(f"/sop/{process.pk}/step/{step3.pk}/execute/", {"notes": "Konsep dan data siap."})
    assert response.status_code == 302

    # Step 4, the Kabid's review: a return with its note goes back to step 3 for the operator.
    step4 = open_step(process)
    post(kabid, f"/api/v1/tasks/{step4.pk}/claim/")
    returned = post(kabid, f"/api/v1/tasks/{step4.pk}/complete/", {"decision": "return", "notes": "Tambahkan rincian per desa."})
    assert returned.status_code == 200, returned.json()
    assert Review.objects.get(task=step4).decision == Review.RETURN
    reopened = open_step(process)
    assert reopened.data["step"] == "k3" and reopened.owner == operator

    audit = [(event["action"], event["step_number"]) for event in kasi.get(f"/api/v1/processes/{process.pk}/audit/").json()]
    assert audit == [("start", 1), ("assign", 2), ("complete", 2), ("assign", 3), ("complete", 3), ("assign", 4),
                     ("return", 4)]
    event = AuditEvent.objects.get(task=step4, action=AuditEvent.Action.RETURN)
    assert event.detail == "Tambahkan rincian per desa." and event.actor == org["kabid"]


def test_builtin_steps_that_upload_decree_or_sign_stay_in_the_browser(bengkulu, dkb_file):
    from .conftest import process_dkb

    process = start_population(bengkulu["kadis"])
    task = open_task(process, "form_team")
    kabid = api(bengkulu["kabid"])
    assert post(kabid, f"/api/v1/tasks/{task.pk}/claim/").status_code == 200
    form = kabid.get(f"/api/v1/tasks/{task.pk}/").json()["form"]
    assert [field["name"] for field in form["fields"]] == ["number", "date", "members"]
    assert form["browser_only"].startswith("Langkah 2 (")
    refused = post(kabid, f"/api/v1/tasks/{task.pk}/complete/", {"number": "1", "date": "2025-07-01"})
    assert refused.status_code == 409 and "Langkah 2" in refused.json()["detail"]
    assert client_for(bengkulu["kabid"]).post(task_url(process, task, "execute"), {
        "number": "1", "date": "2025-07-01", "members": [bengkulu["tim"].pk]}).status_code == 302
    process_dkb(bengkulu["tim"], process, dkb_file)

    # Step 4 (the Kasi's correction) is a review: the API completes it.
    kasi = api(bengkulu["kasi"])
    correct = open_task(process, "correct")
    assert post(kasi, f"/api/v1/tasks/{correct.pk}/claim/").status_code == 200
    detail = kasi.get(f"/api/v1/tasks/{correct.pk}/").json()
    assert {choice["value"] for choice in detail["form"]["fields"][0]["choices"]} == {"approve", "return"}
    done = post(kasi, f"/api/v1/tasks/{correct.pk}/complete/", {"decision": "approve", "notes": "Sesuai."})
    assert done.status_code == 200, done.json()
    assert open_task(process, "validate")


# -- organisation scope ------------------------------------------------------------------------------


def test_a_token_of_another_organisation_gets_404_for_every_object(authored, sumbar):
    org, operator, definition, version = authored
    authored_process = start_authored(operator, definition)
    population = start_population(org["kadis"])
    tasks = [open_step(authored_process), open_task(population, "form_team")]
    processes = [authored_process, population]
    urls = [f"/api/v1/sops/{definition.key}/", f"/api/v1/sops/{definition.key}/versions/1/"]
    for process in processes:
        urls += [f"/api/v1/processes/{process.pk}/", f"/api/v1/processes/{process.pk}/audit/"]
    for task in tasks:
        urls.append(f"/api/v1/tasks/{task.pk}/")
    posts = [f"/api/v1/tasks/{task.pk}/{action}/" for task in tasks for action in ("claim", "complete")]

    # Every role of the other organisation, including the one that holds each step's position there.
    clients = {role: api(sumbar[role]) for role in ("kadis", "kabid", "kasi", "tim", "adb")}
    own = api(org["kasi"])
    before = [snapshot(process) for process in processes]
    for role, client in clients.items():
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (role, url, response.status_code)
            assert response.json() == {"detail": "Tidak ditemukan.", "code": "not_found"}
        for url in posts:
            response = post(client, url, {"text": "Disposisi.", "decision": "approve"})
            assert response.status_code == 404, (role, url, response.status_code)
        assert client.get("/api/v1/processes/").json()["count"] == 0
        assert client.get("/api/v1/tasks/").json() == []
        assert definition.key not in {row["key"] for row in client.get("/api/v1/sops/").json()}
        assert client.get("/api/v1/sla/").json().get("organisation") in (None, sumbar.organisation.name)
    assert [snapshot(process) for process in processes] == before
    # The same URLs answer for the organisation's own officer: the 404s were the scope, not the URL.
    assert all(own.get(url).status_code == 200 for url in urls)


# -- tokens ----------------------------------------------------------------------------------------------


def test_tokens_are_created_in_the_admin_shown_once_stored_hashed_and_revoked(bengkulu):
    User = get_user_model()
    admin = User.objects.create_superuser("admin", password="pw")
    client = client_for(admin)
    response = client.post("/admin/workflows/apitoken/add/", {
        "officer": bengkulu["kasi"].officer.pk, "name": "Dasbor provinsi",
        "expires_0": (timezone.localdate() + timedelta(days=30)).isoformat(), "expires_1": "08:00:00",
    })
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "tidak akan ditampilkan lagi" in page
    raw = re.search(r"sopf_[A-Za-z0-9_-]{43}", page).group(0)
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest() and raw not in str(vars(token))
    assert token.created_by == admin
    # Shown once: the list and the token's own page never show it again.
    assert raw not in client.get("/admin/workflows/apitoken/").content.decode()
    assert raw not in client.get(f"/admin/workflows/apitoken/{token.pk}/change/").content.decode()

    assert api(raw).get("/api/v1/tasks/").status_code == 200
    token.refresh_from_db()
    assert token.last_used is not None

    client.post("/admin/workflows/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin
    refused = api(raw).get("/api/v1/tasks/")
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Token API ini sudah dicabut. Minta token baru kepada administrator.",
                              "code": "authentication_failed"}
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_or_unknown_token_is_refused(bengkulu):
    raw = token_for(bengkulu["kasi"], days=1)
    assert api(raw).get("/api/v1/tasks/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        refused = api(raw).get("/api/v1/tasks/")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Token API ini sudah kedaluwarsa. Minta token baru kepada administrator."
    unknown = api("sopf_" + "x" * 43).get("/api/v1/tasks/")
    assert unknown.status_code == 401 and unknown.json()["detail"] == "Token API tidak dikenal."
    malformed = Client(HTTP_AUTHORIZATION="Bearer").get("/api/v1/tasks/")
    assert malformed.status_code == 401
    bengkulu["kasi"].is_active = False
    bengkulu["kasi"].save()
    assert api(raw).get("/api/v1/tasks/").status_code == 401


def test_throttling_counts_per_token_and_answers_429_json(bengkulu, settings):
    settings.SOPFLOW_API_RATE = "3/min"
    first, second = api(bengkulu["kasi"]), api(bengkulu["kabid"])
    assert [first.get("/api/v1/tasks/").status_code for _ in range(3)] == [200, 200, 200]
    throttled = first.get("/api/v1/tasks/")
    assert throttled.status_code == 429
    body = throttled.json()
    assert body["code"] == "throttled" and body["detail"].startswith("Terlalu banyak permintaan dengan token ini.")
    assert int(throttled["Retry-After"]) > 0
    # Another officer's token has its own count.
    assert second.get("/api/v1/tasks/").status_code == 200


# -- the API and the page at the same moment (real row locks: PostgreSQL) -------------------------------


@pytest.fixture
def postgres_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locking (SELECT ... FOR UPDATE) is only real on PostgreSQL; run with DATABASE_URL")


def authored_at_step_two():
    from .conftest import make_org

    org = make_org("bkl", "Disdukcapil Provinsi Bengkulu", "17", "Bengkulu")
    operator = add_operator(org, "bkl.operator")
    definition, _version = make_authored_sop(org, org["kadis"])
    process = start_authored(operator, definition)
    return org, process, open_step(process)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_completing_a_step_through_the_api_and_the_page_at_once_advances_the_process_once(postgres_only):
    from .test_concurrency import race

    org, process, task = authored_at_step_two()
    assert client_for(org["kasi"]).post(f"/sop/{process.pk}/step/{task.pk}/assign/").status_code == 302
    token = token_for(org["kasi"])
    page, machine = client_for(org["kasi"]), api(token)

    results = race([
        lambda: page.post(f"/sop/{process.pk}/step/{task.pk}/execute/", {"text": "Dari halaman."}),
        lambda: post(machine, f"/api/v1/tasks/{task.pk}/complete/", {"text": "Dari API."}),
    ])
    codes = sorted(response.status_code for response in results)
    assert codes in ([200, 409], [302, 409]), codes
    loser = next(response for response in results if response.status_code == 409)
    text = loser.content.decode()
    assert "sudah diselesaikan oleh" in text or "sedang diperbarui oleh pengguna lain" in text, text[:500]
    assert Instruction.objects.filter(task=task).count() == 1
    assert AuditEvent.objects.filter(task=task, action=AuditEvent.Action.COMPLETE).count() == 1
    assert process.task_set.filter(flow_task_type="HUMAN", status__in=["NEW", "ASSIGNED"]).count() == 1
    process.refresh_from_db()
    assert process.current_step == "k3"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_claiming_through_the_api_and_the_page_at_once_gives_the_task_to_one_officer(postgres_only):
    from workflows.models import Officer, OfficerRole, Position

    from .test_concurrency import race

    org, process, task = authored_at_step_two()
    second = get_user_model().objects.create_user("bkl.kasi2", password="pw", first_name="Kasi2", last_name="BKL")
    officer = Officer.objects.create(user=second, organisation=org.organisation)
    OfficerRole.objects.create(officer=officer, position=Position.objects.get(organisation=org.organisation, code="kasi"))
    page, machine = client_for(org["kasi"]), api(second)
    results = race([
        lambda: page.post(f"/sop/{process.pk}/step/{task.pk}/assign/"),
        lambda: post(machine, f"/api/v1/tasks/{task.pk}/claim/"),
    ])
    codes = sorted(response.status_code for response in results)
    assert codes in ([200, 409], [302, 409]), codes
    loser = next(response for response in results if response.status_code == 409).content.decode()
    assert "sudah diambil oleh" in loser or "sedang diperbarui oleh pengguna lain" in loser, loser[:500]
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED and task.owner in (org["kasi"], second)
    assert AuditEvent.objects.filter(task=task, action=AuditEvent.Action.ASSIGN).count() == 1


def test_errors_are_json_in_indonesian(authored):
    org, operator, definition, version = authored
    process = start_authored(operator, definition)
    task = open_step(process)
    kasi = api(org["kasi"])
    wrong_method = kasi.get(f"/api/v1/tasks/{task.pk}/claim/")
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"detail": "Metode GET tidak diizinkan pada alamat ini.", "code": "method_not_allowed"}
    not_json = kasi.post(f"/api/v1/tasks/{task.pk}/complete/", "{teks", content_type="application/json")
    assert not_json.status_code == 400 and not_json.json()["detail"] == "Isi permintaan bukan JSON yang sah."
    form_body = kasi.post(f"/api/v1/tasks/{task.pk}/complete/", {"text": "x"})
    assert form_body.status_code == 415
    assert form_body.json()["detail"] == "Jenis isi permintaan tidak didukung; kirim application/json."
    a_list = post(kasi, f"/api/v1/tasks/{task.pk}/complete/", ["text"])
    assert a_list.status_code == 400
    assert a_list.json()["errors"]["non_field_errors"] == ["Kirim isian langkah sebagai objek JSON."]
    # Not claimed yet: the page's answer, "take it from the queue first", as a 409 — nothing changed.
    before = snapshot(process)
    unclaimed = post(kasi, f"/api/v1/tasks/{task.pk}/complete/", {"text": "Disposisi."})
    assert unclaimed.status_code == 409 and "kembali ke antrean" in unclaimed.json()["detail"]
    assert snapshot(process) == before
    assert kasi.get("/api/v1/processes/?year=dua").json()["errors"]["year"] == ["Tahun harus berupa angka, mis. 2025."]
    assert kasi.get("/api/v1/sops/u999/").status_code == 404


def test_every_builtin_step_says_whether_the_api_can_complete_it_and_refuses_the_others(bengkulu, sumbar, dkb_file):
    """Both built-in SOPs driven to their end on the pages; at every step its officer asks the API
    for the task: only instruction and review steps without a file or passphrase are the API's,
    the others answer 409 and change nothing."""
    from .authorisation import drive_population, drive_utilization

    completable = {}

    def visit(process, task, owner):
        client = api(owner)
        detail = client.get(f"/api/v1/tasks/{task.pk}/")
        assert detail.status_code == 200, (task.flow_task.name, detail.status_code)
        body = detail.json()
        assert body["list"] == "inbox" and body["form"]["fields"], task.flow_task.name
        reason = body["form"]["browser_only"]
        completable[process.sop, body["step_number"]] = reason is None
        if reason is not None:
            before = snapshot(process)
            refused = post(client, f"/api/v1/tasks/{task.pk}/complete/", {"text": "x", "decision": "approve"})
            assert refused.status_code == 409 and refused.json()["detail"] == reason
            assert snapshot(process) == before

    drive_population(bengkulu, dkb_file, visit=visit)
    drive_utilization(sumbar, visit=visit)
    # B5 (the Kasi signs the utilisation report) and B6 (the Kabid signs the LAKIP material) need a
    # passphrase since their documents are signed: the browser only.
    assert {key for key, yes in completable.items() if yes} == {("A", 4), ("A", 5), ("A", 7), ("B", 2), ("B", 7)}
    assert len(completable) == 8 + 6  # every human step after the start form
