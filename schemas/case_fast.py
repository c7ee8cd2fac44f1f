"""The case contract once more, as a fast strict filter for the columnar engine.

`schemas.case.Case` is the contract. Validating it builds a dozen model objects and calls a
Python validator for every amount, which is most of the cost of deciding a case. This module
states the same shape as TypedDicts validated entirely inside pydantic-core, with amounts
kept as the text they were sent in, and it is deliberately *narrower* than `Case`:

- strict mode (no lax coercions such as "true" for a boolean or a number for a date);
- amounts only as strings of the plain form `123`, `123.4` or `123.45`, without leading zeros
  and below 10^11 yuan (so that integer fen arithmetic is exact in 64 bits);
- no whitespace trimming of amounts (`Case` refuses " 12.5 ", so this must not accept it).

Everything it accepts, `Case` accepts too and reads to the same values (the columnar engine
also re-checks the two model-level rules of `Case`: unique member ids, and amounts that match
the claim's category). Anything it refuses goes the scalar way, through `Case`, which either
decides it or names the field at fault. tests/test_rules_fast_paths.py holds the two
to the same fields with the same constraints, one by one (the amounts' plain form aside).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, NotRequired, TypeAlias

from pydantic import ConfigDict, Field, StringConstraints, TypeAdapter, with_config
from typing_extensions import TypedDict

from schemas.types import (
    CATEGORY_NAME_MAX,
    CATEGORY_NAME_PATTERN,
    NEGATIVE_ITEM_PATTERN,
    Cause,
    ClaimSource,
    CostKind,
    CrossCheckSource,
    EducationStage,
    HouseholdCategory,
    IncomeKind,
)

#: `cache_strings="keys"`: pydantic-core interns the JSON's keys only. Interning every value
#: as well (its default) hashes each name, ID number and amount of each case into a cache
#: that they, nearly all distinct, never hit: ~3.5 µs of a case's ~21 µs of validation.
_CONFIG = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True,
                     cache_strings="keys")

#: The plain amount form of the fast path: no sign, no leading zero, at most two decimals.
AMOUNT_PATTERN = r"^(0|[1-9][0-9]{0,10})(\.[0-9]{1,2})?$"

Amount = Annotated[str, StringConstraints(strip_whitespace=False, pattern=AMOUNT_PATTERN)]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Note = Annotated[str, StringConstraints(max_length=200)]
ItemCode = Annotated[str, StringConstraints(pattern=NEGATIVE_ITEM_PATTERN, max_length=64)]
ClaimCategoryValue = Annotated[str, StringConstraints(pattern=CATEGORY_NAME_PATTERN,
                                                      max_length=CATEGORY_NAME_MAX)]


def _literal(enum: type[StrEnum]) -> Any:
    """The values of a StrEnum as a Literal, so that pydantic-core checks them natively."""
    return Literal.__getitem__(tuple(member.value for member in enum))


if TYPE_CHECKING:  # the type checker sees text; pydantic sees the Literal of the values
    HouseholdCategoryValue: TypeAlias = str
    IncomeKindValue: TypeAlias = str
    CostKindValue: TypeAlias = str
    CrossCheckSourceValue: TypeAlias = str
    ClaimSourceValue: TypeAlias = str
    CauseValue: TypeAlias = str
    EducationStageValue: TypeAlias = str
else:
    HouseholdCategoryValue = _literal(HouseholdCategory)
    IncomeKindValue = _literal(IncomeKind)
    CostKindValue = _literal(CostKind)
    CrossCheckSourceValue = _literal(CrossCheckSource)
    ClaimSourceValue = _literal(ClaimSource)
    CauseValue = _literal(Cause)
    EducationStageValue = _literal(EducationStage)


@with_config(_CONFIG)
class FastMember(TypedDict):
    member_id: Identifier
    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    id_number: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    relation: NotRequired[Annotated[str, StringConstraints(max_length=32)]]
    counted: NotRequired[bool]


@with_config(_CONFIG)
class FastHousehold(TypedDict):
    household_id: Identifier
    region_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6,12}$")]
    category: HouseholdCategoryValue
    members: list[FastMember]


@with_config(_CONFIG)
class FastIncomeItem(TypedDict):
    kind: IncomeKindValue
    amount: Amount
    note: NotRequired[Note | None]


@with_config(_CONFIG)
class FastCostItem(TypedDict):
    kind: CostKindValue
    amount: Amount
    note: NotRequired[Note | None]


@with_config(_CONFIG)
class FastCrossCheck(TypedDict):
    source: CrossCheckSourceValue
    item: ItemCode
    found: bool
    detail: NotRequired[Note | None]


@with_config(_CONFIG)
class FastVerification(TypedDict):
    verified_on: dt.date
    verifier_id: Identifier
    income: NotRequired[list[FastIncomeItem] | None]
    costs: NotRequired[list[FastCostItem]]
    negative_list: NotRequired[dict[ItemCode, bool | None]]
    cross_checks: NotRequired[list[FastCrossCheck]]
    reused_from_claim: NotRequired[Identifier | None]
    reused_verification_id: NotRequired[Annotated[int, Field(ge=1)] | None]


@with_config(_CONFIG)
class FastMedical(TypedDict):
    total_cost: Amount
    non_compliant_cost: NotRequired[Amount]
    basic_insurance_paid: NotRequired[Amount]
    critical_illness_paid: NotRequired[Amount]
    medical_assistance_paid: NotRequired[Amount]
    other_compensation: NotRequired[Amount]


@with_config(_CONFIG)
class FastEducation(TypedDict):
    stage: EducationStageValue
    tuition: Amount
    accommodation: NotRequired[Amount]
    aid_received: NotRequired[Amount]


@with_config(_CONFIG)
class FastDisaster(TypedDict):
    assessed_loss: Amount
    insurance_paid: NotRequired[Amount]
    relief_paid: NotRequired[Amount]
    liable_party_paid: NotRequired[Amount | None]
    motor_vehicle_loss: NotRequired[Amount | None]


@with_config(_CONFIG)
class FastClaim(TypedDict):
    claim_id: Identifier
    category: ClaimCategoryValue
    member_id: Identifier
    event_date: dt.date
    source: ClaimSourceValue
    document_no: NotRequired[Annotated[str, StringConstraints(max_length=64)] | None]
    cause: NotRequired[CauseValue | None]
    medical: NotRequired[FastMedical | None]
    education: NotRequired[FastEducation | None]
    disaster: NotRequired[FastDisaster | None]


@with_config(_CONFIG)
class FastHistory(TypedDict):
    eligible_expense_to_date: NotRequired[Amount]
    paid_to_date: NotRequired[Amount]
    paid_all_categories_to_date: NotRequired[Amount]
    paid_member_all_categories_to_date: NotRequired[Amount | None]


@with_config(_CONFIG)
class FastCase(TypedDict):
    case_id: Identifier
    household: FastHousehold
    verification: NotRequired[FastVerification | None]
    claim: FastClaim
    history: NotRequired[FastHistory]


#: Validates one case's JSON text (str or bytes) into plain dicts, or raises ValidationError.
FAST_CASE = TypeAdapter(FastCase)

__all__ = ["AMOUNT_PATTERN", "FAST_CASE", "FastCase"]
