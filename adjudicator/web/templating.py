"""Jinja2 pages: autoescaped templates, Chinese labels and money formatting as filters, and
one `page` helper that adds the signed-in user and the CSRF token to every page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import Response

from adjudicator.documents.trace_labels import reason_name
from adjudicator.masking import mask_id_number, mask_name
from adjudicator.rules.reasons import reason_text
from adjudicator.storage.clock import local
from adjudicator.web.csrf import CSRF_FIELD, CSRF_HEADER, PRELOGIN_COOKIE
from adjudicator.web.labels import TABLES, label

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def money(value: Any) -> str:
    """10500 -> '10,500.00'; blank stays blank."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)


def chinese_date(value: Any) -> str:
    """A date, or the date of a stored instant in the county's time zone (an instant stored
    as 2026-03-15T23:30Z is 2026年3月16日 in Beijing)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = local(value)
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, str) and len(value) > 10 and value.endswith("Z"):
        try:
            return chinese_date(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return chinese_date(dt.date.fromisoformat(value[:10]))
        except ValueError:
            return value
    return "" if value is None else str(value)


def _labeller(table: dict[str, str]) -> Any:
    return lambda code: label(table, code)


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
    env = templates.env
    env.autoescape = True
    env.trim_blocks = env.lstrip_blocks = True
    env.filters.update({
        "money": money, "cdate": chinese_date, "mask_name": mask_name,
        "mask_id": mask_id_number, "reason_words": reason_text, "reason_name": reason_name,
        "q": lambda v: quote(str(v), safe=""),
        **{f"{name}_label": _labeller(table) for name, table in TABLES.items()},
    })
    env.globals.update({"CSRF_FIELD": CSRF_FIELD, "CSRF_HEADER": CSRF_HEADER})
    return templates


def page(request: Request, name: str, context: dict[str, Any] | None = None,
         status: int = 200) -> Response:
    """Render a page for the signed-in user (or the login page), no-store: these pages carry
    personal data and may be opened on a shared phone."""
    templates: Jinja2Templates = request.app.state.web.templates
    signed = getattr(request.state, "signed", None)
    csrf = signed.csrf_token if signed is not None else request.cookies.get(PRELOGIN_COOKIE)
    data = {"signed": signed, "csrf_token": csrf or "", "path": request.url.path,
            **(context or {})}
    response = templates.TemplateResponse(request, name, data, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response
