"""The form for a claim, prefilled with what is known (the document itself is written by
:mod:`adjudicator.documents.verification_form`).

Personal data: the form carries members' real names (the verifier checks them at the door)
and masked ID numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from adjudicator.messages import Message
from adjudicator.roles import Role
from adjudicator.services.verification.checks import sha256_of
from adjudicator.services.verification.facts import finding_message, load_facts
from adjudicator.services.verification.form import (
    COST_LABELS,
    INCOME_LABELS,
    EvidenceEntry,
    FormAnswer,
    FormCost,
    FormFinding,
    FormIncome,
    FormMember,
    VerificationForm,
    VerificationRefused,
)
from adjudicator.storage.context import Context
from adjudicator.storage.models import Verification as VerificationRow
from adjudicator.storage.models_audit import VerificationEvidence
from schemas.types import CostKind, IncomeKind


def verification_template(ctx: Context, claim_id: str, evidence_dir: Path | None = None
                          ) -> VerificationForm:
    """The form for a claim, prefilled with what is known.

    Members with their `counted` flags, the income kinds (blank), the household's last known
    production costs, every active negative-list item of the tariff that will apply (blank),
    the department findings, the claim's receipt and the photos in `evidence_dir` with their
    SHA-256. The assigned verifier's own latest draft, if any, fills the answers in. A
    verifier gets forms of their own assignments only; an auditor or officer gets a blank
    form to re-check independently.
    """
    ctx.require("verify.read")
    with ctx.factory() as session:
        facts = load_facts(session, claim_id)
        claim = facts.claim
        if ctx.role == Role.VERIFIER.value and claim.assigned_verifier != ctx.user_id:
            raise VerificationRefused(Message("verification.not_assigned", claim=claim_id,
                                              user=ctx.user_id))
        draft = None
        if claim.assigned_verifier == ctx.user_id:
            draft = session.execute(select(VerificationRow).where(
                VerificationRow.claim_id == claim_id, VerificationRow.status == "draft",
                VerificationRow.created_by == ctx.user_id)
                .order_by(VerificationRow.pk.desc()).limit(1)).scalar_one_or_none()
        last_known = session.execute(select(VerificationRow.payload).where(
            VerificationRow.household_id == claim.household_id,
            VerificationRow.status == "submitted").order_by(VerificationRow.pk.desc())
            .limit(1)).scalar_one_or_none()
        evidence: list[EvidenceEntry] = []
        if draft is not None:
            evidence = [EvidenceEntry(kind=e.kind, ref=e.ref, sha256=e.sha256, note=e.note)
                        for e in session.execute(select(VerificationEvidence).where(
                            VerificationEvidence.verification_pk == draft.pk)
                            .order_by(VerificationEvidence.pk)).scalars()]
    base: dict[str, Any] = dict(draft.payload) if draft is not None else {}
    costs = base.get("costs") or (last_known or {}).get("costs") or []
    answers = base.get("negative_list") or {}
    income = base.get("income") or []
    tariff = facts.tariff
    if not evidence and claim.document_no:
        evidence.append(EvidenceEntry(kind="receipt", ref=claim.document_no))
    listed = {e.ref for e in evidence}
    for photo in _files(evidence_dir):
        if photo.name not in listed:
            evidence.append(EvidenceEntry(kind="photo", ref=photo.name, sha256=sha256_of(photo)))
    return VerificationForm(
        claim_id=claim.claim_id, household_id=claim.household_id, verifier_id=ctx.user_id,
        verified_on=base.get("verified_on"),
        members=[FormMember(member_id=m.member_id, name=m.name, relation=m.relation,
                            id_number=_mask_id(m.id_number), counted=m.counted)
                 for m in facts.members],
        income=_income_rows(income),
        costs=[FormCost(kind=c["kind"], label=COST_LABELS.get(c["kind"]), amount=c["amount"],
                        note=c.get("note")) for c in costs]
        or [FormCost(kind=CostKind.PRODUCTION, label=COST_LABELS["production"])],
        negative_list=[FormAnswer(item=item, label=tariff.item_label(item),
                                  answer=answers.get(item)) for item in tariff.negative_list],
        findings=[FormFinding(source=f.source, item=f.item, found=f.found, detail=f.detail,
                              message=finding_message(f.source, f.item, f.found, tariff))
                  for f in facts.findings],
        evidence=evidence,
    )


def _income_rows(items: Iterable[dict[str, Any]]) -> list[FormIncome]:
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_kind.setdefault(item["kind"], []).append(item)
    rows = []
    for kind in IncomeKind:
        for item in by_kind.get(kind.value) or [{"amount": None}]:
            rows.append(FormIncome(kind=kind, label=INCOME_LABELS[kind.value],
                                   amount=item.get("amount"), note=item.get("note")))
    return rows


def _files(directory: Path | None) -> list[Path]:
    if directory is None:
        return []
    if not directory.is_dir():
        raise VerificationRefused(Message("verification.no_folder", directory=directory))
    return sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))



def _mask_id(id_number: str) -> str:
    """Region part and last 4 characters: enough to match the card shown at the door."""
    if len(id_number) <= 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]
