"""English pages for the officers who choose English; Bahasa Indonesia for everyone else.

The switch is the user menu's (Django's set_language, kept on the officer); the walk fetches the
main pages as an English-speaking officer and looks for any msgid of SOPFlow's own catalogue
whose English differs from it (so: an Indonesian string left untranslated or outside gettext).
The documents an office prints and signs stay Indonesian whatever the officer's language.
"""

import io
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from workflows.catalogue import PACKAGES
from workflows.models import Officer, SignedDocument

from .authored_sop import add_operator, make_authored_sop
from .conftest import SIGNING_PASSPHRASE, client_for
from .test_authored_flow import act, blank_pdf, open_step, start, step_url
from .test_officer_pages_indonesian import VisibleText, lived_in, task_pages  # noqa: F401 - the fixture
from .test_pdfa import appearance_text

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
# The switch names each language in that language ("Bahasa Indonesia" on an English page too).
AUTONYMS = {"Bahasa Indonesia"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def indonesian_msgids():
    """Our msgids whose English differs, as patterns: placeholders match any text, whole words."""
    patterns = {}
    for entry in polib.pofile(str(CATALOGUE)):
        forms = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        english = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            if form in english or form in AUTONYMS or not form.strip():
                continue
            parts = [literal(part) for part in PLACEHOLDER.split(form)]
            while parts and not parts[0]:
                parts.pop(0)  # a placeholder at either end matches anything: nothing to look for
            while parts and not parts[-1]:
                parts.pop()
            if parts:
                # The longest word first, as a plain substring: most patterns stop there.
                needle = max(PLACEHOLDER.sub(" ", form).replace("%%", "%").split(), key=len)
                patterns[form] = (needle, re.compile(r"\s*.{1,120}?\s*".join(parts), re.S))
    return patterns


def literal(text):
    """``text`` as a pattern: any whitespace between its words, and whole words at its ends."""
    text = text.replace("%%", "%")
    body = r"\s+".join(re.escape(word) for word in text.split())
    if not body:
        return ""
    start = r"(?<!\w)" if re.match(r"\s*\w", text) else ""
    end = r"(?!\w)" if re.search(r"\w\s*$", text) else ""
    return f"{start}{body}{end}"


def data_texts():
    """Text the pages show as data, not as SOPFlow's strings: the built-in SOPs' own wording
    (the signed SOP documents reprint it), which may contain a position's name."""
    texts = set()
    for sop in PACKAGES:
        identity = sop.identity
        texts.update([identity.instansi, identity.unit, identity.disahkan_oleh, identity.nama,
                      identity.peringatan, identity.pencatatan, *identity.dasar_hukum,
                      *identity.kualifikasi_pelaksana, *identity.keterkaitan, *identity.peralatan, *sop.pelaksana])
        for step in sop.steps:
            texts.update([step.kegiatan, step.kelengkapan, step.output, step.actor_label, step.keterangan])
    # What the organisations and officers wrote: names, positions, the authored SOP's wording,
    # the cases, notes and instructions, and the audit trail's details (in the writer's language).
    from workflows.authored.models import AuthoredProcess, SopVersion, VersionStep
    from workflows.models import AuditEvent, Organisation, Position, Review

    for organisation in Organisation.objects.all():
        texts.update([organisation.name, organisation.short_name, organisation.province_name])
    texts.update(Position.objects.values_list("name", flat=True))
    for version in SopVersion.objects.all():
        texts.update([version.nama, version.peringatan, *version.dasar_hukum.splitlines()])
    for step in VersionStep.objects.all():
        texts.update([step.kegiatan, step.kelengkapan, step.output, step.waktu_label])
    texts.update(AuthoredProcess.objects.values_list("subject", flat=True))
    texts.update(Review.objects.values_list("notes", flat=True))
    texts.update(AuditEvent.objects.values_list("detail", flat=True))
    texts.update(TYPED)
    return sorted((text for text in texts if text), key=len, reverse=True)


# The workbook's own layout, which an import must match word for word: its sheet and column names
# and the Waktu it reads ("10 menit"), named on the import page in any language.
def workbook_tokens():
    from workflows.authored import workbook

    return sorted([workbook.IDENTITY_SHEET, workbook.PROSEDUR_SHEET, *workbook.COLUMNS,
                   "10 menit", "2 jam", "7 hari"], key=len, reverse=True)


# What the fixtures below type in as officers (notes, instructions; tests/authorisation.py's notes).
TYPED = ["Berkas diterima lengkap.", "Siapkan data.", "Siap.", "Diolah dari DKB."]


def indonesian_in(text, patterns, data):
    for known in data:
        text = text.replace(known, " ")
        words = known.split()
        if len(words) > 1 and words[0] in text:
            # A chart's label wraps a long one over lines ("Mendisposisikan permohonan kepada\noperator …").
            text = re.sub(r"\s+".join(re.escape(word) for word in words), " ", text)
    # Labels cut short ("Mencatat nomor surat keluar da…") of the data above.
    text = re.sub(r"[^\n…]{10,80}…", lambda cut: " " if any(known.startswith(cut.group(0)[:-1].strip().split(". ", 1)[-1])
                                                           for known in data) else cut.group(0), text)
    found = {form: pattern.search(text) for form, (needle, pattern) in patterns.items() if needle in text}
    return sorted(f"{form!r} in {' '.join(text[max(0, match.start() - 40):match.end() + 40].split())!r}"
                  for form, match in found.items() if match)


def in_english(*users):
    Officer.objects.filter(user__in=users).update(language="en")


def login(username, password="pw"):
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:1000]
    return client


def visible(client, url):
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return VisibleText.of(response.content.decode())


def test_switching_to_english_is_remembered_across_logins(bengkulu):
    kabid = bengkulu["kabid"]
    client = login(kabid.username)
    assert "Status waktu" in visible(client, "/population/inbox/")
    response = client.post("/bahasa/", {"language": "en", "next": "/population/inbox/"})
    assert response.status_code == 302 and response["Location"] == "/population/inbox/"
    assert Officer.objects.get(user=kabid).language == "en"
    page = client.get("/population/inbox/")
    assert page["Content-Language"] == "en" and '<html lang="en"' in page.content.decode()

    # Logged out, then in again from another browser (no language cookie): still English.
    client.post("/accounts/logout/")
    elsewhere = login(kabid.username)
    assert "language" not in " ".join(elsewhere.cookies)
    text = visible(elsewhere, "/population/inbox/")
    assert "Time status" in text and "Status waktu" not in text

    # And back: Indonesian again, also at the next login.
    elsewhere.post("/bahasa/", {"language": "id", "next": "/population/inbox/"})
    assert "Status waktu" in visible(login(kabid.username), "/population/inbox/")


def test_an_officer_who_did_not_switch_gets_indonesian_whatever_the_browser_asks(bengkulu):
    in_english(bengkulu["kadis"])
    client = login(bengkulu["kabid"].username)
    page = client.get("/population/inbox/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    text = VisibleText.of(page.content.decode())
    assert page["Content-Language"] == "id" and '<html lang="id"' in page.content.decode()
    assert "Status waktu" in text and "Time status" not in text
    # The switch offers both languages, each in its own name, and marks the current one.
    assert 'value="id" lang="id" aria-pressed="true" disabled' in page.content.decode()
    assert "Bahasa Indonesia" in text and "English" in text
    # An unknown language is not stored and changes nothing.
    client.post("/bahasa/", {"language": "fr", "next": "/population/inbox/"})
    assert Officer.objects.get(user=bengkulu["kabid"]).language == ""
    assert "Status waktu" in visible(client, "/population/inbox/")


def test_the_english_catalogue_translates_every_msgid_of_the_code():
    """`make messages-check`: a string added without English fails here, with its msgid named."""
    output = io.StringIO()
    try:
        call_command("messages_check", stdout=output)
    except SystemExit:
        pytest.fail(output.getvalue())
    assert " 0 without English, 0 with wrong placeholders" in output.getvalue()


def test_viewflows_own_english_is_not_turned_indonesian_on_english_pages(bengkulu):
    """In English no Indonesian catalogue is consulted: viewflow's msgids stay its own English."""
    from django.utils import translation

    with translation.override("en"):
        assert translation.gettext("Administration") == "Administration"
        assert translation.gettext("Status waktu") == "Time status"
    with translation.override("id"):
        assert translation.gettext("Administration") == "Administrasi"


@pytest.fixture
def authored(lived_in):
    """An authored SOP of Bengkulu: one process finished (with its signed letter), one at its
    review step; the Kasi is its SOP administrator."""
    org = lived_in["a"]
    operator = add_operator(org, "bkl.operator")
    definition, version = make_authored_sop(org, org["kadis"])
    done = start(operator, definition, subject="Permohonan data Bappeda",
                 files=[SimpleUploadedFile("permohonan.pdf", blank_pdf(), "application/pdf")])
    act(org["kasi"], done, {"text": "Siapkan data."}, "k2")
    act(operator, done, {"notes": "Siap."}, "k3")
    act(org["kabid"], done, {"decision": "approve"}, "k4")
    in_english(org["kadis"])  # the letter is signed by an officer who reads English
    act(org["kadis"], done, {"upload": SimpleUploadedFile("surat.pdf", blank_pdf(), "application/pdf"),
                             "passphrase": SIGNING_PASSPHRASE}, "k5")
    act(operator, done, {"record_number": "470/1/2026", "record_date": "2026-12-01"}, "k6")
    running = start(operator, definition, subject="Permohonan data Dinkes")
    act(org["kasi"], running, {"text": "Siapkan data."}, "k2")
    act(operator, running, {"notes": "Siap."}, "k3")
    Officer.objects.filter(user=org["kasi"]).update(is_sop_admin=True)
    return {"operator": operator, "definition": definition, "done": done, "running": running}


def test_the_main_pages_in_english_show_no_indonesian_from_our_catalogue(lived_in, authored):
    a, done, waiting = lived_in["a"], lived_in["done"], lived_in["waiting"]
    operator, definition = authored["operator"], authored["definition"]
    in_english(*a.users.values(), operator)
    running = authored["running"]
    review = open_step(running)
    visits = [(a[role], url) for role in ("kadis", "kabid", "kasi", "tim", "adb") for url in (
        "/population/", "/population/inbox/", "/population/queue/", "/population/archive/",
        "/population/flows/", f"/population/{done.pk}/",
    )]
    visits += [(a["kadis"], url) for url in task_pages(done)]
    form_team = waiting.task_set.get(flow_task_type="HUMAN", status="NEW")
    visits += [(a["kabid"], f"/population/{waiting.pk}/form_team/{form_team.pk}/assign/")]
    visits += [(a["kabid"], url) for url in (
        "/sop/", "/sop/inbox/", "/sop/queue/", "/sop/archive/", f"/sop/{authored['done'].pk}/", f"/sop/{running.pk}/",
        step_url(running, review, "assign"),
        *(f"/sop/{authored['done'].pk}/{task.flow_task.name}/{task.pk}/detail/"
          for task in authored["done"].task_set.filter(flow_task_type="HUMAN").order_by("pk")),
    )]
    visits += [(a["kasi"], url) for url in (
        "/sla/", "/notifications/", "/sop-organisasi/", "/sop-organisasi/baru/", f"/sop-organisasi/{definition.pk}/",
        "/sop-organisasi/impor/", "/sop-bawaan/A/", "/sop-bawaan/B/",
        "/sop-monitoring/A/", f"/sop-monitoring/{definition.key}/",
    )]
    visits += [(operator, url) for url in ("/sop/inbox/", "/sop/start/", f"/sop/start/?sop={definition.pk}")]
    patterns, data = indonesian_msgids(), data_texts()
    found = {}
    for user, url in visits:
        known = data + (workbook_tokens() if url == "/sop-organisasi/impor/" else [])
        words = indonesian_in(visible(client_for(user), url), patterns, known)
        if words:
            found[f"{user} {url}"] = words
    assert found == {}, "\n".join(f"{page}: {words}" for page, words in found.items())


def test_the_admin_index_is_english_for_an_administrator_who_chose_it(admin_user):
    client = client_for(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = visible(client, "/admin/")
    assert indonesian_in(text, indonesian_msgids(), []) == []
    assert "Site administration" in text


def pdf_text(content):
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_documents_rendered_for_an_english_speaking_officer_are_indonesian(lived_in, authored):
    a = lived_in["a"]
    in_english(a["kadis"], a["kasi"])
    client = client_for(a["kasi"])
    sheet = pdf_text(client.get(f"/berkas/{authored['done'].pk}/lembar-kendali.pdf").content)
    assert "Lembar Kendali Mutu Baku" in sheet and "Quality Standard Control Sheet" not in sheet
    assert "Versi SOP" in sheet and "SOP version" not in sheet
    sop_document = pdf_text(client.get("/sop-bawaan/A/dokumen-sop.pdf").content)
    assert "STANDAR OPERASIONAL PROSEDUR" in sop_document.upper() and "STANDARD OPERATING" not in sop_document.upper()
    assert "Halaman 3 dari 3" in sop_document and "1 jam" in sop_document and "1 hour" not in sop_document
    monitoring = client.get("/sop-monitoring/A/2025-s1.pdf")
    assert monitoring.status_code == 200
    assert "Formulir Monitoring Pelaksanaan SOP" in pdf_text(monitoring.content)

    # The letter the (English-speaking) Kadis signed: the visible block and the reason are Indonesian.
    signed = SignedDocument.objects.get(process=authored["done"])
    content = signed.file.open("rb").read()
    reader = PdfReader(io.BytesIO(content))
    field = next(iter(reader.get_fields().values()))
    assert field.value["/Reason"].startswith("Pengesahan ")
    stamp = content.decode("latin-1")
    assert "Ditandatangani secara elektronik oleh" in stamp_text(reader)
    assert "Electronically signed" not in stamp_text(reader) and "Electronically signed" not in stamp


def stamp_text(reader):
    """The text drawn in the signature's appearance streams (the /ActualText of each line: the
    block's embedded font draws glyph ids, not letters)."""
    lines = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            appearance = annotation.get_object().get("/AP")
            if appearance:
                lines += appearance_text(appearance["/N"])
    return " ".join(lines)
