"""Chinese names for what a decision's trace holds: rules, results, the values each rule read,
and short names of reason codes, so that a decision record (理算单) reads as a Chinese document
from top to bottom. The codes stay in the stored decision; only what is printed changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adjudicator.documents.formatting import mask_trace_value
from adjudicator.documents.models import CLAIM_CATEGORY_LABELS, OUTCOME_LABELS
from adjudicator.documents.reasons import NEGATIVE_ITEM_LABELS
from schemas.vocabulary import (
    CROSS_CHECK_SOURCES,
    EDUCATION_STAGES,
    INCOME_KINDS,
    RESULTS,
    zh_table,
)
from schemas.vocabulary import REASON_NAMES as VOCABULARY_REASON_NAMES

__all__ = ["RESULT_LABELS", "RULE_LABELS", "reason_name", "reason_names", "result_label",
           "rule_label", "trace_items_zh"]

RULE_LABELS: dict[str, str] = {
    "coverage.region": "覆盖区域",
    "coverage.period": "保障期间",
    "coverage.category": "救助类别",
    "coverage.education_stage": "教育阶段",
    "identity.member": "成员身份",
    "identity.id_number": "身份证号码",
    "negative_list.contradiction": "负面清单：核查与比对不一致",
    "negative_list.unlisted_findings": "负面清单：方案未列事项",
    "completeness": "核查完整性",
    "expense.eligible": "合规费用",
    "income.net": "家庭纯收入",
    "income.test": "收入测试",
    "income.borderline": "临界收入",
    "income.hardship_exception": "困难例外",
    "payout.bands": "分段赔付",
    "payout.caps": "封顶与已赔",
    "review.large_payout": "大额审核",
    "outcome": "理算结论",
}

RESULT_LABELS: dict[str, str] = {
    **zh_table(RESULTS),
    **OUTCOME_LABELS,
}

#: Short Chinese names of the reason codes (the sentence says the rest).
REASON_NAMES: dict[str, str] = dict(VOCABULARY_REASON_NAMES)

#: The values the rules read, by key.
KEY_LABELS: dict[str, str] = {
    "region_code": "户籍区划代码", "tariff_region_codes": "方案覆盖区划", "matched": "匹配区划",
    "event_date": "发生日期", "valid_from": "方案起始日", "valid_to": "方案截止日",
    "category": "救助类别", "covered": "保障类别", "stage": "教育阶段",
    "eligible_stages": "保障的教育阶段", "member_id": "成员编号",
    "household_members": "户内人数", "problem": "问题", "answer": "核查答复",
    "found_by": "比对发现部门", "items": "涉及事项", "verification_recorded": "已入户核查",
    "unanswered": "未答事项", "income_recorded": "已登记收入", "counted_members": "计入人口",
    "total_cost": "医疗总费用", "non_compliant_cost": "政策范围外费用",
    "include_non_compliant": "计入政策范围外费用", "basic_insurance_paid": "基本医保报销",
    "critical_illness_paid": "大病保险报销", "medical_assistance_paid": "医疗救助",
    "other_compensation": "其他补偿", "eligible_expense": "合规费用", "tuition": "学费",
    "accommodation": "住宿费", "aid_received": "已获资助", "assessed_loss": "核定损失",
    "insurance_paid": "农业保险赔付", "relief_paid": "救灾救助",
    "income_counted": "计入收入", "costs": "生产经营支出", "net_income": "家庭年纯收入",
    "excluded_kinds": "不计入的收入", "mode": "测算方式", "expense_to_date": "此前年度累计费用",
    "cumulative_expense": "年度累计费用", "per_capita_income": "人均纯收入",
    "income_line": "防贫线", "enabled": "已启用", "hardship_ratio": "困难例外比例",
    "threshold": "审核线", "trigger_line": "赔付启动线", "bands_paying": "赔付段数",
    "gross_exact": "分段合计（未取整）", "rounding": "取整单位", "gross_rounded": "分段合计",
    "annual_cap": "年度封顶", "due": "应赔", "paid_to_date": "本年已赔",
    "household_annual_cap_all": "全类别户年度封顶",
    "paid_all_categories_to_date": "全类别本年已赔", "payout": "赔付金额",
    "reasons": "原因", "reason": "原因",
}

_WORDS: dict[str, str] = {
    "after_expense": "扣除年度累计费用后测算", "before_expense": "不扣除费用测算",
    **zh_table(EDUCATION_STAGES),
    **zh_table(INCOME_KINDS),
    **zh_table(CROSS_CHECK_SOURCES),
    **CLAIM_CATEGORY_LABELS,
}


def rule_label(rule: str, item_labels: Mapping[str, str] | None = None) -> str:
    """The Chinese name of a trace rule; a negative-list item by its label."""
    if rule in RULE_LABELS:
        return RULE_LABELS[rule]
    if rule.startswith("negative_list."):
        item = rule.removeprefix("negative_list.")
        label = (item_labels or {}).get(item) or NEGATIVE_ITEM_LABELS.get(item)
        return f"负面清单：{label}" if label else "负面清单：本地事项"
    return "其他规则"


def result_label(result: Any) -> str:
    return RESULT_LABELS.get(str(result), "—")


def reason_name(code: str, custom_labels: Mapping[str, str] | None = None) -> str:
    """A reason code's short Chinese name: 负面清单：消费型车辆, 人均纯收入高于防贫线 …"""
    if code in REASON_NAMES:
        return REASON_NAMES[code]
    if code.startswith("NEG_"):
        item = code.removeprefix("NEG_")
        label = ((custom_labels or {}).get(code) or (custom_labels or {}).get(item)
                 or NEGATIVE_ITEM_LABELS.get(item))
        return f"负面清单：{label}" if label else "负面清单：本地事项"
    return (custom_labels or {}).get(code) or "其他情形"


def reason_names(codes: list[str] | tuple[str, ...],
                 custom_labels: Mapping[str, str] | None = None) -> str:
    """Several reasons as one Chinese phrase: 负面清单：消费型车辆、负面清单：刻意隐瞒…"""
    return "、".join(reason_name(c, custom_labels) for c in codes) or "无"


def _value_zh(key: str, value: Any, item_labels: Mapping[str, str] | None) -> Any:
    if key in ("reasons", "reason"):
        if isinstance(value, list):
            return reason_names(value, item_labels)
        if isinstance(value, str):
            return reason_name(value, item_labels)
    if key in ("unanswered", "items") and isinstance(value, list):
        labels = {**NEGATIVE_ITEM_LABELS, **(item_labels or {})}
        return "、".join(labels.get(v, "本地事项") for v in value) or "无"
    if isinstance(value, list):
        return "、".join(str(_WORDS.get(v, v)) if isinstance(v, str) else str(v)
                        for v in value) or "无"
    if isinstance(value, str) and value in _WORDS:
        return _WORDS[value]
    return value


def trace_items_zh(step: Mapping[str, Any], item_labels: Mapping[str, str] | None = None
                   ) -> list[tuple[str, str]]:
    """The (name, text) pairs a trace step read, in Chinese, personal data masked."""
    items: list[tuple[str, str]] = []
    values = step.get("values")
    pairs = list(values.items()) if isinstance(values, Mapping) else []
    pairs += [(k, v) for k, v in step.items()
              if k not in ("rule", "result", "values", "text_zh") and v is not None]
    for key, value in pairs:
        label = KEY_LABELS.get(str(key))
        if label is None:
            continue  # a value without a Chinese name is in the stored decision, not printed
        items.append((label, mask_trace_value(str(key), _value_zh(str(key), value,
                                                                    item_labels))))
    return items
