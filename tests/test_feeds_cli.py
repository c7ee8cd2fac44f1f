"""`adjudicator feed …` end to end from the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app
from tests.test_feeds import county, medical_row, person, write_csv  # noqa: F401


def _run(db_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--db", db_url])
    return result.exit_code, result.output


def test_the_loop_from_the_command_line(county, db_url, tmp_path) -> None:  # noqa: F811
    path = write_csv(tmp_path / "医保.csv", [medical_row("S1", 1), medical_row("S2", 2),
                                            ["S3", "123", "王一", *medical_row("S3", 1)[3:]]])
    code, out = _run(db_url, "feed", "import", "medical", str(path), "--month", "2026-03",
                     "--as", "sup")
    assert code == 0 and "新入库 2 行" in out and "拒收 1 行" in out and "错误报告" in out
    code, out = _run(db_url, "feed", "import", "medical", str(path), "--month", "2026-03",
                     "--as", "sup", "--json")
    assert code == 0 and json.loads(out)["unchanged"] == 2
    code, out = _run(db_url, "feed", "import", "medical", str(path), "--month", "2026-3",
                     "--as", "sup")
    assert code == 1 and "YYYY-MM" in out
    code, out = _run(db_url, "feed", "import", "medical", str(path), "--month", "2026-03",
                     "--as", "v1")
    assert code == 1 and "错误：用户 v1（核查员）无权导入数据" in out and "may not" not in out
    code, out = _run(db_url, "feed", "screen", "--month", "2026-03", "--as", "sup", "--json")
    assert code == 0
    screened = json.loads(out)
    assert screened["counts"] == {"pushed": 2}
    assert person(1, 0) not in out
    code, out = _run(db_url, "feed", "list", "--month", "2026-03", "--as", "offa")
    assert code == 0 and "H001" in out and "H002" in out
    code, out = _run(db_url, "feed", "keep", "H001", "--month", "2026-03", "--as", "offa")
    assert code == 0 and "FD-202603-" in out and "核查任务交 v1" in out
    code, out = _run(db_url, "feed", "remove", "H002", "--month", "2026-03", "--as", "offa",
                     "--reason", "已脱贫")
    assert code == 0 and "已剔除" in out
    code, out = _run(db_url, "feed", "keep", "H002", "--month", "2026-03", "--as", "offb")
    assert code == 1 and "不负责" in out
    xlsx, pdf = tmp_path / "r.xlsx", tmp_path / "r.pdf"
    code, out = _run(db_url, "feed", "report", "--month", "2026-03", "--as", "aud",
                     "--xlsx", str(xlsx), "--pdf", str(pdf))
    assert code == 0 and "未到部门：应急、教育、民政" in out
    code, out = _run(db_url, "--lang", "en", "feed", "list", "--month", "2026-03", "--as",
                     "offa", "--all")
    assert code == 0 and "household" in out and "户编号" not in out and "H001" in out
    code, out = _run(db_url, "--lang", "en", "feed", "report", "--month", "2026-03", "--as",
                     "aud")
    assert code == 0 and "bureaus missing: disaster, education, civil-affairs" in out
    assert xlsx.read_bytes()[:2] == b"PK" and pdf.read_bytes()[:4] == b"%PDF"
    code, out = _run(db_url, "feed", "report", "--month", "2026-03", "--as", "aud", "--json")
    total = json.loads(out)["total"]
    assert (total["pushed_households"], total["kept_households"],
            total["removed"]) == (2, 1, {"TOWNSHIP_REMOVED": 1})


def _a_month_with_two_townships(county, tmp_path):  # noqa: F811
    """March: pushed, screened out, kept and removed households in two townships, and a
    row of a person not registered (the 未登记 line)."""
    from adjudicator.feeds.importer import import_feed
    from adjudicator.feeds.screen import screen_month
    from adjudicator.feeds.triage import keep_household, remove_household
    from adjudicator.storage.db import transaction
    from adjudicator.storage.models import Finding
    from tests.casebuilder import valid_id
    from tests.test_feeds import add_household

    add_household(county, 11, region="330102002001")
    with transaction(county.factory) as session:
        session.add(Finding(household_id="H002", source="vehicle_registry", item="VEHICLE",
                            found=True, detail="小轿车", row_key="f1"))
    rows = [medical_row(f"S{n}", n) for n in (1, 2, 3, 4, 11)]
    rows.append(["S9", valid_id("110101", seq="777"), "赵六", *medical_row("S9", 1)[3:]])
    sup = county.as_user("sup")
    import_feed(sup, "medical", write_csv(tmp_path / "m.csv", rows), "2026-03")
    screen_month(sup, "2026-03")
    keep_household(county.as_user("offa"), "2026-03", "H001")
    remove_household(county.as_user("offa"), "2026-03", "H003", "已脱贫")
    remove_household(county.as_user("offa"), "2026-03", "H004", "已享受特困供养")


def _report(county, monkeypatch, width: int, *args: str) -> str:  # noqa: F811
    from cli import common

    monkeypatch.setattr(common.console, "_width", width)
    url = county.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, [*args, "feed", "report", "--month", "2026-03",
                                      "--as", "aud", "--db", url])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_report_fits_80_columns_as_labelled_lines(county, tmp_path,  # noqa: F811
                                                      monkeypatch) -> None:
    """`feed report` printed a table of 16 columns that, at 80 columns, squeezed each to a
    character or two and broke its headers. When the table does not fit, each township is a
    block of "label：value" lines under its name and code, every figure with its label, the
    removal reasons one a line, the total last; the missing bureaus are still said."""
    from rich.cells import cell_len

    from adjudicator.feeds.report import COLUMNS, cells, feed_report, heading, removed_by_reason

    _a_month_with_two_townships(county, tmp_path)
    out = _report(county, monkeypatch, 80)
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= 80, out
    assert "┃" not in out and "│" not in out  # no table
    assert lines[0] == "2026-03 部门数据推送与初筛月报"
    assert "未到部门：应急、教育、民政" in out
    found = feed_report(county, "2026-03")
    rows = [*found.townships, found.total]
    assert len(rows) == 4  # two townships, 未登记, 合计
    *blocks, after = out.split("\n\n")[1:]
    assert after == "未到部门：应急、教育、民政\n"
    assert [block.splitlines()[0] for block in blocks] == [heading(row) for row in rows]
    for row, block in zip(rows, blocks, strict=True):
        said = [line.strip() for line in block.splitlines()[1:]]
        expected = []
        for (label, key), value in zip(COLUMNS, cells(row), strict=True):
            if key == "removed":
                reasons = removed_by_reason(row)
                expected += [f"{label}：" + ("" if reasons else "—"), *reasons]
            elif key is not None:
                expected.append(f"{label}：{value}")
        assert said[:len(expected)] == expected, block
    town, total = rows[0], rows[-1]
    assert len(town.removed) == 2 and town.pushed_households == 3
    assert total.rows["medical"] == 6
    assert "\n    乡镇初筛剔除 2" in blocks[0], blocks[0]


def test_the_report_keeps_its_table_in_a_wide_terminal(county, tmp_path,  # noqa: F811
                                                       monkeypatch) -> None:
    _a_month_with_two_townships(county, tmp_path)
    out = _report(county, monkeypatch, 200)
    assert "┃" in out and "医保行数" in out and "核查任务人" in out
    header = next(line for line in out.splitlines() if "医保行数" in line)
    assert "剔除（按原因）" in header  # every header whole, on one line
    assert "…" not in out  # a long reason folds onto the next line, never cut
    for line in out.splitlines():
        if "示范镇 330102001" in line:
            assert [cell.strip() for cell in line.split("│")[1:15]] == [
                "示范镇 330102001", "4", "0", "0", "0", "4", "4", "12", "3", "9", "0", "1",
                "1", "3"]
    assert "未到部门：应急、教育、民政" in out
    english = _report(county, monkeypatch, 80, "--lang", "en")
    assert english.splitlines()[0] == "2026-03 department feeds report"
    assert "bureaus missing: disaster, education, civil-affairs" in english


def test_an_error_report_that_cannot_be_written_stops_the_import_in_one_line(
        county, db_url, tmp_path) -> None:  # noqa: F811
    """The error report's place is not writable (here: beneath a file): one line naming
    it, before anything is stored; no traceback."""
    path = write_csv(tmp_path / "医保.csv", [medical_row("S1", 1)])
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code, out = _run(db_url, "feed", "import", "medical", str(path), "--month", "2026-03",
                     "--as", "sup", "--errors", str(blocker / "r.csv"))
    assert code == 1 and "错误：无法写入错误报告" in out and "not-a-folder" in out
    assert "Traceback" not in out
    code, out = _run(db_url, "feed", "report", "--month", "2026-03", "--as", "aud")
    assert "未到部门：医保、应急、教育、民政" in out


def test_a_folder_or_a_file_of_another_kind_is_named_as_such(county, db_url,  # noqa: F811
                                                            tmp_path) -> None:
    code, out = _run(db_url, "feed", "import", "medical", str(tmp_path), "--month", "2026-03",
                     "--as", "sup")
    assert code == 1 and "是文件夹，不是文件" in out and "不存在" not in out
    for name in ("医保.pdf", "医保.jsonl"):
        (tmp_path / name).write_text("{}")
        code, out = _run(db_url, "feed", "import", "medical", str(tmp_path / name),
                         "--month", "2026-03", "--as", "sup")
        assert code == 1 and "部门数据应为 CSV 或 XLSX 文件" in out and "请使用" not in out


def test_keep_with_negative_days_is_refused_in_one_line(county, db_url,  # noqa: F811
                                                       tmp_path) -> None:
    """`feed keep --days -3`: a one-line refusal and nothing kept; before, a ValueError
    traceback from the working-day calendar."""
    path = write_csv(tmp_path / "医保.csv", [medical_row("S1", 1)])
    _run(db_url, "feed", "import", "medical", str(path), "--month", "2026-03", "--as", "sup")
    _run(db_url, "feed", "screen", "--month", "2026-03", "--as", "sup")
    code, out = _run(db_url, "feed", "keep", "H001", "--month", "2026-03", "--as", "offa",
                     "--days", "-3")
    assert code == 1 and out.startswith("错误：") and "-3" in out and "Traceback" not in out
    code, out = _run(db_url, "feed", "keep", "H001", "--month", "2026-03", "--as", "offa")
    assert code == 0 and "FD-202603-" in out


def test_a_report_file_that_cannot_be_written_is_named_in_one_line(county, db_url,  # noqa: F811
                                                                  tmp_path) -> None:
    """`feed report --xlsx/--pdf` to a folder, or beneath a file: one line naming the path;
    before, an IsADirectoryError/FileExistsError traceback."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    for option, path in (("--pdf", tmp_path), ("--xlsx", blocker / "r.xlsx")):
        code, out = _run(db_url, "feed", "report", "--month", "2026-03", "--as", "aud",
                         option, str(path))
        assert code == 1 and out.startswith("错误：无法写出") and str(path) in out


def test_an_error_report_naming_the_file_itself_is_refused_and_the_file_kept(
        county, db_url, tmp_path) -> None:  # noqa: F811
    """`--errors` naming the bureau's file itself: refused before anything is written;
    before, the report overwrote the file and the import then found no header in it."""
    path = write_csv(tmp_path / "医保.csv", [medical_row("S1", 1)])
    before = path.read_bytes()
    code, out = _run(db_url, "feed", "import", "medical", str(path), "--month", "2026-03",
                     "--as", "sup", "--errors", str(tmp_path / "." / "医保.csv"))
    assert code == 1 and "错误报告不能写到要导入的文件本身" in out
    assert path.read_bytes() == before


def test_keep_with_days_beyond_a_working_year_is_refused_in_one_line(county, db_url,  # noqa: F811
                                                                    tmp_path) -> None:
    """`feed keep --days 99999999`: an OverflowError traceback from counting the deadline past
    the year 9999; now the range of working days, and nothing kept."""
    path = write_csv(tmp_path / "医保.csv", [medical_row("S1", 1)])
    _run(db_url, "feed", "import", "medical", str(path), "--month", "2026-03", "--as", "sup")
    _run(db_url, "feed", "screen", "--month", "2026-03", "--as", "sup")
    code, out = _run(db_url, "feed", "keep", "H001", "--month", "2026-03", "--as", "offa",
                     "--days", "99999999")
    assert code == 1 and out.startswith("错误：核查时限 --days 应为 0 至 250 个工作日")
    code, out = _run(db_url, "feed", "keep", "H001", "--month", "2026-03", "--as", "offa")
    assert code == 0 and "FD-202603-" in out


def test_report_pdf_and_xlsx_naming_one_file_are_refused(county, db_url,  # noqa: F811
                                                        tmp_path) -> None:
    """`feed report --pdf r.pdf --xlsx r.pdf` wrote the PDF over the workbook and said both
    were written."""
    same = str(tmp_path / "r.pdf")
    code, out = _run(db_url, "feed", "report", "--month", "2026-03", "--as", "aud",
                     "--pdf", same, "--xlsx", same)
    assert code == 1 and out.startswith("错误：--pdf 和 --xlsx 不能是同一个文件")
    assert not (tmp_path / "r.pdf").exists()
