"""SOP B as data: identity block, steps with their Mutu Baku, and how SOPFlow mounts it."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from ...roles import Role
from ..spec import Identity, Sop, Step, WaktuUnit

# The Jenis of the steps whose work is this SOP's own code (its views and models), as the workbook
# export (workflows/authored/workbook.py) names them. They are tokens of the workbook layout, like
# "perintah" or "pemeriksaan": an imported SOP that names one is refused, since that work only runs
# inside this SOP. The other steps carry the StepKind an authored SOP would give them.
UTILIZATION_LIST = "bawaan: daftar pemanfaatan data"
UTILIZATION_COUNT = "bawaan: penghitungan pemanfaatan"
LAKIP_MATERIAL = "bawaan: bahan LAKIP"

BUILTIN_KINDS = {
    UTILIZATION_LIST: _("Daftar pemanfaatan data per OPD, baris demi baris, dengan berkas data dukung"),
    UTILIZATION_COUNT: _("Penghitungan jumlah pemanfaatan dari daftar yang diisi"),
    LAKIP_MATERIAL: _("Indikator, target dan realisasi kinerja dari hasil penghitungan"),
}



SOP_B = Sop(
    code="B",
    package="workflows.sops.utilization",
    flow="UtilizationFlow",
    url_prefix="utilization",
    period_kinds=("semester", "triwulan", "tahun"),
    icon="insights",
    process_model="utilizationprocess",
    pelaksana=("Sekretariat", "Kabid", "Kasi KIP", "Staf"),
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
            kind="perintah",
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
            kind="perintah",
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
            kind=UTILIZATION_LIST,
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
            kind=UTILIZATION_COUNT,
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
            kind="pemeriksaan",
            return_to=3,
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
            kind=LAKIP_MATERIAL,
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
            kind="pemeriksaan",
            return_to=6,
        ),
    ),
)
