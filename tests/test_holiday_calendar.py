"""Verification deadlines on China's official calendar (chinese-calendar): holidays and 调休
working days, the county's own days off as data, the calendar year the data covers, and a
year the calendar does not know as a warning."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from adjudicator.holiday_calendar import official_calendar
from adjudicator.roles import PermissionDenied
from adjudicator.services.calendar import add_day_off, county_calendar, remove_day_off
from adjudicator.services.verification import assign_claims
from adjudicator.storage.models import Claim, Event
from tests.seed import load_demo_tariff
from tests.test_verification import T1, screened, set_verifier
from tests.test_verification_cli import run

CALENDAR = official_calendar()


def test_a_deadline_set_before_national_day_skips_the_holiday() -> None:
    deadline = CALENDAR.deadline(dt.date(2026, 9, 29), 3)  # Tuesday
    # 30 Sep works; 1-7 Oct is 国庆节; 8 and 9 Oct work
    assert deadline.due == dt.date(2026, 10, 9)
    assert (deadline.calendar_years, deadline.unknown_years) == ((2026,), ())
    assert deadline.note == "按国务院 2026 年节假日安排计算" and deadline.warning is None
    assert CALENDAR.describe(dt.date(2026, 10, 1)) == "国庆节"


def test_an_adjusted_working_weekend_counts() -> None:
    # Sunday 20 Sep 2026 is a 调休 working day: one day from Friday 18 Sep ends on it
    assert CALENDAR.describe(dt.date(2026, 9, 20)) == "调休上班"
    assert CALENDAR.deadline(dt.date(2026, 9, 18), 1).due == dt.date(2026, 9, 20)
    # 春节: assigned on Friday 13 Feb 2026 with 3 days (Sat 14 Feb works, 15-23 Feb off)
    assert CALENDAR.deadline(dt.date(2026, 2, 13), 3).due == dt.date(2026, 2, 25)


def test_a_year_the_calendar_does_not_know_is_a_warning() -> None:
    deadline = CALENDAR.deadline(dt.date(2026, 12, 29), 5)
    assert deadline.unknown_years == (2027,) and deadline.calendar_years == (2026,)
    assert deadline.due == dt.date(2027, 1, 5)  # Monday to Friday in 2027, and said so
    assert deadline.warning is not None and "尚无 2027 年的节假日安排" in deadline.warning
    assert deadline.note == "按国务院 2026 年节假日安排计算；其余按周一至周五计算"


def test_county_days_off_are_data(admin_ctx) -> None:
    officer = admin_ctx.as_user("off")
    assert add_day_off(officer, dt.date(2026, 10, 12), "县庆") is True
    assert add_day_off(officer, dt.date(2026, 10, 12), "县庆") is False
    with pytest.raises(PermissionDenied):
        add_day_off(admin_ctx.as_user("v1"), dt.date(2026, 10, 13), "x")
    calendar = county_calendar(admin_ctx)
    assert calendar.describe(dt.date(2026, 10, 12)) == "县定放假（县庆）"
    # from Friday 9 Oct: Saturday 10 Oct is 调休上班, Monday 12 Oct the county's day off
    assert calendar.deadline(dt.date(2026, 10, 9), 2).due == dt.date(2026, 10, 13)
    remove_day_off(officer, dt.date(2026, 10, 12))
    assert county_calendar(admin_ctx).deadline(dt.date(2026, 10, 9), 2).due == \
        dt.date(2026, 10, 12)
    with admin_ctx.factory() as session:
        kinds = list(session.scalars(select(Event.kind).where(Event.entity_type == "calendar")))
    assert kinds == ["calendar.day_off_added", "calendar.day_off_removed"]


def test_a_day_off_reason_longer_than_its_column_is_refused_not_cut(admin_ctx) -> None:
    """A reason of 201 characters was stored cut to its first 200, saying nothing."""
    from adjudicator.services.calendar import CalendarRefused

    officer = admin_ctx.as_user("off")
    with pytest.raises(CalendarRefused) as refused:
        add_day_off(officer, dt.date(2026, 10, 12), "县" * 201)
    assert refused.value.localized("zh") == "原因最多 200 个字（现有 201 个字）：请写得简短些"
    assert county_calendar(admin_ctx).county_days_off == {}
    assert add_day_off(officer, dt.date(2026, 10, 12), "县" * 200) is True
    assert county_calendar(admin_ctx).county_days_off[dt.date(2026, 10, 12)] == "县" * 200


def test_assignment_deadlines_follow_the_calendar(admin_ctx, clock) -> None:
    clock.moment = dt.datetime(2026, 9, 29, 2, 0, tzinfo=dt.UTC)  # Tuesday, Beijing morning
    load_demo_tariff(admin_ctx)
    set_verifier(admin_ctx, "v1", [T1])
    screened(admin_ctx, "K1", "H1", T1)
    result = assign_claims(admin_ctx.as_user("sup"), days=3)
    assert [a.due for a in result.assigned] == [dt.date(2026, 10, 9)]
    assert result.deadline is not None and result.deadline.calendar_years == (2026,)
    with admin_ctx.factory() as session:
        assert session.get(Claim, "K1").verification_due == dt.date(2026, 10, 9)
        payload = json.loads(session.scalars(select(Event.payload).where(
            Event.kind == "verification.assigned")).one())
    assert (payload["due"], payload["calendar_years"], payload["unknown_years"]) == (
        "2026-10-09", [2026], [])


def test_the_cli_says_which_calendar_the_deadline_follows(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    set_verifier(admin_ctx, "v1", [T1])
    screened(admin_ctx, "K1", "H1", T1)
    assert run(admin_ctx, "off", "calendar", "day-off", "add", "2026-10-12", "--reason",
               "县庆").exit_code == 0
    refused = run(admin_ctx, "v1", "calendar", "day-off", "add", "2026-10-13", "--reason", "x")
    assert refused.exit_code == 1 and "无权维护县定放假日" in refused.stderr
    shown = json.loads(run(admin_ctx, "off", "calendar", "show", "2026", "--json").stdout)
    assert shown["official_schedule_known"] is True
    assert {"date": "2026-10-12", "working": False, "what": "县定放假（县庆）"} in shown["days"]
    assigned = run(admin_ctx, "sup", "verify", "assign", "--days", "3")
    assert assigned.exit_code == 0, assigned.output
    assert "节假日安排计算" in assigned.stdout or "周一至周五" in assigned.stdout
    table = "".join(run(admin_ctx, "off", "calendar", "day-off", "list").stdout.split())
    assert "县定放假日" in table and "日期" in table and "date" not in table
    english = run(admin_ctx, "off", "--lang", "en", "calendar", "day-off", "add",
                  "2026-10-12", "--reason", "县庆")
    assert english.stdout.strip() == "2026-10-12: already a county day off"
    shown = run(admin_ctx, "off", "--lang", "en", "calendar", "show", "2026").stdout
    assert "weekday" in shown and "Mon" in shown and "星期" not in shown
