"""Messages a person reads: Chinese by default, English on request, pydantic's errors worded by
their type and context, fields named with the header the file used; and the kin terms of
county registers (与户主关系), an unknown one registered as `other` with a warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from typer.testing import CliRunner

from adjudicator.intake import import_claims, import_households
from adjudicator.intake.report import read_report
from adjudicator.messages import Message, set_lang, validation_reason
from adjudicator.rules.idnumber import check_character
from adjudicator.storage.models import Member
from cli.main import app
from schemas.imports import RELATION_LABELS, HouseholdRow, Relation, parse_relation
from tests.test_intake import write_csv


def _id(serial: int) -> str:
    first17 = f"33010219800101{serial:03d}"
    return first17 + check_character(first17)


class _Form(BaseModel):
    amount: int = Field(ge=0, le=100)
    note: str = Field(max_length=5)
    when: str


def _errors(**values: object) -> list[dict]:
    with pytest.raises(ValidationError) as caught:
        _Form.model_validate(values)
    return [dict(e) for e in caught.value.errors(include_url=False, include_input=False)]


def test_pydantic_errors_are_worded_by_type_and_context() -> None:
    errors = _errors(amount=-1, note="toolong")
    assert [validation_reason(e, "zh") for e in errors] == [
        "不能为负数", "内容太长：最多 5 个字符", "必须填写"]
    assert [validation_reason(e, "en") for e in errors] == [
        "Input should be greater than or equal to 0", "String should have at most 5 characters",
        "Field required"]
    # the context's numbers, not pydantic's English, make the Chinese
    too_big = _errors(amount=101, note="x", when="x")
    assert validation_reason(too_big[0], "zh") == "不能大于 100"
    assert validation_reason({"type": "no_such_type", "msg": "whatever"}, "zh") == "格式不正确"


def test_messages_follow_the_chosen_language() -> None:
    message = Message("match.unknown_household", household="H-1")
    assert str(message) == "没有登记户编号为 H-1 的户"
    set_lang("en")
    assert str(message) == "no registered household H-1"
    set_lang(None)
    assert message.render("en") == "no registered household H-1"


def test_a_row_rule_names_the_fields_as_the_file_headed_them(admin_ctx, tmp_path: Path) -> None:
    import_households(admin_ctx, write_csv(
        tmp_path / "h.csv", ["户编号", "行政区划代码", "户类别", "村名", "成员编号", "姓名",
                             "身份证号码"],
        [["H-1", "330102101201", "边缘户", "张家庄村", "M1", "张三", _id(1)]]))
    path = write_csv(tmp_path / "c.csv", ["户号", "成员编号", "申请编号", "救助类别", "发生日期",
                                          "来源", "总费用", "学费"],
                     [["H-1", "M1", "K-1", "因病", "2026-03-01", "申请", "100", "5"],
                      ["H-1", "M1", "K-2", "因学", "2026-03-01", "申请", "", "5"]])
    result = import_claims(admin_ctx, path)
    problems = read_report(result.error_report)
    assert [(p["field"], p["reason"]) for p in problems] == [
        ("学费", "因病申请不适用“学费”"),
        ("学段", "因学申请必须填写“学段”"),  # a column the file lacks: its Chinese name
    ]
    assert problems[0]["reason_en"] == "学费 does not apply to a medical claim"


def test_a_missing_column_is_named_in_chinese(admin_ctx, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", ["申请编号", "救助类别", "发生日期", "来源", "医疗总费用"],
                     [["K-1", "因病", "2026-03-01", "申请", "100"]])
    runner = CliRunner()
    zh = runner.invoke(app, ["import", "claims", str(path), "--db", admin_ctx.engine.url
                             .render_as_string(hide_password=False), "--as", "sup"])
    assert zh.exit_code == 1
    assert "文件需要 “身份证号码”，或 “户编号” + “成员编号” 列" not in zh.output  # no stray quotes
    assert "文件需要 身份证号码，或 户编号 + 成员编号 列" in zh.output.replace("\n", "")
    lines = read_report(Path(str(path) + ".errors.csv"))
    assert [(p["field"], p["code"], p["reason"]) for p in lines] == [
        ("", "MISSING_COLUMN", "文件需要 身份证号码，或 户编号 + 成员编号 列")]


# --- 与户主关系: the kin terms of county registers -----------------------------------------

@pytest.mark.parametrize(("term", "kind"), [
    ("侄子", "other"), ("侄女", "other"), ("孙媳妇", "grandchild"), ("儿媳", "child_in_law"),
    ("女婿", "child_in_law"), ("外孙", "grandchild"), ("外孙女", "grandchild"),
    ("孙子", "grandchild"), ("孙女", "grandchild"), ("曾孙", "grandchild"),
    ("兄弟姐妹", "sibling"), ("儿媳妇", "child_in_law"), ("公公", "parent"),
    ("爷爷", "grandparent"), ("嫂子", "sibling"), ("养女", "child"), ("spouse", "spouse"),
])
def test_county_kin_terms_map_to_relation_kinds(term: str, kind: str) -> None:
    assert parse_relation(term) == kind
    assert HouseholdRow.model_validate({
        "household_id": "H", "region_code": "330102101201", "household_category": "edge",
        "village_name": "村", "member_id": "M", "name": "张三", "id_number": _id(1),
        "relation": term}).relation == Relation(kind)


def test_every_relation_kind_has_terms() -> None:
    assert set(RELATION_LABELS.values()) == {r.value for r in Relation}


def test_an_unknown_kin_term_is_other_with_a_warning_never_a_dropped_person(
        admin_ctx, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", ["户编号", "行政区划代码", "户类别", "村名", "成员编号",
                                          "姓名", "身份证号码", "与户主关系"],
                     [["H-1", "330102101201", "边缘户", "村", "M1", "张三", _id(1), "户主"],
                      ["H-1", "330102101201", "边缘户", "村", "M2", "张小", _id(2), "侄子"],
                      ["H-1", "330102101201", "边缘户", "村", "M3", "王某", _id(3), "干亲"],
                      ["H-1", "330102101201", "边缘户", "村", "M4", "李某", _id(4), "孙媳妇"]])
    result = import_households(admin_ctx, path)
    assert (result.accepted, result.rejected, result.warnings) == (4, 0, 1)
    with admin_ctx.factory() as session:
        relations = dict(session.execute(select(Member.member_id, Member.relation)).all())
    assert relations == {"M1": "head", "M2": "other", "M3": "other", "M4": "grandchild"}
    problems = read_report(result.error_report)
    assert [(p["row"], p["field"], p["code"], p["reason"]) for p in problems] == [
        ("4", "与户主关系", "RELATION_OTHER", "不认识的与户主关系“干亲”，已按“其他”登记（请核对）")]
    again = import_households(admin_ctx, path)  # idempotent: nothing changes, warned again
    assert (again.accepted, again.unchanged, again.warnings) == (0, 4, 1)


def test_lang_en_writes_the_report_in_english_with_a_chinese_column(admin_ctx,
                                                                    tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", ["身份证号码", "申请编号", "救助类别", "发生日期", "来源",
                                          "医疗总费用"],
                     [[_id(9), "K-1", "因病", "2026-03-01", "申请", "-5"]])
    url = admin_ctx.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["import", "claims", str(path), "--db", url, "--as", "sup",
                                      "--lang", "en"])
    assert result.exit_code == 2 and "1 rows: 0 accepted" in result.stdout
    report = Path(str(path) + ".errors.csv")
    assert report.read_text(encoding="utf-8-sig").splitlines()[0] == \
        "file,row,field,code,reason,original,reason_zh"
    [line] = read_report(report)
    assert line["field"] == "医疗总费用" and line["reason_zh"] == "不能为负数"
    assert line["reason"] == "Input should be greater than or equal to 0"
