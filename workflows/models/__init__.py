from .audit import AuditEvent
from .documents import SignedDocument, SigningIdentity
from .organisation import Officer, OfficerRole, Organisation
from .population import (
    AggregationRun,
    BackupRecord,
    Distribution,
    DkbUpload,
    DraftSubmission,
    FinalReport,
    Publication,
    TeamDecree,
)
from .process import PeriodType, PopulationProcess, SopProcess, UtilizationProcess
from .review import Instruction, Review
from .sla import AlternativeSchedule, HolidayOverride, Notification, ProcessSla, SlaStatus, TaskSla, WaktuOverride
from .utilization import Evidence, LakipMaterial, Opd, UtilizationCount, UtilizationEntry, Evaluation

__all__ = [
    "SignedDocument",
    "SigningIdentity",
    "AlternativeSchedule",
    "HolidayOverride",
    "Notification",
    "ProcessSla",
    "SlaStatus",
    "TaskSla",
    "WaktuOverride",
    "AggregationRun",
    "DraftSubmission",
    "FinalReport",
    "AuditEvent",
    "BackupRecord",
    "Distribution",
    "DkbUpload",
    "Evaluation",
    "Evidence",
    "Instruction",
    "LakipMaterial",
    "Officer",
    "OfficerRole",
    "Opd",
    "Organisation",
    "PeriodType",
    "PopulationProcess",
    "Publication",
    "Review",
    "SopProcess",
    "TeamDecree",
    "UtilizationCount",
    "UtilizationEntry",
    "UtilizationProcess",
]
