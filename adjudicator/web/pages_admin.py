"""The admin's user pages (用户管理) and the one-time set-up page a new user opens."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from adjudicator.messages import LocalizedError, Message
from adjudicator.services.places import place_names
from adjudicator.services.users import list_users
from adjudicator.storage.context import Context
from adjudicator.storage.models_web import WebCredential
from adjudicator.web import users_admin
from adjudicator.web.auth import MIN_PASSWORD, PasswordRejected
from adjudicator.web.csrf import PRELOGIN_COOKIE, new_token
from adjudicator.web.deps import roles
from adjudicator.web.errors import WebError
from adjudicator.web.pages_auth import secure_cookie
from adjudicator.web.state import web_state
from adjudicator.web.templating import page

router = APIRouter(include_in_schema=False)
admin_only = roles()  # the admin alone


def _users_page(request: Request, ctx: Context, *,
                links: Sequence[tuple[str, str, str]] = (),
                message: str = "", error: WebError | None = None,
                problems: Sequence[tuple[int, str]] = (), status: int = 200) -> Response:
    users = list_users(ctx)
    with ctx.factory() as session:
        with_password = {c for (c,) in session.query(WebCredential.user_id).all()}
    names = place_names(ctx)
    base = str(request.base_url).rstrip("/")
    return page(request, "admin_users.html", {
        "users": users, "with_password": with_password, "names": names,
        "links": [(user, name, f"{base}/setup/{token}") for user, name, token in links],
        "message": message, "error": error, "problems": problems,
        "hours": users_admin.LINK_HOURS}, status=status)


@router.get("/admin/users")
def users(request: Request, ctx: Context = Depends(admin_only)) -> Response:
    return _users_page(request, ctx)


def _refused(exc: Exception) -> WebError:
    text = exc.localized("zh") if isinstance(exc, LocalizedError) else str(exc)
    return WebError(422, "user_admin_refused", text)


@router.post("/admin/users")
async def add(request: Request, ctx: Context = Depends(admin_only)) -> Response:
    form = await request.form()
    user_id, name = str(form.get("user_id") or ""), str(form.get("display_name") or "")
    townships = str(form.get("townships") or "").replace("、", " ").split()
    try:
        token = await run_in_threadpool(users_admin.add_with_link, ctx, user_id, name,
                                        str(form.get("role") or ""), townships)
    except users_admin.UserAdminRefused as exc:
        return _users_page(request, ctx, error=_refused(exc), status=422)
    return _users_page(request, ctx, links=[(user_id.strip(), name.strip(), token)],
                       message=f"已添加用户 {user_id.strip()}。")


@router.post("/admin/users/import")
async def import_(request: Request, ctx: Context = Depends(admin_only)) -> Response:
    form = await request.form()
    upload = form.get("file")
    data = await upload.read() if upload is not None and hasattr(upload, "read") else b""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
    try:
        result = await run_in_threadpool(users_admin.import_users, ctx, text)
    except users_admin.UserAdminRefused as exc:
        return _users_page(request, ctx, error=_refused(exc), status=422)
    return _users_page(request, ctx, links=result.links, problems=result.problems,
                       message=f"导入 {len(result.links)} 个用户，退回 {len(result.problems)} 行。")


@router.post("/admin/users/{user_id}/{action}")
async def act(request: Request, user_id: str, action: str,
              ctx: Context = Depends(admin_only)) -> Response:
    try:
        if action == "disable":
            await run_in_threadpool(users_admin.set_active, ctx, user_id, False)
            return _users_page(request, ctx, message=f"已停用 {user_id}，其登录已全部退出。")
        if action == "enable":
            await run_in_threadpool(users_admin.set_active, ctx, user_id, True)
            return _users_page(request, ctx, message=f"已启用 {user_id}。")
        if action == "reset":
            token = await run_in_threadpool(users_admin.issue_link, ctx, user_id, reset=True)
            return _users_page(request, ctx, links=[(user_id, "", token)],
                               message=f"已重置 {user_id} 的密码：原密码和登录已失效。")
    except users_admin.UserAdminRefused as exc:
        return _users_page(request, ctx, error=_refused(exc), status=422)
    raise WebError(404, "not_found", "没有这个操作。")


def _setup_page(request: Request, token: str, user_id: str | None,
                error: WebError | None = None, status: int = 200) -> Response:
    csrf = request.cookies.get(PRELOGIN_COOKIE) or new_token()
    response = page(request, "setup.html", {"user_id": user_id, "token": token,
                                            "error": error, "csrf_token": csrf,
                                            "min_length": MIN_PASSWORD},
                    status=status if user_id else 410)
    response.set_cookie(PRELOGIN_COOKIE, csrf, max_age=3600, httponly=True, samesite="lax",
                        secure=secure_cookie(request), path="/")
    return response


@router.get("/setup/{token}")
def setup_form(request: Request, token: str) -> Response:
    web = web_state(request)
    user_id = users_admin.link_user(web.factory, token, web.settings.clock())
    return _setup_page(request, token, user_id)


@router.post("/setup/{token}")
async def setup(request: Request, token: str) -> Response:
    web = web_state(request)
    form = await request.form()
    password, again = str(form.get("password") or ""), str(form.get("again") or "")
    user_id = users_admin.link_user(web.factory, token, web.settings.clock())
    if user_id is None:
        return _setup_page(request, token, None)
    try:
        if password != again:
            raise PasswordRejected(Message("password.mismatch"))
        await run_in_threadpool(users_admin.use_link, web.factory, token, password,
                                web.settings.clock())
    except PasswordRejected as exc:
        return _setup_page(request, token, user_id, WebError(422, "password_rejected",
                                                             exc.localized("zh")), 422)
    return RedirectResponse("/login?setup=done", status_code=303)
