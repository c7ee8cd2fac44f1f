"""County officer pages: the pend queue and reviews, notices, sampling audits, the summary."""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from adjudicator.services.audit import (
    REPORT_HEADERS,
    audit_report,
    draw_sample,
    render_report_pdf,
    report_table_rows,
    write_report_xlsx,
)
from adjudicator.services.notices import close_notice, list_notices, record_objection
from adjudicator.storage.context import Context
from adjudicator.web import officer
from adjudicator.web.auth import SignedIn
from adjudicator.web.deps import auditors, officer_only, readers, signed_in
from adjudicator.web.errors import WebError
from adjudicator.web.state import web_state
from adjudicator.web.templating import page

router = APIRouter(prefix="/officer", include_in_schema=False)
PDF, XLSX = "application/pdf", ("application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet")


def _q(value: str) -> str:
    return quote(value, safe="")


# --------------------------------------------------------------------------- pend queue


@router.get("/pending")
def pending(request: Request, ctx: Context = Depends(officer_only),
            signed: SignedIn = Depends(signed_in)) -> Response:
    return page(request, "officer_pending.html", {
        "queue": officer.pend_queue(ctx, signed),
        "done": request.query_params.get("done"),
        "done_claim": request.query_params.get("claim")})


def _claim_page(request: Request, ctx: Context, signed: SignedIn, claim_id: str,
                error: WebError | None = None, reason: str = "", status: int = 200
                ) -> Response:
    view = officer.decision_view(ctx, signed, claim_id)
    return page(request, "officer_claim.html", {
        "view": view, "d": view.decision, "error": error, "reason": reason,
        "facts": officer.case_facts(ctx, signed, claim_id),
        "in_scope": view.pended is not None}, status=status)


@router.get("/claims/{claim_id}")
def claim(request: Request, claim_id: str, ctx: Context = Depends(officer_only),
          signed: SignedIn = Depends(signed_in)) -> Response:
    return _claim_page(request, ctx, signed, claim_id)


@router.get("/claims/{claim_id}/evidence/{pk}")
def evidence(claim_id: str, pk: int, request: Request, ctx: Context = Depends(auditors),
             signed: SignedIn = Depends(signed_in)) -> Response:
    """A photo or scan of the claim's verification: to officers (of its township) and
    auditors only, through the app, never cached or shared."""
    path, mime = officer.evidence_file(ctx, signed, claim_id, pk,
                                       web_state(request).settings.evidence_dir)
    return FileResponse(path, media_type=mime, headers={
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline"})


@router.post("/claims/{claim_id}/review")
async def review(request: Request, claim_id: str, ctx: Context = Depends(officer_only),
                 signed: SignedIn = Depends(signed_in)) -> Response:
    posted = await request.form()
    action = str(posted.get("action") or "")
    reason = str(posted.get("reason") or "")[:1000]
    htmx = bool(request.headers.get("HX-Request"))
    try:
        if action not in ("approve", "deny"):
            raise WebError(422, "invalid_action", "请选择“批准”或“不予救助”。")
        done = await run_in_threadpool(officer.review, ctx, signed, claim_id, action, reason)
    except WebError as error:
        if htmx:
            return page(request, "_error.html", {"error": error}, status=error.status)
        return await run_in_threadpool(_claim_page, request, ctx, signed, claim_id, error,
                                       reason, error.status)
    if htmx:
        response = page(request, "_review_done.html", {"review": done, "claim_id": claim_id})
        response.headers["HX-Retarget"] = "#review-panel"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    return RedirectResponse(f"/officer/pending?done={done.action}&claim={_q(claim_id)}",
                            status_code=303)


# --------------------------------------------------------------------------- notices


def _notices_page(request: Request, ctx: Context, signed: SignedIn,
                  error: WebError | None = None, status: int = 200,
                  created: list[Any] | None = None) -> Response:
    return page(request, "officer_notices.html", {
        "notices": list_notices(ctx), "error": error, "created": created,
        "townships": signed.townships, "today": ctx.today(),
        "done": request.query_params.get("done"), "ref": request.query_params.get("ref")},
        status=status)


@router.get("/notices")
def notices(request: Request, ctx: Context = Depends(officer_only),
            signed: SignedIn = Depends(signed_in)) -> Response:
    return _notices_page(request, ctx, signed)


@router.post("/notices")
async def create(request: Request, ctx: Context = Depends(officer_only),
                 signed: SignedIn = Depends(signed_in)) -> Response:
    posted = await request.form()
    township = str(posted.get("township") or "").strip()[:12] or None
    village = str(posted.get("village") or "").strip()[:12] or None
    out = web_state(request).settings.documents_dir
    try:
        created = await run_in_threadpool(officer.post_notices, ctx, signed, out, township,
                                          village)
    except WebError as error:
        return await run_in_threadpool(_notices_page, request, ctx, signed, error,
                                       error.status)
    return await run_in_threadpool(_notices_page, request, ctx, signed, None, 200, created)


@router.post("/notices/{notice_no}/close")
async def close(request: Request, notice_no: str, ctx: Context = Depends(officer_only),
                signed: SignedIn = Depends(signed_in)) -> Response:
    try:
        await run_in_threadpool(officer.call, close_notice, ctx, notice_no)
    except WebError as error:
        return await run_in_threadpool(_notices_page, request, ctx, signed, error,
                                       error.status)
    return RedirectResponse(f"/officer/notices?done=closed&ref={_q(notice_no)}",
                            status_code=303)


@router.get("/notices/{notice_no}/pdf")
def notice_pdf(notice_no: str, request: Request, ctx: Context = Depends(officer_only)
               ) -> Response:
    path, _ = officer.notice_pdf(ctx, notice_no, web_state(request).settings.documents_dir)
    return FileResponse(path, media_type=PDF, filename=f"{notice_no}.pdf",
                        headers={"Cache-Control": "no-store"})


@router.post("/objections")
async def objection(request: Request, ctx: Context = Depends(officer_only),
                    signed: SignedIn = Depends(signed_in)) -> Response:
    posted = await request.form()
    claim_id = str(posted.get("claim_id") or "").strip()[:64]
    reason = str(posted.get("reason") or "")[:1000]
    try:
        if not claim_id:
            raise WebError(422, "claim_required", "请填写案件编号。")
        await run_in_threadpool(officer.call, record_objection, ctx, claim_id, reason)
    except WebError as error:
        return await run_in_threadpool(_notices_page, request, ctx, signed, error,
                                       error.status)
    return RedirectResponse(f"/officer/notices?done=objected&ref={_q(claim_id)}",
                            status_code=303)


# --------------------------------------------------------------------------- audit


def _audit_page(request: Request, ctx: Context, error: WebError | None = None,
                result: Any = None, values: dict[str, str] | None = None,
                status: int = 200) -> Response:
    report = officer.call(audit_report, ctx)
    return page(request, "officer_audit.html", {
        "samples": report.samples, "error": error, "result": result,
        "values": values or {"rate": "0.05", "seed": str(secrets.randbelow(10**9)),
                             "date_from": "", "date_to": ""}}, status=status)


@router.get("/audit")
def audit(request: Request, ctx: Context = Depends(auditors)) -> Response:
    return _audit_page(request, ctx)


def _date(text: str, label: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise WebError(422, "invalid_date", f"{label}格式应为 年-月-日，如 2026-03-01。") from exc


@router.post("/audit/samples")
async def sample(request: Request, ctx: Context = Depends(auditors)) -> Response:
    posted = await request.form()
    values = {key: str(posted.get(key) or "").strip()[:32]
              for key in ("rate", "seed", "date_from", "date_to")}
    try:
        try:
            rate = Decimal(values["rate"])
        except InvalidOperation as exc:
            raise WebError(422, "invalid_rate", "抽样比例应为小数，如 0.05。") from exc
        if not values["seed"].isdigit():
            raise WebError(422, "invalid_seed", "随机种子应为非负整数。")
        result = await run_in_threadpool(
            officer.call, draw_sample, ctx, rate=rate, seed=int(values["seed"]),
            date_from=_date(values["date_from"], "开始日期"),
            date_to=_date(values["date_to"], "结束日期"))
    except WebError as error:
        return await run_in_threadpool(_audit_page, request, ctx, error, None, values,
                                       error.status)
    return await run_in_threadpool(_audit_page, request, ctx, None, result, values)


def _sample_id(request: Request) -> int | None:
    text = request.query_params.get("sample") or ""
    return int(text) if text.isdigit() else None


@router.get("/audit/report")
def audit_report_page(request: Request, ctx: Context = Depends(auditors)) -> Response:
    sample_id = _sample_id(request)
    report = officer.call(audit_report, ctx, sample_id)
    return page(request, "officer_audit_report.html", {
        "report": report, "sample_id": sample_id, "headers": REPORT_HEADERS,
        "by_verifier": report_table_rows([*report.by_verifier, report.total]),
        "by_township": report_table_rows([*report.by_township, report.total])})


@router.get("/audit/report.pdf")
def audit_report_pdf(request: Request, ctx: Context = Depends(auditors)) -> Response:
    report = officer.call(audit_report, ctx, _sample_id(request))
    return Response(render_report_pdf(report), media_type=PDF, headers={
        "Content-Disposition": 'attachment; filename="audit-report.pdf"',
        "Cache-Control": "no-store"})


@router.get("/audit/report.xlsx")
def audit_report_xlsx(request: Request, ctx: Context = Depends(auditors)) -> Response:
    report = officer.call(audit_report, ctx, _sample_id(request))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "audit-report.xlsx"
        write_report_xlsx(report, path)
        data = path.read_bytes()
    return Response(data, media_type=XLSX, headers={
        "Content-Disposition": 'attachment; filename="audit-report.xlsx"',
        "Cache-Control": "no-store"})


# --------------------------------------------------------------------------- summary


def _year(request: Request, ctx: Context, text: str | None = None) -> int | None:
    value = text if text is not None else request.query_params.get("year")
    if value == "all":
        return None
    if value and value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return int(ctx.today().year)


@router.get("/report")
def report(request: Request, ctx: Context = Depends(readers)) -> Response:
    year = _year(request, ctx)
    office = web_state(request).settings.issuing_office
    summary = officer.call(officer.summary_model, ctx, year, office, officer.period_label(year))
    from adjudicator.documents.summary import summary_sections, summary_sentences

    return page(request, "officer_report.html", {
        "year": year, "this_year": ctx.today().year, "summary": summary,
        "sentences": summary_sentences(summary), "sections": summary_sections(summary),
        "charts": officer.charts(summary)})


@router.post("/report/download")
async def report_download(request: Request, ctx: Context = Depends(readers)) -> Response:
    posted = await request.form()
    fmt = "xlsx" if posted.get("format") == "xlsx" else "pdf"
    year = _year(request, ctx, str(posted.get("year") or ""))
    settings = web_state(request).settings
    path = await run_in_threadpool(officer.write_summary, ctx, settings.documents_dir,
                                   settings.issuing_office, year, fmt)
    return FileResponse(path, media_type=PDF if fmt == "pdf" else XLSX, filename=path.name,
                        headers={"Cache-Control": "no-store"})
