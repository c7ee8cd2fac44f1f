"""The web app under a burst of logins, guessing from many names or many places, bad bytes
and failures: logins hash a bounded number at once and slow nothing else; the throttle counts
per name and per client address without letting anyone lock a known user out; reads never
take SQLite's write lock; NUL characters are a 400; a server error keeps the security headers
and its traceback passes the log scrubber — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from typing import Any

import httpx
import pytest
import structlog
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from adjudicator.logs import configure_logging
from adjudicator.web import create_app
from adjudicator.web.auth import unlock_login
from adjudicator.web.settings import production_hasher
from tests.e2e.fixtures import world_fixture  # noqa: F401
from tests.e2e.webworld import PASSWORD, World, api_token, settings_for

ID_NUMBER = "330102198001010012"


class GatedHasher(PasswordHasher):
    """Cheap argon2 whose checks wait at a gate, counting how many run at once."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.gate = threading.Event()
        self.gate.set()
        self._lock = threading.Lock()
        self.running = self.peak = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            self.gate.wait(20)
            return super().verify(hash, password)
        finally:
            with self._lock:
                self.running -= 1


def _token_request(client: httpx.AsyncClient, name: str, password: str = "wrong-password"
                   ) -> Any:
    return client.post("/api/v1/auth/token", json={"username": name, "password": password})


async def _burst(app: Any, logins: int, bearer: dict[str, str], hasher: GatedHasher
                 ) -> tuple[httpx.Response, int, list[httpx.Response]]:
    transport = httpx.ASGITransport(app=app, client=("10.0.0.9", 1000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        hasher.gate.clear()
        try:
            tasks = [asyncio.create_task(_token_request(client, f"ghost{i}"))
                     for i in range(logins)]
            await asyncio.sleep(0.5)
            me = await asyncio.wait_for(client.get("/api/v1/me", headers=bearer), 10)
            peak = hasher.peak
        finally:
            hasher.gate.set()
        answers = await asyncio.gather(*tasks)
    return me, peak, answers


def test_a_burst_of_logins_hashes_two_at_a_time_and_slows_nothing_else(world: World) -> None:
    hasher = GatedHasher()
    app = create_app(settings_for(world.db_url, world.tmp, world.clock, password_hasher=hasher,
                                  login_hash_slots=2, login_hash_queue=100))
    bearer = api_token(TestClient(app), "off")
    # 60 unknown users at once (each costs the decoy hash): more than the app's worker threads.
    me, peak, answers = asyncio.run(_burst(app, 60, bearer, hasher))
    assert me.status_code == 200 and me.json()["user_id"] == "off"  # answered meanwhile
    assert peak == 2 and hasher.peak == 2  # never more than two hashes (2 x 64 MiB) at once
    assert {a.status_code for a in answers} <= {401, 429}


def test_logins_beyond_the_queue_are_refused_at_once(world: World) -> None:
    hasher = GatedHasher()
    app = create_app(settings_for(world.db_url, world.tmp, world.clock, password_hasher=hasher,
                                  login_hash_slots=1, login_hash_queue=2))
    bearer = api_token(TestClient(app), "off")
    me, peak, answers = asyncio.run(_burst(app, 6, bearer, hasher))
    assert me.status_code == 200 and peak == 1
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [401, 401, 401, 503, 503, 503], statuses
    busy = next(a for a in answers if a.status_code == 503)
    assert busy.json()["error"]["code"] == "busy" and busy.headers["retry-after"] == "5"
    assert "登录的人太多" in busy.json()["error"]["message"]


def test_the_production_hasher_is_sized_for_the_server() -> None:
    hasher = production_hasher()
    assert (hasher.memory_cost, hasher.time_cost, hasher.parallelism) == (65536, 3, 1)
    assert hasher.hash("x" * 12).startswith("$argon2id$v=19$m=65536,t=3,p=1$")


def _login(client: TestClient, name: str, password: str) -> int:
    response = client.post("/api/v1/auth/token", json={"username": name, "password": password})
    return response.status_code


def test_one_client_guessing_many_names_is_throttled(world: World) -> None:
    client = TestClient(world.app, client=("10.0.0.1", 1000))
    statuses = [_login(client, f"name{i}", "wrong-password") for i in range(40)]
    assert statuses[:19] == [401] * 19 and set(statuses[19:]) == {429}
    assert _login(client, "v1", PASSWORD) == 429  # the address is locked, for any name
    elsewhere = TestClient(world.app, client=("10.0.0.2", 1000))
    assert _login(elsewhere, "v1", PASSWORD) == 200


def test_nobody_locks_a_known_user_out(world: World) -> None:
    guesser = TestClient(world.app, client=("10.0.0.1", 1000))
    assert [_login(guesser, "v1", "wrong-password") for _ in range(5)] == [401] * 4 + [429]
    assert _login(guesser, "v1", PASSWORD) == 429  # the guessing client stays locked out
    owner = TestClient(world.app, client=("10.0.0.2", 1000))
    assert _login(owner, "v1", "wrong-password") == 429  # a wrong one from elsewhere: locked
    other = TestClient(world.app, client=("10.0.0.3", 1000))
    assert _login(other, "v1", PASSWORD) == 200  # the right one, from a clean client: in
    assert _login(owner, "v1", PASSWORD) == 429  # but not from a client that just failed


def test_an_admin_unlocks_a_user_name(world: World) -> None:
    from cli.main import app as cli

    guesser = TestClient(world.app, client=("10.0.0.1", 1000))
    for _ in range(5):
        _login(guesser, "v1", "wrong-password")
    assert _login(guesser, "v1", PASSWORD) == 429
    with pytest.raises(PermissionError):
        unlock_login(world.ctx.as_user("off"), "v1")
    result = CliRunner().invoke(cli, ["user", "unlock", "v1", "--db", world.db_url,
                                      "--as", "admin"])
    assert result.exit_code == 0, result.output
    assert "已解除 v1 的网页登录锁定" in result.output
    assert _login(guesser, "v1", PASSWORD) == 200
    again = CliRunner().invoke(cli, ["user", "unlock", "v1", "--db", world.db_url,
                                     "--as", "admin"])
    assert again.exit_code == 0 and "v1 的网页登录没有被锁定" in again.output
    english = CliRunner().invoke(cli, ["--lang", "en", "user", "unlock", "v1", "--db",
                                       world.db_url, "--as", "admin"])
    assert english.exit_code == 0 and "web login of v1 was not locked" in english.output


# --------------------------------------------------------------------------- reads, NUL


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_reads_do_not_wait_for_sqlites_write_lock(world: World) -> None:
    client = TestClient(world.app)
    bearer = api_token(client, "off")
    writer = sqlite3.connect(world.db_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    answers: list[int] = []
    reader = threading.Thread(target=lambda: answers.extend(
        client.get(path, headers=bearer).status_code
        for path in ("/api/v1/pended", "/api/v1/claims/P1/decision", "/api/v1/notices")))
    try:
        reader.start()
        reader.join(10)
        done = not reader.is_alive()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        reader.join()
    assert done, "a GET waited for the write lock"
    assert answers == [200, 200, 200]


def test_nul_characters_are_refused_with_a_clear_message(world: World) -> None:
    client = TestClient(world.app)
    bearer = api_token(client, "off")
    before = world.fingerprint()
    for response in (
            client.post("/api/v1/auth/token", json={"username": "v1\x00", "password": "x"}),
            client.post("/api/v1/auth/token", json={"username": "v1", "password": "a\x00b"}),
            client.get("/api/v1/claims/P1%00/decision", headers=bearer),
            client.get("/api/v1/audit/report?sample_id=%00", headers=bearer),
            client.post("/api/v1/claims/P1/review", headers=bearer,
                        json={"action": "approve", "reason": "同意\x00"}),
            client.post("/api/v1/claims/P1/review", headers=bearer,
                        json={"action": "approve", "reason": "同意", "\x00": 1})):
        assert response.status_code == 400, (response.request.url, response.text)
        error = response.json()["error"]
        assert error["code"] == "nul_character" and "空字符" in error["message"]
        assert response.headers["x-content-type-options"] == "nosniff"
    page = client.post("/login", data={"username": "v1\x00", "password": "x"})
    assert page.status_code == 400 and "空字符" in page.text
    browser, token = world.client("v1")
    form = browser.post("/verifier/claims/K1", data={"csrf_token": token, "note": "a\x00"},
                        files={"photos": ("a.txt", b"x\x00y", "text/plain")})
    assert form.status_code == 400 and "空字符" in form.text
    assert world.fingerprint() == before


# --------------------------------------------------------------------------- server errors


@pytest.fixture
def json_log() -> Any:
    """Logging as in production (JSON lines); the test configures it once its stderr is
    captured."""
    yield lambda: configure_logging(json=True)
    structlog.reset_defaults()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "adjudicator", False):
            root.removeHandler(handler)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_server_error_keeps_the_headers_and_its_traceback_is_scrubbed(
        world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        json_log: Any) -> None:
    from adjudicator.web import officer

    json_log()
    def broken(*_args: Any) -> Any:
        raise RuntimeError(f"duplicate key ({ID_NUMBER}, 张三)")

    monkeypatch.setattr(officer, "pend_queue", broken)
    client = TestClient(world.app, raise_server_exceptions=False)
    bearer = api_token(client, "off")
    capsys.readouterr()
    api = client.get("/api/v1/pended", headers=bearer)
    page = world.client("off")[0]
    page = TestClient(world.app, raise_server_exceptions=False, cookies=page.cookies)
    html = page.get("/officer/pending")
    for response in (api, html):
        assert response.status_code == 500
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        assert "系统内部错误" in response.text and "张三" not in response.text
    assert api.json()["error"]["code"] == "server_error"
    err = capsys.readouterr().err
    assert '"http.server_error"' in err and "RuntimeError" in err and "in broken" in err
    assert ID_NUMBER not in err and "张三" not in err


def test_library_log_lines_and_their_tracebacks_pass_the_scrubber(
        capsys: pytest.CaptureFixture[str], json_log: Any) -> None:
    json_log()
    try:
        raise ValueError(f"bad row: {ID_NUMBER} 张三")
    except ValueError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    logging.getLogger("sqlalchemy.engine").warning("row %s has %s", ID_NUMBER, "no name")
    err = capsys.readouterr().err
    assert "Exception in ASGI application" in err and "ValueError" in err
    assert "330102********0012" in err  # the warning's ID number, masked
    assert ID_NUMBER not in err and "张三" not in err and "bad row" not in err
