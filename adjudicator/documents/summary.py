"""The figures and sentences of a summary report, shared by the PDF and the XLSX.

Pure functions of a :class:`~adjudicator.documents.models.SummaryReport`: no layout, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from adjudicator.documents.formatting import chinese_ordinal, format_money, format_wan
from adjudicator.documents.models import (
    HOUSEHOLD_CATEGORY_LABELS,
    SummaryReport,
    claim_category_label,
)

__all__ = ["funnel_rows", "summary_sections", "summary_sentences"]

_FUNNEL = (
    ("入户核查", "households_verified", "persons_verified", None),
    ("评议公示", "households_posted", "persons_posted", None),
    ("兑现救助", "households_paid", "persons_paid", "amount_paid"),
)


def summary_sentences(report: SummaryReport) -> list[str]:
    """The headline sentences of a summary, in the words of a county report."""
    t = report.totals
    sentences = [
        f"本期共入户核查{t.households_verified:,}户{t.persons_verified:,}人，经村级评议公示"
        f"{t.households_posted:,}户{t.persons_posted:,}人，兑现救助{t.households_paid:,}户"
        f"{t.persons_paid:,}人，兑现金额{format_money(t.amount_paid)}元"
        f"（{format_wan(t.amount_paid)}万元）。"
    ]
    paid_by_household = [
        f"{HOUSEHOLD_CATEGORY_LABELS[row.category]}{row.households_paid}户"
        f"{format_wan(row.amount_paid)}万元"
        for row in report.by_household_category
        if row.households_paid
    ]
    if paid_by_household:
        sentences.append("兑现对象中，" + "，".join(paid_by_household) + "。")
    by_category: list[str] = []
    for row in report.by_claim_category:
        label = claim_category_label(row.category, row.label)
        if row.households_paid:
            by_category.append(
                f"{label}核查{row.households_verified}户，兑现{row.households_paid}户"
                f"{format_wan(row.amount_paid)}万元"
            )
        elif row.households_posted:
            by_category.append(
                f"{label}核查{row.households_verified}户，符合条件{row.households_posted}户"
                "（尚未兑现）"
            )
        elif row.households_verified:
            by_category.append(f"{label}核查{row.households_verified}户，均不符合条件")
    if by_category:
        sentences.append("分类别看，" + "；".join(by_category) + "。")
    return sentences


def _breakdown_row(label: str, row: Any) -> dict[str, Any]:
    return {
        "label": label,
        "households_verified": row.households_verified,
        "households_posted": row.households_posted,
        "households_paid": row.households_paid,
        "persons_paid": row.persons_paid,
        "amount": format_money(row.amount_paid),
        "wan": format_wan(row.amount_paid),
        "value": row.amount_paid,
    }


def _breakdown_total(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    amount = sum((row["value"] for row in rows), Decimal("0.00"))
    return {
        key: sum(row[key] for row in rows)
        for key in ("households_verified", "households_posted", "households_paid", "persons_paid")
    } | {"amount": format_money(amount), "wan": format_wan(amount)}


def summary_sections(report: SummaryReport) -> list[dict[str, Any]]:
    """The breakdown sections (by claim category, household category, township)."""
    raw = [
        (
            "分救助类别情况",
            "救助类别",
            [
                _breakdown_row(claim_category_label(r.category, r.label), r)
                for r in report.by_claim_category
            ],
        ),
        (
            "分户类别情况",
            "户类别",
            [
                _breakdown_row(HOUSEHOLD_CATEGORY_LABELS[r.category], r)
                for r in report.by_household_category
            ],
        ),
        ("分乡镇情况", "乡镇", [_breakdown_row(r.township, r) for r in report.by_township]),
    ]
    sections: list[dict[str, Any]] = []
    for title, header, rows in raw:
        if not rows:
            continue
        sections.append(
            {
                "number": chinese_ordinal(len(sections) + 2),
                "title": title,
                "label_header": header,
                "rows": rows,
                "total": _breakdown_total(rows),
            }
        )
    return sections


def funnel_rows(report: SummaryReport) -> list[dict[str, Any]]:
    """The overview rows: verified, posted, paid (households, persons, amount)."""
    rows = []
    for label, households, persons, amount in _FUNNEL:
        rows.append(
            {
                "label": label,
                "households": f"{getattr(report.totals, households):,}",
                "persons": f"{getattr(report.totals, persons):,}",
                "amount": format_money(getattr(report.totals, amount)) if amount else "—",
            }
        )
    return rows
