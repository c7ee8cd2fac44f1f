"""`adjudicator evaluate`, `explain` and `tariff` through the real CLI on real files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from fixtures import SAMPLES_DIR
from tariffs import demo_tariff_path
from tests.casebuilder import make_case

runner = CliRunner()
TARIFF = str(demo_tariff_path())
SAMPLE = SAMPLES_DIR / "worked-examples.jsonl"


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_evaluates_the_worked_examples_in_order(tmp_path: Path) -> None:
    out = tmp_path / "decisions.jsonl"
    result = runner.invoke(app, ["evaluate", str(SAMPLE), "--tariff", TARIFF, "--out", str(out)])
    assert result.exit_code == 0, result.output
    decisions = _lines(out.read_text("utf-8"))
    assert [d["claim_id"] for d in decisions] == [f"K-2026-{n:06d}" for n in range(1, 13)]
    assert [d["payout"] for d in decisions][:3] == ["10500.00", "6000.00", "16500.00"]


def test_malformed_case_gives_an_error_line_and_the_run_goes_on(tmp_path: Path) -> None:
    good = make_case(case_id="C-good", medical={"total_cost": "20000"})
    bad = make_case(case_id="C-bad")
    bad["household"]["members"][0]["counted"] = "perhaps"
    bad["claim"]["medical"]["total_cost"] = "12.345"
    bad["claim"]["surprise"] = 1
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(c) for c in (bad, good, bad)) + "\n", "utf-8")
    result = runner.invoke(app, ["evaluate", str(cases), "--tariff", TARIFF])
    assert result.exit_code == 1
    lines = _lines(result.stdout)
    assert [line.get("case_id") for line in lines] == ["C-bad", "C-good", "C-bad"]
    error = lines[0]
    assert error["error"] == "invalid_case"
    assert error["at"] == f"{cases}:line 1"
    fields = {p["field"] for p in error["problems"]}
    assert fields == {"household.members[0].counted", "claim.medical.total_cost",
                      "claim.surprise"}
    assert lines[1]["outcome"] == "approved"
    assert lines[2]["at"] == f"{cases}:line 3"


def test_error_lines_do_not_echo_personal_data(tmp_path: Path) -> None:
    bad = make_case()
    bad["household"]["members"][0]["id_number"] = 330102198001010012  # a number, not text
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(bad) + "\n", "utf-8")
    result = runner.invoke(app, ["evaluate", str(cases), "--tariff", TARIFF])
    assert result.exit_code == 1
    assert "330102198001010012" not in result.output


def test_json_array_and_single_object_inputs(tmp_path: Path) -> None:
    cases = [make_case(case_id=f"C-{i}", claim_id=f"K-{i}") for i in range(3)]
    array = tmp_path / "cases.json"
    array.write_text(json.dumps(cases, indent=2, ensure_ascii=False), "utf-8")
    result = runner.invoke(app, ["evaluate", str(array), "-t", TARIFF])
    assert result.exit_code == 0, result.output
    assert [d["case_id"] for d in _lines(result.stdout)] == ["C-0", "C-1", "C-2"]

    single = tmp_path / "one.json"
    single.write_text(json.dumps(cases[1], indent=2), "utf-8")
    result = runner.invoke(app, ["evaluate", str(single), "-t", TARIFF])
    assert result.exit_code == 0, result.output
    assert [d["case_id"] for d in _lines(result.stdout)] == ["C-1"]


def test_large_array_streams_across_read_chunks(tmp_path: Path) -> None:
    cases = [make_case(case_id=f"C-{i}", claim_id=f"K-{i}") for i in range(120)]
    array = tmp_path / "cases.json"
    array.write_text(json.dumps(cases), "utf-8")  # ~150 KB: several 64 KB reads
    result = runner.invoke(app, ["evaluate", str(array), "-t", TARIFF])
    assert result.exit_code == 0, result.output
    assert [d["case_id"] for d in _lines(result.stdout)] == [f"C-{i}" for i in range(120)]


def test_bad_tariff_fails_with_one_line_naming_the_key(tmp_path: Path) -> None:
    tariff = tmp_path / "bad.toml"
    tariff.write_text(demo_tariff_path().read_text("utf-8").replace('rate = "0.6"',
                                                                     'rate = "1.6"'), "utf-8")
    result = runner.invoke(app, ["evaluate", str(SAMPLE), "-t", str(tariff)])
    assert result.exit_code == 1
    assert "categories.medical.bands[1].rate" in result.output


def test_explain_renders_words_not_codes(tmp_path: Path) -> None:
    out = tmp_path / "d.jsonl"
    runner.invoke(app, ["evaluate", str(SAMPLE), "-t", TARIFF, "-o", str(out)])
    result = runner.invoke(app, ["explain", str(out), "--claim", "K-2026-000008"])
    assert result.exit_code == 0, result.output
    assert "家庭拥有消费型车辆" in result.output
    assert "不予救助" in result.output
    english = runner.invoke(app, ["explain", str(out), "--claim", "K-2026-000004",
                                  "--lang", "en"])
    assert "above the line 7000.00" in english.output


def test_tariff_validate_and_version() -> None:
    assert runner.invoke(app, ["tariff", "validate", TARIFF]).exit_code == 0
    listed = runner.invoke(app, ["tariff", "list", "--json"])
    assert json.loads(listed.stdout)[0]["id"] == "demo-county/2026"
    assert runner.invoke(app, ["--version"]).stdout.startswith("adjudicator ")


def test_workers_keep_input_order_and_decide_identically(tmp_path: Path) -> None:
    cases = [make_case(case_id=f"C-{i}", claim_id=f"K-{i}", members=1 + i % 5,
                       medical={"total_cost": str(4000 + 997 * i)}) for i in range(1200)]
    cases[700]["claim"]["medical"]["total_cost"] = "-5"  # one malformed case mid-stream
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join(json.dumps(c) for c in cases) + "\n", "utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    first = runner.invoke(app, ["evaluate", str(source), "-t", TARIFF, "-o", str(one)])
    second = runner.invoke(app, ["evaluate", str(source), "-t", TARIFF, "-o", str(two),
                                 "--workers", "2"])
    assert first.exit_code == second.exit_code == 1  # the malformed case, in both
    assert one.read_bytes() == two.read_bytes()
    assert "1200 个案件：" in second.output and "格式有误 1 个" in second.output


def test_the_summary_line_speaks_chinese_then_english(tmp_path: Path) -> None:
    out = tmp_path / "d.jsonl"
    zh = runner.invoke(app, ["evaluate", str(SAMPLE), "-t", TARIFF, "-o", str(out)],
                       env={"ADJUDICATOR_LANG": ""})
    assert zh.exit_code == 0, zh.output
    assert "个案件：给予救助" in zh.output and "格式有误 0 个" in zh.output
    assert "cases" not in zh.output and "approved" not in zh.output
    en = runner.invoke(app, ["--lang", "en", "evaluate", str(SAMPLE), "-t", TARIFF, "-o",
                             str(out)])
    assert " cases: approved " in en.output and "0 malformed" in en.output
    assert "给予救助" not in en.output
    bands = runner.invoke(app, ["--lang", "en", "explain", str(out), "--claim",
                                "K-2026-000004"])
    assert "above the line 7000.00" in bands.output  # the application's --lang, too


def test_the_scalar_engine_writes_the_same_lines(tmp_path: Path) -> None:
    lines = {}
    for engine in ("columnar", "scalar"):
        out = tmp_path / f"{engine}.jsonl"
        result = runner.invoke(app, ["evaluate", str(SAMPLE), "--tariff", TARIFF, "--out",
                                     str(out), "--engine", engine])
        assert result.exit_code == 0, result.output
        lines[engine] = out.read_bytes()
    assert lines["columnar"] == lines["scalar"]
    assert len(lines["scalar"].splitlines()) == 12
    result = runner.invoke(app, ["evaluate", str(SAMPLE), "--tariff", TARIFF, "--engine", "fast"])
    assert result.exit_code != 0 and "fast" in result.output
