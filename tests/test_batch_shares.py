"""Workers of `adjudicate --workers` on SQLite: each takes a share of the households and
decides it outside the write lock, then checks under the lock that nothing changed meanwhile.
The decisions must be exactly those of one process, and a chunk whose inputs another writer
changed must be decided again on what is stored."""

from __future__ import annotations

import datetime as dt

import orjson
from sqlalchemy import select

from adjudicator.intake import (
    import_claims,
    import_department_data,
    import_households,
    import_verifications,
)
from adjudicator.services import adjudication
from adjudicator.services.adjudication import Share, adjudicate_ready
from adjudicator.storage.context import Context, connect
from adjudicator.storage.db import transaction
from adjudicator.storage.models import Claim, DecisionRecord, Finding
from fixtures.generate import generate_county, write_import_files
from tests.seed import (
    LATE_IN_2026,
    add_claim,
    add_county_verifiers,
    add_household,
    load_demo_tariff,
)

_IMPORTERS = (("households", import_households), ("claims", import_claims),
              ("department-data", import_department_data),
              ("verifications", import_verifications))


def _decisions(ctx: Context) -> dict[str, tuple[object, ...]]:
    with ctx.factory() as session:
        rows = session.execute(select(DecisionRecord.claim_id, DecisionRecord.seq,
                                      DecisionRecord.outcome, DecisionRecord.payout,
                                      DecisionRecord.case_json,
                                      DecisionRecord.decision_json)).all()
    return {row.claim_id: tuple(row[1:]) for row in rows}


def test_shares_decide_exactly_as_one_process(admin_ctx, clock, tmp_path) -> None:
    """A generated county decided share by share (chunks of 7 households, so each share
    takes several) gives every claim the decision one process gives it, byte for byte."""
    clock.moment = LATE_IN_2026  # after every date of the generated county
    files = write_import_files(generate_county(5, 160), tmp_path / "files", fmt="csv")
    engine, factory = connect(f"sqlite:///{tmp_path / 'one.db'}", create=True)
    alone = Context(engine, factory, "admin", "admin", clock)
    for ctx in (admin_ctx, alone):
        load_demo_tariff(ctx)
        add_county_verifiers(ctx)
        for kind, importer in _IMPORTERS:
            importer(ctx, files[kind])
    shares = [adjudicate_ready(admin_ctx.as_user("admin"), chunk=7, share=Share(index, 3))
              for index in range(3)]
    one = adjudicate_ready(alone, chunk=7)
    engine_decisions = _decisions(alone)
    engine.dispose()
    assert all(part.decided > 0 and part.redecided == 0 for part in shares)
    assert sum(part.decided for part in shares) == one.decided > 100
    assert _decisions(admin_ctx) == engine_decisions


def test_a_chunk_changed_meanwhile_is_decided_again_on_what_is_stored(admin_ctx,
                                                                      monkeypatch) -> None:
    """A department finding stored while the worker decides (without the lock) is seen: the
    chunk is decided again under the lock, and the claim is denied for the finding (and for
    the household's answer "no vehicle", which the finding contradicts)."""
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H1")
    add_claim(admin_ctx, "K-1", "H1", "68000", event_date=dt.date(2026, 3, 1))
    decide = adjudication._decide_chunk
    calls: list[int] = []

    def deciding_while_another_writer_stores(*args, **kwargs):
        if not calls:  # the first, optimistic decision: a finding arrives meanwhile
            with transaction(admin_ctx.factory) as session:
                session.add(Finding(household_id="H1", source="vehicle_registry",
                                    item="VEHICLE", found=True, detail="小型轿车",
                                    row_key="test-finding-1"))
        calls.append(1)
        return decide(*args, **kwargs)

    monkeypatch.setattr(adjudication, "_decide_chunk", deciding_while_another_writer_stores)
    result = adjudicate_ready(admin_ctx.as_user("sup"), share=Share(0, 1))
    assert (result.decided, result.redecided, len(calls)) == (1, 1, 2)
    with admin_ctx.factory() as session:
        (record,) = session.execute(select(DecisionRecord)).scalars()
        status = session.get(Claim, "K-1").status
    assert (record.outcome, status) == ("denied", "denied")
    assert record.reasons == ["NEG_CONCEALMENT", "NEG_VEHICLE"]
    found = orjson.loads(record.case_json)["verification"]["cross_checks"]
    assert {"source": "vehicle_registry", "item": "VEHICLE", "found": True,
            "detail": "小型轿车"} in found


def test_an_unchanged_chunk_is_stored_as_decided(admin_ctx, monkeypatch) -> None:
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H1")
    add_claim(admin_ctx, "K-1", "H1", "68000", event_date=dt.date(2026, 3, 1))
    decide = adjudication._decide_chunk
    calls: list[int] = []
    monkeypatch.setattr(adjudication, "_decide_chunk",
                        lambda *a, **k: calls.append(1) or decide(*a, **k))
    result = adjudicate_ready(admin_ctx.as_user("sup"), share=Share(0, 1))
    assert (result.decided, result.redecided, len(calls)) == (1, 0, 1)
    with admin_ctx.factory() as session:
        (record,) = session.execute(select(DecisionRecord)).scalars()
        claim = session.get(Claim, "K-1")
    assert (claim.status, claim.current_decision_id) == (record.outcome, record.decision_id)


def _ready_households(ctx: Context, count: int) -> None:
    load_demo_tariff(ctx)
    for number in range(count):
        add_household(ctx, f"H{number}")
        add_claim(ctx, f"K-{number}", f"H{number}", "68000", event_date=dt.date(2026, 3, 1))


def _statuses(ctx: Context) -> dict[str, str]:
    with ctx.factory() as session:
        return dict(session.execute(select(Claim.claim_id, Claim.status)).all())


def test_a_worker_process_may_be_handed_a_second_share(admin_ctx, db_url) -> None:
    """Regression: a worker closed its progress queue after its first share, so a pool
    process given a second one (the other process still starting) failed with "Queue is
    closed". Both shares run in this process here, as such a pool process would run them."""
    import multiprocessing

    _ready_households(admin_ctx, 6)
    updates = multiprocessing.get_context("spawn").Queue()
    adjudication._start_worker(updates)
    try:
        parts = [adjudication._worker(db_url, "sup", 2, Share(index, 2)) for index in (0, 1)]
    finally:
        adjudication._UPDATES.clear()
    assert sum(part.decided for part in parts) == 6
    counted = 0
    while counted < 6:
        counted += updates.get(timeout=10)
    assert counted == 6


def test_the_progress_of_workers_adds_up_to_the_claims_decided(admin_ctx, db_url) -> None:
    _ready_households(admin_ctx, 8)
    steps: list[int] = []
    result = adjudication.adjudicate_in_workers(admin_ctx.as_user("sup"), db_url, 2, chunk=2,
                                                progress=steps.append)
    assert result.decided == 8 and sum(steps) == 8 and all(step > 0 for step in steps)


def test_a_failing_worker_is_reported_with_what_the_others_did(admin_ctx, db_url,
                                                                monkeypatch) -> None:
    """This process's own share fails (the other worker, a new process, runs the real
    code): the run raises WorkersFailed carrying the other worker's counts, its decisions are
    stored, the failed share's claims stay verified, and the next run decides them."""
    _ready_households(admin_ctx, 10)
    sup = admin_ctx.as_user("sup")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(adjudication, "_adjudicate_with", broken)
    try:
        adjudication.adjudicate_in_workers(sup, db_url, 2, chunk=2)
    except adjudication.WorkersFailed as exc:
        failed = exc
    else:
        raise AssertionError("the failure was not reported")
    assert "1 of 2 workers failed (RuntimeError: disk full)" in str(failed)
    statuses = _statuses(admin_ctx)
    decided = {c for c, status in statuses.items() if status != "verified"}
    assert failed.result.decided == len(decided)
    if admin_ctx.engine.dialect.name == "sqlite":  # the other share is decided whole
        other = Share(1, 2)
        assert decided == {f"K-{n}" for n in range(10) if other.takes(f"H{n}")}
    monkeypatch.undo()
    again = adjudicate_ready(sup)
    assert again.decided == 10 - len(decided)
    assert "verified" not in _statuses(admin_ctx).values()


def test_the_command_shows_what_was_decided_before_the_failure(admin_ctx, db_url,
                                                             monkeypatch) -> None:
    from typer.testing import CliRunner

    import cli.claims_cmd
    from cli.main import app

    def failing(ctx, url, workers, **kwargs):
        done = adjudication.BatchResult(households=3, decided=3, outcomes={"approved": 3})
        raise adjudication.WorkersFailed(done, [RuntimeError("disk full")], workers)

    monkeypatch.setattr(cli.claims_cmd, "adjudicate_in_workers", failing)
    monkeypatch.setattr(cli.claims_cmd, "count_ready", lambda ctx: 5)
    monkeypatch.setenv("ADJUDICATOR_USER", "sup")
    outcome = CliRunner().invoke(app, ["adjudicate", "--workers", "2", "--db", db_url])
    assert outcome.exit_code == 1
    assert "理算3件（给予救助3）" in "".join(outcome.stdout.split())
    assert "1 of 2 workers failed (RuntimeError: disk full)" in outcome.stderr


def test_workers_decide_with_the_tariffs_of_the_run_that_started_them(admin_ctx) -> None:
    """A tariff retired (or loaded) while the workers start is seen by all of them or none:
    they load the book pinned to the starting process's."""
    from adjudicator.services.tariffs import TariffBook, retire_tariff
    from adjudicator.storage.models import TariffRecord

    pk = load_demo_tariff(admin_ctx)
    with admin_ctx.factory() as session:
        book = TariffBook.load(session)
        pin = book.pin()
    with admin_ctx.factory() as session:
        sha = session.get(TariffRecord, pk).sha256
    retire_tariff(admin_ctx, sha[:12], "replaced")
    with admin_ctx.factory() as session:
        now, pinned = TariffBook.load(session), TariffBook.load(session, pin)
    assert pk not in now.active
    assert (pinned.active, set(pinned.by_pk)) == (book.active, set(book.by_pk)) == ({pk}, {pk})
    assert pinned.choose("330102001001", dt.date(2026, 3, 1))[0] == pk
