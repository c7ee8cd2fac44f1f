"""Money helpers: rounding to the tariff's step and per-capita division to the fen, half-up.

RULES.md "Money": per-capita income is computed to the fen, ROUND_HALF_UP (ties away from
zero, also for negative values); the payout is rounded once to "0.01" or "1", ROUND_HALF_UP.
Expected values are worked by hand or by a Fraction reference.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adjudicator.rules.money import divide_to_fen, exact, fmt, fmt_half_up, round_to_step, to_fen


def ref_half_up(value: Fraction, step: Fraction) -> Fraction:
    """Round to a multiple of `step`, ties away from zero."""
    units = abs(value) / step
    rounded = math.floor(units + Fraction(1, 2))
    return (rounded if value >= 0 else -rounded) * step


def as_decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


@pytest.mark.parametrize(
    ("amount", "step", "expected"),
    [
        ("0.005", "0.01", "0.01"),  # a tie goes up
        ("0.015", "0.01", "0.02"),
        ("2.345", "0.01", "2.35"),  # half-even would give 2.34
        ("2.3449999", "0.01", "2.34"),
        ("10500.594", "0.01", "10500.59"),
        ("0.5", "1", "1"),  # half-even would give 0
        ("2.5", "1", "3"),  # half-even would give 2
        ("3.5", "1", "4"),
        ("10500.49", "1", "10500"),
        ("10500.50", "1", "10501"),
        ("0", "1", "0"),
        ("0", "0.01", "0.00"),
    ],
)
def test_round_to_step_half_up(amount: str, step: str, expected: str) -> None:
    result = round_to_step(Decimal(amount), Decimal(step))
    assert result == Decimal(expected)
    assert str(result) == expected  # exactly the step's number of decimals


@pytest.mark.parametrize(
    ("amount", "divisor", "expected"),
    [
        ("10", 3, "3.33"),
        ("20", 3, "6.67"),
        ("0.05", 2, "0.03"),  # tie: up
        ("0.01", 2, "0.01"),
        ("14000.01", 2, "7000.01"),  # tie at the income line: 7000.005 -> 7000.01
        ("21000.01", 3, "7000.00"),  # 7000.00333...
        ("21000.02", 3, "7000.01"),  # 7000.00666...
        ("-0.05", 2, "-0.03"),  # tie: away from zero
        ("-0.01", 2, "-0.01"),
        ("-0.03", 2, "-0.02"),
        ("-20", 3, "-6.67"),
        ("-10", 3, "-3.33"),
        ("-115000", 1, "-115000.00"),
        ("0", 7, "0.00"),
        ("40000", 4, "10000.00"),
        ("1", 8, "0.13"),  # 0.125
        ("-1", 8, "-0.13"),
    ],
)
def test_divide_to_fen(amount: str, divisor: int, expected: str) -> None:
    result = divide_to_fen(Decimal(amount), divisor)
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize("divisor", [0, -1])
def test_divide_to_fen_refuses_a_non_positive_divisor(divisor: int) -> None:
    with pytest.raises(ValueError):
        divide_to_fen(Decimal("100"), divisor)


@settings(max_examples=300, deadline=None)
@given(fen=st.integers(min_value=-10**12, max_value=10**12),
       divisor=st.integers(min_value=1, max_value=8))
def test_divide_to_fen_matches_a_fraction_reference(fen: int, divisor: int) -> None:
    amount = Decimal(fen).scaleb(-2)
    expected = ref_half_up(Fraction(fen, 100) / divisor, Fraction(1, 100))
    result = divide_to_fen(amount, divisor)
    assert Fraction(result) == expected
    assert result.as_tuple().exponent == -2


@settings(max_examples=300, deadline=None)
@given(numerator=st.integers(min_value=0, max_value=10**13),
       scale=st.integers(min_value=0, max_value=6),
       step=st.sampled_from(["0.01", "1"]))
def test_round_to_step_matches_a_fraction_reference(numerator: int, scale: int,
                                                    step: str) -> None:
    amount = Decimal(numerator).scaleb(-scale)
    expected = ref_half_up(Fraction(numerator, 10**scale), Fraction(step))
    assert Fraction(round_to_step(amount, Decimal(step))) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("10500", "10500.00"), ("1E+3", "1000.00"), ("7000.1", "7000.10"), ("-115000", "-115000.00"),
     ("0.01", "0.01"), ("12.340", "12.34"), ("0", "0.00")],
)
def test_fmt_shows_fen_exact_amounts_with_two_decimals(amount: str, expected: str) -> None:
    assert fmt(Decimal(amount)) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.015", "0.02"), ("0.025", "0.03"), ("0.0249", "0.02"), ("-0.005", "-0.01"),
     ("4499.9995", "4500.00"), ("10500", "10500.00")],
)
def test_fmt_half_up_shows_a_share_half_up(amount: str, expected: str) -> None:
    assert fmt_half_up(Decimal(amount)) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.50", "0.5"), ("1E+3", "1000"), ("-0", "0"), ("0.000", "0"), ("12.345", "12.345"),
     ("10500.0000", "10500")],
)
def test_exact_is_plain_decimal_text(amount: str, expected: str) -> None:
    assert exact(Decimal(amount)) == expected


@pytest.mark.parametrize(("amount", "expected"),
                         [("12.34", 1234), ("0.01", 1), ("-5.5", -550), ("40000", 4000000)])
def test_to_fen(amount: str, expected: int) -> None:
    assert to_fen(Decimal(amount)) == expected
