"""Pages: login, logout, and the home page that sends each role to its work."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from adjudicator.roles import Role, may
from adjudicator.web.auth import SignedIn
from adjudicator.web.csrf import PRELOGIN_COOKIE, new_token
from adjudicator.web.deps import SESSION_COOKIE, client_address, current, signed_in
from adjudicator.web.errors import WebError
from adjudicator.web.state import web_state
from adjudicator.web.templating import page

router = APIRouter(include_in_schema=False)


def secure_cookie(request: Request) -> bool:
    mode = web_state(request).settings.secure_cookies
    return mode == "always" or (mode == "auto" and request.url.scheme == "https")


def _safe_next(target: str | None) -> str:
    """Only a path of this site (no scheme, no host, no '//'): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc or "\\" in target else target


def _login_page(request: Request, error: WebError | None = None, login: str = "",
                status: int = 200) -> Response:
    token = request.cookies.get(PRELOGIN_COOKIE) or new_token()
    response = page(request, "login.html", {
        "error": error, "login": login, "csrf_token": token,
        "next": _safe_next(request.query_params.get("next"))}, status=status)
    response.set_cookie(PRELOGIN_COOKIE, token, max_age=3600, httponly=True, samesite="lax",
                        secure=secure_cookie(request), path="/")
    return response


@router.get("/login")
def login_form(request: Request, signed: SignedIn | None = Depends(current)) -> Response:
    if signed is not None:
        return RedirectResponse("/", status_code=303)
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    name = str(form.get("username") or "")
    password = str(form.get("password") or "")
    auth = web_state(request).auth
    try:
        token, signed = await auth.login(name, password, "browser", client_address(request))
    except WebError as error:
        return _login_page(request, error, name[:64], status=error.status)
    target = _safe_next(str(form.get("next") or "/"))
    response = RedirectResponse(target, status_code=303)
    hours = web_state(request).settings.session_hours
    response.set_cookie(SESSION_COOKIE, token, max_age=int(hours * 3600), httponly=True,
                        samesite="lax", secure=secure_cookie(request), path="/")
    response.delete_cookie(PRELOGIN_COOKIE, path="/")
    request.state.signed = signed
    return response


@router.post("/logout")
def logout(request: Request, signed: SignedIn = Depends(signed_in)) -> Response:
    web_state(request).auth.logout(signed)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(request: Request, signed: SignedIn = Depends(signed_in)) -> Response:
    if signed.role == Role.VERIFIER.value:
        return RedirectResponse("/verifier/claims", status_code=303)
    if signed.role == Role.OFFICER.value:
        return RedirectResponse("/officer/pending", status_code=303)
    links = []
    if may(signed.role, "review"):
        links.append(("/officer/pending", "待审核队列"))
    if may(signed.role, "notice"):
        links.append(("/officer/notices", "公示管理"))
    if may(signed.role, "audit.record"):
        links.append(("/officer/audit", "抽样复核"))
    if may(signed.role, "read"):
        links.append(("/officer/report", "统计报表"))
    if may(signed.role, "user.manage"):
        links.append(("/admin/users", "用户管理"))
    return page(request, "home.html", {"links": links})
