from .audit import AuditEvent
from .organisation import Officer, OfficerRole, Organisation
from .population import Distribution, DkbUpload, Publication, BackupRecord, TeamDecree
from .process import PeriodType, PopulationProcess, SopProcess, UtilizationProcess
from .review import Instruction, Review
from .utilization import Evidence, LakipMaterial, Opd, UtilizationCount, UtilizationEntry, Evaluation

__all__ = [
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
