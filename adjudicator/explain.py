"""The trace in words: one plain Chinese or English sentence per rule, and a decision summary.

Pure presentation of the trace data; the trace itself stays the record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from adjudicator.negative_items import BUILTIN_ITEMS, BUILTIN_ITEMS_EN
from adjudicator.reasons import reason_text

Values = Mapping[str, Any]

_CATEGORY_ZH = {"medical": "因病", "disaster": "因灾", "education": "因学", "accident": "因意外"}
_OUTCOME_ZH = {"approved": "批准", "denied": "不予救助", "pended": "待人工审核"}
_OK_ZH = {"pass": "通过", "fail": "未通过", "pend": "待审", "info": "记录", **_OUTCOME_ZH}


def _yn(flag: bool, lang: str) -> str:
    return ("是" if flag else "否") if lang == "zh" else ("yes" if flag else "no")


def _answer(value: Any, lang: str) -> str:
    if value is None:
        return "未作答" if lang == "zh" else "not answered"
    return _yn(bool(value), lang)


def _item(rule: str, lang: str, labels: Mapping[str, str]) -> str:
    item = rule.split(".", 1)[1]
    if lang == "zh":
        return labels.get(item) or BUILTIN_ITEMS.get(item, item)
    return BUILTIN_ITEMS_EN.get(item) or labels.get(item, item)


def _negative(step: Values, lang: str, labels: Mapping[str, str]) -> str:
    v, label = step["values"], _item(step["rule"], lang, labels)
    found = ", ".join(v.get("found_by") or [])
    if lang == "zh":
        text = f"负面清单「{label}」：核查答复{_answer(v.get('answer'), lang)}"
        text += f"，部门比对发现（{found}）" if found else "，部门比对未发现"
        return text + ("，属于排除情形。" if step["result"] == "fail" else "。")
    text = f"Negative list '{label}': answer {_answer(v.get('answer'), lang)}"
    text += f", found by {found}" if found else ", no department finding"
    return text + ("; excluded." if step["result"] == "fail" else ".")


_ID_PROBLEM_ZH: dict[str, str] = {"length": "位数不是18位", "characters": "含非法字符",
                  "birth_date": "出生日期不存在", "check_digit": "校验位不符"}


_ZH: dict[str, Callable[[Values, str], str]] = {
    "coverage.region": lambda v, r: (
        f"户籍区划 {v['region_code']} "
        + (f"属于方案覆盖区域（{v['matched']}）。" if r == "pass"
           else f"不在方案覆盖区域 {'、'.join(v['tariff_region_codes'])} 内。")),
    "coverage.period": lambda v, r: (
        f"发生日期 {v['event_date']} " + ("在" if r == "pass" else "不在")
        + f"方案有效期 {v['valid_from']} 至 {v['valid_to']} 内。"),
    "coverage.category": lambda v, r: (
        f"救助类别「{_CATEGORY_ZH.get(v['category'], v['category'])}」"
        + ("在保障范围内。" if r == "pass" else "不在本方案保障范围内。")),
    "identity.member": lambda v, r: (
        f"申请人 {v['member_id']} " + ("是本户成员。" if r == "pass" else "不是本户成员。")),
    "identity.id_number": lambda v, r: (
        "申请人身份证号码校验通过。" if r == "pass"
        else f"申请人身份证号码无效（{_ID_PROBLEM_ZH.get(v['problem'], v['problem'])}）。"),
    "coverage.education_stage": lambda v, r: (
        f"学段 {v['stage']} " + ("在" if r == "pass" else "不在")
        + f"保障学段（{'、'.join(v['eligible_stages'])}）内。"),
    "negative_list.contradiction": lambda v, r: (
        f"部门比对发现的事项（{'、'.join(v['items'])}）与核查答复矛盾，"
        + ("认定为刻意隐瞒。" if r == "fail" else "本方案未启用「刻意隐瞒」，仅作记录。")),
    "negative_list.unlisted_findings": lambda v, r: (
        f"部门比对发现本方案未列入负面清单的事项（{'、'.join(v['items'])}），仅作记录。"),
    "completeness": lambda v, r: (
        "入户核查信息完整。" if r == "pass" else "入户核查信息不完整："
        + "；".join(_incomplete_zh(v)) + "。"),
    "expense.eligible": lambda v, r: (
        f"符合条件的自付费用为 {v['eligible_expense']} 元"
        + ("。" if r == "pass" else "，没有可救助的费用。")),
    "income.net": lambda v, r: (
        f"家庭年纯收入 = 计入收入 {v['income_counted']} 元 - 生产经营支出 {v['costs']} 元"
        f" = {v['net_income']} 元。"),
    "income.test": lambda v, r: (
        ("人均纯收入 = (纯收入 {n} - 年度累计费用 {c}) / {m} 人 = {p} 元"
         if v["mode"] == "after_expense" else "人均纯收入 = 纯收入 {n} / {m} 人 = {p} 元")
        .format(n=v["net_income"], c=v["cumulative_expense"], m=v["counted_members"],
                p=v["per_capita_income"])
        + ("，不高于" if r == "pass" else "，高于") + f"防贫线 {v['income_line']} 元。"),
    "income.borderline": lambda v, r: (
        f"人均纯收入 {v['per_capita_income']} 元"
        + ("接近防贫线，需人工复核。" if r == "pend" else "未进入临界区间。")),
    "income.hardship_exception": lambda v, r: (
        f"年度累计费用 {v['cumulative_expense']} 元"
        + (f"达到纯收入的 {v['hardship_ratio']} 倍（{v['threshold']} 元），"
           "按支出负担例外需人工认定。"
           if r == "pend" else
           (f"未达到纯收入的 {v['hardship_ratio']} 倍（{v['threshold']} 元），不予救助。"
            if v["enabled"] else "；本方案未启用支出负担例外，不予救助。"))),
    "payout.bands": lambda v, r: (
        f"年度累计费用 {v['cumulative_expense']} 元，赔付启动线 {v['trigger_line']} 元，"
        + (f"分段计算合计 {v['gross_exact']} 元，"
           f"按 {v['rounding']} 元取整为 {v['gross_rounded']} 元。"
           if r == "pass" else "未达到赔付启动线。")),
    "payout.caps": lambda v, r: (
        f"应赔 {v['gross_rounded']} 元（年度封顶 {v['annual_cap']} 元）"
        f"，本年已赔 {v['paid_to_date']} 元，本次赔付 {v['payout']} 元。"),
    "review.large_payout": lambda v, r: (
        f"赔付 {v['payout']} 元" + ("达到" if r == "pend" else "低于")
        + f"大额审核线 {v['threshold']} 元。"),
    "outcome": lambda v, r: (
        f"结论：{_OUTCOME_ZH.get(r, r)}，赔付 {v['payout']} 元。"),
}

_EN: dict[str, Callable[[Values, str], str]] = {
    "coverage.region": lambda v, r: (
        f"Region {v['region_code']} "
        + (f"is covered ({v['matched']})." if r == "pass"
           else f"is not in the tariff's regions {', '.join(v['tariff_region_codes'])}.")),
    "coverage.period": lambda v, r: (
        f"Event date {v['event_date']} is " + ("" if r == "pass" else "not ")
        + f"within {v['valid_from']}..{v['valid_to']}."),
    "coverage.category": lambda v, r: (
        f"Category {v['category']} is " + ("covered." if r == "pass" else "not covered.")),
    "identity.member": lambda v, r: (
        f"Claimant {v['member_id']} is " + ("" if r == "pass" else "not ")
        + "a member of the household."),
    "identity.id_number": lambda v, r: (
        "The claimant's ID number is valid." if r == "pass"
        else f"The claimant's ID number is invalid ({v['problem']})."),
    "coverage.education_stage": lambda v, r: (
        f"Stage {v['stage']} is " + ("" if r == "pass" else "not ")
        + f"among {', '.join(v['eligible_stages'])}."),
    "negative_list.contradiction": lambda v, r: (
        f"Department findings contradict the answers for {', '.join(v['items'])}"
        + ("; concealment." if r == "fail" else "; CONCEALMENT is not active, noted only.")),
    "negative_list.unlisted_findings": lambda v, r: (
        f"Findings for items the tariff does not list ({', '.join(v['items'])}) are noted only."),
    "completeness": lambda v, r: (
        "The verification is complete." if r == "pass"
        else "The verification is incomplete: " + "; ".join(_incomplete_en(v)) + "."),
    "expense.eligible": lambda v, r: (
        f"Eligible expense is {v['eligible_expense']} yuan"
        + ("." if r == "pass" else ": nothing to help with.")),
    "income.net": lambda v, r: (
        f"Net income = income {v['income_counted']} - costs {v['costs']} = {v['net_income']}."),
    "income.test": lambda v, r: (
        ("Per-capita income = (net {n} - cumulative expense {c}) / {m} = {p}"
         if v["mode"] == "after_expense" else "Per-capita income = net {n} / {m} = {p}")
        .format(n=v["net_income"], c=v["cumulative_expense"], m=v["counted_members"],
                p=v["per_capita_income"])
        + (", not above" if r == "pass" else ", above") + f" the line {v['income_line']}."),
    "income.borderline": lambda v, r: (
        f"Per-capita income {v['per_capita_income']} "
        + ("is just under the line: a person reviews it." if r == "pend"
           else "is clear of the borderline margin.")),
    "income.hardship_exception": lambda v, r: (
        f"Cumulative expense {v['cumulative_expense']} "
        + (f"reaches {v['hardship_ratio']} x net income ({v['threshold']}): a person decides."
           if r == "pend" else
           (f"is below {v['hardship_ratio']} x net income ({v['threshold']}): denied."
            if v["enabled"] else "; the hardship exception is disabled: denied."))),
    "payout.bands": lambda v, r: (
        f"Cumulative expense {v['cumulative_expense']}, trigger {v['trigger_line']}: "
        + (f"bands give {v['gross_exact']}, rounded to {v['gross_rounded']}."
           if r == "pass" else "below the trigger line.")),
    "payout.caps": lambda v, r: (
        f"Due {v['gross_rounded']} (annual cap {v['annual_cap']}), paid so far "
        f"{v['paid_to_date']}, payout {v['payout']}."),
    "review.large_payout": lambda v, r: (
        f"Payout {v['payout']} is " + ("at or above" if r == "pend" else "below")
        + f" the review threshold {v['threshold']}."),
    "outcome": lambda v, r: f"Outcome: {r}, payout {v['payout']}.",
}


def _incomplete_zh(v: Values) -> list[str]:
    parts = []
    if not v["verification_recorded"]:
        parts.append("尚无入户核查记录")
    if v["unanswered"]:
        labels = "、".join(BUILTIN_ITEMS.get(i, i) for i in v["unanswered"])
        parts.append("负面清单未作答：" + labels)
    if not v["income_recorded"]:
        parts.append("未登记收入")
    if not v["counted_members"]:
        parts.append("没有计入人口的成员")
    return parts


def _incomplete_en(v: Values) -> list[str]:
    parts = []
    if not v["verification_recorded"]:
        parts.append("no verification recorded")
    if v["unanswered"]:
        parts.append("unanswered items " + ", ".join(v["unanswered"]))
    if not v["income_recorded"]:
        parts.append("income not recorded")
    if not v["counted_members"]:
        parts.append("no counted member")
    return parts


def explain_step(step: Values, lang: str = "zh", labels: Mapping[str, str] | None = None) -> str:
    """One sentence for one trace step (the JSON form: rule, result, reason, values)."""
    labels = labels or {}
    rule, result, values = step["rule"], step["result"], step["values"]
    if rule.startswith("negative_list.") and rule.split(".", 1)[1].isupper():
        return _negative(step, lang, labels)
    render = (_ZH if lang == "zh" else _EN).get(rule)
    if render is None:  # a rule newer than this renderer: show the data rather than nothing
        return f"{rule}: {result} {dict(values)}"
    return render(values, result)


def explain_decision(
    decision: Values, lang: str = "zh", labels: Mapping[str, str] | None = None
) -> list[str]:
    """The decision (its JSON form) in words: a headline, the reasons, then one line per rule."""
    category, outcome = decision["category"], decision["outcome"]
    if lang == "zh":
        head = (f"申请 {decision['claim_id']}（{_CATEGORY_ZH.get(category, category)}）："
                f"{_OUTCOME_ZH.get(outcome, outcome)}，赔付 {decision['payout']} 元。")
    else:
        head = (f"Claim {decision['claim_id']} ({category}): {outcome}, "
                f"payout {decision['payout']} yuan.")
    lines = [head]
    lines += [f"  - {reason_text(code, lang, labels)} [{code}]" for code in decision["reasons"]]
    for number, step in enumerate(decision["trace"], start=1):
        mark = _OK_ZH.get(step["result"], step["result"]) if lang == "zh" else step["result"]
        lines.append(f"{number:>2}. [{mark}] {explain_step(step, lang, labels)}")
    return lines


def band_table(decision: Values) -> list[tuple[str, str, str, str]]:
    """The band breakdown as rows (from, to, rate, amount), for tables and documents."""
    return [(b["from"], b["to"], b["rate"], b["amount"]) for b in decision["bands"]]
