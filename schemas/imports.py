"""Import rows (导入行): one row of a households, claims, verifications or department-data file.

These models see a row after `adjudicator.intake` has mapped its columns (Chinese or English
headers and their synonyms) to the field names below; an unknown field is an error. Values are
accepted as county offices write them: enum values in English or Chinese (脱贫不稳定户, 因病,
普通高中, 医保 …), flags as 是/否, Y/N, 1/0 or true/false; amounts, dates and ID numbers in the
forms of schemas.forms (the feed import reads the same). Every vocabulary is a dict here, so
that docs/import.md and the tests read the same lists.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError, PydanticKnownError

from adjudicator.accounts import ACCOUNT_KIND_LABELS, AccountKind, account_problem
from adjudicator.messages import Message
from schemas import forms
from schemas.case import CostItem, DisasterAmounts, EducationAmounts, IncomeItem, MedicalAmounts
from schemas.types import (
    CATEGORY_NAME_MAX,
    CATEGORY_NAME_PATTERN,
    NEGATIVE_ITEM_PATTERN,
    STRICT,
    CategoryName,
    Cause,
    ClaimCategory,
    ClaimSource,
    CostKind,
    CrossCheckSource,
    EducationStage,
    HouseholdCategory,
    IncomeKind,
    Money,
    amount_too_large,
    parse_amount,
)
from schemas.vocabulary import NEGATIVE_ITEMS, NO_WORDS, YES_WORDS

# --- vocabularies: Chinese (and other) spellings -> the contract's value --------------------

HOUSEHOLD_CATEGORY_LABELS: dict[str, str] = {
    "脱贫不稳定户": "unstable", "不稳定户": "unstable", "非高标准脱贫户": "unstable",
    "边缘易致贫户": "edge", "边缘户": "edge", "易致贫户": "edge",
    "突发严重困难户": "sudden_hardship", "严重困难户": "sudden_hardship",
    "非贫低收入户": "low_income", "低收入户": "low_income",
    "一般农户": "general", "一般户": "general",
}

CLAIM_CATEGORY_LABELS: dict[str, str] = {
    "因病": "medical", "医疗": "medical", "疾病": "medical",
    "因灾": "disaster", "灾害": "disaster", "自然灾害": "disaster",
    "因学": "education", "教育": "education", "就学": "education",
    "因意外": "accident", "意外": "accident", "意外伤害": "accident",
}

#: 致灾原因 (claim.cause): Chinese names of the causes a tariff may exclude.
CAUSE_LABELS: dict[str, str] = {
    "火灾": "fire", "失火": "fire", "爆炸": "explosion",
    "洪涝": "flood", "洪水": "flood", "水灾": "flood", "内涝": "flood",
    "风灾": "storm", "台风": "storm", "大风": "storm", "暴风雨": "storm",
    "冰雹": "hail", "雹灾": "hail", "干旱": "drought", "旱灾": "drought",
    "山体滑坡": "landslide", "滑坡": "landslide", "泥石流": "landslide",
    "地震": "earthquake", "动物疫病": "animal_disease", "疫病": "animal_disease",
    "交通事故": "traffic", "车祸": "traffic", "被盗": "theft", "盗窃": "theft",
    "其他": "other",
}

CLAIM_SOURCE_LABELS: dict[str, str] = {
    "个人申请": "application", "申请": "application", "农户申请": "application",
    "医保": "medical_insurance_feed", "医保推送": "medical_insurance_feed",
    "医保局": "medical_insurance_feed",
    "民政": "civil_affairs_feed", "民政推送": "civil_affairs_feed", "民政局": "civil_affairs_feed",
    "应急": "emergency_feed", "应急管理": "emergency_feed", "应急管理局": "emergency_feed",
    "教育": "education_feed", "教育推送": "education_feed", "教育局": "education_feed",
}

EDUCATION_STAGE_LABELS: dict[str, str] = {
    "义务教育": "compulsory", "小学": "compulsory", "初中": "compulsory",
    "普通高中": "high_school", "高中": "high_school",
    "中职": "secondary_vocational", "中等职业教育": "secondary_vocational",
    "中专": "secondary_vocational", "技校": "secondary_vocational",
    "大专": "college", "高职": "college", "专科": "college",
    "本科": "undergraduate", "大学本科": "undergraduate",
    "研究生": "postgraduate", "硕士": "postgraduate", "博士": "postgraduate",
}

CROSS_CHECK_SOURCE_LABELS: dict[str, str] = {
    "医保": "medical_insurance", "医保局": "medical_insurance",
    "住建": "housing", "住建局": "housing", "房管": "housing", "不动产登记": "housing",
    "市场监管": "business_registry", "市场监管局": "business_registry",
    "工商": "business_registry",
    "银行": "bank", "人民银行": "bank",
    "车管": "vehicle_registry", "车管所": "vehicle_registry", "公安车管": "vehicle_registry",
    "财政供养": "payroll", "财政": "payroll", "财政局": "payroll",
    "民政": "civil_affairs", "民政局": "civil_affairs",
}

#: Short Chinese names of the built-in negative-list items; their full labels
#: (schemas/vocabulary.py) are accepted as well.
NEGATIVE_ITEM_LABELS: dict[str, str] = {
    "财政供养": "PUBLIC_SERVANT", "财政供养人员": "PUBLIC_SERVANT",
    "公职人员": "PUBLIC_SERVANT",
    "车辆": "VEHICLE", "消费型车辆": "VEHICLE", "机动车": "VEHICLE", "小汽车": "VEHICLE",
    "公司": "COMPANY", "企业": "COMPANY", "公司企业": "COMPANY", "开办公司企业": "COMPANY",
    "开公司办企业": "COMPANY",
    "商品房": "COMMERCIAL_HOUSING", "城镇商品房": "COMMERCIAL_HOUSING",
    "铺面": "SHOP", "门面": "SHOP", "商铺": "SHOP",
    "刻意隐瞒": "CONCEALMENT", "隐瞒": "CONCEALMENT", "拒不配合核查": "CONCEALMENT",
    "大额存款": "LARGE_DEPOSITS",
    "长期雇工": "HIRED_LABOR", "雇工": "HIRED_LABOR",
    "高消费": "HIGH_CONSUMPTION", "自费出国": "HIGH_CONSUMPTION",
    "直系亲属条件好": "WELL_OFF_RELATIVES", "直系亲属家庭条件好": "WELL_OFF_RELATIVES",
    "违法行为": "ILLEGAL_ACT", "故意行为致害": "ILLEGAL_ACT",
    **{item.label.zh: code for code, item in NEGATIVE_ITEMS.items()},
}


class Relation(StrEnum):
    """与户主关系: a member's relation to the head of the household."""

    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    CHILD_IN_LAW = "child_in_law"
    GRANDCHILD = "grandchild"
    PARENT = "parent"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    OTHER = "other"


#: 与户主关系 as county registers (户口簿, 防返贫监测系统) write it. The kinds are coarse: every
#: descendant two generations down or more (孙子, 外孙女, 孙媳妇, 曾孙) is `grandchild`, a
#: parent-in-law is `parent`, a sibling's spouse is `sibling`; a nephew, an uncle or a
#: relative not in the list is `other`. A term not listed at all is registered as `other`
#: with a warning in the error report: the person is never dropped.
RELATION_LABELS: dict[str, str] = {
    "户主": "head", "本人": "head", "本人(户主)": "head", "户主本人": "head",
    "配偶": "spouse", "妻": "spouse", "妻子": "spouse", "夫": "spouse", "丈夫": "spouse",
    "之妻": "spouse", "之夫": "spouse", "老伴": "spouse",
    "子": "child", "女": "child", "儿子": "child", "女儿": "child", "之子": "child",
    "之女": "child", "长子": "child", "次子": "child", "长女": "child", "次女": "child",
    "三子": "child", "三女": "child", "四子": "child", "四女": "child", "五子": "child",
    "五女": "child", "独生子": "child", "独生女": "child", "养子": "child", "养女": "child",
    "继子": "child", "继女": "child", "子女": "child", "其他儿子": "child",
    "其他女儿": "child",
    "儿媳": "child_in_law", "儿媳妇": "child_in_law", "媳妇": "child_in_law",
    "之媳": "child_in_law", "女婿": "child_in_law", "之婿": "child_in_law",
    "孙子": "grandchild", "孙女": "grandchild", "外孙": "grandchild", "外孙子": "grandchild",
    "外孙女": "grandchild", "孙媳妇": "grandchild", "孙媳": "grandchild",
    "孙女婿": "grandchild", "外孙媳妇": "grandchild", "外孙女婿": "grandchild",
    "孙子女": "grandchild", "外孙子女": "grandchild", "曾孙": "grandchild",
    "曾孙子": "grandchild", "曾孙女": "grandchild", "曾外孙": "grandchild",
    "曾外孙女": "grandchild", "重孙": "grandchild", "重孙子": "grandchild",
    "重孙女": "grandchild",
    "父亲": "parent", "母亲": "parent", "父": "parent", "母": "parent", "父母": "parent",
    "继父": "parent", "继母": "parent", "养父": "parent", "养母": "parent",
    "公公": "parent", "婆婆": "parent", "岳父": "parent", "岳母": "parent",
    "祖父": "grandparent", "祖母": "grandparent", "外祖父": "grandparent",
    "外祖母": "grandparent", "祖父母": "grandparent", "外祖父母": "grandparent",
    "爷爷": "grandparent", "奶奶": "grandparent", "外公": "grandparent",
    "外婆": "grandparent", "曾祖父": "grandparent", "曾祖母": "grandparent",
    "兄": "sibling", "弟": "sibling", "姐": "sibling", "妹": "sibling", "兄弟姐妹": "sibling",
    "哥哥": "sibling", "弟弟": "sibling", "姐姐": "sibling", "妹妹": "sibling",
    "兄弟": "sibling", "姐妹": "sibling", "嫂": "sibling", "嫂子": "sibling",
    "弟媳": "sibling", "弟媳妇": "sibling", "姐夫": "sibling", "妹夫": "sibling",
    "其他": "other", "其他亲属": "other", "非亲属": "other", "侄子": "other",
    "侄女": "other", "侄孙": "other", "侄孙女": "other", "外甥": "other", "外甥女": "other",
    "伯父": "other", "伯母": "other", "叔叔": "other", "叔父": "other", "婶婶": "other",
    "姑姑": "other", "姑妈": "other", "舅舅": "other", "舅妈": "other", "姨妈": "other",
    "阿姨": "other", "堂兄弟": "other", "堂姐妹": "other", "表兄弟": "other",
    "表姐妹": "other",
}

#: Yes and no in an import: the words of every form (schemas/vocabulary.py), and a
#: department's own (发现 found, 存在 present, √ ticked).
TRUE_WORDS = YES_WORDS | {"发现", "存在", "t", "√"}
FALSE_WORDS = NO_WORDS | {"未发现", "不存在", "f", "×"}

# --- value parsers -----------------------------------------------------------------------


def _text(value: Any) -> Any:
    """NFKC-normalized, stripped text (full-width digits and letters become ASCII)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip()
    return value


def _vocabulary(enum: type[StrEnum], labels: dict[str, str]) -> Callable[[Any], Any]:
    values = {member.value for member in enum}
    names = {_text(k): v for k, v in labels.items()}

    def parse(value: Any) -> Any:
        text = _text(value)
        if not isinstance(text, str):
            return value
        if text.lower() in values:
            return text.lower()
        if text in names:
            return names[text]
        raise PydanticCustomError(
            "vocabulary", "unknown value '{value}': expected one of {expected}, or its Chinese "
            "name (see docs/import.md)",
            {"value": text[:40], "expected": ", ".join(sorted(values))})

    return parse


def parse_flag(value: Any) -> Any:
    """是/否, 有/无, Y/N, yes/no, true/false, 1/0 (and JSON booleans) as a bool."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = _text(value)
    if isinstance(text, str):
        if text.lower() in TRUE_WORDS:
            return True
        if text.lower() in FALSE_WORDS:
            return False
    raise PydanticCustomError("flag", "not a yes/no value: write 是 or 否 (Y/N, 1/0, true/false)")


def parse_answer(value: Any) -> Any:
    """A negative-list answer: a flag, or None (blank) for unanswered."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_flag(value)


def parse_date(value: Any) -> Any:
    """A calendar date in one of the forms of schemas.forms (2026-03-01, 2026/3/1, 2026.3.1,
    20260301, 2026年3月1日; a time of day after it is ignored), or a date cell."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        day = forms.parse_date_text(value)
        if day is not None:
            return day
    raise PydanticCustomError("date", "not a date: {forms}", {"forms": forms.DATE_FORMS_EN})


def parse_money(value: Any) -> Any:
    """An amount in yuan in one of the forms of schemas.forms ("1,234.56", "¥1234.56",
    "1234.56元", full-width digits …), or a number; `Money` then refuses a negative one."""
    if isinstance(value, str):
        plain = forms.plain_amount(value)
        if plain is None:
            raise PydanticCustomError("amount", "not an amount in yuan: {value} ({forms})", {
                "value": repr(value[:20]), "forms": forms.AMOUNT_FORMS_EN,
                "problem": "format"})
        if plain.startswith("-") and not amount_too_large(plain):
            # as `Money` refuses a negative number; "-0" too, as the feed import does
            raise PydanticKnownError("greater_than_equal", {"ge": 0})
        value = plain
    try:
        return parse_amount(value)
    except ValueError as exc:
        raise PydanticCustomError("amount", "{message}", {
            "message": str(exc), "problem": getattr(exc, "problem", "format")}) from None


def parse_id_number(value: Any) -> Any:
    """An 18-character resident ID number in one of the forms of schemas.forms (spaces,
    full-width digits and a small x are read).

    Only the form is checked here: a number whose check digit or birth date is wrong is stored
    as given, and adjudication denies its claims with INVALID_ID_NUMBER (so the household is
    told why). The message never repeats the value: it is personal data.
    """
    if isinstance(value, str):
        text = forms.id_number_text(value)
        if text is not None:
            return text
    raise PydanticCustomError("id_number", "not an 18-character ID number: {forms}",
                              {"forms": forms.ID_NUMBER_FORMS_EN})


def parse_village_code(value: Any) -> Any:
    text = _text(value)
    if isinstance(text, str) and len(text) == 12 and text.isdigit() and text.isascii():
        return text
    raise PydanticCustomError("region_code", "not a 12-digit village code (county 6 digits, "
                              "township 3, village 3)")


Identifier = Annotated[str, BeforeValidator(_text), StringConstraints(min_length=1,
                                                                        max_length=64)]
Text100 = Annotated[str, BeforeValidator(_text), StringConstraints(min_length=1,
                                                                     max_length=100)]
PersonName = Annotated[str, BeforeValidator(_text), StringConstraints(min_length=1,
                                                                        max_length=64)]
IdNumber = Annotated[str, BeforeValidator(parse_id_number)]
VillageCode = Annotated[str, BeforeValidator(parse_village_code)]
Flag = Annotated[bool, BeforeValidator(parse_flag)]
Answer = Annotated[bool | None, BeforeValidator(parse_answer)]
Day = Annotated[dt.date, BeforeValidator(parse_date)]
Amount = Annotated[Money, BeforeValidator(parse_money)]
ItemCode = Annotated[str, StringConstraints(pattern=NEGATIVE_ITEM_PATTERN, max_length=64)]


def _item_code(value: Any) -> Any:
    text = _text(value)
    if isinstance(text, str):
        if text in NEGATIVE_ITEM_LABELS:
            return NEGATIVE_ITEM_LABELS[text]
        if re.match(NEGATIVE_ITEM_PATTERN, text.upper()):
            return text.upper()
    raise PydanticCustomError("item", "not a negative-list item: write its code (VEHICLE) or its "
                              "Chinese name (车辆); see docs/import.md")


NegativeItem = Annotated[ItemCode, BeforeValidator(_item_code)]
HouseholdCategoryIn = Annotated[
    HouseholdCategory, BeforeValidator(_vocabulary(HouseholdCategory, HOUSEHOLD_CATEGORY_LABELS))]
_BUILTIN_CATEGORY = _vocabulary(ClaimCategory, CLAIM_CATEGORY_LABELS)


def _claim_category(value: Any) -> Any:
    """A built-in category by its name or Chinese name, or the name of a category a tariff
    defines (the intake maps such a category's label to its name, and checks that a stored
    tariff defines it)."""
    try:
        return _BUILTIN_CATEGORY(value)
    except PydanticCustomError:
        text = _text(value)
        if isinstance(text, str) and re.fullmatch(CATEGORY_NAME_PATTERN, text.lower()) \
                and len(text) <= CATEGORY_NAME_MAX:
            return text.lower()
        raise PydanticCustomError(
            "vocabulary", "unknown claim category '{value}': expected one of {expected}, its "
            "Chinese name, or the name or label of a category a tariff defines (see "
            "docs/import.md)", {"value": str(text)[:40],
                                "expected": ", ".join(c.value for c in ClaimCategory)}) from None


ClaimCategoryIn = Annotated[CategoryName, BeforeValidator(_claim_category)]
CauseIn = Annotated[Cause, BeforeValidator(_vocabulary(Cause, CAUSE_LABELS))]
ClaimSourceIn = Annotated[ClaimSource, BeforeValidator(_vocabulary(ClaimSource,
                                                                   CLAIM_SOURCE_LABELS))]
EducationStageIn = Annotated[
    EducationStage, BeforeValidator(_vocabulary(EducationStage, EDUCATION_STAGE_LABELS))]
CrossCheckSourceIn = Annotated[
    CrossCheckSource, BeforeValidator(_vocabulary(CrossCheckSource, CROSS_CHECK_SOURCE_LABELS))]
_known_relation = _vocabulary(Relation, RELATION_LABELS)
AccountKindIn = Annotated[AccountKind, BeforeValidator(_vocabulary(AccountKind,
                                                                   ACCOUNT_KIND_LABELS))]


def parse_account_no(value: Any) -> Any:
    """An account number as digits (spaces and hyphens dropped); its length and check digit
    are checked with its kind (`HouseholdRow`). The message never repeats the value."""
    text = _text(value)
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if isinstance(text, str):
        digits = "".join(ch for ch in text if not ch.isspace() and ch != "-")
        if digits.isdigit() and digits.isascii():
            return digits
    raise PydanticCustomError("account_no", "账号只能由数字组成（表格中请把该列设为文本格式，"
                              "以免丢失数字）")


AccountNo = Annotated[str, BeforeValidator(parse_account_no)]


def relation_known(value: Any) -> bool:
    """Whether `value` is a relation term (or kind) of RELATION_LABELS."""
    try:
        _known_relation(value)
    except PydanticCustomError:
        return False
    return True


def parse_relation(value: Any) -> Any:
    """A relation term as its kind; a term not listed is `other` (the import warns)."""
    text = _text(value)
    if isinstance(text, str) and not relation_known(text):
        return Relation.OTHER.value
    return _known_relation(text)


RelationIn = Annotated[Relation, BeforeValidator(parse_relation)]


def row_error(field: str, rule: Message | str) -> PydanticCustomError:
    """A rule that spans fields, reported against the one field to correct; `rule` words it
    (adjudicator.messages), with the file's own headers for the fields it names; a plain
    text is a reason already in Chinese."""
    message = rule if isinstance(rule, str) else rule.render("en")
    return PydanticCustomError("row_rule", "{message}", {"field": field, "message": message,
                                                         "rule": rule})


# --- households ---------------------------------------------------------------------------


class HouseholdRow(BaseModel):
    """户成员: one member of a household, with the household's own fields repeated.

    `region_code` is the village's 12-digit code: county (6), township (3), village (3).
    A blank `township_name` keeps the stored one.
    """

    model_config = STRICT

    household_id: Identifier
    region_code: VillageCode
    household_category: HouseholdCategoryIn
    village_name: Text100
    township_name: Text100 | None = None
    member_id: Identifier
    name: PersonName
    id_number: IdNumber
    relation: RelationIn = Relation.OTHER
    counted: Flag = True
    #: The member's account for payments (optional): bank, number and kind (bank card when
    #: not given).
    bank_name: Text100 | None = None
    account_no: AccountNo | None = None
    account_kind: AccountKindIn | None = None

    @model_validator(mode="after")
    def _account(self) -> Self:
        if self.account_no is None:
            for part in ("bank_name", "account_kind"):
                if getattr(self, part) is not None:
                    raise row_error("account_no", "填写了开户银行或账户类型，但没有账号")
            return self
        if self.bank_name is None:
            raise row_error("bank_name", "有账号时须填写开户银行")
        kind = self.account_kind or AccountKind.BANK_CARD
        problem = account_problem(self.account_no, kind)
        if problem is not None:
            if self.account_kind is None:
                problem += "（未填账户类型时按银行卡校验；存折请在账户类型列填写“存折”）"
            raise row_error("account_no", problem)
        return self


# --- claims -------------------------------------------------------------------------------

MEDICAL_FIELDS = ("total_cost", "non_compliant_cost", "basic_insurance_paid",
                  "critical_illness_paid", "medical_assistance_paid", "other_compensation")
EDUCATION_FIELDS = ("stage", "tuition", "accommodation", "aid_received")
DISASTER_FIELDS = ("assessed_loss", "insurance_paid", "relief_paid", "liable_party_paid",
                   "motor_vehicle_loss")
#: Each amounts shape: its model, its fields and the field it cannot do without.
_SHAPES: dict[str, tuple[type[BaseModel], tuple[str, ...], str]] = {
    "medical": (MedicalAmounts, MEDICAL_FIELDS, "total_cost"),
    "education": (EducationAmounts, EDUCATION_FIELDS, "tuition"),
    "disaster": (DisasterAmounts, DISASTER_FIELDS, "assessed_loss"),
}
_BUILTIN_SHAPES = {"medical": "medical", "accident": "medical", "education": "education",
                   "disaster": "disaster"}


class ClaimRow(BaseModel):
    """救助申请: one claim. The member is named by household_id + member_id, or by the ID
    number alone (department feeds have only that); the amounts are those of the category."""

    model_config = STRICT

    claim_id: Identifier
    household_id: Identifier | None = None
    member_id: Identifier | None = None
    id_number: IdNumber | None = None
    name: PersonName | None = None
    category: ClaimCategoryIn
    event_date: Day
    source: ClaimSourceIn
    document_no: Annotated[str, BeforeValidator(_text),
                           StringConstraints(min_length=1, max_length=64)] | None = None
    cause: CauseIn | None = None
    total_cost: Amount | None = None
    non_compliant_cost: Amount | None = None
    basic_insurance_paid: Amount | None = None
    critical_illness_paid: Amount | None = None
    medical_assistance_paid: Amount | None = None
    other_compensation: Amount | None = None
    stage: EducationStageIn | None = None
    tuition: Amount | None = None
    accommodation: Amount | None = None
    aid_received: Amount | None = None
    assessed_loss: Amount | None = None
    insurance_paid: Amount | None = None
    relief_paid: Amount | None = None
    liable_party_paid: Amount | None = None
    motor_vehicle_loss: Amount | None = None

    @property
    def shape(self) -> str:
        """The amounts shape: the built-in category's, else the one the row's amounts tell
        (a category a tariff defines; the intake checks it against the tariff)."""
        shape = _BUILTIN_SHAPES.get(self.category)
        if shape is not None:
            return shape
        for name, (_, _, required) in _SHAPES.items():
            if getattr(self, required) is not None or (name == "education"
                                                       and self.stage is not None):
                return name
        return "disaster"

    @model_validator(mode="after")
    def _identity_and_amounts(self) -> Self:
        if self.id_number is None:
            for part in ("household_id", "member_id"):
                if getattr(self, part) is None:
                    raise row_error(part, Message("row.name_member", field="household_id",
                                                  field2="member_id", field3="id_number"))
        elif (self.household_id is None) != (self.member_id is None):
            missing = "member_id" if self.member_id is None else "household_id"
            other = "household_id" if missing == "member_id" else "member_id"
            raise row_error(missing, Message("row.go_together", field=other, field2=missing))
        shape = self.shape
        _, wanted, required = _SHAPES[shape]
        for part in MEDICAL_FIELDS + EDUCATION_FIELDS + DISASTER_FIELDS:
            if part not in wanted and getattr(self, part) is not None:
                raise row_error(part, Message("row.not_applicable", field=part,
                                              category=self.category))
        for part in (("stage", required) if shape == "education" else (required,)):
            if getattr(self, part) is None:
                raise row_error(part, Message("row.needs", field=part, category=self.category))
        return self

    def amounts(self) -> dict[str, str]:
        """The amounts part of the claim as stored (claims.amounts): every field of the
        category's part, defaults filled in, amounts as two-decimal strings."""
        model, fields, _ = _SHAPES[self.shape]
        given = {f: getattr(self, f) for f in fields if getattr(self, f) is not None}
        # The values are this row's, validated already with the same types (Money,
        # EducationStage), and the row rule has checked the part's required fields: the part
        # is built without validating again (the dump is the same, in a fraction of the time).
        dumped: dict[str, str] = model.model_construct(**given).model_dump(mode="json")
        return dumped


# --- verifications ------------------------------------------------------------------------


class VerificationRecord(BaseModel):
    """入户核查 as imported: schemas.case.Verification without `cross_checks` (department
    findings are imported on their own and joined at adjudication)."""

    model_config = STRICT

    verified_on: Day
    verifier_id: Identifier
    income: list[IncomeItem] | None = None
    costs: list[CostItem] = Field(default_factory=list)
    negative_list: dict[NegativeItem, bool | None] = Field(default_factory=dict)


class MemberUpdate(BaseModel):
    """A change to one member found at the household visit (who is counted)."""

    model_config = STRICT

    member_id: Identifier
    counted: Flag


class VerificationImport(BaseModel):
    """One verification of one claim (the JSON Lines form), with optional member updates."""

    model_config = STRICT

    claim_id: Identifier
    verification: VerificationRecord
    members: list[MemberUpdate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _members_once(self) -> Self:
        ids = [m.member_id for m in self.members]
        if len(ids) != len(set(ids)):
            raise row_error("members", Message("row.member_twice", field="members"))
        return self


INCOME_COLUMNS: dict[str, IncomeKind] = {
    "income_wage": IncomeKind.WAGE, "income_business": IncomeKind.BUSINESS,
    "income_property": IncomeKind.PROPERTY, "income_transfer": IncomeKind.TRANSFER,
}


class VerificationFlatRow(BaseModel):
    """The flat (CSV / XLSX) form of a verification: one column per income kind and per
    negative-list item (`neg_<ITEM>`, answer 是/否, blank = unanswered).

    Income: when every income column is blank the income was not recorded (the claim pends);
    when any is filled, a blank one is zero. A blank `cost_production` is no cost.
    """

    model_config = STRICT

    claim_id: Identifier
    verified_on: Day
    verifier_id: Identifier
    income_wage: Amount | None = None
    income_business: Amount | None = None
    income_property: Amount | None = None
    income_transfer: Amount | None = None
    cost_production: Amount | None = None
    negative_list: dict[NegativeItem, Answer] = Field(default_factory=dict)

    def to_import(self) -> VerificationImport:
        """The JSON Lines form. Every value was validated by this row with the same types
        (Money, IncomeKind, Identifier, NegativeItem), so the parts are built without
        validating again: the same records, in a fraction of the time."""
        amounts = {column: getattr(self, column) for column in INCOME_COLUMNS}
        income: list[IncomeItem] | None = None
        if any(value is not None for value in amounts.values()):
            income = [IncomeItem.model_construct(kind=kind, amount=amounts[column])
                      for column, kind in INCOME_COLUMNS.items()
                      if amounts[column] is not None and amounts[column] != Decimal(0)]
        costs = ([] if self.cost_production is None or self.cost_production == 0
                 else [CostItem.model_construct(kind=CostKind.PRODUCTION,
                                                amount=self.cost_production)])
        record = VerificationRecord.model_construct(
            verified_on=self.verified_on, verifier_id=self.verifier_id, income=income,
            costs=costs, negative_list=dict(self.negative_list))
        return VerificationImport.model_construct({"claim_id", "verification"},
                                                  claim_id=self.claim_id, verification=record,
                                                  members=[])


def verification_payload(record: VerificationRecord) -> dict[str, Any]:
    """The stored form (verifications.payload): the record's JSON, without empty notes."""
    payload: dict[str, Any] = record.model_dump(mode="json")
    for part in ("income", "costs"):
        for item in payload.get(part) or []:
            if item.get("note") is None:
                item.pop("note", None)
    return payload


# --- department data ----------------------------------------------------------------------


class DepartmentDataRow(BaseModel):
    """信息比对: one department's finding about one negative-list item of a household,
    named by a member's ID number or by household_id."""

    model_config = STRICT

    source: CrossCheckSourceIn
    household_id: Identifier | None = None
    id_number: IdNumber | None = None
    name: PersonName | None = None
    item: NegativeItem
    found: Flag
    detail: Annotated[str, BeforeValidator(_text), StringConstraints(max_length=200)] | None = None
    reported_on: Day | None = None

    @model_validator(mode="after")
    def _household_named(self) -> Self:
        if self.household_id is None and self.id_number is None:
            raise row_error("id_number", Message("row.name_household", field="id_number",
                                                 field2="household_id"))
        return self
