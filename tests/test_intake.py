"""Intake: households, claims, verifications and department data from CSV (UTF-8 and GBK),
XLSX and JSON Lines, on SQLite and PostgreSQL alike (every test takes `admin_ctx`)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, update

from adjudicator.intake import (
    ImportRefused,
    import_claims,
    import_department_data,
    import_households,
    import_verifications,
)
from adjudicator.intake.report import read_report
from adjudicator.roles import PermissionDenied
from adjudicator.storage.models import Claim, Event, Finding, Household, ImportBatch, Member
from adjudicator.storage.models import Verification as VerificationRecord

pytestmark = pytest.mark.usefixtures("late_in_2026")


DATA = Path(__file__).parent / "data" / "import"
UNKNOWN_ID = "330102198807070019"  # valid, registered for nobody


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The sample files, copied so that error reports are written beside the copies."""
    target = tmp_path / "import"
    shutil.copytree(DATA, target)
    return target


def report_rows(path: str | Path) -> list[dict[str, str]]:
    return read_report(path)


def count(ctx, model) -> int:
    with ctx.factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def load_all(ctx, data: Path) -> None:
    import_households(ctx, data / "households_zh.csv")
    import_claims(ctx, data / "claims_zh.csv")
    import_claims(ctx, data / "claims_en.csv")
    import_claims(ctx, data / "claims.jsonl")


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_chinese_and_english_headers_store_the_same_households(admin_ctx, data: Path) -> None:
    first = import_households(admin_ctx, data / "households_zh.csv")
    assert (first.rows_total, first.accepted, first.rejected) == (9, 9, 0)
    again = import_households(admin_ctx, data / "households_en.csv")
    assert (again.accepted, again.unchanged, again.rejected) == (0, 9, 0)
    with admin_ctx.factory() as session:
        households = {h.household_id: h for h in session.scalars(select(Household))}
        members = {(m.household_id, m.member_id): m for m in session.scalars(select(Member))}
    assert len(households) == 3 and len(members) == 9
    h3 = households["H-330102-000003"]
    assert (h3.category, h3.township_code, h3.village_code, h3.township_name) == (
        "low_income", "330102201", "330102201203", "东风乡")
    daughter = members[("H-330102-000003", "M3")]
    assert (daughter.relation, daughter.counted, daughter.id_number) == (
        "child", False, "33010220150601035X")
    assert members[("H-330102-000001", "M4")].relation == "parent"


def test_a_gbk_encoded_csv_is_read(admin_ctx, data: Path) -> None:
    with pytest.raises(UnicodeDecodeError):
        (data / "households_gbk.csv").read_bytes().decode("utf-8")
    result = import_households(admin_ctx, data / "households_gbk.csv")
    assert (result.accepted, result.rejected) == (9, 0)
    with admin_ctx.factory() as session:
        names = set(session.scalars(select(Member.name)))
    assert {"张建国", "王桂兰", "赵子涵"} <= names




def test_xlsx_with_a_title_row_and_numeric_cells(admin_ctx, data: Path, tmp_path: Path) -> None:
    import_households(admin_ctx, data / "households_zh.csv")
    book = Workbook()
    sheet = book.active
    sheet.append(["2026年3月医保高额费用名单"])
    sheet.append(["申请编号", "户编号", "成员编号", "救助类别", "结算日期", "来源", "结算单号",
                  "医疗总费用（元）", "统筹支付", "备注"])
    import datetime as dt
    sheet.append(["K-X-1", "H-330102-000001", "M1", "因病", dt.datetime(2026, 3, 2), "医保",
                  "XL-1", 20000.5, 0.1 + 0.2, "复核"])
    sheet.append(["K-X-2", "H-330102-000002", "M1", "因病", "2026-03-03", "医保", "XL-2",
                  15000, 6000, None])
    path = tmp_path / "claims.xlsx"
    book.save(path)
    result = import_claims(admin_ctx, path)
    assert (result.rows_total, result.accepted, result.rejected) == (2, 2, 0)
    with admin_ctx.factory() as session:
        claim = session.get(Claim, "K-X-1")
    assert claim.event_date == dt.date(2026, 3, 2)
    assert claim.amounts["total_cost"] == "20000.50"
    assert claim.amounts["basic_insurance_paid"] == "0.30"
    assert import_claims(admin_ctx, path).unchanged == 2


def test_jsonl_claims_and_verifications_move_claims_to_verified(admin_ctx, data: Path) -> None:
    load_all(admin_ctx, data)
    result = import_verifications(admin_ctx, data / "verifications.jsonl")
    assert (result.accepted, result.rejected) == (2, 0)
    flat = import_verifications(admin_ctx, data / "verifications_zh.csv")
    assert (flat.accepted, flat.rejected) == (3, 0)
    with admin_ctx.factory() as session:
        statuses = dict(session.execute(select(Claim.claim_id, Claim.status)).all())
        payloads = {v.claim_id: v.payload for v in session.scalars(select(VerificationRecord))}
        wife = session.execute(select(Member).where(
            Member.household_id == "H-330102-000002", Member.member_id == "M2")).scalar_one()
    assert statuses["K-2026-000006"] == "screened"  # from claims.jsonl, nested amounts
    assert all(statuses[f"K-2026-00000{i}"] == "verified" for i in range(1, 6))
    assert payloads["K-2026-000002"]["negative_list"]["SHOP"] is None
    assert wife.counted is False  # the member update of the JSON Lines row
    # blank income columns: all blank = not recorded; some filled = blank is zero
    assert payloads["K-2026-000004"]["income"] is None
    assert payloads["K-2026-000004"]["negative_list"]["SHOP"] is None
    assert payloads["K-2026-000003"]["income"] == [
        {"kind": "wage", "amount": "36000.00"}, {"kind": "transfer", "amount": "2400.00"}]
    assert payloads["K-2026-000005"]["costs"] == [{"kind": "production", "amount": "2000.00"}]


def test_bad_rows_are_reported_and_good_rows_stored(admin_ctx, data: Path) -> None:
    import_households(admin_ctx, data / "households_zh.csv")
    path = write_csv(data / "bad_claims.csv",
                     ["申请编号", "身份证号码", "救助类别", "结算日期", "来源", "结算单号",
                      "医疗总费用", "统筹支付"],
                     [["K-B-1", "330102197803120417", "因病", "2026-03-01", "医保", "B-1",
                       "30000", "12000"],
                      ["K-B-2", "330102196504030513", "因病", "2026-03-01", "医保", "B-2",
                       "3万", "0"],
                      ["K-B-3", "330102199008150173", "因穷", "2026-03-01", "医保", "B-3",
                       "100", "0"],
                      ["K-B-4", "330102199008150173", "因病", "", "医保", "B-4", "100", "0"],
                      ["K-B-5", "330102199210090282", "因病", "2026-05-01", "医保", "B-5",
                       "9000", "4000"]])
    result = import_claims(admin_ctx, path)
    assert (result.rows_total, result.accepted, result.rejected) == (5, 2, 3)
    problems = report_rows(result.error_report)
    assert [(p["file"], p["row"], p["field"], p["code"]) for p in problems] == [
        ("bad_claims.csv", "3", "医疗总费用", "INVALID_VALUE"),
        ("bad_claims.csv", "4", "救助类别", "INVALID_VALUE"),
        ("bad_claims.csv", "5", "结算日期", "MISSING_VALUE"),
    ]
    # Chinese by default, field named by the file's header, with the English beside it
    assert [p["reason"] for p in problems] == [
        "不是有效金额：最多两位小数，如 1234.56",
        "不认识的取值“因穷”：请填写中文名称或代码（见 docs/import.md）",
        "必须填写"]
    assert "at most two decimals" in problems[0]["reason_en"]
    assert problems[2]["reason_en"] == "Field required"
    header = Path(result.error_report).read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "文件,行号,列名,错误代码,错误原因,原始数据,reason_en"
    original = json.loads(problems[0]["original"])
    assert original["身份证号码"] == "330102********0513" and original["医疗总费用"] == "3万"
    with admin_ctx.factory() as session:
        assert set(session.scalars(select(Claim.claim_id))) == {"K-B-1", "K-B-5"}
        batch = session.get(ImportBatch, result.batch_id)
    assert (batch.rows_total, batch.accepted, batch.rejected, batch.kind) == (5, 2, 3, "claims")


def test_reimporting_a_file_changes_nothing_and_appends_no_event(admin_ctx,
                                                                 data: Path) -> None:
    steps = [(import_households, "households_zh.csv"), (import_households, "households_en.csv"),
             (import_households, "households_gbk.csv"), (import_claims, "claims_zh.csv"),
             (import_claims, "claims_en.csv"), (import_claims, "claims.jsonl"),
             (import_verifications, "verifications.jsonl"),
             (import_verifications, "verifications_zh.csv"),
             (import_department_data, "department_zh.csv")]
    tables = (Event, Household, Member, Claim, VerificationRecord, Finding)
    for function, name in steps:
        first = function(admin_ctx, data / name)
        assert first.rejected == 0, name
        before = [count(admin_ctx, table) for table in tables]
        again = function(admin_ctx, data / name)
        assert (again.accepted, again.rejected, again.unchanged) == (0, 0, again.rows_total), name
        assert again.rows_total > 0
        assert [count(admin_ctx, table) for table in tables] == before, name
    assert count(admin_ctx, ImportBatch) == 2 * len(steps)


def test_a_claim_already_stored_is_a_duplicate_by_id_or_by_document(admin_ctx,
                                                                    data: Path) -> None:
    load_all(admin_ctx, data)
    header = ["claim_id", "household_id", "member_id", "category", "event_date", "source",
              "document_no", "total_cost"]
    path = write_csv(data / "dupes.csv", header, [
        # same claim id, other amount
        ["K-2026-000006", "H-330102-000002", "M2", "medical", "2026-06-10",
         "medical_insurance_feed", "JS-006", "99999"],
        # another claim id, same household + member + category + document number
        ["K-NEW-1", "H-330102-000002", "M2", "medical", "2026-06-11", "application",
         "JS-006", "35000"],
        # twice in one file: the first is stored, the second is a duplicate
        ["K-NEW-2", "H-330102-000001", "M2", "medical", "2026-07-01", "application",
         "SQ-9", "8000"],
        ["K-NEW-3", "H-330102-000001", "M2", "medical", "2026-07-01", "application",
         "SQ-9", "8000"],
    ])
    before = count(admin_ctx, Claim)
    result = import_claims(admin_ctx, path)
    assert (result.accepted, result.rejected) == (1, 3)
    problems = report_rows(result.error_report)
    assert [(p["row"], p["field"], p["code"]) for p in problems] == [
        ("2", "claim_id", "DUPLICATE_CLAIM"), ("3", "document_no", "DUPLICATE_CLAIM"),
        ("5", "document_no", "DUPLICATE_CLAIM")]
    assert "K-2026-000006" in problems[1]["reason"]
    assert count(admin_ctx, Claim) == before + 1


def test_claims_match_members_by_id_number_and_never_echo_it(admin_ctx, data: Path,
                                                              caplog) -> None:
    import_households(admin_ctx, data / "households_zh.csv")
    assert import_claims(admin_ctx, data / "claims_zh.csv").accepted == 2
    with admin_ctx.factory() as session:
        claims = {c.claim_id: (c.household_id, c.member_id, c.status, c.source)
                  for c in session.scalars(select(Claim))}
    assert claims == {
        "K-2026-000001": ("H-330102-000001", "M1", "screened", "medical_insurance_feed"),
        "K-2026-000002": ("H-330102-000002", "M1", "screened", "medical_insurance_feed"),
    }
    path = write_csv(data / "feed.csv", ["身份证号码", "姓名", "申请编号", "救助类别",
                                          "结算日期", "医疗总费用"],
                     [[UNKNOWN_ID, "钱多多", "K-U-1", "因病", "2026-03-01", "9000"],
                      ["330102197803120417", "张建国", "K-U-2", "因病", "2026-03-01", "9000"],
                      ["330102196504030513", "刘某某", "K-U-3", "因病", "2026-03-01", "9000"]])
    with caplog.at_level("DEBUG"):
        result = import_claims(admin_ctx, path, default_source="医保")
    assert (result.accepted, result.rejected) == (1, 2)
    text = Path(result.error_report).read_text(encoding="utf-8-sig")
    problems = report_rows(result.error_report)
    assert problems[0]["code"] == "UNKNOWN_MEMBER"
    assert problems[0]["reason"] == "没有登记此身份证号码的家庭成员"
    assert problems[0]["reason_en"] == "no registered household member with this ID number"
    assert problems[1]["code"] == "NAME_MISMATCH"
    for secret in (UNKNOWN_ID, "钱多多", "330102196504030513", "刘某某"):
        assert secret not in text
        assert secret not in caplog.text
        assert secret not in json.dumps(result.to_dict(), ensure_ascii=False)
    assert "330102********0019" in text


def test_a_verifier_cannot_import_claims_and_imports_only_own_verifications(
        admin_ctx, data: Path) -> None:
    load_all(admin_ctx, data)
    verifier = admin_ctx.as_user("v1")
    with pytest.raises(PermissionDenied, match="may not import") as denied:
        import_claims(verifier, data / "claims_zh.csv")
    assert denied.value.localized() == ("用户 v1（核查员）无权导入数据：需要以下角色之一："
                                        "保险公司主管")
    with pytest.raises(PermissionDenied):
        import_households(verifier, data / "households_zh.csv")
    result = import_verifications(verifier, data / "verifications_zh.csv")  # rows of v2
    assert (result.accepted, result.rejected) == (0, 3)
    assert {p["code"] for p in report_rows(result.error_report)} == {"VERIFIER_MISMATCH"}
    own = import_verifications(verifier, data / "verifications.jsonl")  # rows of v1
    assert own.accepted == 2


def test_an_unknown_column_refuses_the_file_once(admin_ctx, data: Path) -> None:
    path = write_csv(data / "odd.csv", ["户编号", "行政区划代码", "户类别", "村名", "成员编号",
                                         "姓名", "身份证号码", "手机号码"],
                     [["H-1", "330102101201", "边缘户", "村", "M1", "张三",
                       "330102197803120417", "13800000000"]] * 3)
    with pytest.raises(ImportRefused, match="UNKNOWN_COLUMN '手机号码'") as refused:
        import_households(admin_ctx, path)
    assert refused.value.localized().startswith(
        "odd.csv：表头（第 1 行）“手机号码”：不认识的列名（可用的列名见 docs/import.md；")
    problems = report_rows(refused.value.error_report)
    assert [(p["row"], p["field"], p["code"]) for p in problems] == [
        ("1", "手机号码", "UNKNOWN_COLUMN")]
    assert count(admin_ctx, Household) == 0


def test_a_changed_member_is_updated_and_the_event_names_only_the_fields(admin_ctx,
                                                                         data: Path) -> None:
    import_households(admin_ctx, data / "households_en.csv")
    text = (data / "households_en.csv").read_text(encoding="utf-8")
    changed = text.replace("李秀英", "李秀兰").replace(
        "H-330102-000003,330102201203,low_income,东风乡,王庄村,M3,赵子涵,33010220150601035X,"
        "child,false", "H-330102-000003,330102201203,low_income,东风乡,王庄村,M3,赵子涵,"
        "33010220150601035X,child,true")
    path = data / "changed.csv"
    path.write_text(changed, encoding="utf-8")
    result = import_households(admin_ctx, path)
    assert (result.accepted, result.updated, result.unchanged) == (2, 2, 7)
    with admin_ctx.factory() as session:
        events = session.scalars(select(Event).where(Event.kind == "import.chunk")
                                 .order_by(Event.seq)).all()
    # One event per chunk that changed something; the second import's lists its two changes.
    assert len(events) == 2
    last = json.loads(events[-1].payload)
    assert (last["import_batch"], last["import_kind"], last["accepted"], last["unchanged"]) == (
        result.batch_id, "households", 2, 7)
    assert [(c["kind"], c["detail"]["changed"]) for c in last["changes"]] == [
        ("member.updated", ["name"]), ("member.updated", ["counted"])]
    assert all("李秀" not in e.payload for e in events)


def test_conflicting_registrations_are_rejected(admin_ctx, data: Path) -> None:
    rows = (data / "households_en.csv").read_text(encoding="utf-8").splitlines()
    rows.append(rows[1].replace("M1", "M9").replace(",edge,", ",unstable,")
                .replace("330102197803120417", "330102198807070019"))
    path = data / "conflict.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = import_households(admin_ctx, path)
    problems = report_rows(result.error_report)
    assert [(p["row"], p["code"]) for p in problems] == [("11", "HOUSEHOLD_CONFLICT")]
    assert problems[0]["reason"] == ("户 H-330102-000001 的“household_category”与本文件第 2 "
                                     "行不一致")
    assert "row 2" in problems[0]["reason_en"]
    # one ID number is one member
    path = write_csv(data / "again.csv", ["household_id", "region_code", "household_category",
                                           "village_name", "member_id", "name", "id_number"],
                     [["H-9", "330102101201", "edge", "村", "M1", "张建国",
                       "330102197803120417"]])
    result = import_households(admin_ctx, path)
    problems = report_rows(result.error_report)
    assert [(p["field"], p["code"]) for p in problems] == [("id_number",
                                                            "DUPLICATE_ID_NUMBER")]
    assert "330102197803120417" not in problems[0]["reason"]


def test_a_verification_follows_the_workflow(admin_ctx, data: Path) -> None:
    load_all(admin_ctx, data)
    with admin_ctx.factory() as session, session.begin():
        session.execute(update(Claim).where(Claim.claim_id == "K-2026-000002")
                        .values(status="approved"))
    lines = (data / "verifications.jsonl").read_text(encoding="utf-8").splitlines()
    lines.append(json.dumps({"claim_id": "K-NONE", "verification": {
        "verified_on": "2026-03-10", "verifier_id": "v1", "income": []}}))
    lines.append("{not json")
    path = data / "more.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_verifications(admin_ctx, path)
    problems = report_rows(result.error_report)
    assert [(p["row"], p["code"]) for p in problems] == [
        ("2", "CLAIM_STATUS"), ("3", "CLAIM_NOT_FOUND"), ("4", "UNREADABLE_ROW")]
    assert problems[0]["reason"] == "案件 K-2026-000002 当前的状态（拟救助）不能录入核查"
    assert "cannot move to verified" in problems[0]["reason_en"]
    assert result.accepted == 1


def test_department_findings_are_stored_once(admin_ctx, data: Path) -> None:
    import_households(admin_ctx, data / "households_zh.csv")
    result = import_department_data(admin_ctx, data / "department_zh.csv")
    assert (result.accepted, result.rejected) == (3, 0)
    with admin_ctx.factory() as session:
        findings = {(f.household_id, f.source, f.item, f.found)
                    for f in session.scalars(select(Finding))}
        batches = set(session.scalars(select(Finding.import_batch_id)))
    assert findings == {("H-330102-000001", "vehicle_registry", "VEHICLE", False),
                        ("H-330102-000002", "business_registry", "COMPANY", True),
                        ("H-330102-000003", "housing", "COMMERCIAL_HOUSING", False)}
    assert batches == {result.batch_id}
    # the same finding by household id instead of ID number is the same finding
    path = write_csv(data / "by_household.csv",
                     ["source", "household_id", "item", "found", "detail", "reported_on"],
                     [["business_registry", "H-330102-000002", "COMPANY", "Y", "个体工商户登记",
                       "2026-03-05"],
                      ["bank", "H-404", "LARGE_DEPOSITS", "N", "", ""]])
    again = import_department_data(admin_ctx, path)
    assert (again.unchanged, again.rejected) == (1, 1)
    assert report_rows(again.error_report)[0]["code"] == "UNKNOWN_HOUSEHOLD"
