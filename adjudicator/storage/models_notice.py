"""Public notices (公示), objections (异议) and generated documents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from adjudicator.storage.models import Amount, Base, BigId, Timestamp


class Notice(Base):
    """One village's notice of a batch of approved claims, open for its notice period."""

    __tablename__ = "notices"

    notice_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_no: Mapped[str] = mapped_column(String(64), unique=True)
    village_code: Mapped[str] = mapped_column(String(12), index=True)
    township_code: Mapped[str] = mapped_column(String(12), index=True)
    title: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # open | closed
    claims: Mapped[int] = mapped_column(Integer)
    total: Mapped[Decimal] = mapped_column(Amount)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(Timestamp)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[str | None] = mapped_column(Timestamp)
    #: A corrected notice (更正公示, status `posted`): the notice it corrects, and what
    #: changed: [{"claim_id", "household_id", "payout", "change", "reason"}].
    corrects_notice_id: Mapped[int | None] = mapped_column(BigId)
    changes: Mapped[list[Any] | None] = mapped_column(JSON)


class NoticeItem(Base):
    __tablename__ = "notice_items"
    __table_args__ = (UniqueConstraint("notice_id", "claim_id"),)

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.notice_id"), index=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.claim_id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.decision_id"))
    payout: Mapped[Decimal] = mapped_column(Amount)


class Objection(Base):
    """异议 raised during the notice period; it sends the claim back to verification."""

    __tablename__ = "objections"

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.claim_id"), index=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.notice_id"))
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[str] = mapped_column(Timestamp)


class Document(Base):
    """A generated file (notice, letter, decision record, report) and its SHA-256."""

    __tablename__ = "documents"

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    ref: Mapped[str] = mapped_column(String(128), index=True)
    path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(Timestamp)
