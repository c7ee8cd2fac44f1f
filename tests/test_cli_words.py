"""What the commands print is Chinese first, English under `--lang en`: every line and table
a person reads comes from the message catalogue, every code from the vocabulary. JSON output
keeps its codes. Rich wraps long lines anywhere inside Chinese text, so the output is compared
with its whitespace removed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adjudicator.storage.context import Context
from tests.seed import add_claim, add_household, load_demo_tariff
from tests.test_audit import T1, decided, mark_paid
from tests.test_verification_cli import run


def _flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def county(admin_ctx: Context) -> Context:
    """Two claims decided (K1 paid), one verified and waiting for `adjudicate` (K3)."""
    load_demo_tariff(admin_ctx)
    decided(admin_ctx, "K1", "H1", verifier="v1")
    decided(admin_ctx, "K2", "H2", verifier="v2")
    mark_paid(admin_ctx, "K1")
    add_household(admin_ctx, "H3", members=4, region=T1 + "001")
    add_claim(admin_ctx, "K3", "H3", "20000", wages="40000", verifier="v1")
    return admin_ctx


@pytest.fixture
def chained(admin_ctx: Context) -> Context:
    """Two claims decided, everything recorded in the chain."""
    load_demo_tariff(admin_ctx)
    decided(admin_ctx, "K1", "H1", verifier="v1")
    decided(admin_ctx, "K2", "H2", verifier="v2")
    return admin_ctx


def test_adjudicate_review_replay_report_speak_chinese(county: Context) -> None:
    decided_now = run(county, "sup", "adjudicate")
    assert decided_now.exit_code == 0, decided_now.output
    said = _flat(decided_now.stdout)
    assert "理算1件（给予救助1）；赔付" in said and "decided" not in said
    replayed = run(county, "aud", "replay")
    assert replayed.exit_code == 0, replayed.output
    assert _flat(replayed.stdout) == "重放3件决定：3件完全一致，0件不同"
    queue = _flat(run(county, "sup", "review", "list").stdout)
    assert "待人工审核：0件" in queue and "案件编号" in queue and "claim" not in queue
    report = run(county, "aud", "report")
    assert report.exit_code == 0, report.output
    said = _flat(report.stdout)
    assert "申请3件，涉及3户3人；救助3件" in said and "按救助类别" in said and "因病" in said
    for english in ("claims", "households", "yuan", "medical", "approved", "paid"):
        assert english not in said


def test_adjudicate_review_replay_report_in_english(county: Context) -> None:
    decided_now = run(county, "sup", "--lang", "en", "adjudicate")
    assert "decided 1 claims (approved 1); payouts" in decided_now.stdout
    replayed = run(county, "aud", "--lang", "en", "replay")
    assert replayed.stdout.strip() == "replayed 3 decisions: 3 identical, 0 different"
    queue = run(county, "sup", "--lang", "en", "review", "list").stdout
    assert "pend queue: 0" in queue and "claim" in queue
    report = _flat(run(county, "aud", "--lang", "en", "report").stdout)
    assert "claims3,households3" in report and "byclaimcategory" in report
    assert "medical" in report and "因病" not in report


def test_report_json_keeps_its_codes(county: Context) -> None:
    data = json.loads(run(county, "aud", "report", "--json").stdout)
    assert "medical" in data["category"]


def test_init_speaks_chinese_and_english(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    key = tmp_path / "key.pem"
    first = CliRunner().invoke(app, ["init", "--db", f"sqlite:///{tmp_path / 'a.db'}",
                                     "--checkpoint-key", str(key)],
                               env={"ADJUDICATOR_LANG": ""})
    assert first.exit_code == 0, first.output
    said = _flat(first.stdout)
    assert "数据库已就绪" in said and "首个管理员：admin" in said and "（已加载）" in said
    assert "（新建；" in said and "ready" not in said and "loaded" not in said
    again = CliRunner().invoke(app, ["--lang", "en", "init", "--db",
                                     f"sqlite:///{tmp_path / 'a.db'}", "--checkpoint-key",
                                     str(key)])
    assert "database ready" in again.stdout and "(already stored)" in again.stdout
    assert "(kept;" in again.stdout and "已" not in again.stdout


def test_users_and_the_log_speak_chinese(chained: Context, tmp_path: Path) -> None:
    county = chained
    from adjudicator.checkpoint import create_key, public_path

    added = run(county, "admin", "user", "add", "v9", "--role", "verifier")
    assert _flat(added.stdout) == "用户v9（核查员）已就绪"
    users = _flat(run(county, "admin", "user", "list").stdout)
    assert "核查员" in users and "是" in users and "verifier" not in users
    assert "True" not in users
    intact = _flat(run(county, "aud", "log", "verify").stdout)
    assert intact.startswith("审计日志完好：") and "intact" not in intact
    history = _flat(run(county, "aud", "log", "history", "K1").stdout)
    assert "操作人" in history and "actor" not in history
    assert "作出理算结论" in history and "decision.made" in history  # the kind worded, code kept
    key, _ = create_key(tmp_path / "key.pem")
    out = tmp_path / "cp.json"
    signed = run(county, "aud", "log", "checkpoint", "--out", str(out), "--checkpoint-key",
                 str(key))
    assert signed.exit_code == 0, signed.output
    assert "条事件，树根" in _flat(signed.stdout)
    holds = run(county, "aud", "log", "verify", "--checkpoint", str(out), "--public-key",
                str(public_path(key)))
    assert "的检查点成立" in _flat(holds.stdout) and "holds" not in holds.stdout
    proof = tmp_path / "proof.json"
    proved = run(county, "aud", "log", "prove", "K1", "--checkpoint", str(out),
                 "--public-key", str(public_path(key)), "--out", str(proof))
    assert proved.exit_code == 0, proved.output
    assert "案件K1的证明" in _flat(proved.stdout)
    from typer.testing import CliRunner

    from cli.main import app

    checked = CliRunner().invoke(app, ["log", "check-proof", str(proof), "--public-key",
                                       str(public_path(key))], env={"ADJUDICATOR_LANG": ""})
    assert "证明成立：案件K1的决定" in _flat(checked.stdout)
    english = CliRunner().invoke(app, ["--lang", "en", "log", "check-proof", str(proof),
                                       "--public-key", str(public_path(key))])
    assert "proof holds: the decision of claim K1" in english.stdout


def test_users_and_the_log_in_english(chained: Context) -> None:
    county = chained
    added = run(county, "admin", "--lang", "en", "user", "add", "v9", "--role", "verifier")
    assert added.stdout.strip() == "user v9 (verifier) ready"
    users = run(county, "admin", "--lang", "en", "user", "list").stdout
    assert "verifier" in users and "yes" in users and "核查员" not in users
    intact = run(county, "aud", "--lang", "en", "log", "verify").stdout
    assert intact.startswith("audit trail intact:")
    history = run(county, "aud", "--lang", "en", "log", "history", "K1").stdout
    assert "actor" in history
    assert "decision made" in history and "作出理算结论" not in history


def test_log_verify_names_the_rows_that_differ_in_either_language(county: Context) -> None:
    """mark_paid writes a payment the chain never recorded."""
    zh = run(county, "aud", "log", "verify")
    assert zh.exit_code == 1
    said = _flat(zh.stderr)
    assert "payments表K1（决定1）行(row)列：链上记录为" in said
    assert "错误：审计链完好（12个事件），但有2处库中记录与链上记录不一致" in said
    en = run(county, "aud", "--lang", "en", "log", "verify")
    said = _flat(en.stderr)
    assert "tablepayments,rowK1（决定1）,column(row):thechainrecorded" in said
    assert "thechainisintact(12events)but2storedrecordsdiffer" in said


def _notices(ctx: Context, tmp_path: Path, *lang: str) -> list[str]:
    """Post, list, object, close, letters and records: what each printed, flattened; the
    notices posted without their lines of files (whose path, pytest's folder named after the
    test, holds any word), each of which is checked to be a PDF written into the --out
    folder."""
    said = []
    for args in (["notice", "create", "--out", str(tmp_path)], ["notice", "list"],
                 ["notice", "object", "K2", "--reason", "村民反映"], ["notice", "close", "--due"],
                 ["notice", "letters", "--out", str(tmp_path)],
                 ["notice", "records", "K1", "--out", str(tmp_path)]):
        done = run(ctx, "off", *lang, *args)
        assert done.exit_code == 0, done.output
        if args[1] == "create":  # 80 columns: a block a notice, its file on a line of its own
            head = "  file: " if lang else "  文件："
            lines = done.stdout.splitlines()
            written = sorted(tmp_path.glob("notices/*.pdf"))
            assert written and [line.removeprefix(head) for line in lines
                                if line.startswith(head)] == [str(path) for path in written]
            said.append(_flat("\n".join(line for line in lines if not line.startswith(head))))
        else:
            said.append(_flat(done.stdout))
    return said


def test_notices_speak_chinese(chained: Context, tmp_path: Path) -> None:
    created, listed, objected, closed, letters, records = _notices(chained, tmp_path)
    assert "公示1份" in created and "公示编号" in created and "notice" not in created
    assert "公示中" in listed and "状态" in listed and "open" not in listed
    assert objected == "案件K2：已登记异议，退回入户核查"
    assert closed == "没有公示期已满的公示"
    assert letters.startswith("已生成不予救助告知书0份")
    assert records.startswith("已生成理算记录1份")


def test_notices_in_english(chained: Context, tmp_path: Path) -> None:
    created, listed, objected, closed, letters, records = _notices(chained, tmp_path,
                                                                   "--lang", "en")
    assert "1notices" in created and "公示编号" not in created
    assert "status" in listed and "公示中" not in listed and "│on│" in listed
    assert objected == "claimK2:objectionrecorded;backtoverification"
    assert closed == "nonoticeperiodhasended"
    assert letters.startswith("0denialletterswrittento")
    assert records.startswith("1decisionrecordswrittento")


def test_an_audit_sample_speaks_chinese_then_english(chained: Context) -> None:
    drawn = run(chained, "off", "audit", "sample", "--rate", "1", "--seed", "9")
    assert drawn.exit_code == 0, drawn.output
    said = _flat(drawn.stdout)
    assert "第1号样本：从2件中抽取2件" in said and "分层" in said and "抽中的案件：K1,K2" in said
    assert "sample" not in said and "strata" not in said
    english = run(chained, "off", "--lang", "en", "audit", "sample", "--rate", "1", "--seed",
                  "10")
    said = _flat(english.stdout)
    assert "sample2:2of2claims" in said and "strata" in said and "claims:K1,K2" in said


def test_tariff_lines_speak_chinese_then_english(chained: Context) -> None:
    from typer.testing import CliRunner

    from cli.main import app
    from tariffs import shipped_tariff_paths

    path = str(shipped_tariff_paths()[0])
    checked = CliRunner().invoke(app, ["tariff", "validate", path], env={"ADJUDICATOR_LANG": ""})
    assert "：无误（demo-county/2026，SHA-256" in _flat(checked.stdout)
    again = run(chained, "admin", "tariff", "load", path)
    assert again.exit_code == 0, again.output
    assert _flat(again.stdout).startswith("demo-county/2026：已存在（SHA-256")
    english = run(chained, "admin", "--lang", "en", "tariff", "load", path)
    assert english.stdout.startswith("demo-county/2026: already stored (sha256")
    checked = CliRunner().invoke(app, ["--lang", "en", "tariff", "validate", path])
    assert ": ok (demo-county/2026, sha256" in checked.stdout


def test_user_add_refuses_what_the_web_form_refuses(chained: Context, tmp_path: Path) -> None:
    """`user add ""`, a user id with a space, --max-open -5 and --townships abc were all
    stored (a user nobody can name, a negative workload limit, a township no household is
    in); a user of another role was refused in English inside the Chinese line."""
    from sqlalchemy import select

    from adjudicator.storage.models import User

    for args, said in (
            (["", "--role", "verifier"], "用户名须为1至64个英文字母、数字或符号（不含空格）"),
            (["a b", "--role", "verifier"], "用户名须为1至64个英文字母、数字或符号（不含空格）"),
            (["v8", "--role", "verifier", "--max-open", "-5"],
             "工作量上限 --max-open 应为 0 至 10000，不能是 -5"),
            (["v8", "--role", "verifier", "--townships", "330102101,abc"],
             "负责乡镇“abc”应为9位乡镇代码（或6位县代码、12位村代码）"),
            (["v8", "--role", "verifier", "--name", "长" * 65],  # PostgreSQL: DataError
             "请填写姓名（最多64个字）"),
            (["v1", "--role", "auditor"], "用户 v1 已存在，角色为核查员")):
        refused = run(chained, "admin", "user", "add", *args)
        assert refused.exit_code == 1 and isinstance(refused.exception, SystemExit)
        assert refused.output.strip() == f"错误：{said}", refused.output
    with chained.factory() as session:
        assert {"", "a b", "v8"} & set(session.execute(select(User.user_id)).scalars()) == set()
    county = run(chained, "admin", "user", "add", "v8", "--role", "verifier", "--townships",
                 "330102,330102101")
    assert county.exit_code == 0, county.output
    english = run(chained, "admin", "--lang", "en", "user", "add", "v1", "--role", "auditor")
    assert english.output.strip() == "error: user v1 exists with role verifier"
    first = _init(tmp_path, "--admin", "a b")
    assert first.exit_code == 1 and "用户名须为" in first.output
    assert not (tmp_path / "a.db").exists()  # refused before the database is made


def _init(tmp_path: Path, *args: str) -> Any:
    from typer.testing import CliRunner

    from cli.main import app

    return CliRunner().invoke(app, ["init", "--db", f"sqlite:///{tmp_path / 'a.db'}",
                                    "--checkpoint-key", str(tmp_path / "key.pem"), *args],
                              env={"ADJUDICATOR_LANG": ""})
