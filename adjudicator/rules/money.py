"""Money (金额): exact decimal yuan, and the rounding rules of RULES.md.

All arithmetic is `decimal.Decimal`; per-capita income is rounded to the fen half-up before it
is compared; the payout is rounded once, to the tariff's step, half-up.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
FEN = Decimal("0.01")
_HUNDRED = 100


def round_to_step(amount: Decimal, step: Decimal) -> Decimal:
    """Round half-up to the tariff's rounding step ("0.01" or "1")."""
    return amount.quantize(step, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal) -> int:
    """An amount with at most two decimals, as an exact integer number of fen."""
    return int(amount.scaleb(2).to_integral_value())


def divide_to_fen(amount: Decimal, divisor: int) -> Decimal:
    """`amount / divisor` rounded half-up (away from zero on ties) to the fen, exactly.

    Integer arithmetic on fen avoids any intermediate rounding of a non-terminating quotient.
    """
    if divisor <= 0:
        raise ValueError("divisor must be positive")
    fen = to_fen(amount)
    quotient, remainder = divmod(abs(fen), divisor)
    if 2 * remainder >= divisor:
        quotient += 1
    signed = quotient if fen >= 0 else -quotient
    return Decimal(signed).scaleb(-2).quantize(FEN)


def fmt(amount: Decimal) -> str:
    """Two-decimal text of an amount, as every output shows it.

    For amounts already exact to the fen (inputs, their sums and differences, rounded
    results), where no rounding happens; `fmt_half_up` rounds values that may carry more.
    """
    return f"{amount:.2f}"


def fmt_half_up(amount: Decimal) -> str:
    """Two-decimal text of a value that may have more decimals (a band's exact share)."""
    return str(amount.quantize(FEN, rounding=ROUND_HALF_UP))


def exact(amount: Decimal) -> str:
    """Plain (non-scientific) text of an exact intermediate value, for the trace."""
    text = format(amount.normalize(), "f")
    return text if text != "-0" else "0"
