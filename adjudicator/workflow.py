"""Where a claim stands (办理状态) and the moves it may make; anything else is refused.

received → screened → under_verification → verified → approved | denied | pended
pended → approved | denied (a person), or back to verification when it was incomplete
approved → in_notice → closed → paid, or in_notice → objected → back to verification
paid → closed when the bank returns the transfer as failed (payable again, once corrected)
"""

from __future__ import annotations

from enum import StrEnum


class ClaimStatus(StrEnum):
    RECEIVED = "received"  # 已受理
    SCREENED = "screened"  # 已初筛 (matched to a household, not an obvious non-case)
    REJECTED = "rejected"  # 初筛未通过
    UNDER_VERIFICATION = "under_verification"  # 入户核查中
    VERIFIED = "verified"  # 已核查, ready for adjudication
    APPROVED = "approved"  # 拟救助
    DENIED = "denied"  # 不予救助
    PENDED = "pended"  # 待人工审核
    IN_NOTICE = "in_notice"  # 公示中
    OBJECTED = "objected"  # 公示有异议
    CLOSED = "closed"  # 公示期满无异议, payable
    PAID = "paid"  # 已兑现


S = ClaimStatus
_MOVES: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    S.RECEIVED: frozenset({S.SCREENED, S.REJECTED}),
    S.SCREENED: frozenset({S.UNDER_VERIFICATION, S.VERIFIED}),
    S.REJECTED: frozenset({S.SCREENED}),
    S.UNDER_VERIFICATION: frozenset({S.VERIFIED, S.SCREENED}),
    S.VERIFIED: frozenset({S.APPROVED, S.DENIED, S.PENDED, S.UNDER_VERIFICATION}),
    S.PENDED: frozenset({S.APPROVED, S.DENIED, S.UNDER_VERIFICATION, S.VERIFIED}),
    # A denied household may ask for a review (复核申请): the claim is verified again.
    S.DENIED: frozenset({S.UNDER_VERIFICATION, S.VERIFIED}),
    S.APPROVED: frozenset({S.IN_NOTICE}),
    S.IN_NOTICE: frozenset({S.OBJECTED, S.CLOSED}),
    S.OBJECTED: frozenset({S.UNDER_VERIFICATION, S.VERIFIED}),
    S.CLOSED: frozenset({S.PAID}),
    # A sampling audit's material discrepancy reopens a paid claim on the audited facts; a
    # transfer the bank returns as failed makes the claim payable again.
    S.PAID: frozenset({S.VERIFIED, S.CLOSED}),
}

#: Outcome of an adjudication -> the status it moves the claim to.
OUTCOME_STATUS = {"approved": S.APPROVED, "denied": S.DENIED, "pended": S.PENDED}


class IllegalTransition(ValueError):
    """A move the workflow does not allow."""


def allowed_moves(current: ClaimStatus) -> frozenset[ClaimStatus]:
    return _MOVES.get(current, frozenset())


def check_transition(claim_id: str, current: str, new: str) -> ClaimStatus:
    """The new status, or IllegalTransition saying what is allowed from here."""
    here, there = ClaimStatus(current), ClaimStatus(new)
    if there not in _MOVES.get(here, frozenset()):
        allowed = ", ".join(sorted(m.value for m in allowed_moves(here))) or "nothing"
        raise IllegalTransition(
            f"claim {claim_id} is {here.value}: it cannot move to {there.value} "
            f"(allowed from {here.value}: {allowed})"
        )
    return there
