"""`adjudicator adjudicate`, `review`, `replay`, `report`: the batch and the people around it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from adjudicator.documents.trace_labels import reason_name
from adjudicator.messages import Message, Tally, current_lang
from adjudicator.roles import PermissionDenied
from adjudicator.services.adjudication import (
    WorkersFailed,
    adjudicate_in_workers,
    adjudicate_ready,
    count_ready,
)
from adjudicator.services.integrity import RecordRefused
from adjudicator.services.replay import replay as replay_decisions
from adjudicator.services.report import DIMENSIONS, build_report
from adjudicator.services.review import ReviewRefused, list_pended, resolve
from adjudicator.services.scope import NoSuchClaim
from adjudicator.storage.db import database_url
from cli.common import (
    MOST_WORKERS,
    AsOption,
    DbOption,
    JsonOption,
    a_year,
    category_namer,
    console,
    context,
    distinct_outputs,
    fail,
    print_json,
    print_table,
    refused,
    worded_table,
)
from schemas.vocabulary import OUTCOMES, Words

review_app = typer.Typer(help="待人工审核：查看、批准、驳回（审批分离）。\n"
                         "The pend queue: list, approve, deny (maker-checker).",
                         no_args_is_help=True)


def adjudicate(
    claim: Annotated[str | None, typer.Option("--claim", help="只理算此案件。\n\n"
                                                              "Only this claim.")] = None,
    chunk: Annotated[int, typer.Option("--chunk", min=1, help="每个事务处理的户数。\n\n"
                                               "Households per transaction.")] = 200,
    workers: Annotated[int, typer.Option("--workers", min=1, max=MOST_WORKERS, help=(
        "分担各户的工作进程数：PostgreSQL 上按行锁分配；SQLite 上各取一份，在写锁外理算。\n\n"
        "Worker processes sharing the households: by row locks on PostgreSQL; on SQLite each "
        "takes a share and decides outside the write lock."))] = 1,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """理算：逐户按事件顺序理算所有已核查的案件。
    Decide every claim that is ready (verified), household by household, in event order."""
    ctx = context(db, user)
    total = 1 if claim else count_ready(ctx)
    failed: WorkersFailed | None = None
    with refused(PermissionDenied, NoSuchClaim), Progress(
            TextColumn(str(Message("claims.adjudicating"))), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, disable=as_json) as bar:
        task = bar.add_task("adjudicate", total=total)
        if workers > 1 and claim is None:
            try:
                result = adjudicate_in_workers(ctx, database_url(db), workers, chunk=chunk,
                                               progress=lambda n: bar.advance(task, n))
            except WorkersFailed as exc:  # what the others did is shown, then the failure
                failed, result = exc, exc.result
        else:
            result = adjudicate_ready(ctx, claim_id=claim, chunk=chunk,
                                      progress=lambda n: bar.advance(task, n))
    summary = {"households": result.households, "decided": result.decided,
               "outcomes": result.outcomes, "payout_total": f"{result.payout_total:.2f}",
               "waiting": [{"claim_id": c, "why": w} for c, w in result.waiting],
               "errors": [{"claim_id": c, "error": e} for c, e in result.errors]}
    if as_json:
        print_json(summary)
    else:
        outcomes = Tally((OUTCOMES.get(k, Words(k, k)), v)
                         for k, v in sorted(result.outcomes.items()))
        console.print(Message("claims.decided", decided=result.decided, outcomes=outcomes,
                              total=result.payout_total, waiting=len(result.waiting),
                              errors=len(result.errors)), highlight=False)
        for claim_id, error in result.errors[:20]:
            console.print(f"  {claim_id}: {error}", highlight=False)
    if failed is not None:
        fail(Message("cli.workers_failed", detail=str(failed)))
    if claim and result.decided == 0:
        why = result.errors[0][1] if result.errors else (
            result.waiting[0][1] if result.waiting else Message("cli.not_ready"))
        fail(Message("cli.not_decided", claim=claim, why=why))
    if result.errors:
        raise typer.Exit(1)


@review_app.command("list")
def review_list(
    township: Annotated[str | None, typer.Option("--township", help="乡镇代码前缀。\n\n"
                                                                    "Township code prefix.")]
    = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """待人工审核的案件，最早的在前，附原因和批准后应付金额。
    The pended claims, oldest first, with their reasons and the amount approval pays."""
    ctx = context(db, user)
    with refused(PermissionDenied):
        pended = list_pended(ctx, township)
    if as_json:
        print_json([{"claim_id": p.claim_id, "household_id": p.household_id,
                     "township": p.township_code, "category": p.category,
                     "payout": f"{p.payout:.2f}", "reasons": p.reasons,
                     "verifier": p.verifier_id, "decided_at": p.decided_at} for p in pended])
        return
    table = worded_table("col.claim", "col.household", "col.category", "col.payout",
                         "col.reasons", "col.verifier",
                         title=Message("review.title", count=len(pended)))
    category, lang = category_namer(ctx), current_lang()
    for p in pended:
        reasons = (reason_name(r) if lang == "zh" else r
                   for r in p.reasons)
        table.add_row(p.claim_id, p.household_id, category(p.category), f"{p.payout:.2f}",
                      "\n".join(reasons), p.verifier_id or "")
    print_table(table)


def _resolve(action: str, claim: str, reason: str, db: str | None, user: str | None) -> None:
    ctx = context(db, user)
    with refused(PermissionDenied, ReviewRefused, RecordRefused):
        resolve(ctx, claim, action, reason)
    key = "review.approved" if action == "approve" else "review.denied"
    console.print(Message(key, claim=claim, user=ctx.user_id), highlight=False)


@review_app.command("approve")
def review_approve(
    claim: Annotated[str, typer.Argument(help="待审案件。\n\nThe pended claim.")],
    reason: Annotated[str, typer.Option("--reason", help="原因（必填）。\n\nWhy (required).")],
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """批准待审案件：按计算金额照付。
    Approve a pended claim: it pays exactly the computed
    amount."""
    _resolve("approve", claim, reason, db, user)


@review_app.command("deny")
def review_deny(
    claim: Annotated[str, typer.Argument(help="待审案件。\n\nThe pended claim.")],
    reason: Annotated[str, typer.Option("--reason", help="原因（必填）。\n\nWhy (required).")],
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """驳回待审案件。
    Deny a pended claim."""
    _resolve("deny", claim, reason, db, user)


def replay(
    claim: Annotated[str | None, typer.Option("--claim", help="只重算此案件的理算结论。\n\n"
                                              "Only this claim's decisions.")]
    = None,
    limit: Annotated[int | None, typer.Option("--limit", help="最多这么多件。\n\n"
                                                              "At most this many.")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """重算：按案件快照和保障方案重跑已存的理算结论，报告差异。
    Re-run stored decisions from their case snapshots and tariffs; report differences."""
    ctx = context(db, user)
    with refused(PermissionDenied, NoSuchClaim):
        result = replay_decisions(ctx, claim_id=claim, limit=limit)
    if as_json:
        print_json({"checked": result.checked, "identical": result.identical,
                    "engine_versions": result.engine_versions,
                    "differences": [d.__dict__ for d in result.differences]})
    else:
        console.print(Message("replay.done", checked=result.checked,
                              identical=result.identical,
                              different=result.checked - result.identical), highlight=False)
        for d in result.differences[:50]:
            console.print("  " + str(Message("replay.difference", decision=d.decision_id,
                                             claim=d.claim_id, field=d.field,
                                             stored=repr(d.stored),
                                             replayed=repr(d.replayed))), highlight=False)
    if result.differences:
        raise typer.Exit(1)


def _shown(dimension: str, key: str, category: Callable[[str], str]) -> str:
    """A report row's key as a person reads it: 边缘易致贫户, not edge; 因病, not medical; a
    tariff's own category by its label (生产经营, not production)."""
    from schemas.vocabulary import HOUSEHOLD_CATEGORIES, word

    if dimension == "category":
        return category(key)
    if dimension == "household_category":
        return word(HOUSEHOLD_CATEGORIES, key, current_lang())
    return key


def report(
    year: Annotated[int | None, typer.Option("--year", callback=a_year,
                                             help="事件年度。\n\nEvent year.")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="另存工作总结 PDF（带图表）。\n\n"
                                                          "Also write the summary report "
                                                          "(工作总结) as PDF, with charts.")]
    = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="另存 XLSX。\n\n"
                                                             "Also write it as XLSX.")] = None,
    title: Annotated[str, typer.Option("--title", help="工作总结的标题。\n\nThe summary's title.")]
    = "防贫保障工作总结",
    office: Annotated[str | None, typer.Option(
        "--office", help="发文单位（默认：保障方案的 issuing_office）。\n\n"
        "Issuing office (default: the tariff's issuing_office).")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """统计：按类别、户类别、乡镇和月份统计户数、人数、案件数和金额。
    Households, persons, claims and amounts by category, household category, township
    and month."""
    distinct_outputs(pdf, xlsx)
    ctx = context(db, user)
    with refused(PermissionDenied):
        data = build_report(ctx, year)
    if pdf is not None or xlsx is not None:
        from adjudicator.services.documents import summary_report

        period = f"{year}年" if year else "全部"
        try:
            summary_report(ctx, pdf, xlsx, title=title, period_label=period,
                           issuing_office=office, year=year)
        except OSError:
            raise  # a file it cannot write: the command line words it, naming the file
        except Exception as exc:
            fail(Message("cli.summary_failed", detail=exc))
    if as_json:
        print_json(data.as_dict())
        return
    t = data.total
    console.print(Message("report.total", claims=t.claims, households=len(t.households),
                          persons=len(t.persons), approved=t.approved,
                          approved_households=len(t.approved_households),
                          approved_amount=t.approved_amount, paid=t.paid,
                          paid_households=len(t.paid_households), paid_amount=t.paid_amount),
                  highlight=False)
    category = category_namer(ctx)
    for dim in DIMENSIONS:
        table = worded_table(f"report.col.{dim}", "report.col.claims", "report.col.households",
                             "report.col.persons", "report.col.approved",
                             "report.col.approved_amount", "report.col.paid",
                             "report.col.paid_amount", title=f"report.by.{dim}")
        for key, cell in sorted(data.by[dim].items()):
            table.add_row(_shown(dim, key, category), str(cell.claims), str(len(cell.households)),
                          str(len(cell.persons)), str(cell.approved),
                          f"{cell.approved_amount:.2f}", str(cell.paid), f"{cell.paid_amount:.2f}")
        print_table(table)
