"""Tariffs in the database: loaded with their exact bytes, and chosen for a claim as RULES.md
says (the longest matching region prefix whose validity contains the event date)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from adjudicator.messages import LocalizedError, Message, NotFound, Refused
from adjudicator.rules.columnar import ColumnarEngine
from adjudicator.rules.history import choose_tariff
from adjudicator.rules.tariff import Tariff, load_tariff, parse_tariff
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Event, TariffRecord
from schemas.vocabulary import Words


def store_tariff(session: Session, tariff: Tariff, content: bytes, actor: str, at: str
                 ) -> tuple[TariffRecord, bool]:
    """The stored record of this exact tariff file; (record, True) when it was new."""
    existing = session.execute(
        select(TariffRecord).where(TariffRecord.sha256 == tariff.sha256)
    ).scalar_one_or_none()
    if existing is not None:
        return existing, False
    record = TariffRecord(tariff_id=tariff.id, sha256=tariff.sha256, name=tariff.name,
                          region_codes=list(tariff.region_codes), valid_from=tariff.valid_from,
                          valid_to=tariff.valid_to, content=content, source=tariff.source,
                          loaded_at=at, loaded_by=actor)
    session.add(record)
    session.flush()
    append_events(session, actor, at, [PendingEvent(
        "tariff.loaded", "tariff", tariff.id,
        {"sha256": tariff.sha256, "valid_from": tariff.valid_from.isoformat(),
         "valid_to": tariff.valid_to.isoformat(), "region_codes": list(tariff.region_codes),
         "tariff_pk": record.pk})])
    return record, True


def load_tariff_file(ctx: Context, path: str | Path) -> tuple[TariffRecord, bool]:
    """Validate a tariff file and store it (idempotent: the same bytes are stored once)."""
    ctx.require("tariff.load")
    tariff = load_tariff(path)
    content = Path(path).read_bytes()
    with transaction(ctx.factory) as session:
        return store_tariff(session, tariff, content, ctx.user_id, ctx.now())


class TariffChoiceError(LocalizedError, LookupError):
    """No tariff, or two equally specific ones, for a claim: it cannot be adjudicated (str()
    is the English, `localized()` the person's language)."""


#: (the stored tariffs' keys, the active ones'): `TariffBook.pin`
TariffPin = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass
class TariffBook:
    """The stored tariffs, parsed once, for choosing and replaying."""

    by_pk: dict[int, Tariff]
    active: set[int]
    engines: dict[int, ColumnarEngine] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, pin: TariffPin | None = None) -> TariffBook:
        """The stored tariffs; with `pin` (another process's `TariffBook.pin()`), those that
        book had, active as they were in it, whatever was loaded or retired since."""
        query = select(TariffRecord).order_by(TariffRecord.pk)
        if pin is not None:
            query = query.where(TariffRecord.pk.in_(pin[0]))
        records = list(session.execute(query).scalars())
        by_pk = {r.pk: parse_tariff(r.content, f"tariff {r.tariff_id} (stored #{r.pk})")
                 for r in records}
        active = {r.pk for r in records if r.active} if pin is None else set(pin[1])
        return cls(by_pk, active)

    def pin(self) -> TariffPin:
        """Which stored tariffs this book has and which of them are active: the workers of
        one run load the book with it, so that a tariff loaded or retired while they start
        is seen by all of them or by none."""
        return tuple(self.by_pk), tuple(sorted(self.active))

    def choose(self, region_code: str, event_date: dt.date) -> tuple[int, Tariff]:
        """The tariff for a household's region on an event date, or TariffChoiceError."""
        chosen = choose_tariff(self.by_pk, self.active, region_code, event_date)
        if not chosen:
            raise TariffChoiceError(Message("tariff.none_covers", region=region_code,
                                            date=event_date))
        if len(chosen) > 1:
            ids = sorted({chosen[0][1].id, chosen[1][1].id})
            raise TariffChoiceError(Message(
                "tariff.two_cover", region=region_code, date=event_date,
                ids=Words("、".join(ids), " and ".join(ids)), first=chosen[0][0],
                second=chosen[1][0]))
        return chosen[0]

    def engine(self, pk: int) -> ColumnarEngine:
        """The columnar engine of a stored tariff, made once."""
        engine = self.engines.get(pk)
        if engine is None:
            engine = self.engines[pk] = ColumnarEngine(self.by_pk[pk])
        return engine


def stored_category_labels(session: Session) -> dict[str, str]:
    """The Chinese name of every claim category the stored tariffs define (the first
    tariff's, by key, where two name one differently): what reports print."""
    labels: dict[str, str] = {}
    for _pk, tariff in sorted(TariffBook.load(session).by_pk.items()):
        for name in tariff.categories:
            labels.setdefault(name, tariff.category_label(name))
    return labels


def retire_tariff(ctx: Context, sha256_prefix: str, reason: str) -> TariffRecord:
    """Stop choosing a stored tariff for new decisions (it stays for replays)."""
    ctx.require("tariff.load")
    if len(sha256_prefix) < 8:
        raise Refused(Message("tariff.sha_short"))
    with transaction(ctx.factory) as session:
        found = list(session.execute(select(TariffRecord).where(
            TariffRecord.sha256.startswith(sha256_prefix))).scalars())
        if len(found) != 1:
            raise NotFound(Message("tariff.sha_matches", count=len(found),
                                   prefix=sha256_prefix))
        record = found[0]
        record.active = False
        append_events(session, ctx.user_id, ctx.now(), [PendingEvent(
            "tariff.retired", "tariff", record.tariff_id,
            {"sha256": record.sha256, "reason": reason})])
        return record


# --- what the database holds ----------------------------------------------------------------


@dataclass(frozen=True)
class StoredTariff:
    """A stored tariff as `tariff list` and `tariff show` present it: the record's fields,
    its status (active, or retired with when, by whom and why) and the parsed tariff."""

    pk: int
    tariff_id: str
    sha256: str
    name: str
    region_codes: list[str]
    valid_from: dt.date
    valid_to: dt.date
    source: str
    loaded_at: str
    loaded_by: str
    active: bool
    retired_at: str | None
    retired_by: str | None
    retired_reason: str | None
    tariff: Tariff

    @property
    def status(self) -> str:
        return "active" if self.active else "retired"

    def summary(self) -> dict[str, object]:
        """The JSON form of `tariff list --json` (the parsed tariff left out)."""
        return {"pk": self.pk, "id": self.tariff_id, "sha256": self.sha256, "name": self.name,
                "valid_from": self.valid_from.isoformat(),
                "valid_to": self.valid_to.isoformat(), "region_codes": self.region_codes,
                "categories": list(self.tariff.categories),
                "status": self.status, "loaded_at": self.loaded_at,
                "loaded_by": self.loaded_by, "retired_at": self.retired_at,
                "retired_by": self.retired_by, "retired_reason": self.retired_reason,
                "source": self.source}


_SHA_PREFIX = re.compile(r"[0-9a-f]{8,64}")


def stored_tariffs(ctx: Context, ref: str | None = None) -> list[StoredTariff]:
    """The tariffs stored in the database, in the order they were loaded; with `ref`, those
    it names: a stored number (`#3` or `3`), a SHA-256 or its first 8+ characters, or a
    tariff id (every stored version of it)."""
    ctx.require("read")
    query = select(TariffRecord).order_by(TariffRecord.pk)
    if ref is not None:
        ref = ref.strip()
        wanted = [TariffRecord.tariff_id == ref]
        if ref.removeprefix("#").isdigit():
            wanted.append(TariffRecord.pk == int(ref.removeprefix("#")))
        if _SHA_PREFIX.fullmatch(ref.lower()):
            wanted.append(TariffRecord.sha256.startswith(ref.lower()))
        query = query.where(or_(*wanted))
    with ctx.factory() as session:
        records = list(session.execute(query).scalars())
        retirements: dict[str, tuple[str, str, str | None]] = {}
        if any(not r.active for r in records):
            for event in session.execute(select(Event).where(
                    Event.kind == "tariff.retired",
                    Event.entity_id.in_({r.tariff_id for r in records}))
                    .order_by(Event.seq)).scalars():
                payload = json.loads(event.payload)
                retirements[payload.get("sha256", "")] = (event.at, event.actor,
                                                          payload.get("reason"))
        found = []
        for r in records:
            at, by, why = (None, None, None) if r.active else retirements.get(
                r.sha256, (None, None, None))
            found.append(StoredTariff(
                r.pk, r.tariff_id, r.sha256, r.name, list(r.region_codes), r.valid_from,
                r.valid_to, r.source, r.loaded_at, r.loaded_by, r.active, at, by, why,
                parse_tariff(r.content, f"tariff {r.tariff_id} (stored #{r.pk})")))
        return found
