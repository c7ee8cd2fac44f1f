"""Verifier pages: my assigned claims with deadlines, and the verification form."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from adjudicator.services.verification import check_form, list_assignments
from adjudicator.storage.context import Context
from adjudicator.web import uploads
from adjudicator.web import verification as web_verification
from adjudicator.web.deps import verifier_only
from adjudicator.web.errors import REFUSALS, WebError
from adjudicator.web.state import web_state
from adjudicator.web.templating import page

router = APIRouter(prefix="/verifier", include_in_schema=False)


@router.get("/claims")
def my_claims(request: Request, ctx: Context = Depends(verifier_only)) -> Response:
    assignments = list_assignments(ctx)
    return page(request, "verifier_claims.html", {
        "assignments": assignments, "submitted": request.query_params.get("submitted"),
        "overdue": sum(1 for a in assignments if a.overdue)})


def _missing_keys(missing: list[str]) -> set[str]:
    """'income.wage: …' → 'income.wage': which rows of the page to mark."""
    return {line.split(":", 1)[0] for line in missing}


def _form_page(request: Request, ctx: Context, claim_id: str, data: dict[str, Any], *,
               error: WebError | None = None, missing: list[str] | None = None,
               warnings: list[str] | None = None, confirm: bool = False,
               saved: str | None = None, status: int = 200) -> Response:
    findings: dict[str, list[dict[str, Any]]] = defaultdict(list)
    listed = {row["item"] for row in data["negative_list"]}
    others: list[dict[str, Any]] = []
    for finding in data.get("findings") or []:
        (findings[finding["item"]] if finding["item"] in listed else others).append(finding)
    settings = web_state(request).settings
    return page(request, "verify_form.html", {
        "claim_id": claim_id, "form": data,
        "assignment": web_verification.assignment_of(ctx, claim_id),
        "findings": findings, "other_findings": others, "error": error,
        "field_errors": {f.field: f.message for f in (error.fields if error else [])},
        "missing": missing or [],
        "missing_keys": _missing_keys(missing or []) | {f.field for f in
                                                        (error.fields if error else [])},
        "warnings": warnings or [], "confirm": confirm, "saved": saved,
        "max_mb": settings.max_upload_bytes / (1024 * 1024),
        "max_files": settings.max_upload_files, "today": ctx.today().isoformat(),
    }, status=status)


@router.get("/claims/{claim_id}")
def verification_form(request: Request, claim_id: str,
                      ctx: Context = Depends(verifier_only)) -> Response:
    form = web_verification.template(ctx, claim_id)
    saved = request.query_params.get("saved")
    missing: list[str] = []
    assignment = web_verification.assignment_of(ctx, claim_id)
    if saved or (assignment is not None and assignment.has_draft):
        try:
            missing = check_form(ctx, claim_id, form).missing
        except REFUSALS:
            missing = []
    return _form_page(request, ctx, claim_id, form.model_dump(mode="json"), missing=missing,
                      saved=saved)


async def _accepted_uploads(request: Request, files: list[UploadFile]) -> list[uploads.Upload]:
    settings = web_state(request).settings
    chosen = [f for f in files if f.filename]
    if len(chosen) > settings.max_upload_files:
        raise WebError(413, "too_many_files",
                       f"一次最多上传 {settings.max_upload_files} 个文件。")
    accepted = []
    for upload in chosen:
        data = await upload.read(settings.max_upload_bytes + 1)
        accepted.append(uploads.accept(upload.filename or "", data, settings.max_upload_bytes))
    return accepted


@router.post("/claims/{claim_id}")
async def record(request: Request, claim_id: str,
                 ctx: Context = Depends(verifier_only)) -> Response:
    posted = await request.form()
    action: web_verification.Action = ("draft" if posted.get("action") == "draft"
                                       else "submit")
    confirmed = posted.get("confirm") == "yes"
    base = await run_in_threadpool(web_verification.template, ctx, claim_id)
    data = web_verification.form_data(base, posted)
    try:
        files = [f for f in posted.getlist("evidence_files") if isinstance(f, UploadFile)]
        accepted = await _accepted_uploads(request, files)
        web_verification.add_uploads(data, accepted)
        form = web_verification.validate(data)
        outcome = await run_in_threadpool(
            web_verification.record, ctx, web_state(request).settings, claim_id, form,
            accepted, action, confirmed)
    except WebError as error:
        return await run_in_threadpool(_form_page, request, ctx, claim_id, data, error=error,
                                       status=error.status)
    if outcome.needs_confirmation:
        return await run_in_threadpool(_form_page, request, ctx, claim_id, data,
                                       warnings=outcome.warnings, confirm=True)
    assert outcome.result is not None
    if outcome.result.status == "submitted":
        return RedirectResponse(f"/verifier/claims?submitted={quote(claim_id, safe='')}",
                                status_code=303)
    return RedirectResponse(f"/verifier/claims/{quote(claim_id, safe='')}?saved=draft",
                            status_code=303)
