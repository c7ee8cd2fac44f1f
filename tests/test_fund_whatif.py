"""测算: the what-if of a draft tariff equals a real adjudication of the county under the draft,
decision by decision, and stores nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest
from sqlalchemy import func, select

from adjudicator.demo import _APPROVABLE, StagedCounty, stage_county
from adjudicator.fund.contract import load_contract
from adjudicator.fund.whatif import (
    Layout,
    Prepared,
    StoredClaim,
    WhatIfError,
    _stored,
    cost_households,
    decide_households,
    parse_sweep,
    preparation_key,
    variant,
    what_if,
    with_history,
)
from adjudicator.rules.columnar import ColumnarEngine
from adjudicator.rules.decision import adjudicate
from adjudicator.rules.history import history_for
from adjudicator.rules.money import ZERO
from adjudicator.rules.tariff import Tariff, TariffError, load_tariff
from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.review import list_pended, resolve
from adjudicator.storage.models import Claim, DecisionRecord, Event
from contracts import demo_contract_path
from schemas.case import Case, History
from tariffs import demo_tariff_path
from tests.casebuilder import make_case

SEED, HOUSEHOLDS = 23, 150


def _draft(folder: Path, person_cap: str | None = None) -> Path:
    """The demo tariff with a higher income line and a richer first band; with `person_cap`,
    also a cap on what one member receives in all categories."""
    text = demo_tariff_path().read_text(encoding="utf-8")
    cap = ('household_annual_cap_all = "150000"', 'household_annual_cap_all = "150000"\n'
           f'person_annual_cap_all = "{person_cap}"') if person_cap else ("", "")
    for old, new in (('id = "demo-county/2026"', 'id = "demo-county/2026-draft"'),
                     ('income_line = "7000"', 'income_line = "9000"'),
                     ('large_payout_review = "30000"', 'large_payout_review = "20000"'),
                     ('{ from = "5000", to = "20000", rate = "0.5" }',
                      '{ from = "4000", to = "20000", rate = "0.55" }'), cap):
        assert old in text
        text = text.replace(old, new)
    path = folder / "draft.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _settle_down(staged: StagedCounty) -> None:
    """Approve what a county officer may approve and adjudicate again, until nothing moves."""
    supervisor, reviewer = staged.admin.as_user("li"), staged.admin.as_user("qian")
    while True:
        approved = 0
        for pended in list_pended(staged.admin.as_user("zhao")):
            if set(pended.reasons) <= _APPROVABLE:
                resolve(reviewer, pended.claim_id, "approve", "村级评议通过")
                approved += 1
        if adjudicate_ready(supervisor).decided == 0 and approved == 0:
            return


def _current(staged: StagedCounty) -> dict[str, tuple]:
    with staged.admin.factory() as session:
        return {row.claim_id: (row.outcome, tuple(row.reasons), row.payout,
                               row.eligible_expense, row.counted_expense)
                for row in session.execute(
                    select(Claim.claim_id, DecisionRecord.outcome, DecisionRecord.reasons,
                           DecisionRecord.payout, DecisionRecord.eligible_expense,
                           DecisionRecord.counted_expense)
                    .join(DecisionRecord,
                          DecisionRecord.decision_id == Claim.current_decision_id))}


def _sizes(staged: StagedCounty) -> tuple[int, ...]:
    with staged.admin.factory() as session:
        return tuple(session.execute(select(func.count()).select_from(table)).scalar_one()
                     for table in (Event, DecisionRecord, Claim))


@pytest.mark.parametrize("person_cap", [None, "1500"])
def test_what_if_equals_a_real_adjudication_under_the_draft(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        person_cap: str | None) -> None:
    """Decision by decision; with a per-person cap over all categories too, which the rebuilt
    histories must carry (what the claim's member was paid so far)."""
    draft_path = _draft(tmp_path, person_cap)
    actual = stage_county(db_url, tmp_path / "actual", households=HOUSEHOLDS, seed=SEED)
    _settle_down(actual)
    before = _current(actual)
    sizes = _sizes(actual)
    report = what_if(actual.admin.as_user("zhao"), load_tariff(draft_path), 2026,
                     load_contract(demo_contract_path()), keep_decisions=True)
    assert _sizes(actual) == sizes  # read-only: nothing stored, no event
    actual.admin.engine.dispose()

    # The same county, adjudicated for real under the draft (its own SQLite database).
    monkeypatch.setattr("adjudicator.demo.shipped_tariff_paths", lambda: [draft_path])
    real = stage_county(f"sqlite:///{tmp_path / 'real.db'}", tmp_path / "real",
                        households=HOUSEHOLDS, seed=SEED)
    _settle_down(real)
    redecided = _current(real)
    real.admin.engine.dispose()

    assert report.decisions is not None and set(report.decisions) == set(before)
    compared = sorted(set(redecided) & set(report.decisions))
    assert len(compared) >= 0.95 * len(before) and len(compared) > 50
    for claim_id in compared:
        decided = report.decisions[claim_id]
        assert not isinstance(decided, str)
        outcome, _reasons, payout, _eligible, counted = redecided[claim_id]
        assert (decided.outcome, Decimal(decided.payout), Decimal(decided.counted_expense)
                ) == (outcome, payout, counted), claim_id
    result = report.variants[0]
    changed = sum(1 for c in compared
                  if (redecided[c][0], redecided[c][2]) != (before[c][0], before[c][2]))
    assert changed > 0 and result.changed >= changed
    paying = ("approved", "pended")
    assert result.draft == sum((redecided[c][2] for c in compared if redecided[c][0] in paying),
                               Decimal("0.00"))
    assert result.actual == sum((before[c][2] for c in before if before[c][0] in paying),
                                Decimal("0.00"))
    assert result.newly_paid.households > 0 and result.newly_paid.persons > 0
    assert sum(r[1] for r in result.by_category.values()) == result.draft
    assert sum(r[0] for r in result.by_township.values()) == result.actual
    contract = load_contract(demo_contract_path())
    assert result.required_premium_per_person == (
        result.draft / contract.loss_ratio_target / contract.insured_persons
    ).quantize(Decimal("0.01"), rounding="ROUND_CEILING")


def test_a_sweep_costs_each_value_and_its_own_value_is_the_actual(db_url: str,
                                                                  tmp_path: Path) -> None:
    staged = stage_county(db_url, tmp_path, households=60, seed=5)
    tariff = load_tariff(demo_tariff_path())
    officer = staged.admin.as_user("zhao")
    plain = what_if(officer, tariff, 2026).variants[0]
    assert plain.changed == 0 and plain.draft == plain.actual > 0
    swept = what_if(officer, tariff, 2026, sweep=parse_sweep("income_line=5000:9000:2000"))
    assert [v.label for v in swept.variants] == ["income_line=5000", "income_line=7000",
                                                 "income_line=9000"]
    costs = [v.draft for v in swept.variants]
    assert costs[1] == plain.draft and swept.variants[1].changed == 0
    assert costs[0] <= costs[1] <= costs[2]  # a higher line never pays less
    staged.admin.engine.dispose()


def test_sweep_keys_and_values_are_checked() -> None:
    tariff = load_tariff(demo_tariff_path())
    assert parse_sweep("income_line=6000:9000:500")[1][-1] == Decimal(9000)
    assert len(parse_sweep("income_line=6000:9000:500")[1]) == 7
    for bad in ("income_line", "income_line=9000:6000:500", "income_line=1:2:0"):
        with pytest.raises(WhatIfError):
            parse_sweep(bad)
    assert variant(tariff, "categories.medical.annual_cap", Decimal(80000)).categories[
        "medical"].annual_cap == Decimal(80000)
    assert variant(tariff, "categories.medical.bands[0].rate", Decimal("0.6")).categories[
        "medical"].bands[0].rate == Decimal("0.6")
    with pytest.raises(WhatIfError, match="no key"):
        variant(tariff, "income_lines", Decimal(1))
    with pytest.raises(WhatIfError, match="not a numeric key"):
        variant(tariff, "income_test", Decimal(1))
    with pytest.raises(TariffError, match="borderline_margin"):
        variant(tariff, "borderline_margin", Decimal(1))


def test_the_history_is_replaced_in_the_snapshot() -> None:
    case = (b'{"case_id":"K#1","household":{"members":[]},"claim":{},"history":'
            b'{"eligible_expense_to_date":"1.00","paid_to_date":"0.00"},"verification":{}}')
    assert with_history(case, 250000, 1050, 99) == (
        b'{"case_id":"K#1","household":{"members":[]},"claim":{},"history":'
        b'{"eligible_expense_to_date":"2500.00","paid_to_date":"10.50",'
        b'"paid_all_categories_to_date":"0.99"},"verification":{}}')


def test_costing_without_the_trace_equals_the_engine_deciding_with_it(db_url: str,
                                                                      tmp_path: Path) -> None:
    """The costing path (steps 1 to 4 once, steps 5 to 8 as figures over columns) reaches the
    outcome, payout and counted expense of every claim that the columnar engine reaches when
    it writes each decision out, histories rebuilt alike, for the draft and for sweep values
    sharing one preparation of the chunk."""
    staged = stage_county(db_url, tmp_path, households=80, seed=11)
    officer = staged.admin.as_user("zhao")
    draft = load_tariff(_draft(tmp_path))
    tariffs = [draft] + [variant(draft, "income_line", Decimal(v)) for v in (5000, 12000)] + [
        variant(draft, "categories.medical.annual_cap", Decimal(6000))]
    assert len({preparation_key(t) for t in tariffs}) == 1
    claims = [c for chunk in _stored(officer, draft, 2026, 10_000) for c in chunk]
    assert len(claims) > 50
    layout = Layout.of(claims)
    prepared = Prepared.of(ColumnarEngine(draft), claims)
    assert (prepared.kind == Prepared.COSTED).sum() > 10
    for tariff in tariffs:
        engine = ColumnarEngine(tariff)
        costing = cost_households(engine, tariff, layout, prepared)
        full = decide_households(engine, tariff, claims)
        for index, decided in enumerate(full):
            assert not isinstance(decided, str)
            paid = decided.payout if decided.outcome in ("approved", "pended") else "0.00"
            assert costing.costed(index) == (decided.outcome, paid, decided.counted_expense), (
                tariff.source, claims[index].claim_id)
    staged.admin.engine.dispose()


def test_a_year_split_between_processes_costs_the_same(db_url: str, tmp_path: Path) -> None:
    """Two processes, each reading its own range of households, give the figures of one,
    and the same claim by claim."""
    staged = stage_county(db_url, tmp_path, households=90, seed=7)
    officer = staged.admin.as_user("zhao")
    draft = load_tariff(_draft(tmp_path))
    sweep = parse_sweep("income_line=6000:9000:1500")
    contract = load_contract(demo_contract_path())
    one = what_if(officer, draft, 2026, contract, sweep, workers=1, keep_decisions=True)
    two = what_if(officer, draft, 2026, contract, sweep, workers=2, keep_decisions=True)
    assert two.as_dict() == one.as_dict()
    assert two.decisions == one.decisions and one.decisions
    assert one.variants[0].claims > 50 and one.variants[-1].changed > 0
    staged.admin.engine.dispose()


def test_the_rebuilt_history_carries_what_each_member_was_paid(demo_tariff: Tariff) -> None:
    """Under a draft with a per-person cap over all categories, a member's later claims see
    what the draft paid that member before (RULES.md's history, as `history_for` builds it for
    a real adjudication), whichever way a claim is costed: the costing columns, the columnar
    engine writing each decision, or the scalar core."""
    draft = demo_tariff.model_copy(update={"person_annual_cap_all": Decimal("9000")})
    plan = [("K-1", "M1", "2026-02-01", {"medical": {"total_cost": "16000"}}),
            ("K-2", "M1", "2026-03-01", {"disaster": {"assessed_loss": "30000"}}),
            ("K-3", "M2", "2026-04-01", {"medical": {"total_cost": "14000"}}),
            ("K-4", "M1", "2026-05-01", {"medical": {"total_cost": "12000"}}),
            ("K-5", "M2", "2026-06-01", {"education": {"stage": "college", "tuition": "9000"}})]
    claims = []
    for claim_id, member, day, amounts in plan:
        case = make_case(members=2, wages="6000", case_id=f"C{claim_id}", claim_id=claim_id,
                         event_date=day, history={}, **amounts)
        case["claim"]["member_id"] = member
        category = case["claim"]["category"]
        claims.append(StoredClaim(claim_id, "H-1", category, "T", "approved", 0,
                                  orjson.dumps(case), member))
    # The real rule: each claim decided in order, its history from the earlier decisions.
    decided: list[SimpleNamespace] = []
    expected = []
    for claim in claims:
        case = Case.model_validate_json(claim.case_json)
        history = history_for(SimpleNamespace(claim_id=claim.claim_id,
                                              member_id=claim.member_id,
                                              category=claim.category), draft, decided)
        decision = adjudicate(case.model_copy(update={"history": History(**history)}), draft)
        paid = decision.payout if decision.outcome.value in ("approved", "pended") else ZERO
        expected.append((decision.outcome.value, f"{paid:.2f}", f"{decision.counted_expense:.2f}"))
        decided.append(SimpleNamespace(
            claim_id=claim.claim_id, member_id=claim.member_id, category=claim.category,
            event_date=case.claim.event_date, final_counted_expense=decision.counted_expense,
            final_paid=paid))
    # M1's third claim meets the cap: the member had been paid in two categories before.
    assert Decimal(expected[3][1]) < Decimal(9000) - Decimal(expected[0][1]) + 1
    assert sum(Decimal(expected[i][1]) for i in (0, 1, 3)) == Decimal(9000)
    engine = ColumnarEngine(draft)
    costing = cost_households(engine, draft, Layout.of(claims), Prepared.of(engine, claims))
    assert [costing.costed(i) for i in range(len(claims))] == expected
    full = decide_households(engine, draft, claims)
    assert [(d.outcome, d.payout if d.outcome in ("approved", "pended") else "0.00",
             d.counted_expense) for d in full if not isinstance(d, str)] == expected
