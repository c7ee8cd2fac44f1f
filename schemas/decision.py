"""The decision: the engine's output for one case, with its full rule trace (LAYOUT.md)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from schemas.types import CategoryName, Money, Outcome, SignedMoney

TraceValue = str | int | bool | None | list[str]

#: A rate as a decimal string, e.g. "0.5".
Rate = Annotated[str, StringConstraints(pattern=r"^(0(\.[0-9]+)?|1)$")]

_FROZEN = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class BandSlice(BaseModel):
    """分段赔付: one slice of the year's cumulative expense and what it pays at its rate.

    `amount` is the slice's share shown to the fen; the payout is rounded once over the sum
    of the exact shares (the trace records the exact sum).
    """

    model_config = _FROZEN

    from_: Money = Field(alias="from")
    to: Money
    rate: Rate
    amount: Money


class TraceStep(BaseModel):
    """One rule the engine evaluated: what it looked at (`values`) and what it concluded.

    `result` is pass, fail, pend or info; the last step (rule "outcome") carries the outcome.
    """

    model_config = _FROZEN

    rule: str
    result: str
    reason: str | None
    values: dict[str, TraceValue]


class Decision(BaseModel):
    """理算结果: outcome, reasons (sorted codes), amounts and the trace that explains them."""

    model_config = _FROZEN

    case_id: str
    claim_id: str
    household_id: str
    category: CategoryName
    outcome: Outcome
    reasons: list[str]
    payout: Money
    eligible_expense: Money
    counted_expense: Money
    per_capita_income: SignedMoney | None
    net_income: Money | None
    counted_members: int | None
    cumulative_expense: Money | None
    due: Money | None = Field(
        description="round(F(C)) capped at the category's annual cap, before paid_to_date"
    )
    bands: list[BandSlice]
    tariff_id: str
    tariff_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    engine_version: str
    trace: list[TraceStep]

    def to_json(self) -> str:
        """The canonical JSON line of this decision (stable field order, UTF-8 text)."""
        return self.model_dump_json(by_alias=True)
