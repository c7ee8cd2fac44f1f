"""The summary report as an XLSX workbook: the same figures as the PDF, ready to re-use.

Sheets: 总体情况 (headline and the verified/posted/paid funnel), 按救助类别, 按户类别, 按乡镇
(one row per key and a total row). Amounts are written as exact numbers (from Decimal) with
a ``#,##0.00`` format; counts as integers. Text cells are always written as text: openpyxl
would otherwise store a value starting with ``=`` (a township name typed as a formula) as a
formula that Excel runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from adjudicator.documents.formatting import format_date
from adjudicator.documents.models import (
    HOUSEHOLD_CATEGORY_LABELS,
    Counts,
    SummaryReport,
    claim_category_label,
)
from adjudicator.documents.summary import summary_sentences
from adjudicator.spreadsheet import neutralise, workbook_bytes

__all__ = ["SHEET_NAMES", "summary_report_xlsx"]

SHEET_NAMES = ("总体情况", "按救助类别", "按户类别", "按乡镇")

_MONEY_FORMAT = "#,##0.00"
_COUNT_FORMAT = "#,##0"
_HEADER_FILL = PatternFill("solid", fgColor="ECECEC")
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BREAKDOWN_HEADERS = (
    "核查户数",
    "核查人数",
    "公示户数",
    "公示人数",
    "兑现户数",
    "兑现人数",
    "兑现金额（元）",
    "兑现金额（万元）",
)
_COUNT_FIELDS = (
    "households_verified",
    "persons_verified",
    "households_posted",
    "persons_posted",
    "households_paid",
    "persons_paid",
)


def _wan(amount: Decimal) -> Decimal:
    return (amount / Decimal(10000)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _write(sheet: Worksheet, row: int, column: int, value: Any, number_format: str = "") -> Cell:
    """Write one cell; strings stay strings even when they look like formulas."""
    cell = sheet.cell(row=row, column=column, value=neutralise(value))
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    cell.border = _BORDER
    return cell


def _header(sheet: Worksheet, row: int, titles: Sequence[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = _write(sheet, row, column, title)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _counts_row(sheet: Worksheet, row: int, label: str, counts: Counts, bold: bool = False) -> None:
    _write(sheet, row, 1, label)
    for column, field in enumerate(_COUNT_FIELDS, start=2):
        _write(sheet, row, column, getattr(counts, field), _COUNT_FORMAT)
    _write(sheet, row, 8, counts.amount_paid, _MONEY_FORMAT)
    _write(sheet, row, 9, _wan(counts.amount_paid), _MONEY_FORMAT)
    if bold:
        for column in range(1, 10):
            sheet.cell(row=row, column=column).font = Font(bold=True)


def _sum_counts(rows: Sequence[Counts]) -> Counts:
    values: dict[str, Any] = {f: sum(getattr(r, f) for r in rows) for f in _COUNT_FIELDS}
    values["amount_paid"] = sum((r.amount_paid for r in rows), Decimal("0.00"))
    return Counts(**values)


def _breakdown_sheet(
    workbook: Workbook, title: str, key_header: str, rows: Sequence[tuple[str, Counts]]
) -> None:
    sheet = workbook.create_sheet(title)
    _header(sheet, 1, (key_header, *_BREAKDOWN_HEADERS))
    for index, (label, counts) in enumerate(rows, start=2):
        _counts_row(sheet, index, label, counts)
    if rows:
        _counts_row(sheet, len(rows) + 2, "合计", _sum_counts([c for _, c in rows]), bold=True)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 18
    for column in range(2, 10):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    sheet.column_dimensions["H"].width = 18
    sheet.column_dimensions["I"].width = 16


def _overview_sheet(workbook: Workbook, report: SummaryReport) -> None:
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_NAMES[0]
    title = sheet.cell(row=1, column=1, value=neutralise(report.title))
    title.data_type = "s"
    title.font = Font(bold=True, size=14)
    for row, (label, value) in enumerate(
        (
            ("期间", report.period_label),
            ("单位", report.issuing_office),
            ("日期", format_date(report.issue_date)),
        ),
        start=2,
    ):
        sheet.cell(row=row, column=1, value=neutralise(label)).data_type = "s"
        sheet.cell(row=row, column=2, value=neutralise(value)).data_type = "s"
    _header(sheet, 6, ("工作环节", "户数", "人数", "金额（元）", "金额（万元）"))
    t = report.totals
    funnel = (
        ("入户核查", t.households_verified, t.persons_verified, None),
        ("评议公示", t.households_posted, t.persons_posted, None),
        ("兑现救助", t.households_paid, t.persons_paid, t.amount_paid),
    )
    for row, (label, households, persons, amount) in enumerate(funnel, start=7):
        _write(sheet, row, 1, label)
        _write(sheet, row, 2, households, _COUNT_FORMAT)
        _write(sheet, row, 3, persons, _COUNT_FORMAT)
        _write(sheet, row, 4, amount, _MONEY_FORMAT)
        _write(sheet, row, 5, _wan(amount) if amount is not None else None, _MONEY_FORMAT)
    for row, sentence in enumerate(summary_sentences(report), start=11):
        sheet.cell(row=row, column=1, value=neutralise(sentence)).data_type = "s"
    sheet.column_dimensions["A"].width = 16
    for letter in "BCDE":
        sheet.column_dimensions[letter].width = 16


def summary_report_xlsx(report: SummaryReport) -> bytes:
    """The summary report as the bytes of an XLSX workbook (sheets: :data:`SHEET_NAMES`)."""
    workbook = Workbook()
    _overview_sheet(workbook, report)
    _breakdown_sheet(
        workbook,
        SHEET_NAMES[1],
        "救助类别",
        [(claim_category_label(r.category, r.label), r) for r in report.by_claim_category],
    )
    _breakdown_sheet(
        workbook,
        SHEET_NAMES[2],
        "户类别",
        [(HOUSEHOLD_CATEGORY_LABELS[r.category], r) for r in report.by_household_category],
    )
    _breakdown_sheet(
        workbook, SHEET_NAMES[3], "乡镇", [(r.township, r) for r in report.by_township]
    )
    workbook.properties.title = report.title
    workbook.properties.creator = "fangpinbao-adjudicator"
    return workbook_bytes(workbook)
