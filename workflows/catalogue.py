"""The registry of SOPs: every SOP SOPFlow runs, with its flow, URL prefix, period kinds and steps.

A SOP lives in its own package under ``workflows/sops/`` (definition, flow, models, forms,
views, report, templates); this module is the one place that lists them. Everything shared (the
URL configuration, the process page, the dashboard, the seed, the permissions, the job worker,
the admin) loops over ``REGISTRY`` and never names a SOP.

Besides the built-in SOPs, an organisation authors its own SOPs as data (``workflows/authored``):
one interpreter flow runs every published version. ``AUTHORED`` describes that package the way a
``Sop`` describes a built-in one (flow, URL prefix, hooks), so the loops over ``PACKAGES`` mount
it, give it permissions and run its hooks like any SOP's. A process's ``sop`` column holds a
built-in SOP's code or an authored SOP's key (``u<definition id>``); ``sop_of`` reads either.

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

AUTHORED = Sop(
    code="",
    identity=Identity(
        instansi="", unit="", nomor="", tanggal_pembuatan=None, tanggal_revisi=None, tanggal_efektif=None,
        disahkan_oleh="", nama="", dasar_hukum=(), kualifikasi_pelaksana=(), keterkaitan=(), peralatan=(),
        peringatan="", pencatatan="",
    ),
    package="workflows.authored",
    flow="AuthoredFlow",
    url_prefix="sop",
    icon="assignment",
    process_model="authoredprocess",
)

# Every package that carries a flow: the built-in SOPs, then the interpreter of authored SOPs.
PACKAGES: tuple[Sop, ...] = (*REGISTRY, AUTHORED)


def is_builtin(code):
    return code in SOPS


def package_of(code):
    """The package that runs processes whose ``sop`` column is ``code``."""
    return SOPS.get(code, AUTHORED)


def sop_of(code):
    """The ``Sop`` for a ``sop`` column value: a built-in SOP, or the latest published version
    of an authored SOP (None when it no longer exists). A process uses its own pinned version
    (``SopProcess.catalogue``); this is for figures grouped over versions, like the dashboard."""
    if code in SOPS:
        return SOPS[code]
    from .authored.models import SopDefinition

    definition = SopDefinition.objects.from_key(code)
    version = definition.latest_published() if definition else None
    return version.as_sop() if version else None


def hooks(name):
    """``(package, value)`` for every package (built-in SOPs, the authored-SOP interpreter)
    whose hooks module defines ``name``."""
    found = []
    for sop in PACKAGES:
        module = sop.module("hooks")
        if module is not None and hasattr(module, name):
            found.append((sop, getattr(module, name)))
    return found


def hook(sop, name, default=None):
    """The hook ``name`` of one SOP (a ``Sop`` or its code), or ``default`` if it has none."""
    if isinstance(sop, str):
        sop = package_of(sop)
    elif sop.authored:
        sop = AUTHORED
    module = sop.module("hooks")
    return getattr(module, name, default) if module is not None else default


def step_of_task(task, process=None):
    """The catalogue ``Step`` a viewflow task carries, or None for gates and the end.

    A built-in SOP's flow knows its steps; the interpreter's steps come from the version the
    task's process is pinned to (``process``, when the caller has it, saves a query)."""
    if task.flow_task is None:
        return None
    sop = getattr(task.flow_task.flow_class, "sop", None)
    if sop is AUTHORED:
        if process is None or not hasattr(process, "catalogue"):
            from .models import SopProcess

            process = SopProcess.objects.get(pk=task.process_id)
        sop = process.catalogue
    return sop.step_for_task(task) if sop is not None else None


def flow_classes():
    return [sop.flow_class for sop in PACKAGES]


__all__ = ["AUTHORED", "PACKAGES", "REGISTRY", "SOPS", "is_builtin", "package_of", "sop_of", "step_of_task", "Identity", "Sop", "Step", "WaktuUnit", "flow_classes", "hook", "hooks"]
