"""The settlement statement (年度资金结算单) as PDF and XLSX, and the fund's charts.

The PDF is laid out like the summary report (the same stylesheets, font and WeasyPrint
engine); its figures come from the stored settlement only, so settling twice prints the same
statement. Charts are matplotlib's object API in the documents' CJK font, as PNG data URIs.
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from openpyxl import Workbook
from openpyxl.styles import Font

from adjudicator.documents.formatting import format_date, format_money, format_wan
from adjudicator.documents.models import CLAIM_CATEGORY_LABELS
from adjudicator.spreadsheet import workbook_bytes
from schemas.vocabulary import (
    CLAIM_STATUSES,
    FUND_STAGES,
    SHORTFALL_RULES,
    SURPLUS_RULES,
    zh_table,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"
_TEN_THOUSAND = Decimal(10000)
_RED, _GREY = "#b22222", "#555555"
#: The statement's money buckets: three claim statuses, and its own stages of paying.
STATUS_LABELS = {**{s: CLAIM_STATUSES[s].zh for s in ("approved", "in_notice", "pended")},
                 **zh_table(FUND_STAGES)}
SURPLUS_LABELS = zh_table(SURPLUS_RULES)
SHORTFALL_LABELS = zh_table(SHORTFALL_RULES)


def category_label(category: str) -> str:
    return CLAIM_CATEGORY_LABELS.get(category, category)


def _png(figure: Any) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    figure.set_dpi(200)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # type: ignore[no-untyped-call]
    rgba = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    image = Image.frombuffer("RGBA", canvas.get_width_height(), rgba)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def monthly_chart(year: int, by_month: dict[str, Decimal], premium: Decimal) -> str:
    """Monthly payouts (bars) and their running total (line) against the year's premium
    (a dashed line), in 万元, as a PNG data URI: every month of the year, and the months of
    the next year in which the year's claims were still paid."""
    from matplotlib.figure import Figure

    from adjudicator.documents.charts import chart_font

    font = chart_font()
    months = sorted({f"{year}-{m:02d}" for m in range(1, 13)} | set(by_month))
    figure = Figure(figsize=(6.0, 3.0), dpi=100)
    axes = figure.add_subplot()
    values = [float(Decimal(by_month.get(m, 0)) / _TEN_THOUSAND) for m in months]
    running, total = [], 0.0
    for value in values:
        total += value
        running.append(total)
    positions = list(range(len(months)))
    axes.bar(positions, values, color=_RED, width=0.6, label="当月兑现")
    axes.plot(positions, running, color=_GREY, marker="o", linewidth=1.2, label="累计兑现")
    axes.axhline(float(premium / _TEN_THOUSAND), color="black", linestyle="--", linewidth=1,
                 label="年度保费")
    axes.set_xticks(positions, labels=[f"{int(m[5:])}月" if m.startswith(str(year))
                                       else f"次年{int(m[5:])}月" for m in months],
                    fontproperties=font, fontsize=7)
    axes.set_ylim(0, max([*running, float(premium / _TEN_THOUSAND), 0.01]) * 1.35)
    axes.set_ylabel("万元", fontproperties=font, fontsize=9)
    axes.legend(prop=font, fontsize=8, loc="upper left", ncols=3, frameon=False)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    return _png(figure)


def curve_chart(labels: Sequence[str], costs: Sequence[Decimal], actual: Decimal,
                budget: Decimal | None, x_label: str) -> bytes:
    """A what-if cost curve (测算成本曲线) as PNG bytes: cost per value against the actual cost
    and the budget."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from adjudicator.documents.charts import chart_font

    font = chart_font()
    figure = Figure(figsize=(6.0, 3.2), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    axes.plot(positions, [float(c / _TEN_THOUSAND) for c in costs], color=_RED, marker="o",
              label="测算赔付")
    axes.axhline(float(actual / _TEN_THOUSAND), color=_GREY, linestyle=":", label="实际赔付")
    if budget is not None:
        axes.axhline(float(budget / _TEN_THOUSAND), color="black", linestyle="--",
                     label="可用资金")
    axes.set_xticks(positions, labels=list(labels), fontsize=8)
    axes.set_xlabel(x_label, fontproperties=font, fontsize=9)
    axes.set_ylabel("万元", fontproperties=font, fontsize=9)
    axes.legend(prop=font, fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def bar_pairs_chart(labels: Sequence[str], actual: Sequence[Decimal],
                    draft: Sequence[Decimal]) -> bytes:
    """Actual against draft cost per label (what-if by category), as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from adjudicator.documents.charts import chart_font

    font = chart_font()
    figure = Figure(figsize=(6.0, 3.0), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    axes.bar([p - 0.2 for p in positions], [float(v / _TEN_THOUSAND) for v in actual],
             width=0.4, color=_GREY, label="实际")
    axes.bar([p + 0.2 for p in positions], [float(v / _TEN_THOUSAND) for v in draft],
             width=0.4, color=_RED, label="草案")
    axes.set_xticks(positions, labels=list(labels), fontproperties=font, fontsize=8)
    axes.set_ylabel("万元", fontproperties=font, fontsize=9)
    axes.legend(prop=font, fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(money=format_money, wan=format_wan, zh_date=format_date)
    return env


def _d(text: str) -> Decimal:
    return Decimal(text)


def statement_context(figures: dict[str, Any]) -> dict[str, Any]:
    """What the statement prints, from a stored settlement's figures."""
    s = {key: _d(value) for key, value in figures["settlement"].items()}
    result = s["result"]
    if result > 0:
        conclusion = (f"本年度资金结余{format_money(result)}元，其中保险公司按约定留存"
                      f"{format_money(s['insurer_keeps'])}元，退还县财政"
                      f"{format_money(s['county_refund'])}元，结转下年"
                      f"{format_money(s['carried_over'])}元。")
    elif result < 0:
        conclusion = (f"本年度资金缺口{format_money(-result)}元，其中保险公司承担"
                      f"{format_money(s['insurer_bears'])}元，县财政补足"
                      f"{format_money(s['county_top_up'])}元。")
    else:
        conclusion = "本年度资金收支平衡，无需退补。"
    rows = [
        ("年度保费（资金）", s["premium"]), ("上年结转", s["opening_balance"]),
        ("保险公司管理费", s["management_fee"]), ("已兑现金额（扣除追回、含补发）", s["paid_net"]),
        ("未结案件承诺金额（计入核算）", s["committed"]), ("赔付成本合计", s["claims_cost"]),
        ("当年结余（负数为缺口）", s["result"]), ("保险公司共担上限", s["corridor_limit"]),
        ("保险公司留存", s["insurer_keeps"]), ("保险公司承担", s["insurer_bears"]),
        ("退还县财政", s["county_refund"]), ("结转下年", s["carried_over"]),
        ("县财政补足", s["county_top_up"]),
    ]
    months = list(figures["paid_by_month"])
    return {
        "f": figures, "conclusion": conclusion,
        "rows": [{"label": label, "amount": format_money(value)} for label, value in rows],
        "by_category": [{"label": category_label(k), "amount": format_money(_d(v))}
                        for k, v in figures["paid_by_category"].items()],
        "by_township": [{"label": k, "amount": format_money(_d(v))}
                        for k, v in figures["paid_by_township"].items()],
        "by_month": [{"label": m, "amount": format_money(_d(figures["paid_by_month"][m]))}
                     for m in months],
        "open_claims": [{**c, "status": STATUS_LABELS.get(c["status"], c["status"]),
                         "category": category_label(c["category"]),
                         "amount": format_money(_d(c["amount"]))}
                        for c in figures["open_claims"]],
        "open_total": format_money(sum((_d(c["amount"]) for c in figures["open_claims"]),
                                       Decimal("0.00"))),
        "surplus_rule": SURPLUS_LABELS[figures["rule"]["surplus"]],
        "shortfall_rule": SHORTFALL_LABELS[figures["rule"]["shortfall"]],
    }


def statement_html(figures: dict[str, Any], *, chart: bool = True) -> str:
    context = statement_context(figures)
    context["chart"] = None
    if chart and figures["paid_by_month"]:
        context["chart"] = monthly_chart(
            figures["year"], {k: _d(v) for k, v in figures["paid_by_month"].items()},
            _d(figures["settlement"]["premium"]))
    return _environment().get_template("fund_statement.html").render(**context)


def render_statement(figures: dict[str, Any]) -> bytes:
    """The settlement statement as PDF bytes (the summary report's style)."""
    from adjudicator.documents.render import html_to_pdf

    return html_to_pdf(statement_html(figures), ("base", "summary_report"))


def statement_xlsx(figures: dict[str, Any]) -> bytes:
    """The settlement statement as an XLSX workbook: 结算明细, 按月兑现, 按救助类别, 按乡镇,
    未结案件. Amounts are exact numbers (from Decimal) formatted #,##0.00."""
    context = statement_context(figures)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "结算明细"
    sheet.cell(row=1, column=1, value=figures["title"]).font = Font(bold=True, size=14)
    sheet.cell(row=2, column=1, value="合同")
    sheet.cell(row=2, column=2, value=figures["contract_id"])
    sheet.cell(row=3, column=1, value="结算日期")
    sheet.cell(row=3, column=2, value=format_date(_date(figures["settled_on"])))
    s = figures["settlement"]
    keys = ("premium", "opening_balance", "management_fee", "paid_net", "committed",
            "claims_cost", "result", "corridor_limit", "insurer_keeps", "insurer_bears",
            "county_refund", "carried_over", "county_top_up")
    for row, ((label, _), key) in enumerate(zip(
            [(r["label"], r["amount"]) for r in context["rows"]], keys, strict=True), start=5):
        sheet.cell(row=row, column=1, value=label)
        cell = sheet.cell(row=row, column=2, value=_d(s[key]))
        cell.number_format = "#,##0.00"
    sheet.cell(row=5 + len(keys) + 1, column=1, value=context["conclusion"])
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 20
    for title, header, items in (
            ("按月兑现", "月份", figures["paid_by_month"].items()),
            ("按救助类别", "救助类别", [(category_label(k), v)
                                    for k, v in figures["paid_by_category"].items()]),
            ("按乡镇", "乡镇", figures["paid_by_township"].items())):
        page = workbook.create_sheet(title)
        page.append([header, "兑现金额（元）"])
        for label, value in items:
            page.append([label, _d(value)])
            page.cell(row=page.max_row, column=2).number_format = "#,##0.00"
        page.column_dimensions["A"].width = 20
        page.column_dimensions["B"].width = 18
    page = workbook.create_sheet("未结案件")
    page.append(["案件编号", "户编号", "救助类别", "乡镇代码", "状态", "承诺金额（元）"])
    for claim in figures["open_claims"]:
        page.append([claim["claim_id"], claim["household_id"],
                     category_label(claim["category"]), claim["township_code"],
                     STATUS_LABELS.get(claim["status"], claim["status"]), _d(claim["amount"])])
        page.cell(row=page.max_row, column=6).number_format = "#,##0.00"
    for sheet_ in workbook.worksheets:
        for row_cells in sheet_.iter_rows():
            for cell in row_cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
    workbook.properties.title = figures["title"]
    workbook.properties.creator = "fangpinbao-adjudicator"
    return workbook_bytes(workbook)


def _date(text: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text)
