"""The trace steps of RULES.md, each built in one place: the rule's name, its result, the
values it shows (their keys and order) and the reason it raises.

Both engines call these: the scalar one (`checks`, `decision`) with its Decimals formatted,
the columnar one with the texts and integers of its columns. A step's values are given as
ready texts (amounts as two-decimal strings, ratios as `money.exact` text), so that the
engines differ only in how they compute the figures, never in what a step says. The
decision's own fields and their order are stated here too (`decision_document`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

import orjson

from adjudicator.rules import reasons as R
from adjudicator.rules.trace import FAIL, INFO, PASS, PEND, TraceStep

Values = dict[str, Any]
#: A step of steps 1 and 2, and the deny code it raises (None when it passes).
Checked = tuple[TraceStep, str | None]


def step(rule: str, result: str, values: Values, reason: str | None = None) -> TraceStep:
    """One step: {"rule", "result", "reason", "values"}, in that order."""
    return {"rule": rule, "result": result, "reason": reason, "values": values}


def _checked(rule: str, ok: bool, code: str, values: Values) -> Checked:
    return step(rule, PASS if ok else FAIL, values, None if ok else code), (
        None if ok else code)


# -- step 1: coverage and identity ----------------------------------------------------------------

def region(region_code: str, tariff_region_codes: list[str], matched: str | None) -> Checked:
    return _checked("coverage.region", matched is not None, R.NOT_COVERED_REGION,
                    {"region_code": region_code, "tariff_region_codes": tariff_region_codes,
                     "matched": matched})


def period(event_date: dt.date, valid_from: dt.date, valid_to: dt.date) -> Checked:
    return _checked("coverage.period", valid_from <= event_date <= valid_to,
                    R.NOT_IN_POLICY_PERIOD,
                    {"event_date": event_date.isoformat(), "valid_from": valid_from.isoformat(),
                     "valid_to": valid_to.isoformat()})


def household_category(category: str, covered: list[str]) -> Checked:
    return _checked("coverage.household_category", category in covered,
                    R.HOUSEHOLD_CATEGORY_NOT_COVERED,
                    {"household_category": category, "covered_household_categories": covered})


def category(name: str, covered: list[str], defined: bool, *, own: bool = False,
             shape: str | None = None, amounts: str | None = None, label: str | None = None
             ) -> Checked:
    """coverage.category: a built-in category the tariff covers; or (`own`) a category the
    tariff defines, whose amounts are of the shape it states."""
    values: Values = {"category": name, "covered": covered}
    ok = defined
    if own:
        values["shape"] = shape
        values["amounts"] = amounts
        values["label"] = label
        ok = ok and shape == amounts
    return _checked("coverage.category", ok, R.CATEGORY_NOT_COVERED, values)


def cause(cause: str | None, excluded: list[str]) -> Checked:
    """coverage.cause; an unknown cause is information (completeness pends on it)."""
    values: Values = {"cause": cause, "excluded_causes": excluded}
    if cause is None:
        return step("coverage.cause", INFO, values), None
    return _checked("coverage.cause", cause not in excluded, R.CAUSE_EXCLUDED, values)


def member(member_id: str, household_members: int, found: bool) -> Checked:
    return _checked("identity.member", found, R.MEMBER_NOT_IN_HOUSEHOLD,
                    {"member_id": member_id, "household_members": household_members})


def id_number(member_id: str, problem: str | None) -> Checked:
    """identity.id_number: names the problem, never the number itself (personal data)."""
    return _checked("identity.id_number", problem is None, R.INVALID_ID_NUMBER,
                    {"member_id": member_id, "problem": problem})


def education_stage(stage: str, eligible_stages: list[str]) -> Checked:
    return _checked("coverage.education_stage", stage in eligible_stages,
                    R.EDU_STAGE_NOT_COVERED, {"stage": stage, "eligible_stages": eligible_stages})


# -- step 2: the negative list ------------------------------------------------------------------

def negative_item(item: str, answer: bool | None, found_by: list[str]) -> Checked:
    """One active item: hit when answered yes or found by a department; an unanswered item
    is not a pass (completeness pends on it)."""
    code = R.NEG_PREFIX + item
    hit = answer is True or bool(found_by)
    result = FAIL if hit else (INFO if answer is None else PASS)
    return (step(f"negative_list.{item}", result, {"answer": answer, "found_by": found_by},
                 code if hit else None), code if hit else None)


def contradiction(items: list[str], concealment_active: bool) -> Checked:
    """Items answered no that a department found: concealment, when that item is active."""
    if concealment_active:
        return (step("negative_list.contradiction", FAIL, {"items": items}, R.NEG_CONCEALMENT),
                R.NEG_CONCEALMENT)
    return step("negative_list.contradiction", INFO,
                {"items": items, "concealment_active": False}), None


def unlisted_findings(items: list[str]) -> TraceStep:
    return step("negative_list.unlisted_findings", INFO, {"items": items})


# -- step 4: completeness -----------------------------------------------------------------------

def completeness(verification_recorded: bool, unanswered: list[str], income_recorded: bool,
                 counted_members: int, cause_recorded: bool | None) -> tuple[TraceStep, bool]:
    """The step and whether the verification is complete (`cause_recorded` None: the
    category excludes no cause)."""
    complete = (verification_recorded and not unanswered and income_recorded
                and counted_members > 0)
    values: Values = {"verification_recorded": verification_recorded, "unanswered": unanswered,
                      "income_recorded": income_recorded, "counted_members": counted_members}
    if cause_recorded is not None:
        values["cause_recorded"] = cause_recorded
        complete = complete and cause_recorded
    return step("completeness", PASS if complete else PEND, values,
                None if complete else R.PEND_INCOMPLETE_VERIFICATION), complete


# -- step 5: the eligible expense ---------------------------------------------------------------

#: The medical deductions, in the order the trace shows them.
MEDICAL_DEDUCTIONS = ("basic_insurance_paid", "critical_illness_paid",
                      "medical_assistance_paid", "other_compensation")
EDUCATION_AMOUNTS = ("tuition", "accommodation", "aid_received")
DISASTER_AMOUNTS = ("assessed_loss", "insurance_paid", "relief_paid")


def medical_values(total_cost: str, non_compliant_cost: str, include_non_compliant: bool,
                   deductions: Sequence[str]) -> Values:
    """The amounts step 5 shows of a medical claim (`deductions` in MEDICAL_DEDUCTIONS order)."""
    values: Values = {"total_cost": total_cost, "non_compliant_cost": non_compliant_cost,
                      "include_non_compliant": include_non_compliant}
    values.update(zip(MEDICAL_DEDUCTIONS, deductions, strict=True))
    return values


def education_values(tuition: str, accommodation: str, aid_received: str) -> Values:
    return {"tuition": tuition, "accommodation": accommodation, "aid_received": aid_received}


def disaster_values(assessed_loss: str, insurance_paid: str, relief_paid: str,
                    liable_party_paid: str | None, motor_vehicle_loss: str | None,
                    exclude_motor_vehicles: bool) -> Values:
    """The parts of a loss that are not covered are shown only where the case or the category
    has them, so that a decision without them reads as it always did (`motor_vehicle_loss`:
    None when neither has it)."""
    values: Values = {"assessed_loss": assessed_loss, "insurance_paid": insurance_paid,
                      "relief_paid": relief_paid}
    if liable_party_paid is not None:
        values["liable_party_paid"] = liable_party_paid
    if motor_vehicle_loss is not None:
        values["motor_vehicle_loss"] = motor_vehicle_loss
        values["exclude_motor_vehicles"] = exclude_motor_vehicles
    return values


def eligible_expense(values: Values, expense: str, zero: bool) -> TraceStep:
    values["eligible_expense"] = expense
    if zero:
        return step("expense.eligible", FAIL, values, R.NO_ELIGIBLE_EXPENSE)
    return step("expense.eligible", PASS, values)


# -- step 6: the income test --------------------------------------------------------------------

def income_net(income_counted: str, costs: str, net_income: str, excluded_kinds: list[str]
               ) -> TraceStep:
    return step("income.net", INFO,
                {"income_counted": income_counted, "costs": costs, "net_income": net_income,
                 "excluded_kinds": excluded_kinds})


def income_test(passed: bool, mode: str, net_income: str, counted_members: int,
                expense_to_date: str, cumulative_expense: str, per_capita_income: str,
                income_line: str) -> TraceStep:
    return step("income.test", PASS if passed else FAIL,
                {"mode": mode, "net_income": net_income, "counted_members": counted_members,
                 "expense_to_date": expense_to_date, "cumulative_expense": cumulative_expense,
                 "per_capita_income": per_capita_income, "income_line": income_line})


def borderline(pends: bool, per_capita_income: str, borderline_floor: str, income_line: str
               ) -> TraceStep:
    return step("income.borderline", PEND if pends else PASS,
                {"per_capita_income": per_capita_income, "borderline_floor": borderline_floor,
                 "income_line": income_line},
                R.PEND_BORDERLINE_INCOME if pends else None)


def hardship_exception(pends: bool, hardship_ratio: str, cumulative_expense: str,
                       net_income: str, threshold: str, enabled: bool) -> Checked:
    """The exception to an income above the line: pends when it applies, else denies."""
    values: Values = {"hardship_ratio": hardship_ratio, "cumulative_expense": cumulative_expense,
                      "net_income": net_income, "threshold": threshold, "enabled": enabled}
    if pends:
        return (step("income.hardship_exception", PEND, values, R.PEND_HARDSHIP_EXCEPTION),
                R.PEND_HARDSHIP_EXCEPTION)
    return (step("income.hardship_exception", FAIL, values, R.INCOME_ABOVE_LINE),
            R.INCOME_ABOVE_LINE)


# -- step 7: the payout -------------------------------------------------------------------------

def band_slice(from_: str, to: str, rate: str, amount: str) -> dict[str, str]:
    """One band's share in a decision's `bands`."""
    return {"from": from_, "to": to, "rate": rate, "amount": amount}


def payout_bands(bands_paying: int, cumulative_expense: str, trigger_line: str,
                 gross_exact: str, rounding: str, gross_rounded: str) -> TraceStep:
    return step("payout.bands", PASS if bands_paying else FAIL,
                {"cumulative_expense": cumulative_expense, "trigger_line": trigger_line,
                 "bands_paying": bands_paying, "gross_exact": gross_exact,
                 "rounding": rounding, "gross_rounded": gross_rounded})


def payout_caps(gross_rounded: str, annual_cap: str, due: str, paid_to_date: str,
                household_cap: tuple[str, str] | None, person_cap: tuple[str, str] | None,
                payout: str, denial: str | None) -> TraceStep:
    """The caps; `household_cap` and `person_cap` as (cap, paid so far) where the tariff has
    them; `denial` BELOW_TRIGGER or CAP_REACHED, or None when it pays."""
    values: Values = {"gross_rounded": gross_rounded, "annual_cap": annual_cap, "due": due,
                      "paid_to_date": paid_to_date}
    if household_cap is not None:
        values["household_annual_cap_all"] = household_cap[0]
        values["paid_all_categories_to_date"] = household_cap[1]
    if person_cap is not None:
        values["person_annual_cap_all"] = person_cap[0]
        values["paid_member_all_categories_to_date"] = person_cap[1]
    values["payout"] = payout
    return step("payout.caps", FAIL if denial else PASS, values, denial)


# -- step 8 and the outcome ---------------------------------------------------------------------

def large_payout(pends: bool, payout: str, threshold: str) -> TraceStep:
    return step("review.large_payout", PEND if pends else PASS,
                {"payout": payout, "threshold": threshold},
                R.PEND_LARGE_PAYOUT if pends else None)


def outcome(result: str, reasons: list[str], payout: str) -> TraceStep:
    return step("outcome", result, {"reasons": reasons, "payout": payout})


def decision_document(case_id: str, claim_id: str, household_id: str, category: str,
                      outcome: str, reasons: list[str], payout: str, eligible_expense: str,
                      counted_expense: str, per_capita_income: str | None,
                      net_income: str | None, counted_members: int | None,
                      cumulative_expense: str | None, due: str | None,
                      bands: list[dict[str, str]], tariff_id: str, tariff_sha256: str,
                      engine_version: str, trace: list[TraceStep]) -> dict[str, Any]:
    """A decision's JSON-ready form: its fields in their fixed order (`schemas.Decision`)."""
    return {
        "case_id": case_id, "claim_id": claim_id, "household_id": household_id,
        "category": category, "outcome": outcome, "reasons": reasons, "payout": payout,
        "eligible_expense": eligible_expense, "counted_expense": counted_expense,
        "per_capita_income": per_capita_income, "net_income": net_income,
        "counted_members": counted_members, "cumulative_expense": cumulative_expense,
        "due": due, "bands": bands, "tariff_id": tariff_id, "tariff_sha256": tariff_sha256,
        "engine_version": engine_version, "trace": trace,
    }


# -- templates: a step or a decision serialized once, its open values filled in as text ---------

#: The marks of an open value in a template's serialized form: private-use characters that
#: orjson writes as they are (`template` refuses a form where they appear otherwise).
_TEXT = ("\ue000", "\ue001")
_VALUE = ("\ue002", "\ue003")
_MARK = re.compile("\ue000(\\d+)\ue001|\"\ue002(\\d+)\ue003\"")


def text(index: int) -> Any:
    """An open text in a template, filled with JSON string content (`json_text`)."""
    return f"{_TEXT[0]}{index}{_TEXT[1]}"


def value(index: int) -> Any:
    """An open value in a template, filled with serialized JSON ("null", "3", "[...]")."""
    return f"{_VALUE[0]}{index}{_VALUE[1]}"


def serialized(document: Any) -> str:
    """The canonical JSON of a step, a decision or a value: compact, UTF-8, keys in order."""
    return orjson.dumps(document).decode()


_SAFE = re.compile(r"[ !#-\[\]-~]*")


def json_text(plain: str) -> str:
    """A text as the content of a JSON string, exactly as `serialized` writes it."""
    if _SAFE.fullmatch(plain) is not None:  # printable ASCII without '"' or '\': as it is
        return plain
    return serialized(plain)[1:-1]


def json_texts(*plain: str) -> list[str]:
    """`json_text` of each text (all at once when all are printable ASCII)."""
    if _SAFE.fullmatch("".join(plain)) is not None:
        return list(plain)
    return list(map(json_text, plain))


class Template:
    """A step or a decision built once by its constructor above with some values left open
    (`text`, `value`), serialized, and filled in by text: `fill` gives exactly what
    `serialized` gives of the same constructor called with those values."""

    __slots__ = ("_format", "_pick")

    def __init__(self, document: Any, slots: int) -> None:
        if _marked(document):
            raise ValueError("a template's constant values hold the marks of open values")
        form = serialized(document).replace("%", "%%")
        order: list[int] = []

        def mark(match: re.Match[str]) -> str:
            order.append(int(match.group(1) or match.group(2)))
            return "%s"

        form = _MARK.sub(mark, form)
        if any(index >= slots for index in order) or any(
                c in form for c in (*_TEXT, *_VALUE)):
            raise ValueError("a template's constant values hold the marks of open values")
        self._format = form
        self._pick: Callable[[Sequence[str]], tuple[str, ...]] | None = (
            None if order == list(range(slots))
            else _picker(order))

    def fill(self, *values: str) -> str:
        """The serialized form with the open values given in their index order: texts as
        `json_text` content, values as serialized JSON."""
        return self.fill_from(values)

    def fill_from(self, values: Sequence[str]) -> str:
        """`fill` with the values in a sequence."""
        if self._pick is None:
            return self._format % tuple(values)
        return self._format % self._pick(values)


def _marked(node: Any) -> bool:
    """Whether a text of `node` other than an open value's mark holds a mark's character."""
    if isinstance(node, str):
        return (_MARK_CHARS.search(node) is not None and _MARK.fullmatch(node) is None
                and _MARK.fullmatch(f'"{node}"') is None)
    if isinstance(node, dict):
        return any(_marked(key) or _marked(item) for key, item in node.items())
    if isinstance(node, (list, tuple)):
        return any(_marked(item) for item in node)
    return False


_MARK_CHARS = re.compile("[\ue000-\ue003]")


def holds_marks(text: str) -> bool:
    """Whether a text holds a character of the marks of open values (a constant that does
    could be taken for an open value: no template may hold it)."""
    return _MARK_CHARS.search(text) is not None


def _picker(order: list[int]) -> Callable[[Sequence[str]], tuple[str, ...]]:
    if not order:
        return lambda values: ()
    get = itemgetter(*order)
    if len(order) == 1:
        return lambda values: (get(values),)
    return get
