"""Authored SOPs of the demo organisations for ``manage.py seed_demo``, and one process of each.

The SOPs are the ones the two seed documents name in their *Keterkaitan*, written as an
organisation's SOP administrator would write them (Permenpan RB 35/2012 identity block and
Prosedur table) and published as version 1. ``seed_organisation`` adds the positions their
steps need beyond the built-in ones, with a demo officer holding each (login ``<org>.<code>``,
the demo password), and names the organisation's SOP administrator and organisation admin.

``seed_processes`` drives one process of each SOP through the interpreter's web views, as the
officers of its steps would (``command`` is the running seed_demo command: demo logins in
``client_for``, the step driver in ``do``/``open_task``). Text, numbers and letters are synthetic.

Both are idempotent: a SOP whose code (or Nomor) the organisation already uses is left alone, and
a SOP that already has a process gets no second one.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from workflows.catalogue import AUTHORED
from workflows.management.commands.seed_demo import DEMO_PASSWORD, ORGANISATIONS, demo_officer, username
from workflows.models import Officer, Position
from workflows.roles import Role

from .models import AuthoredProcess, SopDefinition, SopVersion, StepAttachment, VersionStep

# Who administers each demo organisation's own SOPs (writes, imports, publishes, retires them),
# and who may cancel, undo and revive tasks there: built-in demo officers (``<org>.<role>``).
SOP_ADMIN_ROLE = Role.SEKRETARIAT
ORG_ADMIN_ROLE = Role.KABID


@dataclass(frozen=True)
class DemoPosition:
    code: str  # also the demo login: <org>.<code>
    name: str
    parent: str  # the code of the position above
    label: str  # the demo officer's first name


OPERATOR = DemoPosition("operator", "Operator Layanan", Role.KASI, "Operator")
KASUBAG_UMUM = DemoPosition(
    "kasubag-umum", "Kepala Sub Bagian Umum dan Kepegawaian", Role.SEKRETARIAT, "Kasubag Umum"
)
PENGADMINISTRASI = DemoPosition("pengadministrasi", "Pengadministrasi Umum", "kasubag-umum", "Pengadministrasi")

POSITIONS = {
    "bkl": (OPERATOR, KASUBAG_UMUM, PENGADMINISTRASI),
    "sbr": (OPERATOR,),
}


@dataclass(frozen=True)
class DemoSop:
    """One SOP as its identity block and Prosedur table. ``steps`` rows: (kind, Pelaksana position
    code, Kegiatan, Kelengkapan, Waktu amount, Waktu unit, Output, return to step number)."""

    code: str
    nomor: str
    nama: str
    unit: str
    tanggal_pembuatan: date
    tanggal_efektif: date
    disahkan_oleh: str
    dasar_hukum: tuple
    kualifikasi_pelaksana: tuple
    keterkaitan: tuple
    peralatan: tuple
    peringatan: str
    pencatatan: str
    steps: tuple


ADMINDUK_LAW = (
    "Undang-Undang Nomor 23 Tahun 2006 tentang Administrasi Kependudukan sebagaimana telah diubah "
    "dengan Undang-Undang Nomor 24 Tahun 2013"
)
PDP_LAW = "Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi"
ADMINDUK_PP = (
    "Peraturan Pemerintah Nomor 40 Tahun 2019 tentang Pelaksanaan Undang-Undang Nomor 23 Tahun 2006 "
    "tentang Administrasi Kependudukan sebagaimana telah diubah dengan Undang-Undang Nomor 24 Tahun 2013"
)
ACCESS_REGULATION = (
    "Peraturan Menteri Dalam Negeri Nomor 102 Tahun 2019 tentang Pemberian Hak Akses dan Pemanfaatan "
    "Data Kependudukan sebagaimana telah diubah dengan Peraturan Menteri Dalam Negeri Nomor 17 Tahun 2023"
)
BENGKULU_ORGANISATION_REGULATION = (
    "Peraturan Gubernur Bengkulu Nomor 60 Tahun 2016 / Peraturan Gubernur Nomor 46 Tahun 2017 tentang "
    "Kedudukan, Susunan Organisasi, serta Tata Kerja Dinas Kependudukan dan Pencatatan Sipil"
)
BENGKULU_PIAK = "Bidang Pengelolaan Informasi Administrasi Kependudukan (PIAK)"
BENGKULU_HEAD = "Kepala Dinas Kependudukan dan Pencatatan Sipil"

LAYANAN_DATA_STEPS = (
    ("isian", "operator",
     "Menerima surat permohonan data dan informasi kependudukan dari instansi pemohon, memeriksa "
     "kelengkapan berkas dan mencatatnya dalam buku register layanan data",
     "Surat permohonan, formulir permohonan data, identitas petugas pemohon", 30, "menit",
     "Berkas permohonan lengkap dan tercatat", None),
    ("perintah", Role.KABID,
     "Menelaah permohonan dan mendisposisikan kepada Administrator Database untuk menyiapkan data "
     "sesuai kebutuhan pemohon",
     "Berkas permohonan, lembar disposisi", 1, "jam", "Lembar disposisi", None),
    ("isian", Role.ADB,
     "Menyiapkan data agregat kependudukan dari DKB sesuai permohonan dan menyusun konsep surat jawaban",
     "Lembar disposisi, DKB/DWH, aplikasi pengolah data", 1, "hari",
     "Tabel data agregat dan konsep surat jawaban", None),
    ("pemeriksaan", Role.KASI,
     "Memeriksa kesesuaian data dan konsep surat jawaban dengan permohonan; apabila belum sesuai, "
     "dikembalikan kepada Administrator Database untuk diperbaiki",
     "Tabel data agregat, konsep surat jawaban", 1, "jam", "Konsep surat jawaban yang telah diparaf", 3),
    ("penandatanganan", Role.KADIS,
     "Menandatangani surat jawaban secara elektronik",
     "Konsep surat jawaban yang telah diparaf", 1, "hari", "Surat jawaban bertanda tangan elektronik", None),
    ("pencatatan", "operator",
     "Mencatat nomor surat keluar dan menyerahkan surat jawaban beserta data kepada pemohon",
     "Surat jawaban, tabel data agregat, buku agenda surat keluar, tanda terima", 30, "menit",
     "Tanda terima penyerahan data", None),
)

LAYANAN_DATA = DemoSop(
    code="LAYANAN-DATA",
    nomor="10.09.04.031",
    nama="Layanan Data dan Informasi Kependudukan",
    unit=BENGKULU_PIAK,
    tanggal_pembuatan=date(2026, 9, 14),
    tanggal_efektif=date(2026, 10, 1),
    disahkan_oleh=BENGKULU_HEAD,
    dasar_hukum=(ADMINDUK_LAW, "Undang-Undang Nomor 14 Tahun 2008 tentang Keterbukaan Informasi Publik", PDP_LAW,
                 ACCESS_REGULATION, BENGKULU_ORGANISATION_REGULATION),
    kualifikasi_pelaksana=("S1/D3/SLTA", "Menguasai SIAK dan pengolahan data agregat",
                           "Memahami ketentuan pelindungan data pribadi"),
    keterkaitan=("SOP Pengelolaan Surat Masuk", "SOP Pengelolaan Surat Keluar",
                 "SOP Pengolahan dan Penyajian Data Kependudukan"),
    peralatan=("Komputer, Printer", "DKB, DWH", "Buku register layanan data"),
    peringatan="Apabila SOP tidak dilaksanakan, permohonan data tidak terlayani tepat waktu; data "
    "perseorangan hanya diberikan kepada instansi yang memiliki perjanjian kerja sama",
    pencatatan="Setiap permohonan dan penyerahan data dicatat dalam buku register layanan data dan "
    "diarsipkan bersama tanda terimanya",
    steps=LAYANAN_DATA_STEPS,
)

HAK_AKSES = DemoSop(
    code="HAK-AKSES-DB",
    nomor="10.09.04.032",
    nama="Pemberian Hak Akses Database Kependudukan",
    unit=BENGKULU_PIAK,
    tanggal_pembuatan=date(2026, 9, 14),
    tanggal_efektif=date(2026, 10, 1),
    disahkan_oleh=BENGKULU_HEAD,
    dasar_hukum=(ADMINDUK_LAW, PDP_LAW, ADMINDUK_PP, ACCESS_REGULATION, BENGKULU_ORGANISATION_REGULATION),
    kualifikasi_pelaksana=("S1/D3 Teknik Informatika atau sederajat", "Menguasai SIAK dan pengelolaan basis data",
                           "Memahami ketentuan pelindungan data pribadi"),
    keterkaitan=("SOP Pemberian Izin Pemanfaatan Data", "SOP Penandatanganan Naskah Perjanjian Kerjasama",
                 "SOP Pengendalian dan Pengamanan Pemanfaatan Data Kependudukan"),
    peralatan=("Komputer, Printer", "Aplikasi hak akses web portal dan web service",
               "Jaringan VPN, register hak akses"),
    peringatan="Apabila SOP tidak dilaksanakan, hak akses dapat diberikan di luar ruang lingkup perjanjian "
    "kerja sama dan data kependudukan berisiko disalahgunakan",
    pencatatan="Setiap akun yang diberikan, diubah atau dicabut dicatat dalam register hak akses beserta "
    "berita acara serah terimanya",
    steps=(
        ("isian", "operator",
         "Menerima surat permohonan hak akses dari perangkat daerah beserta salinan perjanjian kerja sama "
         "dan daftar calon pengguna, lalu memeriksa kelengkapannya",
         "Surat permohonan, salinan PKS yang masih berlaku, daftar calon pengguna, surat pernyataan "
         "menjaga kerahasiaan data", 30, "menit", "Berkas permohonan hak akses", None),
        ("perintah", Role.KABID,
         "Menelaah permohonan dan memerintahkan Administrator Database menyiapkan akun sesuai ruang lingkup "
         "perjanjian kerja sama",
         "Berkas permohonan hak akses", 1, "jam", "Lembar disposisi", None),
        ("isian", Role.ADB,
         "Membuat akun pengguna, mengatur hak akses web portal atau web service sesuai ruang lingkup data "
         "dalam perjanjian kerja sama dan menyusun konsep berita acara pemberian hak akses",
         "Lembar disposisi, salinan PKS, daftar calon pengguna", 1, "hari",
         "Akun hak akses dan konsep berita acara", None),
        ("pemeriksaan", Role.KASI,
         "Memeriksa kesesuaian hak akses yang dibuat dengan ruang lingkup perjanjian kerja sama; apabila "
         "tidak sesuai, dikembalikan kepada Administrator Database untuk diperbaiki",
         "Daftar akun, konsep berita acara", 2, "jam", "Hak akses yang telah diverifikasi", 3),
        ("perintah", Role.KABID,
         "Menyetujui pemberian hak akses dan memerintahkan Administrator Database menyerahkan akun kepada "
         "perangkat daerah pemohon",
         "Hak akses yang telah diverifikasi, berita acara", 30, "menit", "Persetujuan pemberian hak akses", None),
        ("pencatatan", Role.ADB,
         "Menyerahkan akun dan kata sandi awal kepada petugas pemohon secara tertutup dan mencatat berita "
         "acara serah terima dalam register hak akses",
         "Berita acara serah terima, register hak akses", 30, "menit",
         "Berita acara serah terima hak akses", None),
    ),
)

SURAT_MASUK = DemoSop(
    code="SURAT-MASUK",
    nomor="10.09.01.004",
    nama="Pengelolaan Surat Masuk",
    unit="Sekretariat, Sub Bagian Umum dan Kepegawaian",
    tanggal_pembuatan=date(2026, 9, 7),
    tanggal_efektif=date(2026, 10, 1),
    disahkan_oleh=BENGKULU_HEAD,
    dasar_hukum=(
        "Undang-Undang Nomor 43 Tahun 2009 tentang Kearsipan",
        "Peraturan Pemerintah Nomor 28 Tahun 2012 tentang Pelaksanaan Undang-Undang Nomor 43 Tahun 2009 "
        "tentang Kearsipan",
        "Peraturan Menteri Dalam Negeri Nomor 1 Tahun 2023 tentang Tata Naskah Dinas di Lingkungan "
        "Pemerintah Daerah",
        BENGKULU_ORGANISATION_REGULATION,
    ),
    kualifikasi_pelaksana=("SLTA/D3/S1", "Memahami tata naskah dinas", "Menguasai komputer"),
    keterkaitan=("SOP Pengelolaan Surat Keluar", "SOP Pengelolaan Arsip Dinamis"),
    peralatan=("Komputer, Printer, Pemindai", "Buku agenda surat masuk", "Lembar disposisi"),
    peringatan="Apabila SOP tidak dilaksanakan, surat masuk terlambat ditindaklanjuti atau hilang dan "
    "tidak dapat ditelusuri",
    pencatatan="Setiap surat masuk dicatat dalam buku agenda surat masuk dan diarsipkan bersama lembar "
    "disposisinya",
    steps=(
        ("isian", "pengadministrasi",
         "Menerima surat masuk, memeriksa alamat dan kelengkapannya, mencatat dalam buku agenda surat masuk, "
         "memindai surat dan melampirkan lembar disposisi",
         "Surat masuk, buku agenda surat masuk, lembar disposisi", 15, "menit",
         "Surat masuk tercatat dengan lembar disposisi", None),
        ("perintah", "kasubag-umum",
         "Meneliti surat masuk dan meneruskannya kepada Sekretaris untuk diajukan kepada Kepala Dinas",
         "Surat masuk, lembar disposisi", 30, "menit", "Surat masuk yang telah diteliti", None),
        ("perintah", Role.SEKRETARIAT,
         "Menelaah surat masuk dan mengajukannya kepada Kepala Dinas dengan saran tindak lanjut",
         "Surat masuk, lembar disposisi", 1, "jam", "Saran tindak lanjut", None),
        ("perintah", Role.KADIS,
         "Memberikan disposisi kepada Kepala Bidang yang berwenang untuk menindaklanjuti surat masuk",
         "Surat masuk, lembar disposisi", 1, "hari", "Disposisi Kepala Dinas", None),
        ("perintah", Role.KABID,
         "Meneruskan disposisi kepada Kepala Seksi yang berwenang dengan petunjuk tindak lanjut",
         "Surat masuk, disposisi Kepala Dinas", 1, "jam", "Disposisi Kepala Bidang", None),
        ("isian", Role.KASI,
         "Menindaklanjuti surat masuk sesuai disposisi dan melaporkan hasilnya kepada Kepala Bidang",
         "Surat masuk, disposisi", 3, "hari", "Laporan tindak lanjut", None),
        ("pencatatan", "pengadministrasi",
         "Mengarsipkan surat masuk beserta lembar disposisi dan mencatat penyelesaiannya dalam buku agenda",
         "Surat masuk, lembar disposisi, laporan tindak lanjut", 15, "menit", "Arsip surat masuk", None),
    ),
)

SUMBAR_LAYANAN_DATA = DemoSop(
    code="LAYANAN-DATA",
    nomor="470/07/SOP-PIAK/2026",
    nama="Layanan Data dan Informasi Kependudukan",
    unit="Bidang PIAK dan Pemanfaatan Data, Seksi Kerjasama dan Inovasi Pelayanan",
    tanggal_pembuatan=date(2026, 9, 21),
    tanggal_efektif=date(2026, 10, 5),
    disahkan_oleh="Kepala Dinas",
    dasar_hukum=(ADMINDUK_LAW, "Undang-Undang Nomor 14 Tahun 2008 tentang Keterbukaan Informasi Publik", PDP_LAW,
                 ACCESS_REGULATION, "Peraturan Gubernur Sumatera Barat Nomor 51 Tahun 2017"),
    kualifikasi_pelaksana=("Min D3 Komputer", "Memahami ketentuan pelindungan data pribadi"),
    keterkaitan=("SOP Pemberian Izin Pemanfaatan Data", "SOP Pemberian Hak Akses Database Kependudukan",
                 "SOP Pengumpulan dan Penghitungan Data Kinerja Pemanfaatan Data Kependudukan"),
    peralatan=("Komputer", "Printer", "DKB"),
    peringatan=LAYANAN_DATA.peringatan,
    pencatatan=LAYANAN_DATA.pencatatan,
    steps=LAYANAN_DATA_STEPS,
)

SOPS = {
    "bkl": (LAYANAN_DATA, HAK_AKSES, SURAT_MASUK),
    "sbr": (SUMBAR_LAYANAN_DATA,),
}


def organisation_key(organisation):
    """seed_demo's key of a demo organisation (None for any other organisation)."""
    return next((spec["key"] for spec in ORGANISATIONS if spec["name"] == organisation.name), None)


# Organisation: positions, officers, administrators, SOPs --------------------------------------


def seed_organisation(organisation):
    key = organisation_key(organisation)
    if key is None:
        return
    with transaction.atomic():
        for position in POSITIONS.get(key, ()):
            demo_position(organisation, key, position)
        name_administrators(organisation, key)
        author = get_user_model().objects.get(username=username(key, SOP_ADMIN_ROLE))
        for sop in SOPS.get(key, ()):
            define_sop(organisation, sop, author)


def demo_position(organisation, key, spec):
    parent = Position.objects.get(organisation=organisation, code=spec.parent)
    position, _created = Position.objects.get_or_create(
        organisation=organisation, code=spec.code, defaults={"name": spec.name, "parent": parent}
    )
    demo_officer(organisation, username(key, spec.code), spec.label, spec.name, position=position)


def name_administrators(organisation, key):
    """One SOP administrator and one organisation admin, unless the organisation has them already."""
    officers = Officer.objects.filter(organisation=organisation)
    if not officers.filter(is_sop_admin=True).exists():
        officers.filter(user__username=username(key, SOP_ADMIN_ROLE)).update(is_sop_admin=True)
    if not officers.filter(is_org_admin=True).exists():
        officers.filter(user__username=username(key, ORG_ADMIN_ROLE)).update(is_org_admin=True)


def define_sop(organisation, sop, author):
    """``sop`` as a definition with a published version 1 (a no-op when its code or Nomor is taken)."""
    if SopDefinition.objects.filter(Q(code=sop.code) | Q(nomor=sop.nomor), organisation=organisation).exists():
        return None
    definition = SopDefinition.objects.create(
        organisation=organisation, code=sop.code, nomor=sop.nomor, created_by=author
    )
    version = SopVersion.objects.create(
        definition=definition, created_by=author, nama=sop.nama, unit=sop.unit,
        tanggal_pembuatan=sop.tanggal_pembuatan, tanggal_efektif=sop.tanggal_efektif,
        disahkan_oleh=sop.disahkan_oleh, dasar_hukum="\n".join(sop.dasar_hukum),
        kualifikasi_pelaksana="\n".join(sop.kualifikasi_pelaksana), keterkaitan="\n".join(sop.keterkaitan),
        peralatan="\n".join(sop.peralatan), peringatan=sop.peringatan, pencatatan=sop.pencatatan,
    )
    positions = {position.code: position for position in Position.objects.filter(organisation=organisation)}
    VersionStep.objects.bulk_create(
        VersionStep(
            version=version, number=number, key=f"k{number}", kind=kind, position=positions[code],
            kegiatan=kegiatan, kelengkapan=kelengkapan, waktu_amount=amount, waktu_unit=unit, output=output,
            return_to=return_to,
        )
        for number, (kind, code, kegiatan, kelengkapan, amount, unit, output, return_to) in enumerate(sop.steps, 1)
    )
    return version.publish(author)


# Processes, driven through the interpreter's pages ---------------------------------------------


def seed_processes(command, key, organisation):
    for sop in SOPS.get(key, ()):
        definition = SopDefinition.objects.filter(
            organisation=organisation, code=sop.code, nomor=sop.nomor
        ).first()
        if definition is None or definition.latest_published() is None:
            continue  # not the demo's SOP (the organisation wrote its own under that code)
        if AuthoredProcess.objects.filter(version__definition=definition).exists():
            continue
        DEMO_RUNS[(key, sop.code)](Driver(command, key, definition))


class Driver:
    """Starts and advances one process of ``definition`` as the officers its steps name."""

    def __init__(self, command, key, definition):
        self.command, self.key, self.definition = command, key, definition
        self.process = None

    def actor(self, step):
        return step.position.code  # demo logins are <org>.<position code>

    def start(self, subject, data):
        version = self.definition.latest_published()
        client = self.command.client_for(self.key, self.actor(version.first_step()))
        url = f"/{AUTHORED.url_prefix}/start/?sop={self.definition.pk}"
        response = client.post(url, {"subject": subject, **data})
        if response.status_code != 302:
            raise RuntimeError(f"Demo start of {self.definition.code} failed: {response.status_code}")
        self.process = AuthoredProcess.objects.get(version__definition=self.definition, subject=subject)
        return self.process

    def do(self, step_key, data):
        """Complete step ``step_key``, which must be the one the process waits at."""
        self.process.refresh_from_db()
        task = self.command.open_task(self.process, "step")
        if task.data.get("step") != step_key:
            raise RuntimeError(f"Demo {self.definition.code}: waiting at {task.data.get('step')}, not {step_key}")
        step = self.process.version.step(step_key)
        self.command.do(self.key, self.actor(step), self.process, "step", data)

    def attachment(self, name):
        return StepAttachment.objects.get(record__process_id=self.process.pk, original_name=name)


def today():
    return timezone.localdate()


def reply_letter(organisation, *, number, recipient, recipient_place, subject, paragraphs, place):
    """A one-page letter from ``organisation`` (synthetic text), rendered as PDF with WeasyPrint."""
    from workflows.reports.pdf import indonesian, render_pdf

    with indonesian():
        return render_pdf("workflows/authored/demo_letter.html", {
            "organisation": organisation, "final": True,
            "government": f"Pemerintah Provinsi {organisation.province_name}".upper(),
            "address": f"Jalan Contoh Nomor 1, {place} (alamat demo)",
            "place": place, "date": today(), "number": number, "nature": "Biasa",
            "enclosure": "1 (satu) berkas", "subject": subject, "recipient": recipient,
            "recipient_place": recipient_place, "paragraphs": paragraphs, "signer_title": organisation.head_title,
        }, title=subject, header_left=organisation.name)


def data_reply(organisation, applicant, place):
    pdf = reply_letter(
        organisation, number=f"470/{today():%m}/PIAK/{today():%Y}", recipient=applicant,
        recipient_place=place, place=place, subject="Penyampaian Data Agregat Kependudukan",
        paragraphs=[
            "Menindaklanjuti surat Saudara perihal permohonan data kependudukan, bersama ini kami sampaikan "
            "data agregat jumlah penduduk per kecamatan menurut jenis kelamin dan kelompok umur Semester I "
            f"Tahun {today():%Y} sebagaimana terlampir.",
            "Data tersebut bersumber dari Data Konsolidasi Bersih (DKB) Direktorat Jenderal Kependudukan dan "
            "Pencatatan Sipil dan hanya dipergunakan untuk keperluan perencanaan pembangunan sesuai "
            "permohonan. Data tidak memuat data perseorangan.",
            "Demikian disampaikan, atas perhatian dan kerja sama Saudara diucapkan terima kasih.",
        ],
    )
    return SimpleUploadedFile("konsep-surat-jawaban.pdf", pdf, "application/pdf")


def bengkulu_data_service(run):
    """Finished: the Kadis signed the reply the ADB drafted, the operator recorded and handed it over."""
    organisation = run.definition.organisation
    run.start("Permohonan data agregat kependudukan per kecamatan dari Bappeda Provinsi Bengkulu", {
        "notes": "Surat permohonan Nomor 050/318/Bappeda/2026 diterima lengkap beserta formulir permohonan data.",
    })
    run.do("k2", {"text": "Siapkan data agregat jumlah penduduk per kecamatan menurut jenis kelamin dan kelompok "
                          "umur, Semester I 2026."})
    run.do("k3", {"notes": "Tabel data agregat per kecamatan disusun dari DKB Semester I 2026; konsep surat "
                           "jawaban terlampir.",
                  "files": [data_reply(organisation, "Kepala Bappeda Provinsi Bengkulu", "Bengkulu")]})
    run.do("k4", {"decision": "approve", "notes": "Data sesuai permohonan; konsep surat jawaban telah diparaf."})
    run.do("k5", {"document": run.attachment("konsep-surat-jawaban.pdf").pk, "passphrase": DEMO_PASSWORD,
                  "notes": "Disetujui."})
    run.do("k6", {"record_number": f"470/{today():%m}/PIAK/{today():%Y}", "record_date": today().isoformat(),
                  "notes": "Surat jawaban dan data diserahkan kepada petugas Bappeda; tanda terima diarsipkan."})


def bengkulu_access(run):
    """Waiting at the Kasi's check (step 4) after one return round to the ADB (step 3)."""
    run.start("Permohonan hak akses web portal data kependudukan dari Dinas Sosial Provinsi Bengkulu", {
        "notes": "Surat permohonan, salinan PKS Nomor 119/12/PKS-DUKCAPIL/2025 dan daftar dua calon pengguna "
                 "diterima lengkap.",
    })
    run.do("k2", {"text": "Siapkan dua akun web portal untuk verifikasi NIK sesuai ruang lingkup PKS."})
    run.do("k3", {"notes": "Dua akun web portal dibuat; konsep berita acara pemberian hak akses disusun."})
    run.do("k4", {"decision": "return", "notes": "Akun kedua dapat melihat alamat lengkap, padahal PKS hanya "
                                                 "mencakup verifikasi NIK dan nama. Batasi hak aksesnya."})
    run.do("k3", {"notes": "Hak akses akun kedua dibatasi pada verifikasi NIK dan nama; berita acara diperbarui."})


def bengkulu_incoming_mail(run):
    """Early: the letter is recorded, the Kasubag Umum has yet to forward it (step 2)."""
    run.start("Surat Ditjen Dukcapil perihal konsolidasi data kependudukan Semester II 2026", {
        "notes": "Dicatat dalam buku agenda surat masuk dengan nomor agenda 1187; surat dipindai dan lembar "
                 "disposisi dilampirkan.",
    })


def sumbar_data_service(run):
    """Waiting for the Kadis's signature (step 5)."""
    organisation = run.definition.organisation
    run.start("Permohonan data agregat penduduk menurut pendidikan dari Dinas Pendidikan", {
        "notes": "Surat permohonan Nomor 421/905/Disdik/2026 dan formulir permohonan data diterima lengkap.",
    })
    run.do("k2", {"text": "Siapkan data agregat penduduk usia sekolah menurut pendidikan per kabupaten/kota."})
    letter = data_reply(organisation, "Kepala Dinas Pendidikan Provinsi Sumatera Barat", "Padang")
    run.do("k3", {"notes": "Tabel data agregat per kabupaten/kota disusun dari DKB; konsep surat jawaban "
                           "terlampir.", "files": [letter]})
    run.do("k4", {"decision": "approve", "notes": "Data dan konsep surat jawaban sesuai; siap ditandatangani."})


DEMO_RUNS = {
    ("bkl", LAYANAN_DATA.code): bengkulu_data_service,
    ("bkl", HAK_AKSES.code): bengkulu_access,
    ("bkl", SURAT_MASUK.code): bengkulu_incoming_mail,
    ("sbr", SUMBAR_LAYANAN_DATA.code): sumbar_data_service,
}
