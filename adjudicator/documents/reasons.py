"""Plain-language wording of the engine's reason codes (RULES.md), in Chinese and English.

A denial letter is read by a farming household, so it states each reason as a sentence, never
as a code. The texts follow RULES.md: steps 1-2 (coverage, identity, negative list), 5 (no
eligible expense), 6 (income test), 7 (trigger line and caps) and the pend reasons of steps
4, 6 and 8, which appear on decision records.

Negative-list items a tariff adds (``NEG_<ITEM>`` with an item this module does not know) are
worded from the label the tariff gives them, passed by the caller; without a label the
sentence stays generic rather than showing the code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "NEGATIVE_ITEM_LABELS",
    "REASON_TEXTS",
    "ReasonText",
    "describe_reason",
    "describe_reasons",
]

Lang = Literal["zh", "en"]


@dataclass(frozen=True)
class ReasonText:
    """The wording of one reason code."""

    zh: str
    en: str


#: Short Chinese label of each built-in negative-list item (LAYOUT.md).
NEGATIVE_ITEM_LABELS: Mapping[str, str] = {
    "PUBLIC_SERVANT": "财政供养/公职人员",
    "VEHICLE": "消费型车辆",
    "COMPANY": "开办公司企业",
    "COMMERCIAL_HOUSING": "城镇商品房",
    "SHOP": "铺面",
    "CONCEALMENT": "刻意隐瞒或拒不配合核查，虚报开支",
    "LARGE_DEPOSITS": "大额存款",
    "HIRED_LABOR": "长期雇工",
    "HIGH_CONSUMPTION": "高消费、自费出国",
    "WELL_OFF_RELATIVES": "单人户或老人户而直系亲属家庭条件好",
    "ILLEGAL_ACT": "违法行为或故意行为致害",
}

#: Wording of every reason code the engine emits.
REASON_TEXTS: Mapping[str, ReasonText] = {
    # Step 1: coverage and identity.
    "NOT_COVERED_REGION": ReasonText(
        "您家户籍所在地不在本防贫保障项目的覆盖范围内。",
        "The household's place of registration is not covered by this programme.",
    ),
    "NOT_IN_POLICY_PERIOD": ReasonText(
        "本次就医、受灾或就学等事项发生的日期不在本年度保障期内。",
        "The event (treatment, disaster or schooling) happened outside the policy period.",
    ),
    "CATEGORY_NOT_COVERED": ReasonText(
        "本地防贫保障政策不包含此类救助。",
        "The local programme does not cover this kind of claim.",
    ),
    "HOUSEHOLD_CATEGORY_NOT_COVERED": ReasonText(
        "您家不属于本防贫保障项目保障的监测对象类别。",
        "The household's category is not one the programme covers.",
    ),
    "CAUSE_EXCLUDED": ReasonText(
        "本次损失的原因属于本防贫保障项目不予保障的情形（除外责任）。",
        "The cause of the loss is one the programme excludes.",
    ),
    "MEMBER_NOT_IN_HOUSEHOLD": ReasonText(
        "申请救助的人员不是您家登记的家庭成员。",
        "The person the claim is for is not a registered member of the household.",
    ),
    "INVALID_ID_NUMBER": ReasonText(
        "申请人的居民身份证号码有误，无法核实身份。",
        "The claimant's resident ID number is not valid, so the identity cannot be checked.",
    ),
    "EDU_STAGE_NOT_COVERED": ReasonText(
        "学生目前就读的学段不在本地因学救助的范围内。",
        "The student's school stage is not covered by the education benefit.",
    ),
    # Step 2: negative list.
    "NEG_PUBLIC_SERVANT": ReasonText(
        "家庭成员中有财政供养人员或公职人员。",
        "A household member is on the public payroll (civil servant or state-funded staff).",
    ),
    "NEG_VEHICLE": ReasonText(
        "家庭拥有消费型车辆。",
        "The household owns a consumer vehicle.",
    ),
    "NEG_COMPANY": ReasonText(
        "家庭成员开办公司或企业。",
        "A household member runs a company or enterprise.",
    ),
    "NEG_COMMERCIAL_HOUSING": ReasonText(
        "家庭在城镇购买了商品房。",
        "The household bought commercial housing in town.",
    ),
    "NEG_SHOP": ReasonText(
        "家庭拥有铺面（门市房）。",
        "The household owns a shop front.",
    ),
    "NEG_CONCEALMENT": ReasonText(
        "经部门信息比对，家庭存在刻意隐瞒真实情况、拒不配合核查或虚报开支的情形。",
        "The household hid its real situation, refused verification or overstated its "
        "expenses (found by the cross-checks).",
    ),
    "NEG_LARGE_DEPOSITS": ReasonText(
        "家庭有大额存款。",
        "The household holds large deposits.",
    ),
    "NEG_HIRED_LABOR": ReasonText(
        "家庭长期雇用他人从事生产经营。",
        "The household employs hired labour over long periods.",
    ),
    "NEG_HIGH_CONSUMPTION": ReasonText(
        "家庭有高消费或自费出国（境）等情形。",
        "The household has high consumption or travels abroad at its own expense.",
    ),
    "NEG_WELL_OFF_RELATIVES": ReasonText(
        "您家为单人户或老人户，直系亲属家庭经济条件较好，有赡养（扶养）能力。",
        "A single-person or elderly household whose direct relatives are well off.",
    ),
    "NEG_ILLEGAL_ACT": ReasonText(
        "本次损害由本人违法行为或故意行为造成。",
        "The harm was caused by the claimant's own illegal or deliberate act.",
    ),
    # Step 5: eligible expense.
    "NO_ELIGIBLE_EXPENSE": ReasonText(
        "扣除基本医保、大病保险、医疗救助、保险赔付及各类补助后，没有符合规定、需要自付的"
        "费用或损失。",
        "After insurance, assistance, grants and compensation there is no eligible "
        "out-of-pocket expense or loss left.",
    ),
    # Step 6: income test.
    "INCOME_ABOVE_LINE": ReasonText(
        "经核算，家庭年人均纯收入高于本地防贫线。",
        "The household's net income per counted member is above the income line.",
    ),
    # Step 7: payout.
    "BELOW_TRIGGER": ReasonText(
        "本年度累计符合规定的自付费用未达到赔付启动线（起付线）。",
        "The year's cumulative eligible expense has not reached the trigger line.",
    ),
    "CAP_REACHED": ReasonText(
        "您家本年度已获得的救助金额已达到年度封顶限额。",
        "The household has already received the annual maximum.",
    ),
    # Pend reasons (steps 4, 6, 8): they appear on decision records, not on letters.
    "PEND_INCOMPLETE_VERIFICATION": ReasonText(
        "入户核查信息不完整（负面清单事项未答复、收入未登记或无计入人口），需补充核查。",
        "The verification is incomplete (a negative-list item unanswered, no income list or "
        "no counted member).",
    ),
    "PEND_HARDSHIP_EXCEPTION": ReasonText(
        "人均纯收入高于防贫线，但支出负担明显高于收入，需人工审核是否给予救助。",
        "Income above the line but the expense burden is clearly above the income: a person "
        "decides.",
    ),
    "PEND_BORDERLINE_INCOME": ReasonText(
        "人均纯收入接近防贫线，需人工审核。",
        "Income just below the line (within the borderline margin): a person decides.",
    ),
    "PEND_LARGE_PAYOUT": ReasonText(
        "救助金额达到大额复核标准，需人工复核。",
        "The payout reaches the large-payout review amount: a person reviews it.",
    ),
    # Intake.
    "DUPLICATE_CLAIM": ReasonText(
        "该笔费用已经申请过救助，不能重复救助。",
        "The same expense was already claimed; it is never paid twice.",
    ),
}

_NEG_PREFIX = "NEG_"


def _custom_label(code: str, custom_labels: Mapping[str, str] | None) -> str | None:
    """The caller's label for a code, looked up by code then by negative-list item."""
    if not custom_labels:
        return None
    label = custom_labels.get(code)
    if label is None and code.startswith(_NEG_PREFIX):
        label = custom_labels.get(code[len(_NEG_PREFIX) :])
    return label.strip() if label and label.strip() else None


def describe_reason(
    code: str, custom_labels: Mapping[str, str] | None = None, lang: Lang = "zh"
) -> str:
    """The sentence for one reason code.

    Known codes use :data:`REASON_TEXTS`. A tariff's own negative-list item ``NEG_<ITEM>``
    uses ``custom_labels[code]`` or ``custom_labels[ITEM]``; an unknown code that is not a
    negative-list item uses ``custom_labels[code]`` as the sentence when given. Without a
    label the Chinese sentence is generic (it never shows the code).
    """
    code = code.strip().upper()
    known = REASON_TEXTS.get(code)
    if known is not None:
        return known.zh if lang == "zh" else known.en
    label = _custom_label(code, custom_labels)
    if code.startswith(_NEG_PREFIX):
        item = code[len(_NEG_PREFIX) :]
        if label:
            if lang == "zh":
                return f"家庭存在本地负面清单所列情形：{label}。"
            return f"The household falls under the local negative-list item: {label}."
        if lang == "zh":
            return "家庭存在本地负面清单所列的其他不予救助情形。"
        return f"The household falls under a local negative-list item ({item})."
    if label:
        return label if lang == "zh" else f"{label} ({code})"
    if lang == "zh":
        return "存在其他不符合救助条件的情形。"
    return f"Another condition of the programme is not met ({code})."


def describe_reasons(
    codes: Iterable[str], custom_labels: Mapping[str, str] | None = None, lang: Lang = "zh"
) -> list[str]:
    """The sentences for several codes, in the given order, without duplicate sentences."""
    sentences: list[str] = []
    for code in codes:
        sentence = describe_reason(code, custom_labels, lang)
        if sentence not in sentences:
            sentences.append(sentence)
    return sentences
