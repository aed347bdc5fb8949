from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from ..roles import Role


class Organisation(models.Model):
    """A provincial agency (Dinas) that runs SOPs. Every process belongs to one."""

    TIMEZONES = [
        ("Asia/Jakarta", _("WIB (Asia/Jakarta)")),
        ("Asia/Makassar", _("WITA (Asia/Makassar)")),
        ("Asia/Jayapura", _("WIT (Asia/Jayapura)")),
    ]

    name = models.CharField(_("nama instansi"), max_length=200, unique=True)
    short_name = models.CharField(_("singkatan"), max_length=50)
    province_code = models.CharField(
        _("kode provinsi"), max_length=2, help_text=_("Kode wilayah Kemendagri, mis. 17 untuk Bengkulu.")
    )
    province_name = models.CharField(_("nama provinsi"), max_length=100)
    unit_name = models.CharField(_("bidang/seksi"), max_length=200, blank=True)
    city = models.CharField(
        _("kota tempat kedudukan"), max_length=100, blank=True,
        help_text=_("Dicetak sebelum tanggal di atas tanda tangan, mis. Padang. Kosong: nama provinsi."),
    )
    timezone = models.CharField(_("zona waktu"), max_length=40, choices=TIMEZONES, default="Asia/Jakarta")
    head_title = models.CharField(_("jabatan pimpinan"), max_length=200, default="Kepala Dinas")
    head_name = models.CharField(_("nama pimpinan"), max_length=200, blank=True)
    head_nip = models.CharField(_("NIP pimpinan"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("organisasi")
        verbose_name_plural = _("organisasi")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def signing_place(self):
        """Where its documents are signed, as printed before the date ("Padang, 1 Desember 2026")."""
        return self.city or self.province_name

    def sop_nomor(self, sop):
        """The Nomor SOP this organisation prints for ``sop`` (a ``Sop``): the number its admin
        gave a built-in SOP, else the SOP's own (an authored version's, or the seed's); "" if none."""
        from .sla import OrganisationSopNumber

        own = "" if sop.authored or self.pk is None else OrganisationSopNumber.objects.nomor(self, sop)
        return own or sop.identity.nomor


class Position(models.Model):
    """A position (jabatan) of one organisation: what a SOP step's Pelaksana names.

    Every organisation has the seven built-in positions, one per Role (``role`` set, ``code``
    equal to the role's value, see ``ensure_builtin_positions``); it may add its own (for example
    *Operator Layanan*). An officer holds positions through OfficerRole rows, and the permission
    ``workflows.org<organisation id>.<code>`` of each held position is what a step's task asks
    for (``workflows.permissions``), so a built-in position keeps the role's permission string.
    ``parent`` is the position above (the supervisor chain).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="positions", verbose_name=_("organisasi")
    )
    name = models.CharField(_("nama jabatan"), max_length=200)
    code = models.SlugField(
        _("kode"),
        max_length=50,
        help_text=_("Kode singkat, unik di organisasi ini, mis. operator-layanan. Tidak dapat diubah setelah dipakai."),
    )
    role = models.CharField(_("peran bawaan"), max_length=20, choices=Role.choices, blank=True, default="")
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("jabatan atasan"),
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("jabatan")
        verbose_name_plural = _("jabatan")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="unique_position_name",
                violation_error_message=_("Organisasi ini sudah mempunyai jabatan dengan nama itu."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "code"],
                name="unique_position_code",
                violation_error_message=_("Organisasi ini sudah mempunyai jabatan dengan kode itu."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "role"],
                condition=~models.Q(role=""),
                name="unique_position_role",
                violation_error_message=_("Organisasi ini sudah mempunyai jabatan bawaan untuk peran itu."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.code in Role.values and self.role != self.code:
            errors["code"] = _("Kode ini milik jabatan bawaan; pilih kode lain.")
        if self.role and self.code != self.role:
            errors["role"] = _("Jabatan bawaan memakai kode perannya sendiri.")
        if self.role and not self.is_active:
            errors["is_active"] = _("Jabatan bawaan tidak dapat dinonaktifkan.")
        if "code" not in errors and self._code_in_use_before():
            errors["code"] = _(
                "Kode jabatan yang sudah dipegang pegawai atau dipakai tugas tidak dapat diubah; buat jabatan baru."
            )
        if self.parent_id is not None:
            if self.organisation_id is not None and self.parent.organisation_id != self.organisation_id:
                errors["parent"] = _("Jabatan atasan harus dari organisasi yang sama.")
            elif self.pk is not None:
                above, seen = self.parent, set()
                while above is not None and above.pk not in seen:
                    if above.pk == self.pk:
                        errors["parent"] = _("Jabatan atasan tidak boleh membentuk lingkaran.")
                        break
                    seen.add(above.pk)
                    above = above.parent
        if errors:
            raise ValidationError(errors)


    def _code_in_use_before(self):
        """Whether this saved position's code changes although officers hold it or tasks ask for it."""
        from viewflow.workflow.models import Task

        from ..permissions import org_role_permission

        if self.pk is None:
            return False
        old = Position.objects.filter(pk=self.pk).values_list("organisation_id", "code").first()
        if old is None or old[1] == self.code:
            return False
        return self.holdings.exists() or Task.objects.filter(owner_permission=org_role_permission(*old)).exists()


# The chain above each built-in position: Kadis heads the agency, Kabid reports to the Kadis,
# the Kasi to the Kabid, and the working positions to the Kasi.
BUILTIN_PARENTS = {
    Role.KADIS: None,
    Role.SEKRETARIAT: Role.KADIS,
    Role.KABID: Role.KADIS,
    Role.KASI: Role.KABID,
    Role.TIM: Role.KASI,
    Role.ADB: Role.KASI,
    Role.STAF: Role.KASI,
}


def ensure_builtin_positions(organisation):
    """Create the seven built-in positions of ``organisation`` that it lacks; return them by role."""
    existing = {p.role: p for p in Position.objects.filter(organisation=organisation).exclude(role="")}
    for role in BUILTIN_PARENTS:
        if role not in existing:
            existing[role] = Position.objects.create(
                organisation=organisation, name=str(Role(role).label), code=role, role=role
            )
    for role, parent_role in BUILTIN_PARENTS.items():
        position = existing[role]
        if parent_role and position.parent_id is None:
            position.parent = existing[parent_role]
            position.save(update_fields=["parent"])
    return existing


@receiver(post_save, sender=Organisation, dispatch_uid="organisation_builtin_positions")
def _organisation_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        ensure_builtin_positions(instance)


class Officer(models.Model):
    """A user's place in one organisation; the positions (and so roles) they hold are the
    OfficerRole rows."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer", verbose_name=_("pengguna")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="officers", verbose_name=_("organisasi")
    )
    nip = models.CharField(_("NIP"), max_length=30, blank=True)
    position = models.CharField(_("jabatan"), max_length=200, blank=True)
    is_org_admin = models.BooleanField(
        _("administrator organisasi"),
        default=False,
        help_text=_(
            "Boleh membatalkan tugas atau proses, mengurungkan tugas yang sudah selesai dan menghidupkan "
            "kembali tugas yang dibatalkan, di organisasinya sendiri. Setiap tindakan itu dicatat di jejak "
            "audit; proses yang laporannya sudah ditandatangani atau datanya sudah diarsipkan tidak dapat diubah."
        ),
    )
    is_sop_admin = models.BooleanField(
        _("administrator SOP"),
        default=False,
        help_text=_(
            "Boleh menyusun, mengimpor, menerbitkan dan menghentikan SOP organisasinya sendiri. Versi yang "
            "sudah terbit tidak berubah; proses yang berjalan tetap memakai versinya."
        ),
    )
    # The language of the pages for this officer, chosen in the user menu; empty is the
    # application's default (Bahasa Indonesia). Printed and signed documents stay Indonesian.
    language = models.CharField(
        _("bahasa tampilan"), max_length=10, choices=settings.LANGUAGES, blank=True, default="",
        help_text=_("Kosong: Bahasa Indonesia. Dokumen yang dicetak dan ditandatangani tetap berbahasa Indonesia."),
    )

    class Meta:
        verbose_name = _("pegawai")
        verbose_name_plural = _("pegawai")
        ordering = ["organisation", "user__username"]

    def __str__(self):
        return f"{self.display_name} ({self.organisation.short_name})"

    @property
    def display_name(self):
        return self.user.get_full_name() or self.user.username

    @property
    def role_codes(self):
        return {r.role for r in self.roles.all() if r.role}


class OfficerRole(models.Model):
    """One position an officer holds. ``role`` is the built-in role of that position (empty for
    an organisation's own positions); giving only ``role`` picks the organisation's built-in
    position for it, giving only ``position`` fills ``role`` from it."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, blank=True, default="")
    position = models.ForeignKey(
        Position,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="holdings",
        verbose_name=_("jabatan"),
    )

    class Meta:
        verbose_name = _("jabatan pegawai")
        verbose_name_plural = _("jabatan pegawai")
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "role"],
                condition=~models.Q(role=""),
                name="unique_officer_role",
                violation_error_message=_("Pegawai ini sudah memegang peran itu."),
            ),
            models.UniqueConstraint(
                fields=["officer", "position"],
                name="unique_officer_position",
                violation_error_message=_("Pegawai ini sudah memegang jabatan itu."),
            ),
        ]

    def __str__(self):
        return str(self.position) if self.position_id else self.get_role_display()

    def _officer(self):
        try:
            return self.officer
        except Officer.DoesNotExist:
            return None

    def _fill(self):
        officer = self._officer()
        if self.position_id is not None:
            self.role = self.position.role
        elif self.role in Role.values and officer is not None and officer.organisation_id is not None:
            self.position = ensure_builtin_positions(officer.organisation)[self.role]

    def clean(self):
        if self.role and self.role not in Role.values:
            raise ValidationError({"role": _("Peran tidak dikenal.")})
        if self.position_id is None and not self.role:
            raise ValidationError({"position": _("Pilih jabatan yang dipegang pegawai ini.")})
        officer = self._officer()
        if self.position_id is not None and officer is not None:
            if self.position.organisation_id != officer.organisation_id:
                raise ValidationError({"position": _("Jabatan ini milik organisasi lain.")})
            if self.role and self.position.role != self.role:
                raise ValidationError({"role": _("Peran tidak sesuai dengan jabatan yang dipilih.")})
        self._fill()

    def save(self, *args, **kwargs):
        self._fill()
        super().save(*args, **kwargs)


def officers_with_role(organisation, role):
    """Users of an organisation holding a role (or a position, by its code), for choosers
    (team members, staff)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, officer__organisation=organisation, officer__roles__position__code=role)
        .order_by("first_name", "username")
        .distinct()
    )
