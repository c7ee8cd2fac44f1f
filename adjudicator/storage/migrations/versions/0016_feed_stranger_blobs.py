"""The rows of people not in the register kept as Parquet blobs (feed_stranger_batches), what
happened to them since in feed_stranger_marks; the rows of feed_strangers are moved into
blobs (a reversed one gets its mark) and the table is dropped

Revision ID: 0016_feed_stranger_blobs
Revises: 0015_feed_strangers

The blobs' columns are adjudicator.feeds.strangers.SCHEMA, written out here so that this
migration keeps doing what it did when the code changes.
"""
from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

import orjson
import polars as pl
import sqlalchemy as sa
from alembic import op

revision = '0016_feed_stranger_blobs'
down_revision = '0015_feed_strangers'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_SCHEMA: dict[str, Any] = {
    "record_no": pl.String, "row_number": pl.Int64, "event_date": pl.Date,
    "id_number": pl.String, "category": pl.String, "kind": pl.String,
    "figure": pl.Int64, "reverses": pl.String}  # and "figures": a struct of integer fen
_OLD = ('pk', 'bureau', 'record_no', 'month', 'event_date', 'id_number', 'category', 'kind',
        'figures', 'figure', 'reverses', 'reversed_by', 'file_pk', 'row_number')
_SLICE = 50_000


def _fen(value: Any) -> int:
    """An amount as stored: integer fen on SQLite, NUMERIC(14, 2) on PostgreSQL."""
    if isinstance(value, int):
        return value
    return int((Decimal(str(value)) * 100).to_integral_value())


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _figures(value: Any) -> dict[str, int | None]:
    """The figures (decimal strings of yuan) as integer fen."""
    found = orjson.loads(value) if isinstance(value, str) else value
    return {name: None if amount is None else int((Decimal(str(amount)) * 100)
                                                  .to_integral_value())
            for name, amount in found.items()}


def _blob(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.BytesIO()
    frame = pl.DataFrame({name: [r[name] for r in rows] for name in ["figures", *_SCHEMA]},
                         schema_overrides=_SCHEMA)
    frame.select(*_SCHEMA, "figures").write_parquet(buffer, compression="zstd",
                                                    compression_level=1)
    return buffer.getvalue()


def upgrade() -> None:
    op.create_table('feed_stranger_batches',
    sa.Column('pk', BigId, autoincrement=True, nullable=False),
    sa.Column('file_pk', BigId, nullable=False),
    sa.Column('bureau', sa.String(length=16), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('batch', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('record_min', sa.String(length=64), nullable=False),
    sa.Column('record_max', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_feed_stranger_batches')),
    sa.UniqueConstraint('file_pk', 'batch', name=op.f('uq_feed_stranger_batches_file_pk_batch'))
    )
    with op.batch_alter_table('feed_stranger_batches', schema=None) as batch_op:
        batch_op.create_index('ix_feed_stranger_batches_bureau_month', ['bureau', 'month'],
                              unique=False)
    op.create_table('feed_stranger_marks',
    sa.Column('pk', BigId, autoincrement=True, nullable=False),
    sa.Column('bureau', sa.String(length=16), nullable=False),
    sa.Column('record_no', sa.String(length=64), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('reversed_by', sa.String(length=64), nullable=True),
    sa.Column('moved', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_feed_stranger_marks')),
    sa.UniqueConstraint('bureau', 'record_no', name=op.f('uq_feed_stranger_marks_bureau_record_no'))
    )
    with op.batch_alter_table('feed_stranger_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_stranger_marks_month'), ['month'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        # Parquet is compressed already: TOAST stores it out of line as it is
        op.execute('ALTER TABLE feed_stranger_batches ALTER COLUMN data SET STORAGE EXTERNAL')
    _move_rows(bind)
    with op.batch_alter_table('feed_strangers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_strangers_month'))
    op.drop_table('feed_strangers')


def _move_rows(bind: sa.Connection) -> None:
    """feed_strangers into blobs, _SLICE rows at a time in key order, one blob a file in each
    slice; a reversed row gets its mark."""
    batches = sa.table('feed_stranger_batches', *(sa.column(c) for c in (
        'file_pk', 'bureau', 'month', 'batch', 'rows', 'record_min', 'record_max', 'data')))
    marks = sa.table('feed_stranger_marks', *(sa.column(c) for c in (
        'bureau', 'record_no', 'month', 'reversed_by', 'moved')))
    numbers: dict[int, int] = defaultdict(int)
    after = -1
    while True:
        found = bind.execute(sa.text(
            f"SELECT {', '.join(_OLD)} FROM feed_strangers WHERE pk > :after "
            "ORDER BY pk LIMIT :n"), {"after": after, "n": _SLICE}).mappings().all()
        if not found:
            return
        after = found[-1]["pk"]
        groups: dict[tuple[int, str, str], list[dict[str, Any]]] = defaultdict(list)
        reversed_: list[dict[str, Any]] = []
        for r in found:
            groups[(r["file_pk"], r["bureau"], r["month"])].append({
                "record_no": r["record_no"], "row_number": r["row_number"],
                "event_date": _date(r["event_date"]), "id_number": r["id_number"],
                "category": r["category"], "kind": r["kind"],
                "figures": _figures(r["figures"]), "figure": _fen(r["figure"]),
                "reverses": r["reverses"]})
            if r["reversed_by"] is not None:
                reversed_.append({"bureau": r["bureau"], "record_no": r["record_no"],
                                  "month": r["month"], "reversed_by": r["reversed_by"],
                                  "moved": False})
        for (file_pk, bureau, month), rows in groups.items():
            numbers[file_pk] += 1
            record_numbers = pl.Series([r["record_no"] for r in rows], dtype=pl.String)
            bind.execute(batches.insert().values(
                file_pk=file_pk, bureau=bureau, month=month, batch=numbers[file_pk],
                rows=len(rows), record_min=record_numbers.min(),
                record_max=record_numbers.max(), data=_blob(rows)))
        if reversed_:
            bind.execute(marks.insert(), reversed_)


def downgrade() -> None:
    op.create_table('feed_strangers',
    sa.Column('pk', BigId, autoincrement=True, nullable=False),
    sa.Column('bureau', sa.String(length=16), nullable=False),
    sa.Column('record_no', sa.String(length=64), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('id_number', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('figure', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('reverses', sa.String(length=64), nullable=True),
    sa.Column('reversed_by', sa.String(length=64), nullable=True),
    sa.Column('file_pk', BigId, nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_feed_strangers')),
    sa.UniqueConstraint('bureau', 'record_no', name=op.f('uq_feed_strangers_bureau_record_no'))
    )
    with op.batch_alter_table('feed_strangers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_strangers_month'), ['month'], unique=False)
    bind = op.get_bind()
    sqlite = bind.dialect.name == 'sqlite'
    strangers = sa.table('feed_strangers', *(
        sa.column(c, sa.Date()) if c == 'event_date' else sa.column(c, sa.JSON())
        if c == 'figures' else sa.column(c) for c in _OLD[1:]))
    marked = {(r.bureau, r.record_no): (r.reversed_by, r.moved) for r in bind.execute(sa.text(
        'SELECT bureau, record_no, reversed_by, moved FROM feed_stranger_marks'))}
    for pk in list(bind.execute(sa.text('SELECT pk FROM feed_stranger_batches ORDER BY pk'))
                   .scalars()):
        blob = bind.execute(sa.text('SELECT file_pk, bureau, month, data FROM '
                                    'feed_stranger_batches WHERE pk = :pk'), {"pk": pk}).one()
        rows = []
        for r in pl.read_parquet(io.BytesIO(blob.data)).iter_rows(named=True):
            reversed_by, moved = marked.get((blob.bureau, r["record_no"]), (None, False))
            if moved:  # in feed_rows since the person was registered
                continue
            rows.append({"bureau": blob.bureau, "record_no": r["record_no"],
                         "month": blob.month, "event_date": r["event_date"],
                         "id_number": r["id_number"], "category": r["category"],
                         "kind": r["kind"], "figures": {
                             name: None if value is None else str(Decimal(value).scaleb(-2))
                             for name, value in r["figures"].items()},
                         "figure": r["figure"] if sqlite else Decimal(r["figure"]) / 100,
                         "reverses": r["reverses"], "reversed_by": reversed_by,
                         "file_pk": blob.file_pk, "row_number": r["row_number"]})
        if rows:
            bind.execute(strangers.insert(), rows)
    with op.batch_alter_table('feed_stranger_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_stranger_marks_month'))
    op.drop_table('feed_stranger_marks')
    with op.batch_alter_table('feed_stranger_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_feed_stranger_batches_bureau_month')
    op.drop_table('feed_stranger_batches')
