"""The fund's ledger and settlement on a generated county, on SQLite and PostgreSQL: every
figure reconciles to the fen with the payments, adjustments and claims tables."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from adjudicator.demo import StagedCounty, stage_county
from adjudicator.fund.annual import settle_year
from adjudicator.fund.contract import Contract, load_contract, parse_contract
from adjudicator.fund.ledger import FundRefused, fund_status, local_month, record_receipt
from adjudicator.roles import PermissionDenied
from adjudicator.services.audit import draw_sample, record_recheck, settle_adjustment
from adjudicator.storage.db import transaction
from adjudicator.storage.events import verify_chain
from adjudicator.storage.models import Claim, DecisionRecord, Event, Household, Payment
from adjudicator.storage.models_audit import AuditAdjustment
from adjudicator.storage.models_fund import FundReceipt, FundSettlement
from contracts import demo_contract_path
from tests.test_audit import audit_form, mark_paid

ZERO = Decimal("0.00")


@pytest.fixture
def county(db_url: str, tmp_path: Path) -> StagedCounty:
    staged = stage_county(db_url, tmp_path, households=90, seed=11)
    yield staged
    staged.admin.engine.dispose()


@pytest.fixture
def contract() -> Contract:
    return load_contract(demo_contract_path())


def _approved(ctx, limit: int) -> list[str]:
    with ctx.factory() as session:
        return list(session.execute(select(Claim.claim_id).where(Claim.status == "approved")
                                    .order_by(Claim.claim_id).limit(limit)).scalars())


def _pay_over_months(staged: StagedCounty) -> list[str]:
    """Pay nine approved claims, three a month, moving the clock (payments in 3 months)."""
    paid = _approved(staged.admin, 9)
    for number, claim_id in enumerate(paid):
        if number and number % 3 == 0:
            staged.clock.advance(days=31)
        mark_paid(staged.admin.as_user("li"), claim_id)
    return paid


def _adjust(staged: StagedCounty, paid: list[str]) -> None:
    """A recovery repaid on one paid claim (a real sampling audit), a top-up paid on another
    and a top-up still open on a third (inserted as an audit would open them)."""
    admin = staged.admin
    sample = draw_sample(admin.as_user("zhao"), rate=Decimal(1), seed=3)
    auditor = admin.as_user("sun")
    result = record_recheck(auditor, sample.sample_id, paid[0],
                            audit_form(auditor, paid[0], answers={"VEHICLE": True},
                                       visited=auditor.today()))
    assert result.adjustment is not None and result.adjustment.kind == "recovery"
    settle_adjustment(admin.as_user("li"), result.adjustment.adjustment_id, "repaid", "BK-1")
    with transaction(admin.factory) as session:
        for claim_id, amount, status in ((paid[1], "321.45", "settled"),
                                         (paid[2], "100.10", "open")):
            decision = session.get(Claim, claim_id).current_decision_id
            session.add(AuditAdjustment(
                claim_id=claim_id, household_id=session.get(Claim, claim_id).household_id,
                kind="top_up", amount=Decimal(amount), received=ZERO, granted=Decimal(amount),
                sample_id=sample.sample_id, recheck_pk=result.recheck_pk,
                old_decision_id=decision, new_decision_id=decision, status=status,
                created_by="sun", created_at=admin.now(),
                settled_how="paid" if status == "settled" else None))


def test_the_ledger_reconciles_to_the_fen_with_the_tables(county: StagedCounty,
                                                          contract: Contract) -> None:
    paid = _pay_over_months(county)
    _adjust(county, paid)
    officer = county.admin.as_user("zhao")
    record_receipt(officer, contract, Decimal("565320.00"), dt.date(2026, 1, 30), "BANK-1")
    status = fund_status(officer, contract, dt.date(2026, 12, 31))

    with county.admin.factory() as session:
        payments = session.execute(select(Payment.amount, Payment.paid_at, Claim.category,
                                          Household.township_name)
                                   .join(Claim, Claim.claim_id == Payment.claim_id)
                                   .join(Household,
                                         Household.household_id == Claim.household_id)).all()
        adjustments = session.execute(select(AuditAdjustment)).scalars().all()
        claims = session.execute(select(Claim.status, Claim.final_paid, DecisionRecord.payout)
                                 .join(DecisionRecord, DecisionRecord.decision_id
                                       == Claim.current_decision_id)).all()
    total = sum((p.amount for p in payments), ZERO)
    assert len(payments) == status.payments == 9 and total > 0
    assert status.paid == total
    for breakdown, key in ((status.paid_by_category, "category"),
                           (status.paid_by_township, "township_name")):
        expected: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for p in payments:
            expected[getattr(p, key)] += p.amount
        assert breakdown == dict(expected)
        assert sum(breakdown.values(), ZERO) == total
    assert sum(status.paid_by_month.values(), ZERO) == total
    assert list(status.paid_by_month) == sorted({local_month(p.paid_at) for p in payments})
    assert len(status.paid_by_month) == 3

    def adjusted(kind: str, state: str, how: str | None = None) -> Decimal:
        return sum((a.amount for a in adjustments if a.kind == kind and a.status == state
                    and (how is None or a.settled_how == how)), ZERO)

    assert status.recoveries_repaid == adjusted("recovery", "settled", "repaid") > 0
    assert status.top_ups_paid == adjusted("top_up", "settled") == Decimal("321.45")
    assert status.top_ups_open == adjusted("top_up", "open") == Decimal("100.10")
    assert status.paid_net == total + status.top_ups_paid - status.recoveries_repaid
    committed = sum((c.final_paid for c in claims
                     if c.status in ("approved", "in_notice", "closed")), ZERO)
    committed += sum((c.payout for c in claims if c.status == "pended"), ZERO)
    assert status.committed == committed + status.top_ups_open
    assert status.committed == sum(c.amount for c in status.open_claims) + status.top_ups_open
    assert status.incurred == status.paid_net + status.committed
    assert status.balance == contract.fund_for_claims - status.incurred
    assert status.loss_ratio == (status.incurred / contract.premium).quantize(Decimal("0.0001"))
    assert status.projected_year == status.incurred  # the whole year elapsed
    assert (status.premium_due, status.premium_received) == (contract.premium,
                                                             Decimal("565320.00"))
    halfway = fund_status(officer, contract, dt.date(2026, 7, 1))
    assert halfway.premium_due == Decimal("565320.00")
    assert halfway.projected_year == (halfway.incurred * 365 / 182).quantize(Decimal("0.01"))


def test_a_premium_receipt_is_an_officers_event_recorded_once(county: StagedCounty,
                                                              contract: Contract) -> None:
    admin = county.admin
    officer = admin.as_user("zhao")
    with pytest.raises(PermissionDenied):
        record_receipt(admin.as_user("li"), contract, Decimal("1.00"), dt.date(2026, 2, 1), "B")
    first = record_receipt(officer, contract, Decimal("565320.00"), dt.date(2026, 1, 30), "B1")
    again = record_receipt(officer, contract, Decimal("565320.00"), dt.date(2026, 1, 30), "B1")
    assert (first.already_recorded, again.already_recorded, again.pk) == (False, True, first.pk)
    with pytest.raises(FundRefused, match=r"B1 is 565320\.00 yuan") as refused:
        record_receipt(officer, contract, Decimal("565320.01"), dt.date(2026, 1, 30), "B1")
    assert re.search(r"流水号B1已登记为565320\.00元", refused.value.localized("zh"))
    for amount, reference in ((Decimal("0"), "B2"), (Decimal("1.001"), "B2"),
                              (Decimal("5"), " "), (Decimal("1000000000000.00"), "B3"),
                              (Decimal("NaN"), "B4")):
        with pytest.raises(FundRefused):
            record_receipt(officer, contract, amount, dt.date(2026, 1, 30), reference)
    with admin.factory() as session:
        events = session.execute(select(Event.kind, Event.entity_id, Event.payload).where(
            Event.kind == "fund.premium_received")).all()
        assert verify_chain(session)[1] is None
    assert len(events) == 1 and events[0].entity_id == contract.id
    assert '"amount":"565320.00"' in events[0].payload
    assert fund_status(officer, contract).premium_received == Decimal("565320.00")


def test_the_fund_commands_refuse_a_role_in_chinese(county: StagedCounty) -> None:
    """They printed the role refusal's English text (str of the error) after 错误："""
    from typer.testing import CliRunner

    from cli.main import app

    for args in (["receive", "--amount", "1.00", "--reference", "B", "--date", "2026-02-01"],
                 ["settle"]):
        result = CliRunner().invoke(
            app, ["fund", *args, "--contract", str(demo_contract_path()), "--as", "V001",
                  "--db", str(county.admin.engine.url.render_as_string(hide_password=False))],
            env={"ADJUDICATOR_LANG": ""})
        assert result.exit_code == 1, result.output
        assert result.output.startswith("错误：用户 V001（核查员）无权"), result.output
        assert "may not" not in result.output


def test_a_premium_beyond_the_amount_columns_is_refused_at_every_door(
        county: StagedCounty) -> None:
    """fund receive stored 99,999,999,999,999,999,999.00 on SQLite (PostgreSQL's NUMERIC(14,2)
    overflows) and took 1e5 as an amount."""
    from typer.testing import CliRunner

    from cli.main import app

    url = county.admin.engine.url.render_as_string(hide_password=False)
    for typed, reason in (("99999999999999999999", "超出上限"), ("1e5", "金额无效"),
                          ("1000000000000", "超出上限")):
        result = CliRunner().invoke(
            app, ["fund", "receive", "--amount", typed, "--reference", "R", "--date",
                  "2026-02-01", "--contract", str(demo_contract_path()), "--as", "zhao",
                  "--db", url], env={"ADJUDICATOR_LANG": ""})
        assert result.exit_code == 1 and reason in result.output, result.output
    with county.admin.factory() as session:
        assert session.scalar(select(func.count()).select_from(FundReceipt)) == 0


def test_the_warning_share_comes_from_the_contract(county: StagedCounty,
                                                  contract: Contract) -> None:
    officer = county.admin.as_user("zhao")
    quiet = fund_status(officer, contract, dt.date(2026, 12, 31))
    assert quiet.incurred > 0 and quiet.warning is None
    text = demo_contract_path().read_text(encoding="utf-8").replace(
        'warning_share = "0.8"', 'warning_share = "0.01"')
    tight = parse_contract(text.encode())
    loud = fund_status(officer, tight, dt.date(2026, 12, 31))
    assert loud.warning_at == (tight.fund_for_claims * Decimal("0.01")).quantize(
        Decimal("0.01"))
    assert loud.warning is not None and loud.warning.startswith("预警：已支付与已承诺合计")


def test_settling_twice_gives_the_same_statement_and_records_it_once(
        county: StagedCounty, contract: Contract, tmp_path: Path) -> None:
    paid = _pay_over_months(county)
    officer = county.admin.as_user("zhao")
    with pytest.raises(PermissionDenied):
        settle_year(county.admin.as_user("sun"), contract)
    first = settle_year(officer, contract, tmp_path / "a.pdf", tmp_path / "a.xlsx")
    county.clock.advance(days=40)
    again = settle_year(officer, contract, tmp_path / "b.pdf", tmp_path / "b.xlsx")
    assert (first.revision, first.new, again.revision, again.new) == (1, True, 1, False)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    status = fund_status(officer, contract, dt.date(2026, 12, 31))
    s = first.figures["settlement"]
    assert (Decimal(s["paid_net"]), Decimal(s["committed"])) == (status.paid_net,
                                                                 status.committed)
    assert [(c["claim_id"], Decimal(c["amount"])) for c in first.figures["open_claims"]] == [
        (c.claim_id, c.amount) for c in status.open_claims]
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "a.pdf").pages)
    assert "示范县2026年度防贫保险资金结算单" in text
    assert f"{Decimal(s['county_refund']):,.2f}" in text
    assert "年末未结案件" in text and status.open_claims[0].claim_id in text

    # A payment after the first settlement changes the figures: a second revision.
    mark_paid(county.admin.as_user("li"), _approved(county.admin, 1)[0])
    revised = settle_year(officer, contract)
    assert (revised.revision, revised.new) == (2, True)
    with county.admin.factory() as session:
        kinds = session.execute(select(func.count()).select_from(Event).where(
            Event.kind == "fund.settled")).scalar_one()
        rows = session.execute(select(FundSettlement.revision)).scalars().all()
        assert verify_chain(session)[1] is None
    assert (kinds, sorted(rows)) == (2, [1, 2])
    assert paid  # the first nine were paid before settling


def test_a_transfer_the_bank_has_not_confirmed_is_committed_not_paid(
        county: StagedCounty, contract: Contract) -> None:
    """Issue 21: the fund's figures use the payments the bank confirmed."""
    officer = county.admin.as_user("zhao")
    claim_id = _approved(county.admin, 1)[0]
    before = fund_status(officer, contract, dt.date(2026, 12, 31))
    with transaction(county.admin.factory) as session:  # sent, no return file yet
        claim = session.get(Claim, claim_id)
        session.add(Payment(claim_id=claim_id, decision_id=claim.current_decision_id,
                            household_id=claim.household_id, amount=claim.final_paid,
                            kind="payout", batch_ref="PAY-SENT", paid_by="sup",
                            paid_at=county.admin.now()))
        claim.status = "paid"
        amount = claim.final_paid
    sent = fund_status(officer, contract, dt.date(2026, 12, 31))
    assert sent.paid == before.paid
    assert sent.committed_by_status["awaiting_bank"] == amount
    assert sent.committed == before.committed


def test_the_fund_commands_speak_chinese_then_english(county: StagedCounty,
                                                      tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    url = county.admin.engine.url.render_as_string(hide_password=False)

    def fund(*args: str, lang: str = "") -> str:
        result = CliRunner().invoke(
            app, [*(["--lang", lang] if lang else []), "fund", *args, "--contract",
                  str(demo_contract_path()), "--as", "zhao", "--db", url],
            env={"ADJUDICATOR_LANG": ""})
        assert result.exit_code == 0, result.output
        return "".join(result.stdout.split())

    received = fund("receive", "--amount", "1,000.00", "--reference", "B9", "--date",
                    "2026-02-01")
    assert received.startswith("已登记保费到账1,000.00元（2026-02-01，流水号B9")
    again = fund("receive", "--amount", "1000", "--reference", "B9", "--date", "2026-02-01",
                 lang="en")
    assert again.startswith("referenceB9alreadyrecorded(1,000.00yuan)")
    ledger = fund("status", "--as-of", "2026-12-31")
    assert "资金台账" in ledger and "年度保费" in ledger and "按救助类别兑现" in ledger
    assert "premium" not in ledger and "paid" not in ledger
    english = fund("status", "--as-of", "2026-12-31", lang="en")
    assert "premium" in english and "paidbycategory" in english and "年度保费" not in english
    settled = fund("settle", "--out", str(tmp_path))
    assert "次核算，已记录" in settled and "年末未结案件" in settled
    same = fund("settle", "--out", str(tmp_path), lang="en")
    assert "revision1,thesameastheonerecorded" in same and "claimsopenattheyear'send" in same


def test_whatif_speaks_chinese_then_english(county: StagedCounty) -> None:
    from typer.testing import CliRunner

    from cli.main import app
    from tariffs import shipped_tariff_paths

    url = county.admin.engine.url.render_as_string(hide_password=False)
    args = ["whatif", "--tariff", str(shipped_tariff_paths()[0]), "--year", "2026", "--as",
            "zhao", "--db", url]
    zh = CliRunner().invoke(app, args, env={"ADJUDICATOR_LANG": ""})
    assert zh.exit_code == 0, zh.output
    said = "".join(zh.stdout.split())
    assert said.startswith("测算demo-county/2026：重新理算") and "户数变化" in said
    assert "actual" not in said and "households" not in said
    en = CliRunner().invoke(app, ["--lang", "en", *args])
    said = "".join(en.stdout.split())
    assert said.startswith("what-ifdemo-county/2026:") and "newlypaid" in said
    assert "户数变化" not in said


def test_a_reference_or_note_beyond_its_column_is_refused(county: StagedCounty) -> None:
    """fund receive stored a 65-character reference (or a note over 200) whole on SQLite;
    PostgreSQL's VARCHAR(64) and VARCHAR(200) stop it with a DataError traceback."""
    from typer.testing import CliRunner

    from cli.main import app

    url = county.admin.engine.url.render_as_string(hide_password=False)
    for extra in (["--reference", "R" * 65], ["--reference", "R", "--note", "注" * 201]):
        result = CliRunner().invoke(
            app, ["fund", "receive", "--amount", "100.00", "--date", "2026-02-01",
                  "--contract", str(demo_contract_path()), "--as", "zhao", "--db", url,
                  *extra], env={"ADJUDICATOR_LANG": ""})
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert result.output.strip() == "错误：流水号最多 64 个字，备注最多 200 个字"
    with county.admin.factory() as session:
        assert session.scalar(select(func.count()).select_from(FundReceipt)) == 0
