"""The semester book (Laporan Data Kependudukan) as the office prints and signs it: the signer from
the organisation's data, the added tables (disability, birth certificates 0-17, single years,
kecamatan with kab/kota subtotals, growth against the previous semester), the Sumber lines, no
cut labels and no dotted placeholders; and step 6 refusing to sign while the NIP is missing."""

import io
import re
import subprocess

import pytest
from pypdf import PdfReader
from viewflow.workflow.status import STATUS

from workflows.dkb.aggregate import aggregate_file
from workflows.dkb.generator import write_dkb
from workflows.models import AuditEvent, Officer, SignedDocument
from workflows.sops.population import report as population
from workflows.sops.population.models import DraftSubmission, FinalReport

from .conftest import KADIS_NIP, client_for, do_step, open_task, run_worker, task_url
from .test_population_flow import SIGN, advance_to_approval
from .test_reports import bengkulu_org

HEAD_NIP = "197001011995031001"  # bengkulu_org()'s head (synthetic)


def pdftotext(content):
    """The text as poppler's pdftotext extracts it (layout kept), one string per page."""
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode("utf-8").split("\f")


@pytest.fixture(scope="module")
def semesters(tmp_path_factory):
    """Two semesters of the same synthetic Bengkulu population, the second a little larger."""
    folder = tmp_path_factory.mktemp("book")
    earlier, later = folder / "s2-2024.csv", folder / "s1-2025.csv"
    write_dkb(earlier, province="17", rows=4000, seed=5)
    write_dkb(later, province="17", rows=4400, seed=5)
    before = aggregate_file(earlier, cutoff="2024-12-31", province="17").as_dict()
    now = aggregate_file(later, cutoff="2025-06-30", province="17").as_dict()
    return before, now


@pytest.fixture(scope="module")
def book(semesters):
    from workflows.models import SopProcess

    before, now = semesters
    process = SopProcess(organisation=bengkulu_org(), sop="A", year=2025, period_type="semester", period_number=1)
    with_growth = population.render_population_report(process, now, final=True, previous=before)
    without = population.render_population_report(process, now, final=True)
    return pdftotext(with_growth), pdftotext(without), now, before


def page_with(pages, heading):
    """The first page after the table of contents (whose leaders are dots) that has ``heading``."""
    found = [page for page in pages if heading in page and "......" not in page]
    assert found, f"no page has {heading!r}"
    return found[0]


def test_the_approval_page_prints_the_heads_position_name_and_nip(book):
    pages, _without, _now, _before = book
    approval = pages[1]
    assert "LEMBAR PENGESAHAN" in approval
    assert "Kepala Dinas Kependudukan dan Pencatatan Sipil" in approval
    assert "Dr. Contoh Pejabat, M.Si." in approval and f"NIP. {HEAD_NIP}" in approval


def test_no_dotted_placeholder_and_no_cut_label_anywhere(book):
    for pages in book[:2]:
        text = "\f".join(pages)
        assert "…" not in text
        # Dots only as the table of contents' leaders to its page numbers.
        assert "..." not in "\f".join(page for page in pages if "DAFTAR ISI" not in page)
        # The longest religion label is printed whole (it wraps instead of being cut).
        assert "YME/Lainnya" in re.sub(r"\s+", "", text)


def test_disability_table_counts_every_person_with_a_disability(book):
    pages, _without, now, _before = book
    page = page_with(pages, "Penyandang disabilitas menurut jenis dan kabupaten/kota")
    for label in ("Cacat", "Netra/Buta", "Rungu/Wicara", "Mental/Jiwa"):
        assert label in page
    disabled = sum(row["jumlah"] for row in now["extra_tables"]["disabilitas"])
    assert disabled > 0
    province_line = next(line for line in page.splitlines() if line.strip().startswith("17 ") and "Provinsi" in line)
    assert _dotted(disabled) in province_line.split()


def _dotted(value):
    return f"{value:,}".replace(",", ".")


def test_birth_certificates_for_all_ages_and_for_ages_0_to_17(book):
    pages, _without, now, _before = book
    everyone = page_with(pages, "Kepemilikan akta kelahiran, semua umur")
    children = page_with(pages, "Kepemilikan akta kelahiran penduduk umur 0–17 tahun")
    owners = sum(row["jumlah"] for row in now["extra_tables"]["akta_lahir_anak"] if row["kategori"] == 2)
    child_total = sum(row["jumlah"] for row in now["extra_tables"]["akta_lahir_anak"])
    assert 0 < child_total < now["rows"]["used"]
    text = children[children.index("Kepemilikan akta kelahiran penduduk umur 0–17 tahun"):]
    province_line = next(line for line in text.splitlines() if "Provinsi" in line)
    assert _dotted(child_total) in province_line.split() and _dotted(owners) in province_line.split()
    assert "Sumber: DKB/DWH Ditjen Dukcapil Kemendagri, posisi 30 Juni 2025" in everyone


def test_single_year_ages_run_from_0_to_74_and_75_plus(book, semesters):
    pages, _without, now, _before = book
    years = now["extra_tables"]["umur_tunggal"]
    assert [row["kategori"] for row in years] == [str(age) for age in range(75)] + ["75+"]
    assert sum(row["jumlah"] for row in years) == now["rows"]["used"]
    assert "Penduduk provinsi menurut umur tunggal" in "\f".join(pages)


def test_the_kecamatan_annex_has_kab_kota_subtotals_and_the_province_total(book):
    pages, _without, now, _before = book
    text = "\f".join(pages)
    annex = text[text.index("LAMPIRAN. TABEL DATA AGREGAT KECAMATAN"):]
    for row in now["tables"]["penduduk"]:
        name = now["regions"][row["kode"]]
        line = next(line for line in annex.splitlines() if f"Jumlah {name}" in line)
        assert _dotted(row["jumlah"]) in line.split(), line
    total = sum(row["jumlah"] for row in now["tables"]["penduduk"])
    assert any("Provinsi Bengkulu" in line and _dotted(total) in line.split() for line in annex.splitlines())


def test_continuation_pages_name_their_table_with_lanjutan(book):
    pages, _without, _now, _before = book
    continued = [page for page in pages if "(lanjutan)" in page]
    assert continued
    assert any("Tabel L.1. Penduduk, kepala keluarga dan wajib KTP menurut kecamatan (lanjutan)" in page
               for page in continued)


def test_growth_table_only_when_the_previous_semester_exists(book):
    pages, without, now, before = book
    heading = "Pertambahan penduduk dan kepala keluarga dibanding semester sebelumnya"
    page = page_with(pages, heading)
    page = page[page.index(heading):]
    grown = sum(r["jumlah"] for r in now["tables"]["penduduk"]) - sum(r["jumlah"] for r in before["tables"]["penduduk"])
    share = grown * 100 / sum(r["jumlah"] for r in before["tables"]["penduduk"])
    province_line = next(line for line in page.splitlines() if line.strip().startswith("17 ") and "Provinsi" in line)
    assert f"+{_dotted(grown)}" in province_line and f"+{share:.1f}%".replace(".", ",") in province_line
    assert "posisi 31 Desember 2024 dan 30 Juni 2025" in page
    text = "\f".join(without)
    assert "Pertambahan penduduk dan kepala keluarga" not in text
    assert "Tabel pertambahan penduduk tidak disajikan" in text


def test_chapters_and_the_area_source(book):
    pages, _without, _now, _before = book
    text = "\f".join(pages)
    for heading in ("BAB I. PENDAHULUAN", "A. Latar Belakang", "B. Dasar Hukum", "C. Maksud dan Tujuan",
                    "BAB II. GAMBARAN UMUM", "BAB III. TABEL DATA AGREGAT", "BAB V. PENUTUP"):
        assert heading in text
    assert "Undang-Undang Nomor 24 Tahun 2013 tentang Administrasi Kependudukan" in text  # the SOP's Dasar Hukum
    overview = page_with(pages, "BAB II. GAMBARAN UMUM")
    assert "20.122,21 km²" in overview  # Bengkulu's area from the shipped BIG table
    assert "B-16.10/DIGD-BIG/IGD.04.04/12/2024" in re.sub(r"\s+", "", text).replace("Surat", "")


# Over HTTP: the book the Kadis signs --------------------------------------------------------

def test_signing_is_refused_with_the_reason_while_the_nip_is_missing(bengkulu, dkb_file):
    org = bengkulu
    Officer.objects.filter(user=org["kadis"]).update(nip="")
    process = advance_to_approval(org, dkb_file)
    run_worker()
    task = open_task(process, "approve")
    client = client_for(org["kadis"])
    client.post(task_url(process, task, "assign"))
    page = client.get(task_url(process, task, "execute")).content.decode()
    assert "NIP" in page and "belum tercatat" in page  # said before a passphrase is typed

    response = client.post(task_url(process, task, "execute"), SIGN)
    assert response.status_code == 200
    assert "Laporan belum dapat ditandatangani: NIP Kepala Dinas belum tercatat" in response.content.decode()
    assert not SignedDocument.objects.exists()
    assert open_task(process, "approve").status == STATUS.ASSIGNED
    assert AuditEvent.objects.filter(process_id=process.pk, action=AuditEvent.Action.SIGN_FAILED).exists()

    # The admin fills the NIP in: the same step now signs, and the book prints it.
    Officer.objects.filter(user=org["kadis"]).update(nip="198001012005011003")
    do_step(org["kadis"], process, "approve", SIGN)
    document = SignedDocument.objects.get()
    pdf = client_for(org["kabid"]).get(f"/berkas/{process.pk}/dokumen/{document.pk}.pdf")
    approval = PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages[1].extract_text()
    assert "NIP. 198001012005011003" in approval and "…" not in approval


def test_the_worker_prints_the_head_from_organisation_data_and_the_growth_of_the_previous_semester(
        bengkulu, dkb_file):
    from .test_population_flow import sign_print_and_distribute, start_population, form_team, process_dkb

    org = bengkulu
    organisation = org.organisation
    organisation.head_name, organisation.head_nip = "Ir. Kepala Uji, M.T.", "196901011990031004"
    organisation.save()
    # Semester II 2024 first, then Semester I 2025 of the same organisation.
    earlier = start_population(org["kadis"], year=2024, semester=2)
    form_team(org, earlier)
    from .conftest import upload_dkb
    upload_dkb(org["tim"], earlier, dkb_file, cutoff="2024-12-31")
    do_step(org["tim"], earlier, "process_data", {"notes": "S2 2024."})
    assert DraftSubmission.objects.previous_semester_result(earlier) is None

    process = advance_to_approval(org, dkb_file)
    assert DraftSubmission.objects.previous_semester_result(process) is not None
    run_worker()
    report = FinalReport.objects.get(process=process)
    assert report.signer == {"title": organisation.head_title, "name": "Ir. Kepala Uji, M.T.",
                             "nip": "196901011990031004", "acting": False}
    pages = pdftotext(report.read())
    assert "NIP. 196901011990031004" in pages[1]
    assert "Pertambahan penduduk dan kepala keluarga dibanding semester sebelumnya" in "\f".join(pages)
    assert KADIS_NIP["bkl"] not in pages[1]  # the organisation's head data wins over the officer's


# The desa/kelurahan annex -------------------------------------------------------------------

VILLAGE_ANNEX = "LAMPIRAN: JUMLAH PENDUDUK PER DESA/"  # the heading wraps after the slash


def _village_annex_lines(pages):
    text = "\f".join(pages)
    return text[text.index(VILLAGE_ANNEX):].splitlines()


def _heading_above(lines, index):
    """The nearest group heading ("<kab/kota> — Kecamatan <name>") above line ``index``."""
    return next(line for line in reversed(lines[:index]) if " — Kecamatan " in line)


def test_the_desa_annex_names_each_desa_from_the_kemendagri_table_under_its_kecamatan(book):
    from workflows.dkb import regions

    pages, _without, now, _before = book
    lines = _village_annex_lines(pages)
    villages = now["extra_tables"]["penduduk_desa"]
    assert len(villages) > 500  # about 1,250 synthetic households over Bengkulu's 1,513 desa/kelurahan
    assert all(row["kode"] in regions.villages() for row in villages)  # the generator draws real codes
    # One desa of every kecamatan: its row (code, name from the table, total) under its kecamatan.
    first_of_district = {}
    for row in villages:
        first_of_district.setdefault(row["kode"][:8], row)
    assert len(first_of_district) == len(now["kecamatan_tables"]["penduduk"])
    for district, row in first_of_district.items():
        index = next(i for i, line in enumerate(lines) if line.split()[:1] == [row["kode"]])
        line = lines[index]
        assert regions.village_name(row["kode"]) in line, line
        assert _dotted(row["jumlah"]) in line.split(), line
        heading = _heading_above(lines, index)
        assert f"Kecamatan {now['regions'][district]}" in heading, (heading, line)
        assert now["regions"][district[:5]] in heading, (heading, line)
    total = sum(row["jumlah"] for row in villages)
    assert any("Provinsi Bengkulu" in line and _dotted(total) in line.split() for line in lines)
    assert any("Sumber: DKB/DWH Ditjen Dukcapil Kemendagri" in line for line in lines)
    assert any("Jumlah Penduduk per Desa/Kelurahan (lanjutan)" in page for page in pages)


def _rewrite_desa_codes(source, target, change):
    """Copy a synthetic CSV extract, passing every data row's fields to ``change`` (NO_KEL is last)."""
    with open(source, encoding="utf-8") as handle:
        header, *rows = handle.read().splitlines()
    with open(target, "w", encoding="utf-8") as handle:
        handle.write("\n".join([header] + [",".join(change(index, row.split(","))) for index, row in
                                           enumerate(rows)]) + "\n")


def test_an_unknown_desa_code_is_printed_with_its_code_and_marked(tmp_path):
    from workflows.dkb import regions
    from workflows.models import SopProcess

    extract, edited = tmp_path / "dkb.csv", tmp_path / "dkb-unknown.csv"
    write_dkb(extract, province="17", rows=300, seed=11)

    def unknown_in_first_row(index, fields):
        if index == 0:
            fields[-1] = "2999"
        return fields

    _rewrite_desa_codes(extract, edited, unknown_in_first_row)
    result = aggregate_file(edited, cutoff="2025-06-30", province="17").as_dict()
    unknown = next(row["kode"] for row in result["extra_tables"]["penduduk_desa"] if row["kode"].endswith(".2999"))
    assert unknown not in regions.villages()
    process = SopProcess(organisation=bengkulu_org(), sop="A", year=2025, period_type="semester", period_number=1)
    lines = _village_annex_lines(pdftotext(population.render_population_report(process, result, final=True)))
    line = next(line for line in lines if line.split()[:1] == [unknown])
    assert "(kode tidak dikenal)" in line
    assert f"Kecamatan {result['regions'][unknown[:8]]}" in _heading_above(lines, lines.index(line))
    assert sum("(kode tidak dikenal)" in other for other in lines) == 1


def test_no_desa_annex_when_the_extract_has_no_desa_codes(tmp_path):
    from workflows.models import SopProcess

    extract, edited = tmp_path / "dkb.csv", tmp_path / "dkb-no-desa.csv"
    write_dkb(extract, province="17", rows=300, seed=11)
    _rewrite_desa_codes(extract, edited, lambda index, fields: fields[:-1] + [""])
    result = aggregate_file(edited, cutoff="2025-06-30", province="17").as_dict()
    assert result["extra_tables"]["penduduk_desa"] == []
    process = SopProcess(organisation=bengkulu_org(), sop="A", year=2025, period_type="semester", period_number=1)
    text = "\f".join(pdftotext(population.render_population_report(process, result, final=True)))
    assert "Desa/Kelurahan" not in text.split("LAMPIRAN. TABEL DATA AGREGAT KECAMATAN")[-1]
    assert VILLAGE_ANNEX not in text and "Lampiran: Jumlah Penduduk per Desa/Kelurahan" not in text


def test_the_shipped_desa_table_covers_every_kecamatan_and_the_generator_draws_from_it():
    from workflows.dkb import regions
    from workflows.dkb.generator import generate_columns

    villages = regions.villages()
    for province, expected in (("13", 1265), ("17", 1513)):  # Kepmendagri 300.2.2-2138/2025
        mine = [code for code in villages if code.startswith(province + ".")]
        assert len(mine) == expected
        districts = {d.code for regency in regions.regencies(province) for d in regions.districts(regency.code)}
        assert {villages[code].district for code in mine} == districts
        assert all(code.startswith(villages[code].district + ".") for code in mine)
        columns = generate_columns(province, rows=3000, seed=2)
        drawn = {regions.village_code(province, kab, kec, kel)
                 for kab, kec, kel in zip(columns["NO_KAB"], columns["NO_KEC"], columns["NO_KEL"])}
        assert drawn <= set(mine)
    assert regions.village_name("13.71.01.1001") == "Belakang Pondok"
    assert regions.village_name("17.71.09.1006") == "Lingkar Timur"
