"""Messages a person reads (提示信息), in Chinese first and English for developers.

Every message is a `Message`: a key of `CATALOGUE` and its parameters, rendered in the language
asked for (`render("zh")`, `render("en")`) or in the current one (`str(message)`: Chinese
unless `--lang en` or `ADJUDICATOR_LANG=en` chose English). A parameter whose name starts with
`field` names a field of an import row: it is shown with the column header the file used
(身份证号码, 证件号码 …) when the file had one, else with the field's Chinese name.

Pydantic's validation errors are worded by their error type and its context (`ctx`), never by
matching pydantic's English text: `validation_reason(error, lang)`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from typing import Any

from schemas import forms
from schemas.vocabulary import CLAIM_CATEGORIES, ROLES, Words, os_words, zh_table

LANGS = ("zh", "en")

_LANG: ContextVar[str | None] = ContextVar("adjudicator_lang", default=None)


def current_lang() -> str:
    """The language of messages now: set_lang's, else ADJUDICATOR_LANG's, else Chinese."""
    lang = _LANG.get() or os.environ.get("ADJUDICATOR_LANG", "zh").strip().lower()
    return lang if lang in LANGS else "zh"


def set_lang(lang: str | None) -> None:
    """Choose the language of messages (zh or en) for what follows; None: the default."""
    if lang is not None and lang not in LANGS:
        raise ValueError(f"--lang must be zh or en, not {lang!r}")
    _LANG.set(lang)


#: How a database URL is written (the refusals of a --db that cannot be used).
_DATABASE_URLS = ("sqlite:///文件名.db 或 postgresql://用户@主机/库名",
                  "sqlite:///file.db or postgresql://user@host/database")

#: key -> (Chinese, English) templates (str.format with the message's parameters)
CATALOGUE: dict[str, tuple[str, str]] = {
    # --- import: the file and its header
    "import.unknown_kind": ("不认识的导入类型“{kind}”，应为 {kinds}",
                            "unknown import kind {kind!r}: {kinds}"),
    "import.unknown_type": ("{file}：不认识的文件类型 {suffix}，请使用 .csv、.xlsx 或 .jsonl",
                            "{file}: unknown file type {suffix}: use .csv, .xlsx or .jsonl"),
    "import.not_workbook": ("{file}：不是可以读取的 Excel 工作簿（.xlsx）：可能是旧版 .xls、"
                            "改了扩展名的 CSV 或已损坏的文件，请在 Excel 中另存为 .xlsx 或 CSV "
                            "后重新导入；未导入任何数据",
                            "{file}: not a readable Excel workbook (.xlsx): an old .xls, a CSV "
                            "renamed, or a damaged file; save it as .xlsx or CSV and import it "
                            "again: nothing was imported"),
    "import.csv_broken": ("{file}：第 {row} 行起无法按 CSV 读取：多半是引号不配对，"
                          "或一个单元格超过 131,072 个字符；请在表格软件中检查这一行，另存为 CSV "
                          "后重新导入；未导入任何数据",
                          "{file}: cannot be read as CSV from row {row} on ({reason}): most "
                          "likely an unmatched quote, or a cell over 131,072 characters; check "
                          "that row, save the file as CSV again and re-import: nothing was "
                          "imported"),
    "import.empty_file": ("{file}：文件是空的，没有表头也没有数据行；未导入任何数据，"
                          "请检查导出的文件",
                          "{file}: the file is empty (no header, no rows): nothing imported; "
                          "check the export"),
    "import.refused": ("{file}：表头（第 {row} 行）{where}{reason}{more}；未导入任何数据，"
                       "详见错误报告 {report}",
                       "{file}: {code} {header!r} in the header (row {row}){more}: nothing "
                       "imported; see {report}"),
    "import.refused_more": ("（另有 {count} 处问题）", " (and {count} more)"),
    "import.unknown_column": ("不认识的列名（可用的列名见 docs/import.md；不需导入的列可命名为"
                              "“备注”）", "unknown column (see docs/import.md for the accepted "
                              "names; a column to ignore may be headed 备注)"),
    "import.duplicate_column": ("列 {headers} 都表示{field}，请只保留一列",
                                "columns {headers} all name {field}: keep one"),
    "import.missing_column": ("文件缺少{field}列", "the file has no {field} column"),
    "import.missing_identity": ("文件需要 {wanted} 列", "the file needs {wanted} columns"),
    "import.extra_cells": ("该行的单元格多于表头的列数",
                           "the row has more cells than the header has columns"),
    "import.not_json": ("不是有效的 JSON", "not valid JSON"),
    "import.not_object": ("不是 JSON 对象", "not a JSON object"),
    "import.unknown_field": ("不认识的字段（可用的字段见 docs/import.md）",
                             "unknown field (see docs/import.md)"),
    "import.database_error": ("{file}：数据库出错，导入中止（已保存的部分再次导入时会继续）："
                              "{reason}",
                              "{file}: database error, import stopped: {reason}"),
    "import.summary": ("{file}：共 {total} 行，接收 {accepted} 行（其中更新 {updated} 行），"
                       "未变 {unchanged} 行，退回 {rejected} 行（导入批次 {batch}）",
                       "{file}: {total} rows: {accepted} accepted ({updated} updated), "
                       "{unchanged} unchanged, {rejected} rejected (import batch {batch})"),
    "import.report_at": ("错误报告：{path}", "error report: {path}"),
    "import.undecodable": ("{where}含有无法按 {encoding} 解码的字节（文件可能已损坏或混用了编码）："
                           "该行未导入，请修正后重新导入",
                           "{where} holds bytes that {encoding} cannot decode (a damaged file "
                           "or mixed encodings): the row is not imported; correct it and "
                           "import again"),
    "import.control_character": ("{file} 第 {row} 行「{name}」含有控制字符 {char}："
                                 "该行未导入，请删除该字符后重新导入",
                                 "{file} row {row} ({name}) holds the control character "
                                 "{char}: the row is not imported; delete it and import "
                                 "again"),
    "import.report_unwritable": ("无法写入错误报告 {path}（{reason}）："
                                 "请用 --errors 指定可写的位置；未导入任何数据",
                                 "cannot write the error report {path} ({reason}): name a "
                                 "writable place with --errors: nothing imported"),
    "import.report_is_input": ("错误报告不能写到要导入的文件本身（{path}）："
                               "请给 --errors 另一个文件名；未导入任何数据",
                               "the error report cannot be the imported file itself ({path}): "
                               "give --errors another name: nothing imported"),
    "import.warnings": ("{count} 行已接收但需核对（见错误报告）",
                        "{count} rows accepted with a warning (see the error report)"),
    # --- import: matching a row to the register and to what is stored
    "match.unknown_household": ("没有登记户编号为 {household} 的户",
                                "no registered household {household}"),
    "match.unknown_member": ("户 {household} 没有登记成员编号为 {member} 的成员",
                             "household {household} has no registered member {member}"),
    "match.member_mismatch": ("身份证号码与户 {household} 成员 {member} 登记的不一致",
                              "the ID number is not the one registered for member {member} of "
                              "household {household}"),
    "match.no_member_with_id": ("没有登记此身份证号码的家庭成员",
                                "no registered household member with this ID number"),
    "match.no_member_with_id_in": ("户 {household} 中没有登记此身份证号码的家庭成员",
                                   "no registered household member with this ID number in "
                                   "household {household}"),
    "match.ambiguous_member": ("此身份证号码登记在 {count} 名成员名下：请填写户编号和成员编号",
                               "this ID number is registered for {count} members: name the "
                               "household and member"),
    "match.name_mismatch": ("姓名与户 {household} 成员 {member} 登记的不一致",
                            "the name is not the one registered for member {member} of "
                            "household {household}"),
    "claim.duplicate_id": ("案件 {claim} 已以不同内容保存，同一案件不会保存两次",
                           "claim {claim} is already stored with other content; it is never "
                           "stored twice"),
    "claim.duplicate_document": ("同一成员、同一类别、同一单据号的案件已保存为 {claim}",
                                 "a claim for the same member, category and document number "
                                 "is already stored as claim {claim}"),
    "household.conflict": ("户 {household} 的{fields}与本文件第 {row} 行不一致",
                           "household {household} has other {fields} at row {row} of this "
                           "file"),
    "household.member_conflict": ("户 {household} 的成员 {member} 在本文件第 {row} 行的内容不同",
                                  "member {member} of household {household} is at row {row} "
                                  "of this file with other values"),
    "household.duplicate_id_number": ("此身份证号码已登记在户 {household} 成员 {member} 名下",
                                      "this ID number is registered for member {member} of "
                                      "household {household}"),
    "household.relation_other": ("不认识的与户主关系“{value}”，已按“其他”登记（请核对）",
                                 "unknown relation {value!r}: registered as other (please "
                                 "check)"),
    "verification.no_claim": ("没有案件 {claim}（请先导入案件）",
                              "no claim {claim} is stored (import the claims first)"),
    "verification.not_own": ("用户 {user} 只能导入本人的核查",
                             "user {user} may import only their own verifications"),
    "verification.status": ("案件 {claim} 当前的状态（{status}）不能录入核查",
                            "{detail}"),
    # --- refusals of the services (str() of the refusal is the English template)
    # review (adjudicator review approve / deny)
    "review.bad_action": ("审核结论只能是批准（approve）或不予救助（deny）",
                          "the action is approve or deny"),
    "review.no_reason": ("每次审核都必须填写理由", "a reason is required for every review"),
    "review.no_claim": ("没有案件 {claim}", "no claim {claim}"),
    "review.not_pended": ("案件 {claim} 当前状态为{status}，不在待审核状态",
                          "claim {claim} is {status_code}, not pended"),
    "review.maker_checker": ("{user} 核查过案件 {claim}，必须由另一人审核（核查与审核分离）",
                             "{user} verified claim {claim}: another person must review it "
                             "(maker-checker)"),
    "review.incomplete": ("案件 {claim} 因入户核查信息不完整而待审，不能批准：请先录入完整的"
                          "核查，再重新理算",
                          "claim {claim} was pended for an incomplete verification: record a "
                          "complete one and adjudicate again"),
    # notice (adjudicator notice object / close)
    "notice.no_reason": ("登记异议必须写明异议内容", "an objection needs its reason"),
    "notice.no_claim": ("没有案件 {claim}", "no claim {claim}"),
    "claims.unknown": ("没有案件 {claim}", "no claim {claim}"),
    "documents.not_decided": ("案件 {claim} 尚未理算，没有理算记录可生成",
                              "claim {claim} is not decided yet: no decision record to write"),
    "notice.not_in_notice": ("案件 {claim} 当前状态为{status}：只能在公示期内登记异议",
                             "claim {claim} is {status_code}: objections are recorded during "
                             "its notice period"),
    "notice.no_notice": ("没有公示 {notice}", "no notice {notice}"),
    "notice.not_open": ("公示 {notice} 已是“{status}”状态", "notice {notice} is already "
                        "{status_code}"),
    "notice.running": ("公示 {notice} 的公示期到 {end} 为止：{first} 起才能结束公示",
                       "notice {notice} runs until {end}: it can be closed from {first}"),
    # calendar (adjudicator calendar add / remove)
    "calendar.reason_too_long": ("原因最多 200 个字（现有 {count} 个字）：请写得简短些",
                                 "the reason is at most 200 characters (this one has "
                                 "{count})"),
    "calendar.no_reason": ("县定放假日必须写明原因（--reason）",
                           "a county day off needs its reason (--reason)"),
    "calendar.not_day_off": ("{day} 不是县定放假日", "{day} is not a county day off"),
    # verification (adjudicator verify …)
    "verification.not_mapping": ("核查表应为 YAML 映射或 JSON 对象",
                                 "the form must be a mapping (YAML) or an object (JSON)"),
    "verification.invalid_form": ("核查表填写有误：{problems}", "invalid form: {problems}"),
    "verification.cannot_read": ("无法读取 {path}（{reason}）", "cannot read {path}: {reason}"),
    "verification.not_utf8": ("{path} 不是 UTF-8 文本（第 {offset} 个字节起无法读取）：核查表请"
                              "另存为 UTF-8 编码的 YAML 或 JSON",
                              "{path} is not UTF-8 text (unreadable from byte {offset}): save "
                              "the form as UTF-8 YAML or JSON"),
    "verification.not_parsable": ("{path} 不是有效的 {kind}（{where}）",
                                  "{path} is not valid {kind} ({where})"),
    "workdays.bad_days": ("核查时限 --days 应为 {least} 至 {most} 个工作日，不能是 {days}",
                          "--days must be {least} to {most} working days, not {days}"),
    "verification.not_covering": ("核查员 {verifier} 不负责乡镇 {township}",
                                  "verifier {verifier} does not cover township {township}"),
    "verification.nobody_covers": ("没有在用的核查员负责乡镇 {township}",
                                   "no active verifier covers township {township}"),
    "verification.all_at_limit": ("乡镇 {township} 的核查员都已达到工作量上限（{limits}）",
                                  "every verifier of township {township} is at the workload "
                                  "limit ({limits})"),
    "verification.only_own": ("用户 {user}（核查员）只能查看自己的核查任务（--mine）",
                              "user {user} (verifier) sees only their own assignments (--mine)"),
    "verification.not_verifier": ("{verifier} 不是在用的核查员",
                                  "{verifier} is not an active verifier"),
    "verification.assigned_to": ("案件 {claim} 分派给了{who}，不是 {user}：只有分派的核查员"
                                 "可以录入核查",
                                 "claim {claim} is assigned to {who}, not {user}: only the "
                                 "assigned verifier records it"),
    "verification.nobody": ("无人（由核查主管分派：verify assign）",
                            "nobody (a supervisor assigns it: verify assign)"),
    "verification.not_recordable": ("案件 {claim} 当前状态为{status}：只有入户核查中、已初筛、"
                                    "因核查信息不完整而待审、公示有异议或不予救助的案件才能"
                                    "录入核查",
                                    "claim {claim} is {status_code}: a verification is recorded "
                                    "while it is under verification, screened, pended for an "
                                    "incomplete verification, objected or denied"),
    "verification.pended_review": ("案件 {claim} 正在等待人工审核，不是因核查信息不完整而待审，"
                                   "不能重新核查",
                                   "claim {claim} is pended for a person's review, not for an "
                                   "incomplete verification"),
    "verification.signed_by": ("核查表的签名核查员是 {signer}，{user} 只能录入本人的核查",
                               "the form is signed by {signer}; {user} records only their own "
                               "verification"),
    "verification.unknown_claim": ("没有案件 {claim}", "no claim {claim}"),
    "verification.not_assigned": ("案件 {claim} 没有分派给 {user}",
                                  "claim {claim} is not assigned to {user}"),
    "verification.no_folder": ("佐证材料文件夹 {directory} 不存在",
                               "evidence folder {directory} does not exist"),
    "verification.problems": ("核查表与系统记录不符：{problems}", "{problems}"),
    "verification.refused": ("{detail}", "{detail}"),
    # audit (adjudicator audit sample / recheck / report / settle)
    "audit.bad_tolerance": ("容差应为 [0, 1) 之间的比例和非负的金额",
                            "the tolerance is a rate in [0, 1) and a non-negative amount"),
    "audit.signed_by": ("复核表的签名核查员是 {signer}，{user} 只能录入本人的复核",
                        "the form is signed by {signer}; {user} records only their own "
                        "re-check"),
    "audit.not_in_sample": ("案件 {claim} 不在第 {sample} 号样本中",
                            "claim {claim} is not in sample {sample}"),
    "audit.already_rechecked": ("第 {sample} 号样本的案件 {claim} 已经复核过（复核 #{done}）",
                                "claim {claim} of sample {sample} was already re-checked "
                                "(re-check #{done})"),
    "audit.maker_checker": ("{user} 核查过案件 {claim}，必须由另一人复核",
                            "{user} verified claim {claim}: another person must re-check it"),
    "audit.no_decision": ("案件 {claim} 没有可供审计的当前决定",
                          "claim {claim} has no current decision to audit"),
    "audit.no_verification": ("案件 {claim} 的决定没有依据入户核查",
                              "the decision of claim {claim} rests on no verification"),
    "audit.incomplete": ("抽样复核必须填写完整，缺少：{missing}",
                         "an audit re-check must be complete; missing: {missing}"),
    "audit.bad_rate": ("抽样比例应为大于 0、不超过 1、最多四位小数的数，不能是 {rate}",
                       "the rate is a fraction in (0, 1] with at most 4 decimals, not {rate}"),
    "audit.bad_seed": ("随机种子应为小于 2^63 的非负整数",
                       "the seed is a non-negative integer below 2^63"),
    "audit.bad_period": ("抽样期间的结束日期（{end}）早于开始日期（{start}）",
                         "the period ends ({end}) before it starts ({start})"),
    "audit.empty_population": ("所选期间没有已核查并已理算的案件，无法抽样",
                               "no verified and decided claims in the period: nothing to "
                               "sample"),
    "audit.no_sample": ("没有第 {sample} 号样本", "no sample {sample}"),
    "audit.reference_too_long": ("流水号或凭证号最多 64 个字",
                                 "the reference is at most 64 characters"),
    "audit.no_reference": ("必须填写结清凭证（银行转账流水号或收据号）",
                           "a settlement reference (bank transfer or receipt number) is "
                           "required"),
    "audit.no_adjustment": ("没有调整 {adjustment}", "no adjustment {adjustment}"),
    "audit.not_open": ("调整 {adjustment} 当前状态为{status}，不是待结清",
                       "adjustment {adjustment} is {status_code}, not open"),
    "audit.settle_way": ("{kind}只能以{ways}结清", "a {kind_code} is settled as {ways}"),
    "audit.decided_later": ("同户、同类别、同期的案件 {claims} 在调整 {adjustment} 立项后已按"
                            "扣除多付款项理算：请以“已抵扣”（offset）结清",
                            "claim(s) {claims} of the same household, category and period were "
                            "decided after adjustment {adjustment} opened, net of the "
                            "overpayment: settle it as offset"),
    # record (adjudicator.services.integrity: the database against the audit trail)
    "record.not_approvable": ("案件 {claim} 不能批准：{problem}。库中记录与审计链不一致，"
                              "未作任何变更（请运行 adjudicator log verify 查明）",
                              "claim {claim} cannot be approved: {problem}. The database "
                              "disagrees with the audit trail; nothing was changed (run "
                              "adjudicator log verify to find out why)"),
    "record.payment_stopped": ("兑现已停止，未支付任何款项：{problems}。库中记录与审计链或重放"
                               "不一致（请运行 adjudicator log verify 查明）",
                               "payment stopped, nothing was paid: {problems}. The database "
                               "disagrees with the audit trail or a replay (run adjudicator "
                               "log verify to find out why)"),
    # fund (adjudicator fund receipt)
    "fund.no_reference": ("须填写银行流水号或收据号", "a bank or receipt reference is required"),
    "fund.too_long": ("流水号最多 64 个字，备注最多 200 个字",
                      "the reference is at most 64 characters, the note at most 200"),
    "fund.not_positive": ("保费金额须为正数且最多两位小数：{amount}",
                          "amount must be positive, to the fen: {amount}"),
    "fund.too_large": ("保费金额 {amount} 超出上限 {limit} 元，请核对是否多输了位数",
                       "the amount {amount} is beyond {limit} yuan"),
    "fund.far_date": ("到账日期{received_on}不在{year}年度合同期前后",
                      "the receipt date {received_on} is far from the contract year "
                      "{year}"),
    "fund.reference_differs": ("流水号{reference}已登记为{recorded:.2f}元（{recorded_on}），"
                               "与本次{amount:.2f}元（{received_on}）不符",
                               "reference already recorded with another amount or date: "
                               "{reference} is {recorded:.2f} yuan ({recorded_on}), not "
                               "{amount:.2f} yuan ({received_on})"),
    # triage (adjudicator feed keep / remove: the township's screening)
    "triage.not_pushed": ("{month} 的预警推送名单中没有户 {household}",
                          "household {household} is not on the push list of {month}"),
    "triage.not_pushed_in": ("{month} 的预警推送名单中没有户 {household} 的{category}类",
                             "household {household} is not on the push list of {month} as "
                             "{category}"),
    "triage.categories": ("户 {household} 在 {month} 有多个类别：{categories}，"
                          "请用 --category 指定",
                          "household {household} has several categories in {month}: {codes}; "
                          "choose one with --category"),
    "triage.unregistered": ("户 {household} 不在监测登记范围，不能初筛",
                            "household {household} is not in the register: it cannot be "
                            "screened"),
    "triage.decided": ("户 {household} 的{category}类已是「{status}」"
                       "（只有待初筛的可以保留或剔除）",
                       "household {household} as {category} is already {status} (only one "
                       "awaiting screening is kept or removed)"),
    "triage.no_reason": ("剔除必须写明原因", "a removal needs its reason"),
    "triage.no_rows": ("户 {household} 没有尚未计入申请的{category}类结算",
                       "household {household} has no {category} settlement not yet in a claim"),
    # pay (adjudicator pay, pay register, pay reconcile)
    "pay.no_batch_ref": ("无法取得新的兑现批次号（并发的兑现运行过多），请稍后重试",
                         "no new payment batch number could be taken (too many payment runs "
                         "at once): try again later"),
    "pay.batch_running": ("批次 {batch} 正在兑现中，完成后会自动生成代发清单",
                          "batch {batch} is being paid: its register is written when the run "
                          "is done"),
    "pay.folder_unwritable": ("无法在 {path} 写入代发清单（{reason}）："
                              "请用 --out 指定可写的文件夹；未兑现任何案件",
                              "cannot write the register into {path} ({reason}): name a "
                              "writable folder with --out: nothing paid"),
    "pay.batch_empty": ("批次 {batch} 没有付款记录", "batch {batch} has no payments"),
    "pay.unreadable": ("{detail}", "{detail}"),
    "pay.cannot_read": ("{file}：无法读取回盘文件（{reason}）",
                        "{file}: the bank return cannot be read ({reason})"),
    "pay.not_table": ("{file}：回盘文件应为 CSV 或 XLSX", "{file}: a bank return is CSV or XLSX"),
    "pay.missing_columns": ("{file} 第 {row} 行（表头）：缺少列 {columns}",
                            "{file} row {row} (the header): columns missing: {columns}"),
    "pay.no_header": ("{file}：找不到表头（须有 付款流水号、收款账号、金额、处理结果 列）",
                      "{file}: no header found (the columns 付款流水号, 收款账号, 金额 and "
                      "处理结果 are needed)"),
    # regions (adjudicator import regions)
    "regions.unreadable": ("{detail}", "{detail}"),
    "regions.cannot_read": ("{file}：无法读取区划文件（{reason}）",
                            "{file}: the regions file cannot be read ({reason})"),
    "regions.not_table": ("{file}：区划文件应为 CSV 或 XLSX",
                          "{file}: a regions file is CSV or XLSX"),
    "regions.no_header": ("{file}：找不到表头（须有“区划代码”和“名称”两列）",
                          "{file}: no header found (the columns 区划代码 and 名称 are needed)"),
    # users (the web app's user administration)
    "users.no_active": ("没有在用的用户“{user}”", "no active user {user!r}"),
    "users.not_self": ("不能停用自己的账号", "one cannot disable one's own account"),
    "users.no_user": ("没有用户“{user}”", "no user {user!r}"),
    "users.bad_user_id": ("用户名须为1至64个英文字母、数字或符号（不含空格）",
                          "a user name is 1 to 64 ASCII letters, digits or signs (no spaces)"),
    "users.bad_name": ("请填写姓名（最多64个字）", "give the name (at most 64 characters)"),
    "users.unknown_role": ("未知角色“{role}”", "unknown role {role!r}"),
    "users.bad_township": ("乡镇代码“{code}”应为9位数字",
                           "township code {code!r} is not 9 digits"),
    "users.bad_region": ("负责乡镇“{code}”应为9位乡镇代码（或6位县代码、12位村代码）",
                         "township {code!r} is not a 9-digit township code (or a 6-digit "
                         "county or 12-digit village code)"),
    "users.bad_max_open": ("工作量上限 --max-open 应为 0 至 {most}，不能是 {count}",
                           "--max-open must be 0 to {most}, not {count}"),
    "users.other_role": ("用户 {user} 已存在，角色为{role}", "user {user} exists with role {role}"),
    "users.taken": ("用户名“{user}”已被使用", "user name {user!r} is taken"),
    "users.csv_broken": ("第 {row} 行起无法按 CSV 读取：多半是引号不配对，或一个单元格过长；"
                         "未添加任何用户",
                         "cannot be read as CSV from row {row} on: most likely an unmatched "
                         "quote, or a cell too long; no user was added"),
    "users.empty_file": ("文件是空的", "the file is empty"),
    "users.missing_columns": ("第 1 行（表头）缺少列：{columns}",
                              "row 1 (the header) lacks the columns {columns}"),
    # workflow (a claim's status and the moves it allows)
    "workflow.cannot_move": ("案件 {claim} 当前状态为{status}，不能转为{to}"
                             "（{status}可转为：{allowed}）",
                             "claim {claim} is {status_code}: it cannot move to {to_code} "
                             "(allowed from {status_code}: {allowed})"),
    "workflow.not_decided": ("案件 {claim} 当前状态为{status}：只有已理算的案件才能重新理算",
                             "claim {claim} is {status_code}: only a decided claim is decided "
                             "again"),
    "workflow.not_approved": ("案件 {claim} 当前状态为{status}：只有新的批准才能按差额结算",
                              "claim {claim} is {status_code}: only a new approval is settled "
                              "by the difference"),
    # tariffs (which tariff applies to a claim)
    "tariff.none_covers": ("没有已加载的保障方案适用于区划 {region} 在 {date} 的申请"
                           "（请用 adjudicator tariff load 文件 加载）",
                           "no stored tariff covers region {region} on {date} (load one with "
                           "'adjudicator tariff load FILE')"),
    "tariff.two_cover": ("有两个同样具体的保障方案适用于区划 {region} 在 {date} 的申请：{ids}"
                         "（#{first}、#{second}）；请用 adjudicator tariff retire 停用其中一个",
                         "two equally specific tariffs cover region {region} on {date}: {ids} "
                         "(#{first}, #{second}); retire one with 'adjudicator tariff retire'"),
    # --- rules that span fields of a row
    "row.name_member": ("请写明成员：填写{field}和{field2}，或填写{field3}",
                        "name the member: {field} and {field2}, or the ID number"),
    "row.go_together": ("{field}和{field2}须同时填写", "{field} and {field2} go together"),
    "row.not_applicable": ("{category}申请不适用{field}",
                           "{field} does not apply to a {category_en} claim"),
    "row.needs": ("{category}申请必须填写{field}", "a {category_en} claim needs {field}"),
    "row.member_twice": ("同一成员在{field}中出现两次", "a member appears twice in members"),
    "row.name_household": ("请写明户：填写成员的{field}或{field2}",
                           "name the household: a member's ID number or household_id"),
    # --- the command line
    "cli.error": ("错误：", "error: "),
    "cli.no_user": ("请说明操作人：--as 用户名，或设置 ADJUDICATOR_USER",
                    "say who is acting: --as USER or ADJUDICATOR_USER"),
    "cli.no_database": ("无法打开数据库：{reason}", "cannot open the database: {reason}"),
    "cli.no_such_file": ("{path}：文件不存在", "{path}: no such file"),
    "cli.file_error": ("无法读写 {path}（{reason}）：请检查路径，或换一个可写的位置",
                       "cannot read or write {path} ({reason}): check the path or choose a "
                       "writable place"),
    "evaluate.array_open": ("{source}：JSON 数组没有结束（缺少“]”）：文件可能不完整",
                            "{source}: the JSON array is not closed"),
    "evaluate.item_not_json": ("{source}：JSON 数组的第 {item} 项不是有效的 JSON",
                               "{source}: item {item} is not valid JSON"),
    "cli.same_output": ("--pdf 和 --xlsx 不能是同一个文件（{path}）：请给两个文件名；未作任何处理",
                        "--pdf and --xlsx cannot be the same file ({path}): give two names: "
                        "nothing done"),
    "db.bad_url": ("数据库地址无法识别：应为 " + _DATABASE_URLS[0]
                   + "（--db 或 ADJUDICATOR_DATABASE_URL）",
                   "the database URL cannot be read: it should be " + _DATABASE_URLS[1]
                   + " (--db or ADJUDICATOR_DATABASE_URL)"),
    "db.unsupported": ("不支持 {backend} 数据库：应为 " + _DATABASE_URLS[0]
                       + "（--db 或 ADJUDICATOR_DATABASE_URL）",
                       "{backend} databases are not supported: use " + _DATABASE_URLS[1]
                       + " (--db or ADJUDICATOR_DATABASE_URL)"),
    "db.sqlite_without_file": ("SQLite 数据库地址须给出文件：应为 " + _DATABASE_URLS[0],
                               "a SQLite database URL must name a file: " + _DATABASE_URLS[1]),
    "db.no_folder": ("数据库文件夹 {folder} 不存在：请先建好文件夹，或换一个位置",
                     "the database's folder {folder} does not exist: make it first, or choose "
                     "another place"),
    "db.missing": ("数据库 {url} 不存在：请检查 --db 或 ADJUDICATOR_DATABASE_URL，新建数据库请运行 "
                   "adjudicator init",
                   "database {url} does not exist: check --db or ADJUDICATOR_DATABASE_URL; "
                   "adjudicator init creates a new one"),
    "db.cannot_open": ("无法打开数据库 {url}：{reason}", "cannot open database {url}: {reason}"),
    "db.not_initialized": ("数据库 {url} 尚未建立本系统的表（没有迁移记录）：新建数据库请运行 "
                           "adjudicator init",
                           "database {url} has none of this program's tables (no migration "
                           "record): adjudicator init sets up a new database"),
    "db.other_schema": ("数据库 {url} 的结构版本（{found}）与本程序（{wanted}）不一致：请运行 "
                        "adjudicator init 升级数据库",
                        "database {url} is at schema {found}, this program at {wanted}: run "
                        "adjudicator init to upgrade it"),
    "cli.bad_year": ("年份应在 {least} 至 {most} 之间，不能是 {year}",
                     "a year from {least} to {most}, not {year}"),
    "checkpoint.leaf_outside": ("叶子序号 {index} 不在树的大小 {size} 之内",
                                "leaf index {index} is outside a tree of size {size}"),
    "checkpoint.path_too_long": ("证明路径比树高还长", "the proof path is longer than the tree"),
    "checkpoint.path_incomplete": ("证明路径不完整", "the proof path is incomplete"),
    "checkpoint.key_unwritable": ("无法写入签名私钥 {path}（{reason}）：请用 --checkpoint-key "
                                  "指定可写的位置",
                                  "cannot write the signing key {path} ({reason}): name a "
                                  "writable place with --checkpoint-key"),
    "checkpoint.key_unreadable": ("无法读取签名私钥 {path}（{reason}；由 adjudicator init 创建）",
                                  "cannot read the signing key {path} ({reason}; adjudicator "
                                  "init creates it)"),
    "checkpoint.not_a_key": ("{path} 不是签名私钥（PEM 格式，由 adjudicator init 创建）",
                             "{path} is not a signing key (PEM, made by adjudicator init)"),
    "checkpoint.not_ed25519_key": ("{path} 不是 Ed25519 私钥", "{path} is not an Ed25519 key"),
    "checkpoint.public_unreadable": ("无法读取公钥 {path}（{reason}）",
                                     "cannot read the public key {path} ({reason})"),
    "checkpoint.not_a_public_key": ("{path} 不是公钥（PEM 格式，由 adjudicator init 创建）",
                                    "{path} is not a public key (PEM, made by adjudicator "
                                    "init)"),
    "checkpoint.not_ed25519_public": ("{path} 不是 Ed25519 公钥",
                                      "{path} is not an Ed25519 public key"),
    "checkpoint.head_ahead": ("链头记录 {size} 个事件，库中只有 {counted} 个：先运行 adjudicator "
                              "log verify",
                              "the chain head records {size} events, the database holds "
                              "{counted}: run adjudicator log verify first"),
    "checkpoint.checkpoint_unreadable": ("检查点文件 {path} 无法读取（{reason}）",
                                         "cannot read the checkpoint file {path} ({reason})"),
    "checkpoint.checkpoint_not_json": ("检查点文件 {path} 不是 adjudicator log 写出的 JSON 文件，"
                                       "或内容不完整",
                                       "the checkpoint file {path} is not a JSON file written "
                                       "by adjudicator log, or is incomplete"),
    "checkpoint.proof_unreadable": ("证明文件 {path} 无法读取（{reason}）",
                                    "cannot read the proof file {path} ({reason})"),
    "checkpoint.proof_not_json": ("证明文件 {path} 不是 adjudicator log 写出的 JSON 文件，"
                                  "或内容不完整",
                                  "the proof file {path} is not a JSON file written by "
                                  "adjudicator log, or is incomplete"),
    "checkpoint.incomplete": ("检查点内容不完整（缺少 {missing}）：应为 adjudicator log checkpoint "
                              "写出的文件",
                              "the checkpoint is incomplete ({missing} missing): it should be "
                              "a file written by adjudicator log checkpoint"),
    "checkpoint.malformed": ("检查点内容不完整：应为 adjudicator log checkpoint 写出的文件",
                             "the checkpoint is incomplete: it should be a file written by "
                             "adjudicator log checkpoint"),
    "checkpoint.bad_signature": ("检查点的签名无效：不是该公钥签发的，或内容被改过",
                                 "the checkpoint's signature does not hold: not signed by "
                                 "this key, or its content was altered"),
    "checkpoint.log_truncated": ("审计日志只有 {counted} 个事件，少于检查点记录的 {size} 个："
                                 "日志被截短或删除过",
                                 "the audit log holds {counted} events, fewer than the "
                                 "checkpoint's {size}: the log was truncated or deleted"),
    "checkpoint.log_rewritten": ("前 {size} 个事件的默克尔树根与检查点（{issued}）不符：检查点之前"
                                 "的记录被改写过",
                                 "the Merkle root of the first {size} events differs from "
                                 "the checkpoint's ({issued}): records before it were "
                                 "rewritten"),
    "checkpoint.claim_not_inside": ("检查点（{size} 个事件）内没有案件 {claim} 的兑现或决定事件："
                                    "先写一个新的检查点（adjudicator log checkpoint）",
                                    "the checkpoint ({size} events) holds no payment or "
                                    "decision of claim {claim}: write a new checkpoint first "
                                    "(adjudicator log checkpoint)"),
    "checkpoint.log_differs": ("当前日志与检查点不符，无法出具证明：运行 adjudicator log verify "
                               "--checkpoint",
                               "the log differs from the checkpoint, so no proof can be "
                               "made: run adjudicator log verify --checkpoint"),
    "checkpoint.event_altered": ("事件内容与其哈希不符：证明中的事件被改过",
                                 "the event does not match its hash: the proof's event was "
                                 "altered"),
    "checkpoint.root_differs": ("证明路径得出的树根与签名检查点不符",
                                "the root the proof path leads to differs from the signed "
                                "checkpoint's"),
    "password.too_short": ("密码至少 {least} 个字符。",
                           "a password has at least {least} characters"),
    "password.too_long": ("密码最多 {most} 个字符。", "a password has at most {most} characters"),
    "password.spaces": ("密码的开头和结尾不能是空格。",
                        "a password cannot begin or end with a space"),
    "password.no_user": ("没有在用的用户“{user}”（见 adjudicator user list）",
                         "no active user {user} (see adjudicator user list)"),
    "password.link_spent": ("该设置链接已失效（已使用或已过期），请联系管理员重新发送。",
                            "this set-up link is no longer valid (used or expired): ask the "
                            "administrator for a new one"),
    "password.user_inactive": ("该账号已停用，请联系管理员。",
                               "this account is disabled: ask the administrator"),
    "password.mismatch": ("两次输入的密码不一致。", "the two passwords differ"),
    "cli.file_is_database": ("{option} 不能是本系统正在使用的数据库文件（{path}）：请换一个文件名；"
                             "未作任何处理",
                             "{option} cannot be the database file in use ({path}): give another "
                             "name: nothing done"),
    "cli.out_is_input": ("{option} 不能是要读取的文件本身（{path}）：请给 {option} 另一个文件名；"
                         "未作任何处理",
                         "{option} cannot be a file being read ({path}): give {option} "
                         "another name: nothing done"),
    "cli.is_folder": ("{path}：是文件夹，不是文件：请给出文件本身", "{path}: a folder, not a file"),
    "cli.bad_lang": ("--lang 只能是 zh 或 en", "--lang must be zh or en"),
    "cli.detail": ("{message}（{detail}）", "{detail}"),
    "cli.refused": ("未能完成（{detail}）", "{detail}"),
    "tariff.sha_short": ("请至少给出保障方案 SHA-256 的前 8 个字符",
                         "give at least 8 characters of the tariff's SHA-256"),
    "tariff.sha_matches": ("有 {count} 个保障方案与“{prefix}”相符（应恰好一个；见 adjudicator "
                           "tariff list --as 用户）",
                           "{count} stored tariffs match {prefix!r}"),
    "cli.not_decimal": ("{name} 应为小数，不能是 {text!r}", "{name} must be a decimal number, not "
                        "{text!r}"),
    "cli.workers_failed": ("理算的工作进程出错（{detail}）", "{detail}"),
    "cli.not_decided": ("案件 {claim} 未能理算：{why}", "claim {claim} was not decided: {why}"),
    "cli.not_ready": ("案件尚未就绪（未完成入户核查）", "it is not ready (not verified)"),
    "cli.summary_failed": ("汇总报告未能生成（{detail}）", "summary report: {detail}"),
    "cli.demo_stopped": ("演示中断（{detail}）", "the demo stopped: {detail}"),
    "cli.demo_check_failed": ("演示的重放或审计日志校验未通过",
                              "the demo's replay or audit trail check failed"),
    # --- the demo's steps (adjudicator demo)
    "demo.county": ("{county}（{code}）：{townships} 个乡镇，生成 {households} 户"
                    "（随机种子 {seed}）",
                    "county {county} ({code}): {townships} townships, {households} households "
                    "generated (seed {seed})"),
    "demo.import": ("导入{kind}：接收 {accepted} 行，拒收 {rejected} 行",
                    "import {kind}: {accepted} rows stored, {rejected} rejected"),
    "demo.import_in": ("{county}导入{kind}：接收 {accepted} 行，拒收 {rejected} 行",
                       "{county} import {kind}: {accepted} rows stored, {rejected} rejected"),
    "demo.assigned": ("分派入户核查：{claims} 件申请分给 {verifiers} 名核查员"
                      "（各 {days} 个工作日）",
                      "verification assigned: {claims} claims to {verifiers} verifiers ({days} "
                      "working days each)"),
    "demo.verifications": ("导入入户核查：记录 {accepted} 份，拒收 {rejected} 份",
                           "import verifications: {accepted} recorded, {rejected} rejected"),
    "demo.feed_import": ("导入{bureau}数据：{rows} 行，匹配 {matched} 行，未登记 {unmatched} 行，"
                         "冲销退费 {reversed} 笔，拒收 {rejected} 行",
                         "feed import {bureau}: {rows} rows, {matched} matched, {unmatched} not "
                         "registered, {reversed} refunds reversed, {rejected} rejected"),
    "demo.feed_screen": ("{month} 预警筛选：推送到乡镇 {pushed} 户，"
                         "系统剔除 {screened_out} 户（各附原因）",
                         "feed screen {month}: {pushed} households pushed to their townships, "
                         "{screened_out} screened out with a reason"),
    "demo.triage": ("乡镇初筛：保留 {kept} 户（{reused} 户沿用近期的入户核查，"
                    "新开核查任务 {tasks} 个），"
                    "剔除 {removed} 户（附原因）",
                    "township screening: {kept} kept ({reused} reuse a recent verification, "
                    "{tasks} verification tasks opened), {removed} removed with a reason"),
    "demo.feed_report": ("{month} 预警月报：{path}（PDF 与 XLSX）；未到部门：{missing}",
                         "feed report {month}: {path} (PDF and XLSX); missing bureaus: {missing}"),
    "demo.adjudicate": ("理算：决定 {decided} 件（{outcomes}），{waiting} 件等待同户更早的申请",
                        "adjudicate: {decided} decided ({outcomes}), {waiting} waiting for "
                        "earlier claims"),
    "demo.review": ("人工审核：县级经办人批准转人工的申请 {approved} 件；{left} 件仍待处理"
                    "（入户核查信息不完整）",
                    "review: {approved} pended claims approved by a county officer; {left} left "
                    "pended (incomplete verifications)"),
    "demo.adjudicate_again": ("再次理算：又决定 {decided} 件（{outcomes}）",
                              "adjudicate again: {decided} more decided ({outcomes})"),
    "demo.second_county": ("{county}（{code}，保障方案 {tariff}）：决定 {claims} 件；"
                           "结论：{reasons}",
                           "{county} ({code}, tariff {tariff}): {claims} claims decided; "
                           "reasons: {reasons}"),
    "demo.notices": ("公示：张贴村级公示 {notices} 份，{claims} 件申请，{total:,.2f} 元",
                     "notices: {notices} village notices posted, {claims} claims, {total:.2f} "
                     "yuan"),
    "demo.objection": ("异议：申请 {claim} 退回重新核查", "objection: claim {claim} sent back to "
                       "verification"),
    "demo.notices_closed": ("公示期满：结束公示 {notices} 份，可支付申请 {claims} 件",
                            "notice period over: {notices} notices closed, {claims} claims "
                            "payable"),
    "demo.pay": ("支付：{households} 户 {payments} 件申请，{total:,.2f} 元（{batch}）",
                 "pay: {payments} claims of {households} households, {total:.2f} yuan ({batch})"),
    "demo.bank_return": ("银行回盘：{confirmed} 笔转账成功（{confirmed_total:,.2f} 元），"
                         "{failed} 笔失败（{claim}：{reason}；更正账户后可再次支付）",
                         "bank return: {confirmed} transfers confirmed ({confirmed_total:.2f} "
                         "yuan), {failed} failed ({claim}: {reason}; payable again once its "
                         "account is corrected)"),
    "demo.documents": ("文书：不予救助告知书 {letters} 份，理算记录 {records} 份，年度工作总结"
                       "（PDF 与 XLSX）",
                       "documents: {letters} denial letters, {records} decision records, the "
                       "summary report (PDF and XLSX)"),
    "demo.rechecks": ("抽样复核：入户复核 {checked} 件，其中 {material} 件有重大差异{recoveries}",
                      "audit re-checks: {checked} sampled claims re-checked at the household, "
                      "{material} with a material discrepancy{recoveries}"),
    "demo.recoveries": ("（已立追回：{items}）", " (recovery opened: {items})"),
    "demo.audit": ("抽样审计：第 {sample} 号样本，从 {population} 件中抽取 {claims} 件（随机种子 "
                   "{seed}）；{summary}",
                   "sampling audit: sample #{sample} of {claims} claims drawn from {population} "
                   "(seed {seed}); {summary}"),
    "demo.audit_rate": ("复核 {rechecked} 件，差错率 {rate:.1%}（95% 置信区间 {low:.1%} 至 "
                        "{high:.1%}），重大差异 {material} 件",
                        "{rechecked} re-checked, error rate {rate:.1%} (95% interval {low:.1%} "
                        "to {high:.1%}), {material} material"),
    "demo.audit_none": ("尚无复核记录", "no re-check recorded"),
    "demo.fund": ("资金 {contract}：保费 {premium:,.2f} 元，已到账 {received:,.2f} 元；已支付 "
                  "{paid:,.2f} 元，已承诺 {committed:,.2f} 元，余额 {balance:,.2f} 元，赔付率 "
                  "{ratio}，全年预计 {projected:,.2f} 元{warning}",
                  "fund {contract}: premium {premium:,.2f} yuan, received {received:,.2f}; paid "
                  "{paid:,.2f}, committed {committed:,.2f}, balance {balance:,.2f}, loss ratio "
                  "{ratio}, projected year {projected:,.2f}{warning}"),
    "fund.warning": ("预警：已支付与已承诺合计{incurred:,.2f}元，已达到可用资金{fund:,.2f}元的"
                     "{share:%}（{at:,.2f}元）",
                     "warning: paid and committed {incurred:,.2f} yuan, {share:%} of the "
                     "{fund:,.2f} yuan available for claims ({at:,.2f}) reached"),
    "demo.then": ("；{text}", "; {text}"),
    "demo.settlement": ("{year} 年度资金结算：{result}，结转 {carried:,.2f} 元；列出年末未结案件 "
                        "{open} 件（PDF 与 XLSX）",
                        "fund settlement {year}: {result}, carried over {carried:,.2f}; {open} "
                        "open claims listed (PDF and XLSX)"),
    "demo.county_owes": ("县里应付保险公司 {amount:,.2f} 元", "the county owes the insurer "
                         "{amount:,.2f} yuan"),
    "demo.insurer_refunds": ("保险公司应退还县里 {amount:,.2f} 元", "the insurer refunds "
                             "{amount:,.2f} yuan to the county"),
    "demo.replay": ("重放：{checked} 件决定中 {identical} 件完全一致；审计日志 {events} 条事件，"
                    "{state}",
                    "replay: {identical} of {checked} decisions identical; audit trail: "
                    "{events} events, {state}"),
    "demo.chain_intact": ("完整无缺", "intact"),
    "demo.chain_broken": ("第 {seq} 条起不一致", "BROKEN at {seq}"),
    "demo.trust": ("资金与日志核对：{agree}；签名检查点 {checkpoint}：{size} 条事件已签名并验证"
                   "（{unchanged} 条未变）{proof}",
                   "money against the chain: {agree}; checkpoint {checkpoint}: {size} events "
                   "signed and verified ({unchanged} unchanged){proof}"),
    "demo.rows_agree": ("各行一致", "all rows agree"),
    "demo.rows_differ": ("{count} 行不一致", "{count} rows differ"),
    "demo.proof": ("；已证明 {claim} 的支付（{file}）", "; payout of {claim} proven ({file})"),
    "demo.files_title": ("演示输出", "demo output"),
    "demo.files_what": ("内容", "what"),
    "demo.files_where": ("位置", "where"),
    "demo.try": ("数据库：{database}（可试：adjudicator report --db {database} --as sun）",
                 "database: {database}  (try: adjudicator report --db {database} --as sun)"),
    "cli.tariff_invalid": ("保障方案文件有误：{detail}", "{detail}"),
    "cli.not_json": ("{path} 第 {line} 行：不是 JSON：应为 evaluate 输出的理算结论文件",
                     "{path}:line {line}: not JSON: give a file of decisions `evaluate` wrote"),
    "cli.not_decision": ("{path} 第 {line} 行：不是理算结论（{where}：{reason}）：应为 evaluate "
                         "输出的理算结论文件",
                         "{path}:line {line}: not a decision ({where}: {reason}): give a file "
                         "of decisions `evaluate` wrote"),
    "cli.no_decision": ("{target} 中没有{what}理算决定", "no decision{what_en} in {target}"),
    "cli.not_decided_anywhere": ("{claim}：既不是理算结果文件，也不是数据库中已理算的案件",
                                 "{claim}: neither a decisions file nor a decided claim in the "
                                 "database"),
    "cli.notice_or_due": ("请给出公示编号，或使用 --due", "give a notice number, or --due"),
    "cli.secure_cookies": ("--secure-cookies 只能是 auto、always 或 never",
                           "--secure-cookies is auto, always or never"),
    "cli.positive": ("--max-upload-mb 和 --session-hours 必须为正数",
                     "--max-upload-mb and --session-hours must be positive"),
    "cli.bad_port": ("--port 应为 1 至 65535，不能是 {port}",
                     "--port must be 1 to 65535, not {port}"),
    "cli.cannot_start": ("无法启动：{detail}", "cannot start: {detail}"),
    "cli.chain_broken": ("审计日志第 {seq} 条事件有误：{problem}（此前的 {checked} 条完好）",
                         "event {seq}: {problem} ({checked} events before it are intact)"),
    "cli.no_history": ("审计日志中没有关于 {entity} 的记录",
                       "the audit trail records nothing about {entity}"),
    "cli.no_tariff": ("没有保障方案文件或编号“{ref}”（见 adjudicator tariff list）",
                      "no tariff file, stored tariff or shipped tariff id {ref!r} (see "
                      "'adjudicator tariff list')"),
    "tariff.ambiguous": ("“{ref}”对应 {count} 个保障方案：{sha}；请给出 SHA-256",
                         "{ref!r} names {count} stored tariffs: {sha}; give the SHA-256"),
    "cli.contract_invalid": ("资金合同文件有误：{detail}", "{detail}"),
    "cli.tariffs_invalid": ("{bad} 个保障方案文件有误（共 {total} 个）",
                            "{bad} of {total} tariff file(s) invalid"),
    "cli.mine_or_all": ("--mine 和 --all 只能选一个", "--mine or --all, not both"),
    "cli.yaml_or_json": ("--format 只能是 yaml 或 json", "--format is yaml or json"),
    "cli.file_or_interactive": ("请给出 --file 核查表 或 --interactive（二选一）",
                                "give --file FORM or --interactive (one of them)"),
    # usage errors of the command line (typer/click's own words, in Chinese)
    "usage.usage": ("用法：{usage}", "Usage: {usage}"),
    "usage.try_help": ("查看帮助：{command} {option}", "Try '{command} {option}' for help."),
    "usage.title": ("错误", "Error"),
    "usage.missing_argument": ("缺少参数 {name}。", "Missing argument {name}."),
    "usage.missing_option": ("缺少选项 {name}。", "Missing option {name}."),
    "usage.missing_parameter": ("缺少参数。", "Missing parameter."),
    "usage.choose_from": ("可选：{choices}", "Choose from: {choices}"),
    "usage.no_such_option": ("没有这个选项：{name}", "No such option: {name}"),
    "usage.possible_options": ("（可能是：{options}）", "(Possible options: {options})"),
    "usage.no_such_command": ("没有这个命令：{name}。", "No such command {name}."),
    "usage.did_you_mean": ("您是不是要输入 {names}？", "Did you mean {names}?"),
    "usage.missing_command": ("缺少命令。", "Missing command."),
    "usage.extra_arguments": ("多余的参数（{args}）", "Got unexpected extra argument(s) ({args})"),
    "usage.needs_value": ("选项 {name} 后面需要给出 {count} 个值。",
                          "Option {name} requires {count} argument(s)."),
    "usage.takes_no_value": ("选项 {name} 不接受值。", "Option {name} does not take a value."),
    "usage.invalid_value": ("{name} 的值无效：{reason}", "Invalid value for {name}: {reason}"),
    "usage.invalid": ("值无效：{reason}", "Invalid value: {reason}"),
    "usage.not_one_of": ("{value} 不是可选值之一（{choices}）",
                         "{value} is not one of {choices}."),
    "usage.no_such_path": ("{value} 不存在", "{value} does not exist."),
    "usage.is_file": ("{value} 是文件，这里要的是文件夹", "{value} is a file."),
    "usage.is_folder": ("{value} 是文件夹，这里要的是文件", "{value} is a directory."),
    "usage.not_readable": ("{value} 没有读取权限", "{value} is not readable."),
    "usage.not_writable": ("{value} 没有写入权限", "{value} is not writable."),
    "usage.cannot_open": ("无法打开 {value}（{reason}）", "could not open {value}: {reason}"),
    "usage.not_date": ("{value} 不是有效的日期，应为 {formats}（如 2026-03-01）",
                       "{value} does not match the formats {formats}."),
    "usage.not_list": ("应给出一个或多个值", "Value must be an iterable."),
    "usage.argument_values": ("参数 {name} 需要 {count} 个值。",
                              "Argument {name} takes {count} values."),
    "usage.not_valid": ("{value} 不是有效的{kind}", "Value {value} is not a valid {kind}."),
    "usage.other": ("用法有误：{detail}", "{detail}"),
    "usage.aborted": ("已中止。", "Aborted."),
    "cli.not_submitted": ("未提交：没有录入任何内容", "not submitted: nothing was recorded"),
    "user.unknown": ("没有在用的用户“{user}”（由管理员用 adjudicator user add 添加用户）",
                     "no active user {user!r} (an admin adds users with 'adjudicator user "
                     "add')"),
    "scope.outside": ("该案件（或公示、抽样）不属于您负责的乡镇。",
                      "This claim (or notice, sample) is outside your townships."),
    "scope.outside_detail": ("该案件（或公示、抽样）不属于您负责的乡镇：{what} 在乡镇 {township}，"
                             "用户 {user} 负责的乡镇是 {townships}",
                             "{what} is in township {township}, outside the townships of user "
                             "{user} ({townships})"),
    "role.denied": ("用户 {user}（{role}）无权{action}：需要以下角色之一：{allowed}",
                    "user {user} ({role}) may not {action}: it needs the role {allowed}"),
    # --- table columns the commands share
    "col.claim": ("案件编号", "claim"),
    "col.household": ("户编号", "household"),
    "col.notice": ("公示编号", "notice"),
    "col.sample": ("样本", "sample"),
    "col.user": ("用户", "user"),
    "col.seq": ("序号", "seq"),
    "col.id": ("编号", "id"),
    "col.category": ("救助类别", "category"),
    "col.payout": ("赔付金额（元）", "payout"),
    "col.reasons": ("原因", "reasons"),
    "col.verifier": ("核查员", "verifier"),
    "col.township": ("乡镇", "township"),
    "col.status": ("状态", "status"),
    "col.outcome": ("结论", "outcome"),
    "col.amount": ("金额（元）", "amount"),
    "col.role": ("角色", "role"),
    "col.name": ("姓名", "name"),
    "col.townships": ("负责乡镇", "townships"),
    "col.active": ("在用", "active"),
    "col.at": ("时间", "at"),
    "col.actor": ("操作人", "actor"),
    "col.kind": ("类型", "kind"),
    "col.detail": ("内容", "detail"),
    "col.due": ("期限", "due"),
    "col.village": ("村", "village"),
    "col.households": ("户数", "households"),
    "col.claims": ("件数", "claims"),
    "col.total": ("合计（元）", "total"),
    "col.period": ("公示期", "period"),
    "col.file": ("文件", "file"),
    "col.decided_at": ("决定时间", "decided at"),
    # --- feed
    "feed.database_error": ("数据库错误，已停止（已提交的批次保留，重新导入可续）：{reason}",
                            "database error, stopped (committed batches stay; importing again "
                            "goes on): {reason}"),
    "feed.unknown_bureau": ("未知的部门 {bureau!r}：应为 {bureaus}",
                            "unknown bureau {bureau!r}: {bureaus}"),
    # the refusals of a feed's import (adjudicator.feeds.importer.FeedRefused)
    "feed.bad_month": ("月份 {month!r} 格式不对：应为 YYYY-MM，例如 2026-03",
                       "month {month!r} is not YYYY-MM, e.g. 2026-03"),
    "feed.refused_bureau": ("未知的部门 {bureau!r}：应为 {bureaus} 之一",
                            "unknown bureau {bureau!r}: one of {bureaus}"),
    "feed.csv_broken_after": ("{file}：第 {row} 行起无法按 CSV 读取：多半是引号不配对，"
                              "请在表格软件中检查这一行，另存为 CSV 后重新导入同一文件；"
                              "此前的 {rows} 行已入库，重新导入时不会重复",
                              "{file}: cannot be read as CSV from row {row} on: most likely an "
                              "unmatched quote; check that row, save the file as CSV again and "
                              "import the same file again: the {rows} rows before it are "
                              "stored and are not stored twice"),
    "feed.cannot_write": ("无法写出 {path}（{reason}）：请换一个可写的位置",
                          "cannot write {path} ({reason}): choose a writable place"),
    "feed.not_table": ("{file}: 部门数据应为 CSV 或 XLSX 文件",
                       "{file}: a department's data is a CSV or XLSX file"),
    "feed.refused_header": ("{file} 第 {row} 行：{reason}{more}；未导入任何数据，"
                            "见错误报告 {report}",
                            "{file} row {row}: {reason}{more}: nothing imported; see the "
                            "error report {report}"),
    "feed.refused_more": ("（另有 {count} 个问题）", " (and {count} more)"),
    "feed.no_header": ("前10行中找不到表头（至少应有两个可识别的列名，见 docs/feeds.md）",
                       "no header in the first 10 rows (it needs at least two known column "
                       "names, see docs/feeds.md)"),
    "feed.no_header_sheet": ("只读第一个工作表「{sheet}」，其前10行中找不到表头"
                             "（至少应有两个可识别的列名，见 docs/feeds.md）："
                             "数据若在别的工作表（{others}），请把它移到最前面",
                             "only the first sheet, {sheet!r}, is read, and its first 10 rows "
                             "have no header (it needs at least two known column names, see "
                             "docs/feeds.md): if the data is on another sheet ({others}), move "
                             "it first"),
    "feed.missing_column": ("缺少必需的列：{label}（{name}）",
                            "a required column is missing: {name} ({label})"),
    "feed.doubled_column": ("有多列都表示{label}（{name}）：只保留一列",
                            "several columns are {name} ({label}): keep one"),
    "feed.imported": ("{file}（{month}）：{total} 行，新入库 {accepted} 行"
                      "（匹配登记成员 {matched}，未登记 {unmatched}，退费冲销 {reversed}），"
                      "已有未变 {unchanged} 行，"
                      "拒收 {rejected} 行；"
                      "跳过合计行 {skipped}",
                      "{file} ({month}): {total} rows, {accepted} new ({matched} matched to a "
                      "registered member, {unmatched} not registered, {reversed} refunds "
                      "reversed), {unchanged} unchanged, {rejected} rejected; {skipped} total "
                      "rows skipped"),
    "feed.unused_columns": ("未使用的列：{columns}", "columns not used: {columns}"),
    "feed.col.head": ("户主", "head"),
    "feed.col.figure": ("本年累计", "year to date"),
    "feed.col.line": ("预警线", "warning line"),
    "feed.col.new": ("新增", "new"),
    "feed.col.members": ("人数", "members"),
    "feed.col.why": ("原因/说明", "reason / note"),
    "feed.none_over": ("{month}：没有超过预警线的户",
                       "{month}: no household over a warning line"),
    "feed.push_list": ("{month} 预警推送名单", "{month} push list"),
    "feed.push_list_in": ("{month} 预警推送名单 — {name} {code}",
                          "{month} push list — {name} {code}"),
    "feed.pushed": ("推送 {pushed} 户次，系统剔除 {screened_out} 户次",
                    "{pushed} pushed, {screened_out} screened out by the system"),
    "feed.reused": ("沿用核查记录 #{verification}，无需再次入户",
                    "verification #{verification} reused, no new visit"),
    "feed.task": ("核查任务交 {verifier}，{due} 前完成",
                  "verification task to {verifier}, due {due}"),
    "feed.kept": ("户 {household} 保留：申请 {claims}；{task}",
                  "household {household} kept: claims {claims}; {task}"),
    "feed.removed": ("户 {household} 已剔除：{note}", "household {household} removed: {note}"),
    "feed.report_title": ("{month} 部门数据推送与初筛月报", "{month} department feeds report"),
    "feed.missing": ("未到部门：{bureaus}", "bureaus missing: {bureaus}"),
    "feed.written": ("已写出 {path}", "written: {path}"),
    # --- pay
    "pay.register": ("批次 {batch}：{payments} 笔，合计 {total:,.2f} 元；代发清单 {csv}、{xlsx}",
                     "batch {batch}: {payments} payments, {total:,.2f} yuan; register {csv}, "
                     "{xlsx}"),
    "pay.recovered": ("补写了中断批次 {batch} 的代发清单：{csv}",
                      "the register of interrupted batch {batch} written: {csv}"),
    "pay.paid": ("{batch}：兑现 {payments} 件，{households} 户，合计 {total:,.2f} 元；"
                 "代发清单（保密，勿公开）{csv}、{xlsx}",
                 "{batch}: {payments} claims paid, {households} households, {total:,.2f} yuan; "
                 "register (confidential) {csv}, {xlsx}"),
    "pay.nothing": ("没有可兑现的申请", "no claim is payable"),
    "pay.held": ("暂不兑现 {claim}：{reason}", "held back {claim}: {reason}"),
    "pay.reconciled": ("{file}：银行确认 {confirmed} 笔（{total:,.2f} 元），失败 {failed} 笔，"
                       "已入账未变 {unchanged} 笔，退回 {rejected} 行",
                       "{file}: {confirmed} transfers confirmed ({total:,.2f} yuan), {failed} "
                       "failed, {unchanged} unchanged, {rejected} rows rejected"),
    "pay.failed": ("转账失败 {claim}：{reason}（更正账户后可再次兑现）",
                   "transfer failed {claim}: {reason} (payable again once the account is "
                   "corrected)"),
    "pay.error_report": ("错误报告：{path}", "error report: {path}"),
    # --- calendar
    "calendar.col.date": ("日期", "date"),
    "calendar.col.weekday": ("星期", "weekday"),
    "calendar.col.what": ("安排", "what"),
    "calendar.weekdays": ("一 二 三 四 五 六 日", "Mon Tue Wed Thu Fri Sat Sun"),
    "calendar.title": ("{year} 年节假日与调休（{source}）",
                       "{year}: days off and adjusted working days ({source})"),
    "calendar.unknown_year": ("注意：日历数据尚无 {year} 年的国务院节假日安排，该年的期限按周一至"
                              "周五计算；请升级 chinese-calendar（pip install -U "
                              "chinese-calendar）。",
                              "note: the calendar data has no official schedule of {year}; "
                              "its deadlines count Monday to Friday; upgrade chinese-calendar "
                              "(pip install -U chinese-calendar)."),
    "calendar.added": ("{day}：已添加为县定放假日", "{day}: added as a county day off"),
    "calendar.already": ("{day}：已是县定放假日", "{day}: already a county day off"),
    "calendar.removed": ("{day}：已不再是县定放假日", "{day}: no longer a county day off"),
    "calendar.col.reason": ("原因", "reason"),
    "calendar.days_off": ("县定放假日", "county days off"),
    # --- evaluate, explain, serve, user password, import regions
    "evaluate.summary": ("{cases} 个案件：{outcomes}；格式有误 {errors} 个",
                         "{cases} cases: {outcomes}; {errors} malformed"),
    "explain.bands": ("分段赔付", "Bands"),
    "serve.started": ("防贫保网页版：http://{host}:{port}/（接口文档：/api/docs）",
                      "防贫保 web app on http://{host}:{port}/ (API docs: /api/docs)"),
    "password.new": ("新密码", "new password"),
    "password.repeat": ("再输入一次", "repeat it"),
    "password.set": ("已为 {user} 设置网页登录密码；其网页会话均已退出",
                     "password of {user} set; their web sessions were signed out"),
    "login.unlocked": ("已解除 {user} 的网页登录锁定", "web login of {user} unlocked"),
    "login.not_locked": ("{user} 的网页登录没有被锁定", "web login of {user} was not locked"),
    "regions.summary": ("{file}：乡镇 {townships} 个、村 {villages} 个，补全了 {named} 户的名称，"
                        "退回 {rejected} 行{report}",
                        "{file}: {townships} townships, {villages} villages, {named} households "
                        "named, {rejected} rows rejected{report}"),
    "regions.report": ("；错误报告 {path}", "; error report {path}"),
    # --- fund, whatif
    "fund.contract_needed": ("请给出 --contract 文件，或 --county 与 --year",
                             "give --contract, or --county and --year"),
    "fund.contract_year": ("合同{contract}是{year}年度的，不是{wanted}年度",
                           "contract {contract} is of {year}, not {wanted}"),
    "fund.bad_amount": ("金额无效，应为元，最多两位小数，如 565320.00：{text!r}",
                        "not an amount in yuan (at most two decimals, e.g. 565320.00): "
                        "{text!r}"),
    "fund.bad_date": ("{what}应为YYYY-MM-DD：{text!r}", "{what_en} as YYYY-MM-DD: {text!r}"),
    "fund.received_on": ("到账日期", "date received"),
    "fund.as_of": ("截至日期", "as-of date"),
    "fund.already_recorded": ("流水号{reference}已登记过（{amount:,.2f}元），未重复登记",
                              "reference {reference} already recorded ({amount:,.2f} yuan); "
                              "not recorded twice"),
    "fund.received": ("已登记保费到账 {amount:,.2f}元（{day}，流水号{reference}，合同{contract}）",
                      "premium received: {amount:,.2f} yuan ({day}, reference {reference}, "
                      "contract {contract})"),
    "fund.ledger_title": ("{name} 资金台账（截至{as_of}）", "{name}: the fund on {as_of}"),
    "fund.col.item": ("项目", "item"),
    "fund.col.yuan": ("金额（元）", "yuan"),
    "fund.row.warning_at": ("预警线（{share:%}）", "warning at ({share:%})"),
    "fund.row.premium": ("年度保费", "premium"),
    "fund.row.opening_balance": ("上年结转", "opening balance"),
    "fund.row.management_fee": ("管理费", "management fee"),
    "fund.row.fund_for_claims": ("可用于赔付", "fund for claims"),
    "fund.row.premium_due": ("应收保费（已到期）", "premium due"),
    "fund.row.premium_received": ("已到账保费", "premium received"),
    "fund.row.top_ups_paid": ("补发已付", "top-ups paid"),
    "fund.row.recoveries_repaid": ("追回已退", "recoveries repaid"),
    "fund.row.recoveries_offset": ("追回（冲抵）", "recoveries offset"),
    "fund.row.recoveries_open": ("待追回", "recoveries open"),
    "fund.row.paid_net": ("净兑现", "paid net"),
    "fund.row.committed": ("已承诺", "committed"),
    "fund.row.incurred": ("已发生合计", "paid + committed"),
    "fund.row.balance": ("资金余额", "balance"),
    "fund.row.loss_ratio": ("赔付率", "loss ratio"),
    "fund.row.projected_year": ("全年预计赔付", "projected year"),
    "fund.row.projected_balance": ("预计年末余额", "projected balance"),
    "fund.by_category": ("按救助类别兑现", "paid by category"),
    "fund.by_township": ("按乡镇兑现", "paid by township"),
    "fund.by_month": ("按月兑现", "paid by month"),
    "fund.by_status": ("已承诺（按状态）", "committed by status"),
    "fund.settled": ("{title}：第{revision}次核算，{state}",
                     "{title}: revision {revision}, {state}"),
    "fund.settled_new": ("已记录", "recorded"),
    "fund.settled_same": ("与已记录的结算相同，未重复记录",
                          "the same as the one recorded; not recorded twice"),
    "fund.county_owes": ("县财政应补足保险公司 {amount:,.2f}元",
                         "the county owes the insurer {amount:,.2f} yuan"),
    "fund.insurer_refunds": ("保险公司应退还县财政 {amount:,.2f}元",
                             "the insurer refunds {amount:,.2f} yuan to the county"),
    "fund.carried_over": ("结转下年 {amount:,.2f}元", "carried over {amount:,.2f} yuan"),
    "fund.open_claims": ("年末未结案件 {count}件；结算单 {pdf}，{xlsx}",
                         "{count} claims open at the year's end; statement {pdf}, {xlsx}"),
    "whatif.curve_title": ("{year}年度测算成本曲线（{claims}件案件）",
                           "{year} cost curve ({claims} claims)"),
    "whatif.col.draft": ("测算赔付", "draft"),
    "whatif.col.change": ("较实际", "change"),
    "whatif.col.new": ("新增户", "new"),
    "whatif.col.lost": ("不再赔付户", "lost"),
    "whatif.col.premium": ("所需人均保费", "premium/person"),
    "whatif.actual": ("实际赔付：{amount:,.2f}元", "actual: {amount:,.2f} yuan"),
    "whatif.chart": ("图表：{path}", "chart: {path}"),
    "whatif.variant": ("测算 {tariff}：重新理算{claims}件案件，{changed}件决定改变；实际赔付"
                       "{actual:,.2f}元，草案赔付{draft:,.2f}元（{change:+,.2f}元）",
                       "what-if {tariff}: {claims} claims re-decided, {changed} decisions "
                       "changed; actual {actual:,.2f} yuan, draft {draft:,.2f} yuan "
                       "({change:+,.2f})"),
    "whatif.by_category": ("按救助类别", "by category"),
    "whatif.by_township": ("按乡镇", "by township"),
    "whatif.col.actual": ("实际", "actual"),
    "whatif.col.draft_short": ("草案", "draft"),
    "whatif.col.change_short": ("变化", "change"),
    "whatif.households": ("户数变化", "households"),
    "whatif.col.households": ("户", "households"),
    "whatif.col.persons": ("人", "persons"),
    "whatif.col.amount_change": ("金额变化", "change"),
    "whatif.newly_paid": ("新增赔付", "newly paid"),
    "whatif.no_longer_paid": ("不再赔付", "no longer paid"),
    "whatif.paid_more": ("赔付增加", "paid more"),
    "whatif.paid_less": ("赔付减少", "paid less"),
    "whatif.required_fund": ("按合同赔付率所需资金：{amount:,.2f}元",
                             "required fund at the contract's loss ratio: {amount:,.2f} yuan"),
    "whatif.required_premium": ("所需人均保费：{amount:,.2f}元",
                                "premium per insured person: {amount:,.2f} yuan"),
    "whatif.invalid": ("{count}件案件快照无效，未计入：{claims}",
                       "{count} case snapshots not valid, not counted: {claims}"),
    # --- tariff
    "tariff.shipped_title": ("随软件提供的保障方案（数据库中的方案："
                             "adjudicator tariff list --as 用户）",
                             "shipped tariffs (the database's: adjudicator tariff list --as USER)"),
    "tariff.stored_title": ("数据库中的保障方案", "stored tariffs"),
    "tariff.col.id": ("方案编号", "id"),
    "tariff.col.name": ("名称", "name"),
    "tariff.col.valid": ("有效期", "valid"),
    "tariff.col.regions": ("区划", "regions"),
    "tariff.col.categories": ("类别", "categories"),
    "tariff.active": ("在用", "active"),
    "tariff.retired": ("已停用", "retired"),
    "tariff.retired_why": ("已停用：{reason}", "retired: {reason}"),
    "tariff.none_stored": ("数据库中还没有保障方案（adjudicator tariff load FILE）",
                           "no tariff is stored yet (adjudicator tariff load FILE)"),
    "tariff.status_line": ("数据库中的第 {pk} 号方案，状态：{status}；{loaded_at} 由 {loaded_by} "
                           "加载；SHA-256 {sha}",
                           "stored tariff #{pk}, {status}; loaded {loaded_at} (Beijing time) "
                           "by {loaded_by}; sha256 {sha}"),
    "tariff.retired_status": ("已停用（{at} 由 {by} 停用：{reason}）",
                              "retired ({at} by {by}: {reason})"),
    "tariff.show.file": ("文件 {file}  SHA-256 {sha}", "file {file}  sha256 {sha}"),
    "tariff.show.valid": ("有效期 {start} 至 {end}；覆盖区划 {regions}",
                          "valid {start} .. {end}; regions {regions}"),
    "tariff.show.income": ("防贫线 每人 {line} 元（{test}）；困难例外比例 {hardship}；"
                           "临界收入幅度 {margin}；取整单位 {rounding}",
                           "income line {line} per person ({test}); hardship ratio {hardship}; "
                           "borderline margin {margin}; rounding {rounding}"),
    "tariff.show.after_expense": ("扣除累计合规支出后测算", "after_expense"),
    "tariff.show.before_expense": ("不扣除支出测算", "before_expense"),
    "tariff.show.caps": ("大额审核线 {large}；全类别户年度封顶 {cap}",
                         "large payout review {large}; household all-category cap {cap}"),
    "tariff.show.person_cap": ("全类别每人年度封顶 {cap}", "per-person all-category cap {cap}"),
    "tariff.show.household_categories": ("保障的户类别：{categories}",
                                         "covered household categories: {categories}"),
    "tariff.show.negative_list": ("负面清单：{items}", "negative list: {items}"),
    "tariff.show.category": ("{label}（{code}）：{shape}，年度封顶 {cap}",
                             "{code}: shape {shape}, annual cap {cap}"),
    "tariff.show.excluded": ("；除外原因：{causes}", "; excluded causes {causes}"),
    "tariff.show.no_motor": ("；机动车损失除外", "; motor-vehicle losses excluded"),
    "tariff.col.from": ("起", "from"),
    "tariff.col.to": ("止", "to"),
    "tariff.col.rate": ("赔付比例", "rate"),
    "tariff.valid_ok": ("{path}：无误（{tariff}，SHA-256 {sha}）",
                        "{path}: ok ({tariff}, sha256 {sha})"),
    "tariff.stored": ("{tariff}：已保存（SHA-256 {sha}）", "{tariff}: stored (sha256 {sha})"),
    "tariff.already_stored": ("{tariff}：已存在（SHA-256 {sha}）",
                              "{tariff}: already stored (sha256 {sha})"),
    "tariff.retired_done": ("{tariff}（{sha}）已停用", "{tariff} ({sha}) retired"),
    # --- verify
    "verify.assigned": ("已分派：{count} 件", "assigned: {count}"),
    "verify.unassigned": ("未分派：{count} 件", "not assigned: {count}"),
    "col.why": ("原因", "why"),
    "verify.deadline": ("截止日期 {due}（{days} 个工作日，{note}）",
                        "deadline {due} ({days} working days, {note})"),
    "verify.notice": ("注意：{text}", "note: {text}"),
    "verify.open": ("核查任务：{count} 件", "open assignments: {count}"),
    "verify.overdue": ("逾期：{count} 件", "overdue: {count}"),
    "verify.col.days_left": ("剩余工作日", "working days left"),
    "verify.col.draft": ("草稿", "draft"),
    "verify.form_written": ("案件 {claim} 的核查表已写入 {path}",
                            "form of claim {claim} written to {path}"),
    "verify.paper_written": ("申请 {claim} 的纸质核查表已写入 {path}",
                             "paper form of claim {claim} written to {path}"),
    "verify.warning": ("提醒：{text}", "warning: {text}"),
    "verify.submit_anyway": ("仍然提交？", "submit anyway?"),
    "verify.submitted": ("案件 {claim}：入户核查已提交；案件状态：{status}",
                         "claim {claim}: verification submitted; the claim is {status}"),
    "verify.draft": ("案件 {claim}：已保存为草稿；尚缺：",
                     "claim {claim}: saved as a draft; missing:"),
    "verify.prompt.answer_yes_no": ("请回答 是 或 否（也可留空）",
                                    "answer 是 or 否 (or leave it blank)"),
    "verify.prompt.title": ("入户核查：案件 {claim}，户 {household}",
                            "verification of claim {claim}, household {household}"),
    "verify.prompt.date": ("入户核查日期（YYYY-MM-DD）", "visit date (YYYY-MM-DD)"),
    "verify.prompt.counted": ("{member} {name}（{relation}）计入家庭人口",
                              "{member} {name} ({relation}) counted in the household"),
    "verify.prompt.income": ("{label}（元，没有填 0）", "{label} {kind} (yuan, 0 for none)"),
    "verify.prompt.cost": ("{label}（元）", "{label} {kind} (yuan)"),
    "verify.prompt.finding": ("比对：{text}", "cross-check: {text}"),
    "verify.prompt.evidence": ("佐证 {kind} {ref}", "evidence {kind} {ref}"),
    "verify.prompt.add_evidence": ("添加佐证材料：{kinds}（空白结束）",
                                   "add evidence: {kinds} (blank to end)"),
    "verify.prompt.ref": ("票据号或文件名", "receipt number or file name"),
    "verify.prompt.note": ("备注（勿写身份证号）", "note (no ID numbers)"),
    # --- audit
    "audit.sample": ("第 {sample} 号样本：从 {population} 件中抽取 {claims} 件（抽样比例 {rate}，"
                     "随机种子 {seed}）；总体 SHA-256 {sha}",
                     "sample {sample}: {claims} of {population} claims (rate {rate}, seed "
                     "{seed}); population SHA-256 {sha}"),
    "audit.strata": ("分层", "strata"),
    "audit.col.population": ("总体件数", "population"),
    "audit.col.sampled": ("抽取件数", "sampled"),
    "audit.claims": ("抽中的案件：{claims}", "claims: {claims}"),
    "audit.recheck": ("案件 {claim} 的第 {recheck} 次复核：{stored} {stored_payout:,.2f} 元 → "
                      "复核 {audit} {audit_payout:,.2f} 元；{material}",
                      "re-check {recheck} of claim {claim}: {stored} {stored_payout:.2f} → "
                      "audit {audit} {audit_payout:.2f}; {material}"),
    "audit.material": ("有重大差异", "MATERIAL"),
    "audit.not_material": ("无重大差异", "not material"),
    "audit.discrepancies": ("差异", "discrepancies"),
    "audit.col.field": ("项目", "field"),
    "audit.col.verifier_found": ("核查员", "verifier"),
    "audit.col.auditor_found": ("复核人", "auditor"),
    "audit.col.difference": ("差额", "difference"),
    "audit.col.material": ("重大", "material"),
    "audit.reopened": ("案件已重新理算：新决定 {decision}",
                       "claim reopened: new decision {decision}"),
    "audit.not_reopened": ("未重新理算：{why}", "not reopened: {why}"),
    "audit.adjustment_opened": ("已立{kind} {amount:,.2f} 元（调整 {adjustment}）",
                                "{kind} {amount:.2f} opened (adjustment {adjustment})"),
    "audit.by.verifier": ("抽样复核：按核查员", "sampling audit by verifier"),
    "audit.by.township": ("抽样复核：按乡镇", "sampling audit by township"),
    "audit.col.rechecked": ("已复核", "rechecked"),
    "audit.col.with_discrepancies": ("有差异", "with discrepancies"),
    "audit.col.error_rate": ("差错率", "error rate"),
    "audit.col.interval": ("95% 置信区间（Wilson）", "95% interval (Wilson)"),
    "audit.col.at_stake": ("涉及金额（元）", "payout at stake"),
    "audit.col.fields": ("差异项目", "fields"),
    "audit.col.reopened": ("已重新理算", "reopened"),
    "audit.col.adjustment": ("追回/补发", "adjustment"),
    "audit.material_title": ("重大差异：{count} 件", "material: {count}"),
    "audit.written": ("已写入：{path}", "written: {path}"),
    "audit.adjustments": ("追回/补发：{count} 笔", "adjustments: {count}"),
    "audit.col.received": ("已领取（元）", "received"),
    "audit.col.granted": ("应得（元）", "granted"),
    "audit.col.settled": ("结清方式", "settled"),
    "audit.settled": ("调整 {adjustment}（{kind} {amount:,.2f} 元，案件 {claim}）已结清：{how}",
                      "adjustment {adjustment} ({kind} {amount:.2f}, claim {claim}) settled: "
                      "{how}"),
    # --- notice
    "notice.period": ("{start} 至 {end}", "{start} to {end}"),
    "notice.created": ("公示 {count} 份", "{count} notices"),
    "notice.listed": ("公示 {count} 份", "{count} notices"),
    "notice.objected": ("案件 {claim}：已登记异议，退回入户核查",
                        "claim {claim}: objection recorded; back to verification"),
    "notice.closed": ("公示 {notice} 已结束：可兑现 {payable} 件，有异议 {objected} 件",
                      "notice {notice} closed: {payable} payable, {objected} objected"),
    "notice.none_due": ("没有公示期已满的公示", "no notice period has ended"),
    "notice.letters": ("已生成不予救助告知书 {count} 份：{path}",
                       "{count} denial letters written to {path}"),
    "notice.records": ("已生成理算记录 {count} 份：{path}",
                       "{count} decision records written to {path}"),
    # --- init, user, log
    "init.ready": ("数据库已就绪：{url}", "database ready: {url}"),
    "init.admin": ("首个管理员：{admin}（其他用户用 adjudicator user add 添加）",
                   "first admin user: {admin} (add others with 'adjudicator user add')"),
    "init.tariffs": ("保障方案：{tariffs}", "tariffs: {tariffs}"),
    "init.tariff_loaded": ("{tariff}（已加载）", "{tariff} (loaded)"),
    "init.tariff_kept": ("{tariff}（已存在）", "{tariff} (already stored)"),
    "init.key_created": ("检查点签名密钥：{path}（新建；请存放在数据库主机以外，"
                         "把 {public} 交给审计）",
                         "checkpoint signing key: {path} (created; keep it off the database "
                         "host, give auditors {public})"),
    "init.key_kept": ("检查点签名密钥：{path}（沿用；请存放在数据库主机以外，"
                      "把 {public} 交给审计）",
                      "checkpoint signing key: {path} (kept; keep it off the database host, "
                      "give auditors {public})"),
    "user.ready": ("用户 {user}（{role}）已就绪", "user {user} ({role}) ready"),
    "log.intact": ("审计日志完好：{checked} 条事件，哈希链校验通过；所有涉及支付的金额与状态均与"
                   "链上记录一致",
                   "audit trail intact: {checked} events, hash chain verified; every amount "
                   "and status that pays agrees with the chain"),
    "log.records_differ": ("审计链完好（{checked} 个事件），但有 {count} 处库中记录与链上记录不"
                           "一致：见上（表、行、列）",
                           "the chain is intact ({checked} events) but {count} stored records "
                           "differ from what it recorded: see above (table, row, column)"),
    "log.record_differs": ("{table} 表 {row} 行 {column} 列：链上记录为 {chain}，库中为 {stored}",
                           "table {table}, row {row}, column {column}: the chain recorded "
                           "{chain}, stored {stored}"),
    "log.extends": ("{issued_at} 的检查点成立：其中 {size} 条事件未变，日志已延续到 {current} 条",
                    "checkpoint of {issued_at} holds: its {size} events are unchanged and the "
                    "log extends it to {current} events"),
    "log.no_checkpoint": ("审计日志第 {seq} 条事件有误：{problem}；不能为损坏的链签发检查点",
                          "event {seq}: {problem}: no checkpoint of a broken chain"),
    "log.checkpoint": ("检查点 {out}：{size} 条事件，树根 {root}，密钥 {key_id}",
                       "checkpoint {out}: {size} events, tree head {root}, key {key_id}"),
    "log.proof": ("案件 {claim} 的证明（共 {size} 条事件中的第 {seq} 条）：{out}",
                  "proof of claim {claim} (event {seq} of {size}): {out}"),
    "log.proof_holds": ("证明成立：案件 {claim} 的{what}{amount}（事件 {seq}）在 {issued_at} 签发、"
                        "共 {size} 个事件的审计日志中",
                        "proof holds: the {what} of claim {claim}{amount} (event {seq}) is in "
                        "the log of {size} events signed {issued_at}"),
    "log.proof_payment": ("兑现", "payment"),
    "log.proof_decision": ("决定", "decision"),
    "log.proof_amount": (" {amount} 元", " of {amount} yuan"),
    # --- adjudicate, review, replay, report
    "claims.adjudicating": ("理算", "adjudicating"),
    "claims.decided": ("理算 {decided} 件（{outcomes}）；赔付 {total:,.2f} 元；{waiting} 件等待同户"
                       "更早的申请；{errors} 件无法理算",
                       "decided {decided} claims ({outcomes}); payouts {total:.2f} yuan; "
                       "{waiting} waiting for earlier claims; {errors} cannot be adjudicated"),
    "review.title": ("待人工审核：{count} 件", "pend queue: {count}"),
    "review.approved": ("案件 {claim}：已由 {user} 批准救助", "claim {claim}: approved by {user}"),
    "review.denied": ("案件 {claim}：已由 {user} 决定不予救助", "claim {claim}: denied by {user}"),
    "replay.done": ("重放 {checked} 件决定：{identical} 件完全一致，{different} 件不同",
                    "replayed {checked} decisions: {identical} identical, {different} "
                    "different"),
    "replay.difference": ("决定 {decision}（案件 {claim}）{field}：保存的是 {stored}，重放得到 "
                          "{replayed}",
                          "decision {decision} ({claim}) {field}: stored {stored}, replayed "
                          "{replayed}"),
    "report.total": ("申请 {claims} 件，涉及 {households} 户 {persons} 人；救助 {approved} 件"
                     "（{approved_households} 户）{approved_amount:,.2f} 元；已兑现 {paid} 件"
                     "（{paid_households} 户）{paid_amount:,.2f} 元",
                     "claims {claims}, households {households}, persons {persons}; approved "
                     "{approved} ({approved_households} households) {approved_amount:.2f} yuan; "
                     "paid {paid} ({paid_households} households) {paid_amount:.2f} yuan"),
    "report.by.category": ("按救助类别", "by claim category"),
    "report.by.household_category": ("按户类别", "by household category"),
    "report.by.township": ("按乡镇", "by township"),
    "report.by.month": ("按月份", "by month"),
    "report.col.category": ("救助类别", "category"),
    "report.col.household_category": ("户类别", "household category"),
    "report.col.township": ("乡镇", "township"),
    "report.col.month": ("月份", "month"),
    "report.col.claims": ("申请件数", "claims"),
    "report.col.households": ("户", "households"),
    "report.col.persons": ("人", "persons"),
    "report.col.approved": ("救助件数", "approved"),
    "report.col.approved_amount": ("救助金额（元）", "approved amount"),
    "report.col.paid": ("已兑现件数", "paid"),
    "report.col.paid_amount": ("兑现金额（元）", "paid amount"),
}

#: Chinese names of the roles and of the actions they may take (adjudicator.roles)
ROLE_ZH = zh_table(ROLES)
ACTION_ZH = {
    "init": "初始化数据库", "user.manage": "管理用户", "tariff.load": "加载保障方案",
    "import": "导入数据", "import.verifications": "导入入户核查", "verify.assign": "分派核查",
    "calendar.manage": "维护县定放假日",
    "verify.record": "录入入户核查", "verify.read": "查看入户核查", "adjudicate": "理算",
    "review": "人工审核", "notice": "公示", "pay": "兑现", "audit.sample": "抽样复核",
    "audit.record": "录入复核结果", "read": "查看", "replay": "重放决定",
    "log.verify": "校验审计日志", "log.read": "查看审计日志",
    "fund": "管理资金（登记保费到账、年度核算）", "feed.screen": "部门数据预警筛选",
    "feed.triage": "乡镇初筛",
}


#: Chinese names of the claim categories in row messages
_CATEGORY_ZH = zh_table(CLAIM_CATEGORIES)


class Message:
    """A message by key and parameters, rendered in either language."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, **params: Any) -> None:
        if key not in CATALOGUE:
            raise KeyError(f"no message {key!r}")
        self.key = key
        self.params = params

    def render(self, lang: str | None = None,
               label: Callable[[str, str], str] | None = None) -> str:
        """The message in `lang` (default: the current language); `label(field, lang)` names
        a field (default: its Chinese name, or the field itself in English)."""
        lang = lang or current_lang()
        name = label or field_name
        zh, en = CATALOGUE[self.key]
        values = {}
        for key, value in self.params.items():
            if hasattr(value, "render"):  # a part worded in the same language
                value = value.render(lang, label)
            elif key.startswith("field") and isinstance(value, str):
                shown = name(value, lang)
                value = f"“{shown}”" if lang == "zh" else shown
            elif key == "category":
                values["category_en"] = value
                value = _CATEGORY_ZH.get(value, value) if lang == "zh" else value
            values[key] = value
        return (zh if lang == "zh" else en).format(**values)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Message({self.key!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Message) and other.key == self.key
                and other.params == self.params)

    def __hash__(self) -> int:
        return hash(self.key)


Text = str | Message


class Tally:
    """Counts of worded codes in the message's language, "<words> <count>" joined by 、 (or, for a
    listing without counts, 医保、民政); 无 / none when there is nothing."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[tuple[Any, int | None]]) -> None:
        self.items = list(items)  # (Words or anything with .render, count or None)

    def render(self, lang: str | None = None,
               label: Callable[[str, str], str] | None = None) -> str:
        lang = lang or current_lang()
        parts = [words.render(lang) + ("" if count is None else f" {count}")
                 for words, count in self.items]
        if not parts:
            return "无" if lang == "zh" else "none"
        return ("、" if lang == "zh" else ", ").join(parts)

    def __str__(self) -> str:
        return self.render()


def render(text: Text, lang: str | None = None,
           label: Callable[[str, str], str] | None = None) -> str:
    """A message or a plain string (already worded: shown as it is in both languages)."""
    return text if isinstance(text, str) else text.render(lang, label)


class LocalizedError(Exception):
    """An error whose message is a `Message`. str() is the English (for logs and developers);
    a door (the CLI, the web app) shows `exc.message` in the person's language."""

    def __init__(self, message: Text) -> None:
        super().__init__(render(message, "en"))
        self.message = message

    def localized(self, lang: str | None = None) -> str:
        return render(self.message, lang)


class Refused(LocalizedError, ValueError):
    """A value or request a service refuses, worded in both languages."""


def os_reason(exc: OSError) -> Words:
    """Why a file could not be opened or written (an OSError), worded in both languages for a
    message's parameter; the system's own words when the error is not a common one."""
    return os_words(exc)


def worded(table: Mapping[str, Words], code: str) -> Words:
    """A code's words in a vocabulary table (the code itself in both languages when the table
    has none), for a message's parameter."""
    return table.get(code) or Words(code, code)


class NotFound(LocalizedError, LookupError):
    """Nothing (or more than one thing) matches what was asked for."""


# --- field names ---------------------------------------------------------------------------


def field_name(field: str, lang: str) -> str:
    """A field's Chinese name (the first Chinese header accepted for it; 负面清单-车辆 for
    neg_VEHICLE), or the field itself in English."""
    if lang != "zh":
        return field
    return _chinese_names().get(field, field)


_NAMES: dict[str, str] = {}


def _chinese_names() -> dict[str, str]:
    if not _NAMES:
        from adjudicator.intake import columns
        from adjudicator.rules.negative_items import BUILTIN_ITEMS

        for table in (columns.HOUSEHOLD_COLUMNS, columns.CLAIM_COLUMNS,
                      columns.VERIFICATION_COLUMNS, columns.DEPARTMENT_COLUMNS):
            for field, headers in table.items():
                chinese = [h for h in headers if not h.isascii()]
                if chinese:
                    _NAMES.setdefault(field, chinese[0])
        _NAMES.update({"members": "家庭成员", "verification": "核查记录",
                       "negative_list": "负面清单", "income": "收入", "costs": "支出"})
        for code, label in BUILTIN_ITEMS.items():
            _NAMES[f"neg_{code}"] = f"负面清单-{label}"
    return _NAMES


# --- pydantic's validation errors, by type -------------------------------------------------

#: pydantic error type -> Chinese words (str.format with the error's ctx)
VALIDATION_ZH: dict[str, str] = {
    "missing": "必须填写",
    "extra_forbidden": "不认识的字段",
    "string_too_short": "不能为空",
    "string_too_long": "内容太长：最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "应为文字",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "应小于 {lt}",
    "decimal_max_places": "最多 {decimal_places} 位小数（元、角、分）",
    "decimal_max_digits": "金额过大：最多 {max_digits} 位数字",
    "decimal_whole_digits": "金额过大",
    "decimal_parsing": "不是有效金额，请填写数字，如 1234.56",
    "decimal_type": "不是有效金额，请填写数字，如 1234.56",
    "finite_number": "不是有效金额，请填写数字，如 1234.56",
    "date_parsing": "日期无效，请写成 2026-03-01",
    "date_from_datetime_parsing": "日期无效，请写成 2026-03-01",
    "date_from_datetime_inexact": "日期无效，请写成 2026-03-01",
    "date_type": "日期无效，请写成 2026-03-01",
    "bool_parsing": "请填写 是 或 否",
    "bool_type": "请填写 是 或 否",
    "int_parsing": "请填写整数",
    "int_type": "请填写整数",
    "enum": "取值无效，应为 {expected}",
    "literal_error": "取值无效，应为 {expected}",
    "list_type": "应为列表",
    "dict_type": "应为对象（键值对）",
    "model_type": "应为对象（键值对）",
    "model_attributes_type": "应为对象（键值对）",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "json_invalid": "不是有效的 JSON",
    # this project's own types (schemas.imports)
    "vocabulary": "不认识的取值“{value}”：请填写中文名称或代码（见 docs/import.md）",
    "flag": "请填写 是 或 否（也可写 Y/N、1/0）",
    "date": f"不是日期：{forms.DATE_FORMS_ZH}",
    "id_number": f"不是 18 位身份证号码：{forms.ID_NUMBER_FORMS_ZH}",
    "region_code": "不是 12 位村级行政区划代码（县 6 位、乡镇 3 位、村 3 位）",
    "item": "不是负面清单项目：请填写代码（如 VEHICLE）或中文名称（如 车辆），见 docs/import.md",
}

#: schemas.types.AmountError.problem -> Chinese words
AMOUNT_ZH: dict[str, str] = {
    "boolean": "金额应为数字，不能是是/否",
    "places": "金额最多两位小数（元、角、分）",
    "type": "金额应为数字，如 1234.56",
    "format": "不是有效金额：最多两位小数，如 1234.56",
    "plain": "不是有效金额：请只写数字，如 1234.56",
    "negative": "金额不能为负数",
}


_HAN = re.compile("[\u4e00-\u9fff]")


def validation_reason(error: Mapping[str, Any], lang: str | None = None,
                      label: Callable[[str, str], str] | None = None) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) worded for a person: by its
    type and context in Chinese, pydantic's own message in English. Never the input value
    (except a vocabulary word, which is not personal)."""
    lang = lang or current_lang()
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind == "row_rule" and isinstance(ctx.get("rule"), Message):
        return str(ctx["rule"].render(lang, label))
    if lang != "zh":
        return str(error.get("msg", ""))
    if _HAN.match(str(error.get("msg", ""))):  # our own rule, worded in Chinese already
        return str(error["msg"])
    if kind in ("amount", "value_error", "assertion_error"):
        problem = ctx.get("problem") or getattr(ctx.get("error"), "problem", None)
        if problem in AMOUNT_ZH:
            return AMOUNT_ZH[problem]
        return "格式不正确"
    template = VALIDATION_ZH.get(kind)
    if template is None:
        return "格式不正确"
    if kind == "greater_than_equal" and str(ctx.get("ge")) in ("0", "0.0", "0.00"):
        return "不能为负数"
    if kind == "string_too_short" and int(ctx.get("min_length", 1)) > 1:
        return "至少 {min_length} 个字符".format(**ctx)
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split("：")[0].split("，")[0]


class ValidationReason(Message):
    """A pydantic error as a message: worded by `validation_reason` when rendered (with the
    file's headers for the fields a row rule names)."""

    __slots__ = ("error",)

    def __init__(self, error: Mapping[str, Any]) -> None:
        self.key, self.params, self.error = "validation", {}, error

    def render(self, lang: str | None = None,
               label: Callable[[str, str], str] | None = None) -> str:
        return validation_reason(self.error, lang, label)

    def __repr__(self) -> str:
        return f"ValidationReason({self.error.get('type')!r})"


def problem_text(problem: str, lang: str | None = None) -> str:
    """A loader's problem with a tariff or contract file (adjudicator.rules.problems.Problem)
    for a person: its Chinese, or its pydantic error worded in Chinese; its English under
    `--lang en`. A plain string is shown as it is."""
    lang = lang or current_lang()
    if lang != "zh":
        return str(problem)
    zh = getattr(problem, "zh", None)
    if zh:
        return str(zh)
    error = getattr(problem, "error", None)
    if error:
        return validation_reason(error, "zh")
    return str(problem)


def problem_lines(source: str, problems: list[tuple[str, str]],
                  lang: str | None = None) -> list[str]:
    """Every problem of a file, one line each: the file, the key at fault, what is wrong."""
    return [f"{source}: {key}: {problem_text(message, lang)}" for key, message in problems]
