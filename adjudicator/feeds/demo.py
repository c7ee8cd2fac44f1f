"""The demo's month of department feeds: the bureaus' files as they export them (the medical
settlements with the platform's field codes, in GBK with a title line, a total row, a refund
and two people who are not registered; a disaster list; a civil-affairs list; no education
list, which is not due in October), imported, screened against the warning lines, kept or
removed by the township, and reported. Kept households whose verification is recent reuse it;
the others get a verification task."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from adjudicator.feeds.columns import BUREAUS
from adjudicator.feeds.importer import import_feed
from adjudicator.feeds.report import feed_report, report_pdf, report_xlsx
from adjudicator.feeds.screen import screen_month
from adjudicator.feeds.triage import keep_household, push_entries, remove_household
from adjudicator.messages import Message, Tally
from adjudicator.storage.context import Context
from fixtures.generate import County, id_number
from schemas.vocabulary import Words

MONTH = "2026-10"
_LOCAL = ZoneInfo("Asia/Shanghai")
MEDICAL_CODES = ["setl_id", "mdtrt_id", "certno", "psn_name", "fixmedins_name", "med_type",
                 "setl_time", "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay",
                 "hifp_pay", "hifmi_pay", "maf_pay", "fund_pay_sumamt", "psn_pay",
                 "refd_setl_flag", "init_setl_id"]


def _write(path: Path, title: str, header: list[str], rows: list[list[str]],
           encoding: str, total: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([title])
        writer.writerow(header)
        writer.writerows(rows)
        if total:
            writer.writerow(total)
    return path


def write_feed_files(county: County, folder: Path, seed: int) -> dict[str, Path]:
    """The month's files of the medical, disaster and civil-affairs bureaus."""
    rnd = random.Random(seed * 7 + 19)
    households = list(county.households)
    # half of them verified lately for a claim of their own (they reuse that verification)
    recent = [h for h in households if any(
        dt.date(2026, 8, 10) <= v.verified_on <= dt.date(2026, 11, 1) for v in h.verifications)]
    count = max(4, len(households) // 8)
    sick = rnd.sample(recent, min(len(recent), count // 2))
    sick += rnd.sample([h for h in households if h not in sick], count - len(sick))
    rows: list[list[str]] = []
    total = Decimal(0)
    for h_index, household in enumerate(sick):
        patient = rnd.choice(household.members)
        for n in range(rnd.randint(1, 3)):
            cost = Decimal(rnd.randrange(4_000, 40_000))
            own = (cost * Decimal(rnd.choice(("0.05", "0.08", "0.1")))).quantize(Decimal(1))
            basic = (cost * Decimal("0.5")).quantize(Decimal(1))
            big = (cost * Decimal("0.08")).quantize(Decimal(1)) if cost > 20_000 else 0
            aid = Decimal(rnd.choice((0, 0, 500, 1500)))
            funds = basic + big + aid
            rows.append([f"33010226{h_index:04d}{n}", f"MD{h_index:04d}{n}", patient.id_number,
                         patient.name, rnd.choice(("县人民医院", "县中医院", "市第一医院")),
                         rnd.choice(("住院", "门诊慢特病")), f"2026-10-{rnd.randint(1, 28):02d}",
                         str(cost), str(own), "0", str(basic), str(big), str(aid), str(funds),
                         str(cost - funds), "0", ""])
            total += cost
    first = rows[0]
    refund = [f"{first[0]}R", first[1], *first[2:7], *(f"-{v}" if v != "0" else "0"
                                                      for v in first[7:15]), "1", first[0]]
    rows.append(refund)
    for n in range(2):  # two people the register does not know
        stranger = id_number("330102", dt.date(1975, 5, 1 + n), 900 + n)
        rows.append([f"3301029900{n}", f"MD99{n}", stranger,
                     "外县人", "县人民医院", "住院", "2026-10-12", "60000", "0", "0", "30000",
                     "0", "0", "30000", "30000", "0", ""])
    files = {"medical": _write(folder / "医保结算_2026年10月.csv", "示范县2026年10月医保结算数据",
                               MEDICAL_CODES, rows, "gbk",
                               ["合计", "", "", "", "", "", "", str(total)])}
    hit = rnd.sample(households, 3)
    files["disaster"] = _write(
        folder / "应急灾情_2026年10月.csv", "示范县2026年10月因灾损失报告",
        ["报告编号", "户主身份证号", "户主姓名", "灾害类型", "发生日期", "损失评估金额",
         "救灾款", "保险赔付"],
        [[f"YJ2026100{i}", h.members[0].id_number, h.members[0].name, "洪涝",
          "2026-10-08", str(rnd.randrange(12_000, 40_000)), "2000", "1000"]
         for i, h in enumerate(hit)], "utf-8-sig")
    helped = rnd.sample(households, 4)
    files["civil-affairs"] = _write(
        folder / "民政救助_2026年10月.csv", "示范县2026年10月民政救助名单",
        ["身份证号", "姓名", "救助类型", "金额", "日期"],
        [[h.members[0].id_number, h.members[0].name, rnd.choice(("低保", "临时救助")),
          str(rnd.choice((600, 1200, 2000))), "2026-10-15"] for h in helped], "gbk")
    return files


def run_feed_month(supervisor: Context, officer: Context, county: County, folder: Path,
                   seed: int, step: Callable[[Message], None]) -> None:
    """Import the month's files, screen them, keep every pushed household but one (removed
    with a reason), and write the monthly report (PDF and XLSX)."""
    files = write_feed_files(county, folder / "feeds", seed)
    for bureau, path in files.items():
        r = import_feed(supervisor, bureau, path, MONTH)
        step(Message("demo.feed_import", bureau=Words(BUREAUS[bureau].label, bureau),
                     rows=r.rows_total, matched=r.matched, unmatched=r.unmatched,
                     reversed=r.reversed, rejected=r.rejected))
    screened = screen_month(supervisor, MONTH)
    counts = screened.counts()
    step(Message("demo.feed_screen", month=MONTH, pushed=counts.get("pushed", 0),
                 screened_out=counts.get("screened_out", 0)))
    kept = removed = reused = tasks = 0
    for n, entry in enumerate(push_entries(officer, MONTH, statuses=("pushed",))):
        if n == 0:
            remove_household(officer, MONTH, entry["household_id"],
                             "已纳入特困供养，不属于防贫对象", entry["category"])
            removed += 1
            continue
        result = keep_household(officer, MONTH, entry["household_id"], "村级初筛属实",
                                entry["category"])
        kept += 1
        reused += result.reused_verification is not None
        tasks += result.verifier_id is not None
    step(Message("demo.triage", kept=kept, reused=reused, tasks=tasks, removed=removed))
    report = feed_report(supervisor, MONTH)
    out = folder / "documents" / "feeds"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"feed-report-{MONTH}.xlsx").write_bytes(report_xlsx(report))
    generated = supervisor.clock().astimezone(_LOCAL).strftime("%Y-%m-%d %H:%M")
    (out / f"feed-report-{MONTH}.pdf").write_bytes(report_pdf(report, generated))
    step(Message("demo.feed_report", month=MONTH, path=f"documents/feeds/feed-report-{MONTH}",
                 missing=Tally((Words(BUREAUS[b].label, b), None) for b in report.missing)))

