"""What SOP A contributes to the shared machinery (see ``workflows/catalogue.py``)."""

from django.db.models import Prefetch

from .models import AggregationRun, BackupRecord, FinalReport, TeamDecree

process_template = "workflows/population/process_section.html"
process_documents_template = "workflows/population/process_documents.html"

# Background jobs, in the order the worker looks for work: the final report before aggregation.
job_models = (FinalReport, AggregationRun)


def process_context(process):
    return {
        "team_decrees": process.team_decrees.prefetch_related("members"),
        "dkb_uploads": process.dkb_uploads.select_related("uploaded_by").prefetch_related(
            Prefetch("runs", queryset=AggregationRun.objects.defer("result"))
        ),
        "draft_submissions": process.draft_submissions.select_related("author"),
        "publications": process.publications.prefetch_related("distributions"),
        "backups": process.backups.select_related("author"),
    }


def archived(process):
    """Whether the semester's data has been archived (step 9): the process is sealed then."""
    return BackupRecord.objects.filter(process_id=process.pk).exists()


def member_process_ids(user):
    """Processes whose step-2 team decree names ``user``."""
    return set(TeamDecree.objects.filter(members=user).values_list("process_id", flat=True))


def seed_processes(command, key, organisation):
    """``seed_demo``'s SOP A processes (the demo module is loaded only by the seed)."""
    from .demo import seed_processes

    seed_processes(command, key, organisation)
