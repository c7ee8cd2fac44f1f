"""Money invariants of the feed figures (hypothesis): a settlement's compliant out-of-pocket
cost, the figure a warning line sums, is the eligible expense the rules compute from the claim
amounts it maps to; taking a settlement out of a claim gives back the claim without it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import orjson
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from adjudicator.feeds.columns import BUREAUS
from adjudicator.feeds.importer import _prepare, _values
from adjudicator.feeds.reader import ROW
from adjudicator.feeds.redecision import CLAIM_AMOUNTS, without

FEN = st.integers(min_value=0, max_value=50_000_000)


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


@st.composite
def settlements(draw: st.DrawFn) -> dict[str, str]:
    total = draw(FEN)
    parts = [draw(st.integers(0, total)) for _ in range(5)]
    funds, left = [], total
    for part in parts[:4]:  # hifp, hifmi, hifob, maf: never more than the total together
        paid = min(part, left)
        funds.append(paid)
        left -= paid
    own = total - sum(funds)
    ownpay = min(parts[4], own)
    over = draw(st.integers(0, own - ownpay))
    return {"setl_id": "S1", "certno": "330102197001010018", "setl_time": "2026-03-01",
            "medfee_sumamt": _yuan(total), "hifp_pay": _yuan(funds[0]),
            "hifmi_pay": _yuan(funds[1]), "hifob_pay": _yuan(funds[2]),
            "maf_pay": _yuan(funds[3]), "fund_pay_sumamt": _yuan(sum(funds)),
            "psn_pay": _yuan(own), "fulamt_ownpay_amt": _yuan(ownpay),
            "overlmt_selfpay": _yuan(over)}


def _figures(row: dict[str, str]) -> dict[str, Decimal]:
    bureau = BUREAUS["medical"]
    frame = pl.DataFrame({ROW: [3], **{k: [v] for k, v in row.items()}})
    prepared = _prepare(frame, bureau, set(row), dt.date(2026, 3, 1))
    text = _values(prepared, bureau)["_figures"][0]
    return {k: Decimal(v) for k, v in orjson.loads(text).items()}


@settings(max_examples=150, deadline=None)
@given(settlements())
def test_the_warning_figure_is_the_rules_eligible_expense(row: dict[str, str]) -> None:
    f = _figures(row)
    eligible = (f["total_cost"] - f["basic_insurance_paid"] - f["critical_illness_paid"]
                - f["medical_assistance_paid"] - f["other_compensation"]
                - f["non_compliant_cost"])
    assert f["compliant_out_of_pocket"] == max(eligible, Decimal(0))
    assert f["out_of_pocket"] == Decimal(row["psn_pay"])
    assert all(v == v.quantize(Decimal("0.01")) for v in f.values())


@settings(max_examples=150, deadline=None)
@given(st.lists(settlements(), min_size=1, max_size=4), st.data())
def test_taking_a_settlement_out_of_a_claim(rows: list[dict[str, str]], data) -> None:
    figures = [{k: str(v) for k, v in _figures(r).items()} for r in rows]
    names = CLAIM_AMOUNTS["medical"]
    claim = {n: str(sum((Decimal(f[n]) for f in figures), Decimal("0.00"))) for n in names}
    out = data.draw(st.integers(0, len(rows) - 1))
    rest = {n: str(sum((Decimal(f[n]) for i, f in enumerate(figures) if i != out),
                       Decimal("0.00")).quantize(Decimal("0.01"))) for n in names}
    assert without(claim, "medical", figures[out]) == rest
