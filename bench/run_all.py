"""The benchmark suite: every throughput figure of the system, beside the obvious way.

Run by hand (it prints a table; nothing here is a test):

    python bench/run_all.py                       # SQLite, 20,000 claims
    python bench/run_all.py --claims 1000000 --pg postgresql://postgres@127.0.0.1:5432/test
    python bench/run_all.py --skip-evaluate --both-cores --pg postgresql://...   # + 2 cores

Rows: `evaluate` cases/s (1 and 2 processes); import rows/s (households, claims,
verifications, department data); the end-to-end batch (import a generated county's files,
adjudicate every claim, store decisions and events) in claims/s with the peak memory of the
process, on SQLite and, with --pg, on PostgreSQL; each beside the same work done the obvious
way (one ORM object and one commit per claim), and beside the database's floor (the same rows
stored again with no work per row: `bench/bench_floor.py`); village notices/s, beside one
process rendering them with the full font (a whole county's `notice create`:
`bench/bench_notices.py --county N`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from adjudicator.evaluate import evaluate_stream
from adjudicator.rules.tariff import load_tariff
from bench.bench_import import HOUSEHOLDS_PER_CLAIM, TODAY, _peak_mib, pg_schema
from bench.bench_import import _context as _import_context
from tariffs import demo_tariff_path

Row = tuple[str, str, str]


def _timed(work: Callable[[], int]) -> tuple[int, float]:
    started = time.perf_counter()
    done = work()
    return done, time.perf_counter() - started


def bench_evaluate(n: int, tmp: Path) -> list[Row]:
    from fixtures.generate import write_cases

    cases = tmp / "cases.jsonl"
    write_cases(1, n, cases)
    tariff = load_tariff(demo_tariff_path())
    rows = []
    for workers in (1, 2):
        rate = {}
        for engine in ("columnar", "scalar"):
            def run(workers: int = workers, engine: Any = engine) -> int:
                with cases.open("rb") as source, (tmp / "out.jsonl").open("wb") as sink:
                    return evaluate_stream(source, str(cases), tariff, sink, workers=workers,
                                           engine=engine).cases

            done, seconds = _timed(run)
            rate[engine] = done / seconds
        rows.append((f"evaluate, {workers} process{'es' if workers > 1 else ''} ({n:,} cases)",
                     f"{rate['columnar']:,.0f} cases/s",
                     f"{rate['scalar']:,.0f} cases/s (scalar core, one case at a time)"))
    return rows


def render_notices(count: int, workers: int, full_font: bool) -> float:
    """Village notices rendered per second, pool start-up and font loading included: on
    `workers` processes with the working CJK font cut to the characters in use (what
    `notice create` does), or, the obvious way, one after another in one process with the full
    font embedded. Run it in a process of its own (`_in_child`): the font choice is made once
    a process."""
    import os

    from adjudicator.documents.batch import make_executor, render_many
    from adjudicator.documents.render import WORKING_COPY_ENV_VAR, render_notice
    from bench.bench_notices import make_notices

    if full_font:
        os.environ[WORKING_COPY_ENV_VAR] = "0"
    notices = make_notices(count, 1, 10, 2026)  # village-sized: 1-10 rows
    started = time.perf_counter()
    if workers == 1:
        pdfs = [render_notice(notice) for notice in notices]
    else:
        with make_executor(workers, cover=notices) as pool:
            pdfs = render_many(render_notice, notices, executor=pool)
    seconds = time.perf_counter() - started
    assert len(pdfs) == count and all(pdf.startswith(b"%PDF") for pdf in pdfs)
    return count / seconds


def bench_notices(count: int) -> list[Row]:
    import os

    cores = len(os.sched_getaffinity(0))
    fast = _in_child(render_notices, count, cores, False)
    obvious = _in_child(render_notices, count, 1, True)
    return [(f"notices ({count} village notices of 1-10 rows, {cores} processes, start-up "
             "included)", f"{fast:,.1f} notices/s",
             f"obvious way (one process, the full CJK font embedded) {obvious:,.1f} notices/s; "
             "a whole county's `notice create`: bench/bench_notices.py --county N")]


def _context(url: str) -> Any:
    """A supervisor's context on a database holding the demo tariff."""
    from adjudicator.services.tariffs import load_tariff_file

    supervisor = _import_context(url)
    load_tariff_file(supervisor.as_user("admin"), demo_tariff_path())
    return supervisor


def write_county_files(claims: int, folder: Path) -> dict[str, Path]:
    """The import files of a generated county of about `claims` claims (CSV)."""
    from fixtures.generate import generate_county, write_import_files

    county = generate_county(7, max(10, int(claims * HOUSEHOLDS_PER_CLAIM)), today=TODAY)
    return write_import_files(county, folder, fmt="csv")


def import_and_adjudicate(label: str, url: str, files: dict[str, Path]) -> list[Row]:
    """Import the four files and adjudicate every claim; the rows of the table, with the peak
    memory of this process (run it in a process of its own: `_in_child`)."""
    from adjudicator.intake import (
        import_claims,
        import_department_data,
        import_households,
        import_verifications,
    )
    from adjudicator.services.adjudication import adjudicate_ready

    ctx = _context(url)
    rows: list[Row] = []
    started = time.perf_counter()
    for kind, importer in (("households", import_households), ("claims", import_claims),
                           ("department-data", import_department_data),
                           ("verifications", import_verifications)):
        result, seconds = _timed(lambda importer=importer, kind=kind: importer(ctx, files[kind]))
        rows.append((f"import {kind} ({label})", f"{result.rows_total / seconds:,.0f} rows/s",
                     f"{result.rows_total:,} rows, {result.rejected} rejected"))
    batch, seconds = _timed(lambda: adjudicate_ready(ctx).decided)
    total = time.perf_counter() - started
    rows.append((f"adjudicate ({label})", f"{batch / seconds:,.0f} claims/s",
                 f"{batch:,} decisions with case, trace and events"))
    rows.append((f"end to end: import + adjudicate ({label})", f"{batch / total:,.0f} claims/s",
                 f"peak RSS {_peak_mib():,.0f} MiB (the importing process)"))
    ctx.engine.dispose()
    return rows


def _import_files(url: str, kinds: tuple[str, ...], files: dict[str, Path]
                  ) -> tuple[list[Row], float]:
    """Import `kinds` in order as the benchmark's supervisor (in a process of its own); the
    rows of the table and the process's peak memory."""
    from adjudicator.intake import import_file
    from adjudicator.storage.context import open_context

    ctx = open_context(url, "sup")
    rows: list[Row] = []
    for kind in kinds:
        result, seconds = _timed(lambda kind=kind: import_file(ctx, kind, files[kind]))
        rows.append((f"  import {kind}", f"{result.rows_total / seconds:,.0f} rows/s",
                     f"{result.rows_total:,} rows, {result.rejected} rejected"))
    ctx.engine.dispose()
    return rows, _peak_mib()


def both_cores(label: str, url: str, files: dict[str, Path]) -> list[Row]:
    """The same batch as a supervisor with two cores would run it: on PostgreSQL, households
    first, then claims and verifications in one process while another imports the department
    data; on SQLite, whose writers take turns (two imports side by side only wait for each
    other), the four imports one after another; then `adjudicate --workers 2` (on SQLite,
    each worker decides its share of the households outside the write lock)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from adjudicator.services.adjudication import adjudicate_in_workers

    ctx = _context(url)
    rows: list[Row] = []
    spawn = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    side_by_side = (("claims", "verifications"), ("department-data",))
    if label == "SQLite":
        side_by_side = (("claims", "department-data", "verifications"),)
    # a process per task: each task's peak memory is its own
    with ProcessPoolExecutor(2, mp_context=spawn, max_tasks_per_child=1) as pool:
        first, peak = pool.submit(_import_files, url, ("households",), files).result()
        parts = [pool.submit(_import_files, url, kinds, files) for kinds in side_by_side]
        peaks = [peak]
        for part in parts:
            part_rows, part_peak = part.result()
            rows += part_rows
            peaks.append(part_peak)
    rows = first + rows
    imported = time.perf_counter()
    batch, seconds = _timed(lambda: adjudicate_in_workers(ctx, url, 2).decided)
    total = time.perf_counter() - started
    rows.append(("  adjudicate, 2 processes",
                 f"{batch / seconds:,.0f} claims/s", f"after {imported - started:,.1f} s of "
                 "imports"))
    peaks.append(_peak_mib())  # this process is the first worker (the other is its child)
    rows.insert(0, (f"end to end on both cores ({label})", f"{batch / total:,.0f} claims/s",
                    f"peak RSS of the largest process {max(peaks):,.0f} MiB"))
    ctx.engine.dispose()
    return rows


def _in_child(function: Callable[..., Any], *args: Any) -> Any:
    """Run `function(*args)` in a fresh process, so that its peak memory is its own (the
    generator's county, held whole in memory, stays out of the batch's figure)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def bench_batch(label: str, url: str, files: dict[str, Path], tmp: Path,
                naive_claims: int, both: str | None = None) -> list[Row]:
    """Import a generated county's files and adjudicate them; then the obvious way; with
    `both` (the database's base URL), the same batch again on both cores (`both_cores`)."""
    from bench.bench_floor import floor_rows

    rows: list[Row] = _in_child(import_and_adjudicate, label, url, files)
    if label == "PostgreSQL":
        target, drop = pg_schema(both or url.split("?")[0])
    else:
        target, drop = f"sqlite:///{tmp / 'floor.db'}", (lambda: None)
    try:
        rows += _in_child(floor_rows, label, url, target, 2 if label == "PostgreSQL" else 1)
    finally:
        drop()
    rows.append(_naive(label, url, tmp, naive_claims))
    if both:
        if label == "PostgreSQL":
            url, drop = pg_schema(both)
        else:
            url, drop = f"sqlite:///{tmp / 'both.db'}", (lambda: None)
        try:
            rows += both_cores(label, url, files)
        finally:
            drop()
    return rows


def _naive(label: str, url: str, tmp: Path, claims: int) -> Row:
    """The obvious way: per claim, its own session, ORM objects and one commit (no chunks,
    no bulk loads). Same engine and the same stored record, so the ratio is visible."""
    import orjson

    from adjudicator.intake import (
        import_claims,
        import_department_data,
        import_households,
        import_verifications,
    )
    from adjudicator.rules.decision import adjudicate
    from adjudicator.rules.history import history_for
    from adjudicator.services.adjudication import HouseholdData, build_case
    from adjudicator.services.tariffs import TariffBook
    from adjudicator.storage.db import transaction
    from adjudicator.storage.events import PendingEvent, append_events
    from adjudicator.storage.models import Claim, DecisionRecord, Finding, Household, Member
    from adjudicator.storage.models import Verification as VerificationRow
    from fixtures.generate import generate_county, write_import_files

    if label == "PostgreSQL":
        url, drop = pg_schema(url)
    else:
        url, drop = f"sqlite:///{tmp / 'naive.db'}", (lambda: None)
    ctx = _context(url)
    county = generate_county(8, max(10, int(claims * HOUSEHOLDS_PER_CLAIM)), today=TODAY)
    files = write_import_files(county, tmp / f"naive-{label}", fmt="csv")
    for importer, kind in ((import_households, "households"), (import_claims, "claims"),
                           (import_department_data, "department-data"),
                           (import_verifications, "verifications")):
        importer(ctx, files[kind])
    with ctx.factory() as session:
        book = TariffBook.load(session)
        ids = list(session.execute(select(Claim.claim_id).where(Claim.status == "verified")
                                   .order_by(Claim.household_id, Claim.event_date,
                                             Claim.claim_id)).scalars())
    started = time.perf_counter()
    for claim_id in ids:
        with transaction(ctx.factory) as session:
            claim = session.get(Claim, claim_id)
            household = session.get(Household, claim.household_id)
            members = list(session.execute(select(Member).where(
                Member.household_id == household.household_id)).scalars())
            others = list(session.execute(select(Claim).where(
                Claim.household_id == household.household_id)).scalars())
            findings = list(session.execute(select(Finding).where(
                Finding.household_id == household.household_id)).scalars())
            payload = session.execute(select(VerificationRow.payload).where(
                VerificationRow.claim_id == claim_id).order_by(VerificationRow.pk.desc())
                .limit(1)).scalar()
            pk, tariff = book.choose(household.region_code, claim.event_date)
            case = build_case(f"{claim_id}#1", HouseholdData(household, members, others,
                                                             findings),
                              claim, payload, history_for(claim, tariff, others))
            decision = adjudicate(case, tariff)
            session.add(DecisionRecord(
                claim_id=claim_id, household_id=claim.household_id, seq=1,
                outcome=decision.outcome.value, reasons=list(decision.reasons),
                payout=decision.payout, eligible_expense=decision.eligible_expense,
                counted_expense=decision.counted_expense, case_json=case.model_dump_json(),
                decision_json=decision.to_json(), tariff_pk=pk, tariff_id=tariff.id,
                tariff_sha256=tariff.sha256, engine_version=decision.engine_version,
                purpose="claim", decided_by="sup", decided_at=ctx.now()))
            claim.status = decision.outcome.value
            append_events(session, "sup", ctx.now(), [PendingEvent(
                "decision.made", "claim", claim_id,
                orjson.loads(orjson.dumps({"outcome": decision.outcome.value})))])
    seconds = time.perf_counter() - started
    ctx.engine.dispose()
    drop()
    return (f"  obvious way: adjudicate, one commit per claim ({label})",
            f"{len(ids) / seconds:,.0f} claims/s", f"{len(ids):,} claims")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--cases", type=int, default=50_000, help="for evaluate")
    parser.add_argument("--naive-claims", type=int, default=2_000)
    parser.add_argument("--pg", default=None, help="PostgreSQL URL (a schema is made in it)")
    parser.add_argument("--notices", type=int, default=60, help="village notices to render")
    parser.add_argument("--skip-evaluate", action="store_true")
    parser.add_argument("--both-cores", action="store_true", help="the batch again on both "
                        "cores: imports side by side (PostgreSQL), adjudicate --workers 2")
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if not args.skip_evaluate:
            rows += bench_evaluate(args.cases, tmp)
        files = _in_child(write_county_files, args.claims, tmp / "county")
        rows += bench_batch("SQLite", f"sqlite:///{tmp / 'bench.db'}", files, tmp,
                            args.naive_claims, "sqlite" if args.both_cores else None)
        if args.pg:
            url, drop = pg_schema(args.pg)
            try:
                rows += bench_batch("PostgreSQL", url, files, tmp, args.naive_claims,
                                    args.pg if args.both_cores else None)
            finally:
                drop()
        if args.notices:
            rows += bench_notices(args.notices)
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'rate':>16}  notes")
    for what, rate, notes in rows:
        print(f"{what:<{width}}  {rate:>16}  {notes}")


if __name__ == "__main__":
    main()
