"""The sampling audit's report as text cells, a workbook (XLSX), HTML and PDF."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adjudicator.rules.money import fmt
from adjudicator.spreadsheet import neutralise

if TYPE_CHECKING:
    from adjudicator.services.audit.report import AuditReport, RateRow


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def report_table_rows(rows: Iterable[RateRow]) -> list[list[str]]:
    """The report's lines as text cells: key, sampled, rechecked, with discrepancies,
    material, error rate, 95 % interval, payout at stake (shared by the CLI, XLSX and PDF)."""
    out = []
    for row in rows:
        interval = row.interval
        ci = "" if interval is None else f"{_percent(interval[0])} – {_percent(interval[1])}"
        out.append([row.key, str(row.sampled), str(row.rechecked), str(row.with_discrepancies),
                    str(row.material), _percent(row.error_rate), ci, fmt(row.payout_at_stake)])
    return out


REPORT_HEADERS = ["", "抽样 sampled", "已复核 rechecked", "有差异 with discrepancies",
                  "重大 material", "差错率 error rate", "95% 置信区间 (Wilson)",
                  "涉及金额 payout at stake"]


def write_report_xlsx(report: AuditReport, path: Path) -> None:
    """The report as a workbook: by verifier, by township, material discrepancies."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    first = True
    for title, label, rows in (("按核查员 by verifier", "核查员 verifier", report.by_verifier),
                               ("按乡镇 by township", "乡镇 township", report.by_township)):
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = title.split()[0]
        sheet.append([label, *REPORT_HEADERS[1:]])
        for cells in report_table_rows([*rows, report.total]):
            sheet.append([neutralise(cell) for cell in _numeric(cells)])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    sheet = book.create_sheet("重大差异")
    sheet.append(["抽样 sample", "案件 claim", "核查员 verifier", "乡镇 township",
                  "复核人 auditor", "差异 fields", "结论 outcome", "原赔付 stored",
                  "复核赔付 audit", "差额 difference", "已重新理算 reopened",
                  "追回/补发 adjustment"])
    for m in report.material:
        adj = m["adjustment"]
        sheet.append([neutralise(cell) for cell in (
            m["sample_id"], m["claim_id"], m["verifier"], m["township"], m["auditor"],
            ", ".join(m["fields"]), m["outcome"], Decimal(m["payout_stored"]),
            Decimal(m["payout_audit"]), Decimal(m["payout_difference"]),
            "是" if m["reopened"] else (m["reopen_blocked"] or "否"),
            "" if adj is None else f"{adj['kind']} {adj['amount']} ({adj['status']})")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    book.save(path)


def _numeric(cells: list[str]) -> list[Any]:
    """Counts as integers and the amount as a number, so a spreadsheet can sum them."""
    return [cells[0], *(int(c) for c in cells[1:5]), cells[5], cells[6], Decimal(cells[7])]


TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates" / "audit"


def report_html(report: AuditReport, title: str = "防贫保抽样复核报告") -> str:
    """The report as HTML (Jinja2, autoescaped), laid out for A4 with the CJK font."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("report.html").render(
        title=title, report=report, headers=REPORT_HEADERS,
        by_verifier=report_table_rows([*report.by_verifier, report.total]),
        by_township=report_table_rows([*report.by_township, report.total]))


def render_report_pdf(report: AuditReport) -> bytes:
    """The report as PDF: through the documents renderer when it is there (it checks the
    Chinese text really used the CJK font), else WeasyPrint directly."""
    html = report_html(report)
    try:
        from adjudicator.documents.render import html_to_pdf
    except ImportError:
        from weasyprint import HTML

        return bytes(HTML(string=html, base_url=str(TEMPLATE_DIR)).write_pdf())
    return html_to_pdf(html, ("base",))
