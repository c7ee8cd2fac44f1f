"""The tariff and contract loaders' problems reach a person in Chinese, each naming the file
and the key at fault (`tariff validate`, `evaluate`, `fund`), and in English under --lang en."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adjudicator.fund.contract import ContractError, parse_contract
from adjudicator.messages import problem_lines, problem_text
from adjudicator.rules.problems import Problem
from adjudicator.rules.tariff import TariffError, parse_tariff
from cli.main import app
from contracts import demo_contract_path
from tests.test_tariff_loader import BAD_EDITS, DEMO_TEXT, edited

runner = CliRunner()
HAN = re.compile("[\u4e00-\u9fff]")
BAD_RATE = edited(('{ from = "50000", rate = "0.7" }', '{ from = "50000", rate = "1.5" }'))
WORD_RATE = edited(('{ from = "50000", rate = "0.7" }', '{ from = "50000", rate = "abc" }'))


def _joined(output: str) -> str:
    """The output with the console's wrapping undone."""
    return re.sub(r"\s*\n", " ", output)


def _problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(TariffError) as caught:
        parse_tariff(text.encode("utf-8"), "bad.toml")
    return caught.value.problems


@pytest.mark.parametrize("text", [b[1] for b in BAD_EDITS], ids=[b[0] for b in BAD_EDITS])
def test_every_tariff_problem_has_chinese(text: str) -> None:
    for key, message in _problems(text):
        assert isinstance(message, Problem)
        chinese = problem_text(message, "zh")
        assert HAN.search(chinese), (key, message)
        assert problem_text(message, "en") == str(message)


def test_a_rate_out_of_range_names_its_band_in_chinese() -> None:
    lines = problem_lines("bad.toml", _problems(BAD_RATE), "zh")
    assert lines == ["bad.toml: categories.medical.bands[2].rate: 1.5 不在 (0, 1] 之内"]


def test_a_rate_that_is_not_a_decimal_is_worded_in_chinese() -> None:
    [line] = problem_lines("bad.toml", _problems(WORD_RATE), "zh")
    assert line == ("bad.toml: categories.medical.bands[2].rate: "
                    "应为不小于 0 的小数，如 \"0.5\"，不能是 'abc'")
    [english] = problem_lines("bad.toml", _problems(WORD_RATE), "en")
    assert "expected a non-negative decimal such as \"0.5\", got 'abc'" in english


def test_an_unknown_key_is_worded_by_its_pydantic_error() -> None:
    text = DEMO_TEXT.replace("income_line =", "income_lin =", 1)
    lines = problem_lines("bad.toml", _problems(text), "zh")
    assert "bad.toml: income_lin: 不认识的字段" in lines
    assert "bad.toml: income_line: 必须填写" in lines


def test_tariff_validate_prints_chinese_then_english_under_lang_en(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD_RATE, encoding="utf-8")
    result = runner.invoke(app, ["tariff", "validate", str(path)], env={"ADJUDICATOR_LANG": ""})
    assert result.exit_code == 1
    assert f"{path}: categories.medical.bands[2].rate: 1.5 不在 (0, 1] 之内" in _joined(
        result.output)
    assert "1 个保障方案文件有误（共 1 个）" in result.output
    english = runner.invoke(app, ["--lang", "en", "tariff", "validate", str(path)])
    assert f"{path}: categories.medical.bands[2].rate: 1.5 is not in (0, 1]" in _joined(
        english.output)
    assert "不在" not in english.output


def test_evaluate_refuses_a_bad_tariff_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD_RATE, encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "--tariff", str(path), str(tmp_path / "x.jsonl")],
                           env={"ADJUDICATOR_LANG": ""})
    assert result.exit_code != 0
    assert "保障方案文件有误：" in result.output
    assert "categories.medical.bands[2].rate: 1.5 不在 (0, 1] 之内" in _joined(result.output)


GOOD_CONTRACT = demo_contract_path().read_text(encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "key", "chinese"), [
    ('management_share = "0.1"', 'management_share = "1"', "management_share", "须小于1"),
    ("year = 2026", "year = 2026\nwarning = \"0.8\"", "warning", "不认识的字段"),
    ("year = 2026", "year = 2026\nsha256 = \"x\"", "sha256", "由加载程序设置，不能写在文件中"),
])
def test_contract_problems_are_chinese_first(old: str, new: str, key: str,
                                             chinese: str) -> None:
    assert old in GOOD_CONTRACT
    with pytest.raises(ContractError) as caught:
        parse_contract(GOOD_CONTRACT.replace(old, new, 1).encode(), "c.toml")
    lines = problem_lines("c.toml", caught.value.problems, "zh")
    assert f"c.toml: {key}: {chinese}" in lines
    for english in problem_lines("c.toml", caught.value.problems, "en"):
        assert not HAN.search(english), english


def test_fund_command_shows_a_bad_contract_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(GOOD_CONTRACT.replace('management_share = "0.1"',
                                          'management_share = "1"', 1), encoding="utf-8")
    result = runner.invoke(app, ["fund", "settle", "--contract", str(path), "--as", "sun",
                                 "--db", f"sqlite:///{tmp_path / 'none.db'}"],
                           env={"ADJUDICATOR_LANG": ""})
    assert result.exit_code != 0
    assert f"资金合同文件有误：{path}: management_share: 须小于1" in _joined(result.output)
