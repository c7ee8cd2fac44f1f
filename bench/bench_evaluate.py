"""Benchmark of `adjudicator evaluate` (pure mode) beside the obvious way: cases/s, peak memory.

Run by hand:  python bench/bench_evaluate.py [--cases 50000] [--workers 1] [--engine scalar]

It writes generated cases to a temporary JSON Lines file, then, each in a process of its own
(so that each peak resident memory is its own), times

- `evaluate`: the same streaming path the CLI uses (read, validate strictly, adjudicate,
  serialize the decision with its full trace, write), and
- the obvious way (bench/obvious.py): a plain loop of `json.loads`, a straightforward
  `Decimal` implementation of RULES.md, and `json.dumps` of a decision without its trace,

and prints both side by side, with how many decisions of the two agree (outcome, reasons,
payout). Peak memory must stay flat as the number of cases grows.

`--floor` also times, in one process, the two ways' reading alone: `evaluate`'s case reader
(msgspec Structs, strict) and the obvious way's `json.loads`, each over every line, best of
three. What is left of a case's budget at 1.5 x the obvious way after its reading is what
deciding and writing the decision with its trace may cost; the obvious way's own deciding
and writing (without a trace) is its time less its `json.loads`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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


def _measure(job: str, cases: Path, out: Path, tariff_path: Path, workers: int,
             engine: str, queue: Any) -> None:
    """In a child process: run one way over the cases, put (count, wall, cpu, peak KiB)."""
    tariff = load_tariff(tariff_path)
    started, cpu = time.perf_counter(), time.process_time()
    if job == "evaluate":
        with cases.open("rb") as source, out.open("wb") as sink:
            count = evaluate_stream(source, str(cases), tariff, sink, workers=workers,
                                    engine=engine).cases  # type: ignore[arg-type]
    else:
        from bench import obvious

        with cases.open("rb") as source, out.open("w", encoding="utf-8") as sink:
            count = obvious.run(source, tariff, sink)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    queue.put((count, wall, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def _run(job: str, cases: Path, out: Path, args: argparse.Namespace) -> tuple[Any, ...]:
    context = multiprocessing.get_context("spawn")  # a fresh process: its own peak memory
    queue = context.Queue()
    process = context.Process(target=_measure, args=(job, cases, out, demo_tariff_path(),
                                                     args.workers, args.engine, queue))
    process.start()
    result = queue.get()
    process.join()
    return tuple(result)


def _agreement(evaluated: Path, obvious_out: Path) -> tuple[int, int]:
    same = total = 0
    with evaluated.open("rb") as a, obvious_out.open("rb") as b:
        for line_a, line_b in zip(a, b, strict=True):
            x, y = json.loads(line_a), json.loads(line_b)
            total += 1
            same += (x["outcome"], x["reasons"], x["payout"]) == (
                y["outcome"], y["reasons"], y["payout"])
    return same, total


def _reading_floor(cases: Path) -> tuple[float, float]:
    """µs of CPU a case: `evaluate`'s strict reader, and `json.loads`; best of three each."""
    from schemas.case_reader import read_case

    lines = cases.read_bytes().splitlines()

    def best(read: Any) -> float:
        times = []
        for _ in range(3):
            started = time.process_time()
            for line in lines:
                read(line)
            times.append(time.process_time() - started)
        return min(times) / len(lines) * 1e6

    return best(read_case), best(json.loads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1,
                        help="processes (the CLI's --workers); CPU figures are this process's")
    parser.add_argument("--engine", choices=("columnar", "scalar"), default="columnar")
    parser.add_argument("--floor", action="store_true",
                        help="also time each way's reading alone (one process, best of three)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cases = Path(tmp) / "cases.jsonl"
        started = time.perf_counter()
        _write_cases(cases, args.cases, args.seed)
        generated = time.perf_counter() - started
        evaluated, plain = Path(tmp) / "evaluate.jsonl", Path(tmp) / "obvious.jsonl"
        figures = {"evaluate": _run("evaluate", cases, evaluated, args),
                   "obvious way": _run("obvious", cases, plain, args)}
        same, total = _agreement(evaluated, plain)
        floor = _reading_floor(cases) if args.floor else None
    print(f"cases                {args.cases:>12,}   "
          f"(generated at {args.cases / generated:,.0f}/s)")
    print(f"engine               {args.engine:>12}   workers {args.workers}")
    print(f"{'':20} {'cases/s wall':>14} {'cases/s cpu':>14} {'us cpu/case':>12} "
          f"{'peak RSS MiB':>13}")
    for name, (count, wall, cpu, peak) in figures.items():
        print(f"{name:20} {count / wall:>14,.0f} {count / cpu:>14,.0f} "
              f"{cpu / count * 1e6:>12.1f} {peak / 1024:>13.1f}")
    (n_e, wall_e, cpu_e, _), (n_o, wall_o, cpu_o, _) = figures.values()
    print(f"evaluate / obvious   {(n_e / cpu_e) / (n_o / cpu_o):>12.2f} x on one core (cpu; "
          f"{(n_e / wall_e) / (n_o / wall_o):.2f} x wall) - evaluate also validates strictly "
          "and writes the full trace")
    print(f"agreement            {same:,} of {total:,} decisions (outcome, reasons, payout)")
    if floor is not None:
        reader, loads = floor
        obvious_us = cpu_o / n_o * 1e6
        budget = obvious_us / 1.5
        print(f"reading alone        evaluate's reader {reader:.1f} us, json.loads {loads:.1f} us "
              "a case (best of three)")
        print(f"at 1.5 x             {budget:.1f} us a case in all: {budget - reader:.1f} us "
              f"to decide and write with the trace, where the obvious way takes "
              f"{obvious_us - loads:.1f} us to decide and write without one")


if __name__ == "__main__":
    main()
