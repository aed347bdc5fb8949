"""The role vocabulary of the two SOPs (the Pelaksana columns)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    KADIS = "kadis", _("Kepala Dinas")
    KABID = "kabid", _("Kepala Bidang")
    KASI = "kasi", _("Kepala Seksi")
    TIM = "tim", _("Tim Pengolahan dan Penyajian Data")
    ADB = "adb", _("Administrator Database")
    STAF = "staf", _("Staf")
    SEKRETARIAT = "sekretariat", _("Sekretariat")


# Roles that supervise processes: they may release other officers' tasks and read the SLA
# dashboard of their organisation. Cancelling, undoing and reviving is for the organisation's
# admin (Officer.is_org_admin), see workflows/permissions.py.
SUPERVISOR_ROLES = frozenset({Role.KADIS, Role.KABID, Role.KASI})
