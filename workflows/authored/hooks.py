"""What the authored-SOP interpreter contributes to the shared pages (see ``workflows/catalogue.py``)."""

process_template = "workflows/authored/process_section.html"
process_documents_template = "workflows/authored/process_documents.html"


def process_context(process):
    from .views import process_outputs

    return process_outputs(process)


# ``seed_demo``'s authored SOPs and their processes (the demo module is loaded only by the seed).
def seed_organisation(organisation):
    from .demo import seed_organisation

    seed_organisation(organisation)


def seed_processes(command, key, organisation):
    from .demo import seed_processes

    seed_processes(command, key, organisation)


def prepare_scheduled_process(process, schedule):
    """A scheduled start of an authored SOP: its latest published version, step 1 next, and the
    period as the subject. Refused (the schedule records why and tries again) while the SOP has
    no version to run."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .models import SopDefinition

    definition = SopDefinition.objects.from_key(schedule.sop)
    if definition is None or definition.organisation_id != schedule.organisation_id:
        raise ValidationError(_("SOP jadwal ini tidak ada lagi."))
    if definition.is_retired:
        raise ValidationError(_("SOP %(code)s sudah dihentikan; matikan jadwalnya.") % {"code": definition.code})
    version = definition.latest_published()
    if version is None or version.first_step() is None:
        raise ValidationError(_("SOP %(code)s belum memiliki versi terbit.") % {"code": definition.code})
    process.version = version
    process.sop = definition.key
    process.current_step = version.first_step().key
    process.subject = _("%(name)s — %(period)s") % {"name": version.nama, "period": process.period_label}
