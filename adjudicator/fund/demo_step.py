"""The demo's fund step: the county's contract, its premium received, the fund's status,
and the year's settlement statement (a step of its own in `adjudicator demo`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from adjudicator.fund.annual import settle_year
from adjudicator.fund.contract import load_contract
from adjudicator.fund.ledger import fund_status, record_receipt, warning_message
from adjudicator.messages import Message
from adjudicator.storage.context import Context
from contracts import demo_contract_path


def fund_step(officer: Context, clock: Any, out_dir: Path,
              step: Callable[[Message], None]) -> dict[str, Path]:
    """Receive each premium instalment on its due date, print the fund's status, then (the
    clock moved into the first working days of the next year) settle the year under the
    contract and write the statement. Returns the files written."""
    contract = load_contract(demo_contract_path())
    for number, (due, amount) in enumerate(contract.instalment_amounts(), start=1):
        record_receipt(officer, contract, amount, due, f"DEMO-{contract.year}-{number:02d}")
    status = fund_status(officer, contract)
    ratio = "—" if status.loss_ratio is None else f"{status.loss_ratio:.2%}"
    step(Message("demo.fund", contract=contract.id, premium=status.premium,
                 received=status.premium_received, paid=status.paid_net,
                 committed=status.committed, balance=status.balance, ratio=ratio,
                 projected=status.projected_year or 0,
                 warning=Message("demo.then", text=warning_message(status, contract))
                 if status.warning else ""))
    moment = clock.moment
    clock.moment = max(moment, dt.datetime(contract.year + 1, 1, 5, 2, 0, tzinfo=dt.UTC))
    pdf = out_dir / f"fund-settlement-{contract.year}.pdf"
    xlsx = out_dir / f"fund-settlement-{contract.year}.xlsx"
    run = settle_year(officer, contract, pdf, xlsx)
    owes = Decimal(run.figures["settlement"]["county_owes"])
    result = (Message("demo.county_owes", amount=owes) if owes >= 0
              else Message("demo.insurer_refunds", amount=-owes))
    step(Message("demo.settlement", year=contract.year, result=result,
                 carried=Decimal(run.figures["settlement"]["carried_over"]),
                 open=len(run.figures["open_claims"])))
    return {"fund settlement": pdf, "fund settlement workbook": xlsx}
