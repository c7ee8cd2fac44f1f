"""`adjudicator demo` end to end: the whole workflow on a small synthetic county."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from cli.main import app

pytestmark = pytest.mark.slow


def _flat(text: str) -> str:
    return "".join(text.split())


def test_demo_runs_the_whole_workflow(tmp_path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--households", "40",
                                      "--seed", "7"])
    assert result.exit_code == 0, result.output
    # Every step is told in Chinese (the default language), none in English. The terminal
    # wraps long lines anywhere in Chinese text, so white space is left out of the comparison.
    said = _flat(result.output)
    for step in ("• 导入户成员：", "• 导入医保数据：", "预警筛选：", "• 乡镇初筛：", "• 理算：",
                 "• 公示：", "• 支付：", "• 重放："):
        assert _flat(step) in said
    for english in ("import households", "feed screen", "adjudicate:", "pay:", "replay:",
                    "rows stored", " yuan", "demo output"):
        assert _flat(english) not in said
    assert "完全一致" in said and "完整无缺" in said
    # The second county, under a tariff shaped like published programs, exercises its keys.
    second = said.split("保障方案liping-example/2026")[1].split("•")[0]
    for reason in ("属于除外责任", "户类别不在保障范围", "已达封顶", "无合规费用", "给予救助"):
        assert reason in second, second
    notices = sorted((out / "documents" / "notices").glob("*.pdf"))
    assert notices, "the demo posts at least one village notice"
    text = PdfReader(notices[0]).pages[0].extract_text()
    assert "公示" in text and "*" in text  # masked names and ID numbers
    assert (out / "summary-report.pdf").stat().st_size > 10_000
    assert (out / "summary-report.xlsx").is_file()
    assert _flat("• 资金 demo-county/2026：保费 ") in said
    assert _flat("2026 年度资金结算：") in said
    statement = PdfReader(out / "fund-settlement-2026.pdf").pages[0].extract_text()
    assert "示范县2026年度防贫保险资金结算单" in statement
    assert (out / "fund-settlement-2026.xlsx").is_file()
    assert (out / "documents" / "feeds" / "feed-report-2026-10.pdf").is_file()
    # the bank's register (full names, accounts, control total) and a return with one failure
    registers = sorted((out / "payments").glob("PAY-*-???.csv"))
    assert registers and (out / "payments" / f"{registers[0].stem}.xlsx").is_file()
    assert "收款账号" in registers[0].read_text("utf-8-sig")
    assert "银行回盘：" in said and "1笔失败" in said
    # the sampling audit records re-checks, so its report has an error rate and an interval
    assert "抽样复核：" in said and "95%置信区间" in said
    # every kind of event the whole workflow recorded has the words `log history` shows
    import sqlite3

    from schemas.vocabulary import EVENT_KINDS

    with sqlite3.connect(out / "demo.db") as db:
        recorded = {kind for (kind,) in db.execute("SELECT DISTINCT kind FROM events")}
    assert {"decision.made", "payment.made", "feed.rows", "import.chunk"} <= recorded
    assert recorded <= set(EVENT_KINDS), recorded - set(EVENT_KINDS)
    # Re-running starts from a fresh database and, on its simulated clock, pays the same.
    again = CliRunner().invoke(app, ["demo", "--out", str(out), "--households", "40",
                                     "--seed", "7"])
    assert again.exit_code == 0, again.output

    def pay_line(output: str) -> str:
        return _flat(output).split("•支付：")[1].split("•")[0]

    assert pay_line(again.output) == pay_line(result.output)


def test_the_demos_dates_follow_its_clock(tmp_path) -> None:
    """Time runs one way: no event after the day its claim is imported, no visit after the
    day it is imported or before its claim's event, no decision older than its inputs."""
    from sqlalchemy import select

    from adjudicator.demo import stage_county
    from adjudicator.storage.models import Claim, DecisionRecord, Verification

    steps: list[str] = []
    staged = stage_county(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path, households=60,
                          seed=2026, step=lambda message: steps.append(str(message)))
    assert "导入入户核查：" in "\n".join(steps)
    assert [s for s in steps if s.startswith("导入") and "拒收 0 " not in s] == []
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
