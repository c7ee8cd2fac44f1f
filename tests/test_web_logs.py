"""The web app's log: one line per request without the query string, so an ID number typed
into a URL never reaches the log; personal data is masked even in a path."""

from __future__ import annotations

import pytest
import structlog

from adjudicator.logs import configure_logging
from tests.e2e.fixtures import world_fixture  # noqa: F401
from tests.e2e.webworld import World

ID_NUMBER = "330102198001010012"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_access_log_has_no_query_string_and_no_id_number(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(json=True)
    try:
        _requests(world, capsys)
    finally:
        structlog.reset_defaults()


def _requests(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    client, _ = world.client("off")
    capsys.readouterr()
    client.get(f"/officer/pending?id_number={ID_NUMBER}&name=张三")
    client.get(f"/officer/claims/{ID_NUMBER}")
    client.post("/login", data={"username": ID_NUMBER, "password": "张三的密码"})
    err = capsys.readouterr().err
    assert '"path": "/officer/pending"' in err and '"status": 200' in err
    assert ID_NUMBER not in err and "张三" not in err and "id_number=" not in err
    assert "330102********0012" in err  # the path's ID-like digits, masked
