"""Set-based reads and bulk writes of a chunk, one small code path per database.

- `among`: `column IN (...)` for a chunk's keys (on PostgreSQL `= ANY(:array)`).
- `insert_rows`: PostgreSQL COPY (psycopg 3), else a Core executemany.
- `insert_returning_keys`: the same for rows with an auto-increment key, returning the keys.
- `update_rows`: one UPDATE per group of rows given the same values, else an executemany.
- `refresh_statistics`, `estimated_rows`: PostgreSQL's planner statistics of the tables a bulk
  load grows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def among(session: Session, column: Any, values: list[Any], *, texts: bool = False
          ) -> ColumnElement[bool]:
    """`column IN (values)` for a chunk's keys, as one parameter: thousands of IN parameters
    cost more to render, send and parse than the lookup itself. On PostgreSQL
    `column = ANY(:array)`; on SQLite `column IN (SELECT value FROM json_each(:json))` for
    text keys (other keys: an IN list, expanded at execution). `texts`: the caller knows
    every value is text (a polars text column's values), so they are not looked at one by
    one."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        found: ColumnElement[bool] = column == any_(
            bindparam(None, list(values), type_=ARRAY(column.type)))
        return found
    if dialect == "sqlite" and (texts or all(isinstance(v, str) for v in values)):
        each = func.json_each(bindparam(None, orjson.dumps(values).decode()
                                        if texts else json.dumps(list(values))
                                        )).table_valued("value")
        inside: ColumnElement[bool] = column.in_(select(each.c.value))
        return inside
    result: ColumnElement[bool] = column.in_(values)
    return result


def unique(values: Iterable[Any]) -> list[Any]:
    """The distinct values, in first-seen order (for IN lists)."""
    return list(dict.fromkeys(v for v in values if v is not None))


def insert_rows(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts with the same keys) in the fewest round trips the database allows:
    PostgreSQL's COPY (psycopg 3 streams the rows in one command), else a Core executemany
    (SQLite runs it in C, the statement compiled once)."""
    if not rows:
        return
    table = model.__table__
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy_rows(connection, table, rows)
    else:
        connection.execute(insert(table), rows)


def insert_returning_keys(session: Session, model: type[Any], key: str,
                          rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows whose `key` is an auto-increment primary key; returns the keys, in row
    order. On PostgreSQL the keys are drawn from the column's sequence in one query and the rows
    go in by COPY (a multi-row INSERT … RETURNING costs more to build and parse than to run).
    On SQLite the transaction holds the database's write lock from its start (`BEGIN
    IMMEDIATE`, storage.db), so the keys are the next after the largest stored, exactly those
    SQLite would choose, and the rows go in by one executemany (an INSERT … RETURNING that must
    keep the rows' order runs row by row there)."""
    if not rows:
        return []
    table = model.__table__
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        keys = list(connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, :column)) "
                 "FROM generate_series(1, :n)"),
            {"table": table.name, "column": key, "n": len(rows)}).scalars())
    elif dialect == "sqlite":
        last = connection.execute(select(func.coalesce(func.max(table.c[key]), 0))).scalar_one()
        keys = list(range(last + 1, last + 1 + len(rows)))
    else:
        return list(session.scalars(
            insert(table).returning(table.c[key], sort_by_parameter_order=True), rows))
    insert_rows(session, model, [{key: k, **row} for k, row in zip(keys, rows, strict=True)])
    return keys


def _copy_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    names = list(rows[0])
    preparer = connection.dialect.identifier_preparer
    # JSON columns as SQLAlchemy would send them (the dialect's serializer, else json.dumps).
    serialize = getattr(connection.dialect, "_json_serializer", None) or json.dumps
    json_columns = [isinstance(table.c[name].type, JSON) for name in names]
    statement = (f"COPY {preparer.format_table(table)} "
                 f"({', '.join(preparer.quote(name) for name in names)}) FROM STDIN")
    driver: Any = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        if any(json_columns):
            for row in rows:
                copy.write_row([serialize(value) if is_json and value is not None else value
                                for value, is_json in zip(row.values(), json_columns,
                                                          strict=True)])
        else:
            for row in rows:
                copy.write_row(tuple(row.values()))


def update_rows(session: Session, model: type[Any], key: str,
                rows: dict[Any, dict[str, Any]]) -> None:
    """UPDATE the rows whose `key` column is each dict key, to that dict's values: rows given
    the same values (a chunk of claims moving to `verified` at one moment) in one statement
    `WHERE key IN (...)`, the others in one executemany per set of columns."""
    if not rows:
        return
    table = model.__table__
    connection = session.connection()
    same: dict[tuple[tuple[str, Any], ...], list[Any]] = {}
    for pk, values in rows.items():
        same.setdefault(tuple(values.items()), []).append(pk)
    single: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for pairs, keys in same.items():
        if len(keys) > 1:
            connection.execute(update(table).where(among(session, table.c[key], keys))
                               .values(dict(pairs)))
        else:
            single.setdefault(tuple(name for name, _ in pairs), []).append(
                {"_key": keys[0], **{f"_v_{name}": value for name, value in pairs}})
    for names, params in single.items():
        statement = update(table).where(table.c[key] == bindparam("_key")).values(
            {name: bindparam(f"_v_{name}") for name in names})
        connection.execute(statement, params)


def refresh_statistics(session: Session, models: Iterable[type[Any]]) -> None:
    """ANALYZE the tables a bulk load has grown (PostgreSQL; SQLite plans well without).

    Autovacuum analyzes a grown table on its next round at best (a minute or more later; it
    may be off); until then the planner believes the table is as small as it was and scans it
    whole for each chunk's lookups. Measured: adjudicating 20,000 claims right after their
    import took 13.9 s instead of 6.8 s; importing 200,000 claims after their households
    slowed to seconds a chunk, each chunk's duplicate check scanning the claims stored so far.

    PostgreSQL analyzes only tables the role owns (others: a warning, nothing done): the
    application's role owns its tables when it runs the migrations (docs/operations.md)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    preparer = connection.dialect.identifier_preparer
    # a table being vacuumed by hand is not worth waiting for: autovacuum will catch up
    connection.execute(text("SET LOCAL lock_timeout = '2s'"))
    for model in models:
        connection.execute(text(f"ANALYZE {preparer.format_table(model.__table__)}"))


def estimated_rows(session: Session, model: type[Any]) -> int:
    """The planner's estimate of a table's rows (PostgreSQL; 0 elsewhere or never analyzed):
    what a bulk load's refreshes of the statistics are measured against."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return 0
    estimate = connection.execute(text("SELECT reltuples FROM pg_class WHERE oid = "
                                       "to_regclass(:name)"),
                                  {"name": model.__table__.name}).scalar()
    return max(0, int(estimate or 0))
