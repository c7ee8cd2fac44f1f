"""The words for every code a person reads: one entry per code, with its Chinese and English text.

Reasons, outcomes, claim and household categories, claim statuses, negative-list items,
relations, sources, education stages, causes and the yes/no answers are worded here once; the
explanations, documents, web pages, the command line and the imports all read them from here.
The codes themselves (schemas/types.py) stay what is stored; only what is shown comes from here.

This module imports nothing of the project, so the pure rules core may use it as well.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping
from typing import Literal, NamedTuple

__all__ = [
    "ADJUSTMENT_KINDS",
    "ADJUSTMENT_STATUSES",
    "ANSWERS",
    "CAUSES",
    "CLAIM_CATEGORIES",
    "CLAIM_SOURCES",
    "CLAIM_STATUSES",
    "COST_KINDS",
    "CROSS_CHECK_SOURCES",
    "DISCREPANCY_KINDS",
    "EDUCATION_STAGES",
    "EVENT_KINDS",
    "EVIDENCE_KINDS",
    "FUND_STAGES",
    "HOUSEHOLD_CATEGORIES",
    "ID_NUMBER_PROBLEMS",
    "IMPORT_KINDS",
    "INCOME_KINDS",
    "NEGATIVE_ITEMS",
    "NEG_PREFIX",
    "NOTICE_STATUSES",
    "NO_WORDS",
    "OUTCOMES",
    "PUSH_STATUSES",
    "REASONS",
    "REASON_NAMES",
    "RELATIONS",
    "RESULTS",
    "ROLES",
    "SCREENING_REASONS",
    "SETTLE_WAYS",
    "SHAPES",
    "SHORTFALL_RULES",
    "SURPLUS_RULES",
    "YES_WORDS",
    "NegativeItem",
    "Words",
    "parse_yes_no",
    "reason_sentence",
    "word",
    "zh_table",
]

Lang = Literal["zh", "en"]


class Words(NamedTuple):
    """A code's text in Chinese (shown by default) and English (``--lang en``)."""

    zh: str
    en: str

    def text(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def render(self, lang: str | None = None, label: object = None) -> str:
        """The text in `lang` (a message's parameter is rendered in the message's language)."""
        return self.en if lang == "en" else self.zh


def word(table: Mapping[str, Words], code: str | None, lang: str = "zh") -> str:
    """The text of a code in a table; the code itself when the table has none ("" for None)."""
    if code is None:
        return ""
    words = table.get(code)
    return code if words is None else words.text(lang)


def zh_table(table: Mapping[str, Words]) -> dict[str, str]:
    """A table's Chinese texts by code."""
    return {code: words.zh for code, words in table.items()}


# --- decisions ---------------------------------------------------------------------------

#: 理算结论.
OUTCOMES: dict[str, Words] = {
    "approved": Words("给予救助", "approved"),
    "denied": Words("不予救助", "denied"),
    "pended": Words("待人工审核", "pended"),
}

#: What a rule of the trace found (its result), as a decision record and explain show it.
RESULTS: dict[str, Words] = {
    "pass": Words("符合", "pass"),
    "fail": Words("不符合", "fail"),
    "pend": Words("转人工", "pend"),
    "info": Words("测算", "info"),
}

#: Where a claim stands (its workflow status), as the pages and lists show it.
CLAIM_STATUSES: dict[str, Words] = {
    "received": Words("已受理", "received"),
    "screened": Words("已初筛", "screened"),
    "rejected": Words("初筛未通过", "rejected at screening"),
    "under_verification": Words("入户核查中", "under verification"),
    "verified": Words("已核查待理算", "verified, awaiting adjudication"),
    "approved": Words("拟救助", "approved"),
    "denied": Words("不予救助", "denied"),
    "pended": Words("待人工审核", "pended"),
    "in_notice": Words("公示中", "in public notice"),
    "objected": Words("公示有异议", "objected in notice"),
    "closed": Words("公示期满", "notice closed"),
    "paid": Words("已兑现", "paid"),
}

#: Who a user is (adjudicator.roles.Role).
ROLES: dict[str, Words] = {
    "verifier": Words("核查员", "verifier"),
    "supervisor": Words("保险公司主管", "supervisor"),
    "officer": Words("县乡村振兴局", "officer"),
    "auditor": Words("审计", "auditor"),
    "admin": Words("管理员", "admin"),
}

# --- households and claims -----------------------------------------------------------------

#: 户类 (schemas.types.HouseholdCategory).
HOUSEHOLD_CATEGORIES: dict[str, Words] = {
    "unstable": Words("脱贫不稳定户", "unstable (lifted out of poverty, not yet stable)"),
    "edge": Words("边缘易致贫户", "edge (at risk of falling into poverty)"),
    "sudden_hardship": Words("突发严重困难户", "sudden severe hardship"),
    "low_income": Words("非贫低收入户", "low income"),
    "general": Words("一般农户", "general farming household"),
}

#: 救助类别 (schemas.types.ClaimCategory); a tariff's own category carries its own label.
CLAIM_CATEGORIES: dict[str, Words] = {
    "medical": Words("因病", "medical"),
    "disaster": Words("因灾", "disaster"),
    "education": Words("因学", "education"),
    "accident": Words("因意外", "accident"),
}

#: The amounts shape of a category (schemas.types.Shape).
SHAPES: dict[str, Words] = {
    "medical": Words("医疗类", "medical"),
    "education": Words("教育类", "education"),
    "disaster": Words("灾害损失类", "disaster-loss"),
}

#: 致灾原因 (schemas.types.Cause).
CAUSES: dict[str, Words] = {
    "fire": Words("火灾", "fire"),
    "explosion": Words("爆炸", "explosion"),
    "flood": Words("洪涝", "flood"),
    "storm": Words("风灾", "storm"),
    "hail": Words("冰雹", "hail"),
    "drought": Words("干旱", "drought"),
    "landslide": Words("山体滑坡、泥石流", "landslide or mudslide"),
    "earthquake": Words("地震", "earthquake"),
    "animal_disease": Words("动物疫病", "animal disease"),
    "traffic": Words("交通事故", "traffic accident"),
    "theft": Words("被盗", "theft"),
    "other": Words("其他", "other"),
}

#: The kinds of `adjudicator import` (docs/import.md's sections).
IMPORT_KINDS: dict[str, Words] = {
    "households": Words("户成员", "households"),
    "claims": Words("救助申请", "claims"),
    "department-data": Words("信息比对", "department data"),
    "verifications": Words("入户核查", "verifications"),
}

#: Where a claim came from (schemas.types.ClaimSource).
CLAIM_SOURCES: dict[str, Words] = {
    "application": Words("个人申请", "the household's application"),
    "medical_insurance_feed": Words("医保部门推送", "medical insurance feed"),
    "civil_affairs_feed": Words("民政部门推送", "civil affairs feed"),
    "emergency_feed": Words("应急管理部门推送", "emergency management feed"),
    "education_feed": Words("教育部门推送", "education feed"),
}

#: The department behind each cross-check source (schemas.types.CrossCheckSource).
CROSS_CHECK_SOURCES: dict[str, Words] = {
    "medical_insurance": Words("医保部门", "medical insurance"),
    "housing": Words("住建部门", "housing"),
    "business_registry": Words("市场监管部门", "business registry"),
    "bank": Words("银行", "bank"),
    "vehicle_registry": Words("车管部门", "vehicle registry"),
    "payroll": Words("财政供养人员信息", "public payroll"),
    "civil_affairs": Words("民政部门", "civil affairs"),
}

#: 收入类别 (schemas.types.IncomeKind).
INCOME_KINDS: dict[str, Words] = {
    "wage": Words("工资性收入", "wages"),
    "business": Words("经营净收入", "net business income"),
    "property": Words("财产净收入", "net property income"),
    "transfer": Words("转移净收入", "net transfer income"),
}

#: 支出类别 (schemas.types.CostKind).
COST_KINDS: dict[str, Words] = {
    "production": Words("生产经营性支出", "production costs"),
}

#: 学段 (schemas.types.EducationStage).
EDUCATION_STAGES: dict[str, Words] = {
    "compulsory": Words("义务教育", "compulsory education"),
    "high_school": Words("普通高中", "high school"),
    "secondary_vocational": Words("中职", "secondary vocational"),
    "college": Words("大专", "college"),
    "undergraduate": Words("本科", "undergraduate"),
    "postgraduate": Words("研究生", "postgraduate"),
}

#: 与户主关系 (schemas.imports.Relation).
RELATIONS: dict[str, Words] = {
    "head": Words("户主", "head of household"),
    "spouse": Words("配偶", "spouse"),
    "child": Words("子女", "child"),
    "child_in_law": Words("儿媳或女婿", "child-in-law"),
    "parent": Words("父母", "parent"),
    "grandparent": Words("祖父母", "grandparent"),
    "grandchild": Words("孙子女", "grandchild"),
    "sibling": Words("兄弟姐妹", "sibling"),
    "other": Words("其他", "other"),
}

# --- the negative list (负面清单) ----------------------------------------------------------


class NegativeItem(NamedTuple):
    """A built-in negative-list item: what it states (asked on the form, named in messages),
    its short name (in decision records and import columns) and the sentence of its denial."""

    label: Words
    short: Words
    reason: Words


NEGATIVE_ITEMS: dict[str, NegativeItem] = {
    "PUBLIC_SERVANT": NegativeItem(
        Words("家庭成员中有财政供养人员（公职人员）", "a member is on the public payroll"),
        Words("财政供养/公职人员", "public payroll"),
        Words("家庭成员中有财政供养人员或公职人员。",
              "A household member is on the public payroll (civil servant or state-funded "
              "staff)."),
    ),
    "VEHICLE": NegativeItem(
        Words("家庭拥有消费型车辆", "the household owns a consumer vehicle"),
        Words("消费型车辆", "consumer vehicle"),
        Words("家庭拥有消费型车辆。", "The household owns a consumer vehicle."),
    ),
    "COMPANY": NegativeItem(
        Words("家庭成员开办公司或企业", "a member runs a company or enterprise"),
        Words("开办公司企业", "company or enterprise"),
        Words("家庭成员开办公司或企业。", "A household member runs a company or enterprise."),
    ),
    "COMMERCIAL_HOUSING": NegativeItem(
        Words("家庭在城镇购买商品房", "the household bought commercial housing in town"),
        Words("城镇商品房", "commercial housing in town"),
        Words("家庭在城镇购买了商品房。", "The household bought commercial housing in town."),
    ),
    "SHOP": NegativeItem(
        Words("家庭拥有铺面", "the household owns a shop front"),
        Words("铺面", "shop front"),
        Words("家庭拥有铺面（门市房）。", "The household owns a shop front."),
    ),
    "CONCEALMENT": NegativeItem(
        Words("刻意隐瞒家庭真实情况、拒不配合核查或虚报开支",
              "the household hid its real situation, refused verification or inflated costs"),
        Words("刻意隐瞒或拒不配合核查，虚报开支", "concealment or refused verification"),
        Words("经部门信息比对，家庭存在刻意隐瞒真实情况、拒不配合核查或虚报开支的情形。",
              "The household hid its real situation, refused verification or overstated its "
              "expenses (found by the cross-checks)."),
    ),
    "LARGE_DEPOSITS": NegativeItem(
        Words("家庭有大额存款", "the household holds large deposits"),
        Words("大额存款", "large deposits"),
        Words("家庭有大额存款。", "The household holds large deposits."),
    ),
    "HIRED_LABOR": NegativeItem(
        Words("家庭长期雇用他人从事生产经营", "the household employs long-term hired labour"),
        Words("长期雇工", "long-term hired labour"),
        Words("家庭长期雇用他人从事生产经营。",
              "The household employs hired labour over long periods."),
    ),
    "HIGH_CONSUMPTION": NegativeItem(
        Words("家庭有高消费或自费出国行为", "high consumption or self-funded travel abroad"),
        Words("高消费、自费出国", "high consumption"),
        Words("家庭有高消费或自费出国（境）等情形。",
              "The household has high consumption or travels abroad at its own expense."),
    ),
    "WELL_OFF_RELATIVES": NegativeItem(
        Words("单人户或老人户而直系亲属家庭条件较好",
              "a single or elderly household whose direct relatives are well off"),
        Words("单人户或老人户而直系亲属家庭条件好", "well-off direct relatives"),
        Words("您家为单人户或老人户，直系亲属家庭经济条件较好，有赡养（扶养）能力。",
              "A single-person or elderly household whose direct relatives are well off."),
    ),
    "ILLEGAL_ACT": NegativeItem(
        Words("因本人违法行为或故意行为致害",
              "harm caused by the claimant's own illegal or deliberate act"),
        Words("违法行为或故意行为致害", "illegal or deliberate act"),
        Words("本次损害由本人违法行为或故意行为造成。",
              "The harm was caused by the claimant's own illegal or deliberate act."),
    ),
}

# --- reasons (RULES.md) ----------------------------------------------------------------------

NEG_PREFIX = "NEG_"

#: The sentence of every reason code the engine emits (a denial letter states each reason as
#: a sentence, never as a code), and its short name in a decision record.
_REASONS: dict[str, tuple[Words, str]] = {
    # Step 1: coverage and identity.
    "NOT_COVERED_REGION": (Words(
        "您家户籍所在地不在本防贫保障项目的覆盖范围内。",
        "The household's place of registration is not covered by this programme."),
        "不在覆盖区域"),
    "NOT_IN_POLICY_PERIOD": (Words(
        "本次就医、受灾或就学等事项发生的日期不在本年度保障期内。",
        "The event (treatment, disaster or schooling) happened outside the policy period."),
        "不在保障期间"),
    "CATEGORY_NOT_COVERED": (Words(
        "本地防贫保障政策不包含此类救助。",
        "The local programme does not cover this kind of claim."),
        "救助类别不在保障范围"),
    "HOUSEHOLD_CATEGORY_NOT_COVERED": (Words(
        "您家不属于本防贫保障项目保障的监测对象类别。",
        "The household's category is not one the programme covers."),
        "户类别不在保障范围"),
    "CAUSE_EXCLUDED": (Words(
        "本次损失的原因属于本防贫保障项目不予保障的情形（除外责任）。",
        "The cause of the loss is one the programme excludes."),
        "属于除外责任"),
    "MEMBER_NOT_IN_HOUSEHOLD": (Words(
        "申请救助的人员不是您家登记的家庭成员。",
        "The person the claim is for is not a registered member of the household."),
        "申请人非本户成员"),
    "INVALID_ID_NUMBER": (Words(
        "申请人的居民身份证号码有误，无法核实身份。",
        "The claimant's resident ID number is not valid, so the identity cannot be checked."),
        "身份证号码无效"),
    "EDU_STAGE_NOT_COVERED": (Words(
        "学生目前就读的学段不在本地因学救助的范围内。",
        "The student's school stage is not covered by the education benefit."),
        "教育阶段不在保障范围"),
    # Step 5: eligible expense.
    "NO_ELIGIBLE_EXPENSE": (Words(
        "扣除基本医保、大病保险、医疗救助、保险赔付及各类补助后，没有符合规定、需要自付的"
        "费用或损失。",
        "After insurance, assistance, grants and compensation there is no eligible "
        "out-of-pocket expense or loss left."),
        "无合规费用"),
    # Step 6: income test.
    "INCOME_ABOVE_LINE": (Words(
        "经核算，家庭年人均纯收入高于本地防贫线。",
        "The household's net income per counted member is above the income line."),
        "人均纯收入高于防贫线"),
    # Step 7: payout.
    "BELOW_TRIGGER": (Words(
        "本年度累计符合规定的自付费用未达到赔付启动线（起付线）。",
        "The year's cumulative eligible expense has not reached the trigger line."),
        "未达赔付启动线"),
    "CAP_REACHED": (Words(
        "您家本年度已获得的救助金额已达到年度封顶限额。",
        "The household has already received the annual maximum."),
        "已达封顶"),
    # Pend reasons (steps 4, 6, 8): they appear on decision records, not on letters.
    "PEND_INCOMPLETE_VERIFICATION": (Words(
        "入户核查信息不完整（负面清单事项未答复、收入未登记或无计入人口），需补充核查。",
        "The verification is incomplete (a negative-list item unanswered, no income list or "
        "no counted member)."),
        "核查信息不完整"),
    "PEND_HARDSHIP_EXCEPTION": (Words(
        "人均纯收入高于防贫线，但支出负担明显高于收入，需人工审核是否给予救助。",
        "Income above the line but the expense burden is clearly above the income: a person "
        "decides."),
        "困难例外待审核"),
    "PEND_BORDERLINE_INCOME": (Words(
        "人均纯收入接近防贫线，需人工审核。",
        "Income just below the line (within the borderline margin): a person decides."),
        "临界收入待审核"),
    "PEND_LARGE_PAYOUT": (Words(
        "救助金额达到大额复核标准，需人工复核。",
        "The payout reaches the large-payout review amount: a person reviews it."),
        "大额赔付待审核"),
    # Intake.
    "DUPLICATE_CLAIM": (Words(
        "该笔费用已经申请过救助，不能重复救助。",
        "The same expense was already claimed; it is never paid twice."),
        "重复申请"),
}

#: The sentence of every reason code: the codes above and NEG_<ITEM> of each built-in item.
REASONS: dict[str, Words] = {
    **{code: words for code, (words, _short) in _REASONS.items()},
    **{NEG_PREFIX + item: entry.reason for item, entry in NEGATIVE_ITEMS.items()},
}

#: Short Chinese names of the reason codes that have one (a decision record's trace).
REASON_NAMES: dict[str, str] = {code: short for code, (_words, short) in _REASONS.items()
                                if short}


def _custom_label(code: str, custom_labels: Mapping[str, str] | None) -> str | None:
    """The caller's label for a code, looked up by code then by negative-list item."""
    if not custom_labels:
        return None
    label = custom_labels.get(code)
    if label is None and code.startswith(NEG_PREFIX):
        label = custom_labels.get(code[len(NEG_PREFIX):])
    return label.strip() if label and label.strip() else None


def reason_sentence(code: str, custom_labels: Mapping[str, str] | None = None,
                    lang: str = "zh") -> str:
    """The sentence for one reason code.

    Known codes use :data:`REASONS`. A tariff's own negative-list item ``NEG_<ITEM>`` uses
    ``custom_labels[code]`` or ``custom_labels[ITEM]``; an unknown code that is not a
    negative-list item uses ``custom_labels[code]`` as the sentence when given. Without a
    label the Chinese sentence is generic (it never shows the code).
    """
    code = code.strip().upper()
    known = REASONS.get(code)
    if known is not None:
        return known.text(lang)
    label = _custom_label(code, custom_labels)
    if code.startswith(NEG_PREFIX):
        item = code[len(NEG_PREFIX):]
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


# --- notices, evidence, feeds, the fund -----------------------------------------------------

#: A public notice's state (公示).
NOTICE_STATUSES: dict[str, Words] = {
    "open": Words("公示中", "on notice"),
    "closed": Words("已结束", "closed"),
}

#: The kinds of evidence a verifier attaches to a form.
EVIDENCE_KINDS: dict[str, Words] = {
    "receipt": Words("票据", "receipt"),
    "photo": Words("照片", "photo"),
    "document": Words("文件", "document"),
}

#: Why an ID number is invalid (adjudicator/rules/idnumber.py's codes).
ID_NUMBER_PROBLEMS: dict[str, Words] = {
    "length": Words("位数不是18位", "not 18 characters"),
    "characters": Words("含非法字符", "characters other than digits and a final X"),
    "birth_date": Words("出生日期不存在", "no such date of birth"),
    "check_digit": Words("校验位不符", "wrong check digit"),
}

#: A household's state on a month's push list (预警推送名单).
#: Why the monthly screening (初步筛选) took a household off the push list (初筛剔除原因).
SCREENING_REASONS: dict[str, Words] = {
    "NOT_REGISTERED": Words("不在监测登记范围（身份证号不是登记的家庭成员）",
                            "not in the register (the ID number is no registered member's)"),
    "REGION_NOT_COVERED": Words("所在地区不在保障方案范围",
                                "the region is not covered by the tariff"),
    "NEGATIVE_ITEM_FOUND": Words("部门数据已发现负面清单情形",
                                 "department data already found a negative-list item"),
    "HIGH_INCOME_VERIFIED": Words("近期入户核查的人均收入远高于防贫线",
                                  "a recent verification found income far above the line"),
    "ALREADY_CLAIMED": Words("费用已在进行中或已决定的申请内（结算不重复计算）",
                             "the expense is inside an open or decided claim (a settlement "
                             "is never counted twice)"),
    "AT_CAP": Words("本年度已达赔付封顶", "the household is at its annual cap"),
    "TOWNSHIP_REMOVED": Words("乡镇初筛剔除", "removed by the township's screening"),
}

PUSH_STATUSES: dict[str, Words] = {
    "pushed": Words("待初筛", "awaiting township screening"),
    "screened_out": Words("系统剔除", "screened out by the system"),
    "kept": Words("保留", "kept"),
    "removed": Words("乡镇剔除", "removed by the township"),
}

#: The fund's stages of paying beside the claim statuses (the ledger's committed money).
FUND_STAGES: dict[str, Words] = {
    "closed": Words("公示期满待兑现", "notice ended, awaiting payment"),
    "awaiting_bank": Words("已转账待银行确认", "transferred, awaiting the bank"),
    "top_up_open": Words("待补发", "top-up not yet paid"),
}

#: What the contract does with a year's surplus (多退 / 余额结转).
SURPLUS_RULES: dict[str, Words] = {
    "refund": Words("结余退还县财政（多退）", "surplus refunded to the county"),
    "carry_over": Words("结余结转下年（余额结转）", "surplus carried over to next year"),
}

#: What the contract does with a year's shortfall (少补).
SHORTFALL_RULES: dict[str, Words] = {
    "county_tops_up": Words("缺口由县财政补足（少补）", "shortfall topped up by the county"),
    "insurer_bears": Words("缺口由保险公司承担", "shortfall borne by the insurer"),
}


# --- the sampling audit (抽样复核) -------------------------------------------------------------

#: What an audit re-check compares (adjudicator.services.audit.recheck.Discrepancy.kind).
DISCREPANCY_KINDS: dict[str, Words] = {
    "members": Words("计入人口", "counted members"),
    "income": Words("收入", "income"),
    "cost": Words("支出", "costs"),
    "negative_item": Words("负面清单", "negative list"),
    "outcome": Words("理算结论", "outcome"),
    "payout": Words("赔付金额", "payout"),
}

#: What an audit (or a re-decision) opens when the money paid is not the money due.
ADJUSTMENT_KINDS: dict[str, Words] = {
    "recovery": Words("追回", "recovery"),
    "top_up": Words("补发", "top-up"),
}

#: Where an adjustment stands.
ADJUSTMENT_STATUSES: dict[str, Words] = {
    "open": Words("待结清", "open"),
    "settled": Words("已结清", "settled"),
    "superseded": Words("已被新的调整取代", "superseded"),
}

#: How an adjustment was settled (adjudicator.services.audit.adjustments.SETTLE_WAYS).
SETTLE_WAYS: dict[str, Words] = {
    "repaid": Words("已退回", "repaid"),
    "offset": Words("已抵扣", "offset"),
    "paid": Words("已补发", "paid"),
}


# --- the audit trail -------------------------------------------------------------------------

#: What each kind of event in the audit trail records (`adjudicator log history` shows these;
#: its `--json` and the stored events keep the codes).
EVENT_KINDS: dict[str, Words] = {
    "audit.adjustment_opened": Words("开立追回或补发", "adjustment opened"),
    "audit.adjustment_settled": Words("追回或补发结清", "adjustment settled"),
    "audit.adjustment_superseded": Words("调整被新的调整取代", "adjustment superseded"),
    "audit.rechecked": Words("抽样复核完成", "audit re-check recorded"),
    "audit.reopen_blocked": Words("复核后未能重新理算", "reopening after the audit blocked"),
    "audit.reopened": Words("复核后重新理算", "reopened after the audit"),
    "audit.sample_drawn": Words("抽取复核样本", "audit sample drawn"),
    "audit.verification_adopted": Words("采用复核的核查结果", "re-check's verification adopted"),
    "bank_return.imported": Words("导入银行回盘", "bank return imported"),
    "calendar.day_off_added": Words("增加休息日", "day off added"),
    "calendar.day_off_removed": Words("删除休息日", "day off removed"),
    "claim.amounts_changed": Words("案件金额变更", "claim amounts changed"),
    "claim.cause_established": Words("确认致贫原因", "cause established"),
    "claim.received": Words("受理救助申请", "claim received"),
    "claim.redecision_requested": Words("需要重新理算", "re-decision requested"),
    "claim.status": Words("案件状态变更", "claim status changed"),
    "claim.status_changed": Words("案件状态变更", "claim status changed"),
    "decision.made": Words("作出理算结论", "decision made"),
    "document.generated": Words("生成文书", "document generated"),
    "feed.kept": Words("乡镇初筛保留", "kept by the township"),
    "feed.removed": Words("乡镇初筛剔除", "removed by the township"),
    "feed.rows": Words("导入部门数据", "department feed imported"),
    "feed.screened": Words("预警筛选", "feed screened"),
    "finding.recorded": Words("记录部门比对结果", "department finding recorded"),
    "fund.premium_received": Words("收到保费", "premium received"),
    "fund.settled": Words("年度资金结算", "fund year settled"),
    "household.created": Words("新增农户", "household created"),
    "household.members_counted": Words("计入人口变更", "counted members changed"),
    "household.updated": Words("农户信息变更", "household updated"),
    "import.chunk": Words("导入文件（一批行）", "import chunk"),
    "member.added": Words("新增家庭成员", "member added"),
    "member.updated": Words("家庭成员信息变更", "member updated"),
    "notice.closed": Words("公示期满", "notice closed"),
    "notice.corrected": Words("更正公示", "notice corrected"),
    "notice.created": Words("张贴公示", "notice posted"),
    "notice.objection": Words("公示异议", "objection to a notice"),
    "payment.confirmed": Words("银行确认到账", "payment confirmed by the bank"),
    "payment.failed": Words("付款失败", "payment failed"),
    "payment.made": Words("付款", "payment made"),
    "regions.loaded": Words("载入行政区划", "regions loaded"),
    "review.approved": Words("人工审核：给予救助", "review: approved"),
    "review.denied": Words("人工审核：不予救助", "review: denied"),
    "tariff.loaded": Words("载入保障方案", "tariff loaded"),
    "tariff.retired": Words("停用保障方案", "tariff retired"),
    "user.added": Words("新增用户", "user added"),
    "user.disabled": Words("停用用户", "user disabled"),
    "user.enabled": Words("启用用户", "user enabled"),
    "user.login_unlocked": Words("解除登录锁定", "login unlocked"),
    "user.password_reset": Words("重置密码", "password reset"),
    "user.password_set": Words("设置密码", "password set"),
    "user.setup_link": Words("发放设置密码链接", "set-up link issued"),
    "verification.assigned": Words("分派入户核查", "verification assigned"),
    "verification.draft_saved": Words("保存核查草稿", "verification draft saved"),
    "verification.reused": Words("沿用有效期内的核查", "verification reused"),
    "verification.submitted": Words("提交入户核查", "verification submitted"),
}


# --- yes and no ------------------------------------------------------------------------------

#: Every way a yes is written on a form or typed at a prompt (compared in lower case).
YES_WORDS: frozenset[str] = frozenset({"true", "yes", "y", "1", "是", "有", "对"})
#: Every way a no is written on a form or typed at a prompt (compared in lower case).
NO_WORDS: frozenset[str] = frozenset({"false", "no", "n", "0", "否", "无", "没有", "不是"})

#: The words an answer is shown with (None: the question was not answered).
ANSWERS: dict[bool | None, Words] = {True: Words("是", "yes"), False: Words("否", "no"),
                                     None: Words("未作答", "not answered")}


def parse_yes_no(text: str) -> bool | None:
    """True for a yes word, False for a no word, None for anything else (blank included)."""
    value = text.strip().lower()
    if value in YES_WORDS:
        return True
    if value in NO_WORDS:
        return False
    return None


#: Why the system could not open or write a file, by errno, in both languages.
OS_REASONS: dict[int, Words] = {
    errno.ENOENT: Words("文件或文件夹不存在", "no such file or folder"),
    errno.EACCES: Words("没有权限", "permission denied"),
    errno.EPERM: Words("没有权限", "operation not permitted"),
    errno.EISDIR: Words("这是一个文件夹", "it is a folder"),
    errno.ENOTDIR: Words("路径中的某一级是文件，不是文件夹",
                         "part of the path is a file, not a folder"),
    errno.EEXIST: Words("要建文件夹的地方已有同名的文件", "a file stands where a folder is needed"),
    errno.EROFS: Words("只读的磁盘", "read-only file system"),
    errno.ENOSPC: Words("磁盘已满", "no space left on the disk"),
    errno.ENAMETOOLONG: Words("文件名太长", "file name too long"),
}


def os_words(exc: OSError) -> Words:
    """Why a file could not be opened, read or written (an OSError), in both languages: the
    system's own words (in both) when the error is not a common one."""
    known = OS_REASONS.get(exc.errno or -1)
    if known is not None:
        return known
    text = exc.strerror or type(exc).__name__
    return Words(text, text)
