"""SOP A step outputs: the team decree, the DKB upload, printing, distribution and backup."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task

from ..storage import private_storage
from .process import SopProcess


class TeamDecree(models.Model):
    """SK Tim Pengolahan dan Penyajian Data (step 2): who may do step 3."""

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="team_decrees")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("nomor SK"), max_length=100)
    date = models.DateField(_("tanggal SK"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="team_decrees")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]


def dkb_upload_path(instance, filename):
    # The stored name never carries the user's file name (it may hold personal information).
    return f"dkb/{instance.process_id}/{instance.token}{instance.suffix}"


class DkbUpload(models.Model):
    """A DKB/DWH extract uploaded at step 3. Kept outside the web root; purged after backup."""

    SOURCES = [("DKB", _("DKB (Data Konsolidasi Bersih)")), ("DWH", _("DWH (Data Warehouse)"))]

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="dkb_uploads")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(storage=private_storage, upload_to=dkb_upload_path, max_length=300, blank=True)
    token = models.CharField(max_length=32, editable=False)
    suffix = models.CharField(max_length=16, editable=False)
    original_name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    file_format = models.CharField(max_length=16)
    columns = models.JSONField(default=list)
    source = models.CharField(_("sumber data"), max_length=3, choices=SOURCES)
    cutoff_date = models.DateField(_("tanggal posisi data"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at"]


class AggregationRun(models.Model):
    """One run of the DKB engine over an upload, done by the background worker (run_jobs).

    The result keeps the aggregate tables and the quality report, never personal rows.
    """

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUSES = [(QUEUED, _("menunggu")), (RUNNING, _("sedang diolah")), (DONE, _("selesai")), (FAILED, _("gagal"))]

    upload = models.ForeignKey(DkbUpload, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED, db_index=True)
    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "pk"]

    @property
    def is_active(self):
        return self.status in (self.QUEUED, self.RUNNING)

    @property
    def percent(self):
        return round(self.progress * 100)


class DraftSubmission(models.Model):
    """Step 3's output: the draft report (a successful run) handed to the Kasi, with notes."""

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="draft_submissions")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(AggregationRun, on_delete=models.PROTECT, related_name="submissions")
    notes = models.TextField(_("catatan pengolahan untuk Kasi"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]


class Publication(models.Model):
    """Step 8: printing and publication of the semester report."""

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="publications")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    copies = models.PositiveIntegerField(_("jumlah eksemplar dicetak"))
    printed_on = models.DateField(_("tanggal cetak"))
    published_on = models.DateField(_("tanggal publikasi"))
    channel = models.CharField(_("media publikasi"), max_length=200)
    instruction_to_adb = models.TextField(_("perintah kepada ADB"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)


class Distribution(models.Model):
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="distributions")
    recipient = models.CharField(_("penerima"), max_length=200)
    delivered_on = models.DateField(_("tanggal diserahkan"))
    copies = models.PositiveIntegerField(_("eksemplar"), default=1)

    class Meta:
        ordering = ["delivered_on", "pk"]


class BackupRecord(models.Model):
    """Step 9: the encrypted archive of the semester's data (the password is never stored)."""

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="backups")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    location = models.CharField(_("berkas arsip"), max_length=500)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField(null=True)
    notes = models.TextField(_("catatan"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
