"""The record can be trusted: decisions follow their household, money is bound to the hash
chain, and the all-category cap holds whatever the order of approvals — on SQLite and
PostgreSQL alike. Each test names the reproduction it guards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.integrity import RecordRefused, verify_records
from adjudicator.services.notices import close_due_notices, create_notices, record_objection
from adjudicator.services.payments import pay_closed
from adjudicator.services.review import resolve
from adjudicator.services.verification import record_verification, verification_template
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.models import Claim, DecisionRecord, Member, Payment
from adjudicator.storage.models_notice import Document
from tests.seed import add_claim, add_household, load_demo_tariff
from tests.test_verification import add_finding, fill

MEDICAL = {"category": "medical"}


def claim_of(ctx: Context, claim_id: str) -> Claim:
    with ctx.factory() as session:
        return session.get(Claim, claim_id)


def paid_to(ctx: Context, household_id: str) -> Decimal:
    with ctx.factory() as session:
        return Decimal(session.execute(select(func.coalesce(func.sum(Payment.amount), 0))
                                       .where(Payment.household_id == household_id))
                       .scalar_one())


def tamper(ctx: Context, sql: str) -> None:
    """An edit made straight in the database, past the application (as a person with
    database access would make it): the append-only guards are lifted for it."""
    from adjudicator.storage.append_only import guards_lifted

    with ctx.engine.begin() as connection, guards_lifted(connection):
        connection.execute(text(sql))


def reverify(ctx: Context, claim_id: str, **answers: bool) -> None:
    """The claim's verifier records a new, complete verification."""
    with transaction(ctx.factory) as session:
        session.get(Claim, claim_id).assigned_verifier = "v1"
    v1 = ctx.as_user("v1")
    form = fill(verification_template(v1, claim_id), answers=answers)
    assert record_verification(v1, claim_id, form).status == "submitted"


@pytest.fixture
def two_claims(admin_ctx):
    """Household A: K1 approved 6,500 (E 18,000), K2 approved 7,000 on K1's history
    (E 12,000: alone it is worth 3,500)."""
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "A")
    add_claim(admin_ctx, "K1", "A", "18000", event_date=dt.date(2026, 2, 1))
    add_claim(admin_ctx, "K2", "A", "12000", event_date=dt.date(2026, 3, 1))
    adjudicate_ready(admin_ctx.as_user("sup"))
    with admin_ctx.factory() as session:
        payouts = {c.claim_id: c.final_paid for c in session.execute(select(Claim)).scalars()}
    assert payouts == {"K1": Decimal("6500.00"), "K2": Decimal("7000.00")}
    create_notices(admin_ctx.as_user("off"), _out(admin_ctx), render=False)
    return admin_ctx


def _out(ctx: Context) -> Path:
    """Where notices would be written (these tests do not render them)."""
    return Path(ctx.engine.url.database or ".").parent / "out"


def _to_the_end(ctx: Context, clock) -> None:
    """Decide what is ready, post, let every notice run out, close and pay."""
    adjudicate_ready(ctx.as_user("sup"))
    create_notices(ctx.as_user("off"), _out(ctx), render=False)
    clock.advance(days=8)
    close_due_notices(ctx.as_user("off"))
    pay_closed(ctx.as_user("sup"))


def test_objection_re_decides_the_later_claim_on_the_history_that_holds(two_claims, clock
                                                                        ) -> None:
    """Reproduction 1: K1 objected and denied NEG_VEHICLE; K2 was paid 7,000 from its
    notice. K2 must be decided again without K1: 3,500."""
    ctx = two_claims
    record_objection(ctx.as_user("off"), "K1", "村民反映该户有车辆")
    assert claim_of(ctx, "K2").status == "verified"  # left its notice, waits for K1
    reverify(ctx, "K1", VEHICLE=True)
    _to_the_end(ctx, clock)
    assert claim_of(ctx, "K1").status == "denied"
    k2 = claim_of(ctx, "K2")
    assert (k2.status, k2.final_paid) == ("paid", Decimal("3500.00"))
    assert paid_to(ctx, "A") == Decimal("3500.00")
    assert verify_records(ctx) == []


def test_a_household_fact_found_on_objection_denies_the_later_claim_too(two_claims, clock
                                                                        ) -> None:
    """Reproduction 1, with the car a household fact (the vehicle registry finds it): K2
    must be denied too, and nothing is paid."""
    ctx = two_claims
    record_objection(ctx.as_user("off"), "K1", "村民反映该户有车辆")
    add_finding(ctx, "A", "VEHICLE", "vehicle_registry")
    reverify(ctx, "K1", VEHICLE=True)
    _to_the_end(ctx, clock)
    assert claim_of(ctx, "K2").status == "denied"
    assert paid_to(ctx, "A") == 0


def test_closing_a_notice_never_pays_a_claim_that_left_it(two_claims, clock) -> None:
    ctx = two_claims
    record_objection(ctx.as_user("off"), "K1", "村民反映该户有车辆")
    clock.advance(days=8)
    assert close_due_notices(ctx.as_user("off"))[0][1] == 0  # K2 left: nothing payable
    assert pay_closed(ctx.as_user("sup")).payments == 0


def _paid_claim(ctx: Context, clock) -> None:
    load_demo_tariff(ctx)
    add_household(ctx, "A")
    add_claim(ctx, "K1", "A", "25000")
    _to_the_end(ctx, clock)
    assert claim_of(ctx, "K1").status == "paid"


@pytest.mark.parametrize(("sql", "named"), [
    ("update decisions set payout = payout + 1000", ("decisions", "payout")),
    ("update payments set amount = amount + 1000", ("payments", "amount")),
    ("update claims set final_paid = final_paid + 1000", ("claims", "final_paid")),
    ("update notice_items set payout = payout + 1000", ("notice_items", "payout")),
])
def test_an_edited_amount_is_detected_and_named(admin_ctx, clock, sql, named) -> None:
    """Reproduction 2: each of four edits of a paid claim's amounts read 'intact'."""
    _paid_claim(admin_ctx, clock)
    assert verify_records(admin_ctx) == []
    tamper(admin_ctx, sql)
    problems = verify_records(admin_ctx)
    assert [(p.table, p.column) for p in problems] == [named]
    assert problems[0].row and problems[0].chain != problems[0].stored


def test_a_pended_payout_edited_is_never_approved_nor_paid(admin_ctx, clock) -> None:
    """Reproduction 2: a pended claim's decisions.payout set to 99999.00 was approved and
    paid 99,999.00."""
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "B", members=2)
    add_claim(admin_ctx, "K7", "B", "300000", wages="20000",
              amounts={"total_cost": "300000", "basic_insurance_paid": "50000"})
    adjudicate_ready(admin_ctx.as_user("sup"))
    assert claim_of(admin_ctx, "K7").status == "pended"
    tamper(admin_ctx, "update decisions set payout = 99999.00 where claim_id = 'K7'")
    with pytest.raises(RecordRefused, match="chain") as refused:
        resolve(admin_ctx.as_user("off"), "K7", "approve", "大额审核通过")
    assert "链" in refused.value.localized("zh")
    assert claim_of(admin_ctx, "K7").status == "pended"
    problems = verify_records(admin_ctx)
    assert [(p.table, p.row, p.column) for p in problems] == [
        ("decisions", str(claim_of(admin_ctx, "K7").current_decision_id), "payout")]


def test_a_closed_claim_whose_amount_was_edited_is_not_paid(admin_ctx, clock) -> None:
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "A")
    add_claim(admin_ctx, "K1", "A", "25000")
    adjudicate_ready(admin_ctx.as_user("sup"))
    create_notices(admin_ctx.as_user("off"), _out(admin_ctx), render=False)
    clock.advance(days=8)
    close_due_notices(admin_ctx.as_user("off"))
    tamper(admin_ctx, "update claims set final_paid = 99999.00")
    with pytest.raises(RecordRefused, match="K1"):
        pay_closed(admin_ctx.as_user("sup"))
    assert paid_to(admin_ctx, "A") == 0


def test_a_deleted_payment_is_never_paid_a_second_time(admin_ctx, clock) -> None:
    """Item 5: deleting a payment row and setting its claim back to closed let `pay` pay it
    again, and the chain read intact."""
    _paid_claim(admin_ctx, clock)
    tamper(admin_ctx, "delete from payments")
    tamper(admin_ctx, "update claims set status = 'closed'")
    assert [(p.table, p.column) for p in verify_records(admin_ctx)] == [
        ("payments", "(row)"), ("claims", "status")]
    with pytest.raises(RecordRefused, match="shows it paid") as refused:
        pay_closed(admin_ctx.as_user("sup"))
    assert "已兑现" in refused.value.localized("zh")
    assert paid_to(admin_ctx, "A") == 0


def test_the_all_category_cap_holds_whatever_the_order_of_approvals(admin_ctx) -> None:
    """Reproduction 3: medical pended at 100,000, disaster pended at 50,000 and education
    approved at 20,000, each seeing 0 paid so far, granted 170,000 against a cap of 150,000.
    A claim of any category now waits for every earlier one of the household that is not
    final."""
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "C", members=2)
    add_claim(admin_ctx, "KM", "C", "", wages="20000", event_date=dt.date(2026, 3, 1),
              amounts={"total_cost": "300000", "basic_insurance_paid": "50000"})
    add_claim(admin_ctx, "KD", "C", "", wages="20000", event_date=dt.date(2026, 3, 2),
              category="disaster", amounts={"assessed_loss": "108000"})
    add_claim(admin_ctx, "KE", "C", "", wages="20000", event_date=dt.date(2026, 3, 3),
              category="education", amounts={"stage": "undergraduate", "tuition": "40000"})
    sup, off = admin_ctx.as_user("sup"), admin_ctx.as_user("off")
    first = adjudicate_ready(sup)
    assert first.outcomes == {"pended": 1}
    assert sorted(c for c, _ in first.waiting) == ["KD", "KE"]
    resolve(off, "KM", "approve", "大额审核通过")
    adjudicate_ready(sup)
    assert claim_of(admin_ctx, "KD").status == "pended"
    resolve(off, "KD", "approve", "大额审核通过")
    adjudicate_ready(sup)
    with admin_ctx.factory() as session:
        granted = {c.claim_id: c.final_paid for c in session.execute(select(Claim)).scalars()}
        ke = session.get(DecisionRecord, session.get(Claim, "KE").current_decision_id)
    assert granted == {"KM": Decimal("100000.00"), "KD": Decimal("50000.00"),
                       "KE": Decimal("0.00")}
    assert ke.reasons == ["CAP_REACHED"]
    assert sum(granted.values()) <= Decimal("150000")


def test_replay_names_an_edited_payout_column(admin_ctx, clock) -> None:
    """Reproduction 2: `replay` said identical after decisions.payout was edited (it compared
    the decision's stored text only)."""
    from adjudicator.services.replay import replay

    _paid_claim(admin_ctx, clock)
    # 1,000 yuan as the column stores it: integer fen on SQLite, yuan on PostgreSQL
    thousand = 100000 if admin_ctx.engine.dialect.name == "sqlite" else 1000
    tamper(admin_ctx, f"update decisions set payout = payout + {thousand}")
    result = replay(admin_ctx.as_user("aud"))
    assert result.identical == 0
    assert [(d.claim_id, d.field, d.stored, d.replayed) for d in result.differences] == [
        ("K1", "decisions.payout", "11500.00", "10500.00")]


def _net_received(ctx: Context, household_id: str) -> Decimal:
    """Payments, plus top-ups paid, less recoveries repaid."""
    from adjudicator.storage.models_audit import AuditAdjustment

    with ctx.factory() as session:
        net = paid_to(ctx, household_id)
        for kind, how, amount in session.execute(select(
                AuditAdjustment.kind, AuditAdjustment.settled_how, AuditAdjustment.amount)
                .where(AuditAdjustment.household_id == household_id,
                       AuditAdjustment.status == "settled")):
            net += amount if kind == "top_up" else (-amount if how == "repaid" else 0)
        return net


def test_a_paid_later_claim_is_settled_by_the_difference_never_paid_twice(two_claims, clock
                                                                          ) -> None:
    """Item 1: an audit reopens K1, paid 6,500 (the household has a car): K2, paid 7,000 on
    K1's history, is decided again alone (3,500) and settled by a recovery of 3,500; no
    second payment of the whole."""
    from adjudicator.services.audit import (
        draw_sample,
        list_adjustments,
        record_recheck,
        settle_adjustment,
    )
    from tests.test_audit import audit_form

    ctx = two_claims
    clock.advance(days=8)
    close_due_notices(ctx.as_user("off"))
    assert pay_closed(ctx.as_user("sup")).total == Decimal("13500.00")
    sample = draw_sample(ctx.as_user("off"), rate=Decimal(1), seed=7)
    aud = ctx.as_user("aud")
    record_recheck(aud, sample.sample_id, "K1", audit_form(aud, "K1", answers={"VEHICLE": True}))
    assert claim_of(ctx, "K2").status == "verified"
    adjudicate_ready(ctx.as_user("sup"))
    k2 = claim_of(ctx, "K2")
    assert (k2.status, k2.final_paid) == ("paid", Decimal("3500.00"))
    assert pay_closed(ctx.as_user("sup")).payments == 0
    open_ = list_adjustments(aud, "open")
    assert [(a.claim_id, a.kind, a.amount) for a in open_] == [
        ("K1", "recovery", Decimal("6500.00")), ("K2", "recovery", Decimal("3500.00"))]
    for adjustment in open_:
        settle_adjustment(ctx.as_user("sup"), adjustment.adjustment_id, "repaid", "BANK-9")
    assert _net_received(ctx, "A") == Decimal("3500.00")
    assert verify_records(ctx) == []


def test_a_claim_leaving_an_open_notice_gets_a_corrected_notice(two_claims) -> None:
    """Item 3: the objection to K1 takes K1 and K2 (decided again) off the open notice; a
    corrected notice (更正公示) of the village says so, recorded like any notice."""
    from adjudicator.services.notices import list_notices

    record_objection(two_claims.as_user("off"), "K1", "村民反映该户有车辆")
    notices = list_notices(two_claims.as_user("off"))
    original, *corrections = notices
    assert [(n.status, n.corrects_notice_id) for n in corrections] == [
        ("posted", original.notice_id), ("posted", original.notice_id)]
    assert [(c["claim_id"], c["payout"], c["change"]) for n in corrections
            for c in n.changes] == [("K1", "6500.00", "撤回"), ("K2", "7000.00", "撤回")]
    assert corrections[0].title.endswith("更正公示")
    assert "异议" in corrections[0].changes[0]["reason"]
    assert verify_records(two_claims) == []


def test_a_corrected_notice_is_posted_as_a_pdf_like_any_notice(two_claims, tmp_path) -> None:
    """Item 3: the corrected notice is a document of its own: `notice create` writes its PDF
    (the claims withdrawn, the amounts the original posted, the reason; names masked) and
    records it, hash in the chain, like every notice."""
    from pypdf import PdfReader

    from adjudicator.services.notices import create_notices, list_notices

    officer = two_claims.as_user("off")
    record_objection(officer, "K1", "村民反映该户有车辆")
    create_notices(officer, tmp_path)
    original, *corrections = list_notices(officer)
    for notice in corrections:
        pdf = tmp_path / "notices" / f"{notice.notice_no}.pdf"
        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert "更正公示" in text and original.notice_no in text and "撤回原因" in text
        assert "异议" in text
    with two_claims.factory() as session:
        names = {m.name for m in session.execute(select(Member)).scalars()}
        documents = session.execute(select(Document.ref).where(
            Document.kind == "notice")).scalars().all()
    assert sorted(documents) == sorted(n.notice_no for n in corrections)
    assert not any(name in text for name in names)  # masked on the public notice
    assert verify_records(two_claims) == []
    assert create_notices(officer, tmp_path) == []  # nothing twice


def test_the_append_only_tables_refuse_updates_and_deletes(admin_ctx, clock) -> None:
    """Item 5: as the application's role, UPDATE decisions and DELETE FROM events
    succeeded."""
    from sqlalchemy.exc import DBAPIError

    _paid_claim(admin_ctx, clock)
    with admin_ctx.engine.begin() as connection:  # appending is what the tables are for
        connection.execute(text(
            "insert into documents (kind, ref, path, sha256, size, created_by, created_at) "
            "values ('notice', 'GS-1', 'documents/notices/GS-1.pdf', 'ab', 2, 'off', 'now')"))
    for sql in ("update decisions set payout = 0", "delete from events",
                "update payments set amount = 0", "delete from documents",
                "delete from decisions"):
        with pytest.raises(DBAPIError, match="append-only"), admin_ctx.engine.begin() as c:
            c.execute(text(sql))


def test_a_document_row_is_served_only_as_recorded_and_from_the_documents_folder(
        admin_ctx, tmp_path: Path) -> None:
    """Item 5: a documents row pointing at /etc/hostname was served as the notice PDF, and
    an edited hash went unnoticed."""
    import hashlib

    from adjudicator.services.notices import store_document
    from adjudicator.storage.events import append_events
    from adjudicator.storage.models_notice import Document
    from adjudicator.web.errors import WebError
    from adjudicator.web.officer import notice_pdf

    documents = tmp_path / "documents"
    secret = tmp_path / "hostname"  # any file of the host, its hash computed right
    secret.write_bytes(b"db-host-1\n")
    with transaction(admin_ctx.factory) as session:  # a row no chain event recorded
        session.add(Document(kind="notice", ref="GS-X", path=str(secret),
                             sha256=hashlib.sha256(secret.read_bytes()).hexdigest(),
                             size=10, created_by="off", created_at=admin_ctx.now()))
    with pytest.raises(WebError) as refused:
        notice_pdf(admin_ctx, "GS-X", documents)
    assert refused.value.code == "document_changed"
    with transaction(admin_ctx.factory) as session:  # recorded, but outside the folder
        events: list = []
        store_document(session, admin_ctx, "notice", "GS-Y", tmp_path / "elsewhere.pdf",
                       b"%PDF-1.7", events)
        append_events(session, "off", admin_ctx.now(), events)
    with pytest.raises(WebError) as refused:
        notice_pdf(admin_ctx, "GS-Y", documents)
    assert refused.value.code == "document_outside"
    with transaction(admin_ctx.factory) as session:
        events = []
        store_document(session, admin_ctx, "notice", "GS-Z", documents / "notices" / "Z.pdf",
                       b"%PDF-1.7", events)
        append_events(session, "off", admin_ctx.now(), events)
    assert notice_pdf(admin_ctx, "GS-Z", documents)[0] == documents / "notices" / "Z.pdf"
    assert [(p.table, p.column) for p in verify_records(admin_ctx)] == [
        ("documents", "(row)")]  # the forged row: no chain event records it
