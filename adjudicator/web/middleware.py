"""ASGI middleware: security headers, a request body limit, and an access log that never
prints a query string (where an ID number could be) or a form value."""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adjudicator.logs import get_logger

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


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k, v) for k, v in SECURITY_HEADERS if k not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """413 for a request body over `limit` bytes, by Content-Length or while streaming,
    before any route sees it."""

    def __init__(self, app: ASGIApp, limit: int, upload_mb: float, files: int) -> None:
        self.app, self.limit = app, limit
        self.message = TOO_LARGE.format(mb=upload_mb, files=files)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        if scope["path"].startswith("/api/"):
            body = json.dumps({"error": {"code": "request_too_large", "message": self.message,
                                         "detail": None, "fields": []}},
                              ensure_ascii=False).encode()
            kind = b"application/json"
        else:
            body = (f"<!doctype html><meta charset=utf-8><title>请求太大</title>"
                    f"<p>{self.message}</p><p><a href=\"javascript:history.back()\">返回</a>"
                    ).encode()
            kind = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", kind),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

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
