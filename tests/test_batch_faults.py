"""A batch killed mid-run resumes with no claim decided twice and none lost; two adjudicate
processes on one database split the work and never decide a claim twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from adjudicator.storage.events import verify_chain
from adjudicator.storage.models import Claim, DecisionRecord
from tests.seed import bulk_seed, load_demo_tariff

pytestmark = pytest.mark.slow


def _adjudicate_process(db_url: str, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ADJUDICATOR_DATABASE_URL": db_url, "ADJUDICATOR_USER": "sup"}
    return subprocess.Popen([sys.executable, "-m", "cli", "adjudicate", "--json", *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _decision_counts(ctx) -> tuple[int, int, int]:
    """(decisions stored, distinct claims decided, claims still ready)."""
    with ctx.factory() as session:
        stored = session.execute(select(func.count()).select_from(DecisionRecord)).scalar_one()
        distinct = session.execute(select(func.count(func.distinct(DecisionRecord.claim_id)))
                                   ).scalar_one()
        ready = session.execute(select(func.count()).select_from(Claim)
                                .where(Claim.status == "verified")).scalar_one()
    return stored, distinct, ready


def _assert_all_decided_once(ctx, total: int) -> None:
    stored, distinct, ready = _decision_counts(ctx)
    assert (stored, distinct, ready) == (total, total, 0)
    with ctx.factory() as session:
        _, problem = verify_chain(session)
        pointers = session.execute(select(func.count()).select_from(Claim).where(
            Claim.current_decision_id.is_(None))).scalar_one()
    assert problem is None
    assert pointers == 0


def test_a_killed_batch_resumes_without_double_or_lost_decisions(admin_ctx, db_url) -> None:
    load_demo_tariff(admin_ctx)
    # Enough work, one household per transaction, that the kill lands mid-run.
    total = bulk_seed(admin_ctx, households=1500, claims_per_household=2)
    process = _adjudicate_process(db_url, "--chunk", "1")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        stored, _, _ = _decision_counts(admin_ctx)
        if stored >= 10 or process.poll() is not None:
            break
        time.sleep(0.01)
    assert process.poll() is None, "the batch finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.communicate()  # reaps it and closes its pipes
    stored, distinct, ready = _decision_counts(admin_ctx)
    assert 0 < stored < total and stored == distinct and ready == total - stored

    resumed = _adjudicate_process(db_url)
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err.decode()
    _assert_all_decided_once(admin_ctx, total)


def test_two_processes_split_the_work(admin_ctx, db_url) -> None:
    load_demo_tariff(admin_ctx)
    total = bulk_seed(admin_ctx, households=200, claims_per_household=3)
    first = _adjudicate_process(db_url, "--chunk", "5")
    second = _adjudicate_process(db_url, "--chunk", "5")
    for process in (first, second):
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
    _assert_all_decided_once(admin_ctx, total)
    # No household's claims were decided out of (event date, claim id) order.
    with admin_ctx.factory() as session:
        rows = session.execute(select(Claim.household_id, Claim.event_date, Claim.claim_id,
                                      DecisionRecord.decision_id)
                               .join(DecisionRecord, DecisionRecord.claim_id == Claim.claim_id)
                               ).all()
    by_household: dict[str, list[tuple]] = {}
    for household_id, event_date, claim_id, decision_id in rows:
        by_household.setdefault(household_id, []).append((event_date, claim_id, decision_id))
    for decided in by_household.values():
        in_event_order = [d for _, _, d in sorted(decided)]
        assert in_event_order == sorted(in_event_order)


def test_workers_option_splits_the_work(admin_ctx, db_url) -> None:
    load_demo_tariff(admin_ctx)
    total = bulk_seed(admin_ctx, households=120, claims_per_household=2)
    process = _adjudicate_process(db_url, "--workers", "3", "--chunk", "4")
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()
    import json

    assert json.loads(out)["decided"] == total
    _assert_all_decided_once(admin_ctx, total)
