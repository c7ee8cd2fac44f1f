"""The ordered checks of RULES.md steps 1 to 6, each recording itself in the trace.

Each function looks at the case and the tariff only, appends its trace step and returns the
reason codes it raises; `adjudicator.rules.decision` strings them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from adjudicator.rules import reasons as R
from adjudicator.rules import steps as S
from adjudicator.rules.idnumber import id_number_problem
from adjudicator.rules.money import ZERO, divide_to_fen, exact, fmt
from adjudicator.rules.negative_list import concealment_active, contradicted
from adjudicator.rules.tariff import CategoryRules, Tariff
from adjudicator.rules.trace import TraceBuilder
from schemas.case import AMOUNTS_PART, Case, Claim


def coverage_and_identity(case: Case, tariff: Tariff, trace: TraceBuilder) -> list[str]:
    """Step 1: region, period, category, member, ID number, education stage (all deny)."""
    found: list[str] = []
    household, claim = case.household, case.claim

    _record(trace, found, S.region(household.region_code, tariff.region_codes,
                                   tariff.covers_region(household.region_code)))
    _record(trace, found, S.period(claim.event_date, tariff.valid_from, tariff.valid_to))

    covered_households = tariff.covered_household_categories
    if covered_households is not None:
        _record(trace, found, S.household_category(
            household.category.value, [c.value for c in covered_households]))

    rules = tariff.categories.get(claim.category)
    if claim.category not in AMOUNTS_PART:  # a tariff's own category: its amounts' shape
        shape = tariff.shape_of(claim.category)
        checked = S.category(
            claim.category, list(tariff.categories), rules is not None, own=True,
            shape=None if shape is None else shape.value, amounts=claim.part,
            label=None if shape is None else tariff.category_label(claim.category))
    else:
        checked = S.category(claim.category, list(tariff.categories), rules is not None)
    _record(trace, found, checked)
    if checked[1] is not None:
        rules = None

    if rules is not None and rules.excluded_causes:
        _record(trace, found, S.cause(None if claim.cause is None else claim.cause.value,
                                      [c.value for c in rules.excluded_causes]))

    member = next((m for m in household.members if m.member_id == claim.member_id), None)
    _record(trace, found, S.member(claim.member_id, len(household.members), member is not None))
    if member is not None:
        _record(trace, found, S.id_number(member.member_id, id_number_problem(member.id_number)))

    if claim.education is not None and rules is not None:  # an education-shaped category
        _record(trace, found, S.education_stage(
            claim.education.stage.value, [s.value for s in rules.eligible_stages or []]))
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
    for item in active:
        _record(trace, found, S.negative_item(item, answers.get(item),
                                              sorted(findings.get(item, []))))
    concealed = contradicted(active, answers, findings)
    if concealed:
        step, code = S.contradiction(concealed, concealment_active(active))
        trace.put(step)
        if code is not None and code not in found:
            found.append(code)
    unlisted = sorted(item for item in findings if item not in active)
    if unlisted:
        trace.put(S.unlisted_findings(unlisted))
    return found


def completeness(case: Case, tariff: Tariff, trace: TraceBuilder) -> list[str]:
    """Step 4: nothing is approved on an incomplete verification (nor, in a category that
    excludes causes, on a claim whose cause is not established)."""
    verification = case.verification
    answers = verification.negative_list if verification is not None else {}
    rules = tariff.categories.get(case.claim.category)
    step, complete = S.completeness(
        verification is not None,
        [item for item in tariff.negative_list if answers.get(item) is None],
        verification is not None and verification.income is not None,
        sum(1 for m in case.household.members if m.counted),
        case.claim.cause is not None if rules is not None and rules.excluded_causes else None)
    trace.put(step)
    return [] if complete else [R.PEND_INCOMPLETE_VERIFICATION]


def eligible_expense(claim: Claim, rules: CategoryRules, trace: TraceBuilder) -> Decimal:
    """Step 5: the eligible expense E of this claim, never below zero."""
    if claim.medical is not None:
        m = claim.medical
        deducted = m.basic_insurance_paid + m.critical_illness_paid
        deducted += m.medical_assistance_paid + m.other_compensation
        if not rules.include_non_compliant:
            deducted += m.non_compliant_cost
        raw = m.total_cost - deducted
        values = S.medical_values(
            fmt(m.total_cost), fmt(m.non_compliant_cost), rules.include_non_compliant,
            [fmt(m.basic_insurance_paid), fmt(m.critical_illness_paid),
             fmt(m.medical_assistance_paid), fmt(m.other_compensation)])
    elif claim.education is not None:
        e = claim.education
        raw = e.tuition + e.accommodation - e.aid_received
        values = S.education_values(fmt(e.tuition), fmt(e.accommodation), fmt(e.aid_received))
    else:
        assert claim.disaster is not None  # the schema requires the category's amounts
        d = claim.disaster
        raw = d.assessed_loss - d.insurance_paid - d.relief_paid
        if d.liable_party_paid is not None:
            raw -= d.liable_party_paid
        shown = d.motor_vehicle_loss is not None or rules.exclude_motor_vehicles
        vehicles = d.motor_vehicle_loss or ZERO
        if rules.exclude_motor_vehicles:
            raw -= vehicles
        values = S.disaster_values(
            fmt(d.assessed_loss), fmt(d.insurance_paid), fmt(d.relief_paid),
            None if d.liable_party_paid is None else fmt(d.liable_party_paid),
            fmt(vehicles) if shown else None, rules.exclude_motor_vehicles)
    expense = raw if raw > 0 else ZERO  # never below zero, and never a negative zero
    trace.put(S.eligible_expense(values, fmt(expense), expense == 0))
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
    trace.put(S.income_net(fmt(income), fmt(costs), fmt(net),
                           sorted(k.value for k in excluded)))

    members = sum(1 for m in case.household.members if m.counted)
    cumulative = case.history.eligible_expense_to_date + expense
    after = tariff.income_test == "after_expense"
    per_capita = divide_to_fen(net - cumulative if after else net, members)
    line = tariff.income_line
    passed = per_capita <= line
    trace.put(S.income_test(passed, tariff.income_test, fmt(net), members,
                            fmt(case.history.eligible_expense_to_date), fmt(cumulative),
                            fmt(per_capita), fmt(line)))
    reasons: list[str] = []
    denied = False
    if passed:
        margin = tariff.borderline_margin
        if margin > 0:
            floor = line * (1 - margin)
            borderline = per_capita > floor
            trace.put(S.borderline(borderline, fmt(per_capita), exact(floor), fmt(line)))
            if borderline:
                reasons.append(R.PEND_BORDERLINE_INCOME)
    else:
        ratio = tariff.hardship_ratio
        threshold = ratio * net
        exception = ratio > 0 and cumulative >= threshold
        step, code = S.hardship_exception(exception, exact(ratio), fmt(cumulative), fmt(net),
                                          exact(threshold), ratio > 0)
        trace.put(step)
        assert code is not None
        reasons.append(code)
        denied = not exception
    return IncomeResult(net, members, cumulative, per_capita, tuple(reasons), denied)


def _record(trace: TraceBuilder, found: list[str], checked: S.Checked) -> None:
    step, code = checked
    trace.put(step)
    if code is not None:
        found.append(code)


__all__ = [

    "IncomeResult",
    "completeness",
    "coverage_and_identity",
    "eligible_expense",
    "income_test",
    "negative_list",
]
