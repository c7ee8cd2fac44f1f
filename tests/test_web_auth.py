"""Web sign-in: argon2 passwords, server-side sessions in a hardened cookie, logout,
throttled failures that never reveal whether a user exists — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from adjudicator.storage.models import Event
from adjudicator.storage.models_web import WebCredential, WebSession
from tests.e2e.fixtures import world_fixture  # noqa: F401
from tests.e2e.webworld import PASSWORD, World, csrf_of


def _attempt(client, name: str, password: str):
    page = client.get("/login")
    return client.post("/login", data={"username": name, "password": password,
                                       "csrf_token": csrf_of(page.text)})


def test_login_sets_a_hardened_session_cookie_and_logout_revokes_it(world: World) -> None:
    client, _ = world.client()
    response = _attempt(client, "v1", PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(h for h in response.headers.get_list("set-cookie")
                  if h.startswith("fpb_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http, secure_cookies="auto"
    value = cookie.split(";")[0].split("=", 1)[1]
    with world.ctx.factory() as session:
        stored = session.execute(select(WebSession)).scalars().all()
    assert [s.user_id for s in stored] == ["v1"]
    assert value not in {s.token_sha256 for s in stored}  # only the digest is stored
    assert client.get("/").headers["location"] == "/verifier/claims"
    page = client.get("/verifier/claims")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    out = client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303
    client.cookies.set("fpb_session", value)  # the old cookie, replayed
    assert client.get("/verifier/claims").headers["location"].startswith("/login")


def test_secure_flag_over_https(world: World) -> None:
    client, _ = world.client(base_url="https://testserver")
    response = _attempt(client, "off", PASSWORD)
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_the_password_is_stored_as_an_argon2_hash(world: World) -> None:
    with world.ctx.factory() as session:
        credential = session.get(WebCredential, "v1")
    assert credential.password_hash.startswith("$argon2id$")
    assert PASSWORD not in credential.password_hash


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(world: World) -> None:
    client, _ = world.client()
    wrong = _attempt(client, "v1", "not-the-password")
    unknown = _attempt(client, "nobody", "not-the-password")
    no_password = _attempt(client, "admin", "not-the-password")  # exists, has no password
    assert wrong.status_code == unknown.status_code == no_password.status_code == 401
    for response in (wrong, unknown, no_password):
        assert "用户名或密码不正确" in response.text
        assert "fpb_session" not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize("name", ["v1", "ghost"])
def test_failed_logins_are_rate_limited_per_user_name(world: World, name: str) -> None:
    client, _ = world.client()
    statuses = [_attempt(client, name, "wrong-password").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = _attempt(client, name, PASSWORD)  # even the right password, while locked
    assert locked.status_code == 429 and "登录失败次数过多" in locked.text
    other, _ = world.client()
    assert _attempt(other, "v2", PASSWORD).status_code == 303  # other names unaffected
    world.clock.advance(minutes=16)
    if name == "v1":
        assert _attempt(client, "v1", PASSWORD).status_code == 303


def test_sessions_expire(world: World) -> None:
    client, _ = world.client("v1")
    assert client.get("/verifier/claims").status_code == 200
    world.clock.advance(hours=9)
    assert client.get("/verifier/claims").status_code == 303


def test_user_password_command_prompts_twice_and_signs_the_user_out(world: World) -> None:
    from cli.main import app

    client, _ = world.client("v2")
    assert client.get("/verifier/claims").status_code == 200
    runner = CliRunner()
    result = runner.invoke(app, ["user", "password", "v2", "--db", world.db_url, "--as",
                                 "admin"], input="another-secret-9\nanother-secret-9\n")
    assert result.exit_code == 0, result.output
    assert "another-secret-9" not in result.output
    assert client.get("/verifier/claims").status_code == 303  # signed out everywhere
    fresh, _ = world.client()
    assert _attempt(fresh, "v2", "another-secret-9").status_code == 303
    mismatch = runner.invoke(app, ["user", "password", "v2", "--db", world.db_url, "--as",
                                   "admin"], input="another-secret-9\ndifferent-one-9\n"
                                                   "short\nshort\n")
    assert mismatch.exit_code != 0
    refused = runner.invoke(app, ["user", "password", "v1", "--db", world.db_url, "--as",
                                  "v2"], input="another-secret-9\nanother-secret-9\n")
    assert refused.exit_code != 0 and "无权管理用户" in refused.output
    with world.ctx.factory() as session:
        kinds = session.execute(select(Event.kind, Event.payload).where(
            Event.kind == "user.password_set")).all()
    assert kinds and all("argon2" not in payload for _, payload in kinds)


def test_the_login_page_never_redirects_elsewhere(world: World) -> None:
    client, _ = world.client()
    page = client.get("/login?next=//evil.example/")
    response = client.post("/login", data={"username": "v1", "password": PASSWORD,
                                           "next": "//evil.example/",
                                           "csrf_token": csrf_of(page.text)})
    assert response.headers["location"] == "/"


def test_user_password_for_nobody_is_refused_in_chinese_before_it_is_typed(world: World) -> None:
    """`user password NOPE` asked for the password twice and then refused it in English
    (未能完成（no active user 'NOPE'））."""
    from cli.main import app

    result = CliRunner().invoke(app, ["user", "password", "NOPE", "--db", world.db_url,
                                      "--as", "admin"], input="")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output.strip() == "错误：没有在用的用户“NOPE”（见 adjudicator user list）"
    english = CliRunner().invoke(app, ["--lang", "en", "user", "password", "NOPE", "--db",
                                       world.db_url, "--as", "admin"], input="")
    assert english.output.strip() == "error: no active user NOPE (see adjudicator user list)"


def test_a_password_refused_says_why_in_both_languages() -> None:
    from adjudicator.web.auth import MIN_PASSWORD, PasswordRejected, check_new_password

    for password, zh, en in (("short", f"密码至少 {MIN_PASSWORD} 个字符。",
                              f"a password has at least {MIN_PASSWORD} characters"),
                             (" " + "x" * MIN_PASSWORD, "密码的开头和结尾不能是空格。",
                              "a password cannot begin or end with a space")):
        try:
            check_new_password(password)
        except PasswordRejected as exc:
            assert (exc.localized("zh"), exc.localized("en")) == (zh, en)
        else:
            raise AssertionError(f"{password!r} was taken")
