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
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from adjudicator.storage.bulk import insert_rows
from adjudicator.storage.models import ChainHead, Event

GENESIS = "0" * 64


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
class ChainProblem:
    """The first event at which the chain breaks, and how."""

    seq: int
    problem: str


def _events_in_order(session: Session, batch: int = 200) -> Iterator[Any]:
    """Every event as a plain row, in seq order, streamed (a server-side cursor on
    PostgreSQL): memory holds `batch` events, however long the chain, and an import's
    chunk event may be a megabyte."""
    columns = [Event.__table__.c[name] for name in (
        "seq", "at", "actor", "kind", "entity_type", "entity_id", "payload", "prev_hash",
        "hash")]
    yield from session.execute(select(*columns).order_by(Event.seq)
                               .execution_options(yield_per=batch))


def verify_chain(session: Session) -> tuple[int, ChainProblem | None]:
    """Walk the chain from the start: (events checked, the first problem or None).

    Detects an edited event (its hash no longer matches its content), a deleted or inserted
    one (a gap in seq, or prev_hash not the previous hash), a reordering, and a truncated tail
    (the chain head remembers the last seq and hash).
    """
    expected_seq, prev = 1, GENESIS
    checked = 0
    for row in _events_in_order(session):
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
    head = session.get(ChainHead, 1)
    if head is not None and (head.seq != checked or head.hash != prev):
        return checked, ChainProblem(checked + 1, f"the chain head records {head.seq} events "
                                     f"but {checked} are stored (events removed at the end)")
    return checked, None
