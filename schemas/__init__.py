"""Pydantic v2 models of every record that crosses the boundary, and their JSON Schemas.

The `*.schema.json` files beside this module are generated from the models by
`python -m schemas.generate`; a test fails when they are stale.

The names below are imported when first asked for (PEP 562): a light module of the package
(`schemas.vocabulary`, `schemas.types`) does not build every model, so the command line's
`--help`, which words its messages from the vocabulary, starts without pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemas.case import (
        Case,
        Claim,
        CostItem,
        CrossCheck,
        DisasterAmounts,
        EducationAmounts,
        History,
        Household,
        IncomeItem,
        MedicalAmounts,
        Member,
        Verification,
    )
    from schemas.decision import BandSlice, Decision, TraceStep
    from schemas.types import (
        ClaimCategory,
        ClaimSource,
        CostKind,
        CrossCheckSource,
        EducationStage,
        HouseholdCategory,
        IncomeKind,
        Outcome,
        format_amount,
        parse_amount,
    )

__all__ = [
    "BandSlice",
    "Case",
    "Claim",
    "ClaimCategory",
    "ClaimSource",
    "CostItem",
    "CostKind",
    "CrossCheck",
    "CrossCheckSource",
    "Decision",
    "DisasterAmounts",
    "EducationAmounts",
    "EducationStage",
    "History",
    "Household",
    "HouseholdCategory",
    "IncomeItem",
    "IncomeKind",
    "MedicalAmounts",
    "Member",
    "Outcome",
    "TraceStep",
    "Verification",
    "format_amount",
    "parse_amount",
]

#: Where each name of `__all__` is defined.
_HOMES = {
    **dict.fromkeys(("Case", "Claim", "CostItem", "CrossCheck", "DisasterAmounts",
                     "EducationAmounts", "History", "Household", "IncomeItem",
                     "MedicalAmounts", "Member", "Verification"), "schemas.case"),
    **dict.fromkeys(("BandSlice", "Decision", "TraceStep"), "schemas.decision"),
}


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module(_HOMES.get(name, "schemas.types")), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'schemas' has no attribute {name!r}")
