"""What SOP B contributes to the shared machinery (see ``workflows/catalogue.py``)."""

from .demo import seed_organisation, seed_processes

__all__ = ["seed_organisation", "seed_processes"]

process_template = "workflows/utilization/process_section.html"
process_documents_template = "workflows/utilization/process_documents.html"


def process_context(process):
    return {
        "utilization_entries": process.utilization_entries.select_related("opd").prefetch_related("evidence"),
        "utilization_count": process.utilization_counts.order_by("-created").first(),
        "evaluations": process.evaluations.select_related("author"),
        "lakip": process.lakip_materials.order_by("-created").first(),
    }
