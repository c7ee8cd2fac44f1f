"""The annual settlement under a contract (年度核算): pure arithmetic on Decimal yuan.

result = premium + opening balance - management fee - claims cost, where the claims cost is
what the year's claims were paid net of recoveries and top-ups, plus (when the contract
counts open claims) what is committed to claims still open at year end.

A surplus (result > 0): with a corridor the insurer keeps up to corridor x premium; the rest
is refunded to the county (多退) or carried over to next year's fund (余额结转). A shortfall
(result < 0): with a corridor the insurer bears up to corridor x premium; the rest is topped up
by the county (少补) or borne by the insurer too. Without a corridor the insurer keeps or bears
nothing beyond its management fee: the whole result goes the contract's way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from adjudicator.fund.contract import FEN, Contract

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Settlement:
    """The year's settlement, every figure in yuan to the fen."""

    premium: Decimal
    opening_balance: Decimal
    management_fee: Decimal
    paid_net: Decimal
    committed: Decimal
    claims_cost: Decimal
    result: Decimal
    corridor_limit: Decimal
    insurer_keeps: Decimal
    insurer_bears: Decimal
    county_refund: Decimal
    carried_over: Decimal
    county_top_up: Decimal

    @property
    def insurer_result(self) -> Decimal:
        """What the insurer ends the year with: its fee, plus what it keeps, less what it
        bears."""
        return self.management_fee + self.insurer_keeps - self.insurer_bears

    @property
    def county_owes(self) -> Decimal:
        """Positive: the county owes the insurer (少补); negative: the insurer refunds."""
        return self.county_top_up - self.county_refund

    def as_dict(self) -> dict[str, Any]:
        data = {key: f"{value:.2f}" for key, value in asdict(self).items()}
        data["insurer_result"] = f"{self.insurer_result:.2f}"
        data["county_owes"] = f"{self.county_owes:.2f}"
        return data


def settle(contract: Contract, paid_net: Decimal, committed: Decimal) -> Settlement:
    """The settlement of the year under `contract`, given the claims' net payments and the
    amounts committed to open claims (counted only when the contract says so)."""
    rule = contract.settlement
    counted = committed if rule.count_open_claims else ZERO
    cost = paid_net + counted
    result = contract.fund_for_claims - cost
    limit = ZERO
    if rule.corridor is not None:
        limit = (contract.premium * rule.corridor).quantize(FEN, rounding=ROUND_HALF_UP)
    keeps = bears = refund = carried = top_up = ZERO
    if result > 0:
        keeps = min(result, limit)
        rest = result - keeps
        if rule.surplus == "refund":
            refund = rest
        else:
            carried = rest
    elif result < 0:
        bears = min(-result, limit)
        rest = -result - bears
        if rule.shortfall == "county_tops_up":
            top_up = rest
        else:
            bears += rest
    return Settlement(contract.premium, contract.opening_balance, contract.management_fee,
                      paid_net, counted, cost, result, limit, keeps, bears, refund, carried,
                      top_up)
