"""理算: one decision from one case and one tariff, as RULES.md orders the checks.

`adjudicate` is a pure function: no database, no clock, no I/O, no globals. The same case and
tariff give the same decision and the same trace, byte for byte.
"""

from __future__ import annotations

from decimal import Decimal

from adjudicator import checks
from adjudicator import reasons as R
from adjudicator.bands import band_slices
from adjudicator.money import ZERO, exact, fmt, round_to_step
from adjudicator.tariff import CategoryRules, Tariff
from adjudicator.trace import FAIL, PASS, PEND, TraceBuilder
from adjudicator.version import ENGINE_VERSION
from schemas.case import Case
from schemas.decision import BandSlice, Decision
from schemas.types import Outcome


def adjudicate(case: Case, tariff: Tariff) -> Decision:
    """Decide one claim: outcome, sorted reasons, payout, and the trace that explains them."""
    trace = TraceBuilder()
    rules = tariff.categories.get(case.claim.category)

    # Steps 1 to 3: every deny reason of coverage, identity and the negative list, together.
    denials = checks.coverage_and_identity(case, tariff, trace)
    denials += checks.negative_list(case, tariff, trace)
    if denials:
        return _finish(case, tariff, trace, Outcome.DENIED, denials)
    assert rules is not None  # coverage.category denied otherwise

    # Step 4: completeness.
    incomplete = checks.completeness(case, tariff, trace)
    if incomplete:
        return _finish(case, tariff, trace, Outcome.PENDED, incomplete)

    # Step 5: eligible expense.
    expense = checks.eligible_expense(case.claim, rules, trace)
    if expense == 0:
        return _finish(case, tariff, trace, Outcome.DENIED, [R.NO_ELIGIBLE_EXPENSE],
                       eligible=expense)

    # Step 6: income test. From here on the expense counts toward the year.
    income = checks.income_test(case, tariff, expense, trace)
    figures = {"eligible": expense, "counted": expense, "income": income}
    if income.denied:
        return _finish(case, tariff, trace, Outcome.DENIED, list(income.reasons), **figures)

    # Step 7: payout from the bands over the cumulative expense, then the caps.
    payout, due, slices, denial = _payout(case, tariff, rules, income.cumulative_expense, trace)
    if denial:
        return _finish(case, tariff, trace, Outcome.DENIED, [denial], due=due, slices=slices,
                       **figures)

    # Step 8: review of large payouts; any pend reason sends the claim to a person.
    pends = list(income.reasons)
    threshold = tariff.large_payout_review
    if threshold is not None:
        large = payout >= threshold
        trace.add("review.large_payout", PEND if large else PASS,
                  {"payout": fmt(payout), "threshold": fmt(threshold)},
                  R.PEND_LARGE_PAYOUT if large else None)
        if large:
            pends.append(R.PEND_LARGE_PAYOUT)
    outcome = Outcome.PENDED if pends else Outcome.APPROVED
    return _finish(case, tariff, trace, outcome, pends, payout=payout, due=due, slices=slices,
                   **figures)


def _payout(case: Case, tariff: Tariff, rules: CategoryRules, cumulative: Decimal,
            trace: TraceBuilder) -> tuple[Decimal, Decimal, list[BandSlice], str | None]:
    history = case.history
    parts = band_slices(rules.bands, cumulative)
    gross = sum((p.amount for p in parts), ZERO)
    rounded = round_to_step(gross, tariff.rounding_step)
    slices = [
        BandSlice.model_construct(from_=p.from_, to=p.to, rate=exact(p.rate), amount=p.amount)
        for p in parts
    ]
    trace.add("payout.bands", PASS if parts else FAIL,
              {"cumulative_expense": fmt(cumulative), "trigger_line": fmt(rules.bands[0].from_),
               "bands_paying": len(parts), "gross_exact": exact(gross),
               "rounding": tariff.rounding, "gross_rounded": fmt(rounded)})

    due = min(rounded, rules.annual_cap)
    remaining_due = rounded - history.paid_to_date
    payout = due - history.paid_to_date
    values: dict[str, str | bool | None | int | list[str]] = {
        "gross_rounded": fmt(rounded), "annual_cap": fmt(rules.annual_cap), "due": fmt(due),
        "paid_to_date": fmt(history.paid_to_date)}
    if tariff.household_annual_cap_all is not None:
        room = tariff.household_annual_cap_all - history.paid_all_categories_to_date
        values["household_annual_cap_all"] = fmt(tariff.household_annual_cap_all)
        values["paid_all_categories_to_date"] = fmt(history.paid_all_categories_to_date)
        payout = min(payout, room)
    payout = max(payout, ZERO)
    values["payout"] = fmt(payout)
    if remaining_due <= 0:
        trace.add("payout.caps", FAIL, values, R.BELOW_TRIGGER)
        return ZERO, due, slices, R.BELOW_TRIGGER
    if payout <= 0:
        trace.add("payout.caps", FAIL, values, R.CAP_REACHED)
        return ZERO, due, slices, R.CAP_REACHED
    trace.add("payout.caps", PASS, values)
    return payout, due, slices, None


def _finish(case: Case, tariff: Tariff, trace: TraceBuilder, outcome: Outcome,
            reasons: list[str], *, payout: Decimal = ZERO, eligible: Decimal = ZERO,
            counted: Decimal = ZERO, income: checks.IncomeResult | None = None,
            due: Decimal | None = None, slices: list[BandSlice] | None = None) -> Decision:
    codes = sorted(set(reasons))
    trace.add("outcome", outcome.value, {"reasons": codes, "payout": fmt(payout)})
    return Decision.model_construct(
        case_id=case.case_id,
        claim_id=case.claim.claim_id,
        household_id=case.household.household_id,
        category=case.claim.category,
        outcome=outcome,
        reasons=codes,
        payout=payout,
        eligible_expense=eligible,
        counted_expense=counted,
        per_capita_income=income.per_capita_income if income else None,
        net_income=income.net_income if income else None,
        counted_members=income.counted_members if income else None,
        cumulative_expense=income.cumulative_expense if income else None,
        due=due,
        bands=slices or [],
        tariff_id=tariff.id,
        tariff_sha256=tariff.sha256,
        engine_version=ENGINE_VERSION,
        trace=trace.steps,
    )


__all__ = ["adjudicate"]
