"""SOP A as data: identity block, steps with their Mutu Baku, and how SOPFlow mounts it."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from ...roles import Role
from ..spec import Identity, Sop, Step, WaktuUnit

# The Jenis of the steps whose work is this SOP's own code (its views and models), as the workbook
# export (workflows/authored/workbook.py) names them. They are tokens of the workbook layout, like
# "perintah" or "pemeriksaan": an imported SOP that names one is refused, since that work only runs
# inside this SOP. The other steps carry the StepKind an authored SOP would give them.
TEAM_DECREE = "bawaan: pembentukan tim"
AGGREGATION = "bawaan: agregasi data kependudukan"
PUBLICATION = "bawaan: publikasi dan distribusi"
ENCRYPTED_BACKUP = "bawaan: back-up terenkripsi"

BUILTIN_KINDS = {
    TEAM_DECREE: _("SK Tim (nomor, tanggal, anggota); anggota tim mengerjakan langkah pengolahan data"),
    AGGREGATION: _("Unggah ekstrak DKB/DWH, pemeriksaan berkas dan agregasi data di latar belakang"),
    PUBLICATION: _("Catatan publikasi laporan dan daftar pihak penerima"),
    ENCRYPTED_BACKUP: _("Arsip 7z terenkripsi AES-256 dari data semester, lalu ekstrak mentah dihapus"),
}



SOP_A = Sop(
    code="A",
    package="workflows.sops.population",
    flow="PopulationFlow",
    url_prefix="population",
    period_kinds=("semester",),
    icon="groups",
    process_model="populationprocess",
    pelaksana=("Kepala Dinas", "Kabid PIAK", "Kasi Pengolahan dan Penyajian Data",
               "Tim Pengolahan dan Penyajian Data", "Administrasi Database (ADB)"),
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
    # The Kegiatan are the signed document's words, as the seed prints them (its capitals, its
    # spelling "mengunakan", its closing semicolons): the SOP document reprints the official text.
    steps=(
        Step(
            1,
            "start",
            "Kadis Memerintahkan Kabid Pengolahan Informasi Data Kependudukan (PIAK) membentuk Tim untuk "
            "melakukan pengolahan data kependudukan tingkat Provinsi;",
            Role.KADIS,
            "Kepala Dinas",
            "-",
            1,
            WaktuUnit.HOUR,
            "-",
            title=_("Perintah pembentukan tim"),
            kind="perintah",
        ),
        Step(
            2,
            "form_team",
            "Membentuk Tim Teknis untuk melakukan pengolahan data kependudukan tingkat Provinsi;",
            Role.KABID,
            "Kabid PIAK",
            "Komputer, Printer, ATK",
            2,
            WaktuUnit.HOUR,
            "SK Tim Pengolahan dan Penyajian Data",
            title=_("Pembentukan Tim (SK)"),
            kind=TEAM_DECREE,
        ),
        Step(
            3,
            "process_data",
            "Melakukan pengolahan data kependudukan tingkat Provinsi dengan mengambil data dari DKB (data "
            "Konsolidasi Bersih) dan atau Data Warehouse (DWH) yang dikeluarkan Ditjen Dukcapil "
            "Kemendagri per semester, dilakukan pengolahan data mengunakan aplikasi TOAD, Menyusun data "
            "agregat kependudukan per semester, diserahkan ke Kasi Pengolahan dan Penyajian Data untuk "
            "dikoreksi;",
            Role.TIM,
            "Tim Pengolahan dan Penyajian Data",
            "SPT, Lembar Penilaian, Komputer, aplikasi TOAD, Printer, DKB/DWH",
            7,
            WaktuUnit.DAY,
            "Draft Laporan Data Kependudukan per Semester",
            title=_("Pengolahan data kependudukan"),
            kind=AGGREGATION,
        ),
        Step(
            4,
            "correct",
            "Melakukan koreksi laporan data kependudukan yang dihasilkan Tim teknis, diparaf apabila "
            "sudah benar dan disetujui (apabila ada kekurangan, akan dikembalikan ke Tim Teknis untuk "
            "diperbaiki), laporan diserahkan ke Kabid PIAK untuk divalidasi;",
            Role.KASI,
            "Kasi Pengolahan dan Penyajian Data",
            "-",
            1,
            WaktuUnit.HOUR,
            "Draft Laporan Data Kependudukan per Semester",
            title=_("Koreksi laporan"),
            kind="pemeriksaan",
            return_to=3,
        ),
        Step(
            5,
            "validate",
            "Memvalidasi laporan data kependudukan dan menyampaikan kepada Kadis untuk "
            "disetujui/disahkan;",
            Role.KABID,
            "Kabid PIAK",
            "-",
            30,
            WaktuUnit.MINUTE,
            "Draft Laporan Data Kependudukan per Semester",
            title=_("Validasi laporan"),
            kind="pemeriksaan",
            return_to=4,
        ),
        Step(
            6,
            "approve",
            "Mengesahkan dan menandatangani laporan data kependudukan, memerintahkan kabid PIAK untuk "
            "mencetak laporan dan diperbanyak serta disampaikan kepada pihak yang berkepentingan;",
            Role.KADIS,
            "Kepala Dinas",
            "-",
            30,
            WaktuUnit.MINUTE,
            "Laporan Data Kependudukan per Semester",
            title=_("Pengesahan laporan"),
            kind="pemeriksaan",
            return_to=5,
        ),
        Step(
            7,
            "receive",
            "Menerima laporan data kependudukan tingkat provinsi dan memerintahkan Kasi Pengolahan dan "
            "Penyajian Data untuk mencetak laporan dan diperbanyak serta dipublikasi dan diserahkan "
            "kepada pihak yang berkepentingan;",
            Role.KABID,
            "Kabid PIAK",
            "-",
            30,
            WaktuUnit.MINUTE,
            "Laporan Data Kependudukan per Semester",
            title=_("Perintah cetak dan publikasi"),
            kind="perintah",
        ),
        Step(
            8,
            "print_distribute",
            "Mencetak dan memperbanyak Laporan data kependudukan, menyebarluaskan dan menyerahkan laporan "
            "data kependudukan kepada pihak-pihak yang memerlukan serta memerintahkan ADB melakukan "
            "Back-Up Data Kependudukan",
            Role.KASI,
            "Kasi Pengolahan dan Penyajian Data",
            "-",
            7,
            WaktuUnit.DAY,
            "Laporan Data Kependudukan per Semester sudah dicetak dan diperbanyak",
            title=_("Cetak, distribusi dan publikasi"),
            kind=PUBLICATION,
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
            kind=ENCRYPTED_BACKUP,
        ),
    ),
)
