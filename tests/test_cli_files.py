"""Files a command is told to write (or read) that it cannot: one line naming the file, in
Chinese (English under --lang en), never a traceback, and nothing recorded half-way; a file
to write that is a file being read is refused before it is opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from adjudicator.storage.context import Context
from cli.main import app
from tariffs import demo_tariff_path
from tests.test_cli_words import chained, county  # noqa: F401
from tests.test_verification_cli import run

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples"


def _refused(result, path: Path, reason: str) -> None:
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output.strip() == (f"错误：无法读写 {path}（{reason}）："
                                     "请检查路径，或换一个可写的位置"), result.output


def test_outputs_that_cannot_be_written_are_refused_in_one_line(
        chained: Context, tmp_path: Path) -> None:  # noqa: F811
    """Each of these (and notice letters, log checkpoint …) stopped with an
    IsADirectoryError, NotADirectoryError or FileExistsError traceback."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    folder = "这是一个文件夹"
    beneath = "路径中的某一级是文件，不是文件夹"
    _refused(run(chained, "aud", "audit", "report", "--xlsx", str(tmp_path)), tmp_path, folder)
    _refused(run(chained, "aud", "audit", "report", "--pdf", str(blocker / "a.pdf")),
             blocker / "a.pdf", beneath)
    _refused(run(chained, "off", "notice", "records", "K1", "--out", str(blocker)),
             blocker / "records", beneath)
    _refused(run(chained, "sup", "verify", "template", "K1", "--out", str(tmp_path)),
             tmp_path, folder)
    # nothing recorded by the refused runs: the records are written (and recorded) now
    done = run(chained, "off", "notice", "records", "K1", "--out", str(tmp_path / "docs"))
    assert done.exit_code == 0, done.output
    assert "已生成理算记录1份" in "".join(done.stdout.split())
    english = run(chained, "aud", "--lang", "en", "audit", "report", "--xlsx", str(tmp_path))
    assert english.output.strip() == (f"error: cannot read or write {tmp_path} (it is a "
                                      "folder): check the path or choose a writable place")


def test_evaluate_to_a_folder_is_refused_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", str(SAMPLES / "worked-examples.jsonl"), "-t",
                                      str(demo_tariff_path()), "-o", str(tmp_path)],
                                env={"ADJUDICATOR_LANG": ""})
    _refused(result, tmp_path, "这是一个文件夹")


@pytest.mark.parametrize("which", ["cases", "tariff"])
def test_evaluate_refuses_to_write_over_the_file_it_reads(tmp_path: Path, monkeypatch,
                                                          which: str) -> None:
    """`evaluate cases.jsonl -t t.toml -o ./cases.jsonl` opened the output over the cases and
    decided none: the cases file was left empty (and -o t.toml destroyed the tariff)."""
    cases, tariff = tmp_path / "cases.jsonl", tmp_path / "t.toml"
    cases.write_bytes((SAMPLES / "worked-examples.jsonl").read_bytes())
    tariff.write_bytes(demo_tariff_path().read_bytes())
    before = {path: path.read_bytes() for path in (cases, tariff)}
    monkeypatch.chdir(tmp_path)
    out = {"cases": "./cases.jsonl", "tariff": "./t.toml"}[which]
    result = CliRunner().invoke(app, ["evaluate", str(cases), "-t", str(tariff), "-o", out],
                                env={"ADJUDICATOR_LANG": ""})
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output.startswith("错误：--out 不能是要读取的文件本身")
    assert {path: path.read_bytes() for path in (cases, tariff)} == before


def test_records_of_an_unknown_or_undecided_claim_are_refused(county: Context,  # noqa: F811
                                                             tmp_path: Path) -> None:
    """`notice records NOPE` said 已生成理算记录 0 份 and exited 0, as if done."""
    for claim, said in (("NOPE", "错误：没有案件 NOPE"),
                        ("K3", "错误：案件 K3 尚未理算，没有理算记录可生成")):
        result = run(county, "off", "notice", "records", "K1", claim, "--out", str(tmp_path))
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert result.output.strip() == said
    assert not (tmp_path / "records").exists()
    done = run(county, "off", "notice", "records", "K1", "--out", str(tmp_path))
    assert done.exit_code == 0 and (tmp_path / "records").is_dir(), done.output


def test_adjudicate_and_replay_of_an_unknown_claim_say_so(county: Context) -> None:  # noqa: F811
    """`replay --claim NOPE` said 重放 0 件决定 and exited 0; `adjudicate --claim NOPE` said the
    claim was not ready (未完成入户核查), as if it were there."""
    for user, args in (("aud", ["replay"]), ("sup", ["adjudicate"])):
        result = run(county, user, *args, "--claim", "NOPE")
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert result.output.strip().splitlines()[-1] == "错误：没有案件 NOPE", result.output
        assert "未完成入户核查" not in result.output
    assert run(county, "aud", "replay", "--claim", "K1").exit_code == 0


def test_an_identifier_too_large_for_the_database_finds_nothing(
        chained: Context) -> None:  # noqa: F811
    """`audit report --sample 999…9` (or 2**63) stopped with an OverflowError traceback from
    the database driver; settle and record of such a number did the same."""
    huge = "9" * 24
    for user, args, said in (
            ("aud", ["audit", "report", "--sample", huge], f"错误：没有第 {huge} 号样本"),
            ("aud", ["audit", "report", "--sample", str(2**63)], f"错误：没有第 {2**63} 号样本"),
            ("sup", ["audit", "settle", huge, "--how", "repaid", "--ref", "x"],
             f"错误：没有调整 {huge}")):
        result = run(chained, user, *args)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert result.output.strip() == said


def test_a_rate_that_is_not_a_number_is_refused_in_one_line(
        chained: Context) -> None:  # noqa: F811
    """`audit sample --rate NaN` stopped with decimal.InvalidOperation's traceback."""
    for rate in ("NaN", "sNaN", "Infinity"):
        result = run(chained, "off", "audit", "sample", "--rate", rate, "--seed", "1")
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert result.output.strip() == f"错误：--rate 应为小数，不能是 '{rate}'"


def test_a_json_array_cut_short_is_refused_in_chinese(tmp_path: Path) -> None:
    """An array of cases never closed was refused as 未能完成（cases.json: the JSON array is
    not closed）: English inside the Chinese line."""
    cases = tmp_path / "cases.json"
    for text, said in (("[1,2", "JSON 数组没有结束（缺少“]”）：文件可能不完整"),
                       ('[{"a": 1}, {bad', "JSON 数组的第 2 项不是有效的 JSON")):
        cases.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(app, ["evaluate", str(cases), "-t", str(demo_tariff_path())],
                                    env={"ADJUDICATOR_LANG": ""})
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert "".join(result.output.split()) == "".join(f"错误：{cases}：{said}".split())


def test_explain_refuses_a_line_that_is_not_a_decision(tmp_path: Path) -> None:
    """`explain FILE` with a line that is JSON but no decision (5, a string, an object
    without the decision's fields) stopped with a TypeError or KeyError traceback; a line
    that is not JSON was refused with the parser's English words."""
    path = tmp_path / "decisions.jsonl"
    for line, said in (("5", "不是理算结论（整行：应为对象（键值对））"),
                       ('{"trace": 1}', "不是理算结论（case_id：必须填写）"),
                       ("%PDF-1.4", "不是 JSON：应为 evaluate 输出的理算结论文件")):
        path.write_text(line + "\n", encoding="utf-8")
        result = CliRunner().invoke(app, ["explain", str(path)], env={"ADJUDICATOR_LANG": ""})
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert "".join(result.output.split()).startswith(
            "".join(f"错误：{path} 第 1 行：{said}".split())), result.output
    evaluated = tmp_path / "out.jsonl"
    CliRunner().invoke(app, ["evaluate", str(SAMPLES / "worked-examples.jsonl"), "-t",
                             str(demo_tariff_path()), "-o", str(evaluated)])
    shown = CliRunner().invoke(app, ["explain", str(evaluated), "--claim", "K-2026-000008"],
                               env={"ADJUDICATOR_LANG": ""})
    assert shown.exit_code == 0 and "申请 K-2026-000008（因病）：不予救助" in shown.output


def test_a_checkpoint_or_proof_that_is_not_one_is_refused_in_chinese_or_english(
        tmp_path: Path) -> None:
    """`log check-proof` of a JSON object without the checkpoint stopped with a KeyError
    traceback; a folder or a file that is not JSON was refused with the system's English
    words ([Errno 21] Is a directory: …, unexpected character …)."""
    from adjudicator.checkpoint import create_key, public_path

    key, _ = create_key(tmp_path / "key.pem")
    partial = tmp_path / "p.json"
    partial.write_text('{"event": {}, "path": []}', encoding="utf-8")
    not_json = tmp_path / "p.csv"
    not_json.write_text("a,b\n", encoding="utf-8")
    for proof, said in ((partial, f"证明文件 {partial} 不是 adjudicator log 写出的 JSON 文件"),
                        (not_json, f"证明文件 {not_json} 不是 adjudicator log 写出的 JSON 文件"),
                        (tmp_path, f"证明文件 {tmp_path} 无法读取（这是一个文件夹）")):
        result = CliRunner().invoke(app, ["log", "check-proof", str(proof), "--public-key",
                                          str(public_path(key))], env={"ADJUDICATOR_LANG": ""})
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert "".join(result.output.split()).startswith("".join(f"错误：{said}".split()))
        assert "Errno" not in result.output
    english = CliRunner().invoke(app, ["--lang", "en", "log", "check-proof", str(tmp_path),
                                       "--public-key", str(public_path(key))])
    assert " ".join(english.output.split()) == (f"error: cannot read the proof file {tmp_path} "
                                                "(it is a folder)"), english.output


def test_a_settlement_reference_beyond_its_column_is_refused(
        chained: Context) -> None:  # noqa: F811
    """`audit settle N --ref <65 characters>` reached the VARCHAR(64) column (a DataError
    traceback on PostgreSQL, stored whole on SQLite)."""
    result = run(chained, "sup", "audit", "settle", "1", "--how", "repaid", "--ref", "R" * 65)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output.strip() == "错误：流水号或凭证号最多 64 个字"


def test_pdf_and_xlsx_naming_one_file_are_refused(chained: Context, tmp_path: Path,  # noqa: F811
                                                  monkeypatch) -> None:
    """`report --pdf r.pdf --xlsx r.pdf` (and audit report) wrote the workbook over the PDF
    and said both were written: one of the two was lost."""
    monkeypatch.chdir(tmp_path)
    for user, command in (("aud", ["report"]), ("aud", ["audit", "report"])):
        result = run(chained, user, *command, "--pdf", "r.pdf", "--xlsx", "./r.pdf")
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert result.output.strip() == ("错误：--pdf 和 --xlsx 不能是同一个文件（r.pdf）："
                                         "请给两个文件名；未作任何处理")
        assert not (tmp_path / "r.pdf").exists()


def test_whatif_refuses_to_draw_its_chart_over_the_draft_tariff(tmp_path: Path,
                                                                monkeypatch) -> None:
    """`whatif --tariff draft.toml --chart ./draft.toml` read the draft, then wrote the PNG
    chart over it: the draft tariff was lost."""
    draft = tmp_path / "draft.toml"
    draft.write_bytes(demo_tariff_path().read_bytes())
    before = draft.read_bytes()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["whatif", "--tariff", str(draft), "--chart",
                                      "./draft.toml", "--county", "demo-county", "--year",
                                      "2026", "--as", "sun"], env={"ADJUDICATOR_LANG": ""})
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output.strip() == ("错误：--chart 不能是要读取的文件本身（draft.toml）："
                                     "请给 --chart 另一个文件名；未作任何处理")
    assert draft.read_bytes() == before


def test_log_checkpoint_never_writes_over_the_signing_key(chained: Context,  # noqa: F811
                                                          tmp_path: Path) -> None:
    """`log checkpoint --out key.pem --checkpoint-key key.pem` signed with the key and then
    wrote the checkpoint over it: the county's private signing key was lost."""
    from adjudicator.checkpoint import create_key, public_path

    key, _ = create_key(tmp_path / "key.pem")
    kept = {path: path.read_bytes() for path in (key, public_path(key))}
    for out in (key, public_path(key)):
        result = run(chained, "aud", "log", "checkpoint", "--out", str(out),
                     "--checkpoint-key", str(key))
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert "".join(result.output.split()) == "".join(
            f"错误：--out 不能是要读取的文件本身（{out}）：请给 --out 另一个文件名；未作任何处理"
            .split())
    assert {path: path.read_bytes() for path in kept} == kept
    signed = run(chained, "aud", "log", "checkpoint", "--out", str(tmp_path / "cp.json"),
                 "--checkpoint-key", str(key))
    assert signed.exit_code == 0, signed.output
    proved = run(chained, "aud", "log", "prove", "K1", "--checkpoint", str(tmp_path / "cp.json"),
                 "--public-key", str(public_path(key)), "--out", str(tmp_path / "cp.json"))
    assert proved.exit_code == 1 and "--out 不能是要读取的文件本身" in proved.output


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a database that is one file
def test_a_file_named_that_is_the_database_in_use_is_refused_and_left_whole(
        chained: Context, tmp_path: Path) -> None:  # noqa: F811
    """`report --xlsx adjudicator.db` wrote a workbook over the county's database, and an
    import's --errors the error report over it."""
    database = Path(chained.engine.url.database or "")
    before = database.read_bytes()
    households = tmp_path / "households.csv"
    households.write_text("户编号,乡镇\nH1,330102001\n", encoding="utf-8")
    for user, args, option in (
            ("aud", ["report", "--xlsx", str(database)], "--xlsx"),
            ("aud", ["audit", "report", "--pdf", str(database)], "--pdf"),
            ("sup", ["import", "households", str(households), "--errors", str(database)],
             "--errors")):
        result = run(chained, user, *args)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert result.output.strip() == (f"错误：{option} 不能是本系统正在使用的数据库文件"
                                         f"（{database}）：请换一个文件名；未作任何处理"), args
    assert database.read_bytes() == before
    assert run(chained, "aud", "report").exit_code == 0
