"""CSRF protection for every state-changing request.

- Signed-in browser: the session's own random CSRF token, in the hidden form field
  `csrf_token` or (htmx, JSON fetches) the `X-CSRF-Token` header, compared in constant time.
- Before login: a double-submit token, a random value in the `fpb_prelogin` cookie that the
  login form repeats (so a foreign site cannot log a victim into the attacker's account).
- API clients with `Authorization: Bearer …` send no ambient credential a foreign page could
  borrow, so they need no CSRF token; a bearer header is then the only credential read.
- The API's token endpoint sets no cookie and answers only JSON, so it is exempt.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

from adjudicator.web.errors import WebError

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
PRELOGIN_COOKIE = "fpb_prelogin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXEMPT_PATHS = frozenset({"/api/v1/auth/token"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def has_bearer(request: Request) -> bool:
    return request.headers.get("authorization", "").lower().startswith("bearer ")


async def submitted_token(request: Request) -> str | None:
    """The token the request carries: the header, else the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def same(expected: str | None, given: str | None) -> bool:
    return bool(expected and given) and hmac.compare_digest(str(expected).encode(),
                                                            str(given).encode())


def forged() -> WebError:
    return WebError(403, "csrf_failed",
                    "页面已过期或请求来源不明（安全校验未通过），请刷新页面后重试。")
