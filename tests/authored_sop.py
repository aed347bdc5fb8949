"""A six-step authored SOP (synthetic text) for the interpreter's tests, built as an admin would."""

from django.contrib.auth import get_user_model

from workflows.authored.models import SopDefinition, SopVersion, VersionStep
from workflows.models import Officer, OfficerRole, Position

STEPS = [
    # number, kind, position code, kegiatan, kelengkapan, waktu, unit, output, return_to
    (1, "isian", "operator-layanan", "Menerima permohonan data dan memeriksa kelengkapan berkas pemohon",
     "Surat permohonan, KTP-el pemohon", 30, "menit", "Berkas permohonan lengkap", None),
    (2, "perintah", "kasi", "Mendisposisikan permohonan kepada operator untuk disiapkan",
     "Berkas permohonan", 1, "jam", "Lembar disposisi", None),
    (3, "isian", "operator-layanan", "Menyiapkan data agregat dan konsep surat jawaban",
     "Lembar disposisi", 2, "jam", "Konsep surat jawaban dan data", None),
    (4, "pemeriksaan", "kabid", "Memeriksa konsep surat jawaban dan data yang disiapkan",
     "Konsep surat jawaban", 1, "jam", "Konsep surat yang disetujui", 3),
    (5, "penandatanganan", "kadis", "Menandatangani surat jawaban",
     "Konsep surat yang disetujui", 1, "hari", "Surat jawaban bertanda tangan elektronik", None),
    (6, "pencatatan", "operator-layanan", "Mencatat nomor surat keluar dan menyerahkan data kepada pemohon",
     "Surat jawaban", 15, "menit", "Buku agenda surat keluar", None),
]


def operator_position(organisation):
    position, _created = Position.objects.get_or_create(
        organisation=organisation, code="operator-layanan",
        defaults={"name": "Operator Layanan", "parent": Position.objects.get(organisation=organisation, code="kasi")},
    )
    return position


def add_operator(org, username):
    user = get_user_model().objects.create_user(username, password="pw", first_name="Operator", last_name=username)
    officer = Officer.objects.create(user=user, organisation=org.organisation)
    OfficerRole.objects.create(officer=officer, position=operator_position(org.organisation))
    return user


def make_authored_sop(org, author, *, code="LDK", nomor="800/01/SOP-LDK/2026", publish=True, steps=STEPS):
    organisation = org.organisation
    operator_position(organisation)
    definition = SopDefinition.objects.create(organisation=organisation, code=code, nomor=nomor, created_by=author)
    version = SopVersion.objects.create(
        definition=definition, nama="Layanan Data dan Informasi Kependudukan", created_by=author,
        dasar_hukum="Undang-Undang Nomor 24 Tahun 2013\nPermendagri Nomor 102 Tahun 2019",
        peringatan="Data pribadi tidak diserahkan tanpa perjanjian kerja sama.",
    )
    positions = {position.code: position for position in Position.objects.filter(organisation=organisation)}
    for number, kind, code_, kegiatan, kelengkapan, amount, unit, output, return_to in steps:
        VersionStep.objects.create(
            version=version, number=number, key=f"k{number}", kegiatan=kegiatan, position=positions[code_],
            kelengkapan=kelengkapan, waktu_amount=amount, waktu_unit=unit, output=output, kind=kind,
            return_to=return_to,
        )
    if publish:
        version.publish(author)
    return definition, version
