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
    for step in ("import households", "feed import medical", "feed screen", "township "
                 "screening", "adjudicate:", "notices:", "pay:", "replay:"):
        assert step in result.output
    assert "decisions identical" in result.output and "intact" in result.output
    notices = sorted((out / "documents" / "notices").glob("*.pdf"))
    assert notices, "the demo posts at least one village notice"
    text = PdfReader(notices[0]).pages[0].extract_text()
    assert "公示" in text and "*" in text  # masked names and ID numbers
    assert (out / "summary-report.pdf").stat().st_size > 10_000
    assert (out / "summary-report.xlsx").is_file()
    assert (out / "documents" / "feeds" / "feed-report-2026-10.pdf").is_file()
    # Re-running starts from a fresh database and, on its simulated clock, pays the same.
    again = CliRunner().invoke(app, ["demo", "--out", str(out), "--households", "40",
                                     "--seed", "7"])
    assert again.exit_code == 0, again.output

    def pay_line(output: str) -> str:
        return output.split("• pay:")[1].split("\n")[0]

    assert pay_line(again.output) == pay_line(result.output)
