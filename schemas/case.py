"""The case: everything one decision depends on, and nothing else (LAYOUT.md, RULES.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
    model_validator,
)

from schemas.types import (
    NEGATIVE_ITEM_PATTERN,
    STRICT,
    CategoryName,
    Cause,
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


def _without_absent(data: dict[str, Any], optional: tuple[str, ...]) -> dict[str, Any]:
    """A dump without the optional fields left out of the input: a case written before they
    existed dumps byte for byte as it did."""
    for name in optional:
        if data.get(name) is None:
            data.pop(name, None)
    return data


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
    """因灾 (and every disaster-shaped category): the assessed loss, less agricultural
    insurance, disaster relief and what a liable party paid; `motor_vehicle_loss` is the part
    of the loss that is motor vehicles (left out where the category excludes them)."""

    model_config = STRICT

    assessed_loss: Money
    insurance_paid: Money = ZERO
    relief_paid: Money = ZERO
    liable_party_paid: Money | None = None
    motor_vehicle_loss: Money | None = None

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_absent(handler(self), ("liable_party_paid", "motor_vehicle_loss"))


#: The amounts part a claim of each built-in category carries (accident is shaped like
#: medical). A tariff's own category carries the part of its `shape` (`Tariff.shape_of`).
AMOUNTS_PART: dict[str, str] = {
    ClaimCategory.MEDICAL.value: "medical",
    ClaimCategory.ACCIDENT.value: "medical",
    ClaimCategory.EDUCATION.value: "education",
    ClaimCategory.DISASTER.value: "disaster",
}
PARTS = ("medical", "education", "disaster")
#: The field that tells an amounts part's shape when it sits under a category's own name.
_SHAPE_FIELDS = {"total_cost": "medical", "tuition": "education", "stage": "education",
                 "assessed_loss": "disaster"}


def amounts_part(category: str, amounts: dict[str, Any]) -> str:
    """The part (medical, education or disaster) that a claim's amounts belong under: the
    built-in's, else the one their fields tell (a tariff-defined category's shape)."""
    part = AMOUNTS_PART.get(category)
    if part is not None:
        return part
    for field, shape in _SHAPE_FIELDS.items():
        if field in amounts:
            return shape
    return "disaster"


class Claim(BaseModel):
    """救助申请: one expense of one member; carries the amounts part of its category.

    A built-in category carries its own part; a category a tariff defines carries exactly one
    part, that of its shape (the rules check it against the tariff). Its amounts may also sit
    under the category's own name (`"theft": {...}`), read as the part their fields tell.
    """

    model_config = STRICT

    claim_id: Identifier
    category: CategoryName
    member_id: Identifier
    event_date: dt.date
    source: ClaimSource
    document_no: Annotated[str, StringConstraints(max_length=64)] | None = None
    cause: Cause | None = None
    medical: MedicalAmounts | None = None
    education: EducationAmounts | None = None
    disaster: DisasterAmounts | None = None

    @model_validator(mode="before")
    @classmethod
    def _own_name_alias(cls, data: Any) -> Any:
        if isinstance(data, dict):
            category = data.get("category")
            if (isinstance(category, str) and category not in PARTS and category in data
                    and category not in cls.model_fields):
                data = dict(data)
                amounts = data.pop(category)
                part = amounts_part(category, amounts) if isinstance(amounts, dict) else None
                if part is None or part in data:
                    raise ValueError(f"the amounts under '{category}' are not one part of a "
                                     "medical, education or disaster shape")
                data[part] = amounts
        return data

    @model_validator(mode="after")
    def _amounts_match_category(self) -> Self:
        given = [part for part in PARTS if getattr(self, part) is not None]
        wanted = AMOUNTS_PART.get(self.category)
        if wanted is None:  # a tariff's own category: one part, checked against its shape
            if len(given) != 1:
                raise ValueError(f"a {self.category} claim carries exactly one amounts part "
                                 "(medical, education or disaster: its shape's)")
            return self
        if getattr(self, wanted) is None:
            raise ValueError(f"a {self.category} claim needs its '{wanted}' amounts")
        for part in given:
            if part != wanted:
                raise ValueError(
                    f"a {self.category} claim carries '{wanted}' amounts, not '{part}'"
                )
        return self

    @property
    def part(self) -> str:
        """The amounts part this claim carries."""
        return next(part for part in PARTS if getattr(self, part) is not None)

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_absent(handler(self), ("cause",))


class History(BaseModel):
    """The household's final decisions so far in this category and tariff period (and the
    claim's member's, in all categories, for a tariff's per-person cap)."""

    model_config = STRICT

    eligible_expense_to_date: Money = ZERO
    paid_to_date: Money = ZERO
    paid_all_categories_to_date: Money = ZERO
    paid_member_all_categories_to_date: Money | None = Field(
        default=None, description="what the claim's member was paid in all categories of the "
        "period (the per-person cap's history; zero when absent)")

    @property
    def paid_member(self) -> Decimal:
        return self.paid_member_all_categories_to_date or ZERO

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_absent(handler(self), ("paid_member_all_categories_to_date",))


class Case(BaseModel):
    """One adjudication's whole input. Optional parts may be omitted (history counts as zero)."""

    model_config = STRICT

    case_id: Identifier
    household: Household
    verification: Verification | None = None
    claim: Claim
    history: History = Field(default_factory=History)
