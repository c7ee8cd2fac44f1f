"""Batch adjudication (批量理算) of every claim that is ready, as RULES.md orders it.

A household is the unit of work: its ready claims are decided in (event date, claim id) order,
each with the history of the household's final decisions in its category and tariff period.
A claim waits while an earlier claim of the same household, category and period is not final,
so the result never depends on the order of the input rows. Households are taken in chunks,
locked FOR UPDATE SKIP LOCKED (PostgreSQL), and each chunk commits as a whole: a batch killed
at any point resumes with no claim decided twice and none lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, insert, select
from sqlalchemy.orm import Session

from adjudicator.decision import Decision, adjudicate
from adjudicator.services.tariffs import TariffBook, TariffChoiceError
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Claim, DecisionRecord, Finding, Household, Member
from adjudicator.storage.models import Verification as VerificationRow
from adjudicator.tariff import Tariff
from adjudicator.workflow import OUTCOME_STATUS, ClaimStatus, check_transition
from schemas.case import Case

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

    def count(self, decision: Decision) -> None:
        self.decided += 1
        key = decision.outcome.value
        self.outcomes[key] = self.outcomes.get(key, 0) + 1
        self.payout_total += decision.payout


@dataclass
class HouseholdData:
    household: Household
    members: list[Member]
    claims: list[Claim]
    findings: list[Finding]


def history_for(claim: Claim, tariff: Tariff, claims: Iterable[Claim]) -> dict[str, Decimal]:
    """The household's final decisions in this claim's category and tariff period (RULES.md)."""
    expense = paid = paid_all = ZERO
    for other in claims:
        if other.claim_id == claim.claim_id or other.final_counted_expense is None:
            continue
        if not tariff.valid_from <= other.event_date <= tariff.valid_to:
            continue
        paid_all += other.final_paid or ZERO
        if other.category == claim.category:
            expense += other.final_counted_expense
            paid += other.final_paid or ZERO
    return {"eligible_expense_to_date": expense, "paid_to_date": paid,
            "paid_all_categories_to_date": paid_all}


def waiting_for(claim: Claim, tariff: Tariff, claims: Iterable[Claim]) -> Claim | None:
    """An earlier claim of the same household, category and period that is not final."""
    key = (claim.event_date, claim.claim_id)
    for other in claims:
        if (other.claim_id != claim.claim_id and other.category == claim.category
                and (other.event_date, other.claim_id) < key
                and tariff.valid_from <= other.event_date <= tariff.valid_to
                and other.status in NOT_FINAL):
            return other
    return None


def build_case(case_id: str, data: HouseholdData, claim: Claim,
               verification: dict[str, Any] | None, history: dict[str, Decimal]) -> Case:
    """The case snapshot: everything the decision depends on, and nothing else."""
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
                  _amounts_part(claim.category): claim.amounts},
        "history": history,
    }
    if verification is not None:
        case["verification"] = {**verification, "cross_checks": cross_checks}
    return Case.model_validate(case)


def _amounts_part(category: str) -> str:
    return "medical" if category in ("medical", "accident") else category


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
    data = {h.household_id: HouseholdData(h, [], [], []) for h in session.execute(
        select(Household).where(Household.household_id.in_(household_ids))).scalars()}
    for m in session.execute(select(Member).where(Member.household_id.in_(household_ids))
                             ).scalars():
        data[m.household_id].members.append(m)
    for c in session.execute(select(Claim).where(Claim.household_id.in_(household_ids))
                             .with_for_update()).scalars():
        data[c.household_id].claims.append(c)
    for f in session.execute(select(Finding).where(Finding.household_id.in_(household_ids))
                             .order_by(Finding.pk)).scalars():
        data[f.household_id].findings.append(f)
    return data


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
    return latest


def _last_seqs(session: Session, claims: list[Claim]) -> dict[str, int]:
    """The last decision seq of each claim that has one (re-adjudications)."""
    decided = [c.claim_id for c in claims if c.current_decision_id is not None]
    if not decided:
        return {}
    return dict(session.execute(
        select(DecisionRecord.claim_id, func.max(DecisionRecord.seq))
        .where(DecisionRecord.claim_id.in_(decided)).group_by(DecisionRecord.claim_id)).all())


def _decide_household(ctx: Context, book: TariffBook, data: HouseholdData,
                      verifications: dict[str, dict[str, Any]], seqs: dict[str, int],
                      only: str | None, result: BatchResult, staged: list[StagedDecision]
                      ) -> None:
    ready = sorted((c for c in data.claims if c.status == ClaimStatus.VERIFIED.value
                    and (only is None or c.claim_id == only)),
                   key=lambda c: (c.event_date, c.claim_id))
    now = ctx.now()
    for claim in ready:
        try:
            tariff_pk, tariff = book.choose(data.household.region_code, claim.event_date)
        except TariffChoiceError as exc:
            result.errors.append((claim.claim_id, str(exc)))
            continue
        earlier = waiting_for(claim, tariff, data.claims)
        if earlier is not None:
            result.waiting.append((claim.claim_id, f"waits for earlier claim "
                                   f"{earlier.claim_id} ({earlier.status})"))
            continue
        seq = seqs.get(claim.claim_id, 0) + 1
        case = build_case(f"{claim.claim_id}#{seq}", data, claim,
                          verifications.get(claim.claim_id),
                          history_for(claim, tariff, data.claims))
        decision = adjudicate(case, tariff)
        staged.append(stage_decision(ctx, claim, case, decision, tariff_pk, seq, now))
        result.count(decision)


@dataclass
class StagedDecision:
    """A decision whose claim has moved in memory, waiting for its row to be written."""

    claim: Claim
    decision: Decision
    row: dict[str, Any]
    previous: int | None
    old_status: str


def stage_decision(ctx: Context, claim: Claim, case: Case, decision: Decision, tariff_pk: int,
                   seq: int, now: str) -> StagedDecision:
    """Move the claim for its decision (status, history figures) and prepare the row."""
    new_status = check_transition(claim.claim_id, claim.status,
                                  OUTCOME_STATUS[decision.outcome.value])
    row = {"claim_id": claim.claim_id, "household_id": claim.household_id, "seq": seq,
           "outcome": decision.outcome.value, "reasons": list(decision.reasons),
           "payout": decision.payout, "eligible_expense": decision.eligible_expense,
           "counted_expense": decision.counted_expense, "case_json": case.model_dump_json(),
           "decision_json": decision.to_json(), "tariff_pk": tariff_pk,
           "tariff_id": decision.tariff_id, "tariff_sha256": decision.tariff_sha256,
           "engine_version": decision.engine_version, "purpose": "claim",
           "decided_by": ctx.user_id, "decided_at": now}
    staged = StagedDecision(claim, decision, row, claim.current_decision_id, claim.status)
    claim.status = new_status.value
    claim.tariff_pk = tariff_pk
    claim.updated_at = now
    if decision.outcome.value == "pended":
        claim.final_counted_expense = claim.final_paid = None
    else:  # approved or denied: final at once
        claim.final_counted_expense = decision.counted_expense
        claim.final_paid = decision.payout
    return staged


def write_decisions(session: Session, staged: list[StagedDecision],
                    events: list[PendingEvent]) -> list[int]:
    """Insert the staged decision rows in one statement (append-only), point each claim at
    its new decision, and queue the events, in order."""
    if not staged:
        return []
    ids = list(session.scalars(
        insert(DecisionRecord).returning(DecisionRecord.decision_id,
                                         sort_by_parameter_order=True),
        [item.row for item in staged]))
    for item, decision_id in zip(staged, ids, strict=True):
        item.claim.current_decision_id = decision_id
        decision = item.decision
        events.append(PendingEvent("decision.made", "claim", item.claim.claim_id, {
            "decision_id": decision_id, "seq": item.row["seq"],
            "outcome": decision.outcome.value, "reasons": list(decision.reasons),
            "payout": decision.payout, "counted_expense": decision.counted_expense,
            "tariff_id": decision.tariff_id, "tariff_sha256": decision.tariff_sha256,
            "engine_version": decision.engine_version, "supersedes": item.previous}))
        events.append(PendingEvent("claim.status", "claim", item.claim.claim_id,
                                   {"from": item.old_status, "to": item.claim.status}))
    return ids


def record_decision(session: Session, ctx: Context, claim: Claim, case: Case,
                    decision: Decision, tariff_pk: int, seq: int, now: str,
                    events: list[PendingEvent]) -> DecisionRecord:
    """Store one decision (append-only), move the claim, and queue its events."""
    staged = stage_decision(ctx, claim, case, decision, tariff_pk, seq, now)
    (decision_id,) = write_decisions(session, [staged], events)
    record = session.get(DecisionRecord, decision_id)
    assert record is not None
    return record


def adjudicate_ready(ctx: Context, *, claim_id: str | None = None, chunk: int = 200,
                     progress: Callable[[int], None] | None = None) -> BatchResult:
    """Decide every ready claim (or the one `claim_id`), household by household."""
    ctx.require("adjudicate")
    result = BatchResult()
    with ctx.factory() as session:
        book = TariffBook.load(session)
    after = ""
    while True:
        with transaction(ctx.factory) as session:
            household_ids = _ready_households(session, after, chunk, claim_id)
            if not household_ids:
                break
            after = household_ids[-1]
            data = _load(session, household_ids)
            ready = [c for d in data.values() for c in d.claims
                     if c.status == ClaimStatus.VERIFIED.value]
            verifications = _latest_verifications(session, [c.claim_id for c in ready])
            seqs = _last_seqs(session, ready)
            events: list[PendingEvent] = []
            staged: list[StagedDecision] = []
            before = result.decided
            for household_id in household_ids:
                _decide_household(ctx, book, data[household_id], verifications, seqs,
                                  claim_id, result, staged)
            write_decisions(session, staged, events)
            append_events(session, ctx.user_id, ctx.now(), events)
            result.households += len(household_ids)
        if progress is not None:
            progress(result.decided - before)
    return result


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
        for key, value in part.outcomes.items():
            merged.outcomes[key] = merged.outcomes.get(key, 0) + value
        waiting.update(part.waiting)
        errors.update(part.errors)
    merged.waiting = sorted(waiting.items())
    merged.errors = sorted(errors.items())
    return merged


def _worker(url: str, user_id: str, chunk: int, queue: Any) -> BatchResult:
    from adjudicator.storage.context import open_context

    ctx = open_context(url, user_id)
    try:
        return adjudicate_ready(ctx, chunk=chunk, progress=queue.put)
    finally:
        ctx.engine.dispose()


def adjudicate_in_workers(ctx: Context, url: str, workers: int, *, chunk: int = 200,
                          progress: Callable[[int], None] | None = None) -> BatchResult:
    """Run `workers` processes over the same database; row locks split the households.

    Each worker is a separate process with its own connection, exactly as several hosts
    running `adjudicate` against one PostgreSQL database would be.
    """
    import multiprocessing
    import queue as queue_module
    from concurrent.futures import ProcessPoolExecutor, wait

    ctx.require("adjudicate")
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(workers, mp_context=context) as pool:
        updates = manager.Queue()
        futures = [pool.submit(_worker, url, ctx.user_id, chunk, updates)
                   for _ in range(workers)]
        pending = set(futures)
        while pending:
            _, pending = wait(pending, timeout=0.2)
            while True:
                try:
                    done = updates.get_nowait()
                except queue_module.Empty:
                    break
                if progress is not None:
                    progress(done)
        return merge_results(f.result() for f in futures)
