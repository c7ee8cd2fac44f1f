"""`adjudicator notice ...`: post, object, close (`adjudicator pay` is in cli/pay_cmd.py).

The notice service is imported by each command when it runs, so `notice --help` stays quick."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from adjudicator.messages import Message, current_lang
from adjudicator.roles import PermissionDenied
from cli.common import (
    AsOption,
    DbOption,
    JsonOption,
    console,
    context,
    fail,
    print_json,
    print_table,
    refused,
    worded_table,
)
from schemas.vocabulary import NOTICE_STATUSES, word

app = typer.Typer(help="公示：发布、查看、异议、结束公示。\n"
                  "Public notices (公示): create, list, object, close.",
                  no_args_is_help=True)
OutOption = typer.Option("--out", help="文件夹：PDF 写到这里。\n\nWhere the PDFs are written.")


@app.command("create")
def create(
    township: Annotated[str | None, typer.Option("--township", help="乡镇代码前缀。\n\n"
                                                                    "Township code prefix.")]
    = None,
    village: Annotated[str | None, typer.Option("--village", help="某一个村的代码。\n\n"
                                                                  "One village code.")] = None,
    out: Annotated[Path, OutOption] = Path("documents"),
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """发布公示：所有已批准、未公示的案件，每村一份公示 PDF。
    Post every approved claim not yet
    posted: one notice PDF per village."""
    from adjudicator.services.notices import create_notices
    from adjudicator.services.places import place_names


    ctx = context(db, user)
    try:
        created = create_notices(ctx, out, township=township, village=village)
    except PermissionDenied as exc:
        fail(exc)
    except _font_error() as exc:
        fail(exc)
    if as_json:
        print_json([{"notice_no": n.notice_no, "village_code": n.village_code,
                     "claims": n.claims, "households": n.households, "total": f"{n.total:.2f}",
                     "start": n.start.isoformat(), "end": n.end.isoformat(),
                     "pdf": str(n.pdf) if n.pdf else None} for n in created])
        return
    names = place_names(ctx, (n.village_code for n in created))
    table = worded_table("col.notice", "col.village", "col.households", "col.claims",
                         "col.total", "col.period", "col.file",
                         title=Message("notice.created", count=len(created)))
    for n in created:
        table.add_row(n.notice_no, names.get(n.village_code, n.village_code),
                      str(n.households), str(n.claims),
                      f"{n.total:.2f}", str(Message("notice.period", start=n.start, end=n.end)),
                      str(n.pdf or ""))
    print_table(table)


def _font_error() -> type[Exception]:
    try:
        from adjudicator.documents.fonts import MissingCJKFontError
    except ImportError:  # pragma: no cover - the documents package is part of the install
        return RuntimeError
    return MissingCJKFontError


@app.command("list")
def list_(
    status: Annotated[str | None, typer.Option("--status", help="状态：open（公示中）或 "
                                                                "closed（已结束）。\n\n"
                                                                "open or closed.")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """公示列表及公示期。
    The notices and their periods."""
    from adjudicator.services.notices import list_notices
    from adjudicator.services.places import place_names


    ctx = context(db, user)
    notices = list_notices(ctx, status)
    names = place_names(ctx, (n.village_code for n in notices))
    rows = [{"notice_no": n.notice_no, "village": names.get(n.village_code, n.village_code),
             "village_code": n.village_code, "status": n.status,
             "claims": n.claims, "total": f"{n.total:.2f}", "start": n.start_date.isoformat(),
             "end": n.end_date.isoformat()} for n in notices]
    if as_json:
        print_json(rows)
        return
    table = worded_table("col.notice", "col.village", "col.status", "col.claims", "col.total",
                         "col.period", title=Message("notice.listed", count=len(rows)))
    lang = current_lang()
    for n in notices:
        table.add_row(n.notice_no, names.get(n.village_code, n.village_code),
                      word(NOTICE_STATUSES, n.status, lang), str(n.claims), f"{n.total:.2f}",
                      str(Message("notice.period", start=n.start_date, end=n.end_date)))
    print_table(table)


@app.command("object")
def object_(
    claim: Annotated[str, typer.Argument(help="被提出异议的案件。\n\nThe claim objected to.")],
    reason: Annotated[str, typer.Option("--reason", help="异议内容（必填）。\n\n"
                                                         "The objection (required).")],
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """记录异议：案件退回重新核查。
    Record an objection (异议): the claim goes back to
    verification."""
    from adjudicator.services.notices import NoticeRefused, record_objection


    ctx = context(db, user)
    with refused(PermissionDenied, NoticeRefused):
        record_objection(ctx, claim, reason)
    console.print(Message("notice.objected", claim=claim), highlight=False)


@app.command("close")
def close(
    notice: Annotated[str | None, typer.Argument(help="公示编号；用 --due 时不填。\n\n"
                                                         "A notice number; omit with --due.")]
    = None,
    due: Annotated[bool, typer.Option("--due", help="结束所有公示期已满的公示。\n\n"
                                                    "Close every notice whose period "
                                                    "ended.")] = False,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """结束公示：公示期满后结束，无异议的案件转为应付。
    Close a notice after its period: claims
    without objection become payable."""
    from adjudicator.services.notices import NoticeRefused, close_due_notices, close_notice


    ctx = context(db, user)
    if (notice is None) == (not due):
        fail(Message("cli.notice_or_due"))
    with refused(PermissionDenied, NoticeRefused):
        if due:
            closed = close_due_notices(ctx)
        else:
            assert notice is not None  # one of the two, checked above
            closed = [(notice, *close_notice(ctx, notice))]
    for number, payable, objected in closed:
        console.print(Message("notice.closed", notice=number, payable=payable,
                              objected=objected), highlight=False)
    if not closed:
        console.print(Message("notice.none_due"), highlight=False)


@app.command("letters")
def letters(
    out: Annotated[Path, OutOption] = Path("documents"),
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """为尚无告知书的不予救助案件生成不予救助告知书。
    Denial letters (不予救助告知书) for denied
    claims that have none yet."""
    from adjudicator.services.documents import denial_letters

    ctx = context(db, user)
    with refused(PermissionDenied, _font_error()):
        written = denial_letters(ctx, out)
    console.print(Message("notice.letters", count=len(written), path=out / "letters"),
                  highlight=False)


@app.command("records")
def records(
    claims: Annotated[list[str] | None, typer.Argument(help="案件（默认：所有已理算的案件）。\n\n"
                                                            "Claims (default: every decided "
                                                            "claim).")] = None,
    out: Annotated[Path, OutOption] = Path("documents"),
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """理算单：供归档审计，含每条规则、分段、保障方案和哈希。
    Decision records (理算单) for the
    audit file: every rule, bands, tariff and hash."""
    from adjudicator.services.documents import DocumentRefused, decision_records

    ctx = context(db, user)
    with refused(PermissionDenied, DocumentRefused, _font_error()):
        written = decision_records(ctx, out, claims or None)
    console.print(Message("notice.records", count=len(written), path=out / "records"),
                  highlight=False)
