"""Acting appointments (Plh / Plt): an officer stands in for a position for a range of days.

While an appointment covers today (in the organisation's time zone) the acting officer holds
the position's permission strings (``workflows.permissions.RoleBackend``), so viewflow's queue,
inbox and claim checks follow them; every act is recorded as done *for* the position ("Plh.
Kepala Dinas") in the audit trail, the clocks (a delegated step) and on signatures.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..roles import Role


class ActingQuerySet(models.QuerySet):
    def covering(self, day):
        """Appointments whose range (both ends included) contains ``day``."""
        return self.filter(start_date__lte=day, end_date__gte=day)

    def valid(self):
        """Only appointments whose officer and position belong to the appointment's organisation
        (a row written around ``clean()`` never reaches another organisation)."""
        return self.filter(
            officer__organisation_id=models.F("organisation_id"),
            position__organisation_id=models.F("organisation_id"),
            position__is_active=True,
        )


class ActingAppointment(models.Model):
    """An officer appointed Plh (Pelaksana Harian) or Plt (Pelaksana Tugas) of a position."""

    class Kind(models.TextChoices):
        PLH = "plh", _("Plh. (Pelaksana Harian)")
        PLT = "plt", _("Plt. (Pelaksana Tugas)")

    # The prefix printed before the position's name: "Plh. Kepala Dinas".
    PREFIX = {Kind.PLH: "Plh.", Kind.PLT: "Plt."}

    organisation = models.ForeignKey(
        "workflows.Organisation", on_delete=models.CASCADE, related_name="acting_appointments",
        verbose_name=_("organisasi"),
    )
    position = models.ForeignKey(
        "workflows.Position", on_delete=models.PROTECT, related_name="acting_appointments",
        verbose_name=_("jabatan yang dilaksanakan"),
    )
    officer = models.ForeignKey(
        "workflows.Officer", on_delete=models.PROTECT, related_name="acting_appointments",
        verbose_name=_("pegawai yang ditunjuk"),
    )
    kind = models.CharField(_("jenis penunjukan"), max_length=3, choices=Kind.choices, default=Kind.PLH)
    start_date = models.DateField(_("tanggal mulai"))
    end_date = models.DateField(_("tanggal selesai"), help_text=_("Hari terakhir penunjukan (ikut dihitung)."))
    letter_number = models.CharField(_("nomor surat penunjukan"), max_length=100)
    letter_date = models.DateField(_("tanggal surat penunjukan"))
    scope_note = models.TextField(_("catatan lingkup kewenangan"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("dicatat oleh"), editable=False,
    )
    created = models.DateTimeField(_("dicatat pada"), auto_now_add=True)

    objects = ActingQuerySet.as_manager()

    class Meta:
        verbose_name = _("penunjukan Plh/Plt")
        verbose_name_plural = _("penunjukan Plh/Plt")
        ordering = ["organisation", "-start_date", "pk"]

    def __str__(self):
        return gettext("%(title)s: %(name)s, %(start)s s.d. %(end)s") % {
            "title": self.title, "name": self.officer.display_name,
            "start": date_format(self.start_date, "j F Y"), "end": date_format(self.end_date, "j F Y"),
        }

    @property
    def prefix(self):
        return self.PREFIX.get(self.kind, "")

    @property
    def title(self):
        """"Plh. Kepala Dinas": what the audit trail, history and control sheet print."""
        return f"{self.prefix} {self.position.name}"

    def signature_title(self):
        """The title under a signature: the head's position prints the organisation's own
        title of its head ("Plh. Kepala Dinas ..."), any other position its name."""
        name = self.position.name
        if self.position.role == Role.KADIS and self.organisation.head_title:
            name = self.organisation.head_title
        return f"{self.prefix} {name}"

    @property
    def is_plh(self):
        return self.kind == self.Kind.PLH

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("Tanggal selesai tidak boleh sebelum tanggal mulai.")
        if self.letter_date and self.end_date and self.letter_date > self.end_date:
            errors["letter_date"] = _("Tanggal surat penunjukan tidak boleh sesudah penunjukan berakhir.")
        organisation_id = self.organisation_id
        if self.position_id is not None and organisation_id is not None:
            if self.position.organisation_id != organisation_id:
                errors["position"] = _("Jabatan ini milik organisasi lain.")
            elif not self.position.is_active:
                errors["position"] = _("Jabatan ini tidak aktif.")
        if self.officer_id is not None and organisation_id is not None:
            if self.officer.organisation_id != organisation_id:
                errors["officer"] = _("Pegawai ini dari organisasi lain; hanya pegawai organisasi ini yang dapat ditunjuk.")
            elif self.position_id is not None and self.officer.roles.filter(position_id=self.position_id).exists():
                errors["officer"] = _("Pegawai ini sudah memegang jabatan itu sendiri; tidak perlu ditunjuk sebagai Plh/Plt.")
        if not errors and self.position_id and self.start_date and self.end_date:
            clash = (
                ActingAppointment.objects.filter(position_id=self.position_id)
                .filter(start_date__lte=self.end_date, end_date__gte=self.start_date)
                .exclude(pk=self.pk)
                .select_related("officer__user", "position", "organisation")
                .first()
            )
            if clash is not None:
                errors["start_date"] = gettext(
                    "Rentang tanggal ini tumpang tindih dengan penunjukan lain untuk jabatan yang sama (%(other)s). "
                    "Satu jabatan hanya boleh mempunyai satu Plh/Plt pada satu waktu; ubah rentangnya atau "
                    "akhiri penunjukan yang lain lebih dulu."
                ) % {"other": str(clash)}
        if errors:
            raise ValidationError(errors)


def local_day(organisation, moment=None):
    """The calendar day of ``moment`` (now by default) in the organisation's time zone."""
    moment = moment or timezone.now()
    return timezone.localtime(moment, ZoneInfo(organisation.timezone)).date()


def held_directly(user, organisation_id, position_code):
    """Whether ``user`` holds the position themselves (an OfficerRole row), not by appointment."""
    from .organisation import OfficerRole

    return OfficerRole.objects.filter(
        officer__user=user, officer__organisation_id=organisation_id,
        position__organisation_id=organisation_id, position__code=position_code, position__is_active=True,
    ).exists()


def acting_for(user, organisation, position_code, moment=None):
    """The appointment through which ``user`` acts for the position ``position_code`` of
    ``organisation`` at ``moment`` (now by default), or None: none covers that day, or the user
    holds the position themselves (then they act in their own right)."""
    from .organisation import Organisation

    if user is None or not getattr(user, "is_authenticated", False) or not position_code:
        return None
    if not isinstance(organisation, Organisation):
        organisation = Organisation.objects.filter(pk=organisation).first()
        if organisation is None:
            return None
    appointment = (
        ActingAppointment.objects.valid()
        .covering(local_day(organisation, moment))
        .filter(officer__user=user, organisation=organisation, position__code=position_code)
        .select_related("position", "organisation", "officer__user")
        .first()
    )
    if appointment is None or held_directly(user, organisation.pk, position_code):
        return None
    return appointment


def acting_for_task(user, task, moment=None):
    """The appointment through which ``user`` acts on ``task`` (whose owner permission names a
    position of an organisation), or None."""
    from ..permissions import parse_org_permission

    parsed = parse_org_permission(getattr(task, "owner_permission", "") or "")
    if parsed is None:
        return None
    organisation_id, code = parsed
    return acting_for(user, organisation_id, code, moment)


def routine_refusal(user, task, process=None):
    """Why ``user``, acting as Plh for ``task``'s position, may not do it, or None.

    A Plh (Pelaksana Harian) carries only the routine authority of the position; a step the SOP
    marks as outside it (``Step.outside_routine``) waits for the position's holder or a Plt.
    """
    from ..catalogue import step_of_task

    acting = acting_for_task(user, task)
    if acting is None or not acting.is_plh:
        return None
    step = step_of_task(task, process)
    if step is None or not step.outside_routine:
        return None
    return gettext(
        "Langkah %(number)s (%(title)s) berada di luar kewenangan rutin jabatan %(position)s, sehingga tidak dapat "
        "dikerjakan oleh %(title_acting)s. Langkah ini menunggu pejabat definitif atau Plt. yang ditunjuk."
    ) % {"number": step.number, "title": step.title, "position": acting.position.name, "title_acting": acting.title}
