"""Hostile and sloppy input: each test reproduces one way bad input used to crash, stop a batch
or be stored silently wrong, on SQLite and PostgreSQL alike where a database is involved."""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import update
from typer.testing import CliRunner

from adjudicator.intake import import_households
from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.notices import close_due_notices, create_notices
from adjudicator.services.payments import pay_closed
from adjudicator.storage.db import transaction
from adjudicator.storage.models import Member
from cli.main import app
from tests.seed import add_claim, add_household, load_demo_tariff

runner = CliRunner()

FORMULA = "=cmd|' /C calc'!A0"


def report_rows(path: str | Path) -> list[dict[str, str]]:
    with Path(path).open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


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
