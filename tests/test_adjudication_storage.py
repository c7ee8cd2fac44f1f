"""Batch adjudication on the stored system: history, order, append-only decisions, review,
replay and tariff choice — on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import orjson
import pytest
from sqlalchemy import func, select, update

from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.replay import replay
from adjudicator.services.review import ReviewRefused, list_pended, resolve
from adjudicator.storage.append_only import guards_lifted
from adjudicator.storage.events import verify_chain
from adjudicator.storage.models import Claim, DecisionRecord, Event
from tests.seed import (
    LATE_IN_2026,
    add_claim,
    add_county_verifiers,
    add_household,
    load_demo_tariff,
)


def _claim(ctx, claim_id: str) -> Claim:
    with ctx.factory() as session:
        return session.get(Claim, claim_id)


def _decisions(ctx, claim_id: str) -> list[DecisionRecord]:
    with ctx.factory() as session:
        return list(session.execute(select(DecisionRecord).where(
            DecisionRecord.claim_id == claim_id).order_by(DecisionRecord.seq)).scalars())


def test_split_claims_pay_what_one_claim_of_their_sum_pays(admin_ctx) -> None:
    """Worked examples 1 and 2 stored as two claims of one household: 10500 + 6000 = 16500,
    example 3's single claim of their sum."""
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H1")
    add_claim(admin_ctx, "K-B", "H1", "10000", event_date=dt.date(2026, 5, 1))
    add_claim(admin_ctx, "K-A", "H1", "25000", event_date=dt.date(2026, 3, 1),
              amounts={"total_cost": "68000", "non_compliant_cost": "3000",
                       "basic_insurance_paid": "30000", "critical_illness_paid": "8000",
                       "medical_assistance_paid": "2000"})
    result = adjudicate_ready(admin_ctx.as_user("sup"))
    assert result.decided == 2 and result.outcomes == {"approved": 2}
    assert result.payout_total == Decimal("16500.00")
    first, second = _decisions(admin_ctx, "K-A")[0], _decisions(admin_ctx, "K-B")[0]
    assert (first.payout, second.payout) == (Decimal("10500.00"), Decimal("6000.00"))
    case_b = orjson.loads(second.case_json)
    assert case_b["history"] == {"eligible_expense_to_date": "25000.00",
                                 "paid_to_date": "10500.00",
                                 "paid_all_categories_to_date": "10500.00"}
    assert orjson.loads(second.decision_json)["per_capita_income"] == "1250.00"
    assert _claim(admin_ctx, "K-B").status == "approved"


def test_only_a_supervisor_adjudicates(admin_ctx) -> None:
    from adjudicator.roles import PermissionDenied

    with pytest.raises(PermissionDenied):
        adjudicate_ready(admin_ctx.as_user("v1"))


def test_a_pended_claim_holds_back_later_claims_until_a_person_decides(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H2", members=2)
    # Example 12: pended for the hardship exception; a later claim of the same year waits.
    add_claim(admin_ctx, "K-1", "H2", "21000", wages="40000", event_date=dt.date(2026, 2, 1))
    add_claim(admin_ctx, "K-2", "H2", "9000", wages="40000", event_date=dt.date(2026, 6, 1))
    sup = admin_ctx.as_user("sup")
    first = adjudicate_ready(sup)
    assert first.outcomes == {"pended": 1}
    assert [c for c, _ in first.waiting] == ["K-2"]
    assert _claim(admin_ctx, "K-2").status == "verified"

    pended = list_pended(admin_ctx.as_user("off"))
    assert [(p.claim_id, p.reasons, p.payout) for p in pended] == [
        ("K-1", ["PEND_HARDSHIP_EXCEPTION"], Decimal("8100.00"))]
    from adjudicator.roles import PermissionDenied

    with pytest.raises(PermissionDenied, match="needs the role officer"):
        resolve(admin_ctx.as_user("v1"), "K-1", "approve", "ok")
    with pytest.raises(ReviewRefused, match="reason"):
        resolve(admin_ctx.as_user("off"), "K-1", "approve", "  ")
    resolve(admin_ctx.as_user("off"), "K-1", "approve", "因病支出负担重，村评议通过")
    claim = _claim(admin_ctx, "K-1")
    assert (claim.status, claim.final_paid) == ("approved", Decimal("8100.00"))

    second = adjudicate_ready(sup)
    assert second.decided == 1 and not second.waiting
    decision = orjson.loads(_decisions(admin_ctx, "K-2")[0].decision_json)
    # One claim of 30000 pays 7500 + 6000 = 13500; 8100 was paid: 5400 now.
    assert decision["payout"] == "5400.00"
    assert decision["cumulative_expense"] == "30000.00"


def test_the_verifier_cannot_review_their_own_claim(admin_ctx) -> None:
    from adjudicator.services.users import add_user

    add_user(admin_ctx, "off-v", "officer", "OFFV")
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H3", members=2)
    add_claim(admin_ctx, "K-3", "H3", "21000", verifier="off-v")
    adjudicate_ready(admin_ctx.as_user("sup"))
    with pytest.raises(ReviewRefused, match="another person"):
        resolve(admin_ctx.as_user("off-v"), "K-3", "approve", "ok")
    resolve(admin_ctx.as_user("off"), "K-3", "deny", "村级评议有强烈异议")
    claim = _claim(admin_ctx, "K-3")
    assert (claim.status, claim.final_paid, claim.final_counted_expense) == (
        "denied", Decimal("0"), Decimal("0"))


def test_incomplete_verification_cannot_be_approved(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H4")
    add_claim(admin_ctx, "K-4", "H4", "20000", answers={"SHOP": None})
    assert adjudicate_ready(admin_ctx.as_user("sup")).outcomes == {"pended": 1}
    with pytest.raises(ReviewRefused, match="incomplete verification"):
        resolve(admin_ctx.as_user("off"), "K-4", "approve", "ok")


def test_results_do_not_depend_on_insertion_order(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    claims = [(f"K-{i}", str(6000 + 3000 * i), dt.date(2026, 1 + i, 1)) for i in range(4)]
    add_household(admin_ctx, "HA")
    add_household(admin_ctx, "HB")
    for claim_id, cost, day in claims:
        add_claim(admin_ctx, "A" + claim_id, "HA", cost, event_date=day, wages="20000")
    for claim_id, cost, day in reversed(claims):
        add_claim(admin_ctx, "B" + claim_id, "HB", cost, event_date=day, wages="20000")
    adjudicate_ready(admin_ctx.as_user("sup"))
    for claim_id, _, _ in claims:
        a, b = _decisions(admin_ctx, "A" + claim_id)[0], _decisions(admin_ctx, "B" + claim_id)[0]
        assert (a.outcome, a.payout, a.counted_expense) == (b.outcome, b.payout,
                                                            b.counted_expense)


def test_replay_is_identical_and_names_a_tampered_field(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H5")
    add_claim(admin_ctx, "K-5", "H5", "45000", wages="30000")
    add_claim(admin_ctx, "K-6", "H5", "1000", wages="30000", event_date=dt.date(2026, 4, 1))
    adjudicate_ready(admin_ctx.as_user("sup"))
    auditor = admin_ctx.as_user("aud")
    clean = replay(auditor)
    assert (clean.checked, clean.identical, clean.differences) == (2, 2, [])
    record = _decisions(admin_ctx, "K-5")[0]
    tampered = record.decision_json.replace('"payout":"22500.00"', '"payout":"32500.00"', 1)
    assert tampered != record.decision_json
    with admin_ctx.factory() as session, session.begin(), \
            guards_lifted(session.connection()):
        session.execute(update(DecisionRecord).where(
            DecisionRecord.decision_id == record.decision_id).values(decision_json=tampered))
    dirty = replay(auditor)
    assert dirty.identical == 1
    assert [(d.claim_id, d.field, d.stored, d.replayed) for d in dirty.differences] == [
        ("K-5", "payout", "32500.00", "22500.00")]


def test_tariff_choice_errors_leave_the_claim_ready(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H7", region="440101001001")  # not the demo county
    add_claim(admin_ctx, "K-7", "H7", "20000")
    result = adjudicate_ready(admin_ctx.as_user("sup"))
    assert result.decided == 0
    assert result.errors and "no stored tariff covers region 440101001001" in result.errors[0][1]
    assert _claim(admin_ctx, "K-7").status == "verified"


def test_every_decision_is_in_the_event_chain(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H8")
    add_claim(admin_ctx, "K-8", "H8", "20000")
    adjudicate_ready(admin_ctx.as_user("sup"))
    with admin_ctx.factory() as session:
        kinds = list(session.execute(select(Event.kind).where(Event.entity_id == "K-8")
                                     .order_by(Event.seq)).scalars())
        _, problem = verify_chain(session)
        decided = session.execute(select(func.count()).select_from(DecisionRecord)).scalar()
    assert kinds == ["decision.made", "claim.status"]
    assert problem is None and decided == 1


def test_a_generated_county_decided_in_waves_replays_identically(admin_ctx, clock,
                                                                 tmp_path) -> None:
    """The batch decides chunks in waves through the columnar engine; every stored decision
    is what the scalar core makes of its stored case, and each household's history follows
    its earlier final decisions, whatever the chunk size."""
    from adjudicator.intake import (
        import_claims,
        import_department_data,
        import_households,
        import_verifications,
    )
    from fixtures.generate import generate_county, write_import_files

    clock.moment = LATE_IN_2026  # after every date of the generated county
    load_demo_tariff(admin_ctx)
    add_county_verifiers(admin_ctx)
    files = write_import_files(generate_county(5, 160), tmp_path, fmt="csv")
    for kind, importer in (("households", import_households), ("claims", import_claims),
                           ("department-data", import_department_data),
                           ("verifications", import_verifications)):
        importer(admin_ctx, files[kind])
    result = adjudicate_ready(admin_ctx.as_user("sup"), chunk=7)
    assert result.decided > 100 and not result.errors
    assert {"approved", "denied"} <= set(result.outcomes)
    checked = replay(admin_ctx.as_user("aud"))
    assert (checked.checked, checked.identical, checked.differences) == (
        result.decided, result.decided, [])
    with admin_ctx.factory() as session:
        rows = session.execute(select(DecisionRecord.household_id, DecisionRecord.case_json,
                                      DecisionRecord.counted_expense, DecisionRecord.outcome,
                                      DecisionRecord.payout)
                               .order_by(DecisionRecord.decision_id)).all()
    by_household: dict[str, list] = {}
    for row in rows:
        by_household.setdefault(row.household_id, []).append(row)
    several = [decisions for decisions in by_household.values() if len(decisions) > 1]
    assert several  # the county has households with more than one claim
    for decisions in several:
        for i, row in enumerate(decisions):
            case = orjson.loads(row.case_json)
            category = case["claim"]["category"]
            earlier = [orjson.loads(d.case_json)["claim"]["category"] == category
                       and d.outcome != "pended" for d in decisions[:i]]
            expected = sum((d.counted_expense for d, same in zip(decisions, earlier,
                                                                  strict=False) if same),
                           Decimal(0))
            assert Decimal(case["history"]["eligible_expense_to_date"]) == expected
