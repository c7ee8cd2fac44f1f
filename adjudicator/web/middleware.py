"""ASGI middleware: security headers (on every response, a server error's included), a
request body limit, a refusal of NUL characters, reads that never take SQLite's write lock,
and an access log that never prints a query string (where an ID number could be) or a form
value."""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adjudicator.logs import get_logger, log_exception
from adjudicator.storage.db import reads_only

log = get_logger("adjudicator.web")

#: Scripts, styles and images from this server only (htmx is vendored; charts are CSS),
#: no framing, forms post only here.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"geolocation=(), microphone=(), camera=(self)"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
TOO_LARGE = "请求太大：每个文件最多 {mb:g} MB，一次最多 {files} 个文件。"
SERVER_ERROR = "系统内部错误，请稍后再试；如果一再出现，请联系管理员。"
NUL_REFUSED = "请求的{where}中含有空字符（NUL，%00），这不是有效的内容，请删去后重试。"


async def plain_error(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    """An error answered by middleware: the API's JSON error, or a short page."""
    if scope["path"].startswith("/api/"):
        body = json.dumps({"error": {"code": code, "message": message, "detail": None,
                                     "fields": []}}, ensure_ascii=False).encode()
        kind = b"application/json"
    else:
        body = (f"<!doctype html><meta charset=utf-8><title>{status}</title>"
                f"<p>{message}</p><p><a href=\"javascript:history.back()\">返回</a>"
                ).encode()
        kind = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"cache-control", b"no-store"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """The security headers on every response. A request that fails with an unexpected
    error is answered here (500, JSON or a page, headers included) and its traceback logged
    through the log scrubber (frames and the error's class, never its message, which may
    quote a value); nothing reaches the server's own error log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k, v) for k, v in SECURITY_HEADERS if k not in present)]
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception as exc:
            with contextlib.suppress(OSError, ValueError):
                log_exception(log, "http.server_error", exc, method=scope["method"],
                              path=scope["path"])
            if not started:
                await plain_error(scope, with_headers, 500, "server_error", SERVER_ERROR)


def _json_has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_json_has_nul(k) or _json_has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_json_has_nul(v) for v in value)
    return False


def has_nul(body: bytes, content_type: str) -> bool:
    """Whether a JSON or URL-encoded body carries a NUL character in any string."""
    if content_type.startswith("application/json"):
        try:
            return _json_has_nul(orjson.loads(body))
        except orjson.JSONDecodeError:
            return False  # malformed JSON: the route's validation answers it
    if content_type.startswith("application/x-www-form-urlencoded"):
        text = body.decode("latin-1")
        return any("\x00" in k or "\x00" in v for k, v in parse_qsl(text, keep_blank_values=True))
    return False


class RefuseNul:
    """400 for a NUL character in the path, the query string or a string of a JSON or
    URL-encoded body (PostgreSQL cannot store one; SQLite would store it silently). Forms
    with files are checked by the `no_nul_in_form` dependency once parsed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        if "\x00" in scope["path"] or any("\x00" in k or "\x00" in v for k, v in
                                          parse_qsl(query, keep_blank_values=True)):
            await plain_error(scope, send, 400, "nul_character",
                              NUL_REFUSED.format(where="地址"))
            return
        kind = dict(scope.get("headers", [])).get(b"content-type", b"").decode("latin-1")
        if not kind.startswith(("application/json", "application/x-www-form-urlencoded")):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if has_nul(body, kind.lower()):
            await plain_error(scope, send, 400, "nul_character",
                              NUL_REFUSED.format(where="内容"))
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class ReadsOnly:
    """GET and HEAD requests only read: their database sessions never take SQLite's write
    lock (a long write elsewhere does not hold them up); a write inside one still does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            with reads_only():
                await self.app(scope, receive, send)
            return
        await self.app(scope, receive, send)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """413 for a request body over `limit` bytes, by Content-Length or while streaming,
    before any route sees it."""

    def __init__(self, app: ASGIApp, limit: int, upload_mb: float, files: int) -> None:
        self.app, self.limit = app, limit
        self.message = TOO_LARGE.format(mb=upload_mb, files=files)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        await plain_error(scope, send, 413, "request_too_large", self.message)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await self._refuse(scope, send)
            return
        seen = 0
        started = False

        async def counting() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, tracking)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send)


class AccessLog:
    """One log line per request: method, path (no query string), status, milliseconds and
    the acting user id. The log processor masks any ID-like digits left in a path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording)
        finally:
            state = scope.get("state") or {}
            signed = state.get("signed") if isinstance(state, dict) else None
            # A closed log stream never fails a request.
            with contextlib.suppress(OSError, ValueError):
                log.info("http.request", method=scope["method"], path=scope["path"],
                         status=status["code"],
                         ms=round((time.perf_counter() - start) * 1000, 1),
                         user=getattr(signed, "user_id", None))
