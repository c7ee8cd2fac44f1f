"""Reason codes of a decision: stable upper-case identifiers; their words are in
schemas/vocabulary.py.

Deny codes end the evaluation; pend codes send the claim to a person; RULES.md fixes both.
"""

from __future__ import annotations

from collections.abc import Mapping

from schemas.vocabulary import reason_sentence

NOT_COVERED_REGION = "NOT_COVERED_REGION"
NOT_IN_POLICY_PERIOD = "NOT_IN_POLICY_PERIOD"
CATEGORY_NOT_COVERED = "CATEGORY_NOT_COVERED"
HOUSEHOLD_CATEGORY_NOT_COVERED = "HOUSEHOLD_CATEGORY_NOT_COVERED"
CAUSE_EXCLUDED = "CAUSE_EXCLUDED"
MEMBER_NOT_IN_HOUSEHOLD = "MEMBER_NOT_IN_HOUSEHOLD"
INVALID_ID_NUMBER = "INVALID_ID_NUMBER"
EDU_STAGE_NOT_COVERED = "EDU_STAGE_NOT_COVERED"
NEG_PREFIX = "NEG_"
NEG_CONCEALMENT = "NEG_CONCEALMENT"
NO_ELIGIBLE_EXPENSE = "NO_ELIGIBLE_EXPENSE"
INCOME_ABOVE_LINE = "INCOME_ABOVE_LINE"
BELOW_TRIGGER = "BELOW_TRIGGER"
CAP_REACHED = "CAP_REACHED"

PEND_INCOMPLETE_VERIFICATION = "PEND_INCOMPLETE_VERIFICATION"
PEND_HARDSHIP_EXCEPTION = "PEND_HARDSHIP_EXCEPTION"
PEND_BORDERLINE_INCOME = "PEND_BORDERLINE_INCOME"
PEND_LARGE_PAYOUT = "PEND_LARGE_PAYOUT"

def is_pend(code: str) -> bool:
    return code.startswith("PEND_")


def reason_text(code: str, lang: str = "zh", labels: Mapping[str, str] | None = None) -> str:
    """Plain words for a reason code; `labels` gives a tariff's own negative-list items."""
    return reason_sentence(code, labels, lang)
