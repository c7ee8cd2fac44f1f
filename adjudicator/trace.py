"""The rule trace: every rule evaluated, in order, with the values it used and its result.

A trace is data (stored with the decision, replayed byte for byte); `adjudicator.explain`
renders it in plain Chinese and English.
"""

from __future__ import annotations

from schemas.decision import TraceStep, TraceValue

PASS = "pass"
FAIL = "fail"
PEND = "pend"
INFO = "info"


class TraceBuilder:
    """Collects the steps of one adjudication; local to one call, never shared."""

    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps: list[TraceStep] = []

    def add(
        self, rule: str, result: str, values: dict[str, TraceValue], reason: str | None = None
    ) -> None:
        # model_construct: the engine builds only well-typed values; validating each step
        # again would cost more than the rules themselves.
        self.steps.append(
            TraceStep.model_construct(rule=rule, result=result, reason=reason, values=values)
        )
