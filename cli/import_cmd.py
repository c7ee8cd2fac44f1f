"""`adjudicator import households|claims|verifications|department-data|regions FILE`.

Exit status: 0 when the file was read (even if some rows were rejected: the count and the
error report's path are printed), 2 when every row was rejected, 1 when the import could not
run at all (one-line reason). The importers and the database are loaded when a command
runs, so `import --help` stays quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from adjudicator.messages import Message
from adjudicator.roles import PermissionDenied
from cli.common import (
    AsOption,
    DbOption,
    JsonOption,
    LangOption,
    choose_lang,
    console,
    context,
    fail,
    print_json,
    require_file,
)

if TYPE_CHECKING:
    from adjudicator.intake import ImportResult

app = typer.Typer(help="导入户、申请、入户核查或部门数据；错行写入错误报告。\n"
                  "Import households, claims, verifications or department data from CSV (UTF-8 or "
                  "GBK), XLSX or JSON Lines; bad rows go to an error report.",
                  no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(help="文件：.csv、.xlsx 或 .jsonl。\n\n"
                                         "The file: .csv, .xlsx or .jsonl.")]
DbOpt = Annotated[str | None, DbOption]
AsOpt = Annotated[str | None, AsOption]
ErrorsOpt = Annotated[Path | None, typer.Option(
    "--errors", help="错误报告写到哪里（默认：FILE.errors.csv）。\n\n"
    "Where to write the error report (default: FILE.errors.csv).")]
JsonOpt = Annotated[bool, JsonOption]
LangOpt = Annotated[str | None, LangOption]


def _run(kind: str, file: Path, db: str | None, user: str | None, errors: Path | None,
         as_json: bool, default_source: str | None = None, lang: str | None = None) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from adjudicator.intake import ImportRefused, UnreadableFile, import_file
    from adjudicator.intake.report import ReportUnwritable

    choose_lang(lang)
    require_file(file)
    ctx = context(db, user)
    try:
        result = import_file(ctx, kind, file, errors, default_source=default_source)
    except (PermissionDenied, ImportRefused, UnreadableFile, ReportUnwritable) as exc:
        fail(exc)
    except SQLAlchemyError as exc:
        # Chunks stored before the failure stay stored: importing the file again resumes.
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        fail(Message("import.database_error", file=file.name, reason=reason))
    finally:
        ctx.engine.dispose()
    _print(result, as_json)
    if result.all_rejected:
        raise typer.Exit(2)


def _print(result: ImportResult, as_json: bool) -> None:
    if as_json:
        print_json(result.to_dict())
        return
    console.print(Message("import.summary", file=result.file, total=result.rows_total,
                          accepted=result.accepted, updated=result.updated,
                          unchanged=result.unchanged, rejected=result.rejected,
                          batch=result.batch_id).render(), highlight=False, soft_wrap=True)
    if result.warnings:
        console.print(Message("import.warnings", count=result.warnings).render(),
                      highlight=False, soft_wrap=True)
    if result.rejected or result.warnings:
        console.print(Message("import.report_at", path=result.error_report).render(),
                      highlight=False, soft_wrap=True)


@app.command("households")
def households(file: FileArg, db: DbOpt = None, user: AsOpt = None, errors: ErrorsOpt = None,
               as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    """户及其成员，每个成员一行（户编号、身份证号码、
    户类别 …）。
    Households and their members, one
    row per member (户编号, 身份证号码, 户类别 …)."""
    _run("households", file, db, user, errors, as_json, lang=lang)


@app.command("claims")
def claims(file: FileArg, db: DbOpt = None, user: AsOpt = None, errors: ErrorsOpt = None,
           as_json: JsonOpt = False, lang: LangOpt = None,
           source: Annotated[str | None, typer.Option(
               "--source", help="部门数据中未注明来源的行的来源"
                                "（如 medical_insurance_feed、医保）。"
                                "\n\nSource of rows without one "
                                "(e.g. medical_insurance_feed, 医保), for a department feed.")]
           = None) -> None:
    """申请：按户编号加成员编号或身份证号码匹配已登记的成员。
    Claims, matched to registered members by household + member id or by ID number."""
    _run("claims", file, db, user, errors, as_json, default_source=source, lang=lang)


@app.command("verifications")
def verifications(file: FileArg, db: DbOpt = None, user: AsOpt = None,
                  errors: ErrorsOpt = None, as_json: JsonOpt = False,
                  lang: LangOpt = None) -> None:
    """入户核查结果；每件申请转为已核查。
    Household verifications (入户核查); each claim moves to
    verified."""
    _run("verifications", file, db, user, errors, as_json, lang=lang)


@app.command("department-data")
def department_data(file: FileArg, db: DbOpt = None, user: AsOpt = None,
                    errors: ErrorsOpt = None, as_json: JsonOpt = False,
                    lang: LangOpt = None) -> None:
    """信息比对：部门查到的车辆、企业、房产、工资 …Department findings (信息比对): vehicles,
    companies, housing, payroll …"""
    _run("department-data", file, db, user, errors, as_json, lang=lang)


@app.command("regions")
def regions(file: FileArg, db: DbOpt = None, user: AsOpt = None, errors: ErrorsOpt = None,
            as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    """区划名称：本县的区划代码和名称，
    乡镇（9 位）和村（12 位）。
    The county's region names
    (区划代码, 名称): townships (9 digits) and villages (12)."""
    from adjudicator.services.places import RegionsRefused, load_regions

    choose_lang(lang)
    require_file(file)
    ctx = context(db, user)
    try:
        result = load_regions(ctx, file, errors)
    except (PermissionDenied, RegionsRefused) as exc:
        fail(exc)
    summary = {"file": str(file), "townships": result.townships, "villages": result.villages,
               "households_named": result.households_named,
               "rejected": len(result.problems),
               "error_report": str(result.error_report) if result.error_report else None}
    if as_json:
        print_json(summary)
    else:
        report = (Message("regions.report", path=result.error_report)
                  if result.error_report else "")
        console.print(Message("regions.summary", file=file.name, townships=result.townships,
                              villages=result.villages, named=result.households_named,
                              rejected=len(result.problems), report=report), highlight=False)
    if result.problems and not (result.townships or result.villages):
        raise typer.Exit(2)
