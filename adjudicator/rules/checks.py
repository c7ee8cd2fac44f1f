"""The ordered checks of RULES.md steps 1 to 6, each recording itself in the trace.

Each function looks at the case and the tariff only, appends its trace step and returns the
reason codes it raises; `adjudicator.rules.decision` strings them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from adjudicator.rules import reasons as R
from adjudicator.rules.idnumber import id_number_problem
from adjudicator.rules.money import ZERO, divide_to_fen, exact, fmt
from adjudicator.rules.tariff import CategoryRules, Tariff
from adjudicator.rules.trace import FAIL, INFO, PASS, PEND, TraceBuilder
from schemas.case import AMOUNTS_PART, Case, Claim


def coverage_and_identity(case: Case, tariff: Tariff, trace: TraceBuilder) -> list[str]:
    """Step 1: region, period, category, member, ID number, education stage (all deny)."""
    found: list[str] = []
    household, claim = case.household, case.claim

    matched = tariff.covers_region(household.region_code)
    _record(trace, found, "coverage.region", matched is not None, R.NOT_COVERED_REGION,
            {"region_code": household.region_code, "tariff_region_codes": tariff.region_codes,
             "matched": matched})

    in_period = tariff.valid_from <= claim.event_date <= tariff.valid_to
    _record(trace, found, "coverage.period", in_period, R.NOT_IN_POLICY_PERIOD,
            {"event_date": claim.event_date.isoformat(),
             "valid_from": tariff.valid_from.isoformat(),
             "valid_to": tariff.valid_to.isoformat()})

    covered_households = tariff.covered_household_categories
    if covered_households is not None:
        listed = [c.value for c in covered_households]
        _record(trace, found, "coverage.household_category",
                household.category.value in listed, R.HOUSEHOLD_CATEGORY_NOT_COVERED,
                {"household_category": household.category.value,
                 "covered_household_categories": listed})

    rules = tariff.categories.get(claim.category)
    values: dict[str, str | bool | int | list[str] | None] = {
        "category": claim.category, "covered": list(tariff.categories)}
    shaped = rules is not None
    if claim.category not in AMOUNTS_PART:  # a tariff's own category: its amounts' shape
        shape = tariff.shape_of(claim.category)
        values["shape"] = None if shape is None else shape.value
        values["amounts"] = claim.part
        values["label"] = None if shape is None else tariff.category_label(claim.category)
        shaped = shaped and shape == claim.part
    _record(trace, found, "coverage.category", shaped, R.CATEGORY_NOT_COVERED, values)
    if not shaped:
        rules = None

    if rules is not None and rules.excluded_causes:
        excluded = [c.value for c in rules.excluded_causes]
        cause = None if claim.cause is None else claim.cause.value
        cause_values: dict[str, str | bool | int | list[str] | None] = {
            "cause": cause, "excluded_causes": excluded}
        if cause is None:  # the visit establishes it: completeness (step 4) pends
            trace.add("coverage.cause", INFO, cause_values)
        else:
            _record(trace, found, "coverage.cause", cause not in excluded, R.CAUSE_EXCLUDED,
                    cause_values)

    member = next((m for m in household.members if m.member_id == claim.member_id), None)
    _record(trace, found, "identity.member", member is not None, R.MEMBER_NOT_IN_HOUSEHOLD,
            {"member_id": claim.member_id, "household_members": len(household.members)})
    if member is not None:
        # The trace names the problem, never the number itself (personal data).
        problem = id_number_problem(member.id_number)
        _record(trace, found, "identity.id_number", problem is None, R.INVALID_ID_NUMBER,
                {"member_id": member.member_id, "problem": problem})

    if claim.education is not None and rules is not None:  # an education-shaped category
        stages = [s.value for s in rules.eligible_stages or []]
        _record(trace, found, "coverage.education_stage",
                claim.education.stage.value in stages, R.EDU_STAGE_NOT_COVERED,
                {"stage": claim.education.stage.value, "eligible_stages": stages})
    return found


def negative_list(case: Case, tariff: Tariff, trace: TraceBuilder) -> list[str]:
    """Step 2: every active negative-list item, from the answers and the cross-checks."""
    found: list[str] = []
    verification = case.verification
    answers = verification.negative_list if verification is not None else {}
    findings: dict[str, list[str]] = {}
    for check in verification.cross_checks if verification is not None else []:
        if check.found:
            findings.setdefault(check.item, []).append(check.source.value)
    active = tariff.negative_list
    concealed: list[str] = []
    for item in active:
        answer = answers.get(item)
        sources = sorted(findings.get(item, []))
        hit = answer is True or bool(sources)
        if sources and answer is False:
            concealed.append(item)
        code = R.NEG_PREFIX + item
        if hit:
            found.append(code)
        # An unanswered item is not a pass: completeness (step 4) pends on it.
        result = FAIL if hit else (INFO if answer is None else PASS)
        trace.add(f"negative_list.{item}", result,
                  {"answer": answer, "found_by": sources}, code if hit else None)
    if concealed and "CONCEALMENT" in active:
        if R.NEG_CONCEALMENT not in found:
            found.append(R.NEG_CONCEALMENT)
        trace.add("negative_list.contradiction", FAIL, {"items": concealed}, R.NEG_CONCEALMENT)
    elif concealed:
        trace.add("negative_list.contradiction", INFO,
                  {"items": concealed, "concealment_active": False})
    unlisted = sorted(item for item in findings if item not in active)
    if unlisted:
        trace.add("negative_list.unlisted_findings", INFO, {"items": unlisted})
    return found


def completeness(case: Case, tariff: Tariff, trace: TraceBuilder) -> list[str]:
    """Step 4: nothing is approved on an incomplete verification (nor, in a category that
    excludes causes, on a claim whose cause is not established)."""
    verification = case.verification
    answers = verification.negative_list if verification is not None else {}
    unanswered = [item for item in tariff.negative_list if answers.get(item) is None]
    income_recorded = verification is not None and verification.income is not None
    counted = sum(1 for m in case.household.members if m.counted)
    complete = verification is not None and not unanswered and income_recorded and counted > 0
    values: dict[str, str | bool | int | list[str] | None] = {
        "verification_recorded": verification is not None, "unanswered": unanswered,
        "income_recorded": income_recorded, "counted_members": counted}
    rules = tariff.categories.get(case.claim.category)
    if rules is not None and rules.excluded_causes:
        values["cause_recorded"] = case.claim.cause is not None
        complete = complete and case.claim.cause is not None
    trace.add("completeness", PASS if complete else PEND, values,
              None if complete else R.PEND_INCOMPLETE_VERIFICATION)
    return [] if complete else [R.PEND_INCOMPLETE_VERIFICATION]


def eligible_expense(claim: Claim, rules: CategoryRules, trace: TraceBuilder) -> Decimal:
    """Step 5: the eligible expense E of this claim, never below zero."""
    values: dict[str, str | bool | int | list[str] | None]
    if claim.medical is not None:
        m = claim.medical
        deducted = m.basic_insurance_paid + m.critical_illness_paid
        deducted += m.medical_assistance_paid + m.other_compensation
        if not rules.include_non_compliant:
            deducted += m.non_compliant_cost
        raw = m.total_cost - deducted
        values = {"total_cost": fmt(m.total_cost), "non_compliant_cost": fmt(m.non_compliant_cost),
                  "include_non_compliant": rules.include_non_compliant,
                  "basic_insurance_paid": fmt(m.basic_insurance_paid),
                  "critical_illness_paid": fmt(m.critical_illness_paid),
                  "medical_assistance_paid": fmt(m.medical_assistance_paid),
                  "other_compensation": fmt(m.other_compensation)}
    elif claim.education is not None:
        e = claim.education
        raw = e.tuition + e.accommodation - e.aid_received
        values = {"tuition": fmt(e.tuition), "accommodation": fmt(e.accommodation),
                  "aid_received": fmt(e.aid_received)}
    else:
        assert claim.disaster is not None  # the schema requires the category's amounts
        d = claim.disaster
        raw = d.assessed_loss - d.insurance_paid - d.relief_paid
        values = {"assessed_loss": fmt(d.assessed_loss), "insurance_paid": fmt(d.insurance_paid),
                  "relief_paid": fmt(d.relief_paid)}
        # The parts of a loss that are not covered; shown only where the case or the
        # category has them, so that a decision without them reads as it always did.
        if d.liable_party_paid is not None:
            raw -= d.liable_party_paid
            values["liable_party_paid"] = fmt(d.liable_party_paid)
        if d.motor_vehicle_loss is not None or rules.exclude_motor_vehicles:
            vehicles = d.motor_vehicle_loss or ZERO
            if rules.exclude_motor_vehicles:
                raw -= vehicles
            values["motor_vehicle_loss"] = fmt(vehicles)
            values["exclude_motor_vehicles"] = rules.exclude_motor_vehicles
    expense = raw if raw > 0 else ZERO  # never below zero, and never a negative zero
    values["eligible_expense"] = fmt(expense)
    if expense == 0:
        trace.add("expense.eligible", FAIL, values, R.NO_ELIGIBLE_EXPENSE)
    else:
        trace.add("expense.eligible", PASS, values)
    return expense


@dataclass(frozen=True, slots=True)
class IncomeResult:
    net_income: Decimal
    counted_members: int
    cumulative_expense: Decimal
    per_capita_income: Decimal
    reasons: tuple[str, ...]
    denied: bool


def income_test(case: Case, tariff: Tariff, expense: Decimal, trace: TraceBuilder) -> IncomeResult:
    """Step 6: per-capita net income against the income line (防贫线), with its exceptions."""
    verification = case.verification
    assert verification is not None and verification.income is not None  # step 4 pended
    excluded = set(tariff.excluded_income_kinds)
    income = sum((i.amount for i in verification.income if i.kind not in excluded), ZERO)
    costs = sum((c.amount for c in verification.costs), ZERO)
    net = max(income - costs, ZERO)
    trace.add("income.net", INFO,
              {"income_counted": fmt(income), "costs": fmt(costs), "net_income": fmt(net),
               "excluded_kinds": sorted(k.value for k in excluded)})

    members = sum(1 for m in case.household.members if m.counted)
    cumulative = case.history.eligible_expense_to_date + expense
    after = tariff.income_test == "after_expense"
    per_capita = divide_to_fen(net - cumulative if after else net, members)
    line = tariff.income_line
    values: dict[str, str | bool | int | list[str] | None] = {
        "mode": tariff.income_test, "net_income": fmt(net), "counted_members": members,
        "expense_to_date": fmt(case.history.eligible_expense_to_date),
        "cumulative_expense": fmt(cumulative), "per_capita_income": fmt(per_capita),
        "income_line": fmt(line)}
    reasons: list[str] = []
    denied = False
    if per_capita <= line:
        trace.add("income.test", PASS, values)
        margin = tariff.borderline_margin
        if margin > 0:
            floor = line * (1 - margin)
            borderline = per_capita > floor
            trace.add("income.borderline", PEND if borderline else PASS,
                      {"per_capita_income": fmt(per_capita), "borderline_floor": exact(floor),
                       "income_line": fmt(line)},
                      R.PEND_BORDERLINE_INCOME if borderline else None)
            if borderline:
                reasons.append(R.PEND_BORDERLINE_INCOME)
    else:
        trace.add("income.test", FAIL, values)
        ratio = tariff.hardship_ratio
        threshold = ratio * net
        exception = ratio > 0 and cumulative >= threshold
        hardship_values: dict[str, str | bool | int | list[str] | None] = {
            "hardship_ratio": exact(ratio), "cumulative_expense": fmt(cumulative),
            "net_income": fmt(net), "threshold": exact(threshold), "enabled": ratio > 0}
        if exception:
            trace.add("income.hardship_exception", PEND, hardship_values,
                      R.PEND_HARDSHIP_EXCEPTION)
            reasons.append(R.PEND_HARDSHIP_EXCEPTION)
        else:
            trace.add("income.hardship_exception", FAIL, hardship_values, R.INCOME_ABOVE_LINE)
            reasons.append(R.INCOME_ABOVE_LINE)
            denied = True
    return IncomeResult(net, members, cumulative, per_capita, tuple(reasons), denied)


def _record(trace: TraceBuilder, found: list[str], rule: str, ok: bool, code: str,
            values: dict[str, str | bool | int | list[str] | None]) -> None:
    trace.add(rule, PASS if ok else FAIL, values, None if ok else code)
    if not ok:
        found.append(code)


__all__ = [
    "IncomeResult",
    "completeness",
    "coverage_and_identity",
    "eligible_expense",
    "income_test",
    "negative_list",
]
