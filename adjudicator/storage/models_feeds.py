"""Monthly department feeds (部门数据推送): the files received, their rows, the push list
(预警推送名单) and the township's screening of it, verification reuse, and the reversed
settlements that wait for a claim's re-decision. See docs/feeds.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from adjudicator.storage.models import Amount, Base, BigId, Timestamp


class FeedFile(Base):
    """One bureau's file for one month, as imported (each import of it is a row)."""

    __tablename__ = "feed_files"

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bureau: Mapped[str] = mapped_column(String(16))
    month: Mapped[str] = mapped_column(String(7), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    rows_total: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    matched: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    reversed: Mapped[int] = mapped_column(Integer)
    error_report: Mapped[str | None] = mapped_column(String(500))
    imported_by: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[str] = mapped_column(Timestamp)


class FeedRow(Base):
    """One settlement or report of a bureau, stored once: (bureau, record_no) is unique.

    `household_id` is the registered member's household: the rows of people not registered
    are in `feed_stranger_batches` (moved here when they are registered). `figures` are the row's
    amounts and the figures a warning line may sum (decimal strings); `figure` the category's
    default one. A refund row names the settlement it reverses (`reverses`); the reversed row
    gets `reversed_by` and leaves every sum. `claim_id` is the claim the row went into.
    """

    __tablename__ = "feed_rows"
    __table_args__ = (UniqueConstraint("bureau", "record_no"),
                      Index("ix_feed_rows_household_year", "household_id", "year"))

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bureau: Mapped[str] = mapped_column(String(16))
    record_no: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7), index=True)
    year: Mapped[int] = mapped_column(Integer)
    event_date: Mapped[dt.date] = mapped_column(Date)
    id_number: Mapped[str] = mapped_column(String(32))
    household_id: Mapped[str | None] = mapped_column(String(64))
    member_id: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str | None] = mapped_column(String(32))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    figure: Mapped[Decimal] = mapped_column(Amount)
    reverses: Mapped[str | None] = mapped_column(String(64))
    reversed_by: Mapped[str | None] = mapped_column(String(64))
    claim_id: Mapped[str | None] = mapped_column(String(64))
    file_pk: Mapped[int] = mapped_column(BigId)
    row_number: Mapped[int] = mapped_column(Integer)


class FeedStrangerBatch(Base):
    """The rows of people who were not registered members when an import batch was stored,
    as one Parquet file (written by polars) kept in the database: one row here for each
    batch of an import that had such rows, in the same transaction as the batch's
    registered rows, so a file is stored batch by batch and never half of a batch.

    A province's month is nine rows in ten of such people; a blob of 50,000 rows costs one
    insert instead of 50,000. `record_min` and `record_max` are the least and greatest record
    numbers inside (compared as polars compares text, byte by byte), so that a lookup of
    record numbers reads only the blobs that may hold them. The Parquet columns are those of
    `adjudicator.feeds.strangers.SCHEMA` (amounts in integer fen, the figures as JSON text of
    decimal strings). What happened to a row since (reversed by a refund, moved into
    `feed_rows` when the person was registered) is in `feed_stranger_marks`; a blob is never
    rewritten.
    """

    __tablename__ = "feed_stranger_batches"
    __table_args__ = (UniqueConstraint("file_pk", "batch"),
                      Index("ix_feed_stranger_batches_bureau_month", "bureau", "month"))

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    file_pk: Mapped[int] = mapped_column(BigId)
    bureau: Mapped[str] = mapped_column(String(16))
    month: Mapped[str] = mapped_column(String(7))
    batch: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    record_min: Mapped[str] = mapped_column(String(64))
    record_max: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class FeedStrangerMark(Base):
    """What happened to a row of `feed_stranger_batches` after it was stored: reversed by a
    refund (`reversed_by`), or moved into `feed_rows` (`moved`) when the person was
    registered and a screening matched them. Every reader of the blobs applies these marks.
    (bureau, record_no) is unique; `month` is the row's own month."""

    __tablename__ = "feed_stranger_marks"
    __table_args__ = (UniqueConstraint("bureau", "record_no"),)

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bureau: Mapped[str] = mapped_column(String(16))
    record_no: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7), index=True)
    reversed_by: Mapped[str | None] = mapped_column(String(64))
    moved: Mapped[bool] = mapped_column(Boolean, default=False)


class FeedPush(Base):
    """One household and category on a month's screening: pushed to its township, screened
    out with a named reason, then kept or removed there (初筛) with a reason."""

    __tablename__ = "feed_push"
    __table_args__ = (UniqueConstraint("month", "household_id", "category"),)

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(String(7))
    household_id: Mapped[str] = mapped_column(String(64))
    township_code: Mapped[str] = mapped_column(String(12), index=True)
    category: Mapped[str] = mapped_column(String(16))
    figure: Mapped[Decimal] = mapped_column(Amount)
    warning_line: Mapped[Decimal] = mapped_column(Amount)
    previous_figure: Mapped[Decimal | None] = mapped_column(Amount)
    new_figure: Mapped[Decimal] = mapped_column(Amount)
    members: Mapped[int] = mapped_column(Integer)
    #: pushed | screened_out | kept | removed
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500))
    claim_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    verifier_id: Mapped[str | None] = mapped_column(String(64))
    verification_due: Mapped[dt.date | None] = mapped_column(Date)
    reused_verification: Mapped[int | None] = mapped_column(BigId)
    screened_at: Mapped[str] = mapped_column(Timestamp)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[str | None] = mapped_column(Timestamp)


class VerificationReuse(Base):
    """A claim that uses a verification already on record (within the tariff's
    `verification_valid_days`) instead of a new household visit."""

    __tablename__ = "verification_reuse"

    claim_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    verification_pk: Mapped[int] = mapped_column(BigId)
    from_claim_id: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[str] = mapped_column(Timestamp)


class RedecisionRequest(Base):
    """A decided claim whose expense changed (a reversed settlement): it must be decided
    again (RULES.md's re-decision rule). `amounts` are the claim's amounts without the
    reversed settlements; `done_at` is set once the re-decision has been made."""

    __tablename__ = "redecision_requests"

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    amounts: Mapped[dict[str, Any]] = mapped_column(JSON)
    requested_at: Mapped[str] = mapped_column(Timestamp)
    requested_by: Mapped[str] = mapped_column(String(64))
    done_at: Mapped[str | None] = mapped_column(Timestamp)
