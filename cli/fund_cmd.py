"""`adjudicator fund ...` (资金: receive, status, settle) and `adjudicator whatif` (测算)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from adjudicator.messages import Message
from cli.common import (
    AsOption,
    DbOption,
    JsonOption,
    console,
    context,
    fail,
    file_problems,
    print_json,
)

if TYPE_CHECKING:
    from adjudicator.fund.contract import Contract

app = typer.Typer(help="资金 The fund: premium receipts, the ledger, the annual settlement.",
                  no_args_is_help=True)

CountyOption = typer.Option("--county", help="县: the contract's `county` key, its name "
                                              "(示范县) or a region code.")
YearOption = typer.Option("--year", help="年度 The contract year.")
ContractOption = typer.Option("--contract", help="合同文件 A contract TOML file (default: the "
                              "one of --county and --year in the contracts folder).")
ContractsDirOption = typer.Option("--contracts", envvar="ADJUDICATOR_CONTRACTS",
                                  help="合同目录 Folder of contract files (default: the "
                                  "shipped contracts/).", show_envvar=True)


def _contract(path: Path | None, county: str | None, year: int | None,
              folder: Path | None) -> Contract:
    from adjudicator.fund.contract import ContractError, find_contract, load_contract
    from contracts import CONTRACT_DIR

    try:
        if path is not None:
            contract = load_contract(path)
        else:
            if county is None or year is None:
                fail("请给出 --contract 文件，或 --county 与 --year (give --contract, or "
                     "--county and --year)")
            contract = find_contract(folder or CONTRACT_DIR, county, year)
    except ContractError as exc:
        fail(Message("cli.contract_invalid", detail=file_problems(exc)))
    if year is not None and contract.year != year:
        fail(f"合同{contract.id}是{contract.year}年度的，不是{year}年度 (the contract is of "
             f"another year)")
    return contract


def _amount(text: str) -> Decimal:
    """An amount typed in yuan as every import reads one (thousands commas allowed)."""
    from schemas.types import AmountError, parse_amount

    try:
        return parse_amount(text.replace(",", ""))
    except AmountError:
        fail(f"金额无效，应为元，最多两位小数，如 565320.00 (not an amount): {text!r}")


@app.command("receive")
def receive(
    amount: Annotated[str, typer.Option("--amount", help="到账金额（元） Amount received.")],
    reference: Annotated[str, typer.Option("--reference", help="银行流水号 Bank reference.")],
    received_on: Annotated[str, typer.Option("--date", help="到账日期 YYYY-MM-DD.")],
    county: Annotated[str | None, CountyOption] = None,
    year: Annotated[int | None, YearOption] = None,
    contract_file: Annotated[Path | None, ContractOption] = None,
    contracts: Annotated[Path | None, ContractsDirOption] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注 Note.")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """保费到账: record a premium payment received (officer); an event in the audit trail."""
    from adjudicator.fund.ledger import FundRefused, record_receipt
    from adjudicator.roles import PermissionDenied

    contract = _contract(contract_file, county, year, contracts)
    try:
        day = dt.date.fromisoformat(received_on)
    except ValueError:
        fail(f"到账日期应为YYYY-MM-DD (date as YYYY-MM-DD): {received_on!r}")
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
        console.print(f"流水号{receipt.reference}已登记过（{receipt.amount:,.2f}元），未重复登记 "
                      "(already recorded)")
    else:
        console.print(f"已登记保费到账 {receipt.amount:,.2f}元（{receipt.received_on}，流水号"
                      f"{receipt.reference}，合同{contract.id}）")


@app.command("status")
def status(
    county: Annotated[str | None, CountyOption] = None,
    year: Annotated[int | None, YearOption] = None,
    contract_file: Annotated[Path | None, ContractOption] = None,
    contracts: Annotated[Path | None, ContractsDirOption] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="截至日期 YYYY-MM-DD "
                                              "(default: today in the county).")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """资金台账: premium, payouts, recoveries, top-ups, committed, loss ratio, projection."""
    from adjudicator.fund.ledger import fund_status
    from adjudicator.roles import PermissionDenied

    contract = _contract(contract_file, county, year, contracts)
    day = None
    if as_of is not None:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            fail(f"截至日期应为YYYY-MM-DD (date as YYYY-MM-DD): {as_of!r}")
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
    """The ledger as tables, Chinese first."""
    from adjudicator.fund.ledger import FundStatus
    from adjudicator.fund.statement import STATUS_LABELS, category_label

    assert isinstance(s, FundStatus)
    c = s.contract
    table = Table("项目 item", "金额（元） yuan", title=f"{c.name} 资金台账（截至{s.as_of}）")
    for label, value in (
            ("年度保费 premium", s.premium), ("上年结转 opening balance", c.opening_balance),
            ("管理费 management fee", s.management_fee),
            ("可用于赔付 fund for claims", s.fund_for_claims),
            ("应收保费（已到期） premium due", s.premium_due),
            ("已到账保费 premium received", s.premium_received),
            ("已兑现 paid", s.paid), ("补发已付 top-ups paid", s.top_ups_paid),
            ("追回已退 recoveries repaid", s.recoveries_repaid),
            ("追回（冲抵） recoveries offset", s.recoveries_offset),
            ("待补发 top-ups open", s.top_ups_open),
            ("待追回 recoveries open", s.recoveries_open),
            ("净兑现 paid net", s.paid_net), ("已承诺 committed", s.committed),
            ("已发生合计 paid + committed", s.incurred), ("资金余额 balance", s.balance)):
        table.add_row(label, f"{value:,.2f}")
    table.add_row("赔付率 loss ratio", "—" if s.loss_ratio is None else f"{s.loss_ratio:.2%}")
    if s.projected_year is not None and s.projected_balance is not None:
        table.add_row("全年预计赔付 projected year", f"{s.projected_year:,.2f}")
        table.add_row("预计年末余额 projected balance", f"{s.projected_balance:,.2f}")
    table.add_row(f"预警线 warning at ({c.warning_share:%})", f"{s.warning_at:,.2f}")
    console.print(table)
    for title, rows in (
            ("按救助类别兑现 paid by category",
             {category_label(k): v for k, v in s.paid_by_category.items()}),
            ("按乡镇兑现 paid by township", s.paid_by_township),
            ("按月兑现 paid by month", s.paid_by_month),
            ("已承诺 committed by status",
             {STATUS_LABELS.get(k, k): v for k, v in s.committed_by_status.items()})):
        part = Table("", "金额（元）", title=title)
        for key, value in rows.items():
            part.add_row(key, f"{value:,.2f}")
        console.print(part)
    if s.warning:
        console.print(f"[bold red]{s.warning}[/]")


@app.command("settle")
def settle(
    county: Annotated[str | None, CountyOption] = None,
    year: Annotated[int | None, YearOption] = None,
    contract_file: Annotated[Path | None, ContractOption] = None,
    contracts: Annotated[Path | None, ContractsDirOption] = None,
    out: Annotated[Path, typer.Option("--out", help="结算单目录 Where the statement is "
                                      "written (PDF and XLSX).")] = Path("documents"),
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """年度核算: settle the year under the contract (officer) and write the statement."""
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
    state = "已记录" if run.new else "与已记录的结算相同，未重复记录 (unchanged)"
    console.print(f"{run.figures['title']}：第{run.revision}次核算，{state}")
    owes = Decimal(s["county_owes"])
    if owes > 0:
        console.print(f"县财政应补足保险公司 {owes:,.2f}元 (the county owes the insurer)")
    elif owes < 0:
        console.print(f"保险公司应退还县财政 {-owes:,.2f}元 (the insurer refunds)")
    if Decimal(s["carried_over"]) > 0:
        console.print(f"结转下年 {Decimal(s['carried_over']):,.2f}元 (carried over)")
    console.print(f"年末未结案件 {len(run.figures['open_claims'])}件；结算单 {run.pdf}，{run.xlsx}")


def _font_error() -> type[Exception]:
    from adjudicator.documents.fonts import MissingCJKFontError

    return MissingCJKFontError


def whatif(
    tariff: Annotated[Path, typer.Option("--tariff", help="草案 The draft tariff TOML.")],
    year: Annotated[int, typer.Option("--year", help="年度 Re-decide this year's claims.")],
    sweep: Annotated[str | None, typer.Option(
        "--sweep", help="KEY=START:STOP:STEP, e.g. income_line=6000:9000:500 (any numeric "
        "tariff key, dotted: categories.medical.annual_cap).")] = None,
    contract_file: Annotated[Path | None, ContractOption] = None,
    contracts: Annotated[Path | None, ContractsDirOption] = None,
    county: Annotated[str | None, CountyOption] = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="图表 Write the chart (PNG) "
                                               "here.")] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """测算: what a draft tariff would cost, re-deciding the year's stored claims. Read-only."""
    from adjudicator.fund.contract import ContractError, find_contract
    from adjudicator.fund.statement import bar_pairs_chart, category_label, curve_chart
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
        table = Table(parsed[0], "测算赔付 draft", "较实际 change", "新增户 new", "不再赔付户 lost",
                      "所需人均保费 premium/person",
                      title=f"{year}年度测算成本曲线 cost curve "
                      f"({report.variants[0].claims}件案件)")
        for v in report.variants:
            table.add_row(v.label.split("=", 1)[1], f"{v.draft:,.2f}",
                          f"{v.draft - v.actual:+,.2f}", str(v.newly_paid.households),
                          str(v.no_longer_paid.households),
                          "—" if v.required_premium_per_person is None
                          else f"{v.required_premium_per_person:,.2f}")
        console.print(table)
        console.print(f"实际赔付 actual: {report.variants[0].actual:,.2f}元")
    if chart is not None:
        console.print(f"图表 chart: {chart}")


def _print_variant(v: object) -> None:
    from adjudicator.fund.statement import category_label
    from adjudicator.fund.whatif import VariantResult

    assert isinstance(v, VariantResult)
    console.print(f"测算 {v.tariff_id}：重新理算{v.claims}件案件，{v.changed}件决定改变；"
                  f"实际赔付{v.actual:,.2f}元，草案赔付{v.draft:,.2f}元"
                  f"（{v.draft - v.actual:+,.2f}元）")
    for title, rows in (("按救助类别 by category",
                         {category_label(k): r for k, r in v.by_category.items()}),
                        ("按乡镇 by township", v.by_township)):
        table = Table("", "实际 actual", "草案 draft", "变化 change", title=title)
        for key, (actual, draft) in sorted(rows.items()):
            table.add_row(key, f"{actual:,.2f}", f"{draft:,.2f}", f"{draft - actual:+,.2f}")
        console.print(table)
    table = Table("", "户 households", "人 persons", "金额变化 change", title="户数变化 households")
    for label, m in (("新增赔付 newly paid", v.newly_paid),
                     ("不再赔付 no longer paid", v.no_longer_paid),
                     ("赔付增加 paid more", v.paid_more), ("赔付减少 paid less", v.paid_less)):
        table.add_row(label, str(m.households), str(m.persons), f"{m.amount:+,.2f}")
    console.print(table)
    if v.required_fund is not None:
        console.print(f"按合同赔付率所需资金 required fund: {v.required_fund:,.2f}元")
    if v.required_premium_per_person is not None:
        console.print(f"所需人均保费 premium per insured person: "
                      f"{v.required_premium_per_person:,.2f}元")
    if v.errors:
        console.print(f"[red]{len(v.errors)}件案件快照无效，未计入 (snapshots not valid): "
                      f"{', '.join(c for c, _ in v.errors[:5])}[/]")
