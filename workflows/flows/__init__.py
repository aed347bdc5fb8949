from .population import PopulationFlow
from .utilization import UtilizationFlow

__all__ = ["PopulationFlow", "UtilizationFlow"]
