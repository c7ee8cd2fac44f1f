"""Verifications (入户核查) recorded in the field, imported as submitted: the claim moves to
`verified` (from screened, under_verification, pended, objected or denied, as the workflow
allows) and is ready for adjudication.

The same verification imported again is unchanged, whatever the claim's status since. A
verifier may import only their own verifications (verifier_id = their user id); the row's
verifier must be an active verifier assigned the claim or covering its township, and the visit
dated from the claim's event to today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from adjudicator.intake import columns, fastrows
from adjudicator.intake.fastrows import FastModel
from adjudicator.intake.pipeline import (
    Chunk,
    Importer,
    Row,
    among,
    filled,
    insert_rows,
    unique,
    update_rows,
)
from adjudicator.messages import Message
from adjudicator.roles import Role
from adjudicator.storage.models import Claim, Household, Member, User, Verification
from adjudicator.workflow import ClaimStatus, IllegalTransition, check_transition
from schemas.imports import (
    INCOME_COLUMNS,
    VerificationFlatRow,
    VerificationImport,
    VerificationRecord,
    verification_payload,
)

_PREFIX = columns.NEGATIVE_PREFIX
_FLAT = FastModel(VerificationFlatRow, {
    "claim_id": fastrows.text(64), "verifier_id": fastrows.text(64),
    **dict.fromkeys((*INCOME_COLUMNS, "cost_production"), fastrows.amount)})


def parse(fields: dict[str, Any], options: dict[str, Any]) -> VerificationImport:
    """The JSON Lines form ({"claim_id", "verification", "members"}) or the flat form."""
    if "verification" in fields or "members" in fields:
        return VerificationImport.model_validate(filled(fields))
    answers = {name[len(_PREFIX):]: value for name, value in fields.items()
               if name.startswith(_PREFIX)}
    flat = filled({k: v for k, v in fields.items() if not k.startswith(_PREFIX)})
    if answers:
        flat["negative_list"] = answers
    return _FLAT.validate(flat).to_import()


def _normalized(payload: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored payload in the form this import writes, to compare like with like."""
    if payload is None:
        return None
    try:
        return verification_payload(VerificationRecord.model_validate(payload))
    except ValidationError:
        return payload


def store(session: Session, chunk: Chunk, rows: list[Row]) -> None:
    ctx, at = chunk.run.ctx, chunk.run.at
    records: list[VerificationImport] = [row.record for row in rows]
    claim_ids = unique(r.claim_id for r in records)
    claims = {c.claim_id: _Claim(c.claim_id, c.household_id, c.status, c.event_date,
                                 c.assigned_verifier, c.township_code)
              for c in session.execute(
                  select(Claim.claim_id, Claim.household_id, Claim.status, Claim.event_date,
                         Claim.assigned_verifier, Household.township_code)
                  .join(Household, Household.household_id == Claim.household_id)
                  .where(among(session, Claim.claim_id, claim_ids)))}
    verifier_ids = unique(r.verification.verifier_id for r in records)
    verifiers = {u.user_id: u for u in session.execute(
        select(User.user_id, User.role, User.active, User.townships)
        .where(among(session, User.user_id, verifier_ids)))}
    today = ctx.today()
    latest: dict[str, dict[str, Any] | None] = {}
    for claim_id, payload in session.execute(
            select(Verification.claim_id, Verification.payload)
            .where(among(session, Verification.claim_id, claim_ids),
                   Verification.status == "submitted")
            .order_by(Verification.pk)):
        latest[claim_id] = payload
    latest = {k: _normalized(v) for k, v in latest.items()}
    household_ids = unique(c.household_id for c in claims.values())
    members = {(m.household_id, m.member_id): _Member(m.pk, m.household_id, m.member_id,
                                                      m.counted)
               for m in session.execute(select(Member.pk, Member.household_id,
                                               Member.member_id, Member.counted)
                                        .where(among(session, Member.household_id, household_ids)))
               } if household_ids else {}
    new: list[dict[str, Any]] = []
    claim_updates: dict[str, dict[str, Any]] = {}
    member_updates: dict[int, dict[str, Any]] = {}

    for row in rows:
        rec: VerificationImport = row.record
        claim = claims.get(rec.claim_id)
        if claim is None:
            chunk.reject(row, "claim_id", "CLAIM_NOT_FOUND",
                         Message("verification.no_claim", claim=rec.claim_id))
            continue
        if ctx.role == Role.VERIFIER and rec.verification.verifier_id != ctx.user_id:
            chunk.reject(row, "verifier_id", "VERIFIER_MISMATCH",
                         Message("verification.not_own", user=ctx.user_id))
            continue
        if (refused := _verifier_refused(claim, rec, verifiers)) is not None:
            chunk.reject(row, "verifier_id", *refused)
            continue
        if (refused := _date_refused(claim, rec, today)) is not None:
            chunk.reject(row, "verified_on", *refused)
            continue
        updates, unknown = [], None
        for update in rec.members:
            member = members.get((claim.household_id, update.member_id))
            if member is None:
                unknown = update.member_id
                break
            if member.counted != update.counted:
                updates.append((member, update.counted))
        if unknown is not None:
            chunk.reject(row, "members", "UNKNOWN_MEMBER", Message(
                "match.unknown_member", household=claim.household_id, member=unknown))
            continue
        payload = verification_payload(rec.verification)
        had = rec.claim_id in latest  # a new verification then replaces an earlier one
        same = latest.get(rec.claim_id) == payload
        if same and not updates:
            chunk.unchanged += 1
            continue
        if not same:
            try:
                check_transition(claim.claim_id, claim.status, ClaimStatus.VERIFIED)
            except IllegalTransition as exc:
                from adjudicator.web.labels import STATUS_LABELS

                chunk.reject(row, "claim_id", "CLAIM_STATUS", Message(
                    "verification.status", claim=claim.claim_id,
                    status=STATUS_LABELS.get(claim.status, claim.status), detail=str(exc)))
                continue
            new.append({"claim_id": claim.claim_id, "household_id": claim.household_id,
                        "verifier_id": rec.verification.verifier_id,
                        "verified_on": rec.verification.verified_on, "status": "submitted",
                        "payload": payload, "created_at": at, "created_by": ctx.user_id})
            chunk.change(row, "verification.submitted", "claim", claim.claim_id,
                         {"household_id": claim.household_id,
                          "verifier_id": rec.verification.verifier_id,
                          "verified_on": rec.verification.verified_on,
                          "income_recorded": rec.verification.income is not None,
                          "unanswered": sorted(k for k, v in
                                               rec.verification.negative_list.items()
                                               if v is None)})
            chunk.change(row, "claim.status_changed", "claim", claim.claim_id,
                         {"from": claim.status, "to": ClaimStatus.VERIFIED.value,
                          "by": "verification import"})
            claim.status = ClaimStatus.VERIFIED.value
            claim_updates[claim.claim_id] = {"status": claim.status, "updated_at": at}
            latest[claim.claim_id] = payload
        for member, counted in updates:
            member.counted = counted
            member_updates[member.pk] = {"counted": counted}
            chunk.change(row, "member.updated", "member",
                         f"{member.household_id}/{member.member_id}",
                         {"household_id": member.household_id, "member_id": member.member_id,
                          "changed": ["counted"], "counted": counted})
        chunk.accepted += 1
        chunk.updated += had
    update_rows(session, Claim, "claim_id", claim_updates)
    update_rows(session, Member, "pk", member_updates)
    insert_rows(session, Verification, new)


def _verifier_refused(claim: _Claim, rec: VerificationImport,
                      verifiers: dict[str, Any]) -> tuple[str, str] | None:
    """(code, reason) when the row's verifier may not have verified this claim: the
    verifier must be an active user with the verifier role, the claim assigned to them or in
    one of their townships."""
    verifier_id = rec.verification.verifier_id
    user = verifiers.get(verifier_id)
    if user is None or not user.active or user.role != Role.VERIFIER:
        what = ("不是本系统的用户" if user is None else "已停用" if not user.active
                else f"的角色是 {user.role}，不是核查员")
        return "UNKNOWN_VERIFIER", (f"核查员「{verifier_id}」{what}：入户核查只能记在核查员"
                                    "名下（管理员用 adjudicator user add ID --role verifier "
                                    "添加核查员）")
    if claim.assigned_verifier != verifier_id and claim.township_code not in (
            user.townships or ()):
        assigned = (f"分派给了 {claim.assigned_verifier}" if claim.assigned_verifier
                    else "尚未分派")
        return "VERIFIER_NOT_ASSIGNED", (f"申请 {claim.claim_id} {assigned}，核查员"
                                         f"「{verifier_id}」也不负责其所在乡镇 "
                                         f"{claim.township_code}：不能记为其核查")
    return None


def _date_refused(claim: _Claim, rec: VerificationImport,
                  today: dt.date) -> tuple[str, str] | None:
    """(code, reason) when the visit's date is after today (the acting clock) or before the
    claim's event: a decision must never be older than its own inputs."""
    verified_on = rec.verification.verified_on
    if verified_on > today:
        return "VERIFIED_IN_FUTURE", (f"核查日期 {verified_on} 晚于今天 {today}：不能登记"
                                      "尚未发生的入户核查")
    if verified_on < claim.event_date:
        return "VERIFIED_BEFORE_EVENT", (f"核查日期 {verified_on} 早于申请 {claim.claim_id} "
                                         f"的事发日期 {claim.event_date}：请核对日期")
    return None


@dataclass
class _Claim:
    claim_id: str
    household_id: str
    status: str
    event_date: dt.date
    assigned_verifier: str | None
    township_code: str


@dataclass
class _Member:
    pk: int
    household_id: str
    member_id: str
    counted: bool


IMPORTER = Importer("verifications", "import.verifications", columns.VERIFICATIONS, parse,
                    store, tables=(Verification, Claim, Member))
