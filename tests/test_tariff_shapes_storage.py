"""Tariff shapes of real programs on the stored system, on SQLite and PostgreSQL: imports of
causes, the parts of a loss and a tariff's own categories (by label), the member's history
under a per-person cap, the waiting that guards it, and documents printing the label."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from adjudicator.intake import import_claims, import_households
from adjudicator.rules.tariff import load_tariff
from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.review import resolve
from adjudicator.services.tariffs import store_tariff
from adjudicator.storage.db import transaction
from adjudicator.storage.models import Claim, DecisionRecord, Verification
from tests.casebuilder import DEMO_ITEMS, valid_id

pytestmark = pytest.mark.usefixtures("late_in_2026")

PLUS = Path(__file__).parent / "data" / "demo-county-plus-2026.toml"


def load_plus(ctx) -> None:
    with transaction(ctx.factory) as session:
        store_tariff(session, load_tariff(PLUS), PLUS.read_bytes(), ctx.user_id, ctx.now())


def write_households(path: Path) -> Path:
    rows = ["户编号,行政区划代码,户类别,村名,成员编号,姓名,身份证号码,与户主关系"]
    for household, category, first in (("H1", "边缘易致贫户", 1), ("H2", "一般农户", 11)):
        for m in (1, 2):
            id_number = valid_id(seq=f"{first + m - 1:03d}")
            rows.append(f"{household},330102001001,{category},示范村,M{m},张{'三四'[m - 1]},"
                        f"{id_number},{'户主' if m == 1 else '配偶'}")
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return path


CLAIMS_HEADER = ("申请编号,户编号,成员编号,救助类别,发生日期,来源,致灾原因,医疗总费用,"
                 "核定损失,救灾救助,责任方赔偿,机动车损失")


def verify(ctx, claim_ids: list[str], wages: str = "10000") -> None:
    """Record a submitted verification for each claim and move it to verified."""
    now = ctx.now()
    with transaction(ctx.factory) as session:
        for claim in session.execute(select(Claim).where(Claim.claim_id.in_(claim_ids))
                                     ).scalars():
            claim.status = "verified"
            session.add(Verification(
                claim_id=claim.claim_id, household_id=claim.household_id, verifier_id="v1",
                verified_on=dt.date(2026, 11, 1), status="submitted", created_at=now,
                created_by="v1", payload={
                    "verified_on": "2026-11-01", "verifier_id": "v1",
                    "income": [{"kind": "wage", "amount": wages}], "costs": [],
                    "negative_list": dict.fromkeys(DEMO_ITEMS, False)}))


def decision(ctx, claim_id: str) -> tuple[dict, dict]:
    with ctx.factory() as session:
        record = session.execute(select(DecisionRecord).where(
            DecisionRecord.claim_id == claim_id).order_by(DecisionRecord.seq.desc())
        ).scalars().first()
        assert record is not None, claim_id
        return orjson.loads(record.case_json), orjson.loads(record.decision_json)


def test_imports_and_decisions_of_a_real_program(admin_ctx, tmp_path: Path) -> None:
    load_plus(admin_ctx)
    sup = admin_ctx.as_user("sup")
    assert import_households(sup, write_households(tmp_path / "h.csv")).rejected == 0
    claims = tmp_path / "claims.csv"
    claims.write_text("\n".join([
        CLAIMS_HEADER,
        "K-THEFT,H1,M2,因被盗,2026-03-01,个人申请,被盗,,9000,1000,,",
        "K-QUAKE,H1,M2,因灾,2026-03-02,应急管理,地震,,30000,,,",
        "K-FIRE,H1,M2,因灾,2026-03-03,应急管理,火灾,,40000,,500,8000",
        "K-GENERAL,H2,M1,因病,2026-03-04,医保,,20000,,,,",
        "K-UNKNOWN,H1,M1,livestock,2026-03-05,个人申请,,,9000,,,",
        "K-WORDS,H1,M1,因车祸,2026-03-05,个人申请,,,9000,,,",
        "K-SHAPE,H1,M1,theft,2026-03-06,个人申请,,9000,,,,",
        "K-CAUSE,H1,M1,因灾,2026-03-07,应急管理,陨石,,9000,,,",
    ]) + "\n", "utf-8")
    errors = tmp_path / "errors.csv"
    result = import_claims(sup, claims, errors)
    assert (result.accepted, result.rejected) == (4, 4)
    report = errors.read_text("utf-8")
    assert "unknown claim category '因车祸'" in report
    assert "UNKNOWN_CATEGORY" in report and "no stored tariff defines the claim category" \
        in report
    assert "CATEGORY_SHAPE" in report and "disaster-shaped" in report
    assert "致灾原因" in report  # the unknown cause, named by its column
    with admin_ctx.factory() as session:
        theft = session.get(Claim, "K-THEFT")
        assert (theft.category, theft.cause) == ("theft", "theft")
        assert theft.amounts == {"assessed_loss": "9000.00", "insurance_paid": "0.00",
                                 "relief_paid": "1000.00"}
        fire = session.get(Claim, "K-FIRE")
        assert fire.amounts["liable_party_paid"] == "500.00"
        assert fire.amounts["motor_vehicle_loss"] == "8000.00"
        assert session.get(Claim, "K-GENERAL").cause is None
    # The same file again changes nothing.
    again = import_claims(sup, claims, errors)
    assert (again.accepted, again.unchanged, again.rejected) == (0, 4, 4)

    verify(admin_ctx, ["K-THEFT", "K-QUAKE", "K-FIRE", "K-GENERAL"], wages="20000")
    adjudicate_ready(sup)
    case, theft_decision = decision(admin_ctx, "K-THEFT")
    assert case["claim"]["disaster"]["assessed_loss"] == "9000.00"
    assert case["claim"]["cause"] == "theft"
    assert (theft_decision["outcome"], theft_decision["payout"]) == ("approved", "3000.00")
    assert decision(admin_ctx, "K-QUAKE")[1]["reasons"] == ["CAUSE_EXCLUDED"]
    fire_decision = decision(admin_ctx, "K-FIRE")[1]
    assert fire_decision["eligible_expense"] == "31500.00"  # 40000 - 500 - 8000
    assert decision(admin_ctx, "K-GENERAL")[1]["reasons"] == ["HOUSEHOLD_CATEGORY_NOT_COVERED"]


def test_the_member_history_and_the_waiting_under_a_per_person_cap(admin_ctx,
                                                                   tmp_path: Path) -> None:
    load_plus(admin_ctx)
    sup = admin_ctx.as_user("sup")
    import_households(sup, write_households(tmp_path / "h.csv"))
    claims = tmp_path / "claims.csv"
    claims.write_text("\n".join([
        CLAIMS_HEADER,
        "K-BIG,H1,M1,因病,2026-03-01,医保,,150000,,,,",     # pays the person cap: 60000
        "K-LATER,H1,M1,因灾,2026-04-01,应急管理,火灾,,40000,,,",  # same member, later
        "K-OTHER,H1,M2,因被盗,2026-05-01,个人申请,被盗,,9000,1000,,",  # another member
    ]) + "\n", "utf-8")
    assert import_claims(sup, claims).accepted == 3
    verify(admin_ctx, ["K-BIG", "K-LATER", "K-OTHER"])

    first = adjudicate_ready(sup)
    assert first.decided == 1  # the others wait: a pended payout guards the caps
    assert {claim for claim, _ in first.waiting} == {"K-LATER", "K-OTHER"}
    case, big = decision(admin_ctx, "K-BIG")
    assert (big["outcome"], big["payout"], big["reasons"]) == (
        "pended", "60000.00", ["PEND_LARGE_PAYOUT"])
    assert case["history"]["paid_member_all_categories_to_date"] == "0.00"

    resolve(admin_ctx.as_user("off"), "K-BIG", "approve", "村级评议通过")
    adjudicate_ready(sup)
    adjudicate_ready(sup)
    later_case, later = decision(admin_ctx, "K-LATER")
    assert later_case["history"] == {
        "eligible_expense_to_date": "0.00", "paid_to_date": "0.00",
        "paid_all_categories_to_date": "60000.00",
        "paid_member_all_categories_to_date": "60000.00"}
    assert (later["outcome"], later["reasons"]) == ("denied", ["CAP_REACHED"])
    other_case, other = decision(admin_ctx, "K-OTHER")
    assert other_case["history"]["paid_member_all_categories_to_date"] == "0.00"
    assert other_case["history"]["paid_all_categories_to_date"] == "60000.00"
    assert (other["outcome"], other["payout"]) == ("approved", "3000.00")
    with admin_ctx.factory() as session:
        paid = sum((c.final_paid or Decimal(0)) for c in session.execute(
            select(Claim).where(Claim.member_id == "M1", Claim.household_id == "H1")).scalars())
    assert paid == Decimal("60000.00")


def test_documents_print_a_tariff_category_by_its_label(admin_ctx, tmp_path: Path) -> None:
    from pypdf import PdfReader

    from adjudicator.services.documents import decision_records, summary_report
    from adjudicator.services.notices import create_notices

    load_plus(admin_ctx)
    sup = admin_ctx.as_user("sup")
    import_households(sup, write_households(tmp_path / "h.csv"))
    claims = tmp_path / "claims.csv"
    claims.write_text(CLAIMS_HEADER + "\nK-THEFT,H1,M2,因被盗,2026-03-01,个人申请,被盗,,9000,"
                      "1000,,\n", "utf-8")
    import_claims(sup, claims)
    verify(admin_ctx, ["K-THEFT"], wages="20000")
    adjudicate_ready(sup)
    officer = admin_ctx.as_user("off")

    (notice,) = create_notices(officer, tmp_path / "docs")
    (record,) = decision_records(officer, tmp_path / "docs", ["K-THEFT"])
    for path in (notice.pdf, record.path):
        assert path is not None
        text = "".join(page.extract_text() for page in PdfReader(path).pages)
        assert "因被盗" in text, path
    pdf = tmp_path / "summary.pdf"
    summary_report(officer, pdf, None, title="总结", period_label="2026年",
                   issuing_office="示范县", year=2026)
    assert "因被盗" in "".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_an_old_demo_database_migrates_and_replays_identically(tmp_path: Path) -> None:
    """A demo database written by the engine before tariff shapes existed (`adjudicator demo
    --households 40 --seed 7`, SQLite): migrated by `adjudicator init`, every stored decision
    replays byte for byte, and its tariff still decides its claims as before."""
    import gzip

    from typer.testing import CliRunner

    from cli.main import app

    old = tmp_path / "old-demo.db"
    old.write_bytes(gzip.decompress(
        (Path(__file__).parent / "data" / "demo-before-tariff-shapes.db.gz").read_bytes()))
    url = f"sqlite:///{old}"
    runner = CliRunner()
    init = runner.invoke(app, ["init", "--db", url])
    assert init.exit_code == 0, init.output
    replayed = runner.invoke(app, ["replay", "--db", url, "--as", "sun"])
    assert replayed.exit_code == 0, replayed.output
    assert "重放 41 件决定：41 件完全一致，0 件不同" in replayed.output


def test_a_cause_established_later_completes_the_claim(admin_ctx, tmp_path: Path) -> None:
    """A disaster claim without a cause pends (the visit establishes it); the claims file
    imported again with the cause stores it, and the next run decides the claim."""
    load_plus(admin_ctx)
    sup = admin_ctx.as_user("sup")
    import_households(sup, write_households(tmp_path / "h.csv"))
    claims = tmp_path / "claims.csv"
    claims.write_text(CLAIMS_HEADER + "\nK-FLOOD,H1,M1,因灾,2026-07-01,应急管理,,,30000,,,\n",
                      "utf-8")
    import_claims(sup, claims)
    verify(admin_ctx, ["K-FLOOD"], wages="20000")
    adjudicate_ready(sup)
    assert decision(admin_ctx, "K-FLOOD")[1]["reasons"] == ["PEND_INCOMPLETE_VERIFICATION"]

    claims.write_text(CLAIMS_HEADER + "\nK-FLOOD,H1,M1,因灾,2026-07-01,应急管理,洪涝,,30000,,,\n",
                      "utf-8")
    result = import_claims(sup, claims)
    assert (result.accepted, result.updated, result.rejected) == (1, 1, 0)
    with admin_ctx.factory() as session:
        claim = session.get(Claim, "K-FLOOD")
        assert (claim.cause, claim.status) == ("flood", "verified")
    adjudicate_ready(sup)
    case, flood = decision(admin_ctx, "K-FLOOD")
    assert case["claim"]["cause"] == "flood"
    assert (flood["outcome"], flood["payout"]) == ("approved", "11000.00")
    # Another cause for a claim that has one is a different claim: refused.
    claims.write_text(CLAIMS_HEADER + "\nK-FLOOD,H1,M1,因灾,2026-07-01,应急管理,火灾,,30000,,,\n",
                      "utf-8")
    assert import_claims(sup, claims).rejected == 1
