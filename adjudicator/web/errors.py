"""Refusals in Chinese: every error the web app returns has an HTTP status, a stable code
(for the API's clients), a Chinese message and, when a service refused, the service's own
one-line reason as `detail` (services never put a name or an ID number in it).

The services' refusals carry their reason in both languages (`LocalizedError`: str() is the
English, `localized("zh")` the Chinese). Their status and code are found by rules over the
English; the reason shown as `detail` is the Chinese. Anything not recognised keeps a generic
Chinese headline with the service's reason below it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from adjudicator.messages import LocalizedError, Message, validation_reason
from adjudicator.roles import PermissionDenied
from adjudicator.services.audit import AuditRefused
from adjudicator.services.integrity import RecordRefused
from adjudicator.services.notices import NoticeRefused
from adjudicator.services.review import ReviewRefused
from adjudicator.services.scope import OutOfScope
from adjudicator.services.verification import INCOME_LABELS, VerificationRefused
from adjudicator.workflow import IllegalTransition


@dataclass(frozen=True)
class FieldProblem:
    """One wrong field: its key (as on the page and in the JSON body) and what is wrong."""

    field: str
    message: str


@dataclass
class WebError(Exception):
    """An answer other than success: status, code, Chinese message, details."""

    status: int
    code: str
    message: str
    detail: str | None = None
    fields: list[FieldProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def as_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "detail": self.detail,
                          "fields": [{"field": f.field, "message": f.message}
                                     for f in self.fields]}}


# (pattern of the service's message, status, code, Chinese message)
Rule = tuple[str, int, str, str]
_VERIFICATION: list[Rule] = [
    (r"^no claim ", 404, "not_found", "没有这个案件。"),
    (r"not assigned to|only the assigned verifier", 403, "not_assigned",
     "该案件没有分派给您：核查员只能查看和填写分派给自己的案件。"),
    (r"signed by .* records only their own", 403, "not_assigned",
     "核查表的核查员不是您本人。"),
    (r"is in the future", 422, "invalid_form", "入户核查日期不能晚于今天。"),
    (r"早于申请 .* 的事发日期", 422, "invalid_form", "入户核查日期不能早于申请的事发日期。"),
    (r"pended for a person's review", 409, "wrong_status",
     "该案件正在等待人工审核，不能重新核查。"),
    (r"a verification is recorded while", 409, "wrong_status", "该案件当前的状态不能录入核查。"),
    (r"is missing from the form|is not a member of household", 409, "form_outdated",
     "家庭成员与系统记录不一致，请刷新页面后重新填写。"),
    (r"is not an item of tariff", 409, "form_outdated",
     "负面清单项目与保障方案不一致，请刷新页面后重新填写。"),
    (r"evidence|sha256|SHA-256", 422, "invalid_evidence", "佐证材料有误，请重新上传。"),
    (r"no tariff|tariff", 409, "no_tariff", "没有适用于该案件的保障方案，请联系县乡村振兴局。"),
]
_REVIEW: list[Rule] = [
    (r"^no claim ", 404, "not_found", "没有这个案件。"),
    (r"maker-checker", 403, "maker_checker",
     "您核查过该案件，必须由另一人审核（核查与审核分离）。"),
    (r"reason is required", 422, "reason_required", "请填写审核理由。"),
    (r"incomplete verification", 409, "incomplete_verification",
     "该案件因入户核查信息不完整而待审，不能批准：请先录入完整的核查，再重新理算。"),
    (r"not pended", 409, "not_pended", "该案件不在待审核状态（可能已被处理）。"),
    (r"approve or deny", 422, "invalid_action", "审核结论只能是批准或不予救助。"),
]
_NOTICE: list[Rule] = [
    (r"^no notice ", 404, "not_found", "没有这个公示。"),
    (r"^no claim ", 404, "not_found", "没有这个案件。"),
    (r"is already ", 409, "notice_closed", "该公示已经结束。"),
    (r"runs until", 409, "notice_running", "公示期尚未结束，不能结束公示。"),
    (r"needs its reason", 422, "reason_required", "请填写异议内容。"),
    (r"objections are recorded during", 409, "not_in_notice", "该案件不在公示期内，不能登记异议。"),
]
_AUDIT: list[Rule] = [
    (r"^no sample ", 404, "not_found", "没有这个抽样。"),
    (r"the rate is", 422, "invalid_rate",
     "抽样比例应为 0 到 1 之间的小数（最多四位小数），如 0.05。"),
    (r"the seed is", 422, "invalid_seed", "随机种子应为非负整数。"),
    (r"period ends", 422, "invalid_period", "抽样期间的结束日期早于开始日期。"),
    (r"nothing to sample", 409, "empty_population",
     "所选期间没有已核查并已理算的案件，无法抽样。"),
]


def _match(rules: Iterable[Rule], text: str, fallback: tuple[int, str, str],
           detail: str) -> WebError:
    for pattern, status, code, message in rules:
        if re.search(pattern, text):
            return WebError(status, code, message, detail=detail)
    status, code, message = fallback
    return WebError(status, code, message, detail=detail)


def refusal(exc: Exception) -> WebError:
    """A service's refusal as a WebError with the right status and a Chinese message; its
    `detail` is the service's own reason, in Chinese when the refusal has it in both
    languages (the rules match the English, str(exc))."""
    text = str(exc)
    detail = exc.localized("zh") if isinstance(exc, LocalizedError) else text
    if isinstance(exc, OutOfScope):
        return WebError(403, "out_of_scope", Message("scope.outside").render("zh"), detail=detail)
    if isinstance(exc, PermissionDenied):
        return WebError(403, "forbidden", "您的角色无权进行此项操作。", detail=detail)
    if isinstance(exc, VerificationRefused):
        if text.startswith("invalid form: "):
            return WebError(422, "invalid_form", "核查表填写有误，请按提示修改。",
                            detail=detail)
        return _match(_VERIFICATION, text, (422, "verification_refused", "核查表未能保存。"),
                      detail)
    if isinstance(exc, ReviewRefused):
        return _match(_REVIEW, text, (409, "review_refused", "审核未能完成。"), detail)
    if isinstance(exc, NoticeRefused):
        return _match(_NOTICE, text, (409, "notice_refused", "公示操作未能完成。"), detail)
    if isinstance(exc, AuditRefused):
        return _match(_AUDIT, text, (409, "audit_refused", "抽样复核操作未能完成。"), detail)
    if isinstance(exc, IllegalTransition):
        return WebError(409, "wrong_status", "该案件当前的状态不允许这项操作。", detail=detail)
    if isinstance(exc, RecordRefused):
        return WebError(409, "record_mismatch", "库中金额与审计链记录不一致，未作任何支付或批准，"
                        "请通知管理员核查（adjudicator log verify）。", detail=detail)
    raise exc


REFUSALS: tuple[type[Exception], ...] = (PermissionDenied, VerificationRefused, ReviewRefused,
                                         NoticeRefused, AuditRefused, IllegalTransition,
                                         RecordRefused)

# --------------------------------------------------------------------------- form fields

_PROBLEM_WORDS: dict[str, str] = {
    "greater_than_equal": "不能为负数",
    "decimal_max_places": "最多两位小数（元、角、分）",
    "decimal_max_digits": "金额过大",
    "decimal_parsing": "不是有效金额，请填写数字，如 1234.56",
    "decimal_type": "不是有效金额，请填写数字，如 1234.56",
    "date_from_datetime_parsing": "日期无效，格式为 年-月-日，如 2026-03-14",
    "date_parsing": "日期无效，格式为 年-月-日，如 2026-03-14",
    "date_type": "日期无效，格式为 年-月-日，如 2026-03-14",
    "string_too_long": "内容太长",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不正确",
    "missing": "必须填写",
    "extra_forbidden": "不认识的字段",
    "enum": "取值无效",
    "literal_error": "取值无效",
    "bool_parsing": "请选择 是 或 否",
    "bool_type": "请选择 是 或 否",
    "int_parsing": "请填写整数",
    "flag": "请选择 是 或 否",
}


def _value_error_words(error: Mapping[str, Any]) -> str:
    """A value_error by the kind of the error raised (schemas.types.AmountError.problem),
    never by its English text."""
    problem = getattr((error.get("ctx") or {}).get("error"), "problem", None)
    if problem == "negative":
        return "不能为负数"
    if problem is not None:
        return "不是有效金额，请填写数字，如 1234.56"
    return "格式不正确"


def field_key(loc: Iterable[Any]) -> str:
    """A pydantic location as the field key the pages and the API use: income.0.amount."""
    return ".".join(str(p) for p in loc if p not in ("body",))


def field_label(key: str, data: Mapping[str, Any] | None = None) -> str:
    """Chinese words for a verification-form field key, using the form data for row names."""
    parts = key.split(".")
    if parts and parts[0] == "form":  # the API's body {"form": {...}}
        parts = parts[1:] or parts
    data = data or {}
    try:
        if parts[0] == "verified_on":
            return "入户核查日期"
        if parts[0] in ("income", "costs") and len(parts) >= 2:
            row = data.get(parts[0], [])[int(parts[1])]
            name = (INCOME_LABELS.get(row.get("kind", ""))
                    or ("生产经营性支出" if parts[0] == "costs" else "收入"))
            what = {"amount": "金额", "note": "说明", "kind": "类别"}.get(
                parts[2] if len(parts) > 2 else "", "")
            return f"{name}{what}"
        if parts[0] == "members" and len(parts) >= 2:
            row = data.get("members", [])[int(parts[1])]
            return f"家庭成员 {row.get('member_id', '')} 是否计入"
        if parts[0] == "negative_list" and len(parts) >= 2:
            row = data.get("negative_list", [])[int(parts[1])]
            return f"负面清单「{row.get('label') or row.get('item')}」"
        if parts[0] == "evidence":
            return "佐证材料"
        if parts[0] == "note":
            return "备注"
    except (IndexError, ValueError, AttributeError, TypeError):
        pass
    return key


def validation_error(exc: ValidationError, data: Mapping[str, Any] | None = None,
                     prefix: tuple[str, ...] = ()) -> WebError:
    """Every problem of a pydantic validation, each with its field and Chinese words;
    never the value entered (it may be personal)."""
    problems = []
    for error in exc.errors():
        key = field_key(error["loc"][len(prefix):] if prefix else error["loc"])
        kind = error["type"]
        words = (_value_error_words(error) if kind == "value_error"
                 else _PROBLEM_WORDS.get(kind) or validation_reason(error, "zh"))
        problems.append(FieldProblem(key, f"{field_label(key, data)}：{words}"))
    return WebError(422, "invalid_input", "填写有误，请按提示修改。", fields=problems)
