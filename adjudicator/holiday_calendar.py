"""节假日安排: the calendar that working-day deadlines count on.

China's public holidays and adjusted working days (调休: a weekend day worked to bridge a
holiday) are set each year by the State Council, usually in November for the next year. They
come from the maintained `chinese-calendar` package (its data covers the years it was released
for); a county adds its own extra days off as data (`county_days_off`, `adjudicator calendar
day-off add`), and a one-off holiday can still be given with `--holiday`.

A year the package does not know yet is counted Monday to Friday, with a warning in the
deadline (`Deadline.unknown_years`) and never silently: upgrading the package (pip install -U
chinese-calendar) brings the new year's schedule. Pure: the data is passed in or read from the
package, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import version

import chinese_calendar

from adjudicator.workdays import add_working_days, working_days_between

__all__ = ["Deadline", "WorkCalendar", "official_calendar"]

#: Chinese names of the holidays the package names in English
HOLIDAY_NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
                 "Labour Day": "劳动节", "Dragon Boat Festival": "端午节",
                 "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
                 "Anti-Fascist 70th Day": "抗战胜利70周年纪念日"}


@dataclass(frozen=True)
class Deadline:
    """A deadline and the calendar it was counted on."""

    due: dt.date
    #: the calendar years the span touches whose official schedule was known
    calendar_years: tuple[int, ...]
    #: the years touched that the calendar does not know: counted Monday to Friday
    unknown_years: tuple[int, ...]
    source: str

    @property
    def warning(self) -> str | None:
        """Chinese words for a person when part of the span was counted without the
        official schedule; None when all of it was known."""
        if not self.unknown_years:
            return None
        years = "、".join(str(y) for y in self.unknown_years)
        return (f"日历数据（{self.source}）尚无 {years} 年的节假日安排：该年按周一至周五计算，"
                "截止日期可能落在节假日，请核对（升级 chinese-calendar 后重新计算）")

    @property
    def note(self) -> str:
        """Which schedule the deadline follows, in Chinese (the `warning` says what it lacks)."""
        known = "、".join(str(y) for y in self.calendar_years)
        if not known:
            return "按周一至周五计算（无节假日安排数据）"
        partly = "；其余按周一至周五计算" if self.unknown_years else ""
        return f"按国务院 {known} 年节假日安排计算{partly}"

    def as_dict(self) -> dict[str, object]:
        return {"due": self.due.isoformat(), "calendar_years": list(self.calendar_years),
                "unknown_years": list(self.unknown_years), "calendar": self.source}


@dataclass(frozen=True)
class WorkCalendar:
    """Days off and adjusted working days, and the years whose official schedule is known."""

    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    known_years: frozenset[int]
    source: str
    #: the county's own days off, by day (reason): part of `holidays`
    county_days_off: dict[dt.date, str] = field(default_factory=dict)

    def with_days(self, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = ()
                  ) -> WorkCalendar:
        """This calendar with more days off (and declared working days)."""
        return WorkCalendar(self.holidays | frozenset(holidays),
                            self.workdays | frozenset(workdays), self.known_years, self.source,
                            self.county_days_off)

    def _years(self, start: dt.date, end: dt.date) -> tuple[tuple[int, ...], tuple[int, ...]]:
        years = range(min(start, end).year, max(start, end).year + 1)
        return (tuple(y for y in years if y in self.known_years),
                tuple(y for y in years if y not in self.known_years))

    def deadline(self, start: dt.date, days: int) -> Deadline:
        """`days` working days after `start` (the start day not counted)."""
        due = add_working_days(start, days, self.holidays, self.workdays)
        known, unknown = self._years(start + dt.timedelta(days=1) if days else start, due)
        return Deadline(due, known, unknown, self.source)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative when earlier)."""
        return working_days_between(start, end, self.holidays, self.workdays)

    def is_known(self, day: dt.date) -> bool:
        return day.year in self.known_years

    def describe(self, day: dt.date) -> str:
        """What a day is, in Chinese: 工作日, 周末, 国庆节, 调休上班, or the county's reason."""
        if day in self.county_days_off:
            return f"县定放假（{self.county_days_off[day]}）"
        if day in self.holidays:
            detail = _OFFICIAL_NAMES.get(day)
            return HOLIDAY_NAMES.get(detail or "", detail or "节假日")
        if day in self.workdays:
            return "调休上班"
        return "工作日" if day.weekday() < 5 else "周末"


_OFFICIAL_NAMES: dict[dt.date, str] = {
    day: str(name) for day, name in chinese_calendar.constants.holidays.items()}


def official_calendar(county_days_off: dict[dt.date, str] | None = None) -> WorkCalendar:
    """The State Council's schedule as the installed `chinese-calendar` knows it, with a
    county's own days off added."""
    holidays = frozenset(chinese_calendar.constants.holidays)
    workdays = frozenset(chinese_calendar.constants.workdays)
    known = frozenset(range(min(d.year for d in holidays), max(d.year for d in holidays) + 1))
    days_off = dict(county_days_off or {})
    return WorkCalendar(holidays | frozenset(days_off), workdays, known,
                        f"chinese-calendar {version('chinese-calendar')}", days_off)
