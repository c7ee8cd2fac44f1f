"""How fast the feed import reads the forms of ID numbers, amounts and dates (schemas/forms.py).

Run by hand (it prints its figures; nothing here is a test):

    python bench/bench_forms.py                       # 300,000 generated medical rows
    python bench/bench_forms.py --rows 500000 --before bf54803

It times, best and median of a few runs, the feed import's preparation of one generated
medical batch (`_prepare` and every check of a row: 13 amount columns, the ID number, the
settlement time) and each polars expression of schemas/forms.py on its own. With `--before
REV`, the preparation as the feed import of that git revision did it is timed beside it, and
the values both read are compared. Keep the rows to a few hundred thousand: a shared machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adjudicator.feeds import importer  # noqa: E402
from adjudicator.feeds.columns import BUREAUS  # noqa: E402
from schemas import forms  # noqa: E402

BUREAU = BUREAUS["medical"]
FIRST, LAST = importer.month_bounds("2026-03")


def batch(rows: int, seed: int = 7) -> pl.DataFrame:
    """Settlement rows as a platform exports them: most amounts plain, a few with ¥, 元,
    thousands separators or full-width digits; a settlement time after each date."""
    rnd = random.Random(seed)

    def amount() -> str:
        value = f"{rnd.randint(0, 200000)}.{rnd.randint(0, 99):02d}"
        if rnd.random() < 0.97:
            return value
        return rnd.choice([f"¥{value}", f"{value}元", f"{int(float(value)):,}", "１２３４．５"])

    data: dict[str, list[Any]] = {name: [None] * rows for name in BUREAU.columns}
    data["setl_id"] = [f"S{i:09d}" for i in range(rows)]
    data["certno"] = ["".join(rnd.choices("0123456789", k=17)) + rnd.choice("0123456789X")
                      for _ in range(rows)]
    data["setl_time"] = [f"2026-03-{rnd.randint(1, 31):02d} {rnd.randint(0, 23):02d}:"
                         f"{rnd.randint(0, 59):02d}:{rnd.randint(0, 59):02d}"
                         for _ in range(rows)]
    for name in BUREAU.amounts:
        data[name] = [amount() for _ in range(rows)]
    data["refd_setl_flag"] = ["0"] * rows
    return pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))


def timed(work: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[0] * 1000, times[len(times) // 2] * 1000


def prepared(module: ModuleType, df: pl.DataFrame) -> pl.DataFrame:
    present = set(df.columns)
    checks = module._checks(BUREAU, present, FIRST, LAST)
    out: pl.DataFrame = module._prepare(df, BUREAU, present, FIRST)
    return out.with_columns(*(c.bad.fill_null(False).alias(f"_bad{i}")
                              for i, c in enumerate(checks)))


def importer_at(rev: str) -> ModuleType:
    source = subprocess.run(["git", "show", f"{rev}:adjudicator/feeds/importer.py"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "importer_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("importer_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["importer_before"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", help="a git revision whose feed import to time beside")
    args = parser.parse_args()
    df = batch(args.rows)
    print(f"{args.rows:,} rows, {len(BUREAU.amounts)} amount columns; best / median of "
          f"{args.runs} runs")
    sides = [("now", importer)]
    if args.before:
        sides.insert(0, (args.before, importer_at(args.before)))
    for label, module in sides * 2:  # each twice, in turn: a shared machine is noisy
        best, median = timed(lambda m=module: prepared(m, df), args.runs)  # type: ignore[misc]
        print(f"  _prepare + checks ({label}): {best:8.1f} / {median:8.1f} ms")
    if args.before:
        columns = ["certno", "_date", *(f"_{n}" for n in BUREAU.amounts)]
        same = prepared(sides[0][1], df).select(columns).equals(
            prepared(importer, df).select(columns))
        print(f"  the same ID numbers, dates and amounts read: {same}")
    folded = df.with_columns(forms.fold_expr(pl.col(n)) for n in
                             ("certno", "setl_time", BUREAU.amounts[0]))
    for label, work in [
            ("fold_expr (one column)", lambda: df.select(forms.fold_expr(pl.col("certno")))),
            ("amount_expr", lambda: folded.select(forms.amount_expr(pl.col(BUREAU.amounts[0])))),
            ("date_expr", lambda: folded.select(forms.date_expr(pl.col("setl_time")))),
            ("clean_id_number_expr",
             lambda: folded.select(forms.clean_id_number_expr(pl.col("certno"))))]:
        best, median = timed(work, args.runs)
        print(f"  {label:24} {best:8.1f} / {median:8.1f} ms")


if __name__ == "__main__":
    main()
