"""The shared models; each registered SOP's own models are loaded from its package.

A SOP's models (``workflows/sops/<name>/models.py``) keep the app label "workflows" and their
tables; importing them here, in the registry's order, is what registers them with Django.
"""

from importlib import import_module

from ..catalogue import PACKAGES
from ..api.models import ApiToken
from .acting import ActingAppointment
from .assignment import OutOfOffice, Reassignment
from .audit import AuditEvent
from .documents import SignedDocument, SigningIdentity
from .evaluation import EvaluationFinding, SopEvaluation
from .notification import Notification, NotificationPreference
from .monitoring import MonitoringRule, Penilaian, StepAssessment
from .organisation import Officer, OfficerRole, Organisation, Position, ensure_builtin_positions
from .process import PeriodType, SopProcess
from .review import Instruction, Review
from .schedule import ScheduledStart, SopSchedule
from .sla import (
    AlternativeSchedule,
    HolidayOverride,
    OrganisationSopNumber,
    ProcessSla,
    SlaStatus,
    TaskSla,
    WaktuOverride,
)

for _sop in PACKAGES:
    import_module(f"{_sop.package}.models")

__all__ = [
    "ApiToken",
    "ActingAppointment",
    "OutOfOffice",
    "Reassignment",
    "EvaluationFinding",
    "SopEvaluation",
    "SignedDocument",
    "SigningIdentity",
    "AlternativeSchedule",
    "HolidayOverride",
    "Notification",
    "NotificationPreference",
    "OrganisationSopNumber",
    "ProcessSla",
    "SlaStatus",
    "TaskSla",
    "WaktuOverride",
    "AuditEvent",
    "MonitoringRule",
    "Penilaian",
    "StepAssessment",
    "Instruction",
    "Officer",
    "OfficerRole",
    "Organisation",
    "PeriodType",
    "Position",
    "Review",
    "SopProcess",
    "SopSchedule",
    "ScheduledStart",
    "ensure_builtin_positions",
]
