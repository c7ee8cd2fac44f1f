"""Pydantic v2 models of every record that crosses the boundary, and their JSON Schemas.

The `*.schema.json` files beside this module are generated from the models by
`python -m schemas.generate`; a test fails when they are stale.
"""

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
