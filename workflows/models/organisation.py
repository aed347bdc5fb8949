from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
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


class Officer(models.Model):
    """A user's place in one organisation; their SOP roles are the OfficerRole rows."""

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
        return {r.role for r in self.roles.all()}


class OfficerRole(models.Model):
    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("peran pegawai")
        verbose_name_plural = _("peran pegawai")
        constraints = [models.UniqueConstraint(fields=["officer", "role"], name="unique_officer_role")]

    def __str__(self):
        return self.get_role_display()

    def clean(self):
        if self.role not in Role.values:
            raise ValidationError({"role": _("Peran tidak dikenal.")})


def officers_with_role(organisation, role):
    """Users of an organisation holding a role, for choosers (team members, staff)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, officer__organisation=organisation, officer__roles__role=role)
        .order_by("first_name", "username")
        .distinct()
    )
