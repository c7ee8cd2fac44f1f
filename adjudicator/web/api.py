"""The JSON API under /api/v1: the same operations as the pages, for an insurer's own app.

Authentication: `POST /api/v1/auth/token` with a user name and password returns a bearer
token (a server-side session of kind "api", revocable with `POST /api/v1/auth/logout`).
Requests with `Authorization: Bearer …` need no CSRF token; a browser calling the API with
its session cookie instead must send the session's token in `X-CSRF-Token`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from adjudicator.documents.models import CLAIM_CATEGORY_LABELS, HOUSEHOLD_CATEGORY_LABELS
from adjudicator.documents.summary import summary_sentences
from adjudicator.rules.money import fmt
from adjudicator.rules.reasons import reason_text
from adjudicator.services.audit import audit_report, draw_sample
from adjudicator.services.notices import close_notice, list_notices, record_objection
from adjudicator.services.verification import (
    EvidenceEntry,
    VerificationForm,
    list_assignments,
)
from adjudicator.storage.context import Context
from adjudicator.web import officer, uploads
from adjudicator.web import verification as web_verification
from adjudicator.web.api_models import (
    AssignmentOut,
    AuditReportOut,
    BandOut,
    BreakdownOut,
    ClosedOut,
    CountsOut,
    CreatedNoticeOut,
    CreateNoticesRequest,
    DecisionOut,
    DocumentRequest,
    ErrorOut,
    Me,
    NoticeOut,
    ObjectionOut,
    ObjectionRequest,
    PendedOut,
    Reason,
    RecordOut,
    RecordRequest,
    ReviewOut,
    ReviewRequest,
    SampleOut,
    SampleRequest,
    SummaryOut,
    TokenOut,
    TokenRequest,
)
from adjudicator.web.auth import SignedIn
from adjudicator.web.deps import (
    auditors,
    client_address,
    officer_only,
    readers,
    signed_in,
    verifier_only,
)
from adjudicator.web.state import web_state

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": words} for status, words in (
        (400, "A malformed body (not JSON) or a NUL character (%00) in the path, the query or "
              "a string."),
        (401, "Not signed in, or the token expired or was revoked."),
        (403, "The role may not do this, another verifier's claim, maker-checker, or a "
              "missing CSRF token (cookie sessions)."),
        (404, "No such claim, notice or sample."),
        (409, "The claim or notice is not in a state that allows it."),
        (422, "Wrong input: the fields and what is wrong with each, in Chinese."),
    )}
router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERRORS)
PDF, XLSX = "application/pdf", ("application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet")


def _me(signed: SignedIn) -> Me:
    return Me(user_id=signed.user_id, role=signed.role, display_name=signed.display_name,
              townships=list(signed.townships))


# --------------------------------------------------------------------------- auth


@router.post("/auth/token", response_model=TokenOut, tags=["auth"],
             responses={429: {"model": ErrorOut, "description": "Too many failed logins."}})
async def token(request: Request, body: TokenRequest) -> TokenOut:
    """Exchange a user name and password for a bearer token."""
    value, signed = await web_state(request).auth.login(body.username, body.password, "api",
                                                        client_address(request))
    return TokenOut(access_token=value, expires_at=signed.expires_at, user=_me(signed))


@router.post("/auth/logout", status_code=204, tags=["auth"])
def api_logout(request: Request, signed: SignedIn = Depends(signed_in)) -> Response:
    """Revoke the token (or cookie session) this request was made with."""
    web_state(request).auth.logout(signed)
    return Response(status_code=204)


@router.get("/me", response_model=Me, tags=["auth"])
def me(signed: SignedIn = Depends(signed_in)) -> Me:
    return _me(signed)


# --------------------------------------------------------------------------- verifier


@router.get("/assignments", response_model=list[AssignmentOut], tags=["verifier"])
def assignments(ctx: Context = Depends(verifier_only)) -> list[AssignmentOut]:
    """My open assignments, earliest deadline first (`overdue` when past the due date)."""
    return [AssignmentOut(claim_id=a.claim_id, household_id=a.household_id,
                          township=a.township_code, village=a.village_name,
                          category=a.category, due=a.due,
                          working_days_left=a.working_days_left, overdue=a.overdue,
                          has_draft=a.has_draft) for a in list_assignments(ctx)]


@router.get("/claims/{claim_id}/verification", response_model=VerificationForm,
            tags=["verifier"])
def verification_form(claim_id: str, ctx: Context = Depends(verifier_only)) -> VerificationForm:
    """The prefilled form of one of my claims: members, income kinds, every active
    negative-list item with its label, department findings, evidence, my latest draft."""
    return web_verification.template(ctx, claim_id)


@router.post("/claims/{claim_id}/evidence", response_model=EvidenceEntry, status_code=201,
             tags=["verifier"],
             responses={413: {"model": ErrorOut}, 415: {"model": ErrorOut}})
async def upload_evidence(request: Request, claim_id: str, file: UploadFile = File(...),
                          ctx: Context = Depends(verifier_only)) -> EvidenceEntry:
    """Upload a JPEG, PNG or PDF (checked by content, size-limited) for one of my claims;
    put the returned entry into the form's `evidence` when recording."""
    settings = web_state(request).settings
    await run_in_threadpool(web_verification.template, ctx, claim_id)
    data = await file.read(settings.max_upload_bytes + 1)
    upload = uploads.accept(file.filename or "", data, settings.max_upload_bytes)
    await run_in_threadpool(uploads.store, settings.evidence_dir, [upload])
    return EvidenceEntry(kind=upload.kind, ref=upload.stored_name,
                         sha256=upload.sha256, note=upload.original_name)


@router.post("/claims/{claim_id}/verification", response_model=RecordOut, tags=["verifier"])
def record(request: Request, claim_id: str, body: RecordRequest,
           ctx: Context = Depends(verifier_only)) -> RecordOut:
    """Record a verification with the service's draft/submit semantics."""
    outcome = web_verification.record(ctx, web_state(request).settings, claim_id, body.form,
                                      [], body.action, body.confirm_warnings)
    if outcome.result is None:
        return RecordOut(claim_id=claim_id, status="needs_confirmation", verification_pk=None,
                         missing=outcome.missing, warnings=outcome.warnings, claim_status=None)
    r = outcome.result
    return RecordOut(claim_id=r.claim_id, status=r.status, verification_pk=r.verification_pk,
                     missing=r.missing, warnings=r.warnings, claim_status=r.claim_status)


# --------------------------------------------------------------------------- officer


def _reasons(codes: list[str]) -> list[Reason]:
    return [Reason(code=c, text=reason_text(c)) for c in codes]


@router.get("/pended", response_model=list[PendedOut], tags=["officer"])
def pended(ctx: Context = Depends(officer_only),
           signed: SignedIn = Depends(signed_in)) -> list[PendedOut]:
    """The pend queue of my townships (all when I have none), oldest first."""
    return [PendedOut(claim_id=p.claim_id, household_id=p.household_id,
                      township=p.township_code, category=p.category, payout=fmt(p.payout),
                      reasons=_reasons(p.reasons), verifier_id=p.verifier_id,
                      decided_at=p.decided_at) for p in officer.pend_queue(ctx, signed)]


@router.get("/claims/{claim_id}/decision", response_model=DecisionOut, tags=["officer"])
def decision(claim_id: str, ctx: Context = Depends(officer_only),
             signed: SignedIn = Depends(signed_in)) -> DecisionOut:
    """The current decision with its figures, bands and the trace in Chinese words."""
    view = officer.decision_view(ctx, signed, claim_id)
    d = view.decision
    return DecisionOut(
        claim_id=claim_id, outcome=d["outcome"], payout=d["payout"],
        eligible_expense=d["eligible_expense"], counted_expense=d["counted_expense"],
        per_capita_income=d.get("per_capita_income"), net_income=d.get("net_income"),
        bands=[BandOut.model_validate(b) for b in d["bands"]], reasons=_reasons(d["reasons"]),
        explanation=view.lines, pended=view.pended is not None, decision=d)


@router.post("/claims/{claim_id}/review", response_model=ReviewOut, tags=["officer"])
def review(claim_id: str, body: ReviewRequest, ctx: Context = Depends(officer_only),
           signed: SignedIn = Depends(signed_in)) -> ReviewOut:
    """Approve or deny a pended claim with a reason (never one's own verification)."""
    done = officer.review(ctx, signed, claim_id, body.action, body.reason)
    return ReviewOut(claim_id=claim_id, decision_id=done.decision_id, action=done.action,
                     reason=done.reason, user_id=done.user_id, at=done.at)


def _pdf_url(notice_no: str) -> str:
    return f"/api/v1/notices/{quote(notice_no, safe='')}/pdf"


@router.get("/notices", response_model=list[NoticeOut], tags=["officer"])
def notices(ctx: Context = Depends(officer_only)) -> list[NoticeOut]:
    return [NoticeOut(notice_no=n.notice_no, village_code=n.village_code,
                      township_code=n.township_code, title=n.title, status=n.status,
                      claims=n.claims, total=fmt(n.total), start=n.start_date, end=n.end_date,
                      pdf_url=_pdf_url(n.notice_no)) for n in list_notices(ctx)]


@router.post("/notices", response_model=list[CreatedNoticeOut], status_code=201,
             tags=["officer"])
def create_notices(request: Request, body: CreateNoticesRequest,
                   ctx: Context = Depends(officer_only),
                   signed: SignedIn = Depends(signed_in)) -> list[CreatedNoticeOut]:
    """Post every approved claim not yet posted (of a township or village of mine): one
    notice and PDF per village."""
    created = officer.post_notices(ctx, signed, web_state(request).settings.documents_dir,
                                   body.township, body.village)
    return [CreatedNoticeOut(notice_no=n.notice_no, village_code=n.village_code,
                             claims=n.claims, households=n.households, total=fmt(n.total),
                             start=n.start, end=n.end,
                             pdf_url=_pdf_url(n.notice_no) if n.pdf else None)
            for n in created]


@router.post("/notices/{notice_no}/close", response_model=ClosedOut, tags=["officer"])
def close(notice_no: str, ctx: Context = Depends(officer_only)) -> ClosedOut:
    """Close a notice after its period: the claims without objection become payable."""
    payable, objected = officer.call(close_notice, ctx, notice_no)
    return ClosedOut(notice_no=notice_no, payable=payable, objected=objected)


@router.get("/notices/{notice_no}/pdf", tags=["officer"],
            responses={200: {"content": {PDF: {}}, "description": "The notice PDF."}})
def notice_pdf(notice_no: str, request: Request, ctx: Context = Depends(officer_only)
               ) -> Response:
    path, _ = officer.notice_pdf(ctx, notice_no, web_state(request).settings.documents_dir)
    return FileResponse(path, media_type=PDF, filename=f"{notice_no}.pdf")


@router.post("/claims/{claim_id}/objection", response_model=ObjectionOut, tags=["officer"])
def objection(claim_id: str, body: ObjectionRequest,
              ctx: Context = Depends(officer_only)) -> ObjectionOut:
    """Record an objection (异议) during the notice period: back to verification."""
    done = officer.call(record_objection, ctx, claim_id, body.reason)
    return ObjectionOut(claim_id=claim_id, notice_id=done.notice_id,
                        recorded_at=done.recorded_at)


@router.post("/audit/samples", response_model=SampleOut, status_code=201, tags=["audit"])
def sample(body: SampleRequest, ctx: Context = Depends(auditors)) -> SampleOut:
    """Draw and record a reproducible stratified sample of verified, decided claims."""
    result = officer.call(draw_sample, ctx, rate=Decimal(body.rate), seed=body.seed,
                          date_from=body.date_from, date_to=body.date_to)
    data = result.as_dict()
    return SampleOut(sample_id=data["sample_id"], seed=data["seed"], rate=data["rate"],
                     population_size=data["population_size"],
                     population_sha256=data["population_sha256"],
                     sample_size=data["sample_size"], strata=data["strata"],
                     claims=data["claims"])


@router.get("/audit/report", response_model=AuditReportOut, tags=["audit"])
def audit(sample_id: int | None = Query(None, ge=1),
          ctx: Context = Depends(auditors)) -> AuditReportOut:
    """Error rates per verifier and township with 95 % Wilson intervals; material cases."""
    return AuditReportOut.model_validate(officer.call(audit_report, ctx, sample_id).as_dict())


def _counts(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "amount_paid": fmt(values["amount_paid"])}


@router.get("/report/summary", response_model=SummaryOut, tags=["report"])
def summary(request: Request, year: int | None = Query(None, ge=2000, le=2100),
            ctx: Context = Depends(readers)) -> SummaryOut:
    """Households and persons verified, posted and paid, and the amounts, in total and by
    claim category, household category and township (the summary report's figures)."""
    model = officer.summary_model(ctx, year, web_state(request).settings.issuing_office,
                                  officer.period_label(year))

    def rows(items: Any, labels: dict[str, str] | None, key: str) -> list[BreakdownOut]:
        out = []
        for row in items:
            code = getattr(row, key)
            counts = row.model_dump(include=set(CountsOut.model_fields))
            out.append(BreakdownOut(key=code, label=(labels or {}).get(code, code),
                                    **_counts(counts)))
        return out

    return SummaryOut(
        year=year, sentences=summary_sentences(model),
        totals=CountsOut(**_counts(model.totals.model_dump())),
        by_claim_category=rows(model.by_claim_category, CLAIM_CATEGORY_LABELS, "category"),
        by_household_category=rows(model.by_household_category, HOUSEHOLD_CATEGORY_LABELS,
                                   "category"),
        by_township=rows(model.by_township, None, "township"))


@router.post("/report/documents", tags=["report"],
             responses={200: {"content": {PDF: {}, XLSX: {}},
                              "description": "The summary report file."}})
def report_document(request: Request, body: DocumentRequest,
                    ctx: Context = Depends(readers)) -> Response:
    """Write the summary report (PDF with charts, or XLSX) with the documents service, which
    records it with its SHA-256, and return it."""
    settings = web_state(request).settings
    path = officer.write_summary(ctx, settings.documents_dir, settings.issuing_office,
                                 body.year, body.format)
    return FileResponse(path, media_type=PDF if body.format == "pdf" else XLSX,
                        filename=path.name)
