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
