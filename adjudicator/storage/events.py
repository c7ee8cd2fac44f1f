"""The audit trail (审计日志): every state change and decision is an event in a hash chain.

hash = SHA-256 of the canonical JSON of (seq, at, actor, kind, entity_type, entity_id,
payload, prev_hash). Appends are serialized by locking the single chain-head row, so that
several workers on one PostgreSQL database still build one unbroken chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from adjudicator.storage.bulk import insert_rows
from adjudicator.storage.db import READ_SNAPSHOT
from adjudicator.storage.models import ChainHead, Event

GENESIS = "0" * 64
#: An import's event: one per chunk, its payload's `changes` naming each row's entity.
IMPORT_CHUNK = "import.chunk"


def canonical(payload: Any) -> str:
    """Canonical JSON: sorted keys, compact, UTF-8; Decimals and dates as strings."""
    return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS, default=str).decode()


def event_hash(seq: int, at: str, actor: str, kind: str, entity_type: str, entity_id: str,
               payload: str, prev_hash: str) -> str:
    body = canonical([seq, at, actor, kind, entity_type, entity_id, payload, prev_hash])
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class PendingEvent:
    kind: str
    entity_type: str
    entity_id: str
    payload: dict[str, Any]


def append_events(session: Session, actor: str, at: str, events: list[PendingEvent]) -> int:
    """Append events to the chain inside the caller's transaction; returns the last seq.

    The chain-head row is locked until the transaction ends: appends from concurrent
    transactions wait for each other, and a rolled-back transaction leaves no gap.
    """
    if not events:
        return 0
    head = session.execute(select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1)
                           .with_for_update()).one_or_none()
    if head is None:
        session.execute(insert(ChainHead), [{"id": 1, "seq": 0, "hash": GENESIS}])
        seq, prev = 0, GENESIS
    else:
        seq, prev = head.seq, head.hash
    rows = []
    for item in events:
        seq += 1
        payload = canonical(item.payload)
        digest = event_hash(seq, at, actor, item.kind, item.entity_type, item.entity_id,
                            payload, prev)
        rows.append({"seq": seq, "at": at, "actor": actor, "kind": item.kind,
                     "entity_type": item.entity_type, "entity_id": item.entity_id,
                     "payload": payload, "prev_hash": prev, "hash": digest})
        prev = digest
    # Events are write-once rows: COPY on PostgreSQL, a Core executemany elsewhere (ORM
    # objects, or the ORM's bulk path, would cost as much as the rest of an import).
    insert_rows(session, Event, rows)
    session.execute(update(ChainHead).where(ChainHead.id == 1)
                    .values(seq=seq, hash=prev))
    return seq


@dataclass(frozen=True)
class Entry:
    """One change recorded about an entity: an event of its own, or the row of an import
    event that named it (`detail` then carries the import batch and the row number)."""

    seq: int
    at: str
    actor: str
    kind: str
    entity_type: str
    entity_id: str
    detail: dict[str, Any]


def history(session: Session, entity_id: str) -> list[Entry]:
    """Everything the audit trail records about `entity_id` (a claim, household, member
    "household/member" or an import batch), in chain order.

    Its own events are found through the indexed `entity_id`; imports record one event per
    chunk that lists each row's entity, found by searching those events' payloads (a scan of
    every import's events, for an auditor's question: 0.9 s on SQLite after importing a
    200,000-claim county)."""
    named = '"entity_id":' + orjson.dumps(entity_id).decode()
    rows = session.execute(
        select(Event.seq, Event.at, Event.actor, Event.kind, Event.entity_type,
               Event.entity_id, Event.payload)
        .where(or_(Event.entity_id == entity_id,
                   and_(Event.kind == IMPORT_CHUNK,
                        Event.payload.contains(named, autoescape=True))))
        .order_by(Event.seq))
    entries = []
    for row in rows:
        payload = orjson.loads(row.payload)
        if row.entity_id == entity_id:
            entries.append(Entry(row.seq, row.at, row.actor, row.kind, row.entity_type,
                                 row.entity_id, payload))
        if row.kind != IMPORT_CHUNK:
            continue
        entries += [Entry(row.seq, row.at, row.actor, change["kind"], change["entity_type"],
                          entity_id, {"import_batch": payload["import_batch"],
                                      "row": change["row"], **change["detail"]})
                    for change in payload["changes"] if change["entity_id"] == entity_id]
    return entries


@dataclass(frozen=True)
class ChainProblem:
    """The first event at which the chain breaks, and how."""

    seq: int
    problem: str


def _events_in_order(session: Session, up_to: int | None, batch: int = 20) -> Iterator[Any]:
    """The events up to seq `up_to` (all if None) as plain rows, in seq order, streamed (a
    server-side cursor on PostgreSQL): memory holds `batch` events however long the chain,
    and an import's chunk event may be two megabytes."""
    columns = [Event.__table__.c[name] for name in (
        "seq", "at", "actor", "kind", "entity_type", "entity_id", "payload", "prev_hash",
        "hash")]
    query = select(*columns).order_by(Event.seq)
    if up_to is not None:
        query = query.where(Event.seq <= up_to)
    yield from session.execute(query.execution_options(yield_per=batch))


def verify_chain(session: Session) -> tuple[int, ChainProblem | None]:
    """Walk the chain from the start: (events checked, the first problem or None).

    Detects an edited event (its hash no longer matches its content), a deleted or inserted
    one (a gap in seq, or prev_hash not the previous hash), a reordering, a truncated tail
    (the chain head remembers the last seq and hash) and an event stored beyond the head.

    The walk goes up to the head as read when it starts: events appended meanwhile (the walk
    of a long chain takes minutes, and writers go on) are left for the next check, not
    mistaken for a tampered tail.
    """
    if not session.in_transaction():  # a snapshot to read, not SQLite's write lock
        session.connection(execution_options={READ_SNAPSHOT: True})
    head = session.execute(select(ChainHead.seq, ChainHead.hash)
                           .where(ChainHead.id == 1)).one_or_none()
    expected_seq, prev = 1, GENESIS
    checked = 0
    for row in _events_in_order(session, None if head is None else head.seq):
        if row.seq != expected_seq:
            return checked, ChainProblem(expected_seq, f"event {expected_seq} is missing "
                                         f"(next stored event is {row.seq})")
        if row.prev_hash != prev:
            return checked, ChainProblem(row.seq, "prev_hash does not match the previous "
                                         "event's hash (deleted, inserted or reordered)")
        digest = event_hash(row.seq, row.at, row.actor, row.kind, row.entity_type,
                            row.entity_id, row.payload, row.prev_hash)
        if digest != row.hash:
            return checked, ChainProblem(row.seq, "content does not match its hash (edited)")
        prev, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
    if head is None:
        return checked, None
    if head.seq != checked or head.hash != prev:
        return checked, ChainProblem(checked + 1, f"the chain head records {head.seq} events "
                                     f"but {checked} are stored (events removed at the end)")
    # An append moves the head in the same transaction: read together, the last stored event
    # is never past the head, unless one was stored without the chain's lock.
    last, now = session.execute(select(
        func.max(Event.seq),
        select(ChainHead.seq).where(ChainHead.id == 1).scalar_subquery())).one()
    if now is not None and last is not None and last > now:
        return checked, ChainProblem(now + 1, f"event {now + 1} is stored beyond the chain "
                                     f"head ({now} events): added without the chain's lock")
    return checked, None
