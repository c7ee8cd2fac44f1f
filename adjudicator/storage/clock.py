"""The one place the system reads the time; tests and replays pass their own clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """A timestamp as stored: ISO-8601 in UTC with microseconds ('2026-03-10T08:00:00.000000Z')."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
