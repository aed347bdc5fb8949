"""Who holds an open task when its officer cannot: reassignment, delegation, out-of-office.

A :class:`Reassignment` row records every change of a task's holder that was not a claim or a
release: a supervisor's reassignment, an officer's delegation, and the routing of a new task
away from an officer who is out of the office. The new holder's task page shows its reason;
the audit trail has the same event. An :class:`OutOfOffice` period is the officer's own.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Reassignment(models.Model):
    class Kind(models.TextChoices):
        REASSIGN = "reassign", _("dialihkan oleh atasan")
        DELEGATE = "delegate", _("didelegasikan")
        ROUTED = "routed", _("dialihkan karena pegawai tidak di kantor")

    task = models.ForeignKey("viewflow.Task", on_delete=models.CASCADE, related_name="+")
    process = models.ForeignKey("workflows.SopProcess", on_delete=models.CASCADE, related_name="reassignments")
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("dari"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("kepada"), help_text=_("Kosong: tugas kembali ke antrean jabatan."),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("oleh"),
    )
    reason = models.TextField(_("alasan"))
    created = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("pengalihan tugas")
        verbose_name_plural = _("pengalihan tugas")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.task_id}"

    @classmethod
    def latest_to(cls, task):
        """The change that gave ``task`` to its current holder, or None (claimed or assigned by the flow)."""
        if task.pk is None or task.owner_id is None:
            return None
        latest = cls.objects.filter(task_id=task.pk).select_related("by", "from_user", "to_user").first()
        return latest if latest is not None and latest.to_user_id == task.owner_id else None


class OutOfOfficeQuerySet(models.QuerySet):
    def covering(self, day):
        return self.filter(start_date__lte=day, end_date__gte=day)

    def current_and_upcoming(self, day):
        return self.filter(end_date__gte=day)


class OutOfOffice(models.Model):
    """An officer's absence (cuti, dinas luar): new tasks that would come to them personally go
    to the position's acting officer or back to the position's queue instead."""

    class Target(models.TextChoices):
        ACTING = "acting", _("kepada Plh/Plt jabatan")
        QUEUE = "queue", _("kembali ke antrean jabatan")

    officer = models.ForeignKey(
        "workflows.Officer", on_delete=models.CASCADE, related_name="absences", verbose_name=_("pegawai")
    )
    start_date = models.DateField(_("tanggal mulai"))
    end_date = models.DateField(_("tanggal selesai"), help_text=_("Hari terakhir tidak di kantor (ikut dihitung)."))
    note = models.CharField(_("keterangan"), max_length=200, help_text=_("Mis. cuti tahunan, dinas luar ke Jakarta."))
    target = models.CharField(_("tugas baru dialihkan"), max_length=10, choices=Target.choices, default=Target.ACTING)
    created = models.DateTimeField(_("dicatat pada"), auto_now_add=True)

    objects = OutOfOfficeQuerySet.as_manager()

    class Meta:
        verbose_name = _("masa tidak di kantor")
        verbose_name_plural = _("masa tidak di kantor")
        ordering = ["officer", "-start_date", "pk"]

    def __str__(self):
        return gettext("%(name)s tidak di kantor %(start)s s.d. %(end)s") % {
            "name": self.officer.display_name, "start": date_format(self.start_date, "j F Y"),
            "end": date_format(self.end_date, "j F Y"),
        }

    def clean(self):
        if self.start_date and self.end_date:
            if self.end_date < self.start_date:
                raise ValidationError({"end_date": _("Tanggal selesai tidak boleh sebelum tanggal mulai.")})
            clash = (
                OutOfOffice.objects.filter(officer_id=self.officer_id)
                .filter(start_date__lte=self.end_date, end_date__gte=self.start_date)
                .exclude(pk=self.pk)
                .first()
            )
            if clash is not None:
                raise ValidationError({"start_date": gettext(
                    "Rentang ini tumpang tindih dengan masa tidak di kantor Anda yang lain (%(start)s s.d. %(end)s)."
                ) % {"start": date_format(clash.start_date, "j F Y"), "end": date_format(clash.end_date, "j F Y")}})

    @classmethod
    def of_user(cls, user, day):
        """The period that keeps ``user`` out of the office on ``day``, or None."""
        if user is None:
            return None
        return cls.objects.covering(day).filter(officer__user=user).first()
