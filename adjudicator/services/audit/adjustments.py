"""追回/补发: the difference between what a household received for a claim and what its
new decision grants, opened as a recovery or top-up adjustment, listed and settled."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adjudicator.messages import Message, worded
from adjudicator.rules.money import fmt
from adjudicator.services.audit.sampling import (
    ZERO,
    AuditRefused,
)
from adjudicator.services.scope import require_claim_in_scope, scoped
from adjudicator.storage.context import Context
from adjudicator.storage.db import fits_id, transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import (
    Claim,
    DecisionRecord,
    Household,
    Payment,
    TariffRecord,
)
from adjudicator.storage.models_audit import (
    AuditAdjustment,
    AuditRecheck,
)
from schemas.vocabulary import ADJUSTMENT_KINDS, ADJUSTMENT_STATUSES, Words
from schemas.vocabulary import SETTLE_WAYS as SETTLE_WORDS


@dataclass(frozen=True)
class AdjustmentInfo:
    adjustment_id: int
    kind: str
    amount: Decimal
    received: Decimal
    granted: Decimal
    status: str


def received_for(session: Session, claim_id: str) -> Decimal:
    """What the household has received for a claim: payments (but those the bank returned as
    failed), plus top-ups paid, less
    recoveries repaid (a recovery settled by offset was never repaid in money)."""
    from adjudicator.storage.models_office import BankReturn

    failed = select(BankReturn.payment_pk).where(BankReturn.result == "failed")
    paid = session.execute(select(func.coalesce(func.sum(Payment.amount), 0)).where(
        Payment.claim_id == claim_id, Payment.pk.not_in(failed))).scalar_one()
    received = Decimal(paid)
    for kind, how, amount in session.execute(select(
            AuditAdjustment.kind, AuditAdjustment.settled_how, AuditAdjustment.amount).where(
            AuditAdjustment.claim_id == claim_id, AuditAdjustment.status == "settled")):
        if kind == "top_up":
            received += amount
        elif how == "repaid":
            received -= amount
    return received


def open_adjustment(session: Session, ctx: Context, claim: Any, old_decision_id: int | None,
                    new_decision_id: int, outcome: str, payout: Decimal, received: Decimal,
                    events: list[PendingEvent], now: str, *,
                    recheck: AuditRecheck | None = None, cause: str | None = None
                    ) -> AdjustmentInfo | None:
    """The difference between what was received and what the new decision grants.

    An audit re-check with no later decision to follow (`cause` None): while a recovery is
    open the claim's `final_paid` keeps what the household received, so later claims of the
    year are paid net of it and the fund never pays the overpayment twice. When the later
    decisions are decided again on the new grant (`cause` "audit", or "redecision" for a
    paid claim re-decided by `adjudicator.services.cascade`), nothing is netted:
    `final_paid` is the new grant and a recovery is repaid in money. A top-up is owed at
    once, so `final_paid` is the new grant.
    """
    for old in session.execute(select(AuditAdjustment).where(
            AuditAdjustment.claim_id == claim.claim_id, AuditAdjustment.status == "open")
            ).scalars():
        old.status = "superseded"
        events.append(PendingEvent("audit.adjustment_superseded", "claim", claim.claim_id, {
            "adjustment_id": old.adjustment_id,
            "by_recheck_pk": None if recheck is None else recheck.pk,
            "by_decision_id": new_decision_id}))
    granted = ZERO if outcome == "denied" else payout
    if outcome != "pended":
        claim.final_paid = granted if cause is not None else max(received, granted)
    difference = granted - received
    if difference == 0:
        return None
    kind = "top_up" if difference > 0 else "recovery"
    note = ("the new decision is pended: the amount assumes a person approves it"
            if outcome == "pended" else None)
    adjustment = AuditAdjustment(
        claim_id=claim.claim_id, household_id=claim.household_id, kind=kind,
        amount=abs(difference), received=received, granted=granted,
        sample_id=None if recheck is None else recheck.sample_id,
        recheck_pk=None if recheck is None else recheck.pk, cause=cause,
        old_decision_id=old_decision_id or new_decision_id, new_decision_id=new_decision_id,
        status="open", created_by=ctx.user_id, created_at=now, note=note)
    session.add(adjustment)
    session.flush()
    events.append(PendingEvent("audit.adjustment_opened", "claim", claim.claim_id, {
        "adjustment_id": adjustment.adjustment_id, "kind": kind, "amount": abs(difference),
        "received": received, "granted": granted, "new_decision_id": new_decision_id,
        "final_paid": claim.final_paid, "cause": cause}))
    return AdjustmentInfo(adjustment.adjustment_id, kind, abs(difference), received, granted,
                          "open")


# --------------------------------------------------------------------------- adjustments


@dataclass(frozen=True)
class AdjustmentRow:
    adjustment_id: int
    claim_id: str
    household_id: str
    kind: str
    amount: Decimal
    received: Decimal
    granted: Decimal
    status: str
    sample_id: int | None  # None: opened by a re-decision (see `cause`)
    created_at: str
    settled_how: str | None
    settlement_ref: str | None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "amount": fmt(self.amount), "received": fmt(self.received),
                "granted": fmt(self.granted)}


def _row(a: AuditAdjustment) -> AdjustmentRow:
    return AdjustmentRow(a.adjustment_id, a.claim_id, a.household_id, a.kind, a.amount,
                         a.received, a.granted, a.status, a.sample_id, a.created_at,
                         a.settled_how, a.settlement_ref)


def list_adjustments(ctx: Context, status: str | None = None) -> list[AdjustmentRow]:
    """Recoveries and top-ups, oldest first (all, or of one status)."""
    ctx.require("read")
    with ctx.factory() as session:
        query = scoped(ctx, select(AuditAdjustment).join(
            Household, Household.household_id == AuditAdjustment.household_id),
            Household.township_code).order_by(AuditAdjustment.adjustment_id)
        if status is not None:
            query = query.where(AuditAdjustment.status == status)
        return [_row(a) for a in session.execute(query).scalars()]


SETTLE_WAYS = {"recovery": ("repaid", "offset"), "top_up": ("paid",)}


def settle_adjustment(ctx: Context, adjustment_id: int, how: str, reference: str,
                      note: str | None = None) -> AdjustmentRow:
    """Record that an open adjustment is settled (the insurer's finance: role 'pay').

    A recovery is `repaid` (the household returned the money: the claim's `final_paid`
    drops to the new grant) or `offset` (a later claim of the same category and period was
    already paid net of it: `final_paid` keeps what was paid, as that later decision's
    history did). A top-up is `paid`.
    """
    ctx.require("pay")
    if not reference or not reference.strip():
        raise AuditRefused(Message("audit.no_reference"))
    if len(reference.strip()) > 64:  # the width of its column (PostgreSQL refuses more)
        raise AuditRefused(Message("audit.reference_too_long"))
    if not fits_id(adjustment_id):
        raise AuditRefused(Message("audit.no_adjustment", adjustment=adjustment_id))
    now = ctx.now()
    with transaction(ctx.factory) as session:
        adj = session.execute(select(AuditAdjustment).where(
            AuditAdjustment.adjustment_id == adjustment_id).with_for_update()
            ).scalar_one_or_none()
        if adj is None:
            raise AuditRefused(Message("audit.no_adjustment", adjustment=adjustment_id))
        require_claim_in_scope(ctx, session, adj.claim_id)
        if adj.status != "open":
            raise AuditRefused(Message("audit.not_open", adjustment=adjustment_id,
                                       status=worded(ADJUSTMENT_STATUSES, adj.status),
                                       status_code=adj.status))
        if how not in SETTLE_WAYS[adj.kind]:
            ways = SETTLE_WAYS[adj.kind]
            raise AuditRefused(Message(
                "audit.settle_way", kind=worded(ADJUSTMENT_KINDS, adj.kind), kind_code=adj.kind,
                ways=Words("或".join(f"“{worded(SETTLE_WORDS, way).zh}”（{way}）"
                                     for way in ways), " or ".join(ways))))
        claim = session.execute(select(Claim).where(Claim.claim_id == adj.claim_id)
                                .with_for_update()).scalar_one()
        if how == "repaid" and adj.cause is None:  # netted: see open_adjustment
            later = _later_decisions(session, adj, claim)
            if later:
                raise AuditRefused(Message("audit.decided_later", claims=", ".join(later),
                                           adjustment=adjustment_id))
        if claim.current_decision_id == adj.new_decision_id and claim.final_paid is not None \
                and how != "offset":
            claim.final_paid = adj.granted
            claim.updated_at = now
        adj.status, adj.settled_how, adj.settlement_ref = "settled", how, reference.strip()
        adj.settled_by, adj.settled_at, adj.note = ctx.user_id, now, note or adj.note
        append_events(session, ctx.user_id, now, [PendingEvent(
            "audit.adjustment_settled", "claim", adj.claim_id, {
                "adjustment_id": adjustment_id, "kind": adj.kind, "amount": adj.amount,
                "how": how, "reference": adj.settlement_ref, "final_paid": claim.final_paid})])
        return _row(adj)


def _later_decisions(session: Session, adj: AuditAdjustment, claim: Claim) -> list[str]:
    """Other claims of the household in the category and tariff period whose current decision
    was made after the adjustment opened (their history counted the overpaid amount).
    Decision ids grow with time, so "after" is a larger id than the adjustment's decision."""
    record = session.get(TariffRecord, claim.tariff_pk or 0)
    query = (select(Claim.claim_id).join(DecisionRecord,
                                         DecisionRecord.decision_id == Claim.current_decision_id)
             .where(Claim.household_id == claim.household_id, Claim.category == claim.category,
                    Claim.claim_id != claim.claim_id,
                    DecisionRecord.decision_id > adj.new_decision_id)
             .order_by(Claim.claim_id))
    if record is not None:
        query = query.where(Claim.event_date >= record.valid_from,
                            Claim.event_date <= record.valid_to)
    return list(session.execute(query).scalars())
