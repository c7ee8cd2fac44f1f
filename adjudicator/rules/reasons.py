"""Reason codes of a decision: stable upper-case identifiers, with plain words in zh and en.

Deny codes end the evaluation; pend codes send the claim to a person; RULES.md fixes both.
"""

from __future__ import annotations

from collections.abc import Mapping

from adjudicator.rules.negative_items import BUILTIN_ITEMS, BUILTIN_ITEMS_EN

NOT_COVERED_REGION = "NOT_COVERED_REGION"
NOT_IN_POLICY_PERIOD = "NOT_IN_POLICY_PERIOD"
CATEGORY_NOT_COVERED = "CATEGORY_NOT_COVERED"
HOUSEHOLD_CATEGORY_NOT_COVERED = "HOUSEHOLD_CATEGORY_NOT_COVERED"
CAUSE_EXCLUDED = "CAUSE_EXCLUDED"
MEMBER_NOT_IN_HOUSEHOLD = "MEMBER_NOT_IN_HOUSEHOLD"
INVALID_ID_NUMBER = "INVALID_ID_NUMBER"
EDU_STAGE_NOT_COVERED = "EDU_STAGE_NOT_COVERED"
NEG_PREFIX = "NEG_"
NEG_CONCEALMENT = "NEG_CONCEALMENT"
NO_ELIGIBLE_EXPENSE = "NO_ELIGIBLE_EXPENSE"
INCOME_ABOVE_LINE = "INCOME_ABOVE_LINE"
BELOW_TRIGGER = "BELOW_TRIGGER"
CAP_REACHED = "CAP_REACHED"

PEND_INCOMPLETE_VERIFICATION = "PEND_INCOMPLETE_VERIFICATION"
PEND_HARDSHIP_EXCEPTION = "PEND_HARDSHIP_EXCEPTION"
PEND_BORDERLINE_INCOME = "PEND_BORDERLINE_INCOME"
PEND_LARGE_PAYOUT = "PEND_LARGE_PAYOUT"

_TEXT: dict[str, tuple[str, str]] = {
    NOT_COVERED_REGION: (
        "户籍所在地不在本保障方案覆盖的区域内",
        "the household's region is not covered by the tariff",
    ),
    NOT_IN_POLICY_PERIOD: (
        "费用发生日期不在本保障方案的有效期内",
        "the event date is outside the tariff's period",
    ),
    CATEGORY_NOT_COVERED: (
        "本保障方案不保障该类别的支出",
        "the tariff does not cover this claim category",
    ),
    HOUSEHOLD_CATEGORY_NOT_COVERED: (
        "本保障方案不保障该户类的家庭",
        "the tariff does not cover the household's category",
    ),
    CAUSE_EXCLUDED: (
        "致灾原因属于本保障方案的除外责任",
        "the tariff excludes the cause of this loss",
    ),
    MEMBER_NOT_IN_HOUSEHOLD: (
        "申请人不是本户家庭成员",
        "the claimant is not a member of the household",
    ),
    INVALID_ID_NUMBER: (
        "申请人身份证号码无效（校验位或出生日期不正确）",
        "the claimant's resident ID number is invalid (check digit or birth date)",
    ),
    EDU_STAGE_NOT_COVERED: (
        "该学段不在因学保障范围内",
        "the education stage is not covered",
    ),
    NO_ELIGIBLE_EXPENSE: (
        "扣除各项报销、补助和赔偿后，没有符合条件的自付费用",
        "nothing eligible is left after insurance, aid and compensation",
    ),
    INCOME_ABOVE_LINE: (
        "扣除支出后家庭年人均纯收入仍高于防贫线",
        "the household's per-capita income is above the income line",
    ),
    BELOW_TRIGGER: (
        "年度累计符合条件费用未达到赔付启动线，或已全额赔付",
        "the year's eligible expense is below the trigger line, or already paid in full",
    ),
    CAP_REACHED: (
        "已达到年度赔付封顶金额",
        "the annual cap has been reached",
    ),
    PEND_INCOMPLETE_VERIFICATION: (
        "入户核查信息不完整，待补充核查",
        "the household verification is incomplete",
    ),
    PEND_HARDSHIP_EXCEPTION: (
        "收入略高于防贫线但支出负担明显超过收入，需人工认定",
        "income above the line but the expense burden clearly exceeds it: a person decides",
    ),
    PEND_BORDERLINE_INCOME: (
        "人均收入接近防贫线，需人工复核",
        "per-capita income is just under the line: a person reviews it",
    ),
    PEND_LARGE_PAYOUT: (
        "赔付金额较大，需人工审核",
        "a large payout: a person reviews it",
    ),
}


def is_pend(code: str) -> bool:
    return code.startswith("PEND_")


def reason_text(code: str, lang: str = "zh", labels: Mapping[str, str] | None = None) -> str:
    """Plain words for a reason code; `labels` gives a tariff's own negative-list items."""
    if code.startswith(NEG_PREFIX):
        item = code[len(NEG_PREFIX) :]
        if lang == "zh":
            label = (labels or {}).get(item) or BUILTIN_ITEMS.get(item, item)
            return f"属于负面清单情形：{label}"
        label = BUILTIN_ITEMS_EN.get(item) or (labels or {}).get(item, item)
        return f"negative list: {label}"
    zh, en = _TEXT.get(code, (code, code))
    return zh if lang == "zh" else en
