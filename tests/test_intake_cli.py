"""`adjudicator import …` end to end through typer's CliRunner, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

pytestmark = pytest.mark.usefixtures("late_in_2026")


DATA = Path(__file__).parent / "data" / "import"
runner = CliRunner()


def invoke(db_url: str, *args: str):
    return runner.invoke(app, ["import", *args, "--db", db_url])


def test_import_commands_end_to_end(admin_ctx, db_url: str, tmp_path: Path,
                                    monkeypatch) -> None:
    shutil.copytree(DATA, tmp_path / "in")
    data = tmp_path / "in"
    monkeypatch.setenv("ADJUDICATOR_USER", "sup")
    households = invoke(db_url, "households", str(data / "households_zh.csv"), "--json")
    assert households.exit_code == 0, households.output
    assert json.loads(households.stdout)["accepted"] == 9

    claims = invoke(db_url, "claims", str(data / "claims_zh.csv"))
    assert claims.exit_code == 0, claims.output
    assert "共 2 行，接收 2 行" in claims.stdout

    # some rows rejected: exit 0, the count and the report's path printed
    feed = data / "feed.csv"
    feed.write_text("身份证号码,申请编号,救助类别,结算日期,医疗总费用\n"
                    "330102198807070019,K-C-1,因病,2026-03-01,9000\n"
                    "330102199008150173,K-C-2,因病,2026-03-01,9000\n", encoding="utf-8")
    report = tmp_path / "reports" / "feed-errors.csv"
    partial = invoke(db_url, "claims", str(feed), "--source", "医保", "--errors", str(report))
    assert partial.exit_code == 0, partial.output
    assert "退回 1 行" in partial.stdout and str(report) in partial.stdout.replace("\n", "")
    assert "330102198807070019" not in partial.output
    assert "UNKNOWN_MEMBER" in report.read_text(encoding="utf-8-sig")

    # every row rejected: exit 2
    again = invoke(db_url, "claims", str(feed), "--as", "sup", "--json", "--source", "医保")
    assert again.exit_code == 0  # one unchanged, one rejected
    only_bad = data / "bad.csv"
    only_bad.write_text(feed.read_text(encoding="utf-8").splitlines()[0] + "\n"
                        "330102198807070019,K-C-9,因病,2026-03-01,9000\n", encoding="utf-8")
    rejected = invoke(db_url, "claims", str(only_bad), "--source", "application", "--json")
    assert rejected.exit_code == 2
    assert json.loads(rejected.stdout)["rejected"] == 1

    verified = invoke(db_url, "verifications", str(data / "verifications.jsonl"), "--as", "v1")
    assert verified.exit_code == 0, verified.output
    findings = invoke(db_url, "department-data", str(data / "department_zh.csv"), "--json")
    assert json.loads(findings.stdout)["accepted"] == 3


def test_import_failures_exit_1_with_one_line(admin_ctx, db_url: str, tmp_path: Path,
                                              monkeypatch) -> None:
    monkeypatch.delenv("ADJUDICATOR_USER", raising=False)
    shutil.copy(DATA / "claims_zh.csv", tmp_path / "claims.csv")
    path = str(tmp_path / "claims.csv")
    refused = invoke(db_url, "claims", path, "--as", "v1")
    assert refused.exit_code == 1
    assert refused.output.strip() == ("错误：用户 v1（核查员）无权导入数据：需要以下角色之一："
                                      "保险公司主管")
    assert invoke(db_url, "claims", path).exit_code == 1  # nobody acting
    assert "文件不存在" in invoke(db_url, "claims", path + ".x", "--as", "sup").output
    (tmp_path / "odd.csv").write_text("claim_id,colour\nK-1,red\n", encoding="utf-8")
    odd = invoke(db_url, "claims", str(tmp_path / "odd.csv"), "--as", "sup")
    assert odd.exit_code == 1 and "表头（第 1 行）“colour”：不认识的列名" in odd.output
    english = invoke(db_url, "claims", str(tmp_path / "odd.csv"), "--as", "sup", "--lang", "en")
    assert english.exit_code == 1 and "UNKNOWN_COLUMN 'colour'" in english.output
    assert "may not import" in invoke(db_url, "claims", path, "--as", "v1", "--lang",
                                      "en").output
