"""The notification outbox: one row per recipient and event, delivered by the background loop.

``workflows.notifications.notify`` writes the rows (never sends inline); ``deliver`` in the same
module, run by ``manage.py run_timers``, mails them with retry and backoff, inside the recipient
organisation's working hours unless the officer chose the 07:30 digest. The in-app list and the
header's bell read the same rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .organisation import Organisation
from .process import SopProcess
from .sla import TaskSla


class Channel(models.TextChoices):
    """How an officer wants one kind of notification."""

    BOTH = "both", _("Di aplikasi dan e-mail")
    APP = "app", _("Hanya di aplikasi")
    EMAIL = "email", _("Hanya e-mail")
    DIGEST = "digest", _("Ringkasan harian pukul 07.30")
    OFF = "off", _("Tidak usah diberitahukan")


class NotificationQuerySet(models.QuerySet):
    def in_app(self):
        """What the officer sees in the app: the kinds they want shown there."""
        return self.filter(channel__in=(Channel.BOTH, Channel.APP))

    def unread(self):
        return self.in_app().filter(read_at__isnull=True)

    def deliverable(self, now):
        """Rows whose e-mail is due now: never sent, or failed and due for another attempt."""
        return self.filter(
            mail_status__in=(Notification.MailStatus.PENDING, Notification.MailStatus.FAILED),
            next_attempt_at__lte=now,
        )


class Notification(models.Model):
    """One notice to one officer about one event: in the app, by e-mail, in the digest.

    The subject, body, deep link, SOP header and due moment are written when the event happens,
    so what the officer reads does not change when a calendar or SOP changes later.
    """

    class Kind(models.TextChoices):
        INBOX = "inbox", _("Tugas masuk ke kotak tugas Anda")
        QUEUE = "queue", _("Tugas masuk ke antrean jabatan Anda")
        RETURNED = "returned", _("Tugas dikembalikan kepada Anda")
        REASSIGNED = "reassigned", _("Tugas dialihkan kepada Anda")
        DELEGATED = "delegated", _("Tugas didelegasikan kepada Anda")
        DUE_SOON = "due_soon", _("Tugas mendekati batas waktu")
        OVERDUE = "overdue", _("Tugas melewati batas waktu")
        ESCALATION = "escalation", _("Tugas bawahan melewati batas waktu")

    # Kinds written once per recipient and task, whatever the number of sweeps or callers (a
    # task arrives once; a return opens a new task). A task can be reassigned to the same
    # officer again, so those two repeat.
    ONCE_KINDS = (Kind.INBOX, Kind.QUEUE, Kind.RETURNED, Kind.DUE_SOON, Kind.OVERDUE, Kind.ESCALATION)

    class Reason(models.TextChoices):
        """In which capacity the recipient hears of the task."""

        ASSIGNEE = "assignee", _("pelaksana tugas")
        QUEUE = "queue", _("pemegang peran")
        SUPERVISOR = "supervisor", _("atasan")

    class MailStatus(models.TextChoices):
        NONE = "none", _("Tidak dikirim lewat e-mail")
        PENDING = "pending", _("Menunggu pengiriman")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal, akan dicoba lagi")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sla_notifications",
        verbose_name=_("penerima"),
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices, default=Kind.OVERDUE)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("organisasi")
    )
    process = models.ForeignKey(
        SopProcess, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("proses")
    )
    task = models.ForeignKey(
        "viewflow.Task", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("tugas")
    )
    task_sla = models.ForeignKey(
        TaskSla, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    reason = models.CharField(_("sebagai"), max_length=20, choices=Reason.choices, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("oleh"),
    )
    # The reason a reviewer or supervisor gave (a return, a reassignment).
    note = models.TextField(_("alasan"), blank=True, default="")
    sop_name = models.CharField(_("SOP"), max_length=300, blank=True, default="")
    sop_number = models.CharField(_("Nomor SOP"), max_length=100, blank=True, default="")
    step_number = models.PositiveSmallIntegerField(_("langkah"), null=True, blank=True)
    step_title = models.CharField(_("judul langkah"), max_length=300, blank=True, default="")
    due = models.DateTimeField(_("batas waktu"), null=True, blank=True)
    due_label = models.CharField(_("batas waktu (zona organisasi)"), max_length=60, blank=True, default="")
    link = models.CharField(_("tautan"), max_length=500, blank=True, default="")
    subject = models.CharField(_("judul"), max_length=300, blank=True, default="")
    body = models.TextField(_("isi"), blank=True, default="")
    created = models.DateTimeField(_("dibuat"))
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)
    # Delivery: the channel the officer's preference gave when the row was written.
    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices, default=Channel.BOTH)
    mail_status = models.CharField(
        _("status e-mail"), max_length=10, choices=MailStatus.choices, default=MailStatus.NONE
    )
    emailed = models.BooleanField(_("terkirim lewat e-mail"), default=False)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"), null=True, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True, default="")
    sent_at = models.DateTimeField(_("dikirim"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("pemberitahuan")
        verbose_name_plural = _("pemberitahuan")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "task", "kind"],
                condition=~Q(kind__in=("reassigned", "delegated")),
                name="one_notice_per_recipient_task_kind",
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(mail_status__in=("pending", "failed")), name="notice_outbox"
            ),
            models.Index(fields=["recipient", "read_at"], name="notice_recipient_read"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def in_app(self):
        return self.channel in (Channel.BOTH, Channel.APP)


class NotificationPreference(models.Model):
    """An officer's choice for one kind of notification; no row means both app and e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Notification.Kind.choices)
    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices, default=Channel.BOTH)

    class Meta:
        verbose_name = _("pilihan pemberitahuan")
        verbose_name_plural = _("pilihan pemberitahuan")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_user_kind")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_channel_display()}"
