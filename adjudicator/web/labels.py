"""Chinese words for the codes the pages show (statuses, categories, relations, sources)."""

from __future__ import annotations

from adjudicator.documents.models import CLAIM_CATEGORY_LABELS, HOUSEHOLD_CATEGORY_LABELS
from adjudicator.services.verification import SOURCE_LABELS
from schemas.vocabulary import (
    CLAIM_STATUSES,
    EVIDENCE_KINDS,
    NOTICE_STATUSES,
    OUTCOMES,
    RELATIONS,
    ROLES,
    zh_table,
)

STATUS_LABELS: dict[str, str] = zh_table(CLAIM_STATUSES)
OUTCOME_LABELS: dict[str, str] = zh_table(OUTCOMES)
RELATION_LABELS: dict[str, str] = zh_table(RELATIONS)
ROLE_LABELS: dict[str, str] = zh_table(ROLES)
NOTICE_STATUS_LABELS: dict[str, str] = zh_table(NOTICE_STATUSES)
EVIDENCE_KIND_LABELS: dict[str, str] = zh_table(EVIDENCE_KINDS)


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
