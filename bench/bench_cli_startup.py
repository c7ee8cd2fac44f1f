"""Benchmark of the command line's start: the wall time of a few `adjudicator` runs that do
little work, each in a fresh process, beside the obvious way (every command module imported
before the command runs, as the program did when it registered every command at start).

Run by hand:  python bench/bench_cli_startup.py [--runs 15]

It prints the median and the best of the runs for each command line, in milliseconds. For
where the remaining time goes: python -X importtime -m cli --help 2> importtime.txt
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Each command module, as the program imported them all when it started.
EAGER = ("import cli.evaluate_cmd, cli.explain_cmd, cli.system_cmd, cli.claims_cmd, "
         "cli.demo_cmd, cli.serve_cmd, cli.fund_cmd, cli.tariff_cmd, cli.import_cmd, "
         "cli.notice_cmd, cli.verify_cmd, cli.audit_cmd, cli.calendar_cmd, cli.feed_cmd, "
         "cli.pay_cmd; ")

LINES = (["--help"], ["--version"], ["tariff", "--help"], ["tariff", "validate", "--help"])


def _run(code: str, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    python, _ = _run("pass", args.runs)
    print(f"python itself: {python:.0f} ms (median of {args.runs})")
    print(f"{'adjudicator …':<34}{'as built (ms)':>16}{'every module first (ms)':>26}")
    for line in LINES:
        call = f"from cli.main import app; app({line!r})"
        lazy, lazy_best = _run(call, args.runs)
        eager, eager_best = _run(EAGER + call, args.runs)
        print(f"{' '.join(line):<34}{lazy:>9.0f} ({lazy_best:.0f}){eager:>19.0f} "
              f"({eager_best:.0f})")


if __name__ == "__main__":
    main()
