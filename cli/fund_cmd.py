"""`adjudicator fund ...` (资金: receive, status, settle) and `adjudicator whatif` (测算)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from adjudicator.messages import Message, current_lang
from cli.common import (
    AsOption,
    DbOption,
    JsonOption,
    a_year,
    console,
    context,
    fail,
    file_problems,
    not_over_inputs,
    print_json,
    worded_table,
)

if TYPE_CHECKING:
    from adjudicator.fund.contract import Contract

app = typer.Typer(help="资金：保费到账、资金台账、年度核算。\n"
                  "The fund: premium receipts, the ledger, the annual settlement.",
                  no_args_is_help=True)

CountyOption = typer.Option("--county", help="县：资金合同的 `county` 键、县名（示范县）"
                                              "或行政区划代码。\n\n"
                                              "The contract's `county` key, its name or a region "
                                              "code.")
YearOption = typer.Option("--year", callback=a_year,
                          help="年度：合同年度。\n\nThe contract year.")
ContractOption = typer.Option("--contract", help="合同文件：资金合同 TOML 文件（默认：合同目录中"
                              "--county 和 --year 对应的那份）。\n\n"
                              "A contract TOML file (default: the "
                              "one of --county and --year in the contracts folder).")
ContractsDirOption = typer.Option("--contracts", envvar="ADJUDICATOR_CONTRACTS",
                                  help="合同目录：资金合同文件所在的文件夹\n\n"
                                  "（默认：自带的 contracts/）。\n\nFolder of contract files "
                                  "(default: the shipped contracts/).", show_envvar=True)


def _contract(path: Path | None, county: str | None, year: int | None,
              folder: Path | None) -> Contract:
    from adjudicator.fund.contract import ContractError, find_contract, load_contract
    from contracts import CONTRACT_DIR

    try:
        if path is not None:
            contract = load_contract(path)
        else:
            if county is None or year is None:
                fail(Message("fund.contract_needed"))
            contract = find_contract(folder or CONTRACT_DIR, county, year)
    except ContractError as exc:
        fail(Message("cli.contract_invalid", detail=file_problems(exc)))
    if year is not None and contract.year != year:
        fail(Message("fund.contract_year", contract=contract.id, year=contract.year,
                     wanted=year))
    return contract


def _amount(text: str) -> Decimal:
    """An amount typed in yuan as every import reads one (thousands commas allowed)."""
    from schemas.types import AmountError, parse_amount

    try:
        return parse_amount(text.replace(",", ""))
    except AmountError:
        fail(Message("fund.bad_amount", text=text))


def _bad_date(what: str, text: str) -> Message:
    zh, en = Message(what).render("zh"), Message(what).render("en")
    return Message("fund.bad_date", what=zh, what_en=en, text=text)


def _category(code: str) -> str:
    from adjudicator.fund.statement import category_label

    return category_label(code) if current_lang() == "zh" else code


@app.command("receive")
def receive(
    amount: Annotated[str, typer.Option("--amount", help="到账金额（元）。\n\nAmount received.")],
    reference: Annotated[str, typer.Option("--reference", help="银行流水号。\n\nBank reference.")],
    received_on: Annotated[str, typer.Option("--date", help="到账日期（YYYY-MM-DD）。\n\n"
                                                            "Date received, YYYY-MM-DD.")],
    county: Annotated[str | None, CountyOption] = None,
    year: Annotated[int | None, YearOption] = None,
    contract_file: Annotated[Path | None, ContractOption] = None,
    contracts: Annotated[Path | None, ContractsDirOption] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注。\n\nNote.")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """保费到账：登记收到的一笔保费（县乡村振兴局），
    记入审计日志。
    Record a premium payment received (officer); an event in the audit trail."""
    from adjudicator.fund.ledger import FundRefused, record_receipt
    from adjudicator.roles import PermissionDenied

    contract = _contract(contract_file, county, year, contracts)
    try:
        day = dt.date.fromisoformat(received_on)
    except ValueError:
        fail(_bad_date("fund.received_on", received_on))
    ctx = context(db, user)
    try:
        receipt = record_receipt(ctx, contract, _amount(amount), day, reference, note)
    except (FundRefused, PermissionDenied) as exc:
        fail(exc)
    if as_json:
        print_json({"receipt": receipt.pk, "amount": f"{receipt.amount:.2f}",
                    "received_on": receipt.received_on.isoformat(),
                    "reference": receipt.reference,
                    "already_recorded": receipt.already_recorded})
        return
    if receipt.already_recorded:
        console.print(Message("fund.already_recorded", reference=receipt.reference,
                              amount=receipt.amount), highlight=False)
    else:
        console.print(Message("fund.received", amount=receipt.amount, day=receipt.received_on,
                              reference=receipt.reference, contract=contract.id),
                      highlight=False)


@app.command("status")
def status(
    county: Annotated[str | None, CountyOption] = None,
    year: Annotated[int | None, YearOption] = None,
    contract_file: Annotated[Path | None, ContractOption] = None,
    contracts: Annotated[Path | None, ContractsDirOption] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="截至日期（YYYY-MM-DD，默认："
                                                              "县里的今天）。\n\n"
                                              "As of, YYYY-MM-DD "
                                              "(default: today in the county).")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """资金台账：保费、赔付、追回、补发、已承诺、赔付率、
    预测。
    Premium, payouts, recoveries,
    top-ups, committed, loss ratio, projection."""
    from adjudicator.fund.ledger import fund_status
    from adjudicator.roles import PermissionDenied

    contract = _contract(contract_file, county, year, contracts)
    day = None
    if as_of is not None:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            fail(_bad_date("fund.as_of", as_of))
    ctx = context(db, user)
    try:
        result = fund_status(ctx, contract, day)
    except PermissionDenied as exc:
        fail(exc)
    if as_json:
        print_json(result.as_dict())
        return
    print_status(result)


def print_status(s: object) -> None:
    """资金台账的表格，中文在前。
    The ledger as tables, Chinese first."""
    from adjudicator.fund.ledger import FundStatus, warning_message
    from schemas.vocabulary import CLAIM_STATUSES, FUND_STAGES, word

    assert isinstance(s, FundStatus)
    c = s.contract
    lang = current_lang()
    table = worded_table("fund.col.item", "fund.col.yuan",
                         title=Message("fund.ledger_title", name=c.name, as_of=s.as_of))
    for key, value in (
            ("premium", s.premium), ("opening_balance", c.opening_balance),
            ("management_fee", s.management_fee), ("fund_for_claims", s.fund_for_claims),
            ("premium_due", s.premium_due), ("premium_received", s.premium_received),
            ("paid", s.paid), ("top_ups_paid", s.top_ups_paid),
            ("recoveries_repaid", s.recoveries_repaid),
            ("recoveries_offset", s.recoveries_offset), ("top_ups_open", s.top_ups_open),
            ("recoveries_open", s.recoveries_open), ("paid_net", s.paid_net),
            ("committed", s.committed), ("incurred", s.incurred), ("balance", s.balance)):
        label = {"paid": CLAIM_STATUSES["paid"], "top_ups_open": FUND_STAGES["top_up_open"]
                 }.get(key) or Message(f"fund.row.{key}")
        table.add_row(label.render(lang), f"{value:,.2f}")
    table.add_row(Message("fund.row.loss_ratio").render(),
                  "—" if s.loss_ratio is None else f"{s.loss_ratio:.2%}")
    if s.projected_year is not None and s.projected_balance is not None:
        table.add_row(Message("fund.row.projected_year").render(), f"{s.projected_year:,.2f}")
        table.add_row(Message("fund.row.projected_balance").render(),
                      f"{s.projected_balance:,.2f}")
    table.add_row(Message("fund.row.warning_at", share=c.warning_share).render(),
                  f"{s.warning_at:,.2f}")
    console.print(table)
    stages = {**CLAIM_STATUSES, **FUND_STAGES}
    for title, rows in (
            ("fund.by_category", {_category(k): v for k, v in s.paid_by_category.items()}),
            ("fund.by_township", s.paid_by_township),
            ("fund.by_month", s.paid_by_month),
            ("fund.by_status",
             {word(stages, k, lang): v for k, v in s.committed_by_status.items()})):
        part = worded_table("fund.col.item", "fund.col.yuan", title=title)
        for key, value in rows.items():
            part.add_row(key, f"{value:,.2f}")
        console.print(part)
    if s.warning:
        console.print(warning_message(s, c), style="bold red", highlight=False)


@app.command("settle")
def settle(
    county: Annotated[str | None, CountyOption] = None,
    year: Annotated[int | None, YearOption] = None,
    contract_file: Annotated[Path | None, ContractOption] = None,
    contracts: Annotated[Path | None, ContractsDirOption] = None,
    out: Annotated[Path, typer.Option("--out", help="结算单目录：结算单（PDF 和 XLSX）写到哪里。"
                                                    "\n\n"
                                      "Where the statement is "
                                      "written (PDF and XLSX).")] = Path("documents"),
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """年度核算：按资金合同结算本年度（县乡村振兴局），
    生成结算单。
    Settle the year under the contract (officer) and write the statement."""
    from adjudicator.fund.annual import settle_year
    from adjudicator.roles import PermissionDenied

    contract = _contract(contract_file, county, year, contracts)
    ctx = context(db, user)
    stem = f"fund-settlement-{contract.county}-{contract.year}"
    try:
        run = settle_year(ctx, contract, out / f"{stem}.pdf", out / f"{stem}.xlsx")
    except PermissionDenied as exc:
        fail(exc)
    except _font_error() as exc:
        fail(str(exc))
    s = run.figures["settlement"]
    if as_json:
        print_json({"revision": run.revision, "new": run.new, "settlement": s,
                    "open_claims": len(run.figures["open_claims"]), "pdf": str(run.pdf),
                    "xlsx": str(run.xlsx)})
        return
    state = Message("fund.settled_new" if run.new else "fund.settled_same")
    console.print(Message("fund.settled", title=run.figures["title"], revision=run.revision,
                          state=state), highlight=False)
    owes = Decimal(s["county_owes"])
    if owes > 0:
        console.print(Message("fund.county_owes", amount=owes), highlight=False)
    elif owes < 0:
        console.print(Message("fund.insurer_refunds", amount=-owes), highlight=False)
    if Decimal(s["carried_over"]) > 0:
        console.print(Message("fund.carried_over", amount=Decimal(s["carried_over"])),
                      highlight=False)
    console.print(Message("fund.open_claims", count=len(run.figures["open_claims"]),
                          pdf=run.pdf, xlsx=run.xlsx), highlight=False)


def _font_error() -> type[Exception]:
    from adjudicator.documents.fonts import MissingCJKFontError

    return MissingCJKFontError


def whatif(
    tariff: Annotated[Path, typer.Option("--tariff", help="草案：保障方案草案 TOML 文件。\n\n"
                                                          "The draft tariff TOML.")],
    year: Annotated[int, typer.Option("--year", callback=a_year,
                                      help="年度：重新理算该年度的案件。\n\n"
                                                     "Re-decide this year's claims.")],
    sweep: Annotated[str | None, typer.Option(
        "--sweep", help="逐档测算某个参数：键=起:止:步长。\n\n"
        "KEY=START:STOP:STEP, e.g. income_line=6000:9000:500 (any numeric "
        "tariff key, dotted: categories.medical.annual_cap).")] = None,
    contract_file: Annotated[Path | None, ContractOption] = None,
    contracts: Annotated[Path | None, ContractsDirOption] = None,
    county: Annotated[str | None, CountyOption] = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="图表：图表（PNG）写到这里。\n\n"
                                               "Write the chart (PNG) "
                                               "here.")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """测算：按保障方案草案重新理算当年已存案件，看要花多少钱；只读。
    What a draft tariff would cost, re-deciding the year's stored claims. Read-only."""
    from adjudicator.fund.contract import ContractError, find_contract
    from adjudicator.fund.statement import bar_pairs_chart, category_label, curve_chart

    not_over_inputs("--chart", chart, tariff, contract_file)
    from adjudicator.fund.whatif import WhatIfError, parse_sweep, what_if
    from adjudicator.roles import PermissionDenied
    from adjudicator.rules.tariff import TariffError, load_tariff
    from contracts import CONTRACT_DIR

    try:
        draft = load_tariff(tariff)
        parsed = parse_sweep(sweep) if sweep else None
    except TariffError as exc:
        fail(Message("cli.tariff_invalid", detail=file_problems(exc)))
    except WhatIfError as exc:
        fail(exc)
    contract = None
    if contract_file is not None or county is not None:
        contract = _contract(contract_file, county, year, contracts)
    else:
        try:
            contract = find_contract(contracts or CONTRACT_DIR, draft.region_codes[0], year)
        except ContractError:
            contract = None
    ctx = context(db, user)
    try:
        report = what_if(ctx, draft, year, contract, parsed)
    except TariffError as exc:
        fail(Message("cli.tariff_invalid", detail=file_problems(exc)))
    except (PermissionDenied, WhatIfError) as exc:
        fail(exc)
    if chart is not None:
        chart.parent.mkdir(parents=True, exist_ok=True)
        if parsed is None:
            v = report.variants[0]
            rows = sorted(v.by_category.items())
            chart.write_bytes(bar_pairs_chart([category_label(k) for k, _ in rows],
                                              [a for _, (a, _) in rows],
                                              [d for _, (_, d) in rows]))
        else:
            chart.write_bytes(curve_chart(
                [label.split("=", 1)[1] for label in (v.label for v in report.variants)],
                [v.draft for v in report.variants], report.variants[0].actual,
                None if contract is None else contract.fund_for_claims, parsed[0]))
    if as_json:
        data = report.as_dict()
        data["chart"] = None if chart is None else os.fspath(chart)
        print_json(data)
        return
    if parsed is None:
        _print_variant(report.variants[0])
    else:
        table = Table(parsed[0], *(Message(key).render() for key in (
            "whatif.col.draft", "whatif.col.change", "whatif.col.new", "whatif.col.lost",
            "whatif.col.premium")), title=Message("whatif.curve_title", year=year,
                                                   claims=report.variants[0].claims).render())
        for v in report.variants:
            table.add_row(v.label.split("=", 1)[1], f"{v.draft:,.2f}",
                          f"{v.draft - v.actual:+,.2f}", str(v.newly_paid.households),
                          str(v.no_longer_paid.households),
                          "—" if v.required_premium_per_person is None
                          else f"{v.required_premium_per_person:,.2f}")
        console.print(table)
        console.print(Message("whatif.actual", amount=report.variants[0].actual),
                      highlight=False)
    if chart is not None:
        console.print(Message("whatif.chart", path=chart), highlight=False)


def _print_variant(v: object) -> None:
    from adjudicator.fund.whatif import VariantResult

    assert isinstance(v, VariantResult)
    console.print(Message("whatif.variant", tariff=v.tariff_id, claims=v.claims,
                          changed=v.changed, actual=v.actual, draft=v.draft,
                          change=v.draft - v.actual), highlight=False)
    for title, rows in (("whatif.by_category",
                         {_category(k): r for k, r in v.by_category.items()}),
                        ("whatif.by_township", v.by_township)):
        table = Table("", *(Message(key).render() for key in (
            "whatif.col.actual", "whatif.col.draft_short", "whatif.col.change_short")),
            title=Message(title).render())
        for key, (actual, draft) in sorted(rows.items()):
            table.add_row(key, f"{actual:,.2f}", f"{draft:,.2f}", f"{draft - actual:+,.2f}")
        console.print(table)
    table = Table("", *(Message(key).render() for key in (
        "whatif.col.households", "whatif.col.persons", "whatif.col.amount_change")),
        title=Message("whatif.households").render())
    for key, m in (("whatif.newly_paid", v.newly_paid),
                   ("whatif.no_longer_paid", v.no_longer_paid),
                   ("whatif.paid_more", v.paid_more), ("whatif.paid_less", v.paid_less)):
        table.add_row(Message(key).render(), str(m.households), str(m.persons),
                      f"{m.amount:+,.2f}")
    console.print(table)
    if v.required_fund is not None:
        console.print(Message("whatif.required_fund", amount=v.required_fund), highlight=False)
    if v.required_premium_per_person is not None:
        console.print(Message("whatif.required_premium", amount=v.required_premium_per_person),
                      highlight=False)
    if v.errors:
        console.print(Message("whatif.invalid", count=len(v.errors),
                              claims=", ".join(c for c, _ in v.errors[:5])), style="red",
                      highlight=False)
