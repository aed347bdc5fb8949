"""The registry of SOPs: every SOP SOPFlow runs, with its flow, URL prefix, period kinds and steps.

A SOP lives in its own package under ``workflows/sops/`` (definition, flow, models, forms,
views, report, templates); this module is the one place that lists them. Everything shared (the
URL configuration, the process page, the dashboard, the seed, the permissions, the job worker,
the admin) loops over ``REGISTRY`` and never names a SOP.

A SOP package may contribute to the shared machinery through an optional ``hooks`` module:

``process_context(process)``
    extra context for the process page; the page includes ``process_template`` (a template
    name, in ``hooks``) inside its body.
``process_documents_template``
    a template of download links for the process page's "Dokumen" list.
``job_models``
    model classes of background jobs (``Job`` subclasses) the worker should run.
``archived(process)``
    whether the process's data has been archived, which seals it like a signed report.
``member_process_ids(user)``
    ids of processes the user takes part in by a SOP-specific record (for example a team decree).
``seed_organisation(organisation, spec)`` and ``seed_processes(command, key, organisation)``
    what ``seed_demo`` creates for the SOP.
"""

from .sops.population.definition import SOP_A
from .sops.spec import Identity, Sop, Step, WaktuUnit
from .sops.utilization.definition import SOP_B

REGISTRY: tuple[Sop, ...] = (SOP_A, SOP_B)

SOPS = {sop.code: sop for sop in REGISTRY}


def hooks(name):
    """``(sop, value)`` for every registered SOP whose hooks module defines ``name``."""
    found = []
    for sop in REGISTRY:
        module = sop.module("hooks")
        if module is not None and hasattr(module, name):
            found.append((sop, getattr(module, name)))
    return found


def hook(sop, name, default=None):
    """The hook ``name`` of one SOP (a ``Sop`` or its code), or ``default`` if it has none."""
    if isinstance(sop, str):
        sop = SOPS[sop]
    module = sop.module("hooks")
    return getattr(module, name, default) if module is not None else default


def flow_classes():
    return [sop.flow_class for sop in REGISTRY]


__all__ = ["REGISTRY", "SOPS", "Identity", "Sop", "Step", "WaktuUnit", "flow_classes", "hook", "hooks"]
