"""Tables of the fund (资金): premium receipts and annual settlements, both append-only.

Migration: `0012_fund`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from adjudicator.storage.models import Amount, Base, BigId, Timestamp


class FundReceipt(Base):
    """保费到账: one premium payment the insurer received from the county, by its bank
    reference (a reference is recorded once per contract)."""

    __tablename__ = "fund_receipts"
    __table_args__ = (UniqueConstraint("contract_id", "reference"),)

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(String(128), index=True)
    county: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Amount)
    received_on: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[str] = mapped_column(Timestamp)


class FundSettlement(Base):
    """年度核算: one settlement of a contract's year. Settling again with the same figures
    returns this row; changed figures (a late payment) add a revision."""

    __tablename__ = "fund_settlements"
    __table_args__ = (UniqueConstraint("contract_id", "revision"),)

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(String(128), index=True)
    contract_sha256: Mapped[str] = mapped_column(String(64))
    county: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    #: The settlement's figures and the open claims, as two-decimal strings.
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    county_owes: Mapped[Decimal] = mapped_column(Amount)
    carried_over: Mapped[Decimal] = mapped_column(Amount)
    settled_by: Mapped[str] = mapped_column(String(64))
    settled_at: Mapped[str] = mapped_column(Timestamp)
