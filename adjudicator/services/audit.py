"""抽样复核: the county's sampling audit of the insurer's household verifications.

An officer draws a reproducible stratified sample of verified claims; an officer or auditor
(never the claim's verifier) re-checks each sampled household and records the same form a
verifier fills. The re-check is compared with the verification (counted members, income by
kind, costs, every negative-list item) and re-adjudicated on the stored decision's history and
tariff; that audit re-decision is stored (`decisions.purpose = 'audit'`) without touching the
claim. A material discrepancy — the outcome or payout would change, or a negative-list answer
differs — reopens the claim on the audited facts: a new current decision (append-only) and,
for a claim already paid, a recovery (追回) or top-up (补发) adjustment. See
docs/verification-and-audit.md for why the household's history keeps what was paid until a
recovery is settled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adjudicator.rules.decision import Decision, adjudicate
from adjudicator.rules.money import fmt
from adjudicator.rules.tariff import Tariff
from adjudicator.services.adjudication import HouseholdData, build_case, record_decision
from adjudicator.services.cascade import redecide_later
from adjudicator.services.scope import require_claim_in_scope, scope_filter, scoped
from adjudicator.services.tariffs import TariffBook
from adjudicator.services.verification import (
    ClaimFacts,
    VerificationForm,
    apply_counted_flags,
    check_form_against,
    evidence_rows,
    form_to_verification,
    load_facts,
    verification_payload,
)
from adjudicator.spreadsheet import neutralise
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.digest import sha256_text
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import (
    Claim,
    DecisionRecord,
    Household,
    Member,
    Payment,
    TariffRecord,
)
from adjudicator.storage.models import Verification as VerificationRow
from adjudicator.storage.models_audit import (
    AuditAdjustment,
    AuditRecheck,
    AuditSample,
    AuditSampleItem,
)
from adjudicator.workflow import ClaimStatus, IllegalTransition, check_transition, move
from schemas.case import Case, Verification
from schemas.types import CostKind, IncomeKind

ZERO = Decimal(0)
S = ClaimStatus
DEFAULT_TOLERANCE_RATE = Decimal("0.05")
DEFAULT_TOLERANCE_AMOUNT = Decimal("500")
#: The 97.5 % quantile of the standard normal distribution: a two-sided 95 % interval.
Z95 = 1.959963984540054


class AuditRefused(ValueError):
    """The audit step cannot be done as asked; says why."""


# --------------------------------------------------------------------------- statistics


def wilson_interval(errors: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of a proportion errors/n (None when n is 0).

    Unlike the normal approximation it stays inside [0, 1] and is not degenerate at 0 or n
    errors, which is the usual case for a small audit sample: 0 of 10 gives [0, 0.2775].
    """
    if n <= 0:
        return None
    if not 0 <= errors <= n:
        raise ValueError(f"errors must be between 0 and n ({errors} of {n})")
    p = errors / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


# --------------------------------------------------------------------------- sampling


@dataclass(frozen=True, order=True)
class Unit:
    """One claim of the population: verified (submitted verification) and decided."""

    claim_id: str
    verifier_id: str
    township_code: str
    verification_pk: int
    decision_id: int

    @property
    def stratum(self) -> tuple[str, str]:
        return self.verifier_id, self.township_code


def population_digest(claim_ids: Iterable[str]) -> str:
    """SHA-256 of the sorted claim ids, one per line: names the population a seed drew from."""
    return hashlib.sha256("\n".join(sorted(claim_ids)).encode()).hexdigest()


def allocate(sizes: dict[tuple[str, str], int], rate: Decimal) -> dict[tuple[str, str], int]:
    """How many to draw per stratum (verifier, township).

    Each stratum gets the floor of its share rate x size. Every verifier with claims but
    nothing drawn then gets one, in their largest stratum (ties by township): an audit looks
    at every verifier's work. What is left of ceil(rate x population) goes to the largest
    fractional parts (ties by stratum), so the allocation is proportional, deterministic,
    and exceeds the target only by the per-verifier minimum.
    """
    total = sum(sizes.values())
    if total == 0:
        return {}
    target = int((rate * total).to_integral_value(rounding=ROUND_CEILING))
    shares = {key: rate * size for key, size in sizes.items()}
    counts = {key: int(share.to_integral_value(rounding=ROUND_FLOOR))
              for key, share in shares.items()}
    for verifier in sorted({key[0] for key in sizes}):
        own = [key for key in sizes if key[0] == verifier]
        if not any(counts[key] for key in own):
            counts[min(own, key=lambda k: (-sizes[k], k))] = 1
    left = target - sum(counts.values())
    for key in sorted(sizes, key=lambda k: (-(shares[k] - counts[k]), k)):
        if left <= 0:
            break
        if counts[key] < sizes[key]:
            counts[key] += 1
            left -= 1
    return counts


def draw(population: Sequence[Unit], rate: Decimal, seed: int
         ) -> tuple[list[Unit], dict[tuple[str, str], int]]:
    """The sample: strata in sorted order, each drawn with one `random.Random(seed)` from its
    claims sorted by claim id. The same seed and population give the same sample."""
    strata: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    for unit in sorted(population):
        strata[unit.stratum].append(unit)
    counts = allocate({key: len(units) for key, units in strata.items()}, rate)
    rng = random.Random(seed)
    chosen: list[Unit] = []
    for key in sorted(strata):
        chosen += rng.sample(strata[key], counts[key])
    return sorted(chosen), counts


def _population(session: Session, ctx: Context, date_from: dt.date | None,
                date_to: dt.date | None) -> list[Unit]:
    latest = (select(VerificationRow.claim_id, func.max(VerificationRow.pk).label("pk"))
              .where(VerificationRow.status == "submitted")
              .group_by(VerificationRow.claim_id).subquery())
    query = (select(Claim.claim_id, VerificationRow.verifier_id, Household.township_code,
                    VerificationRow.pk, Claim.current_decision_id)
             .join(latest, latest.c.claim_id == Claim.claim_id)
             .join(VerificationRow, VerificationRow.pk == latest.c.pk)
             .join(Household, Household.household_id == Claim.household_id)
             .where(Claim.current_decision_id.is_not(None)))
    if date_from is not None:
        query = query.where(VerificationRow.verified_on >= date_from)
    if date_to is not None:
        query = query.where(VerificationRow.verified_on <= date_to)
    query = scoped(ctx, query, Household.township_code)
    return sorted(Unit(c, v, t, pk, d or 0) for c, v, t, pk, d in session.execute(query))


@dataclass(frozen=True)
class SampleResult:
    sample_id: int
    seed: int
    rate: Decimal
    period_from: dt.date | None
    period_to: dt.date | None
    population_size: int
    population_sha256: str
    strata: list[dict[str, Any]]
    claims: list[Unit]

    def as_dict(self) -> dict[str, Any]:
        return {"sample_id": self.sample_id, "seed": self.seed, "rate": str(self.rate),
                "from": self.period_from.isoformat() if self.period_from else None,
                "to": self.period_to.isoformat() if self.period_to else None,
                "population_size": self.population_size,
                "population_sha256": self.population_sha256, "sample_size": len(self.claims),
                "strata": self.strata,
                "claims": [{"claim_id": u.claim_id, "verifier": u.verifier_id,
                            "township": u.township_code} for u in self.claims]}


def draw_sample(ctx: Context, *, rate: Decimal, seed: int, date_from: dt.date | None = None,
                date_to: dt.date | None = None) -> SampleResult:
    """Draw and record a stratified sample of the verified claims of the period (by the
    verification's visit date, both ends inclusive)."""
    ctx.require("audit.sample")
    if not Decimal(0) < rate <= 1 or rate != rate.quantize(Decimal("0.0001")):
        raise AuditRefused(f"the rate is a fraction in (0, 1] with at most 4 decimals, "
                           f"not {rate}")
    if not 0 <= seed < 2**63:
        raise AuditRefused("the seed is a non-negative integer below 2^63")
    if date_from and date_to and date_from > date_to:
        raise AuditRefused(f"the period ends ({date_to}) before it starts ({date_from})")
    now = ctx.now()
    with transaction(ctx.factory) as session:
        population = _population(session, ctx, date_from, date_to)
        if not population:
            raise AuditRefused("no verified and decided claims in the period: nothing to sample")
        chosen, counts = draw(population, rate, seed)
        sizes: dict[tuple[str, str], int] = defaultdict(int)
        for unit in population:
            sizes[unit.stratum] += 1
        strata = [{"verifier": v, "township": t, "population": sizes[(v, t)],
                   "sampled": counts[(v, t)]} for v, t in sorted(sizes)]
        digest = population_digest(u.claim_id for u in population)
        sample = AuditSample(drawn_by=ctx.user_id, drawn_at=now, seed=seed, rate=rate,
                             period_from=date_from, period_to=date_to,
                             population_size=len(population), population_sha256=digest,
                             sample_size=len(chosen), strata=strata)
        session.add(sample)
        session.flush()
        session.add_all(AuditSampleItem(sample_id=sample.sample_id, claim_id=u.claim_id,
                                        verifier_id=u.verifier_id, township_code=u.township_code,
                                        verification_pk=u.verification_pk,
                                        decision_id=u.decision_id) for u in chosen)
        append_events(session, ctx.user_id, now, [PendingEvent(
            "audit.sample_drawn", "audit_sample", str(sample.sample_id), {
                "seed": seed, "rate": str(rate), "from": date_from, "to": date_to,
                "population_size": len(population), "population_sha256": digest,
                "sample_size": len(chosen), "strata": strata,
                "claims": [u.claim_id for u in chosen]})])
        return SampleResult(sample.sample_id, seed, rate, date_from, date_to, len(population),
                            digest, strata, chosen)


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Discrepancy:
    """One difference between the verifier's and the auditor's findings (or decisions)."""

    kind: Literal["members", "income", "cost", "negative_item", "outcome", "payout"]
    field: str
    verifier: str | None
    auditor: str | None
    difference: str | None = None
    material: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def tolerance(amount: Decimal, rate: Decimal, floor: Decimal) -> Decimal:
    """The difference an income or cost amount may show: rate x amount or floor, the larger."""
    return max((abs(amount) * rate).quantize(Decimal("0.01")), floor)


def _by_kind(items: Iterable[Any] | None) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in items or []:
        sums[item.kind.value] += item.amount
    return sums


def compare_verifications(stored: Verification, stored_counted: dict[str, bool],
                          audited: Verification, audited_counted: dict[str, bool],
                          items: Sequence[str], *, rate: Decimal = DEFAULT_TOLERANCE_RATE,
                          floor: Decimal = DEFAULT_TOLERANCE_AMOUNT) -> list[Discrepancy]:
    """Member count, income by kind and costs (beyond the tolerance, measured on the
    verifier's amount), and every negative-list item: what the auditor found differently.
    A different negative-list answer is material by itself; the rest is material only
    through the decision it changes (see `decision_discrepancies`)."""
    found: list[Discrepancy] = []
    by_verifier = sorted(m for m, counted in stored_counted.items() if counted)
    by_auditor = sorted(m for m, counted in audited_counted.items() if counted)
    if by_verifier != by_auditor:
        found.append(Discrepancy("members", "members.counted", str(len(by_verifier)),
                                 str(len(by_auditor)), str(len(by_auditor) - len(by_verifier))))
    found += _amount_discrepancies("income", IncomeKind, stored.income, audited.income,
                                   rate, floor)
    found += _amount_discrepancies("cost", CostKind, stored.costs, audited.costs, rate, floor)
    for item in items:
        a_answer, b_answer = stored.negative_list.get(item), audited.negative_list.get(item)
        if a_answer != b_answer:
            found.append(Discrepancy("negative_item", f"negative_list.{item}", _yes_no(a_answer),
                                     _yes_no(b_answer), None, True))
    return found


def _amount_discrepancies(kind_name: Literal["income", "cost"],
                          kinds: type[IncomeKind] | type[CostKind], mine: Sequence[Any] | None,
                          theirs: Sequence[Any] | None, rate: Decimal, floor: Decimal
                          ) -> list[Discrepancy]:
    verifier_sums, auditor_sums = _by_kind(mine), _by_kind(theirs)
    found = []
    for kind in kinds:
        a, b = verifier_sums[kind.value], auditor_sums[kind.value]
        if abs(b - a) > tolerance(a, rate, floor):
            recorded = fmt(a) if mine is not None else None
            found.append(Discrepancy(kind_name, f"{kind_name}.{kind.value}", recorded, fmt(b),
                                     fmt(b - a)))
    return found


def _yes_no(answer: bool | None) -> str | None:
    return None if answer is None else ("true" if answer else "false")


def decision_discrepancies(stored_outcome: str, stored_payout: Decimal, audit: Decision
                           ) -> list[Discrepancy]:
    """The outcome and the payout the audited facts would give, when they differ: material."""
    found = []
    if audit.outcome.value != stored_outcome:
        found.append(Discrepancy("outcome", "outcome", stored_outcome, audit.outcome.value,
                                 None, True))
    if audit.payout != stored_payout:
        found.append(Discrepancy("payout", "payout", fmt(stored_payout), fmt(audit.payout),
                                 fmt(audit.payout - stored_payout), True))
    return found


# --------------------------------------------------------------------------- re-checks


@dataclass(frozen=True)
class AdjustmentInfo:
    adjustment_id: int
    kind: str
    amount: Decimal
    received: Decimal
    granted: Decimal
    status: str


@dataclass(frozen=True)
class RecheckResult:
    recheck_pk: int
    sample_id: int
    claim_id: str
    discrepancies: list[Discrepancy]
    material: bool
    outcome_stored: str
    outcome_audit: str
    payout_stored: Decimal
    payout_audit: Decimal
    audit_decision_id: int
    reopened: bool
    reopen_blocked: str | None
    new_decision_id: int | None
    adjustment: AdjustmentInfo | None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["discrepancies"] = [d.as_dict() for d in self.discrepancies]
        for key in ("payout_stored", "payout_audit"):
            data[key] = fmt(data[key])
        if self.adjustment is not None:
            data["adjustment"] = {**asdict(self.adjustment),
                                  "amount": fmt(self.adjustment.amount),
                                  "received": fmt(self.adjustment.received),
                                  "granted": fmt(self.adjustment.granted)}
        return data


def _next_seq(session: Session, claim_id: str) -> int:
    last = session.execute(select(func.max(DecisionRecord.seq)).where(
        DecisionRecord.claim_id == claim_id)).scalar()
    return (last or 0) + 1


def _audit_members(members: list[Member], counted: dict[str, bool]) -> list[Member]:
    """Detached copies of the members with the auditor's `counted` flags (never stored)."""
    return [Member(household_id=m.household_id, member_id=m.member_id, name=m.name,
                   id_number=m.id_number, relation=m.relation,
                   counted=counted.get(m.member_id, m.counted)) for m in members]


def _store_audit_decision(session: Session, ctx: Context, claim: Claim, case: Case,
                          decision: Decision, tariff_pk: int, seq: int, now: str,
                          events: list[PendingEvent]) -> DecisionRecord:
    """The audit re-decision: a decision row of its own (purpose 'audit'), replayable like
    any other, that the claim never points to."""
    record = DecisionRecord(
        claim_id=claim.claim_id, household_id=claim.household_id, seq=seq,
        outcome=decision.outcome.value, reasons=list(decision.reasons), payout=decision.payout,
        eligible_expense=decision.eligible_expense, counted_expense=decision.counted_expense,
        case_json=case.model_dump_json(), decision_json=decision.to_json(),
        tariff_pk=tariff_pk, tariff_id=decision.tariff_id,
        tariff_sha256=decision.tariff_sha256, engine_version=decision.engine_version,
        purpose="audit", decided_by=ctx.user_id, decided_at=now)
    session.add(record)
    session.flush()
    events.append(PendingEvent("decision.made", "claim", claim.claim_id, {
        "decision_id": record.decision_id, "seq": seq, "outcome": record.outcome,
        "reasons": record.reasons, "payout": record.payout,
        "counted_expense": record.counted_expense, "tariff_id": record.tariff_id,
        "tariff_sha256": record.tariff_sha256, "engine_version": record.engine_version,
        "supersedes": None, "purpose": "audit",
        "case_sha256": sha256_text(record.case_json),
        "decision_sha256": sha256_text(record.decision_json)}))
    return record


def record_recheck(ctx: Context, sample_id: int, claim_id: str, form: VerificationForm, *,
                   tolerance_rate: Decimal = DEFAULT_TOLERANCE_RATE,
                   tolerance_amount: Decimal = DEFAULT_TOLERANCE_AMOUNT,
                   evidence_dir: Path | None = None) -> RecheckResult:
    """Record an auditor's re-check of a sampled claim, compare it, re-adjudicate it, and
    reopen the claim when the discrepancy is material."""
    ctx.require("audit.record")
    if not (ZERO <= tolerance_rate < 1 and tolerance_amount >= 0):
        raise AuditRefused("the tolerance is a rate in [0, 1) and a non-negative amount")
    if form.verifier_id not in (None, ctx.user_id):
        raise AuditRefused(f"the form is signed by {form.verifier_id}; {ctx.user_id} records "
                           "only their own re-check")
    now = ctx.now()
    with transaction(ctx.factory) as session:
        item = session.execute(select(AuditSampleItem).where(
            AuditSampleItem.sample_id == sample_id, AuditSampleItem.claim_id == claim_id)
            .with_for_update()).scalar_one_or_none()
        if item is None:
            raise AuditRefused(f"claim {claim_id} is not in sample {sample_id}")
        require_claim_in_scope(ctx, session, claim_id)
        done = session.execute(select(AuditRecheck.pk).where(
            AuditRecheck.item_pk == item.pk)).scalar()
        if done is not None:
            raise AuditRefused(f"claim {claim_id} of sample {sample_id} was already re-checked "
                               f"(re-check #{done})")
        claim = session.execute(select(Claim).where(Claim.claim_id == claim_id)
                                .with_for_update()).scalar_one()
        makers: set[str] = set()
        for verifier_id, created_by in session.execute(select(
                VerificationRow.verifier_id, VerificationRow.created_by).where(
                VerificationRow.claim_id == claim_id)):
            makers |= {verifier_id, created_by}
        if ctx.user_id in makers:
            raise AuditRefused(f"{ctx.user_id} verified claim {claim_id}: another person must "
                               "re-check it")
        stored = session.get(DecisionRecord, claim.current_decision_id or 0)
        if stored is None:
            raise AuditRefused(f"claim {claim_id} has no current decision to audit")
        stored_case = Case.model_validate_json(stored.case_json)
        if stored_case.verification is None:
            raise AuditRefused(f"the decision of claim {claim_id} rests on no verification")
        book = TariffBook.load(session)
        tariff = book.by_pk[stored.tariff_pk]
        facts = load_facts(session, claim_id, tariff=(stored.tariff_pk, tariff))
        check = check_form_against(facts, form, today=ctx.today(), evidence_dir=evidence_dir)
        if not check.complete:
            raise AuditRefused("an audit re-check must be complete; missing: "
                               + "; ".join(check.missing))
        audited = form_to_verification(form, ctx.user_id)
        audited_counted = {m: bool(flag) for m, flag in form.counted_flags().items()}
        discrepancies = compare_verifications(
            stored_case.verification, {m.member_id: m.counted for m in
                                       stored_case.household.members},
            audited, audited_counted, tariff.negative_list, rate=tolerance_rate,
            floor=tolerance_amount)

        # The audit re-decision: audited facts, the stored decision's history and tariff.
        history = {name: getattr(stored_case.history, name) for name in
                   ("eligible_expense_to_date", "paid_to_date", "paid_all_categories_to_date")}
        if stored_case.history.paid_member_all_categories_to_date is not None:
            history["paid_member_all_categories_to_date"] = (
                stored_case.history.paid_member_all_categories_to_date)
        payload = verification_payload(audited)
        seq = _next_seq(session, claim_id)
        data = HouseholdData(facts.household, _audit_members(facts.members, audited_counted),
                              [], facts.findings)
        case = build_case(f"{claim_id}#{seq}", data, claim, payload, history)
        decision = adjudicate(case, tariff)
        events: list[PendingEvent] = []
        audit_record = _store_audit_decision(session, ctx, claim, case, decision,
                                             stored.tariff_pk, seq, now, events)
        discrepancies += decision_discrepancies(stored.outcome, stored.payout, decision)
        material = any(d.material for d in discrepancies)
        recheck = AuditRecheck(
            item_pk=item.pk, sample_id=sample_id, claim_id=claim_id, auditor_id=ctx.user_id,
            verified_on=audited.verified_on, payload=payload, members_counted=audited_counted,
            tolerance_rate=tolerance_rate, tolerance_amount=tolerance_amount,
            discrepancies=[d.as_dict() for d in discrepancies], material=material,
            stored_decision_id=stored.decision_id, audit_decision_id=audit_record.decision_id,
            outcome_stored=stored.outcome, outcome_audit=decision.outcome.value,
            payout_stored=stored.payout, payout_audit=decision.payout,
            payout_difference=decision.payout - stored.payout, reopened=False,
            created_at=now)
        session.add(recheck)
        session.flush()
        session.add_all(evidence_rows(claim_id, form.evidence, recheck_pk=recheck.pk))
        events.append(PendingEvent("audit.rechecked", "claim", claim_id, {
            "sample_id": sample_id, "recheck_pk": recheck.pk,
            "stored_decision_id": stored.decision_id,
            "audit_decision_id": audit_record.decision_id, "outcome_stored": stored.outcome,
            "outcome_audit": decision.outcome.value, "payout_stored": stored.payout,
            "payout_audit": decision.payout, "material": material,
            "discrepancies": [d.field for d in discrepancies]}))
        adjustment = None
        if material:
            adjustment = _reopen(session, ctx, facts, claim, stored, decision, payload,
                                 audited_counted, history, tariff, recheck, events, now)
        append_events(session, ctx.user_id, now, events)
        return RecheckResult(
            recheck.pk, sample_id, claim_id, discrepancies, material, stored.outcome,
            decision.outcome.value, stored.payout, decision.payout, audit_record.decision_id,
            recheck.reopened, recheck.reopen_blocked, recheck.new_decision_id, adjustment)


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


def _reopen_blocked(claim: Claim, audit_decision: Decision) -> str | None:
    """Why the claim cannot be reopened now, or None.

    The workflow reopens only claims that may move to `verified`. A paid claim is reopened
    only when the audited facts deny it: a new approval would be posted and paid again, and
    the pay step pays the claim's whole `final_paid`, not the difference to what was paid.
    (With this engine an approval on the same claim and history grants the same payout, so
    nothing is owed either way; docs/verification-and-audit.md.)
    """
    if claim.status == S.VERIFIED.value:
        return None
    try:
        check_transition(claim.claim_id, claim.status, S.VERIFIED.value)
    except IllegalTransition as exc:
        return str(exc)
    if claim.status == S.PAID.value and audit_decision.outcome.value != "denied":
        return (f"claim {claim.claim_id} is paid and the audited decision "
                f"({audit_decision.outcome.value}, {fmt(audit_decision.payout)}) is not a "
                "denial: reopening would post and pay it again in full")
    return None


def _reopen(session: Session, ctx: Context, facts: ClaimFacts, claim: Claim,
            stored: DecisionRecord, audit_decision: Decision, payload: dict[str, Any],
            counted: dict[str, bool], history: dict[str, Decimal], tariff: Tariff,
            recheck: AuditRecheck, events: list[PendingEvent], now: str
            ) -> AdjustmentInfo | None:
    """Re-adjudicate the claim on the audited facts as its new current decision; for a paid
    claim, open the recovery or top-up of the difference."""
    old_status = claim.status
    blocked = _reopen_blocked(claim, audit_decision)
    if blocked is not None:
        recheck.reopen_blocked = blocked[:300]
        events.append(PendingEvent("audit.reopen_blocked", "claim", claim.claim_id, {
            "recheck_pk": recheck.pk, "status": old_status}))
        return None
    was_paid = old_status == S.PAID.value
    received = received_for(session, claim.claim_id) if was_paid else ZERO
    move(claim, S.VERIFIED, at=None, events=events, check="reopen", by="audit",
         recheck_pk=recheck.pk)
    # The audited facts become the claim's verification and the household's members.
    adopted = VerificationRow(claim_id=claim.claim_id, household_id=claim.household_id,
                              verifier_id=ctx.user_id, verified_on=recheck.verified_on,
                              status="submitted", payload=payload, created_at=now,
                              created_by=ctx.user_id)
    session.add(adopted)
    changed = apply_counted_flags(facts.members, counted)
    session.flush()
    events.append(PendingEvent("audit.verification_adopted", "claim", claim.claim_id, {
        "recheck_pk": recheck.pk, "verification_pk": adopted.pk}))
    if changed:
        events.append(PendingEvent("household.members_counted", "household",
                                   claim.household_id, {"claim_id": claim.claim_id,
                                                        "changed": changed, "by": "audit"}))
    seq = _next_seq(session, claim.claim_id)
    data = HouseholdData(facts.household, facts.members, [], facts.findings)
    case = build_case(f"{claim.claim_id}#{seq}", data, claim, payload, history)
    decision = adjudicate(case, tariff)
    new = record_decision(session, ctx, claim, case, decision, stored.tariff_pk, seq, now,
                          events)
    recheck.reopened, recheck.new_decision_id = True, new.decision_id
    events.append(PendingEvent("audit.reopened", "claim", claim.claim_id, {
        "recheck_pk": recheck.pk, "superseded_decision_id": stored.decision_id,
        "new_decision_id": new.decision_id, "outcome": decision.outcome.value,
        "payout": decision.payout}))
    # The household's later decisions took the old one into their history: they are decided
    # again on the new one. A recovery is then repaid in money, not netted from them.
    following = redecide_later(session, ctx, claim, "audit", events)
    if not was_paid:
        return None
    return open_adjustment(session, ctx, claim, stored.decision_id, new.decision_id,
                           decision.outcome.value, decision.payout, received, events, now,
                           recheck=recheck, cause="audit" if following else None)


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
        raise AuditRefused("a settlement reference (bank transfer or receipt number) is "
                           "required")
    now = ctx.now()
    with transaction(ctx.factory) as session:
        adj = session.execute(select(AuditAdjustment).where(
            AuditAdjustment.adjustment_id == adjustment_id).with_for_update()
            ).scalar_one_or_none()
        if adj is None:
            raise AuditRefused(f"no adjustment {adjustment_id}")
        require_claim_in_scope(ctx, session, adj.claim_id)
        if adj.status != "open":
            raise AuditRefused(f"adjustment {adjustment_id} is {adj.status}, not open")
        if how not in SETTLE_WAYS[adj.kind]:
            raise AuditRefused(f"a {adj.kind} is settled as {' or '.join(SETTLE_WAYS[adj.kind])}")
        claim = session.execute(select(Claim).where(Claim.claim_id == adj.claim_id)
                                .with_for_update()).scalar_one()
        if how == "repaid" and adj.cause is None:  # netted: see open_adjustment
            later = _later_decisions(session, adj, claim)
            if later:
                raise AuditRefused(
                    f"claim(s) {', '.join(later)} of the same household, category and period "
                    f"were decided after adjustment {adjustment_id} opened, net of the "
                    "overpayment: settle it as offset")
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


# --------------------------------------------------------------------------- report


@dataclass
class RateRow:
    """One line of the report: a verifier, a township, or the total."""

    key: str
    sampled: int = 0
    rechecked: int = 0
    with_discrepancies: int = 0
    material: int = 0
    payout_at_stake: Decimal = ZERO

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.with_discrepancies, self.rechecked)

    @property
    def error_rate(self) -> float | None:
        return self.with_discrepancies / self.rechecked if self.rechecked else None

    def as_dict(self) -> dict[str, Any]:
        interval = self.interval
        return {"key": self.key, "sampled": self.sampled, "rechecked": self.rechecked,
                "with_discrepancies": self.with_discrepancies, "material": self.material,
                "error_rate": None if self.error_rate is None else round(self.error_rate, 4),
                "ci95_low": None if interval is None else round(interval[0], 4),
                "ci95_high": None if interval is None else round(interval[1], 4),
                "payout_at_stake": fmt(self.payout_at_stake)}


@dataclass
class AuditReport:
    """Per verifier and per township: sampled, discrepancies, error rate with its 95 %
    Wilson interval, payout at stake (sum of |payout differences|), material cases."""

    samples: list[int]
    generated_at: str
    total: RateRow
    by_verifier: list[RateRow]
    by_township: list[RateRow]
    material: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"samples": self.samples, "generated_at": self.generated_at,
                "total": self.total.as_dict(),
                "by_verifier": [r.as_dict() for r in self.by_verifier],
                "by_township": [r.as_dict() for r in self.by_township],
                "material": self.material}


def _item_scope(ctx: Context) -> list[Any]:
    condition = scope_filter(ctx, AuditSampleItem.township_code)
    return [] if condition is None else [condition]


def audit_report(ctx: Context, sample_id: int | None = None) -> AuditReport:
    """The report of one sample, or of every sample drawn (of the sampled claims in the
    user's townships)."""
    ctx.require("audit.record")
    with ctx.factory() as session:
        query = select(AuditSample.sample_id).order_by(AuditSample.sample_id)
        if sample_id is not None:
            query = query.where(AuditSample.sample_id == sample_id)
        samples = list(session.execute(query).scalars())
        if sample_id is not None and not samples:
            raise AuditRefused(f"no sample {sample_id}")
        rows = session.execute(
            select(AuditSampleItem, AuditRecheck)
            .outerjoin(AuditRecheck, AuditRecheck.item_pk == AuditSampleItem.pk)
            .where(AuditSampleItem.sample_id.in_(samples))
            .where(*_item_scope(ctx))
            .order_by(AuditSampleItem.sample_id, AuditSampleItem.claim_id)).all()
        adjustments = {a.recheck_pk: a for a in session.execute(select(AuditAdjustment).where(
            AuditAdjustment.sample_id.in_(samples))).scalars()}
    total = RateRow("total")
    verifiers: dict[str, RateRow] = {}
    townships: dict[str, RateRow] = {}
    material: list[dict[str, Any]] = []
    for item, recheck in rows:
        targets = (total, verifiers.setdefault(item.verifier_id, RateRow(item.verifier_id)),
                   townships.setdefault(item.township_code, RateRow(item.township_code)))
        for row in targets:
            row.sampled += 1
            if recheck is None:
                continue
            row.rechecked += 1
            row.with_discrepancies += bool(recheck.discrepancies)
            row.material += recheck.material
            row.payout_at_stake += abs(recheck.payout_difference)
        if recheck is not None and recheck.material:
            adj = adjustments.get(recheck.pk)
            material.append({
                "sample_id": item.sample_id, "claim_id": item.claim_id,
                "verifier": item.verifier_id, "township": item.township_code,
                "auditor": recheck.auditor_id,
                "fields": [d["field"] for d in recheck.discrepancies],
                "outcome": f"{recheck.outcome_stored} → {recheck.outcome_audit}",
                "payout_stored": fmt(recheck.payout_stored),
                "payout_audit": fmt(recheck.payout_audit),
                "payout_difference": fmt(recheck.payout_difference),
                "reopened": recheck.reopened, "reopen_blocked": recheck.reopen_blocked,
                "adjustment": None if adj is None else {
                    "adjustment_id": adj.adjustment_id, "kind": adj.kind,
                    "amount": fmt(adj.amount), "status": adj.status}})
    return AuditReport(samples, ctx.now(), total,
                       [verifiers[k] for k in sorted(verifiers)],
                       [townships[k] for k in sorted(townships)], material)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def report_table_rows(rows: Iterable[RateRow]) -> list[list[str]]:
    """The report's lines as text cells: key, sampled, rechecked, with discrepancies,
    material, error rate, 95 % interval, payout at stake (shared by the CLI, XLSX and PDF)."""
    out = []
    for row in rows:
        interval = row.interval
        ci = "" if interval is None else f"{_percent(interval[0])} – {_percent(interval[1])}"
        out.append([row.key, str(row.sampled), str(row.rechecked), str(row.with_discrepancies),
                    str(row.material), _percent(row.error_rate), ci, fmt(row.payout_at_stake)])
    return out


REPORT_HEADERS = ["", "抽样 sampled", "已复核 rechecked", "有差异 with discrepancies",
                  "重大 material", "差错率 error rate", "95% 置信区间 (Wilson)",
                  "涉及金额 payout at stake"]


def write_report_xlsx(report: AuditReport, path: Path) -> None:
    """The report as a workbook: by verifier, by township, material discrepancies."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    first = True
    for title, label, rows in (("按核查员 by verifier", "核查员 verifier", report.by_verifier),
                               ("按乡镇 by township", "乡镇 township", report.by_township)):
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = title.split()[0]
        sheet.append([label, *REPORT_HEADERS[1:]])
        for cells in report_table_rows([*rows, report.total]):
            sheet.append([neutralise(cell) for cell in _numeric(cells)])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    sheet = book.create_sheet("重大差异")
    sheet.append(["抽样 sample", "案件 claim", "核查员 verifier", "乡镇 township",
                  "复核人 auditor", "差异 fields", "结论 outcome", "原赔付 stored",
                  "复核赔付 audit", "差额 difference", "已重新理算 reopened",
                  "追回/补发 adjustment"])
    for m in report.material:
        adj = m["adjustment"]
        sheet.append([neutralise(cell) for cell in (
            m["sample_id"], m["claim_id"], m["verifier"], m["township"], m["auditor"],
            ", ".join(m["fields"]), m["outcome"], Decimal(m["payout_stored"]),
            Decimal(m["payout_audit"]), Decimal(m["payout_difference"]),
            "是" if m["reopened"] else (m["reopen_blocked"] or "否"),
            "" if adj is None else f"{adj['kind']} {adj['amount']} ({adj['status']})")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    book.save(path)


def _numeric(cells: list[str]) -> list[Any]:
    """Counts as integers and the amount as a number, so a spreadsheet can sum them."""
    return [cells[0], *(int(c) for c in cells[1:5]), cells[5], cells[6], Decimal(cells[7])]


TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates" / "audit"


def report_html(report: AuditReport, title: str = "防贫保抽样复核报告") -> str:
    """The report as HTML (Jinja2, autoescaped), laid out for A4 with the CJK font."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("report.html").render(
        title=title, report=report, headers=REPORT_HEADERS,
        by_verifier=report_table_rows([*report.by_verifier, report.total]),
        by_township=report_table_rows([*report.by_township, report.total]))


def render_report_pdf(report: AuditReport) -> bytes:
    """The report as PDF: through the documents renderer when it is there (it checks the
    Chinese text really used the CJK font), else WeasyPrint directly."""
    html = report_html(report)
    try:
        from adjudicator.documents.render import html_to_pdf
    except ImportError:
        from weasyprint import HTML

        return bytes(HTML(string=html, base_url=str(TEMPLATE_DIR)).write_pdf())
    return html_to_pdf(html, ("base",))
