"""The verification form (入户核查表) as the YAML document a verifier fills in, with Chinese
comments explaining each field (what `adjudicator verify template` prints).

Written with ruamel.yaml, which keeps comments, and read back by `load_form` with PyYAML, a
YAML 1.1 reader: every text is double-quoted (escaped where it must be, Chinese kept
readable), so that an unquoted NO, on, ~, 007 or 0x1A is never read as a boolean, null or
number; a code (kind, item, source) is left bare only when the reader takes it for the same
text; a blank is written `null` and an empty list `[]`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from schemas.vocabulary import COST_KINDS, INCOME_KINDS, zh_table

if TYPE_CHECKING:
    from adjudicator.services.verification.form import VerificationForm

INCOME_LABELS: dict[str, str] = zh_table(INCOME_KINDS)
COST_LABELS: dict[str, str] = zh_table(COST_KINDS)

#: The comment lines before each top-level key ("" is a blank line).
_BEFORE: dict[str, list[str]] = {
    "claim_id": [
        "防贫保入户核查表 (verification form)",
        "填写说明: 逐项填写后用 `adjudicator verify record CLAIM --file 本文件` 提交。",
        "留空 (null) 的必填项视为未完成: 表格保存为草稿, 命令列出缺少的项目。",
        "本表含家庭成员真实姓名, 仅供入户核查使用, 请勿外传。",
        "",
        "案件编号与户编号 (请勿修改)",
    ],
    "verifier_id": ["核查员编号 (自动填写, 须为提交人本人)"],
    "verified_on": ["入户核查日期, 格式 YYYY-MM-DD (必填)"],
    "members": [
        "",
        "家庭成员: counted 表示是否计入家庭人口 (共同生活、参与计算人均收入)",
        "  true 计入 / false 不计入; 至少一人计入。姓名和身份证号仅供核对, 修改无效。",
    ],
    "income": [
        "",
        "家庭全年收入 (元), 按类别填写: 工资性、经营净、财产净、转移净收入。",
        "  每一类都须填写, 没有该类收入填 0; 同类多笔可复制一行。",
    ],
    "costs": ["", "生产经营性支出 (元), 从收入中扣除; 没有填 0 (选填)"],
    "negative_list": [
        "",
        "负面清单: 本保障方案生效的每一项都须回答。",
        "  answer: true (是, 存在该情形) / false (否); 留空 (null) 为未回答。",
    ],
    "findings": [
        "",
        "部门比对结果 (只读, 供核查参考, 修改无效)。若比对发现某项而核查回答“否”,",
        "  理算将认定该项, 并认定刻意隐瞒 (NEG_CONCEALMENT, 本方案列有该项时)。",
    ],
    "evidence": [
        "",
        "佐证材料: kind 为 receipt (票据, ref 填票据号)、photo (照片, ref 填文件名,",
        "  sha256 必填) 或 document (其他文件)。提交时用 --evidence-dir 指定照片所在",
        "  文件夹, 系统核对文件的 SHA-256。",
    ],
    "note": ["", "备注 (选填, 勿写身份证号)"],
}
#: The row keys of each list, in the order they are written; codes are left bare.
_ROWS: dict[str, tuple[str, ...]] = {
    "members": ("member_id", "name", "relation", "id_number", "counted"),
    "income": ("kind", "label", "amount", "note"),
    "costs": ("kind", "label", "amount", "note"),
    "negative_list": ("item", "label", "answer"),
    "findings": ("source", "item", "found", "message", "detail"),
    "evidence": ("kind", "ref", "sha256", "note"),
}
_CODES = frozenset({"kind", "item", "source"})
#: What a kind is, said at the end of its line.
_KIND_LABELS = {"income": INCOME_LABELS, "costs": COST_LABELS}
_GAP = 4  # spaces between a kind and its label


class _Representer(RoundTripRepresenter):
    """Blanks as `null` (ruamel leaves them empty), so the verifier sees what to fill in."""

    def represent_none(self, data: Any) -> Any:
        return self.represent_scalar("tag:yaml.org,2002:null", "null")


_Representer.add_representer(type(None), _Representer.represent_none)


def _read_as_text(code: str) -> bool:
    """Whether PyYAML (what reads the form back) takes `code`, bare, for that very text."""
    return code.isascii() and code.isidentifier() and yaml.safe_load(code) == code


def _scalar(key: str, value: Any) -> Any:
    if isinstance(value, str) and not (key in _CODES and _read_as_text(value)):
        return DoubleQuotedScalarString(value)
    return value


def _row(key: str, row: Mapping[str, Any]) -> CommentedMap:
    out = CommentedMap((k, _scalar(k, row[k])) for k in _ROWS[key])
    labels = _KIND_LABELS.get(key)
    if labels is not None:
        kind = str(row["kind"])
        # the column counts from the sequence's dash: "  - kind: wage    # 工资性收入"
        out.yaml_add_eol_comment(labels.get(kind, ""), "kind",
                                 column=len(f"  - kind: {kind}") + _GAP)
    return out


def _rows(key: str, rows: Iterable[Mapping[str, Any]]) -> CommentedSeq:
    return CommentedSeq(_row(key, row) for row in rows)


def _document(form: VerificationForm) -> CommentedMap:
    data = form.model_dump(mode="json")
    doc = CommentedMap()
    for key in ("claim_id", "household_id", "verifier_id"):
        doc[key] = _scalar(key, data[key])
    doc["verified_on"] = form.verified_on  # a date, written bare (YYYY-MM-DD)
    for key in _ROWS:
        doc[key] = _rows(key, data[key])
    doc["note"] = _scalar("note", data["note"])
    for key, lines in _BEFORE.items():
        doc.yaml_set_comment_before_after_key(key, before="\n".join(lines))
    return doc


def _yaml() -> YAML:
    writer = YAML(typ="rt")
    writer.Representer = _Representer
    writer.indent(mapping=2, sequence=4, offset=2)
    writer.allow_unicode = True
    writer.width = 1 << 20  # a long text stays on its line
    return writer


def form_yaml(form: VerificationForm) -> str:
    """The form as YAML with Chinese comments explaining each field (what `verify template`
    prints); `load_form` reads it back to the same form."""
    out = io.StringIO()
    _yaml().dump(_document(form), out)
    return out.getvalue()


__all__ = ["COST_LABELS", "INCOME_LABELS", "form_yaml"]
