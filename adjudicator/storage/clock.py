"""The one place the system reads the time; tests and replays pass their own clock."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from functools import cache
from zoneinfo import ZoneInfo

Clock = Callable[[], dt.datetime]

#: The county's time zone: every date and time a person reads is in it (stored instants
#: stay UTC). `ADJUDICATOR_TIMEZONE` sets another (an IANA name).
DEFAULT_TIMEZONE = "Asia/Shanghai"


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def county_zone() -> ZoneInfo:
    return _zone(os.environ.get("ADJUDICATOR_TIMEZONE") or DEFAULT_TIMEZONE)


def local(moment: dt.datetime) -> dt.datetime:
    """An instant as the county's wall clock shows it (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(county_zone())


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """A timestamp as stored: ISO-8601 in UTC with microseconds ('2026-03-10T08:00:00.000000Z')."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def local_stamp(stored: str) -> str:
    """A stored timestamp (`stamp`) as a person reads it: the county's wall clock, to the
    second ('2026-03-10 16:00:00' for '2026-03-10T08:00:00.000000Z' in Beijing)."""
    moment = dt.datetime.fromisoformat(stored.replace("Z", "+00:00"))
    return local(moment).strftime("%Y-%m-%d %H:%M:%S")
