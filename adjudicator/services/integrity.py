"""Money bound to the chain (账链一致): every stored amount and status that pays or reports is
checked against what the hash chain recorded.

The chain's events say, for every claim, which decision is current and with what payout and
counted expense, what a person's review made of it, what was posted on a notice, what was
paid and what recoveries and top-ups were opened and settled; the documents generated and
their SHA-256. `ChainState` reads that back from the events (which `verify_chain` proves
unedited), and `verify_records` compares every row of decisions, claims, payments, notices,
notice items, adjustments and documents with it, naming the table, row and column that
differ. `pay` and `review approve` go further for the claims they pay: the amount must be the
one the chain recorded and a replay of the decision reproduces, and the chain must hold no
payment of the claim already; anything else is refused (`RecordRefused`) and nothing is paid.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from adjudicator.messages import Message, Refused
from adjudicator.rules.decision import adjudicate
from adjudicator.services.tariffs import TariffBook
from adjudicator.storage.context import Context
from adjudicator.storage.db import READ_SNAPSHOT
from adjudicator.storage.digest import sha256_text
from adjudicator.storage.models import Claim, DecisionRecord, Event, Payment
from adjudicator.storage.models_audit import AuditAdjustment
from adjudicator.storage.models_notice import Document, Notice, NoticeItem
from schemas.case import Case
from schemas.vocabulary import Words

#: Statuses whose claim is payable, paid or on its way there: a status edited into or out of
#: one of these is money.
MONEY_STATUSES = frozenset({"approved", "in_notice", "closed", "paid"})
#: Moves that take a claim's decision out of the household's history until it is decided
#: again.
_LEAVES_HISTORY = frozenset({"verified", "under_verification"})
#: Event kinds about a claim that the money depends on.
CLAIM_KINDS = ("decision.made", "review.approved", "review.denied", "notice.objection",
               "claim.status", "payment.made", "payment.failed", "audit.adjustment_opened",
               "audit.adjustment_settled", "audit.adjustment_superseded")
KINDS = (*CLAIM_KINDS, "notice.created", "notice.corrected", "document.generated")
TABLE_ORDER = ("decisions", "notices", "notice_items", "payments", "audit_adjustments",
               "claims", "documents")


class RecordRefused(Refused):
    """A payment or an approval refused because the stored record and the chain (or a
    replay) disagree; nothing was paid."""


@dataclass(frozen=True)
class RecordProblem:
    """A stored value that is not what the chain recorded."""

    table: str
    row: str
    column: str
    chain: str
    stored: str

    def message(self) -> Message:
        return Message("log.record_differs", table=self.table, row=self.row,
                       column=self.column, chain=self.chain, stored=self.stored)


@dataclass
class ChainDecision:
    claim_id: str
    outcome: str
    payout: Decimal
    counted: Decimal
    reasons: list[str]
    purpose: str
    case_sha256: str | None
    decision_sha256: str | None


@dataclass
class ChainClaim:
    current: int | None = None
    final: tuple[Decimal, Decimal] | None = None  # counted expense, paid
    status: str | None = None
    posted: tuple[int, Decimal] | None = None  # decision id and payout on its last notice
    payments: list[tuple[int, Decimal]] = field(default_factory=list)
    returned: int = 0  # payments the bank returned as failed (payable again once corrected)


@dataclass
class ChainState:
    """What the chain says about the money, event by event (see the module)."""

    decisions: dict[int, ChainDecision] = field(default_factory=dict)
    claims: dict[str, ChainClaim] = field(default_factory=dict)
    notices: dict[str, tuple[Decimal, int]] = field(default_factory=dict)
    items: dict[tuple[str, str], tuple[int, Decimal]] = field(default_factory=dict)
    adjustments: dict[int, tuple[str, str, Decimal, str]] = field(default_factory=dict)
    documents: Counter[tuple[str, str, str, str, int]] = field(default_factory=Counter)

    def claim(self, claim_id: str) -> ChainClaim:
        found = self.claims.get(claim_id)
        if found is None:
            found = self.claims[claim_id] = ChainClaim()
        return found

    def read(self, kind: str, entity_type: str, entity_id: str, payload: dict[str, Any]
             ) -> None:
        """Take in one event."""
        if kind == "decision.made":
            decision = ChainDecision(
                entity_id, payload["outcome"], Decimal(payload["payout"]),
                Decimal(payload["counted_expense"]), list(payload["reasons"]),
                payload.get("purpose", "claim"), payload.get("case_sha256"),
                payload.get("decision_sha256"))
            self.decisions[payload["decision_id"]] = decision
            if decision.purpose == "claim":
                claim = self.claim(entity_id)
                claim.current = payload["decision_id"]
                claim.final = (None if decision.outcome == "pended"
                               else (decision.counted, decision.payout))
        elif kind == "review.approved":
            reviewed = self.decisions.get(payload["decision_id"])
            if reviewed is not None:
                self.claim(entity_id).final = (reviewed.counted, reviewed.payout)
        elif kind == "review.denied":
            self.claim(entity_id).final = (Decimal(0), Decimal(0))
        elif kind == "notice.objection":
            self.claim(entity_id).final = None
        elif kind == "claim.status":
            claim = self.claim(entity_id)
            claim.status = payload["to"]
            if payload["to"] in _LEAVES_HISTORY:
                claim.final = None
            if payload["to"] == "in_notice" and "decision_id" in payload:
                claim.posted = (payload["decision_id"], Decimal(payload["payout"]))
        elif kind == "payment.made":  # moves the claim to paid (no status event of its own)
            claim = self.claim(entity_id)
            claim.payments.append((payload["decision_id"], Decimal(payload["amount"])))
            claim.status = "paid"
        elif kind == "payment.failed":
            claim = self.claim(entity_id)
            claim.returned += 1
            if payload.get("payable_again"):
                claim.status = "closed"
        elif kind in ("audit.adjustment_opened", "audit.adjustment_settled"):
            claim = self.claim(entity_id)
            if payload.get("final_paid") is not None and claim.final is not None:
                claim.final = (claim.final[0], Decimal(payload["final_paid"]))
            if kind == "audit.adjustment_opened":
                self.adjustments[payload["adjustment_id"]] = (
                    entity_id, payload["kind"], Decimal(payload["amount"]), "open")
            else:
                self._adjustment_status(payload["adjustment_id"], "settled")
        elif kind == "audit.adjustment_superseded":
            self._adjustment_status(payload["adjustment_id"], "superseded")
        elif kind in ("notice.created", "notice.corrected"):
            if "items" in payload or kind == "notice.corrected":
                self.notices[entity_id] = (Decimal(payload["total"]), len(
                    payload.get("items", payload.get("changes", []))))
            for claim_id, decision_id, payout in payload.get("items", []):
                self.items[(entity_id, claim_id)] = (decision_id, Decimal(payout))
        elif kind == "document.generated":
            self.documents[(entity_type, entity_id, payload["path"], payload["sha256"],
                            payload["size"])] += 1

    def _adjustment_status(self, adjustment_id: int, status: str) -> None:
        known = self.adjustments.get(adjustment_id)
        if known is not None:
            self.adjustments[adjustment_id] = (*known[:3], status)


def _events(session: Session, kinds: Iterable[str], entity_ids: list[str] | None = None,
            batch: int = 500) -> Iterator[Any]:
    query = (select(Event.kind, Event.entity_type, Event.entity_id, Event.payload)
             .where(Event.kind.in_(list(kinds))).order_by(Event.seq))
    if entity_ids is not None:
        query = query.where(Event.entity_id.in_(entity_ids))
    yield from session.execute(query.execution_options(yield_per=batch))


def chain_state(session: Session, entity_ids: list[str] | None = None) -> ChainState:
    """The chain's money state: of everything, or of these claims only."""
    state = ChainState()
    kinds = KINDS if entity_ids is None else CLAIM_KINDS
    for row in _events(session, kinds, entity_ids):
        state.read(row.kind, row.entity_type, row.entity_id, orjson.loads(row.payload))
    return state


def _text(value: Any, lang: str = "zh") -> str:
    if value is None:
        return "（无）" if lang == "zh" else "(none)"
    if isinstance(value, Decimal):
        return format(value, ".2f")
    return str(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and Decimal(a) == Decimal(b)
    return bool(a == b)


class _Problems(list[RecordProblem]):
    def differ(self, table: str, row: Any, column: str, chain: Any, stored: Any) -> None:
        if not _same(chain, stored):
            self.append(RecordProblem(table, str(row), column, _text(chain), _text(stored)))

    def missing(self, table: str, row: Any, in_chain: bool) -> None:
        self.append(RecordProblem(table, str(row), "(row)",
                                  "有记录" if in_chain else "无记录",
                                  "缺失（已删除）" if in_chain else "存在（未经记录写入）"))


def verify_records(ctx_or_session: Context | Session) -> list[RecordProblem]:
    """Every money row against the chain (see the module); [] when all agree."""
    if isinstance(ctx_or_session, Session):
        return _verify(ctx_or_session)
    ctx_or_session.require("log.verify")
    with ctx_or_session.factory() as session:
        session.connection(execution_options={READ_SNAPSHOT: True})
        return _verify(session)


def _verify(session: Session) -> list[RecordProblem]:
    state = chain_state(session)
    problems = _Problems()
    _check_decisions(session, state, problems)
    _check_claims(session, state, problems)
    _check_payments(session, state, problems)
    _check_notices(session, state, problems)
    _check_adjustments(session, state, problems)
    _check_documents(session, state, problems)
    order = {table: i for i, table in enumerate(TABLE_ORDER)}
    return sorted(problems, key=lambda p: order[p.table])


def _check_decisions(session: Session, state: ChainState, problems: _Problems) -> None:
    seen: set[int] = set()
    rows = session.execute(select(
        DecisionRecord.decision_id, DecisionRecord.claim_id, DecisionRecord.outcome,
        DecisionRecord.payout, DecisionRecord.counted_expense, DecisionRecord.reasons,
        DecisionRecord.case_json, DecisionRecord.decision_json)
        .order_by(DecisionRecord.decision_id).execution_options(yield_per=500))
    for row in rows:
        seen.add(row.decision_id)
        chain = state.decisions.get(row.decision_id)
        if chain is None:
            problems.missing("decisions", row.decision_id, in_chain=False)
            continue
        key = row.decision_id
        problems.differ("decisions", key, "claim_id", chain.claim_id, row.claim_id)
        problems.differ("decisions", key, "outcome", chain.outcome, row.outcome)
        problems.differ("decisions", key, "payout", chain.payout, row.payout)
        problems.differ("decisions", key, "counted_expense", chain.counted,
                        row.counted_expense)
        problems.differ("decisions", key, "reasons", chain.reasons, list(row.reasons))
        if chain.case_sha256 is not None:
            problems.differ("decisions", key, "case_json (SHA-256)", chain.case_sha256,
                            sha256_text(row.case_json))
        if chain.decision_sha256 is not None:
            problems.differ("decisions", key, "decision_json (SHA-256)",
                            chain.decision_sha256, sha256_text(row.decision_json))
    for decision_id in sorted(set(state.decisions) - seen):
        problems.missing("decisions", decision_id, in_chain=True)


def _check_claims(session: Session, state: ChainState, problems: _Problems) -> None:
    rows = session.execute(select(
        Claim.claim_id, Claim.status, Claim.current_decision_id, Claim.final_paid,
        Claim.final_counted_expense).where(or_(
            Claim.current_decision_id.is_not(None), Claim.final_paid.is_not(None),
            Claim.status.in_(MONEY_STATUSES))).order_by(Claim.claim_id)
        .execution_options(yield_per=2000))
    for row in rows:
        chain = state.claims.get(row.claim_id, ChainClaim())
        key = row.claim_id
        problems.differ("claims", key, "current_decision_id", chain.current,
                        row.current_decision_id)
        final = chain.final or (None, None)
        problems.differ("claims", key, "final_paid", final[1], row.final_paid)
        problems.differ("claims", key, "final_counted_expense", final[0],
                        row.final_counted_expense)
        if chain.status in MONEY_STATUSES or row.status in MONEY_STATUSES:
            problems.differ("claims", key, "status", chain.status, row.status)


def _check_payments(session: Session, state: ChainState, problems: _Problems) -> None:
    chain = {decision_id: (claim_id, amount) for claim_id, claim in state.claims.items()
             for decision_id, amount in claim.payments}
    seen: set[int] = set()
    for row in session.execute(select(Payment.pk, Payment.claim_id, Payment.decision_id,
                                      Payment.amount).order_by(Payment.pk)):
        key = f"{row.claim_id}（决定 {row.decision_id}）"
        seen.add(row.decision_id)
        recorded = chain.get(row.decision_id)
        if recorded is None:
            problems.missing("payments", key, in_chain=False)
            continue
        problems.differ("payments", key, "claim_id", recorded[0], row.claim_id)
        problems.differ("payments", key, "amount", recorded[1], row.amount)
    for decision_id in sorted(set(chain) - seen):
        problems.missing("payments", f"{chain[decision_id][0]}（决定 {decision_id}）",
                         in_chain=True)


def _check_notices(session: Session, state: ChainState, problems: _Problems) -> None:
    for notice_no, total, claims in session.execute(
            select(Notice.notice_no, Notice.total, Notice.claims).order_by(Notice.notice_id)):
        recorded = state.notices.get(notice_no)
        if recorded is not None:
            problems.differ("notices", notice_no, "total", recorded[0], total)
            problems.differ("notices", notice_no, "claims", recorded[1], claims)
    seen: set[tuple[str, str]] = set()
    for notice_no, claim_id, decision_id, payout in session.execute(
            select(Notice.notice_no, NoticeItem.claim_id, NoticeItem.decision_id,
                   NoticeItem.payout).join(Notice, Notice.notice_id == NoticeItem.notice_id)
            .order_by(NoticeItem.pk)):
        if notice_no not in state.notices:
            continue  # recorded before notices listed their items
        key = f"{notice_no} / {claim_id}"
        seen.add((notice_no, claim_id))
        item = state.items.get((notice_no, claim_id))
        if item is None:
            problems.missing("notice_items", key, in_chain=False)
            continue
        problems.differ("notice_items", key, "decision_id", item[0], decision_id)
        problems.differ("notice_items", key, "payout", item[1], payout)
    for notice_no, claim_id in sorted(set(state.items) - seen):
        problems.missing("notice_items", f"{notice_no} / {claim_id}", in_chain=True)


def _check_adjustments(session: Session, state: ChainState, problems: _Problems) -> None:
    seen: set[int] = set()
    for row in session.execute(select(AuditAdjustment.adjustment_id, AuditAdjustment.claim_id,
                                      AuditAdjustment.kind, AuditAdjustment.amount,
                                      AuditAdjustment.status)):
        seen.add(row.adjustment_id)
        recorded = state.adjustments.get(row.adjustment_id)
        if recorded is None:
            problems.missing("audit_adjustments", row.adjustment_id, in_chain=False)
            continue
        for column, chain_value, stored in zip(
                ("claim_id", "kind", "amount", "status"), recorded,
                (row.claim_id, row.kind, row.amount, row.status), strict=True):
            problems.differ("audit_adjustments", row.adjustment_id, column, chain_value,
                            stored)
    for adjustment_id in sorted(set(state.adjustments) - seen):
        problems.missing("audit_adjustments", adjustment_id, in_chain=True)


def _check_documents(session: Session, state: ChainState, problems: _Problems) -> None:
    left = Counter(state.documents)
    for row in session.execute(select(Document.pk, Document.kind, Document.ref, Document.path,
                                      Document.sha256, Document.size).order_by(Document.pk)):
        key = (row.kind, row.ref, row.path, row.sha256, row.size)
        if left[key] > 0:
            left[key] -= 1
            continue
        same_file = [k for k in left if k[:3] == key[:3] and left[k] > 0]
        if same_file:
            recorded = same_file[0]
            left[recorded] -= 1
            problems.differ("documents", row.pk, "sha256", recorded[3], row.sha256)
            problems.differ("documents", row.pk, "size", recorded[4], row.size)
        else:
            problems.missing("documents", f"{row.pk}（{row.kind} {row.ref}）", in_chain=False)


# --------------------------------------------------------------------------- before paying


def replayed(book: TariffBook, record: DecisionRecord) -> tuple[str, Decimal]:
    """The outcome and payout a replay of the stored decision gives."""
    decision = adjudicate(Case.model_validate_json(record.case_json),
                          book.by_pk[record.tariff_pk])
    return decision.outcome.value, decision.payout


def decision_problem(state: ChainState, book: TariffBook, record: DecisionRecord
                     ) -> Words | None:
    """Why this stored decision's amount is not one the chain and a replay agree on (in
    Chinese and in English)."""
    chain = state.decisions.get(record.decision_id)
    decision = record.decision_id
    if chain is None:
        return Words(f"决定 {decision} 不在审计链上", f"decision {decision} is not in the chain")
    if chain.payout != record.payout or chain.outcome != record.outcome:
        return Words(f"决定 {decision} 库中为 {record.outcome} {record.payout:.2f}，"
                     f"链上记录为 {chain.outcome} {chain.payout:.2f}",
                     f"decision {decision} is {record.outcome} {record.payout:.2f} in the "
                     f"database, {chain.outcome} {chain.payout:.2f} in the chain")
    if chain.case_sha256 is not None and chain.case_sha256 != sha256_text(record.case_json):
        return Words(f"决定 {decision} 的案件快照与链上记录的 SHA-256 不符",
                     f"the case of decision {decision} does not match the SHA-256 in the "
                     "chain")
    outcome, payout = replayed(book, record)
    if (outcome, payout) != (chain.outcome, chain.payout):
        return Words(f"决定 {decision} 重放得 {outcome} {payout:.2f}，"
                     f"链上记录为 {chain.outcome} {chain.payout:.2f}",
                     f"decision {decision} replays as {outcome} {payout:.2f}, "
                     f"{chain.outcome} {chain.payout:.2f} in the chain")
    return None


def check_approvable(session: Session, record: DecisionRecord) -> None:
    """Before a person's approval pays a pended decision: its payout must be the chain's and
    a replay's."""
    state = chain_state(session, [record.claim_id])
    problem = decision_problem(state, TariffBook.load(session), record)
    if problem is not None:
        raise RecordRefused(Message("record.not_approvable", claim=record.claim_id,
                                    problem=problem))


def payable_problems(session: Session, claims: list[Claim], book: TariffBook
                     ) -> dict[str, Words]:
    """For each claim about to be paid that must not be: why (see the module), in Chinese
    and in English."""
    state = chain_state(session, [c.claim_id for c in claims])
    records = {r.decision_id: r for r in session.execute(select(DecisionRecord).where(
        DecisionRecord.decision_id.in_([c.current_decision_id for c in claims]))).scalars()}
    found: dict[str, Words] = {}
    for claim in claims:
        chain = state.claims.get(claim.claim_id, ChainClaim())
        problem: Words | None = None
        record = records.get(claim.current_decision_id or 0)
        if len(chain.payments) > chain.returned:
            paid_by, paid = chain.payments[0][0], chain.payments[0][1]
            problem = Words(f"审计链显示该案已兑现（决定 {paid_by}，{paid:.2f} 元），不能再次支付",
                            f"the chain shows it paid (decision {paid_by}, {paid:.2f} yuan): "
                            "it is not paid again")
        elif record is None or chain.current != claim.current_decision_id:
            problem = Words(f"当前决定 {claim.current_decision_id} 不是链上记录的 "
                            f"{chain.current}",
                            f"the current decision {claim.current_decision_id} is not the "
                            f"chain's {chain.current}")
        elif chain.final is None or chain.final[1] != claim.final_paid:
            chained = None if chain.final is None else chain.final[1]
            problem = Words(f"应付金额库中为 {_text(claim.final_paid)}，链上记录为 "
                            f"{_text(chained)}",
                            f"the amount due is {_text(claim.final_paid, 'en')} in the "
                            f"database, {_text(chained, 'en')} in the chain")
        elif chain.status != "closed":
            problem = Words(f"链上记录的状态为 {chain.status}，不是公示期满 (closed)",
                            f"the chain's status is {chain.status}, not closed")
        elif chain.posted is not None and chain.posted != (record.decision_id,
                                                            claim.final_paid):
            problem = Words(f"公示的是决定 {chain.posted[0]}（{chain.posted[1]:.2f} 元），"
                            f"不是当前决定 {record.decision_id}（{claim.final_paid:.2f} 元）",
                            f"the notice posted decision {chain.posted[0]} "
                            f"({chain.posted[1]:.2f} yuan), not the current decision "
                            f"{record.decision_id} ({claim.final_paid:.2f} yuan)")
        else:
            problem = decision_problem(state, book, record)
        if problem is not None:
            found[claim.claim_id] = problem
    return found


def refuse_payment(problems: dict[str, Words]) -> RecordRefused:
    found = sorted(problems.items())
    lines = Words("；".join(f"案件 {claim_id}：{why.zh}" for claim_id, why in found),
                  "; ".join(f"claim {claim_id}: {why.en}" for claim_id, why in found))
    return RecordRefused(Message("record.payment_stopped", problems=lines))
