"""Tariffs in the database: loaded with their exact bytes, and chosen for a claim as RULES.md
says (the longest matching region prefix whose validity contains the event date)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from adjudicator.columnar import ColumnarEngine
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import TariffRecord
from adjudicator.tariff import Tariff, load_tariff, parse_tariff


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


class TariffChoiceError(LookupError):
    """No tariff, or two equally specific ones, for a claim: it cannot be adjudicated."""


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
        best: list[tuple[int, int, Tariff]] = []
        for pk, tariff in self.by_pk.items():
            if pk not in self.active or not tariff.valid_from <= event_date <= tariff.valid_to:
                continue
            matched = tariff.covers_region(region_code)
            if matched is not None:
                best.append((len(matched), pk, tariff))
        if not best:
            raise TariffChoiceError(
                f"no stored tariff covers region {region_code} on {event_date} "
                "(load one with 'adjudicator tariff load FILE')")
        best.sort(key=lambda item: -item[0])
        if len(best) > 1 and best[0][0] == best[1][0]:
            ids = sorted({best[0][2].id, best[1][2].id})
            raise TariffChoiceError(
                f"two equally specific tariffs cover region {region_code} on {event_date}: "
                f"{' and '.join(ids)} (#{best[0][1]}, #{best[1][1]}); retire one with "
                "'adjudicator tariff retire'")
        return best[0][1], best[0][2]

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
        raise ValueError("give at least 8 characters of the tariff's SHA-256")
    with transaction(ctx.factory) as session:
        found = list(session.execute(select(TariffRecord).where(
            TariffRecord.sha256.startswith(sha256_prefix))).scalars())
        if len(found) != 1:
            raise LookupError(f"{len(found)} stored tariffs match {sha256_prefix!r}")
        record = found[0]
        record.active = False
        append_events(session, ctx.user_id, ctx.now(), [PendingEvent(
            "tariff.retired", "tariff", record.tariff_id,
            {"sha256": record.sha256, "reason": reason})])
        return record
