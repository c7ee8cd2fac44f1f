"""The rows of people not registered (未登记), kept as Parquet in the database.

A province's monthly feed is nine rows in ten of people who are not registered members. Their
rows are stored once (a settlement is stored once, ever), but not one database row each: each
import batch's such rows are one Parquet file written by polars, kept as a blob in
`feed_stranger_batches` (in the batch's own transaction, beside its registered rows in
`feed_rows`), with the least and greatest record number inside. A blob is never rewritten:
what happens to a row later is a mark in `feed_stranger_marks` that every reader applies:

- a refund (退费) of such a settlement marks it `reversed_by` the refund (the refund row itself
  is stored in its batch's blob, with `reverses`);
- when the person is registered, the next screening copies their rows of the year into
  `feed_rows` with their household (`match_registered`) and marks them `moved`.

Readers: the import's lookup of record numbers (`find`: only the blobs whose range of record
numbers may hold one of them are read), the screening's sums per person (`month_sums`: blob by
blob, partial sums combined, so memory does not grow with the rows), the later match, and the
monthly report's counts (`month_counts`: from the blobs' row counts and the marks, no blob
read). Amounts are integer fen (Int64) in the Parquet: the default figure, and the figures
as a struct (made decimal strings again, as `feed_rows` keeps them, by `figure_texts`).
"""

from __future__ import annotations

import datetime as dt
import io
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
import polars as pl
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from adjudicator.storage.bulk import among, insert_rows
from adjudicator.storage.models import Member
from adjudicator.storage.models_feeds import FeedRow, FeedStrangerBatch, FeedStrangerMark

#: the Parquet columns of a blob: `figures` a struct of the bureau's figures in integer fen
#: (its fields depend on the bureau), `figure` the category's default figure in integer fen
SCHEMA: dict[str, Any] = {
    "record_no": pl.String, "row_number": pl.Int64, "event_date": pl.Date,
    "id_number": pl.String, "category": pl.String, "kind": pl.String, "figures": pl.Struct,
    "figure": pl.Int64, "reverses": pl.String}
_FEN = Decimal("0.01")
#: rows of people not registered gathered before they are summed with the sums so far
#: (some 100 MB of rows at most)
COMBINE_ROWS = 1_000_000


def fen(expr: pl.Expr) -> pl.Expr:
    """A Decimal amount (yuan, two places) as integer fen, exactly."""
    return (expr.cast(pl.Decimal(20, 2)) * 100).cast(pl.Int64)


def yuan(expr: pl.Expr) -> pl.Expr:
    """Integer fen as a Decimal(15, 2) amount, exactly."""
    return (expr.cast(pl.Decimal(18, 2)) * pl.lit(_FEN)).cast(pl.Decimal(15, 2))


def figure_texts(figures: dict[str, int | None] | str | None) -> dict[str, str | None]:
    """A row's figures (integer fen; as a struct's dict or its JSON text) as `feed_rows` keeps
    them: decimal strings of yuan ("1762.50")."""
    found = orjson.loads(figures) if isinstance(figures, str) else figures or {}
    return {name: None if value is None else str(Decimal(value).scaleb(-2))
            for name, value in found.items()}


def encode(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.select(pl.col(name) if name == "figures" else pl.col(name).cast(dtype)
                 for name, dtype in SCHEMA.items()).write_parquet(
        buffer, compression="zstd", compression_level=1)
    return buffer.getvalue()


def decode(data: bytes, columns: Sequence[str] | None = None) -> pl.DataFrame:
    return pl.read_parquet(io.BytesIO(data), columns=list(columns) if columns else None)


def store(session: Session, bureau: str, month: str, file_pk: int, batch: int,
          frame: pl.DataFrame, data: bytes | None = None) -> None:
    """One blob of a batch's rows of people not registered (columns named as `SCHEMA`;
    `data`: the frame encoded already)."""
    if frame.is_empty():
        return
    numbers = frame["record_no"]
    session.execute(insert(FeedStrangerBatch).values(
        file_pk=file_pk, bureau=bureau, month=month, batch=batch, rows=frame.height,
        record_min=numbers.min(), record_max=numbers.max(),
        data=data if data is not None else encode(frame)))


def _blobs(session: Session, pks: Iterable[int]) -> Iterator[tuple[str, str, bytes]]:
    """(bureau, month, Parquet bytes) of each blob, one read at a time."""
    for pk in pks:
        found = session.execute(select(FeedStrangerBatch.bureau, FeedStrangerBatch.month,
                                       FeedStrangerBatch.data)
                                .where(FeedStrangerBatch.pk == pk)).one()
        yield found.bureau, found.month, found.data


def _empty(columns: Sequence[str]) -> pl.DataFrame:
    extra = {"month": pl.String, "bureau": pl.String, "reversed_by": pl.String}
    return pl.DataFrame(schema={c: pl.String if c == "figures" else SCHEMA.get(c) or extra[c]
                                for c in columns})


def find(session: Session, bureau: str, numbers: Iterable[str], columns: Sequence[str]
         ) -> pl.DataFrame:
    """The stored rows of people not registered among `numbers` (moved ones too: they are
    stored), with `columns` and their `month`. Only the blobs whose least and greatest record
    numbers enclose one of `numbers` are read (text compared code point by code point, which
    is byte order in UTF-8, as polars orders text)."""
    keys = pl.Series(numbers, dtype=pl.String).unique()
    columns = ["record_no", *(c for c in columns if c != "record_no")]
    if keys.is_empty():
        return _empty([*columns, "month"])
    least, greatest = keys.min(), keys.max()
    # blobs whose range meets the numbers' range (a month's new settlements, numbered in
    # sequence, meet none), then those with a number inside their range
    ranges = [(pk, low, high) for pk, low, high in session.execute(
        select(FeedStrangerBatch.pk, FeedStrangerBatch.record_min, FeedStrangerBatch.record_max)
        .where(FeedStrangerBatch.bureau == bureau).order_by(FeedStrangerBatch.pk))
        if low <= greatest and high >= least]  # type: ignore[operator]
    wanted = sorted(keys.to_list()) if ranges else []
    hits = [pk for pk, low, high in ranges
            if (i := bisect_left(wanted, low)) < len(wanted) and wanted[i] <= high]
    if not hits:
        return _empty([*columns, "month"])
    parts = [decode(data, columns).filter(pl.col("record_no").is_in(keys.implode()))
             .with_columns(pl.lit(month).alias("month"))
             for _, month, data in _blobs(session, hits)]
    return pl.concat(parts) if parts else _empty([*columns, "month"])


@dataclass
class Stored:
    """A stored row of a person not registered, as a refund needs it."""

    record_no: str
    id_number: str
    reverses: str | None
    reversed_by: str | None
    month: str


def for_refunds(session: Session, bureau: str, numbers: list[str]) -> dict[str, Stored]:
    """The stored rows among `numbers` not moved into `feed_rows`, their marks applied."""
    found = find(session, bureau, numbers, ["id_number", "reverses"])
    if found.is_empty():
        return {}
    marks = _marks(session, bureau, found["record_no"].to_list())
    rows: dict[str, Stored] = {}
    for row in found.iter_rows(named=True):
        reversed_by, moved = marks.get(row["record_no"], (None, False))
        if not moved:
            rows[row["record_no"]] = Stored(row["record_no"], row["id_number"],
                                            row["reverses"], reversed_by, row["month"])
    return rows


def _marks(session: Session, bureau: str, numbers: list[str]) -> dict[str, tuple[str | None,
                                                                              bool]]:
    if not numbers:
        return {}
    return {m.record_no: (m.reversed_by, bool(m.moved)) for m in session.execute(
        select(FeedStrangerMark.record_no, FeedStrangerMark.reversed_by,
               FeedStrangerMark.moved)
        .where(FeedStrangerMark.bureau == bureau,
               among(session, FeedStrangerMark.record_no, numbers, texts=True)))}


def mark_reversed(session: Session, bureau: str, marks: list[tuple[str, str, str]]) -> None:
    """(record_no, month, refund's record_no) of settlements a refund reversed."""
    insert_rows(session, FeedStrangerMark, [
        {"bureau": bureau, "record_no": record_no, "month": month, "reversed_by": by,
         "moved": False} for record_no, month, by in marks])


def _month_marks(session: Session, months: list[str]) -> pl.DataFrame:
    """The marks of the rows of `months`, as a frame (bureau, record_no, reversed_by,
    moved)."""
    return pl.DataFrame(
        [tuple(m) for m in session.execute(
            select(FeedStrangerMark.bureau, FeedStrangerMark.record_no,
                   FeedStrangerMark.reversed_by, FeedStrangerMark.moved)
            .where(FeedStrangerMark.month.in_(months)))],
        schema={"bureau": pl.String, "record_no": pl.String, "reversed_by": pl.String,
                "moved": pl.Boolean}, orient="row")


def batches(session: Session, months: list[str], columns: Sequence[str],
            bureau: str | None = None) -> Iterator[pl.DataFrame]:
    """The stored rows of people not registered of `months`, one blob at a time, with
    `columns`, `bureau`, `month` and `reversed_by`; rows moved into `feed_rows` left out."""
    query = (select(FeedStrangerBatch.pk).where(FeedStrangerBatch.month.in_(months))
             .order_by(FeedStrangerBatch.pk))
    if bureau is not None:
        query = query.where(FeedStrangerBatch.bureau == bureau)
    pks = list(session.scalars(query))
    if not pks:
        return
    marks = _month_marks(session, months)
    columns = ["record_no", *(c for c in columns if c != "record_no")]
    for name, month, data in _blobs(session, pks):
        frame = decode(data, columns).with_columns(pl.lit(name).alias("bureau"),
                                                   pl.lit(month).alias("month"))
        mine = marks.filter(pl.col("bureau") == name).drop("bureau")
        if mine.is_empty():
            yield frame.with_columns(pl.lit(None, dtype=pl.String).alias("reversed_by"))
            continue
        frame = frame.join(mine, on="record_no", how="left", maintain_order="left")
        yield frame.filter(~pl.col("moved").fill_null(False)).drop("moved")


def rows(session: Session, months: list[str] | None = None,
         columns: Sequence[str] = tuple(SCHEMA)) -> pl.DataFrame:
    """All the stored rows of people not registered (of `months`, else of every month), marks
    applied, `figures` as JSON text of integer fen: for small databases and checks; the
    screening reads blob by blob."""
    if months is None:
        months = list(session.scalars(select(FeedStrangerBatch.month).distinct()))
    # one bureau's figures are not another's: as JSON text (integer fen) for one frame
    parts = [part.with_columns(pl.col("figures").struct.json_encode())
             if "figures" in part.columns else part
             for part in batches(session, months, columns)]
    return (pl.concat(parts) if parts
            else _empty([*dict.fromkeys(["record_no", *columns]), "bureau", "month",
                         "reversed_by"]))


def _id_key(column: pl.Expr) -> pl.Expr:
    """A checked 18-character ID number as one integer (its 17 digits and its check character,
    X as 10), in the same order as the text: summing by an integer is faster and smaller."""
    check = column.str.slice(17, 1)
    return (column.str.slice(0, 17).cast(pl.Int64) * 11
            + pl.when(check == "X").then(10).otherwise(check.cast(pl.Int64, strict=False)))


def _id_text(key: pl.Expr) -> pl.Expr:
    check = key % 11
    return ((key // 11).cast(pl.String).str.zfill(17)
            + pl.when(check == 10).then(pl.lit("X")).otherwise(check.cast(pl.String)))


def month_sums(session: Session, month: str, last: dt.date) -> pl.DataFrame:
    """Each person's and category's sum of the default figure (integer fen) over the month's
    rows of people not registered, refunds and reversed settlements left out: (id_number,
    category, figure). Blob by blob: the live rows are gathered (the ID number as an integer,
    `_id_key`) and summed with the sums so far whenever `COMBINE_ROWS` of them are waiting,
    so memory holds the people and at most that many rows, however many rows the month has."""
    total: pl.DataFrame | None = None
    waiting: list[pl.DataFrame] = []
    count = 0

    def combine() -> pl.DataFrame:
        parts = ([total] if total is not None else []) + waiting
        return pl.concat(parts).group_by("key", "category").agg(pl.col("figure").sum())

    for frame in batches(session, [month], ["id_number", "category", "event_date", "figure",
                                            "reverses"]):
        live = frame.filter(pl.col("reverses").is_null() & pl.col("reversed_by").is_null()
                            & pl.col("category").is_not_null() & (pl.col("event_date") <= last))
        waiting.append(live.select(_id_key(pl.col("id_number")).alias("key"),
                                   pl.col("category").cast(pl.Categorical), "figure"))
        count += live.height
        if count >= COMBINE_ROWS:
            total, waiting, count = combine(), [], 0
    if waiting or total is not None:
        return combine().select(_id_text(pl.col("key")).alias("id_number"),
                                pl.col("category").cast(pl.String), "figure")
    return pl.DataFrame(schema={"id_number": pl.String, "category": pl.String,
                                "figure": pl.Int64})


def month_counts(session: Session, month: str) -> dict[str, int]:
    """Rows of people not registered stored for the month, per bureau (moved ones left out:
    they are counted in `feed_rows`)."""
    counts: dict[str, int] = {}
    for bureau, total in session.execute(
            select(FeedStrangerBatch.bureau, func.sum(FeedStrangerBatch.rows))
            .where(FeedStrangerBatch.month == month).group_by(FeedStrangerBatch.bureau)):
        counts[bureau] = int(total or 0)
    for bureau, moved in session.execute(
            select(FeedStrangerMark.bureau, func.count())
            .where(FeedStrangerMark.month == month, FeedStrangerMark.moved.is_(True))
            .group_by(FeedStrangerMark.bureau)):
        counts[bureau] = counts.get(bureau, 0) - moved
    return counts


def match_registered(session: Session, month: str, first: dt.date) -> int:
    """Copy the rows of the year (up to `month`) of people registered since they were
    imported into `feed_rows`, with their household and member, and mark them moved, so that
    this screening counts them (an ID number registered in more than one household is left,
    as the import refuses it). Each blob's ID numbers are read and matched to the register
    first; its whole rows only when one of them is registered. Returns the rows moved."""
    months = [f"{first.year:04d}-{m:02d}" for m in range(1, first.month + 1)]
    if session.scalar(select(FeedStrangerBatch.pk).where(FeedStrangerBatch.month.in_(months))
                      .limit(1)) is None:
        return 0
    single = (select(Member.id_number).group_by(Member.id_number)
              .having(func.count() == 1).subquery())
    register = pl.DataFrame(
        [tuple(r) for r in session.execute(
            select(Member.id_number, Member.household_id, Member.member_id)
            .join(single, single.c.id_number == Member.id_number))],
        schema={"id_number": pl.String, "household_id": pl.String, "member_id": pl.String},
        orient="row")
    if register.is_empty():
        return 0
    query = (select(FeedStrangerBatch.pk).where(FeedStrangerBatch.month.in_(months))
             .order_by(FeedStrangerBatch.pk))
    found: list[pl.DataFrame] = []
    marks: pl.DataFrame | None = None
    known = register["id_number"].implode()
    for pk in list(session.scalars(query)):
        [(bureau, blob_month, data)] = list(_blobs(session, [pk]))
        if not decode(data, ["id_number"])["id_number"].is_in(known).any():
            continue
        if marks is None:
            marks = _month_marks(session, months)
        rows = (decode(data).join(register, on="id_number", how="inner", maintain_order="left")
                .with_columns(pl.lit(bureau).alias("bureau"), pl.lit(blob_month).alias("month"),
                              pl.lit(pk).alias("batch_pk")))
        rows = rows.join(marks, on=["bureau", "record_no"], how="left", maintain_order="left")
        found.append(rows.filter(~pl.col("moved").fill_null(False)))
    # one bureau's figures are not another's (the blobs' structs differ): row by row
    moved = [r for part in found for r in part.iter_rows(named=True)]
    if not moved:
        return 0
    files = dict(session.execute(select(FeedStrangerBatch.pk, FeedStrangerBatch.file_pk)
                                 .where(among(session, FeedStrangerBatch.pk,
                                              list({r["batch_pk"] for r in moved})))).all())
    insert_rows(session, FeedRow, [
        {"bureau": r["bureau"], "record_no": r["record_no"], "month": r["month"],
         "year": r["event_date"].year, "event_date": r["event_date"],
         "id_number": r["id_number"], "household_id": r["household_id"],
         "member_id": r["member_id"], "category": r["category"], "kind": r["kind"],
         "figures": figure_texts(r["figures"]),
         "figure": (Decimal(r["figure"]) * _FEN).quantize(_FEN),
         "reverses": r["reverses"], "reversed_by": r["reversed_by"], "claim_id": None,
         "file_pk": files[r["batch_pk"]], "row_number": r["row_number"]} for r in moved])
    marked: dict[str, list[str]] = {}
    for r in moved:
        if r["moved"] is not None:  # marked already (reversed): marked moved too
            marked.setdefault(r["bureau"], []).append(r["record_no"])
    for name, numbers in marked.items():
        for start in range(0, len(numbers), 5000):
            session.execute(update(FeedStrangerMark).where(
                FeedStrangerMark.bureau == name,
                FeedStrangerMark.record_no.in_(numbers[start:start + 5000])).values(moved=True))
    insert_rows(session, FeedStrangerMark, [
        {"bureau": r["bureau"], "record_no": r["record_no"], "month": r["month"],
         "reversed_by": None, "moved": True} for r in moved if r["moved"] is None])
    return len(moved)
