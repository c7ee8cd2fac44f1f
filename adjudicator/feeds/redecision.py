"""A reversed settlement (退费) inside a claim: the claim's expense changes.

A claim not yet decided (or already waiting to be decided again) simply loses the
settlement's amounts. A decided claim is a change of history (RULES.md, the re-decision rule):
the amended amounts are recorded with `mark_claim_for_redecision` (a `redecision_requests`
row), then applied in the same transaction by `redecide_with_amounts`: the claim leaves any
open notice (a corrected notice says so), takes the amended amounts, goes back to `verified`
and the household's later decisions follow it (`adjudicator.services.cascade`). The next
`adjudicate` records its new decision in the chain; a claim paid before is settled by the
difference (a recovery, 追回), never paid twice. `pending_redecisions` lists the requests not
yet applied; `redecision_done` closes one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from adjudicator.storage.context import Context
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Claim
from adjudicator.storage.models_feeds import FeedRow, RedecisionRequest
from adjudicator.workflow import REDECIDE_FROM, ClaimStatus, move

#: The claim amounts a feed row's figures carry, per category (the rest are warning figures).
CLAIM_AMOUNTS: dict[str, tuple[str, ...]] = {
    "medical": ("total_cost", "non_compliant_cost", "basic_insurance_paid",
                "critical_illness_paid", "medical_assistance_paid", "other_compensation"),
    "accident": ("total_cost", "non_compliant_cost", "basic_insurance_paid",
                 "critical_illness_paid", "medical_assistance_paid", "other_compensation"),
    "disaster": ("assessed_loss", "insurance_paid", "relief_paid"),
    "education": ("tuition", "accommodation", "aid_received"),
}
ZERO = Decimal("0.00")


def without(amounts: dict[str, Any], category: str, figures: dict[str, str]
            ) -> dict[str, Any]:
    """A claim's amounts less one settlement's (never below zero), as decimal strings."""
    changed = dict(amounts)
    for name in CLAIM_AMOUNTS[category]:
        left = Decimal(str(changed.get(name, "0"))) - Decimal(figures.get(name, "0"))
        changed[name] = str(max(left, ZERO).quantize(ZERO))
    return changed


def settlement_reversed(session: Session, ctx: Context, claim_id: str, row: FeedRow) -> str:
    """Take a reversed settlement out of its claim; returns what was done
    (`amounts_changed` or `redecision_requested`)."""
    claim = session.execute(select(Claim).where(Claim.claim_id == claim_id)
                            .with_for_update()).scalar_one()
    amounts = without(claim.amounts, claim.category, row.figures)
    detail = {"reversed_settlement": row.record_no, "bureau": row.bureau}
    if claim.current_decision_id is None or ClaimStatus(claim.status) not in REDECIDE_FROM:
        before = claim.amounts
        claim.amounts, claim.updated_at = amounts, ctx.now()
        append_events(session, ctx.user_id, ctx.now(), [PendingEvent(
            "claim.amounts_changed", "claim", claim_id,
            {**detail, "from": before, "to": amounts})])
        return "amounts_changed"
    request_pk = mark_claim_for_redecision(session, ctx, claim_id, "settlement_reversed",
                                           detail, amounts)
    redecide_with_amounts(session, ctx, claim, request_pk, amounts,
                          f"结算 {row.record_no} 已退费，本案重新理算")
    return "redecision_requested"


def redecide_with_amounts(session: Session, ctx: Context, claim: Claim, request_pk: int,
                          amounts: dict[str, Any], reason: str) -> list[str]:
    """Apply a re-decision request to a decided claim (locked by the caller): it leaves its
    open notice, takes `amounts`, goes back to `verified` (its decision leaves the household's
    history) and every later decision it entered is decided again. Returns the later claims
    sent back, in order."""
    from adjudicator.services.cascade import redecide_later
    from adjudicator.services.notices import withdraw_from_notices

    events: list[PendingEvent] = []
    now = ctx.now()
    if claim.status == ClaimStatus.IN_NOTICE.value:
        withdraw_from_notices(session, ctx, [claim], reason, events)
    before = claim.amounts
    claim.amounts = amounts
    claim.final_counted_expense = claim.final_paid = None
    events.append(PendingEvent("claim.amounts_changed", "claim", claim.claim_id, {
        "request": request_pk, "from": before, "to": amounts}))
    move(claim, ClaimStatus.VERIFIED, at=now, events=events, check="redecide",
         redecide="refund", request=request_pk)
    following = redecide_later(session, ctx, claim, "refund", events)
    redecision_done(session, request_pk, now)
    append_events(session, ctx.user_id, now, events)
    return following


def mark_claim_for_redecision(session: Session, ctx: Context, claim_id: str, reason: str,
                              detail: dict[str, Any], amounts: dict[str, Any]) -> int:
    """Record that a decided claim must be decided again with `amounts` (its expense changed
    after the decision): a `redecision_requests` row and a `claim.redecision_requested`
    event, in the caller's transaction. Returns the request's id."""
    request = RedecisionRequest(claim_id=claim_id, reason=reason, detail=detail,
                                amounts=amounts, requested_at=ctx.now(),
                                requested_by=ctx.user_id)
    session.add(request)
    session.flush()
    append_events(session, ctx.user_id, ctx.now(), [PendingEvent(
        "claim.redecision_requested", "claim", claim_id,
        {"request": request.pk, "reason": reason, **detail, "amounts": amounts})])
    return request.pk


def pending_redecisions(session: Session) -> list[RedecisionRequest]:
    """The requests not yet done, oldest first."""
    return list(session.execute(select(RedecisionRequest)
                                .where(RedecisionRequest.done_at.is_(None))
                                .order_by(RedecisionRequest.pk)).scalars())


def redecision_done(session: Session, request_pk: int, at: str) -> None:
    session.execute(update(RedecisionRequest).where(RedecisionRequest.pk == request_pk)
                    .values(done_at=at))
