"""Working-day deadlines (adjudicator.workdays): weekends and holidays are not working days."""

from __future__ import annotations

import datetime as dt

import pytest

from adjudicator.workdays import add_working_days, is_working_day, working_days_between

FRI, SAT, SUN, MON = (dt.date(2026, 3, 13), dt.date(2026, 3, 14), dt.date(2026, 3, 15),
                      dt.date(2026, 3, 16))


def test_five_working_days_from_a_friday_end_the_next_friday() -> None:
    assert add_working_days(FRI, 5) == dt.date(2026, 3, 20)
    assert add_working_days(FRI, 1) == MON


@pytest.mark.parametrize("start", [SAT, SUN])
def test_from_a_weekend_day_counting_starts_on_monday(start: dt.date) -> None:
    assert add_working_days(start, 1) == MON
    assert add_working_days(start, 5) == dt.date(2026, 3, 20)


def test_zero_days_is_the_start_and_negative_or_more_than_a_working_year_is_refused() -> None:
    assert add_working_days(SAT, 0) == SAT
    assert add_working_days(FRI, 250) == dt.date(2027, 2, 26)  # 50 weeks
    for days in (-1, 251, 99_999_999):  # the last ran past the year 9999: OverflowError
        with pytest.raises(ValueError, match=f"0 to 250 working days, not {days}"):
            add_working_days(FRI, days)


def test_public_holidays_are_skipped_and_declared_weekend_workdays_count() -> None:
    # 清明节 2026: Saturday 4 April to Monday 6 April off.
    qingming = {dt.date(2026, 4, 6)}
    assert add_working_days(dt.date(2026, 4, 3), 1) == dt.date(2026, 4, 6)
    assert add_working_days(dt.date(2026, 4, 3), 1, qingming) == dt.date(2026, 4, 7)
    assert not is_working_day(dt.date(2026, 4, 6), qingming)
    # A Sunday declared a working day (调休上班) counts.
    makeup = {dt.date(2026, 4, 5)}
    assert add_working_days(dt.date(2026, 4, 3), 1, workdays=makeup) == dt.date(2026, 4, 5)
    # The holiday list wins over the workday list.
    assert not is_working_day(dt.date(2026, 4, 5), {dt.date(2026, 4, 5)}, makeup)


def test_working_days_between_is_the_inverse_of_adding_them() -> None:
    for start in (FRI, SAT, SUN, MON):
        for n in range(0, 12):
            assert working_days_between(start, add_working_days(start, n)) == n
    due = dt.date(2026, 3, 20)  # a Friday
    assert working_days_between(due, dt.date(2026, 3, 23)) == 1  # Monday after: 1 day late
    assert working_days_between(dt.date(2026, 3, 23), due) == -1
    assert working_days_between(due, due) == 0
