"""The fund's ledger (资金台账): premium due and received, what the year's claims were paid,
recovered and topped up, what is committed, and how much is left.

The year of a payment is the year of its claim (the claim's event date), not the day it was
paid: a 2026 claim paid in January 2027 is a cost of the 2026 fund. Months are the paying
day's month in the county's local time. Every figure is a Python sum of Decimals read from the
payments, adjustments and claims tables, so the ledger reconciles to the fen with them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adjudicator.fund.contract import FEN, Contract
from adjudicator.messages import Message, Refused
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Claim, DecisionRecord, Household, Payment
from adjudicator.storage.models_audit import AuditAdjustment
from adjudicator.storage.models_fund import FundReceipt
from adjudicator.storage.models_office import BankReturn
from adjudicator.workflow import ClaimStatus
from schemas.types import MAX_AMOUNT

ZERO = Decimal("0.00")
LOCAL = ZoneInfo("Asia/Shanghai")
#: Statuses of a claim whose payout is committed but not paid: approved, in notice, closed
#: (final_paid), and pended (the payout an approval would pay).
COMMITTED = (ClaimStatus.APPROVED.value, ClaimStatus.IN_NOTICE.value,
             ClaimStatus.CLOSED.value, ClaimStatus.PENDED.value)
#: A paid claim whose transfer the bank has not confirmed yet: committed, not paid.
AWAITING_BANK = "awaiting_bank"


class FundRefused(Refused):
    """A fund operation the data does not allow (the message says why, in both languages)."""


def local_date(ctx: Context) -> dt.date:
    """Today in the county (Asia/Shanghai)."""
    return ctx.clock().astimezone(LOCAL).date()


def local_month(stamp: str) -> str:
    """'2026-11' of a stored UTC timestamp, in the county's local time."""
    moment = dt.datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.UTC)
    return moment.astimezone(LOCAL).strftime("%Y-%m")


def _in_scope(query: Any, contract: Contract) -> Any:
    """Claims of the contract's county (household region) and year (event date)."""
    return query.where(
        Claim.event_date >= dt.date(contract.year, 1, 1),
        Claim.event_date <= dt.date(contract.year, 12, 31),
        or_(*(Household.region_code.startswith(code, autoescape=True)
              for code in contract.region_codes)))


@dataclass(frozen=True)
class PaidRow:
    """One payment of a claim of the year."""

    claim_id: str
    household_id: str
    category: str
    township_code: str
    township_name: str
    amount: Decimal
    paid_at: str


def paid_payments(session: Session, contract: Contract) -> list[PaidRow]:
    """Every payment to a claim of the contract's county and year that the bank confirmed
    (`pay reconcile`), in payment order: a transfer sent and not yet confirmed, or returned
    as failed, is not paid. The one place the fund reads what was paid."""
    query = _in_scope(
        select(Payment.claim_id, Payment.household_id, Claim.category, Household.township_code,
               Household.township_name, Payment.amount, Payment.paid_at)
        .join(BankReturn, (BankReturn.payment_pk == Payment.pk)
              & (BankReturn.result == "confirmed"))
        .join(Claim, Claim.claim_id == Payment.claim_id)
        .join(Household, Household.household_id == Claim.household_id), contract
    ).order_by(Payment.pk)
    return [PaidRow(r.claim_id, r.household_id, r.category, r.township_code,
                    r.township_name or r.township_code, r.amount, r.paid_at)
            for r in session.execute(query)]


@dataclass(frozen=True)
class OpenClaim:
    """A claim of the year not yet paid, with the amount committed to it."""

    claim_id: str
    household_id: str
    category: str
    township_code: str
    status: str
    amount: Decimal


def open_claims(session: Session, contract: Contract) -> list[OpenClaim]:
    """Claims approved, in notice, closed or pended, with the payout committed to each
    (a pended claim: the payout its approval would pay)."""
    query = _in_scope(
        select(Claim.claim_id, Claim.household_id, Claim.category, Household.township_code,
               Claim.status, Claim.final_paid, DecisionRecord.payout)
        .join(Household, Household.household_id == Claim.household_id)
        .join(DecisionRecord, DecisionRecord.decision_id == Claim.current_decision_id)
        .where(Claim.status.in_(COMMITTED)), contract).order_by(Claim.claim_id)
    rows = []
    for r in session.execute(query):
        amount = r.payout if r.status == ClaimStatus.PENDED.value else r.final_paid
        if amount:
            rows.append(OpenClaim(r.claim_id, r.household_id, r.category, r.township_code,
                                  r.status, amount))
    confirmed = (select(Payment.pk).join(BankReturn, BankReturn.payment_pk == Payment.pk)
                 .where(Payment.claim_id == Claim.claim_id,
                        Payment.decision_id == Claim.current_decision_id,
                        BankReturn.result == "confirmed"))
    awaiting = _in_scope(
        select(Claim.claim_id, Claim.household_id, Claim.category, Household.township_code,
               Claim.final_paid)
        .join(Household, Household.household_id == Claim.household_id)
        .where(Claim.status == ClaimStatus.PAID.value, ~confirmed.exists()),
        contract).order_by(Claim.claim_id)
    rows += [OpenClaim(r.claim_id, r.household_id, r.category, r.township_code,
                       AWAITING_BANK, r.final_paid)
             for r in session.execute(awaiting) if r.final_paid]
    return rows


@dataclass(frozen=True)
class AdjustmentLine:
    adjustment_id: int
    claim_id: str
    kind: str
    status: str
    settled_how: str | None
    amount: Decimal


def adjustments(session: Session, contract: Contract) -> list[AdjustmentLine]:
    """Recoveries (追回) and top-ups (补发) of the year's claims, open or settled."""
    query = _in_scope(
        select(AuditAdjustment.adjustment_id, AuditAdjustment.claim_id, AuditAdjustment.kind,
               AuditAdjustment.status, AuditAdjustment.settled_how, AuditAdjustment.amount)
        .join(Claim, Claim.claim_id == AuditAdjustment.claim_id)
        .join(Household, Household.household_id == Claim.household_id), contract
    ).order_by(AuditAdjustment.adjustment_id)
    return [AdjustmentLine(*row) for row in session.execute(query)]


def _total(values: Any) -> Decimal:
    return sum(values, ZERO)


@dataclass
class FundStatus:
    """Every figure of `adjudicator fund status`, in yuan to the fen."""

    contract: Contract
    as_of: dt.date
    premium: Decimal
    management_fee: Decimal
    fund_for_claims: Decimal
    instalments: list[dict[str, Any]]
    premium_due: Decimal
    premium_received: Decimal
    receipts: list[dict[str, Any]]
    paid: Decimal
    paid_by_category: dict[str, Decimal]
    paid_by_township: dict[str, Decimal]
    paid_by_month: dict[str, Decimal]
    payments: int
    top_ups_paid: Decimal
    recoveries_repaid: Decimal
    recoveries_offset: Decimal
    top_ups_open: Decimal
    recoveries_open: Decimal
    paid_net: Decimal
    committed_by_status: dict[str, Decimal]
    committed: Decimal
    open_claims: list[OpenClaim] = field(repr=False)
    incurred: Decimal = ZERO
    balance: Decimal = ZERO
    loss_ratio: Decimal | None = None
    projected_year: Decimal | None = None
    projected_balance: Decimal | None = None
    warning_at: Decimal = ZERO
    warning: str | None = None

    def as_dict(self) -> dict[str, Any]:
        def money(value: Decimal | None) -> str | None:
            return None if value is None else f"{value:.2f}"

        return {
            "contract_id": self.contract.id, "contract_sha256": self.contract.sha256,
            "county": self.contract.county, "year": self.contract.year,
            "as_of": self.as_of.isoformat(), "premium": money(self.premium),
            "management_fee": money(self.management_fee),
            "opening_balance": money(self.contract.opening_balance),
            "fund_for_claims": money(self.fund_for_claims),
            "instalments": self.instalments, "premium_due": money(self.premium_due),
            "premium_received": money(self.premium_received), "receipts": self.receipts,
            "paid": money(self.paid), "payments": self.payments,
            "paid_by_category": {k: money(v) for k, v in self.paid_by_category.items()},
            "paid_by_township": {k: money(v) for k, v in self.paid_by_township.items()},
            "paid_by_month": {k: money(v) for k, v in self.paid_by_month.items()},
            "top_ups_paid": money(self.top_ups_paid),
            "recoveries_repaid": money(self.recoveries_repaid),
            "recoveries_offset": money(self.recoveries_offset),
            "top_ups_open": money(self.top_ups_open),
            "recoveries_open": money(self.recoveries_open),
            "paid_net": money(self.paid_net),
            "committed_by_status": {k: money(v) for k, v in self.committed_by_status.items()},
            "committed": money(self.committed), "open_claims": len(self.open_claims),
            "incurred": money(self.incurred), "balance": money(self.balance),
            "loss_ratio": None if self.loss_ratio is None else f"{self.loss_ratio:.4f}",
            "projected_year": money(self.projected_year),
            "projected_balance": money(self.projected_balance),
            "warning_at": money(self.warning_at), "warning": self.warning}


def _by(rows: list[PaidRow], key: Any) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        sums[key(row)] += row.amount
    return dict(sorted(sums.items()))


def _status(session: Session, contract: Contract, as_of: dt.date) -> FundStatus:
    rows = paid_payments(session, contract)
    lines = adjustments(session, contract)
    committed_claims = open_claims(session, contract)
    receipts = list(session.execute(select(FundReceipt).where(
        FundReceipt.contract_id == contract.id).order_by(FundReceipt.received_on,
                                                         FundReceipt.pk)).scalars())
    instalments = contract.instalment_amounts()

    def settled(kind: str, how: str) -> Decimal:
        return _total(a.amount for a in lines
                      if a.kind == kind and a.status == "settled" and a.settled_how == how)

    def still_open(kind: str) -> Decimal:
        return _total(a.amount for a in lines if a.kind == kind and a.status == "open")

    paid = _total(r.amount for r in rows)
    top_ups, repaid = settled("top_up", "paid"), settled("recovery", "repaid")
    by_status: dict[str, Decimal] = {status: ZERO for status in (*COMMITTED, AWAITING_BANK)}
    for claim in committed_claims:
        by_status[claim.status] += claim.amount
    by_status["top_up_open"] = still_open("top_up")
    status = FundStatus(
        contract=contract, as_of=as_of, premium=contract.premium,
        management_fee=contract.management_fee, fund_for_claims=contract.fund_for_claims,
        instalments=[{"due": due.isoformat(), "amount": f"{amount:.2f}",
                      "fallen_due": due <= as_of} for due, amount in instalments],
        premium_due=_total(a for due, a in instalments if due <= as_of),
        premium_received=_total(r.amount for r in receipts),
        receipts=[{"received_on": r.received_on.isoformat(), "amount": f"{r.amount:.2f}",
                   "reference": r.reference} for r in receipts],
        paid=paid, paid_by_category=_by(rows, lambda r: r.category),
        paid_by_township=_by(rows, lambda r: r.township_name),
        paid_by_month=_by(rows, lambda r: local_month(r.paid_at)), payments=len(rows),
        top_ups_paid=top_ups, recoveries_repaid=repaid,
        recoveries_offset=settled("recovery", "offset"), top_ups_open=still_open("top_up"),
        recoveries_open=still_open("recovery"), paid_net=paid + top_ups - repaid,
        committed_by_status=by_status, committed=_total(by_status.values()),
        open_claims=committed_claims)
    status.incurred = status.paid_net + status.committed
    status.balance = status.fund_for_claims - status.incurred
    if status.premium > 0:
        status.loss_ratio = (status.incurred / status.premium).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP)
    start, end = dt.date(contract.year, 1, 1), dt.date(contract.year, 12, 31)
    if as_of >= start:
        elapsed = (min(as_of, end) - start).days + 1
        days = (end - start).days + 1
        status.projected_year = (status.incurred * days / elapsed).quantize(
            FEN, rounding=ROUND_HALF_UP)
        status.projected_balance = status.fund_for_claims - status.projected_year
    status.warning_at = (status.fund_for_claims * contract.warning_share).quantize(
        FEN, rounding=ROUND_HALF_UP)
    if status.incurred >= status.warning_at:
        status.warning = warning_message(status, contract).render("zh")
    return status


def warning_message(status: FundStatus, contract: Contract) -> Message:
    """The warning that paid and committed have reached the contract's share of the fund."""
    return Message("fund.warning", incurred=status.incurred, fund=status.fund_for_claims,
                   share=contract.warning_share, at=status.warning_at)


def fund_status(ctx: Context, contract: Contract, as_of: dt.date | None = None) -> FundStatus:
    """The ledger of the contract's year as of `as_of` (today in the county by default)."""
    ctx.require("read")
    with ctx.factory() as session:
        return _status(session, contract, as_of or local_date(ctx))


@dataclass(frozen=True)
class Receipt:
    pk: int
    amount: Decimal
    received_on: dt.date
    reference: str
    already_recorded: bool


def record_receipt(ctx: Context, contract: Contract, amount: Decimal, received_on: dt.date,
                   reference: str, note: str | None = None) -> Receipt:
    """保费到账: record a premium payment received, as an event in the chain.

    A bank reference is recorded once: the same reference and amount again is the same
    receipt (nothing new is stored); the same reference with another amount is refused."""
    ctx.require("fund")
    reference = (reference or "").strip()
    if not reference:
        raise FundRefused(Message("fund.no_reference"))
    if len(reference) > 64 or (note is not None and len(note) > 200):  # their columns' widths
        raise FundRefused(Message("fund.too_long"))
    if not amount.is_finite() or amount != amount.quantize(FEN) or amount <= 0:
        raise FundRefused(Message("fund.not_positive", amount=amount))
    if amount > MAX_AMOUNT:
        raise FundRefused(Message("fund.too_large", amount=amount, limit=MAX_AMOUNT))
    if not contract.year - 1 <= received_on.year <= contract.year + 1:
        raise FundRefused(Message("fund.far_date", received_on=received_on,
                                  year=contract.year))
    now = ctx.now()

    def existing(session: Session) -> FundReceipt | None:
        return session.execute(select(FundReceipt).where(
            FundReceipt.contract_id == contract.id,
            FundReceipt.reference == reference)).scalar_one_or_none()

    try:
        with transaction(ctx.factory) as session:
            found = existing(session)
            if found is None:
                row = FundReceipt(contract_id=contract.id, county=contract.county,
                                  year=contract.year, amount=amount, received_on=received_on,
                                  reference=reference, note=note, recorded_by=ctx.user_id,
                                  recorded_at=now)
                session.add(row)
                session.flush()
                append_events(session, ctx.user_id, now, [PendingEvent(
                    "fund.premium_received", "fund", contract.id, {
                        "receipt_pk": row.pk, "amount": amount,
                        "received_on": received_on.isoformat(), "reference": reference,
                        "contract_sha256": contract.sha256})])
                return Receipt(row.pk, amount, received_on, reference, False)
    except IntegrityError:  # recorded by a concurrent command meanwhile
        pass
    with ctx.factory() as session:
        found = existing(session)
    assert found is not None
    if found.amount != amount or found.received_on != received_on:
        raise FundRefused(Message("fund.reference_differs", reference=reference,
                                  recorded=found.amount, recorded_on=found.received_on,
                                  amount=amount, received_on=received_on))
    return Receipt(found.pk, found.amount, found.received_on, reference, True)
