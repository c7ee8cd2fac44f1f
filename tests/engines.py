"""The two engines as the rule suites call them: one case (a JSON-ready dict) and one tariff
in, the decision's canonical JSON line out.

`scalar` is `adjudicate` on `Case`; `columnar` is the columnar engine on a one-case batch, the
way `adjudicator evaluate` and the batch decide. A case the columnar engine's fast filter does
not take goes the scalar way, as in production; `columnar_taken` counts the cases it decided
itself, so that a suite can tell it was not bypassed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson

from adjudicator.rules.columnar import ColumnarEngine
from adjudicator.rules.decision import adjudicate
from adjudicator.rules.tariff import Tariff
from schemas.case import Case

Engine = Callable[[dict[str, Any], Tariff], bytes]

_ENGINES: dict[int, tuple[Tariff, ColumnarEngine]] = {}
columnar_taken = {"fast": 0, "scalar": 0}


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value))


def scalar(data: dict[str, Any], tariff: Tariff) -> bytes:
    return adjudicate(Case.model_validate(data), tariff).to_json().encode()


def columnar(data: dict[str, Any], tariff: Tariff) -> bytes:
    kept = _ENGINES.get(id(tariff))
    if kept is None or kept[0] is not tariff:
        kept = _ENGINES[id(tariff)] = (tariff, ColumnarEngine(tariff))
    decided = kept[1].decide([orjson.dumps(data, default=_default)])[0]
    if decided is None:
        columnar_taken["scalar"] += 1
        return scalar(data, tariff)
    columnar_taken["fast"] += 1
    return decided.line


ENGINES: dict[str, Engine] = {"scalar": scalar, "columnar": columnar}
