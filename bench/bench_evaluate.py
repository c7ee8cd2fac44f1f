"""Benchmark of `adjudicator evaluate` (pure mode): cases per second and peak memory.

Run by hand:  python bench/bench_evaluate.py [--cases 200000] [--workers 2] [--engine scalar]

It writes generated cases to a temporary JSON Lines file, then times the same streaming path
the CLI uses (read, validate, adjudicate, serialize, write) in this process, and reports the
peak resident memory, which must stay flat as the number of cases grows.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adjudicator.evaluate import evaluate_stream
from adjudicator.rules.tariff import load_tariff
from tariffs import demo_tariff_path


def _write_cases(path: Path, n: int, seed: int) -> None:
    try:
        from fixtures.generate import iter_cases
    except ImportError:  # the generator is optional for this benchmark
        iter_cases = None
    with path.open("w", encoding="utf-8") as out:
        if iter_cases is not None:
            for case in iter_cases(seed, n):
                out.write(json.dumps(case, ensure_ascii=False) + "\n")
            return
        from tests.casebuilder import make_case

        for i in range(n):
            case = make_case(members=1 + i % 6, wages=str(10000 + i * 7 % 70000),
                             medical={"total_cost": f"{3000 + i * 13 % 120000}.{i % 100:02d}"},
                             case_id=f"C-{i}", claim_id=f"K-{i}")
            out.write(json.dumps(case, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1,
                        help="processes (the CLI's --workers); CPU figures are this process's")
    parser.add_argument("--engine", choices=("columnar", "scalar"), default="columnar")
    args = parser.parse_args()
    tariff = load_tariff(demo_tariff_path())
    with tempfile.TemporaryDirectory() as tmp:
        cases = Path(tmp) / "cases.jsonl"
        started = time.perf_counter()
        _write_cases(cases, args.cases, args.seed)
        generated = time.perf_counter() - started
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        usage = resource.getrusage(resource.RUSAGE_SELF)
        started, cpu = time.perf_counter(), time.process_time()
        with cases.open("rb") as source, open(Path(tmp) / "out.jsonl", "wb") as sink:
            counts = evaluate_stream(source, str(cases), tariff, sink, workers=args.workers,
                                     engine=args.engine)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        after = resource.getrusage(resource.RUSAGE_SELF)
        system = after.ru_stime - usage.ru_stime
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"cases                {counts.cases:>12,}")
    print(f"outcomes             {json.dumps(counts.outcomes, sort_keys=True)}")
    print(f"generation           {args.cases / generated:>12,.0f} cases/s")
    print(f"engine               {args.engine:>12}")
    print(f"evaluate (wall)      {counts.cases / wall:>12,.0f} cases/s  ({wall:.1f} s)")
    if args.workers == 1:
        print(f"evaluate (cpu)       {counts.cases / cpu:>12,.0f} cases/s on one core")
        print(f"per case             {cpu / counts.cases * 1e6:>12.1f} us cpu "
              f"({system / counts.cases * 1e6:.1f} us of it in the kernel: reading, writing)")
    else:
        print(f"workers              {args.workers:>12}")
    print(f"peak RSS             {rss_after / 1024:>12.1f} MiB "
          f"(before evaluating {rss_before / 1024:.1f} MiB)")


if __name__ == "__main__":
    main()
