"""The monthly department feeds on both databases: import (matching, error report, total rows,
GBK and XLSX, refunds, idempotence), warning lines and the push list (first crossing, growth,
no double count, each screening reason), the township's screening (claims and tasks),
verification reuse, and the monthly report."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adjudicator.feeds import strangers as stored_strangers
from adjudicator.feeds.importer import FeedRefused, import_feed
from adjudicator.feeds.redecision import pending_redecisions
from adjudicator.feeds.report import feed_report, report_pdf, report_xlsx
from adjudicator.feeds.screen import screen_month
from adjudicator.feeds.triage import (
    TriageRefused,
    keep_household,
    push_entries,
    remove_household,
)
from adjudicator.intake.report import read_report
from adjudicator.roles import PermissionDenied
from adjudicator.rules.tariff import TariffError, parse_tariff
from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.users import add_user
from adjudicator.storage.db import transaction
from adjudicator.storage.models import (
    Claim,
    DecisionRecord,
    Event,
    Finding,
    Household,
    Member,
    Verification,
)
from adjudicator.storage.models_feeds import FeedRow, RedecisionRequest
from tariffs import demo_tariff_path
from tests.casebuilder import DEMO_ITEMS, valid_id
from tests.seed import load_demo_tariff

MEDICAL_HEADER = ["结算ID", "身份证号", "姓名", "结算时间", "医疗费总额", "全自费金额",
                  "统筹基金支出", "医疗救助基金支出", "个人支付金额", "退费结算标志", "原结算ID"]


def person(household: int, member: int) -> str:
    """A distinct valid ID number per household and member."""
    return valid_id("330102", birth=f"1970{1 + household % 12:02d}{1 + member:02d}",
                    seq=f"{household % 1000:03d}")


def add_household(ctx, number: int, region: str = "330102001001", members: int = 3) -> str:
    household_id = f"H{number:03d}"
    now = ctx.now()
    with transaction(ctx.factory) as session:
        session.add(Household(household_id=household_id, region_code=region,
                              township_code=region[:9], village_code=region,
                              village_name="示范村", township_name="示范镇", category="edge",
                              created_at=now, updated_at=now))
        session.flush()
        for m in range(members):
            session.add(Member(household_id=household_id, member_id=f"M{m + 1}",
                               name=f"王{'一二三四'[m]}", id_number=person(number, m),
                               relation="head" if m == 0 else "child", counted=True))
    return household_id


def medical_row(setl: str, household: int, member: int = 0, date: str = "2026-03-10",
                total: str = "30000", ownpay: str = "0", fund: str = "10000",
                maf: str = "0", refund: str = "", original: str = "") -> list[str]:
    psn = str(Decimal(total) - Decimal(fund) - Decimal(maf))
    return [setl, person(household, member), f"王{'一二三四'[member]}", date, total, ownpay,
            fund, maf, psn, refund, original]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = MEDICAL_HEADER,
              encoding: str = "gbk", title: str | None = "2026年3月医保结算数据",
              total: bool = True) -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        if title:
            writer.writerow([title])
        writer.writerow(header)
        writer.writerows(rows)
        if total:
            writer.writerow(["合计", "", "", "", "99999"] + [""] * (len(header) - 5))
    return path


@pytest.fixture
def county(admin_ctx):
    """The demo tariff, verifier v1 covering the township, households H001 to H006."""
    ctx = admin_ctx
    load_demo_tariff(ctx)
    with transaction(ctx.factory) as session:
        from adjudicator.storage.models import User
        session.get(User, "v1").townships = ["330102001"]
    add_user(ctx, "offa", "officer", "乡镇干部", townships=["330102001"])
    add_user(ctx, "offb", "officer", "别的乡镇", townships=["330102002"])
    for number in range(1, 7):
        add_household(ctx, number)
    return ctx


def sup(ctx):
    return ctx.as_user("sup")


def stranger_value(session, record_no: str, column: str):
    """A stored row of a person not registered: one of its values, marks applied."""
    found = stored_strangers.rows(session).filter(record_no=record_no)
    return found[column].item() if found.height else None


def test_import_matches_by_id_number_and_reports_bad_rows_in_chinese(county, tmp_path):
    path = write_csv(tmp_path / "med.csv", [
        medical_row("S1", 1),
        medical_row("S2", 2, member=1),
        [*medical_row("S3", 9)[:1], valid_id("110101", seq="777"),
         *medical_row("S3", 9)[2:]],                                     # not registered
        [*medical_row("S4", 3)[:1], person(3, 0)[:-1] + ("0" if person(3, 0)[-1] != "0"
                                                         else "1"), *medical_row("S4", 3)[2:]],
        [*medical_row("S5", 4)[:2], "李四", *medical_row("S5", 4)[3:]],  # wrong name
        medical_row("S6", 5, date="2026-04-02"),                          # after the month
        [*medical_row("S7", 5)[:4], "abc", *medical_row("S7", 5)[5:]],
        medical_row("S8", 5, refund="7"),  # neither a refund nor not: was read as not
    ])
    result = import_feed(sup(county), "medical", path, "2026-03")
    assert (result.rows_total, result.accepted, result.matched, result.unmatched,
            result.rejected, result.total_rows_skipped) == (8, 3, 2, 1, 5, 1)
    report = read_report(path.with_name("med.csv.errors.csv"))
    found = {(r["row"], r["field"], r["code"]) for r in report}
    assert found == {("6", "身份证号", "INVALID_ID_NUMBER"), ("7", "姓名", "NAME_MISMATCH"),
                     ("8", "结算时间", "DATE_AFTER_MONTH"), ("9", "医疗费总额", "INVALID_AMOUNT"),
                     ("10", "退费结算标志", "INVALID_VALUE")}
    assert all(r["file"] == "med.csv" for r in report)
    assert any("晚于导入月份" in r["reason"] for r in report)
    assert person(4, 0) not in path.with_name("med.csv.errors.csv").read_text("utf-8-sig")
    with county.factory() as session:
        rows = {r.record_no: r for r in session.execute(select(FeedRow)).scalars()}
    assert rows["S1"].household_id == "H001" and rows["S1"].member_id == "M1"
    assert rows["S2"].member_id == "M2"
    assert "S3" not in rows  # not registered: in the blobs of such rows
    with county.factory() as session:
        assert stranger_value(session, "S3", "id_number") == valid_id("110101", seq="777")
    assert rows["S1"].figures["compliant_out_of_pocket"] == "20000.00"
    assert rows["S1"].figures["basic_insurance_paid"] == "10000.00"


def test_platform_field_codes_utf8_and_xlsx(county, tmp_path):
    from openpyxl import Workbook

    codes = ["setl_id", "certno", "psn_name", "setl_time", "medfee_sumamt", "fulamt_ownpay_amt",
             "hifp_pay", "maf_pay", "psn_pay", "refd_setl_flag", "init_setl_id"]
    path = write_csv(tmp_path / "codes.csv", [medical_row("C1", 1)], header=codes,
                     encoding="utf-8-sig", title=None, total=False)
    assert import_feed(sup(county), "medical", path, "2026-03").matched == 1
    book = Workbook()
    sheet = book.active
    sheet.append(["2026年3月 结算清单"])
    sheet.append(MEDICAL_HEADER)
    sheet.append([*medical_row("X1", 2)[:4], 25000, 0, 5000, 0, 20000, None, None])
    sheet.append(["合计", None, None, None, 25000])
    book.save(tmp_path / "med.xlsx")
    result = import_feed(sup(county), "medical", tmp_path / "med.xlsx", "2026-03")
    assert (result.accepted, result.matched, result.total_rows_skipped) == (1, 1, 1)


def test_missing_column_refuses_the_file(county, tmp_path):
    header = [h for h in MEDICAL_HEADER if h != "结算时间"]
    path = write_csv(tmp_path / "bad.csv", [medical_row("S1", 1)[:3] + medical_row("S1", 1)[4:]],
                     header=header)
    with pytest.raises(FeedRefused, match="required column is missing: setl_time") as refused:
        import_feed(sup(county), "medical", path, "2026-03")
    assert "缺少必需的列：结算时间" in refused.value.localized("zh")
    with county.factory() as session:
        assert session.scalar(select(func.count()).select_from(FeedRow)) == 0
    with pytest.raises(FeedRefused, match="YYYY-MM"):
        import_feed(sup(county), "medical", path, "2026-3")


def test_reimporting_a_month_changes_nothing(county, tmp_path):
    path = write_csv(tmp_path / "med.csv", [medical_row("S1", 1), medical_row("S2", 2)])
    first = import_feed(sup(county), "medical", path, "2026-03")
    with county.factory() as session:
        events = session.scalar(select(func.count()).select_from(Event))
    again = import_feed(sup(county), "medical", path, "2026-03")
    assert (first.accepted, again.accepted, again.unchanged) == (2, 0, 2)
    with county.factory() as session:
        assert session.scalar(select(func.count()).select_from(FeedRow)) == 2
        assert session.scalar(select(func.count()).select_from(Event)) == events
    changed = write_csv(tmp_path / "med2.csv", [medical_row("S1", 1, total="31000")])
    assert import_feed(sup(county), "medical", changed, "2026-03").rejected == 1


def test_a_refund_reverses_its_settlement(county, tmp_path):
    import_feed(sup(county), "medical", write_csv(tmp_path / "a.csv", [
        medical_row("S1", 1), medical_row("S2", 1, total="12000", fund="2000")]), "2026-03")
    refund = medical_row("R1", 1, total="-12000", fund="-2000", refund="1", original="S2")
    orphan = medical_row("R2", 1, total="-100", fund="0", refund="1", original="NOPE")
    result = import_feed(sup(county), "medical", write_csv(tmp_path / "b.csv",
                                                           [refund, orphan]), "2026-03")
    assert (result.reversed, result.rejected) == (1, 1)
    with county.factory() as session:
        assert session.scalar(select(FeedRow.reversed_by)
                              .where(FeedRow.record_no == "S2")) == "R1"
    entry = screen_month(sup(county), "2026-03").entries[0]
    assert entry.figure == Decimal("20000.00")  # S1 only: S2 was reversed


def _screen(ctx, month="2026-03"):
    return {(e.household_id, e.category): e for e in screen_month(sup(ctx), month).entries}


def stranger_row(setl: str, total: str = "30000", fund: str = "10000", refund: str = "",
                 original: str = "") -> list[str]:
    """A settlement of a person who is not registered (household 50's first member)."""
    return medical_row(setl, 50, total=total, fund=fund, refund=refund, original=original)


def test_reimporting_a_strangers_rows_changes_nothing(county, tmp_path):
    path = write_csv(tmp_path / "med.csv", [stranger_row("U1"), stranger_row("U2")])
    first = import_feed(sup(county), "medical", path, "2026-03")
    again = import_feed(sup(county), "medical", path, "2026-03")
    assert (first.accepted, first.unmatched, again.accepted, again.unchanged) == (2, 2, 0, 2)
    with county.factory() as session:
        assert stored_strangers.rows(session).height == 2
        assert session.scalar(select(func.count()).select_from(FeedRow)) == 0
    changed = write_csv(tmp_path / "med2.csv", [stranger_row("U1", total="31000")])
    assert import_feed(sup(county), "medical", changed, "2026-03").rejected == 1


def test_a_refund_reverses_a_strangers_settlement(county, tmp_path):
    import_feed(sup(county), "medical", write_csv(tmp_path / "a.csv", [
        stranger_row("U1"), stranger_row("U2", total="12000", fund="2000")]), "2026-03")
    refund = stranger_row("R1", total="-12000", fund="-2000", refund="1", original="U2")
    result = import_feed(sup(county), "medical", write_csv(tmp_path / "b.csv", [refund]),
                         "2026-03")
    assert (result.reversed, result.rejected) == (1, 0)
    again = import_feed(sup(county), "medical", write_csv(tmp_path / "c.csv", [
        stranger_row("R2", total="-12000", fund="-2000", refund="1", original="U2")]),
        "2026-03")
    assert again.rejected == 1
    with county.factory() as session:
        assert stranger_value(session, "U2", "reversed_by") == "R1"
        assert stranger_value(session, "R1", "reverses") == "U2"


def test_a_person_registered_later_is_matched_at_the_next_screening(county, tmp_path):
    rows = [stranger_row("U1", total="80000", fund="10000"),
            stranger_row("U2", total="12000", fund="2000"),
            stranger_row("R1", total="-12000", fund="-2000", refund="1", original="U2")]
    result = import_feed(sup(county), "medical", write_csv(tmp_path / "a.csv", rows),
                         "2026-03")
    assert (result.unmatched, result.reversed) == (2, 1)
    first = screen_month(sup(county), "2026-03")
    assert [e.reason for e in first.entries] == ["NOT_REGISTERED"]
    add_household(county, 50)
    second = screen_month(sup(county), "2026-03")
    assert [(e.household_id, e.figure) for e in second.entries
            if e.reason != "NOT_REGISTERED"] == [("H050", Decimal("70000.00"))]
    with county.factory() as session:
        assert stored_strangers.rows(session).height == 0
        moved = {r.record_no: r for r in session.execute(select(FeedRow)).scalars()}
    assert {k: (r.household_id, r.member_id, r.reversed_by, r.reverses)
            for k, r in moved.items()} == {"U1": ("H050", "M1", None, None),
                                          "U2": ("H050", "M1", "R1", None),
                                          "R1": ("H050", "M1", None, "U2")}
    again = import_feed(sup(county), "medical", write_csv(tmp_path / "a.csv", rows), "2026-03")
    assert (again.accepted, again.unchanged) == (0, 3)


def test_warning_line_first_crossing_growth_and_no_double_count(county, tmp_path):
    # H001: 20,000 compliant out-of-pocket (over 18,000); H002: 10,000 (under)
    import_feed(sup(county), "medical", write_csv(tmp_path / "m3.csv", [
        medical_row("S1", 1), medical_row("S2", 2, total="20000")]), "2026-03")
    march = _screen(county)
    assert list(march) == [("H001", "medical")]
    assert march[("H001", "medical")].status == "pushed"
    assert march[("H001", "medical")].new_figure == Decimal("20000.00")
    keep_household(county.as_user("offa"), "2026-03", "H001")
    # April: H001 adds nothing -> not pushed again; H002 crosses for the first time
    import_feed(sup(county), "medical", write_csv(tmp_path / "m4.csv", [
        medical_row("S3", 2, date="2026-04-03", total="25000")]), "2026-04")
    april = _screen(county, "2026-04")
    assert list(april) == [("H002", "medical")]
    assert april[("H002", "medical")].figure == Decimal("25000.00")
    # May: H001 grows by 5,000 -> pushed again, only the new settlement counted as new
    import_feed(sup(county), "medical", write_csv(tmp_path / "m5.csv", [
        medical_row("S4", 1, date="2026-05-03", total="15000")]), "2026-05")
    may = _screen(county, "2026-05")
    assert may[("H001", "medical")].previous_figure == Decimal("20000.00")
    assert may[("H001", "medical")].figure == Decimal("25000.00")
    assert may[("H001", "medical")].new_figure == Decimal("5000.00")
    result = keep_household(county.as_user("offa"), "2026-05", "H001")
    with county.factory() as session:
        claim = session.get(Claim, result.claim_ids[0])
        assert claim.document_no == "S4"
        assert claim.amounts["total_cost"] == "15000.00"
        assert session.scalar(select(func.count()).select_from(Claim)) == 2


def test_settlement_already_in_an_imported_claim_is_not_counted_again(county, tmp_path):
    from tests.seed import add_claim

    add_claim(county, "K1", "H001", "30000", document_no="S1", status="screened")
    import_feed(sup(county), "medical", write_csv(tmp_path / "m.csv", [medical_row("S1", 1)]),
                "2026-03")
    entry = _screen(county)[("H001", "medical")]
    assert (entry.status, entry.reason, entry.new_figure) == ("screened_out", "ALREADY_CLAIMED",
                                                              Decimal("0.00"))
    with county.factory() as session:
        assert session.scalar(select(FeedRow.claim_id).where(FeedRow.record_no == "S1")) == "K1"


def _verification(ctx, household_id, claim_id, on, wages):
    now = ctx.now()
    with transaction(ctx.factory) as session:
        session.add(Claim(claim_id=claim_id, household_id=household_id, member_id="M1",
                          category="medical", event_date=on, source="application",
                          document_no=claim_id, amounts={"total_cost": "100"},
                          status="verified", received_at=now, updated_at=now))
        session.flush()
        session.add(Verification(
            claim_id=claim_id, household_id=household_id, verifier_id="v1", verified_on=on,
            status="submitted", created_at=now, created_by="v1",
            payload={"verified_on": on.isoformat(), "verifier_id": "v1",
                     "income": [{"kind": "wage", "amount": wages}], "costs": [],
                     "negative_list": dict.fromkeys(DEMO_ITEMS, False)}))


def test_each_screening_reason(county, tmp_path):
    add_household(county, 7, region="330999001001")                  # no tariff covers it
    now = county.now()
    with transaction(county.factory) as session:
        session.add(Finding(household_id="H002", source="vehicle_registry", item="VEHICLE",
                            found=True, detail="小轿车", row_key="f1"))
        session.add(Claim(claim_id="PAID", household_id="H005", member_id="M1",
                          category="medical", event_date=dt.date(2026, 2, 1),
                          source="application", document_no="PAID", amounts={},
                          status="paid", final_counted_expense=Decimal("200000"),
                          final_paid=Decimal("100000"), received_at=now, updated_at=now))
    _verification(county, "H003", "V3", dt.date(2026, 1, 20), "90000")  # 30,000 a head
    from tests.seed import add_claim
    add_claim(county, "K4", "H004", "30000", document_no="S4", status="screened")
    stranger = valid_id("110101", seq="777")
    rows = [medical_row(f"S{n}", n) for n in (1, 2, 3, 4, 5)]
    rows.append([*medical_row("S7", 7)])
    rows.append(["S9", stranger, "赵六", *medical_row("S9", 1)[3:]])
    import_feed(sup(county), "medical", write_csv(tmp_path / "m.csv", rows), "2026-03")
    with transaction(county.factory) as session:
        session.get(Member, session.scalar(select(Member.pk).where(
            Member.household_id == "H007", Member.member_id == "M1"))).id_number = person(7, 0)
    entries = screen_month(sup(county), "2026-03").entries
    reasons = {e.household_id: (e.status, e.reason) for e in entries}
    assert reasons["H001"] == ("pushed", None)
    assert reasons["H002"] == ("screened_out", "NEGATIVE_ITEM_FOUND")
    assert reasons["H003"] == ("screened_out", "HIGH_INCOME_VERIFIED")
    assert reasons["H004"] == ("screened_out", "ALREADY_CLAIMED")
    assert reasons["H005"] == ("screened_out", "AT_CAP")
    assert reasons["H007"] == ("screened_out", "REGION_NOT_COVERED")
    strangers = [e for e in entries if e.reason == "NOT_REGISTERED"]
    assert len(strangers) == 1 and stranger not in json.dumps(strangers[0].as_dict())
    from adjudicator.masking import mask_id_number
    from adjudicator.storage.models_feeds import FeedPush

    [alone] = strangers
    assert (alone.head, alone.note) == (mask_id_number(stranger),
                                        f"身份证号 {mask_id_number(stranger)}")
    assert (alone.township_code, alone.status, alone.members) == (stranger[:6],
                                                                   "screened_out", 1)
    assert alone.household_id.startswith("未登记-") and alone.figure == alone.new_figure
    with county.factory() as session:
        stored = session.execute(select(FeedPush).where(
            FeedPush.household_id == alone.household_id)).scalar_one()
    assert (stored.figure, stored.warning_line, stored.reason, stored.claim_ids) == (
        alone.figure, alone.warning_line, "NOT_REGISTERED", [])
    again = screen_month(sup(county), "2026-03")  # screened again: updated, not doubled
    assert [e.household_id for e in again.entries if e.reason == "NOT_REGISTERED"] == [
        alone.household_id]
    assert again.counts()["NOT_REGISTERED"] == 1
    # an officer sees the pushed households of their own townships only
    assert [e["household_id"] for e in push_entries(county.as_user("offa"), "2026-03",
                                                     statuses=("pushed",))] == ["H001"]
    assert len(push_entries(county.as_user("offa"), "2026-03")) == 5
    assert push_entries(county.as_user("offb"), "2026-03") == []


def test_township_keeps_with_claims_and_one_task_or_removes_with_a_reason(county, tmp_path):
    import_feed(sup(county), "medical", write_csv(tmp_path / "m.csv", [
        medical_row("S1", 1), medical_row("S2", 1, member=1, total="9000", fund="3000"),
        medical_row("S3", 2, total="25000", fund="2000")]), "2026-03")
    screen_month(sup(county), "2026-03")
    with pytest.raises(PermissionDenied):
        keep_household(county.as_user("offb"), "2026-03", "H001")
    with pytest.raises(PermissionDenied):
        keep_household(sup(county), "2026-03", "H001")
    result = keep_household(county.as_user("offa"), "2026-03", "H001", reason="大病住院")
    assert len(result.claim_ids) == 2 and result.verifier_id == "v1"
    assert result.due == dt.date(2026, 3, 20)  # 5 working days from Sunday 15 March
    with county.factory() as session:
        claims = list(session.execute(select(Claim).where(Claim.household_id == "H001")
                                      .order_by(Claim.member_id)).scalars())
    assert [c.document_no for c in claims] == ["S1", "S2"]
    assert {c.source for c in claims} == {"medical_insurance_feed"}
    assert {(c.status, c.assigned_verifier) for c in claims} == {("under_verification", "v1")}
    assert claims[1].amounts == {"total_cost": "9000.00", "non_compliant_cost": "0.00",
                                 "basic_insurance_paid": "3000.00",
                                 "critical_illness_paid": "0.00",
                                 "medical_assistance_paid": "0.00",
                                 "other_compensation": "0.00"}
    with pytest.raises(TriageRefused, match="needs its reason") as refused:
        remove_household(county.as_user("offa"), "2026-03", "H002", " ")
    assert "必须写明原因" in refused.value.localized("zh")
    removed = remove_household(county.as_user("offa"), "2026-03", "H002", "已享受特困供养")
    assert removed.status == "removed"
    with pytest.raises(TriageRefused):
        keep_household(county.as_user("offa"), "2026-03", "H002")
    report = feed_report(county, "2026-03")
    town = report.townships[0]
    assert (town.rows["medical"], town.matched, town.over_households, town.pushed_households,
            town.kept_households, town.tasks_households, town.tasks_persons) == (
            3, 3, 2, 2, 1, 1, 3)
    assert town.removed == {"TOWNSHIP_REMOVED": 1}
    assert report.missing == ["disaster", "education", "civil-affairs"]
    assert report_xlsx(report)[:2] == b"PK"


def test_reuse_of_a_recent_verification_and_the_snapshot_says_which(county, tmp_path):
    _verification(county, "H001", "V1", dt.date(2026, 2, 1), "4000")
    import_feed(sup(county), "medical", write_csv(tmp_path / "m.csv", [medical_row("S1", 1)]),
                "2026-03")
    screen_month(sup(county), "2026-03")
    result = keep_household(county.as_user("offa"), "2026-03", "H001")
    with county.factory() as session:
        reused_pk = session.scalar(select(Verification.pk).where(Verification.claim_id == "V1"))
        claim = session.get(Claim, result.claim_ids[0])
        assert claim.status == "verified" and claim.assigned_verifier is None
    assert result.reused_verification == reused_pk and result.verifier_id is None
    adjudicate_ready(sup(county))
    with county.factory() as session:
        record = session.execute(select(DecisionRecord).where(
            DecisionRecord.claim_id == result.claim_ids[0])).scalar_one()
    case = json.loads(record.case_json)
    assert case["verification"]["reused_from_claim"] == "V1"
    assert case["verification"]["reused_verification_id"] == reused_pk
    assert record.outcome == "approved"


def test_an_old_verification_is_not_reused(county, tmp_path):
    _verification(county, "H001", "V1", dt.date(2025, 11, 1), "4000")  # > 90 days before
    import_feed(sup(county), "medical", write_csv(tmp_path / "m.csv", [medical_row("S1", 1)]),
                "2026-03")
    screen_month(sup(county), "2026-03")
    result = keep_household(county.as_user("offa"), "2026-03", "H001")
    assert result.reused_verification is None and result.verifier_id == "v1"


def _decided_with_refund_ahead(county, tmp_path) -> str:
    """H001's March claim of settlements S1 (30,000) and S2 (8,000), decided."""
    _verification(county, "H001", "V1", dt.date(2026, 3, 1), "4000")
    import_feed(sup(county), "medical", write_csv(tmp_path / "m.csv", [
        medical_row("S1", 1), medical_row("S2", 1, total="8000", fund="2000")]), "2026-03")
    screen_month(sup(county), "2026-03")
    claim_id = keep_household(county.as_user("offa"), "2026-03", "H001").claim_ids[0]
    adjudicate_ready(sup(county))
    return claim_id


def _refund_s2(county, tmp_path) -> None:
    refund = medical_row("R2", 1, date="2026-03-20", total="-8000", fund="-2000", refund="1",
                         original="S2")
    import_feed(sup(county), "medical", write_csv(tmp_path / "r.csv", [refund]), "2026-03")


def _decisions(county, claim_id: str) -> list[DecisionRecord]:
    with county.factory() as session:
        return list(session.execute(select(DecisionRecord).where(
            DecisionRecord.claim_id == claim_id).order_by(DecisionRecord.seq)).scalars())


def test_a_refund_inside_a_decided_claim_is_decided_again(county, tmp_path):
    claim_id = _decided_with_refund_ahead(county, tmp_path)
    [first] = _decisions(county, claim_id)
    assert first.outcome == "approved"
    _refund_s2(county, tmp_path)
    with county.factory() as session:
        requests = list(session.execute(select(RedecisionRequest)).scalars())
        claim = session.get(Claim, claim_id)
        assert pending_redecisions(session) == []  # applied in the import's transaction
        kinds = [e.kind for e in session.execute(select(Event).where(
            Event.entity_id == claim_id).order_by(Event.seq)).scalars()]
    assert [(r.claim_id, r.reason) for r in requests] == [(claim_id, "settlement_reversed")]
    assert requests[0].amounts["total_cost"] == "30000.00" and requests[0].done_at
    assert claim.amounts["total_cost"] == "30000.00" and claim.status == "verified"
    assert claim.final_paid is None and claim.current_decision_id == first.decision_id
    assert kinds[-3:] == ["claim.redecision_requested", "claim.amounts_changed",
                          "claim.status"]
    adjudicate_ready(sup(county))
    old, new = _decisions(county, claim_id)
    assert json.loads(new.case_json)["claim"]["medical"]["total_cost"] == "30000.00"
    assert new.payout < old.payout and new.outcome == "approved"
    with county.factory() as session:
        claim = session.get(Claim, claim_id)
        made = session.execute(select(Event).where(Event.kind == "decision.made",
                                                   Event.entity_id == claim_id)
                               .order_by(Event.seq)).scalars().all()
    assert claim.status == "approved" and claim.final_paid == new.payout
    assert claim.current_decision_id == new.decision_id
    assert json.loads(made[-1].payload)["supersedes"] == old.decision_id


def test_a_refund_inside_a_paid_claim_is_recovered_never_paid_twice(county, clock, tmp_path):
    from adjudicator.services.audit import list_adjustments
    from adjudicator.services.notices import close_due_notices, create_notices
    from adjudicator.services.payments import pay_closed
    from adjudicator.storage.models import Payment
    from tests.seed import add_claim, card_number

    with transaction(county.factory) as session:
        head = session.execute(select(Member).where(Member.household_id == "H001",
                                                    Member.member_id == "M1")).scalar_one()
        head.bank_name, head.account_no = "农村信用社", card_number("H001")
        head.account_kind = "bank_card"
    claim_id = _decided_with_refund_ahead(county, tmp_path)
    add_claim(county, "LATER", "H001", "20000", event_date=dt.date(2026, 5, 1))
    adjudicate_ready(sup(county))
    create_notices(county.as_user("offa"), tmp_path, render=False)
    clock.advance(days=8)
    close_due_notices(county.as_user("offa"))
    assert pay_closed(sup(county), tmp_path).payments == 2
    [old] = _decisions(county, claim_id)
    [later_old] = _decisions(county, "LATER")

    _refund_s2(county, tmp_path)
    with county.factory() as session:
        assert session.get(Claim, claim_id).status == "verified"
        assert session.get(Claim, "LATER").status == "verified"  # the cascade follows
    adjudicate_ready(sup(county))
    _, new = _decisions(county, claim_id)
    _, later_new = _decisions(county, "LATER")
    assert new.payout < old.payout
    with county.factory() as session:
        claim, later = session.get(Claim, claim_id), session.get(Claim, "LATER")
        payments = session.scalar(select(func.count()).select_from(Payment))
    assert (claim.status, later.status) == ("paid", "paid")  # settled by the difference
    assert payments == 2  # nothing paid a second time
    recovery = {a.claim_id: a for a in list_adjustments(sup(county))}
    assert recovery[claim_id].kind == "recovery"
    assert recovery[claim_id].amount == old.payout - new.payout
    assert recovery[claim_id].status == "open"
    if later_new.payout != later_old.payout:
        assert recovery["LATER"].amount == abs(later_new.payout - later_old.payout)
    assert pay_closed(sup(county), tmp_path).payments == 0


def test_a_refund_inside_a_claim_in_notice_leaves_the_notice(county, tmp_path):
    from adjudicator.services.notices import create_notices
    from adjudicator.storage.models_notice import Notice

    claim_id = _decided_with_refund_ahead(county, tmp_path)
    [notice] = create_notices(county.as_user("offa"), tmp_path, render=False)
    _refund_s2(county, tmp_path)
    with county.factory() as session:
        corrected = session.execute(select(Notice).where(
            Notice.corrects_notice_id.is_not(None))).scalar_one()
        assert session.get(Claim, claim_id).status == "verified"
    assert corrected.corrects_notice_id == notice.notice_id
    assert corrected.changes[0]["claim_id"] == claim_id
    assert "退费" in corrected.changes[0]["reason"]


def test_a_refund_inside_an_undecided_claim_changes_its_amounts(county, tmp_path):
    import_feed(sup(county), "medical", write_csv(tmp_path / "m.csv", [
        medical_row("S1", 1), medical_row("S2", 1, total="8000", fund="2000")]), "2026-03")
    screen_month(sup(county), "2026-03")
    claim_id = keep_household(county.as_user("offa"), "2026-03", "H001").claim_ids[0]
    refund = medical_row("R2", 1, total="-8000", fund="-2000", refund="1", original="S2")
    import_feed(sup(county), "medical", write_csv(tmp_path / "r.csv", [refund]), "2026-03")
    with county.factory() as session:
        assert session.get(Claim, claim_id).amounts["total_cost"] == "30000.00"
        assert pending_redecisions(session) == []


def test_other_bureaus(county, tmp_path):
    disaster = write_csv(tmp_path / "d.csv", [
        ["D1", person(1, 0), "洪涝", "2026-03-02", "30000", "5000", "2000"]],
        header=["报告编号", "户主身份证号", "灾害类型", "发生日期", "损失评估金额", "救灾款",
                "保险赔付"],
        encoding="utf-8", title="2026年3月灾情报告")
    assert import_feed(sup(county), "disaster", disaster, "2026-03").matched == 1
    education = write_csv(tmp_path / "e.csv", [
        [person(2, 1), "王二", "本科", "某大学", "2026春", "9000", "1200", "1000"]],
        header=["学生身份证号", "学生姓名", "学段", "学校", "学期", "学费", "住宿费", "资助金额"],
        title="2026年春季学生资助名单")
    assert import_feed(sup(county), "education", education, "2026-03").matched == 1
    assert import_feed(sup(county), "education", education, "2026-03").unchanged == 1
    civil = write_csv(tmp_path / "c.csv", [[person(3, 0), "王一", "低保", "1200", "2026-03-05"]],
                      header=["身份证号", "姓名", "救助类型", "金额", "日期"], title="民政救助名单")
    assert import_feed(sup(county), "civil-affairs", civil, "2026-03").matched == 1
    entries = _screen(county)
    assert entries[("H001", "disaster")].figure == Decimal("23000.00")
    assert entries[("H002", "education")].figure == Decimal("9200.00")
    with county.factory() as session:
        finding = session.execute(select(Finding).where(Finding.household_id == "H003")
                                  ).scalar_one()
    assert (finding.source, finding.item) == ("civil_affairs", "CIVIL_ASSISTANCE")
    assert "低保" in (finding.detail or "")
    assert feed_report(county, "2026-03").missing == ["medical"]


def test_report_pdf_has_a_chart(county, tmp_path):
    import_feed(sup(county), "medical", write_csv(tmp_path / "m.csv", [medical_row("S1", 1)]),
                "2026-03")
    screen_month(sup(county), "2026-03")
    pdf = report_pdf(feed_report(county, "2026-03"), "2026-03-15 16:00")
    assert pdf.startswith(b"%PDF") and b"/Image" in pdf


def test_tariff_feed_keys_are_validated():
    text = demo_tariff_path().read_text("utf-8")
    assert parse_tariff(text.encode()).categories["medical"].warning_line == Decimal("18000")
    bad = text.replace('warning_fields = ["compliant_out_of_pocket"]',
                       'warning_fields = ["tuition"]').replace(
        'warning_line = "18000"', 'warning_line = "-1"').replace(
        "verification_valid_days = 90", "verification_valid_days = 0")
    with pytest.raises(TariffError) as caught:
        parse_tariff(bad.encode())
    keys = {key for key, _ in caught.value.problems}
    assert {"categories.medical.warning_fields[0]", "verification_valid_days"} <= keys
    assert any(k.startswith("categories.medical.warning_line") for k in keys)


def test_people_not_registered_are_screened_in_chunks(county, tmp_path, monkeypatch):
    """Chunks of two people: every person over the line once, in ID number order, screened
    again without doubling; one registered since leaves them for their household."""
    from adjudicator.feeds import screen as screening
    from adjudicator.masking import mask_id_number
    from adjudicator.storage.models_feeds import FeedPush

    monkeypatch.setattr(screening, "STRANGER_CHUNK", 2)
    people = [50, 51, 52, 53, 54]
    import_feed(sup(county), "medical", write_csv(tmp_path / "a.csv", [
        medical_row(f"U{n}", n) for n in people]), "2026-03")
    first = screen_month(sup(county), "2026-03")
    expected = [f"身份证号 {mask_id_number(i)}" for i in sorted(person(n, 0) for n in people)]
    assert [e.note for e in first.entries] == expected
    assert first.counts()["NOT_REGISTERED"] == 5 and first.unregistered == 5
    add_household(county, 52)
    import_feed(sup(county), "medical", write_csv(tmp_path / "b.csv", [
        medical_row("U55", 55)]), "2026-03")
    second = screen_month(sup(county), "2026-03")
    strangers = [e for e in second.entries if e.reason == "NOT_REGISTERED"]
    assert sorted(e.note for e in strangers) == sorted(
        f"身份证号 {mask_id_number(person(n, 0))}" for n in (50, 51, 53, 54, 55))
    assert second.unregistered == 1 and second.counts()["NOT_REGISTERED"] == 5
    assert [e.household_id for e in second.entries if e.reason != "NOT_REGISTERED"] == [
        "H052"]
    with county.factory() as session:
        assert session.scalar(select(func.count()).select_from(FeedPush).where(
            FeedPush.reason == "NOT_REGISTERED")) == 6  # H052's old entry stays as it was


@pytest.mark.parametrize("batch_rows", [1, 2, 50_000])
def test_a_new_record_between_stored_ones_and_stored_ones_in_any_batch(county, tmp_path,
                                                                         batch_rows):
    """Whatever the batches, a stored record is found again (unchanged, or refused when its
    content changed) and a new one between stored numbers is stored, for registered people
    and people not registered alike."""
    first = import_feed(sup(county), "medical", write_csv(tmp_path / "a.csv", [
        medical_row("S1", 1), stranger_row("S3"), medical_row("S5", 2)]), "2026-03",
        batch_rows=batch_rows)
    assert (first.accepted, first.unmatched) == (3, 1)
    again = import_feed(sup(county), "medical", write_csv(tmp_path / "b.csv", [
        stranger_row("S4"), medical_row("S2", 1), medical_row("S5", 2), stranger_row("S3"),
        medical_row("S1", 1, total="31000"), medical_row("S6", 3), medical_row("S6", 3)]),
        "2026-03", batch_rows=batch_rows)
    assert (again.accepted, again.unmatched, again.unchanged, again.rejected) == (3, 1, 3, 1)
    assert [(r["row"], r["code"]) for r in read_report(again.error_report)] == [
        ("7", "DUPLICATE_RECORD")]
    with county.factory() as session:
        assert sorted(session.scalars(select(FeedRow.record_no))) == ["S1", "S2", "S5", "S6"]
        assert sorted(stored_strangers.rows(session)["record_no"]) == ["S3", "S4"]


def test_households_are_screened_in_chunks(county, tmp_path, monkeypatch):
    """One or two households a chunk: the entries, in order, of all at once; screened again
    in the month, updated, with the households that crossed since."""
    from adjudicator.feeds import screen as screening

    import_feed(sup(county), "medical", write_csv(tmp_path / "m.csv", [
        medical_row("S1", 3), medical_row("S2", 1), medical_row("S3", 2, total="20000"),
        medical_row("S4", 6, total="33000"), medical_row("S5", 1, member=1)]), "2026-03")
    monkeypatch.setattr(screening, "HOUSEHOLD_CHUNK", 1)
    first = [(e.household_id, e.figure, e.status)
             for e in screen_month(sup(county), "2026-03").entries]
    assert first == [("H001", Decimal("40000.00"), "pushed"),
                     ("H003", Decimal("20000.00"), "pushed"),
                     ("H006", Decimal("23000.00"), "pushed")]
    monkeypatch.setattr(screening, "HOUSEHOLD_CHUNK", 2)
    import_feed(sup(county), "medical", write_csv(tmp_path / "n.csv", [
        medical_row("S6", 2, total="19000"), medical_row("S7", 3)]), "2026-03")
    assert [(e.household_id, e.figure)
            for e in screen_month(sup(county), "2026-03").entries] == [
        ("H001", Decimal("40000.00")), ("H002", Decimal("19000.00")),
        ("H003", Decimal("40000.00")), ("H006", Decimal("23000.00"))]


def test_a_tariff_summing_other_fields_reads_the_rows_figures(admin_ctx, tmp_path):
    """The line sums the fields the tariff names (here the total cost), not the stored
    default figure (the compliant out-of-pocket cost)."""
    from adjudicator.services.tariffs import store_tariff

    text = demo_tariff_path().read_text("utf-8").replace(
        'warning_fields = ["compliant_out_of_pocket"]', 'warning_fields = ["total_cost"]')
    with transaction(admin_ctx.factory) as session:
        store_tariff(session, parse_tariff(text.encode()), text.encode(), admin_ctx.user_id,
                     admin_ctx.now())
    for number in (1, 2):
        add_household(admin_ctx, number)
    import_feed(sup(admin_ctx), "medical", write_csv(tmp_path / "m.csv", [
        medical_row("S1", 1, total="19000", fund="10000"),
        medical_row("S2", 2, total="17000", fund="0")]), "2026-03")
    assert [(e.household_id, e.figure, e.new_figure)
            for e in screen_month(sup(admin_ctx), "2026-03").entries] == [
        ("H001", Decimal("19000.00"), Decimal("19000.00"))]



@pytest.mark.parametrize("fields", ["compliant_out_of_pocket", "total_cost"])
def test_a_settlement_inside_a_claim_counts_in_the_figure_but_not_as_new(admin_ctx, tmp_path,
                                                                          fields):
    """Of a household's year, a settlement whose number is an imported claim's document
    number is linked to the claim: it counts in the figure, not in the new figure, whether
    the database sums the default figure or the rows' figures are summed (a tariff summing
    another field); a refunded settlement counts in neither."""
    from adjudicator.services.tariffs import store_tariff
    from tests.seed import add_claim

    text = demo_tariff_path().read_text("utf-8").replace(
        'warning_fields = ["compliant_out_of_pocket"]', f'warning_fields = ["{fields}"]')
    with transaction(admin_ctx.factory) as session:
        store_tariff(session, parse_tariff(text.encode()), text.encode(), admin_ctx.user_id,
                     admin_ctx.now())
    add_household(admin_ctx, 1)
    add_claim(admin_ctx, "K1", "H001", "12000.10", document_no="S1", status="screened")
    import_feed(sup(admin_ctx), "medical", write_csv(tmp_path / "m.csv", [
        medical_row("S1", 1, total="12000.10", fund="0"),
        medical_row("S2", 1, total="9000.05", fund="0"),
        medical_row("S3", 1, total="7000.01", fund="0"),
        medical_row("R3", 1, total="-7000.01", fund="0", refund="1", original="S3")]),
        "2026-03")
    entries = screen_month(sup(admin_ctx), "2026-03").entries
    assert [(e.household_id, e.figure, e.new_figure, e.status) for e in entries] == [
        ("H001", Decimal("21000.15"), Decimal("9000.05"), "pushed")]
    with admin_ctx.factory() as session:
        assert dict(session.execute(select(FeedRow.record_no, FeedRow.claim_id)
                                    .where(FeedRow.record_no.in_(["S1", "S2"]))).all()) == {
            "S1": "K1", "S2": None}

def _blobs(ctx) -> list[tuple[int, int, int]]:
    """(file, batch, rows) of each stored blob of rows of people not registered, each read
    whole to check that it holds the rows it says."""
    from adjudicator.storage.models_feeds import FeedStrangerBatch

    with ctx.factory() as session:
        found = session.execute(select(FeedStrangerBatch).order_by(FeedStrangerBatch.pk)
                                ).scalars().all()
        for blob in found:
            rows = stored_strangers.decode(blob.data)
            assert rows.height == blob.rows and rows["record_no"].is_unique().all()
            assert (rows["record_no"].min(), rows["record_no"].max()) == (blob.record_min,
                                                                          blob.record_max)
        return [(b.file_pk, b.batch, b.rows) for b in found]


def test_strangers_in_several_blobs_are_stored_once_whatever_the_batches(county, tmp_path,
                                                                          monkeypatch):
    """Seven settlements of people not registered and two of registered ones, two rows a
    batch: one blob a batch with such rows, and a re-import in other batches changes
    nothing; a new file whose numbers lie outside every blob's range reads no blob."""
    rows = [medical_row(f"U{n}", 50 + n) for n in range(7)]
    rows[2:2] = [medical_row("S1", 1), medical_row("S2", 2)]
    path = write_csv(tmp_path / "a.csv", rows)
    first = import_feed(sup(county), "medical", path, "2026-03", batch_rows=2)
    assert (first.accepted, first.matched, first.unmatched) == (9, 2, 7)
    stored = _blobs(county)
    assert [(batch, n) for _, batch, n in stored] == [(1, 2), (2, 2), (3, 2), (4, 1)]
    again = import_feed(sup(county), "medical", path, "2026-03", batch_rows=3)
    assert (again.accepted, again.unchanged, again.rejected) == (0, 9, 0)
    assert _blobs(county) == stored
    changed = write_csv(tmp_path / "b.csv", [medical_row("U3", 53, total="31000")])
    assert import_feed(sup(county), "medical", changed, "2026-03").rejected == 1
    read: list[int] = []
    decode = stored_strangers.decode
    monkeypatch.setattr(stored_strangers, "decode",
                        lambda data, columns=None: read.append(1) or decode(data, columns))
    later = write_csv(tmp_path / "c.csv", [medical_row("V1", 60), medical_row("V2", 61)])
    assert import_feed(sup(county), "medical", later, "2026-03").accepted == 2
    assert read == []
    with county.factory() as session:
        assert sorted(stored_strangers.rows(session)["record_no"]) == [
            *(f"U{n}" for n in range(7)), "V1", "V2"]
        assert session.scalar(select(func.count()).select_from(FeedRow)) == 2


def test_a_refund_of_a_strangers_settlement_in_its_own_batch_and_a_later_month(county,
                                                                               tmp_path):
    """A refund beside its settlement in one batch, and one a month later: both settlements
    leave the sums, the refunds are stored with them, a second refund is refused."""
    import_feed(sup(county), "medical", write_csv(tmp_path / "m3.csv", [
        stranger_row("U1", total="50000"), stranger_row("U2", total="40000"),
        stranger_row("R1", total="-40000", fund="-10000", refund="1", original="U2")]),
        "2026-03")
    result = import_feed(sup(county), "medical", write_csv(tmp_path / "m4.csv", [
        medical_row("U3", 50, date="2026-04-02", total="60000"),
        medical_row("R2", 50, date="2026-04-03", total="-50000", fund="-10000", refund="1",
                    original="U1"),
        medical_row("R3", 50, date="2026-04-03", total="-50000", fund="-10000", refund="1",
                    original="U1")]), "2026-04")
    assert (result.accepted, result.reversed, result.rejected) == (2, 1, 1)
    assert [r["code"] for r in read_report(result.error_report)] == ["ALREADY_REVERSED"]
    with county.factory() as session:
        assert {r["record_no"]: (r["reverses"], r["reversed_by"]) for r in
                stored_strangers.rows(session).iter_rows(named=True)} == {
            "U1": (None, "R2"), "U2": (None, "R1"), "R1": ("U2", None), "U3": (None, None),
            "R2": ("U1", None)}
        assert stored_strangers.month_sums(session, "2026-03", dt.date(2026, 3, 31)
                                           ).height == 0
        [(figure,)] = stored_strangers.month_sums(session, "2026-04", dt.date(2026, 4, 30)
                                                  ).select("figure").rows()
    assert figure == 5_000_000  # U3's 50,000.00 in fen: 60,000 less the fund's 10,000
    march = [e for e in screen_month(sup(county), "2026-03").entries]
    assert march == []
    [april] = screen_month(sup(county), "2026-04").entries
    assert (april.reason, april.figure) == ("NOT_REGISTERED", Decimal("50000.00"))
    report = feed_report(county, "2026-03")
    assert report.total.rows["medical"] == 3 and report.total.matched == 0


def test_a_person_registered_later_is_matched_in_every_month_and_bureau_once(county,
                                                                             tmp_path):
    """Rows of February and March, medical and disaster, a reversed one among them: moved
    once into the household's rows, counted by the report as matched, not moved twice."""
    import_feed(sup(county), "medical", write_csv(tmp_path / "m2.csv", [
        medical_row("U1", 50, date="2026-02-10", total="25000"),
        medical_row("U9", 51, date="2026-02-11")]), "2026-02")
    import_feed(sup(county), "medical", write_csv(tmp_path / "m3.csv", [
        stranger_row("U2", total="8000", fund="2000"),
        stranger_row("R2", total="-8000", fund="-2000", refund="1", original="U2"),
        stranger_row("U3", total="14000", fund="2000")]), "2026-03")
    disaster = write_csv(tmp_path / "d.csv", [
        ["D1", person(50, 0), "洪涝", "2026-03-02", "30000", "5000", "2000"]],
        header=["报告编号", "户主身份证号", "灾害类型", "发生日期", "损失评估金额", "救灾款",
                "保险赔付"], encoding="utf-8", title="2026年3月灾情报告")
    assert import_feed(sup(county), "disaster", disaster, "2026-03").unmatched == 1
    before = feed_report(county, "2026-03")
    assert (before.total.rows["medical"], before.total.rows["disaster"],
            before.total.matched) == (3, 1, 0)
    add_household(county, 50)
    entries = _screen(county)
    assert entries[("H050", "medical")].figure == Decimal("27000.00")  # 15,000 + 12,000
    assert entries[("H050", "disaster")].figure == Decimal("23000.00")
    with county.factory() as session:
        moved = {r.record_no: (r.month, r.household_id, r.reversed_by, r.reverses, r.figure)
                 for r in session.execute(select(FeedRow)).scalars()}
        left = sorted(stored_strangers.rows(session)["record_no"])
    assert moved == {"U1": ("2026-02", "H050", None, None, Decimal("15000.00")),
                     "U2": ("2026-03", "H050", "R2", None, Decimal("6000.00")),
                     "R2": ("2026-03", "H050", None, "U2", Decimal("0.00")),
                     "U3": ("2026-03", "H050", None, None, Decimal("12000.00")),
                     "D1": ("2026-03", "H050", None, None, Decimal("23000.00"))}
    assert left == ["U9"]
    after = feed_report(county, "2026-03")
    assert (after.total.rows["medical"], after.total.rows["disaster"],
            after.total.matched) == (3, 1, 4)
    again = screen_month(sup(county), "2026-03")  # nothing left to move: nothing doubled
    with county.factory() as session:
        assert session.scalar(select(func.count()).select_from(FeedRow)) == 5
    assert [e.household_id for e in again.entries] == ["H050", "H050"]
    refund = import_feed(sup(county), "medical", write_csv(tmp_path / "r.csv", [
        stranger_row("R3", total="-14000", fund="-2000", refund="1", original="U3")]),
        "2026-03")
    assert (refund.reversed, refund.matched) == (1, 0)  # reversed where it now is
    with county.factory() as session:
        assert session.scalar(select(FeedRow.reversed_by).where(FeedRow.record_no == "U3")
                              ) == "R3"


def test_a_crash_mid_import_leaves_whole_batches_and_the_import_again_completes(
        county, tmp_path, monkeypatch):
    """The third batch's blob is written, then the import fails before the batch commits:
    the first two batches are stored whole (their blobs and registered rows), nothing of the
    third; importing the file again stores the rest and counts the rest unchanged."""
    from adjudicator.feeds import importer

    rows = [medical_row(f"S{n}", 1 + n % 3) if n % 2 else medical_row(f"S{n}", 50 + n)
            for n in range(10)]
    path = write_csv(tmp_path / "a.csv", rows)
    store = stored_strangers.store
    calls: list[int] = []

    def failing(session, *args):
        store(session, *args)
        calls.append(1)
        if len(calls) == 3:
            session.flush()
            raise RuntimeError("断电")

    monkeypatch.setattr(importer.strangers, "store", failing)
    with pytest.raises(RuntimeError, match="断电"):
        import_feed(sup(county), "medical", path, "2026-03", batch_rows=2)
    assert [(batch, n) for _, batch, n in _blobs(county)] == [(1, 1), (2, 1)]
    with county.factory() as session:
        assert sorted(session.scalars(select(FeedRow.record_no))) == ["S1", "S3"]
        assert sorted(stored_strangers.rows(session)["record_no"]) == ["S0", "S2"]
    monkeypatch.setattr(importer.strangers, "store", store)
    again = import_feed(sup(county), "medical", path, "2026-03", batch_rows=2)
    assert (again.accepted, again.unchanged, again.rejected) == (6, 4, 0)
    with county.factory() as session:
        assert sorted(session.scalars(select(FeedRow.record_no))) == [
            "S1", "S3", "S5", "S7", "S9"]
        assert sorted(stored_strangers.rows(session)["record_no"]) == [
            "S0", "S2", "S4", "S6", "S8"]
    assert len(_blobs(county)) == 5


def test_the_migration_moves_the_old_rows_of_people_not_registered_into_blobs(db_url):
    """A database at 0015 with rows in feed_strangers (one reversed, one a refund): after the
    migration the same rows are read from blobs, the reversal a mark; back down, the same
    rows in feed_strangers again."""
    from alembic import command
    from sqlalchemy import text

    from adjudicator.storage.db import alembic_config, make_engine, session_factory

    config = alembic_config(db_url)
    for head in ("0002_audit", "0003_notices", "0004_web", "0005_lz4", "0015_feed_strangers"):
        command.upgrade(config, head)
    engine = make_engine(db_url)
    sqlite = engine.dialect.name == "sqlite"
    old = [("medical", "U1", "2026-03", "2026-03-02", person(50, 0), "medical", "住院",
            '{"compliant_out_of_pocket":"20000.00","total_cost":"30000.00"}', "20000.00",
            None, "R1", 7, 3),
           ("medical", "R1", "2026-03", "2026-03-09", person(50, 0), "medical", "住院",
            '{"compliant_out_of_pocket":"-20000.00","total_cost":"-30000.00"}', "0.00",
            "U1", None, 7, 4),
           ("medical", "U2", "2026-04", "2026-04-01", person(51, 0), "medical", None,
            '{"compliant_out_of_pocket":"12.34","total_cost":"12.34"}', "12.34", None, None,
            8, 2)]
    names = ("bureau, record_no, month, event_date, id_number, category, kind, figures, "
             "figure, reverses, reversed_by, file_pk, row_number")
    with engine.begin() as connection:
        for row in old:
            values = list(row)
            values[8] = int(Decimal(row[8]) * 100) if sqlite else Decimal(row[8])
            values[3] = row[3] if sqlite else dt.date.fromisoformat(row[3])
            connection.execute(text(
                f"INSERT INTO feed_strangers ({names}) VALUES "
                "(:a, :b, :c, :d, :e, :f, :g, CAST(:h AS JSON), :i, :j, :k, :l, :m)"
                if not sqlite else
                f"INSERT INTO feed_strangers ({names}) VALUES "
                "(:a, :b, :c, :d, :e, :f, :g, :h, :i, :j, :k, :l, :m)"),
                dict(zip("abcdefghijklm", values, strict=True)))
    engine.dispose()
    command.upgrade(config, "heads")
    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        moved = stored_strangers.rows(session)
    engine.dispose()
    assert sorted(moved.select("record_no", "month", "event_date", "id_number", "kind",
                               "figure", "reverses", "reversed_by", "row_number").rows()) == [
        ("R1", "2026-03", dt.date(2026, 3, 9), person(50, 0), "住院", 0, "U1", None, 4),
        ("U1", "2026-03", dt.date(2026, 3, 2), person(50, 0), "住院", 2_000_000, None, "R1",
         3),
        ("U2", "2026-04", dt.date(2026, 4, 1), person(51, 0), None, 1234, None, None, 2)]
    assert stored_strangers.figure_texts(moved.filter(record_no="U2")["figures"].item()) == {
        "compliant_out_of_pocket": "12.34", "total_cost": "12.34"}
    command.downgrade(config, "0015_feed_strangers")
    engine = make_engine(db_url)
    with engine.connect() as connection:
        back = connection.execute(text(
            f"SELECT {names} FROM feed_strangers ORDER BY record_no")).all()
    engine.dispose()
    assert [(r.record_no, str(r.event_date)[:10], r.reverses, r.reversed_by, r.file_pk,
             r.row_number) for r in back] == [("R1", "2026-03-09", "U1", None, 7, 4),
                                              ("U1", "2026-03-02", None, "R1", 7, 3),
                                              ("U2", "2026-04-01", None, None, 8, 2)]
    assert [Decimal(r.figure) / (100 if sqlite else 1) for r in back] == [
        Decimal("0"), Decimal("20000"), Decimal("12.34")]


@pytest.mark.parametrize("in_memory", [0, 1_000_000])
def test_the_register_read_once_or_batch_by_batch(county, tmp_path, monkeypatch, in_memory):
    """A register of at most `REGISTER_IN_MEMORY` members is read once for the import; a
    larger one is looked up batch by batch: the same matches and refusals either way."""
    from adjudicator.feeds import importer

    monkeypatch.setattr(importer, "REGISTER_IN_MEMORY", in_memory)
    test_import_matches_by_id_number_and_reports_bad_rows_in_chinese(county, tmp_path)
    with transaction(county.factory) as session:  # one ID number in two households
        session.add(Member(household_id="H006", member_id="M9", name="王一",
                           id_number=person(1, 0), relation="child", counted=True))
    result = import_feed(sup(county), "medical", write_csv(tmp_path / "b.csv", [
        medical_row("A1", 1), medical_row("A2", 2)]), "2026-03", batch_rows=1)
    assert (result.accepted, result.matched, result.rejected) == (1, 1, 1)
    assert [r["code"] for r in read_report(result.error_report)] == ["AMBIGUOUS_MEMBER"]


@pytest.mark.parametrize("combine_rows", [1, 2, 2_000_000])
def test_the_sums_of_people_not_registered_over_many_blobs(county, tmp_path, monkeypatch,
                                                          combine_rows):
    """One blob a row: a person's rows in several blobs sum to the same whenever the sums so
    far are combined, a reversed settlement and its refund left out."""
    monkeypatch.setattr(stored_strangers, "COMBINE_ROWS", combine_rows)
    import_feed(sup(county), "medical", write_csv(tmp_path / "a.csv", [
        medical_row("U1", 50, total="12000"), medical_row("U2", 51, total="20000"),
        medical_row("U3", 50, total="11000.01"), medical_row("U4", 50, total="90000"),
        medical_row("R4", 50, total="-90000", fund="-10000", refund="1", original="U4"),
        medical_row("U5", 50, total="10000.99")]), "2026-03", batch_rows=1)
    with county.factory() as session:
        sums = stored_strangers.month_sums(session, "2026-03", dt.date(2026, 3, 31))
    assert sorted(sums.rows()) == [(person(50, 0), "medical", 300_100),   # 2,000 + 1,000.01
                                   (person(51, 0), "medical", 1_000_000)]  # + 0.99


def test_an_id_number_summed_as_an_integer_reads_back_the_same_in_the_same_order():
    """The screening sums people not registered by their ID number as one integer: every
    ID number (a check character X, a leading zero) reads back as it was, in text order."""
    import polars as pl

    numbers = sorted({valid_id("330102", birth=f"19{y:02d}0101", seq=f"{s:03d}")
                      for y in range(40, 99, 7) for s in range(0, 999, 37)})
    assert any(n.endswith("X") for n in numbers)
    numbers.append(valid_id("010101", seq="001"))  # a leading zero kept
    frame = pl.DataFrame({"id_number": numbers}).with_columns(
        stored_strangers._id_key(pl.col("id_number")).alias("key"))
    back = frame.select(stored_strangers._id_text(pl.col("key")))["key"].to_list()
    assert back == numbers
    assert frame.sort("key")["id_number"].to_list() == sorted(numbers)


# --- files as bureaus really send them ------------------------------------------------------


def test_a_gbk_feed_with_a_damaged_byte_rejects_that_row_only(county, tmp_path):
    """A byte GB18030 cannot decode rejects its row (UNDECODABLE_BYTES, naming the column),
    as `import` does: the other rows are stored, no traceback."""
    path = write_csv(tmp_path / "med.csv", [medical_row("S1", 1), medical_row("S2", 2)])
    data = path.read_bytes()
    name = "王一".encode("gbk")
    second = data.index(name, data.index(b"S2,"))
    path.write_bytes(data[:second] + b"\x80\xff" + data[second + len(name):])
    result = import_feed(sup(county), "medical", path, "2026-03")
    assert (result.rows_total, result.accepted, result.rejected) == (2, 1, 1)
    report = read_report(path.with_name("med.csv.errors.csv"))
    assert [(r["row"], r["field"], r["code"]) for r in report] == [
        ("4", "姓名", "UNDECODABLE_BYTES")]
    assert "GB18030" in report[0]["reason"]
    with county.factory() as session:
        assert list(session.scalars(select(FeedRow.record_no))) == ["S1"]


def test_an_unmatched_quote_refuses_the_file_by_its_row_and_records_nothing(county, tmp_path):
    """An unmatched quote takes the rest of the file into one cell: the file is refused
    with the row the quote opens on, nothing is stored or recorded as received, and the
    message holds no ID number or name from the file."""
    from adjudicator.feeds.report import feed_report
    from adjudicator.intake.sources import UnreadableFile
    from adjudicator.storage.models_feeds import FeedFile

    path = write_csv(tmp_path / "med.csv", [medical_row("S1", 1), medical_row("S2", 2),
                                            medical_row("S3", 3)], encoding="utf-8")
    path.write_text(path.read_text("utf-8").replace(",王一,", ',"王一,', 2)
                    .replace(',"王一,', ",王一,", 1), "utf-8")
    with pytest.raises(UnreadableFile) as refused:
        import_feed(sup(county), "medical", path, "2026-03")
    message = refused.value.localized("zh")
    assert "med.csv" in message and "第 4 行" in message and "引号" in message
    assert person(2, 0) not in message and "王" not in message
    with county.factory() as session:
        assert session.scalar(select(func.count()).select_from(FeedRow)) == 0
        assert session.scalar(select(func.count()).select_from(FeedFile)) == 0
    assert "medical" in feed_report(sup(county), "2026-03").missing


def test_an_unmatched_quote_after_stored_batches_says_what_was_stored(county, tmp_path,
                                                                    monkeypatch):
    """A quote never closed far into a large file: the batches before it are stored (an
    import keeps whole batches), and the message says so rather than "nothing imported";
    the file fixed and imported again completes."""
    from adjudicator.feeds import reader
    from adjudicator.intake.sources import UnreadableFile

    monkeypatch.setattr(reader, "_PIECE_MIN", 64)
    monkeypatch.setattr(reader, "_PIECE_BYTES_A_ROW", 1)
    rows = [medical_row(f"S{n}", n) for n in range(1, 7)]
    good = write_csv(tmp_path / "good.csv", rows, encoding="utf-8")
    path = tmp_path / "med.csv"
    path.write_text(good.read_text("utf-8").replace("S5,", 'S5,"', 1), "utf-8")
    with pytest.raises(UnreadableFile) as refused:
        import_feed(sup(county), "medical", path, "2026-03", batch_rows=2)
    message = refused.value.localized("zh")
    assert "第 7 行" in message and "此前的 4 行已入库" in message
    assert "未导入任何数据" not in message and person(5, 0) not in message
    path.write_bytes(good.read_bytes())
    again = import_feed(sup(county), "medical", path, "2026-03", batch_rows=2)
    assert (again.accepted, again.unchanged) == (2, 4)


def test_an_amount_beyond_the_columns_is_rejected_never_stored_as_zero(county, tmp_path):
    """An amount of more digits than money holds (a cell run together, an ID number in the
    amount column) is rejected INVALID_AMOUNT; before, it was stored as 0.00."""
    largest = medical_row("S3", 3, total="999999999999.99", fund="0")
    largest[4] = "999,999,999,999.99"
    path = write_csv(tmp_path / "med.csv", [
        medical_row("S1", 1, total="330102197001010035", fund="0"),
        medical_row("S2", 2, total="1000000000000", fund="0"),
        largest, medical_row("S4", 4, total="0000000000000030000", fund="0")])
    result = import_feed(sup(county), "medical", path, "2026-03")
    report = read_report(path.with_name("med.csv.errors.csv"))
    assert {(r["row"], r["field"], r["code"]) for r in report} == {
        ("3", "医疗费总额", "INVALID_AMOUNT"), ("3", "个人支付金额", "INVALID_AMOUNT"),
        ("4", "医疗费总额", "INVALID_AMOUNT"), ("4", "个人支付金额", "INVALID_AMOUNT")}
    assert all("超出上限" in r["reason"] for r in report)
    assert (result.accepted, result.rejected) == (2, 2)
    with county.factory() as session:
        figures = {r.record_no: r.figures["total_cost"]
                   for r in session.execute(select(FeedRow)).scalars()}
    assert figures == {"S3": "999999999999.99", "S4": "30000.00"}


def test_a_civil_affairs_list_without_a_date_column_is_dated_the_first_of_the_month(
        county, tmp_path):
    """A monthly assistance list without 日期 (the column is not required): each row is
    dated the first day of --month, as the education feed's; before, the import stopped
    with a database IntegrityError and the file stayed recorded as received."""
    civil = write_csv(tmp_path / "c.csv", [[person(3, 0), "王一", "低保", "1200"],
                                           [valid_id("110101", seq="778"), "赵六", "特困", "800"]],
                      header=["身份证号", "姓名", "救助类型", "金额"], title="民政救助名单",
                      total=False)
    result = import_feed(sup(county), "civil-affairs", civil, "2026-03")
    assert (result.matched, result.unmatched, result.rejected) == (1, 1, 0)
    with county.factory() as session:
        row = session.execute(select(FeedRow)).scalar_one()
        assert (row.event_date, row.year) == (dt.date(2026, 3, 1), 2026)
        finding = session.execute(select(Finding).where(Finding.household_id == "H003")
                                  ).scalar_one()
    assert "2026-03-01" in (finding.detail or "")
    assert import_feed(sup(county), "civil-affairs", civil, "2026-03").unchanged == 2


def test_a_total_line_in_the_id_number_column_is_skipped_not_rejected(county, tmp_path):
    """A list whose first column is the ID number puts 合计 there: a total line, skipped
    and counted, not a row rejected for its ID number."""
    civil = write_csv(tmp_path / "c.csv", [[person(3, 0), "王一", "低保", "1200", "2026-03-05"]],
                      header=["身份证号", "姓名", "救助类型", "金额", "日期"], title="民政救助名单")
    result = import_feed(sup(county), "civil-affairs", civil, "2026-03")
    assert (result.rows_total, result.matched, result.rejected, result.total_rows_skipped
            ) == (1, 1, 0, 1)


@pytest.mark.parametrize("written", ["2026/3/2 10:05", "2026年3月2日", "2026-03-02 10:05:00",
                                     "2026-03-02T10:05:00", "2026.3.2", "20260302"])
def test_dates_as_the_bureaus_write_them(county, tmp_path, written):
    """A date as Excel saves it in a CSV (2026/3/2 10:05), in Chinese (2026年3月2日), with a
    time: the dates `import` accepts (docs/import.md)."""
    header = ["报告编号", "户主身份证号", "灾害类型", "发生日期", "损失评估金额"]
    disaster = write_csv(tmp_path / "d.csv", [["D1", person(1, 0), "洪涝", written, "30000"]],
                         header=header, title=None, total=False)
    result = import_feed(sup(county), "disaster", disaster, "2026-03")
    assert (result.matched, result.rejected) == (1, 0)
    with county.factory() as session:
        assert session.execute(select(FeedRow.event_date)).scalar_one() == dt.date(2026, 3, 2)


def test_amounts_with_a_currency_sign_a_unit_or_full_width_digits(county, tmp_path):
    """¥1,234.50, ￥1234.5, 1234.50元 and full-width １２３４．５ are the amounts `import`
    accepts (docs/import.md); before, each row was rejected INVALID_AMOUNT."""
    rows = []
    for n, written in enumerate(["¥1,234.50", "￥1234.5", "1234.50元", "１２３４．５"], start=1):
        row = medical_row(f"S{n}", n, total="1234.50", fund="0")
        row[4] = row[8] = written
        rows.append(row)
    path = write_csv(tmp_path / "med.csv", rows, encoding="utf-8", total=False)
    result = import_feed(sup(county), "medical", path, "2026-03")
    assert (result.matched, result.rejected) == (4, 0)
    with county.factory() as session:
        assert {r.figures["total_cost"] for r in session.execute(select(FeedRow)).scalars()
                } == {"1234.50"}


def test_an_id_number_saved_as_a_number_is_named_as_such(county, tmp_path):
    """A workbook whose ID number column holds numbers, not text (3.30102E+17 in a CSV Excel
    saved; 330102197001010000.00 read from the cell): the last digits are lost, and the
    reason says so and what to do, once, the number masked."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["结算ID", "身份证号", "结算时间", "医疗费总额"])
    sheet.append(["S1", float(person(1, 0)), "2026-03-10", 30000])
    book.save(tmp_path / "med.xlsx")
    path = write_csv(tmp_path / "med.csv", [["S2", "3.30102E+17", "2026-03-10", "30000"]],
                     header=["结算ID", "身份证号", "结算时间", "医疗费总额"], total=False)
    for written in (tmp_path / "med.xlsx", path):
        result = import_feed(sup(county), "medical", written, "2026-03")
        assert result.rejected == 1
        report = read_report(Path(f"{written}.errors.csv"))
        assert [(r["field"], r["code"]) for r in report] == [("身份证号", "INVALID_ID_NUMBER")]
        assert "存成了数字" in report[0]["reason"] and "文本" in report[0]["reason"]
        assert person(1, 0)[:12] not in report[0]["original"]


def test_id_numbers_with_spaces_full_width_digits_or_a_small_x(county, tmp_path):
    """An ID number typed with spaces, in full-width digits or with a small x is the number
    `import` reads (docs/import.md); before, each such row was rejected INVALID_ID_NUMBER."""
    full_width = "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in person(2, 0))
    spaced = person(3, 0)[:6] + " " + person(3, 0)[6:14] + " " + person(3, 0)[14:]
    rows = [[*medical_row("S2", 2)[:1], full_width, *medical_row("S2", 2)[2:]],
            [*medical_row("S3", 3)[:1], spaced, *medical_row("S3", 3)[2:]]]
    with_x = next(valid_id("330102", seq=f"{n:03d}") for n in range(100, 999)
                  if valid_id("330102", seq=f"{n:03d}").endswith("X"))
    rows.append([*medical_row("S9", 9)[:1], with_x.lower(), "", *medical_row("S9", 9)[3:]])
    path = write_csv(tmp_path / "med.csv", rows, encoding="utf-8", total=False)
    result = import_feed(sup(county), "medical", path, "2026-03")
    assert (result.matched, result.unmatched, result.rejected) == (2, 1, 0)
    with county.factory() as session:
        assert set(session.scalars(select(FeedRow.id_number))) == {person(2, 0), person(3, 0)}
        assert stranger_value(session, "S9", "id_number") == with_x


def test_a_refund_naming_a_refund_says_so(county, tmp_path):
    """A refund whose 原结算ID is itself a refund: rejected ORIGINAL_NOT_FOUND saying that
    record is a refund, not that it was never imported."""
    path = write_csv(tmp_path / "med.csv", [
        medical_row("S1", 1),
        medical_row("R1", 1, total="-30000", fund="-10000", refund="1", original="S1"),
        medical_row("R2", 1, total="-30000", fund="-10000", refund="1", original="R1")])
    result = import_feed(sup(county), "medical", path, "2026-03")
    assert (result.reversed, result.rejected) == (1, 1)
    report = read_report(path.with_name("med.csv.errors.csv"))
    assert [(r["row"], r["code"]) for r in report] == [("5", "ORIGINAL_NOT_FOUND")]
    assert "R1 本身是退费记录" in report[0]["reason"] and "未曾导入" not in report[0]["reason"]


def test_a_workbook_whose_data_is_not_on_its_first_sheet_says_which_sheet_was_read(
        county, tmp_path):
    """Several sheets, a note first and the data second: the refusal names the sheet read
    and the others, so the clerk knows to move the data, not to look for a wrong header."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "填表说明"
    book.active.append(["本表由医保局导出"])
    data = book.create_sheet("结算明细")
    data.append(MEDICAL_HEADER)
    data.append(medical_row("S1", 1))
    book.save(tmp_path / "med.xlsx")
    with pytest.raises(FeedRefused) as refused:
        import_feed(sup(county), "medical", tmp_path / "med.xlsx", "2026-03")
    message = refused.value.localized("zh")
    assert "第一个工作表「填表说明」" in message and "结算明细" in message
