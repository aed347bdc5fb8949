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
