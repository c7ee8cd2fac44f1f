"""分段/阶梯赔付: the payout function F over the household's annual cumulative expense.

F(x) = sum over bands of rate x (min(x, to) - from), for every band with x > from. Bands are
contiguous; the first band's `from` is the trigger line (赔付启动线); the last may be open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from adjudicator.rules.tariff import Band


@dataclass(frozen=True, slots=True)
class Slice:
    """The part of the cumulative expense that falls in one band, and its exact share."""

    from_: Decimal
    to: Decimal
    rate: Decimal
    amount: Decimal


def band_slices(bands: Sequence[Band], cumulative: Decimal) -> list[Slice]:
    """The slices of `cumulative` that pay, in band order, with exact (unrounded) amounts."""
    slices = []
    for band in bands:
        if cumulative <= band.from_:
            break
        top = cumulative if band.to is None or cumulative < band.to else band.to
        slices.append(Slice(band.from_, top, band.rate, band.rate * (top - band.from_)))
    return slices


def band_total(bands: Sequence[Band], cumulative: Decimal) -> Decimal:
    """F(cumulative), exact."""
    return sum((s.amount for s in band_slices(bands, cumulative)), Decimal(0))
