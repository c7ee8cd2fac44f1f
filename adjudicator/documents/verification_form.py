"""The verification form (入户核查表) as the YAML document a verifier fills in, with Chinese
comments explaining each field (what `adjudicator verify template` prints).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from schemas.vocabulary import COST_KINDS, INCOME_KINDS, zh_table

if TYPE_CHECKING:
    from adjudicator.services.verification.form import VerificationForm

INCOME_LABELS: dict[str, str] = zh_table(INCOME_KINDS)
COST_LABELS: dict[str, str] = zh_table(COST_KINDS)


def _q(value: Any) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML and keep Chinese readable."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)


def form_yaml(form: VerificationForm) -> str:
    """The form as YAML with Chinese comments explaining each field (what `verify template`
    prints); `load_form` reads it back to the same form."""
    data = form.model_dump(mode="json")
    out = [
        "# 防贫保入户核查表 (verification form)",
        "# 填写说明: 逐项填写后用 `adjudicator verify record CLAIM --file 本文件` 提交。",
        "# 留空 (null) 的必填项视为未完成: 表格保存为草稿, 命令列出缺少的项目。",
        "# 本表含家庭成员真实姓名, 仅供入户核查使用, 请勿外传。",
        "",
        "# 案件编号与户编号 (请勿修改)",
        f"claim_id: {_q(form.claim_id)}",
        f"household_id: {_q(form.household_id)}",
        "# 核查员编号 (自动填写, 须为提交人本人)",
        f"verifier_id: {_q(form.verifier_id)}",
        "# 入户核查日期, 格式 YYYY-MM-DD (必填)",
        f"verified_on: {_q(form.verified_on)}",
        "",
        "# 家庭成员: counted 表示是否计入家庭人口 (共同生活、参与计算人均收入)",
        "#   true 计入 / false 不计入; 至少一人计入。姓名和身份证号仅供核对, 修改无效。",
        "members:",
    ]
    for m in data["members"]:
        out += [f"  - member_id: {_q(m['member_id'])}",
                f"    name: {_q(m['name'])}",
                f"    relation: {_q(m['relation'])}",
                f"    id_number: {_q(m['id_number'])}",
                f"    counted: {_q(m['counted'])}"]
    out += ["",
            "# 家庭全年收入 (元), 按类别填写: 工资性、经营净、财产净、转移净收入。",
            "#   每一类都须填写, 没有该类收入填 0; 同类多笔可复制一行。",
            "income:"]
    for item in data["income"]:
        out += [f"  - kind: {item['kind']}    # {INCOME_LABELS.get(item['kind'], '')}",
                f"    label: {_q(item['label'])}",
                f"    amount: {_q(item['amount'])}",
                f"    note: {_q(item['note'])}"]
    out += ["",
            "# 生产经营性支出 (元), 从收入中扣除; 没有填 0 (选填)",
            "costs:"]
    for item in data["costs"]:
        out += [f"  - kind: {item['kind']}    # {COST_LABELS.get(item['kind'], '')}",
                f"    label: {_q(item['label'])}",
                f"    amount: {_q(item['amount'])}",
                f"    note: {_q(item['note'])}"]
    out += ["",
            "# 负面清单: 本保障方案生效的每一项都须回答。",
            "#   answer: true (是, 存在该情形) / false (否); 留空 (null) 为未回答。",
            "negative_list:"]
    for item in data["negative_list"]:
        out += [f"  - item: {item['item']}",
                f"    label: {_q(item['label'])}",
                f"    answer: {_q(item['answer'])}"]
    out += ["",
            "# 部门比对结果 (只读, 供核查参考, 修改无效)。若比对发现某项而核查回答“否”,",
            "#   理算将认定该项, 并认定刻意隐瞒 (NEG_CONCEALMENT, 本方案列有该项时)。",
            "findings:" + (" []" if not data["findings"] else "")]
    for f in data["findings"]:
        out += [f"  - source: {f['source']}",
                f"    item: {f['item']}",
                f"    found: {_q(f['found'])}",
                f"    message: {_q(f['message'])}",
                f"    detail: {_q(f['detail'])}"]
    out += ["",
            "# 佐证材料: kind 为 receipt (票据, ref 填票据号)、photo (照片, ref 填文件名,",
            "#   sha256 必填) 或 document (其他文件)。提交时用 --evidence-dir 指定照片所在",
            "#   文件夹, 系统核对文件的 SHA-256。",
            "evidence:" + (" []" if not data["evidence"] else "")]
    for e in data["evidence"]:
        out += [f"  - kind: {e['kind']}",
                f"    ref: {_q(e['ref'])}",
                f"    sha256: {_q(e['sha256'])}",
                f"    note: {_q(e['note'])}"]
    out += ["",
            "# 备注 (选填, 勿写身份证号)",
            f"note: {_q(form.note)}",
            ""]
    return "\n".join(out)
