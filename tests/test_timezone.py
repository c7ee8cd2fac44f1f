"""Dates a person reads are the county's (Asia/Shanghai by default), stored instants UTC: a
notice posted at 07:30 Beijing time (23:30 UTC the day before) carries the Beijing date, and
a decision record prints Beijing time — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from adjudicator.documents.formatting import format_datetime
from adjudicator.services.notices import create_notices
from adjudicator.services.review import resolve
from adjudicator.storage.clock import stamp
from tests.e2e.fixtures import world_fixture  # noqa: F401
from tests.e2e.webworld import World

EARLY = dt.datetime(2026, 3, 15, 23, 30, tzinfo=dt.UTC)  # 2026-03-16 07:30 in Beijing


def test_a_notice_posted_before_eight_in_beijing_carries_that_days_date(world: World) -> None:
    officer = world.ctx.as_user("off")
    resolve(officer, "P1", "approve", "同意")
    world.clock.moment = EARLY
    assert officer.today() == dt.date(2026, 3, 16)
    assert officer.now() == stamp(EARLY)  # the stored instant stays UTC
    [notice] = create_notices(officer, world.tmp / "documents", render=False)
    assert notice.start == dt.date(2026, 3, 16)


def test_a_decision_record_prints_beijing_time() -> None:
    assert format_datetime(dt.datetime(2026, 3, 10, 2, 52, tzinfo=dt.UTC)) == "2026年3月10日 10:52"
    assert format_datetime(EARLY) == "2026年3月16日 07:30"


def test_the_time_zone_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADJUDICATOR_TIMEZONE", "UTC")
    assert format_datetime(EARLY) == "2026年3月15日 23:30"


def test_the_pages_date_a_stored_instant_in_beijing() -> None:
    from adjudicator.web.templating import chinese_date

    assert chinese_date(stamp(EARLY)) == "2026年3月16日"
    assert chinese_date(EARLY) == "2026年3月16日"
    assert chinese_date("2026-03-15") == "2026年3月15日"


def test_log_history_prints_the_county_s_time(world: World) -> None:
    from typer.testing import CliRunner

    from cli.main import app as cli

    officer = world.ctx.as_user("off")
    world.clock.moment = EARLY
    resolve(officer, "P1", "approve", "同意")
    result = CliRunner().invoke(cli, ["log", "history", "P1", "--as", "off", "--db",
                                      world.db_url], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "2026-03-16 07:30:00" in result.output  # stored as 2026-03-15T23:30:00Z
    assert "2026-03-15T23:30" not in result.output
