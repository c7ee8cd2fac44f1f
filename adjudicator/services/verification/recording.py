"""Recording the assigned verifier's form: a draft when incomplete, else submitted.

A complete form is stored as exactly a `schemas.case.Verification` (without cross-checks,
which `build_case` adds from the stored findings) and the claim becomes `verified`, ready
for adjudication. Events and errors carry item codes, member ids and counts, never a name
or an ID number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session

from adjudicator.messages import Message, worded
from adjudicator.rules import reasons as R
from adjudicator.services.verification.checks import FormCheck, check_form_against
from adjudicator.services.verification.facts import load_facts
from adjudicator.services.verification.form import (
    EvidenceEntry,
    VerificationForm,
    VerificationRefused,
)
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Claim, DecisionRecord, Member
from adjudicator.storage.models import Verification as VerificationRow
from adjudicator.storage.models_audit import VerificationEvidence
from adjudicator.workflow import ClaimStatus, IllegalTransition, move
from schemas.case import CostItem, IncomeItem, Verification
from schemas.vocabulary import CLAIM_STATUSES

S = ClaimStatus
#: Statuses from which a complete verification moves a claim to `verified`.
RECORDABLE = frozenset({S.UNDER_VERIFICATION, S.SCREENED, S.PENDED, S.OBJECTED, S.DENIED})


def form_to_verification(form: VerificationForm, verifier_id: str) -> Verification:
    """The complete form as exactly the `schemas.case.Verification` adjudication reads."""
    assert form.verified_on is not None
    return Verification(
        verified_on=form.verified_on, verifier_id=verifier_id,
        income=[IncomeItem(kind=i.kind, amount=i.amount, note=i.note)
                for i in form.income if i.amount is not None],
        costs=[CostItem(kind=c.kind, amount=c.amount, note=c.note)
               for c in form.costs if c.amount is not None],
        negative_list=dict(sorted(form.answers().items())),
    )


def verification_payload(verification: Verification) -> dict[str, Any]:
    """The stored JSON of a verification: the schema's JSON form, cross-checks left out."""
    return verification.model_dump(mode="json", exclude={"cross_checks"})


def _draft_payload(form: VerificationForm, verifier_id: str) -> dict[str, Any]:
    """A draft keeps the Verification's keys; blanks stay null (it is never adjudicated)."""
    return {
        "verified_on": form.verified_on.isoformat() if form.verified_on else None,
        "verifier_id": verifier_id,
        "income": [i.model_dump(mode="json", exclude={"label"}) for i in form.income],
        "costs": [c.model_dump(mode="json", exclude={"label"}) for c in form.costs],
        "negative_list": dict(sorted(form.answers().items())),
    }


def evidence_rows(claim_id: str, entries: list[EvidenceEntry], *,
                  verification_pk: int | None = None, recheck_pk: int | None = None
                  ) -> list[VerificationEvidence]:
    return [VerificationEvidence(claim_id=claim_id, verification_pk=verification_pk,
                                 recheck_pk=recheck_pk, kind=e.kind, ref=e.ref,
                                 sha256=e.sha256, note=e.note) for e in entries]


def apply_counted_flags(members: list[Member], flags: Mapping[str, bool | None]
                        ) -> dict[str, bool]:
    """Set members' `counted` from a form; returns the flags that changed (member id → new)."""
    changed: dict[str, bool] = {}
    for member in members:
        new = flags.get(member.member_id)
        if new is not None and new != member.counted:
            member.counted = new
            changed[member.member_id] = new
    return changed


# --------------------------------------------------------------------------- recording


@dataclass(frozen=True)
class RecordResult:
    claim_id: str
    status: Literal["draft", "submitted"]
    verification_pk: int
    missing: list[str]
    warnings: list[str]
    claim_status: str


def _recordable(ctx: Context, session: Session, claim: Claim) -> None:
    if claim.assigned_verifier != ctx.user_id:
        who = claim.assigned_verifier or Message("verification.nobody")
        raise VerificationRefused(Message("verification.assigned_to", claim=claim.claim_id,
                                          who=who, user=ctx.user_id))
    if ClaimStatus(claim.status) not in RECORDABLE:
        raise VerificationRefused(Message("verification.not_recordable", claim=claim.claim_id,
                                          status=worded(CLAIM_STATUSES, claim.status),
                                          status_code=claim.status))
    if claim.status == S.PENDED.value:
        decision = session.get(DecisionRecord, claim.current_decision_id or 0)
        if decision is None or R.PEND_INCOMPLETE_VERIFICATION not in decision.reasons:
            raise VerificationRefused(Message("verification.pended_review",
                                              claim=claim.claim_id))


def check_form(ctx: Context, claim_id: str, form: VerificationForm,
               evidence_dir: Path | None = None) -> FormCheck:
    """What recording this form would report, without recording it (for a confirmation)."""
    ctx.require("verify.record")
    with ctx.factory() as session:
        facts = load_facts(session, claim_id)
        _recordable(ctx, session, facts.claim)
        return check_form_against(facts, form, today=ctx.today(), evidence_dir=evidence_dir)


def record_verification(ctx: Context, claim_id: str, form: VerificationForm,
                        evidence_dir: Path | None = None) -> RecordResult:
    """Record the assigned verifier's form: a draft when incomplete, else submitted.

    A submitted form updates the members' `counted` flags and moves the claim to `verified`.
    A contradiction with a department finding is returned as a warning and does not stop
    the submission: adjudication will deny it (NEG_<ITEM>, NEG_CONCEALMENT).
    """
    ctx.require("verify.record")
    if form.verifier_id not in (None, ctx.user_id):
        raise VerificationRefused(Message("verification.signed_by", signer=form.verifier_id,
                                          user=ctx.user_id))
    now = ctx.now()
    with transaction(ctx.factory) as session:
        facts = load_facts(session, claim_id, lock=True)
        claim = facts.claim
        _recordable(ctx, session, claim)
        check = check_form_against(facts, form, today=ctx.today(), evidence_dir=evidence_dir)
        answered = sorted(item for item, answer in form.answers().items() if answer is not None)
        events: list[PendingEvent] = []
        status: Literal["draft", "submitted"] = "submitted" if check.complete else "draft"
        if status == "submitted":
            payload = verification_payload(form_to_verification(form, ctx.user_id))
        else:
            payload = _draft_payload(form, ctx.user_id)
        row = VerificationRow(claim_id=claim_id, household_id=claim.household_id,
                              verifier_id=ctx.user_id, verified_on=form.verified_on,
                              status=status, payload=payload, created_at=now,
                              created_by=ctx.user_id)
        session.add(row)
        session.flush()
        session.add_all(evidence_rows(claim_id, form.evidence, verification_pk=row.pk))
        summary: dict[str, Any] = {"verification_pk": row.pk, "answered": answered,
                                   "evidence": len(form.evidence)}
        if status == "draft":
            events.append(PendingEvent("verification.draft_saved", "claim", claim_id, {
                **summary, "missing": [m.split(":")[0] for m in check.missing]}))
        else:
            changed = apply_counted_flags(facts.members, form.counted_flags())
            old = claim.status
            moved: list[PendingEvent] = []
            try:
                move(claim, S.VERIFIED, at=now, events=moved)
            except IllegalTransition as exc:  # pragma: no cover - RECORDABLE guards it
                raise VerificationRefused(Message("verification.refused",
                                                  detail=exc.message)) from exc
            # A denial verified again (复核申请) leaves the household's history until it is
            # decided again; the later decisions that counted it follow it.
            follow = old == S.DENIED.value
            claim.final_counted_expense = claim.final_paid = None
            events += [
                PendingEvent("verification.submitted", "claim", claim_id, {
                    **summary, "verified_on": form.verified_on, "answers": payload[
                        "negative_list"], "income_kinds": sorted({i.kind.value for i in
                                                                  form.income}),
                    "counted_members": sum(1 for m in form.members if m.counted),
                    "contradictions": check.contradictions}),
                *moved,
            ]
            if changed:
                events.append(PendingEvent("household.members_counted", "household",
                                           claim.household_id, {"claim_id": claim_id,
                                                                "changed": changed}))
            if follow:
                from adjudicator.services.cascade import redecide_later

                redecide_later(session, ctx, claim, "verification", events)
        append_events(session, ctx.user_id, now, events)
        return RecordResult(claim_id, status, row.pk, check.missing, check.warnings,
                            claim.status)
