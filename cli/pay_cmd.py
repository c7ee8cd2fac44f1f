"""`adjudicator pay`: pay, write the bank's register again, reconcile the bank's return file.

The payment service is imported when a command runs, so `pay --help` stays quick."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from adjudicator.messages import Message
from adjudicator.roles import PermissionDenied
from cli.common import AsOption, DbOption, JsonOption, console, context, print_json, refused

app = typer.Typer(help="兑现：兑现应付案件，生成银行代发清单，核对银行回盘文件。\n"
                  "Pay payable claims, write the bank's register, reconcile the bank's return "
                  "file.", invoke_without_command=True)
OutOption = typer.Option("--out", help="银行代发清单（保密）写到哪里。\n\n"
                                       "Where the bank's payment register (confidential) is "
                                       "written.")


@app.callback()
def pay(
    ctx: typer.Context,
    out: Annotated[Path, OutOption] = Path("payments"),
    register: Annotated[str | None, typer.Option(
        "--register", help="重新生成此批次的代发清单，\n\n"
                           "按已存的兑现记录，不兑现。\n\n"
                           "Write the register of this batch again (from the payments "
                           "table) instead of paying.")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """兑现：公示期满无异议的案件各兑现一次，全部记录后生成银行代发清单（CSV 和 XLSX）。
    Pay every claim whose notice closed without objection, exactly once, and write the
    bank's register (CSV and XLSX) once every payment is stored."""
    from adjudicator.services.integrity import RecordRefused
    from adjudicator.services.payments import PaymentRefused, pay_closed, regenerate_register


    if ctx.invoked_subcommand is not None:
        return
    service = context(db, user)
    if register is not None:
        with refused(PermissionDenied, PaymentRefused, RecordRefused):
            written = regenerate_register(service, register, out)
        summary = {"batch_ref": written.batch_ref, "payments": written.payments,
                   "total": f"{written.total:.2f}", "register": str(written.csv),
                   "register_xlsx": str(written.xlsx)}
        if as_json:
            print_json(summary)
        else:
            console.print(Message("pay.register", batch=written.batch_ref,
                                  payments=written.payments, total=written.total,
                                  csv=written.csv, xlsx=written.xlsx), highlight=False)
        return
    with refused(PermissionDenied, PaymentRefused, RecordRefused):
        run = pay_closed(service, out)
    summary = {"batch_ref": run.batch_ref or None, "payments": run.payments,
               "households": run.households, "total": f"{run.total:.2f}",
               "register": str(run.register) if run.register else None,
               "register_xlsx": str(run.register_xlsx) if run.register_xlsx else None,
               "held": [{"claim_id": h.claim_id, "reason": h.reason} for h in run.held],
               "recovered_registers": [str(r.csv) for r in run.recovered]}
    if as_json:
        print_json(summary)
        return
    for recovered in run.recovered:
        console.print(Message("pay.recovered", batch=recovered.batch_ref, csv=recovered.csv),
                      highlight=False)
    if run.payments:
        console.print(Message("pay.paid", batch=run.batch_ref, payments=run.payments,
                              households=run.households, total=run.total, csv=run.register,
                              xlsx=run.register_xlsx), highlight=False)
    else:
        console.print(Message("pay.nothing"), highlight=False)
    for held in run.held:
        console.print(Message("pay.held", claim=held.claim_id, reason=held.reason),
                      highlight=False)


@app.command("reconcile")
def reconcile_cmd(
    file: Annotated[Path, typer.Argument(help="银行回盘文件（CSV 或 XLSX）。\n\n"
                                              "The bank's return file (回盘文件), CSV or "
                                              "XLSX.")],
    errors: Annotated[Path | None, typer.Option("--errors", help="退回行的报告写到哪里"
                                                "（默认：FILE.errors.csv）。\n\n"
                                                "Where rejected rows are "
                                                "reported (default: FILE.errors.csv).")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """导入银行回盘文件：到账的记为已兑现；
    失败的案件重新变为应付，并记下银行给的原因。
    Import the bank's return file: confirmed transfers are paid; a failed one makes its
    claim payable again, with the bank's reason."""
    from adjudicator.services.integrity import RecordRefused
    from adjudicator.services.payments import PaymentRefused, reconcile


    service = context(db, user)
    with refused(PermissionDenied, PaymentRefused, RecordRefused):
        result = reconcile(service, file, errors)
    summary = {"file": str(file), "confirmed": result.confirmed, "failed": result.failed,
               "unchanged": result.unchanged, "rejected": len(result.problems),
               "confirmed_total": f"{result.confirmed_total:.2f}",
               "failed_claims": [{"claim_id": c, "reason": r} for c, r in result.failed_claims],
               "error_report": str(result.error_report) if result.error_report else None}
    if as_json:
        print_json(summary)
    else:
        console.print(Message("pay.reconciled", file=file.name, confirmed=result.confirmed,
                              total=result.confirmed_total, failed=result.failed,
                              unchanged=result.unchanged, rejected=len(result.problems)),
                      highlight=False)
        for claim_id, reason in result.failed_claims:
            console.print(Message("pay.failed", claim=claim_id, reason=reason),
                          highlight=False)
        if result.error_report:
            console.print(Message("pay.error_report", path=result.error_report),
                          highlight=False)
    if result.problems and not (result.confirmed or result.failed or result.unchanged):
        raise typer.Exit(2)
