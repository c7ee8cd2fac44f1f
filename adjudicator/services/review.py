"""The pend queue (待审核): a person approves or denies a pended decision, with a reason.

Maker-checker: the reviewer is never the claim's verifier. Approval pays exactly the amount
the engine computed; nobody changes it. A claim pended for an incomplete verification cannot
be approved: a complete verification re-adjudicates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from adjudicator.messages import Message, Refused, worded
from adjudicator.rules import reasons as R
from adjudicator.services.cascade import paid_claims, redecide_later, settle_redecided
from adjudicator.services.integrity import check_approvable
from adjudicator.services.scope import require_claim_in_scope, scoped
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import (
    Claim,
    DecisionRecord,
    Household,
    Payment,
    Review,
    Verification,
)
from adjudicator.workflow import ClaimStatus, move
from schemas.vocabulary import CLAIM_STATUSES


class ReviewRefused(Refused):
    """The review cannot be done as asked (wrong state, same person, no reason...)."""


@dataclass(frozen=True)
class PendedClaim:
    claim_id: str
    household_id: str
    township_code: str
    category: str
    payout: Decimal
    reasons: list[str]
    verifier_id: str | None
    decided_at: str
    township_name: str | None = None
    village_name: str | None = None


def list_pended(ctx: Context, township: str | None = None) -> list[PendedClaim]:
    """The pend queue of the user's townships (of one township among them, if given)."""
    ctx.require("read")
    with ctx.factory() as session:
        query = (select(Claim, DecisionRecord, Household.township_code,
                        Household.township_name, Household.village_name)
                 .join(DecisionRecord, DecisionRecord.decision_id == Claim.current_decision_id)
                 .join(Household, Household.household_id == Claim.household_id)
                 .where(Claim.status == ClaimStatus.PENDED.value)
                 .order_by(DecisionRecord.decided_at, Claim.claim_id))
        if township:
            query = query.where(Household.township_code.startswith(township))
        rows = session.execute(scoped(ctx, query, Household.township_code)).all()
        verifiers = _verifiers(session, [c.claim_id for c, *_ in rows])
        return [PendedClaim(c.claim_id, c.household_id, t, c.category, d.payout,
                            list(d.reasons), verifiers.get(c.claim_id), d.decided_at, tn, vn)
                for c, d, t, tn, vn in rows]


def _verifiers(session: Session, claim_ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    if claim_ids:
        for claim_id, verifier in session.execute(
                select(Verification.claim_id, Verification.verifier_id)
                .where(Verification.claim_id.in_(claim_ids),
                       Verification.status == "submitted").order_by(Verification.pk)):
            found[claim_id] = verifier
    return found


def resolve(ctx: Context, claim_id: str, action: str, reason: str) -> Review:
    """Approve or deny a pended claim's current decision."""
    ctx.require("review")
    if action not in ("approve", "deny"):
        raise ReviewRefused(Message("review.bad_action"))
    if not reason or not reason.strip():
        raise ReviewRefused(Message("review.no_reason"))
    with transaction(ctx.factory) as session:
        claim = session.execute(select(Claim).where(Claim.claim_id == claim_id)
                                .with_for_update()).scalar_one_or_none()
        if claim is None:
            raise ReviewRefused(Message("review.no_claim", claim=claim_id))
        require_claim_in_scope(ctx, session, claim_id)
        if claim.status != ClaimStatus.PENDED.value or claim.current_decision_id is None:
            raise ReviewRefused(Message("review.not_pended", claim=claim_id,
                                        status=worded(CLAIM_STATUSES, claim.status),
                                        status_code=claim.status))
        decision = session.get(DecisionRecord, claim.current_decision_id)
        assert decision is not None
        makers: set[str] = set()
        for verification in session.execute(
                select(Verification).where(Verification.claim_id == claim_id)).scalars():
            makers |= {verification.verifier_id, verification.created_by}
        if ctx.user_id in makers:
            raise ReviewRefused(Message("review.maker_checker", user=ctx.user_id,
                                        claim=claim_id))
        if action == "approve" and R.PEND_INCOMPLETE_VERIFICATION in decision.reasons:
            raise ReviewRefused(Message("review.incomplete", claim=claim_id))
        if action == "approve":  # the amount approved is the chain's and a replay's
            check_approvable(session, decision)
        new = ClaimStatus.APPROVED if action == "approve" else ClaimStatus.DENIED
        now = ctx.now()
        events: list[PendingEvent] = []
        move(claim, new, at=now, events=events)
        if action == "approve":
            claim.final_counted_expense = decision.counted_expense
            claim.final_paid = decision.payout
        else:  # a person's denial adds nothing to the household's history
            claim.final_counted_expense = Decimal(0)
            claim.final_paid = Decimal(0)
        review = Review(claim_id=claim_id, decision_id=decision.decision_id, action=action,
                        reason=reason.strip(), user_id=ctx.user_id, at=now)
        session.add(review)
        events.insert(0, PendingEvent(
            "review." + ("approved" if action == "approve" else "denied"), "claim", claim_id,
            {"decision_id": decision.decision_id, "payout": decision.payout,
             "pend_reasons": list(decision.reasons), "reason": reason.strip()}))
        if paid_claims(session, [claim_id]):  # paid before, decided again: the difference
            superseded = session.execute(select(Payment.decision_id).where(
                Payment.claim_id == claim_id).order_by(Payment.pk.desc()).limit(1)).scalar()
            settle_redecided(session, ctx, claim, superseded, decision.decision_id,
                             "approved" if action == "approve" else "denied",
                             decision.payout, events)
        # A decision made final now may have entered later decisions' history (decided
        # before this rule made them wait): they follow it.
        redecide_later(session, ctx, claim, "review", events)
        append_events(session, ctx.user_id, now, events)
        return review


def decision_json(ctx: Context, claim_id: str) -> dict | None:  # type: ignore[type-arg]
    """The current decision of a stored claim, as JSON data (for explain)."""
    ctx.require("read")
    with ctx.factory() as session:
        claim = session.get(Claim, claim_id)
        if claim is None or claim.current_decision_id is None:
            return None
        require_claim_in_scope(ctx, session, claim_id)
        record = session.get(DecisionRecord, claim.current_decision_id)
        assert record is not None
        return orjson.loads(record.decision_json)  # type: ignore[no-any-return]
