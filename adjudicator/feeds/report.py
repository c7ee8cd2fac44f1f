"""The monthly feed report (部门数据月报): per township, rows received per bureau, matched,
households over the line, pushed, screened out or removed by reason, tasks opened, in 户 and
人; the bureaus whose file for the month has not arrived. As a table, JSON, XLSX and a PDF
with a chart."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select

from adjudicator.feeds import strangers
from adjudicator.feeds.columns import BUREAUS
from adjudicator.feeds.importer import month_bounds
from adjudicator.feeds.screen import KEPT, PUSHED, REMOVED, SCREENED_OUT
from adjudicator.spreadsheet import workbook_bytes
from adjudicator.storage.context import Context
from adjudicator.storage.models import Household
from adjudicator.storage.models_feeds import FeedFile, FeedPush, FeedRow
from schemas.vocabulary import SCREENING_REASONS, zh_table

#: Education sends its lists in March and September only; the others every month.
EXPECTED_MONTHS = {"education": (3, 9)}
UNREGISTERED = "未登记"
REMOVED_BY_TOWNSHIP = "TOWNSHIP_REMOVED"
REASON_LABELS = zh_table(SCREENING_REASONS)  # the screening's reasons, then the township's


@dataclass
class TownshipRow:
    township: str
    township_name: str | None = None
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUREAUS, 0))
    matched: int = 0
    over_households: int = 0
    over_persons: int = 0
    pushed_households: int = 0
    pushed_persons: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    waiting_households: int = 0
    kept_households: int = 0
    tasks_households: int = 0
    tasks_persons: int = 0
    reused_households: int = 0


@dataclass
class FeedReport:
    month: str
    files: dict[str, dict[str, int]]
    missing: list[str]
    townships: list[TownshipRow]
    total: TownshipRow

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.month, "files": self.files, "missing_bureaus": self.missing,
                "townships": [asdict(t) for t in self.townships], "total": asdict(self.total)}


def feed_report(ctx: Context, month: str) -> FeedReport:
    ctx.require("read")
    first, _ = month_bounds(month)
    with ctx.factory() as session:
        files: dict[str, dict[str, int]] = {}
        for bureau, rows, rejected in session.execute(
                select(FeedFile.bureau, func.max(FeedFile.rows_total),
                       func.max(FeedFile.rejected))
                .where(FeedFile.month == month).group_by(FeedFile.bureau)):
            files[bureau] = {"rows_in_largest_file": rows, "rejected": rejected}
        names = dict(session.execute(select(Household.township_code,
                                            func.max(Household.township_name))
                                     .group_by(Household.township_code)).all())
        by: dict[str, TownshipRow] = {}

        def row_for(code: str | None) -> TownshipRow:
            key = code or UNREGISTERED
            if key not in by:
                by[key] = TownshipRow(key, names.get(key) if code else "不在监测登记范围")
            return by[key]

        for bureau, township, matched, count in session.execute(
                select(FeedRow.bureau, Household.township_code,
                       FeedRow.household_id.is_not(None), func.count())
                .outerjoin(Household, Household.household_id == FeedRow.household_id)
                .where(FeedRow.month == month)
                .group_by(FeedRow.bureau, Household.township_code,
                          FeedRow.household_id.is_not(None))):
            target = row_for(township if matched else None)
            target.rows[bureau] += count
            if matched:
                target.matched += count
        for bureau, count in strangers.month_counts(session, month).items():
            row_for(None).rows[bureau] += count
        seen: dict[tuple[str, str], set[str]] = defaultdict(set)
        for push in session.execute(select(FeedPush).where(FeedPush.month == month)).scalars():
            registered = not push.household_id.startswith(UNREGISTERED)
            target = row_for(push.township_code if registered else None)
            for kind in ("over",) + (("pushed",) if push.status != SCREENED_OUT else ()):
                if push.household_id in seen[(target.township, kind)]:
                    continue
                seen[(target.township, kind)].add(push.household_id)
                setattr(target, f"{kind}_households", getattr(target, f"{kind}_households") + 1)
                setattr(target, f"{kind}_persons", getattr(target, f"{kind}_persons")
                        + push.members)
            reason = (push.reason if push.status == SCREENED_OUT
                      else REMOVED_BY_TOWNSHIP if push.status == REMOVED else None)
            if reason:
                target.removed[reason] = target.removed.get(reason, 0) + 1
            if push.status == PUSHED:
                target.waiting_households += 1
            if push.status == KEPT:
                target.kept_households += 1
                if push.verifier_id:
                    target.tasks_households += 1
                    target.tasks_persons += push.members
                if push.reused_verification:
                    target.reused_households += 1
    expected = [b for b in BUREAUS if first.month in EXPECTED_MONTHS.get(b, range(1, 13))]
    townships = [by[k] for k in sorted(by, key=lambda k: (k == UNREGISTERED, k))]
    total = TownshipRow("合计", "合计")
    for t in townships:
        for b, n in t.rows.items():
            total.rows[b] += n
        for name in ("matched", "over_households", "over_persons", "pushed_households",
                     "pushed_persons", "waiting_households", "kept_households",
                     "tasks_households", "tasks_persons", "reused_households"):
            setattr(total, name, getattr(total, name) + getattr(t, name))
        for reason, n in t.removed.items():
            total.removed[reason] = total.removed.get(reason, 0) + n
    return FeedReport(month, files, [b for b in expected if b not in files], townships, total)


COLUMNS = [("乡镇", None), *((f"{b.label}行数", f"rows.{b.name}") for b in BUREAUS.values()),
           ("匹配行数", "matched"), ("超线户", "over_households"), ("超线人", "over_persons"),
           ("推送户", "pushed_households"), ("推送人", "pushed_persons"),
           ("待初筛户", "waiting_households"), ("保留户", "kept_households"),
           ("核查任务户", "tasks_households"), ("核查任务人", "tasks_persons"),
           ("沿用核查户", "reused_households"), ("剔除（按原因）", "removed")]


def removed_by_reason(row: TownshipRow) -> list[str]:
    """The households screened out or removed, one "reason count" a reason (the reasons in
    Chinese, in the order of their codes)."""
    return [f"{REASON_LABELS.get(r, r)} {n}" for r, n in sorted(row.removed.items())]


def heading(row: TownshipRow) -> str:
    """The first cell of a row: the township's name and code (合计 for the total)."""
    if row.township == "合计":
        return "合计"
    return f"{row.township_name or ''} {row.township}".strip()


def cells(row: TownshipRow) -> list[Any]:
    values: list[Any] = []
    for _, key in COLUMNS:
        if key is None:
            values.append(heading(row))
        elif key.startswith("rows."):
            values.append(row.rows[key[5:]])
        elif key == "removed":
            values.append("；".join(removed_by_reason(row)) or "—")
        else:
            values.append(getattr(row, key))
    return values


def report_xlsx(report: FeedReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "部门数据月报"
    sheet.append([f"{report.month} 部门数据推送与初筛月报"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["未到部门：" + ("、".join(BUREAUS[b].label for b in report.missing)
                                  or "无")])
    sheet.append([title for title, _ in COLUMNS])
    for row in [*report.townships, report.total]:
        sheet.append(cells(row))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions[chr(ord("A") + len(COLUMNS) - 1)].width = 48
    return workbook_bytes(workbook)


def _chart(report: FeedReport) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from adjudicator.documents.charts import chart_font

    properties = chart_font()
    rows = report.townships or [report.total]
    labels = [r.township_name or r.township for r in rows]
    series = [("超线户", [r.over_households for r in rows], "#9db4d0"),
              ("推送户", [r.pushed_households for r in rows], "#4a78b0"),
              ("核查任务户", [r.tasks_households for r in rows], "#1f3f6b")]
    figure = Figure(figsize=(6.4, max(1.8, 0.55 * len(rows) + 1.0)), dpi=160)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    height = 0.26
    for i, (name, values, colour) in enumerate(series):
        axes.barh([p + (i - 1) * height for p in range(len(rows))], values, height=height,
                  color=colour, label=name)
    axes.set_yticks(list(range(len(rows))), labels=labels, fontproperties=properties,
                    fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("户数", fontproperties=properties, fontsize=9)
    axes.legend(prop=properties, fontsize=8, loc="lower right")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


_HTML = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{{ title }}</title>
<style>@page { size: A4 landscape; margin: 14mm; }
body { font-size: 9pt; } h1 { font-size: 15pt; } table { border-collapse: collapse; width: 100%; }
th, td { border: 0.5pt solid #777; padding: 2pt 3pt; } th { background: #eef2f7; }
td.n { text-align: right; } img { width: 150mm; }</style></head><body>
<h1>{{ title }}</h1>
<p>生成时间：{{ generated }}（北京时间）。未到部门：{{ missing }}。</p>
<img src="data:image/png;base64,{{ chart }}" alt="各乡镇超线、推送与核查任务户数">
<table><thead><tr>{% for t in titles %}<th>{{ t }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr>{% for c in row %}
<td{% if c is number %} class="n"{% endif %}>{{ c }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
<p>说明：超线指本年度累计合规自付等预警指标超过保障方案的预警线（首次超线或较上次推送增长）；
剔除原因含系统初筛（未登记、地区未覆盖、负面清单、近期核查收入高、费用已计入申请、已达封顶）和乡镇初筛剔除。</p>
</body></html>"""


def report_pdf(report: FeedReport, generated: str) -> bytes:
    import base64

    from jinja2 import Environment

    from adjudicator.documents.render import html_to_pdf

    html = Environment(autoescape=True).from_string(_HTML).render(
        title=f"{report.month} 部门数据推送与初筛月报", generated=generated,
        missing="、".join(BUREAUS[b].label for b in report.missing) or "无",
        chart=base64.b64encode(_chart(report)).decode(), titles=[t for t, _ in COLUMNS],
        rows=[cells(r) for r in [*report.townships, report.total]])
    return html_to_pdf(html)
