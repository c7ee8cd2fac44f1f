"""The case: everything one decision depends on, and nothing else (LAYOUT.md, RULES.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from schemas.types import (
    NEGATIVE_ITEM_PATTERN,
    STRICT,
    ClaimCategory,
    ClaimSource,
    CostKind,
    CrossCheckSource,
    EducationStage,
    HouseholdCategory,
    IncomeKind,
    Money,
)

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=64)]
ZERO = Decimal(0)
ItemCode = Annotated[str, StringConstraints(pattern=NEGATIVE_ITEM_PATTERN, max_length=64)]


class Member(BaseModel):
    """家庭成员: one person of the household; `counted` members divide the income."""

    model_config = STRICT

    member_id: Identifier
    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    id_number: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    relation: Annotated[str, StringConstraints(max_length=32)] = "other"
    counted: bool = True


class Household(BaseModel):
    """户: the household, identified by its id and located by its region code."""

    model_config = STRICT

    household_id: Identifier
    region_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6,12}$")]
    category: HouseholdCategory
    members: list[Member]

    @model_validator(mode="after")
    def _unique_members(self) -> Self:
        seen: set[str] = set()
        for member in self.members:
            if member.member_id in seen:
                raise ValueError(f"member_id {member.member_id!r} appears twice")
            seen.add(member.member_id)
        return self


class IncomeItem(BaseModel):
    model_config = STRICT

    kind: IncomeKind
    amount: Money
    note: Annotated[str, StringConstraints(max_length=200)] | None = None


class CostItem(BaseModel):
    model_config = STRICT

    kind: CostKind
    amount: Money
    note: Annotated[str, StringConstraints(max_length=200)] | None = None


class CrossCheck(BaseModel):
    """信息比对: a department's finding about one negative-list item of the household."""

    model_config = STRICT

    source: CrossCheckSource
    item: ItemCode
    found: bool
    detail: Annotated[str, StringConstraints(max_length=200)] | None = None


class Verification(BaseModel):
    """入户核查: what the field verifier recorded at the household.

    `income` is None when it was not recorded (the verification is incomplete); an empty list
    means the household has no income. A negative-list answer of None means unanswered.
    """

    model_config = STRICT

    verified_on: dt.date
    verifier_id: Identifier
    income: list[IncomeItem] | None = None
    costs: list[CostItem] = Field(default_factory=list)
    negative_list: dict[ItemCode, bool | None] = Field(default_factory=dict)
    cross_checks: list[CrossCheck] = Field(default_factory=list)
    #: A claim verified by a verification already on record (the monthly feeds' reuse within
    #: the tariff's verification_valid_days): the claim it was recorded for and its id.
    #: Left out of the JSON when absent, so earlier snapshots read and write as they were.
    reused_from_claim: Identifier | None = Field(default=None, exclude_if=lambda v: v is None)
    reused_verification_id: Annotated[int, Field(ge=1)] | None = Field(
        default=None, exclude_if=lambda v: v is None)


class MedicalAmounts(BaseModel):
    """因病 (and 因意外): the bill and what other schemes already paid."""

    model_config = STRICT

    total_cost: Money
    non_compliant_cost: Money = ZERO
    basic_insurance_paid: Money = ZERO
    critical_illness_paid: Money = ZERO
    medical_assistance_paid: Money = ZERO
    other_compensation: Money = ZERO


class EducationAmounts(BaseModel):
    """因学: tuition and lodging of a student in a stage, less grants and aid received."""

    model_config = STRICT

    stage: EducationStage
    tuition: Money
    accommodation: Money = ZERO
    aid_received: Money = ZERO


class DisasterAmounts(BaseModel):
    """因灾: the assessed loss, less agricultural insurance and disaster relief paid."""

    model_config = STRICT

    assessed_loss: Money
    insurance_paid: Money = ZERO
    relief_paid: Money = ZERO


#: The amounts part a claim of each category carries (accident claims are shaped like medical).
AMOUNTS_PART: dict[str, str] = {
    ClaimCategory.MEDICAL.value: "medical",
    ClaimCategory.ACCIDENT.value: "medical",
    ClaimCategory.EDUCATION.value: "education",
    ClaimCategory.DISASTER.value: "disaster",
}


class Claim(BaseModel):
    """救助申请: one expense of one member; carries the amounts part of its category."""

    model_config = STRICT

    claim_id: Identifier
    category: ClaimCategory
    member_id: Identifier
    event_date: dt.date
    source: ClaimSource
    document_no: Annotated[str, StringConstraints(max_length=64)] | None = None
    medical: MedicalAmounts | None = None
    education: EducationAmounts | None = None
    disaster: DisasterAmounts | None = None

    @model_validator(mode="after")
    def _amounts_match_category(self) -> Self:
        wanted = AMOUNTS_PART[self.category]
        if getattr(self, wanted) is None:
            raise ValueError(f"a {self.category.value} claim needs its '{wanted}' amounts")
        for part in ("medical", "education", "disaster"):
            if part != wanted and getattr(self, part) is not None:
                raise ValueError(
                    f"a {self.category.value} claim carries '{wanted}' amounts, not '{part}'"
                )
        return self


class History(BaseModel):
    """The household's final decisions so far in this category and tariff period."""

    model_config = STRICT

    eligible_expense_to_date: Money = ZERO
    paid_to_date: Money = ZERO
    paid_all_categories_to_date: Money = ZERO


class Case(BaseModel):
    """One adjudication's whole input. Optional parts may be omitted (history counts as zero)."""

    model_config = STRICT

    case_id: Identifier
    household: Household
    verification: Verification | None = None
    claim: Claim
    history: History = Field(default_factory=History)
