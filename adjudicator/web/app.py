"""The app factory: `create_app(WebSettings(...))` gives the FastAPI application that
`adjudicator serve` runs with uvicorn (and the tests drive with TestClient)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from adjudicator.logs import get_logger
from adjudicator.rules.version import ENGINE_VERSION
from adjudicator.storage.context import connect
from adjudicator.web import api, pages_admin, pages_auth, pages_officer, pages_verifier
from adjudicator.web.auth import Authenticator
from adjudicator.web.deps import csrf_guard, no_nul_in_form
from adjudicator.web.errors import WebError, validation_error
from adjudicator.web.middleware import AccessLog, BodyLimit, ReadsOnly, RefuseNul, SecurityHeaders
from adjudicator.web.settings import WebSettings
from adjudicator.web.state import WebState, web_state
from adjudicator.web.templating import make_templates, page

STATIC_DIR = Path(__file__).resolve().parent / "static"
log = get_logger("adjudicator.web")
HTTP_WORDS = {404: ("not_found", "没有这个页面。"),
              405: ("method_not_allowed", "不支持这种请求方式。")}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_headers(request: Request, error: WebError) -> dict[str, str] | None:
    if error.status == 401:
        return {"WWW-Authenticate": "Bearer"}
    if error.status == 429:
        return {"Retry-After": str(web_state(request).settings.login_lock_minutes * 60)}
    if error.status == 503:
        return {"Retry-After": "5"}
    return None


def _error_response(request: Request, error: WebError) -> Response:
    if _is_api(request):
        return JSONResponse(error.as_json(), status_code=error.status,
                            headers=_error_headers(request, error))
    if error.status == 401:
        target = request.url.path if request.method == "GET" else "/"
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
    if request.headers.get("HX-Request"):
        return page(request, "_error.html", {"error": error}, status=error.status)
    return page(request, "error.html", {"error": error}, status=error.status)


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """Connect to the database (which `adjudicator init` created and migrated: the app
    refuses one that does not exist or is not migrated), then build the app with its routers."""
    settings = settings or WebSettings()
    engine, factory = connect(settings.database_url)
    app = FastAPI(
        title="防贫保理算引擎 Web API",
        version=ENGINE_VERSION,
        description=("JSON API for field verifiers and county officers (see docs/web.md). "
                     "Get a bearer token from POST /api/v1/auth/token and send it as "
                     "`Authorization: Bearer <token>`. Errors are `{\"error\": {\"code\", "
                     "\"message\" (Chinese), \"detail\", \"fields\"}}`."),
        dependencies=[Depends(no_nul_in_form), Depends(csrf_guard)],
        docs_url="/api/docs", redoc_url=None, openapi_url="/openapi.json",
    )
    app.state.web = WebState(settings, engine, factory, Authenticator(factory, settings),
                             make_templates())

    @app.exception_handler(WebError)
    async def web_error(request: Request, exc: WebError) -> Response:
        if exc.status >= 500:
            log.error("web.error", code=exc.code, path=request.url.path, detail=exc.detail)
        return _error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        error = validation_error(exc, None)  # type: ignore[arg-type]
        return _error_response(request, error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code, words = HTTP_WORDS.get(exc.status_code, ("http_error", "请求未能完成。"))
        response = _error_response(request, WebError(exc.status_code, code, words))
        for name, value in (exc.headers or {}).items():  # Allow on a 405
            response.headers.setdefault(name, value)
        return response

    app.include_router(pages_auth.router)
    app.include_router(pages_verifier.router)
    app.include_router(pages_officer.router)
    app.include_router(__import__("adjudicator.web.pages_feeds", fromlist=["router"]).router)
    app.include_router(pages_admin.router)
    app.include_router(api.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(ReadsOnly)
    app.add_middleware(RefuseNul)
    app.add_middleware(AccessLog)
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes,
                       upload_mb=settings.max_upload_bytes / (1024 * 1024),
                       files=settings.max_upload_files)
    app.add_middleware(SecurityHeaders)
    return app
