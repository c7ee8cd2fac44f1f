"""`adjudicator feed import|screen|list|keep|remove|report`: the monthly department feeds
(docs/feeds.md).

Exit status of `feed import`: 0 when the file was read (some rows may be in the error report),
2 when every row was rejected, 1 when it could not run at all (a one-line reason).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from cli.common import AsOption, DbOption, JsonOption, console, context, fail, print_json
from schemas.vocabulary import PUSH_STATUSES, zh_table

app = typer.Typer(help="Monthly department feeds (医保、应急、教育、民政): import, warning "
                       "lines and the push list, the township's screening, the monthly report.",
                  no_args_is_help=True)

DbOpt = Annotated[str | None, DbOption]
AsOpt = Annotated[str | None, AsOption]
JsonOpt = Annotated[bool, JsonOption]
MonthOpt = Annotated[str, typer.Option("--month", help="The month, YYYY-MM (e.g. 2026-03).")]
CategoryOpt = Annotated[str | None, typer.Option(
    "--category", help="medical, disaster or education (when the household has several).")]
BUREAU_NAMES = ("medical", "disaster", "education", "civil-affairs")
LOCAL = ZoneInfo("Asia/Shanghai")
STATUS_LABELS = zh_table(PUSH_STATUSES)


def _refusals() -> tuple[type[Exception], ...]:
    from adjudicator.feeds.importer import FeedRefused
    from adjudicator.feeds.triage import TriageRefused
    from adjudicator.intake.sources import UnreadableFile
    from adjudicator.roles import PermissionDenied
    from adjudicator.workflow import IllegalTransition

    return (FeedRefused, TriageRefused, UnreadableFile, PermissionDenied, IllegalTransition,
            FileNotFoundError)


def _run(db: str | None, user: str | None, call: Any) -> Any:
    from sqlalchemy.exc import SQLAlchemyError  # here, not at the top: `feed --help` stays quick

    ctx = context(db, user)
    try:
        return call(ctx)
    except _refusals() as exc:
        fail(exc)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        fail(f"数据库错误，已停止（已提交的批次保留，重新导入可续）：{reason}")
    finally:
        ctx.engine.dispose()


@app.command("import")
def import_(
    bureau: Annotated[str, typer.Argument(help="medical | disaster | education | "
                                               "civil-affairs")],
    file: Annotated[Path, typer.Argument(help="The bureau's export: .csv (UTF-8 or GBK) or "
                                              ".xlsx.")],
    month: MonthOpt, db: DbOpt = None, user: AsOpt = None, as_json: JsonOpt = False,
    errors: Annotated[Path | None, typer.Option(
        "--errors", help="Where to write the error report (default: FILE.errors.csv).")
    ] = None,
) -> None:
    """Import a bureau's monthly file; rows are matched to registered members by ID number."""
    from adjudicator.feeds.importer import import_feed

    if bureau not in BUREAU_NAMES:
        fail(f"未知的部门 {bureau!r}：应为 {' | '.join(BUREAU_NAMES)}")
    if not file.is_file():
        fail(f"{file}: 文件不存在")
    result = _run(db, user, lambda ctx: import_feed(ctx, bureau, file, month, errors))
    if as_json:
        print_json(result.to_dict())
    else:
        console.print(
            f"{result.file}（{month}）：{result.rows_total} 行，新入库 {result.accepted} 行"
            f"（匹配登记成员 {result.matched}，未登记 {result.unmatched}，退费冲销 "
            f"{result.reversed}），已有未变 {result.unchanged} 行，拒收 {result.rejected} 行；"
            f"跳过合计行 {result.total_rows_skipped}", highlight=False, soft_wrap=True)
        if result.ignored_columns:
            console.print("未使用的列：" + "、".join(result.ignored_columns), highlight=False,
                          soft_wrap=True)
        if result.rejected:
            console.print(f"错误报告：{result.error_report}", highlight=False, soft_wrap=True)
    if result.all_rejected:
        raise typer.Exit(2)


def _entries_table(title: str, entries: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    for name in ("户编号", "村", "户主", "类别", "本年累计", "预警线", "新增", "人数", "状态",
                 "原因/说明"):
        table.add_column(name)
    for e in entries:
        table.add_row(e["household_id"], e.get("village") or "", e.get("head", ""),
                      e["category"], e["figure"], e["warning_line"], e["new_figure"],
                      str(e["members"]), STATUS_LABELS.get(e["status"], e["status"]),
                      e.get("reason_text") or e.get("note") or "")
    return table


@app.command("screen")
def screen(month: MonthOpt, db: DbOpt = None, user: AsOpt = None,
           as_json: JsonOpt = False) -> None:
    """Warning lines: the month's push list (预警推送名单) per township, with the households
    screened out and why."""
    from adjudicator.feeds.screen import screen_month

    result = _run(db, user, lambda ctx: screen_month(ctx, month))
    if as_json:
        print_json({"month": month, "counts": result.counts(),
                    "townships": {code: [e.as_dict() for e in entries]
                                  for code, entries in result.by_township().items()}})
        return
    if not result.entries:
        console.print(f"{month}：没有超过预警线的户")
        return
    for code, entries in result.by_township().items():
        name = next((e.township_name for e in entries if e.township_name), "") or ""
        console.print(_entries_table(f"{month} 预警推送名单 — {name} {code}",
                                     [e.as_dict() for e in entries]))
    counts = result.counts()
    console.print(f"推送 {counts.get('pushed', 0)} 户次，系统剔除 "
                  f"{counts.get('screened_out', 0)} 户次", highlight=False)


@app.command("list")
def list_(month: MonthOpt, db: DbOpt = None, user: AsOpt = None, as_json: JsonOpt = False,
          township: Annotated[str | None, typer.Option(
              "--township", help="Only this township (a region code prefix).")] = None,
          everything: Annotated[bool, typer.Option(
              "--all", help="Also the households screened out, kept or removed.")] = False
          ) -> None:
    """The push list a township screens (an officer sees only their townships)."""
    from adjudicator.feeds.triage import push_entries

    statuses = ("pushed", "kept", "removed", "screened_out") if everything else ("pushed",)
    entries = _run(db, user, lambda ctx: push_entries(ctx, month, township, statuses))
    if as_json:
        print_json(entries)
        return
    console.print(_entries_table(f"{month} 预警推送名单", entries))


@app.command("keep")
def keep(household: Annotated[str, typer.Argument(help="The household id (户编号).")],
         month: MonthOpt, db: DbOpt = None, user: AsOpt = None, category: CategoryOpt = None,
         reason: Annotated[str, typer.Option("--reason", help="Why (optional).")] = "",
         days: Annotated[int, typer.Option("--days", help="Working days to verify.")] = 5,
         as_json: JsonOpt = False) -> None:
    """Keep a pushed household (初筛保留): its claims and one verification task."""
    from adjudicator.feeds.triage import keep_household

    result = _run(db, user, lambda ctx: keep_household(ctx, month, household, reason,
                                                       category, days))
    if as_json:
        print_json(result.as_dict())
        return
    task = (f"沿用核查记录 #{result.reused_verification}，无需再次入户"
            if result.reused_verification else
            f"核查任务交 {result.verifier_id}，{result.due} 前完成" if result.verifier_id
            else result.note or "")
    console.print(f"户 {household} 保留：申请 {'、'.join(result.claim_ids)}；{task}",
                  highlight=False, soft_wrap=True)


@app.command("remove")
def remove(household: Annotated[str, typer.Argument(help="The household id (户编号).")],
           month: MonthOpt,
           reason: Annotated[str, typer.Option("--reason", help="Why it is not a case "
                                                                "(required).")],
           db: DbOpt = None, user: AsOpt = None, category: CategoryOpt = None,
           as_json: JsonOpt = False) -> None:
    """Remove a pushed household (初筛剔除) with a reason."""
    from adjudicator.feeds.triage import remove_household

    result = _run(db, user, lambda ctx: remove_household(ctx, month, household, reason,
                                                         category))
    if as_json:
        print_json(result.as_dict())
        return
    console.print(f"户 {household} 已剔除：{result.note}", highlight=False, soft_wrap=True)


@app.command("report")
def report(month: MonthOpt, db: DbOpt = None, user: AsOpt = None, as_json: JsonOpt = False,
           xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Write an XLSX.")] = None,
           pdf: Annotated[Path | None, typer.Option("--pdf", help="Write a PDF with a chart.")
                          ] = None) -> None:
    """The monthly report: rows per bureau, matched, over the line, pushed, removed by reason,
    tasks opened, per township; missing bureaus listed."""
    from adjudicator.feeds.columns import BUREAUS
    from adjudicator.feeds.report import COLUMNS, cells, feed_report, report_pdf, report_xlsx

    found = _run(db, user, lambda ctx: feed_report(ctx, month))
    if xlsx is not None:
        xlsx.parent.mkdir(parents=True, exist_ok=True)
        xlsx.write_bytes(report_xlsx(found))
    if pdf is not None:
        pdf.parent.mkdir(parents=True, exist_ok=True)
        generated = dt.datetime.now(LOCAL).strftime("%Y-%m-%d %H:%M")
        pdf.write_bytes(report_pdf(found, generated))
    if as_json:
        print_json(found.as_dict())
        return
    table = Table(title=f"{month} 部门数据推送与初筛月报", title_justify="left")
    for title, _ in COLUMNS:
        table.add_column(title)
    for row in [*found.townships, found.total]:
        table.add_row(*(str(c) for c in cells(row)))
    console.print(table)
    console.print("未到部门：" + ("、".join(BUREAUS[b].label for b in found.missing) or "无"),
                  highlight=False)
    for path in (xlsx, pdf):
        if path is not None:
            console.print(f"已写出 {path}", highlight=False)
