"""The shape of a SOP as data: identity block, steps with their Mutu Baku, and how it is mounted.

Each built-in SOP writes one ``Sop`` in its package (``workflows/sops/<name>/definition.py``); the
catalogue (``workflows/catalogue.py``) registers them. Texts are transcribed from the SOP
documents in shared/seeds (PDF extractions); officials' personal names and NIPs are not kept
here: they belong to the organisation's record, entered by its administrator.
"""

from dataclasses import dataclass, field
from datetime import date
from importlib import import_module

from django.utils.translation import gettext_lazy as _

from django.utils.module_loading import import_string


class WaktuUnit:
    MINUTE = "menit"
    HOUR = "jam"
    DAY = "hari"
    CHOICES = [(MINUTE, _("menit")), (HOUR, _("jam")), (DAY, _("hari"))]


def step_key(task):
    """A task's step key: ``task.data["step"]`` where the node carries several steps, else the
    node's name (a built-in SOP's stable step key)."""
    data = task.data if isinstance(getattr(task, "data", None), dict) else {}
    return data.get("step") or (task.flow_task.name if task.flow_task is not None else "")


@dataclass(frozen=True)
class Step:
    number: int
    node: str  # the viewflow node name that carries this step
    kegiatan: str
    actor: str  # a Role value, or the code of any Position of the organisation
    actor_label: str  # the Pelaksana column header as the SOP writes it
    kelengkapan: str
    waktu_amount: int
    waktu_unit: str
    output: str
    title: str = ""  # short label for inboxes and charts; the Kegiatan is the full text
    # What each step is. An authored SOP's step (workflows/authored) has a StepKind value; a
    # built-in step has one too, or for work only its SOP's code does, a name from its package's
    # BUILTIN_KINDS (e.g. "bawaan: pembentukan tim"), as the workbook export writes it.
    kind: str = ""
    return_to: int | None = None  # pemeriksaan: the step number a return goes back to
    keterangan: str = ""
    outside_routine: bool = False  # beyond an acting official's routine authority

    @property
    def waktu_label(self):
        return f"{self.waktu_amount} {self.waktu_unit}"


@dataclass(frozen=True)
class Identity:
    instansi: str
    unit: str
    nomor: str
    tanggal_pembuatan: date | None
    tanggal_revisi: date | None
    tanggal_efektif: date | None
    disahkan_oleh: str  # the position (jabatan); the name and NIP come from the organisation
    nama: str
    dasar_hukum: tuple[str, ...]
    kualifikasi_pelaksana: tuple[str, ...]
    keterkaitan: tuple[str, ...]
    peralatan: tuple[str, ...]
    peringatan: str
    pencatatan: str


@dataclass(frozen=True)
class Sop:
    """One SOP: its text, and where SOPFlow finds its code.

    ``package`` is the dotted path of the SOP's folder. By convention it holds ``flow.py`` (the
    viewflow flow, named by ``flow``), ``models.py`` (its own models, app label "workflows") and
    optionally ``urls.py`` (``urlpatterns`` mounted at the site root, for its downloads) and
    ``hooks.py`` (what it contributes to shared pages; see ``workflows/catalogue.py``).
    """

    code: str
    identity: Identity
    steps: tuple[Step, ...] = field(default_factory=tuple)
    package: str = ""
    flow: str = ""  # the flow class's name inside ``<package>.flow``
    url_prefix: str = ""  # the flow's URL path segment, e.g. "population" for /population/
    period_kinds: tuple[str, ...] = ()  # PeriodType values a process of this SOP may run for
    icon: str = ""  # the Material icon of its menu entry
    process_model: str = ""  # the proxy model's lower-case name, for viewflow's permissions
    # The Pelaksana columns of the SOP document, in its order (``actor_label`` values); labels
    # not listed follow in the order the steps first use them.
    pelaksana: tuple[str, ...] = ()
    # An authored SOP's published version (workflows.authored.models.SopVersion pk) and number.
    version_id: int | None = None
    version_number: int = 1
    display_code: str = ""  # an authored SOP's own code (its ``code`` is the key "u<id>")

    @property
    def short_code(self):
        return self.display_code or self.code

    @property
    def flow_class(self):
        return import_string(f"{self.package}.flow.{self.flow}")

    def module(self, name):
        """The SOP's own module ``name`` (e.g. "hooks", "urls"), or None if it has none."""
        try:
            return import_module(f"{self.package}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{self.package}.{name}":
                raise
            return None

    @property
    def name(self):
        return self.identity.nama

    def step(self, number):
        return next(step for step in self.steps if step.number == number)

    def step_for_task(self, task):
        """The step a viewflow task carries: its node's step, or for the authored-SOP interpreter
        (one node for every step) the step key stored on the task."""
        return self.step_for_node(step_key(task))

    def step_for_key(self, key):
        return self.step_for_node(key)

    def step_for_node(self, node_name):
        for step in self.steps:
            if step.node == node_name:
                return step
        return None

    @property
    def authored(self):
        """Whether this is a published version of an agency's own SOP (run by the interpreter)."""
        return self.version_id is not None

    @property
    def actors(self):
        return tuple(dict.fromkeys(step.actor for step in self.steps))
