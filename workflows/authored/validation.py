"""What makes a version of an authored SOP runnable; the editor, the importer and publishing share it."""

from django.utils.translation import gettext as _


def check_version(version):
    """Problems (Indonesian sentences) that keep ``version`` from being published; empty if none."""
    from .models import FIRST_KINDS, StepKind, VersionStep

    waktu_units = {value for value, _label in VersionStep._meta.get_field("waktu_unit").choices}

    problems = []
    steps = list(version.steps.select_related("position").order_by("number"))
    if not version.nama.strip():
        problems.append(_("Nama SOP belum diisi."))
    if not steps:
        problems.append(_("SOP belum memiliki langkah."))
        return problems
    numbers = [step.number for step in steps]
    if numbers != list(range(1, len(steps) + 1)):
        problems.append(_("Nomor langkah harus berurutan mulai dari 1 tanpa loncatan."))
    if steps[0].kind not in FIRST_KINDS:
        problems.append(
            _("Langkah 1 harus berjenis perintah/disposisi atau isian, bukan %(kind)s.")
            % {"kind": steps[0].get_kind_display().lower()}
        )
    for step in steps:
        if step.position.organisation_id != version.definition.organisation_id or not step.position.is_active:
            problems.append(
                _("Langkah %(number)s: jabatan %(name)s tidak aktif di organisasi ini.")
                % {"number": step.number, "name": step.position.name}
            )
        if not step.kegiatan.strip():
            problems.append(_("Langkah %(number)s: Kegiatan belum diisi.") % {"number": step.number})
        if step.waktu_amount < 1:
            problems.append(_("Langkah %(number)s: waktu harus lebih dari nol.") % {"number": step.number})
        if step.waktu_unit not in waktu_units:
            problems.append(
                _("Langkah %(number)s: satuan waktu harus menit, jam atau hari.") % {"number": step.number}
            )
        if step.kind == StepKind.PEMERIKSAAN:
            if step.return_to is None or step.return_to >= step.number or step.return_to not in numbers:
                problems.append(
                    _("Langkah %(number)s: langkah pemeriksaan harus kembali ke langkah sebelumnya.")
                    % {"number": step.number}
                )
        elif step.return_to is not None:
            problems.append(
                _("Langkah %(number)s: hanya langkah pemeriksaan yang dapat mengembalikan pekerjaan.")
                % {"number": step.number}
            )
    return problems
