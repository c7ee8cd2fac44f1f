"""Benchmark: render a county's batch of village notices (公示) to PDF. Run by hand:

    python bench/bench_notices.py                 # 200 notices of 5-60 rows, all cores
    python bench/bench_notices.py -n 50 --workers 1
    python bench/bench_notices.py --full-font     # embed the full CJK font (the slow way)

Prints notices/second (end to end, including starting the worker pool, and once the pool
is running), the CPU time per notice and the throughput it allows on idle cores (the machine
is shared: the load average is printed too), total pages, mean PDF size and peak RSS of this
process and of each worker.
Names, ID numbers and villages are synthetic (faker zh_CN when installed); nothing is
written unless --out is given. This is not a test.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

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
    args = parser.parse_args(argv)
    if args.full_font:
        os.environ["ADJUDICATOR_CJK_WORKING_COPY"] = "0"

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
