"""What the authored-SOP interpreter contributes to the shared pages (see ``workflows/catalogue.py``)."""

process_template = "workflows/authored/process_section.html"
process_documents_template = "workflows/authored/process_documents.html"


def process_context(process):
    from .views import process_outputs

    return process_outputs(process)

