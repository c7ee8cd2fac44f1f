"""Tables of the county office's day: payment batches (兑现批次), the bank's answers about each
transfer (银行回盘), region names (区划名称) and one-time set-up links for web users."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from adjudicator.storage.models import Base, BigId, Timestamp


class PaymentBatch(Base):
    """One `pay` run's batch number, taken before it pays anything: the unique key makes two
    runs at once take two numbers (PAY-YYYYMMDD-NNN, numbered per local day)."""

    __tablename__ = "payment_batches"

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    batch_ref: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(Timestamp)


class BankReturn(Base):
    """The bank's answer about one payment, from its return file (回盘文件): `confirmed`
    (the money reached the account) or `failed` (with the bank's reason). One per payment."""

    __tablename__ = "bank_returns"

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    payment_pk: Mapped[int] = mapped_column(ForeignKey("payments.pk"), unique=True)
    claim_id: Mapped[str] = mapped_column(String(64), index=True)
    batch_ref: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(String(16))  # confirmed | failed
    reason: Mapped[str | None] = mapped_column(Text)
    bank_ref: Mapped[str | None] = mapped_column(String(64))
    file_sha256: Mapped[str] = mapped_column(String(64))
    imported_by: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[str] = mapped_column(Timestamp)


class Region(Base):
    """A township (乡镇, 9-digit code) or village (村, 12 digits) and its name, from the
    region file a county loads (`adjudicator import regions`)."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[str] = mapped_column(Timestamp)


class SetupLink(Base):
    """A one-time link that lets a new (or reset) web user choose their password. Only the
    SHA-256 of its token is stored; it works once, until it expires."""

    __tablename__ = "web_setup_links"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(Timestamp)
    expires_at: Mapped[str] = mapped_column(Timestamp)
    used_at: Mapped[str | None] = mapped_column(Timestamp)
