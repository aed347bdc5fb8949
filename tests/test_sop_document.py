"""The SOP document (Permenpan RB 35/2012 layout): text, flowchart symbols, pages, command, download."""

import io
import re
from dataclasses import replace

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from workflows.catalogue import SOPS
from workflows.models import AuditEvent, Organisation
from workflows.reports.sop_document import flowchart_pages, render_sop_document, review_returns
from workflows.roles import Role
from workflows.sops.spec import Step, WaktuUnit

from .conftest import client_for, start_population, start_utilization

HEAD_NAME = "Kepala Contoh Dokumen"
HEAD_NIP = "19700101 199501 1 001"


def squeeze(text):
    return re.sub(r"\s+", "", text)


def pdf_pages(pdf):
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def organisation():
    return Organisation(name="Dinas Kependudukan dan Pencatatan Sipil Provinsi Bengkulu", short_name="BKL",
                        province_code="17", province_name="Bengkulu", head_name=HEAD_NAME, head_nip=HEAD_NIP)


def svgs(sop, **kwargs):
    return [page["svg"] for page in flowchart_pages(sop, **kwargs)[1]]


@pytest.mark.parametrize("code", ["A", "B"])
def test_document_text_holds_identity_steps_and_the_head_of_the_organisation(code):
    sop = SOPS[code]
    pages = pdf_pages(render_sop_document(sop, organisation()))
    text = squeeze(" ".join(pages))
    identity = sop.identity
    for value in [identity.nama.upper(), identity.disahkan_oleh, HEAD_NAME, HEAD_NIP,
                  *identity.dasar_hukum, *identity.kualifikasi_pelaksana, *identity.keterkaitan,
                  *identity.peralatan, identity.peringatan, identity.pencatatan]:
        assert squeeze(value) in text, value
    if identity.nomor:
        assert squeeze(identity.nomor) in text
    for label in ["Nomor SOP", "Tanggal Pembuatan", "Tanggal Revisi", "Tanggal Efektif", "Disahkan oleh",
                  "Nama SOP", "DASAR HUKUM", "KUALIFIKASI PELAKSANA", "KETERKAITAN", "PERALATAN/PERLENGKAPAN",
                  "PERINGATAN", "PENCATATAN DAN PENDATAAN", "Kegiatan", "Pelaksana", "Mutu Baku",
                  "Kelengkapan", "Waktu", "Output", "Keterangan"]:
        assert squeeze(label) in text, label
    prosedur = squeeze(" ".join(pages[1:]))
    for step in sop.steps:
        assert squeeze(step.kegiatan) in prosedur, step.number
        assert squeeze(step.waktu_label) in prosedur, step.number
        assert squeeze(step.output) in prosedur, step.number
        assert squeeze(step.actor_label) in prosedur, step.number
    assert "Halaman 1 dari" in pages[0]


def test_pelaksana_columns_follow_the_sop_document():
    columns, _pages = flowchart_pages(SOPS["B"])
    assert columns == ["Sekretariat", "Kabid", "Kasi KIP", "Staf"]
    columns, _pages = flowchart_pages(SOPS["A"])
    assert columns[:3] == ["Kepala Dinas", "Kabid PIAK", "Kasi Pengolahan dan Penyajian Data"]


@pytest.mark.parametrize("code, reviews", [("A", {4: 3, 5: 4, 6: 5}), ("B", {5: 3, 7: 6})])
def test_flowchart_has_one_diamond_per_review_step_and_a_return_arrow_to_its_target(code, reviews):
    sop = SOPS[code]
    assert review_returns(sop) == reviews
    markup = "".join(svgs(sop))
    diamonds = sorted(int(n) for n in re.findall(r'<polygon class="decision" data-step="(\d+)"', markup))
    assert diamonds == sorted(reviews)
    returns = {int(a): int(b) for a, b in re.findall(r'<g class="return" data-from="(\d+)" data-to="(\d+)"', markup)}
    assert returns == reviews
    assert markup.count(">Ya<") == len(reviews) and markup.count(">Tidak<") == len(reviews)
    first, last = sop.steps[0].number, sop.steps[-1].number
    assert f'class="terminator" data-step="{first}"' in markup
    assert f'class="terminator" data-step="{last}"' in markup or 'class="terminator" data-step="end"' in markup
    processes = re.findall(r'class="process" data-step="(\d+)"', markup)
    assert len(processes) == len(sop.steps) - len(reviews) - (2 if last not in reviews else 1)


def long_sop(count=25):
    base = SOPS["A"]
    actors = [(Role.KADIS, "Kepala Dinas"), (Role.KABID, "Kabid PIAK"), (Role.TIM, "Tim Pengolahan dan Penyajian Data")]
    steps = tuple(
        Step(number, f"node_{number}", f"Kegiatan nomor {number} yang dijalankan oleh pelaksana sesuai urutan.",
             actors[number % 3][0], actors[number % 3][1], "-", number, WaktuUnit.HOUR, f"Keluaran {number}")
        for number in range(1, count + 1)
    )
    return replace(base, code="X", steps=steps, package="", flow="", pelaksana=())


def test_a_long_table_breaks_across_pages_with_matching_off_page_connectors():
    sop = long_sop()
    pages = svgs(sop, returns={10: 9, 20: 18})
    assert len(pages) >= 2
    for before, after in zip(pages, pages[1:]):
        out_letter = re.findall(r'class="offpage" data-letter="([A-Z])"', before)[-1]
        in_letter = re.findall(r'class="offpage" data-letter="([A-Z])"', after)[0]
        assert out_letter == in_letter
    letters = [re.findall(r'data-letter="([A-Z])"', page) for page in pages]
    assert letters[0] == ["A"] and letters[1][0] == "A"
    pdf = render_sop_document(sop, organisation(), returns={10: 9, 20: 18})
    texts = pdf_pages(pdf)
    assert len(texts) == 1 + len(pages)
    prosedur = squeeze(" ".join(texts[1:]))
    for step in sop.steps:
        assert squeeze(step.kegiatan) in prosedur
    # Every Prosedur page repeats the header row.
    for text in texts[1:]:
        assert "Kegiatan" in text and "Mutu Baku" in text


def test_f4_paper_is_a_setting():
    pdf = render_sop_document(SOPS["A"], organisation(), paper="F4")
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 330 and round(float(box.height) / 72 * 25.4) == 215


def test_command_writes_the_pdf_and_refuses_unknown_sop_organisation_and_version(bengkulu, tmp_path):
    org = bengkulu.organisation
    org.head_name, org.head_nip = HEAD_NAME, HEAD_NIP
    org.save()
    out = tmp_path / "sop-a.pdf"
    call_command("sop_document", "a", "--organisation", org.short_name, "--version", "1", "--out", str(out))
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert HEAD_NIP in " ".join(pdf_pages(data))
    with pytest.raises(CommandError, match="SOP 'Z' tidak dikenal"):
        call_command("sop_document", "Z", "--organisation", org.short_name, "--out", str(out))
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("sop_document", "A", "--organisation", "Tidak Ada", "--out", str(out))
    with pytest.raises(CommandError, match="versi 2 tidak ada"):
        call_command("sop_document", "A", "--organisation", org.short_name, "--version", "2", "--out", str(out))
    with pytest.raises(CommandError, match="Ukuran kertas"):
        call_command("sop_document", "A", "--organisation", org.short_name, "--paper", "A3", "--out", str(out))


@pytest.mark.parametrize("start, code", [(start_population, "A"), (start_utilization, "B")])
def test_download_from_the_process_page_is_audited_and_stays_in_its_organisation(bengkulu, sumbar, start, code):
    org = bengkulu.organisation
    org.head_name, org.head_nip = HEAD_NAME, HEAD_NIP
    org.save()
    starter = bengkulu.users[Role.KADIS] if code == "A" else bengkulu.users[Role.KABID]
    process = start(starter)
    url = f"/berkas/{process.pk}/dokumen-sop.pdf"
    client = client_for(bengkulu.users[Role.STAF])
    page = client.get(f"/{SOPS[code].url_prefix}/{process.pk}/")
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = squeeze(" ".join(pdf_pages(response.content)))
    assert squeeze(HEAD_NAME) in text and squeeze(SOPS[code].steps[0].kegiatan) in text
    event = AuditEvent.objects.filter(process=process, action=AuditEvent.Action.DOWNLOAD).latest("pk")
    assert event.actor == bengkulu.users[Role.STAF] and "dokumen SOP" in event.detail
    downloads = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).count()
    assert client_for(sumbar.users[Role.KADIS]).get(url).status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).count() == downloads
