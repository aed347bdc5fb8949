"""The printed reports: right figures, Indonesian formats, page furniture, no personal data."""

import io
import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from pypdf import PdfReader

from workflows.sops.population.definition import SOP_A
from workflows.dkb.aggregate import aggregate_file
from workflows.dkb.generator import write_dkb
from workflows.models import Organisation, SopProcess
from workflows.reports import formatting, textgrid
from workflows.sops.population import report as population
from workflows.reports.control_sheet import render_control_sheet
from workflows.reports.pdf import MM, indonesian, render_document
from workflows.sops.population.report_tables import Table
from workflows.sops.utilization.report import render_lakip, render_utilization_report


def pages_text(pdf_bytes):
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf_bytes)).pages]


def bengkulu_org():
    return Organisation(
        name="Dinas Kependudukan dan Pencatatan Sipil Provinsi Bengkulu", short_name="Disdukcapil Bengkulu",
        province_code="17", province_name="Bengkulu", unit_name="Bidang PIAK",
        head_title="Kepala Dinas Kependudukan dan Pencatatan Sipil", head_name="Dr. Contoh Pejabat, M.Si.",
        head_nip="197001011995031001",
    )


@pytest.fixture(scope="module")
def semester(tmp_path_factory):
    path = tmp_path_factory.mktemp("dkb") / "dkb.csv"
    write_dkb(path, province="17", rows=3000, seed=11)
    # Two hand-made faults on synthetic rows, so the quality note has something to report.
    lines = path.read_text(encoding="utf-8").splitlines()
    broken = lines[5].split(",")
    broken[3] = "9"  # JENIS_KLMIN out of range
    path.write_text("\n".join([*lines, lines[2], ",".join(broken)]) + "\n", encoding="utf-8")
    result = aggregate_file(path, cutoff="2025-06-30", province="17").as_dict()
    process = SopProcess(organisation=bengkulu_org(), sop="A", year=2025, period_type="semester", period_number=1)
    return process, result


@pytest.fixture(scope="module")
def final_report(semester):
    process, result = semester
    return population.render_population_report(process, result, final=True, approved_at=date(2025, 7, 21))


@pytest.fixture(scope="module")
def draft_report(semester):
    process, result = semester
    return population.render_population_report(process, result, final=False)


def test_numbers_and_dates_are_written_the_indonesian_way():
    assert formatting.number(1234567) == "1.234.567"
    assert formatting.number(104.316, 2) == "104,32"
    assert formatting.percent(71.7) == "71,70%"
    assert formatting.number(None) == formatting.DASH
    assert formatting.long_date(date(2025, 6, 30)) == "30 Juni 2025"
    assert formatting.long_date("2026-11-21") == "21 November 2026"
    moment = datetime(2025, 7, 1, 1, 30, tzinfo=timezone.utc)
    assert formatting.moment(moment, "Asia/Jakarta") == "1 Juli 2025 08.30"


def test_text_grid_pads_labels_left_and_numbers_right():
    table = Table("t", "Contoh", ["Kode", "Nama", "Jumlah penduduk"], [["17.01", "Kaur", "1.234"], ["17.02", "Lebong", "56"]],
                  label_columns=2)
    grid = textgrid.build(table)
    first, second = grid.blocks[0]["text"].splitlines()
    assert first.index("1.234") + len("1.234") == second.index("56") + len("56")
    assert first.index("Kaur") == second.index("Lebong")
    assert grid.landscape is False
    assert "penduduk" in grid.header


def test_final_report_carries_the_province_figures(semester, final_report):
    process, result = semester
    text = "\n".join(pages_text(final_report))
    total = sum(row["jumlah"] for row in result["tables"]["penduduk"])
    households = sum(row["jumlah_kk"] for row in result["tables"]["kk"])
    assert total > 1000
    assert formatting.number(total) in text and "." in formatting.number(total)
    assert formatting.number(households) in text
    assert "30 Juni 2025" in text  # the cut-off date
    assert "21 Juli 2025" in text  # the approval date
    assert "Semester I Tahun 2025" in text
    assert "Kota Bengkulu" in text and "Bengkulu Selatan" in text
    derived = result["derived"]["17"]
    assert formatting.number(derived["rasio_jenis_kelamin"], 2) in text


def test_every_page_after_the_cover_says_halaman_x_dari_y(final_report):
    pages = pages_text(final_report)
    count = len(pages)
    assert count > 20
    assert "Halaman" not in pages[0]  # the cover has no page furniture
    for number in (2, 3, count):
        assert f"Halaman {number} dari {count}" in pages[number - 1]


def test_table_of_contents_gives_real_page_numbers(final_report):
    pages = pages_text(final_report)
    # The table of contents runs over two pages: its heading's and the next (leaders of dots).
    start = next(index for index, text in enumerate(pages) if "DAFTAR ISI" in text)
    toc = "\n".join(pages[start:start + 2])
    match = re.search(r"Bab IV\. Catatan Kualitas Data\s*\.*\s*(\d+)", toc)
    assert match, toc[:500]
    assert "BAB IV. CATATAN KUALITAS DATA" in pages[int(match.group(1)) - 1]


def test_long_tables_repeat_their_header_on_every_page(final_report):
    pages = pages_text(final_report)
    annex = [text for text in pages if "Kabupaten Kaur" in text and "Kecamatan" in text]
    assert len(annex) >= 2
    assert all("Kode" in text for text in annex)


def test_quality_note_lists_the_rejected_rows(final_report):
    text = "\n".join(pages_text(final_report))
    assert "NIK ganda" in text
    assert "Kode jenis kelamin di luar rentang" in text
    assert "baris ditolak" in text


def test_report_holds_no_personal_data(final_report, draft_report):
    for pdf in (final_report, draft_report):
        text = "\n".join(pages_text(pdf))
        assert "WARGA SINTETIS" not in text
        assert not re.search(r"\b\d{16}\b", text)  # no NIK, no NO_KK


def test_draft_is_watermarked_and_final_is_not(final_report, draft_report):
    draft, final = "\n".join(pages_text(draft_report)), "\n".join(pages_text(final_report))
    assert "DRAF" in draft and "BELUM DISAHKAN" in draft
    assert "DRAF" not in final
    assert "Disahkan pada tanggal 21 Juli 2025" in final


def test_approval_page_reserves_the_signature_box_where_signers_put_it(semester):
    process, result = semester
    with indonesian():
        context = population.population_report_context(process, result, final=True, approved_at=date(2025, 7, 21))
        document = render_document("reports/population.html", context, title="t")
    page = document.pages[population.APPROVAL_PAGE_INDEX]
    px_to_mm = 25.4 / 96
    x1, y1, x2, y2 = (value * px_to_mm for value in page.anchors["tte-slot"])
    left, top, width, height = population.SIGNATURE_BOX_MM
    assert abs(x1 - left) < 0.5 and abs(y1 - top) < 0.5
    assert abs(x2 - x1 - width) < 0.5 and abs(y2 - y1 - height) < 0.5
    x1, y1, x2, y2 = population.SIGNATURE_PLACEMENT["box"]
    assert round(x1 / MM) == left and round((x2 - x1) / MM) == population.SIGNATURE_BOX_MM[2]


def test_logo_setting_replaces_the_shipped_emblem(settings, tmp_path, semester):
    from workflows.reports.pdf import logo_data_uri

    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4" cx="5" cy="5"/></svg>')
    settings.SOPFLOW_LOGO_PATH = str(logo)
    assert "circle" in __import__("base64").b64decode(logo_data_uri().split(",", 1)[1]).decode()
    settings.SOPFLOW_LOGO_PATH = str(tmp_path / "missing.png")
    assert "Lambang netral" in __import__("base64").b64decode(logo_data_uri().split(",", 1)[1]).decode()


def sumbar_process(sop="B", **period):
    organisation = Organisation(name="Dinas Pengendalian Penduduk, KB, Dukcapil Provinsi Sumatera Barat",
                                short_name="DP2KBKPS", province_code="13", province_name="Sumatera Barat")
    return SopProcess(organisation=organisation, sop=sop, **{"year": 2026, "period_type": "triwulan",
                                                              "period_number": 2, **period})


FIGURES = {
    "per_opd": [{"opd": "Bappeda", "entries": 2, "uses": 1250}, {"opd": "Dinas Kesehatan", "entries": 3, "uses": 23456}],
    "per_type": [{"type": "data", "label": "Pemanfaatan Data Kependudukan", "opds": 1, "uses": 1250},
                 {"type": "nik", "label": "Pemanfaatan NIK", "opds": 1, "uses": 23456}],
    "opd_using": 2, "opd_total": 14, "share_percent": 14.29, "total_uses": 24706,
}
PREVIOUS = {
    "per_opd": [{"opd": "Bappeda", "entries": 1, "uses": 1000}],
    "per_type": [{"type": "data", "label": "Pemanfaatan Data Kependudukan", "opds": 1, "uses": 1000}],
    "opd_using": 1, "opd_total": 14, "share_percent": 7.14, "total_uses": 1000,
}


def test_utilization_report_compares_with_the_previous_period():
    pdf, _placement = render_utilization_report(sumbar_process(), FIGURES, PREVIOUS,
                                                "Pemanfaatan naik.\n\nBappeda tetap aktif.")
    pages = pages_text(pdf)
    text = "\n".join(pages)
    assert "Halaman 1 dari" in pages[0]
    assert "2 dari 14 OPD (14,3%)" in text and "14,29" not in text  # one decimal, as every SOP B percentage
    assert "24.706" in text and "23.456" in text
    assert "Triwulan I 2026" in text and "Triwulan II 2026" in text
    assert "+23.706" in text  # change in total uses
    assert "+7,2 poin" in text
    assert "Bappeda tetap aktif." in text


def test_utilization_report_without_previous_period_says_so():
    text = "\n".join(pages_text(render_utilization_report(sumbar_process(period_number=1), FIGURES, None, "")[0]))
    assert "Tahun 2025" not in text
    assert "Triwulan IV 2025" in text and "tidak tersedia" in text


def test_lakip_material_shows_target_realisation_and_achievement():
    lakip = {"indicator": "Persentase OPD yang memanfaatkan data kependudukan", "target": Decimal("20.00"),
             "realisation": Decimal("21.43"), "achievement": None, "analysis": "Capaian melampaui target."}
    text = "\n".join(pages_text(render_lakip(sumbar_process(), lakip)[0]))
    assert "20,0%" in text and "21,4%" in text and "107,2%" in text  # one decimal, rounded half up
    assert "Tercapai" in text and "Capaian melampaui target." in text


def test_control_sheet_lists_every_step_with_its_times():
    process = sumbar_process(sop="A", year=2025, period_type="semester", period_number=1)
    rows = [{"number": step.number, "title": str(step.title), "actor": step.actor_label,
             "start": datetime(2025, 7, 1, 1, 30, tzinfo=timezone.utc), "finish": "—", "standard": step.waktu_label,
             "actual": "1 jam 20 menit", "status": "Selesai tepat waktu", "returns": 2 if step.number == 4 else 0}
            for step in SOP_A.steps]
    pages = pages_text(render_control_sheet(process, rows, totals={"standard": "16 hari", "actual": "9 hari"}))
    text = "\n".join(pages)
    assert f"Halaman 1 dari {len(pages)}" in pages[0]
    assert "Lembar Kendali Mutu Baku" in text and "10.09.04.028" in text
    assert "1 Juli 2025 08.30" in text
    for step in SOP_A.steps:
        assert str(step.title) in text
    assert "7 hari" in text and "1 jam 20 menit" in text


def test_control_sheet_accepts_the_sla_engine_rows():
    process = sumbar_process(sop="A", year=2025, period_type="semester", period_number=1)
    rows = [{"step": step, "actors": "Tim2 BKL", "start": "2 Juli 2025 09.00", "finish": "—", "standard": "1 jam",
             "actual": "—", "status": None, "returns": 0} for step in SOP_A.steps]
    text = "\n".join(pages_text(render_control_sheet(process, rows)))
    assert "belum dimulai" in text and "Tim2 BKL" in text and "Kabid PIAK" in text


def test_a_final_report_rendered_before_signing_points_to_the_signature_for_its_date(semester):
    """The worker renders the final report after step 5, before anyone knows the signing day."""
    process, result = semester
    approval = pages_text(population.render_population_report(process, result, final=True))[population.APPROVAL_PAGE_INDEX]
    assert "Tanggal pengesahan: lihat tanda tangan" in approval
    assert "Belum disahkan" not in approval and "DRAF" not in approval
