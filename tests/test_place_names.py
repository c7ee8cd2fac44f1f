"""Names instead of codes: report rows by Chinese category names, notices by village name."""

from __future__ import annotations

from typer.testing import CliRunner

from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.notices import create_notices
from adjudicator.services.places import place_names
from cli.main import app
from tests.seed import add_claim, add_household, load_demo_tariff


def test_reports_and_notice_lists_show_names(admin_ctx, db_url, tmp_path, monkeypatch
                                            ) -> None:
    """Regression: `report` printed `edge` and `medical`, `notice list` village codes only."""
    from cli import common

    monkeypatch.setattr(common.console, "_width", 200)  # a wide terminal: nothing cut
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H1", category="sudden_hardship")
    add_claim(admin_ctx, "K-1", "H1", "25000")
    adjudicate_ready(admin_ctx.as_user("sup"))
    create_notices(admin_ctx.as_user("off"), tmp_path, render=False)
    assert place_names(admin_ctx) == {"330102001": "示范镇", "330102001001": "示范镇 示范村"}
    runner = CliRunner()
    report = runner.invoke(app, ["report", "--db", db_url, "--as", "off"])
    assert report.exit_code == 0, report.output
    assert "突发严重困难户" in report.output and "因病" in report.output
    assert "sudden_hardship" not in report.output and "│ medical" not in report.output
    notices = runner.invoke(app, ["notice", "list", "--db", db_url, "--as", "off", "--json"])
    assert '"village": "示范镇 示范村"' in notices.output


def test_a_region_file_names_townships_and_villages(admin_ctx, db_url, tmp_path) -> None:
    import csv

    from sqlalchemy import select

    from adjudicator.intake import import_households
    from adjudicator.storage.models import Household
    from tests.casebuilder import valid_id

    def write(name: str, rows: list[list[str]]) -> str:
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as stream:
            csv.writer(stream).writerows(rows)
        return str(path)

    household = write("households.csv", [
        ["户编号", "行政区划代码", "户类别", "村名", "成员编号", "姓名", "身份证号码"],
        ["H1", "431226102201", "边缘户", "龙潭村", "M1", "张三", valid_id("431226", seq="001")]])
    import_households(admin_ctx.as_user("sup"), household)  # no 乡镇 column
    regions = write("regions.csv", [["区划代码", "名称"], ["431226102", "兰里镇"],
                                    ["431226103", "岩门镇"], ["4312261", "错码"]])
    result = CliRunner().invoke(app, ["import", "regions", regions, "--db", db_url, "--as",
                                      "sup", "--json"])
    assert result.exit_code == 0, result.output
    assert '"households_named": 1' in result.output and '"rejected": 1' in result.output
    later = write("later.csv", [
        ["户编号", "行政区划代码", "户类别", "村名", "成员编号", "姓名", "身份证号码"],
        ["H2", "431226103301", "边缘户", "岩门村", "M1", "李四", valid_id("431226", seq="002")]])
    import_households(admin_ctx.as_user("sup"), later)  # named from the region file
    with admin_ctx.factory() as session:
        names = dict(session.execute(select(Household.household_id,
                                            Household.township_name)).all())
    assert names == {"H1": "兰里镇", "H2": "岩门镇"}
    assert place_names(admin_ctx, ["431226102201"]) == {"431226102201": "兰里镇 龙潭村"}


def test_a_region_file_the_csv_module_cannot_read_is_refused_in_chinese(admin_ctx, db_url,
                                                                       tmp_path) -> None:
    """A cell over 131,072 characters crashed `import regions` with a traceback."""
    path = tmp_path / "regions.csv"
    path.write_text("区划代码,名称\n431226102,兰里镇\n431226103," + "岩" * 140_000 + "\n",
                    encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "regions", str(path), "--db", db_url, "--as",
                                      "sup"])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "regions.csv：第3行起无法按CSV读取" in "".join(result.output.split())
