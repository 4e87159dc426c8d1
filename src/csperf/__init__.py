"""csperf: fair, explainable KPI scores and bonuses for customer-service agents."""

from csperf.errors import CsperfError

__version__ = "0.1.0"

__all__ = ["CsperfError", "__version__"]
