"""`adjudicator serve` (the web app under uvicorn), `adjudicator user password` and
`adjudicator user unlock`.

The web package is imported only when these commands run, so every other command starts as
fast as before."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from adjudicator.messages import Message
from cli.common import AsOption, DbOption, console, context, fail, refused


def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址。\n\n"
                                                     "Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="监听端口。\n\nPort to listen on.")] = 8000,
    db: Annotated[str | None, DbOption] = None,
    evidence_dir: Annotated[Path, typer.Option(
        "--evidence-dir", help="上传的证据文件存放在哪里。\n\n"
        "Where uploaded evidence files are kept.")] = Path("evidence"),
    documents_dir: Annotated[Path, typer.Option(
        "--documents-dir", help="公示和报告写到哪里。\n\n"
        "Where notices and reports are written.")] = Path("documents"),
    max_upload_mb: Annotated[float, typer.Option(
        "--max-upload-mb", help="证据文件大小上限（MB）。\n\n"
        "Largest evidence file accepted (MB).")] = 10.0,
    secure_cookies: Annotated[str, typer.Option(
        "--secure-cookies", help="是否给登录 Cookie 加 Secure：\n\n"
                                 "auto（https 时加）、always 或 never。"
                                 "\n\n"
        "auto (Secure over https), always or never.")] = "auto",
    session_hours: Annotated[float, typer.Option(
        "--session-hours", help="网页登录保持多少小时。\n\n"
        "How long a browser login lasts.")] = 8.0,
    forwarded_allow_ips: Annotated[str, typer.Option(
        "--forwarded-allow-ips", help="信任其 X-Forwarded-Proto/For 的代理。\n\n"
        "Proxies trusted for X-Forwarded-Proto/For.")]
    = "127.0.0.1",
) -> None:
    """启动网页端（核查员和县乡村振兴局的页面，/api/v1 下的 JSON 接口）。
    Start the web app (pages for verifiers and officers, JSON API under /api/v1)."""
    import uvicorn

    from adjudicator.logs import configure_logging
    from adjudicator.web import WebSettings, create_app

    if secure_cookies not in ("auto", "always", "never"):
        fail(Message("cli.secure_cookies"))
    if max_upload_mb <= 0 or session_hours <= 0:
        fail(Message("cli.positive"))
    if not 1 <= port <= 65535:  # before anything starts: the socket refuses it at the end
        fail(Message("cli.bad_port", port=port))
    configure_logging()
    settings = WebSettings(database_url=db, evidence_dir=evidence_dir,
                           documents_dir=documents_dir,
                           max_upload_bytes=int(max_upload_mb * 1024 * 1024),
                           secure_cookies=secure_cookies,  # type: ignore[arg-type]
                           session_hours=session_hours)
    from adjudicator.storage.context import DatabaseNotReady

    try:
        app = create_app(settings)
    except DatabaseNotReady as exc:
        fail(exc)
    except Exception as exc:  # a database that cannot be opened or migrated
        fail(Message("cli.cannot_start",
                     detail=f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"))
    console.print(Message("serve.started", host=host, port=port), highlight=False)
    # uvicorn's own access log prints query strings: ours (adjudicator.web) does not; its
    # other lines go through our log processors (log_config=None keeps configure_logging's).
    uvicorn.run(app, host=host, port=port, access_log=False, proxy_headers=True, log_config=None,
                forwarded_allow_ips=forwarded_allow_ips, server_header=False)


def set_password(
    user_id: Annotated[str, typer.Argument(help="为谁设置网页密码。"
                                                "\n\nWhose web password to set.")],
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """设置网页登录密码（输入两次，不显示），并让其各处登录失效；
    管理员可设任何人的，用户可设自己的。
    Set a user's password for the web app (asked twice, not shown); signs them out
    everywhere. An admin sets anyone's, a user their own."""
    from adjudicator.roles import PermissionDenied
    from adjudicator.web.auth import PasswordRejected, require_active_user
    from adjudicator.web.auth import set_password as store_password

    ctx = context(db, user)
    with refused(PermissionDenied, PasswordRejected):  # before it is typed twice for nobody
        require_active_user(ctx, user_id)
    password = typer.prompt(str(Message("password.new")), hide_input=True,
                            confirmation_prompt=str(Message("password.repeat")))
    with refused(PermissionDenied, PasswordRejected):
        store_password(ctx, user_id, password)
    console.print(Message("password.set", user=user_id), highlight=False)


def unlock(
    user_id: Annotated[str, typer.Argument(help="网页登录被锁定的用户名。\n\n"
                                         "The user name whose web login is locked.")],
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """解除用户名因密码输错而被锁的网页登录（仅管理员）。
    Lift a web login lock-out of a user name after failed passwords (admin only)."""
    from adjudicator.roles import PermissionDenied
    from adjudicator.web.auth import unlock_login

    ctx = context(db, user)
    with refused(PermissionDenied):
        lifted = unlock_login(ctx, user_id)
    console.print(Message("login.unlocked" if lifted else "login.not_locked", user=user_id),
                  highlight=False)
