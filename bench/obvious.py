"""The obvious way to decide cases, for comparison in bench/bench_evaluate.py.

What anyone would write first from RULES.md: a plain Python loop that reads each line with
`json.loads`, decides it with `Decimal` arithmetic step by step, and writes a decision without
its trace with `json.dumps`. No validation beyond what the rules read, no trace, no engine.
It takes the tariff's numbers from a parsed tariff (reading a tariff file is not what is
measured).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from adjudicator.rules.tariff import Tariff

ZERO = Decimal(0)
FEN = Decimal("0.01")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_ok(number: str) -> bool:
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def _amount(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(str(value))


def decide(case: dict[str, Any], tariff: Tariff) -> dict[str, Any]:
    household, claim = case["household"], case["claim"]
    verification = case.get("verification")
    history = case.get("history") or {}
    reasons: list[str] = []
    # 1. coverage and identity
    if tariff.covers_region(household["region_code"]) is None:
        reasons.append("NOT_COVERED_REGION")
    event = claim["event_date"]
    if not tariff.valid_from.isoformat() <= event <= tariff.valid_to.isoformat():
        reasons.append("NOT_IN_POLICY_PERIOD")
    rules = tariff.categories.get(claim["category"])
    if rules is None:
        reasons.append("CATEGORY_NOT_COVERED")
    member = next((m for m in household["members"] if m["member_id"] == claim["member_id"]),
                  None)
    if member is None:
        reasons.append("MEMBER_NOT_IN_HOUSEHOLD")
    elif not _id_ok(member["id_number"]):
        reasons.append("INVALID_ID_NUMBER")
    education = claim.get("education")
    if education and rules is not None and education["stage"] not in [
            s.value for s in rules.eligible_stages or []]:
        reasons.append("EDU_STAGE_NOT_COVERED")
    # 2. the negative list
    answers = (verification or {}).get("negative_list", {})
    found = {c["item"] for c in (verification or {}).get("cross_checks", []) if c["found"]}
    concealed = False
    for item in tariff.negative_list:
        if answers.get(item) is True or item in found:
            reasons.append("NEG_" + item)
        if item in found and answers.get(item) is False:
            concealed = True
    if concealed and "CONCEALMENT" in tariff.negative_list and "NEG_CONCEALMENT" not in reasons:
        reasons.append("NEG_CONCEALMENT")
    if reasons:
        return _decision(case, "denied", reasons)
    assert rules is not None
    # 4. completeness
    counted = sum(1 for m in household["members"] if m.get("counted", True))
    if (verification is None or verification.get("income") is None or counted == 0
            or any(answers.get(item) is None for item in tariff.negative_list)):
        return _decision(case, "pended", ["PEND_INCOMPLETE_VERIFICATION"])
    # 5. eligible expense
    if claim.get("medical"):
        m = claim["medical"]
        raw = _amount(m["total_cost"]) - sum(
            (_amount(m.get(k)) for k in ("basic_insurance_paid", "critical_illness_paid",
                                         "medical_assistance_paid", "other_compensation")), ZERO)
        if not rules.include_non_compliant:
            raw -= _amount(m.get("non_compliant_cost"))
    elif education:
        raw = (_amount(education["tuition"]) + _amount(education.get("accommodation"))
               - _amount(education.get("aid_received")))
    else:
        d = claim["disaster"]
        raw = (_amount(d["assessed_loss"]) - _amount(d.get("insurance_paid"))
               - _amount(d.get("relief_paid")) - _amount(d.get("liable_party_paid")))
        if rules.exclude_motor_vehicles:
            raw -= _amount(d.get("motor_vehicle_loss"))
    expense = max(raw, ZERO)
    if expense == 0:
        return _decision(case, "denied", ["NO_ELIGIBLE_EXPENSE"])
    # 6. income test
    excluded = {k.value for k in tariff.excluded_income_kinds}
    income = sum((_amount(i["amount"]) for i in verification["income"]
                  if i["kind"] not in excluded), ZERO)
    costs = sum((_amount(c["amount"]) for c in verification.get("costs", [])), ZERO)
    net = max(income - costs, ZERO)
    cumulative = _amount(history.get("eligible_expense_to_date")) + expense
    base = net - cumulative if tariff.income_test == "after_expense" else net
    per_capita = (base / counted).quantize(FEN, rounding=ROUND_HALF_UP)
    pends = []
    if per_capita <= tariff.income_line:
        margin = tariff.borderline_margin
        if margin > 0 and per_capita > tariff.income_line * (1 - margin):
            pends.append("PEND_BORDERLINE_INCOME")
    elif tariff.hardship_ratio > 0 and cumulative >= tariff.hardship_ratio * net:
        pends.append("PEND_HARDSHIP_EXCEPTION")
    else:
        return _decision(case, "denied", ["INCOME_ABOVE_LINE"], expense, per_capita)
    # 7. bands, rounding, caps
    gross = ZERO
    for band in rules.bands:
        top = cumulative if band.to is None else min(cumulative, band.to)
        if top > band.from_:
            gross += (top - band.from_) * band.rate
    step = Decimal(tariff.rounding)
    rounded = (gross / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    paid = _amount(history.get("paid_to_date"))
    due = min(rounded, rules.annual_cap)
    payout = due - paid
    if tariff.household_annual_cap_all is not None:
        payout = min(payout, tariff.household_annual_cap_all
                     - _amount(history.get("paid_all_categories_to_date")))
    if tariff.person_annual_cap_all is not None:
        payout = min(payout, tariff.person_annual_cap_all
                     - _amount(history.get("paid_member_all_categories_to_date")))
    payout = max(payout, ZERO)
    if rounded - paid <= 0:
        return _decision(case, "denied", ["BELOW_TRIGGER"], expense, per_capita)
    if payout <= 0:
        return _decision(case, "denied", ["CAP_REACHED"], expense, per_capita)
    # 8. review
    if tariff.large_payout_review is not None and payout >= tariff.large_payout_review:
        pends.append("PEND_LARGE_PAYOUT")
    return _decision(case, "pended" if pends else "approved", pends, expense, per_capita, payout)


def _decision(case: dict[str, Any], outcome: str, reasons: list[str], counted: Decimal = ZERO,
              per_capita: Decimal | None = None, payout: Decimal = ZERO) -> dict[str, Any]:
    return {"case_id": case["case_id"], "claim_id": case["claim"]["claim_id"],
            "outcome": outcome, "reasons": sorted(set(reasons)),
            "payout": str(payout.quantize(FEN)), "counted_expense": str(counted.quantize(FEN)),
            "per_capita_income": None if per_capita is None else str(per_capita)}


def run(lines: Iterable[bytes], tariff: Tariff, sink: IO[str]) -> int:
    """Decide every line into `sink`; returns how many."""
    n = 0
    for line in lines:
        sink.write(json.dumps(decide(json.loads(line), tariff), ensure_ascii=False) + "\n")
        n += 1
    return n
