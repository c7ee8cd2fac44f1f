"""Input models of the document renderer.

These models are the whole contract between the renderer and whoever fills them (the storage
and workflow layer): plain, immutable pydantic v2 models holding exactly what a document
prints, already computed. The renderer never queries anything and never decides anything; it
only masks, formats and lays out.

Conventions:

- Money is :class:`decimal.Decimal` yuan with at most two decimals (strings such as
  ``"10500.00"`` are accepted and parsed exactly; binary floats are refused).
- Personal data is passed in full (``name``, ``id_number``) and masked by the renderer where
  the document requires it, so that a caller cannot forget to mask.
- Vocabulary codes are the ones of LAYOUT.md (``medical``, ``edge``, ...); the Chinese labels
  printed for them are in the ``*_LABELS`` dictionaries below.
- Unknown fields are an error (``extra="forbid"``), like everywhere else in the project.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from schemas.vocabulary import (
    CLAIM_CATEGORIES,
    CLAIM_SOURCES,
    HOUSEHOLD_CATEGORIES,
    OUTCOMES,
    zh_table,
)

__all__ = [
    "CLAIM_CATEGORY_LABELS",
    "CLAIM_SOURCE_LABELS",
    "HOUSEHOLD_CATEGORY_LABELS",
    "OUTCOME_LABELS",
    "BandSlice",
    "ClaimCategory",
    "ClaimCategoryRow",
    "Counts",
    "DecisionRecord",
    "DenialLetter",
    "HouseholdCategory",
    "HouseholdCategoryRow",
    "IncomeFigures",
    "Money",
    "NoticeRow",
    "Outcome",
    "ReviewInstructions",
    "SummaryReport",
    "TownshipRow",
    "VillageNotice",
    "claim_category_label",
]

HouseholdCategory = Literal["unstable", "edge", "sudden_hardship", "low_income", "general"]
#: A claim category: a built-in (medical, disaster, education, accident) or one a tariff
#: defines (theft …), printed by the tariff's label.
ClaimCategory = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=16)]
Outcome = Literal["approved", "denied", "pended"]

#: Chinese label of each household category, as printed on every document.
HOUSEHOLD_CATEGORY_LABELS: dict[str, str] = zh_table(HOUSEHOLD_CATEGORIES)

#: Chinese label of each claim category (因病, 因灾, ...).
CLAIM_CATEGORY_LABELS: dict[str, str] = zh_table(CLAIM_CATEGORIES)

#: Chinese label of each decision outcome.
OUTCOME_LABELS: dict[str, str] = zh_table(OUTCOMES)

#: Chinese label of each claim source; unknown sources are printed as given.
CLAIM_SOURCE_LABELS: dict[str, str] = zh_table(CLAIM_SOURCES)


def _parse_decimal(value: Any) -> Any:
    """Refuse binary floats; strings, integers and Decimals are parsed exactly by pydantic."""
    if isinstance(value, float):
        raise ValueError("money must be a string, an integer or a Decimal, not a float")
    return value


def _check_cents(value: Decimal) -> Decimal:
    """Refuse non-finite values and values with more than two decimals."""
    if not value.is_finite():
        raise ValueError("money must be a finite amount")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"money has more than two decimals: {value}")
    return value


#: Decimal yuan with at most two decimals (may be negative, e.g. a per-capita income).
Money = Annotated[Decimal, BeforeValidator(_parse_decimal), AfterValidator(_check_cents)]
#: Money that cannot be negative (payouts, expenses, incomes).
NonNegativeMoney = Annotated[Money, Field(ge=0)]
Rate = Annotated[Decimal, BeforeValidator(_parse_decimal), Field(gt=0, le=1)]
Count = Annotated[int, Field(ge=0)]
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


# --------------------------------------------------------------------------- public notice


class NoticeRow(_Model):
    """One approved claim on a village notice; name and ID number are masked when printed."""

    household_id: Text = Field(description="Not printed; counts distinct households (户数).")
    name: Text = Field(description="Full name of the beneficiary; printed masked (张*明).")
    id_number: Text = Field(description="Full resident ID number; printed masked.")
    village: Text = Field(description="Village (村) of the household.")
    household_category: HouseholdCategory
    claim_category: ClaimCategory
    claim_category_label: str | None = Field(
        default=None, description="The tariff's Chinese name of the category (因被盗); "
        "the built-in name (因病 …) when absent.")
    payout: NonNegativeMoney
    claim_id: str | None = Field(default=None, description="Not printed; for traceability.")


class VillageNotice(_Model):
    """A village public notice (公示) of the approved claims of one batch.

    The notice period is computed by the caller (tariff ``notice.period_days``); the model
    only carries its dates. Objections must reach ``objection_phone`` or
    ``objection_address`` by ``notice_end``.
    """

    issuing_office: Text = Field(description="发布单位, printed above the seal.")
    title: Text = Field(description='E.g. "某某村防贫保障救助对象公示".')
    village: Text = Field(description="The village the notice is posted in.")
    township: str | None = Field(default=None, description="乡镇, printed in the intro.")
    notice_no: str | None = Field(default=None, description="文号 or batch number.")
    notice_start: date
    notice_end: date
    issue_date: date = Field(description="落款日期 next to the seal.")
    rows: tuple[NoticeRow, ...]
    objection_phone: Text = Field(description="Official phone for objections (not masked).")
    objection_address: Text = Field(description="Where objections are received in person.")
    objection_office: str | None = Field(
        default=None, description="Office receiving objections, e.g. 镇乡村振兴办公室."
    )
    preamble: str | None = Field(
        default=None, description="Replaces the standard introductory paragraph when given."
    )

    @model_validator(mode="after")
    def _dates_ordered(self) -> VillageNotice:
        if self.notice_end < self.notice_start:
            raise ValueError("notice_end is before notice_start")
        return self

    @property
    def household_count(self) -> int:
        """户数: distinct households on the notice."""
        return len({row.household_id for row in self.rows})

    @property
    def person_count(self) -> int:
        """人次: one per row (a person helped twice counts twice)."""
        return len(self.rows)

    @property
    def total_payout(self) -> Decimal:
        """Sum of the payouts of every row."""
        return sum((row.payout for row in self.rows), Decimal("0.00"))

    @property
    def period_days(self) -> int:
        """Length of the notice period in days, both ends included."""
        return (self.notice_end - self.notice_start).days + 1


# --------------------------------------------------------------------------- denial letter


class IncomeFigures(_Model):
    """The figures of the income test (RULES.md step 6), printed to explain a denial."""

    net_income: NonNegativeMoney = Field(description="家庭年纯收入 N.")
    counted_members: Count = Field(description="计入人口 M.")
    cumulative_expense: NonNegativeMoney = Field(description="年度累计合规支出 C.")
    per_capita_income: Money | None = Field(
        default=None, description="人均纯收入 P (may be negative)."
    )
    income_line: NonNegativeMoney = Field(description="防贫线, per person per year.")
    income_test: Literal["after_expense", "before_expense"] = "after_expense"


class ReviewInstructions(_Model):
    """How the household may ask for a review (复核申请) of the decision."""

    days: Annotated[int, Field(gt=0)] = Field(description="Within how many days of receipt.")
    office: Text = Field(description="To whom, e.g. 某某县乡村振兴局.")
    address: str | None = None
    phone: str | None = None


class DenialLetter(_Model):
    """A denial letter (不予救助告知书) addressed to the household head.

    The letter is private, so the head's name is printed in full; the ID number is masked.
    ``reasons`` are the decision's reason codes; they are printed as sentences, never as
    codes. ``custom_reason_labels`` gives the Chinese label of tariff-specific negative-list
    items, keyed by the item (``"FARM_MACHINERY"``) or the code (``"NEG_FARM_MACHINERY"``).
    """

    issuing_office: Text
    issue_date: date
    letter_no: str | None = Field(default=None, description="文号, e.g. 某防贫告〔2026〕12号.")
    household_head_name: Text
    household_head_id_number: Text = Field(description="Printed masked.")
    address: str | None = Field(default=None, description="Village or address of the household.")
    case_id: Text
    claim_id: Text
    claim_category: ClaimCategory
    claim_category_label: str | None = Field(
        default=None, description="The tariff's Chinese name of the category (因被盗); "
        "the built-in name (因病 …) when absent.")
    claimant_name: str | None = Field(
        default=None, description="Member the claim was for, when not the head."
    )
    event_date: date | None = None
    application_date: date | None = None
    reasons: tuple[Text, ...] = Field(min_length=1)
    custom_reason_labels: dict[str, str] = Field(default_factory=dict)
    income: IncomeFigures | None = None
    review: ReviewInstructions


# --------------------------------------------------------------------------- decision record


class BandSlice(_Model):
    """One slice of the tiered payout: ``rate`` x (``to`` - ``from``) = ``amount``."""

    from_: NonNegativeMoney = Field(alias="from")
    to: NonNegativeMoney | None = Field(default=None, description="None: open-ended band.")
    rate: Rate
    amount: NonNegativeMoney


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _check_sha256(value: str) -> str:
    value = value.lower()
    if not _SHA256.match(value):
        raise ValueError("tariff_sha256 must be 64 hexadecimal digits")
    return value


class DecisionRecord(_Model):
    """Everything the audit file keeps about one decision (理算单).

    ``trace`` is the engine's rule trace taken as plain data: a list of dicts with at least
    ``rule`` and ``result`` and usually ``values``; other keys are printed too. A step may
    carry a pre-rendered Chinese sentence under the key ``text_zh``; ``trace_sentences``
    (aligned with ``trace``) is the other way to give them. Values whose key names personal
    data (``name``, ``id_number``, ``phone``, ``account``) and any string shaped like a
    resident ID number are masked when printed.
    """

    issuing_office: str | None = Field(default=None, description="Insurer or county office.")
    case_id: Text
    claim_id: Text
    household_id: Text
    claimant_name: Text = Field(description="Printed masked.")
    claimant_id_number: Text = Field(description="Printed masked.")
    region_code: Text
    village: str | None = None
    township: str | None = None
    household_category: HouseholdCategory
    claim_category: ClaimCategory
    claim_category_label: str | None = Field(
        default=None, description="The tariff's Chinese name of the category (因被盗); "
        "the built-in name (因病 …) when absent.")
    claim_source: str | None = None
    event_date: date | None = None
    decided_at: datetime | None = None
    outcome: Outcome
    reasons: tuple[str, ...] = ()
    custom_reason_labels: dict[str, str] = Field(default_factory=dict)
    payout: NonNegativeMoney
    eligible_expense: NonNegativeMoney
    counted_expense: NonNegativeMoney
    per_capita_income: Money | None = None
    bands: tuple[BandSlice, ...] = ()
    tariff_id: Text
    tariff_name: str | None = Field(default=None, description="The tariff's Chinese name.")
    tariff_sha256: Annotated[str, AfterValidator(_check_sha256)]
    engine_version: Text
    trace: list[dict[str, Any]] = Field(default_factory=list)
    trace_sentences: list[str | None] | None = None

    @model_validator(mode="after")
    def _sentences_aligned(self) -> DecisionRecord:
        if self.trace_sentences is not None and len(self.trace_sentences) != len(self.trace):
            raise ValueError("trace_sentences must have one entry per trace step")
        return self


# --------------------------------------------------------------------------- summary report


class Counts(_Model):
    """Households and persons at each stage, and the amount paid.

    verified: 核查 (verified at home); posted: 公示 (found eligible and posted);
    paid: 兑现 (paid after the notice period).
    """

    households_verified: Count = 0
    persons_verified: Count = 0
    households_posted: Count = 0
    persons_posted: Count = 0
    households_paid: Count = 0
    persons_paid: Count = 0
    amount_paid: NonNegativeMoney = Decimal("0.00")


class ClaimCategoryRow(Counts):
    """Counts of one claim category (因病, 因灾, ...)."""

    category: ClaimCategory
    label: str | None = Field(default=None, description="The tariff's Chinese name of a "
                              "category it defines; the built-in name when absent.")


def claim_category_label(category: str, label: str | None = None) -> str:
    """How a document prints a claim category: the tariff's label, else the built-in's."""
    return label or CLAIM_CATEGORY_LABELS.get(category, category)


class HouseholdCategoryRow(Counts):
    """Counts of one household category (脱贫不稳定户, ...)."""

    category: HouseholdCategory


class TownshipRow(Counts):
    """Counts of one township (乡镇)."""

    township: Text


class SummaryReport(_Model):
    """A county's year-end or batch summary (年度/批次工作总结).

    The amounts of every non-empty breakdown must add up to ``totals.amount_paid``: a summary
    whose tables contradict its headline is refused rather than published.
    """

    title: Text = Field(description='E.g. "某某县2026年度防贫保障工作总结".')
    period_label: Text = Field(description='E.g. "2026年1月1日至2026年12月31日（第一批）".')
    issuing_office: Text
    issue_date: date
    totals: Counts
    by_claim_category: tuple[ClaimCategoryRow, ...] = ()
    by_household_category: tuple[HouseholdCategoryRow, ...] = ()
    by_township: tuple[TownshipRow, ...] = ()
    notes: tuple[str, ...] = Field(default=(), description="Extra paragraphs, printed as is.")

    @model_validator(mode="after")
    def _breakdowns_add_up(self) -> SummaryReport:
        for name in ("by_claim_category", "by_household_category", "by_township"):
            rows: tuple[Counts, ...] = getattr(self, name)
            if not rows:
                continue
            total = sum((row.amount_paid for row in rows), Decimal("0"))
            if total != self.totals.amount_paid:
                raise ValueError(
                    f"{name}: amounts add up to {total}, totals.amount_paid is "
                    f"{self.totals.amount_paid}"
                )
        return self
