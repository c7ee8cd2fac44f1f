"""Chinese words for the codes the pages show (statuses, categories, relations, sources)."""

from __future__ import annotations

from adjudicator.documents.models import CLAIM_CATEGORY_LABELS, HOUSEHOLD_CATEGORY_LABELS
from adjudicator.services.verification import SOURCE_LABELS

STATUS_LABELS: dict[str, str] = {
    "received": "已受理", "screened": "已初筛", "rejected": "初筛未通过",
    "under_verification": "入户核查中", "verified": "已核查待理算", "approved": "拟救助",
    "denied": "不予救助", "pended": "待人工审核", "in_notice": "公示中",
    "objected": "公示有异议", "closed": "公示期满", "paid": "已兑现",
}
OUTCOME_LABELS: dict[str, str] = {"approved": "批准", "denied": "不予救助",
                                  "pended": "待人工审核"}
RELATION_LABELS: dict[str, str] = {
    "head": "户主", "spouse": "配偶", "child": "子女", "child_in_law": "儿媳或女婿",
    "parent": "父母", "grandparent": "祖父母", "grandchild": "孙子女", "sibling": "兄弟姐妹",
    "other": "其他",
}
ROLE_LABELS: dict[str, str] = {"verifier": "核查员", "supervisor": "保险公司主管",
                               "officer": "县乡村振兴局", "auditor": "审计",
                               "admin": "管理员"}
NOTICE_STATUS_LABELS: dict[str, str] = {"open": "公示中", "closed": "已结束"}
EVIDENCE_KIND_LABELS: dict[str, str] = {"receipt": "票据", "photo": "照片", "document": "文件"}


def label(table: dict[str, str], code: str | None) -> str:
    """The Chinese word for a code, or the code itself when there is none."""
    if code is None:
        return ""
    return table.get(code, code)


TABLES: dict[str, dict[str, str]] = {
    "status": STATUS_LABELS, "outcome": OUTCOME_LABELS, "relation": RELATION_LABELS,
    "role": ROLE_LABELS, "category": CLAIM_CATEGORY_LABELS,
    "household_category": HOUSEHOLD_CATEGORY_LABELS, "source": SOURCE_LABELS,
    "notice_status": NOTICE_STATUS_LABELS, "evidence": EVIDENCE_KIND_LABELS,
}
