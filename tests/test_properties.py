"""Property-based tests of the money invariants of RULES.md ("Invariants worth property tests").

The expected figures come from a small reference implementation written here from RULES.md
(exact arithmetic with fractions.Fraction), never from the engine's own output. Tariffs are the
demo tariff (its numbers typed in from LAYOUT.md) and generated valid tariffs: random
contiguous bands (the last open or closed), rates in (0, 1], caps, rounding "0.01" or "1", both
income-test modes, hardship ratio, borderline margin, all-category cap, excluded income kinds.

Split invariance -- the conditions under which it holds (and is tested here):
  * the parts are one household's claims in one category and tariff period, adjudicated in
    sequence against the same verification (income, members, negative-list answers);
  * before each part, the history is exactly what the stored system holds: eligible expense
    to date = the sum of the earlier parts' counted_expense, paid to date = the sum of their
    payouts, paid in all categories = that plus a constant paid in other categories;
  * every pended part is approved by a person (a person's denial adds neither its counted
    expense nor its payout, and the total then falls short of the single claim's).
  It then holds to the cent whatever happens to the early parts: denied INCOME_ABOVE_LINE or
  BELOW_TRIGGER (their E still counts), CAP_REACHED, NO_ELIGIBLE_EXPENSE for a zero part
  (E = 0 counts nothing and changes nothing), pended for hardship, borderline or size; in both
  income-test modes; with either rounding step; when the category cap or the all-category cap
  binds. Reason: after every paying part the household has been paid exactly
  min(round(F(C)), annual_cap, cap_all - paid elsewhere), which only grows with C, so the
  payouts telescope; and the income test (with its hardship route) only gets easier as C
  grows, so the last part passes it exactly when the single claim does.
  It does NOT hold when a pend is denied by a person, when the verification changes between
  the parts, or when a part is denied in steps 1 to 4 (that part is then not counted at all).

Payout <= E + one rounding step holds only for a "paid-up" history: paid_to_date equal to
min(round(F(H)), cap, room) for the expense H counted so far. After an expense denied
INCOME_ABOVE_LINE the household is later paid on the whole year's expense, by design
(see tests/test_rules_edges.py::test_an_expense_denied_for_income_still_counts_...).
"""

from __future__ import annotations

import copy
import decimal
import functools
import json
import math
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import schemas
from adjudicator import adjudicate
from adjudicator.rules.idnumber import check_character
from adjudicator.rules.tariff import Tariff, parse_tariff
from schemas import Case
from schemas import Decision as DecisionSchema
from tests.engines import Engine, scalar

# About 10 ms an example (most of it Hypothesis drawing): the file runs in ~15 s on one core.
SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
LIGHT = settings(SETTINGS, max_examples=120)

ITEMS = ["PUBLIC_SERVANT", "VEHICLE", "COMPANY", "COMMERCIAL_HOUSING", "SHOP", "CONCEALMENT"]
KINDS = ["wage", "business", "property", "transfer"]
AMOUNT_RE = re.compile(r"^-?[0-9]+\.[0-9]{2}$")
FEN = Fraction(1, 100)


# ---------------------------------------------------------------------------------------------
# Reference implementation (RULES.md steps 5 to 8), exact


@dataclass(frozen=True)
class Params:
    """A tariff's numbers, as the test generated them (not as the engine read them)."""

    line: Fraction
    mode: str
    hardship: Fraction
    margin: Fraction
    review: Fraction | None
    step: Fraction
    cap_all: Fraction | None
    cap: Fraction
    bands: tuple[tuple[Fraction, Fraction | None, Fraction], ...]
    excluded: tuple[str, ...]
    # Tariff shapes of real programs: a per-person cap over all categories, and a list of
    # covered household categories (the drawn households are "edge", always listed).
    cap_person: Fraction | None = None
    covered: bool = False


def text(value: Fraction) -> str:
    """Plain decimal text of a Fraction whose denominator divides a power of ten."""
    return format(Decimal(value.numerator) / Decimal(value.denominator), "f")


def ref_round(value: Fraction, step: Fraction) -> Fraction:
    """Round to a multiple of `step`, half-up, ties away from zero."""
    units = math.floor(abs(value) / step + Fraction(1, 2))
    return (units if value >= 0 else -units) * step


def ref_f(p: Params, x: Fraction) -> Fraction:
    """F(x) = sum over bands of rate * (min(x, to) - from) for every band with x > from."""
    total = Fraction(0)
    for start, end, rate in p.bands:
        if x > start:
            top = x if end is None else min(x, end)
            total += rate * (top - start)
    return total


def ref_paid_up(p: Params, expense: Fraction, other: Fraction,
                other_member: Fraction | None = None) -> Fraction:
    """What a household is paid in all, once every claim of `expense` reached the payout
    (`other_member`: what the claims' member was paid in other categories)."""
    due = min(ref_round(ref_f(p, expense), p.step), p.cap)
    if p.cap_all is not None:
        due = min(due, p.cap_all - other)
    if p.cap_person is not None:
        due = min(due, p.cap_person - (other_member or 0))
    return max(due, Fraction(0))


@dataclass(frozen=True)
class Ref:
    outcome: str
    reasons: tuple[str, ...]
    payout: Fraction
    per_capita: Fraction | None
    counted: Fraction


def ref_decide(p: Params, net: Fraction, members: int, expense: Fraction, to_date: Fraction,
               paid: Fraction, paid_all: Fraction, paid_member: Fraction | None = None) -> Ref:
    """Steps 5 to 9 for a case that passed steps 1 to 4."""
    if expense == 0:
        return Ref("denied", ("NO_ELIGIBLE_EXPENSE",), Fraction(0), None, Fraction(0))
    cumulative = to_date + expense
    base = net - cumulative if p.mode == "after_expense" else net
    per_capita = ref_round(base / members, FEN)
    pends: list[str] = []
    if per_capita > p.line:
        if p.hardship > 0 and cumulative >= p.hardship * net:
            pends.append("PEND_HARDSHIP_EXCEPTION")
        else:
            return Ref("denied", ("INCOME_ABOVE_LINE",), Fraction(0), per_capita, expense)
    elif p.margin > 0 and p.line * (1 - p.margin) < per_capita:
        pends.append("PEND_BORDERLINE_INCOME")
    rounded = ref_round(ref_f(p, cumulative), p.step)
    payout = min(rounded, p.cap) - paid
    if p.cap_all is not None:
        payout = min(payout, p.cap_all - paid_all)
    if p.cap_person is not None:
        payout = min(payout, p.cap_person - (paid_member or 0))
    if rounded - paid <= 0:
        return Ref("denied", ("BELOW_TRIGGER",), Fraction(0), per_capita, expense)
    if payout <= 0:
        return Ref("denied", ("CAP_REACHED",), Fraction(0), per_capita, expense)
    if p.review is not None and payout >= p.review:
        pends.append("PEND_LARGE_PAYOUT")
    outcome = "pended" if pends else "approved"
    return Ref(outcome, tuple(sorted(pends)), payout, per_capita, expense)


# ---------------------------------------------------------------------------------------------
# Tariffs


def render(p: Params) -> str:
    lines = [
        'id = "generated/2026"',
        'name = "生成的测试方案"',
        'region_codes = ["330102"]',
        "valid_from = 2026-01-01",
        "valid_to = 2026-12-31",
        f'income_line = "{text(p.line)}"',
        f'income_test = "{p.mode}"',
        f'hardship_ratio = "{text(p.hardship)}"',
        f'borderline_margin = "{text(p.margin)}"',
        f'rounding = "{"1" if p.step == 1 else "0.01"}"',
        "negative_list = [" + ", ".join(f'"{i}"' for i in ITEMS) + "]",
        "excluded_income_kinds = [" + ", ".join(f'"{k}"' for k in p.excluded) + "]",
    ]
    if p.review is not None:
        lines.append(f'large_payout_review = "{text(p.review)}"')
    if p.cap_all is not None:
        lines.append(f'household_annual_cap_all = "{text(p.cap_all)}"')
    if p.cap_person is not None:
        lines.append(f'person_annual_cap_all = "{text(p.cap_person)}"')
    if p.covered:
        lines.append('covered_household_categories = ["unstable", "edge"]')
    bands = []
    for start, end, rate in p.bands:
        to = "" if end is None else f'to = "{text(end)}", '
        bands.append(f'  {{ from = "{text(start)}", {to}rate = "{text(rate)}" }},')
    lines += ["", "[categories.medical]", f'annual_cap = "{text(p.cap)}"', "bands = [",
              *bands, "]"]
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=4096)
def load(source: str) -> Tariff:
    return parse_tariff(source.encode("utf-8"), "generated.toml")


# The demo tariff, typed in from LAYOUT.md.
DEMO = Params(
    line=Fraction(7000), mode="after_expense", hardship=Fraction(1, 2), margin=Fraction(0),
    review=Fraction(30000), step=FEN, cap_all=Fraction(150000), cap=Fraction(100000),
    bands=((Fraction(5000), Fraction(20000), Fraction(1, 2)),
           (Fraction(20000), Fraction(50000), Fraction(3, 5)),
           (Fraction(50000), None, Fraction(7, 10))),
    excluded=(),
)


def fen(lo_yuan: int, hi_yuan: int) -> st.SearchStrategy[Fraction]:
    """Amounts in yuan with two decimals, from whole fen (never through a float)."""
    return st.integers(lo_yuan * 100, hi_yuan * 100).map(lambda n: Fraction(n, 100))


def claim_amounts(hi_yuan: int) -> st.SearchStrategy[Fraction]:
    """Eligible expenses 0..hi: the whole range, weighted towards the bands' busy middle."""
    return st.one_of(fen(0, hi_yuan), fen(3000, 120000), fen(0, 100))


@st.composite
def generated_params(draw: st.DrawFn) -> Params:
    start = draw(fen(0, 20000))
    bands = []
    for i in range(draw(st.integers(1, 4))):
        rate = Fraction(draw(st.integers(1, 1000)), 1000)  # (0, 1], up to three decimals
        width = draw(fen(1, 60000))
        last = i == 3 or draw(st.booleans())
        end = None if last and draw(st.booleans()) else start + width
        bands.append((start, end, rate))
        if end is None:
            break
        start = end
        if last:
            break
    return Params(
        # Whole multiples of 20 yuan, so that the borderline floor line * (1 - m) is exact to
        # the fen and can be hit exactly.
        line=Fraction(20 * draw(st.integers(150, 750))),
        mode=draw(st.sampled_from(["after_expense", "before_expense"])),
        hardship=draw(st.sampled_from([Fraction(0), Fraction(3, 10), Fraction(1, 2),
                                       Fraction(1), Fraction(3, 2)])),
        margin=draw(st.sampled_from([Fraction(0), Fraction(1, 20), Fraction(1, 10),
                                     Fraction(1, 4)])),
        review=draw(st.none() | fen(5000, 60000)),
        step=draw(st.sampled_from([FEN, Fraction(1)])),
        cap_all=draw(st.none() | fen(1000, 300000)),
        cap=draw(fen(100, 200000)),
        bands=tuple(bands),
        excluded=tuple(draw(st.lists(st.sampled_from(KINDS), unique=True, max_size=2))),
        cap_person=draw(st.none() | fen(1000, 200000)),
        covered=draw(st.booleans()),
    )


params_strategy = st.one_of(st.just(DEMO), generated_params())


# ---------------------------------------------------------------------------------------------
# Households and cases


@dataclass(frozen=True)
class Household:
    counted: tuple[bool, ...]  # one flag per member
    income: tuple[tuple[str, Fraction], ...]
    costs: Fraction

    def net(self, p: Params) -> Fraction:
        gross = sum((a for k, a in self.income if k not in p.excluded), Fraction(0))
        return max(gross - self.costs, Fraction(0))

    @property
    def members(self) -> int:
        return sum(self.counted)


@st.composite
def households(draw: st.DrawFn) -> Household:
    counted = draw(st.lists(st.sampled_from([True, True, False]), min_size=1, max_size=8))
    if not any(counted):
        counted[0] = True
    item = st.tuples(st.sampled_from(KINDS), st.one_of(fen(0, 66666), fen(10000, 66666)))
    items = draw(st.lists(item, min_size=draw(st.sampled_from([1, 2, 0])), max_size=3))
    costs = draw(st.sampled_from([Fraction(0)]) | fen(0, 20000))
    return Household(tuple(counted), tuple(items), costs)


def valid_id(seq: int) -> str:
    body = f"330102{19600101 + seq:08d}"[:14] + f"{seq:03d}"
    return body + check_character(body)


def case_dict(h: Household, expense: Fraction, *, to_date: Fraction = Fraction(0),
              paid: Fraction = Fraction(0), paid_all: Fraction = Fraction(0),
              non_compliant: Fraction = Fraction(0), claim_id: str = "K-1",
              paid_member: Fraction | None = None) -> dict[str, Any]:
    """A complete, covered medical claim whose eligible expense is `expense`."""
    case = {
        "case_id": f"C-{claim_id}",
        "household": {
            "household_id": "H-330102-000001",
            "region_code": "330102001001",
            "category": "edge",
            "members": [
                {"member_id": f"M{i + 1}", "name": "李四", "id_number": valid_id(i + 1),
                 "relation": "head" if i == 0 else "other", "counted": c}
                for i, c in enumerate(h.counted)
            ],
        },
        "verification": {
            "verified_on": "2026-03-10", "verifier_id": "V001",
            "income": [{"kind": k, "amount": text(a)} for k, a in h.income],
            "costs": [{"kind": "production", "amount": text(h.costs)}] if h.costs else [],
            "negative_list": dict.fromkeys(ITEMS, False),
            "cross_checks": [],
        },
        "claim": {
            "claim_id": claim_id, "category": "medical", "member_id": "M1",
            "event_date": "2026-05-01", "source": "medical_insurance_feed",
            "medical": {"total_cost": text(expense + non_compliant),
                        "non_compliant_cost": text(non_compliant)},
        },
        "history": {"eligible_expense_to_date": text(to_date), "paid_to_date": text(paid),
                    "paid_all_categories_to_date": text(paid_all)},
    }
    if paid_member is not None:
        case["history"]["paid_member_all_categories_to_date"] = text(paid_member)
    return case


#: The engine deciding this test's cases: each test runs with both (tests/engines.py).
ENGINE: Engine = scalar


@pytest.fixture(autouse=True)
def _each_engine(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "ENGINE", engine)


def run(data: dict[str, Any], p: Params) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(ENGINE(data, load(render(p))))
    check_coherence(out)
    return out


def money(value: str) -> Fraction:
    assert AMOUNT_RE.match(value), value
    return Fraction(Decimal(value))


REACHED_INCOME_TEST_DENIALS = {"INCOME_ABOVE_LINE", "BELOW_TRIGGER", "CAP_REACHED"}


def check_coherence(d: dict[str, Any]) -> None:
    """Outcome/amount coherence (RULES.md steps 3, 8, 9 and "Counted expense")."""
    outcome, reasons = d["outcome"], d["reasons"]
    assert reasons == sorted(set(reasons))
    for key in ("payout", "eligible_expense", "counted_expense"):
        assert AMOUNT_RE.match(d[key]), (key, d[key])
    payout = money(d["payout"])
    if outcome == "approved":
        assert payout > 0 and reasons == []
    elif outcome == "denied":
        assert d["payout"] == "0.00"
        assert reasons and not any(r.startswith("PEND_") for r in reasons)
    else:
        assert outcome == "pended"
        assert reasons and all(r.startswith("PEND_") for r in reasons)
        if "PEND_INCOMPLETE_VERIFICATION" in reasons:
            assert reasons == ["PEND_INCOMPLETE_VERIFICATION"] and payout == 0
        else:
            assert payout > 0  # the amount a person's approval pays
    reached = (outcome == "approved"
               or (outcome == "pended" and "PEND_INCOMPLETE_VERIFICATION" not in reasons)
               or (outcome == "denied" and bool(REACHED_INCOME_TEST_DENIALS & set(reasons))))
    if reached:
        assert d["counted_expense"] == d["eligible_expense"] != "0.00"
        assert d["per_capita_income"] is not None
        assert AMOUNT_RE.match(d["per_capita_income"])
    else:
        assert d["counted_expense"] == "0.00"
        assert d["per_capita_income"] is None
    assert d["trace"][-1]["rule"] == "outcome"


def pays(d: dict[str, Any]) -> Fraction:
    """What the decision pays once final (a pend approved by a person pays its payout)."""
    return money(d["payout"]) if d["outcome"] in ("approved", "pended") else Fraction(0)


def cut(draw: st.DrawFn, total: int) -> list[Fraction]:
    """`total` fen cut into k = 1..5 non-negative parts that sum to it."""
    k = draw(st.sampled_from([5, 4, 3, 2, 1]))
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=k - 1, max_size=k - 1)))
    return [Fraction(b - a, 100) for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


@st.composite
def splits(draw: st.DrawFn, max_fen: int) -> list[Fraction]:
    """A total of 0..max_fen fen cut into 1..5 parts."""
    return cut(draw, draw(st.one_of(st.integers(0, max_fen), st.integers(300_000, 12_000_000))))


# ---------------------------------------------------------------------------------------------
# The engine agrees with the reference


def edges(p: Params, h: Household) -> list[Fraction]:
    """Cumulative expenses where a rule changes its mind: band edges, P on the income line or
    on the borderline floor, C on the hardship threshold."""
    points = [b for start, end, _ in p.bands for b in (start, end) if b is not None]
    net, members = h.net(p), h.members
    if p.mode == "after_expense":
        points += [net - p.line * members, net - p.line * (1 - p.margin) * members]
    points.append(p.hardship * net)
    return points


@SETTINGS
@given(p=params_strategy, h=households(), expense=claim_amounts(400000), to_date=fen(0, 200000),
       paid=st.just(Fraction(0)) | fen(0, 120000) | fen(0, 10000), other=fen(0, 200000),
       nc=fen(0, 5000), member=st.none() | fen(0, 200000), data=st.data())
def test_engine_agrees_with_the_reference(p: Params, h: Household, expense: Fraction,
                                          to_date: Fraction, paid: Fraction, other: Fraction,
                                          nc: Fraction, member: Fraction | None,
                                          data: st.DataObject) -> None:
    # Half the time the expense is aimed at an edge (exactly on it, or one fen either side).
    if data.draw(st.booleans(), label="aim at an edge"):
        edge = data.draw(st.sampled_from(edges(p, h)), label="edge")
        offset = data.draw(st.sampled_from([Fraction(0), -FEN, FEN, Fraction(0)]))
        aimed = edge - to_date + offset
        if aimed >= 0 and (aimed * 100).denominator == 1:
            expense = aimed
            event("expense aimed at an edge")
    # Any history, consistent or not: the rules are a function of its three figures.
    # The member's all-category history, when drawn: what the member was paid (at least what
    # the category paid, at most what the household was paid).
    paid_member = None if member is None else paid + min(member, other)
    d = run(case_dict(h, expense, to_date=to_date, paid=paid, paid_all=paid + other,
                      non_compliant=nc, paid_member=paid_member), p)
    ref = ref_decide(p, h.net(p), h.members, expense, to_date, paid, paid + other, paid_member)
    event(f"{ref.outcome} {' '.join(ref.reasons)}")
    assert (d["outcome"], tuple(d["reasons"])) == (ref.outcome, ref.reasons)
    assert money(d["payout"]) == ref.payout
    assert money(d["eligible_expense"]) == expense
    assert money(d["counted_expense"]) == ref.counted
    if ref.per_capita is None:
        assert d["per_capita_income"] is None
    else:
        assert money(d["per_capita_income"]) == ref.per_capita
    if ref.payout > 0:
        assert [(b["from"], b["to"], b["rate"], b["amount"]) for b in d["bands"]] == (
            ref_slices(p, to_date + expense))


def ref_slices(p: Params, x: Fraction) -> list[tuple[str, str, str, str]]:
    """The band breakdown: every band with x > from, amounts shown half-up to the fen."""
    def two(v: Fraction) -> str:
        return f"{Decimal(text(ref_round(v, FEN))):.2f}"
    out = []
    for start, end, rate in p.bands:
        if x > start:
            top = x if end is None else min(x, end)
            out.append((two(start), two(top), text(rate), two(rate * (top - start))))
    return out


# ---------------------------------------------------------------------------------------------
# Split invariance


@st.composite
def split_scenarios(draw: st.DrawFn
                    ) -> tuple[Params, Household, list[Fraction], Fraction, Fraction]:
    p = draw(params_strategy)
    h = draw(households())
    trigger = int(p.bands[0][0] * 100)
    total = draw(st.one_of(st.integers(0, 40_000_000),
                           st.integers(trigger, trigger + 12_000_000)))
    parts = cut(draw, total)
    other = draw(st.sampled_from([Fraction(0)]) | fen(0, 200000))
    # What the claims' member was paid in other categories (part of what the household was).
    other_member = draw(st.sampled_from([Fraction(0), other]) | fen(0, 200000).map(
        lambda v: min(v, other)))
    return p, h, parts, other, other_member


@SETTINGS
@given(scenario=split_scenarios(), nc=fen(0, 3000))
def test_split_claims_pay_what_one_claim_of_their_sum_pays(
        scenario: tuple[Params, Household, list[Fraction], Fraction, Fraction],
        nc: Fraction) -> None:
    # Split invariance holds with a per-person cap too (the member's history grows with
    # every part it is paid, as the stored system fills it).
    p, h, parts, other, other_member = scenario
    total = sum(parts, Fraction(0))
    single = run(case_dict(h, total, paid_all=other, non_compliant=nc,
                           paid_member=other_member), p)

    to_date = paid = Fraction(0)
    outcomes = []
    for i, part in enumerate(parts):
        d = run(case_dict(h, part, to_date=to_date, paid=paid, paid_all=other + paid,
                          non_compliant=nc, claim_id=f"K-{i}",
                          paid_member=other_member + paid), p)
        outcomes.append(d["reasons"][0] if d["reasons"] else d["outcome"])
        to_date += money(d["counted_expense"])
        paid += pays(d)
    event(f"{len(parts)} parts; single {single['outcome']} {single['reasons']}")
    rounded = ref_round(ref_f(p, total), p.step)
    if pays(single) and rounded > p.cap:
        event("category cap binds")
    if pays(single) and p.cap_all is not None and min(rounded, p.cap) > p.cap_all - other:
        event("all-category cap binds")
    if (pays(single) and p.cap_person is not None
            and min(rounded, p.cap) > p.cap_person - other_member):
        event("per-person cap binds")
    if set(outcomes) & {"INCOME_ABOVE_LINE", "BELOW_TRIGGER", "CAP_REACHED"} and pays(single):
        event("an early part denied at the income test or payout, the sum paid")

    assert to_date == total  # every part reached the income test, or was zero
    assert paid == pays(single)
    # And both are what the reference pays one claim of the sum.
    ref = ref_decide(p, h.net(p), h.members, total, Fraction(0), Fraction(0), other,
                     other_member)
    assert paid == (ref.payout if ref.outcome != "denied" else 0)


@LIGHT
@given(h=households(), parts=splits(40_000_000),
       other=st.just(Fraction(0)) | fen(0, 150000))
def test_split_invariance_under_the_demo_tariff_with_caps(h: Household, parts: list[Fraction],
                                                          other: Fraction) -> None:
    total = sum(parts, Fraction(0))
    single = run(case_dict(h, total, paid_all=other), DEMO)
    to_date = paid = Fraction(0)
    for part in parts:
        d = run(case_dict(h, part, to_date=to_date, paid=paid, paid_all=other + paid), DEMO)
        to_date += money(d["counted_expense"])
        paid += pays(d)
    assert paid == pays(single)
    if single["outcome"] != "denied":
        # The caps the single claim meets: round(F(C)) capped at 100000, then at the room
        # left under 150000.
        assert paid == ref_paid_up(DEMO, total, other)


# ---------------------------------------------------------------------------------------------
# Caps and the E bound, given consistent history


@LIGHT
@given(p=params_strategy, h=households(), earlier=splits(30_000_000), expense=claim_amounts(400000),
       other=fen(0, 200000))
def test_payout_within_the_caps_and_within_e_plus_one_step(
        p: Params, h: Household, earlier: list[Fraction], expense: Fraction,
        other: Fraction) -> None:
    # The history is what the earlier claims of the year were actually paid; the member was
    # paid half of what the household was paid in other categories.
    member = Fraction(math.floor(other * 50), 100)
    to_date = paid = Fraction(0)
    for part in earlier:
        d = run(case_dict(h, part, to_date=to_date, paid=paid, paid_all=other + paid,
                          paid_member=member + paid), p)
        to_date += money(d["counted_expense"])
        paid += pays(d)
    d = run(case_dict(h, expense, to_date=to_date, paid=paid, paid_all=other + paid,
                      paid_member=member + paid), p)
    payout = money(d["payout"])

    assert 0 <= payout <= p.cap
    assert paid + payout <= max(p.cap, paid)
    if p.cap_all is not None:
        assert other + paid + payout <= max(p.cap_all, other + paid)
    if p.cap_person is not None:
        assert member + paid + payout <= max(p.cap_person, member + paid)
    paid_up = paid == ref_paid_up(p, to_date, other, member)
    event("paid-up history" if paid_up else "history with unpaid expense")
    if paid_up:
        assert payout <= expense + p.step


# ---------------------------------------------------------------------------------------------
# Monotonicity (same history)


@st.composite
def histories(draw: st.DrawFn) -> tuple[Fraction, Fraction, Fraction]:
    to_date = draw(fen(0, 200000))
    paid = draw(fen(0, 120000))
    return to_date, paid, paid + draw(fen(0, 200000))


@LIGHT
@given(p=params_strategy, h=households(), a=claim_amounts(400000), b=claim_amounts(400000),
       history=histories())
def test_more_eligible_expense_never_pays_less(p: Params, h: Household, a: Fraction,
                                               b: Fraction,
                                               history: tuple[Fraction, ...]) -> None:
    low, high = sorted((a, b))
    to_date, paid, paid_all = history
    d_low = run(case_dict(h, low, to_date=to_date, paid=paid, paid_all=paid_all), p)
    d_high = run(case_dict(h, high, to_date=to_date, paid=paid, paid_all=paid_all), p)
    assert money(d_low["payout"]) <= money(d_high["payout"])


@LIGHT
@given(p=params_strategy, h=households(), more=fen(0, 100000),
       kind=st.sampled_from(KINDS), expense=claim_amounts(400000), history=histories())
def test_more_income_never_pays_more(p: Params, h: Household, more: Fraction, kind: str,
                                     expense: Fraction, history: tuple[Fraction, ...]) -> None:
    to_date, paid, paid_all = history
    richer = Household(h.counted, (*h.income, (kind, more)), h.costs)
    d_poor = run(case_dict(h, expense, to_date=to_date, paid=paid, paid_all=paid_all), p)
    d_rich = run(case_dict(richer, expense, to_date=to_date, paid=paid, paid_all=paid_all), p)
    assert money(d_rich["payout"]) <= money(d_poor["payout"])


# ---------------------------------------------------------------------------------------------
# Coherence of outcome and amounts, also on cases that stop early


DENY_DEFECTS = {
    "region": ["NOT_COVERED_REGION"],
    "period": ["NOT_IN_POLICY_PERIOD"],
    "category": ["CATEGORY_NOT_COVERED"],
    "member": ["MEMBER_NOT_IN_HOUSEHOLD"],
    "id_number": ["INVALID_ID_NUMBER"],
    "negative_true": ["NEG_PUBLIC_SERVANT"],
    "concealment": ["NEG_CONCEALMENT", "NEG_VEHICLE"],
}
PEND_DEFECTS = ["unanswered", "null_answer", "no_income", "no_counted", "no_verification"]


def with_defects(data: dict[str, Any], deny: set[str], pend: str | None) -> dict[str, Any]:
    data = copy.deepcopy(data)
    household, claim = data["household"], data["claim"]
    if "region" in deny:
        household["region_code"] = "440101001001"
    if "period" in deny:
        claim["event_date"] = "2027-01-01"
    if "category" in deny:
        claim["category"] = "accident"
    if "member" in deny:
        claim["member_id"] = "M99"
    if "id_number" in deny:
        good = household["members"][0]["id_number"]
        household["members"][0]["id_number"] = good[:17] + ("0" if good[17] != "0" else "1")
    verification = data["verification"]
    if "negative_true" in deny:
        verification["negative_list"]["PUBLIC_SERVANT"] = True
    if "concealment" in deny:
        verification["cross_checks"].append(
            {"source": "vehicle_registry", "item": "VEHICLE", "found": True})
    if pend == "unanswered":
        del verification["negative_list"]["SHOP"]
    elif pend == "null_answer":
        verification["negative_list"]["COMPANY"] = None
    elif pend == "no_income":
        del verification["income"]
    elif pend == "no_counted":
        for member in household["members"]:
            member["counted"] = False
    elif pend == "no_verification":
        del data["verification"]
    return data


@st.composite
def defects(draw: st.DrawFn) -> tuple[set[str], str | None]:
    """No defect, deny defects, a pend defect, or both, in even proportions."""
    kind = draw(st.sampled_from(["none", "deny", "pend", "both"]))
    deny: set[str] = set()
    pend = None
    if kind in ("deny", "both"):
        deny = draw(st.sets(st.sampled_from(sorted(DENY_DEFECTS)), min_size=1, max_size=3))
    if kind in ("pend", "both"):
        pend = draw(st.sampled_from(PEND_DEFECTS))
    return deny, pend


@LIGHT
@given(p=params_strategy, h=households(), expense=claim_amounts(400000), history=histories(),
       drawn=defects())
def test_outcome_reasons_and_amounts_are_coherent(p: Params, h: Household, expense: Fraction,
                                                  history: tuple[Fraction, ...],
                                                  drawn: tuple[set[str], str | None]) -> None:
    deny, pend = drawn
    if pend == "no_verification":
        deny -= {"negative_true", "concealment"}
    event(f"denials: {len(deny)}; pend: {pend}")
    to_date, paid, paid_all = history
    data = with_defects(case_dict(h, expense, to_date=to_date, paid=paid, paid_all=paid_all),
                        deny, pend)
    d = run(data, p)  # run() checks the coherence rules on every decision
    expected_denials = sorted(
        code for defect in deny for code in DENY_DEFECTS[defect]
        if not (defect == "id_number" and "member" in deny))  # no member, no ID to check
    if expected_denials:
        assert (d["outcome"], d["reasons"]) == ("denied", expected_denials)
    elif pend is not None:
        assert (d["outcome"], d["reasons"]) == ("pended", ["PEND_INCOMPLETE_VERIFICATION"])
    else:
        ref = ref_decide(p, h.net(p), h.members, expense, to_date, paid, paid_all)
        assert (d["outcome"], tuple(d["reasons"])) == (ref.outcome, ref.reasons)
        assert money(d["counted_expense"]) == ref.counted
    if expected_denials or pend is not None:
        assert d["counted_expense"] == "0.00"
        assert d["per_capita_income"] is None


# ---------------------------------------------------------------------------------------------
# Purity and determinism


def _published_validators() -> dict[str, Any] | None:
    try:
        import jsonschema
    except ImportError:  # not a dependency of the project: the check is skipped without it
        return None
    folder = Path(schemas.__file__).parent
    return {name: jsonschema.Draft202012Validator(
        json.loads((folder / f"{name}.schema.json").read_text("utf-8")))
        for name in ("case", "decision")}


PUBLISHED = _published_validators()


@LIGHT
@given(p=params_strategy, h=households(), expense=claim_amounts(400000), history=histories(),
       drawn=defects())
def test_decision_is_a_pure_function_of_case_and_tariff(
        p: Params, h: Household, expense: Fraction, history: tuple[Fraction, ...],
        drawn: tuple[set[str], str | None]) -> None:
    deny, pend = drawn
    to_date, paid, paid_all = history
    data = with_defects(case_dict(h, expense, to_date=to_date, paid=paid, paid_all=paid_all),
                        deny, pend)
    source = render(p)
    tariff = load(source)
    case = Case.model_validate(data)
    first = adjudicate(case, tariff).to_json()

    assert adjudicate(case, tariff).to_json() == first
    assert adjudicate(copy.deepcopy(case), tariff).to_json() == first
    assert adjudicate(Case.model_validate(copy.deepcopy(data)), tariff).to_json() == first
    reparsed = Case.model_validate_json(json.dumps(data, ensure_ascii=False))
    assert adjudicate(reparsed, tariff).to_json() == first
    stored = Case.model_validate_json(case.model_dump_json())  # a stored case, replayed
    assert adjudicate(stored, tariff).to_json() == first
    fresh_tariff = parse_tariff(source.encode("utf-8"), "generated.toml")
    assert adjudicate(case, fresh_tariff).to_json() == first
    assert case == Case.model_validate(data)  # the case was not changed

    # The stored decision is valid under its schema and re-serializes to the same bytes.
    validated = DecisionSchema.model_validate_json(first)
    assert validated.to_json() == first
    assert json.loads(first)["tariff_sha256"] == tariff.sha256
    # And valid under the published JSON Schemas, as the case that produced it.
    if PUBLISHED is not None:
        assert PUBLISHED["case"].is_valid(data)
        errors = [f"{list(e.path)}: {e.message}"
                  for e in PUBLISHED["decision"].iter_errors(json.loads(first))]
        assert errors == []


@LIGHT
@given(p=params_strategy, h=households(), expense=claim_amounts(400000), history=histories(),
       rounding=st.sampled_from([decimal.ROUND_DOWN, decimal.ROUND_CEILING,
                                 decimal.ROUND_HALF_DOWN, decimal.ROUND_05UP]))
def test_decision_does_not_depend_on_the_ambient_decimal_context(
        p: Params, h: Household, expense: Fraction, history: tuple[Fraction, ...],
        rounding: str) -> None:
    # "No globals": the thread's decimal context (which a host application may set) must not
    # change a decision or its bytes.
    to_date, paid, paid_all = history
    case = Case.model_validate(case_dict(h, expense, to_date=to_date, paid=paid,
                                         paid_all=paid_all))
    tariff = load(render(p))
    expected = adjudicate(case, tariff).to_json()
    with decimal.localcontext() as ctx:
        ctx.rounding = rounding
        assert adjudicate(case, tariff).to_json() == expected


def test_the_reference_reproduces_the_worked_examples() -> None:
    # Guards the reference itself against RULES.md's table (examples 1, 2, 5, 6, 7, 11, 12).
    def one(members: int, net: int, e: str, to_date: str = "0", paid: str = "0") -> Ref:
        return ref_decide(DEMO, Fraction(net), members, Fraction(e), Fraction(to_date),
                          Fraction(paid), Fraction(paid))
    assert one(4, 40000, "25000").payout == 10500
    assert one(4, 40000, "10000", "25000", "10500").payout == 6000
    assert one(3, 40000, "22000").payout == 8700
    assert one(2, 8000, "5000.03").payout == Fraction("0.02")
    assert one(2, 8000, "5000.03").per_capita == Fraction("1499.99")
    seven = one(2, 20000, "250000")
    assert (seven.outcome, seven.payout, seven.per_capita) == ("pended", 100000, -115000)
    assert one(3, 60000, "12000").reasons == ("INCOME_ABOVE_LINE",)
    assert one(3, 60000, "30000", "12000").payout == 20700
    twelve = one(2, 40000, "21000")
    assert (twelve.outcome, twelve.reasons, twelve.payout) == (
        "pended", ("PEND_HARDSHIP_EXCEPTION",), 8100)
