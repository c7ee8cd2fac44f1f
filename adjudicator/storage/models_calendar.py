"""A county's own days off (县里自定的放假日): data, added and removed by the county office.

The State Council's public holidays and adjusted working days (调休) come from the maintained
calendar package (adjudicator.holiday_calendar); these are the days a county closes on top of
them (a county anniversary, a local festival), which count as holidays for every deadline.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from adjudicator.storage.models import Base, Timestamp


class CountyDayOff(Base):
    """One extra day off of the county, with why, who added it and when."""

    __tablename__ = "county_days_off"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[str] = mapped_column(Timestamp)
