"""The database's floor: how many claims/s the database itself allows, storing the rows a batch
stores with no Python work per row at all.

Run by hand (it prints a table; nothing here is a test):

    python bench/bench_floor.py                        # SQLite, a county of 20,000 claims
    python bench/bench_floor.py --pg postgresql://postgres@127.0.0.1:5432/test

A generated county goes through the real batch once (the four imports, then `adjudicate`).
Then every row that batch left in the tables it grows (households, members, claims,
findings, verifications, decisions, events) is read back as the database holds it and
written again into a fresh database of the same schema, in the batch's own chunks (5,000 rows
a transaction), by the fastest means the driver has: one `executemany` of ready tuples
(SQLite, the statement compiled once) or `COPY` (PostgreSQL). No validation, no lookups, no
decisions, no hashing, no updates: each claim's rows are stored once, in their final state
(the batch also moves each claim twice), so this is an upper bound on what any import and
batch can reach on this machine, storing what this one stores: the batch's claims/s divided by
the floor's is the share of the time the engine itself takes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_import import pg_schema
from bench.run_all import _context, write_county_files

#: The tables a batch grows, in the order the batch fills them.
TABLES = ("households", "members", "claims", "findings", "verifications", "decisions",
          "events")
#: What their rows refer to, copied first and not timed.
REFERRED = ("users", "tariffs", "import_batches")
CHUNK = 5000


def run_batch(url: str, files: dict[str, Path]) -> tuple[int, float]:
    """The real batch: (decisions made, seconds)."""
    from adjudicator.intake import import_file
    from adjudicator.services.adjudication import adjudicate_ready

    ctx = _context(url)
    started = time.perf_counter()
    for kind in ("households", "claims", "department-data", "verifications"):
        import_file(ctx, kind, files[kind])
    decided = adjudicate_ready(ctx).decided
    seconds = time.perf_counter() - started
    ctx.engine.dispose()
    return decided, seconds


def _stored(url: str, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """A table's columns (the key included) and rows as the database holds them (on
    PostgreSQL as text, which COPY reads back exactly)."""
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url)
    try:
        columns = [c["name"] for c in inspect(engine).get_columns(table)]
        raw: Any = engine.raw_connection()
        try:
            cursor = raw.cursor()
            pg = engine.dialect.name == "postgresql"
            listed = ", ".join(f'"{c}"::text' if pg else f'"{c}"' for c in columns)
            cursor.execute(f'SELECT {listed} FROM "{table}" ORDER BY 1')
            return columns, [tuple(row) for row in cursor.fetchall()]
        finally:
            raw.close()
    finally:
        engine.dispose()


def store_again(source: str, target: str) -> dict[str, tuple[int, float]]:
    """Each table's rows from `source` written into the fresh `target` (its schema migrated
    first): {table: (rows, seconds)}."""
    from sqlalchemy import create_engine

    from adjudicator.storage.db import make_engine, migrate

    migrate(target)
    pg = target.startswith("postgresql")
    engine = make_engine(target) if not pg else create_engine(target)
    figures: dict[str, tuple[int, float]] = {}
    try:
        for table in (*REFERRED, *TABLES):
            columns, rows = _stored(source, table)
            listed = ", ".join(f'"{c}"' for c in columns)
            raw: Any = engine.raw_connection()
            try:
                driver = raw.driver_connection
                started = time.perf_counter()
                for at in range(0, len(rows), CHUNK):
                    part = rows[at:at + CHUNK]
                    if pg:
                        with driver.transaction(), driver.cursor() as cursor, \
                                cursor.copy(f'COPY "{table}" ({listed}) FROM STDIN') as copy:
                            for row in part:
                                copy.write_row(row)
                    else:
                        driver.execute("BEGIN IMMEDIATE")
                        driver.executemany(f'INSERT INTO "{table}" ({listed}) VALUES '
                                           f'({", ".join("?" * len(columns))})', part)
                        driver.execute("COMMIT")
                if table in TABLES:
                    figures[table] = (len(rows), time.perf_counter() - started)
            finally:
                raw.close()
    finally:
        engine.dispose()
    return figures


def floor_rows(label: str, source: str, target: str) -> list[tuple[str, str, str]]:
    """The floor of the batch stored at `source`, written again into the fresh `target`: the
    rows of `bench/run_all.py`'s table."""
    figures = store_again(source, target)
    decided = figures["decisions"][0]
    seconds = sum(seconds for _, seconds in figures.values())
    slowest = sorted(figures, key=lambda table: -figures[table][1])[:3]
    return [(f"  the database's floor ({label}): the same rows stored with no work per row",
             f"{decided / seconds:,.0f} claims/s",
             "most of it " + ", ".join(f"{table} {1e6 * figures[table][1] / decided:,.0f} µs"
                                       for table in slowest) + " a claim (bench_floor.py)")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--pg", default=None, help="PostgreSQL URL (schemas are made in it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        files = write_county_files(args.claims, tmp / "county")
        if args.pg:
            (source, drop_source), (target, drop_target) = pg_schema(args.pg), pg_schema(args.pg)
            label = "PostgreSQL"
        else:
            source, target = f"sqlite:///{tmp / 'batch.db'}", f"sqlite:///{tmp / 'floor.db'}"
            drop_source = drop_target = lambda: None
            label = "SQLite"
        try:
            decided, batch_seconds = run_batch(source, files)
            figures = store_again(source, target)
        finally:
            drop_source()
            drop_target()
    floor_seconds = sum(seconds for _, seconds in figures.values())
    print(f"{label}: a county of {args.claims:,} claims, {decided:,} decisions")
    print(f"{'table':<16} {'rows':>10} {'rows/s':>12} {'µs a claim':>12}")
    for table, (rows, seconds) in figures.items():
        print(f"{table:<16} {rows:>10,} {rows / seconds:>12,.0f} "
              f"{1e6 * seconds / decided:>12,.1f}")
    print(f"the floor: storing them alone   {decided / floor_seconds:>10,.0f} claims/s")
    print(f"the batch (import + adjudicate) {decided / batch_seconds:>10,.0f} claims/s "
          f"({100 * floor_seconds / batch_seconds:.0f} % of its time is the floor)")


if __name__ == "__main__":
    main()
