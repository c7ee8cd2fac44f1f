"""The annual settlement (年度核算) under each rule of the contract, and the corridor's edges."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adjudicator.fund.contract import Contract, parse_contract
from adjudicator.fund.settlement import settle

D = Decimal


def contract(surplus: str = "refund", shortfall: str = "county_tops_up",
             corridor: str | None = None, count_open: bool = True,
             opening: str = "0") -> Contract:
    """Premium 1,000,000 (10,000 persons x 100), management 10 %: 900,000 for claims."""
    lines = [
        'id = "t/2026"', 'name = "t"', 'county = "t"', 'county_name = "测试县"',
        'region_codes = ["330102"]', "year = 2026", 'insurer = "i"',
        "insured_persons = 10000", 'premium_per_person = "100"', 'management_share = "0.1"',
        f'opening_balance = "{opening}"',
        "[[instalments]]", "due = 2026-01-31", 'share = "1"',
        "[settlement]", f'surplus = "{surplus}"', f'shortfall = "{shortfall}"',
        f"count_open_claims = {'true' if count_open else 'false'}"]
    if corridor is not None:
        lines.append(f'corridor = "{corridor}"')
    return parse_contract("\n".join(lines).encode())


def test_a_surplus_is_refunded_without_a_corridor() -> None:
    s = settle(contract(), D("700000.00"), D("50000.00"))
    assert (s.claims_cost, s.result, s.county_refund, s.carried_over, s.insurer_keeps) == (
        D("750000.00"), D("150000.00"), D("150000.00"), D("0.00"), D("0.00"))
    assert s.county_owes == D("-150000.00")
    assert s.insurer_result == D("100000.00")  # its management fee only


def test_a_surplus_is_carried_over() -> None:
    s = settle(contract(surplus="carry_over"), D("700000.00"), D("0"))
    assert (s.carried_over, s.county_refund, s.county_owes) == (D("200000.00"), D("0.00"),
                                                                 D("0.00"))


def test_a_shortfall_is_topped_up_by_the_county() -> None:
    s = settle(contract(), D("950000.00"), D("30000.00"))
    assert (s.result, s.county_top_up, s.insurer_bears, s.county_owes) == (
        D("-80000.00"), D("80000.00"), D("0.00"), D("80000.00"))


def test_a_shortfall_is_borne_by_the_insurer() -> None:
    s = settle(contract(shortfall="insurer_bears"), D("950000.00"), D("30000.00"))
    assert (s.county_top_up, s.insurer_bears, s.insurer_result) == (
        D("0.00"), D("80000.00"), D("20000.00"))


def test_open_claims_are_left_out_when_the_contract_says_so() -> None:
    s = settle(contract(count_open=False), D("700000.00"), D("50000.00"))
    assert (s.committed, s.claims_cost, s.result) == (D("0.00"), D("700000.00"),
                                                      D("200000.00"))


def test_the_opening_balance_adds_to_the_fund() -> None:
    s = settle(contract(opening="12345.67"), D("900000.00"), D("0"))
    assert (s.result, s.county_refund) == (D("12345.67"), D("12345.67"))


@pytest.mark.parametrize(("paid", "keeps", "rest"), [
    ("850000.00", "50000.00", "0.00"),      # surplus exactly the corridor: all kept
    ("850000.01", "49999.99", "0.00"),      # just inside
    ("849999.99", "50000.00", "0.01"),      # one fen beyond: that fen goes back
    ("600000.00", "50000.00", "250000.00"),
    ("900000.00", "0.00", "0.00"),          # break-even: nothing moves
])
def test_corridor_edges_of_a_surplus(paid: str, keeps: str, rest: str) -> None:
    s = settle(contract(corridor="0.05"), D(paid), D("0"))
    assert s.corridor_limit == D("50000.00")
    assert (s.insurer_keeps, s.county_refund, s.insurer_bears, s.county_top_up) == (
        D(keeps), D(rest), D("0.00"), D("0.00"))


@pytest.mark.parametrize(("paid", "bears", "top_up"), [
    ("950000.00", "50000.00", "0.00"),      # shortfall exactly the corridor: insurer bears
    ("949999.99", "49999.99", "0.00"),
    ("950000.01", "50000.00", "0.01"),      # one fen beyond: the county tops it up
    ("1200000.00", "50000.00", "250000.00"),
])
def test_corridor_edges_of_a_shortfall(paid: str, bears: str, top_up: str) -> None:
    s = settle(contract(corridor="0.05"), D(paid), D("0"))
    assert (s.insurer_bears, s.county_top_up, s.insurer_keeps, s.county_refund) == (
        D(bears), D(top_up), D("0.00"), D("0.00"))


def test_a_corridor_with_the_insurer_bearing_shortfalls_bears_all_of_it() -> None:
    s = settle(contract(shortfall="insurer_bears", corridor="0.05"), D("1200000.00"), D("0"))
    assert (s.insurer_bears, s.county_top_up) == (D("300000.00"), D("0.00"))


money = st.integers(min_value=0, max_value=300_000_000).map(lambda fen: D(fen).scaleb(-2))


@given(paid=money, committed=money, surplus=st.sampled_from(["refund", "carry_over"]),
       shortfall=st.sampled_from(["county_tops_up", "insurer_bears"]),
       corridor=st.sampled_from([None, "0.05", "0.1", "0.33"]))
def test_every_fen_of_the_result_goes_somewhere_exactly_once(
        paid: Decimal, committed: Decimal, surplus: str, shortfall: str,
        corridor: str | None) -> None:
    s = settle(contract(surplus, shortfall, corridor), paid, committed)
    parts = (s.insurer_keeps, s.insurer_bears, s.county_refund, s.carried_over, s.county_top_up)
    assert all(part >= 0 and part == part.quantize(D("0.01")) for part in parts)
    assert s.result == (s.insurer_keeps + s.county_refund + s.carried_over
                        - s.insurer_bears - s.county_top_up)
    assert s.insurer_keeps <= s.corridor_limit
    if shortfall == "county_tops_up":
        assert s.insurer_bears <= s.corridor_limit
    # what the insurer ends with is what it received less what it paid out or holds over
    assert s.insurer_result == (s.premium + s.opening_balance + s.county_owes - s.claims_cost
                                - s.carried_over)
