"""What-if costing (测算) at province size: a year of stored claims re-costed under a draft.

Run by hand (it prints a table; nothing here is a test):

    python bench/bench_whatif.py                          # 1,000,000 claims, SQLite
    python bench/bench_whatif.py --claims 200000 --base 10000

A generated county of about `--base` claims goes through the real batch (the four imports,
then `adjudicate`): its stored households, members, claims and decisions (each with its case
snapshot) are then copied in SQL, under new household and claim ids, until the database holds
`--claims` stored claims (a province-year made of copies of one county; the snapshots keep
the county's ids inside their JSON, which the what-if does not read). Then, each in a process
of its own so that its peak memory is its own:

- the what-if of a draft (the demo tariff with income line 9,000 and a lower medical trigger)
  over every stored claim: the costing path of the columnar engine, in waves per chunk of
  households, shared out between the what-if's worker processes (`--workers`; CPU seconds
  and peak memory count them);
- the same re-decision done the obvious way on a sample (`--sample` claims of whole
  households): each snapshot validated into a `Case` and decided by the scalar core with the
  history rebuilt the same way, its rate set beside the costing path's on the same claims
  (one process each);
- a sweep of 7 income lines (6,000 to 9,000 by 500) over every stored claim, one read of the
  database.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DRAFT_CHANGES = (('id = "demo-county/2026"', 'id = "demo-county/2026-draft"'),
                 ('income_line = "7000"', 'income_line = "9000"'),
                 ('{ from = "5000", to = "20000", rate = "0.5" }',
                  '{ from = "4000", to = "20000", rate = "0.55" }'))


def write_draft(folder: Path) -> Path:
    from tariffs import demo_tariff_path

    text = demo_tariff_path().read_text(encoding="utf-8")
    for old, new in DRAFT_CHANGES:
        text = text.replace(old, new)
    path = folder / "draft.toml"
    path.write_text(text, encoding="utf-8")
    return path


def build_base(url: str, claims: int, folder: Path) -> float:
    """The real batch on a generated county; returns its seconds."""
    from adjudicator.intake import (
        import_claims,
        import_department_data,
        import_households,
        import_verifications,
    )
    from adjudicator.services.adjudication import adjudicate_ready
    from bench.run_all import _context, write_county_files

    files = write_county_files(claims, folder / "import")
    started = time.perf_counter()
    ctx = _context(url)
    for kind, importer in (("households", import_households), ("claims", import_claims),
                           ("department-data", import_department_data),
                           ("verifications", import_verifications)):
        importer(ctx, files[kind])
    adjudicate_ready(ctx)
    ctx.engine.dispose()
    return time.perf_counter() - started


def replicate(path: Path, target: int) -> tuple[int, float]:
    """Copy the base county's rows under new ids until `target` claims are stored; returns
    (claims stored, seconds). The copies' decisions keep their case snapshot; their decision
    JSON (which the what-if does not read) is left empty to keep the file small."""
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    base = db.execute("SELECT count(*) FROM claims").fetchone()[0]
    offset = db.execute("SELECT max(decision_id) FROM decisions").fetchone()[0] + 1
    copies = -(-target // base) - 1
    households = [c[1] for c in db.execute("PRAGMA table_info(households)")]
    members = [c[1] for c in db.execute("PRAGMA table_info(members)") if c[1] != "pk"]
    claims = [c[1] for c in db.execute("PRAGMA table_info(claims)")]
    decisions = [c[1] for c in db.execute("PRAGMA table_info(decisions)")]

    def select(columns: list[str], k: int, renamed: dict[str, str]) -> str:
        return ", ".join(renamed.get(c, f'"{c}"') for c in columns)

    for k in range(1, copies + 1):
        suffix = f"'~{k}'"
        with db:
            db.execute(f"INSERT INTO households SELECT {select(households, k, {'household_id': f'household_id || {suffix}'})} "  # noqa: E501
                       "FROM households WHERE instr(household_id, '~') = 0")
            db.execute(f"INSERT INTO members ({', '.join(members)}) SELECT "
                       f"{select(members, k, {'household_id': f'household_id || {suffix}'})} "
                       "FROM members WHERE instr(household_id, '~') = 0")
            db.execute(f"INSERT INTO claims SELECT {select(claims, k, {'claim_id': f'claim_id || {suffix}', 'household_id': f'household_id || {suffix}', 'current_decision_id': f'current_decision_id + {k * offset}', 'document_no': f'document_no || {suffix}'})} "  # noqa: E501
                       "FROM claims WHERE instr(claim_id, '~') = 0")
            db.execute(f"INSERT INTO decisions SELECT {select(decisions, k, {'decision_id': f'decision_id + {k * offset}', 'claim_id': f'claim_id || {suffix}', 'household_id': f'household_id || {suffix}', 'decision_json': chr(39) * 2})} "  # noqa: E501
                       f"FROM decisions WHERE decision_id < {offset}")
    stored = db.execute("SELECT count(*) FROM claims").fetchone()[0]
    db.execute("ANALYZE")
    db.close()
    return stored, time.perf_counter() - started


def _peak_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory of this process, or of the largest of its ended children."""
    return resource.getrusage(who).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process and of its ended children (the what-if's workers)."""
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def _officer(url: str) -> Any:
    from adjudicator.storage.context import Context, connect

    engine, factory = connect(url)
    return Context(engine, factory, "admin", "admin")


def run_whatif(url: str, draft: str, sweep: str | None, workers: int | None
               ) -> dict[str, Any]:
    from adjudicator.fund.contract import load_contract
    from adjudicator.fund.whatif import parse_sweep, what_if
    from adjudicator.rules.tariff import load_tariff
    from contracts import demo_contract_path

    ctx = _officer(url)
    started, cpu = time.perf_counter(), _cpu()
    report = what_if(ctx, load_tariff(draft), 2026, load_contract(demo_contract_path()),
                     parse_sweep(sweep) if sweep else None, workers=workers)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    first = report.variants[0]
    worker = _peak_mib(resource.RUSAGE_CHILDREN)
    return {"seconds": seconds, "cpu": cpu, "claims": first.claims, "peak_mib": _peak_mib(),
            "worker_peak_mib": worker,
            "costs": [(v.label, f"{v.draft:,.2f}") for v in report.variants],
            "actual": f"{first.actual:,.2f}", "errors": sum(len(v.errors)
                                                           for v in report.variants)}


def run_sample(url: str, draft: str, sample: int) -> dict[str, Any]:
    """The same first `sample` claims (whole households) re-decided both ways, read once:
    the what-if's columnar waves (best of three), and the obvious way, each snapshot
    validated into a `Case`, its history rebuilt, decided by the scalar core. Wall and CPU
    seconds (the machine is shared: CPU time is the steadier figure)."""
    from adjudicator.fund.whatif import PAYING, Layout, Prepared, _stored, cost_households
    from adjudicator.rules.columnar import ColumnarEngine
    from adjudicator.rules.decision import adjudicate
    from adjudicator.rules.tariff import load_tariff
    from schemas.case import Case, History

    ctx = _officer(url)
    tariff = load_tariff(draft)
    claims = next(iter(_stored(ctx, tariff, 2026, sample)))
    columnar = []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        engine = ColumnarEngine(tariff)
        costing = cost_households(engine, tariff, Layout.of(claims),
                                  Prepared.of(engine, claims))
        columnar.append((time.perf_counter() - wall, time.process_time() - cpu))
    fast = [costing.costed(i) for i in range(len(claims))]
    wall, cpu = time.perf_counter(), time.process_time()
    sums: dict[tuple[str, str], list[Decimal]] = {}
    paid_all: dict[str, Decimal] = {}
    paid_member: dict[tuple[str, str], Decimal] = {}
    per_person = tariff.person_annual_cap_all is not None
    slow = []
    for claim in claims:
        case = Case.model_validate_json(claim.case_json)
        expense, paid = sums.get((claim.household_id, claim.category), (Decimal(0),) * 2)
        member = (claim.household_id, claim.member_id)
        case = case.model_copy(update={"history": History(
            eligible_expense_to_date=expense, paid_to_date=paid,
            paid_all_categories_to_date=paid_all.get(claim.household_id, Decimal(0)),
            paid_member_all_categories_to_date=(paid_member.get(member, Decimal(0))
                                                if per_person else None))})
        decision = adjudicate(case, tariff)
        slow.append(decision)
        row = sums.setdefault((claim.household_id, claim.category), [Decimal(0)] * 2)
        row[0] += decision.counted_expense
        if decision.outcome.value in PAYING:
            row[1] += decision.payout
            paid_all[claim.household_id] = paid_all.get(claim.household_id,
                                                         Decimal(0)) + decision.payout
            paid_member[member] = paid_member.get(member, Decimal(0)) + decision.payout
    scalar = (time.perf_counter() - wall, time.process_time() - cpu)
    same = all(not isinstance(f, str) and f.outcome == d.outcome.value
               and Decimal(f.payout) == (d.payout if d.outcome.value in PAYING else 0)
               and Decimal(f.counted_expense) == d.counted_expense
               for f, d in zip(fast, slow, strict=True))
    best = min(columnar)
    return {"claims": len(claims), "columnar_wall": best[0], "columnar_cpu": best[1],
            "scalar_wall": scalar[0], "scalar_cpu": scalar[1], "same_decisions": same}


def _child(work: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    # Not a multiprocessing.Pool: its daemonic process could not start the what-if's workers.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(work, *args).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--base", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--no-sweep", action="store_true", help="skip the sweep")
    parser.add_argument("--workers", type=int, help="processes (default: the what-if's own)")
    parser.add_argument("--keep", type=Path, help="keep the database here (re-used if there)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-whatif-") as tmp:
        folder = Path(tmp)
        path = args.keep or folder / "province.db"
        url = f"sqlite:///{path}"
        if not path.exists():
            base_seconds = build_base(url, args.base, folder)
            print(f"base county through the real batch: {base_seconds:.1f} s", flush=True)
            stored, copy_seconds = replicate(path, args.claims)
            print(f"copied to {stored:,} stored claims: {copy_seconds:.1f} s "
                  f"({path.stat().st_size / 2**30:.2f} GiB)", flush=True)
        draft = str(write_draft(folder))
        sample = _child(run_sample, url, draft, args.sample)
        print(f"sample: {sample}", flush=True)
        columnar = _child(run_whatif, url, draft, None, args.workers)
        print(f"what-if: {columnar}", flush=True)
        swept = None
        if not args.no_sweep:
            swept = _child(run_whatif, url, draft, "income_line=6000:9000:500", args.workers)
            print(f"sweep: {swept}", flush=True)
    n = sample["claims"]
    print()
    print("| run | claims | wall s | CPU s | claims/s (CPU) | peak MiB (main + worker) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(f"| sample, scalar core (obvious way) | {n:,} | {sample['scalar_wall']:.2f} | "
          f"{sample['scalar_cpu']:.2f} | {n / sample['scalar_cpu']:,.0f} | |")
    print(f"| sample, costing path (columnar) | {n:,} | {sample['columnar_wall']:.2f} | "
          f"{sample['columnar_cpu']:.2f} | {n / sample['columnar_cpu']:,.0f} | |")
    for label, run, times in (("what-if, every claim", columnar, 1),
                              ("sweep of 7 values, one read", swept, 7)):
        if run is None:
            continue
        print(f"| {label} | {run['claims']:,} x {times} | {run['seconds']:.1f} | "
              f"{run['cpu']:.1f} | {run['claims'] * times / run['cpu']:,.0f} | "
              f"{run['peak_mib']:,.0f} + {run['worker_peak_mib']:,.0f} |")
    print(f"\ncolumnar / scalar on the sample (CPU): "
          f"{sample['scalar_cpu'] / sample['columnar_cpu']:.1f}x; same decisions: "
          f"{sample['same_decisions']}")
    print(f"actual {columnar['actual']}, draft {columnar['costs']}, errors "
          f"{columnar['errors']}")
    if swept is not None:
        print(f"sweep: {swept['costs']}")


if __name__ == "__main__":
    main()
