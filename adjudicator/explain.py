"""The trace in words: one plain Chinese or English sentence per rule, and a decision summary.

Pure presentation of the trace data; the trace itself stays the record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from adjudicator.rules.negative_items import BUILTIN_ITEMS, BUILTIN_ITEMS_EN
from adjudicator.rules.reasons import reason_text
from schemas.vocabulary import (
    ANSWERS,
    CAUSES,
    CLAIM_CATEGORIES,
    HOUSEHOLD_CATEGORIES,
    ID_NUMBER_PROBLEMS,
    OUTCOMES,
    RESULTS,
    SHAPES,
    word,
    zh_table,
)

Values = Mapping[str, Any]
Render = Callable[[Values, str], str]


class Sentence(NamedTuple):
    """One rule's sentence in Chinese and in English, from the step's values and result."""

    zh: Render
    en: Render

_CATEGORY_ZH = zh_table(CLAIM_CATEGORIES)
_SHAPE_ZH = zh_table(SHAPES)
_HOUSEHOLD_ZH = zh_table(HOUSEHOLD_CATEGORIES)
#: 致灾原因 (claim.cause), in Chinese.
CAUSE_ZH = zh_table(CAUSES)


def _category_zh(v: Values) -> str:
    """A claim category's Chinese name: the tariff's label the trace carries, else built-in."""
    category: str = v["category"]
    return str(v.get("label") or _CATEGORY_ZH.get(category, category))


def _cause_zh(cause: str | None) -> str:
    return "未查明" if cause is None else CAUSE_ZH.get(cause, cause)


def _zh_list(values: list[str], names: Mapping[str, str]) -> str:
    return "、".join(names.get(value, value) for value in values)


def _category_sentence_zh(v: Values, r: str) -> str:
    text = f"救助类别「{_category_zh(v)}」"
    if r == "pass":
        return text + "在保障范围内。"
    if "amounts" in v and v.get("shape") is not None:
        return (text + f"按{_SHAPE_ZH.get(v['shape'], v['shape'])}计算，但申请填写的是"
                f"{_SHAPE_ZH.get(v['amounts'], v['amounts'])}金额，不予受理。")
    return text + "不在本方案保障范围内。"


def _category_sentence_en(v: Values, r: str) -> str:
    name = v["category"] + (f" ({v['label']})" if v.get("label") else "")
    if r == "pass":
        return f"Category {name} is covered."
    if "amounts" in v and v.get("shape") is not None:
        return (f"Category {name} is {v['shape']}-shaped, but the claim carries "
                f"{v['amounts']} amounts: not covered.")
    return f"Category {name} is not covered."


def _expense_zh(v: Values, r: str) -> str:
    text = f"符合条件的自付费用为 {v['eligible_expense']} 元"
    parts = []
    if "liable_party_paid" in v:
        parts.append(f"已扣除责任方赔偿 {v['liable_party_paid']} 元")
    if "motor_vehicle_loss" in v:
        parts.append(f"已扣除机动车辆损失 {v['motor_vehicle_loss']} 元"
                     if v["exclude_motor_vehicles"]
                     else f"机动车辆损失 {v['motor_vehicle_loss']} 元计入损失")
    if parts:
        text += "（" + "，".join(parts) + "）"
    return text + ("。" if r == "pass" else "，没有可救助的费用。")


def _expense_en(v: Values, r: str) -> str:
    text = f"Eligible expense is {v['eligible_expense']} yuan"
    parts = []
    if "liable_party_paid" in v:
        parts.append(f"less {v['liable_party_paid']} paid by a liable party")
    if "motor_vehicle_loss" in v:
        parts.append(f"less motor-vehicle losses {v['motor_vehicle_loss']}"
                     if v["exclude_motor_vehicles"]
                     else f"motor-vehicle losses {v['motor_vehicle_loss']} included")
    if parts:
        text += " (" + "; ".join(parts) + ")"
    return text + ("." if r == "pass" else ": nothing to help with.")


def _caps_zh(v: Values) -> str:
    text = (f"应赔 {v['gross_rounded']} 元（年度封顶 {v['annual_cap']} 元）"
            f"，本年已赔 {v['paid_to_date']} 元")
    if "person_annual_cap_all" in v:
        if "household_annual_cap_all" in v:
            text += (f"，全户各类别已赔 {v['paid_all_categories_to_date']} 元"
                     f"（全户封顶 {v['household_annual_cap_all']} 元）")
        text += (f"，该成员各类别已获赔 {v['paid_member_all_categories_to_date']} 元"
                 f"（每人封顶 {v['person_annual_cap_all']} 元）")
    return text + f"，本次赔付 {v['payout']} 元。"


def _caps_en(v: Values) -> str:
    text = (f"Due {v['gross_rounded']} (annual cap {v['annual_cap']}), paid so far "
            f"{v['paid_to_date']}")
    if "person_annual_cap_all" in v:
        if "household_annual_cap_all" in v:
            text += (f", household paid {v['paid_all_categories_to_date']} in all categories "
                     f"(cap {v['household_annual_cap_all']})")
        text += (f", this member paid {v['paid_member_all_categories_to_date']} in all "
                 f"categories (per-person cap {v['person_annual_cap_all']})")
    return text + f", payout {v['payout']}."
_OUTCOME_ZH = zh_table(OUTCOMES)
_OK_ZH = {**zh_table(RESULTS), **_OUTCOME_ZH}


def _yn(flag: bool, lang: str) -> str:
    return ANSWERS[flag].text(lang)


def _answer(value: Any, lang: str) -> str:
    return ANSWERS[None if value is None else bool(value)].text(lang)


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


#: Each rule's sentence, keyed once: how it reads in Chinese and in English.
_SENTENCES: dict[str, Sentence] = {
    "coverage.region": Sentence(
        zh=lambda v, r: (
            f"户籍区划 {v['region_code']} "
            + (f"属于方案覆盖区域（{v['matched']}）。" if r == "pass"
               else f"不在方案覆盖区域 {'、'.join(v['tariff_region_codes'])} 内。")),
        en=lambda v, r: (
            f"Region {v['region_code']} "
            + (f"is covered ({v['matched']})." if r == "pass"
               else f"is not in the tariff's regions {', '.join(v['tariff_region_codes'])}."))),
    "coverage.period": Sentence(
        zh=lambda v, r: (
            f"发生日期 {v['event_date']} " + ("在" if r == "pass" else "不在")
            + f"方案有效期 {v['valid_from']} 至 {v['valid_to']} 内。"),
        en=lambda v, r: (
            f"Event date {v['event_date']} is " + ("" if r == "pass" else "not ")
            + f"within {v['valid_from']}..{v['valid_to']}.")),
    "coverage.household_category": Sentence(
        zh=lambda v, r: (
            f"户类「{_HOUSEHOLD_ZH.get(v['household_category'], v['household_category'])}」"
            + ("在" if r == "pass" else "不在") + "本方案保障的户类（"
            + _zh_list(v["covered_household_categories"], _HOUSEHOLD_ZH) + "）内。"),
        en=lambda v, r: (
            f"Household category {v['household_category']} is "
            + ("" if r == "pass" else "not ") + "among the covered "
            + ", ".join(v["covered_household_categories"]) + ".")),
    "coverage.category": Sentence(
        zh=_category_sentence_zh,
        en=_category_sentence_en),
    "coverage.cause": Sentence(
        zh=lambda v, r: (
            f"致灾原因：{_cause_zh(v['cause'])}；本类别除外的原因："
            + _zh_list(v["excluded_causes"], CAUSE_ZH)
            + {"pass": "，不属于除外责任。", "fail": "，属于除外责任。"}.get(
                r, "，须入户核查查明原因。")),
        en=lambda v, r: (
            f"Cause {v['cause'] or 'not established'}; the category excludes "
            + ", ".join(v["excluded_causes"])
            + {"pass": ".", "fail": ": excluded."}.get(
                r, ": the visit must establish the cause."))),
    "identity.member": Sentence(
        zh=lambda v, r: (
            f"申请人 {v['member_id']} " + ("是本户成员。" if r == "pass" else "不是本户成员。")),
        en=lambda v, r: (
            f"Claimant {v['member_id']} is " + ("" if r == "pass" else "not ")
            + "a member of the household.")),
    "identity.id_number": Sentence(
        zh=lambda v, r: (
            "申请人身份证号码校验通过。" if r == "pass"
            else f"申请人身份证号码无效（{word(ID_NUMBER_PROBLEMS, v['problem'])}）。"),
        en=lambda v, r: (
            "The claimant's ID number is valid." if r == "pass"
            else "The claimant's ID number is invalid "
            f"({word(ID_NUMBER_PROBLEMS, v['problem'], 'en')}).")),
    "coverage.education_stage": Sentence(
        zh=lambda v, r: (
            f"学段 {v['stage']} " + ("在" if r == "pass" else "不在")
            + f"保障学段（{'、'.join(v['eligible_stages'])}）内。"),
        en=lambda v, r: (
            f"Stage {v['stage']} is " + ("" if r == "pass" else "not ")
            + f"among {', '.join(v['eligible_stages'])}.")),
    "negative_list.contradiction": Sentence(
        zh=lambda v, r: (
            f"部门比对发现的事项（{'、'.join(v['items'])}）与核查答复矛盾，"
            + ("认定为刻意隐瞒。" if r == "fail" else "本方案未启用「刻意隐瞒」，仅作记录。")),
        en=lambda v, r: (
            f"Department findings contradict the answers for {', '.join(v['items'])}"
            + ("; concealment." if r == "fail" else "; CONCEALMENT is not active, noted only."))),
    "negative_list.unlisted_findings": Sentence(
        zh=lambda v, r: (
            f"部门比对发现本方案未列入负面清单的事项（{'、'.join(v['items'])}），仅作记录。"),
        en=lambda v, r: (
            f"Findings for items the tariff does not list ({', '.join(v['items'])}) "
            "are noted only.")),
    "completeness": Sentence(
        zh=lambda v, r: (
            "入户核查信息完整。" if r == "pass" else "入户核查信息不完整："
            + "；".join(_incomplete_zh(v)) + "。"),
        en=lambda v, r: (
            "The verification is complete." if r == "pass"
            else "The verification is incomplete: " + "; ".join(_incomplete_en(v)) + ".")),
    "expense.eligible": Sentence(
        zh=_expense_zh,
        en=_expense_en),
    "income.net": Sentence(
        zh=lambda v, r: (
            f"家庭年纯收入 = 计入收入 {v['income_counted']} 元 - 生产经营支出 {v['costs']} 元"
            f" = {v['net_income']} 元。"),
        en=lambda v, r: (
            f"Net income = income {v['income_counted']} - costs {v['costs']} "
            f"= {v['net_income']}.")),
    "income.test": Sentence(
        zh=lambda v, r: (
            ("人均纯收入 = (纯收入 {n} - 年度累计费用 {c}) / {m} 人 = {p} 元"
             if v["mode"] == "after_expense" else "人均纯收入 = 纯收入 {n} / {m} 人 = {p} 元")
            .format(n=v["net_income"], c=v["cumulative_expense"], m=v["counted_members"],
                    p=v["per_capita_income"])
            + ("，不高于" if r == "pass" else "，高于") + f"防贫线 {v['income_line']} 元。"),
        en=lambda v, r: (
            ("Per-capita income = (net {n} - cumulative expense {c}) / {m} = {p}"
             if v["mode"] == "after_expense" else "Per-capita income = net {n} / {m} = {p}")
            .format(n=v["net_income"], c=v["cumulative_expense"], m=v["counted_members"],
                    p=v["per_capita_income"])
            + (", not above" if r == "pass" else ", above") + f" the line {v['income_line']}.")),
    "income.borderline": Sentence(
        zh=lambda v, r: (
            f"人均纯收入 {v['per_capita_income']} 元"
            + ("接近防贫线，需人工复核。" if r == "pend" else "未进入临界区间。")),
        en=lambda v, r: (
            f"Per-capita income {v['per_capita_income']} "
            + ("is just under the line: a person reviews it." if r == "pend"
               else "is clear of the borderline margin."))),
    "income.hardship_exception": Sentence(
        zh=lambda v, r: (
            f"年度累计费用 {v['cumulative_expense']} 元"
            + (f"达到纯收入的 {v['hardship_ratio']} 倍（{v['threshold']} 元），"
               "按支出负担例外需人工认定。"
               if r == "pend" else
               (f"未达到纯收入的 {v['hardship_ratio']} 倍（{v['threshold']} 元），不予救助。"
                if v["enabled"] else "；本方案未启用支出负担例外，不予救助。"))),
        en=lambda v, r: (
            f"Cumulative expense {v['cumulative_expense']} "
            + (f"reaches {v['hardship_ratio']} x net income ({v['threshold']}): a person decides."
               if r == "pend" else
               (f"is below {v['hardship_ratio']} x net income ({v['threshold']}): denied."
                if v["enabled"] else "; the hardship exception is disabled: denied.")))),
    "payout.bands": Sentence(
        zh=lambda v, r: (
            f"年度累计费用 {v['cumulative_expense']} 元，赔付启动线 {v['trigger_line']} 元，"
            + (f"分段计算合计 {v['gross_exact']} 元，"
               f"按 {v['rounding']} 元取整为 {v['gross_rounded']} 元。"
               if r == "pass" else "未达到赔付启动线。")),
        en=lambda v, r: (
            f"Cumulative expense {v['cumulative_expense']}, trigger {v['trigger_line']}: "
            + (f"bands give {v['gross_exact']}, rounded to {v['gross_rounded']}."
               if r == "pass" else "below the trigger line."))),
    "payout.caps": Sentence(
        zh=lambda v, r: _caps_zh(v),
        en=lambda v, r: _caps_en(v)),
    "review.large_payout": Sentence(
        zh=lambda v, r: (
            f"赔付 {v['payout']} 元" + ("达到" if r == "pend" else "低于")
            + f"大额审核线 {v['threshold']} 元。"),
        en=lambda v, r: (
            f"Payout {v['payout']} is " + ("at or above" if r == "pend" else "below")
            + f" the review threshold {v['threshold']}.")),
    "outcome": Sentence(
        zh=lambda v, r: (
            f"结论：{_OUTCOME_ZH.get(r, r)}，赔付 {v['payout']} 元。"),
        en=lambda v, r: f"Outcome: {r}, payout {v['payout']}."),
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
    if v.get("cause_recorded") is False:
        parts.append("致灾原因未查明")
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
    if v.get("cause_recorded") is False:
        parts.append("the cause is not established")
    return parts


def explain_step(step: Values, lang: str = "zh", labels: Mapping[str, str] | None = None) -> str:
    """One sentence for one trace step (the JSON form: rule, result, reason, values)."""
    labels = labels or {}
    rule, result, values = step["rule"], step["result"], step["values"]
    if rule.startswith("negative_list.") and rule.split(".", 1)[1].isupper():
        return _negative(step, lang, labels)
    sentence = _SENTENCES.get(rule)
    if sentence is None:  # a rule newer than this renderer: show the data rather than nothing
        return f"{rule}: {result} {dict(values)}"
    return (sentence.zh if lang == "zh" else sentence.en)(values, result)


def explain_decision(
    decision: Values, lang: str = "zh", labels: Mapping[str, str] | None = None
) -> list[str]:
    """The decision (its JSON form) in words: a headline, the reasons, then one line per rule."""
    category, outcome = decision["category"], decision["outcome"]
    shown = next((step["values"] for step in decision["trace"]
                  if step["rule"] == "coverage.category"), {"category": category})
    if lang == "zh":
        head = (f"申请 {decision['claim_id']}（{_category_zh(shown)}）："
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
