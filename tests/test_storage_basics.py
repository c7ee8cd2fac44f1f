"""Migrations, users and the hash-chained event log, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text, update

from adjudicator.roles import PermissionDenied
from adjudicator.services.users import add_user
from adjudicator.storage.all_models import Base
from adjudicator.storage.append_only import guards_lifted
from adjudicator.storage.events import PendingEvent, append_events, verify_chain
from adjudicator.storage.models import Event
from adjudicator.workflow import IllegalTransition, check_transition


def test_migrations_match_the_models(admin_ctx) -> None:
    with admin_ctx.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_only_an_admin_adds_users(admin_ctx) -> None:
    with pytest.raises(PermissionDenied, match="needs the role"):
        add_user(admin_ctx.as_user("sup"), "x", "verifier", "X")
    with pytest.raises(ValueError):
        add_user(admin_ctx, "y", "janitor", "Y")


def _append(ctx, n: int) -> None:
    with ctx.factory() as session, session.begin():
        append_events(session, ctx.user_id, ctx.now(),
                      [PendingEvent("test.event", "thing", f"T{i}", {"i": i, "名": "值"})
                       for i in range(n)])


def test_chain_verifies_and_names_the_first_edited_event(admin_ctx) -> None:
    _append(admin_ctx, 5)
    with admin_ctx.factory() as session:
        checked, problem = verify_chain(session)
    assert problem is None and checked >= 5
    with admin_ctx.factory() as session, session.begin(), \
            guards_lifted(session.connection()):
        target = session.execute(select(Event).where(Event.entity_id == "T2")).scalar_one()
        bad_seq = target.seq
        session.execute(update(Event).where(Event.seq == bad_seq)
                        .values(payload='{"i":99,"名":"值"}'))
    with admin_ctx.factory() as session:
        _, problem = verify_chain(session)
    assert problem is not None and problem.seq == bad_seq and "edited" in problem.problem


def test_chain_detects_a_deleted_event(admin_ctx) -> None:
    _append(admin_ctx, 4)
    with admin_ctx.factory() as session, session.begin(), \
            guards_lifted(session.connection()):
        target = session.execute(select(Event).where(Event.entity_id == "T1")).scalar_one()
        gone = target.seq
        session.execute(text("DELETE FROM events WHERE seq = :s"), {"s": gone})
    with admin_ctx.factory() as session:
        _, problem = verify_chain(session)
    assert problem is not None and problem.seq == gone and "missing" in problem.problem


def test_chain_detects_reordering_and_truncation(admin_ctx) -> None:
    _append(admin_ctx, 4)
    with admin_ctx.factory() as session, session.begin(), \
            guards_lifted(session.connection()):
        rows = session.execute(select(Event).order_by(Event.seq.desc()).limit(2)).scalars().all()
        last, before = rows[0].seq, rows[1].seq
        # swap the content of the last two events (a reordering keeps the seq numbers)
        a = {c: getattr(rows[0], c) for c in ("at", "actor", "kind", "entity_type",
                                               "entity_id", "payload", "prev_hash", "hash")}
        b = {c: getattr(rows[1], c) for c in a}
        session.execute(update(Event).where(Event.seq == last).values(**b))
        session.execute(update(Event).where(Event.seq == before).values(**a))
    with admin_ctx.factory() as session:
        _, problem = verify_chain(session)
    assert problem is not None and problem.seq == before
    with admin_ctx.factory() as session, session.begin(), \
            guards_lifted(session.connection()):
        session.execute(text("DELETE FROM events WHERE seq >= :s"), {"s": before})
    with admin_ctx.factory() as session:
        _, problem = verify_chain(session)
    assert problem is not None and "removed at the end" in problem.problem


def test_chain_detects_an_event_stored_beyond_the_head(admin_ctx) -> None:
    _append(admin_ctx, 3)
    with admin_ctx.factory() as session, session.begin():
        last = session.execute(select(Event).order_by(Event.seq.desc()).limit(1)).scalar_one()
        forged = {c: getattr(last, c) for c in ("at", "actor", "kind", "entity_type",
                                                 "entity_id", "payload", "prev_hash", "hash")}
        session.add(Event(seq=last.seq + 1, **{**forged, "prev_hash": last.hash}))
    with admin_ctx.factory() as session:
        _, problem = verify_chain(session)
    assert problem is not None and problem.seq == last.seq + 1
    assert "beyond the chain head" in problem.problem


def test_events_appended_during_the_check_are_not_taken_for_tampering(
        admin_ctx, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writers go on while a long chain is checked (on SQLite the check reads a snapshot
    instead of taking the write lock): what they append after the check began is left for
    the next check."""
    from adjudicator.storage import events as events_module

    _append(admin_ctx, 4)
    walk = events_module._events_in_order

    def appending_meanwhile(session, up_to, batch=20):
        for number, row in enumerate(walk(session, up_to, batch)):
            if number == 1:
                _append(admin_ctx, 3)  # another connection commits three events
            yield row

    monkeypatch.setattr(events_module, "_events_in_order", appending_meanwhile)
    with admin_ctx.factory() as session:
        checked, problem = verify_chain(session)
    assert problem is None
    with admin_ctx.factory() as session:
        assert verify_chain(session) == (checked + 3, None)


def test_illegal_moves_are_refused_with_what_is_allowed() -> None:
    assert check_transition("K-1", "verified", "pended") == "pended"
    with pytest.raises(IllegalTransition, match=r"cannot move to paid.*allowed from approved: "
                                                r"in_notice"):
        check_transition("K-1", "approved", "paid")


def test_large_text_columns_are_compressed_with_lz4_on_postgresql(admin_ctx) -> None:
    with admin_ctx.factory() as session:
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("column compression is PostgreSQL's")
        methods = dict(session.execute(text(
            "SELECT attrelid::regclass::text || '.' || attname, attcompression "
            "FROM pg_attribute WHERE attrelid IN ('decisions'::regclass, 'events'::regclass) "
            "AND attname IN ('case_json', 'decision_json', 'payload')")).all())
    assert methods == {"decisions.case_json": "l", "decisions.decision_json": "l",
                       "events.payload": "l"}
