"""Hostile and sloppy input: each test reproduces one way bad input used to crash, stop a batch
or be stored silently wrong, on SQLite and PostgreSQL alike where a database is involved."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select, text, update
from typer.testing import CliRunner

from adjudicator.intake import (
    UnreadableFile,
    import_claims,
    import_households,
    import_verifications,
)
from adjudicator.intake.report import read_report
from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.notices import close_due_notices, create_notices
from adjudicator.services.payments import pay_closed
from adjudicator.storage.db import transaction
from adjudicator.storage.models import Claim, ImportBatch, Member, Verification
from cli.main import app
from schemas.types import MAX_AMOUNT, format_amount
from tests.seed import (
    LATE_IN_2026,
    SAMPLE_TOWNSHIPS,
    add_claim,
    add_household,
    give_townships,
    load_demo_tariff,
)

runner = CliRunner()

FORMULA = "=cmd|' /C calc'!A0"


def report_rows(path: str | Path) -> list[dict[str, str]]:
    return read_report(path)


def csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return [cell for row in csv.reader(stream) for cell in row]


# --- CSV and XLSX injection (item 5) -------------------------------------------------------


def test_error_report_neutralises_a_formula_header(admin_ctx, tmp_path: Path) -> None:
    path = tmp_path / "households.csv"
    path.write_text(f"户编号,行政区划代码,{FORMULA}\nH-1,330102001001,x\n", encoding="utf-8")
    runner_ctx = admin_ctx.as_user("sup")
    with contextlib.suppress(ValueError):
        import_households(runner_ctx, path)
    cells = csv_cells(tmp_path / "households.csv.errors.csv")
    assert "'" + FORMULA in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_payment_register_neutralises_a_formula_name(admin_ctx, clock, tmp_path: Path
                                                       ) -> None:
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H-X")
    with transaction(admin_ctx.factory) as session:
        session.execute(update(Member).where(Member.member_id == "M1").values(
            name="=HYPERLINK(0)"))
    add_claim(admin_ctx, "K-X", "H-X", "25000")
    assert adjudicate_ready(admin_ctx.as_user("sup")).outcomes == {"approved": 1}
    officer = admin_ctx.as_user("off")
    create_notices(officer, tmp_path, render=False)
    clock.advance(days=7)
    close_due_notices(officer)
    run = pay_closed(admin_ctx.as_user("sup"), register_dir=tmp_path)
    assert run.register is not None
    cells = csv_cells(run.register)
    assert any(cell.startswith("'=") for cell in cells), cells
    assert not any(cell.startswith("=") for cell in cells)


def test_report_xlsx_neutralises_a_formula_title(tmp_path: Path) -> None:
    from adjudicator.documents.xlsx import summary_report_xlsx
    from tests.test_documents import summary

    report = summary(title="=1+1")
    sheet = load_workbook(io.BytesIO(summary_report_xlsx(report))).worksheets[0]
    assert sheet.cell(row=1, column=1).value == "'=1+1"


# --- only init and demo create a database (item 7) -----------------------------------------


def test_a_mistyped_db_path_is_refused_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    result = runner.invoke(app, ["report", "--db", f"sqlite:///{missing}", "--as", "sun"])
    assert result.exit_code == 1
    assert "不存在" in result.output and "adjudicator init" in result.output
    assert "Traceback" not in result.output
    assert not missing.exists()


def test_an_unmigrated_database_is_refused(tmp_path: Path) -> None:
    import sqlite3

    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    result = runner.invoke(app, ["user", "list", "--db", f"sqlite:///{empty}", "--as", "a"])
    assert result.exit_code == 1
    assert "尚未建立" in result.output
    with sqlite3.connect(empty) as connection:
        assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_init_creates_and_the_others_then_open_it(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'new.db'}"
    assert runner.invoke(app, ["init", "--db", db]).exit_code == 0
    listed = runner.invoke(app, ["user", "list", "--db", db, "--as", "admin"])
    assert listed.exit_code == 0, listed.output


# --- encodings: decided up front, a bad byte rejects its row (item 2) ------------------------

DATA = Path(__file__).parent / "data" / "import"


def household_lines() -> list[str]:
    return (DATA / "households_zh.csv").read_text(encoding="utf-8-sig").splitlines()


def batch_counts(ctx) -> list[tuple[int, int, int, int]]:
    with ctx.factory() as session:
        return [(b.rows_total, b.accepted, b.rejected, b.unchanged)
                for b in session.scalars(select(ImportBatch))]


def members(ctx) -> int:
    with ctx.factory() as session:
        return session.scalar(select(func.count()).select_from(Member))


def test_a_gbk_file_with_one_bad_byte_rejects_that_row_only(admin_ctx, tmp_path: Path) -> None:
    lines = household_lines()
    encoded = [line.encode("gbk") for line in lines]
    encoded[7] = encoded[7].replace("赵磊".encode("gbk"), b"\xff\xfe\x81")  # data row 8
    path = tmp_path / "households.csv"
    path.write_bytes(b"\r\n".join(encoded) + b"\r\n")
    result = import_households(admin_ctx.as_user("sup"), path, chunk_size=3)
    assert (result.rows_total, result.accepted, result.rejected) == (9, 8, 1)
    assert batch_counts(admin_ctx) == [(9, 8, 1, 0)]
    assert members(admin_ctx) == 8
    [problem] = report_rows(result.error_report)
    assert (problem["row"], problem["field"], problem["code"]) == ("8", "姓名",
                                                                    "UNDECODABLE_BYTES")
    assert "households.csv 第 8 行「姓名」" in problem["reason"]
    # the English column was the Chinese reason again
    assert problem["reason_en"].startswith("households.csv row 8 (姓名) holds bytes that")
    assert "\ufffd" in problem["original"]


def test_a_utf16_file_with_a_byte_order_mark_imports(admin_ctx, tmp_path: Path) -> None:
    path = tmp_path / "households.txt"  # Excel's "Unicode text": UTF-16 LE, tabs
    path.write_text("\r\n".join(line.replace(",", "\t") for line in household_lines()),
                    encoding="utf-16")
    result = import_households(admin_ctx.as_user("sup"), path)
    assert (result.rows_total, result.accepted, result.rejected) == (9, 9, 0)


def test_a_utf16_file_without_a_byte_order_mark_is_refused_whole(admin_ctx,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "households.csv"
    path.write_bytes("\r\n".join(household_lines()).encode("utf-16-le"))
    with pytest.raises(UnreadableFile, match="UTF-16") as refused:
        import_households(admin_ctx.as_user("sup"), path)
    assert "\n" not in str(refused.value) and "未导入任何数据" in str(refused.value)
    assert batch_counts(admin_ctx) == [] and members(admin_ctx) == 0


def test_the_import_command_names_a_refused_encoding_in_one_line(admin_ctx, db_url: str,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "households.csv"
    path.write_bytes("\r\n".join(household_lines()).encode("utf-16-be"))
    result = runner.invoke(app, ["import", "households", str(path), "--db", db_url,
                                 "--as", "sup"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "UTF-16" in result.output


@pytest.mark.parametrize("content", ["csv", "zip", "truncated"])
@pytest.mark.parametrize("kind", ["households", "claims", "feed"])
def test_a_file_named_xlsx_that_is_no_workbook_is_refused_whole(
        admin_ctx, db_url: str, tmp_path: Path, kind: str, content: str) -> None:
    """A CSV saved as .xlsx, an old .xls renamed or a damaged workbook: every import printed
    openpyxl's traceback (BadZipFile) instead of a reason."""
    import zipfile

    path = tmp_path / "名单.xlsx"
    if content == "csv":
        path.write_text("\n".join(household_lines()), encoding="utf-8")
    elif content == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("word/document.xml", "<w/>")
    else:
        good = tmp_path / "good.xlsx"
        from openpyxl import Workbook

        book = Workbook()
        book.active.append(["户编号", "姓名"])
        book.save(good)
        path.write_bytes(good.read_bytes()[:200])
    args = (["feed", "import", "medical", str(path), "--month", "2026-03"]
            if kind == "feed" else ["import", kind, str(path)])
    result = runner.invoke(app, [*args, "--db", db_url, "--as", "sup"])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert result.output.startswith("错误：名单.xlsx：不是可以读取的 Excel 工作簿（.xlsx）")
    assert "未导入任何数据" in result.output
    assert batch_counts(admin_ctx) == [] and members(admin_ctx) == 0


@pytest.mark.parametrize("content", ["empty", "blank lines", "empty workbook"])
@pytest.mark.parametrize("kind", ["households", "claims"])
def test_an_empty_file_is_refused_not_imported_as_zero_rows(
        admin_ctx, db_url: str, tmp_path: Path, kind: str, content: str) -> None:
    """An export that came out empty (no header, no rows) was recorded as an import batch of
    0 rows, as if the county had sent nothing that month; it is refused with its reason."""
    path = tmp_path / ("名单.xlsx" if content == "empty workbook" else "名单.csv")
    if content == "empty workbook":
        from openpyxl import Workbook

        Workbook().save(path)
    else:
        path.write_text("" if content == "empty" else "\n\n,,\n", encoding="utf-8")
    result = runner.invoke(app, ["import", kind, str(path), "--db", db_url, "--as", "sup"])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert result.output.startswith("错误：名单.") and "文件是空的" in result.output
    assert "未导入任何数据" in result.output
    assert batch_counts(admin_ctx) == [] and members(admin_ctx) == 0


@pytest.mark.parametrize("where", ["first row", "after the first chunk"])
def test_a_row_the_csv_module_cannot_read_refuses_the_file_before_any_of_it_is_stored(
        admin_ctx, db_url: str, tmp_path: Path, where: str) -> None:
    """A cell over the csv module's 131,072 characters (an unmatched quote takes the rest of
    a file into one cell) crashed the import with a traceback, after the chunks before it
    had been stored."""
    lines = household_lines()
    at = 0 if where == "first row" else 6  # chunks of 2 rows below: 2 chunks read before
    lines[at] += "," + "备" * 140_000
    path = tmp_path / "名单.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UnreadableFile) as refused:
        import_households(admin_ctx.as_user("sup"), path, chunk_size=2)
    said = refused.value.localized("zh")
    assert said.startswith(f"名单.csv：第 {at + 1} 行起无法按 CSV 读取") and "引号不配对" in said
    assert batch_counts(admin_ctx) == [] and members(admin_ctx) == 0
    result = runner.invoke(app, ["import", "households", str(path), "--db", db_url, "--as",
                                 "sup"])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert result.output.startswith("错误：名单.csv：第") and "未导入任何数据" in result.output
    feed = runner.invoke(app, ["feed", "import", "medical", str(path), "--month", "2026-03",
                               "--db", db_url, "--as", "sup"])
    assert feed.exit_code == 1 and "Traceback" not in feed.output, feed.output
    if where == "first row":  # the header search reads it
        assert feed.output.startswith("错误：名单.csv：第 1 行起无法按 CSV 读取"), feed.output
    assert batch_counts(admin_ctx) == [] and members(admin_ctx) == 0


# --- control characters: rejected per row, the same on both databases (item 3) -------------


def test_a_nul_in_one_name_rejects_that_row_on_both_databases(admin_ctx,
                                                              tmp_path: Path) -> None:
    lines = household_lines()
    lines[2] = lines[2].replace("李秀英", "李秀\x00英")
    lines[5] = lines[5].replace("城关镇", "城关\x1b镇")
    path = tmp_path / "households.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_households(admin_ctx.as_user("sup"), path)
    assert (result.accepted, result.rejected) == (7, 2)
    problems = [(p["row"], p["field"], p["code"]) for p in report_rows(result.error_report)]
    assert problems == [("3", "姓名", "CONTROL_CHARACTER"), ("6", "乡镇", "CONTROL_CHARACTER")]
    assert "U+0000" in report_rows(result.error_report)[0]["reason"]
    assert "holds the control character U+0000" in report_rows(result.error_report)[0][
        "reason_en"]
    assert members(admin_ctx) == 7


def test_a_control_character_in_json_is_rejected_per_row(admin_ctx, clock, tmp_path: Path) -> None:
    clock.moment = LATE_IN_2026  # the lines' events are of mid-2026
    import_households(admin_ctx.as_user("sup"), DATA / "households_zh.csv",
                      tmp_path / "h.errors.csv")
    path = tmp_path / "claims.jsonl"
    good = (DATA / "claims.jsonl").read_text(encoding="utf-8").splitlines()[0]
    bad = good.replace("K-2026-000006", "K-2026-000099").replace('"JS-006"', '"JS-\\u0000"')
    path.write_text(good + "\n" + bad + "\n", encoding="utf-8")
    result = import_claims(admin_ctx.as_user("sup"), path)
    assert (result.accepted, result.rejected) == (1, 1)
    [problem] = report_rows(result.error_report)
    assert (problem["row"], problem["field"], problem["code"]) == (
        "2", "document_no", "CONTROL_CHARACTER")


# --- doubled JSON keys and formula cells (item 4) ------------------------------------------


def test_a_doubled_json_key_is_a_row_error(admin_ctx, clock, tmp_path: Path) -> None:
    clock.moment = LATE_IN_2026  # the lines' events are of mid-2026
    import_households(admin_ctx.as_user("sup"), DATA / "households_zh.csv",
                      tmp_path / "h.errors.csv")
    lines = (DATA / "claims.jsonl").read_text(encoding="utf-8").splitlines()
    doubled = lines[0].replace('"category": "medical"',
                               '"category": "medical", "category": "disaster"')
    # a string holding '":' is no doubled key
    tricky = lines[1].replace('"JS-007"', '"JS-007 \\":"')
    path = tmp_path / "claims.jsonl"
    path.write_text(doubled + "\n" + tricky + "\n", encoding="utf-8")
    result = import_claims(admin_ctx.as_user("sup"), path)
    assert (result.accepted, result.rejected) == (1, 1)
    [problem] = report_rows(result.error_report)
    assert (problem["row"], problem["field"], problem["code"]) == (
        "1", "救助类别", "DUPLICATE_KEY")
    assert "出现了不止一次" in problem["reason"]


def test_formula_cells_are_row_errors(admin_ctx, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    rows = [line.split(",") for line in household_lines()]
    rows[1][7] = '=CONCAT("张","建国")'  # a name (would read as missing)
    rows[2][10] = "=1=0"  # 是否计入 (would read as the default, yes)
    for cells in rows:
        sheet.append(cells)
    path = tmp_path / "households.xlsx"
    book.save(path)
    result = import_households(admin_ctx.as_user("sup"), path)
    assert (result.accepted, result.rejected) == (7, 2)
    problems = [(p["row"], p["field"], p["code"]) for p in report_rows(result.error_report)]
    assert problems == [("2", "姓名", "FORMULA_CELL"), ("3", "是否计入", "FORMULA_CELL")]


# --- one bound for every amount, and a claim that cannot be stored blocks nothing (item 1) --


def test_an_amount_beyond_the_columns_is_a_row_error_at_intake(admin_ctx,
                                                               tmp_path: Path) -> None:
    import_households(admin_ctx.as_user("sup"), DATA / "households_zh.csv",
                      tmp_path / "h.errors.csv")
    path = tmp_path / "claims.csv"
    path.write_text("申请编号,身份证号码,救助类别,结算日期,来源,结算单号,医疗总费用\n"
                    "K-BIG,330102197803120417,因病,2026-03-01,医保,D1,9999999999999.99\n"
                    "K-MAX,330102196504030513,因病,2026-03-01,医保,D2,999999999999.99\n",
                    encoding="utf-8")
    result = import_claims(admin_ctx.as_user("sup"), path)
    assert (result.accepted, result.rejected) == (1, 1)
    [problem] = report_rows(result.error_report)
    assert (problem["row"], problem["field"], problem["code"]) == (
        "2", "医疗总费用", "INVALID_VALUE")
    assert "金额超出上限" in problem["reason"] and "999999999999.99" in problem["reason"]


def test_a_decision_too_large_to_store_leaves_the_others_decided(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    for household in ("H-A", "H-B"):
        add_household(admin_ctx, household)
    big = {"stage": "undergraduate", "tuition": "999999999999.99",
           "accommodation": "999999999999.99", "aid_received": "0.00"}
    add_claim(admin_ctx, "K-A", "H-A", "0", category="education", amounts=big)
    add_claim(admin_ctx, "K-B", "H-B", "25000")
    supervisor = admin_ctx.as_user("sup")
    for _ in range(2):  # the rerun reports the same claim, and nothing else
        result = adjudicate_ready(supervisor)
        assert [claim for claim, _ in result.errors] == ["K-A"]
        assert "超出金额上限" in result.errors[0][1]
    with admin_ctx.factory() as session:
        statuses = dict(session.execute(select(Claim.claim_id, Claim.status)).all())
    assert statuses == {"K-A": "verified", "K-B": "approved"}


# --- money exactly on SQLite too (item 8) --------------------------------------------------

AMOUNTS = ("0.10", "0.20", "12345.67", "999999999999.99", "68000.00")


def test_amounts_are_stored_exactly_and_summed_exactly(admin_ctx) -> None:
    from adjudicator.storage.models import DecisionRecord, Payment

    add_household(admin_ctx, "H-S")
    load_demo_tariff(admin_ctx)
    add_claim(admin_ctx, "K-S", "H-S", "25000")
    adjudicate_ready(admin_ctx.as_user("sup"))
    now = admin_ctx.now()
    with transaction(admin_ctx.factory) as session:
        decision_id = session.scalar(select(DecisionRecord.decision_id))
        session.add(Payment(claim_id="K-S", decision_id=decision_id, household_id="H-S",
                            amount=Decimal("999999999999.99"), batch_ref="B", paid_by="sup",
                            paid_at=now))
        claim = session.get(Claim, "K-S")
        claim.final_paid = Decimal("0.10")
        claim.final_counted_expense = Decimal("0.30")
    with admin_ctx.factory() as session:
        claim = session.get(Claim, "K-S")
        assert (claim.final_paid, claim.final_counted_expense) == (Decimal("0.10"),
                                                                    Decimal("0.30"))
        assert str(claim.final_paid) == "0.10"
        total = session.scalar(select(func.sum(Payment.amount)))
        assert total == Decimal("999999999999.99") and str(total) == "999999999999.99"
        compared = session.scalar(select(func.count()).select_from(Claim).where(
            Claim.final_paid == Decimal("0.10")))
        assert compared == 1
        if admin_ctx.engine.dialect.name == "sqlite":  # integer fen, never a REAL
            raw = session.execute(text(
                "SELECT typeof(final_paid), final_paid, typeof(final_counted_expense), "
                "final_counted_expense FROM claims")).one()
            assert tuple(raw) == ("integer", 10, "integer", 30)
            assert session.execute(text("SELECT typeof(amount), amount FROM payments")
                                   ).one() == ("integer", 99999999999999)


def test_the_migration_converts_a_database_of_binary_floats_exactly(tmp_path: Path,
                                                                    clock) -> None:
    """A SQLite database made before the change (amounts as REAL) is migrated to integer
    fen: every amount reads back as the decision recorded it, and replay is identical."""
    from alembic import command

    from adjudicator.services.replay import replay
    from adjudicator.services.users import add_user, bootstrap_admin
    from adjudicator.storage.context import Context
    from adjudicator.storage.db import alembic_config, make_engine, session_factory
    from adjudicator.storage.models import DecisionRecord

    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    for head in ("0002_audit", "0003_notices", "0004_web", "0005_lz4",
                 "0014_office_b"):  # every revision before 0008_exact_money
        command.upgrade(config, head)
    engine = make_engine(url)
    system = Context(engine, session_factory(engine), "system", "admin", clock)
    bootstrap_admin(system, "admin", "管理员")
    admin = system.as_user("admin")
    add_user(admin, "sup", "supervisor", "SUP")
    add_user(admin, "aud", "auditor", "AUD")
    add_user(admin, "v1", "verifier", "V1")
    load_demo_tariff(admin)
    for n, cost in enumerate(("25000", "33333.33", "47251.17", "120000.01")):
        add_household(admin, f"H-{n}")
        add_claim(admin, f"K-{n}", f"H-{n}", cost, wages="30000.03")
    adjudicate_ready(admin.as_user("sup"))
    columns = ("payout", "eligible_expense", "counted_expense")
    with engine.begin() as connection:  # the amounts as the old NUMERIC stored them: REAL
        connection.execute(text("UPDATE decisions SET " + ", ".join(
            f"{c} = {c} / 100.0" for c in columns)))
        connection.execute(text("UPDATE claims SET final_paid = final_paid / 100.0, "
                                "final_counted_expense = final_counted_expense / 100.0"))
        assert connection.execute(text("SELECT count(*) FROM decisions WHERE typeof(payout) "
                                       "= 'real'")).scalar() >= 1
    command.upgrade(config, "heads")
    with engine.connect() as connection:
        kinds = connection.execute(text("SELECT DISTINCT typeof(payout) FROM decisions")
                                   ).scalars().all()
    assert kinds == ["integer"]
    with admin.factory() as session:
        for record in session.scalars(select(DecisionRecord)):
            recorded = json.loads(record.decision_json)
            assert str(record.payout) == recorded["payout"]
            assert str(record.eligible_expense) == recorded["eligible_expense"]
            assert str(record.counted_expense) == recorded["counted_expense"]
            claim = session.get(Claim, record.claim_id)
            assert claim.final_paid in (None, record.payout)  # None: pended
    result = replay(admin.as_user("aud"))
    assert (result.checked, result.identical, result.differences) == (4, 4, [])
    engine.dispose()


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT, places=2))
def test_every_amount_within_the_bound_goes_through_a_sqlite_column_unchanged(value) -> None:
    from sqlalchemy.dialects import sqlite

    from adjudicator.storage.models import ExactAmount

    dialect, column = sqlite.dialect(), ExactAmount()
    bound = column.bind_processor(dialect)(value)
    stored = int(bound)  # a NUMERIC column keeps an integral value as an INTEGER
    assert stored == bound
    read = column.result_processor(dialect, None)(stored)
    assert read == value and str(read) == format_amount(value)


# --- an imported verification's verifier (item 6) and time running one way (item 15) -------

VERIFICATION_HEADER = ("申请编号,核查日期,核查员,工资性收入,财政供养,车辆,公司,商品房,铺面,"
                       "刻意隐瞒\n")


def _sample_claims(ctx, tmp_path: Path) -> None:
    supervisor = ctx.as_user("sup")
    import_households(supervisor, DATA / "households_zh.csv", tmp_path / "h.errors.csv")
    import_claims(supervisor, DATA / "claims_zh.csv", tmp_path / "c.errors.csv")


def test_an_imported_verification_needs_a_verifier_of_that_claim(admin_ctx, clock,
                                                                 tmp_path: Path) -> None:
    clock.moment = LATE_IN_2026
    _sample_claims(admin_ctx, tmp_path)
    give_townships(admin_ctx, "v2", ["330102101"])  # K-2026-000001's township
    path = tmp_path / "verifications.csv"
    row = ",2026-04-01,{},30000,否,否,否,否,否,否\n"
    path.write_text(VERIFICATION_HEADER + "K-2026-000001" + row.format("nobody99")
                    + "K-2026-000001" + row.format("sup")
                    + "K-2026-000001" + row.format("v1")
                    + "K-2026-000001" + row.format("v2"), encoding="utf-8")
    result = import_verifications(admin_ctx.as_user("sup"), path)
    assert (result.accepted, result.rejected) == (1, 3)
    problems = report_rows(result.error_report)
    assert [(p["row"], p["field"], p["code"]) for p in problems] == [
        ("2", "核查员", "UNKNOWN_VERIFIER"), ("3", "核查员", "UNKNOWN_VERIFIER"),
        ("4", "核查员", "VERIFIER_NOT_ASSIGNED")]
    assert "「nobody99」不是本系统的用户" in problems[0]["reason"]
    assert "不是核查员" in problems[1]["reason"]
    with admin_ctx.factory() as session:
        assert session.scalars(select(Verification.verifier_id)).all() == ["v2"]


def test_an_imported_verification_is_dated_between_the_event_and_today(admin_ctx, clock,
                                                                       tmp_path: Path) -> None:
    clock.moment = LATE_IN_2026
    _sample_claims(admin_ctx, tmp_path)
    give_townships(admin_ctx, "v2", SAMPLE_TOWNSHIPS)
    clock.moment = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
    path = tmp_path / "verifications.csv"
    row = "K-2026-000001,{},v2,30000,否,否,否,否,否,否\n"  # its event: 2026-03-01
    path.write_text(VERIFICATION_HEADER + row.format("2026-06-02") + row.format("2026-02-28")
                    + row.format("2026-06-01"), encoding="utf-8")
    result = import_verifications(admin_ctx.as_user("sup"), path)
    assert (result.accepted, result.rejected) == (1, 2)
    problems = report_rows(result.error_report)
    assert [(p["row"], p["field"], p["code"]) for p in problems] == [
        ("2", "核查日期", "VERIFIED_IN_FUTURE"), ("3", "核查日期", "VERIFIED_BEFORE_EVENT")]


def test_a_claim_whose_event_is_after_the_day_it_is_received_is_refused(admin_ctx, clock,
                                                                        tmp_path: Path) -> None:
    import_households(admin_ctx.as_user("sup"), DATA / "households_zh.csv",
                      tmp_path / "h.errors.csv")
    clock.moment = dt.datetime(2026, 4, 14, 8, 0, tzinfo=dt.UTC)  # 16:00 of the 14th in Beijing
    result = import_claims(admin_ctx.as_user("sup"), DATA / "claims_zh.csv",
                           tmp_path / "c.errors.csv")  # events 2026-03-01 and 2026-04-15
    assert (result.accepted, result.rejected) == (1, 1)
    [problem] = report_rows(result.error_report)
    assert (problem["row"], problem["field"], problem["code"]) == (
        "3", "结算日期", "EVENT_IN_FUTURE")


def test_recording_a_verification_dated_before_the_event_is_refused(admin_ctx) -> None:
    from adjudicator.services.verification import (
        VerificationRefused,
        assign_claims,
        record_verification,
        verification_template,
    )
    from tests.test_verification import fill

    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H-T", region="330102001001")
    add_claim(admin_ctx, "K-T", "H-T", "25000", status="screened",
              event_date=dt.date(2026, 3, 10))
    give_townships(admin_ctx, "v1", ["330102001"])
    assign_claims(admin_ctx.as_user("sup"), verifier="v1")
    verifier = admin_ctx.as_user("v1")
    form = fill(verification_template(verifier, "K-T"), visited=dt.date(2026, 3, 9))
    with pytest.raises(VerificationRefused, match="早于申请 K-T 的事发日期 2026-03-10"):
        record_verification(verifier, "K-T", form)
    record_verification(verifier, "K-T", fill(verification_template(verifier, "K-T"),
                                              visited=dt.date(2026, 3, 10)))
