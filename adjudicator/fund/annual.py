"""`fund settle`: the year's settlement under the contract, recorded once in the chain.

Settling reads the ledger, computes the settlement (`adjudicator.fund.settlement`) and stores
its figures with the open claims; settling again with the same figures returns the stored
settlement and writes the same statement (its date is the settlement's, not today's). When the
figures changed meanwhile (a late payment, a settled recovery) the new figures are a new
revision, recorded in the chain beside the first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from adjudicator.documents.formatting import format_date, format_money
from adjudicator.fund.contract import Contract
from adjudicator.fund.ledger import LOCAL, _status, local_date
from adjudicator.fund.settlement import settle
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models_fund import FundSettlement


@dataclass(frozen=True)
class SettlementRun:
    revision: int
    figures: dict[str, Any]
    new: bool
    pdf: Path | None
    xlsx: Path | None


def settlement_figures(ctx: Context, contract: Contract) -> dict[str, Any]:
    """The settlement's figures as of now (not stored): the statement's whole content but its
    revision and date."""
    with ctx.factory() as session:
        status = _status(session, contract, max(local_date(ctx),
                                                dt.date(contract.year, 12, 31)))
    result = settle(contract, status.paid_net, status.committed)
    rule = contract.settlement
    if contract.fund is not None:
        basis = f"固定资金{format_money(contract.fund)}元"
    else:
        per_person = format_money(contract.premium_per_person)
        basis = (f"参保{contract.insured_persons:,}人×每人{per_person}元"
                 f"＝{format_money(contract.premium)}元")
    return {
        "title": f"{contract.county_name}{contract.year}年度防贫保险资金结算单",
        "contract_id": contract.id, "contract_sha256": contract.sha256,
        "county": contract.county, "county_name": contract.county_name,
        "year": contract.year, "insurer": contract.insurer, "premium_basis": basis,
        "management_share": f"{contract.management_share:%}",
        "corridor_label": ("不设共担区间" if rule.corridor is None
                           else f"保费的{rule.corridor:%}以内由保险公司留存或承担"),
        "count_open_claims": rule.count_open_claims,
        "rule": {"surplus": rule.surplus, "shortfall": rule.shortfall,
                 "corridor": None if rule.corridor is None else str(rule.corridor)},
        "premium_due": f"{status.premium_due:.2f}",
        "premium_received": f"{status.premium_received:.2f}",
        "settlement": result.as_dict(),
        "paid_by_month": {k: f"{v:.2f}" for k, v in status.paid_by_month.items()},
        "paid_by_category": {k: f"{v:.2f}" for k, v in status.paid_by_category.items()},
        "paid_by_township": {k: f"{v:.2f}" for k, v in status.paid_by_township.items()},
        "open_claims": [{"claim_id": c.claim_id, "household_id": c.household_id,
                         "category": c.category, "township_code": c.township_code,
                         "status": c.status, "amount": f"{c.amount:.2f}"}
                        for c in status.open_claims],
    }


def settle_year(ctx: Context, contract: Contract, pdf: Path | None = None,
                xlsx: Path | None = None) -> SettlementRun:
    """Settle the contract's year (officer) and write the statement where asked."""
    ctx.require("fund")
    figures = settlement_figures(ctx, contract)
    now = ctx.now()
    with transaction(ctx.factory) as session:
        last = session.execute(select(FundSettlement).where(
            FundSettlement.contract_id == contract.id)
            .order_by(FundSettlement.revision.desc()).limit(1).with_for_update()
        ).scalar_one_or_none()
        if last is not None and _same(last.figures, figures):
            stored, new = last, False
        else:
            revision = 1 if last is None else last.revision + 1
            settled_on = local_date(ctx)
            full = {**figures, "revision": revision, "settled_on": settled_on.isoformat(),
                    "settled_on_label": format_date(settled_on)}
            stored = FundSettlement(
                contract_id=contract.id, contract_sha256=contract.sha256,
                county=contract.county, year=contract.year, revision=revision, figures=full,
                county_owes=figures["settlement"]["county_owes"],
                carried_over=figures["settlement"]["carried_over"], settled_by=ctx.user_id,
                settled_at=now)
            session.add(stored)
            session.flush()
            append_events(session, ctx.user_id, now, [PendingEvent(
                "fund.settled", "fund", contract.id, {
                    "settlement_pk": stored.pk, "revision": revision,
                    "contract_sha256": contract.sha256, **figures["settlement"],
                    "open_claims": len(figures["open_claims"]),
                    "figures_sha256": _digest(figures)})])
            new = True
    written = write_statement(stored.figures, pdf, xlsx)
    return SettlementRun(stored.revision, stored.figures, new, *written)


def write_statement(figures: dict[str, Any], pdf: Path | None, xlsx: Path | None
                    ) -> tuple[Path | None, Path | None]:
    from adjudicator.fund.statement import render_statement, statement_xlsx

    for path, make in ((pdf, render_statement), (xlsx, statement_xlsx)):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(make(figures))
    return pdf, xlsx


def _comparable(figures: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in figures.items()
            if k not in ("revision", "settled_on", "settled_on_label")}


def _same(stored: dict[str, Any], figures: dict[str, Any]) -> bool:
    return _digest(_comparable(stored)) == _digest(figures)


def _digest(figures: dict[str, Any]) -> str:
    from adjudicator.storage.events import canonical

    return hashlib.sha256(canonical(figures).encode()).hexdigest()


__all__ = ["LOCAL", "SettlementRun", "settle_year", "settlement_figures", "write_statement"]
