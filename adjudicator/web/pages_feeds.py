"""The township officer's page of the monthly push list (预警推送名单): keep or remove each
household with a reason (乡镇初筛). The same service calls as `adjudicator feed keep|remove`,
so the same roles and township scope apply."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from adjudicator.feeds.importer import FeedRefused
from adjudicator.feeds.triage import (
    TriageRefused,
    TriageResult,
    keep_household,
    push_entries,
    remove_household,
)
from adjudicator.roles import PermissionDenied
from adjudicator.storage.context import Context
from adjudicator.web.deps import officer_only
from adjudicator.web.errors import WebError
from adjudicator.web.templating import page
from schemas.vocabulary import CLAIM_CATEGORIES

router = APIRouter(prefix="/officer/feeds", include_in_schema=False)
CATEGORIES = {c: CLAIM_CATEGORIES[c].zh for c in ("medical", "disaster", "education")}


def _month(ctx: Context, value: str | None) -> str:
    if value:
        return value[:7]
    today = ctx.clock().date()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def _page(request: Request, ctx: Context, month: str, error: WebError | None = None,
          done: TriageResult | None = None, status: int = 200) -> Response:
    try:
        entries = push_entries(ctx, month)
    except FeedRefused as exc:
        error, entries, status = WebError(422, "invalid_month", exc.localized("zh")), [], 422
    return page(request, "officer_feeds.html", {
        "month": month, "entries": entries, "error": error, "done": done,
        "categories": CATEGORIES,
        "pushed": [e for e in entries if e["status"] == "pushed"],
        "decided": [e for e in entries if e["status"] in ("kept", "removed")],
        "screened_out": [e for e in entries if e["status"] == "screened_out"]},
        status=status)


@router.get("")
def push_list(request: Request, ctx: Context = Depends(officer_only)) -> Response:
    return _page(request, ctx, _month(ctx, request.query_params.get("month")))


@router.post("/{household_id}/{action}")
async def decide(request: Request, household_id: str, action: str,
                 ctx: Context = Depends(officer_only)) -> Response:
    posted = await request.form()
    month = _month(ctx, str(posted.get("month") or ""))
    category = str(posted.get("category") or "") or None
    reason = str(posted.get("reason") or "")[:500]
    try:
        if action == "keep":
            done: Any = await run_in_threadpool(keep_household, ctx, month, household_id,
                                                reason, category)
        elif action == "remove":
            done = await run_in_threadpool(remove_household, ctx, month, household_id,
                                           reason, category)
        else:
            raise WebError(404, "not_found", "没有这个操作。")
    except (TriageRefused, FeedRefused) as exc:
        error = WebError(422, "refused", exc.localized("zh"))
        return await run_in_threadpool(_page, request, ctx, month, error, None, 422)
    except PermissionDenied as exc:
        error = WebError(403, "forbidden", "该户不属于您负责的乡镇。", detail=str(exc))
        return await run_in_threadpool(_page, request, ctx, month, error, None, 403)
    return RedirectResponse(f"/officer/feeds?month={quote(month)}&done={quote(done.status)}"
                            f"&household={quote(household_id, safe='')}", status_code=303)
