"""`adjudicator demo` end to end: the whole workflow on a small synthetic county."""

from __future__ import annotations

import datetime as dt

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
    assert "fund (资金) demo-county/2026" in result.output
    assert "fund settlement 2026" in result.output
    statement = PdfReader(out / "fund-settlement-2026.pdf").pages[0].extract_text()
    assert "示范县2026年度防贫保险资金结算单" in statement
    assert (out / "fund-settlement-2026.xlsx").is_file()
    assert (out / "documents" / "feeds" / "feed-report-2026-10.pdf").is_file()
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


def test_the_demos_dates_follow_its_clock(tmp_path) -> None:
    """Time runs one way: no event after the day its claim is imported, no visit after the
    day it is imported or before its claim's event, no decision older than its inputs."""
    from sqlalchemy import select

    from adjudicator.demo import stage_county
    from adjudicator.storage.models import Claim, DecisionRecord, Verification

    steps: list[str] = []
    staged = stage_county(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path, households=60,
                          seed=2026, step=steps.append)
    assert "import verifications: " in "\n".join(steps)
    assert [s for s in steps if s.startswith("import") and " 0 rejected" not in s] == []
    with staged.admin.factory() as session:
        claims = {c.claim_id: c for c in session.scalars(select(Claim))}
        visits = session.scalars(select(Verification)).all()
        decisions = session.scalars(select(DecisionRecord)).all()
    assert visits and decisions
    for claim in claims.values():
        assert claim.event_date <= dt.date.fromisoformat(claim.received_at[:10])
    for visit in visits:
        assert claims[visit.claim_id].event_date <= visit.verified_on
        assert visit.verified_on <= dt.date.fromisoformat(visit.created_at[:10])
    latest_visit = max(v.verified_on for v in visits)
    assert all(dt.date.fromisoformat(d.decided_at[:10]) >= latest_visit for d in decisions)
