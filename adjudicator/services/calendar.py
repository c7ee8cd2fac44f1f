"""The working-day calendar of the county (节假日): the official schedule and the county's own
days off, which the county office keeps as data (`adjudicator calendar day-off add|remove`).

Every deadline (a verification's, a re-verification's after an objection) is counted on
`work_calendar(session)`; adding or removing a day off is an event in the audit trail.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from adjudicator.holiday_calendar import WorkCalendar, official_calendar
from adjudicator.messages import Message, Refused
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models_calendar import CountyDayOff


class CalendarRefused(Refused):
    """A day off that cannot be added or removed (a reason missing, a day not listed)."""


def work_calendar(session: Session) -> WorkCalendar:
    """The official schedule with the county's stored days off."""
    days = {row.day: row.reason for row in session.execute(select(CountyDayOff)).scalars()}
    return official_calendar(days)


def county_calendar(ctx: Context) -> WorkCalendar:
    """`work_calendar` in a session of its own."""
    with ctx.factory() as session:
        return work_calendar(session)


def add_day_off(ctx: Context, day: dt.date, reason: str) -> bool:
    """Add a county day off (True), or leave the one already there (False)."""
    ctx.require("calendar.manage")
    reason = reason.strip()
    if not reason:
        raise CalendarRefused(Message("calendar.no_reason"))
    if len(reason) > 200:  # the width of its column: never cut silently
        raise CalendarRefused(Message("calendar.reason_too_long", count=len(reason)))
    with transaction(ctx.factory) as session:
        if session.get(CountyDayOff, day) is not None:
            return False
        now = ctx.now()
        session.add(CountyDayOff(day=day, reason=reason, added_by=ctx.user_id,
                                 added_at=now))
        append_events(session, ctx.user_id, now, [PendingEvent(
            "calendar.day_off_added", "calendar", day.isoformat(), {"reason": reason})])
    return True


def remove_day_off(ctx: Context, day: dt.date) -> None:
    """Remove a county day off (deadlines set before keep the date they were given)."""
    ctx.require("calendar.manage")
    with transaction(ctx.factory) as session:
        row = session.get(CountyDayOff, day)
        if row is None:
            raise CalendarRefused(Message("calendar.not_day_off", day=day))
        session.delete(row)
        append_events(session, ctx.user_id, ctx.now(), [PendingEvent(
            "calendar.day_off_removed", "calendar", day.isoformat(), {"reason": row.reason})])
