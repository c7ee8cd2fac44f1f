"""Replay (重放): re-run stored decisions from their case snapshots and stored tariff bytes,
and report every difference, field by field. A clean replay proves the record is whole."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from adjudicator.rules.decision import adjudicate
from adjudicator.rules.tariff import Tariff, TariffError, parse_tariff
from adjudicator.services.scope import require_claim, require_claim_in_scope, scoped
from adjudicator.storage.context import Context
from adjudicator.storage.models import Claim, DecisionRecord, Household, TariffRecord
from schemas.case import Case


@dataclass(frozen=True)
class Difference:
    decision_id: int
    claim_id: str
    field: str
    stored: Any
    replayed: Any


@dataclass
class ReplayResult:
    checked: int = 0
    identical: int = 0
    differences: list[Difference] = field(default_factory=list)
    engine_versions: dict[str, int] = field(default_factory=dict)


def _diff(stored: Any, replayed: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    if isinstance(stored, dict) and isinstance(replayed, dict):
        for key in list(stored) + [k for k in replayed if k not in stored]:
            yield from _diff(stored.get(key), replayed.get(key), f"{path}.{key}" if path else key)
    elif isinstance(stored, list) and isinstance(replayed, list) and len(stored) == len(replayed):
        for i, (a, b) in enumerate(zip(stored, replayed, strict=True)):
            yield from _diff(a, b, f"{path}[{i}]")
    elif stored != replayed:
        yield path or "(decision)", stored, replayed


def replay(ctx: Context, *, claim_id: str | None = None, limit: int | None = None,
           chunk: int = 2000) -> ReplayResult:
    """Re-decide stored decisions (all, one claim's, or the first `limit`)."""
    ctx.require("replay")
    result = ReplayResult()
    tariffs: dict[int, Tariff | TariffError] = {}
    last = 0
    with ctx.factory() as session:
        if claim_id is not None:
            require_claim(session, claim_id)
        while True:
            query = select(DecisionRecord).where(DecisionRecord.decision_id > last)
            if claim_id is not None:
                require_claim_in_scope(ctx, session, claim_id)
                query = query.where(DecisionRecord.claim_id == claim_id)
            if ctx.townships:  # a user of some townships replays their decisions only
                query = scoped(ctx, query.join(Claim, Claim.claim_id == DecisionRecord.claim_id)
                               .join(Household, Household.household_id == Claim.household_id),
                               Household.township_code)
            rows = session.execute(query.order_by(DecisionRecord.decision_id).limit(chunk)
                                   ).scalars().all()
            if not rows:
                break
            for row in rows:
                if limit is not None and result.checked >= limit:
                    return result
                _replay_one(session, row, tariffs, result)
                last = row.decision_id
            session.expunge_all()
    return result


def _replay_one(session: Session, row: DecisionRecord, tariffs: dict[int, Tariff | TariffError],
                result: ReplayResult) -> None:
    result.checked += 1
    result.engine_versions[row.engine_version] = result.engine_versions.get(
        row.engine_version, 0) + 1
    if row.tariff_pk not in tariffs:
        record = session.get(TariffRecord, row.tariff_pk)
        assert record is not None  # a foreign key: the decision's tariff is stored
        try:
            tariffs[row.tariff_pk] = parse_tariff(record.content, f"stored tariff #{record.pk}")
        except TariffError as exc:
            tariffs[row.tariff_pk] = exc
        if hashlib.sha256(record.content).hexdigest() != record.sha256:
            tariffs[row.tariff_pk] = TariffError(f"stored tariff #{record.pk}",
                                                 [("(bytes)", "do not match their SHA-256")])
    tariff = tariffs[row.tariff_pk]
    if isinstance(tariff, TariffError):
        result.differences.append(Difference(row.decision_id, row.claim_id, "tariff",
                                              row.tariff_sha256, str(tariff)))
        return
    decision = adjudicate(Case.model_validate_json(row.case_json), tariff)
    replayed = decision.to_json()
    # The row's own columns are what lists, notices and payments read: they must be the
    # replayed decision's too, not only its stored text.
    columns = [(name, stored, again) for name, stored, again in (
        ("outcome", row.outcome, decision.outcome.value),
        ("payout", row.payout, decision.payout),
        ("counted_expense", row.counted_expense, decision.counted_expense),
        ("eligible_expense", row.eligible_expense, decision.eligible_expense))
        if stored != again]
    for name, stored, again in columns:
        result.differences.append(Difference(row.decision_id, row.claim_id,
                                              f"decisions.{name}", str(stored), str(again)))
    if replayed == row.decision_json:
        if not columns:
            result.identical += 1
        return
    stored_data, replayed_data = orjson.loads(row.decision_json), orjson.loads(replayed)
    found = list(_diff(stored_data, replayed_data))
    for path, a, b in found or [("(bytes)", "stored text differs", "")]:
        result.differences.append(Difference(row.decision_id, row.claim_id, path, a, b))
