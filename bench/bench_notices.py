"""Benchmark: a county's batch of village notices (公示). Run by hand:

    python bench/bench_notices.py --county 2500   # `notice create` for a whole county, end to end
    python bench/bench_notices.py --county 2500 --cli --repeat 3
    python bench/bench_notices.py --county 2500 --pg postgresql://postgres@127.0.0.1:5432/test
    python bench/bench_notices.py                 # rendering only: 200 notices of 5-60 rows
    python bench/bench_notices.py -n 120 --min-rows 1 --max-rows 10   # village-sized notices
    python bench/bench_notices.py -n 50 --workers 1
    python bench/bench_notices.py --full-font     # embed the full CJK font (the slow way)

``--county N`` generates a county of N households (fixtures.generate.generate_county, the
demo's seed), imports it into a fresh SQLite database (or a fresh schema of the PostgreSQL
server given with ``--pg``), verifies, adjudicates and approves as the demo does, and then
times ``create_notices`` -- what ``adjudicator notice create`` runs: reading the approved
claims, rendering one PDF per village on every core (pool start-up included), writing the
PDFs and recording them with their SHA-256 in one transaction -- on a fresh copy of that
database, ``--repeat`` times. It prints notices/second and where the time went; ``--cli``
also times the command itself in a new process (interpreter and CLI start-up included).

Without ``--county``, it renders synthetic notices only and prints notices/second (end to
end, including starting the worker pool, and once the pool is running), the CPU time per
notice and the throughput it allows on idle cores, total pages, mean PDF size and peak RSS
of this process and of each worker.

The machine is shared: the load average is printed with every figure. Names, ID numbers and
villages are synthetic (faker zh_CN when installed); nothing is kept unless --out is given.
This is not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adjudicator.documents.models import NoticeRow, VillageNotice

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏宇浩"
# Characters outside GB 2312 that are common in given names: real notices contain some.
_RARE = "玥堃喆赟珺琍昇彧瑄"
_HOUSEHOLD = ("unstable", "edge", "sudden_hardship", "low_income", "general")
_CLAIM = ("medical", "medical", "medical", "accident", "disaster", "education")


def _id_number(rnd: random.Random, region: str) -> str:
    """A resident ID number with a valid GB 11643 check character."""
    birth = date(1940, 1, 1) + timedelta(days=rnd.randrange(0, 70 * 365))
    body = f"{region}{birth:%Y%m%d}{rnd.randrange(0, 1000):03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, _WEIGHTS, strict=True))
    return body + _CHECK[total % 11]


class _Names:
    """zh_CN names and places from faker when installed, else from small built-in lists."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        try:
            from faker import Faker
        except ImportError:
            self.faker = None
        else:
            Faker.seed(seed)
            self.faker = Faker("zh_CN")

    def person(self) -> str:
        if self.faker is not None:
            name = str(self.faker.name())
        else:
            given = "".join(self.rnd.choice(_GIVEN) for _ in range(self.rnd.choice((1, 2))))
            name = self.rnd.choice(_SURNAMES) + given
        if self.rnd.random() < 0.03:  # about one name in thirty ends in a rarer character
            name = name[:-1] + self.rnd.choice(_RARE)
        return name

    def village(self) -> str:
        if self.faker is not None:
            return str(self.faker.street_name()).removesuffix("路").removesuffix("街") + "村"
        return self.rnd.choice(_SURNAMES) + self.rnd.choice("家庄屯沟营寨") + "村"


def make_notices(count: int, min_rows: int, max_rows: int, seed: int) -> list[VillageNotice]:
    """``count`` realistic village notices of ``min_rows``-``max_rows`` rows each."""
    names = _Names(seed)
    rnd = names.rnd
    notices = []
    start = date(2026, 3, 10)
    for number in range(1, count + 1):
        village = names.village()
        region = f"{rnd.randrange(110000, 660000):06d}"
        rows = []
        for row in range(rnd.randint(min_rows, max_rows)):
            household = f"H-{number:04d}-{row // rnd.choice((1, 1, 2)):03d}"
            rows.append(
                NoticeRow(
                    household_id=household,
                    name=names.person(),
                    id_number=_id_number(rnd, region),
                    village=village,
                    household_category=rnd.choice(_HOUSEHOLD),
                    claim_category=rnd.choice(_CLAIM),
                    payout=Decimal(rnd.randrange(50_00, 100_000_00)) / 100,
                )
            )
        notices.append(
            VillageNotice(
                issuing_office=f"{village}村民委员会",
                title=f"{village}防贫保障救助对象公示",
                village=village,
                township="城关镇",
                notice_no=f"城关防贫公〔2026〕{number}号",
                notice_start=start,
                notice_end=start + timedelta(days=6),
                issue_date=start,
                rows=tuple(rows),
                objection_phone="0310-1234567",
                objection_address="城关镇人民政府乡村振兴办公室（二楼201室）",
            )
        )
    return notices


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=200, help="notices (default 200)")
    parser.add_argument("--min-rows", type=int, default=5)
    parser.add_argument("--max-rows", type=int, default=60)
    parser.add_argument("--workers", type=int, default=None, help="default: all CPUs")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--full-font", action="store_true", help="embed the full CJK font")
    parser.add_argument("--out", type=Path, default=None, help="write the PDFs here")
    parser.add_argument("--county", type=int, default=None, metavar="HOUSEHOLDS",
                        help="time `notice create` for a generated county of this size")
    parser.add_argument("--repeat", type=int, default=3, help="county runs (default 3)")
    parser.add_argument("--pg", default=None, metavar="URL",
                        help="county on this PostgreSQL server (a fresh schema), not SQLite")
    parser.add_argument("--cli", action="store_true",
                        help="also time `adjudicator notice create` in a new process")
    parser.add_argument("--time-create-in-this-process", nargs=2, metavar=("URL", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.time_create_in_this_process:
        import json

        url, out = args.time_create_in_this_process
        notices, seconds, phases, claims = _time_create_here(url, Path(out))
        print(json.dumps({"notices": notices, "seconds": seconds, "phases": phases,
                          "claims": claims}))
        return
    if args.full_font:
        os.environ["ADJUDICATOR_CJK_WORKING_COPY"] = "0"
    if args.county:
        county_main(args)
        return

    from pypdf import PdfReader

    from adjudicator.documents.batch import make_executor, render_many
    from adjudicator.documents.fonts import find_cjk_font

    notices = make_notices(args.count, args.min_rows, args.max_rows, args.seed)
    rows = [len(n.rows) for n in notices]
    workers = args.workers or len(os.sched_getaffinity(0))
    print(f"font: {find_cjk_font().family}  working copy: {not args.full_font}")
    print(
        f"{len(notices)} notices, rows per notice {min(rows)}-{max(rows)} "
        f"(mean {statistics.mean(rows):.1f}), {workers} worker(s), {os.cpu_count()} CPUs"
    )

    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    if workers == 1:
        from adjudicator.documents.render import warm_up

        warm_up()
        ready = time.perf_counter()
        results = render_many(_timed_render, notices, workers=1)
    else:
        with make_executor(workers, cover=notices) as pool:
            list(pool.map(_noop, range(workers)))  # wait until the workers are warm
            ready = time.perf_counter()
            results = render_many(_timed_render, notices, executor=pool)
    done = time.perf_counter()
    load_after = os.getloadavg()[0]

    pdfs = [pdf for pdf, _, _, _ in results]
    cpu = sum(seconds for _, seconds, _, _ in results)
    worker_rss: dict[int, int] = {}
    for _, _, rss, pid in results:
        worker_rss[pid] = max(rss, worker_rss.get(pid, 0))
    pages = [len(PdfReader(io.BytesIO(pdf)).pages) for pdf in pdfs]
    sizes = [len(pdf) for pdf in pdfs]
    total = done - began
    steady = done - ready
    per_notice = cpu / len(pdfs)
    print(f"end to end:   {len(pdfs) / total:6.2f} notices/s ({total:.2f} s, with pool start)")
    print(f"steady state: {len(pdfs) / steady:6.2f} notices/s ({steady:.2f} s)")
    print(
        f"CPU per notice: {per_notice * 1000:.0f} ms -> {workers / per_notice:.1f} notices/s "
        f"on {workers} idle core(s)"
    )
    print(f"load average: {load_before:.2f} before, {load_after:.2f} after (other processes)")
    print(f"pages: {sum(pages)} in total, {min(pages)}-{max(pages)} per notice")
    print(f"mean PDF size: {statistics.mean(sizes) / 1024:.1f} KiB")
    print(
        f"peak RSS: this process {_peak_rss_mib():.0f} MiB, "
        f"workers {', '.join(f'{rss / 1024:.0f}' for rss in worker_rss.values())} MiB"
    )
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for number, pdf in enumerate(pdfs, start=1):
            (args.out / f"notice-{number:04d}.pdf").write_bytes(pdf)
        print(f"written to {args.out}")


# --------------------------------------------------------------------------- county


def _load() -> str:
    return "load average " + "/".join(f"{value:.2f}" for value in os.getloadavg())


def prepare_county(url: str, households: int, folder: Path, seed: int = 2026) -> int:
    """A database at ``url`` holding a generated county whose claims are approved and not
    yet posted, as the demo leaves it just before `notice create`; returns the claims."""
    from adjudicator.demo import stage_county

    staged = stage_county(url, folder, households=households, seed=seed)
    factory, engine = staged.admin.factory, staged.admin.engine
    with factory() as session:
        from sqlalchemy import func, select

        from adjudicator.storage.models import Claim

        approved = session.execute(select(func.count()).select_from(Claim).where(
            Claim.status == "approved")).scalar_one()
    engine.dispose()
    return int(approved)


@contextmanager
def _pg_schema(base: str) -> Iterator[str]:
    """A URL of a fresh schema on the PostgreSQL server ``base``, dropped afterwards."""
    from urllib.parse import quote

    from sqlalchemy import create_engine, text

    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"bench_notices_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}{'&' if '?' in base else '?'}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class _Phases:
    """Wall time of the phases of create_notices: reading, rendering, the rest (writing)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - began

        return timed


def time_create(url: str, out: Path) -> tuple[int, float, dict[str, float], int]:
    """create_notices on the database at ``url``, in a new process as a command would run
    it (its own forkserver and workers): (notices, seconds, phases, claims)."""
    import json

    command = [sys.executable, __file__, "--time-create-in-this-process", url, str(out)]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    found = json.loads(completed.stdout.strip().splitlines()[-1])
    return found["notices"], found["seconds"], found["phases"], found["claims"]


def _time_create_here(url: str, out: Path) -> tuple[int, float, dict[str, float], int]:
    """create_notices on the database at ``url``, in this process."""
    import adjudicator.documents as documents
    import adjudicator.services.notices as notices_service
    from adjudicator.demo import SimulatedClock
    from adjudicator.storage.context import Context, connect

    clock = SimulatedClock(dt.datetime(2026, 11, 5, 9, 0, tzinfo=dt.UTC))
    phases = _Phases()
    plan, render = notices_service._plan, documents.render_notices
    notices_service._plan = phases.wrap("read", plan)  # type: ignore[assignment]
    documents.render_notices = phases.wrap("render", render)  # type: ignore[assignment]
    try:
        began = time.perf_counter()
        engine, factory = connect(url, create=True)
        officer = Context(engine, factory, "admin", "admin", clock).as_user("zhao")
        phases.seconds["connect"] = time.perf_counter() - began
        created = notices_service.create_notices(officer, out)
        seconds = time.perf_counter() - began
    finally:
        notices_service._plan = plan  # type: ignore[assignment]
        documents.render_notices = render  # type: ignore[assignment]
    engine.dispose()
    phases.seconds["write"] = seconds - sum(phases.seconds.values())
    return len(created), seconds, phases.seconds, sum(n.claims for n in created)


def time_cli(url: str, out: Path) -> tuple[int, float]:
    """`adjudicator notice create` in a new process: (notices, wall seconds)."""
    import json

    command = [sys.executable, "-m", "cli", "notice", "create", "--db", url, "--as", "zhao",
               "--out", str(out), "--json"]
    root = Path(__file__).resolve().parents[1]
    began = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, check=True, cwd=root)
    return len(json.loads(completed.stdout)), time.perf_counter() - began


def county_main(args: argparse.Namespace) -> None:
    households = args.county
    print(f"`notice create` for a generated county of {households} households "
          f"({'PostgreSQL' if args.pg else 'SQLite'}), {len(os.sched_getaffinity(0))} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench-notices-") as tmp:
        folder = Path(tmp)
        source = folder / "county.db"
        runs: list[tuple[str, int, float, dict[str, float], int]] = []
        for run in range(1, args.repeat + 1):
            out = args.out / f"run-{run}" if args.out else folder / f"out-{run}"
            if args.pg:
                with _pg_schema(args.pg) as url:
                    began = time.perf_counter()
                    approved = prepare_county(url, households, folder / f"prep-{run}")
                    prepared = time.perf_counter() - began
                    load = _load()
                    notices, seconds, phases, claims = time_create(url, out)
            else:
                if not source.exists():
                    began = time.perf_counter()
                    approved = prepare_county(f"sqlite:///{source}", households, folder)
                    prepared = time.perf_counter() - began
                copy = folder / f"run-{run}.db"
                shutil.copyfile(source, copy)
                load = _load()
                notices, seconds, phases, claims = time_create(f"sqlite:///{copy}", out)
            if run == 1 or args.pg:
                print(f"  prepared in {prepared:.1f} s: {approved} approved claims")
            detail = ", ".join(f"{name} {value:.2f} s" for name, value in phases.items())
            print(f"  run {run}: {notices} notices ({claims} claims) in {seconds:.2f} s = "
                  f"{notices / seconds:.1f} notices/s  [{detail}]  ({load} before)")
            runs.append(("service", notices, seconds, phases, claims))
        rates = [n / s for _, n, s, _, _ in runs]
        print(f"create_notices: {statistics.median(rates):.1f} notices/s median of "
              f"{len(rates)} (min {min(rates):.1f}, max {max(rates):.1f}); {_load()} after")
        if args.cli:
            if args.pg:
                print("--cli: SQLite only")
                return
            cli_rates = []
            for run in range(1, args.repeat + 1):
                copy = folder / f"cli-{run}.db"
                shutil.copyfile(source, copy)
                load = _load()
                notices, seconds = time_cli(f"sqlite:///{copy}", folder / f"cli-out-{run}")
                cli_rates.append(notices / seconds)
                print(f"  cli run {run}: {notices} notices in {seconds:.2f} s = "
                      f"{notices / seconds:.1f} notices/s ({load} before)")
            print(f"adjudicator notice create: {statistics.median(cli_rates):.1f} notices/s "
                  f"median, new process and CLI start-up included; {_load()} after")


def _timed_render(notice: VillageNotice) -> tuple[bytes, float, int, int]:
    """render_notice, with the CPU time it took, the worker's peak RSS (KiB) and pid."""
    from adjudicator.documents.render import render_notice

    began = time.process_time()
    pdf = render_notice(notice)
    seconds = time.process_time() - began
    return pdf, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, os.getpid()


def _noop(_: int) -> None:
    """A task that proves a worker is up (its initializer has run); long enough that each
    worker gets one."""
    time.sleep(0.3)


if __name__ == "__main__":
    main()
