"""The database's floor: how many claims/s the database itself allows, storing the rows a batch
stores with no Python work per row at all.

Run by hand (it prints a table; nothing here is a test):

    python bench/bench_floor.py                        # SQLite, a county of 20,000 claims
    python bench/bench_floor.py --pg postgresql://postgres@127.0.0.1:5432/test   # 2 streams
    python bench/bench_floor.py --pg postgresql://... --streams 1

A generated county goes through the real batch once (the four imports, then `adjudicate`).
Then every row that batch left in the tables it grows (households, members, claims,
findings, verifications, decisions, events) is read back as the database holds it and
written again, in key order, into a fresh database of the same schema, with the batch's own
transactions (5,000 rows each for the imports' tables; 200 decisions and 400 events each,
as `adjudicate` commits a chunk of 200 households) and by the fastest means the driver has:
one `executemany` of ready tuples (SQLite, the statement compiled once) or `COPY`
(PostgreSQL). On PostgreSQL, which takes writers side by side, the transactions go through
`--streams` connections at once (two by default: the machine's two cores); SQLite has one
writer at a time. No validation, no lookups, no decisions, no hashing, no updates: each
claim's rows are stored once, in their final state (the batch also moves each claim twice),
so this is an upper bound on what any import and batch storing what this one stores can reach
on this machine. The floor's time over the batch's is the share of the batch's time that
storing takes; the rest is the engine's own work.
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
#: Rows a transaction, as the batch commits them: an import's chunk, and `adjudicate`'s
#: chunk of 200 households (about 200 decisions with their two events each).
CHUNK = 5000
CHUNKS = {"decisions": 200, "events": 400}


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
            cursor.execute(f'SELECT {listed} FROM "{table}" ORDER BY "{columns[0]}"')
            return columns, [tuple(row) for row in cursor.fetchall()]
        finally:
            raw.close()
    finally:
        engine.dispose()


def store_again(source: str, target: str, streams: int = 1
                ) -> dict[str, tuple[int, float]]:
    """Each table's rows from `source` written into the fresh `target` (its schema migrated
    first), on PostgreSQL through `streams` connections at once: {table: (rows, seconds)}."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import create_engine

    from adjudicator.storage.db import make_engine, migrate

    migrate(target)
    pg = target.startswith("postgresql")
    streams = streams if pg else 1  # SQLite: one writer at a time
    engine = create_engine(target, pool_size=streams) if pg else make_engine(target)
    figures: dict[str, tuple[int, float]] = {}
    raws: list[Any] = [engine.raw_connection() for _ in range(streams)]
    try:
        with ThreadPoolExecutor(streams) as pool:
            for table in (*REFERRED, *TABLES):
                columns, rows = _stored(source, table)
                size = CHUNKS.get(table, CHUNK)
                parts = [rows[at:at + size] for at in range(0, len(rows), size)]
                started = time.perf_counter()
                # stream k writes parts k, k + streams, ...; every row keeps its stored key
                list(pool.map(lambda k, table=table, columns=columns, parts=parts: _write(
                    raws[k].driver_connection, pg, table, columns, parts[k::streams]),
                    range(streams)))
                if table in TABLES:
                    figures[table] = (len(rows), time.perf_counter() - started)
    finally:
        for raw in raws:
            raw.close()
        engine.dispose()
    return figures


def _write(driver: Any, pg: bool, table: str, columns: list[str],
           parts: list[list[tuple[Any, ...]]]) -> None:
    """Each part in a transaction of its own: COPY, or one executemany."""
    listed = ", ".join(f'"{c}"' for c in columns)
    for part in parts:
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


def floor_rows(label: str, source: str, target: str, streams: int = 1
               ) -> list[tuple[str, str, str]]:
    """The floor of the batch stored at `source`, written again into the fresh `target`: the
    rows of `bench/run_all.py`'s table."""
    figures = store_again(source, target, streams)
    decided = figures["decisions"][0]
    seconds = sum(seconds for _, seconds in figures.values())
    slowest = sorted(figures, key=lambda table: -figures[table][1])[:3]
    how = f", {streams} connections" if streams > 1 else ""
    return [(f"  the database's floor ({label}{how}): the same rows stored with no work a row",
             f"{decided / seconds:,.0f} claims/s",
             "most of it " + ", ".join(f"{table} {1e6 * figures[table][1] / decided:,.0f} µs"
                                       for table in slowest) + " a claim (bench_floor.py)")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--pg", default=None, help="PostgreSQL URL (schemas are made in it)")
    parser.add_argument("--streams", type=int, default=2,
                        help="PostgreSQL connections writing at once (default 2)")
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
            figures = store_again(source, target, args.streams)
        finally:
            drop_source()
            drop_target()
    floor_seconds = sum(seconds for _, seconds in figures.values())
    how = f", {args.streams} connections" if args.pg and args.streams > 1 else ""
    print(f"{label}{how}: a county of {args.claims:,} claims, {decided:,} decisions")
    print(f"{'table':<16} {'rows':>10} {'rows/s':>12} {'µs a claim':>12}")
    for table, (rows, seconds) in figures.items():
        print(f"{table:<16} {rows:>10,} {rows / seconds:>12,.0f} "
              f"{1e6 * seconds / decided:>12,.1f}")
    print(f"the floor: storing them alone   {decided / floor_seconds:>10,.0f} claims/s")
    print(f"the batch (import + adjudicate) {decided / batch_seconds:>10,.0f} claims/s "
          f"({100 * floor_seconds / batch_seconds:.0f} % of its time is the floor)")


if __name__ == "__main__":
    main()
