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


def _one_line_refusal(result, *words: str) -> None:
    """Exit 1 with one line on stderr that says `words`: a refusal, not an exception."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.output.startswith("错误：") and len(result.output.strip().splitlines()) == 1
    for word in words:
        assert word in result.output


@pytest.mark.parametrize("kind", ["claims", "regions"])
def test_an_error_report_that_cannot_be_written_is_refused_before_anything_is_stored(
        admin_ctx, db_url: str, tmp_path: Path, kind: str) -> None:
    """--errors naming a folder, or a place beneath a file: one Chinese line naming the
    report, nothing stored (the same import then stores its rows); before, a traceback."""
    if kind == "claims":
        shutil.copy(DATA / "households_zh.csv", tmp_path / "households.csv")
        invoke(db_url, "households", str(tmp_path / "households.csv"), "--as", "sup")
        shutil.copy(DATA / "claims_zh.csv", tmp_path / "in.csv")
    else:
        (tmp_path / "in.csv").write_text("区划代码,名称\n330102101,甲镇\n12,乙\n",
                                         encoding="utf-8")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    for errors, reason in ((tmp_path, "这是一个文件夹"),
                           (blocker / "r.csv", "要建文件夹的地方已有同名的文件")):
        refused = invoke(db_url, kind, str(tmp_path / "in.csv"), "--as", "sup",
                         "--errors", str(errors))
        _one_line_refusal(refused, "无法写入错误报告", str(errors), reason, "未导入任何数据")
    english = invoke(db_url, kind, str(tmp_path / "in.csv"), "--as", "sup", "--errors",
                     str(tmp_path), "--lang", "en")
    assert "cannot write the error report" in english.output
    assert "(it is a folder)" in english.output
    done = invoke(db_url, kind, str(tmp_path / "in.csv"), "--as", "sup", "--json")
    assert done.exit_code == 0, done.output
    counted = json.loads(done.stdout)
    assert counted.get("accepted", counted.get("townships")) >= 1  # stored now, not before


@pytest.mark.parametrize("kind", ["claims", "regions"])
def test_an_error_report_naming_the_imported_file_is_refused_and_the_file_kept(
        admin_ctx, db_url: str, tmp_path: Path, monkeypatch, kind: str) -> None:
    """`import claims c.csv --errors ./c.csv` emptied c.csv (the report was opened over it)
    and then refused it as an empty file: the county's file was lost."""
    source = tmp_path / "c.csv"
    if kind == "claims":
        shutil.copy(DATA / "claims_zh.csv", source)
    else:
        source.write_text("区划代码,名称\n330102101,甲镇\n12,乙\n", encoding="utf-8")
    before = source.read_bytes()
    monkeypatch.chdir(tmp_path)
    refused = invoke(db_url, kind, str(source), "--as", "sup", "--errors", "./c.csv")
    _one_line_refusal(refused, "错误报告不能写到要导入的文件本身", "未导入任何数据")
    assert source.read_bytes() == before


@pytest.mark.parametrize("kind", ["claims", "regions"])
def test_a_folder_given_as_the_file_is_named_a_folder(admin_ctx, db_url: str, tmp_path: Path,
                                                     kind: str) -> None:
    """A folder was reported as 文件不存在, which sends the clerk looking for a missing file."""
    refused = invoke(db_url, kind, str(tmp_path), "--as", "sup")
    _one_line_refusal(refused, "是文件夹，不是文件")
    assert "不存在" not in refused.output
