"""`adjudicator verify`: assign household verifications, list them, print and record the form.

The verification service (and the database behind it) is imported by each command when it
runs, not with this module, so `adjudicator verify --help` loads neither."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from adjudicator.messages import Message, current_lang
from adjudicator.roles import PermissionDenied
from adjudicator.workflow import IllegalTransition
from cli.common import (
    AsOption,
    DbOption,
    JsonOption,
    category_namer,
    console,
    context,
    err_console,
    fail,
    print_json,
    print_table,
    refused,
    worded_table,
)
from schemas.vocabulary import (
    ANSWERS,
    CLAIM_STATUSES,
    EVIDENCE_KINDS,
    RELATIONS,
    parse_yes_no,
    word,
)

if TYPE_CHECKING:
    from adjudicator.services.verification import Assignment, VerificationForm
    from adjudicator.storage.context import Context

app = typer.Typer(help="入户核查：派单、查看、打印和录入入户核查。\n"
                  "Assign, list, print and record household verifications.",
                  no_args_is_help=True)

#: Exit status of `verify record` when the form was saved as a draft (incomplete).
DRAFT_EXIT = 2
HolidayOption = typer.Option("--holiday", formats=["%Y-%m-%d"],
                             help="再加一天休息日（YYYY-MM-DD），可重复；\n\n"
                                  "法定节假日和县定放假日（adjudicator calendar）已算在内。\n\n"
                                  "One more day off (YYYY-MM-DD) besides the official holidays "
                                  "and the county's days off (adjudicator calendar); repeat.")


def _refusals() -> tuple[type[Exception], ...]:
    from adjudicator.services.verification import VerificationRefused
    from adjudicator.workdays import BadDays

    return (PermissionDenied, VerificationRefused, IllegalTransition, BadDays)


def _dates(values: list[dt.datetime] | None) -> frozenset[dt.date]:
    return frozenset(v.date() for v in values or [])


@app.command("assign")
def assign(
    township: Annotated[str | None, typer.Option("--township", help="只派此乡镇的户"
                                                 "（行政区划代码前缀）。"
                                                 "\n\nOnly households of this "
                                                 "township (region code prefix).")] = None,
    verifier: Annotated[str | None, typer.Option("--verifier", help="只派给此核查员。"
                                                                    "\n\nOnly to this "
                                                                    "verifier.")]
    = None,
    days: Annotated[int, typer.Option("--days", help="核查时限（工作日）。\n\nWorking days to the "
                                                     "deadline.")] = 5,
    holiday: Annotated[list[dt.datetime] | None, HolidayOption] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """派单：把初筛后的案件派给本乡镇的核查员，
    手头案件少的优先。
    Assign screened claims to
    their township's verifiers, least loaded first.

    不超过每名核查员的工作量上限；无人可接的案件会列出。Each verifier's workload limit is
    respected; the claims nobody can take are reported."""
    from adjudicator.services.verification import assign_claims

    ctx = context(db, user)
    with refused(*_refusals()):
        result = assign_claims(ctx, township=township, verifier=verifier, days=days,
                               holidays=_dates(holiday))
    if as_json:
        print_json({"assigned": [{"claim_id": a.claim_id, "household_id": a.household_id,
                                  "township": a.township_code, "verifier": a.verifier_id,
                                  "due": a.due.isoformat()} for a in result.assigned],
                    "unassigned": [{"claim_id": u.claim_id, "household_id": u.household_id,
                                    "township": u.township_code,
                                    "reason": u.reason.render("en")}
                                   for u in result.unassigned],
                    "deadline": result.deadline.as_dict() if result.deadline else None})
        if result.deadline and result.deadline.warning:
            err_console.print(Message("verify.notice", text=result.deadline.warning),
                              highlight=False, markup=False)
        return
    table = worded_table("col.claim", "col.household", "col.township", "col.verifier",
                         "col.due", title=Message("verify.assigned", count=len(result.assigned)))
    for a in result.assigned:
        table.add_row(a.claim_id, a.household_id, a.township_code, a.verifier_id,
                      a.due.isoformat())
    print_table(table)
    if result.unassigned:
        missed = worded_table("col.claim", "col.household", "col.township", "col.why",
                              title=Message("verify.unassigned", count=len(result.unassigned)))
        for u in result.unassigned:
            missed.add_row(u.claim_id, u.household_id, u.township_code, u.reason.render())
        print_table(missed)
    if result.deadline is not None:
        deadline = result.deadline
        console.print(Message("verify.deadline", due=deadline.due.isoformat(), days=days,
                              note=deadline.note), highlight=False, markup=False)
        if deadline.warning:
            err_console.print(Message("verify.notice", text=deadline.warning),
                              highlight=False, markup=False)


def _show(ctx: Context, assignments: list[Assignment], title: str, as_json: bool) -> None:
    if as_json:
        print_json([a.as_dict() for a in assignments])
        return
    table = worded_table("col.claim", "col.household", "col.township", "col.village",
                         "col.category", "col.verifier", "col.due", "verify.col.days_left",
                         "verify.col.draft", title=Message(title, count=len(assignments)))
    category, yes = category_namer(ctx), ANSWERS[True].text(current_lang())
    for a in assignments:
        left = "" if a.working_days_left is None else str(a.working_days_left)
        style = "red" if a.overdue else None
        table.add_row(a.claim_id, a.household_id, a.township_code, a.village_name or "",
                      category(a.category), a.verifier_id, a.due.isoformat() if a.due else "",
                      left, yes if a.has_draft else "", style=style)
    print_table(table)


@app.command("list")
def list_cmd(
    mine: Annotated[bool, typer.Option("--mine", help="本人未完成的派单（默认）。\n\n"
                                       "The acting user's open assignments "
                                       "(the default).")] = False,
    everyone: Annotated[bool, typer.Option("--all", help="所有人的派单\n\n"
                                                         "（保险公司主管、县乡村振兴局、审计）。"
                                                         "\n\n"
                                           "Everyone's (supervisors, officers, "
                                           "auditors).")] = False,
    holiday: Annotated[list[dt.datetime] | None, HolidayOption] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """未完成的派单（已派、未核查）及时限，时限早的在前。
    Open assignments (assigned, not yet
    verified) with their deadlines, earliest first."""
    from adjudicator.services.verification import list_assignments

    if mine and everyone:
        fail(Message("cli.mine_or_all"))
    ctx = context(db, user)
    with refused(*_refusals()):
        found = list_assignments(ctx, everyone=everyone, holidays=_dates(holiday))
    _show(ctx, found, "verify.open", as_json)


@app.command("overdue")
def overdue(
    holiday: Annotated[list[dt.datetime] | None, HolidayOption] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """逾期核查：今天以前到期、
    尚未核查（核查员只看到自己的）。
    Late verifications: due before
    today and not verified (a verifier sees their own)."""
    from adjudicator.services.verification import overdue_assignments

    ctx = context(db, user)
    with refused(*_refusals()):
        found = overdue_assignments(ctx, holidays=_dates(holiday))
    _show(ctx, found, "verify.overdue", as_json)


@app.command("template")
def template(
    claim: Annotated[str, typer.Argument(help="要核查的案件。\n\nThe claim to verify.")],
    fmt: Annotated[str, typer.Option("--format", help="格式：yaml（带注释）"
                                                      "或 json。"
                                                      "\n\nyaml (with comments) or json.")]
    = "yaml",
    out: Annotated[Path | None, typer.Option("--out", help="核查表写到此文件，不打印到屏幕。\n\n"
                                             "Write the form here instead of "
                                             "stdout.")] = None,
    evidence_dir: Annotated[Path | None, typer.Option(
        "--evidence-dir", help="列出此文件夹里的照片及其 SHA-256。\n\n"
        "List the photos of this folder with their SHA-256.")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """打印案件的核查表，已知内容预先填好。
    Print the verification form of a claim, prefilled
    with what is known."""
    from adjudicator.services.verification import form_yaml, verification_template

    if fmt not in ("yaml", "json"):
        fail(Message("cli.yaml_or_json"))
    ctx = context(db, user)
    with refused(*_refusals()):
        form = verification_template(ctx, claim, evidence_dir)
    text = form_yaml(form) if fmt == "yaml" else form.model_dump_json(indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(Message("verify.form_written", claim=claim, path=out), highlight=False)


@app.command("form")
def paper_form_cmd(
    claim: Annotated[str, typer.Argument(help="要核查的案件。\n\nThe claim to verify.")],
    pdf: Annotated[Path | None, typer.Option(
        "--pdf", help="输出的 PDF 文件（默认：核查表-CLAIM.pdf）。\n\n"
        "Where the PDF is written (default: 核查表-CLAIM.pdf).")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """打印空白的纸质入户核查表，供没有信号的入户使用：
    成员已预填，负面清单每项有是/否框，另有收入和签字栏。
    Print a blank paper verification form (纸质入户核查表) for a visit
    without a signal:
    the members prefilled, 是/否 boxes for every negative-list item, income and signature
    lines."""
    from adjudicator.services.paper_form import paper_form

    ctx = context(db, user)
    target = pdf or Path(f"核查表-{claim}.pdf")
    with refused(*_refusals()):
        paper_form(ctx, claim, target)
    console.print(Message("verify.paper_written", claim=claim, path=target), highlight=False)


@app.command("record")
def record(
    claim: Annotated[str, typer.Argument(help="已核查的案件。\n\nThe claim verified.")],
    file: Annotated[Path | None, typer.Option("--file", help="填好的核查表（YAML 或 .json）。\n\n"
                                              "The filled form (YAML or "
                                              ".json).")] = None,
    interactive: Annotated[bool, typer.Option("--interactive", help="按提示逐项填表。\n\n"
                                              "Fill the form by answering prompts.")] = False,
    evidence_dir: Annotated[Path | None, typer.Option(
        "--evidence-dir", help="照片所在文件夹：每张须与其 SHA-256 相符。\n\n"
        "Folder of the photos: each must match its SHA-256.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="有警告也提交。\n\nSubmit despite "
                                                    "warnings.")] = False,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """录入核查表：填完整即提交，否则存为草稿。
    Record a verification form: submitted when
    complete, else saved as a draft.

    草稿列出缺项，退出码为 2；提交后案件转为已核查。与部门核查结果矛盾的，先给出警告。
    A draft lists the missing fields and exits with status 2; a submitted form moves the
    claim to verified. Contradictions with department findings are warned about first."""
    from adjudicator.services.verification import (
        check_form,
        load_form,
        record_verification,
        verification_template,
    )

    if (file is None) == (not interactive):
        fail(Message("cli.file_or_interactive"))
    ctx = context(db, user)
    with refused(*_refusals()):
        if file is not None:
            form = load_form(file)
        else:
            form = prompt_form(verification_template(ctx, claim), evidence_dir)
        check = check_form(ctx, claim, form, evidence_dir)
        for warning in check.warnings:
            console.print(Message("verify.warning", text=warning), style="bold yellow",
                          highlight=False)
        if check.complete and check.warnings and not yes and not typer.confirm(
                str(Message("verify.submit_anyway")), default=False):
            fail(Message("cli.not_submitted"))
        result = record_verification(ctx, claim, form, evidence_dir)
    if as_json:
        print_json({"claim_id": result.claim_id, "status": result.status,
                    "verification_pk": result.verification_pk, "missing": result.missing,
                    "warnings": result.warnings, "claim_status": result.claim_status})
    elif result.status == "submitted":
        console.print(Message("verify.submitted", claim=claim,
                              status=CLAIM_STATUSES.get(result.claim_status,
                                                        result.claim_status)),
                      highlight=False)
    else:
        console.print(Message("verify.draft", claim=claim), highlight=False)
        for missing in result.missing:
            console.print(f"  - {missing}", highlight=False)
    if result.status == "draft":
        raise typer.Exit(DRAFT_EXIT)


# --------------------------------------------------------------------------- prompts


def _ask(text: str, current: Any) -> str | None:
    shown = "" if current is None else str(current)
    answer = typer.prompt(text, default=shown, show_default=bool(shown))
    return answer.strip() or None


def _ask_yes_no(text: str, current: bool | None) -> bool | None:
    shown = {True: "是", False: "否", None: ""}[current]
    while True:
        answer = typer.prompt(f"{text} (是/否)", default=shown, show_default=bool(shown))
        if not answer.strip():
            return None
        value = parse_yes_no(answer)
        if value is not None:
            return value
        console.print(Message("verify.prompt.answer_yes_no"), highlight=False)


def prompt_form(form: VerificationForm, evidence_dir: Path | None = None) -> VerificationForm:
    """Fill the form by prompting for every field (a verifier at a terminal)."""
    from adjudicator.services.verification import parse_form, sha256_of

    data = form.model_dump(mode="json")
    lang = current_lang()
    console.print(Message("verify.prompt.title", claim=form.claim_id,
                          household=form.household_id), highlight=False)
    data["verified_on"] = _ask(str(Message("verify.prompt.date")), data["verified_on"])
    for member in data["members"]:
        member["counted"] = _ask_yes_no(
            str(Message("verify.prompt.counted", member=member["member_id"],
                        name=member["name"], relation=word(RELATIONS, member["relation"],
                                                           lang))),
            member["counted"])
    for row in data["income"]:
        row["amount"] = _ask(str(Message("verify.prompt.income", label=row["label"],
                                         kind=row["kind"])), row["amount"])
    for row in data["costs"]:
        row["amount"] = _ask(str(Message("verify.prompt.cost", label=row["label"],
                                         kind=row["kind"])), row["amount"])
    for finding in data["findings"]:
        console.print(Message("verify.prompt.finding", text=finding["message"]),
                      style="yellow", highlight=False)
    for row in data["negative_list"]:
        row["answer"] = _ask_yes_no(f"{row['label']} [{row['item']}]", row["answer"])
    for entry in data["evidence"]:
        console.print(Message("verify.prompt.evidence",
                              kind=word(EVIDENCE_KINDS, entry["kind"], lang), ref=entry["ref"]),
                      highlight=False)
    kinds = " / ".join(code if lang != "zh" else f"{code}（{words.zh}）"
                       for code, words in EVIDENCE_KINDS.items())
    while True:
        kind = _ask(str(Message("verify.prompt.add_evidence", kinds=kinds)), None)
        if kind is None:
            break
        ref = _ask(str(Message("verify.prompt.ref")), None) or ""
        digest = None
        if kind != "receipt":
            path = (evidence_dir / ref) if evidence_dir is not None else None
            known = sha256_of(path) if path is not None and path.is_file() else None
            digest = _ask("SHA-256", known)
        data["evidence"].append({"kind": kind, "ref": ref, "sha256": digest, "note": None})
    data["note"] = _ask(str(Message("verify.prompt.note")), data["note"])
    return parse_form(data)
