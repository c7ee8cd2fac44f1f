"""Where a claim stands (办理状态) and the moves it may make; anything else is refused.

received → screened → under_verification → verified → approved | denied | pended
pended → approved | denied (a person), or back to verification when it was incomplete
approved → in_notice → closed → paid, or in_notice → objected → back to verification

A decided claim whose household history changed under it (an earlier decision objected,
reviewed, reopened or verified again) goes back to `verified` to be decided again, in the
household's order (`adjudicator.services.cascade`); a claim already paid is then settled by
the difference (approved → paid, with a recovery or top-up), never paid a second time.

paid → closed when the bank returns the transfer as failed (payable again, once corrected)

Every service moves a claim with `move`: it checks the move, sets the claim's status and
`updated_at`, and queues the `claim.status` event where the caller records one.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from adjudicator.messages import Message, Refused, worded
from schemas.vocabulary import CLAIM_STATUSES, Words

if TYPE_CHECKING:
    from adjudicator.storage.events import PendingEvent
    from adjudicator.storage.models import Claim


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

#: Where a decided claim may go back to `verified` from because its household's history
#: changed under it (a re-decision; not a move a person makes).
REDECIDE_FROM = frozenset({S.APPROVED, S.DENIED, S.PENDED, S.IN_NOTICE, S.CLOSED, S.PAID})

#: Outcome of an adjudication -> the status it moves the claim to.
OUTCOME_STATUS = {"approved": S.APPROVED, "denied": S.DENIED, "pended": S.PENDED}


class IllegalTransition(Refused):
    """A move the workflow does not allow (a ValueError; str() is the English)."""


def allowed_moves(current: ClaimStatus) -> frozenset[ClaimStatus]:
    return _MOVES.get(current, frozenset())


def check_transition(claim_id: str, current: str, new: str) -> ClaimStatus:
    """The new status, or IllegalTransition saying what is allowed from here."""
    here, there = ClaimStatus(current), ClaimStatus(new)
    if there not in _MOVES.get(here, frozenset()):
        moves = sorted(m.value for m in allowed_moves(here))
        allowed = Words("、".join(worded(CLAIM_STATUSES, m).zh for m in moves) or "无",
                        ", ".join(moves) or "nothing")
        raise IllegalTransition(Message(
            "workflow.cannot_move", claim=claim_id, status=worded(CLAIM_STATUSES, here.value),
            status_code=here.value, to=worded(CLAIM_STATUSES, there.value),
            to_code=there.value, allowed=allowed))
    return there


def check_redecision(claim_id: str, current: str) -> ClaimStatus:
    """`verified`, for a decided claim sent back to be decided again (REDECIDE_FROM)."""
    if ClaimStatus(current) not in REDECIDE_FROM:
        raise IllegalTransition(Message("workflow.not_decided", claim=claim_id,
                                        status=worded(CLAIM_STATUSES, current),
                                        status_code=current))
    return S.VERIFIED


def check_settled(claim_id: str, current: str) -> ClaimStatus:
    """`paid`, for a claim paid before whose new approval is settled by the difference (a
    recovery or top-up), never posted and paid a second time."""
    if ClaimStatus(current) != S.APPROVED:
        raise IllegalTransition(Message("workflow.not_approved", claim=claim_id,
                                        status=worded(CLAIM_STATUSES, current),
                                        status_code=current))
    return S.PAID


#: How a move is checked: a person's or a step's move (`check_transition`); a decided claim
#: sent back to be decided again (`check_redecision`); a new approval of a paid claim settled
#: by the difference (`check_settled`); an audit's reopening, which may find the claim
#: already `verified` (then it stays there, and the event still says so).
Check = Literal["move", "redecide", "settle", "reopen"]


def move(claim: Claim, to: ClaimStatus | str, *, at: str | None,
         events: list[PendingEvent] | None = None, check: Check = "move",
         **detail: Any) -> ClaimStatus:
    """Move `claim` to `to`, the one way every service changes a claim's status.

    Checks the move (IllegalTransition when it is not allowed, the claim unchanged), sets
    `status` and, when `at` is given, `updated_at`; when `events` is given, queues the
    `claim.status` event {"from", "to", **detail} on it. Returns the new status.
    """
    old, there = claim.status, ClaimStatus(to)
    if check == "redecide":
        there = check_redecision(claim.claim_id, old)
    elif check == "settle":
        there = check_settled(claim.claim_id, old)
    elif not (check == "reopen" and old == there.value):
        check_transition(claim.claim_id, old, there.value)
    claim.status = there.value
    if at is not None:
        claim.updated_at = at
    if events is not None:
        from adjudicator.storage.events import PendingEvent

        events.append(PendingEvent("claim.status", "claim", claim.claim_id,
                                   {"from": old, "to": there.value, **detail}))
    return there
