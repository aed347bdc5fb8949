"""SOP A step outputs: the team decree, the DKB upload, printing, distribution and backup."""

import hashlib
import uuid

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task

from workflows.models.jobs import Job, JobFailed, JobQuerySet
from workflows.models.process import SopProcess
from workflows.storage import private_storage

from .definition import SOP_A


class PopulationProcess(SopProcess):
    """SOP A: Pengolahan dan Penyajian Data Kependudukan (one per semester)."""

    SOP_CODE = SOP_A.code

    class Meta:
        proxy = True
        ordering = ["-pk"]
        verbose_name = _("proses pengolahan data kependudukan")
        verbose_name_plural = _("proses pengolahan data kependudukan")


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


class DkbUploadQuerySet(models.QuerySet):
    def purge_abandoned(self):
        """Raw extracts of cancelled processes leave the storage (audited); returns how many.

        Called by the stray-file sweep; a cancelled process never reaches its backup step,
        which is where extracts are normally purged.
        """
        from viewflow.workflow.status import PROCESS

        from workflows.models.audit import AuditEvent

        purged = 0
        for upload in self.filter(purged_at__isnull=True, process__status=PROCESS.CANCELED).select_related("process"):
            name = upload.file.name
            with transaction.atomic():
                taken = type(upload).objects.filter(pk=upload.pk, purged_at__isnull=True).update(
                    file="", purged_at=timezone.now()
                )
                if taken:
                    AuditEvent.record(
                        AuditEvent.Action.PURGE, None, upload.process,
                        detail=_("Ekstrak mentah %(sha)s dihapus karena prosesnya dibatalkan") % {"sha": upload.sha256[:16]},
                    )
            if taken:
                if name:
                    private_storage().delete(name)
                purged += 1
        return purged


class DkbUpload(models.Model):
    """A DKB/DWH extract uploaded at step 3. Kept outside the web root; purged after backup."""

    objects = DkbUploadQuerySet.as_manager()

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


class AggregationRun(Job):
    """One run of the DKB engine over an upload, done by the background worker (run_jobs).

    The result keeps the aggregate tables and the quality report, never personal rows.
    """

    upload = models.ForeignKey(DkbUpload, on_delete=models.CASCADE, related_name="runs")
    result = models.JSONField(null=True, blank=True)

    class Meta(Job.Meta):
        pass

    def perform(self, progress):
        from workflows.dkb.aggregate import aggregate_file
        from workflows.dkb.errors import DkbFileError
        from workflows.reports.formatting import number

        upload = self.upload
        if not upload.file or upload.purged_at:
            raise JobFailed(_("Berkas unggahan tidak ditemukan lagi; unggah ulang."))
        try:
            result = aggregate_file(
                upload.file.path,
                cutoff=upload.cutoff_date,
                province=upload.process.organisation.province_code,
                progress=progress,
                max_inflated_bytes=settings.DKB_MAX_INFLATED_MB * 1024 * 1024,
            )
        except DkbFileError as error:
            raise JobFailed(_(error.template) % error.params) from None
        except FileNotFoundError:
            raise JobFailed(_("Berkas unggahan tidak ditemukan lagi; unggah ulang.")) from None
        self.finish(
            _("Tabel agregat siap: %(used)s dari %(read)s baris dipakai.")
            % {"used": number(result.rows["used"]), "read": number(result.rows["read"])},
            result=result.as_dict(),
        )


class DraftSubmissionQuerySet(models.QuerySet):
    def previous_semester_result(self, process):
        """The aggregate tables of the semester before ``process``'s, for the same organisation
        (its latest submitted draft, of a process that was not cancelled), or None."""
        year, number = (process.year, 1) if process.period_number == 2 else (process.year - 1, 2)
        submission = (
            self.filter(process__organisation_id=process.organisation_id, process__sop=SOP_A.code,
                        process__period_type=process.period_type, process__year=year,
                        process__period_number=number, process__cancelled=False,
                        run__result__isnull=False)
            .select_related("run").order_by("-created", "-pk").first()
        )
        return submission.run.result if submission is not None else None


class DraftSubmission(models.Model):
    """Step 3's output: the draft report (a successful run) handed to the Kasi, with notes."""

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="draft_submissions")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(AggregationRun, on_delete=models.PROTECT, related_name="submissions")
    notes = models.TextField(_("catatan pengolahan untuk Kasi"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    objects = DraftSubmissionQuerySet.as_manager()

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

    # The archive lives outside private storage; the stray-file sweep reads its path here.
    stored_path_field = "location"

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="backups")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    location = models.CharField(_("berkas arsip"), max_length=500)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField(null=True)
    notes = models.TextField(_("catatan"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)


def final_report_path(instance, filename):
    return f"documents/{instance.process_id}/final-{instance.token}.pdf"


class FinalReportQuerySet(JobQuerySet):
    def for_submission(self, submission):
        """The latest render of ``submission`` (a step-5 approval queues one)."""
        return self.filter(submission=submission).order_by("-created", "-pk").first()


class FinalReport(Job):
    """The final (unsigned) semester report, rendered by the worker as soon as the Kabid has
    validated the draft (step 5), so that the Kadis's step 6 only has to sign it."""

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="final_reports")
    submission = models.ForeignKey(DraftSubmission, on_delete=models.CASCADE, related_name="final_reports")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(storage=private_storage, upload_to=final_report_path, max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    # The signature block the render printed ({"title", "name", "nip", "acting"}): step 6 renders
    # again when the person who signs is not the one printed.
    signer = models.JSONField(default=dict, blank=True)

    objects = FinalReportQuerySet.as_manager()

    class Meta(Job.Meta):
        pass

    def perform(self, progress):
        from django.core.files.base import ContentFile

        from workflows.reports.signatory import head_signatory

        from .report import previous_semester_result, render_population_report

        progress(0.1, _("Menyusun laporan final"))
        signer = head_signatory(self.process.organisation)
        pdf = render_population_report(self.process, self.submission.run.result, final=True, signer=signer,
                                       previous=previous_semester_result(self.process))
        progress(0.9, _("Menyimpan laporan final"))
        name = private_storage().save(final_report_path(self, ""), ContentFile(pdf))
        self.finish(
            _("Laporan final siap ditandatangani."),
            file=name,
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
            signer=signer,
        )

    def read(self):
        with self.file.open("rb") as handle:
            return handle.read()
