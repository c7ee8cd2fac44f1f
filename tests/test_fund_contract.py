"""The fund contract (约定盈亏、年度核算) as data: the shipped contract, and exact errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from adjudicator.fund.contract import ContractError, find_contract, load_contract, parse_contract
from adjudicator.messages import problem_lines
from contracts import CONTRACT_DIR, demo_contract_path, shipped_contract_paths

GOOD = """
id = "x/2026"
name = "某县2026年度防贫保险合同"
county = "x"
county_name = "某县"
region_codes = ["330102"]
year = 2026
insurer = "某保险公司"
insured_persons = 18844
premium_per_person = "100"
management_share = "0.1"

[[instalments]]
due = 2026-01-31
share = "0.3"

[[instalments]]
due = 2026-07-31
share = "0.7"

[settlement]
surplus = "carry_over"
shortfall = "insurer_bears"
"""


def test_every_shipped_contract_loads_and_the_demo_one_is_found_by_county_or_code() -> None:
    assert shipped_contract_paths() == [demo_contract_path()]
    demo = load_contract(demo_contract_path())
    assert (demo.premium, demo.management_fee, demo.fund_for_claims) == (
        Decimal("1130640.00"), Decimal("113064.00"), Decimal("1017576.00"))
    assert len(demo.sha256) == 64
    assert find_contract(CONTRACT_DIR, "demo-county", 2026).id == demo.id
    # an officer types the county's name (it failed before: 没有示范县 2026年度的资金合同)
    assert find_contract(CONTRACT_DIR, "示范县", 2026).id == demo.id
    assert find_contract(CONTRACT_DIR, "330102", 2026).id == demo.id
    with pytest.raises(ContractError, match="no contract for county demo-county, year 2027"):
        find_contract(CONTRACT_DIR, "demo-county", 2027)


def test_premium_from_persons_or_a_fixed_fund_and_instalments_add_up_exactly() -> None:
    contract = parse_contract(GOOD.encode())
    assert contract.premium == Decimal("1884400.00")
    assert contract.instalment_amounts() == [(dt.date(2026, 1, 31), Decimal("565320.00")),
                                             (dt.date(2026, 7, 31), Decimal("1319080.00"))]
    assert contract.loss_ratio_target == Decimal("0.9")
    thirds = GOOD.replace('share = "0.3"', 'share = "0.333"').replace(
        'share = "0.7"', 'share = "0.667"').replace(
        'insured_persons = 18844\npremium_per_person = "100"', 'fund = "100000.01"')
    contract = parse_contract(thirds.encode())
    amounts = [a for _, a in contract.instalment_amounts()]
    assert amounts == [Decimal("33300.00"), Decimal("66700.01")]
    assert sum(amounts) == contract.premium == Decimal("100000.01")


@pytest.mark.parametrize(("change", "key", "words"), [
    (("insured_persons = 18844\n", ""), "insured_persons", "required unless"),
    (('premium_per_person = "100"', 'premium_per_person = "100"\nfund = "5"'), "fund",
     "either fund or insured_persons"),
    (('premium_per_person = "100"', 'premium_per_person = "-1"'), "premium_per_person", ""),
    (('management_share = "0.1"', 'management_share = "1"'), "management_share",
     "must be below 1"),
    (('share = "0.7"', 'share = "0.6"'), "instalments", "shares must add up to 1"),
    (("due = 2026-07-31", "due = 2026-01-01"), "instalments[1].due", "in date order"),
    (("due = 2026-07-31", "due = 2028-07-31"), "instalments[1].due", "contract year"),
    (('surplus = "carry_over"', 'surplus = "keep"'), "settlement.surplus", "refund"),
    (('shortfall = "insurer_bears"', 'shortfall = "insurer_bears"\ncorridor = "1.5"'),
     "settlement.corridor", "(0, 1)"),
    (('region_codes = ["330102"]', 'region_codes = ["33x"]'), "region_codes[0]", "digit"),
    (('year = 2026', 'year = 2026\nwarning = "0.8"'), "warning", "Extra inputs"),
    (('year = 2026', 'year = 2026\nsha256 = "x"'), "sha256", "set by the loader"),
])
def test_a_bad_contract_names_the_key_at_fault(change: tuple[str, str], key: str,
                                               words: str) -> None:
    old, new = change
    assert old in GOOD
    with pytest.raises(ContractError) as caught:
        parse_contract(GOOD.replace(old, new, 1).encode(), "x.toml")
    keys = [k for k, _ in caught.value.problems]
    assert key in keys, caught.value.problems
    message = dict(caught.value.problems)[key]
    assert words in message
    assert str(caught.value).startswith("x.toml: ")


def test_every_problem_of_a_file_is_reported_at_once_and_bad_toml_is_named() -> None:
    text = GOOD.replace('management_share = "0.1"', 'management_share = "2"').replace(
        'share = "0.7"', 'share = "0.5"')
    with pytest.raises(ContractError) as caught:
        parse_contract(text.encode())
    assert {"management_share", "instalments"} <= {k for k, _ in caught.value.problems}
    with pytest.raises(ContractError, match=r"\(file\): not valid TOML") as bad:
        parse_contract(b"id = ")
    assert problem_lines(bad.value.source, bad.value.problems, "zh")[0].startswith(
        "<contract>: (file): 不是有效的TOML：")
