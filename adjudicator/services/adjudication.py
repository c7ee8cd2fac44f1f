"""Batch adjudication (批量理算) of every claim that is ready, as RULES.md orders it.

A household is the unit of work: its ready claims are decided in (event date, claim id) order,
each with the history of the household's final decisions in its category and tariff period.
A claim waits while an earlier claim of the same household and period is not final (of the
same category, or of any category when the tariff caps all categories), so the result never
depends on the order of the input rows. Households are taken in chunks,
locked FOR UPDATE SKIP LOCKED (PostgreSQL), and each chunk commits as a whole: a batch killed
at any point resumes with no claim decided twice and none lost.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from adjudicator.batchwork import gc_paused
from adjudicator.evaluate import field_path
from adjudicator.feeds.reuse import reused_verifications
from adjudicator.rules.decided import Decided
from adjudicator.rules.decision import Decision, adjudicate
from adjudicator.rules.history import history_for, waiting_for
from adjudicator.rules.tariff import Tariff
from adjudicator.services.scope import require_claim
from adjudicator.services.tariffs import TariffBook, TariffChoiceError, TariffPin
from adjudicator.storage.bulk import insert_returning_keys, update_rows
from adjudicator.storage.context import Context
from adjudicator.storage.db import READ_SNAPSHOT, transaction
from adjudicator.storage.digest import sha256_text
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Claim, DecisionRecord, Finding, Household, Member
from adjudicator.storage.models import Verification as VerificationRow
from adjudicator.workflow import OUTCOME_STATUS, ClaimStatus, move
from schemas.case import Case, amounts_part
from schemas.types import MAX_AMOUNT, amount_too_large, format_amount

ZERO = Decimal(0)
#: Statuses in which a claim has not reached a final decision yet.
NOT_FINAL = frozenset({ClaimStatus.RECEIVED, ClaimStatus.SCREENED,
                       ClaimStatus.UNDER_VERIFICATION, ClaimStatus.VERIFIED,
                       ClaimStatus.PENDED, ClaimStatus.OBJECTED})


@dataclass
class BatchResult:
    """What a run did."""

    households: int = 0
    decided: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    payout_total: Decimal = ZERO
    waiting: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    #: chunks decided a second time because another writer changed their inputs meanwhile
    #: (`Share` workers on SQLite)
    redecided: int = 0

    def count(self, decided: Decided) -> None:
        self.decided += 1
        self.outcomes[decided.outcome] = self.outcomes.get(decided.outcome, 0) + 1
        self.payout_total += Decimal(decided.payout)

    def absorb(self, other: BatchResult) -> None:
        """Add what `other` (one chunk's result) did."""
        self.households += other.households
        self.decided += other.decided
        for key, value in other.outcomes.items():
            self.outcomes[key] = self.outcomes.get(key, 0) + value
        self.payout_total += other.payout_total
        self.redecided += other.redecided
        self.waiting += other.waiting
        self.errors += other.errors


@dataclass(frozen=True)
class Share:
    """The households one of `of` workers takes on SQLite: those whose CRC-32 of the
    household id is `index` modulo `of` (the same in every process, unlike `hash`)."""

    index: int
    of: int

    def takes(self, household_id: str) -> bool:
        return zlib.crc32(household_id.encode()) % self.of == self.index


@dataclass
class HouseholdData:
    """A household's stored facts: ORM objects, or the batch's plain rows (the same names)."""

    household: Any
    members: list[Any]
    claims: list[Any]
    findings: list[Any]


@dataclass(slots=True)
class BatchClaim:
    """A claim as the batch reads and moves it: plain data, written back in bulk."""

    claim_id: str
    household_id: str
    member_id: str
    category: str
    event_date: dt.date
    source: str
    document_no: str | None
    cause: str | None
    amounts: dict[str, Any]
    status: str
    current_decision_id: int | None
    tariff_pk: int | None
    final_counted_expense: Decimal | None
    final_paid: Decimal | None
    updated_at: str


_BATCH_CLAIM_COLUMNS = [getattr(Claim, name) for name in BatchClaim.__slots__]
_MOVED = ("status", "tariff_pk", "updated_at", "final_counted_expense", "final_paid",
          "current_decision_id")


def build_case(case_id: str, data: HouseholdData, claim: Claim,
               verification: dict[str, Any] | None, history: dict[str, Decimal]) -> Case:
    """The case snapshot: everything the decision depends on, and nothing else."""
    return Case.model_validate(case_document(case_id, data, claim, verification, history))


def case_json(document: dict[str, Any]) -> bytes:
    """A case document as the JSON the engines read and the store keeps: amounts as
    two-decimal text and dates in ISO form, as `Case.model_dump_json` writes them."""
    return orjson.dumps(document, default=_json_value)


def _json_value(value: Any) -> str:
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON data: {type(value).__name__}")


def case_document(case_id: str, data: HouseholdData, claim: Claim,
                  verification: dict[str, Any] | None, history: dict[str, Decimal]
                  ) -> dict[str, Any]:
    """The case snapshot as plain data, in the shape of `schemas.case.Case`."""
    cross_checks = list((verification or {}).get("cross_checks", []))
    cross_checks += [{"source": f.source, "item": f.item, "found": f.found, "detail": f.detail}
                     for f in data.findings]
    cross_checks.sort(key=lambda c: (c["source"], c["item"], not c["found"], c["detail"] or ""))
    household = data.household
    case: dict[str, Any] = {
        "case_id": case_id,
        "household": {
            "household_id": household.household_id, "region_code": household.region_code,
            "category": household.category,
            "members": [{"member_id": m.member_id, "name": m.name, "id_number": m.id_number,
                         "relation": m.relation, "counted": m.counted}
                        for m in sorted(data.members, key=lambda m: m.member_id)],
        },
        "claim": {"claim_id": claim.claim_id, "category": claim.category,
                  "member_id": claim.member_id, "event_date": claim.event_date,
                  "source": claim.source, "document_no": claim.document_no,
                  amounts_part(claim.category, claim.amounts): claim.amounts},
        "history": history,
    }
    if claim.cause is not None:  # only then: a claim without one reads as it always did
        case["claim"]["cause"] = claim.cause
    if verification is not None:
        case["verification"] = {**verification, "cross_checks": cross_checks}
    return case


def _ready_households(session: Session, after: str, limit: int, claim_id: str | None
                      ) -> list[str]:
    ready = exists().where(Claim.household_id == Household.household_id,
                           Claim.status == ClaimStatus.VERIFIED.value)
    if claim_id is not None:
        ready = exists().where(Claim.household_id == Household.household_id,
                               Claim.claim_id == claim_id,
                               Claim.status == ClaimStatus.VERIFIED.value)
    query = (select(Household.household_id).where(Household.household_id > after, ready)
             .order_by(Household.household_id).limit(limit)
             .with_for_update(skip_locked=True))
    return list(session.execute(query).scalars())


def _load(session: Session, household_ids: list[str]) -> dict[str, HouseholdData]:
    """The chunk's households with their members, claims (locked) and findings, as rows."""
    data = {h.household_id: HouseholdData(h, [], [], []) for h in session.execute(
        select(Household.household_id, Household.region_code, Household.category)
        .where(Household.household_id.in_(household_ids)))}
    for m in session.execute(select(Member.household_id, Member.member_id, Member.name,
                                    Member.id_number, Member.relation, Member.counted)
                             .where(Member.household_id.in_(household_ids))):
        data[m.household_id].members.append(m)
    for row in session.execute(select(*_BATCH_CLAIM_COLUMNS)
                               .where(Claim.household_id.in_(household_ids))
                               .with_for_update()):
        data[row.household_id].claims.append(BatchClaim(*row))
    for f in session.execute(select(Finding.household_id, Finding.source, Finding.item,
                                    Finding.found, Finding.detail)
                             .where(Finding.household_id.in_(household_ids))
                             .order_by(Finding.pk)):
        data[f.household_id].findings.append(f)
    return data


@dataclass
class _Inputs:
    """What a chunk's decisions depend on, as read from the database (the tariffs aside: a
    run loads them once, at its start)."""

    households: list[HouseholdData]
    verifications: dict[str, dict[str, Any]]
    seqs: dict[str, int]

    def fingerprint(self) -> tuple[Any, ...]:
        """The inputs as plain values (taken before deciding, which moves the claims); the
        verifications as their JSON, where `==` would take a `false` changed to `0` for the
        same."""
        return tuple((tuple(d.household), [tuple(m) for m in d.members],
                      [tuple(getattr(c, name) for name in BatchClaim.__slots__)
                       for c in d.claims], [tuple(f) for f in d.findings])
                     for d in self.households), orjson.dumps(self.verifications), self.seqs


def _read_inputs(session: Session, household_ids: list[str]) -> _Inputs:
    data = _load(session, household_ids)
    ready = [c for d in data.values() for c in d.claims
             if c.status == ClaimStatus.VERIFIED.value]
    return _Inputs([data[h] for h in household_ids],
                   _latest_verifications(session, [c.claim_id for c in ready]),
                   _last_seqs(session, ready))


def _latest_verifications(session: Session, claim_ids: list[str]) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    if not claim_ids:
        return latest
    rows = session.execute(
        select(VerificationRow.claim_id, VerificationRow.payload)
        .where(VerificationRow.claim_id.in_(claim_ids), VerificationRow.status == "submitted")
        .order_by(VerificationRow.pk))
    for claim_id, payload in rows:
        latest[claim_id] = payload
    latest.update(reused_verifications(session, [c for c in claim_ids if c not in latest]))
    return latest


def _last_seqs(session: Session, claims: list[BatchClaim]) -> dict[str, int]:
    """The last decision seq of each claim that has one (re-adjudications)."""
    decided = [c.claim_id for c in claims if c.current_decision_id is not None]
    if not decided:
        return {}
    return dict(session.execute(
        select(DecisionRecord.claim_id, func.max(DecisionRecord.seq))
        .where(DecisionRecord.claim_id.in_(decided)).group_by(DecisionRecord.claim_id)).all())


def _decide_chunk(ctx: Context, book: TariffBook, households: list[HouseholdData],
                  verifications: dict[str, dict[str, Any]], seqs: dict[str, int],
                  only: str | None, result: BatchResult) -> list[StagedDecision]:
    """Decide the ready claims of a chunk of households; returns the staged decisions in
    (household, event date, claim id) order.

    A household's claims depend on each other (history, waiting), households do not: the
    chunk is decided in waves, each taking the next claim of every household, and each wave
    goes to the columnar engine at once. A claim sees the household as the waves before it
    left it, exactly as deciding the household's claims one by one would.
    """
    now = ctx.now()
    queues = [(index, data, sorted(
        (c for c in data.claims if c.status == ClaimStatus.VERIFIED.value
         and (only is None or c.claim_id == only)),
        key=lambda c: (c.event_date, c.claim_id), reverse=True))
        for index, data in enumerate(households)]
    staged: list[tuple[int, int, StagedDecision]] = []
    wave = 0
    while queues:
        cases: list[tuple[int, HouseholdData, Claim, int, Tariff, int, bytes]] = []
        for index, data, queue in queues:
            while queue:
                claim = queue.pop()
                try:
                    tariff_pk, tariff = book.choose(data.household.region_code,
                                                    claim.event_date)
                except TariffChoiceError as exc:
                    result.errors.append((claim.claim_id, str(exc)))
                    continue
                earlier = waiting_for(claim, tariff, data.claims, NOT_FINAL)
                if earlier is not None:
                    result.waiting.append((claim.claim_id, f"waits for earlier claim "
                                           f"{earlier.claim_id} ({earlier.status})"))
                    continue
                seq = seqs.get(claim.claim_id, 0) + 1
                document = case_document(f"{claim.claim_id}#{seq}", data, claim,
                                         verifications.get(claim.claim_id),
                                         history_for(claim, tariff, data.claims))
                cases.append((index, data, claim, tariff_pk, tariff, seq, case_json(document)))
                break
        for (index, _, claim, tariff_pk, _tariff, seq, text), decided in zip(
                cases, _decide_all(book, [(c[4], c[3], c[6]) for c in cases]), strict=True):
            if isinstance(decided, str):
                result.errors.append((claim.claim_id, decided))
                continue
            if (too_large := unstorable(decided)) is not None:
                result.errors.append((claim.claim_id, too_large))
                continue
            staged.append((index, wave, stage_decision(ctx, claim, text.decode(), decided,
                                                       tariff_pk, seq, now)))
            result.count(decided)
        queues = [q for q in queues if q[2]]
        wave += 1
    staged.sort(key=lambda item: item[:2])
    return [item for _, _, item in staged]


def _decide_all(book: TariffBook, cases: list[tuple[Tariff, int, bytes]]
                ) -> list[Decided | str]:
    """Each case's decision (the columnar engine per tariff, the scalar core for what it does
    not take), or why the stored data does not make a valid case."""
    decided: list[Decided | str | None] = [None] * len(cases)
    by_tariff: dict[int, list[int]] = {}
    for position, (_, tariff_pk, _) in enumerate(cases):
        by_tariff.setdefault(tariff_pk, []).append(position)
    for tariff_pk, positions in by_tariff.items():
        engine = book.engine(tariff_pk)
        for position, fast in zip(positions, engine.decide([cases[p][2] for p in positions]),
                                  strict=True):
            decided[position] = fast
    for position, outcome in enumerate(decided):
        if outcome is None:  # the scalar way
            tariff, _, text = cases[position]
            try:
                decided[position] = Decided.of(adjudicate(Case.model_validate_json(text),
                                                          tariff))
            except ValidationError as exc:
                decided[position] = "the stored data does not make a valid case: " + "; ".join(
                    f"{field_path(e['loc'])}: {e['msg']}" for e in exc.errors())
    return [d for d in decided if d is not None]


def unstorable(decided: Decided) -> str | None:
    """Why a decision's amounts cannot be stored (beyond MAX_AMOUNT, what every money column
    holds), or None. Such a claim is left as it is and reported: the rest of its chunk is
    decided and stored, on both databases alike."""
    for name, label in (("payout", "赔付金额"), ("eligible_expense", "合规费用"),
                        ("counted_expense", "计入费用")):
        if amount_too_large(Decimal(getattr(decided, name))):
            return (f"{label}超出金额上限 {MAX_AMOUNT} 元（数据库金额列 NUMERIC(14,2)），无法存储："
                    "该申请未理算，请核对其金额")
    return None


@dataclass
class StagedDecision:
    """A decision whose claim has moved in memory, waiting for its row to be written."""

    claim: Claim
    decided: Decided
    row: dict[str, Any]
    previous: int | None
    old_status: str


def stage_decision(ctx: Context, claim: Claim, case_text: str, decided: Decided,
                   tariff_pk: int, seq: int, now: str) -> StagedDecision:
    """Move the claim for its decision (status, history figures) and prepare the row."""
    if (too_large := unstorable(decided)) is not None:
        raise ValueError(f"{claim.claim_id}: {too_large}")
    payout, counted = Decimal(decided.payout), Decimal(decided.counted_expense)
    row = {"claim_id": claim.claim_id, "household_id": claim.household_id, "seq": seq,
           "outcome": decided.outcome, "reasons": list(decided.reasons),
           "payout": payout, "eligible_expense": Decimal(decided.eligible_expense),
           "counted_expense": counted, "case_json": case_text,
           "decision_json": decided.line.decode(), "tariff_pk": tariff_pk,
           "tariff_id": decided.tariff_id, "tariff_sha256": decided.tariff_sha256,
           "engine_version": decided.engine_version, "purpose": "claim",
           "decided_by": ctx.user_id, "decided_at": now}
    staged = StagedDecision(claim, decided, row, claim.current_decision_id, claim.status)
    move(claim, OUTCOME_STATUS[decided.outcome], at=now)
    claim.tariff_pk = tariff_pk
    if decided.outcome == "pended":
        claim.final_counted_expense = claim.final_paid = None
    else:  # approved or denied: final at once
        claim.final_counted_expense = counted
        claim.final_paid = payout
    return staged


def write_decisions(session: Session, staged: list[StagedDecision],
                    events: list[PendingEvent]) -> list[int]:
    """Insert the staged decision rows in one statement (append-only), point each claim at
    its new decision, and queue the events, in order."""
    if not staged:
        return []
    ids = insert_returning_keys(session, DecisionRecord, "decision_id",
                                [item.row for item in staged])
    for item, decision_id in zip(staged, ids, strict=True):
        item.claim.current_decision_id = decision_id
        row = item.row
        events.append(PendingEvent("decision.made", "claim", item.claim.claim_id, {
            "decision_id": decision_id, "seq": row["seq"], "outcome": row["outcome"],
            "reasons": row["reasons"], "payout": row["payout"],
            "counted_expense": row["counted_expense"], "tariff_id": row["tariff_id"],
            "tariff_sha256": row["tariff_sha256"], "engine_version": row["engine_version"],
            "supersedes": item.previous, "purpose": row["purpose"],
            # the snapshot and the decision text, bound to the chain: a replay of the stored
            # case then proves the amount (adjudicator.services.integrity)
            "case_sha256": sha256_text(row["case_json"]),
            "decision_sha256": sha256_text(row["decision_json"])}))
        events.append(PendingEvent("claim.status", "claim", item.claim.claim_id,
                                   {"from": item.old_status, "to": item.claim.status}))
    return ids


def record_decision(session: Session, ctx: Context, claim: Claim, case: Case,
                    decision: Decision, tariff_pk: int, seq: int, now: str,
                    events: list[PendingEvent]) -> DecisionRecord:
    """Store one decision (append-only), move the claim, and queue its events."""
    staged = stage_decision(ctx, claim, case.model_dump_json(), Decided.of(decision),
                            tariff_pk, seq, now)
    (decision_id,) = write_decisions(session, [staged], events)
    record = session.get(DecisionRecord, decision_id)
    assert record is not None
    return record


def adjudicate_ready(ctx: Context, *, claim_id: str | None = None, chunk: int = 200,
                     progress: Callable[[int], None] | None = None,
                     share: Share | None = None, tariffs: TariffPin | None = None
                     ) -> BatchResult:
    """Decide every ready claim (or the one `claim_id`), household by household.

    With `share` (a worker of `adjudicate --workers` on SQLite), only the households of that
    share, each chunk decided outside the write lock (`_adjudicate_share_chunk`). With
    `tariffs` (a worker's), the tariffs of the run that started it (`TariffBook.pin`).
    """
    ctx.require("adjudicate")
    result = BatchResult()
    with ctx.factory() as session:
        if claim_id is not None:
            require_claim(session, claim_id)
        book = TariffBook.load(session, tariffs)
    return _adjudicate_with(ctx, book, claim_id, chunk, progress, share, result)


def _adjudicate_with(ctx: Context, book: TariffBook, claim_id: str | None, chunk: int,
                     progress: Callable[[int], None] | None, share: Share | None,
                     result: BatchResult) -> BatchResult:
    after: str | None = ""
    with gc_paused() as tick:
        while after is not None:
            before = result.decided
            if share is None or claim_id is not None:
                after = _adjudicate_chunk(ctx, book, after, chunk, claim_id, result)
            else:
                after = _adjudicate_share_chunk(ctx, book, after, chunk, share, result)
            if progress is not None and result.decided > before:
                progress(result.decided - before)
            tick()
    return result


def _adjudicate_chunk(ctx: Context, book: TariffBook, after: str, chunk: int,
                      claim_id: str | None, result: BatchResult) -> str | None:
    """Decide the next chunk of ready households after `after`, in one transaction; returns
    the chunk's last household, or None when none is left."""
    with transaction(ctx.factory) as session:
        household_ids = _ready_households(session, after, chunk, claim_id)
        if not household_ids:
            return None
        inputs = _read_inputs(session, household_ids)
        staged = _decide_chunk(ctx, book, inputs.households, inputs.verifications,
                               inputs.seqs, claim_id, result)
        _write_chunk(session, ctx, staged)
        result.households += len(household_ids)
    return household_ids[-1]


def _adjudicate_share_chunk(ctx: Context, book: TariffBook, after: str, chunk: int,
                            share: Share, result: BatchResult) -> str | None:
    """The next chunk of the share's ready households, decided optimistically (SQLite, whose
    one writer at a time would otherwise make workers take turns at deciding too): read and
    decide on a WAL snapshot, without the write lock; then, under the lock, read the inputs
    again and store the decisions if nothing changed meanwhile, else decide the chunk again
    on what is stored now. Returns the last household looked at, or None at the end."""
    with ctx.factory() as session:
        session.connection(execution_options={READ_SNAPSHOT: True})
        window = _ready_households(session, after, chunk * share.of, None)
        if not window:
            return None
        household_ids = [h for h in window if share.takes(h)]
        inputs = _read_inputs(session, household_ids) if household_ids else None
    if inputs is None:
        return window[-1]
    seen = inputs.fingerprint()
    trial = BatchResult()
    staged = _decide_chunk(ctx, book, inputs.households, inputs.verifications, inputs.seqs,
                           None, trial)
    with transaction(ctx.factory) as session:
        inputs = _read_inputs(session, household_ids)
        if inputs.fingerprint() != seen:  # another writer changed them: decide on the new
            trial = BatchResult(redecided=1)
            staged = _decide_chunk(ctx, book, inputs.households, inputs.verifications,
                                   inputs.seqs, None, trial)
        _write_chunk(session, ctx, staged)
        trial.households += len(household_ids)
    result.absorb(trial)
    return window[-1]


def _write_chunk(session: Session, ctx: Context, staged: list[StagedDecision]) -> None:
    """Store a chunk's decisions, move its claims and append its events."""
    events: list[PendingEvent] = []
    ids = write_decisions(session, staged, events)
    _settle_paid(session, ctx, staged, ids, events)
    update_rows(session, Claim, "claim_id", {
        item.claim.claim_id: {name: getattr(item.claim, name) for name in _MOVED}
        for item in staged})
    append_events(session, ctx.user_id, ctx.now(), events)


def _settle_paid(session: Session, ctx: Context, staged: list[StagedDecision],
                 ids: list[int], events: list[PendingEvent]) -> None:
    """Claims paid before and decided again (their household's history changed): settled by
    the difference, never paid a second time (`cascade.settle_redecided`)."""
    from adjudicator.services.cascade import paid_claims, settle_redecided

    again = [(item, decision_id) for item, decision_id in zip(staged, ids, strict=True)
             if item.previous is not None]
    if not again:
        return
    paid = paid_claims(session, [item.claim.claim_id for item, _ in again])
    for item, decision_id in again:
        if item.claim.claim_id in paid:
            settle_redecided(session, ctx, item.claim, item.previous, decision_id,
                             item.row["outcome"], item.row["payout"], events)


def count_ready(ctx: Context) -> int:
    """How many claims are ready for adjudication (for a progress bar's total)."""
    with ctx.factory() as session:
        return session.execute(select(func.count()).select_from(Claim).where(
            Claim.status == ClaimStatus.VERIFIED.value)).scalar_one()


def merge_results(results: Iterable[BatchResult]) -> BatchResult:
    """One result of several workers' (a waiting or failing claim is listed once)."""
    merged = BatchResult()
    waiting: dict[str, str] = {}
    errors: dict[str, str] = {}
    for part in results:
        merged.households += part.households
        merged.decided += part.decided
        merged.payout_total += part.payout_total
        merged.redecided += part.redecided
        for key, value in part.outcomes.items():
            merged.outcomes[key] = merged.outcomes.get(key, 0) + value
        waiting.update(part.waiting)
        errors.update(part.errors)
    merged.waiting = sorted(waiting.items())
    merged.errors = sorted(errors.items())
    return merged


_UPDATES: list[Any] = []  # a worker process's queue of progress counts


def _start_worker(updates: Any) -> None:
    _UPDATES[:] = [updates]


def _worker(url: str, user_id: str, chunk: int, share: Share | None,
            tariffs: TariffPin | None = None) -> BatchResult:
    from adjudicator.storage.context import open_context

    ctx = open_context(url, user_id)
    try:
        # The queue stays open: a pool process may be handed a second share when the other
        # process is slow to start. Counts still in its pipe when the result arrives are made
        # up from the results (`adjudicate_in_workers`).
        return adjudicate_ready(ctx, chunk=chunk, progress=_UPDATES[0].put, share=share,
                                tariffs=tariffs)
    finally:
        ctx.engine.dispose()


class WorkersFailed(RuntimeError):
    """Some workers of `adjudicate --workers` failed; `result` is what the workers that
    finished did. Every chunk any worker committed is stored; the claims left stay `verified`
    for the next run."""

    def __init__(self, result: BatchResult, failures: list[BaseException], workers: int
                 ) -> None:
        first = failures[0]
        super().__init__(
            f"{len(failures)} of {workers} workers failed ({type(first).__name__}: {first}); "
            "what was decided before is stored (the workers that finished decided "
            f"{result.decided} claims), and the claims left stay verified for the next run")
        self.result = result
        self.failures = failures


def adjudicate_in_workers(ctx: Context, url: str, workers: int, *, chunk: int = 200,
                          progress: Callable[[int], None] | None = None) -> BatchResult:
    """Run `workers` processes over the same database.

    On PostgreSQL, row locks split the households: each worker is a separate process with its
    own connection, exactly as several hosts running `adjudicate` against one database would
    be, and any worker takes any household. SQLite has no row locks and one writer at a time,
    so there each worker takes its own `Share` of the households and decides outside the
    write lock, taking it only to check and store (`_adjudicate_share_chunk`); a worker that
    fails leaves its share for the next run.
    """
    import multiprocessing
    import queue as queue_module
    from concurrent.futures import ProcessPoolExecutor, wait

    ctx.require("adjudicate")
    if workers < 2:
        return adjudicate_ready(ctx, chunk=chunk, progress=progress)
    with ctx.factory() as session:
        book = TariffBook.load(session)
    sqlite = ctx.engine.dialect.name == "sqlite"
    shares = [Share(index, workers) if sqlite else None for index in range(workers)]
    context = multiprocessing.get_context("spawn")
    updates = context.Queue()  # progress counts (a queue is handed to a process at its start)
    reported = [0]
    with ProcessPoolExecutor(workers - 1, mp_context=context, initializer=_start_worker,
                             initargs=(updates,)) as pool:
        def report(done: int = 0) -> None:
            while True:
                try:
                    done += updates.get_nowait()
                except queue_module.Empty:
                    break
            reported[0] += done
            if progress is not None and done:
                progress(done)

        # This process is the first worker (a process fewer to start); the others are new,
        # and decide with this process's tariffs.
        pin = book.pin()
        futures = [pool.submit(_worker, url, ctx.user_id, chunk, share, pin)
                   for share in shares[1:]]
        results: list[BatchResult] = []
        failures: list[BaseException] = []
        try:
            results.append(_adjudicate_with(ctx, book, None, chunk, report, shares[0],
                                            BatchResult()))
        except Exception as exc:  # the others finish theirs; all is reported below
            failures.append(exc)
        pending = set(futures)
        while pending:
            _, pending = wait(pending, timeout=0.2)
            report()
        report()
        for future in futures:
            failure = future.exception()
            if failure is None:
                results.append(future.result())
            else:
                failures.append(failure)
    merged = merge_results(results)
    if progress is not None and merged.decided > reported[0]:
        progress(merged.decided - reported[0])  # counts still in a worker's pipe
    if failures:
        raise WorkersFailed(merged, failures, workers)
    return merged
