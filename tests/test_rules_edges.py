"""Every reason code and ordering rule of RULES.md that the twelve worked examples leave out.

Each expected figure is worked out by hand from RULES.md in the comment beside it. Tariffs are
the demo tariff (LAYOUT.md: line 7000, after_expense, hardship 0.5, review 30000, rounding
0.01, medical 5000-20000 @0.5, 20000-50000 @0.6, 50000+ @0.7, cap 100000, all-category cap
150000) with the edits each test names, parsed by adjudicator.rules.tariff.parse_tariff.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from decimal import Decimal
from typing import Any

import pytest

from adjudicator.rules.tariff import Tariff, parse_tariff
from tariffs import demo_tariff_path
from tests.casebuilder import make_case
from tests.engines import Engine, scalar

DEMO_TEXT = demo_tariff_path().read_text("utf-8")
MEDICAL_BANDS = """bands = [
  { from = "5000", to = "20000", rate = "0.5" },
  { from = "20000", to = "50000", rate = "0.6" },
  { from = "50000", rate = "0.7" },
]"""


@functools.cache
def _parse(text: str) -> Tariff:
    return parse_tariff(text.encode("utf-8"), "edited-demo.toml")


def tariff(*edits: tuple[str, str], extra: str = "", **keys: str) -> Tariff:
    """The demo tariff with text edits, top-level `key = value` lines replaced, and `extra`."""
    text = DEMO_TEXT
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    for key, value in keys.items():
        text, count = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text, count=1)
        assert count == 1, key
    return _parse(text + extra)


DEMO = tariff()


#: The engine deciding this test's cases: each test runs with both (tests/engines.py).
ENGINE: Engine = scalar


@pytest.fixture(autouse=True)
def _each_engine(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "ENGINE", engine)


def decide(data: dict[str, Any], t: Tariff = DEMO) -> dict[str, Any]:
    decision: dict[str, Any] = json.loads(ENGINE(data, t))
    return decision


def medical(total: str, **deductions: str) -> dict[str, str]:
    return {"total_cost": total, **deductions}


def check(d: dict[str, Any], outcome: str, reasons: list[str], payout: str, *,
          per_capita: str | bool | None = False, counted: str | None = None,
          eligible: str | None = None) -> None:
    """Assert a decision's outcome, reasons, payout and (when given) its other figures."""
    assert (d["outcome"], d["reasons"], d["payout"]) == (outcome, reasons, payout), (
        d["outcome"], d["reasons"], d["payout"])
    if per_capita is not False:
        assert d["per_capita_income"] == per_capita
    if counted is not None:
        assert d["counted_expense"] == counted
    if eligible is not None:
        assert d["eligible_expense"] == eligible
    assert d["trace"][-1]["rule"] == "outcome"


def stopped_early(d: dict[str, Any]) -> None:
    """A decision that never reached the income test counts nothing and shows no P."""
    assert d["per_capita_income"] is None
    assert d["counted_expense"] == "0.00"
    assert d["payout"] == "0.00"


# Example 3 of RULES.md, the baseline most edge tests vary: 4 members, wages 40000, medical
# 35000 -> P = (40000 - 35000) / 4 = 1250.00; F(35000) = 0.5*15000 + 0.6*15000 = 16500.00.
def baseline(**overrides: Any) -> dict[str, Any]:
    return make_case(**{"members": 4, "wages": "40000", "medical": medical("35000"),
                        **overrides})


def test_baseline_is_approved() -> None:
    check(decide(baseline()), "approved", [], "16500.00", per_capita="1250.00",
          counted="35000.00", eligible="35000.00")


# ---------------------------------------------------------------------------------------------
# Step 1: coverage and identity


def test_not_covered_region() -> None:
    d = decide(baseline(region_code="330103001001"))
    check(d, "denied", ["NOT_COVERED_REGION"], "0.00", eligible="0.00")
    stopped_early(d)


def test_region_codes_are_prefixes() -> None:
    wide = tariff(region_codes='["33"]')
    check(decide(baseline(region_code="330103001001"), wide), "approved", [], "16500.00")
    check(decide(baseline(region_code="440103001001"), wide), "denied",
          ["NOT_COVERED_REGION"], "0.00")
    check(decide(baseline(region_code="330102")), "approved", [], "16500.00")


@pytest.mark.parametrize(
    ("event_date", "covered"),
    [("2026-01-01", True), ("2026-12-31", True), ("2026-06-15", True),
     ("2025-12-31", False), ("2027-01-01", False)],
)
def test_policy_period_bounds_are_inclusive(event_date: str, covered: bool) -> None:
    d = decide(baseline(event_date=event_date))
    if covered:
        check(d, "approved", [], "16500.00")
    else:
        check(d, "denied", ["NOT_IN_POLICY_PERIOD"], "0.00")
        stopped_early(d)


def accident_case() -> dict[str, Any]:
    data = baseline()
    data["claim"]["category"] = "accident"
    return data


def test_accident_without_an_accident_category_is_not_covered() -> None:
    d = decide(accident_case())
    check(d, "denied", ["CATEGORY_NOT_COVERED"], "0.00")
    stopped_early(d)


def test_accident_with_an_accident_category_uses_its_own_bands() -> None:
    t = tariff(extra='\n[categories.accident]\nannual_cap = "50000"\n'
                     'bands = [{ from = "1000", rate = "0.8" }]\n')
    # E = 35000, F = 0.8 * (35000 - 1000) = 27200.00 (< review 30000).
    check(decide(accident_case(), t), "approved", [], "27200.00", per_capita="1250.00")


def test_member_not_in_household() -> None:
    data = baseline()
    data["claim"]["member_id"] = "M9"
    d = decide(data)
    check(d, "denied", ["MEMBER_NOT_IN_HOUSEHOLD"], "0.00")  # and no ID-number reason
    stopped_early(d)


def test_casebuilder_ids_are_the_hand_computed_ones() -> None:
    # 33010219800101001: 21+27+0+5+0+8+2+9+48+0+0+9+0+5+0+0+2 = 136, 136 mod 11 = 4 -> "8".
    assert baseline()["household"]["members"][0]["id_number"] == "330102198001010018"


@pytest.mark.parametrize(
    ("id_number", "valid"),
    [
        ("330102198001010018", True),
        ("330102198001010019", False),  # check digit off by one
        ("330102198001010010", False),
        ("33010219800101001X", False),
        # 30 February 1980 with the check character its digits would have:
        # 3 3 0 1 0 2 1 9 8 0 0 2 3 0 0 0 1: 21+27+0+5+0+8+2+9+48+0+0+18+30+0+0+0+2 = 170,
        # 170 mod 11 = 5 -> "7"
        ("330102198002300017", False),
        ("11010519491231002X", True),  # GB 11643's own example, check character X
        ("11010519491231002x", True),  # lower-case x is read as X
        ("3301021980010100", False),  # 16 characters
    ],
)
def test_claimant_id_number(id_number: str, valid: bool) -> None:
    data = baseline()
    data["household"]["members"][0]["id_number"] = id_number
    d = decide(data)
    if valid:
        check(d, "approved", [], "16500.00")
    else:
        check(d, "denied", ["INVALID_ID_NUMBER"], "0.00")
        stopped_early(d)


def test_only_the_claimants_id_number_is_checked() -> None:
    data = baseline()
    data["household"]["members"][2]["id_number"] = "330102198001010019"
    check(decide(data), "approved", [], "16500.00")


def education(stage: str, tuition: str, accommodation: str = "0",
              aid: str = "0") -> dict[str, str]:
    return {"stage": stage, "tuition": tuition, "accommodation": accommodation,
            "aid_received": aid}


@pytest.mark.parametrize("stage", ["compulsory", "postgraduate"])
def test_education_stage_not_covered(stage: str) -> None:
    d = decide(make_case(members=4, wages="20000", education=education(stage, "8000")))
    check(d, "denied", ["EDU_STAGE_NOT_COVERED"], "0.00")
    stopped_early(d)


@pytest.mark.parametrize("stage",
                         ["high_school", "secondary_vocational", "college", "undergraduate"])
def test_education_eligible_expense_and_payout(stage: str) -> None:
    # E = 8000 + 2000 - 1000 = 9000; P = (20000 - 9000) / 4 = 2750.00;
    # education bands 3000-10000 @0.5: F(9000) = 0.5 * 6000 = 3000.00.
    d = decide(make_case(members=4, wages="20000",
                         education=education(stage, "8000", "2000", "1000")))
    check(d, "approved", [], "3000.00", per_capita="2750.00", eligible="9000.00",
          counted="9000.00")


def test_education_annual_cap() -> None:
    # E = 50000: F = 0.5*7000 + 0.7*40000 = 31500, capped at 20000.00 (below review 30000).
    d = decide(make_case(members=4, wages="20000", education=education("college", "50000")))
    check(d, "approved", [], "20000.00", per_capita="-7500.00")


def test_disaster_eligible_expense_and_payout() -> None:
    # E = 30000 - 4000 - 1000 = 25000; P = (20000 - 25000) / 4 = -1250.00;
    # disaster bands: 0.4*15000 + 0.5*5000 = 8500.00.
    d = decide(make_case(members=4, wages="20000", disaster={
        "assessed_loss": "30000", "insurance_paid": "4000", "relief_paid": "1000"}))
    check(d, "approved", [], "8500.00", per_capita="-1250.00", eligible="25000.00")


def test_several_deny_reasons_are_collected_together_and_sorted() -> None:
    data = baseline(region_code="440101000000", event_date="2027-02-01",
                    answers={"PUBLIC_SERVANT": True, "SHOP": True},
                    found={"SHOP": "business_registry"})
    data["claim"]["member_id"] = "M9"
    d = decide(data)
    check(d, "denied", ["MEMBER_NOT_IN_HOUSEHOLD", "NEG_PUBLIC_SERVANT", "NEG_SHOP",
                        "NOT_COVERED_REGION", "NOT_IN_POLICY_PERIOD"], "0.00")
    stopped_early(d)


def test_identity_stage_and_negative_list_reasons_together() -> None:
    data = make_case(members=4, wages="20000", education=education("compulsory", "8000"),
                     answers={"VEHICLE": False}, found={"VEHICLE": "vehicle_registry"})
    data["household"]["members"][0]["id_number"] = "330102198001010019"
    check(decide(data), "denied",
          ["EDU_STAGE_NOT_COVERED", "INVALID_ID_NUMBER", "NEG_CONCEALMENT", "NEG_VEHICLE"],
          "0.00")


def test_deny_reasons_win_over_an_incomplete_verification() -> None:
    # Step 3 stops before step 4: SHOP unanswered does not pend a denied claim.
    d = decide(baseline(answers={"SHOP": "unanswered", "COMPANY": True}))
    check(d, "denied", ["NEG_COMPANY"], "0.00")


# ---------------------------------------------------------------------------------------------
# Step 2: the negative list


@pytest.mark.parametrize("item", ["PUBLIC_SERVANT", "VEHICLE", "COMPANY", "COMMERCIAL_HOUSING",
                                  "SHOP", "CONCEALMENT"])
def test_negative_list_answered_true(item: str) -> None:
    d = decide(baseline(answers={item: True}))
    check(d, "denied", [f"NEG_{item}"], "0.00")
    stopped_early(d)


def test_negative_list_answered_true_and_found_is_no_concealment() -> None:
    d = decide(baseline(answers={"VEHICLE": True}, found={"VEHICLE": "vehicle_registry"}))
    check(d, "denied", ["NEG_VEHICLE"], "0.00")


def test_found_item_left_unanswered_is_denied_without_concealment() -> None:
    d = decide(baseline(answers={"VEHICLE": None}, found={"VEHICLE": "vehicle_registry"}))
    check(d, "denied", ["NEG_VEHICLE"], "0.00")


def test_cross_check_that_finds_nothing_changes_nothing() -> None:
    data = baseline()
    data["verification"]["cross_checks"] = [
        {"source": "vehicle_registry", "item": "VEHICLE", "found": False}]
    check(decide(data), "approved", [], "16500.00")


def test_an_inactive_item_answered_true_changes_nothing() -> None:
    # LARGE_DEPOSITS is a built-in item the demo tariff does not activate.
    check(decide(baseline(answers={"LARGE_DEPOSITS": True})), "approved", [], "16500.00")


def test_finding_of_an_item_not_in_the_tariff_is_kept_in_the_trace_and_changes_nothing() -> None:
    plain = decide(baseline())
    for answers in ({}, {"LARGE_DEPOSITS": False}):
        found = decide(baseline(answers=answers, found={"LARGE_DEPOSITS": "bank"}))
        check(found, "approved", [], "16500.00")
        without_trace = {k: v for k, v in found.items() if k != "trace"}
        assert without_trace == {k: v for k, v in plain.items() if k != "trace"}
        assert "LARGE_DEPOSITS" in json.dumps(found["trace"])
        assert "LARGE_DEPOSITS" not in json.dumps(plain["trace"])


def test_no_concealment_when_concealment_is_not_active() -> None:
    t = tariff(negative_list='["PUBLIC_SERVANT", "VEHICLE", "COMPANY", "COMMERCIAL_HOUSING", '
                             '"SHOP"]')
    data = baseline(answers={"VEHICLE": False}, found={"VEHICLE": "vehicle_registry"})
    check(decide(data, t), "denied", ["NEG_VEHICLE"], "0.00")
    # The same case under the demo tariff (CONCEALMENT active): example 8.
    check(decide(data), "denied", ["NEG_CONCEALMENT", "NEG_VEHICLE"], "0.00")


def test_concealment_needs_no_answer_when_it_is_not_active() -> None:
    t = tariff(negative_list='["VEHICLE"]')
    check(decide(baseline(answers={"CONCEALMENT": "unanswered", "SHOP": "unanswered"}), t),
          "approved", [], "16500.00")


# ---------------------------------------------------------------------------------------------
# Step 4: completeness


def test_missing_income_list_pends() -> None:
    data = baseline()
    del data["verification"]["income"]
    d = decide(data)
    check(d, "pended", ["PEND_INCOMPLETE_VERIFICATION"], "0.00", eligible="0.00")
    stopped_early(d)


def test_empty_income_list_means_zero_income() -> None:
    data = baseline()
    data["verification"]["income"] = []
    # N = 0 - 0 = 0; P = (0 - 35000) / 4 = -8750.00.
    d = decide(data)
    check(d, "approved", [], "16500.00", per_capita="-8750.00")
    assert d["net_income"] == "0.00"


def test_net_income_is_never_below_zero() -> None:
    # Income 1000, costs 5000: N = max(1000 - 5000, 0) = 0 -> P = (0 - 35000) / 4 = -8750.00
    # (not (1000 - 5000 - 35000) / 4 = -9750.00).
    d = decide(baseline(wages="1000", production_cost="5000"))
    check(d, "approved", [], "16500.00", per_capita="-8750.00")
    assert d["net_income"] == "0.00"
    before = tariff(income_test='"before_expense"')
    check(decide(baseline(wages="1000", production_cost="5000"), before), "approved", [],
          "16500.00", per_capita="0.00")


def test_no_counted_member_pends() -> None:
    data = baseline()
    for member in data["household"]["members"]:
        member["counted"] = False
    d = decide(data)
    check(d, "pended", ["PEND_INCOMPLETE_VERIFICATION"], "0.00")
    stopped_early(d)


def test_only_counted_members_divide_the_income() -> None:
    data = baseline()
    data["household"]["members"][2]["counted"] = False
    del data["household"]["members"][3]["counted"]  # default: counted
    # M = 3: P = (40000 - 35000) / 3 = 1666.666... -> 1666.67.
    check(decide(data), "approved", [], "16500.00", per_capita="1666.67")


def test_no_verification_at_all_pends() -> None:
    data = baseline()
    del data["verification"]
    d = decide(data)
    check(d, "pended", ["PEND_INCOMPLETE_VERIFICATION"], "0.00")
    stopped_early(d)


def test_negative_list_answer_null_pends() -> None:
    d = decide(baseline(answers={"COMMERCIAL_HOUSING": None}))
    check(d, "pended", ["PEND_INCOMPLETE_VERIFICATION"], "0.00")
    stopped_early(d)


def test_incomplete_verification_pends_before_the_expense_is_looked_at() -> None:
    d = decide(baseline(medical=medical("0"), answers={"SHOP": "unanswered"}))
    check(d, "pended", ["PEND_INCOMPLETE_VERIFICATION"], "0.00")


# ---------------------------------------------------------------------------------------------
# Step 5: eligible expense


@pytest.mark.parametrize(
    "amounts",
    [
        medical("0"),
        medical("10000", basic_insurance_paid="6000", critical_illness_paid="5000"),
        medical("10000", non_compliant_cost="4000", medical_assistance_paid="6000"),
        medical("10000", other_compensation="10000.01"),
    ],
)
def test_no_eligible_expense(amounts: dict[str, str]) -> None:
    d = decide(baseline(medical=amounts))
    check(d, "denied", ["NO_ELIGIBLE_EXPENSE"], "0.00", eligible="0.00")
    stopped_early(d)


def test_an_over_compensated_claim_does_not_reduce_the_years_expense() -> None:
    # E is never below zero: with 30000 counted so far, a claim compensated beyond its cost
    # is simply NO_ELIGIBLE_EXPENSE and counts nothing (C would otherwise drop).
    d = decide(baseline(medical=medical("1000", basic_insurance_paid="5000"),
                        history={"eligible_expense_to_date": "30000", "paid_to_date": "13500",
                                 "paid_all_categories_to_date": "13500"}))
    check(d, "denied", ["NO_ELIGIBLE_EXPENSE"], "0.00", eligible="0.00", counted="0.00")


def test_education_and_disaster_without_eligible_expense() -> None:
    check(decide(make_case(education=education("college", "5000", "1000", "6000"))),
          "denied", ["NO_ELIGIBLE_EXPENSE"], "0.00")
    check(decide(make_case(disaster={"assessed_loss": "8000", "insurance_paid": "5000",
                                     "relief_paid": "3000.01"})),
          "denied", ["NO_ELIGIBLE_EXPENSE"], "0.00")


def test_include_non_compliant() -> None:
    amounts = medical("68000", non_compliant_cost="3000", basic_insurance_paid="30000",
                      critical_illness_paid="8000", medical_assistance_paid="2000")
    t = tariff(("include_non_compliant = false", "include_non_compliant = true"))
    # E = 68000 - 30000 - 8000 - 2000 = 28000 (the 3000 non-compliant cost stays in);
    # P = (40000 - 28000) / 4 = 3000.00; F = 7500 + 0.6 * 8000 = 12300.00.
    check(decide(baseline(medical=amounts), t), "approved", [], "12300.00",
          per_capita="3000.00", eligible="28000.00")
    # Example 1 without it: E = 25000, payout 10500.00.
    check(decide(baseline(medical=amounts)), "approved", [], "10500.00", eligible="25000.00")


def test_other_compensation_is_deducted() -> None:
    # E = 40000 - 10000 = 30000; F = 7500 + 0.6 * 10000 = 13500.00.
    check(decide(baseline(medical=medical("40000", other_compensation="10000"))), "approved",
          [], "13500.00", eligible="30000.00")


# ---------------------------------------------------------------------------------------------
# Step 6: income test


def two_kinds_of_income(**overrides: Any) -> dict[str, Any]:
    data = make_case(members=2, medical=medical("21000"), **overrides)
    data["verification"]["income"] = [{"kind": "wage", "amount": "20000"},
                                      {"kind": "transfer", "amount": "30000"}]
    return data


def test_excluded_income_kinds() -> None:
    # All counted: N = 50000, P = (50000 - 21000) / 2 = 14500 > 7000; C = 21000 < 0.5 * 50000
    # -> INCOME_ABOVE_LINE.
    d = decide(two_kinds_of_income())
    check(d, "denied", ["INCOME_ABOVE_LINE"], "0.00", per_capita="14500.00",
          counted="21000.00")
    # Transfers excluded: N = 20000, P = (20000 - 21000) / 2 = -500.00;
    # F(21000) = 7500 + 600 = 8100.00.
    t = tariff(excluded_income_kinds='["transfer"]')
    d = decide(two_kinds_of_income(), t)
    check(d, "approved", [], "8100.00", per_capita="-500.00")
    assert d["net_income"] == "20000.00"


def test_before_expense_mode() -> None:
    before = tariff(income_test='"before_expense"')
    amounts = medical("25000")
    # P = 40000 / 4 = 10000.00 > 7000; C = 25000 >= 0.5 * 40000 -> hardship pend;
    # F(25000) = 7500 + 3000 = 10500.00.
    check(decide(baseline(medical=amounts), before), "pended", ["PEND_HARDSHIP_EXCEPTION"],
          "10500.00", per_capita="10000.00", counted="25000.00")
    no_hardship = tariff(income_test='"before_expense"', hardship_ratio='"0"')
    check(decide(baseline(medical=amounts), no_hardship), "denied", ["INCOME_ABOVE_LINE"],
          "0.00", per_capita="10000.00", counted="25000.00")
    # 28000 / 4 = 7000.00: the line itself passes.
    check(decide(baseline(medical=amounts, wages="28000"), no_hardship), "approved", [],
          "10500.00", per_capita="7000.00")
    # After expense the same household passes easily: (40000 - 25000) / 4 = 3750.00.
    check(decide(baseline(medical=amounts)), "approved", [], "10500.00", per_capita="3750.00")


@pytest.mark.parametrize(
    ("wages", "outcome", "reasons", "per_capita"),
    [
        # One member, E = 20000 (F = 7500.00), borderline margin 0.1: floor 6300.
        ("26299.99", "approved", [], "6299.99"),
        ("26300", "approved", [], "6300.00"),  # the floor itself is not borderline
        ("26300.01", "pended", ["PEND_BORDERLINE_INCOME"], "6300.01"),
        ("27000", "pended", ["PEND_BORDERLINE_INCOME"], "7000.00"),  # the line is borderline
        # Above the line: C = 20000 >= 0.5 * 27000.01 -> hardship, never borderline.
        ("27000.01", "pended", ["PEND_HARDSHIP_EXCEPTION"], "7000.01"),
    ],
)
def test_borderline_margin(wages: str, outcome: str, reasons: list[str],
                           per_capita: str) -> None:
    t = tariff(borderline_margin='"0.1"')
    d = decide(make_case(members=1, wages=wages, medical=medical("20000")), t)
    check(d, outcome, reasons, "7500.00", per_capita=per_capita, counted="20000.00")


def test_borderline_margin_zero_disables() -> None:
    d = decide(make_case(members=1, wages="26999.99", medical=medical("20000")))
    check(d, "approved", [], "7500.00", per_capita="6999.99")


def test_hardship_boundary_is_inclusive() -> None:
    # Two members, N = 40000: P = (40000 - C) / 2 > 7000 while C < 26000; hardship needs
    # C >= 0.5 * 40000 = 20000.
    d = decide(make_case(members=2, medical=medical("20000")))
    check(d, "pended", ["PEND_HARDSHIP_EXCEPTION"], "7500.00", per_capita="10000.00")
    d = decide(make_case(members=2, medical=medical("19999.99")))
    check(d, "denied", ["INCOME_ABOVE_LINE"], "0.00", per_capita="10000.01",
          counted="19999.99")


def test_hardship_ratio_zero_disables_the_exception() -> None:
    # Example 12 (P = 9500.00, C = 21000 >= 20000) pends under the demo tariff ...
    case = make_case(members=2, medical=medical("21000"))
    check(decide(case), "pended", ["PEND_HARDSHIP_EXCEPTION"], "8100.00")
    # ... and is denied when the ratio is 0.
    d = decide(case, tariff(hardship_ratio='"0"'))
    check(d, "denied", ["INCOME_ABOVE_LINE"], "0.00", per_capita="9500.00", counted="21000.00")


def test_hardship_counts_the_years_expense() -> None:
    # 15000 counted earlier (denied, nothing paid), E = 6000: C = 21000 >= 20000;
    # P = (40000 - 21000) / 2 = 9500.00; payout F(21000) - 0 = 8100.00.
    d = decide(make_case(members=2, medical=medical("6000"), history={
        "eligible_expense_to_date": "15000", "paid_to_date": "0",
        "paid_all_categories_to_date": "0"}))
    check(d, "pended", ["PEND_HARDSHIP_EXCEPTION"], "8100.00", per_capita="9500.00",
          counted="6000.00")


NO_HARDSHIP = tariff(hardship_ratio='"0"')


@pytest.mark.parametrize(
    ("members", "wages", "total", "outcome", "payout", "per_capita"),
    [
        # (41000.01 - 20000) / 3 = 7000.00333.. -> 7000.00 <= 7000: compared after rounding.
        (3, "41000.01", "20000", "approved", "7500.00", "7000.00"),
        # (41000.02 - 20000) / 3 = 7000.00666.. -> 7000.01 > 7000.
        (3, "41000.02", "20000", "denied", "0.00", "7000.01"),
        # (34000.01 - 20000) / 2 = 7000.005: a tie, half-up -> 7000.01 (half-even: 7000.00).
        (2, "34000.01", "20000", "denied", "0.00", "7000.01"),
        # (20000 - 20000.05) / 2 = -0.025: a negative tie, away from zero -> -0.03;
        # F(20000.05) = 7500 + 0.6 * 0.05 = 7500.03.
        (2, "20000", "20000.05", "approved", "7500.03", "-0.03"),
        # (20000 - 20000.02) / 3 = -0.00666.. -> -0.01.
        (3, "20000", "20000.02", "approved", "7500.01", "-0.01"),
        # (0 - 20000.01) / 2 = -10000.005 -> -10000.01; F = 7500.006 -> 7500.01.
        (2, "0", "20000.01", "approved", "7500.01", "-10000.01"),
        # (20000 - 20000.01) / 2 = -0.005 -> -0.01.
        (2, "20000", "20000.01", "approved", "7500.01", "-0.01"),
    ],
)
def test_per_capita_income_is_rounded_half_up_to_the_fen(members: int, wages: str, total: str,
                                                         outcome: str, payout: str,
                                                         per_capita: str) -> None:
    d = decide(make_case(members=members, wages=wages, medical=medical(total)), NO_HARDSHIP)
    reasons = [] if outcome == "approved" else ["INCOME_ABOVE_LINE"]
    check(d, outcome, reasons, payout, per_capita=per_capita)


# ---------------------------------------------------------------------------------------------
# Step 7: payout


@pytest.mark.parametrize("total", ["4000", "5000", "0.01"])
def test_below_trigger(total: str) -> None:
    # Wages 20000, 4 members: P = (20000 - E) / 4 <= 7000; F(E) = 0 for E <= 5000.
    d = decide(baseline(wages="20000", medical=medical(total)))
    check(d, "denied", ["BELOW_TRIGGER"], "0.00", counted=f"{Decimal(total):.2f}")
    assert d["per_capita_income"] is not None


def test_just_above_the_trigger_pays() -> None:
    # F(5000.01) = 0.005 -> 0.01 (half-up).
    check(decide(baseline(wages="20000", medical=medical("5000.01"))), "approved", [], "0.01")


def test_below_trigger_when_everything_was_already_paid() -> None:
    # A closed last band: F is flat above 20000 (F = 7500). With 20000 counted and 7500 paid,
    # a further 1000 has round(F(21000)) - paid = 0 -> BELOW_TRIGGER, and still counts.
    closed = tariff((MEDICAL_BANDS, 'bands = [{ from = "5000", to = "20000", rate = "0.5" }]'))
    d = decide(baseline(medical=medical("1000"), history={
        "eligible_expense_to_date": "20000", "paid_to_date": "7500",
        "paid_all_categories_to_date": "7500"}), closed)
    check(d, "denied", ["BELOW_TRIGGER"], "0.00", counted="1000.00")


def test_below_trigger_when_the_rounded_due_does_not_move() -> None:
    # Rounding "1": 25000 counted, 10500 paid; E = 0.50: F(25000.50) = 10500.30 -> 10500;
    # 10500 - 10500 = 0 -> BELOW_TRIGGER.
    d = decide(baseline(medical=medical("0.50"), history={
        "eligible_expense_to_date": "25000", "paid_to_date": "10500",
        "paid_all_categories_to_date": "10500"}), tariff(rounding='"1"'))
    check(d, "denied", ["BELOW_TRIGGER"], "0.00", counted="0.50")


@pytest.mark.parametrize(
    ("total", "bands"),
    [
        # C = 20000 is the top of the first band: x > from only for the first band, so one
        # slice; the second band (from 20000) does not pay and is not listed.
        ("20000", [("5000.00", "20000.00", "0.5", "7500.00")]),
        ("35000", [("5000.00", "20000.00", "0.5", "7500.00"),
                   ("20000.00", "35000.00", "0.6", "9000.00")]),
        ("50000.01", [("5000.00", "20000.00", "0.5", "7500.00"),
                      ("20000.00", "50000.00", "0.6", "18000.00"),
                      ("50000.00", "50000.01", "0.7", "0.01")]),  # 0.007 shown half-up
    ],
)
def test_band_breakdown_lists_the_paying_slices(total: str,
                                                bands: list[tuple[str, ...]]) -> None:
    d = decide(baseline(wages="20000", medical=medical(total)))
    assert d["outcome"] == "approved"
    assert [(b["from"], b["to"], b["rate"], b["amount"]) for b in d["bands"]] == bands


def test_band_slice_amount_is_shown_half_up_like_the_payout() -> None:
    # E = 5000.05: the one slice is 0.5 * 0.05 = 0.025; the payout rounds it half-up to 0.03
    # and the breakdown shows the same 0.03 (half-even would show 0.02).
    d = decide(make_case(members=2, wages="9000", medical=medical("5000.05")))
    check(d, "approved", [], "0.03")
    assert [b["amount"] for b in d["bands"]] == ["0.03"]


def test_cap_reached_from_the_category_cap() -> None:
    # 250000 counted, 100000 paid (the cap); E = 1000: F(251000) = 7500 + 18000 + 140700
    # = 166200 > paid, so not BELOW_TRIGGER; due = min(166200, 100000) - 100000 = 0.
    d = decide(baseline(medical=medical("1000"), history={
        "eligible_expense_to_date": "250000", "paid_to_date": "100000",
        "paid_all_categories_to_date": "100000"}))
    check(d, "denied", ["CAP_REACHED"], "0.00", counted="1000.00")


def test_category_cap_pays_what_is_left() -> None:
    # 150000 counted, F(150000) = 7500 + 18000 + 70000 = 95500 paid; E = 10000:
    # F(160000) = 102500, due = min(102500, 100000) = 100000; payout 4500.00.
    d = decide(baseline(medical=medical("10000"), history={
        "eligible_expense_to_date": "150000", "paid_to_date": "95500",
        "paid_all_categories_to_date": "95500"}))
    check(d, "approved", [], "4500.00")


@pytest.mark.parametrize(
    ("paid_all", "outcome", "reasons", "payout"),
    [
        ("150000", "denied", ["CAP_REACHED"], "0.00"),
        ("160000", "denied", ["CAP_REACHED"], "0.00"),
        ("140000", "approved", [], "10000.00"),  # 150000 - 140000 left
        ("133500", "approved", [], "16500.00"),  # exactly enough room
        ("133500.01", "approved", [], "16499.99"),
    ],
)
def test_all_category_cap(paid_all: str, outcome: str, reasons: list[str],
                          payout: str) -> None:
    d = decide(baseline(history={"eligible_expense_to_date": "0", "paid_to_date": "0",
                                 "paid_all_categories_to_date": paid_all}))
    check(d, outcome, reasons, payout, counted="35000.00")


def test_no_all_category_cap_when_the_tariff_sets_none() -> None:
    t = tariff(("household_annual_cap_all = \"150000\"\n", ""))
    d = decide(baseline(history={"eligible_expense_to_date": "0", "paid_to_date": "0",
                                 "paid_all_categories_to_date": "900000"}), t)
    check(d, "approved", [], "16500.00")


def test_below_trigger_denies_even_with_a_hardship_pend() -> None:
    # Before expense: P = 9000 / 1 > 7000; C = 5000 >= 0.5 * 9000 -> hardship; F(5000) = 0.
    t = tariff(income_test='"before_expense"')
    d = decide(make_case(members=1, wages="9000", medical=medical("5000")), t)
    check(d, "denied", ["BELOW_TRIGGER"], "0.00", per_capita="9000.00", counted="5000.00")


def test_below_trigger_denies_even_with_a_borderline_pend() -> None:
    # Margin 0.5 (floor 3500): P = 9000 - 4000 = 5000 is borderline; F(4000) = 0.
    t = tariff(borderline_margin='"0.5"')
    d = decide(make_case(members=1, wages="9000", medical=medical("4000")), t)
    check(d, "denied", ["BELOW_TRIGGER"], "0.00", per_capita="5000.00", counted="4000.00")


def test_cap_reached_denies_even_with_a_hardship_pend() -> None:
    # Example 12 (hardship pend, 8100.00) with the all-category cap already used up.
    d = decide(make_case(members=2, medical=medical("21000"), history={
        "eligible_expense_to_date": "0", "paid_to_date": "0",
        "paid_all_categories_to_date": "150000"}))
    check(d, "denied", ["CAP_REACHED"], "0.00", per_capita="9500.00", counted="21000.00")


# ---------------------------------------------------------------------------------------------
# Rounding "1"

ROUND_YUAN = tariff(rounding='"1"')


@pytest.mark.parametrize(
    ("total", "outcome", "reasons", "payout"),
    [
        ("5000.03", "denied", ["BELOW_TRIGGER"], "0.00"),  # F = 0.015 -> 0
        ("5000.99", "denied", ["BELOW_TRIGGER"], "0.00"),  # F = 0.495 -> 0
        ("5001", "approved", [], "1.00"),  # F = 0.5 -> 1 (half-up)
        ("5003", "approved", [], "2.00"),  # F = 1.5 -> 2
        ("25000.99", "approved", [], "10501.00"),  # F = 7500 + 3000.594 = 10500.594 -> 10501
        ("25000.8", "approved", [], "10500.00"),  # F = 10500.48 -> 10500
    ],
)
def test_rounding_to_whole_yuan(total: str, outcome: str, reasons: list[str],
                                payout: str) -> None:
    # Example 6's household: 2 members, wages 9000, production cost 1000.
    d = decide(make_case(members=2, wages="9000", production_cost="1000",
                         medical=medical(total)), ROUND_YUAN)
    check(d, outcome, reasons, payout)


def test_rounding_to_whole_yuan_across_two_claims() -> None:
    # First claim 25000.99 paid 10501; a second of 0.01: F(25001) = 10500.6 -> 10501, minus
    # 10501 paid = 0 -> BELOW_TRIGGER.
    d = decide(make_case(members=2, wages="9000", medical=medical("0.01"), history={
        "eligible_expense_to_date": "25000.99", "paid_to_date": "10501",
        "paid_all_categories_to_date": "10501"}), ROUND_YUAN)
    check(d, "denied", ["BELOW_TRIGGER"], "0.00", counted="0.01")


# ---------------------------------------------------------------------------------------------
# Step 8: review


@pytest.mark.parametrize(
    ("total", "outcome", "reasons", "payout"),
    [
        # F(56428.57) = 25500 + 0.7 * 6428.57 = 29999.999 -> 30000.00: the threshold pends.
        ("56428.57", "pended", ["PEND_LARGE_PAYOUT"], "30000.00"),
        # F(56428.56) = 29999.992 -> 29999.99.
        ("56428.56", "approved", [], "29999.99"),
    ],
)
def test_large_payout_threshold_is_inclusive(total: str, outcome: str, reasons: list[str],
                                             payout: str) -> None:
    check(decide(baseline(medical=medical(total))), outcome, reasons, payout)


def test_no_review_when_the_tariff_sets_no_threshold() -> None:
    t = tariff(('large_payout_review = "30000"\n', ""))
    # Example 7's claim: capped 100000.00, approved without a person.
    d = decide(make_case(members=2, wages="20000",
                         medical=medical("300000", basic_insurance_paid="50000")), t)
    check(d, "approved", [], "100000.00")


def test_hardship_and_large_payout_pend_together() -> None:
    # Before expense: P = 40000 / 2 = 20000 > 7000, C = 80000 >= 20000 -> hardship;
    # F(80000) = 7500 + 18000 + 21000 = 46500.00 >= 30000 -> large payout.
    t = tariff(income_test='"before_expense"')
    d = decide(make_case(members=2, wages="40000", medical=medical("80000")), t)
    check(d, "pended", ["PEND_HARDSHIP_EXCEPTION", "PEND_LARGE_PAYOUT"], "46500.00",
          per_capita="20000.00", counted="80000.00")


def test_borderline_and_large_payout_pend_together() -> None:
    # Margin 0.1: P = 66500 - 60000 = 6500 in (6300, 7000]; F(60000) = 32500.00 >= 30000.
    t = tariff(borderline_margin='"0.1"')
    d = decide(make_case(members=1, wages="66500", medical=medical("60000")), t)
    check(d, "pended", ["PEND_BORDERLINE_INCOME", "PEND_LARGE_PAYOUT"], "32500.00",
          per_capita="6500.00")


# ---------------------------------------------------------------------------------------------
# Counted expense and the year's cumulative expense


def test_an_expense_denied_for_income_still_counts_and_is_paid_later() -> None:
    # Why "payout <= E + one step" needs a paid-up history: one member, wages 47050, no
    # hardship route. 40000 alone: P = 7050 > 7000 -> denied, counted 40000.00, paid 0.
    first = decide(make_case(members=1, wages="47050", medical=medical("40000")), NO_HARDSHIP)
    check(first, "denied", ["INCOME_ABOVE_LINE"], "0.00", per_capita="7050.00",
          counted="40000.00")
    # A later 100: C = 40100, P = 6950 -> approved on the whole year's expense:
    # F(40100) = 7500 + 0.6 * 20100 = 19560.00, far above this claim's E = 100.
    second = decide(make_case(members=1, wages="47050", medical=medical("100"), history={
        "eligible_expense_to_date": first["counted_expense"], "paid_to_date": "0",
        "paid_all_categories_to_date": "0"}), NO_HARDSHIP)
    check(second, "approved", [], "19560.00", per_capita="6950.00", counted="100.00")
    # One claim of the sum pays the same.
    single = decide(make_case(members=1, wages="47050", medical=medical("40100")), NO_HARDSHIP)
    check(single, "approved", [], "19560.00")


def test_split_claims_with_both_caps_binding() -> None:
    # Example 7's household (2 members, wages 20000), 60000 already paid in other categories:
    # E = 250000 as one claim: F = 7500 + 18000 + 140000 = 165500, capped at 100000, then at
    # the all-category room 150000 - 60000 = 90000 -> 90000.00 (pended: large payout).
    history = {"eligible_expense_to_date": "0", "paid_to_date": "0",
               "paid_all_categories_to_date": "60000"}
    single = decide(make_case(members=2, wages="20000", medical=medical("250000"),
                              history=history))
    check(single, "pended", ["PEND_LARGE_PAYOUT"], "90000.00")
    paid = counted = Decimal(0)
    for part in ("30000", "100000", "70000", "50000"):
        d = decide(make_case(members=2, wages="20000", medical=medical(part), history={
            "eligible_expense_to_date": str(counted), "paid_to_date": str(paid),
            "paid_all_categories_to_date": str(60000 + paid)}))
        counted += Decimal(d["counted_expense"])
        if d["outcome"] != "denied":  # pends approved by a person
            paid += Decimal(d["payout"])
    # Parts: F(30000) = 13500; F(130000) = 81500; F(200000) = 130500 -> min(cap 100000,
    # room 90000) = 90000; the last, 250000: CAP_REACHED. Total 90000.00.
    assert f"{paid:.2f}" == "90000.00"
    assert f"{counted:.2f}" == "250000.00"
