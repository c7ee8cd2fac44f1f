"""`Decided`: a decision as both engines hand it on, the stored line and its figures."""

from __future__ import annotations

from typing import NamedTuple

from adjudicator.rules.decision import Decision
from adjudicator.rules.money import fmt


class Decided(NamedTuple):
    """A decision as the engines hand it on: its canonical JSON line and the figures a store
    or a count needs, amounts as two-decimal text."""

    line: bytes
    outcome: str
    reasons: tuple[str, ...]
    payout: str
    eligible_expense: str
    counted_expense: str
    tariff_id: str
    tariff_sha256: str
    engine_version: str

    @classmethod
    def of(cls, decision: Decision) -> Decided:
        """The same, from the scalar core's decision."""
        return cls(decision.to_json().encode(), decision.outcome.value, decision.reasons,
                   fmt(decision.payout), fmt(decision.eligible_expense),
                   fmt(decision.counted_expense), decision.tariff_id, decision.tariff_sha256,
                   decision.engine_version)


__all__ = ["Decided"]
