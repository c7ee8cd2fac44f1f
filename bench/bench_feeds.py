"""A province's monthly medical feed: `feed import` + `feed screen` beside the obvious way.

Run by hand (it prints a table; nothing here is a test):

    python bench/bench_feeds.py                              # 10 million rows, SQLite
    python bench/bench_feeds.py --rows 1000000 --dir /tmp/bench-feeds  # the file kept there
    python bench/bench_feeds.py --rows 1000000,4000000       # two sizes: is memory flat?
    python bench/bench_feeds.py --rows 1000000 --pg postgresql://postgres@127.0.0.1:5432/test

It generates a GBK CSV of settlement rows as the medical security platform exports them
(a title line, the platform's field codes, a total row), for a population of realistic ID
numbers (a tenth as many people as rows: ten settlements a person); a tenth of the population
is registered (households of four). Each measured step runs in a fresh process of its own, so
its peak RSS is its own:

- `feed import`: polars reads, checks and prepares the rows in batches of 50,000 (a thread
  of its own, a batch ahead); each batch is matched to the register and stored (every row:
  a settlement is stored once, ever): the registered people's rows one database row each, the
  others (nine in ten) as one Parquet blob a batch;
- `feed screen`: the database sums each household's figure, polars the people not registered
  from the month's blobs (blob by blob); then the households over the line are screened 2,000
  at a time, the people not registered 50,000 at a time;
- the obvious way: pandas `read_csv` of the whole file and a `groupby` of the compliant
  out-of-pocket cost per ID number (no storage, no matching, no checks).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MONTH = "2026-03"
HEADER = ["setl_id", "certno", "psn_name", "fixmedins_name", "med_type", "setl_time",
          "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "hifp_pay", "maf_pay",
          "fund_pay_sumamt", "psn_pay", "refd_setl_flag"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def _peak_mib() -> float:
    """This process's own peak RSS (VmHWM; ru_maxrss would keep the parent's peak from
    before the exec of a spawned process)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def population(people: int, seed: int) -> tuple[list[str], list[str]]:
    """Distinct valid ID numbers of one county (330102) and names."""
    from adjudicator.rules.idnumber import check_character

    rnd = random.Random(seed)
    ids, names = [], []
    start = dt.date(1940, 1, 1)
    for n in range(people):
        birth = start + dt.timedelta(days=n % 25_000)
        body = f"330102{birth:%Y%m%d}{n // 25_000:03d}"
        ids.append(body + check_character(body))
        names.append(rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN))
    return ids, names


def write_feed(path: Path, rows: int, ids: list[str], names: list[str], seed: int) -> None:
    """The settlement rows as GBK CSV: a title line, the field codes, the rows, a total."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    step = 1_000_000
    with path.open("wb") as out:
        out.write("某省2026年3月医保结算明细（省级平台导出）\r\n".encode("gbk"))
        out.write((",".join(HEADER) + "\r\n").encode("gbk"))
        for begin in range(0, rows, step):
            n = min(step, rows - begin)
            who = rng.integers(0, len(ids), n)
            cost = rng.integers(5_000, 1_200_000, n)  # fen
            ownpay = cost * rng.integers(0, 10, n) // 100
            fund = cost * rng.integers(40, 70, n) // 100
            maf = np.where(rng.integers(0, 10, n) == 0, cost // 10, 0)
            frame = pl.DataFrame({
                "setl_id": [f"SETL{begin + i:012d}" for i in range(n)],
                "certno": [ids[i] for i in who], "psn_name": [names[i] for i in who],
                "fixmedins_name": ["县人民医院"] * n, "med_type": ["住院"] * n,
                "setl_time": [f"2026-03-{d:02d} 10:00:00" for d in rng.integers(1, 29, n)],
                "medfee_sumamt": cost, "fulamt_ownpay_amt": ownpay,
                "overlmt_selfpay": np.zeros(n, dtype=np.int64), "hifp_pay": fund,
                "maf_pay": maf, "fund_pay_sumamt": fund + maf, "psn_pay": cost - fund - maf,
                "refd_setl_flag": ["0"] * n})
            money = ["medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "hifp_pay",
                     "maf_pay", "fund_pay_sumamt", "psn_pay"]
            frame = frame.with_columns(
                *((pl.col(c) // 100).cast(pl.String) + "." +
                  (pl.col(c) % 100).cast(pl.String).str.zfill(2) for c in money))
            text = frame.write_csv(include_header=False, line_terminator="\r\n")
            out.write(text.encode("gbk"))
        out.write("合计,,,,,,,,,,,,,\r\n".encode("gbk"))


def seed_database(url: str, ids: list[str], names: list[str]) -> None:
    """The tariff, a supervisor, and every tenth person registered (households of four)."""
    from adjudicator.rules.tariff import load_tariff
    from adjudicator.services.tariffs import store_tariff
    from adjudicator.services.users import add_user, bootstrap_admin
    from adjudicator.storage.bulk import insert_rows
    from adjudicator.storage.context import Context, connect
    from adjudicator.storage.db import transaction
    from adjudicator.storage.models import Household, Member
    from tariffs import demo_tariff_path

    engine, factory = connect(url, create=True)
    system = Context(engine, factory, "system", "admin")
    bootstrap_admin(system, "admin", "管理员")
    admin = system.as_user("admin")
    add_user(admin, "sup", "supervisor", "主管")
    path = demo_tariff_path()
    now = admin.now()
    with transaction(factory) as session:
        store_tariff(session, load_tariff(path), path.read_bytes(), "admin", now)
    registered = list(range(0, len(ids), 10))
    for begin in range(0, len(registered), 40_000):
        part = registered[begin:begin + 40_000]
        households, members = [], []
        for k, person in enumerate(part):
            number = (begin + k) // 4
            household_id = f"HP{number:08d}"
            region = f"330102{number % 20 + 1:03d}{number % 7 + 1:03d}"
            if (begin + k) % 4 == 0:
                households.append({"household_id": household_id, "region_code": region,
                                   "township_code": region[:9], "village_code": region,
                                   "village_name": None, "township_name": None,
                                   "category": "edge", "created_at": now, "updated_at": now})
            members.append({"household_id": household_id, "member_id": f"M{(begin + k) % 4}",
                            "name": names[person], "id_number": ids[person],
                            "relation": "head" if (begin + k) % 4 == 0 else "child",
                            "counted": True})
        with transaction(factory) as session:
            insert_rows(session, Household, households)
            insert_rows(session, Member, members)
    engine.dispose()


def _ctx(url: str) -> Any:
    from adjudicator.storage.context import open_context

    return open_context(url, "sup")


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def run_import(url: str, path: str) -> tuple[float, float, dict[str, Any], float]:
    from adjudicator.feeds.importer import import_feed

    ctx = _ctx(url)
    started, cpu = time.perf_counter(), _cpu()
    result = import_feed(ctx, "medical", path, MONTH)
    return time.perf_counter() - started, _peak_mib(), result.to_dict(), _cpu() - cpu


def run_screen(url: str) -> tuple[float, float, dict[str, Any], float]:
    from adjudicator.feeds.screen import screen_month

    ctx = _ctx(url)
    started, cpu = time.perf_counter(), _cpu()
    result = screen_month(ctx, MONTH)
    return time.perf_counter() - started, _peak_mib(), result.counts(), _cpu() - cpu


def run_floor(path: str, rows: int) -> tuple[float, float, dict[str, Any], float]:
    """The floor: merely inserting `rows` rows of a settlement number, an ID number and an
    amount into a SQLite table keyed by the settlement number, 50,000 a batch (no reading,
    no checks, no matching): what storing every row costs at the least."""
    import sqlite3

    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE floor (record_no TEXT PRIMARY KEY, id_number TEXT, "
                       "figure INTEGER)")
    started, cpu = time.perf_counter(), _cpu()
    for begin in range(0, rows, 50_000):
        connection.executemany("INSERT INTO floor VALUES (?, ?, ?)", (
            (f"SETL{n:012d}", "330102197001010011", n % 1_000_000)
            for n in range(begin, min(rows, begin + 50_000))))
        connection.commit()
    connection.close()
    return time.perf_counter() - started, _peak_mib(), {}, _cpu() - cpu


def run_obvious(path: str) -> tuple[float, float, dict[str, Any], float]:
    import pandas as pd

    started, cpu = time.perf_counter(), _cpu()
    frame = pd.read_csv(path, encoding="gbk", skiprows=1, dtype={"certno": str})
    frame = frame[frame["certno"].notna()]
    frame["compliant"] = (frame["psn_pay"] - frame["fulamt_ownpay_amt"]
                          - frame["overlmt_selfpay"])
    sums = frame.groupby("certno")["compliant"].sum()
    over = int((sums > 18000).sum())
    return (time.perf_counter() - started, _peak_mib(), {"over_the_line": over},
            _cpu() - cpu)


def in_child(function: Any, *args: Any) -> Any:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def bench(rows: int, url: str | None, folder: Path, seed: int,
          files: Path | None = None) -> dict[str, Any]:
    """One size measured; the generated file is kept in `files` (--dir) and used again by
    the next run with the same rows and seed."""
    ids, names = population(max(1_000, rows // 10), seed)  # ten settlements a person
    path = (files or folder) / f"feed-{rows}-{seed}.csv"
    started = time.perf_counter()
    if not path.is_file():
        part = path.with_suffix(".part")
        write_feed(part, rows, ids, names, seed)
        part.rename(path)
    generated = time.perf_counter() - started
    database = url or f"sqlite:///{folder / f'feeds-{rows}.db'}"
    seed_database(database, ids, names)
    imported = in_child(run_import, database, str(path))
    screened = in_child(run_screen, database)
    obvious = in_child(run_obvious, str(path))
    floor = in_child(run_floor, str(folder / f"floor-{rows}.db"), rows)
    return {"rows": rows, "file_mib": path.stat().st_size / 2**20, "generated_s": generated,
            "import": imported, "screen": screened, "obvious": obvious, "floor": floor}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default="10000000",
                        help="settlement rows; several sizes comma-separated")
    parser.add_argument("--pg", help="a PostgreSQL URL (a fresh schema is used) instead of "
                                     "SQLite")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dir", help="where the databases go (in a temporary folder inside) "
                                      "and the generated file is kept for the next run "
                                      "(default: a temporary folder)")
    args = parser.parse_args()
    from bench.bench_import import pg_schema

    print(f"{'rows':>11} {'step':<28} {'seconds':>9} {'CPU s':>7} {'rows/s':>11} "
          f"{'peak MiB':>9}")
    with tempfile.TemporaryDirectory(prefix="bench-feeds-", dir=args.dir) as tmp:
        for rows in (int(r) for r in args.rows.split(",")):
            url, drop = (pg_schema(args.pg) if args.pg else (None, lambda: None))
            try:
                found = bench(rows, url, Path(tmp), args.seed,
                              Path(args.dir) if args.dir else None)
            finally:
                drop()
            both = found["import"][0] + found["screen"][0]
            for name, (seconds, peak, _, cpu) in (
                    ("feed import", found["import"]), ("feed screen", found["screen"]),
                    ("obvious: pandas read+groupby", found["obvious"]),
                    ("floor: insert rows only", found["floor"])):
                print(f"{rows:>11,} {name:<28} {seconds:>9.1f} {cpu:>7.1f} "
                      f"{rows / seconds:>11,.0f} {peak:>9,.0f}")
            cpu = found["import"][3] + found["screen"][3]
            print(f"{rows:>11,} {'feed import + screen':<28} {both:>9.1f} {cpu:>7.1f} "
                  f"{rows / both:>11,.0f}"
                  f"   (file {found['file_mib']:,.0f} MiB GBK; generated or found in "
                  f"{found['generated_s']:.0f} s)")
            print(f"{'':>11} import: {found['import'][2]}")
            print(f"{'':>11} screen: {found['screen'][2]}; obvious: {found['obvious'][2]}")


if __name__ == "__main__":
    main()
