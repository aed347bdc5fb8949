"""The SOP authoring pages: an organisation's SOP administrator writes a SOP in the browser (identity
block and Prosedur table), publishes numbered versions, revises and retires it; other officers of the
organisation read it, other organisations never see it.

Everything goes through the test client with the data a browser would post: the editor page is
opened, its forms' values are taken as rendered, changed where the administrator types, and sent.
"""

import io
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from workflows.authored.models import SopDefinition, SopVersion, VersionStep
from workflows.models import Position
from workflows.reports.sop_document import review_returns

from .conftest import client_for

STEPS = [
    # number, kegiatan, position code, kelengkapan, waktu, unit, output, kind, return_to
    (1, "Menerima surat permohonan data dan mencatatnya dalam agenda", "operator-layanan", "Surat permohonan",
     15, "menit", "Agenda surat", "perintah", None),
    (2, "Mengisi formulir permintaan data sesuai surat", "staf", "Formulir kosong", 1, "jam",
     "Formulir terisi", "isian", None),
    (3, "Memeriksa kelengkapan formulir permintaan", "kasi", "Formulir terisi", 2, "jam",
     "Formulir diperiksa", "pemeriksaan", 2),
    (4, "Menyiapkan data yang diminta dari basis data", "tim", "Formulir diperiksa", 2, "hari",
     "Berkas data", "isian", None),
    (5, "Menandatangani surat pengantar data", "kadis", "Konsep surat pengantar", 1, "hari",
     "Surat pengantar bertanda tangan", "penandatanganan", None),
    (6, "Mencatat pengiriman data dalam buku register layanan", "operator-layanan", "Surat pengantar", 30,
     "menit", "Register layanan", "pencatatan", None),
]

IDENTITY = {
    "code": "LAYANAN-DATA",
    "nomor": "800/017/SOP-LD/2026",
    "nama": "Pelayanan Permintaan Data Kependudukan",
    "unit": "Bidang Pemanfaatan Data",
    "tanggal_pembuatan": "2026-01-05",
    "tanggal_efektif": "2026-02-01",
    "disahkan_oleh": "Kepala Dinas",
    "dasar_hukum": "Peraturan Contoh Nomor 1 Tahun 2020\nPeraturan Contoh Nomor 2 Tahun 2021",
    "kualifikasi_pelaksana": "Memahami tata naskah dinas",
    "keterkaitan": "SOP Pemanfaatan Data",
    "peralatan": "Komputer\nJaringan internet",
    "peringatan": "Data pribadi tidak boleh diberikan tanpa perjanjian kerja sama.",
    "pencatatan": "Register layanan data",
}


def squeeze(text):
    return re.sub(r"\s+", "", text)


def text_of(response):
    return response.content.decode()


def make_sop_admin(user):
    user.officer.is_sop_admin = True
    user.officer.save(update_fields=["is_sop_admin"])
    return user


@pytest.fixture
def org(bengkulu):
    Position.objects.create(organisation=bengkulu.organisation, name="Operator Layanan", code="operator-layanan")
    make_sop_admin(bengkulu["sekretariat"])
    return bengkulu


@pytest.fixture
def admin_client(org):
    return client_for(org["sekretariat"])


def position(org, code):
    return Position.objects.get(organisation=org.organisation, code=code).pk


def step_rows(org, steps=STEPS):
    return [
        {"number": number, "kegiatan": kegiatan, "position": position(org, code), "kelengkapan": kelengkapan,
         "waktu_amount": amount, "waktu_unit": unit, "output": output, "kind": kind,
         "return_to": "" if target is None else target, "keterangan": ""}
        for number, kegiatan, code, kelengkapan, amount, unit, output, kind, target in steps
    ]


def page_values(response):
    """What the browser sends back for the editor page as rendered: the identity fields and
    every row of the Prosedur table, unchanged."""
    context = response.context
    values = {}
    for field in context["identity"]:
        if field.field.disabled:
            continue
        value = field.value()
        values[field.name] = value.isoformat() if isinstance(value, date) else ("" if value is None else value)
    rows = []
    for form in context["steps"].forms:
        row = {}
        for field in form:
            value = field.value()
            if field.name in ("outside_routine", "DELETE"):
                if value:
                    row[field.name] = "on"
                continue
            row[field.name] = "" if value is None else value
        rows.append(row)
    draft = context.get("draft")
    return values, rows, context["steps"].initial_form_count(), draft.pk if draft else None


def post_data(identity, rows, initial=0, draft=None, **extra):
    data = {key: value for key, value in identity.items()}
    data.update({"langkah-TOTAL_FORMS": str(len(rows)), "langkah-INITIAL_FORMS": str(initial),
                 "langkah-MIN_NUM_FORMS": "0", "langkah-MAX_NUM_FORMS": "1000"})
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"langkah-{index}-{name}"] = value
    if draft is not None:
        data["draft"] = str(draft)
    data.update(extra)
    return data


def create_sop(client, org, identity=IDENTITY, rows=None):
    response = client.post("/sop-organisasi/baru/", post_data(identity, step_rows(org) if rows is None else rows))
    assert response.status_code == 302, errors_of(response)
    return SopDefinition.objects.get(organisation=org.organisation, code=identity["code"])


def errors_of(response):
    if response.context is None:
        return response.status_code
    return response.context["identity"].errors, [form.errors for form in response.context["steps"].forms]


def publish(client, definition):
    response = client.post(f"/sop-organisasi/{definition.pk}/terbitkan/")
    assert response.status_code == 302
    return definition.latest_published()


def pdf_text(pdf):
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def test_sop_admin_writes_a_six_step_sop_and_publishes_version_1(org, admin_client):
    listing = text_of(admin_client.get("/sop-organisasi/"))
    assert "Susun SOP baru" in listing and 'href="/sop-organisasi/baru/"' in listing

    page = admin_client.get("/sop-organisasi/baru/")
    assert page.status_code == 200
    html = text_of(page)
    for label in ["Nomor SOP", "Nama SOP", "Tanggal Pembuatan", "Tanggal Efektif", "Disahkan oleh (jabatan)",
                  "Dasar Hukum", "Kualifikasi Pelaksana", "Keterkaitan", "Peralatan/Perlengkapan", "Peringatan",
                  "Pencatatan dan Pendataan", "Kegiatan", "Pelaksana", "Kelengkapan", "Waktu", "Output", "Jenis",
                  "Kembali ke", "Keterangan", "Tambah baris", "Operator Layanan"]:
        assert label in html, label

    definition = create_sop(admin_client, org)
    draft = definition.draft()
    assert definition.created_by == org["sekretariat"] and draft.nama == IDENTITY["nama"]
    assert [(s.number, s.key, s.kind, s.return_to) for s in draft.ordered_steps] == [
        (1, "k1", "perintah", None), (2, "k2", "isian", None), (3, "k3", "pemeriksaan", 2),
        (4, "k4", "isian", None), (5, "k5", "penandatanganan", None), (6, "k6", "pencatatan", None)]
    assert draft.step("k1").position.code == "operator-layanan" and draft.step("k1").waktu_label == "15 menit"
    assert draft.lines("peralatan") == ("Komputer", "Jaringan internet")

    edit = admin_client.get(f"/sop-organisasi/{definition.pk}/draf/")
    assert "Draf ini lengkap dan dapat diterbitkan" in text_of(edit)

    version = publish(admin_client, definition)
    assert (version.number, version.status, version.tanggal_revisi) == (1, SopVersion.PUBLISHED, timezone.localdate())
    assert version.published_by == org["sekretariat"] and definition.draft() is None
    detail = text_of(admin_client.get(f"/sop-organisasi/{definition.pk}/"))
    assert "Versi 1 terbit" in detail
    assert f'href="/sop/start/?sop={definition.pk}"' in detail
    assert f"/sop-organisasi/{definition.pk}/versi/1/dokumen-sop.pdf" in detail
    listing = text_of(admin_client.get("/sop-organisasi/"))
    assert "LAYANAN-DATA" in listing and IDENTITY["nama"] in listing
    assert timezone.localdate().strftime("%Y") in listing


def test_bad_rows_are_refused_with_an_indonesian_message_each_and_nothing_is_stored(org, sumbar, admin_client):
    create_sop(admin_client, org)
    foreign = Position.objects.get(organisation=sumbar.organisation, code="kasi").pk
    rows = step_rows(org)
    rows[0]["kegiatan"] = "   "
    rows[1]["waktu_amount"] = "0"
    rows[2]["return_to"] = "3"  # a review returning to itself
    rows[3]["position"] = foreign  # another organisation's position
    rows[4]["number"] = "4"  # the No of the row before
    rows[5]["kind"] = "isian"
    rows[5]["return_to"] = "1"  # only a pemeriksaan returns
    identity = dict(IDENTITY, code="data layanan", nomor=IDENTITY["nomor"])
    response = admin_client.post("/sop-organisasi/baru/", post_data(identity, rows))
    assert response.status_code == 200
    html = text_of(response)
    for message in [
        "Draf belum tersimpan",
        "Kegiatan wajib diisi.",
        "Waktu harus lebih dari nol.",
        "Kembali ke harus langkah sebelum langkah ini",
        "Jabatan ini tidak dikenal atau tidak aktif di organisasi Anda.",
        "No 4 dipakai oleh lebih dari satu baris.",
        "Hanya langkah pemeriksaan yang dapat mengembalikan pekerjaan",
        "Kode SOP hanya boleh huruf besar, angka dan tanda hubung",
        "Nomor SOP ini sudah dipakai SOP lain di organisasi ini.",
    ]:
        assert message in html, message
    # What was typed is still there.
    assert "Menandatangani surat pengantar data" in html
    assert SopDefinition.objects.count() == 1

    # A pemeriksaan without a target, and a target that is not in the table.
    rows = step_rows(org)
    rows[2]["return_to"] = ""
    response = admin_client.post("/sop-organisasi/baru/", post_data(dict(IDENTITY, code="LAIN", nomor="X/1"), rows))
    assert "Langkah pemeriksaan harus menyebut langkah tujuan pengembalian" in text_of(response)
    rows = step_rows(org)
    del rows[1]
    response = admin_client.post("/sop-organisasi/baru/", post_data(dict(IDENTITY, code="LAIN", nomor="X/1"), rows))
    assert "Langkah 2 tidak ada di tabel." in text_of(response)
    # The code is taken in the organisation (upper-cased from what was typed).
    response = admin_client.post("/sop-organisasi/baru/",
                                 post_data(dict(IDENTITY, code="layanan-data", nomor="X/2"), step_rows(org)))
    assert "Kode SOP LAYANAN-DATA sudah dipakai SOP lain di organisasi ini." in text_of(response)
    assert SopDefinition.objects.count() == 1


def test_a_draft_with_problems_is_saved_shows_them_and_cannot_be_published(org, admin_client):
    rows = step_rows(org)
    rows[0]["kind"] = "penandatanganan"
    rows[5]["number"] = 9  # a gap in the numbering
    definition = create_sop(admin_client, org, rows=rows)
    edit = admin_client.get(f"/sop-organisasi/{definition.pk}/draf/")
    html = text_of(edit)
    assert "Draf ini belum dapat diterbitkan" in html
    assert "Nomor langkah harus berurutan mulai dari 1 tanpa loncatan." in html
    assert "Langkah 1 harus berjenis perintah/disposisi atau isian, bukan penandatanganan." in html

    refused = admin_client.post(f"/sop-organisasi/{definition.pk}/terbitkan/")
    assert refused.status_code == 400
    assert "SOP belum dapat diterbitkan" in text_of(refused)
    assert "Nomor langkah harus berurutan" in text_of(refused)
    assert definition.latest_published() is None and definition.draft() is not None

    # Fixed in the editor, it publishes.
    identity, rows, initial, draft = page_values(edit)
    rows[0]["kind"] = "perintah"
    rows[5]["number"] = 6
    response = admin_client.post(f"/sop-organisasi/{definition.pk}/draf/", post_data(identity, rows, initial, draft))
    assert response.status_code == 302, errors_of(response)
    assert publish(admin_client, definition).number == 1


def test_tambah_baris_without_javascript_adds_an_empty_row_and_keeps_what_was_typed(org, admin_client):
    rows = step_rows(org)[:2]
    response = admin_client.post("/sop-organisasi/baru/", post_data(IDENTITY, rows, add_row="1"))
    assert response.status_code == 200
    formset = response.context["steps"]
    assert len(formset.forms) == 3
    html = text_of(response)
    assert 'name="langkah-TOTAL_FORMS" value="3"' in html and 'name="langkah-2-number" value="3"' in html
    assert "Mengisi formulir permintaan data sesuai surat" in html and IDENTITY["nomor"] in html
    assert "wajib diisi" not in html  # nothing was validated for display yet
    assert SopDefinition.objects.count() == 0

    # The empty row is ignored when the table is saved.
    identity, rows, initial, _draft = page_values(response)
    assert rows[2]["kegiatan"] == ""
    response = admin_client.post("/sop-organisasi/baru/", post_data(identity, rows, initial))
    assert response.status_code == 302, errors_of(response)
    assert [step.number for step in SopDefinition.objects.get().draft().ordered_steps] == [1, 2]


def test_revision_copies_the_steps_with_their_keys_and_version_1_never_changes(org, admin_client):
    definition = create_sop(admin_client, org)
    v1 = publish(admin_client, definition)
    v1_steps = [(s.key, s.number, s.kegiatan, s.waktu_amount, s.waktu_unit) for s in v1.ordered_steps]

    # No draft: the editor does not open a published version.
    response = admin_client.get(f"/sop-organisasi/{definition.pk}/draf/", follow=True)
    assert "Versi yang sudah terbit tidak dapat diubah" in text_of(response)
    assert "Buat revisi" in text_of(response)

    response = admin_client.post(f"/sop-organisasi/{definition.pk}/revisi/")
    assert response.status_code == 302 and response["Location"] == f"/sop-organisasi/{definition.pk}/draf/"
    draft = definition.draft()
    assert [(s.key, s.number, s.kegiatan, s.waktu_amount, s.waktu_unit) for s in draft.ordered_steps] == v1_steps
    assert draft.nama == v1.nama and draft.dasar_hukum == v1.dasar_hukum

    # The administrator renumbers: drops step 4, shortens step 5, adds a new last step.
    edit = admin_client.get(f"/sop-organisasi/{definition.pk}/draf/")
    identity, rows, initial, draft_pk = page_values(edit)
    assert [row["key"] for row in rows[:6]] == ["k1", "k2", "k3", "k4", "k5", "k6"]
    identity["nama"] = "Pelayanan Permintaan Data Kependudukan (revisi)"
    rows[3]["DELETE"] = "on"
    rows[4].update(number=4, waktu_amount=4, waktu_unit="jam")
    rows[5].update(number=5)
    rows[6].update(number=6, kegiatan="Mengarsipkan berkas permintaan data", position=position(org, "staf"),
                   waktu_amount=10, waktu_unit="menit", kind="pencatatan")
    response = admin_client.post(f"/sop-organisasi/{definition.pk}/draf/",
                                 post_data(identity, rows, initial, draft_pk))
    assert response.status_code == 302, errors_of(response)
    draft = definition.draft()
    assert [(s.number, s.key) for s in draft.ordered_steps] == [(1, "k1"), (2, "k2"), (3, "k3"), (4, "k5"),
                                                                 (5, "k6"), (6, "k7")]
    assert draft.step("k5").waktu_label == "4 jam"

    v2 = publish(admin_client, definition)
    assert v2.number == 2 and v2.nama.endswith("(revisi)") and v2.tanggal_revisi == timezone.localdate()
    v1 = SopVersion.objects.get(pk=v1.pk)
    assert [(s.key, s.number, s.kegiatan, s.waktu_amount, s.waktu_unit) for s in v1.ordered_steps] == v1_steps
    assert v1.nama == IDENTITY["nama"] and v1.number == 1
    assert definition.latest_published() == v2
    # Code and Nomor SOP are printed on version 1: they stay.
    edit = admin_client.post(f"/sop-organisasi/{definition.pk}/revisi/", follow=True)
    assert edit.context["identity"].fields["code"].disabled
    detail = text_of(admin_client.get(f"/sop-organisasi/{definition.pk}/"))
    assert "/versi/1/dokumen-sop.pdf" in detail and "/versi/2/dokumen-sop.pdf" in detail


def test_saving_a_draft_that_was_published_meanwhile_stores_nothing(org, admin_client):
    definition = create_sop(admin_client, org)
    edit = admin_client.get(f"/sop-organisasi/{definition.pk}/draf/")
    identity, rows, initial, draft_pk = page_values(edit)
    publish(admin_client, definition)
    rows[0]["kegiatan"] = "Diubah setelah terbit"
    response = admin_client.post(f"/sop-organisasi/{definition.pk}/draf/",
                                 post_data(identity, rows, initial, draft_pk))
    assert response.status_code == 409
    assert "Draf ini sudah tidak dapat diubah" in text_of(response)
    assert not VersionStep.objects.filter(kegiatan="Diubah setelah terbit").exists()
    # A published version refuses to change even if asked directly.
    with pytest.raises(ValidationError):
        version = definition.latest_published()
        version.nama = "lain"
        version.save()


def test_retiring_stops_new_starts_and_further_changes(org, admin_client):
    definition = create_sop(admin_client, org)
    publish(admin_client, definition)
    response = admin_client.post(f"/sop-organisasi/{definition.pk}/hentikan/")
    assert response.status_code == 400 and "Centang “Saya yakin menghentikan SOP ini”" in text_of(response)
    definition.refresh_from_db()
    assert definition.retired_at is None

    response = admin_client.post(f"/sop-organisasi/{definition.pk}/hentikan/", {"confirm": "1"}, follow=True)
    definition.refresh_from_db()
    assert definition.retired_at is not None and definition.retired_by == org["sekretariat"]
    html = text_of(response)
    assert "SOP ini dihentikan pada" in html and "/sop/start/" not in html
    assert SopDefinition.objects.startable().filter(pk=definition.pk).count() == 0
    # Its versions stay readable.
    assert admin_client.get(f"/sop-organisasi/{definition.pk}/versi/1/dokumen-sop.pdf").status_code == 200
    for url in ("revisi", "terbitkan"):
        response = admin_client.post(f"/sop-organisasi/{definition.pk}/{url}/")
        assert response.status_code == 400 and "SOP ini sudah dihentikan" in text_of(response)
    assert definition.draft() is None and definition.versions.count() == 1
    response = admin_client.get(f"/sop-organisasi/{definition.pk}/draf/", follow=True)
    assert "SOP ini sudah dihentikan" in text_of(response)
    assert "dihentikan" in text_of(admin_client.get("/sop-organisasi/"))


def test_other_officers_of_the_organisation_read_but_may_not_write(org, admin_client):
    definition = create_sop(admin_client, org)
    kabid = client_for(org["kabid"])
    listing = kabid.get("/sop-organisasi/")
    assert listing.status_code == 200 and "LAYANAN-DATA" in text_of(listing)
    assert "Susun SOP baru" not in text_of(listing)
    detail = kabid.get(f"/sop-organisasi/{definition.pk}/")
    assert detail.status_code == 200 and "Terbitkan" not in text_of(detail) and "Hentikan SOP" not in text_of(detail)
    for url in ("/sop-organisasi/baru/", f"/sop-organisasi/{definition.pk}/draf/"):
        response = kabid.get(url)
        assert response.status_code == 403, url
        assert "Hanya administrator SOP organisasi Anda" in text_of(response)
    response = kabid.post("/sop-organisasi/baru/", post_data(dict(IDENTITY, code="LAIN", nomor="X/9"), step_rows(org)))
    assert response.status_code == 403
    for action in ("terbitkan", "revisi", "hentikan"):
        assert kabid.post(f"/sop-organisasi/{definition.pk}/{action}/", {"confirm": "1"}).status_code == 403, action
    definition.refresh_from_db()
    assert definition.latest_published() is None and definition.retired_at is None
    assert SopDefinition.objects.count() == 1


def test_another_organisation_finds_none_of_the_pages(org, sumbar, admin_client, outsider):
    definition = create_sop(admin_client, org)
    publish(admin_client, definition)
    other_admin = make_sop_admin(sumbar["sekretariat"])
    pk = definition.pk
    urls = [f"/sop-organisasi/{pk}/", f"/sop-organisasi/{pk}/draf/", f"/sop-organisasi/{pk}/versi/1/dokumen-sop.pdf"]
    actions = [f"/sop-organisasi/{pk}/terbitkan/", f"/sop-organisasi/{pk}/revisi/", f"/sop-organisasi/{pk}/hentikan/"]
    for user in (other_admin, sumbar["kabid"], outsider):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        for url in actions + [f"/sop-organisasi/{pk}/draf/"]:
            assert client.post(url, {"confirm": "1"}).status_code == 404, (user, url)
    # The other organisation's own list does not show it; a user with no organisation has no list.
    assert "LAYANAN-DATA" not in text_of(client_for(other_admin).get("/sop-organisasi/"))
    assert client_for(outsider).get("/sop-organisasi/").status_code == 404
    assert client_for(outsider).get("/sop-organisasi/baru/").status_code == 404
    definition.refresh_from_db()
    assert definition.retired_at is None and definition.draft() is None


def test_the_sop_document_of_a_version_is_a_pdf_with_its_steps(org, admin_client):
    definition = create_sop(admin_client, org)
    version = publish(admin_client, definition)
    response = client_for(org["staf"]).get(f"/sop-organisasi/{definition.pk}/versi/1/dokumen-sop.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    text = squeeze(pdf_text(pdf))
    for number, kegiatan, _code, _k, amount, unit, *_rest in STEPS:
        assert squeeze(kegiatan) in text, number
        assert squeeze(f"{amount} {unit}") in text, number
    assert squeeze(IDENTITY["nomor"]) in text and squeeze(IDENTITY["nama"].upper()) in text
    assert "OperatorLayanan" in text and "SOPLAYANAN-DATA" in text and "SOPu" not in text
    # The pemeriksaan's return, from the definition (not from the interpreter's gates).
    assert review_returns(version.as_sop()) == {3: 2}
    # A version that does not exist (or is not published) has no document.
    assert admin_client.get(f"/sop-organisasi/{definition.pk}/versi/2/dokumen-sop.pdf").status_code == 404


def test_the_site_menu_leads_to_the_organisations_sops(org, admin_client):
    response = admin_client.get("/sop_organisasi/")
    assert response.status_code == 302 and response["Location"] == "/sop-organisasi/"
    html = text_of(admin_client.get("/sop-organisasi/"))
    assert 'href="/sop_organisasi/"' in html and "SOP Organisasi" in html
    assert 'href="/notifications/"' in html  # the rest of the site menu is there too


def test_the_pages_are_indonesian_with_no_english_leftovers(org, admin_client):
    from .test_officer_pages_indonesian import VisibleText, leftovers

    definition = create_sop(admin_client, org)
    pages = ["/sop-organisasi/", "/sop-organisasi/baru/", f"/sop-organisasi/{definition.pk}/",
             f"/sop-organisasi/{definition.pk}/draf/"]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        text = VisibleText.of(text_of(response))
        assert leftovers(text) == [], (url, leftovers(text))
        assert "Delete" not in text and "Django Material" not in text, url
    publish(admin_client, definition)
    text = VisibleText.of(text_of(admin_client.get(f"/sop-organisasi/{definition.pk}/")))
    assert leftovers(text) == []


def test_a_deleted_rows_key_is_not_given_to_a_new_row(org, admin_client):
    definition = create_sop(admin_client, org)
    identity, rows, initial, draft = page_values(admin_client.get(f"/sop-organisasi/{definition.pk}/draf/"))
    rows[5]["DELETE"] = "on"
    rows[6].update(number=6, kegiatan="Mengarsipkan berkas", position=position(org, "staf"), waktu_amount=5,
                   waktu_unit="menit", kind="pencatatan")
    rows[7].update(number=0, kegiatan="Langkah baru di depan", position=position(org, "staf"), waktu_amount=5,
                   waktu_unit="menit", kind="perintah")
    response = admin_client.post(f"/sop-organisasi/{definition.pk}/draf/", post_data(identity, rows, initial, draft))
    assert "No harus 1 atau lebih." in text_of(response)
    rows[7]["number"] = 7
    response = admin_client.post(f"/sop-organisasi/{definition.pk}/draf/", post_data(identity, rows, initial, draft))
    assert response.status_code == 302, errors_of(response)
    keys = {step.number: step.key for step in definition.draft().ordered_steps}
    assert keys == {1: "k1", 2: "k2", 3: "k3", 4: "k4", 5: "k5", 6: "k7", 7: "k8"}


def test_the_admin_shows_the_sop_administrators_and_the_sops_read_only(org, admin_client, admin_user):
    definition = create_sop(admin_client, org)
    publish(admin_client, definition)
    admin = client_for(admin_user)
    officers = text_of(admin.get("/admin/workflows/officer/"))
    assert "hak khusus" in officers.lower() and "administrator SOP" in officers
    change = text_of(admin.get(f"/admin/workflows/officer/{org['sekretariat'].officer.pk}/change/"))
    assert 'name="is_sop_admin"' in change and "Administrator SOP" in change
    listing = admin.get("/admin/workflows/sopdefinition/")
    assert listing.status_code == 200 and "LAYANAN-DATA" in text_of(listing)
    page = admin.get(f"/admin/workflows/sopdefinition/{definition.pk}/change/")
    assert page.status_code == 200
    html = text_of(page)
    assert IDENTITY["nama"] in html and 'name="code"' not in html  # read, not written, here
    assert admin.get("/admin/workflows/sopdefinition/add/").status_code == 403


def test_every_act_of_administration_is_in_the_sops_history(bengkulu):
    """Import, publish, revise, save and retire each leave an audit event on the SOP's page."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile

    from workflows.authored.models import SopDefinition
    from workflows.authored.workbook import export_workbook
    from workflows.models import AuditEvent

    from .authored_sop import make_authored_sop
    from .conftest import client_for

    admin = bengkulu["sekretariat"]
    admin.officer.is_sop_admin = True
    admin.officer.save(update_fields=["is_sop_admin"])
    definition, version = make_authored_sop(bengkulu, admin, code="ASAL", nomor="800/99/ASAL/2026")
    workbook = export_workbook(version.as_sop())
    definition.retire(admin)
    # The exported table comes back as a new SOP (its Nomor freed by a new number in the sheet).
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(workbook))
    for row in book["Identitas"].iter_rows():
        if row[0].value == "Nomor SOP":
            row[1].value = "800/100/LDK/2026"
    buffer = BytesIO()
    book.save(buffer)
    client = client_for(admin)
    response = client.post("/sop-organisasi/impor/", {
        "workbook": SimpleUploadedFile("sop.xlsx", buffer.getvalue()), "publish": "on"})
    assert response.status_code == 302
    imported = SopDefinition.objects.get(nomor="800/100/LDK/2026")
    assert client.post(f"/sop-organisasi/{imported.pk}/revisi/").status_code == 302
    assert client.post(f"/sop-organisasi/{imported.pk}/hentikan/", {"confirm": "1"}).status_code == 302

    actions = list(AuditEvent.objects.filter(definition=imported).order_by("pk").values_list("action", "actor"))
    assert actions == [
        ("sop_import", admin.pk), ("sop_publish", admin.pk), ("sop_revise", admin.pk), ("sop_retire", admin.pk)
    ]
    assert list(AuditEvent.objects.filter(definition=definition).values_list("action", flat=True)) == [
        "sop_publish", "sop_retire"]
    page = client.get(f"/sop-organisasi/{imported.pk}/").content.decode()
    assert "Riwayat SOP" in page and "mengimpor SOP dari workbook" in page and "menghentikan SOP" in page


def test_built_in_sops_have_their_page_document_and_workbook_beside_the_organisations_own(bengkulu, sumbar):
    from workflows.catalogue import REGISTRY
    from workflows.models import WaktuOverride

    from .conftest import client_for

    client = client_for(bengkulu["staf"])
    listing = client.get("/sop-organisasi/").content.decode()
    first = REGISTRY[0]
    step = first.steps[1]
    WaktuOverride.objects.create(organisation=bengkulu.organisation, sop=first.code, step_number=step.number,
                                 amount=step.waktu_amount + 7, unit=step.waktu_unit)
    for sop in REGISTRY:
        assert f'href="/sop-bawaan/{sop.code}/"' in listing
        page = client.get(f"/sop-bawaan/{sop.code}/").content.decode()
        assert sop.name in page and all(item.kegiatan in page for item in sop.steps)
        document = client.get(f"/sop-bawaan/{sop.code}/dokumen-sop.pdf")
        assert document.status_code == 200 and document.content[:5] == b"%PDF-"
        assert client.get(f"/sop-bawaan/{sop.code}/ekspor.xlsx").status_code == 200
    page = client.get(f"/sop-bawaan/{first.code}/").content.decode()
    assert f"{step.waktu_amount + 7} {step.waktu_unit}" in page and "disesuaikan organisasi" in page
    # Sumatera Barat keeps the SOP's own Waktu; unknown codes and users without an officer get 404.
    other = client_for(sumbar["staf"]).get(f"/sop-bawaan/{first.code}/").content.decode()
    assert f"{step.waktu_amount + 7} {step.waktu_unit}" not in other
    assert client.get("/sop-bawaan/ZZ/").status_code == 404
