"""工作日: working-day arithmetic for verification deadlines (入户核查时限).

Programs give the verifier "N working days" (3 or 5) from the assignment. Saturdays and
Sundays are not working days, nor the public holidays passed in; a weekend day that the State
Council declares a working day (调休上班) can be passed as an extra working day. Pure
functions over dates: no clock, no configuration file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from adjudicator.messages import Message, Refused

__all__ = ["BadDays", "add_working_days", "check_days", "is_working_day",
           "working_days_between"]

_NONE: frozenset[dt.date] = frozenset()

#: The longest deadline a person may give, a working year: a larger number is a typing
#: mistake (and counted day by day it would run past the last date Python knows).
MOST_DAYS = 250


class BadDays(Refused):
    """A number of working days outside 0 (or the least a command allows) to MOST_DAYS."""


def check_days(days: int, least: int = 0) -> int:
    """`days` when it is a deadline a person may give (`least` to MOST_DAYS working days);
    else BadDays, worded in both languages."""
    if not least <= days <= MOST_DAYS:
        raise BadDays(Message("workdays.bad_days", days=days, least=least, most=MOST_DAYS))
    return days


def is_working_day(day: dt.date, holidays: Collection[dt.date] = _NONE,
                   workdays: Collection[dt.date] = _NONE) -> bool:
    """True for Monday to Friday that is not a holiday, and for a declared working weekend day.

    A date in both `holidays` and `workdays` is a holiday: the holiday list wins, because a
    deadline that falls on a day off is the worse mistake.
    """
    if day in holidays:
        return False
    return day.weekday() < 5 or day in workdays


def add_working_days(start: dt.date, days: int, holidays: Collection[dt.date] = _NONE,
                     workdays: Collection[dt.date] = _NONE) -> dt.date:
    """The date `days` working days after `start` (the start day itself is not counted).

    Assigned on a Friday with 5 days, the deadline is the next Friday; assigned on a Sunday,
    it is the following Friday. `days` = 0 gives `start` itself.
    """
    check_days(days)
    day, left = start, days
    while left:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays, workdays):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, holidays: Collection[dt.date] = _NONE,
                         workdays: Collection[dt.date] = _NONE) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier.

    `working_days_between(today, due)` is what a verifier has left (0 on the due day itself,
    negative once late), and `add_working_days(a, n)` = b implies this gives n for (a, b).
    """
    if end < start:
        return -working_days_between(end, start, holidays, workdays)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays, workdays):
            count += 1
    return count
