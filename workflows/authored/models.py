"""SOPs an organisation writes itself: definitions, numbered versions, their steps, and what runs.

A ``SopDefinition`` is one SOP of one organisation (its code and Nomor SOP stay across
revisions). Its text lives in ``SopVersion`` rows: at most one draft, edited in the browser or
imported from a workbook, and any number of published versions, numbered 1, 2, ... and never
changed once published. An ``AuthoredProcess`` is pinned to the version it started with; the
interpreter flow (``flow.py``) reads that version's ``VersionStep`` rows to route each task.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task

from workflows.models.audit import AuditEvent
from workflows.models.documents import AttachedFile
from workflows.models.organisation import Organisation, Position
from workflows.models.process import PeriodType, SopProcess
from workflows.sops.spec import Identity, Sop, Step
from workflows.storage import private_storage

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
KEY_PREFIX = "u"


def audit(action, user, definition, detail=""):
    """An event of the SOP's administration in the audit trail."""
    return AuditEvent.record(action, actor=user, definition=definition, detail=detail)


class StepKind(models.TextChoices):
    PERINTAH = "perintah", _("Perintah/disposisi")
    ISIAN = "isian", _("Isian")
    PEMERIKSAAN = "pemeriksaan", _("Pemeriksaan")
    PENANDATANGANAN = "penandatanganan", _("Penandatanganan")
    PENCATATAN = "pencatatan", _("Pencatatan")


# Step kinds that may open a SOP: the start form performs step 1, and it has nothing to review,
# sign or close yet.
FIRST_KINDS = (StepKind.PERINTAH, StepKind.ISIAN)


class SopDefinitionQuerySet(models.QuerySet):
    def for_organisation(self, organisation):
        return self.filter(organisation=organisation)

    def from_key(self, key):
        """The definition named by a process's ``sop`` column value (``u<pk>``), or None."""
        if not key or not key.startswith(KEY_PREFIX) or not key[len(KEY_PREFIX):].isdigit():
            return None
        return self.filter(pk=int(key[len(KEY_PREFIX):])).first()

    def startable(self):
        """Definitions a new process may start: not retired, with a published version."""
        return self.filter(retired_at__isnull=True, versions__status=SopVersion.PUBLISHED).distinct()

    def startable_versions(self, organisation):
        """The version a new process of each startable SOP of ``organisation`` would use."""
        versions = []
        for definition in self.startable().filter(organisation=organisation).order_by("code"):
            version = definition.latest_published()
            if version is not None:
                versions.append(version)
        return versions

    def with_version_summary(self):
        """Each definition with what a list of SOPs shows, in one query: ``latest_number`` and
        ``latest_date`` (Tanggal Revisi) of its latest published version, ``has_draft``, and
        ``current_nama`` (the draft's Nama SOP, else the latest version's)."""
        published = SopVersion.objects.filter(definition=OuterRef("pk"), status=SopVersion.PUBLISHED).order_by("-number")
        drafts = SopVersion.objects.filter(definition=OuterRef("pk"), status=SopVersion.DRAFT)
        return self.annotate(
            latest_number=Subquery(published.values("number")[:1]),
            latest_date=Subquery(published.values("tanggal_revisi")[:1]),
            has_draft=Exists(drafts),
            current_nama=Coalesce(Subquery(drafts.values("nama")[:1]), Subquery(published.values("nama")[:1])),
        )


class SopDefinition(models.Model):
    """One SOP of an organisation, across its versions."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sop_definitions", verbose_name=_("organisasi")
    )
    code = models.CharField(
        _("kode SOP"),
        max_length=20,
        help_text=_("Huruf besar, angka dan tanda hubung, 2–20 karakter, mis. LAYANAN-DATA."),
    )
    nomor = models.CharField(_("Nomor SOP"), max_length=100)
    retired_at = models.DateTimeField(_("dihentikan pada"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("dihentikan oleh"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dibuat oleh")
    )
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)

    objects = SopDefinitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("SOP susunan organisasi")
        verbose_name_plural = _("SOP susunan organisasi")
        ordering = ["organisation", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="unique_authored_sop_code"),
            models.UniqueConstraint(fields=["organisation", "nomor"], name="unique_authored_sop_nomor"),
        ]

    def __str__(self):
        return f"{self.code} — {self.nomor}"

    @property
    def key(self):
        """The value of the ``sop`` column of this SOP's processes and clocks."""
        return f"{KEY_PREFIX}{self.pk}"

    @property
    def is_retired(self):
        return self.retired_at is not None

    def retire(self, user):
        """Stop new processes of this SOP; running ones keep their version and go on."""
        if self.retired_at is None:
            with transaction.atomic():
                if SopDefinition.objects.filter(pk=self.pk, retired_at__isnull=True).update(
                        retired_at=timezone.now(), retired_by=user):
                    audit(AuditEvent.Action.SOP_RETIRE, user, self)
            self.refresh_from_db(fields=["retired_at", "retired_by"])
        return self

    def latest_published(self):
        return self.versions.filter(status=SopVersion.PUBLISHED).order_by("-number").first()

    def draft(self):
        return self.versions.filter(status=SopVersion.DRAFT).first()

    def current_version(self):
        """What the SOP's pages show: the draft being edited, else the latest published version."""
        return self.draft() or self.latest_published()

    @property
    def name(self):
        version = self.current_version()
        return version.nama if version else self.code

    def open_draft(self, user):
        """The draft, or a new draft copied from the latest published version (steps keep their keys)."""
        with transaction.atomic():
            draft = self.draft()
            if draft is not None:
                return draft
            latest = self.latest_published()
            if latest is None:
                raise ValidationError(_("SOP ini belum memiliki versi."))
            draft = SopVersion.objects.create(
                definition=self, status=SopVersion.DRAFT, created_by=user,
                **{name: getattr(latest, name) for name in SopVersion.IDENTITY_FIELDS},
            )
            VersionStep.objects.bulk_create(
                VersionStep(version=draft, **{name: getattr(step, name) for name in VersionStep.COPIED_FIELDS})
                for step in latest.steps.all()
            )
            audit(AuditEvent.Action.SOP_REVISE, user, self, _("dari versi %(number)s") % {"number": latest.number})
            return draft

    def next_step_key(self):
        """A key no step of any version of this SOP has used: ``k1``, ``k2``, ..."""
        used = VersionStep.objects.filter(version__definition=self).values_list("key", flat=True)
        numbers = [int(key[1:]) for key in used if key[:1] == "k" and key[1:].isdigit()]
        return f"k{max(numbers, default=0) + 1}"


class SopVersion(models.Model):
    """The identity block and steps of one version; immutable once published."""

    DRAFT, PUBLISHED = "draft", "published"
    STATUSES = [(DRAFT, _("Draf")), (PUBLISHED, _("Terbit"))]
    IDENTITY_FIELDS = (
        "nama", "unit", "tanggal_pembuatan", "tanggal_efektif", "disahkan_oleh", "dasar_hukum",
        "kualifikasi_pelaksana", "keterkaitan", "peralatan", "peringatan", "pencatatan",
    )

    definition = models.ForeignKey(SopDefinition, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("versi"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=STATUSES, default=DRAFT)
    nama = models.CharField(_("Nama SOP"), max_length=300)
    unit = models.CharField(_("unit kerja"), max_length=200, blank=True)
    tanggal_pembuatan = models.DateField(_("Tanggal Pembuatan"), null=True, blank=True)
    # The version's date: set when it is published.
    tanggal_revisi = models.DateField(_("Tanggal Revisi"), null=True, blank=True)
    tanggal_efektif = models.DateField(_("Tanggal Efektif"), null=True, blank=True)
    disahkan_oleh = models.CharField(_("Disahkan oleh (jabatan)"), max_length=200, blank=True)
    dasar_hukum = models.TextField(_("Dasar Hukum"), blank=True, help_text=_("Satu butir per baris."))
    kualifikasi_pelaksana = models.TextField(_("Kualifikasi Pelaksana"), blank=True, help_text=_("Satu butir per baris."))
    keterkaitan = models.TextField(_("Keterkaitan"), blank=True, help_text=_("Satu butir per baris."))
    peralatan = models.TextField(_("Peralatan/Perlengkapan"), blank=True, help_text=_("Satu butir per baris."))
    peringatan = models.TextField(_("Peringatan"), blank=True)
    pencatatan = models.TextField(_("Pencatatan dan Pendataan"), blank=True)
    published_at = models.DateTimeField(_("diterbitkan"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("versi SOP")
        verbose_name_plural = _("versi SOP")
        ordering = ["definition", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="unique_authored_sop_version_number"),
            models.UniqueConstraint(
                fields=["definition"], condition=Q(status="draft"), name="one_draft_per_authored_sop"
            ),
        ]

    def __str__(self):
        if self.status == self.DRAFT:
            return f"{self.definition.code} (draf)"
        return f"{self.definition.code} v{self.number}"

    @property
    def is_published(self):
        return self.status == self.PUBLISHED

    def save(self, *args, **kwargs):
        if self.pk and SopVersion.objects.filter(pk=self.pk, status=self.PUBLISHED).exists():
            raise ValidationError(_("Versi SOP yang sudah terbit tidak dapat diubah."))
        super().save(*args, **kwargs)

    @cached_property
    def ordered_steps(self):
        return list(self.steps.select_related("position").order_by("number"))

    def step(self, key):
        return next((step for step in self.ordered_steps if step.key == key), None)

    def first_step(self):
        return self.ordered_steps[0] if self.ordered_steps else None

    def next_key(self, key, returned=False):
        """The routing rule of the interpreter, in one place: after step ``key``, a return goes
        to its step's return target; anything else goes to the next step by number, and after
        the last step the process ends (None)."""
        steps = self.ordered_steps
        current = self.step(key)
        if returned:
            target = next((step for step in steps if step.number == current.return_to), None)
            if target is None or target.number >= current.number:
                raise ValidationError(_("Langkah tujuan pengembalian tidak ada dalam versi SOP ini."))
            return target.key
        later = [step for step in steps if step.number > current.number]
        return later[0].key if later else None

    def problems(self):
        """Why this version cannot be published (Indonesian sentences); empty when it can."""
        from .validation import check_version

        return check_version(self)

    def publish(self, user):
        """Number the draft and make it immutable; new processes use it from now on."""
        problems = self.problems()
        if problems:
            raise ValidationError(problems)
        with transaction.atomic():
            SopDefinition.objects.select_for_update().filter(pk=self.definition_id).first()
            last = self.definition.versions.aggregate(last=Max("number"))["last"] or 0
            today = timezone.localdate()
            SopVersion.objects.filter(pk=self.pk, status=self.DRAFT).update(
                status=self.PUBLISHED, number=last + 1, published_at=timezone.now(), published_by=user,
                tanggal_revisi=today, tanggal_pembuatan=self.tanggal_pembuatan or today,
            )
            audit(AuditEvent.Action.SOP_PUBLISH, user, self.definition, _("versi %(number)s") % {"number": last + 1})
        self.refresh_from_db()
        return self

    def lines(self, name):
        return tuple(line.strip() for line in (getattr(self, name) or "").splitlines() if line.strip())

    def as_sop(self):
        """This version as the registry's ``Sop``: what the shared pages, clocks, control sheet
        and SOP document read, exactly as for a built-in SOP."""
        definition = self.definition
        organisation = definition.organisation
        steps = tuple(
            Step(
                number=step.number, node=step.key, kegiatan=step.kegiatan, actor=step.position.code,
                actor_label=step.position.name, kelengkapan=step.kelengkapan, waktu_amount=step.waktu_amount,
                waktu_unit=step.waktu_unit, output=step.output, title=step.title, kind=step.kind,
                return_to=step.return_to, keterangan=step.keterangan, outside_routine=step.outside_routine,
            )
            for step in self.ordered_steps
        )
        identity = Identity(
            instansi=organisation.name, unit=self.unit or organisation.unit_name, nomor=definition.nomor,
            tanggal_pembuatan=self.tanggal_pembuatan, tanggal_revisi=self.tanggal_revisi,
            tanggal_efektif=self.tanggal_efektif, disahkan_oleh=self.disahkan_oleh or organisation.head_title,
            nama=self.nama, dasar_hukum=self.lines("dasar_hukum"),
            kualifikasi_pelaksana=self.lines("kualifikasi_pelaksana"), keterkaitan=self.lines("keterkaitan"),
            peralatan=self.lines("peralatan"), peringatan=self.peringatan, pencatatan=self.pencatatan,
        )
        return Sop(
            code=definition.key, identity=identity, steps=steps, package="workflows.authored", flow="AuthoredFlow",
            url_prefix="sop", period_kinds=(PeriodType.SEMESTER,), icon="assignment", process_model="authoredprocess",
            version_id=self.pk, version_number=self.number or 0, display_code=definition.code,
        )


class VersionStep(models.Model):
    """One row of the Prosedur table of a version."""

    COPIED_FIELDS = (
        "number", "key", "kegiatan", "position_id", "kelengkapan", "waktu_amount", "waktu_unit", "output", "kind",
        "return_to", "keterangan", "outside_routine",
    )

    version = models.ForeignKey(SopVersion, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(_("No"))
    # Stable across versions and renumbering: what tasks, clocks and outputs store.
    key = models.CharField(max_length=20, editable=False)
    kegiatan = models.TextField(_("Kegiatan"))
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+", verbose_name=_("Pelaksana"))
    kelengkapan = models.TextField(_("Kelengkapan"), blank=True)
    waktu_amount = models.PositiveIntegerField(_("Waktu"))
    waktu_unit = models.CharField(_("satuan waktu"), max_length=10, choices=[
        ("menit", _("menit")), ("jam", _("jam")), ("hari", _("hari"))])
    output = models.TextField(_("Output"), blank=True)
    kind = models.CharField(_("Jenis"), max_length=20, choices=StepKind.choices)
    return_to = models.PositiveSmallIntegerField(_("Kembali ke"), null=True, blank=True)
    keterangan = models.TextField(_("Keterangan"), blank=True)
    outside_routine = models.BooleanField(
        _("di luar kewenangan rutin"), default=False,
        help_text=_("Langkah ini tidak boleh dikerjakan oleh Pelaksana Harian (Plh)."),
    )

    class Meta:
        verbose_name = _("langkah SOP")
        verbose_name_plural = _("langkah SOP")
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="unique_authored_step_number"),
            models.UniqueConstraint(fields=["version", "key"], name="unique_authored_step_key"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    @property
    def title(self):
        """The label inboxes, charts and the control sheet show: the Kegiatan's first sentence,
        whole (pages wrap it; a Permenpan Kegiatan is one sentence)."""
        text = " ".join(self.kegiatan.split())
        return re.split(r"(?<=[.;:])\s", text, maxsplit=1)[0].rstrip(".;:")

    @property
    def waktu_label(self):
        return f"{self.waktu_amount} {self.waktu_unit}"

    def task_data(self):
        """What the interpreter stores on the step's task: its key and inbox title."""
        return {"step": self.key, "title": f"{self.number}. {self.title}", "kind": self.kind}


class AuthoredProcess(SopProcess):
    """A run of an authored SOP, pinned to the version it started with."""

    version = models.ForeignKey(SopVersion, on_delete=models.PROTECT, related_name="processes",
                                verbose_name=_("versi SOP"))
    subject = models.CharField(_("perihal"), max_length=300)
    # The step the process is at (a VersionStep key); empty once the last step is done.
    current_step = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        verbose_name = _("proses SOP susunan organisasi")
        verbose_name_plural = _("proses SOP susunan organisasi")
        ordering = ["-pk"]

    def save(self, *args, **kwargs):
        self.per_period = False
        if not self.sop:
            self.sop = self.version.definition.key
        if not self.year:
            today = timezone.localdate()
            self.year, self.period_type, self.period_number = today.year, PeriodType.SEMESTER, (today.month + 5) // 6
        super().save(*args, **kwargs)


def attachment_path(instance, filename):
    return f"authored/{instance.record.process_id}/{instance.token}{instance.suffix}"


class StepRecord(models.Model):
    """What an officer wrote at one authored step (isian, pencatatan, penandatanganan)."""

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="step_records")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    step_key = models.CharField(max_length=20)
    step_number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    notes = models.TextField(_("catatan"), blank=True)
    record_number = models.CharField(_("nomor"), max_length=100, blank=True)
    record_date = models.DateField(_("tanggal"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]


class StepAttachment(AttachedFile):
    """A Kelengkapan/Output file attached at an authored step, in private storage."""

    record = models.ForeignKey(StepRecord, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=300)

    class Meta:
        ordering = ["pk"]


class AuthoredTask(Task):
    """A task of the interpreter flow: titled by the step it carries (``data["title"]``), so
    inboxes, queues and histories show "3. Memeriksa berkas" instead of the node's name."""

    class Meta:
        proxy = True

    @property
    def title(self):
        data = self.data if isinstance(self.data, dict) else {}
        return data.get("title") or super().title
