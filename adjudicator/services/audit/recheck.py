"""复核: an auditor's re-check of a sampled household, compared with the verification
and re-adjudicated; a material discrepancy reopens the claim on the audited facts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adjudicator.messages import Message
from adjudicator.rules.decision import Decision, adjudicate
from adjudicator.rules.money import fmt
from adjudicator.rules.tariff import Tariff
from adjudicator.services.adjudication import HouseholdData, build_case, record_decision
from adjudicator.services.audit.adjustments import (
    AdjustmentInfo,
    open_adjustment,
    received_for,
)
from adjudicator.services.audit.sampling import (
    ZERO,
    AuditRefused,
    S,
)
from adjudicator.services.cascade import redecide_later
from adjudicator.services.scope import require_claim_in_scope
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
from adjudicator.storage.context import Context
from adjudicator.storage.db import fits_id, transaction
from adjudicator.storage.digest import sha256_text
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import (
    Claim,
    DecisionRecord,
    Member,
)
from adjudicator.storage.models import Verification as VerificationRow
from adjudicator.storage.models_audit import (
    AuditRecheck,
    AuditSampleItem,
)
from adjudicator.workflow import IllegalTransition, check_transition, move
from schemas.case import Case, Verification
from schemas.types import CostKind, IncomeKind
from schemas.vocabulary import Words

# --------------------------------------------------------------------------- comparison

DEFAULT_TOLERANCE_RATE = Decimal("0.05")
DEFAULT_TOLERANCE_AMOUNT = Decimal("500")


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
    if not (tolerance_rate.is_finite() and tolerance_amount.is_finite()  # NaN compares not
            and ZERO <= tolerance_rate < 1 and tolerance_amount >= 0):
        raise AuditRefused(Message("audit.bad_tolerance"))
    if form.verifier_id not in (None, ctx.user_id):
        raise AuditRefused(Message("audit.signed_by", signer=form.verifier_id,
                                   user=ctx.user_id))
    if not fits_id(sample_id):
        raise AuditRefused(Message("audit.not_in_sample", claim=claim_id, sample=sample_id))
    now = ctx.now()
    with transaction(ctx.factory) as session:
        item = session.execute(select(AuditSampleItem).where(
            AuditSampleItem.sample_id == sample_id, AuditSampleItem.claim_id == claim_id)
            .with_for_update()).scalar_one_or_none()
        if item is None:
            raise AuditRefused(Message("audit.not_in_sample", claim=claim_id, sample=sample_id))
        require_claim_in_scope(ctx, session, claim_id)
        done = session.execute(select(AuditRecheck.pk).where(
            AuditRecheck.item_pk == item.pk)).scalar()
        if done is not None:
            raise AuditRefused(Message("audit.already_rechecked", claim=claim_id,
                                       sample=sample_id, done=done))
        claim = session.execute(select(Claim).where(Claim.claim_id == claim_id)
                                .with_for_update()).scalar_one()
        makers: set[str] = set()
        for verifier_id, created_by in session.execute(select(
                VerificationRow.verifier_id, VerificationRow.created_by).where(
                VerificationRow.claim_id == claim_id)):
            makers |= {verifier_id, created_by}
        if ctx.user_id in makers:
            raise AuditRefused(Message("audit.maker_checker", user=ctx.user_id, claim=claim_id))
        stored = session.get(DecisionRecord, claim.current_decision_id or 0)
        if stored is None:
            raise AuditRefused(Message("audit.no_decision", claim=claim_id))
        stored_case = Case.model_validate_json(stored.case_json)
        if stored_case.verification is None:
            raise AuditRefused(Message("audit.no_verification", claim=claim_id))
        book = TariffBook.load(session)
        tariff = book.by_pk[stored.tariff_pk]
        facts = load_facts(session, claim_id, tariff=(stored.tariff_pk, tariff))
        check = check_form_against(facts, form, today=ctx.today(), evidence_dir=evidence_dir)
        if not check.complete:
            raise AuditRefused(Message("audit.incomplete", missing=Words(
                "；".join(check.missing), "; ".join(check.missing))))
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
