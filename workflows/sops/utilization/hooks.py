"""What SOP B contributes to the shared machinery (see ``workflows/catalogue.py``)."""

process_template = "workflows/utilization/process_section.html"
process_documents_template = "workflows/utilization/process_documents.html"


def process_context(process):
    return {
        "utilization_entries": process.utilization_entries.select_related("opd").prefetch_related("evidence"),
        "utilization_count": process.utilization_counts.order_by("-created").first(),
        "evaluations": process.evaluations.select_related("author"),
        "lakip": process.lakip_materials.order_by("-created").first(),
    }


# ``seed_demo``'s SOP B data (the demo module is loaded only by the seed).
def seed_organisation(organisation):
    from .demo import seed_organisation

    seed_organisation(organisation)


def seed_processes(command, key, organisation):
    from .demo import seed_processes

    seed_processes(command, key, organisation)
