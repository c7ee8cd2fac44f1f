"""`tariff list` and `tariff show` present what the database holds (with status, by stored
number, SHA-256 or id), and the identifier a person copies is never cut at 80 columns."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from adjudicator.services.tariffs import load_tariff_file, retire_tariff, stored_tariffs
from cli.main import app
from tariffs import demo_tariff_path

runner = CliRunner()


def _two_versions(admin_ctx, tmp_path: Path) -> tuple[str, str]:
    """The demo tariff loaded, then a second version of it; the first retired."""
    first, _ = load_tariff_file(admin_ctx, demo_tariff_path())
    text = demo_tariff_path().read_text(encoding="utf-8")
    second_file = tmp_path / "second.toml"
    second_file.write_text(text.replace('income_line = "7000"', 'income_line = "7200"'),
                           encoding="utf-8")
    second, _ = load_tariff_file(admin_ctx, second_file)
    retire_tariff(admin_ctx, first.sha256[:10], "2026年新标准")
    return first.sha256, second.sha256


def _invoke(db_url: str, *args: str):
    return runner.invoke(app, ["tariff", *args, "--db", db_url], terminal_width=80)


def test_stored_tariffs_with_their_status(admin_ctx, db_url: str, tmp_path: Path) -> None:
    old, new = _two_versions(admin_ctx, tmp_path)
    stored = stored_tariffs(admin_ctx)
    assert [(s.sha256, s.status, s.retired_reason) for s in stored] == [
        (old, "retired", "2026年新标准"), (new, "active", None)]
    assert [s.sha256 for s in stored_tariffs(admin_ctx, old[:8])] == [old]
    assert [s.sha256 for s in stored_tariffs(admin_ctx, "demo-county/2026")] == [old, new]
    assert [s.sha256 for s in stored_tariffs(admin_ctx, "#2")] == [new]

    listed = _invoke(db_url, "list", "--as", "off", "--json")
    assert listed.exit_code == 0, listed.output
    assert [(t["pk"], t["sha256"], t["status"]) for t in json.loads(listed.stdout)] == [
        (1, old, "retired"), (2, new, "active")]

    table = _invoke(db_url, "list", "--as", "off")
    assert table.exit_code == 0, table.output
    assert "数据库中的保障方案" in table.output and "已停用" in table.output
    # at 80 columns the SHA-256 prefix that `tariff retire` takes and the id are whole
    assert old[:16] in table.output and new[:16] in table.output
    assert "demo-county/2026" in table.output
    assert max(len(line) for line in table.output.splitlines()) <= 80


def test_show_a_stored_tariff_by_sha256_number_or_id(admin_ctx, db_url: str,
                                                     tmp_path: Path) -> None:
    old, new = _two_versions(admin_ctx, tmp_path)
    by_sha = _invoke(db_url, "show", old[:12], "--as", "off")
    assert by_sha.exit_code == 0, by_sha.output
    assert "数据库中的第 1 号方案，状态：已停用" in by_sha.output
    assert "2026年新标准" in by_sha.output and "防贫线 每人 7000 元" in by_sha.output
    assert "income" not in by_sha.output and "因病（medical）：医疗类" in by_sha.output
    by_id = _invoke(db_url, "show", "demo-county/2026", "--as", "off", "--json")
    data = json.loads(by_id.stdout)  # the active version of the id
    assert data["stored"]["sha256"] == new and data["income_line"] == "7200.00"
    by_number = _invoke(db_url, "show", "1", "--as", "off", "--json")
    assert json.loads(by_number.stdout)["stored"]["status"] == "retired"
    english = runner.invoke(app, ["--lang", "en", "tariff", "show", new[:8], "--db", db_url,
                                  "--as", "off"])
    assert "stored tariff #2, active" in english.output
    assert "income line 7200" in english.output and "medical: shape medical" in english.output
    assert "防贫线" not in english.output
    missing = _invoke(db_url, "show", "nope", "--as", "off")
    assert missing.exit_code == 1 and "没有保障方案文件或编号“nope”" in missing.output


def test_without_a_user_the_shipped_tariffs() -> None:
    listed = runner.invoke(app, ["tariff", "list", "--json"])
    assert json.loads(listed.stdout)[0]["id"] == "demo-county/2026"
    shown = runner.invoke(app, ["tariff", "show", "demo-county/2026"], terminal_width=80)
    assert shown.exit_code == 0 and "数据库中的" not in shown.output


def test_a_file_that_is_not_toml_or_not_utf8_is_located_in_chinese(tmp_path: Path) -> None:
    """The Chinese reason carried the parser's English (不是有效的 TOML：Invalid value (at line
    1, column 8); 不是 UTF-8 文本：'utf-8' codec can't decode byte 0xff …)."""
    broken, binary = tmp_path / "broken.toml", tmp_path / "binary.toml"
    broken.write_text("not = [toml", encoding="utf-8")
    binary.write_bytes(b"id = 1\n\xff\xfe")
    said = runner.invoke(app, ["tariff", "validate", str(broken), str(binary)],
                         env={"ADJUDICATOR_LANG": ""}).output
    assert f"{broken}: (file): 不是有效的 TOML：第 1 行第 8 列附近有误" in said
    assert f"{binary}: (file): 不是 UTF-8 文本：第 8 个字节起无法读取，请另存为 UTF-8 编码" in said
    assert "Invalid" not in said and "codec" not in said
    english = runner.invoke(app, ["--lang", "en", "tariff", "validate", str(broken)]).output
    assert "not valid TOML: " in english and "(at line 1, column 8)" in english


def test_a_tariff_or_contract_that_is_a_folder_or_missing_is_named_so_in_both_languages(
        tmp_path: Path) -> None:
    """The reason was the system's own English (无法读取：Is a directory) in the Chinese."""
    from adjudicator.fund.contract import ContractError, load_contract
    from adjudicator.rules.tariff import TariffError, load_tariff

    result = runner.invoke(app, ["tariff", "validate", str(tmp_path)],
                           env={"ADJUDICATOR_LANG": ""})
    assert f"{tmp_path}: (file): 无法读取：这是一个文件夹" in result.output, result.output
    english = runner.invoke(app, ["--lang", "en", "tariff", "validate", str(tmp_path)])
    assert f"{tmp_path}: (file): cannot read: it is a folder" in english.output, english.output
    for load, error in ((load_tariff, TariffError), (load_contract, ContractError)):
        try:
            load(tmp_path / "nowhere.toml")
        except error as exc:
            (field, problem), = exc.problems
            assert (field, str(problem), problem.zh) == (
                "(file)", "cannot read: no such file or folder", "无法读取：文件或文件夹不存在")
        else:
            raise AssertionError("a missing file was read")
