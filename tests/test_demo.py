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
    notices = sorted((out / "documents" / "notices").glob("*.pdf"))
    assert notices, "the demo posts at least one village notice"
    text = PdfReader(notices[0]).pages[0].extract_text()
    assert "公示" in text and "*" in text  # masked names and ID numbers
    assert (out / "summary-report.pdf").stat().st_size > 10_000
    assert (out / "summary-report.xlsx").is_file()
    # the bank's register (full names, accounts, control total) and a return with one failure
    registers = sorted((out / "payments").glob("PAY-*-???.csv"))
    assert registers and (out / "payments" / f"{registers[0].stem}.xlsx").is_file()
    assert "收款账号" in registers[0].read_text("utf-8-sig")
    assert "bank return:" in result.output and "1 failed" in result.output
    # the sampling audit records re-checks, so its report has an error rate and an interval
    assert "audit re-checks:" in result.output and "95% interval" in result.output
    # Re-running starts from a fresh database and, on its simulated clock, pays the same.
    again = CliRunner().invoke(app, ["demo", "--out", str(out), "--households", "40",
                                     "--seed", "7"])
    assert again.exit_code == 0, again.output

    def pay_line(output: str) -> str:
        return output.split("• pay:")[1].split("\n")[0]

    assert pay_line(again.output) == pay_line(result.output)
