"""GB 11643-1999 resident ID numbers: check character and birth date (RULES.md step 1).

Expected values are worked out by hand from the standard, or from an independent reference
(ISO 7064 MOD 11-2, the scheme GB 11643 uses: weights are 2^(18-i) mod 11 and the check
character makes the weighted sum of all 18 characters, X = 10, congruent to 1 mod 11).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adjudicator.rules.idnumber import check_character, id_number_problem, is_valid_id_number

# Worked by hand (see the sums in the test below); the first is the standard's own example.
HAND_CHECKED = [
    # 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 weighted by 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
    # 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 -> "10X98765432"[2] = X
    ("11010519491231002", "X", 167),
    # 4 4 0 5 2 4 1 8 8 0 0 1 0 1 0 0 1:
    # 28+36+0+25+16+16+2+8+48+0+0+9+0+5+0+0+2 = 195; 195 mod 11 = 8 -> "4"
    ("44052418800101001", "4", 195),
    # 3 3 0 1 0 2 1 9 8 0 0 1 0 1 0 0 1:
    # 21+27+0+5+0+8+2+9+48+0+0+9+0+5+0+0+2 = 136; 136 mod 11 = 4 -> "8"
    ("33010219800101001", "8", 136),
    # 0 0 0 0 0 0 2 0 0 0 0 1 0 1 0 0 0 (birth 2000-01-01):
    # 2*2 + 1*9 + 1*5 = 4+9+5 = 18; 18 mod 11 = 7 -> "5"
    ("00000020000101000", "5", 18),
]


def reference_check(first17: str) -> str:
    """ISO 7064 MOD 11-2, written independently of the engine's weight table."""
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    value = (12 - total % 11) % 11  # the value v with total + v == 1 (mod 11)
    return "X" if value == 10 else str(value)


def test_reference_weights_are_the_ones_rules_md_lists() -> None:
    assert [pow(2, 17 - i, 11) for i in range(17)] == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9,
                                                        10, 5, 8, 4, 2]


@pytest.mark.parametrize(("body", "check", "weighted_sum"), HAND_CHECKED)
def test_check_character_of_hand_computed_numbers(body: str, check: str,
                                                  weighted_sum: int) -> None:
    assert reference_check(body) == check
    assert "10X98765432"[weighted_sum % 11] == check
    assert check_character(body) == check
    assert is_valid_id_number(body + check)
    assert id_number_problem(body + check) is None


def test_lower_case_x_is_read_as_x() -> None:
    assert id_number_problem("11010519491231002x") is None
    assert id_number_problem("11010519491231002X") is None


@pytest.mark.parametrize("wrong", ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
def test_every_wrong_check_character_is_refused(wrong: str) -> None:
    # 11010519491231002's check character is X: every digit is wrong.
    assert id_number_problem("11010519491231002" + wrong) == "check_digit"


def test_a_digit_where_x_belongs_and_x_where_a_digit_belongs() -> None:
    assert id_number_problem("440524188001010014") is None
    assert id_number_problem("44052418800101001X") == "check_digit"
    assert id_number_problem("440524188001010015") == "check_digit"


@pytest.mark.parametrize(
    "birth",
    ["20260230", "20230229", "19991301", "19990001", "19990100", "19990431", "00000101"],
)
def test_birth_date_that_is_not_a_real_date(birth: str) -> None:
    body = "330102" + birth + "001"
    number = body + reference_check(body)  # the check character is right, the date is not
    assert not is_valid_id_number(number)
    assert id_number_problem(number) == "birth_date"


def test_29_february_of_a_leap_year_is_a_real_date() -> None:
    body = "330102" + "20240229" + "001"
    assert id_number_problem(body + reference_check(body)) is None


@pytest.mark.parametrize(
    "number",
    ["", "11010519491231002", "11010519491231002X0", "110105194912310",  # lengths
     "1101051949123100AX", "X10105194912310024", "11010519491231002Y",  # characters
     "1101051949123100２X", "11010519491231002 "],  # full-width digit, trailing space
)
def test_malformed_numbers_are_invalid(number: str) -> None:
    assert not is_valid_id_number(number)


@settings(max_examples=200, deadline=None)
@given(
    region=st.integers(min_value=110000, max_value=659999),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_engine_agrees_with_the_reference_check(region: int, birth: dt.date, seq: int) -> None:
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    good = reference_check(body)
    assert check_character(body) == good
    assert is_valid_id_number(body + good)
    assert is_valid_id_number(body + good.lower())
    for other in "0123456789X":
        if other != good:
            assert id_number_problem(body + other) == "check_digit"


@given(year=st.integers(0, 9999), month=st.integers(0, 99), day=st.integers(0, 99))
def test_a_birth_date_is_real_exactly_when_the_calendar_has_it(year: int, month: int,
                                                               day: int) -> None:
    """The birth date is read as YYYYMMDD (`date.fromisoformat`): real exactly when
    `date(year, month, day)` exists."""
    body = f"330102{year:04d}{month:02d}{day:02d}001"
    try:
        dt.date(year, month, day)
        real = True
    except ValueError:
        real = False
    assert (id_number_problem(body + reference_check(body)) != "birth_date") == real
