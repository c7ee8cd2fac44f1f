"""`adjudicator calendar show|day-off`: the working-day calendar deadlines are counted on.

The official holidays and adjusted working days (调休) come from the installed
`chinese-calendar` package; the county's own days off are data in the database. The
calendar service is imported by each command when it runs, so `calendar --help` stays quick.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from adjudicator.messages import Message
from adjudicator.roles import PermissionDenied
from cli.common import (
    AsOption,
    DbOption,
    JsonOption,
    a_year,
    console,
    context,
    err_console,
    print_json,
    print_table,
    refused,
    worded_table,
)

app = typer.Typer(help="节假日：核查时限用的工作日日历（法定节假日、调休、县定放假日）。\n"
                  "The working-day calendar of verification deadlines (official holidays, 调休 "
                  "working days, the county's own days off).",
                  no_args_is_help=True)
day_off_app = typer.Typer(help="县定放假日。\nThe county's own days off "
                               "(县定放假日).", no_args_is_help=True)
app.add_typer(day_off_app, name="day-off")

DbOpt = Annotated[str | None, DbOption]
AsOpt = Annotated[str | None, AsOption]
DayArg = Annotated[dt.datetime, typer.Argument(formats=["%Y-%m-%d"], help="日期（YYYY-MM-DD）。"
                                                                          "\n\n"
                                                                          "YYYY-MM-DD")]


@app.command("show")
def show(
    year: Annotated[int | None, typer.Argument(callback=a_year,
                                               help="年份（默认：今年）。"
                                                    "\n\nThe year (default: this "
                                                    "year).")] = None,
    db: DbOpt = None, user: AsOpt = None, as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """一年中的每个休息日和调休上班日，
    以及当年法定安排是否已知。
    Every day off and every
    adjusted working day of a year, and whether the official
    schedule of that year is known."""
    from adjudicator.services.calendar import county_calendar


    ctx = context(db, user)
    calendar = county_calendar(ctx)
    year = year or ctx.today().year
    days = sorted(d for d in calendar.holidays | calendar.workdays if d.year == year)
    known = year in calendar.known_years
    if as_json:
        print_json({"year": year, "official_schedule_known": known,
                    "calendar": calendar.source,
                    "days": [{"date": d.isoformat(), "working": d in calendar.workdays
                              and d not in calendar.holidays, "what": calendar.describe(d)}
                             for d in days]})
        return
    table = worded_table("calendar.col.date", "calendar.col.weekday", "calendar.col.what",
                         title=Message("calendar.title", year=year, source=calendar.source))
    weekdays = Message("calendar.weekdays").render().split()
    for d in days:
        table.add_row(d.isoformat(), weekdays[d.weekday()], calendar.describe(d))
    print_table(table)
    if not known:
        err_console.print(Message("calendar.unknown_year", year=year), highlight=False,
                          markup=False)


@day_off_app.command("add")
def add(day: DayArg, reason: Annotated[str, typer.Option("--reason", help="原因（县庆 …）。"
                                                                          "\n\nWhy "
                                                                          "(县庆 …).")],
        db: DbOpt = None, user: AsOpt = None) -> None:
    """添加县定放假日：此后计算时限不再算作工作日。
    Add a county day off: no deadline counts it
    as a working day from now on."""
    from adjudicator.services.calendar import CalendarRefused, add_day_off


    ctx = context(db, user)
    with refused(PermissionDenied, CalendarRefused):
        added = add_day_off(ctx, day.date(), reason)
    console.print(Message("calendar.added" if added else "calendar.already",
                          day=day.date().isoformat()), highlight=False)


@day_off_app.command("remove")
def remove(day: DayArg, db: DbOpt = None, user: AsOpt = None) -> None:
    """删除县定放假日（已定的时限不变）。
    Remove a county day off (deadlines already set keep
    their dates)."""
    from adjudicator.services.calendar import CalendarRefused, remove_day_off


    ctx = context(db, user)
    with refused(PermissionDenied, CalendarRefused):
        remove_day_off(ctx, day.date())
    console.print(Message("calendar.removed", day=day.date().isoformat()), highlight=False)


@day_off_app.command("list")
def list_days(db: DbOpt = None, user: AsOpt = None,
              as_json: Annotated[bool, JsonOption] = False) -> None:
    """县定放假日列表。
    The county's own days off."""
    from adjudicator.services.calendar import county_calendar


    ctx = context(db, user)
    calendar = county_calendar(ctx)
    days = sorted(calendar.county_days_off.items())
    if as_json:
        print_json([{"date": d.isoformat(), "reason": why} for d, why in days])
        return
    table = worded_table("calendar.col.date", "calendar.col.reason", title="calendar.days_off")
    for d, why in days:
        table.add_row(d.isoformat(), why)
    print_table(table)
