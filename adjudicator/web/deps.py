"""FastAPI dependencies: who is signed in, the CSRF guard, the service Context per request,
and the role gates of the verifier and officer pages."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends
from starlette.requests import Request

from adjudicator.roles import Role
from adjudicator.storage.context import Context
from adjudicator.web.auth import SignedIn
from adjudicator.web.csrf import (
    EXEMPT_PATHS,
    PRELOGIN_COOKIE,
    SAFE_METHODS,
    forged,
    has_bearer,
    same,
    submitted_token,
)
from adjudicator.web.errors import WebError
from adjudicator.web.labels import ROLE_LABELS
from adjudicator.web.middleware import NUL_REFUSED
from adjudicator.web.state import web_state

SESSION_COOKIE = "fpb_session"


def current(request: Request) -> SignedIn | None:
    """The signed-in user: from a bearer token when the request has one (and then only from
    it), else from the session cookie."""
    auth = web_state(request).auth
    if has_bearer(request):
        token = request.headers["authorization"].split(" ", 1)[1].strip()
        signed = auth.lookup(token, "api")
    else:
        signed = auth.lookup(request.cookies.get(SESSION_COOKIE), "browser")
    request.state.signed = signed
    return signed


async def no_nul_in_form(request: Request) -> None:
    """400 for a NUL character in a field of a form with files (JSON and plain forms are
    refused before any route, by the RefuseNul middleware)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return
    form = await request.form()
    if any("\x00" in key or (isinstance(value, str) and "\x00" in value)
           for key, value in form.multi_items()):
        raise WebError(400, "nul_character", NUL_REFUSED.format(where="内容"))


async def csrf_guard(request: Request, signed: SignedIn | None = Depends(current)) -> None:
    """Refuse any unsafe request without the right CSRF token (see `csrf`)."""
    if (request.method in SAFE_METHODS or request.url.path in EXEMPT_PATHS
            or has_bearer(request)):
        return
    expected = signed.csrf_token if signed is not None else request.cookies.get(PRELOGIN_COOKIE)
    if not same(expected, await submitted_token(request)):
        raise forged()


def client_address(request: Request) -> str:
    """The client's address (behind a proxy, uvicorn's --proxy-headers puts the address the
    proxy saw here), for the login throttle."""
    return request.client.host if request.client is not None else "unknown"


def signed_in(signed: SignedIn | None = Depends(current)) -> SignedIn:
    if signed is None:
        raise WebError(401, "not_authenticated", "请先登录。")
    return signed


def context_of(request: Request, signed: SignedIn) -> Context:
    web = web_state(request)
    return Context(web.engine, web.factory, signed.user_id, signed.role, web.settings.clock,
                   signed.townships)


def user_context(request: Request, signed: SignedIn = Depends(signed_in)) -> Context:
    """The service context acting as the signed-in user (the services check the role)."""
    return context_of(request, signed)


def roles(*allowed: Role) -> Callable[..., Context]:
    """A dependency admitting only these roles (and admin) to a group of pages."""
    names = "、".join(ROLE_LABELS[r.value] for r in allowed)

    def gate(ctx: Context = Depends(user_context)) -> Context:
        if ctx.role != Role.ADMIN.value and ctx.role not in {r.value for r in allowed}:
            raise WebError(403, "forbidden", f"这些页面供{names}使用，您的角色无权访问。",
                           detail=f"user {ctx.user_id} ({ctx.role})")
        return ctx

    return gate


verifier_only = roles(Role.VERIFIER)
officer_only = roles(Role.OFFICER)
readers = roles(Role.OFFICER, Role.AUDITOR, Role.SUPERVISOR)
auditors = roles(Role.OFFICER, Role.AUDITOR)
