"""The SOP document (Permenpan RB 35/2012 layout): text, flowchart symbols, pages, command, download."""

import io
import re
from pathlib import Path
from dataclasses import replace

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from workflows.catalogue import SOPS
from workflows.models import AuditEvent, Organisation
from workflows.reports.sop_document import flowchart_pages, render_sop_document, review_returns, sop_document
from workflows.roles import Role
from workflows.sops.spec import Step, WaktuUnit

from .conftest import client_for, start_population, start_utilization

HEAD_NAME = "Kepala Contoh Dokumen"
HEAD_NIP = "19700101 199501 1 001"
HEAD_TITLE = "Kepala Dinas Contoh Pengesahan"


def squeeze(text):
    return re.sub(r"\s+", "", text)


def pdf_pages(pdf):
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def organisation():
    return Organisation(name="Dinas Kependudukan dan Pencatatan Sipil Provinsi Bengkulu", short_name="BKL",
                        province_code="17", province_name="Bengkulu", head_name=HEAD_NAME, head_nip=HEAD_NIP,
                        head_title=HEAD_TITLE)


def svgs(sop, **kwargs):
    return [page["svg"] for page in flowchart_pages(sop, **kwargs)[1]]


@pytest.mark.parametrize("code", ["A", "B"])
def test_document_text_holds_identity_steps_and_the_head_of_the_organisation(code):
    sop = SOPS[code]
    pages = pdf_pages(render_sop_document(sop, organisation()))
    text = squeeze(" ".join(pages))
    identity = sop.identity
    # Disahkan oleh: position, name and NIP are the organisation's, not the built-in SOP's text.
    for value in [identity.nama.upper(), HEAD_TITLE, HEAD_NAME, HEAD_NIP,
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
    # The forward connectors (a return that crosses a break has its own pair, see below).
    forward = r'class="offpage" data-letter="([A-Z]+)" data-kind="forward"'
    for before, after in zip(pages, pages[1:]):
        out_letter = re.findall(forward, before)[-1]
        in_letter = re.findall(forward, after)[0]
        assert out_letter == in_letter
    letters = [re.findall(forward, page) for page in pages]
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


# --- the document against the seed, the real layout, and a long authored SOP -------------------

SEED_A = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_09096938b9a75ca2.txt"
# The seed's README reads each step's Pelaksana from its verbs (the PDF lost the swimlane marks).
SEED_A_ACTORS = {1: "Kepala Dinas", 2: "Kabid PIAK", 3: "Tim Pengolahan dan Penyajian Data",
                 4: "Kasi Pengolahan dan Penyajian Data", 5: "Kabid PIAK", 6: "Kepala Dinas", 7: "Kabid PIAK",
                 8: "Kasi Pengolahan dan Penyajian Data", 9: "Administrasi Database (ADB)"}
WAKTU = re.compile(r"^\d+ (menit|jam|hari)$", re.IGNORECASE)


def seed_a_prosedur():
    """The seed's Prosedur table: its Pelaksana columns and, per step, Kegiatan, Waktu and Output."""
    if not SEED_A.is_file():
        pytest.skip("the seed files (shared/seeds) are not beside this checkout")
    columns, steps = [], {}
    for line in SEED_A.read_text(encoding="utf-8").splitlines():
        fields = [field.strip() for field in line.split("\t")]
        if fields[:2] == ["No.", "Uraian Prosedur"]:
            columns = fields[2:fields.index("Persyaratan")]
        elif len(fields) > 2 and fields[0].isdigit() and len(fields[1]) > 20:
            rest = [field for field in fields[2:] if field]
            at = next(i for i, field in enumerate(rest) if WAKTU.match(field))
            steps[int(fields[0])] = {"kegiatan": fields[1], "waktu": rest[at], "output": rest[at + 1]}
    return columns, steps


def lane_of(markup, number, lane_width):
    """The Pelaksana column a step's symbol is drawn in."""
    match = re.search(rf'class="(?:process|terminator|decision)" data-step="{number}" '
                      rf'(?:x="([\d.]+)"[^>]*width="([\d.]+)"|points="([\d.]+),[\d.]+)', markup)
    centre = float(match[1]) + float(match[2]) / 2 if match[1] else float(match[3])
    return int(centre // lane_width)


def test_sop_a_prosedur_prints_the_seeds_kegiatan_pelaksana_waktu_and_output():
    sop = SOPS["A"]
    seed_columns, seed_steps = seed_a_prosedur()
    assert sorted(seed_steps) == [step.number for step in sop.steps]
    document = sop_document(sop, organisation())
    texts = [page.extract_text() or "" for page in PdfReader(io.BytesIO(document.write_pdf())).pages]
    prosedur = squeeze(" ".join(texts[1:]))
    columns, pages = flowchart_pages(sop)
    # One column per Pelaksana, in the seed's order, each printed in the header.
    assert columns == seed_columns
    for column in seed_columns:
        assert squeeze(column) in prosedur, column
    markup = "".join(page["svg"] for page in pages)
    lane_width = float(re.search(r'width="([\d.]+)mm"', pages[0]["svg"])[1]) / len(columns)
    for number, seed in seed_steps.items():
        assert squeeze(seed["kegiatan"]) in prosedur, number
        assert squeeze(seed["output"]) in prosedur, number
        # The unit is a choice (menit/jam/hari), printed in lower case: the seed's "1 Jam" is "1 jam".
        assert squeeze(seed["waktu"]).lower() in prosedur.lower(), number
        assert squeeze(sop.step(number).waktu_label) in prosedur, number
        assert columns[lane_of(markup, number, lane_width)] == SEED_A_ACTORS[number], number
    # The seed's Keterangan column is empty: no generated "kembali ke langkah" text.
    assert "kembalikelangkah" not in prosedur.lower() and "Bilatidak" not in prosedur
    assert "…" not in "".join(texts)


@pytest.mark.parametrize("code", ["A", "B"])
def test_identity_page_has_the_seeds_rows_only_and_a_revision_says_its_version(code):
    sop = SOPS[code]
    first = squeeze(pdf_pages(render_sop_document(sop, organisation()))[0])
    labels = ["Nomor SOP", "Tanggal Pembuatan", "Tanggal Revisi", "Tanggal Efektif", "Disahkan oleh",
              "Nama SOP"]
    positions = [first.index(squeeze(label)) for label in labels]
    assert positions == sorted(positions)
    assert "Versi" not in first and "Kode" not in first
    revised = squeeze(pdf_pages(render_sop_document(sop, organisation(), version=3))[0])
    assert "(versi3)" in revised


def authored_steps(count=25):
    """A long synthetic SOP: six Pelaksana, three pemeriksaan (one sent back across pages)."""
    positions = ["operator-layanan", "kasi", "staf", "kabid", "sekretariat", "kadis"]
    reviews = {7: 5, 14: 12, 20: 9}
    steps = []
    for number in range(1, count + 1):
        kind = "pemeriksaan" if number in reviews else ("perintah" if number % 4 == 1 else "isian")
        position = {7: "kasi", 14: "kabid", 20: "kadis"}.get(number, positions[(number * 5) % 6])
        then = ("dan mengembalikan berkas yang belum sesuai untuk diperbaiki" if number in reviews
                else "lalu meneruskan berkas kepada pelaksana berikutnya")
        kegiatan = (f"Langkah {number}: menerima berkas hasil langkah sebelumnya, memeriksa kelengkapan "
                    f"dan kebenaran isinya terhadap daftar periksa, mencatat hasilnya pada buku kendali "
                    f"{then}"
                    + (" sesuai ketentuan yang berlaku di lingkungan dinas" if number % 3 == 0 else ""))
        steps.append((number, kind, position, kegiatan, f"Berkas langkah {number - 1}, daftar periksa",
                      15 * (number % 4 + 1), "menit", f"Berkas langkah {number} yang telah diperiksa",
                      reviews.get(number)))
    return steps, reviews


def long_authored_sop(org, author):
    from .authored_sop import make_authored_sop

    steps, reviews = authored_steps()
    definition, version = make_authored_sop(org, author, code="PANJANG", nomor="800/25/SOP-PJG/2026",
                                            publish=False, steps=steps)
    version.steps.filter(number__in=[3, 14]).update(keterangan="Paling lambat hari kerja berikutnya")
    version.publish(author)
    return version.as_sop(), reviews


def connectors(markup):
    return re.findall(r'class="offpage" data-letter="([A-Z]+)" data-kind="(\w+)" data-side="(\w+)"', markup)


def test_a_long_authored_sop_breaks_across_pages_with_matching_connectors_and_its_rows_real_heights(bengkulu):
    sop, reviews = long_authored_sop(bengkulu, bengkulu.users[Role.KADIS])
    assert review_returns(sop) == reviews
    columns, pages = flowchart_pages(sop)
    assert len(columns) == 6 and len(pages) >= 3
    assert assert_labels_clear(columns, pages) == 2 * len(reviews)
    markup = [page["svg"] for page in pages]
    # Every connector letter is one pair: "out" on one page, "in" on the page the flow goes on.
    seen = {}
    for index, svg in enumerate(markup):
        for text, kind, side in connectors(svg):
            seen.setdefault(text, []).append((index, kind, side))
    assert seen
    page_of = {row.step.number: index for index, page in enumerate(pages) for row in page["rows"]}
    crossing = [n for n, target in reviews.items() if page_of[n] != page_of[target]]
    assert crossing, "the test SOP should send a return back across a page break"
    assert len(seen) == len(pages) - 1 + len(crossing)
    for text, places in seen.items():
        assert sorted(side for _i, _k, side in places) == ["in", "out"], text
        kind = places[0][1]
        out_page = next(i for i, _k, side in places if side == "out")
        in_page = next(i for i, _k, side in places if side == "in")
        assert in_page == out_page + 1 if kind == "forward" else in_page < out_page, text
    for number, target in reviews.items():
        assert f'class="decision" data-step="{number}"' in "".join(markup)
        assert f'class="return" data-from="{number}" data-to="{target}"' in "".join(markup)
    # The PDF: one printed page per Prosedur page, every row where the drawing put it.
    document = sop_document(sop, bengkulu.organisation, code="PANJANG")
    assert_drawing_follows_the_printed_rows(document, sop)
    texts = [page.extract_text() or "" for page in PdfReader(io.BytesIO(document.write_pdf())).pages]
    assert len(texts) == 1 + len(pages)
    for text in texts[1:]:
        assert "Kegiatan" in text and "Mutu Baku" in text and "Keterangan" in text
    prosedur = squeeze(" ".join(texts[1:]))
    for step in sop.steps:
        assert squeeze(step.kegiatan) in prosedur and squeeze(step.actor_label) in prosedur, step.number
    assert prosedur.count(squeeze("Paling lambat hari kerja berikutnya")) == 2
    assert "kembalikelangkah" not in prosedur.lower() and "…" not in "".join(texts)


def assert_drawing_follows_the_printed_rows(document, sop):
    """Each printed row is where the flowchart drew it, and each symbol lies inside its row."""
    from workflows.reports.sop_document import prosedur_page_spans, row_boxes

    spans = prosedur_page_spans(document)
    assert all(len(printed) == 1 for printed in spans.values()), spans
    rows, charts = row_boxes(document)
    columns, pages = flowchart_pages(sop)
    assert len(charts) == len(pages)
    for index, page in enumerate(pages):
        chart_page, chart_top = charts[index]
        for row in page["rows"]:
            printed_page, top, height = rows[row.step.number]
            assert printed_page == chart_page, row.step.number
            assert abs((top - chart_top) - row.top) < 0.4, (row.step.number, top - chart_top, row.top)
            assert abs(height - row.height) < 0.4, (row.step.number, height, row.height)
            # The symbol's vertical extent, from the markup, inside the printed row.
            shape = re.search(rf'data-step="{row.step.number}" (?:x="[\d.]+" y="([\d.]+)"[^>]*'
                              rf'height="([\d.]+)"|points="([^"]+)")', page["svg"])
            if shape[1]:
                y1, y2 = float(shape[1]), float(shape[1]) + float(shape[2])
            else:
                ys = [float(point.split(",")[1]) for point in shape[3].split()]
                y1, y2 = min(ys), max(ys)
            assert row.top < y1 and y2 < row.top + row.height, row.step.number


@pytest.mark.parametrize("code", ["A", "B"])
def test_built_in_drawings_follow_the_printed_rows(code):
    assert_drawing_follows_the_printed_rows(sop_document(SOPS[code], organisation()), SOPS[code])


def label_boxes(svg):
    """Every label's box, from an over-wide estimate of its text (DejaVu Sans is a wide face)."""
    boxes = []
    pattern = (r'<text class="label" x="([\d.]+)" y="([\d.]+)" font-size="([\d.]+)" text-anchor="(\w+)"'
               r'[^>]*>([^<]+)<')
    for x, y, size, anchor, text in re.findall(pattern, svg):
        x, y, size = float(x), float(y), float(size)
        width = 0.7 * size * len(text)
        left = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
        boxes.append((text, left, y - 0.75 * size, left + width, y + 0.25 * size))
    return boxes


def segments(svg):
    for points in re.findall(r'<polyline[^>]*points="([^"]+)"', svg):
        coords = [tuple(map(float, point.split(","))) for point in points.split()]
        yield from zip(coords, coords[1:])


def assert_labels_clear(columns, pages):
    """No "Ya"/"Tidak" label touches a line of the drawing or a border of the table; returns the count."""
    lane_width = float(re.search(r'width="([\d.]+)mm"', pages[0]["svg"])[1]) / len(columns)
    found = 0
    for page in pages:
        svg = page["svg"]
        lines = list(segments(svg))
        borders = [((k * lane_width, 0), (k * lane_width, 1000)) for k in range(1, len(columns))]
        borders += [((0, row.top), (1000, row.top)) for row in page["rows"][1:]]
        for text, x1, y1, x2, y2 in label_boxes(svg):
            found += 1
            assert 0 <= x1 and x2 <= lane_width * len(columns), (text, x1, x2)
            for (ax, ay), (bx, by) in lines + borders:
                # Lines are horizontal or vertical: they touch a box if they pass within 0.2 mm of it.
                crosses = (min(ax, bx) <= x2 + 0.2 and max(ax, bx) >= x1 - 0.2
                           and min(ay, by) <= y2 + 0.2 and max(ay, by) >= y1 - 0.2)
                assert not crosses, (text, (x1, y1, x2, y2), ((ax, ay), (bx, by)))
    return found


@pytest.mark.parametrize("code", ["A", "B", "long"])
def test_ya_and_tidak_labels_touch_no_line_and_no_column_border(code):
    returns = {10: 9, 20: 18, 22: 21} if code == "long" else None
    sop = long_sop() if code == "long" else SOPS[code]
    columns, pages = flowchart_pages(sop, returns=returns)
    assert assert_labels_clear(columns, pages) == 2 * len(returns or review_returns(sop))


def test_command_prints_an_authored_sops_published_versions(bengkulu, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from .authored_sop import make_authored_sop

    definition, version = make_authored_sop(bengkulu, bengkulu["kadis"])
    definition.open_draft(bengkulu["kadis"]).publish(bengkulu["kadis"])
    out = StringIO()
    target = tmp_path / "sop.pdf"
    call_command("sop_document", "ldk", "--organisation", "BKL", "--version", "1", "--out", str(target), stdout=out)
    assert "LDK versi 1" in out.getvalue() and target.read_bytes()[:5] == b"%PDF-"
    call_command("sop_document", "LDK", "--organisation", "BKL", "--out", str(target), stdout=out)
    assert "LDK versi 2" in out.getvalue()
    with pytest.raises(CommandError, match="versi terbit: 1, 2"):
        call_command("sop_document", "LDK", "--organisation", "BKL", "--version", "3", "--out", str(target))
    with pytest.raises(CommandError, match="tidak dikenal di BKL"):
        call_command("sop_document", "NOPE", "--organisation", "BKL", "--out", str(target))
