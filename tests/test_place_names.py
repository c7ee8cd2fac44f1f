"""Names instead of codes: report rows by Chinese category names, notices by village name."""

from __future__ import annotations

from typer.testing import CliRunner

from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.notices import create_notices
from adjudicator.services.places import place_names
from cli.main import app
from tests.seed import add_claim, add_household, load_demo_tariff


def test_reports_and_notice_lists_show_names(admin_ctx, db_url, tmp_path) -> None:
    """Regression: `report` printed `edge` and `medical`, `notice list` village codes only."""
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H1", category="sudden_hardship")
    add_claim(admin_ctx, "K-1", "H1", "25000")
    adjudicate_ready(admin_ctx.as_user("sup"))
    create_notices(admin_ctx.as_user("off"), tmp_path, render=False)
    assert place_names(admin_ctx) == {"330102001": "示范镇", "330102001001": "示范镇 示范村"}
    runner = CliRunner()
    report = runner.invoke(app, ["report", "--db", db_url, "--as", "off"],
                           env={"COLUMNS": "200"})
    assert report.exit_code == 0, report.output
    assert "突发严重困难户" in report.output and "因病" in report.output
    assert "sudden_hardship" not in report.output and "│ medical" not in report.output
    notices = runner.invoke(app, ["notice", "list", "--db", db_url, "--as", "off", "--json"])
    assert '"village": "示范镇 示范村"' in notices.output
