"""理算: one decision from one case and one tariff, as RULES.md orders the checks.

`adjudicate` is a pure function: no database, no clock, no I/O, no globals. The same case and
tariff give the same decision and the same trace, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson

from adjudicator.rules import checks
from adjudicator.rules import reasons as R
from adjudicator.rules import steps as S
from adjudicator.rules.bands import Slice, band_slices
from adjudicator.rules.money import ZERO, exact, fmt, fmt_half_up, round_to_step
from adjudicator.rules.tariff import CategoryRules, Tariff
from adjudicator.rules.trace import TraceBuilder, TraceStep
from adjudicator.rules.version import ENGINE_VERSION
from schemas.case import Case
from schemas.types import Outcome


def _money(value: Decimal | None) -> str | None:
    return None if value is None else fmt(value)


@dataclass(frozen=True, slots=True)
class Decision:
    """理算结果: outcome, sorted reason codes, amounts, the band breakdown and the trace.

    `to_json()` is the canonical form stored and replayed; `schemas.Decision` is its contract
    (a test keeps the two identical, byte for byte).
    """

    case_id: str
    claim_id: str
    household_id: str
    category: str
    outcome: Outcome
    reasons: tuple[str, ...]
    payout: Decimal
    eligible_expense: Decimal
    counted_expense: Decimal
    per_capita_income: Decimal | None
    net_income: Decimal | None
    counted_members: int | None
    cumulative_expense: Decimal | None
    due: Decimal | None
    bands: tuple[Slice, ...]
    tariff_id: str
    tariff_sha256: str
    engine_version: str
    trace: tuple[TraceStep, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form: amounts as two-decimal strings, field order fixed."""
        return S.decision_document(
            self.case_id, self.claim_id, self.household_id, self.category,
            self.outcome.value, list(self.reasons), fmt(self.payout),
            fmt(self.eligible_expense), fmt(self.counted_expense),
            _money(self.per_capita_income), _money(self.net_income), self.counted_members,
            _money(self.cumulative_expense), _money(self.due),
            [S.band_slice(fmt(b.from_), fmt(b.to), exact(b.rate), fmt_half_up(b.amount))
             for b in self.bands],
            self.tariff_id, self.tariff_sha256, self.engine_version, list(self.trace))

    def to_json(self) -> str:
        """The canonical JSON line of this decision: compact, UTF-8, keys in field order."""
        return orjson.dumps(self.to_dict()).decode()


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
    if income.denied:
        return _finish(case, tariff, trace, Outcome.DENIED, list(income.reasons),
                       eligible=expense, counted=expense, income=income)

    # Step 7: payout from the bands over the cumulative expense, then the caps.
    payout, due, slices, denial = _payout(case, tariff, rules, income.cumulative_expense, trace)
    if denial:
        return _finish(case, tariff, trace, Outcome.DENIED, [denial], due=due, slices=slices,
                       eligible=expense, counted=expense, income=income)

    # Step 8: review of large payouts; any pend reason sends the claim to a person.
    pends = list(income.reasons)
    threshold = tariff.large_payout_review
    if threshold is not None:
        large = payout >= threshold
        trace.put(S.large_payout(large, fmt(payout), fmt(threshold)))
        if large:
            pends.append(R.PEND_LARGE_PAYOUT)
    outcome = Outcome.PENDED if pends else Outcome.APPROVED
    return _finish(case, tariff, trace, outcome, pends, payout=payout, due=due, slices=slices,
                   eligible=expense, counted=expense, income=income)


def _payout(case: Case, tariff: Tariff, rules: CategoryRules, cumulative: Decimal,
            trace: TraceBuilder) -> tuple[Decimal, Decimal, list[Slice], str | None]:
    history = case.history
    parts = band_slices(rules.bands, cumulative)
    gross = sum((p.amount for p in parts), ZERO)
    rounded = round_to_step(gross, tariff.rounding_step)
    trace.put(S.payout_bands(len(parts), fmt(cumulative), fmt(rules.bands[0].from_),
                             exact(gross), tariff.rounding, fmt(rounded)))

    due = min(rounded, rules.annual_cap)
    remaining_due = rounded - history.paid_to_date
    payout = due - history.paid_to_date
    household_cap = person_cap = None
    if tariff.household_annual_cap_all is not None:
        room = tariff.household_annual_cap_all - history.paid_all_categories_to_date
        household_cap = (fmt(tariff.household_annual_cap_all),
                         fmt(history.paid_all_categories_to_date))
        payout = min(payout, room)
    if tariff.person_annual_cap_all is not None:
        room = tariff.person_annual_cap_all - history.paid_member
        person_cap = (fmt(tariff.person_annual_cap_all), fmt(history.paid_member))
        payout = min(payout, room)
    payout = max(payout, ZERO)
    denial = (R.BELOW_TRIGGER if remaining_due <= 0
              else R.CAP_REACHED if payout <= 0 else None)
    trace.put(S.payout_caps(fmt(rounded), fmt(rules.annual_cap), fmt(due),
                            fmt(history.paid_to_date), household_cap, person_cap,
                            fmt(payout), denial))
    if denial is not None:
        return ZERO, due, parts, denial
    return payout, due, parts, None


def _finish(case: Case, tariff: Tariff, trace: TraceBuilder, outcome: Outcome,
            reasons: list[str], *, payout: Decimal = ZERO, eligible: Decimal = ZERO,
            counted: Decimal = ZERO, income: checks.IncomeResult | None = None,
            due: Decimal | None = None, slices: list[Slice] | None = None) -> Decision:
    codes = sorted(set(reasons))
    trace.put(S.outcome(outcome.value, codes, fmt(payout)))
    return Decision(
        case_id=case.case_id,
        claim_id=case.claim.claim_id,
        household_id=case.household.household_id,
        category=case.claim.category,
        outcome=outcome,
        reasons=tuple(codes),
        payout=payout,
        eligible_expense=eligible,
        counted_expense=counted,
        per_capita_income=income.per_capita_income if income else None,
        net_income=income.net_income if income else None,
        counted_members=income.counted_members if income else None,
        cumulative_expense=income.cumulative_expense if income else None,
        due=due,
        bands=tuple(slices or ()),
        tariff_id=tariff.id,
        tariff_sha256=tariff.sha256,
        engine_version=ENGINE_VERSION,
        trace=tuple(trace.steps),
    )


__all__ = ["Decision", "adjudicate"]
