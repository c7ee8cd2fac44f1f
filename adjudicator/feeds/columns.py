"""The columns of each bureau's export: the national medical security platform's field codes
(结算信息 SETL_D: `setl_id`, `medfee_sumamt` …) and the Chinese headers the bureaus use.

Headers are compared as docs/import.md says (NFKC, spaces dropped, lower case, a trailing
"(元)" dropped). Columns a feed does not use (a bureau's export has dozens) are ignored and
listed in the import's result; a column the feed needs and the file lacks refuses the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from adjudicator.intake.columns import normalize_header

ID = ("证件号码", "身份证号", "身份证号码", "公民身份号码", "证件号", "id_number")

MEDICAL: dict[str, tuple[str, ...]] = {
    "setl_id": ("结算ID", "结算id", "结算编号", "结算流水号", "结算单号"),
    "init_setl_id": ("原结算ID", "原结算编号", "被退费结算ID", "退费原结算ID"),
    "mdtrt_id": ("就诊ID", "就诊编号", "就诊流水号"),
    "psn_no": ("人员编号",),
    "certno": ID,
    "psn_name": ("人员姓名", "姓名", "患者姓名"),
    "fixmedins_code": ("定点医药机构编号", "医疗机构编码", "定点医疗机构编号"),
    "fixmedins_name": ("定点医药机构名称", "医疗机构名称", "定点医疗机构名称", "就诊机构",
                       "医疗机构", "医院名称"),
    "med_type": ("医疗类别",),
    "setl_time": ("结算时间", "结算日期"),
    "begndate": ("开始日期", "入院日期"),
    "enddate": ("结束日期", "出院日期"),
    "medfee_sumamt": ("医疗费总额", "医疗总费用", "总费用"),
    "inscp_scp_amt": ("符合政策范围金额", "政策范围内金额", "政策范围内费用"),
    "fulamt_ownpay_amt": ("全自费金额", "全自费费用"),
    "overlmt_selfpay": ("超限价自费费用", "超限价金额"),
    "preselfpay_amt": ("先行自付金额",),
    "hifp_pay": ("统筹基金支出", "基本医保支付", "基本医疗保险支付", "统筹基金支付"),
    "hifmi_pay": ("大病补充医疗保险基金支出", "居民大病保险", "大病保险支付", "大病保险"),
    "hifob_pay": ("大额医疗补助基金支出", "大额医疗补助"),
    "cvlserv_pay": ("公务员医疗补助资金支出", "公务员医疗补助"),
    "maf_pay": ("医疗救助基金支出", "医疗救助", "医疗救助支付"),
    "othfund_pay": ("其它基金支付", "其他基金支付"),
    "fund_pay_sumamt": ("基金支付总额",),
    "psn_pay": ("个人支付金额", "个人支付", "个人负担金额"),
    "refd_setl_flag": ("退费结算标志", "退费标志"),
}
MEDICAL_AMOUNTS = ("medfee_sumamt", "inscp_scp_amt", "fulamt_ownpay_amt", "overlmt_selfpay",
                   "preselfpay_amt", "hifp_pay", "hifmi_pay", "hifob_pay", "cvlserv_pay",
                   "maf_pay", "othfund_pay", "fund_pay_sumamt", "psn_pay")

DISASTER: dict[str, tuple[str, ...]] = {
    "report_no": ("报告编号", "灾情报告编号", "报告号"),
    "certno": ("户主身份证号", "户主身份证号码", *ID),
    "psn_name": ("户主姓名", "姓名"),
    "disaster_kind": ("灾害类型", "灾种"),
    "event_date": ("发生日期", "受灾日期", "灾害发生日期"),
    "assessed_loss": ("损失评估金额", "核定损失", "评估损失", "损失金额"),
    "relief_paid": ("救灾款", "救灾救助", "灾害救助"),
    "insurance_paid": ("保险赔付", "农业保险赔付"),
}
DISASTER_AMOUNTS = ("assessed_loss", "relief_paid", "insurance_paid")

EDUCATION: dict[str, tuple[str, ...]] = {
    "certno": ("学生身份证号", "学生身份证号码", *ID),
    "psn_name": ("学生姓名", "姓名"),
    "stage": ("学段", "就读阶段", "教育阶段"),
    "school": ("学校", "就读学校", "学校名称"),
    "term": ("学期",),
    "tuition": ("学费",),
    "accommodation": ("住宿费",),
    "aid_received": ("资助金额", "已获资助", "助学金"),
}
EDUCATION_AMOUNTS = ("tuition", "accommodation", "aid_received")

CIVIL_AFFAIRS: dict[str, tuple[str, ...]] = {
    "certno": ID,
    "psn_name": ("姓名",),
    "assistance_kind": ("救助类型", "救助类别", "保障类型"),
    "amount": ("金额", "救助金额", "发放金额"),
    "event_date": ("日期", "发放日期", "救助日期"),
}
CIVIL_AFFAIRS_AMOUNTS = ("amount",)

#: Chinese label of each field, for messages and the error report.
LABELS: dict[str, str] = {
    **{name: synonyms[0] for table in (MEDICAL, DISASTER, EDUCATION, CIVIL_AFFAIRS)
       for name, synonyms in table.items()},
    "certno": "身份证号",
}


@dataclass(frozen=True)
class Bureau:
    """One bureau's feed: its columns, the ones a file must have, its amounts, the claim
    category and source its rows become, and its record number column (None: the record
    number is the SHA-256 of the row's identifying fields)."""

    name: str
    label: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    amounts: tuple[str, ...]
    category: str | None
    source: str | None
    record: str | None
    date: str | None

    def lookup(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for name, synonyms in self.columns.items():
            for header in (name, *synonyms):
                table.setdefault(normalize_header(header), name)
        return table

    def field_for(self, header: str) -> str | None:
        return self.lookup().get(normalize_header(header))


BUREAUS: dict[str, Bureau] = {
    "medical": Bureau("medical", "医保", MEDICAL,
                      ("setl_id", "certno", "setl_time", "medfee_sumamt"),
                      MEDICAL_AMOUNTS, "medical", "medical_insurance_feed", "setl_id",
                      "setl_time"),
    "disaster": Bureau("disaster", "应急", DISASTER,
                       ("report_no", "certno", "event_date", "assessed_loss"),
                       DISASTER_AMOUNTS, "disaster", "emergency_feed", "report_no",
                       "event_date"),
    "education": Bureau("education", "教育", EDUCATION,
                        ("certno", "stage", "tuition"), EDUCATION_AMOUNTS, "education",
                        "education_feed", None, None),
    "civil-affairs": Bureau("civil-affairs", "民政", CIVIL_AFFAIRS,
                            ("certno", "assistance_kind", "amount"), CIVIL_AFFAIRS_AMOUNTS,
                            None, None, None, "event_date"),
}
