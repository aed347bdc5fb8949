from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def delete(self):
        raise PermissionError("The audit trail is append-only.")


class AuditEvent(models.Model):
    """Append-only record of who did what to a process, and when."""

    class Action(models.TextChoices):
        START = "start", _("memulai proses")
        ASSIGN = "assign", _("mengambil tugas")
        UNASSIGN = "unassign", _("melepaskan tugas")
        COMPLETE = "complete", _("menyelesaikan tugas")
        RETURN = "return", _("mengembalikan untuk diperbaiki")
        CANCEL_TASK = "cancel_task", _("membatalkan tugas")
        CANCEL_PROCESS = "cancel_process", _("membatalkan proses")
        UPLOAD = "upload", _("mengunggah berkas")
        DOWNLOAD = "download", _("mengunduh berkas")
        UPLOAD_REFUSED = "upload_refused", _("unggahan ditolak")
        SIGN_FAILED = "sign_failed", _("penandatanganan gagal")
        BACKUP_FAILED = "backup_failed", _("back-up gagal")
        PURGE = "purge", _("menghapus berkas")
        UNDO_TASK = "undo_task", _("mengurungkan penyelesaian tugas")
        REVIVE_TASK = "revive_task", _("menghidupkan kembali tugas")
        MANAGE_REFUSED = "manage_refused", _("tindakan administrasi ditolak")
        REASSIGN = "reassign", _("mengalihkan tugas")
        DELEGATE = "delegate", _("mendelegasikan tugas")
        ROUTED = "routed", _("mengalihkan tugas karena pegawai tidak di kantor")
        REASSIGN_REFUSED = "reassign_refused", _("pengalihan tugas ditolak")
        OUT_OF_OFFICE = "out_of_office", _("mencatat masa tidak di kantor")
        SCHEDULE_FAILED = "schedule_failed", _("mulai otomatis gagal")
        # An organisation's own SOPs (no process): who wrote, imported, published, revised, retired.
        SOP_SAVE = "sop_save", _("menyimpan draf SOP")
        SOP_IMPORT = "sop_import", _("mengimpor SOP dari workbook")
        SOP_PUBLISH = "sop_publish", _("menerbitkan versi SOP")
        SOP_REVISE = "sop_revise", _("membuka revisi SOP")
        SOP_RETIRE = "sop_retire", _("menghentikan SOP")
        SOP_EVALUATE = "sop_evaluate", _("mengevaluasi SOP")

    process = models.ForeignKey(
        "workflows.SopProcess", on_delete=models.PROTECT, related_name="audit_events", null=True
    )
    task = models.ForeignKey("viewflow.Task", on_delete=models.PROTECT, related_name="+", null=True)
    # The organisation's own SOP an event of its administration concerns (SOP_* actions).
    definition = models.ForeignKey(
        "workflows.SopDefinition", on_delete=models.PROTECT, related_name="audit_events", null=True, blank=True
    )
    # The step's stable key (its node name), "" for events outside a step; the number is for display.
    node = models.CharField(max_length=50, default="", editable=False)
    step_number = models.PositiveSmallIntegerField(null=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    detail = models.TextField(blank=True)
    # The capacity of an acting officer (Plh/Plt) who did this for the task's position: the kind
    # ("plh"/"plt") and the position's name then; empty when the actor acted in their own right.
    acting_kind = models.CharField(_("sebagai"), max_length=3, blank=True, default="", editable=False)
    acting_position = models.CharField(_("untuk jabatan"), max_length=200, blank=True, default="", editable=False)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("jejak audit")
        verbose_name_plural = _("jejak audit")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    @property
    def acting_label(self):
        """"Plh. Kepala Dinas" when the actor acted through an appointment, else ""."""
        if not self.acting_kind:
            return ""
        from .acting import ActingAppointment

        prefix = ActingAppointment.PREFIX.get(self.acting_kind, "")
        return f"{prefix} {self.acting_position}".strip()

    @classmethod
    def record(cls, action, actor=None, process=None, task=None, detail="", definition=None):
        step = None
        acting = None
        if task is not None:
            from ..catalogue import step_of_task
            from .acting import acting_for_task

            step = step_of_task(task, process)
            acting = acting_for_task(actor, task)
        return cls.objects.create(
            action=action,
            actor=actor if (actor is not None and actor.is_authenticated) else None,
            acting_kind=acting.kind if acting is not None else "",
            acting_position=acting.position.name if acting is not None else "",
            process_id=process.pk if process is not None else None,
            task=task,
            definition=definition,
            node=step.node if step else "",
            step_number=step.number if step else None,
            detail=detail,
        )
