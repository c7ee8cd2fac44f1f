"""The anti-poverty fund adjudicator (防贫保理算引擎).

The pure core (`adjudicate`, `load_tariff`) imports nothing from storage, documents or the CLI.
"""

from adjudicator.rules.decision import adjudicate
from adjudicator.rules.tariff import Tariff, TariffError, load_tariff, parse_tariff
from adjudicator.rules.version import ENGINE_VERSION

__version__ = ENGINE_VERSION
__all__ = ["ENGINE_VERSION", "Tariff", "TariffError", "adjudicate", "load_tariff", "parse_tariff"]
