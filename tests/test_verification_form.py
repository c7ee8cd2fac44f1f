"""The verification form's YAML (adjudicator/documents/verification_form.py): whatever a form
holds, the document a verifier gets reads back (as `verify record` reads it) to the same form,
and it keeps the Chinese comments that tell the verifier what to fill in.

A YAML 1.1 reader (PyYAML, what `load_form` uses) takes an unquoted NO, ON, off, yes, null or ~
for a boolean or nothing, 007 and 0x1A for numbers; a key with nothing under it is null, not
an empty list. The writer must quote and spell every value so that none of that happens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adjudicator.documents.verification_form import form_yaml
from adjudicator.services.verification import VerificationForm, load_form, parse_form
from schemas.types import CrossCheckSource

#: Strings a hand-written YAML document gets wrong unless it quotes them.
TRAPS = ["NO", "no", "ON", "on", "off", "OFF", "null", "Null", "~", "yes", "Yes", "y", "n",
         "true", "False", "1e3", "1.5", "0x1A", "0o17", "007", "-0", ".inf", ".NaN", "12:30",
         "2026-03-01", "a: b", "#", "a # b", "# 注释", ": ", "- x", "[1, 2]", "{a: 1}",
         "'single'", '"double"', "back\\slash", "&anchor", "*alias", "!tag", "|", ">", "%",
         "@", "`", "?", "张三: 户主 # 备注", "多行\n文本", "tab\there", "=", "<<"]
#: Item codes (A-Z, 0-9, _) that a YAML 1.1 reader takes for a boolean or null when bare.
WORD_CODES = ["NO", "ON", "OFF", "YES", "TRUE", "FALSE", "NULL", "Y", "N", "NAN"]
#: Characters a YAML reader refuses or folds unless they are escaped.
ODD_CHARACTERS = ["\x7f", "\x85", "\u2028", "\u2029", "\x9f", "\x00", "\ufeff", "\x1b"]

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def read_back(text: str) -> VerificationForm:
    """As `load_form` reads a YAML file."""
    return parse_form(yaml.safe_load(text))


def form(**changes: Any) -> VerificationForm:
    data: dict[str, Any] = {
        "claim_id": "K1", "household_id": "H1", "verifier_id": "v1", "verified_on": None,
        "members": [{"member_id": "M1", "name": "张三", "relation": "户主",
                     "id_number": "330102********1234", "counted": True}],
        "income": [{"kind": "wage", "label": "工资性收入", "amount": "1200.50", "note": None}],
        "costs": [{"kind": "production", "label": "生产经营性支出", "amount": None}],
        "negative_list": [{"item": "VEHICLE", "label": "家庭拥有消费型车辆", "answer": None}],
        "findings": [{"source": "vehicle_registry", "item": "VEHICLE", "found": True,
                      "message": "车管部门比对发现: 家庭拥有消费型车辆"}],
        "evidence": [{"kind": "receipt", "ref": "K1"}],
        "note": None,
    }
    data.update(changes)
    return VerificationForm.model_validate(data)


def everywhere(text: str) -> VerificationForm:
    """A form with `text` in every free-text field and every identifier."""
    return form(
        claim_id=text, household_id=text, verifier_id=text, note=text,
        members=[{"member_id": text, "name": text, "relation": text, "id_number": text,
                  "counted": None}],
        income=[{"kind": "wage", "label": text, "amount": "0", "note": text}],
        costs=[{"kind": "production", "label": text, "amount": "3.10", "note": text}],
        negative_list=[{"item": "SHOP", "label": text, "answer": False}],
        findings=[{"source": "housing", "item": "SHOP", "found": False, "message": text,
                   "detail": text}],
        evidence=[{"kind": "document", "ref": text, "note": text}])


@pytest.mark.parametrize("text", TRAPS)
def test_strings_yaml_would_misread_come_back_as_written(text: str) -> None:
    written = everywhere(text)
    assert read_back(form_yaml(written)) == written


@pytest.mark.parametrize("code", WORD_CODES)
def test_item_codes_that_are_yaml_words_come_back_as_codes(code: str) -> None:
    written = form(negative_list=[{"item": code, "label": "某项", "answer": None}],
                   findings=[{"source": "housing", "item": code, "found": True}])
    assert read_back(form_yaml(written)) == written


@pytest.mark.parametrize("character", ODD_CHARACTERS)
def test_control_and_line_separator_characters_come_back(character: str) -> None:
    written = everywhere(f"前{character}后")
    assert read_back(form_yaml(written)) == written


def test_empty_lists_come_back_as_empty_lists() -> None:
    written = form(members=[], income=[], costs=[], negative_list=[], findings=[], evidence=[])
    text = form_yaml(written)
    data = yaml.safe_load(text)
    for key in ("members", "income", "costs", "negative_list", "findings", "evidence"):
        assert data[key] == [], key
    assert read_back(text) == written


def test_a_long_text_stays_on_one_line() -> None:
    written = form(note="很长的备注, " * 60)
    text = form_yaml(written)
    assert [line for line in text.splitlines() if line.startswith("note: ")]
    assert read_back(text) == written


# --------------------------------------------------------------------------- the property

_CHARACTERS = st.characters(exclude_categories=("Cs",))
_TEXT = st.one_of(st.sampled_from(TRAPS + ODD_CHARACTERS), st.text(_CHARACTERS, max_size=30))
_OPTIONAL_TEXT = st.one_of(st.none(), _TEXT)
_ID = st.one_of(st.sampled_from(TRAPS), st.text(_CHARACTERS, min_size=1, max_size=20)
                ).filter(lambda s: bool(s.strip()))
_CODE = st.one_of(st.sampled_from(WORD_CODES),
                  st.from_regex(r"[A-Z][A-Z0-9_]{0,12}", fullmatch=True))
_ANSWER = st.sampled_from([None, True, False])
_AMOUNT = st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2,
                                           allow_nan=False, allow_infinity=False))
_INCOME_KINDS = st.sampled_from(["wage", "business", "property", "transfer"])


@st.composite
def forms(draw: st.DrawFn) -> VerificationForm:
    def rows(strategy: st.SearchStrategy[dict[str, Any]]) -> list[dict[str, Any]]:
        return draw(st.lists(strategy, max_size=3))

    text = draw(_TEXT)
    data = {
        "claim_id": draw(_ID), "household_id": draw(_ID),
        "verifier_id": draw(st.one_of(st.none(), _ID)),
        "verified_on": draw(st.one_of(st.none(), st.dates(dt.date(2000, 1, 1),
                                                          dt.date(2099, 12, 31)))),
        "members": rows(st.fixed_dictionaries({
            "member_id": _ID, "name": _OPTIONAL_TEXT, "relation": _OPTIONAL_TEXT,
            "id_number": _OPTIONAL_TEXT, "counted": _ANSWER})),
        "income": rows(st.fixed_dictionaries({
            "kind": _INCOME_KINDS, "label": _OPTIONAL_TEXT, "amount": _AMOUNT,
            "note": _OPTIONAL_TEXT})),
        "costs": rows(st.fixed_dictionaries({
            "kind": st.just("production"), "label": _OPTIONAL_TEXT, "amount": _AMOUNT,
            "note": _OPTIONAL_TEXT})),
        "negative_list": rows(st.fixed_dictionaries({
            "item": _CODE, "label": _OPTIONAL_TEXT, "answer": _ANSWER})),
        "findings": rows(st.fixed_dictionaries({
            "source": st.sampled_from([s.value for s in CrossCheckSource]),
            "item": _CODE, "found": st.booleans(), "message": _OPTIONAL_TEXT,
            "detail": _OPTIONAL_TEXT})),
        "evidence": rows(st.fixed_dictionaries({
            "kind": st.sampled_from(["receipt", "photo", "document"]),
            "ref": _ID,
            "sha256": st.one_of(st.none(), st.from_regex(r"[0-9a-f]{64}", fullmatch=True)),
            "note": _OPTIONAL_TEXT})),
        "note": draw(st.one_of(st.none(), st.just(text))),
    }
    return VerificationForm.model_validate(data)


@SETTINGS
@given(forms())
def test_any_form_written_reads_back_to_the_same_form(written: VerificationForm) -> None:
    assert read_back(form_yaml(written)) == written


# --------------------------------------------------------------------------- what it says

#: The comments the verifier reads, in the order they come.
COMMENTS = [
    "# 防贫保入户核查表 (verification form)",
    "# 填写说明: 逐项填写后用 `adjudicator verify record CLAIM --file 本文件` 提交。",
    "# 留空 (null) 的必填项视为未完成: 表格保存为草稿, 命令列出缺少的项目。",
    "# 本表含家庭成员真实姓名, 仅供入户核查使用, 请勿外传。",
    "# 案件编号与户编号 (请勿修改)",
    "# 核查员编号 (自动填写, 须为提交人本人)",
    "# 入户核查日期, 格式 YYYY-MM-DD (必填)",
    "# 家庭成员: counted 表示是否计入家庭人口 (共同生活、参与计算人均收入)",
    "#   true 计入 / false 不计入; 至少一人计入。姓名和身份证号仅供核对, 修改无效。",
    "# 家庭全年收入 (元), 按类别填写: 工资性、经营净、财产净、转移净收入。",
    "#   每一类都须填写, 没有该类收入填 0; 同类多笔可复制一行。",
    "# 生产经营性支出 (元), 从收入中扣除; 没有填 0 (选填)",
    "# 负面清单: 本保障方案生效的每一项都须回答。",
    "#   answer: true (是, 存在该情形) / false (否); 留空 (null) 为未回答。",
    "# 部门比对结果 (只读, 供核查参考, 修改无效)。若比对发现某项而核查回答“否”,",
    "#   理算将认定该项, 并认定刻意隐瞒 (NEG_CONCEALMENT, 本方案列有该项时)。",
    "# 佐证材料: kind 为 receipt (票据, ref 填票据号)、photo (照片, ref 填文件名,",
    "#   sha256 必填) 或 document (其他文件)。提交时用 --evidence-dir 指定照片所在",
    "#   文件夹, 系统核对文件的 SHA-256。",
    "# 备注 (选填, 勿写身份证号)",
]


def test_the_comments_the_verifier_reads_are_there_in_order() -> None:
    lines = form_yaml(form()).splitlines()
    comments = [line for line in lines if line.startswith("#")]
    assert comments == COMMENTS
    # each section's comment comes right before its key
    for comment, key in [("# 备注", "note:"), ("# 负面清单", "negative_list:"),
                         ("# 入户核查日期", "verified_on:"), ("# 佐证材料", "evidence:")]:
        at = next(i for i, line in enumerate(lines) if line.startswith(comment))
        assert next(line for line in lines[at:] if not line.startswith("#")).startswith(key)


def test_each_income_and_cost_kind_says_what_it_is() -> None:
    written = form(income=[{"kind": k} for k in ("wage", "business", "property", "transfer")])
    lines = form_yaml(written).splitlines()
    assert "  - kind: wage    # 工资性收入" in lines
    assert "  - kind: transfer    # 转移净收入" in lines
    assert "  - kind: production    # 生产经营性支出" in lines


def test_blanks_are_written_null_and_the_sections_are_separated() -> None:
    text = form_yaml(form(verified_on=None))
    assert "\nverified_on: null\n" in text and "\nnote: null\n" in text
    assert "    answer: null\n" in text
    assert text.count("\n\n#") == 8 and text.endswith("\n") and not text.endswith("\n\n")
    assert "verified_on: 2026-03-01\n" in form_yaml(form(verified_on=dt.date(2026, 3, 1)))


def test_the_written_file_is_what_verify_record_reads(tmp_path) -> None:
    written = everywhere("NO")
    path = tmp_path / "form.yaml"
    path.write_text(form_yaml(written), "utf-8")
    assert load_form(path) == written
