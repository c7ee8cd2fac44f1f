"""`adjudicator audit`: draw a reproducible sample, record re-checks, report, settle
recoveries and top-ups. The audit service is imported when a command runs, so `audit --help`
stays quick."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
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
    distinct_outputs,
    fail,
    print_json,
    print_table,
    refused,
    worded_table,
)
from schemas.vocabulary import (
    ADJUSTMENT_KINDS,
    ADJUSTMENT_STATUSES,
    ANSWERS,
    COST_KINDS,
    DISCREPANCY_KINDS,
    INCOME_KINDS,
    NEGATIVE_ITEMS,
    OUTCOMES,
    SETTLE_WAYS,
    word,
)

app = typer.Typer(help="抽样复核：入户核查的抽样复核。\n"
                  "Sampling audits of household verifications.",
                  no_args_is_help=True)
DateOption = {"formats": ["%Y-%m-%d"]}


def _refusals() -> tuple[type[Exception], ...]:
    from adjudicator.services.audit import AuditRefused
    from adjudicator.services.verification import VerificationRefused

    return (PermissionDenied, AuditRefused, VerificationRefused)


def _decimal(name: str, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        fail(Message("cli.not_decimal", name=name, text=text))
    if not value.is_finite():  # NaN, Infinity: Decimal reads them, nobody means them
        fail(Message("cli.not_decimal", name=name, text=text))
    return value


def _field(field: str) -> str:
    """What a discrepancy compared, worded: 工资性收入, 消费型车辆, 理算结论 …"""
    lang = current_lang()
    group, _, code = field.partition(".")
    if group == "income":
        return word(INCOME_KINDS, code, lang)
    if group == "cost":
        return word(COST_KINDS, code, lang)
    if group == "negative_list":
        item = NEGATIVE_ITEMS.get(code)
        return code if item is None else item.short.text(lang)
    return word(DISCREPANCY_KINDS, group, lang)


def _value(kind: str, value: str | None) -> str:
    """A verifier's or an auditor's finding: an outcome or a yes/no worded, an amount as it
    is."""
    lang = current_lang()
    if value is None:
        return ""
    if kind == "outcome":
        return word(OUTCOMES, value, lang)
    if kind == "negative_item" and value in ("true", "false"):
        return ANSWERS[value == "true"].text(lang)
    return value


def _yes(flag: bool) -> str:
    return ANSWERS[flag].text(current_lang())


@app.command("sample")
def sample(
    rate: Annotated[str, typer.Option("--rate", help="抽样比例，如 0.05。\n\nSampling rate, e.g. "
                                                     "0.05.")],
    seed: Annotated[int, typer.Option("--seed", help="随机种子：种子和总体相同，抽出的样本"
                                      "就相同。\n\nRandom seed: the same seed and "
                                      "population give the same sample.")],
    date_from: Annotated[dt.datetime | None, typer.Option("--from", help="入户日期起（YYYY-MM-DD）"
                                                                         "。\n\nVisits from "
                                                          "(YYYY-MM-DD).", **DateOption)]
    = None,
    date_to: Annotated[dt.datetime | None, typer.Option("--to", help="入户日期止（YYYY-MM-DD）。"
                                                                     "\n\n"
                                                                     "Visits to "
                                                        "(YYYY-MM-DD).", **DateOption)] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """抽样：抽取并记录可重现的分层样本（已核查、
    已理算的案件）。
    Draw and record a
    reproducible stratified sample of verified, decided claims.

    按（核查员，乡镇）分层，每名核查员至少抽一件。Strata are (verifier, township), with at
    least one claim per verifier."""
    from adjudicator.services.audit import draw_sample

    ctx = context(db, user)
    with refused(*_refusals()):
        result = draw_sample(ctx, rate=_decimal("--rate", rate), seed=seed,
                             date_from=date_from.date() if date_from else None,
                             date_to=date_to.date() if date_to else None)
    if as_json:
        print_json(result.as_dict())
        return
    console.print(Message("audit.sample", sample=result.sample_id, claims=len(result.claims),
                          population=result.population_size, rate=result.rate,
                          seed=result.seed, sha=result.population_sha256), highlight=False)
    table = worded_table("col.verifier", "col.township", "audit.col.population",
                         "audit.col.sampled", title="audit.strata")
    for s in result.strata:
        table.add_row(s["verifier"], s["township"], str(s["population"]), str(s["sampled"]))
    print_table(table)
    console.print(Message("audit.claims", claims=", ".join(u.claim_id for u in result.claims)),
                  highlight=False)


@app.command("record")
def record(
    sample_id: Annotated[int, typer.Argument(help="样本编号。\n\nThe sample.")],
    claim: Annotated[str, typer.Argument(help="复核的抽中案件。"
                                              "\n\nThe sampled claim re-checked.")],
    file: Annotated[Path, typer.Option("--file", help="复核表（YAML 或 .json），"
                                       "即 verify template 打印的表。\n\n"
                                       "The re-check form (YAML or .json), "
                                       "as printed by 'verify template'.")],
    evidence_dir: Annotated[Path | None, typer.Option(
        "--evidence-dir", help="照片所在文件夹：每张须与其 SHA-256 相符。\n\n"
        "Folder of the photos: each must match its SHA-256.")] = None,
    tolerance_rate: Annotated[str, typer.Option("--tolerance-rate", help="收入容差，按核查员"
                                                "所填金额的比例。\n\nIncome tolerance as "
                                                "a share of the verifier's amount.")] = "0.05",
    tolerance_amount: Annotated[str, typer.Option("--tolerance-amount", help="收入容差（元，"
                                                  "取两者较大）。\n\nIncome "
                                                  "tolerance in yuan (the larger applies).")]
    = "500",
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """记录复核：比对抽中案件，重新理算，差异重大则重开。
    Record a re-check of a sampled claim:
    compare, re-adjudicate, reopen if material."""
    from adjudicator.services.audit import record_recheck
    from adjudicator.services.verification import load_form

    ctx = context(db, user)
    with refused(*_refusals()):
        result = record_recheck(ctx, sample_id, claim, load_form(file),
                                tolerance_rate=_decimal("--tolerance-rate", tolerance_rate),
                                tolerance_amount=_decimal("--tolerance-amount",
                                                          tolerance_amount),
                                evidence_dir=evidence_dir)
    if as_json:
        print_json(result.as_dict())
        return
    lang = current_lang()
    console.print(Message("audit.recheck", recheck=result.recheck_pk, claim=claim,
                          stored=word(OUTCOMES, result.outcome_stored, lang),
                          stored_payout=result.payout_stored,
                          audit=word(OUTCOMES, result.outcome_audit, lang),
                          audit_payout=result.payout_audit,
                          material=Message("audit.material" if result.material
                                           else "audit.not_material")), highlight=False)
    if result.discrepancies:
        table = worded_table("col.kind", "audit.col.field", "audit.col.verifier_found",
                             "audit.col.auditor_found", "audit.col.difference",
                             "audit.col.material", title="audit.discrepancies")
        for d in result.discrepancies:
            table.add_row(word(DISCREPANCY_KINDS, d.kind, lang), _field(d.field),
                          _value(d.kind, d.verifier), _value(d.kind, d.auditor),
                          d.difference or "", _yes(True) if d.material else "")
        print_table(table)
    if result.reopened:
        console.print(Message("audit.reopened", decision=result.new_decision_id),
                      highlight=False)
    elif result.reopen_blocked:
        console.print(Message("audit.not_reopened", why=result.reopen_blocked),
                      style="bold yellow", highlight=False)
    if result.adjustment is not None:
        a = result.adjustment
        console.print(Message("audit.adjustment_opened",
                              kind=ADJUSTMENT_KINDS.get(a.kind, a.kind), amount=a.amount,
                              adjustment=a.adjustment_id), highlight=False)


@app.command("report")
def report(
    sample_id: Annotated[int | None, typer.Option("--sample", help="只看此样本。\n\nOnly this "
                                                                   "sample.")]
    = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="另存 Excel 文件。\n\n"
                                                             "Also write an Excel file.")]
    = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="另存 PDF。"
                                                           "\n\nAlso write a PDF.")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """复核报告：各核查员、
    各乡镇的差错率（95% Wilson 区间）和重大差异案件。
    Error rates per
    verifier and township (95 % Wilson interval), material cases.

    Also as --json, --xlsx FILE and --pdf FILE."""
    from adjudicator.services.audit import (
        audit_report,
        render_report_pdf,
        report_table_rows,
        write_report_xlsx,
    )

    distinct_outputs(pdf, xlsx)
    ctx = context(db, user)
    with refused(*_refusals()):
        data = audit_report(ctx, sample_id)
    if xlsx is not None:
        write_report_xlsx(data, xlsx)
    if pdf is not None:
        pdf.write_bytes(render_report_pdf(data))
    if as_json:
        print_json(data.as_dict())
        return
    lang = current_lang()
    for by, rows in (("verifier", data.by_verifier), ("township", data.by_township)):
        table = worded_table(f"col.{by}", "audit.col.sampled", "audit.col.rechecked",
                             "audit.col.with_discrepancies", "audit.col.material",
                             "audit.col.error_rate", "audit.col.interval", "audit.col.at_stake",
                             title=f"audit.by.{by}")
        for i, cells in enumerate(report_table_rows([*rows, data.total])):
            table.add_row(*cells, style="bold" if i == len(rows) else None)
        print_table(table)
    table = worded_table("col.sample", "col.claim", "col.verifier", "col.township",
                         "audit.col.fields", "col.outcome", "audit.col.difference",
                         "audit.col.reopened", "audit.col.adjustment",
                         title=Message("audit.material_title", count=len(data.material)))
    for m in data.material:
        adj = m["adjustment"]
        outcome = " → ".join(word(OUTCOMES, o, lang) for o in m["outcome"].split(" → "))
        shown = "" if adj is None else (f"{word(ADJUSTMENT_KINDS, adj['kind'], lang)} "
                                        f"{adj['amount']}（"
                                        f"{word(ADJUSTMENT_STATUSES, adj['status'], lang)}）")
        table.add_row(str(m["sample_id"]), m["claim_id"], m["verifier"], m["township"],
                      "、".join(_field(f) for f in m["fields"]), outcome,
                      m["payout_difference"], _yes(bool(m["reopened"])), shown)
    print_table(table)
    for path in (xlsx, pdf):
        if path is not None:
            console.print(Message("audit.written", path=path), highlight=False)


@app.command("adjustments")
def adjustments(
    status: Annotated[str | None, typer.Option("--status", help="状态：open（未结）、"
                                                                "settled（已结）"
                                               "或 superseded（已作废）。\n\nopen, settled or "
                                               "superseded.")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """追回和补发：复核产生的追回和补发。
    Recoveries (追回) and top-ups (补发) opened by audits."""
    from adjudicator.services.audit import list_adjustments

    ctx = context(db, user)
    with refused(*_refusals()):
        rows = list_adjustments(ctx, status)
    if as_json:
        print_json([r.as_dict() for r in rows])
        return
    table = worded_table("col.id", "col.claim", "col.household", "col.kind", "col.amount",
                         "audit.col.received", "audit.col.granted", "col.status",
                         "audit.col.settled",
                         title=Message("audit.adjustments", count=len(rows)))
    lang = current_lang()
    for r in rows:
        how = word(SETTLE_WAYS, r.settled_how, lang)
        table.add_row(str(r.adjustment_id), r.claim_id, r.household_id,
                      word(ADJUSTMENT_KINDS, r.kind, lang), f"{r.amount:.2f}",
                      f"{r.received:.2f}", f"{r.granted:.2f}",
                      word(ADJUSTMENT_STATUSES, r.status, lang),
                      f"{how} {r.settlement_ref or ''}".strip())
    print_table(table)


@app.command("settle")
def settle(
    adjustment_id: Annotated[int, typer.Argument(help="未结的追回或补发。"
                                                      "\n\nThe open adjustment.")],
    how: Annotated[str, typer.Option("--how", help="追回填 repaid（已退回）或 offset（抵扣）；"
                                                   "补发填 paid（已发）。\n\n"
                                       "recovery: repaid or offset; top-up: paid.")],
    reference: Annotated[str, typer.Option("--ref", help="银行转账号或收据号。\n\n"
                                             "Bank transfer or receipt number.")],
    note: Annotated[str | None, typer.Option("--note", help="备注。\n\nA note.")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """结清：追回已退回（或抵扣），补发已发放。
    Settle an adjustment: a recovery repaid (or
    offset), a top-up paid."""
    from adjudicator.services.audit import settle_adjustment

    ctx = context(db, user)
    with refused(*_refusals()):
        row = settle_adjustment(ctx, adjustment_id, how, reference, note)
    console.print(Message("audit.settled", adjustment=row.adjustment_id,
                          kind=ADJUSTMENT_KINDS.get(row.kind, row.kind), amount=row.amount,
                          claim=row.claim_id,
                          how=SETTLE_WAYS.get(row.settled_how or "", row.settled_how or "")),
                  highlight=False)
