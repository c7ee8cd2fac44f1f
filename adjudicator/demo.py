"""`adjudicator demo`: a realistic synthetic county through the whole workflow, on SQLite.

Generates a county (faker zh_CN households with valid ID numbers), writes the department and
verification files a county would send, imports them, assigns and records verifications,
adjudicates, reviews pended claims, posts notices, records an objection, closes the notice
period on a simulated clock, pays (the bank's register) and reconciles a bank return with one
failed transfer, writes denial letters, decision records, the summary report and a sampling
audit with a few re-checks, replays every decision and verifies the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from adjudicator.demo_office import audit_rechecks, audit_summary, bank_round_trip
from adjudicator.demo_shapes import stage_real_programs
from adjudicator.demo_trust import checkpoint_step
from adjudicator.messages import Message, Tally
from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.documents import decision_records, denial_letters, summary_report
from adjudicator.services.notices import close_due_notices, create_notices, record_objection
from adjudicator.services.payments import pay_closed
from adjudicator.services.replay import replay
from adjudicator.services.review import list_pended, resolve
from adjudicator.services.tariffs import load_tariff_file
from adjudicator.services.users import add_user, bootstrap_admin
from adjudicator.storage.context import Context, connect
from adjudicator.storage.events import verify_chain
from schemas.vocabulary import IMPORT_KINDS, OUTCOMES
from tariffs import shipped_tariff_paths

if TYPE_CHECKING:
    from fixtures.generate import County

#: Pend reasons a county officer resolves at once in the demo (an incomplete verification
#: is never approved: it waits for a complete one).
_APPROVABLE = {"PEND_HARDSHIP_EXCEPTION", "PEND_LARGE_PAYOUT", "PEND_BORDERLINE_INCOME"}


class SimulatedClock:
    """The demo's clock: it starts on a working Monday and is moved on by the script."""

    def __init__(self, start: dt.datetime) -> None:
        self.moment = start

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += dt.timedelta(**delta)


@dataclass
class DemoSummary:
    database: str
    out_dir: Path
    steps: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    figures: dict[str, object] = field(default_factory=dict)


def _fresh_database(path: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


@dataclass
class StagedCounty:
    """A generated county in the database, as `stage_county` leaves it."""

    admin: Context
    clock: SimulatedClock
    county: County
    files: dict[str, Path]


def stage_county(url: str, folder: Path, *, households: int, seed: int,
                 step: Callable[[Message], None] = lambda text: None,
                 feed_month: bool = False) -> StagedCounty:
    """Generate a county into the database at `url`, up to its first notices: users, the
    department files imported, verification assigned and recorded three days later, the
    claims adjudicated, the pends a county officer may approve approved, and the claims they
    held back adjudicated. `step` hears what each stage did."""
    from adjudicator.intake import (
        import_claims,
        import_department_data,
        import_households,
        import_verifications,
    )
    from adjudicator.services.verification import assign_claims
    from fixtures.generate import generate_county, write_import_files

    clock = SimulatedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC))
    engine, factory = connect(url, create=True)
    system = Context(engine, factory, "admin", "admin", clock)
    bootstrap_admin(system, "admin", "系统管理员")
    admin = system.as_user("admin")
    for path in shipped_tariff_paths():
        load_tariff_file(admin, path)

    county = generate_county(seed, households, today=clock().date())  # dates follow the clock
    add_user(admin, "li", "supervisor", "李主管")
    add_user(admin, "zhao", "officer", "赵科长")
    add_user(admin, "qian", "officer", "钱干部")
    add_user(admin, "sun", "auditor", "孙审计")
    for number, township in enumerate(county.townships, start=1):
        add_user(admin, f"V{number:03d}", "verifier", f"核查员{number:02d}",
                 [township.code], max_open_assignments=10_000)
    step(Message("demo.county", county=county.name, code=county.code,
                 townships=len(county.townships), households=len(county.households),
                 seed=seed))

    files = write_import_files(county, folder / "import", fmt="csv", chinese_headers=True)
    supervisor, officer = admin.as_user("li"), admin.as_user("zhao")
    for kind, importer in (("households", import_households), ("claims", import_claims),
                           ("department-data", import_department_data)):
        result = importer(supervisor, files[kind])
        step(Message("demo.import", kind=IMPORT_KINDS[kind], accepted=result.accepted,
                     rejected=result.rejected))
    assigned = assign_claims(supervisor)
    step(Message("demo.assigned", claims=len(assigned.assigned),
                 verifiers=len({a.verifier_id for a in assigned.assigned}), days=5))
    clock.advance(days=3)
    result = import_verifications(supervisor, files["verifications"])
    step(Message("demo.verifications", accepted=result.accepted, rejected=result.rejected))
    if feed_month:  # one month of department feeds through warning lines and screening
        __import__("adjudicator.feeds.demo", fromlist=["run_feed_month"]).run_feed_month(
            supervisor, officer, county, folder, seed, step)

    first = adjudicate_ready(supervisor)
    step(Message("demo.adjudicate", decided=first.decided, outcomes=outcome_tally(first.outcomes),
                 waiting=len(first.waiting)))
    approved = 0
    for pended in list_pended(officer):
        if set(pended.reasons) <= _APPROVABLE:
            resolve(admin.as_user("qian"), pended.claim_id, "approve",
                    "村级评议通过，支出负担属实")
            approved += 1
    step(Message("demo.review", approved=approved, left=len(list_pended(officer))))
    second = adjudicate_ready(supervisor)
    step(Message("demo.adjudicate_again", decided=second.decided,
                 outcomes=outcome_tally(second.outcomes)))
    return StagedCounty(admin, clock, county, files)


def outcome_tally(outcomes: dict[str, int]) -> Tally:
    """A run's decisions by outcome, each outcome worded as the vocabulary words it."""
    return Tally((OUTCOMES[outcome], count) for outcome, count in sorted(outcomes.items()))


def run_demo(out_dir: Path, *, households: int = 300, seed: int = 2026,
             say: Callable[[str], None] = print) -> DemoSummary:
    """Run the whole workflow on a fresh SQLite database in `out_dir`."""
    from adjudicator.services.audit import audit_report, draw_sample, write_report_xlsx

    out_dir.mkdir(parents=True, exist_ok=True)
    url = _fresh_database(out_dir / "demo.db")
    summary = DemoSummary(url, out_dir)

    def step(message: Message) -> None:
        text = message.render()
        summary.steps.append(text)
        say(text)

    staged = stage_county(url, out_dir, households=households, seed=seed, step=step,
                          feed_month=True)
    stage_real_programs(staged.admin, out_dir, seed, step)  # the second county's tariff
    admin, clock, county = staged.admin, staged.clock, staged.county
    engine, factory = admin.engine, admin.factory
    supervisor, officer = admin.as_user("li"), admin.as_user("zhao")

    documents = out_dir / "documents"
    notices = create_notices(officer, documents)
    step(Message("demo.notices", notices=len(notices), claims=sum(n.claims for n in notices),
                 total=sum((n.total for n in notices), Decimal(0))))
    if notices:
        objected = _first_claim_on(admin, notices[0].notice_no)
        record_objection(officer, objected, "村民反映该户家庭收入情况与申报不符")
        step(Message("demo.objection", claim=objected))
    clock.advance(days=8)
    closed = close_due_notices(officer)
    step(Message("demo.notices_closed", notices=len(closed), claims=sum(c[1] for c in closed)))
    run = pay_closed(supervisor, out_dir / "payments")
    step(Message("demo.pay", payments=run.payments, households=run.households, total=run.total,
                 batch=run.batch_ref))
    bank_return = bank_round_trip(supervisor, out_dir, run, step)

    letters = denial_letters(officer, documents)
    records = decision_records(admin.as_user("sun"), documents, _some_paid(admin, 20))
    report_pdf, report_xlsx = out_dir / "summary-report.pdf", out_dir / "summary-report.xlsx"
    summary_report(officer, report_pdf, report_xlsx,
                   title=f"{county.name}2026年度防贫保障工作总结",
                   period_label="2026年1月1日至2026年12月31日",
                   issuing_office=f"{county.name}乡村振兴局", year=2026)
    step(Message("demo.documents", letters=len(letters), records=len(records)))

    sample = draw_sample(officer, rate=Decimal("0.05"), seed=seed)
    audit_rechecks(admin.as_user("sun"), sample.sample_id, [u.claim_id for u in sample.claims],
                   step)
    audit = audit_report(admin.as_user("sun"), sample.sample_id)
    audit_xlsx = out_dir / "audit-report.xlsx"
    write_report_xlsx(audit, audit_xlsx)
    step(Message("demo.audit", sample=sample.sample_id, claims=len(sample.claims),
                 population=sample.population_size, seed=seed, summary=audit_summary(audit)))

    from adjudicator.fund.demo_step import fund_step
    fund_files = fund_step(officer, clock, out_dir, step)

    replayed = replay(admin.as_user("sun"))
    with factory() as session:
        checked, problem = verify_chain(session)
    step(Message("demo.replay", identical=replayed.identical, checked=replayed.checked,
                 events=checked, state=Message("demo.chain_intact") if problem is None
                 else Message("demo.chain_broken", seq=problem.seq)))
    trust = checkpoint_step(admin.as_user("sun"), out_dir, _some_paid(admin, 1), step)
    summary.figures = {"paid_total": f"{run.total:.2f}", "payments": run.payments,
                       "replay_differences": len(replayed.differences),
                       "chain_ok": problem is None, "records_ok": trust["records_ok"]}
    summary.files = {"database": out_dir / "demo.db", "import files": out_dir / "import",
                     "notices": documents / "notices", "denial letters": documents / "letters",
                     "decision records": documents / "records",
                     "summary report": report_pdf, "summary workbook": report_xlsx,
                     "audit workbook": audit_xlsx, "payment register": out_dir / "payments",
                     "checkpoint": trust["checkpoint"]}
    summary.files.update(fund_files)
    if bank_return is not None:
        summary.files["bank return"] = bank_return
    engine.dispose()
    return summary


def _first_claim_on(ctx: Context, notice_no: str) -> str:
    from sqlalchemy import select

    from adjudicator.storage.models_notice import Notice, NoticeItem

    with ctx.factory() as session:
        return session.execute(select(NoticeItem.claim_id).join(
            Notice, Notice.notice_id == NoticeItem.notice_id).where(
            Notice.notice_no == notice_no).order_by(NoticeItem.claim_id).limit(1)).scalar_one()


def _some_paid(ctx: Context, limit: int) -> list[str]:
    from sqlalchemy import select

    from adjudicator.storage.models import Claim

    with ctx.factory() as session:
        return list(session.execute(select(Claim.claim_id).where(Claim.status == "paid")
                                    .order_by(Claim.claim_id).limit(limit)).scalars())
