"""The rule trace: every rule evaluated, in order, with the values it used and its result.

A trace is data (stored with the decision, replayed byte for byte); `adjudicator.explain`
renders it in plain Chinese and English. Values are JSON-ready: amounts are strings.
"""

from __future__ import annotations

from typing import Any

TraceValue = str | int | bool | None | list[str]

PASS = "pass"
FAIL = "fail"
PEND = "pend"
INFO = "info"


#: One rule: {"rule", "result", "reason", "values"}, in that order; JSON-ready as it is, so
#: that storing or printing a trace never converts it again.
TraceStep = dict[str, Any]


class TraceBuilder:
    """Collects the steps of one adjudication; local to one call, never shared."""

    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps: list[TraceStep] = []

    def add(
        self, rule: str, result: str, values: dict[str, TraceValue], reason: str | None = None
    ) -> None:
        self.steps.append({"rule": rule, "result": result, "reason": reason, "values": values})

    def put(self, step: TraceStep) -> None:
        """Append a step built by `adjudicator.rules.steps`."""
        self.steps.append(step)
