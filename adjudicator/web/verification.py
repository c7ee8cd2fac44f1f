"""The verification form on the web: the service's form model filled from a page's fields
or the API's JSON, uploads attached, then checked and recorded by the service.

The page posts one field per answer (`counted:M1`, `answer:VEHICLE`, `income:0:amount`, ...);
`form_data` lays them over the service's prefilled template, so members, items and labels
always come from the server. Drafts and submissions are the service's: an incomplete form
is stored as a draft (the claim waits), a complete one is submitted. On the web the verifier
says which is meant, and a mismatch changes nothing: "submit" of an incomplete form is
refused with its missing items listed, "save draft" of a complete form is refused (the
service would submit it), and "submit" asks for a confirmation first when a department
finding contradicts an answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError
from starlette.datastructures import FormData

from adjudicator.services.verification import (
    Assignment,
    FormCheck,
    RecordResult,
    VerificationForm,
    check_form,
    list_assignments,
    record_verification,
    verification_template,
)
from adjudicator.storage.context import Context
from adjudicator.web import uploads
from adjudicator.web.errors import (
    REFUSALS,
    FieldProblem,
    WebError,
    refusal,
    validation_error,
)
from adjudicator.web.settings import WebSettings

Action = Literal["draft", "submit"]
YES, NO = "yes", "no"


def template(ctx: Context, claim_id: str) -> VerificationForm:
    """The service's prefilled form (refused for another verifier's claim)."""
    ctx.require("verify.record")
    try:
        return verification_template(ctx, claim_id)
    except REFUSALS as exc:
        raise refusal(exc) from exc


def assignment_of(ctx: Context, claim_id: str) -> Assignment | None:
    return next((a for a in list_assignments(ctx) if a.claim_id == claim_id), None)


def _answer(value: Any) -> bool | None:
    return {YES: True, NO: False}.get(str(value)) if value is not None else None


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _rows(posted: FormData, prefix: str) -> list[dict[str, Any]]:
    """income:0:kind / income:0:amount / income:0:note ... as a list of rows, in index order."""
    rows: dict[int, dict[str, Any]] = {}
    for key, value in posted.multi_items():
        parts = key.split(":")
        if len(parts) == 3 and parts[0] == prefix and parts[1].isdigit():
            rows.setdefault(int(parts[1]), {})[parts[2]] = value
    return [rows[i] for i in sorted(rows)]


def form_data(base: VerificationForm, posted: FormData) -> dict[str, Any]:
    """The page's fields over the template: plain data, validated later by the form model."""
    data = base.model_dump(mode="json")
    data["verified_on"] = _text(posted.get("verified_on"))
    for member in data["members"]:
        member["counted"] = _answer(posted.get(f"counted:{member['member_id']}"))
    for answer in data["negative_list"]:
        answer["answer"] = _answer(posted.get(f"answer:{answer['item']}"))
    for name, prefix in (("income", "income"), ("costs", "cost")):
        rows = _rows(posted, prefix)
        labels = {row["kind"]: row.get("label") for row in data[name]}
        data[name] = [{"kind": row.get("kind"), "label": labels.get(row.get("kind")),
                       "amount": _text(row.get("amount")), "note": _text(row.get("note"))}
                      for row in rows]
    evidence = []
    for row in _rows(posted, "evidence"):
        if row.get("keep") == YES:
            evidence.append({"kind": row.get("kind"), "ref": row.get("ref"),
                             "sha256": _text(row.get("sha256")), "note": _text(row.get("note"))})
    for receipt in (_text(posted.get("new_receipt")) or "").replace("，", ",").split(","):
        if receipt.strip():
            evidence.append({"kind": "receipt", "ref": receipt.strip(), "sha256": None,
                             "note": None})
    data["evidence"] = evidence
    data["note"] = _text(posted.get("note"))
    return data


def add_uploads(data: dict[str, Any], accepted: list[uploads.Upload]) -> None:
    known = {(e["kind"], e["ref"]) for e in data["evidence"]}
    for upload in accepted:
        if (upload.kind, upload.stored_name) not in known:
            data["evidence"].append({"kind": upload.kind, "ref": upload.stored_name,
                                     "sha256": upload.sha256,
                                     "note": upload.original_name[:200]})


def validate(data: Mapping[str, Any]) -> VerificationForm:
    try:
        return VerificationForm.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, data) from exc


@dataclass
class Outcome:
    """What happened to a posted form: recorded (draft or submitted), or waiting for the
    verifier to confirm the contradiction warnings (nothing recorded yet)."""

    result: RecordResult | None
    warnings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def needs_confirmation(self) -> bool:
        return self.result is None


def record(ctx: Context, settings: WebSettings, claim_id: str, form: VerificationForm,
           accepted: list[uploads.Upload], action: Action, confirmed: bool) -> Outcome:
    """Store the uploads, check the form with the service and record it as asked.

    Refusals change nothing: files this request added are removed again. Uploads are kept
    while a confirmation is pending, since the confirmed form lists them."""
    ctx.require("verify.record")
    created = uploads.store(settings.evidence_dir, accepted)
    keep_files = False
    try:
        check: FormCheck = check_form(ctx, claim_id, form, settings.evidence_dir)
        if action == "draft" and check.complete:
            raise WebError(409, "complete_form",
                           "表格已经填写完整：完整的核查表只能“提交”，不能存为草稿。")
        if action == "submit" and not check.complete:
            raise WebError(422, "incomplete_form",
                           "核查表还没有填完，不能提交：请补全下列项目，或先“保存草稿”。",
                           fields=[FieldProblem(line.split(":", 1)[0],
                                                line.split(": ", 1)[-1])
                                   for line in check.missing])
        if action == "submit" and check.warnings and not confirmed:
            keep_files = True
            return Outcome(None, check.warnings, check.missing)
        result = record_verification(ctx, claim_id, form, settings.evidence_dir)
        keep_files = True
        return Outcome(result, result.warnings, result.missing)
    except REFUSALS as exc:
        raise refusal(exc) from exc
    finally:
        if not keep_files:
            uploads.discard(created)
