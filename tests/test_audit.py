"""抽样复核 on the stored system: reproducible samples, re-checks, re-decisions, reopening,
recoveries and the report — on SQLite and PostgreSQL alike (every storage test takes
`admin_ctx`). The pure parts (Wilson interval, allocation, comparison) are tested alone."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from adjudicator.roles import PermissionDenied
from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.audit import (
    AuditRefused,
    allocate,
    audit_report,
    compare_verifications,
    draw_sample,
    list_adjustments,
    population_digest,
    record_recheck,
    render_report_pdf,
    settle_adjustment,
    tolerance,
    wilson_interval,
    write_report_xlsx,
)
from adjudicator.services.replay import replay
from adjudicator.services.review import resolve
from adjudicator.services.scope import OutOfScope
from adjudicator.services.users import add_user
from adjudicator.services.verification import VerificationForm, verification_template
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import verify_chain
from adjudicator.storage.models import Claim, DecisionRecord, Event, Payment, User
from adjudicator.storage.models import Verification as VerificationRow
from adjudicator.storage.models_audit import AuditAdjustment, AuditSample, AuditSampleItem
from schemas.case import Verification
from tests.casebuilder import DEMO_ITEMS
from tests.seed import add_claim, add_household, give_townships, load_demo_tariff
from tests.test_verification import fill

ALL = Decimal("1")
T1, T2 = "330102001", "330102002"


def claim_of(ctx: Context, claim_id: str) -> Claim:
    with ctx.factory() as session:
        return session.get(Claim, claim_id)


def decisions_of(ctx: Context, claim_id: str) -> list[DecisionRecord]:
    with ctx.factory() as session:
        return list(session.execute(select(DecisionRecord).where(
            DecisionRecord.claim_id == claim_id).order_by(DecisionRecord.seq)).scalars())


def kinds_of(ctx: Context, entity_id: str) -> list[str]:
    with ctx.factory() as session:
        return list(session.execute(select(Event.kind).where(Event.entity_id == entity_id)
                                    .order_by(Event.seq)).scalars())


def mark_paid(ctx: Context, claim_id: str) -> None:
    """What notice, payment and the bank's confirmation do to an approved claim: closed,
    then paid its final_paid, the transfer confirmed."""
    from adjudicator.storage.models_office import BankReturn

    with transaction(ctx.factory) as session:
        claim = session.get(Claim, claim_id)
        payment = Payment(claim_id=claim_id, decision_id=claim.current_decision_id,
                          household_id=claim.household_id, amount=claim.final_paid,
                          kind="payout", batch_ref="PAY-TEST", paid_by="sup",
                          paid_at=ctx.now())
        session.add(payment)
        session.flush()
        session.add(BankReturn(payment_pk=payment.pk, claim_id=claim_id,
                               batch_ref="PAY-TEST", result="confirmed", file_sha256="0" * 64,
                               imported_by="sup", imported_at=ctx.now()))
        claim.status = "paid"


def decided(ctx: Context, claim_id: str, household_id: str, total: str = "20000", *,
            members: int = 4, wages: str = "40000", verifier: str = "v1",
            township: str = T1, event_date: dt.date = dt.date(2026, 3, 1)) -> None:
    """A household with one verified claim, adjudicated (medical, E = total)."""
    add_household(ctx, household_id, members=members, region=township + "001")
    add_claim(ctx, claim_id, household_id, total, wages=wages, verifier=verifier,
              event_date=event_date)
    adjudicate_ready(ctx.as_user("sup"), claim_id=claim_id)


def audit_form(ctx: Context, claim_id: str, **kw: object) -> VerificationForm:
    return fill(verification_template(ctx, claim_id), **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- pure parts


@pytest.mark.parametrize(("errors", "n", "low", "high"), [
    (0, 10, 0.0, 0.2775), (5, 10, 0.2366, 0.7634), (10, 10, 0.7225, 1.0),
    (1, 20, 0.0089, 0.2361), (3, 100, 0.0103, 0.0845)])
def test_wilson_interval_matches_published_values(errors: int, n: int, low: float,
                                                  high: float) -> None:
    interval = wilson_interval(errors, n)
    assert interval is not None
    assert (round(interval[0], 4), round(interval[1], 4)) == (low, high)


def test_wilson_interval_of_nothing_is_none_and_bad_counts_are_refused() -> None:
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_allocation_is_proportional_with_one_per_verifier_at_least() -> None:
    sizes = {("v1", T1): 10, ("v1", T2): 10, ("v2", T1): 9, ("v2", T2): 9, ("v3", T1): 1,
             ("v3", T2): 1}
    # ceil(0.05 x 40) = 2, but every verifier is looked at: one each, in the largest stratum.
    assert allocate(sizes, Decimal("0.05")) == {("v1", T1): 1, ("v1", T2): 0, ("v2", T1): 1,
                                                ("v2", T2): 0, ("v3", T1): 1, ("v3", T2): 0}
    # 20 of 40: floors 5, 5, 4, 4, 0, 0; v3's minimum; the last one by largest remainder.
    assert allocate(sizes, Decimal("0.5")) == {("v1", T1): 5, ("v1", T2): 5, ("v2", T1): 5,
                                               ("v2", T2): 4, ("v3", T1): 1, ("v3", T2): 0}
    assert sum(allocate(sizes, ALL).values()) == 40
    assert allocate({}, Decimal("0.1")) == {}


def _verification(wage: str = "40000", cost: str | None = None, **answers: bool | None
                  ) -> Verification:
    negative: dict[str, bool | None] = dict.fromkeys(DEMO_ITEMS, False)
    negative.update(answers)
    return Verification.model_validate({
        "verified_on": "2026-03-10", "verifier_id": "v1",
        "income": [{"kind": "wage", "amount": wage}],
        "costs": [] if cost is None else [{"kind": "production", "amount": cost}],
        "negative_list": negative})


def test_comparison_finds_each_kind_of_discrepancy() -> None:
    counted = {"M1": True, "M2": True, "M3": True}
    same = compare_verifications(_verification(), counted, _verification("41999"), counted,
                                 DEMO_ITEMS)
    assert same == []  # 1999 is within 5 % of 40000 (2000)
    found = compare_verifications(
        _verification(), counted, _verification("43000", cost="800", VEHICLE=True),
        {**counted, "M3": False}, DEMO_ITEMS)
    assert [(d.kind, d.field, d.verifier, d.auditor, d.difference, d.material)
            for d in found] == [
        ("members", "members.counted", "3", "2", "-1", False),
        ("income", "income.wage", "40000.00", "43000.00", "3000.00", False),
        ("cost", "cost.production", "0.00", "800.00", "800.00", False),
        ("negative_item", "negative_list.VEHICLE", "false", "true", None, True)]


def test_tolerance_is_five_percent_or_500_yuan_whichever_larger() -> None:
    rate, floor = Decimal("0.05"), Decimal("500")
    assert tolerance(Decimal("40000"), rate, floor) == Decimal("2000.00")
    assert tolerance(Decimal("6000"), rate, floor) == Decimal("500")
    assert tolerance(Decimal("0"), rate, floor) == Decimal("500")
    small = compare_verifications(_verification("6000"), {}, _verification("6500"), {}, [])
    assert small == []
    large = compare_verifications(_verification("6000"), {}, _verification("6501"), {}, [])
    assert [d.field for d in large] == ["income.wage"]
    custom = compare_verifications(_verification("6000"), {}, _verification("6200"), {}, [],
                                   rate=Decimal("0.01"), floor=Decimal("100"))
    assert [d.difference for d in custom] == ["200.00"]


def test_population_digest_is_order_free() -> None:
    assert population_digest(["K2", "K1"]) == population_digest(["K1", "K2"])
    assert population_digest(["K1"]) != population_digest(["K1", "K2"])


# --------------------------------------------------------------------------- sampling


def _population(ctx: Context) -> None:
    """40 decided claims: v1 20 and v2 18 over two townships, v3 two."""
    add_user(ctx, "v3", "verifier", "V3")
    for i in range(40):
        verifier = "v1" if i < 20 else ("v2" if i < 38 else "v3")
        township = T1 if i % 2 else T2
        add_household(ctx, f"H{i:02d}", region=township + "001")
        add_claim(ctx, f"K{i:02d}", f"H{i:02d}", "20000", verifier=verifier,
                  event_date=dt.date(2026, 3, 1) + dt.timedelta(days=i))
    adjudicate_ready(ctx.as_user("sup"))


def test_a_sample_is_reproducible_stratified_and_recorded(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    _population(admin_ctx)
    off = admin_ctx.as_user("off")
    first = draw_sample(off, rate=Decimal("0.05"), seed=2026)
    second = draw_sample(off, rate=Decimal("0.05"), seed=2026)
    assert [u.claim_id for u in first.claims] == [u.claim_id for u in second.claims]
    assert first.population_sha256 == second.population_sha256
    assert first.population_size == 40 and len(first.claims) == 3
    assert {u.verifier_id for u in first.claims} == {"v1", "v2", "v3"}
    others = {tuple(u.claim_id for u in draw_sample(off, rate=Decimal("0.25"), seed=s).claims)
              for s in range(1, 6)}
    assert len(others) > 1  # different seeds generally draw different samples
    with admin_ctx.factory() as session:
        stored = session.get(AuditSample, first.sample_id)
        items = list(session.execute(select(AuditSampleItem.claim_id).where(
            AuditSampleItem.sample_id == first.sample_id).order_by(AuditSampleItem.claim_id)
            ).scalars())
        event = session.execute(select(Event).where(
            Event.kind == "audit.sample_drawn", Event.entity_id == str(first.sample_id))
            ).scalar_one()
    assert (stored.drawn_by, stored.seed, stored.rate) == ("off", 2026, Decimal("0.0500"))
    assert stored.population_sha256 == population_digest(f"K{i:02d}" for i in range(40))
    assert items == [u.claim_id for u in first.claims]
    payload = orjson.loads(event.payload)
    assert payload["claims"] == items and payload["population_size"] == 40


def test_the_period_selects_the_population_by_visit_date(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    _population(admin_ctx)
    off = admin_ctx.as_user("off")
    march = draw_sample(off, rate=ALL, seed=1, date_from=dt.date(2026, 3, 1),
                        date_to=dt.date(2026, 3, 10))
    assert [u.claim_id for u in march.claims] == [f"K{i:02d}" for i in range(10)]
    with pytest.raises(AuditRefused, match="nothing to sample"):
        draw_sample(off, rate=ALL, seed=1, date_from=dt.date(2027, 1, 1))
    with pytest.raises(AuditRefused, match="at most 4 decimals"):
        draw_sample(off, rate=Decimal("0.00001"), seed=1)
    with pytest.raises(PermissionDenied):
        draw_sample(admin_ctx.as_user("aud"), rate=ALL, seed=1)


# --------------------------------------------------------------------------- re-checks


def test_an_immaterial_discrepancy_leaves_the_claim_alone(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    decided(admin_ctx, "K1", "H1")
    before = claim_of(admin_ctx, "K1")
    assert (before.status, before.final_paid) == ("approved", Decimal("7500.00"))
    sample = draw_sample(admin_ctx.as_user("off"), rate=ALL, seed=7)
    aud = admin_ctx.as_user("aud")
    result = record_recheck(aud, sample.sample_id, "K1", audit_form(aud, "K1", wage="43000"))
    assert not result.material and not result.reopened and result.adjustment is None
    assert [d.field for d in result.discrepancies] == ["income.wage"]
    assert (result.outcome_audit, result.payout_audit) == ("approved", Decimal("7500.00"))
    after = claim_of(admin_ctx, "K1")
    assert (after.status, after.current_decision_id, after.final_paid) == (
        "approved", before.current_decision_id, Decimal("7500.00"))
    records = decisions_of(admin_ctx, "K1")
    assert [(d.seq, d.purpose) for d in records] == [(1, "claim"), (2, "audit")]
    audit_case = orjson.loads(records[1].case_json)
    assert audit_case["history"] == orjson.loads(records[0].case_json)["history"]
    assert audit_case["verification"]["income"] == [
        {"kind": "wage", "amount": "43000.00", "note": None},
        {"kind": "business", "amount": "0.00", "note": None},
        {"kind": "property", "amount": "0.00", "note": None},
        {"kind": "transfer", "amount": "0.00", "note": None}]
    assert kinds_of(admin_ctx, "K1")[-1] == "audit.rechecked"
    # The audit re-decision is replayable like any decision.
    replayed = replay(aud, claim_id="K1")
    assert (replayed.checked, replayed.identical) == (2, 2)


def test_a_material_discrepancy_on_a_paid_claim_opens_a_recovery(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    decided(admin_ctx, "K1", "H1")
    mark_paid(admin_ctx, "K1")
    original = claim_of(admin_ctx, "K1").current_decision_id
    sample = draw_sample(admin_ctx.as_user("off"), rate=ALL, seed=7)
    aud = admin_ctx.as_user("aud")
    result = record_recheck(aud, sample.sample_id, "K1",
                            audit_form(aud, "K1", answers={"VEHICLE": True}))
    assert result.material and result.reopened
    assert [d.field for d in result.discrepancies] == ["negative_list.VEHICLE", "outcome",
                                                       "payout"]
    assert result.adjustment is not None
    assert (result.adjustment.kind, result.adjustment.amount, result.adjustment.received,
            result.adjustment.granted) == ("recovery", Decimal("7500.00"),
                                           Decimal("7500.00"), Decimal("0"))
    claim = claim_of(admin_ctx, "K1")
    records = decisions_of(admin_ctx, "K1")
    assert [(d.seq, d.purpose, d.outcome) for d in records] == [
        (1, "claim", "approved"), (2, "audit", "denied"), (3, "claim", "denied")]
    assert records[0].decision_id == original  # kept: decisions are append-only
    assert claim.current_decision_id == records[2].decision_id == result.new_decision_id
    assert records[2].reasons == ["NEG_VEHICLE"]
    # Until the recovery is settled, the history still counts what the household received.
    assert (claim.status, claim.final_paid, claim.final_counted_expense) == (
        "denied", Decimal("7500.00"), Decimal("0"))
    assert kinds_of(admin_ctx, "K1")[-7:] == [
        "audit.rechecked", "claim.status", "audit.verification_adopted", "decision.made",
        "claim.status", "audit.reopened", "audit.adjustment_opened"]
    with admin_ctx.factory() as session:
        adopted = session.execute(select(VerificationRow).where(
            VerificationRow.claim_id == "K1").order_by(VerificationRow.pk.desc()).limit(1)
            ).scalar_one()
        assert verify_chain(session)[1] is None
    assert (adopted.verifier_id, adopted.payload["negative_list"]["VEHICLE"]) == ("aud", True)
    assert orjson.loads(records[2].case_json)["history"] == orjson.loads(
        records[0].case_json)["history"]

    [adjustment] = list_adjustments(admin_ctx.as_user("off"), "open")
    with pytest.raises(PermissionDenied):
        settle_adjustment(aud, adjustment.adjustment_id, "repaid", "BANK-1")
    give_townships(admin_ctx, "off2", [T2])  # K1 is of T1: off2 neither sees nor settles it
    assert list_adjustments(admin_ctx.as_user("off2"), "open") == []
    give_townships(admin_ctx, "sup", [T2])
    with pytest.raises(OutOfScope):
        settle_adjustment(admin_ctx.as_user("sup"), adjustment.adjustment_id, "repaid", "B")
    with transaction(admin_ctx.factory) as session:  # the supervisor county-wide again
        session.get(User, "sup").townships = []
    sup = admin_ctx.as_user("sup")
    with pytest.raises(AuditRefused, match="settled as repaid or offset"):
        settle_adjustment(sup, adjustment.adjustment_id, "paid", "BANK-1")
    settled = settle_adjustment(sup, adjustment.adjustment_id, "repaid", "BANK-1")
    assert (settled.status, settled.settled_how) == ("settled", "repaid")
    assert claim_of(admin_ctx, "K1").final_paid == Decimal("0")
    with pytest.raises(AuditRefused, match="is settled, not open"):
        settle_adjustment(sup, adjustment.adjustment_id, "repaid", "BANK-1")


def test_a_top_up_is_settled_as_paid(admin_ctx) -> None:
    """Top-ups arise once paid claims may be re-approved (see the reopen guard); the row is
    inserted here as the guard would let the audit open it."""
    load_demo_tariff(admin_ctx)
    decided(admin_ctx, "K1", "H1")
    mark_paid(admin_ctx, "K1")
    sample = draw_sample(admin_ctx.as_user("off"), rate=ALL, seed=7)
    aud = admin_ctx.as_user("aud")
    result = record_recheck(aud, sample.sample_id, "K1",
                            audit_form(aud, "K1", answers={"VEHICLE": True}))
    assert result.adjustment is not None
    first = decisions_of(admin_ctx, "K1")[0].decision_id
    with transaction(admin_ctx.factory) as session:
        session.get(AuditAdjustment, result.adjustment.adjustment_id).status = "superseded"
        top_up = AuditAdjustment(
            claim_id="K1", household_id="H1", kind="top_up", amount=Decimal("500.00"),
            received=Decimal("7500.00"), granted=Decimal("8000.00"), sample_id=sample.sample_id,
            recheck_pk=result.recheck_pk, old_decision_id=first,
            new_decision_id=result.new_decision_id, status="open",
            created_by="aud", created_at=admin_ctx.now())
        session.add(top_up)
        session.flush()
        top_up_id = top_up.adjustment_id
    sup = admin_ctx.as_user("sup")
    with pytest.raises(AuditRefused, match="top_up is settled as paid"):
        settle_adjustment(sup, top_up_id, "repaid", "BANK-3")
    with pytest.raises(AuditRefused, match="reference"):
        settle_adjustment(sup, top_up_id, "paid", " ")
    assert settle_adjustment(sup, top_up_id, "paid", "BANK-3").status == "settled"
    assert claim_of(admin_ctx, "K1").final_paid == Decimal("8000.00")
    assert [a.status for a in list_adjustments(sup)] == ["superseded", "settled"]


def test_a_later_claim_is_paid_net_of_an_open_recovery(admin_ctx) -> None:
    """While the recovery is open, final_paid keeps what was paid: a later claim of the year
    is paid net of it (here: nothing), so the recovery is then settled as an offset."""
    load_demo_tariff(admin_ctx)
    decided(admin_ctx, "K1", "H1")
    mark_paid(admin_ctx, "K1")
    sample = draw_sample(admin_ctx.as_user("off"), rate=ALL, seed=7)
    aud = admin_ctx.as_user("aud")
    record_recheck(aud, sample.sample_id, "K1",
                   audit_form(aud, "K1", answers={"VEHICLE": True}))
    add_claim(admin_ctx, "K2", "H1", "20000", event_date=dt.date(2026, 6, 1))
    adjudicate_ready(admin_ctx.as_user("sup"), claim_id="K2")
    k2 = decisions_of(admin_ctx, "K2")[0]
    assert orjson.loads(k2.case_json)["history"]["paid_to_date"] == "7500.00"
    assert (k2.outcome, k2.reasons) == ("denied", ["BELOW_TRIGGER"])
    [adjustment] = list_adjustments(aud, "open")
    sup = admin_ctx.as_user("sup")
    with pytest.raises(AuditRefused, match=r"K2 .* settle it as offset"):
        settle_adjustment(sup, adjustment.adjustment_id, "repaid", "BANK-2")
    settle_adjustment(sup, adjustment.adjustment_id, "offset", "K2")
    assert claim_of(admin_ctx, "K1").final_paid == Decimal("7500.00")


def test_a_denied_claim_is_reopened_without_an_adjustment(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    decided(admin_ctx, "K1", "H1", "12000", members=3, wages="60000")  # example 4
    assert claim_of(admin_ctx, "K1").status == "denied"
    sample = draw_sample(admin_ctx.as_user("off"), rate=ALL, seed=7)
    off = admin_ctx.as_user("off")  # an officer may re-check too
    result = record_recheck(off, sample.sample_id, "K1", audit_form(off, "K1", wage="20000"))
    assert result.material and result.reopened and result.adjustment is None
    claim = claim_of(admin_ctx, "K1")
    assert (claim.status, claim.final_paid) == ("approved", Decimal("3500.00"))


def test_reopening_is_blocked_where_the_workflow_or_a_payment_forbids_it(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    decided(admin_ctx, "K1", "H1")  # approved, not yet paid
    add_household(admin_ctx, "H2", members=2)
    add_claim(admin_ctx, "K2", "H2", "21000", wages="40000")  # example 12: hardship pend
    adjudicate_ready(admin_ctx.as_user("sup"), claim_id="K2")
    resolve(admin_ctx.as_user("off"), "K2", "approve", "因病负担重")
    mark_paid(admin_ctx, "K2")
    sample = draw_sample(admin_ctx.as_user("off"), rate=ALL, seed=7)
    aud = admin_ctx.as_user("aud")
    approved = record_recheck(aud, sample.sample_id, "K1",
                              audit_form(aud, "K1", answers={"SHOP": True}))
    assert approved.material and not approved.reopened
    assert "cannot move to verified" in (approved.reopen_blocked or "")
    assert claim_of(admin_ctx, "K1").status == "approved"
    # Paid after a person approved the hardship exception; the auditor's lower income would
    # have approved it outright (same payout): material, but reopening would pay it again.
    paid = record_recheck(aud, sample.sample_id, "K2", audit_form(aud, "K2", wage="20000"))
    assert (paid.outcome_stored, paid.outcome_audit, paid.material) == (
        "pended", "approved", True)
    assert not paid.reopened and "would post and pay it again" in (paid.reopen_blocked or "")
    claim = claim_of(admin_ctx, "K2")
    assert (claim.status, claim.final_paid) == ("paid", Decimal("8100.00"))
    assert "audit.reopen_blocked" in kinds_of(admin_ctx, "K2")


def test_who_may_re_check_and_what(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    decided(admin_ctx, "K1", "H1", verifier="aud")  # the auditor verified this one
    decided(admin_ctx, "K2", "H2")
    sample = draw_sample(admin_ctx.as_user("off"), rate=ALL, seed=7)
    aud, off = admin_ctx.as_user("aud"), admin_ctx.as_user("off")
    with pytest.raises(AuditRefused, match="aud verified claim K1"):
        record_recheck(aud, sample.sample_id, "K1", audit_form(aud, "K1"))
    with pytest.raises(PermissionDenied):
        record_recheck(admin_ctx.as_user("sup"), sample.sample_id, "K2",
                       audit_form(off, "K2"))
    with pytest.raises(AuditRefused, match="not in sample"):
        record_recheck(aud, sample.sample_id + 1, "K2", audit_form(aud, "K2"))
    with pytest.raises(AuditRefused, match=r"must be complete.*negative_list\.SHOP"):
        record_recheck(aud, sample.sample_id, "K2",
                       audit_form(aud, "K2", answers={"SHOP": None}))
    with pytest.raises(AuditRefused, match="signed by off"):
        record_recheck(aud, sample.sample_id, "K2", audit_form(off, "K2"))
    record_recheck(off, sample.sample_id, "K1", audit_form(off, "K1"))
    record_recheck(aud, sample.sample_id, "K2", audit_form(aud, "K2"))
    with pytest.raises(AuditRefused, match="already re-checked"):
        record_recheck(aud, sample.sample_id, "K2", audit_form(aud, "K2"))


# --------------------------------------------------------------------------- report


def test_report_per_verifier_and_township_with_wilson_intervals(admin_ctx, tmp_path: Path
                                                                  ) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    load_demo_tariff(admin_ctx)
    decided(admin_ctx, "K1", "H1", verifier="v1", township=T1)
    decided(admin_ctx, "K2", "H2", verifier="v1", township=T2)
    decided(admin_ctx, "K3", "H3", verifier="v2", township=T1)
    mark_paid(admin_ctx, "K1")
    sample = draw_sample(admin_ctx.as_user("off"), rate=ALL, seed=3)
    aud = admin_ctx.as_user("aud")
    record_recheck(aud, sample.sample_id, "K1", audit_form(aud, "K1", answers={"COMPANY": True}))
    record_recheck(aud, sample.sample_id, "K2", audit_form(aud, "K2"))
    report = audit_report(aud, sample.sample_id)
    rows = {r.key: r.as_dict() for r in report.by_verifier}
    assert rows["v1"] == {"key": "v1", "sampled": 2, "rechecked": 2, "with_discrepancies": 1,
                          "material": 1, "error_rate": 0.5, "ci95_low": 0.0945,
                          "ci95_high": 0.9055, "payout_at_stake": "7500.00"}
    assert rows["v2"]["sampled"] == 1 and rows["v2"]["rechecked"] == 0
    assert rows["v2"]["error_rate"] is None and rows["v2"]["ci95_low"] is None
    assert [r.key for r in report.by_township] == [T1, T2]
    assert report.total.as_dict()["sampled"] == 3
    [material] = report.material
    assert (material["claim_id"], material["outcome"], material["adjustment"]["kind"],
            material["adjustment"]["amount"]) == ("K1", "approved → denied", "recovery",
                                                  "7500.00")
    with pytest.raises(PermissionDenied):
        audit_report(admin_ctx.as_user("v1"))

    xlsx = tmp_path / "audit.xlsx"
    write_report_xlsx(report, xlsx)
    book = load_workbook(xlsx)
    assert book.sheetnames == ["按核查员", "按乡镇", "重大差异"]
    assert [c.value for c in book["按核查员"]["A"]] == ["核查员 verifier", "v1", "v2", "total"]
    assert book["重大差异"]["B2"].value == "K1"
    text = "".join(page.extract_text() for page in PdfReader(
        io.BytesIO(render_report_pdf(report))).pages)
    assert "防贫保抽样复核报告" in text and "K1" in text and "追回" in text
