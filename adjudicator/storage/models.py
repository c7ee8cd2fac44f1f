"""The system of record: SQLAlchemy 2.x tables for SQLite (embedded) and PostgreSQL 15.

Decisions, reviews, payments and events are append-only; a re-adjudication adds a decision and
moves the claim's pointer, it never overwrites one. Money columns are `Amount`: NUMERIC(14, 2)
on PostgreSQL, integer fen on SQLite (exact on both).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from schemas.types import AMOUNT_DIGITS

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}



class ExactAmount(TypeDecorator[Decimal]):
    """Money in yuan, stored exactly on both databases (one bound: schemas.types.MAX_AMOUNT).

    The column is NUMERIC(14, 2) on both. PostgreSQL's is exact. SQLite has no exact decimal
    (its NUMERIC kept 1234.56 as the nearest binary floating-point REAL), so there the column
    holds the amount in integer fen (123456): an integer stays an integer in a NUMERIC column,
    exact up to 2^53 fen, far beyond MAX_AMOUNT, and SQL SUM over it is integer arithmetic.
    Read back, both give Decimal("1234.56") (two decimals). A value with more than two
    decimals is rounded half away from zero to the fen, as PostgreSQL's NUMERIC rounds it.
    """

    impl = Numeric(AMOUNT_DIGITS, 2, asdecimal=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return to_fen(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None or dialect.name != "sqlite":
            return value  # type: ignore[no-any-return]
        # the dialect's NUMERIC reading gave Decimal("123456.00") of the stored 123456
        return (Decimal(value) / 100).quantize(_FEN)

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        return self  # a comparison with a literal amount binds it as fen on SQLite too


_FEN = Decimal("0.01")


def to_fen(value: Any) -> int:
    """An amount in yuan (Decimal, int or str; never a float's binary value) in whole fen."""
    if isinstance(value, float):
        raise TypeError("an amount must be a Decimal, not a float")
    amount = value if isinstance(value, Decimal) else Decimal(value)
    return int(amount.scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


Amount = ExactAmount()
#: Timestamps are stored as ISO-8601 UTC text: identical on SQLite and PostgreSQL, and hashed
#: as they are stored in the event chain.
Timestamp = String(32)
# BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite, so autoincrement works on both.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    """A named person acting in one role: verifier, supervisor, officer, auditor or admin."""

    __tablename__ = "users"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    townships: Mapped[list[Any]] = mapped_column(JSON, default=list)
    max_open_assignments: Mapped[int] = mapped_column(Integer, default=20)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[str] = mapped_column(Timestamp)


class TariffRecord(Base):
    """A tariff file as loaded: its exact bytes, so any decision can be replayed from it."""

    __tablename__ = "tariffs"

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tariff_id: Mapped[str] = mapped_column(String(128), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_codes: Mapped[list[Any]] = mapped_column(JSON)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    source: Mapped[str] = mapped_column(String(500))
    loaded_at: Mapped[str] = mapped_column(Timestamp)
    loaded_by: Mapped[str] = mapped_column(String(64))
    #: A retired tariff is never chosen for new decisions; replays still use it.
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Household(Base):
    """户. `township_code` (9 digits) and `village_code` (12) are cut from the region code."""

    __tablename__ = "households"

    household_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12))
    township_code: Mapped[str] = mapped_column(String(12), index=True)
    village_code: Mapped[str] = mapped_column(String(12), index=True)
    village_name: Mapped[str | None] = mapped_column(String(100))
    township_name: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[str] = mapped_column(Timestamp)
    updated_at: Mapped[str] = mapped_column(Timestamp)


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("household_id", "member_id"),)

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # found by household through the unique (household_id, member_id) key's index
    household_id: Mapped[str] = mapped_column(ForeignKey("households.household_id"))
    member_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(String(32), index=True)
    relation: Mapped[str] = mapped_column(String(32))
    counted: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The member's account for payments (adjudicator.accounts): written in full only into
    #: the bank's payment register, masked everywhere else.
    bank_name: Mapped[str | None] = mapped_column(String(100))
    account_no: Mapped[str | None] = mapped_column(String(32))
    account_kind: Mapped[str | None] = mapped_column(String(24))


class Claim(Base):
    """救助申请 and where it stands in the workflow (`status`, see `adjudicator.workflow`).

    `final_counted_expense` and `final_paid` are what the claim adds to the household's
    history once its current decision is final (NULL while it is not).
    """

    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("household_id", "member_id", "category", "document_no"),
        Index("ix_claims_household_status", "household_id", "status"),
    )

    claim_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.household_id"))
    member_id: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(16))
    event_date: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(32))
    document_no: Mapped[str | None] = mapped_column(String(64))
    #: 致灾原因 (fire, flood, earthquake …), when the claim states it
    cause: Mapped[str | None] = mapped_column(String(16))
    amounts: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(24), index=True)
    assigned_verifier: Mapped[str | None] = mapped_column(String(64), index=True)
    assigned_at: Mapped[str | None] = mapped_column(Timestamp)
    verification_due: Mapped[dt.date | None] = mapped_column(Date)
    current_decision_id: Mapped[int | None] = mapped_column(BigId)
    tariff_pk: Mapped[int | None] = mapped_column(ForeignKey("tariffs.pk"))
    final_counted_expense: Mapped[Decimal | None] = mapped_column(Amount)
    final_paid: Mapped[Decimal | None] = mapped_column(Amount)
    received_at: Mapped[str] = mapped_column(Timestamp)
    updated_at: Mapped[str] = mapped_column(Timestamp)


class Verification(Base):
    """入户核查 of one claim: a draft, or submitted (the latest submitted one is used)."""

    __tablename__ = "verifications"

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.claim_id"), index=True)
    household_id: Mapped[str] = mapped_column(String(64), index=True)
    verifier_id: Mapped[str] = mapped_column(String(64))
    verified_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[str] = mapped_column(Timestamp)
    created_by: Mapped[str] = mapped_column(String(64))


class Finding(Base):
    """信息比对: a department's finding about a household (vehicle, business, housing, ...)."""

    __tablename__ = "findings"

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.household_id"), index=True)
    source: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(64))
    found: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str | None] = mapped_column(String(200))
    reported_on: Mapped[dt.date | None] = mapped_column(Date)
    row_key: Mapped[str] = mapped_column(String(64), unique=True)
    import_batch_id: Mapped[int | None] = mapped_column(BigId)


class DecisionRecord(Base):
    """One adjudication, append-only: the full case snapshot, the decision and its identity."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("claim_id", "seq"),)

    decision_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # found by claim through the unique (claim_id, seq) key's index
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.claim_id"))
    household_id: Mapped[str] = mapped_column(String(64), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    payout: Mapped[Decimal] = mapped_column(Amount)
    eligible_expense: Mapped[Decimal] = mapped_column(Amount)
    counted_expense: Mapped[Decimal] = mapped_column(Amount)
    case_json: Mapped[str] = mapped_column(Text)
    decision_json: Mapped[str] = mapped_column(Text)
    tariff_pk: Mapped[int] = mapped_column(ForeignKey("tariffs.pk"))
    tariff_id: Mapped[str] = mapped_column(String(128))
    tariff_sha256: Mapped[str] = mapped_column(String(64))
    engine_version: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(16), default="claim")
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[str] = mapped_column(Timestamp)


class Review(Base):
    """A person's approval or denial of a pended decision (maker-checker), with a reason."""

    __tablename__ = "reviews"

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.claim_id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.decision_id"), unique=True)
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(Timestamp)


class Payment(Base):
    """兑现: one payment for one decision, never two (the unique key is the guarantee).

    A transfer the bank returns as failed (`adjudicator.services.payments.reconcile`) lets
    the decision be paid again, once, as the next `attempt`: (decision_id, attempt) is unique,
    and a new attempt is made only after the failure is recorded. The payee's name, bank and
    account are those the transfer went to, so a register regenerated later is the same.
    """

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("decision_id", "attempt"),)

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.claim_id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.decision_id"))
    attempt: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    household_id: Mapped[str] = mapped_column(String(64), index=True)
    amount: Mapped[Decimal] = mapped_column(Amount)
    kind: Mapped[str] = mapped_column(String(16), default="payout")
    batch_ref: Mapped[str] = mapped_column(String(64), index=True)
    paid_by: Mapped[str] = mapped_column(String(64))
    paid_at: Mapped[str] = mapped_column(Timestamp)
    payee_member_id: Mapped[str | None] = mapped_column(String(64))
    payee_name: Mapped[str | None] = mapped_column(String(64))
    payee_bank: Mapped[str | None] = mapped_column(String(100))
    payee_account: Mapped[str | None] = mapped_column(String(32))
    account_kind: Mapped[str | None] = mapped_column(String(24))


class ImportBatch(Base):
    """One import of one file: what it held, what was stored, rejected or already there."""

    __tablename__ = "import_batches"

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows_total: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    error_report: Mapped[str | None] = mapped_column(String(500))
    imported_by: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[str] = mapped_column(Timestamp)


class Event(Base):
    """The audit trail: a hash chain. Each hash covers the event's content and the previous
    hash, so an edited, deleted or reordered event breaks the chain where it happened."""

    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(Timestamp)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(48), index=True)
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(128), index=True)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ChainHead(Base):
    """The single row that serializes appends to the event chain (locked FOR UPDATE)."""

    __tablename__ = "event_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigId)
    hash: Mapped[str] = mapped_column(String(64))
