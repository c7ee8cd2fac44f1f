"""The columnar engine: the same decisions as `adjudicator.rules.decision`, many cases at a time.

`adjudicate(case, tariff)` is the reference: clear, one case at a time, on `Decimal`. This
module decides a chunk of cases at once and must produce exactly the same decision JSON, byte
for byte, trace included (differential tests hold it to that on generated cases and tariffs):

1. **Parse and filter** each case's JSON with `schemas.case_fast.FAST_CASE`, a strict subset
   of the `Case` contract validated inside pydantic-core (no model objects, amounts kept as
   text). A case it refuses, or one breaking a model-level rule of `Case`, is handed back
   (`None`) for the scalar way, which decides it or names the field at fault.
2. **Steps 1 to 4** (coverage, identity, negative list, completeness) are set and string
   checks, done per case; a case they settle is finished at once.
3. **Steps 5 to 8** run over columns: every amount becomes an integer number of fen, and the
   eligible expense, net income, cumulative expense, per-capita income (half-up to the fen),
   band shares, rounding, caps and outcomes are computed for the whole chunk with numpy
   integer arithmetic, exactly. Rates and ratios are integers over a power of ten; a chunk whose
   figures could overflow 64 bits is computed on Python integers (numpy object arrays) instead.
4. Each decision is written out with the trace steps and field order of
   `adjudicator.rules.steps`, the constructors the scalar engine calls too: this module
   states no rule name, value key or field of its own. The steps of steps 1 to 4 that depend
   on a few values are kept serialized; the rest of a decision is a `steps.Template` of those
   constructors, made once per path a case takes (which steps it shows, its outcome and
   reasons) with its figures left open, and filled with the case's texts.

Pure like the scalar core: no I/O, no clock, no module state that changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, NamedTuple, cast, overload

import numpy as np
from pydantic import BaseModel, ValidationError

from adjudicator.rules import reasons as R
from adjudicator.rules import steps as S
from adjudicator.rules.decided import Decided
from adjudicator.rules.idnumber import id_number_problem
from adjudicator.rules.money import exact, fmt
from adjudicator.rules.negative_list import concealment_active, contradicted
from adjudicator.rules.tariff import Band, CategoryRules, Tariff
from adjudicator.rules.version import ENGINE_VERSION
from schemas.case import AMOUNTS_PART
from schemas.case_fast import FAST_CASE
from schemas.case_reader import ReadCase, ReadClaim, from_fast, read_case
from schemas.types import EducationStage, HouseholdCategory

_PARTS = ("medical", "education", "disaster")
_STAGES = tuple(stage.value for stage in EducationStage)
#: How many distinct region codes or dates an engine keeps ready-made trace steps for.
_CACHE_LIMIT = 100_000
#: The outcomes `ColumnarEngine.cost` gives, as small integers.
COST_DENIED, COST_APPROVED, COST_PENDED = 0, 1, 2
#: Above this bound a chunk's products may not fit in a signed 64-bit integer.
_INT64_SAFE = 1 << 62


def fen_of(text: str) -> int:
    """An amount in the fast path's plain form ("12", "12.3", "12.34") as integer fen."""
    if text[-3:-2] == ".":
        return int(text.replace(".", ""))
    dot = text.find(".")
    if dot < 0:
        return int(text) * 100
    return int(text.replace(".", "")) * 10


def yuan(fen: int) -> str:
    """Integer fen as the two-decimal text every output shows ("-115000.00")."""
    if fen < 0:
        return f"-{-fen // 100}{_CENTS[-fen % 100]}"
    return f"{fen // 100}{_CENTS[fen % 100]}"


#: ".00" to ".99" (a table: formatting each with ":02d" took twice as long).
_CENTS = tuple(f".{cents:02d}" for cents in range(100))


def _two(text: str) -> str:
    """`fmt(Decimal(text))` for an amount in the plain form, without making a Decimal."""
    return text if text[-3:-2] == "." else yuan(fen_of(text))


def exact_scaled(value: int, digits: int) -> str:
    """`money.exact` of value / 10**digits: plain text, no trailing zeros, "0" for zero."""
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(value), 10 ** digits)
    if part == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{f'{part:0{digits}d}'.rstrip('0')}"


def _ratio(value: Decimal) -> tuple[int, int]:
    """A non-negative decimal as (numerator, digits): value = numerator / 10**digits."""
    sign, digits, exponent = value.normalize().as_tuple()
    assert sign == 0 and isinstance(exponent, int)
    numerator = int("".join(map(str, digits)) or "0")
    if exponent >= 0:
        return numerator * 10 ** exponent, 0
    return numerator, -exponent


def _fen(amount: Decimal) -> int:
    return int(amount.scaleb(2))


@dataclass(frozen=True, slots=True)
class _Category:
    """One category's rules in integer form: bands as (from, to or None) in fen with the rate
    as numerator over 10**digits, shared by all the category's bands."""

    bands: tuple[tuple[int, int | None, int], ...]
    digits: int
    rate_texts: tuple[str, ...]
    from_texts: tuple[str, ...]
    cap: int
    cap_text: str
    include_non_compliant: bool
    eligible_stages: list[str]
    shape: str
    excluded_causes: list[str]
    exclude_motor_vehicles: bool


#: Every field of `Tariff`, `CategoryRules` and `Band`, and how `ColumnarTariff` takes it:
#: READ (prepared below as integers or trace texts) or the reason a decision never reads it.
#: tests/test_rules_fast_paths.py fails when a model gains a field this does not name, and when
#: the scalar engine reads a field named here as not read.
READ = "read"
TARIFF_FIELDS: dict[str, str] = {
    "id": READ, "region_codes": READ, "valid_from": READ, "valid_to": READ,
    "income_line": READ, "income_test": READ, "hardship_ratio": READ,
    "borderline_margin": READ, "large_payout_review": READ, "rounding": READ,
    "household_annual_cap_all": READ, "person_annual_cap_all": READ,
    "covered_household_categories": READ, "negative_list": READ,
    "excluded_income_kinds": READ, "categories": READ, "sha256": READ,
    "name": "the tariff's title, for people; not in a decision",
    "negative_items": "the labels of a tariff's own items, for forms; not in a decision",
    "notice": "the notice period, for the workflow after the decision",
    "verification_valid_days": "how long a verification may be reused, read before a case",
    "feed_screening": "department-data screening, read before a case",
    "source": "where the tariff was read from; not in a decision",
}
CATEGORY_FIELDS: dict[str, str] = {
    "annual_cap": READ, "bands": READ, "include_non_compliant": READ,
    "eligible_stages": READ, "shape": READ, "label": READ, "excluded_causes": READ,
    "exclude_motor_vehicles": READ,
    "warning_line": "the warning-line screening of department data, not a decision",
    "warning_fields": "the warning-line screening of department data, not a decision",
}
BAND_FIELDS: dict[str, str] = {"from_": READ, "to": READ, "rate": READ}


def unhandled_fields(tariff: type[BaseModel] = Tariff, category: type[BaseModel] = CategoryRules,
                     band: type[BaseModel] = Band) -> list[str]:
    """The fields of the tariff models that `ColumnarTariff` does not name (none, or the
    engine would decide without them)."""
    return [f"{model.__name__}.{name}"
            for model, known in ((tariff, TARIFF_FIELDS), (category, CATEGORY_FIELDS),
                                 (band, BAND_FIELDS))
            for name in model.model_fields if name not in known]


class ColumnarTariff:
    """A tariff prepared once for the columnar engine: integers and the trace's fixed texts."""

    def __init__(self, tariff: Tariff) -> None:
        unhandled = unhandled_fields(type(tariff))
        if unhandled:
            raise TypeError(f"the columnar engine does not handle {', '.join(unhandled)}")
        self.tariff = tariff
        self.region_codes = list(tariff.region_codes)
        self.valid_from, self.valid_to = tariff.valid_from, tariff.valid_to
        self.valid_from_text = tariff.valid_from.isoformat()
        self.valid_to_text = tariff.valid_to.isoformat()
        self.covered = list(tariff.categories)
        self.covered_households = (
            None if tariff.covered_household_categories is None
            else [c.value for c in tariff.covered_household_categories])
        self.categories: dict[str, _Category] = {}
        for category, rules in tariff.categories.items():
            shape = tariff.shape_of(category)
            assert shape is not None
            ratios = [_ratio(b.rate) for b in rules.bands]
            digits = max(d for _, d in ratios)
            self.categories[category] = _Category(
                bands=tuple((_fen(b.from_), None if b.to is None else _fen(b.to),
                             numerator * 10 ** (digits - d))
                            for b, (numerator, d) in zip(rules.bands, ratios, strict=True)),
                digits=digits,
                rate_texts=tuple(exact(b.rate) for b in rules.bands),
                from_texts=tuple(fmt(b.from_) for b in rules.bands),
                cap=_fen(rules.annual_cap), cap_text=fmt(rules.annual_cap),
                include_non_compliant=rules.include_non_compliant,
                eligible_stages=[s.value for s in rules.eligible_stages or []],
                shape=shape.value, excluded_causes=[c.value for c in rules.excluded_causes],
                exclude_motor_vehicles=rules.exclude_motor_vehicles)
        self.category_index = {name: i for i, name in enumerate(self.categories)}
        self.negative_list = tuple(tariff.negative_list)
        self.negative_set = frozenset(tariff.negative_list)
        self.concealment_active = concealment_active(tariff.negative_list)
        self.excluded = frozenset(k.value for k in tariff.excluded_income_kinds)
        self.excluded_sorted = sorted(self.excluded)
        self.after_expense = tariff.income_test == "after_expense"
        self.mode = tariff.income_test
        self.line = _fen(tariff.income_line)
        self.line_text = fmt(tariff.income_line)
        self.margin, self.margin_digits = _ratio(tariff.borderline_margin)
        self.floor_text = exact(tariff.income_line * (1 - tariff.borderline_margin))
        self.hardship, self.hardship_digits = _ratio(tariff.hardship_ratio)
        self.hardship_text = exact(tariff.hardship_ratio)
        self.large = None if tariff.large_payout_review is None else _fen(
            tariff.large_payout_review)
        self.large_text = (None if tariff.large_payout_review is None
                           else fmt(tariff.large_payout_review))
        self.rounding = tariff.rounding
        self.step = 100 if tariff.rounding == "1" else 1
        self.cap_all = (None if tariff.household_annual_cap_all is None
                        else _fen(tariff.household_annual_cap_all))
        self.cap_all_text = (None if tariff.household_annual_cap_all is None
                             else fmt(tariff.household_annual_cap_all))
        self.cap_person = (None if tariff.person_annual_cap_all is None
                           else _fen(tariff.person_annual_cap_all))
        self.cap_person_text = (None if tariff.person_annual_cap_all is None
                                else fmt(tariff.person_annual_cap_all))
        self.tariff_id, self.tariff_sha256 = tariff.id, tariff.sha256
        self.largest_amount = max(
            [self.line, self.large or 0, self.cap_all or 0, self.cap_person or 0]
            + [c.cap for c in self.categories.values()]
            + [edge or 0 for c in self.categories.values() for band in c.bands
               for edge in band[:2]])
        self.largest_multiplier = max(
            [10 ** c.digits for c in self.categories.values()]
            + [10 ** self.margin_digits, 10 ** self.hardship_digits, 200])


class _Pending:
    """A case past step 4: its trace so far and the raw figures of its columns."""

    __slots__ = (
        "case",
        "category",
        "costs",
        "expense_form",
        "expense_texts",
        "income",
        "members",
        "paid",
        "paid_all",
        "paid_all_text",
        "paid_member",
        "paid_member_text",
        "paid_text",
        "raw",
        "slot",
        "to_date",
        "to_date_text",
        "trace",
    )

    raw: int
    expense_form: tuple[bool, ...]
    expense_texts: list[str]
    income: int
    costs: int
    members: int
    to_date: int
    paid: int
    paid_all: int
    paid_member: int
    to_date_text: str
    paid_text: str
    paid_all_text: str
    paid_member_text: str

    def __init__(self, case: ReadCase, trace: list[str], category: str,
                 slot: int) -> None:
        self.case, self.trace, self.category, self.slot = case, trace, category, slot


class ColumnarEngine:
    """Decides chunks of case documents with one tariff; `decide` returns, per document, the
    `Decided` (the decision JSON line and its figures), or None when the document must go the
    scalar way (`adjudicate` on `Case`). Keeps ready-made trace steps between chunks."""

    def __init__(self, tariff: Tariff) -> None:
        self.t = t = ColumnarTariff(tariff)
        # Trace steps that depend on a few input values only, built once (bounded caches).
        # They are kept serialized (`Fragment`): a decision's line is written by text.
        self._region_steps: dict[str, Fragment] = {}
        self._period_steps: dict[dt.date, Fragment] = {}
        self._member_steps: dict[tuple[Any, ...], Fragment] = {}
        self._id_steps: dict[tuple[Any, ...], Fragment] = {}
        self._cause_steps: dict[tuple[Any, ...], Fragment] = {}
        self._completeness_steps: dict[tuple[Any, ...], str] = {}
        # A history's texts and fen, by its four amounts (most cases have few distinct ones).
        self._histories: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self._answer_steps: dict[tuple[Any, ...], tuple[list[str], list[str], list[str]]] = {}
        self._category_steps: dict[tuple[str, str], Fragment] = {
            (name, AMOUNTS_PART[name]): _fragment(
                S.category(name, t.covered, name in t.categories))
            for name in AMOUNTS_PART}
        self._household_steps = {} if t.covered_households is None else {
            category.value: _fragment(S.household_category(category.value,
                                                           t.covered_households))
            for category in HouseholdCategory}
        self._stage_steps = {
            name: {stage: _fragment(S.education_stage(stage, rules.eligible_stages))
                   for stage in _STAGES}
            for name, rules in t.categories.items()}
        self._negative_steps = [
            (item, {answer: S.serialized(S.negative_item(item, answer, [])[0])
                    for answer in (True, False, None)})
            for item in t.negative_list]
        # Whole decisions as templates (`_early`, `_late`), by the path a case takes.
        self._decisions: dict[tuple[Any, ...], _Made] = {}

    def _region_step(self, region: str) -> Fragment:
        matched = self.t.tariff.covers_region(region)
        return _fragment(S.region(region, self.t.region_codes, matched))

    def _category_step(self, name: str, part: str) -> Fragment:
        """coverage.category of a category that is not built in: defined by the tariff, and
        its amounts of the shape it states."""
        rules = self.t.categories.get(name)
        shape = None if rules is None else rules.shape
        label = None if rules is None else self.t.tariff.category_label(name)
        step = _fragment(S.category(name, self.t.covered, rules is not None, own=True,
                                    shape=shape, amounts=part, label=label))
        self._remember(self._category_steps, (name, part), step)
        return step

    def _period_step(self, day: dt.date) -> Fragment:
        return _fragment(S.period(day, self.t.valid_from, self.t.valid_to))

    @staticmethod
    def _remember(cache: dict[Any, Any], key: Any, value: Any, limit: int = _CACHE_LIMIT
                  ) -> Any:
        if len(cache) < limit:
            cache[key] = value
        return value

    def decide(self, documents: Sequence[str | bytes]) -> list[Decided | None]:
        results: list[Decided | None] = [None] * len(documents)
        pending: list[_Pending] = []
        for slot, text in enumerate(documents):
            case = _read(text)
            if case is None or not _has_its_amounts(case.claim):
                continue  # the scalar way names the field at fault (or reads what we do not)
            early = self._steps_1_to_4(case, slot)
            if early is None:
                continue  # a member id twice: `Case` refuses it
            if isinstance(early, _Pending):
                pending.append(early)
            else:
                results[slot] = early
        if pending:
            for item, line in zip(pending, self._steps_5_to_8(pending), strict=True):
                results[item.slot] = line
        return results

    # -- costing without the trace (the what-if, adjudicator.fund.whatif) ----------------------
    # The same steps as `decide`, kept to the figures a costing needs: steps 1 to 4 once per
    # case whatever its history, then steps 5 to 8 over columns by `_compute`, without writing
    # the decisions out.

    def prepare(self, documents: Sequence[str | bytes]
                ) -> list[tuple[int, int, int, int, str] | str | None]:
        """Steps 1 to 4 of each document, figures only: the outcome they settle ("denied" or
        "pended"), the figures that steps 5 to 8 read beside a history (raw expense, income,
        costs, counted members, category: `_Pending`'s, without its texts), or None when the
        document must go the scalar way. Neither the trace nor the decision JSON is written."""
        results: list[tuple[int, int, int, int, str] | str | None] = [None] * len(documents)
        for slot, text in enumerate(documents):
            case = _read(text)
            if case is not None and _has_its_amounts(case.claim):
                results[slot] = self._steps_1_to_4(case, slot, True)
        return results

    def cost(self, columns: dict[str, Any]) -> tuple[Any, Any, Any]:
        """Steps 5 to 8 of many prepared cases at once, figures only. `columns` holds, per
        case, "raw", "income", "costs", "members", "category" (index in `t.category_index`),
        "to_date", "paid", "paid_all" and "paid_member", integers in fen. Returns numpy arrays:
        the outcome (COST_DENIED, COST_APPROVED or COST_PENDED), the payout and the counted
        expense in fen, exactly as `decide` would reach them."""
        t = self.t
        largest = max(t.largest_amount, *(int(np.max(np.abs(values), initial=0))
                                          for values in columns.values()))
        bound = 8 * (largest + 1) * t.largest_multiplier
        dtype: Any = np.int64 if bound < _INT64_SAFE and largest < (1 << 50) else object
        arrays = {name: np.asarray(values).astype(dtype) for name, values in columns.items()}
        figures, _ = _compute(t, arrays, dtype)
        (expense, _net, _cumulative, _per_capita, passed, borderline, hardship, _gross,
         _rounded, _due, payout, below_trigger) = figures
        paying = (_bool(expense > 0) & (passed | hardship) & ~below_trigger
                  & _bool(payout > 0))
        pended = borderline | hardship
        if t.large is not None:
            pended = pended | _bool(payout >= t.large)
        outcome = np.where(paying, np.where(pended, COST_PENDED, COST_APPROVED), COST_DENIED)
        return (outcome.astype(np.int8), np.where(paying, payout, 0).astype(np.int64),
                expense.astype(np.int64))

    # -- steps 1 to 4, per case ----------------------------------------------------------------

    @overload
    def _steps_1_to_4(self, case: ReadCase, slot: int) -> _Pending | Decided | None: ...

    @overload
    def _steps_1_to_4(self, case: ReadCase, slot: int, figures_only: Literal[True]
                      ) -> tuple[int, int, int, int, str] | str | None: ...

    def _steps_1_to_4(self, case: ReadCase, slot: int, figures_only: bool = False
                      ) -> _Pending | Decided | tuple[int, int, int, int, str] | str | None:
        """Steps 1 to 4 of one case; `figures_only` (costing): the outcome text of a case
        they settle, else (raw, income, costs, counted members, category), with no decision
        written out."""
        t = self.t
        household, claim = case.household, case.claim
        verification = case.verification
        denials: list[str] = []

        # Step 1. Steps that depend on one value only are built once and shared: the trace is
        # data that is serialized and never changed.
        region = household.region_code
        step, code = self._region_steps.get(region) or self._remember(
            self._region_steps, region, self._region_step(region))
        trace = [step]
        if code:
            denials.append(code)
        event_date: dt.date = claim.event_date
        step, code = self._period_steps.get(event_date) or self._remember(
            self._period_steps, event_date, self._period_step(event_date))
        trace.append(step)
        if code:
            denials.append(code)
        if t.covered_households is not None:
            step, code = self._household_steps[household.category]
            trace.append(step)
            if code:
                denials.append(code)
        category = claim.category
        part = _part_of(claim)
        step, code = (self._category_steps.get((category, part))
                      or self._category_step(category, part))
        trace.append(step)
        rules = None
        if code:
            denials.append(code)
        else:
            rules = t.categories[category]
        if rules is not None and rules.excluded_causes:
            cause_key = (category, claim.cause)
            step, code = self._cause_steps.get(cause_key) or self._remember(
                self._cause_steps, cause_key,
                _fragment(S.cause(claim.cause, rules.excluded_causes)))
            trace.append(step)
            if code:
                denials.append(code)
        members = household.members
        member_id = claim.member_id
        member = None
        counted = 0
        seen = set()
        for m in members:
            if m.member_id == member_id and member is None:
                member = m
            if m.counted:
                counted += 1
            seen.add(m.member_id)
        if len(seen) != len(members):
            return None
        key: tuple[Any, ...] = (member_id, len(members), member is not None)
        step, code = self._member_steps.get(key) or self._remember(
            self._member_steps, key,
            _fragment(S.member(member_id, len(members), member is not None)))
        trace.append(step)
        if code:
            denials.append(code)
        else:
            key = (member_id, id_number_problem(member.id_number))  # type: ignore[union-attr]
            step, code = self._id_steps.get(key) or self._remember(
                self._id_steps, key, _fragment(S.id_number(member_id, key[1])))
            trace.append(step)
            if code:
                denials.append(code)
        education = claim.education
        if education is not None and rules is not None:
            step, code = self._stage_steps[category][education.stage]
            trace.append(step)
            if code:
                denials.append(code)

        # Step 2: the negative list.
        answers: dict[str, bool | None] = {}
        findings: dict[str, list[str]] = {}
        if verification is not None:
            answers = verification.negative_list
            for check in verification.cross_checks:
                if check.found:
                    findings.setdefault(check.item, []).append(check.source)
        concealed: list[str] = []
        unanswered: list[str]
        if not findings or t.negative_set.isdisjoint(findings):
            # No department finding about a listed item: the steps depend on the answers only.
            key = tuple(map(answers.get, t.negative_list))
            steps, unanswered, hits = self._answer_steps.get(key) or self._remember(
                self._answer_steps, key, self._answer_result(key))
            trace.extend(steps)
            denials.extend(hits)
        else:
            unanswered = self._negative_list_with_findings(answers, findings, trace, denials)
            concealed = contradicted(t.negative_list, answers, findings)
        if concealed:
            contradiction, code = S.contradiction(concealed, t.concealment_active)
            trace.append(S.serialized(contradiction))
            if code is not None and code not in denials:
                denials.append(code)
        if findings:
            unlisted = sorted(item for item in findings if item not in t.negative_list)
            if unlisted:
                trace.append(S.serialized(S.unlisted_findings(unlisted)))
        if denials:
            return "denied" if figures_only else self._early(case, trace, "denied", denials)

        # Step 4: completeness.
        income_recorded = verification is not None and verification.income is not None
        complete = (verification is not None and not unanswered and income_recorded
                    and counted > 0)
        assert rules is not None  # coverage.category denied otherwise
        cause_recorded = None
        if rules.excluded_causes:
            cause_recorded = claim.cause is not None
            complete = complete and cause_recorded
        key = (verification is not None, tuple(unanswered), income_recorded, counted,
               cause_recorded)
        trace.append(self._completeness_steps.get(key) or self._remember(
            self._completeness_steps, key, self._completeness_step(key, unanswered, complete)))
        if not complete:
            return ("pended" if figures_only
                    else self._early(case, trace, "pended", [R.PEND_INCOMPLETE_VERIFICATION]))
        assert rules is not None and verification is not None
        assert verification.income is not None  # complete
        income = sum(fen_of(i.amount) for i in verification.income if i.kind not in t.excluded)
        costs = sum(fen_of(c.amount) for c in verification.costs)
        if figures_only:
            return _raw_expense(claim, rules), income, costs, counted, category

        # The figures of steps 5 to 8, as integer fen.
        pending = _Pending(case, trace, category, slot)
        pending.raw, pending.expense_form, pending.expense_texts = _expense(claim, rules)
        pending.income = income
        pending.costs = costs
        pending.members = counted
        history = case.history
        key = (history.eligible_expense_to_date, history.paid_to_date,
               history.paid_all_categories_to_date, history.paid_member_all_categories_to_date)
        (pending.to_date_text, pending.paid_text, pending.paid_all_text,
         pending.paid_member_text, pending.to_date, pending.paid, pending.paid_all,
         pending.paid_member) = self._histories.get(key) or self._remember(
            self._histories, key, _history(*key))
        return pending

    @staticmethod
    def _completeness_step(key: tuple[Any, ...], unanswered: list[str], complete: bool
                           ) -> str:
        step, decided = S.completeness(key[0], unanswered, key[2], key[3], key[4])
        assert decided == complete
        return S.serialized(step)

    def _answer_result(self, answers: tuple[bool | None, ...]
                       ) -> tuple[list[str], list[str], list[str]]:
        """Step 2 without findings: its trace steps, the unanswered items, the deny codes."""
        items = self.t.negative_list
        steps = [plain[answer] for (_, plain), answer in zip(self._negative_steps, answers,
                                                             strict=True)]
        unanswered = [item for item, answer in zip(items, answers, strict=True)
                      if answer is None]
        hits = [R.NEG_PREFIX + item for item, answer in zip(items, answers, strict=True)
                if answer is True]
        return steps, unanswered, hits

    def _negative_list_with_findings(
            self, answers: dict[str, bool | None], findings: dict[str, list[str]],
            trace: list[str], denials: list[str]) -> list[str]:
        """Step 2 when a department found something about a listed item; returns the
        unanswered items."""
        unanswered = []
        for item, plain in self._negative_steps:
            answer = answers.get(item)
            if answer is None:
                unanswered.append(item)
            if item not in findings:
                trace.append(plain[answer])
                if answer is True:
                    denials.append(R.NEG_PREFIX + item)
                continue
            sources = sorted(findings[item])
            step, code = S.negative_item(item, answer, sources)
            assert code is not None  # found by a department: a hit
            denials.append(code)
            trace.append(S.serialized(step))
        return unanswered

    def _early(self, case: ReadCase, trace: list[str], outcome: str,
               reasons: list[str]) -> Decided | None:
        """A decision settled before the eligible expense (steps 1 to 4)."""
        codes = tuple(sorted(set(reasons)))
        claim = case.claim
        key = ("early", outcome, *codes)
        made = self._decisions.get(key) or self._made(
            key, lambda: self._closing([], outcome, list(codes)))
        if made is None:
            return None
        line = made.template.fill(*S.json_texts(case.case_id, claim.claim_id,
                                                case.household.household_id, claim.category),
                                  ",".join(trace))
        t = self.t
        return Decided(line.encode(), outcome, codes, "0.00", "0.00", "0.00", t.tariff_id,
                       t.tariff_sha256, ENGINE_VERSION)

    def _made(self, key: tuple[Any, ...], build: Callable[[], _Made]) -> _Made | None:
        """A decision's template made (and kept); None when a tariff's text holds the marks of
        open values (`S.Template` refuses it): such decisions go the scalar way."""
        if S.holds_marks(self.t.tariff_id):  # the one free text of a tariff in a decision
            return None
        try:
            made = build()
        except ValueError:
            return None
        return self._remember(self._decisions, key, made, _TEMPLATE_LIMIT)  # type: ignore[no-any-return]

    def _closing(self, steps: list[dict[str, Any]], outcome: str, codes: list[str],
                 payout: str = "0.00", counted: str = "0.00", per_capita: str | None = None,
                 net: str | None = None, members: Any = None, cumulative: str | None = None,
                 due: str | None = None, bands: list[dict[str, str]] | None = None
                 ) -> _Made:
        """The template of a whole decision: its trace the steps of steps 1 to 4 (open, one
        serialized text), then `steps` and the outcome step; its figures constants or open
        values (`_T`), as the decision's flow left them. Eligible = counted expense."""
        t = self.t
        trace = [_V[_HEAD], *steps, S.outcome(outcome, codes, payout)]
        document = S.decision_document(
            _T[_CASE], _T[_CLAIM], _T[_HOUSEHOLD], _T[_CATEGORY], outcome, codes, payout, counted,
            counted, per_capita, net, members, cumulative, due, bands or [], t.tariff_id,
            t.tariff_sha256, ENGINE_VERSION, trace)
        return _Made(S.Template(document, _SLOTS), outcome, tuple(codes),
                     _SLOT_OF.get(payout, _ZERO), _SLOT_OF.get(counted, _ZERO))

    # -- steps 5 to 8, over columns ------------------------------------------------------------

    def _steps_5_to_8(self, items: list[_Pending]) -> list[Decided | None]:
        t = self.t
        columns = {
            "raw": [i.raw for i in items], "income": [i.income for i in items],
            "costs": [i.costs for i in items], "members": [i.members for i in items],
            "to_date": [i.to_date for i in items], "paid": [i.paid for i in items],
            "paid_all": [i.paid_all for i in items],
            "paid_member": [i.paid_member for i in items],
            "category": [t.category_index[i.category] for i in items]}
        largest = max(t.largest_amount, *(max(map(abs, values)) for values in columns.values()))
        # Every product below stays under 8 x (largest figure, the tariff's included) x (largest
        # multiplier); beyond 64 bits the chunk is computed on Python integers instead.
        bound = 8 * (largest + 1) * t.largest_multiplier
        dtype: Any = np.int64 if bound < _INT64_SAFE and largest < (1 << 50) else object
        arrays = {name: np.array(values, dtype=dtype) for name, values in columns.items()}
        figures, widths = _compute(t, arrays, dtype)
        lists = [column.tolist() for column in figures]
        # The texts nearly every case shows, a column at a time: the eligible expense, income,
        # costs, net income, cumulative expense and per-capita income.
        expense, net, cumulative, per_capita = lists[:4]
        texts = zip(*map(_yuans, (expense, columns["income"], columns["costs"], net,
                                  cumulative, per_capita)), strict=True)
        per_case = zip(*lists, strict=True)
        widths_per_case = zip(*(column.tolist() for column in widths), strict=True)
        return [self._finish(*case) for case in zip(items, per_case, widths_per_case, texts,
                                                    strict=True)]

    def _finish(self, item: _Pending, figures: tuple[Any, ...], widths: tuple[int, ...],
                shown: tuple[str, ...]) -> Decided | None:
        """Steps 5 to 8 of one case from its figures (`_compute`'s, in its order) and the
        texts of six (`_steps_5_to_8`'s): the texts of its figures, and the path it takes
        (`_late`'s key), whose template they fill."""
        t = self.t
        (expense, net, cumulative, _per_capita, passed, borderline, hardship, gross, rounded,
         due, payout, below_trigger) = figures
        case = item.case
        claim = case.claim
        category = item.category
        texts = item.expense_texts
        v = S.json_texts(case.case_id, claim.claim_id, case.household.household_id, category)
        expense_text, income_text, costs_text, net_text, cumulative_text, per_capita_text = shown
        v += (",".join(item.trace), "0.00", str(item.members), expense_text, income_text,
              costs_text, net_text, item.to_date_text, cumulative_text, per_capita_text)
        v += _UNSET
        v += texts
        if expense == 0:
            key: tuple[Any, ...] = (category, item.expense_form, len(texts))
        else:
            passed = bool(passed)
            flag = None
            if passed:
                if t.margin > 0:
                    flag = bool(borderline)
            else:
                flag = bool(hardship)
                v[_THRESHOLD] = exact_scaled(t.hardship * net, 2 + t.hardship_digits)
            if not (passed or flag):
                key = (category, item.expense_form, len(texts), passed, flag)
            else:
                rules = t.categories[category]
                scale = 10 ** rules.digits
                paying = 0
                for b, (start, _end, rate) in enumerate(rules.bands):
                    if cumulative <= start:
                        break
                    width = widths[b]
                    v.append(yuan(start + width))
                    v.append(yuan((2 * rate * width + scale) // (2 * scale)))
                    paying += 1
                v[_GROSS] = exact_scaled(gross, 2 + rules.digits)
                v[_ROUNDED] = yuan(rounded)
                v[_DUE] = yuan(due)
                v[_PAID] = item.paid_text
                v[_PAYOUT] = yuan(payout)
                v[_PAID_ALL] = item.paid_all_text
                v[_PAID_MEMBER] = item.paid_member_text
                denial = (R.BELOW_TRIGGER if below_trigger
                          else R.CAP_REACHED if payout <= 0 else None)
                large = None if denial or t.large is None else payout >= t.large
                key = (category, item.expense_form, len(texts), passed, flag, paying, denial,
                       large)
        made = self._decisions.get(key) or self._made(key, lambda: self._late(key))
        if made is None:
            return None
        return Decided(made.template.fill_from(v).encode(), made.outcome, made.codes,
                       v[made.payout], v[made.counted], v[made.counted], t.tariff_id,
                       t.tariff_sha256, ENGINE_VERSION)

    def _late(self, key: tuple[Any, ...]) -> _Made:
        """The template of a decision past step 4 that takes the path `key` (`_finish`'s):
        the steps it shows and its outcome, with its figures open."""
        t = self.t
        category, form, count = key[:3]
        rules = t.categories[category]
        amounts = _T[_AMOUNTS:_AMOUNTS + count]
        zero = len(key) == 3
        steps = [_expense_step(rules, form, zero, amounts, _T[_EXPENSE])]
        if zero:
            return self._closing(steps, "denied", [R.NO_ELIGIBLE_EXPENSE])
        passed, flag = key[3:5]
        members = _V[_MEMBERS]
        expense, net, cumulative, per_capita = (_T[_EXPENSE], _T[_NET], _T[_CUMULATIVE],
                                                _T[_PER_CAPITA])
        # Step 6: the income test.
        steps.append(S.income_net(_T[_INCOME], _T[_COSTS], net, t.excluded_sorted))
        steps.append(S.income_test(passed, t.mode, net, members, _T[_TO_DATE], cumulative,
                                   per_capita, t.line_text))
        pends: list[str] = []
        if passed:
            if flag is not None:
                steps.append(S.borderline(flag, per_capita, t.floor_text, t.line_text))
                if flag:
                    pends.append(R.PEND_BORDERLINE_INCOME)
        else:
            step, code = S.hardship_exception(flag, t.hardship_text, cumulative, net,
                                              _T[_THRESHOLD], t.hardship > 0)
            steps.append(step)
            assert code is not None
            if not flag:
                return self._closing(steps, "denied", [code], counted=expense,
                                     per_capita=per_capita, net=net, members=members,
                                     cumulative=cumulative)
            pends.append(code)

        # Step 7: bands, rounding and caps.
        paying, denial, large = key[5:]
        opened = iter(_T[_AMOUNTS + count:])
        bands = [S.band_slice(rules.from_texts[b], next(opened), rules.rate_texts[b],
                              next(opened)) for b in range(paying)]
        steps.append(S.payout_bands(paying, cumulative, rules.from_texts[0], _T[_GROSS],
                                    t.rounding, _T[_ROUNDED]))
        due, payout = _T[_DUE], _T[_PAYOUT]
        steps.append(S.payout_caps(
            _T[_ROUNDED], rules.cap_text, due, _T[_PAID],
            None if t.cap_all_text is None else (t.cap_all_text, _T[_PAID_ALL]),
            None if t.cap_person_text is None else (t.cap_person_text, _T[_PAID_MEMBER]),
            payout, denial))
        if denial is not None:
            return self._closing(steps, "denied", [denial], counted=expense,
                                 per_capita=per_capita, net=net, members=members,
                                 cumulative=cumulative, due=due, bands=bands)

        # Step 8: review.
        if large is not None:
            steps.append(S.large_payout(large, payout, t.large_text or ""))
            if large:
                pends.append(R.PEND_LARGE_PAYOUT)
        outcome = "pended" if pends else "approved"
        return self._closing(steps, outcome, sorted(set(pends)), payout=payout,
                             counted=expense, per_capita=per_capita, net=net, members=members,
                             cumulative=cumulative, due=due, bands=bands)


class _Made(NamedTuple):
    """A decision's template, and what `Decided` takes of it: its outcome, its reasons, and
    which of the values filled in are its payout and its counted expense."""

    template: S.Template
    outcome: str
    codes: tuple[str, ...]
    payout: int
    counted: int


#: The values a decision's template is filled with, by index: the texts (`S.json_texts`) of the
#: case's identifiers and of its category, the serialized steps 1 to 4, "0.00", the counted
#: members (serialized), then the figures of steps 5 to 8 (`_UNSET` when the case's path does
#: not show them), then the amounts of step 5 and two texts for each paying band.
(_CASE, _CLAIM, _HOUSEHOLD, _CATEGORY, _HEAD, _ZERO, _MEMBERS, _EXPENSE, _INCOME, _COSTS, _NET,
 _TO_DATE, _CUMULATIVE, _PER_CAPITA, _THRESHOLD, _GROSS, _ROUNDED, _DUE, _PAID, _PAYOUT,
 _PAID_ALL, _PAID_MEMBER, _AMOUNTS) = range(23)
_UNSET = ("",) * (_AMOUNTS - _PER_CAPITA - 1)
#: How many decision templates an engine keeps (a few hundred paths in practice).
_TEMPLATE_LIMIT = 4096
#: Enough open values for any decision: a tariff's bands are few (`Template` refuses more).
_SLOTS = 64
#: Open texts and values for the templates (`S.text`, `S.value`).
_T = [S.text(i) for i in range(_SLOTS)]
_V = [S.value(i) for i in range(_SLOTS)]
#: Which value an open text in a decision stands for (`_Made`); a constant "0.00" is _ZERO's.
_SLOT_OF = {text: index for index, text in enumerate(_T)}


def _amount(text: str | None) -> str:
    """An amount (two-decimal text, or None) as serialized JSON."""
    return "null" if text is None else f'"{text}"'


def _fragment(checked: S.Checked) -> Fragment:
    step, code = checked
    return S.serialized(step), code


#: A step of steps 1 and 2 serialized, and the deny code it raises.
Fragment = tuple[str, str | None]


def _yuans(fen: list[int]) -> list[str]:
    """`yuan` of each."""
    return [f"{x // 100}{_CENTS[x % 100]}" if x >= 0 else yuan(x) for x in fen]


def _history(to_date: str, paid: str, paid_all: str, paid_member: str | None
             ) -> tuple[str, str, str, str, int, int, int, int]:
    """A history's four amounts as two-decimal texts, then as fen (a paid_member null:
    absent, zero)."""
    texts = (_two(to_date), _two(paid), _two(paid_all), _two(paid_member or "0"))
    return (*texts, *map(fen_of, texts))  # type: ignore[return-value]


def _expense(claim: ReadClaim, rules: _Category) -> tuple[int, tuple[bool, ...], list[str]]:
    """Step 5's raw figure (it may be negative), which amounts its trace step shows (the form:
    for a disaster, whether the liable party's and the vehicles' are shown) and their texts, in
    the order `_expense_values` takes them."""
    if rules.shape == "medical":
        m = claim.medical
        assert m is not None
        # the total, the non-compliant cost, then S.MEDICAL_DEDUCTIONS in its order
        texts = [amount if amount[-3:-2] == "." else _two(amount) for amount in (
            m.total_cost, m.non_compliant_cost, m.basic_insurance_paid, m.critical_illness_paid,
            m.medical_assistance_paid, m.other_compensation)]
        # two-decimal texts: the fen are the digits without the point
        fen = [int(text.replace(".", "")) for text in texts]
        raw = fen[0] - fen[2] - fen[3] - fen[4] - fen[5]
        if not rules.include_non_compliant:
            raw -= fen[1]
        return raw, (), texts
    if rules.shape == "education":
        e = claim.education
        assert e is not None
        texts = [_two(e.tuition), _two(e.accommodation), _two(e.aid_received)]
        return fen_of(texts[0]) + fen_of(texts[1]) - fen_of(texts[2]), (), texts
    d = claim.disaster
    assert d is not None
    texts = [_two(d.assessed_loss), _two(d.insurance_paid), _two(d.relief_paid)]
    raw = fen_of(texts[0]) - fen_of(texts[1]) - fen_of(texts[2])
    liable = d.liable_party_paid
    if liable is not None:
        liable = _two(liable)
        raw -= fen_of(liable)
        texts.append(liable)
    vehicles = d.motor_vehicle_loss
    shown = vehicles is not None or rules.exclude_motor_vehicles
    if shown:
        texts.append(_two(vehicles or "0"))
        if rules.exclude_motor_vehicles:
            raw -= fen_of(texts[-1])
    return raw, (liable is not None, shown), texts


def _expense_values(rules: _Category, form: tuple[bool, ...], texts: Sequence[str]
                    ) -> dict[str, Any]:
    """The values step 5 shows, from `_expense`'s form and texts."""
    if rules.shape == "medical":
        return S.medical_values(texts[0], texts[1], rules.include_non_compliant, texts[2:])
    if rules.shape == "education":
        return S.education_values(*texts)
    rest = iter(texts[3:])
    liable, shown = form
    return S.disaster_values(texts[0], texts[1], texts[2], next(rest) if liable else None,
                             next(rest) if shown else None, rules.exclude_motor_vehicles)


def _expense_step(rules: _Category, form: tuple[bool, ...], zero: bool,
                  amounts: Sequence[str], expense: str) -> dict[str, Any]:
    """expense.eligible of the amounts `_expense` gives."""
    return S.eligible_expense(_expense_values(rules, form, amounts), expense, zero)


def _raw_expense(claim: ReadClaim, rules: _Category) -> int:
    """`_expense`'s raw figure alone (the costing path): `fen_of(_two(x)) == fen_of(x)` for
    every amount of the plain form, so the texts need not be made."""
    if rules.shape == "medical":
        m = claim.medical
        assert m is not None
        raw = (fen_of(m.total_cost) - fen_of(m.basic_insurance_paid)
               - fen_of(m.critical_illness_paid) - fen_of(m.medical_assistance_paid)
               - fen_of(m.other_compensation))
        if not rules.include_non_compliant:
            raw -= fen_of(m.non_compliant_cost)
        return raw
    if rules.shape == "education":
        e = claim.education
        assert e is not None
        return fen_of(e.tuition) + fen_of(e.accommodation) - fen_of(e.aid_received)
    d = claim.disaster
    assert d is not None
    raw = fen_of(d.assessed_loss) - fen_of(d.insurance_paid) - fen_of(d.relief_paid)
    if d.liable_party_paid is not None:
        raw -= fen_of(d.liable_party_paid)
    if rules.exclude_motor_vehicles:
        raw -= fen_of(d.motor_vehicle_loss or "0")
    return raw


def _compute(t: ColumnarTariff, a: dict[str, Any], dtype: Any) -> tuple[list[Any], list[Any]]:
    """Steps 5 to 8 over the chunk's columns, in integer fen (exact for either dtype): the
    figures in the order `ColumnarEngine._finish` reads them, and each band's width."""
    zero = np.zeros_like(a["raw"])
    expense = np.maximum(a["raw"], zero)
    net = np.maximum(a["income"] - a["costs"], zero)
    cumulative = a["to_date"] + expense
    numerator = net - cumulative if t.after_expense else net
    members = a["members"]
    magnitude = np.abs(numerator)
    quotient = magnitude // members
    quotient = quotient + _bool(2 * (magnitude - quotient * members) >= members).astype(dtype)
    per_capita = np.where(_bool(numerator < 0), -quotient, quotient)
    passed = _bool(per_capita <= t.line)
    scale_m = 10 ** t.margin_digits
    borderline = passed & _bool(per_capita * scale_m > t.line * (scale_m - t.margin))
    hardship = ~passed & (t.hardship > 0) & _bool(
        cumulative * 10 ** t.hardship_digits >= t.hardship * net)

    # Bands: each band's width of the cumulative expense, and the exact gross share in units of
    # fen / 10**digits of the case's category.
    widest = max(len(c.bands) for c in t.categories.values())
    widths = [np.zeros_like(cumulative) for _ in range(widest)]
    gross = np.zeros_like(cumulative)
    rounded = np.zeros_like(cumulative)
    due = np.zeros_like(cumulative)
    for index, rules in enumerate(t.categories.values()):
        mask = _bool(a["category"] == index)
        if not mask.any():
            continue
        c = cumulative[mask]
        g = np.zeros_like(c)
        for b, (start, end, rate) in enumerate(rules.bands):
            top = c if end is None else np.minimum(c, end)
            width = np.maximum(top - start, np.zeros_like(c))
            widths[b][mask] = width
            g = g + rate * width
        gross[mask] = g
        divisor = t.step * 10 ** rules.digits
        r = (2 * g + divisor) // (2 * divisor) * t.step
        rounded[mask] = r
        due[mask] = np.minimum(r, rules.cap)
    payout = due - a["paid"]
    if t.cap_all is not None:
        payout = np.minimum(payout, t.cap_all - a["paid_all"])
    if t.cap_person is not None:
        payout = np.minimum(payout, t.cap_person - a["paid_member"])
    payout = np.maximum(payout, zero)
    return [expense, net, cumulative, per_capita, passed, borderline, hardship, gross, rounded,
            due, payout, _bool(rounded - a["paid"] <= 0)], widths


def _bool(values: Any) -> Any:
    """A comparison's result as a boolean array (object arrays compare to Python objects)."""
    return np.asarray(values, dtype=bool)


def _has_its_amounts(claim: ReadClaim) -> bool:
    """The model-level rule of `Case.claim` that a TypedDict cannot state: the claim carries
    exactly the amounts part of its category, or exactly one part for a category a tariff
    defines (unique member ids are checked with step 1)."""
    parts = (claim.medical is not None, claim.education is not None,
             claim.disaster is not None)
    wanted = AMOUNTS_PART.get(claim.category)
    if wanted is None:
        return sum(parts) == 1
    return parts == _WANTED[wanted]


def _part_of(claim: ReadClaim) -> str:
    """The amounts part a claim carries (one, as `_has_its_amounts` made sure)."""
    if claim.medical is not None:
        return "medical"
    return "education" if claim.education is not None else "disaster"


#: Which of (medical, education, disaster) a built-in category's claim carries.
_WANTED = {part: tuple(p == part for p in _PARTS) for part in _PARTS}


def _read(text: str | bytes) -> ReadCase | None:
    """A case document through the fast filters: msgspec's (`schemas.case_reader`), else
    pydantic-core's (`schemas.case_fast`, which strips whitespace that the first refuses),
    else None (the scalar way)."""
    case = read_case(text)
    if case is not None:
        return case
    try:
        data = FAST_CASE.validate_json(text)
    except ValidationError:
        return None
    return from_fast(cast(dict[str, Any], data))


__all__ = ["BAND_FIELDS", "CATEGORY_FIELDS", "COST_APPROVED", "COST_DENIED", "COST_PENDED",
           "TARIFF_FIELDS", "ColumnarEngine", "ColumnarTariff", "exact_scaled", "fen_of",
           "unhandled_fields", "yuan"]
