"""The anti-poverty fund adjudicator (防贫保理算引擎).

The pure core (`adjudicate`, `load_tariff`) imports nothing from storage, documents or the CLI.
It is imported when first used (`adjudicator.adjudicate`, `from adjudicator import Tariff`), so
a module that needs only `adjudicator.messages` does not load it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adjudicator.rules.decision import adjudicate
    from adjudicator.rules.tariff import Tariff, TariffError, load_tariff, parse_tariff
    from adjudicator.rules.version import ENGINE_VERSION

    __version__ = ENGINE_VERSION

_WHERE = {"adjudicate": "adjudicator.rules.decision", "Tariff": "adjudicator.rules.tariff",
          "TariffError": "adjudicator.rules.tariff", "load_tariff": "adjudicator.rules.tariff",
          "parse_tariff": "adjudicator.rules.tariff", "ENGINE_VERSION": "adjudicator.rules.version",
          "__version__": "adjudicator.rules.version"}

__all__ = ["ENGINE_VERSION", "Tariff", "TariffError", "adjudicate", "load_tariff", "parse_tariff"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'adjudicator' has no attribute {name!r}")
    module = importlib.import_module(_WHERE[name])
    return getattr(module, "ENGINE_VERSION" if name == "__version__" else name)
