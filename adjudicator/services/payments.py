"""兑现: pay claims whose notice period closed without objection, exactly once.

A payment is keyed by the decision it pays (a unique constraint), made in the same
transaction that moves the claim to `paid`: a crash or a second run can never pay twice.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from adjudicator.masking import mask_name
from adjudicator.services.integrity import payable_problems, refuse_payment
from adjudicator.services.tariffs import TariffBook
from adjudicator.spreadsheet import neutralise
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Claim, Member, Payment
from adjudicator.workflow import ClaimStatus, check_transition

ZERO = Decimal(0)


@dataclass(frozen=True)
class PaymentRun:
    batch_ref: str
    payments: int
    households: int
    total: Decimal
    register: Path | None


def _check_closed(ctx: Context, chunk: int) -> None:
    """Every closed claim's amount checked against the chain and a replay before anything is
    paid (`integrity.payable_problems`): a single disagreement stops the run, paying
    nothing."""
    with ctx.factory() as session:
        book = TariffBook.load(session)
        after = ""
        while True:
            claims = session.execute(
                select(Claim).where(Claim.status == ClaimStatus.CLOSED.value,
                                    Claim.claim_id > after)
                .order_by(Claim.claim_id).limit(chunk)).scalars().all()
            if not claims:
                return
            problems = payable_problems(session, list(claims), book)
            if problems:
                raise refuse_payment(problems)
            after = claims[-1].claim_id
            session.expunge_all()


def pay_closed(ctx: Context, register_dir: Path | None = None, chunk: int = 500) -> PaymentRun:
    """Pay every closed claim; write a payment register (names masked) when asked.

    Only amounts the chain recorded and a replay reproduces are paid, and never a claim the
    chain shows paid already: otherwise `RecordRefused`, and nothing is paid."""
    ctx.require("pay")
    _check_closed(ctx, chunk)
    batch_ref = f"PAY-{ctx.clock():%Y%m%d%H%M%S}"
    count, households, total = 0, set(), ZERO
    lines: list[list[str]] = []
    with ctx.factory() as session:
        book = TariffBook.load(session)
    while True:
        with transaction(ctx.factory) as session:
            claims = session.execute(
                select(Claim).where(Claim.status == ClaimStatus.CLOSED.value)
                .order_by(Claim.claim_id).limit(chunk).with_for_update(skip_locked=True)
            ).scalars().all()
            if not claims:
                break
            problems = payable_problems(session, list(claims), book)
            if problems:  # changed since the check: this chunk rolls back
                raise refuse_payment(problems)
            names = {(m.household_id, m.member_id): m.name for m in session.execute(
                select(Member).where(Member.household_id.in_({c.household_id for c in claims}))
            ).scalars()}
            events = []
            now = ctx.now()
            for claim in claims:
                assert claim.current_decision_id is not None and claim.final_paid is not None
                session.add(Payment(claim_id=claim.claim_id, decision_id=claim.current_decision_id,
                                    household_id=claim.household_id, amount=claim.final_paid,
                                    kind="payout", batch_ref=batch_ref, paid_by=ctx.user_id,
                                    paid_at=now))
                claim.status = check_transition(claim.claim_id, claim.status,
                                                ClaimStatus.PAID.value).value
                claim.updated_at = now
                events.append(PendingEvent("payment.made", "claim", claim.claim_id, {
                    "decision_id": claim.current_decision_id, "amount": claim.final_paid,
                    "batch_ref": batch_ref}))
                count += 1
                households.add(claim.household_id)
                total += claim.final_paid
                lines.append([batch_ref, claim.claim_id, claim.household_id,
                              mask_name(names.get((claim.household_id, claim.member_id), "")),
                              f"{claim.final_paid:.2f}"])
            append_events(session, ctx.user_id, now, events)
    register = None
    if register_dir is not None and lines:
        register_dir.mkdir(parents=True, exist_ok=True)
        register = register_dir / f"{batch_ref}.csv"
        with register.open("w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(["batch", "claim_id", "household_id", "name (masked)", "amount"])
            writer.writerows([neutralise(cell) for cell in line] for line in lines)
    return PaymentRun(batch_ref, count, len(households), total, register)
