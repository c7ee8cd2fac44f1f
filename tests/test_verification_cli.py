"""`adjudicator verify ...` end to end through the real CLI (typer's CliRunner), on SQLite and
PostgreSQL: assign, list, overdue, template, record from a file (draft, then submitted) and
interactively (with the contradiction warning), then adjudicate."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import yaml
from sqlalchemy import select
from typer.testing import CliRunner, Result

from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.models import Claim, DecisionRecord
from cli.main import app
from tests.seed import load_demo_tariff
from tests.test_verification import T1, T3, add_finding, screened, set_verifier

runner = CliRunner()
VISIT = "2026-11-20"  # the CLI runs on the real clock: a visit date that is not in the future


def run(ctx: Context, user: str, *args: str, stdin: str | None = None) -> Result:
    """The CLI acting as `user` on the test database (given through the environment)."""
    url = ctx.engine.url.render_as_string(hide_password=False)
    return runner.invoke(app, [*args, "--as", user], input=stdin,
                         env={"ADJUDICATOR_DATABASE_URL": url})


def test_verify_commands_end_to_end(admin_ctx, tmp_path: Path) -> None:
    load_demo_tariff(admin_ctx)
    set_verifier(admin_ctx, "v1", [T1], max_open=5)
    for n in (1, 2, 3):
        screened(admin_ctx, f"K{n}", f"H{n}", T1)
    screened(admin_ctx, "K9", "H9", T3)
    add_finding(admin_ctx, "H2", "VEHICLE", "vehicle_registry")

    result = run(admin_ctx, "sup", "verify", "assign", "--days", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(a["claim_id"], a["verifier"]) for a in data["assigned"]] == [
        ("K1", "v1"), ("K2", "v1"), ("K3", "v1")]
    assert data["unassigned"] == [{"claim_id": "K9", "household_id": "H9",
                                   "township": "330102003",
                                   "reason": "no active verifier covers township 330102003"}]
    table = run(admin_ctx, "v1", "verify", "list", "--mine")
    assert table.exit_code == 0 and "K1" in table.stdout and "核查任务" in table.stdout
    mine = json.loads(run(admin_ctx, "v1", "verify", "list", "--json").stdout)
    assert [a["claim_id"] for a in mine] == ["K1", "K2", "K3"]
    assert all(a["working_days_left"] == 3 and not a["overdue"] for a in mine)
    refused = run(admin_ctx, "v1", "verify", "list", "--all")
    assert refused.exit_code == 1 and "只能查看自己的核查任务" in refused.stderr

    # K3 is late: its deadline was yesterday.
    with transaction(admin_ctx.factory) as session:
        session.get(Claim, "K3").verification_due = dt.date.today() - dt.timedelta(days=1)
    late = json.loads(run(admin_ctx, "sup", "verify", "overdue", "--json").stdout)
    assert [(a["claim_id"], a["overdue"]) for a in late] == [("K3", True)]
    overdue = run(admin_ctx, "v1", "verify", "overdue").stdout
    assert "K3" in overdue and "逾期：1件" in "".join(overdue.split())
    assert "因病" in overdue and "medical" not in overdue and "overdue" not in overdue
    english = run(admin_ctx, "v1", "--lang", "en", "verify", "overdue").stdout
    assert "overdue: 1" in english and "逾期" not in english and "因病" not in english

    # K1 from a YAML file: first incomplete (a draft, exit 2), then complete.
    form_path = tmp_path / "K1.yaml"
    made = run(admin_ctx, "v1", "verify", "template", "K1", "--out", str(form_path))
    assert made.exit_code == 0, made.output
    form = yaml.safe_load(form_path.read_text("utf-8"))
    assert [row["item"] for row in form["negative_list"]] == [
        "PUBLIC_SERVANT", "VEHICLE", "COMPANY", "COMMERCIAL_HOUSING", "SHOP", "CONCEALMENT"]
    for row in form["income"]:
        row["amount"] = "40000" if row["kind"] == "wage" else "0"
    for row in form["negative_list"][:-1]:
        row["answer"] = False
    form_path.write_text(yaml.safe_dump(form, allow_unicode=True), "utf-8")
    draft = run(admin_ctx, "v1", "verify", "record", "K1", "--file", str(form_path))
    assert draft.exit_code == 2, draft.output
    assert "已保存为草稿" in draft.stdout and "draft" not in draft.stdout
    assert "verified_on" in draft.stdout and "negative_list.CONCEALMENT" in draft.stdout
    form["verified_on"] = VISIT
    form["negative_list"][-1]["answer"] = "否"
    form_path.write_text(yaml.safe_dump(form, allow_unicode=True), "utf-8")
    done = run(admin_ctx, "v1", "verify", "record", "K1", "--file", str(form_path), "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["claim_status"] == "verified"
    other = run(admin_ctx, "v2", "verify", "record", "K2", "--file", str(form_path))
    assert other.exit_code == 1 and "错误：" in other.stderr

    # K2 interactively: the vehicle registry found a car, the answer is no: a warning and a
    # confirmation; declining records nothing, accepting submits.
    answers = [VISIT, "", "", "", "否",  # visit date, members (keep, keep, keep, not counted)
               "30000", "0", "0", "0", "",  # income by kind, production cost (blank)
               "否", "否", "否", "否", "否", "否",  # the six negative-list items
               "", ""]  # no more evidence, no note
    declined = run(admin_ctx, "v1", "verify", "record", "K2", "--interactive",
                   stdin="\n".join([*answers, "n"]) + "\n")
    assert declined.exit_code == 1, declined.output
    assert "车管部门比对发现: 家庭拥有消费型车辆" in declined.stdout
    assert "未提交：没有录入任何内容" in declined.stderr
    accepted = run(admin_ctx, "v1", "verify", "record", "K2", "--interactive",
                   stdin="\n".join([*answers, "y"]) + "\n")
    assert accepted.exit_code == 0, accepted.output
    assert "入户核查已提交；案件状态：已核查待理算" in "".join(accepted.stdout.split())

    decided = run(admin_ctx, "sup", "adjudicate", "--json")
    assert decided.exit_code == 0, decided.output
    assert json.loads(decided.stdout)["outcomes"] == {"approved": 1, "denied": 1}
    with admin_ctx.factory() as session:
        reasons = dict(session.execute(select(DecisionRecord.claim_id, DecisionRecord.reasons)
                                       ).all())
    assert reasons == {"K1": [], "K2": ["NEG_CONCEALMENT", "NEG_VEHICLE"]}


def test_verify_template_as_json_and_errors(admin_ctx, tmp_path: Path) -> None:
    load_demo_tariff(admin_ctx)
    set_verifier(admin_ctx, "v1", [T1])
    screened(admin_ctx, "K1", "H1", T1)
    assert run(admin_ctx, "sup", "verify", "assign").exit_code == 0
    shown = run(admin_ctx, "v1", "verify", "template", "K1", "--format", "json")
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["members"][0]["name"] == "张三"
    assert run(admin_ctx, "v1", "verify", "template", "K1", "--format", "xml").exit_code == 1
    nobody = run(admin_ctx, "v2", "verify", "template", "K1")
    assert nobody.exit_code == 1 and "没有分派给 v2" in nobody.stderr
    both = run(admin_ctx, "v1", "verify", "record", "K1")
    assert both.exit_code == 1 and "请给出 --file 核查表 或 --interactive" in both.stderr
    missing = run(admin_ctx, "v1", "verify", "record", "K1", "--file", str(tmp_path / "x.yaml"))
    assert missing.exit_code == 1 and "无法读取" in missing.stderr


def test_assign_refuses_days_out_of_range_in_one_line_and_assigns_nothing(admin_ctx) -> None:
    """--days below 1 or beyond a working year: one line naming the range. A huge number
    stopped with an OverflowError traceback (the deadline counted past the year 9999)."""
    load_demo_tariff(admin_ctx)
    set_verifier(admin_ctx, "v1", [T1], max_open=5)
    screened(admin_ctx, "K1", "H1", T1)
    for days in ("-3", "0", "251", "99999999"):
        result = run(admin_ctx, "sup", "verify", "assign", "--days", days)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert result.output.strip() == ("错误：核查时限 --days 应为 1 至 250 个工作日，"
                                         f"不能是 {days}")
    english = run(admin_ctx, "sup", "--lang", "en", "verify", "assign", "--days", "300")
    assert english.output.strip() == "error: --days must be 1 to 250 working days, not 300"
    listed = json.loads(run(admin_ctx, "sup", "verify", "list", "--all", "--json").stdout)
    assert listed == []  # nothing assigned by the refused runs
    done = run(admin_ctx, "sup", "verify", "assign", "--days", "250", "--json")
    assert done.exit_code == 0 and json.loads(done.stdout)["assigned"][0]["claim_id"] == "K1"


def test_a_form_that_is_not_utf8_or_is_a_folder_is_refused_in_one_line(admin_ctx,
                                                                       tmp_path: Path) -> None:
    """A form saved as GBK (or a PDF given as the form) stopped `verify record` with a
    UnicodeDecodeError traceback; a folder was refused with the system's English words."""
    load_demo_tariff(admin_ctx)
    set_verifier(admin_ctx, "v1", [T1], max_open=5)
    screened(admin_ctx, "K1", "H1", T1)
    run(admin_ctx, "sup", "verify", "assign")
    form = tmp_path / "form.yaml"
    form.write_bytes("claim_id: K1\nnote: 测试\n".encode("gbk"))
    result = run(admin_ctx, "v1", "verify", "record", "K1", "--file", str(form))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output.strip() == (f"错误：{form} 不是 UTF-8 文本（第 20 个字节起无法读取）："
                                     "核查表请另存为 UTF-8 编码的 YAML 或 JSON")
    folder = run(admin_ctx, "v1", "verify", "record", "K1", "--file", str(tmp_path))
    assert folder.output.strip() == f"错误：无法读取 {tmp_path}（这是一个文件夹）"


def test_assign_and_list_speak_chinese_where_they_spoke_english(admin_ctx) -> None:
    """The table of claims nobody could take gave its reason in English (no active verifier
    covers township …), and `verify list --all` by a verifier was refused in English only."""
    load_demo_tariff(admin_ctx)
    set_verifier(admin_ctx, "v1", [T1], max_open=5)
    screened(admin_ctx, "K9", "H9", T3)
    table = run(admin_ctx, "sup", "verify", "assign")
    assert table.exit_code == 0, table.output
    assert f"没有在用的核查员负责乡镇{T3}" in "".join(table.stdout.split())
    assert "no active verifier" not in table.stdout
    as_json = json.loads(run(admin_ctx, "sup", "verify", "assign", "--json").stdout)
    assert as_json["unassigned"][0]["reason"] == f"no active verifier covers township {T3}"
    refused = run(admin_ctx, "v1", "verify", "list", "--all")
    assert refused.exit_code == 1
    assert refused.output.strip() == "错误：用户 v1（核查员）只能查看自己的核查任务（--mine）"
