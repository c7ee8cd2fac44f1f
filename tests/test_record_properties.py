"""Decisions that follow their household, as a property (hypothesis): for any sequence of
claims, objections, person's reviews and audit reopens of a household, once everything is
final the household has received, to the cent, what RULES.md gives for the final set of
decisions — and split invariance still holds. Each example runs the stored system end to end
on a fresh SQLite database: notices, objections, verifications, payments, audits and the
settlement of every recovery and top-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from adjudicator.rules.decision import adjudicate
from adjudicator.rules.tariff import Tariff
from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.audit import (
    draw_sample,
    list_adjustments,
    record_recheck,
    settle_adjustment,
)
from adjudicator.services.integrity import verify_records
from adjudicator.services.notices import close_due_notices, create_notices, record_objection
from adjudicator.services.payments import pay_closed
from adjudicator.services.review import list_pended, resolve
from adjudicator.services.users import add_user, bootstrap_admin
from adjudicator.storage.context import Context, connect
from adjudicator.storage.models import Claim, DecisionRecord
from schemas.case import Case
from tests.casebuilder import make_case
from tests.conftest import FixedClock
from tests.seed import add_claim, add_household, load_demo_tariff
from tests.test_audit import audit_form
from tests.test_record_trust import _net_received, reverify

EXPENSES = st.sampled_from([6000, 9000, 12000, 18000, 30000, 70000])
UNSETTLED = {"verified", "pended", "approved", "in_notice", "closed", "under_verification"}


def _fresh(folder: Path) -> tuple[Context, FixedClock]:
    clock = FixedClock()
    engine, factory = connect(f"sqlite:///{folder / 'p.db'}", create=True)
    system = Context(engine, factory, "system", "admin", clock)
    bootstrap_admin(system, "admin", "管理员")
    ctx = system.as_user("admin")
    for user_id, role in [("sup", "supervisor"), ("off", "officer"), ("aud", "auditor"),
                          ("v1", "verifier")]:
        add_user(ctx, user_id, role, user_id.upper())
    return ctx, clock


def _statuses(ctx: Context) -> dict[str, str]:
    with ctx.factory() as session:
        return {c.claim_id: c.status for c in session.execute(select(Claim)).scalars()}


def _run_to_rest(ctx: Context, clock: FixedClock, folder: Path,
                 objections: dict[str, bool], vehicle: dict[str, bool]) -> None:
    """Decide, review every pended claim, post, record the objections due on claims in a
    notice (each verified again with its vehicle answer, kept in `vehicle`), close and pay,
    until no claim is on its way. An objection whose claim never reaches a notice (denied)
    is never recorded."""
    sup, off = ctx.as_user("sup"), ctx.as_user("off")
    for _ in range(20):
        adjudicate_ready(sup)
        for pended in list_pended(off):
            resolve(off, pended.claim_id, "approve", "大额审核通过")
        create_notices(off, folder, render=False)
        for claim_id in sorted(objections):
            if _statuses(ctx)[claim_id] == "in_notice":  # an objection may move the others
                record_objection(off, claim_id, "村民反映情况不符")
                vehicle[claim_id] = objections.pop(claim_id)
                reverify(ctx, claim_id, VEHICLE=vehicle[claim_id])
        clock.advance(days=8)
        close_due_notices(off)
        pay_closed(sup)
        if not UNSETTLED & set(_statuses(ctx).values()):
            return
    raise AssertionError(f"claims never came to rest: {_statuses(ctx)}")


def _rules_total(tariff: Tariff, expenses: list[int], vehicle: list[bool]) -> Decimal:
    """What RULES.md gives for the final set: each claim decided in order on the history of
    the final decisions before it (a pended payout approved)."""
    expense = paid = total = Decimal(0)
    for i, amount in enumerate(expenses):
        case = make_case(medical={"total_cost": str(amount)}, answers={"VEHICLE": vehicle[i]},
                         claim_id=f"K{i}", event_date=f"2026-02-{i + 1:02d}",
                         history={"eligible_expense_to_date": str(expense),
                                  "paid_to_date": str(paid),
                                  "paid_all_categories_to_date": str(paid)})
        decision = adjudicate(Case.model_validate(case), tariff)
        granted = decision.payout if decision.outcome.value != "denied" else Decimal(0)
        expense += decision.counted_expense
        paid += granted
        total += granted
    return total


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(expenses=st.lists(EXPENSES, min_size=2, max_size=4),
       objected=st.dictionaries(st.integers(0, 3), st.booleans(), max_size=2),
       audited=st.sets(st.integers(0, 3), max_size=2))
def test_the_household_receives_what_the_rules_give_for_its_final_decisions(
        tmp_path_factory, demo_tariff: Tariff, expenses: list[int],
        objected: dict[int, bool], audited: set[int]) -> None:
    folder = tmp_path_factory.mktemp("prop")
    ctx, clock = _fresh(folder)
    try:
        load_demo_tariff(ctx)
        add_household(ctx, "A")
        for i, amount in enumerate(expenses):
            add_claim(ctx, f"K{i}", "A", str(amount), event_date=dt.date(2026, 2, i + 1))
        vehicle = {f"K{i}": False for i in range(len(expenses))}
        objections = {f"K{i}": flag for i, flag in objected.items() if i < len(expenses)}
        _run_to_rest(ctx, clock, folder, objections, vehicle)

        sample = draw_sample(ctx.as_user("off"), rate=Decimal(1), seed=1)
        aud = ctx.as_user("aud")
        for i in sorted(audited):
            if i < len(expenses) and _statuses(ctx)[f"K{i}"] == "paid":
                record_recheck(aud, sample.sample_id, f"K{i}",
                               audit_form(aud, f"K{i}", answers={"VEHICLE": True}))
                vehicle[f"K{i}"] = True
        _run_to_rest(ctx, clock, folder, {}, vehicle)
        sup = ctx.as_user("sup")
        for adjustment in list_adjustments(sup, "open"):
            settle_adjustment(sup, adjustment.adjustment_id,
                              "paid" if adjustment.kind == "top_up" else "repaid", "BANK")

        flags = [vehicle[f"K{i}"] for i in range(len(expenses))]
        with ctx.factory() as session:
            redecided = session.execute(select(Claim.claim_id).join(
                DecisionRecord, DecisionRecord.claim_id == Claim.claim_id)
                .where(DecisionRecord.seq > 1, DecisionRecord.purpose == "claim")).all()
        event(f"claims decided again: {len(redecided)}")
        event(f"adjustments: {len(list_adjustments(sup))}")
        expected = _rules_total(demo_tariff, expenses, flags)
        assert _net_received(ctx, "A") == expected
        if not any(flags):  # split invariance: as one claim of the year's whole expense
            assert expected == _rules_total(demo_tariff, [sum(expenses)], [False])
        assert verify_records(ctx) == []
    finally:
        ctx.engine.dispose()
