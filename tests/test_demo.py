"""`adjudicator demo` end to end: the whole workflow on a small synthetic county."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from cli.main import app

pytestmark = pytest.mark.slow


def test_demo_runs_the_whole_workflow(tmp_path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--households", "40",
                                      "--seed", "7"])
    assert result.exit_code == 0, result.output
    for step in ("import households", "adjudicate:", "notices:", "pay:", "replay:"):
        assert step in result.output
    assert "decisions identical" in result.output and "intact" in result.output
    # The second county, under a tariff shaped like published programs, exercises its keys.
    second = " ".join(result.output.split("tariff liping-example/2026")[1].split("•")[0].split())
    for reason in ("CAUSE_EXCLUDED", "HOUSEHOLD_CATEGORY_NOT_COVERED", "CAP_REACHED",
                   "NO_ELIGIBLE_EXPENSE", "APPROVED"):
        assert reason in second, second
    notices = sorted((out / "documents" / "notices").glob("*.pdf"))
    assert notices, "the demo posts at least one village notice"
    text = PdfReader(notices[0]).pages[0].extract_text()
    assert "公示" in text and "*" in text  # masked names and ID numbers
    assert (out / "summary-report.pdf").stat().st_size > 10_000
    assert (out / "summary-report.xlsx").is_file()
    # Re-running starts from a fresh database and, on its simulated clock, pays the same.
    again = CliRunner().invoke(app, ["demo", "--out", str(out), "--households", "40",
                                     "--seed", "7"])
    assert again.exit_code == 0, again.output

    def pay_line(output: str) -> str:
        return output.split("• pay:")[1].split("\n")[0]

    assert pay_line(again.output) == pay_line(result.output)
