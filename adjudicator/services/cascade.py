"""Decisions that follow their household (重新理算): when a final decision changes or leaves
the household's history, every later decision whose history it entered is decided again.

RULES.md, "History, order and tariff choice": a claim's history is the household's final
decisions in its category (in every category when the tariff caps all categories) within the
tariff period, taken in (event date, claim id) order. When one of them is objected, reviewed,
reopened by an audit, verified again or loses a settlement refunded after it was decided
(退费, `adjudicator.feeds.redecision`), the later decided claims of that scope go back to
`verified`; the next `adjudicate` decides them again in the same order, each waiting until
the claims before it are final. A claim that sat in an open notice leaves it, and a corrected
notice (更正公示) says so (`adjudicator.services.notices.withdraw_from_notices`). A claim
already paid is not paid again: its new decision is settled by the difference, a recovery
(追回) or a top-up (补发), through the audit's adjustment path (`settle_redecided`).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from adjudicator.services.tariffs import TariffBook
from adjudicator.storage.context import Context
from adjudicator.storage.events import PendingEvent
from adjudicator.storage.models import Claim, Payment
from adjudicator.workflow import REDECIDE_FROM, ClaimStatus, move

S = ClaimStatus
#: Statuses of a claim whose decision is in the household's history (or was paid).
DECIDED = REDECIDE_FROM
#: What set a re-decision off.
CAUSES = ("objection", "review", "audit", "verification", "refund")


def later_decided(session: Session, claim: Claim, book: TariffBook | None = None
                  ) -> list[Claim]:
    """The household's decided claims after `claim` (by event date, claim id) whose history
    `claim`'s decision entered: same tariff period, same category, or any category when the
    tariff caps all categories. Locked, in order."""
    from adjudicator.rules.history import caps_all_categories

    if claim.tariff_pk is None:
        return []
    book = book or TariffBook.load(session)
    tariff = book.by_pk.get(claim.tariff_pk)
    if tariff is None:
        return []
    query = (select(Claim).where(
        Claim.household_id == claim.household_id, Claim.claim_id != claim.claim_id,
        tuple_(Claim.event_date, Claim.claim_id) > tuple_(claim.event_date, claim.claim_id),
        Claim.event_date >= tariff.valid_from, Claim.event_date <= tariff.valid_to,
        Claim.status.in_([s.value for s in DECIDED]),
        Claim.current_decision_id.is_not(None))
        .order_by(Claim.event_date, Claim.claim_id).with_for_update())
    if not caps_all_categories(tariff):
        query = query.where(Claim.category == claim.category)
    return list(session.execute(query).scalars())


def redecide_later(session: Session, ctx: Context, claim: Claim, cause: str,
                   events: list[PendingEvent]) -> list[str]:
    """Send every later decision of the household that `claim`'s entered back to be decided
    again (see the module); returns their claim ids, in order."""
    from adjudicator.services.notices import withdraw_from_notices

    assert cause in CAUSES, cause
    later = later_decided(session, claim)
    if not later:
        return []
    now = ctx.now()
    withdraw_from_notices(session, ctx, [c for c in later if c.status == S.IN_NOTICE.value],
                          f"同户 {claim.claim_id} 的决定已变更，本案重新理算", events)
    for other in later:
        move(other, S.VERIFIED, at=now, events=events, check="redecide", redecide=cause,
             because_of=claim.claim_id)
        other.final_counted_expense = other.final_paid = None
    return [c.claim_id for c in later]


def paid_claims(session: Session, claim_ids: Iterable[str]) -> set[str]:
    """Which of these claims have been paid before (a payment row)."""
    ids = list(claim_ids)
    if not ids:
        return set()
    return set(session.execute(select(Payment.claim_id).where(Payment.claim_id.in_(ids))
                               ).scalars())


def settle_redecided(session: Session, ctx: Context, claim: Any, old_decision_id: int | None,
                     new_decision_id: int, outcome: str, payout: Decimal,
                     events: list[PendingEvent]) -> None:
    """A paid claim decided again: open the recovery or top-up of the difference between what
    the household received and what the new decision grants. A new approval moves the claim
    to `paid` (settled by the adjustment), never to a notice and a second payment; a denial
    stays denied with its recovery open; a pended decision waits for the person's review,
    which settles it the same way."""
    from adjudicator.services.audit import open_adjustment, received_for

    received = received_for(session, claim.claim_id)
    open_adjustment(session, ctx, claim, old_decision_id, new_decision_id, outcome, payout,
                    received, events, ctx.now(), cause="redecision")
    if outcome == "approved":
        move(claim, S.PAID, at=None, events=events, check="settle", settled="by_difference",
             decision_id=new_decision_id)
