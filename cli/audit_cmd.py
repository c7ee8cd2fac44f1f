"""`adjudicator audit`: draw a reproducible sample, record re-checks, report, settle
recoveries and top-ups. The audit service is imported when a command runs, so `audit --help`
stays quick."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from adjudicator.messages import Message
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
)

app = typer.Typer(help="抽样复核: sampling audits of household verifications.",
                  no_args_is_help=True)
DateOption = {"formats": ["%Y-%m-%d"]}


def _refusals() -> tuple[type[Exception], ...]:
    from adjudicator.services.audit import AuditRefused
    from adjudicator.services.verification import VerificationRefused

    return (PermissionDenied, AuditRefused, VerificationRefused)


def _decimal(name: str, text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        fail(Message("cli.not_decimal", name=name, text=text))


@app.command("sample")
def sample(
    rate: Annotated[str, typer.Option("--rate", help="Sampling rate, e.g. 0.05.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed and "
                                      "population give the same sample.")],
    date_from: Annotated[dt.datetime | None, typer.Option("--from", help="Visits from "
                                                          "(YYYY-MM-DD).", **DateOption)]
    = None,
    date_to: Annotated[dt.datetime | None, typer.Option("--to", help="Visits to "
                                                        "(YYYY-MM-DD).", **DateOption)] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Draw and record a reproducible stratified sample of verified, decided claims.

    Strata are (verifier, township), with at least one claim per verifier."""
    from adjudicator.services.audit import draw_sample

    ctx = context(db, user)
    with refused(*_refusals()):
        result = draw_sample(ctx, rate=_decimal("--rate", rate), seed=seed,
                             date_from=date_from.date() if date_from else None,
                             date_to=date_to.date() if date_to else None)
    if as_json:
        print_json(result.as_dict())
        return
    console.print(f"sample {result.sample_id}: {len(result.claims)} of "
                  f"{result.population_size} claims (rate {result.rate}, seed {result.seed}); "
                  f"population SHA-256 {result.population_sha256}", highlight=False)
    table = Table("verifier", "township", "population", "sampled", title="strata")
    for s in result.strata:
        table.add_row(s["verifier"], s["township"], str(s["population"]), str(s["sampled"]))
    print_table(table)
    console.print("claims: " + ", ".join(u.claim_id for u in result.claims), highlight=False)


@app.command("record")
def record(
    sample_id: Annotated[int, typer.Argument(help="The sample.")],
    claim: Annotated[str, typer.Argument(help="The sampled claim re-checked.")],
    file: Annotated[Path, typer.Option("--file", help="The re-check form (YAML or .json), "
                                       "as printed by 'verify template'.")],
    evidence_dir: Annotated[Path | None, typer.Option(
        "--evidence-dir", help="Folder of the photos: each must match its SHA-256.")] = None,
    tolerance_rate: Annotated[str, typer.Option("--tolerance-rate", help="Income tolerance as "
                                                "a share of the verifier's amount.")] = "0.05",
    tolerance_amount: Annotated[str, typer.Option("--tolerance-amount", help="Income "
                                                  "tolerance in yuan (the larger applies).")]
    = "500",
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Record a re-check of a sampled claim: compare, re-adjudicate, reopen if material."""
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
    console.print(f"re-check {result.recheck_pk} of claim {claim}: {result.outcome_stored} "
                  f"{result.payout_stored:.2f} → audit {result.outcome_audit} "
                  f"{result.payout_audit:.2f}; "
                  f"{'MATERIAL' if result.material else 'not material'}", highlight=False)
    if result.discrepancies:
        table = Table("kind", "field", "verifier", "auditor", "difference", "material",
                      title="差异 discrepancies")
        for d in result.discrepancies:
            table.add_row(d.kind, d.field, d.verifier or "", d.auditor or "",
                          d.difference or "", "yes" if d.material else "")
        print_table(table)
    if result.reopened:
        console.print(f"claim reopened: new decision {result.new_decision_id}")
    elif result.reopen_blocked:
        console.print(f"[bold yellow]not reopened:[/] {result.reopen_blocked}", highlight=False)
    if result.adjustment is not None:
        a = result.adjustment
        console.print(f"{'追回 recovery' if a.kind == 'recovery' else '补发 top-up'} "
                      f"{a.amount:.2f} opened (adjustment {a.adjustment_id})", highlight=False)


@app.command("report")
def report(
    sample_id: Annotated[int | None, typer.Option("--sample", help="Only this sample.")]
    = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Also write an Excel file.")]
    = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Also write a PDF.")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Error rates per verifier and township (95 % Wilson interval), material cases.

    Also as --json, --xlsx FILE and --pdf FILE."""
    from adjudicator.services.audit import (
        REPORT_HEADERS,
        audit_report,
        render_report_pdf,
        report_table_rows,
        write_report_xlsx,
    )

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
    for title, rows in (("核查员 verifier", data.by_verifier), ("乡镇 township", data.by_township)):
        table = Table(title, *REPORT_HEADERS[1:], title=f"抽样复核 by {title.split()[1]}")
        for i, cells in enumerate(report_table_rows([*rows, data.total])):
            table.add_row(*cells, style="bold" if i == len(rows) else None)
        print_table(table)
    table = Table("sample", "claim", "verifier", "township", "fields", "outcome", "difference",
                  "reopened", "adjustment", title=f"重大差异 material: {len(data.material)}")
    for m in data.material:
        adj = m["adjustment"]
        table.add_row(str(m["sample_id"]), m["claim_id"], m["verifier"], m["township"],
                      ", ".join(m["fields"]), m["outcome"], m["payout_difference"],
                      "yes" if m["reopened"] else "no",
                      "" if adj is None else f"{adj['kind']} {adj['amount']} ({adj['status']})")
    print_table(table)
    for path in (xlsx, pdf):
        if path is not None:
            console.print(f"written: {path}", highlight=False)


@app.command("adjustments")
def adjustments(
    status: Annotated[str | None, typer.Option("--status", help="open, settled or "
                                               "superseded.")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Recoveries (追回) and top-ups (补发) opened by audits."""
    from adjudicator.services.audit import list_adjustments

    ctx = context(db, user)
    with refused(*_refusals()):
        rows = list_adjustments(ctx, status)
    if as_json:
        print_json([r.as_dict() for r in rows])
        return
    table = Table("id", "claim", "household", "kind", "amount", "received", "granted", "status",
                  "settled", title=f"追回/补发 adjustments: {len(rows)}")
    for r in rows:
        table.add_row(str(r.adjustment_id), r.claim_id, r.household_id, r.kind, f"{r.amount:.2f}",
                      f"{r.received:.2f}", f"{r.granted:.2f}", r.status,
                      f"{r.settled_how or ''} {r.settlement_ref or ''}".strip())
    print_table(table)


@app.command("settle")
def settle(
    adjustment_id: Annotated[int, typer.Argument(help="The open adjustment.")],
    how: Annotated[str, typer.Option("--how", help="recovery: repaid or offset; top-up: paid.")],
    reference: Annotated[str, typer.Option("--ref", help="Bank transfer or receipt number.")],
    note: Annotated[str | None, typer.Option("--note", help="A note.")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """Settle an adjustment: a recovery repaid (or offset), a top-up paid."""
    from adjudicator.services.audit import settle_adjustment

    ctx = context(db, user)
    with refused(*_refusals()):
        row = settle_adjustment(ctx, adjustment_id, how, reference, note)
    console.print(f"adjustment {row.adjustment_id} ({row.kind} {row.amount:.2f}, claim "
                  f"{row.claim_id}) settled: {row.settled_how}", highlight=False)
