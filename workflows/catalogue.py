"""The two SOPs as data: identity block and steps with their Mutu Baku.

This is the single definition every other part reads: the viewflow flows (node titles and
permissions), the task page header, the SLA engine and the reports. Texts are transcribed
from the SOP documents in shared/seeds (PDF extractions); where the extraction garbled a
word the reconstruction is noted beside it. Officials' personal names and NIPs are not kept
here: they belong to the organisation's record, entered by its administrator.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

from .roles import Role


class WaktuUnit:
    MINUTE = "menit"
    HOUR = "jam"
    DAY = "hari"
    CHOICES = [(MINUTE, _("menit")), (HOUR, _("jam")), (DAY, _("hari"))]


@dataclass(frozen=True)
class Step:
    number: int
    node: str  # the viewflow node name that carries this step
    kegiatan: str
    actor: str  # a Role value
    actor_label: str  # the Pelaksana column header as the SOP writes it
    kelengkapan: str
    waktu_amount: int
    waktu_unit: str
    output: str
    title: str = ""  # short label for inboxes and charts; the Kegiatan is the full text

    @property
    def waktu_label(self):
        return f"{self.waktu_amount} {self.waktu_unit}"


@dataclass(frozen=True)
class Identity:
    instansi: str
    unit: str
    nomor: str
    tanggal_pembuatan: date | None
    tanggal_revisi: date | None
    tanggal_efektif: date | None
    disahkan_oleh: str  # the position (jabatan); the name and NIP come from the organisation
    nama: str
    dasar_hukum: tuple[str, ...]
    kualifikasi_pelaksana: tuple[str, ...]
    keterkaitan: tuple[str, ...]
    peralatan: tuple[str, ...]
    peringatan: str
    pencatatan: str


@dataclass(frozen=True)
class Sop:
    code: str
    identity: Identity
    steps: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def name(self):
        return self.identity.nama

    def step(self, number):
        return next(step for step in self.steps if step.number == number)

    def step_for_node(self, node_name):
        for step in self.steps:
            if step.node == node_name:
                return step
        return None

    @property
    def actors(self):
        return tuple(dict.fromkeys(step.actor for step in self.steps))


SOP_A = Sop(
    code="A",
    identity=Identity(
        instansi="Dinas Kependudukan dan Pencatatan Sipil Provinsi Bengkulu",
        unit="Bidang Pengelolaan Informasi Administrasi Kependudukan (PIAK)",
        nomor="10.09.04.028",
        tanggal_pembuatan=date(2017, 8, 12),  # "12/8/2017", Indonesian day/month order
        tanggal_revisi=None,
        tanggal_efektif=date(2017, 8, 12),
        disahkan_oleh="Kepala Dinas Kependudukan dan Pencatatan Sipil",
        nama="Pengolahan dan Penyajian Data Kependudukan",
        dasar_hukum=(
            "Undang-Undang Nomor 24 Tahun 2013 tentang Administrasi Kependudukan",
            # The extraction lost the start of this line; the regulation is Permendagri 25/2011.
            "Peraturan Menteri Dalam Negeri Nomor 25 Tahun 2011 tentang Pedoman Pengkajian, "
            "Pengembangan dan Pengelolaan Sistem Informasi Administrasi Kependudukan",
            "Peraturan Gubernur Bengkulu Nomor 60 Tahun 2016 / Peraturan Gubernur Nomor 46 Tahun 2017 "
            "tentang Kedudukan, Susunan Organisasi, serta Tata Kerja Dinas Kependudukan dan Pencatatan Sipil",
        ),
        kualifikasi_pelaksana=("S1/D3/SLTA", "Menguasai SIAK", "Menguasai Komputer"),
        keterkaitan=("SOP Pengelolaan Surat Masuk", "SOP Pengelolaan Surat Keluar"),
        peralatan=("Komputer, Printer", "DKB, DWH"),
        # The extraction kept only "...anakan, Buku profil kependudukan dan data ...kat provinsi
        # tidak tersusun"; read as "apabila SOP tidak dilaksanakan ... data agregat".
        peringatan="Apabila SOP tidak dilaksanakan, Buku profil kependudukan dan data agregat "
        "provinsi tidak tersusun",
        pencatatan="Pengolahan dan Penyajian dalam bentuk penerbitan buku profil dan buku data "
        "kependudukan dilakukan setiap semester",
    ),
    steps=(
        Step(
            1,
            "start",
            "Kadis memerintahkan Kabid Pengolahan Informasi Data Kependudukan (PIAK) membentuk Tim "
            "untuk melakukan pengolahan data kependudukan tingkat Provinsi",
            Role.KADIS,
            "Kepala Dinas",
            "-",
            1,
            WaktuUnit.HOUR,
            "-",
            title=_("Perintah pembentukan tim"),
        ),
        Step(
            2,
            "form_team",
            "Membentuk Tim Teknis untuk melakukan pengolahan data kependudukan tingkat Provinsi",
            Role.KABID,
            "Kabid PIAK",
            "Komputer, Printer, ATK",
            2,
            WaktuUnit.HOUR,
            "SK Tim Pengolahan dan Penyajian Data",
            title=_("Pembentukan Tim (SK)"),
        ),
        Step(
            3,
            "process_data",
            "Melakukan pengolahan data kependudukan tingkat Provinsi dengan mengambil data dari DKB "
            "(Data Konsolidasi Bersih) dan atau Data Warehouse (DWH) yang dikeluarkan Ditjen Dukcapil "
            "Kemendagri per semester, dilakukan pengolahan data menggunakan aplikasi TOAD, menyusun "
            "data agregat kependudukan per semester, diserahkan ke Kasi Pengolahan dan Penyajian Data "
            "untuk dikoreksi",
            Role.TIM,
            "Tim Pengolahan dan Penyajian Data",
            "SPT, Lembar Penilaian, Komputer, aplikasi TOAD, Printer, DKB/DWH",
            7,
            WaktuUnit.DAY,
            "Draft Laporan Data Kependudukan per Semester",
            title=_("Pengolahan data kependudukan"),
        ),
        Step(
            4,
            "correct",
            "Melakukan koreksi laporan data kependudukan yang dihasilkan Tim Teknis, diparaf apabila "
            "sudah benar dan disetujui (apabila ada kekurangan, akan dikembalikan ke Tim Teknis untuk "
            "diperbaiki), laporan diserahkan ke Kabid PIAK untuk divalidasi",
            Role.KASI,
            "Kasi Pengolahan dan Penyajian Data",
            "-",
            1,
            WaktuUnit.HOUR,
            "Draft Laporan Data Kependudukan per Semester",
            title=_("Koreksi laporan"),
        ),
        Step(
            5,
            "validate",
            "Memvalidasi laporan data kependudukan dan menyampaikan kepada Kadis untuk "
            "disetujui/disahkan",
            Role.KABID,
            "Kabid PIAK",
            "-",
            30,
            WaktuUnit.MINUTE,
            "Draft Laporan Data Kependudukan per Semester",
            title=_("Validasi laporan"),
        ),
        Step(
            6,
            "approve",
            "Mengesahkan dan menandatangani laporan data kependudukan, memerintahkan Kabid PIAK untuk "
            "mencetak laporan dan diperbanyak serta disampaikan kepada pihak yang berkepentingan",
            Role.KADIS,
            "Kepala Dinas",
            "-",
            30,
            WaktuUnit.MINUTE,
            "Laporan Data Kependudukan per Semester",
            title=_("Pengesahan laporan"),
        ),
        Step(
            7,
            "receive",
            "Menerima laporan data kependudukan tingkat provinsi dan memerintahkan Kasi Pengolahan dan "
            "Penyajian Data untuk mencetak laporan dan diperbanyak serta dipublikasi dan diserahkan "
            "kepada pihak yang berkepentingan",
            Role.KABID,
            "Kabid PIAK",
            "-",
            30,
            WaktuUnit.MINUTE,
            "Laporan Data Kependudukan per Semester",
            title=_("Perintah cetak dan publikasi"),
        ),
        Step(
            8,
            "print_distribute",
            "Mencetak dan memperbanyak Laporan data kependudukan, menyebarluaskan dan menyerahkan "
            "laporan data kependudukan kepada pihak-pihak yang memerlukan serta memerintahkan ADB "
            "melakukan Back-Up Data Kependudukan",
            Role.KASI,
            "Kasi Pengolahan dan Penyajian Data",
            "-",
            7,
            WaktuUnit.DAY,
            "Laporan Data Kependudukan per Semester sudah dicetak dan diperbanyak",
            title=_("Cetak, distribusi dan publikasi"),
        ),
        Step(
            9,
            "backup",
            "Melakukan Back Up Data dengan cara menyimpan dalam folder khusus serta diotorisasi dengan "
            "memberikan PIN/Password",
            Role.ADB,
            "Administrasi Database (ADB)",
            "-",
            1,
            WaktuUnit.HOUR,
            "File Data Kependudukan terenkripsi",
            title=_("Back-up data"),
        ),
    ),
)

SOP_B = Sop(
    code="B",
    identity=Identity(
        instansi="Dinas Pengendalian Penduduk, KB, Dukcapil Provinsi Sumatera Barat",
        unit="Bidang PIAK dan Pemanfaatan Data, Seksi Kerjasama dan Inovasi Pelayanan",
        nomor="",
        tanggal_pembuatan=date(2019, 12, 2),
        tanggal_revisi=None,
        tanggal_efektif=None,
        disahkan_oleh="Kepala Dinas",
        nama="Pengumpulan dan Penghitungan Data Kinerja Pemanfaatan Data Kependudukan",
        dasar_hukum=(
            "Peraturan Menteri Dalam Negeri Nomor 25 Tahun 2011",
            "Peraturan Menteri Dalam Negeri No.61 Tahun 2015",
            "Peraturan Gubernur Sumatera Barat Nomor 51 Tahun 2017",
            "SE Gubernur No.471.13/10759/Dukcapil Tahun 2017",
            "Surat Izin Gubernur Sumatera Barat tentang Pemanfaatan NIK, KTP-el dan Data Kependudukan "
            "Tahun 2017",
            "PKS tentang Pemanfaatan NIK, Data Kependudukan, KTP-el antara DPPKBKPS dengan OPD lingkup "
            "Provinsi Sumatera Barat Tahun 2018",
        ),
        kualifikasi_pelaksana=("Min D3 Komputer",),
        keterkaitan=(
            "SOP Pemberian Izin Pemanfaatan Data",
            "SOP Penandatanganan Naskah Perjanjian Kerjasama",
            "SOP Layanan Data dan Informasi Kependudukan",
            "SOP Pemberian Hak Akses Database Kependudukan",
            "SOP Pengendalian dan Pengamanan Pemanfaatan Data Kependudukan",
        ),
        peralatan=("Komputer", "Printer"),
        peringatan="",
        pencatatan="",
    ),
    steps=(
        Step(
            1,
            "start",
            "Memberi arahan kepada Kasi untuk membuat Daftar Pemanfaatan Data Kependudukan oleh OPD "
            "lingkup Pemprov. Sumatera Barat",
            Role.KABID,
            "Kabid",
            "Disposisi",
            10,
            WaktuUnit.MINUTE,
            "Disposisi (arahan dan petunjuk)",
            title=_("Arahan kepada Kasi"),
        ),
        Step(
            2,
            "instruct_staff",
            "Memberi petunjuk kepada Staf untuk membuat Daftar Pemanfaatan Data Kependudukan oleh OPD "
            "dan mengumpulkan data dukung pemanfaatan data kependudukan oleh OPD",
            Role.KASI,
            "Kasi KIP",
            "Disposisi",
            10,
            WaktuUnit.MINUTE,
            "Disposisi (arahan dan petunjuk)",
            title=_("Petunjuk kepada Staf"),
        ),
        Step(
            3,
            "fill_list",
            "Membuat Daftar Pemanfaatan Data Kependudukan oleh OPD dan memasukkan semua informasi yang "
            "terkait berdasarkan data dukung pemanfaatan data yang ada ke dalam Daftar Pemanfaatan Data "
            "tersebut (Pemanfaatan Data Kependudukan, Pemanfaatan NIK, dan KTP-el)",
            Role.STAF,
            "Staf",
            "Disposisi",
            2,
            WaktuUnit.HOUR,
            "Daftar Pemanfaatan Data Kependudukan oleh OPD",
            title=_("Pengisian Daftar Pemanfaatan"),
        ),
        Step(
            4,
            "count",
            "Menghitung jumlah pemanfaatan data kependudukan berdasarkan Daftar Pemanfaatan Data oleh "
            "OPD yang telah diisi dan melaporkan kepada Kasi",
            Role.STAF,
            "Staf",
            "Daftar Pemanfaatan Data Kependudukan oleh OPD",
            15,
            WaktuUnit.MINUTE,
            "Daftar Pemanfaatan Data Kependudukan oleh OPD",
            title=_("Penghitungan pemanfaatan"),
        ),
        Step(
            5,
            "evaluate",
            "Menerima Daftar Pemanfaatan Data serta melakukan analisa, evaluasi dan membuat Laporan "
            "kepada Kabid terkait Jumlah Pemanfaatan Data Kependudukan oleh OPD sebagai bahan untuk "
            "Pengukuran Kinerja",
            Role.KASI,
            "Kasi KIP",
            "Daftar Pemanfaatan Data Kependudukan oleh OPD",
            2,
            WaktuUnit.HOUR,
            "Laporan Pemanfaatan Data Kependudukan",
            title=_("Analisis dan evaluasi"),
        ),
        Step(
            6,
            "lakip",
            "Menerima Laporan Evaluasi terkait Jumlah Pemanfaatan Data Kependudukan oleh OPD sebagai "
            "bahan untuk penyusunan Laporan Kinerja Bidang, melakukan penyusunan Laporan Kinerja Bidang "
            "dan menyampaikan kepada Sekretariat",
            Role.KABID,
            "Kabid",
            "Laporan Pemanfaatan Data Kependudukan",
            3,
            WaktuUnit.HOUR,
            "LAKIP Bidang",
            title=_("Penyusunan LAKIP Bidang"),
        ),
        Step(
            7,
            "check",
            "Menerima dan memeriksa Laporan Kinerja Bidang sebagai bahan untuk penyusunan Laporan "
            "Kinerja Dinas",
            Role.SEKRETARIAT,
            "Sekretariat",
            "LAKIP Bidang",
            15,
            WaktuUnit.MINUTE,
            "Dokumen (bahan) untuk LAKIP Dinas",
            title=_("Pemeriksaan Sekretariat"),
        ),
    ),
)

SOPS = {SOP_A.code: SOP_A, SOP_B.code: SOP_B}
