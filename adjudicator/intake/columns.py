"""Column names (列名): the Chinese and English headers accepted for each field of each file.

A header is compared after normalization: NFKC (full-width brackets and letters become ASCII),
spaces removed, lower case, and a trailing unit "(元)" dropped; so "医疗总费用（元）" and
"Total_Cost" both name their field. Every synonym is listed in docs/import.md (a test checks).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from schemas.imports import INCOME_COLUMNS, NEGATIVE_ITEM_LABELS

HOUSEHOLD_ID = ("户编号", "户号", "家庭编号", "户id", "household")
MEMBER_ID = ("成员编号", "人员编号", "成员id", "member")
ID_NUMBER = ("身份证号码", "身份证号", "公民身份号码", "证件号码", "身份证", "id_no", "id_card")
NAME = ("姓名", "成员姓名", "患者姓名", "学生姓名")

HOUSEHOLD_COLUMNS: dict[str, tuple[str, ...]] = {
    "household_id": HOUSEHOLD_ID,
    "region_code": ("行政区划代码", "区划代码", "村代码", "行政区划", "region"),
    "household_category": ("户类别", "户类型", "监测对象类别", "户属性", "category"),
    "village_name": ("村名", "村", "所在村", "行政村", "village"),
    "township_name": ("乡镇", "乡镇名", "乡镇名称", "所在乡镇", "乡(镇)", "township"),
    "member_id": MEMBER_ID,
    "name": NAME,
    "id_number": ID_NUMBER,
    "relation": ("与户主关系", "家庭关系", "关系"),
    "counted": ("是否计入", "计入家庭人口", "是否计入家庭人口", "共同生活", "是否共同生活"),
    "bank_name": ("开户银行", "开户行", "银行名称", "开户银行名称", "bank"),
    "account_no": ("银行账号", "账号", "卡号", "银行卡号", "社保卡号", "存折账号", "收款账号",
                   "account"),
    "account_kind": ("账户类型", "账号类型", "卡折类型"),
}

CLAIM_COLUMNS: dict[str, tuple[str, ...]] = {
    "claim_id": ("申请编号", "救助编号", "案件编号", "理赔编号", "报案号"),
    "household_id": HOUSEHOLD_ID,
    "member_id": MEMBER_ID,
    "id_number": ID_NUMBER,
    "name": NAME,
    "category": ("救助类别", "申请类别", "致困类型", "类别"),
    "event_date": ("发生日期", "结算日期", "出院日期", "受灾日期", "事发日期", "date"),
    "source": ("来源", "数据来源", "申请来源"),
    "document_no": ("单据号", "结算单号", "单据编号", "票据号", "发票号", "document"),
    "total_cost": ("医疗总费用", "总费用", "医疗费用总额", "费用总额"),
    "non_compliant_cost": ("政策范围外费用", "不合规费用", "目录外费用", "全自费费用"),
    "basic_insurance_paid": ("基本医保报销", "统筹支付", "基本医保支付", "基本医疗保险支付",
                             "统筹基金支付"),
    "critical_illness_paid": ("大病保险报销", "大病保险支付", "大病保险"),
    "medical_assistance_paid": ("医疗救助", "医疗救助支付", "医疗救助金额"),
    "other_compensation": ("其他补偿", "其他报销", "其他赔付"),
    "stage": ("学段", "就读阶段", "教育阶段"),
    "tuition": ("学费",),
    "accommodation": ("住宿费",),
    "aid_received": ("已获资助", "资助金额", "助学金"),
    "assessed_loss": ("核定损失", "评估损失", "损失金额"),
    "insurance_paid": ("农业保险赔付", "保险赔付"),
    "relief_paid": ("救灾救助", "救灾款", "灾害救助"),
    "cause": ("致灾原因", "受灾原因", "损失原因", "事故原因"),
    "liable_party_paid": ("责任方赔偿", "第三方赔偿", "责任方赔付"),
    "motor_vehicle_loss": ("机动车损失", "机动车辆损失", "车辆损失"),
}

VERIFICATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "claim_id": CLAIM_COLUMNS["claim_id"],
    "verified_on": ("核查日期", "入户核查日期", "date"),
    "verifier_id": ("核查员", "核查员编号", "核查人", "verifier"),
    "income_wage": ("工资性收入", "工资收入"),
    "income_business": ("经营净收入", "经营性收入", "生产经营性收入"),
    "income_property": ("财产净收入", "财产性收入"),
    "income_transfer": ("转移净收入", "转移性收入"),
    "cost_production": ("生产经营性支出", "生产性支出", "生产经营支出"),
}
assert set(INCOME_COLUMNS) <= set(VERIFICATION_COLUMNS)

DEPARTMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "source": ("数据来源", "比对部门", "来源部门", "部门", "来源"),
    "household_id": HOUSEHOLD_ID,
    "id_number": ID_NUMBER,
    "name": NAME,
    "item": ("比对事项", "比对项目", "负面清单项", "事项", "项目"),
    "found": ("是否发现", "比对结果", "结果", "是否存在"),
    "detail": ("详情", "说明", "明细", "比对详情"),
    "reported_on": ("反馈日期", "比对日期", "报告日期", "date"),
}

#: Columns that carry nothing for the import (a running number, a remark): accepted and
#: ignored, so that a department's export need not be edited first.
IGNORED_COLUMNS = ("序号", "编号序号", "备注", "no", "no.", "#", "remark", "remarks", "note")

#: Negative-list answers in the flat verification form: neg_<ITEM>, or the item's code, or
#: its Chinese name (short or full label), optionally prefixed 负面清单-.
NEGATIVE_PREFIX = "neg_"
_NEG_PREFIXES = ("负面清单-", "负面清单_", "负面清单:")

_UNIT = re.compile(r"\((元|yuan|rmb)\)$")


def normalize_header(text: str) -> str:
    """The comparable form of a header (see the module docstring)."""
    cleaned = unicodedata.normalize("NFKC", text).replace("\ufeff", "").replace("\u200b", "")
    cleaned = "".join(cleaned.split()).lower()
    return _UNIT.sub("", cleaned)


@dataclass(frozen=True)
class Columns:
    """The accepted headers of one kind of file, and the fields a header must have."""

    fields: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    #: alternatives: at least one group must be complete (e.g. id_number, or household and
    #: member id).
    identity: tuple[tuple[str, ...], ...] = ()
    negative_items: bool = False
    #: keys of a JSON Lines row that hold a nested object, taken as they are
    nested: tuple[str, ...] = ()
    lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table: dict[str, str] = {}
        for name, synonyms in self.fields.items():
            for header in (name, *synonyms):
                table[normalize_header(header)] = name
        object.__setattr__(self, "lookup", table)

    def field_for(self, header: str) -> str | None:
        """The field a header names; "" for an ignored column; None when unknown."""
        key = normalize_header(header)
        if key in self.lookup:
            return self.lookup[key]
        if key in IGNORED_COLUMNS:
            return ""
        if header in self.nested:
            return header
        if self.negative_items:
            return negative_column(header)
        return None


def negative_column(header: str) -> str | None:
    """neg_<ITEM> for a negative-list answer column, or None."""
    text = unicodedata.normalize("NFKC", header).strip().replace("\ufeff", "")
    for prefix in _NEG_PREFIXES:
        text = text.removeprefix(prefix)
    if text.lower().startswith(NEGATIVE_PREFIX):
        code = text[len(NEGATIVE_PREFIX):].upper()
        return NEGATIVE_PREFIX + code if re.fullmatch(r"[A-Z][A-Z0-9_]*", code) else None
    if text in NEGATIVE_ITEM_LABELS:
        return NEGATIVE_PREFIX + NEGATIVE_ITEM_LABELS[text]
    if text in set(NEGATIVE_ITEM_LABELS.values()):
        return NEGATIVE_PREFIX + text
    return None


HOUSEHOLDS = Columns(HOUSEHOLD_COLUMNS, required=("household_id", "region_code",
                                                  "household_category", "village_name",
                                                  "member_id", "name", "id_number"))
CLAIMS = Columns(CLAIM_COLUMNS, required=("claim_id", "category", "event_date"),
                 identity=(("id_number",), ("household_id", "member_id")),
                 nested=("medical", "education", "disaster"))
VERIFICATIONS = Columns(VERIFICATION_COLUMNS, required=("claim_id", "verified_on",
                                                        "verifier_id"), negative_items=True,
                        nested=("verification", "members"))
DEPARTMENT_DATA = Columns(DEPARTMENT_COLUMNS, required=("source", "item", "found"),
                          identity=(("id_number",), ("household_id",)))
