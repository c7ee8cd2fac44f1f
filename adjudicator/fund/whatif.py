"""测算: what a draft tariff would have cost, re-deciding every claim of a year from its stored
case snapshot, with the households' histories rebuilt under the draft. Read-only.

Each claim's current decision keeps the case it was decided on (`decisions.case_json`). The
what-if takes those snapshots household by household, in RULES.md's order (event date, claim
id), and replaces each snapshot's history with what the draft's own earlier decisions of the
household leave: eligible expense counted and paid in the claim's category, paid in all
categories. A pended decision enters the history as its approval would (the payout shown, the
expense counted): the what-if costs the draft as if a person approved every pend it raises
(an incomplete verification pends at 0.00 and counts nothing).

Speed: the snapshots are streamed from the database in household order and decided a chunk
of households at a time on the columnar engine, in waves (the k-th claim of every household of
the chunk at once); the few documents the columnar engine hands back go the scalar way. A
sweep decides each chunk under every variant of the draft while it is in memory, so the
database is read once whatever the number of values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, or_, select

from adjudicator.fund.contract import FEN, Contract
from adjudicator.rules.columnar import ColumnarEngine, fen_of, yuan
from adjudicator.rules.decided import Decided
from adjudicator.rules.decision import adjudicate
from adjudicator.rules.tariff import Tariff, TariffError, _semantic_problems
from adjudicator.rules.validated_toml import loc_to_key
from adjudicator.storage.context import Context
from adjudicator.storage.db import READ_SNAPSHOT
from adjudicator.storage.models import Claim, DecisionRecord, Household, Member
from schemas.case import Case

ZERO = Decimal("0.00")
PAYING = ("approved", "pended")
_HISTORY = b'"history":{'


class WhatIfError(ValueError):
    """The what-if cannot run as asked (the message says why, in Chinese first)."""


@dataclass(slots=True)
class StoredClaim:
    """One claim of the year as the what-if reads it."""

    claim_id: str
    household_id: str
    category: str
    township: str
    actual_outcome: str
    actual_payout: int  # fen
    case_json: bytes


# ------------------------------------------------------------------------------ sweep variants


def parse_sweep(spec: str) -> tuple[str, list[Decimal]]:
    """`income_line=6000:9000:500` -> ("income_line", [6000, 6500, ..., 9000]) (inclusive)."""
    match = re.fullmatch(r"\s*([A-Za-z_][\w.\[\]]*)\s*=\s*([0-9.]+):([0-9.]+):([0-9.]+)\s*",
                         spec)
    if match is None:
        raise WhatIfError(f"--sweep 格式应为 键=起:止:步长，例如 income_line=6000:9000:500 "
                          f"(expected key=start:stop:step): {spec!r}")
    key = match.group(1)
    try:
        start, stop, step = (Decimal(match.group(i)) for i in (2, 3, 4))
    except InvalidOperation as exc:
        raise WhatIfError(f"--sweep 数值无效 (not a number): {spec!r}") from exc
    if step <= 0 or stop < start:
        raise WhatIfError(f"--sweep 步长须大于0且止值不小于起值 (step > 0, stop >= start): "
                          f"{spec!r}")
    values, value = [], start
    while value <= stop:
        values.append(value)
        value += step
    if len(values) > 50:
        raise WhatIfError(f"--sweep 最多50个取值，此处为{len(values)}个 (at most 50 values)")
    return key, values


def _set_path(data: Any, key: str, value: Decimal) -> None:
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", key)
    target = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        index: Any = int(part[1:-1]) if part.startswith("[") else part
        try:
            current = target[index]
        except (KeyError, IndexError, TypeError):
            current = None
        if not last:
            if not isinstance(current, dict | list):
                raise WhatIfError(f"草案中没有键{key} (the draft has no key {key})")
            target = current
            continue
        if isinstance(current, bool) or not isinstance(current, int | Decimal | str | None) \
                or (isinstance(current, str) and not _numeric(current)):
            raise WhatIfError(f"{key}不是数值键 (not a numeric key of the tariff)")
        if current is None and not (isinstance(target, dict) and index in target):
            raise WhatIfError(f"草案中没有键{key} (the draft has no key {key})")
        target[index] = str(value)


def _numeric(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def variant(draft: Tariff, key: str, value: Decimal) -> Tariff:
    """The draft with one numeric key set to `value`, validated like a tariff file."""
    data = draft.model_dump(by_alias=True, exclude={"sha256", "source"})
    for rules in data.get("categories", {}).values():
        for band in rules.get("bands", []):
            if band.get("to") is None:
                band.pop("to", None)
    _set_path(data, key, value)
    problems = _semantic_problems(data)
    try:
        tariff = Tariff.model_validate(data)
    except ValidationError as exc:
        problems += [(loc_to_key(err["loc"]), err["msg"]) for err in exc.errors()]
        tariff = None
    if problems or tariff is None:
        raise TariffError(f"{draft.source} ({key}={value})", problems)
    digest = hashlib.sha256(f"{draft.sha256}\n{key}={value}".encode()).hexdigest()
    return tariff.model_copy(update={"sha256": digest, "source": f"{draft.source}#{key}={value}"})


# ------------------------------------------------------------------------------ reading


def _stored(ctx: Context, draft: Tariff, year: int, chunk: int) -> Iterator[list[StoredClaim]]:
    """The year's decided claims of the draft's region, in (household, event date, claim id)
    order, a chunk of whole households at a time, from one read snapshot."""
    query = (
        select(Claim.claim_id, Claim.household_id, Claim.category,
               func.coalesce(Household.township_name, Household.township_code),
               DecisionRecord.outcome, DecisionRecord.payout, DecisionRecord.case_json,
               Claim.event_date)
        .join(Household, Household.household_id == Claim.household_id)
        .join(DecisionRecord, DecisionRecord.decision_id == Claim.current_decision_id)
        .where(Claim.event_date >= dt.date(year, 1, 1),
               Claim.event_date <= dt.date(year, 12, 31),
               or_(*(Household.region_code.startswith(code, autoescape=True)
                     for code in draft.region_codes)))
        # By household only: the database streams the households' claims in the order of
        # an index, without sorting a year of snapshots; each chunk is put in RULES.md's
        # order here.
        .order_by(Claim.household_id))
    with ctx.factory() as session:
        session.connection(execution_options={READ_SNAPSHOT: True})
        batch: list[tuple[str, dt.date, str, StoredClaim]] = []
        for row in session.execute(query.execution_options(yield_per=5000)):
            if len(batch) >= chunk and batch[-1][0] != row[1]:
                yield _in_order(batch)
                batch = []
            text = row[6]
            batch.append((row[1], row[7], row[0], StoredClaim(
                row[0], row[1], row[2], row[3], row[4], int(row[5] * 100),
                text.encode() if isinstance(text, str) else text)))
        if batch:
            yield _in_order(batch)


def _in_order(batch: list[tuple[str, dt.date, str, StoredClaim]]) -> list[StoredClaim]:
    """A chunk's claims by (household, event date, claim id)."""
    batch.sort(key=lambda item: item[:3])
    return [item[3] for item in batch]


def _persons(ctx: Context, household_ids: Sequence[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with ctx.factory() as session:
        for start in range(0, len(household_ids), 5000):
            part = household_ids[start:start + 5000]
            counts.update(session.execute(
                select(Member.household_id, func.count()).where(
                    Member.household_id.in_(part)).group_by(Member.household_id)).all())
    return counts


# ------------------------------------------------------------------------------ deciding


def with_history(case: bytes, expense: int, paid: int, paid_all: int) -> bytes:
    """The case snapshot with its history replaced (the history object is flat)."""
    start = case.find(_HISTORY)
    if start < 0:
        raise WhatIfError("案例快照中没有history (a stored case snapshot has no history)")
    end = case.index(b"}", start + len(_HISTORY))
    history = (f'"history":{{"eligible_expense_to_date":"{yuan(expense)}",'
               f'"paid_to_date":"{yuan(paid)}",'
               f'"paid_all_categories_to_date":"{yuan(paid_all)}"}}').encode()
    return case[:start] + history + case[end + 1:]


def decide_households(engine: ColumnarEngine, tariff: Tariff, claims: Sequence[StoredClaim]
                      ) -> list[Decided | str]:
    """Each claim's decision under `tariff`, households' histories rebuilt in order (the
    claims come grouped by household, in (event date, claim id) order); a string when the
    snapshot does not make a valid case."""
    groups: list[list[int]] = []
    for index, claim in enumerate(claims):
        if not groups or claims[groups[-1][0]].household_id != claim.household_id:
            groups.append([])
        groups[-1].append(index)
    results: list[Decided | str | None] = [None] * len(claims)
    # per group: {category: [expense, paid]}, and paid in all categories, in fen
    by_category: list[dict[str, list[int]]] = [{} for _ in groups]
    paid_all = [0] * len(groups)
    wave = 0
    active = list(range(len(groups)))
    while active:
        slots, texts = [], []
        for g in active:
            index = groups[g][wave]
            claim = claims[index]
            expense, paid = by_category[g].get(claim.category, (0, 0))
            slots.append((g, index))
            texts.append(with_history(claim.case_json, expense, paid, paid_all[g]))
        decided = engine.decide(texts)
        for (g, index), text, outcome in zip(slots, texts, decided, strict=True):
            result: Decided | str
            if outcome is None:
                try:
                    result = Decided.of(adjudicate(Case.model_validate_json(text), tariff))
                except ValidationError as exc:
                    result = "; ".join(f"{e['loc']}: {e['msg']}" for e in exc.errors())
            else:
                result = outcome
            results[index] = result
            if isinstance(result, str):
                continue
            sums = by_category[g].setdefault(claims[index].category, [0, 0])
            sums[0] += fen_of(result.counted_expense)
            if result.outcome in PAYING:
                payout = fen_of(result.payout)
                sums[1] += payout
                paid_all[g] += payout
        wave += 1
        active = [g for g in active if len(groups[g]) > wave]
    return [r if r is not None else "not decided" for r in results]


# ------------------------------------------------------------------------------ the report


@dataclass
class Movement:
    """Households (户) and persons (人) whose year's payout moved one way, and by how much."""

    households: int = 0
    persons: int = 0
    amount: Decimal = ZERO

    def add(self, persons: int, difference: Decimal) -> None:
        self.households += 1
        self.persons += persons
        self.amount += difference

    def as_dict(self) -> dict[str, Any]:
        return {"households": self.households, "persons": self.persons,
                "amount": f"{self.amount:.2f}"}


@dataclass
class VariantResult:
    """What one tariff (the draft, or one value of a sweep) costs, against the actual."""

    label: str
    tariff_id: str
    tariff_sha256: str
    claims: int = 0
    changed: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    actual: Decimal = ZERO
    draft: Decimal = ZERO
    by_category: dict[str, list[Decimal]] = field(default_factory=dict)
    by_township: dict[str, list[Decimal]] = field(default_factory=dict)
    newly_paid: Movement = field(default_factory=Movement)
    no_longer_paid: Movement = field(default_factory=Movement)
    paid_more: Movement = field(default_factory=Movement)
    paid_less: Movement = field(default_factory=Movement)
    required_premium_per_person: Decimal | None = None
    required_fund: Decimal | None = None

    def as_dict(self) -> dict[str, Any]:
        def pairs(table: dict[str, list[Decimal]]) -> dict[str, dict[str, str]]:
            return {k: {"actual": f"{a:.2f}", "draft": f"{d:.2f}", "change": f"{d - a:.2f}"}
                    for k, (a, d) in sorted(table.items())}

        return {
            "label": self.label, "tariff_id": self.tariff_id,
            "tariff_sha256": self.tariff_sha256, "claims": self.claims,
            "decisions_changed": self.changed, "errors": len(self.errors),
            "actual": f"{self.actual:.2f}", "draft": f"{self.draft:.2f}",
            "change": f"{self.draft - self.actual:.2f}",
            "by_category": pairs(self.by_category), "by_township": pairs(self.by_township),
            "newly_paid": self.newly_paid.as_dict(),
            "no_longer_paid": self.no_longer_paid.as_dict(),
            "paid_more": self.paid_more.as_dict(), "paid_less": self.paid_less.as_dict(),
            "required_premium_per_person": (None if self.required_premium_per_person is None
                                            else f"{self.required_premium_per_person:.2f}"),
            "required_fund": (None if self.required_fund is None
                              else f"{self.required_fund:.2f}")}


def _money(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2).quantize(FEN)


def _tally(result: VariantResult, claims: Sequence[StoredClaim],
           decided: Sequence[Decided | str], persons: dict[str, int]) -> None:
    actual_by_household: dict[str, int] = defaultdict(int)
    draft_by_household: dict[str, int] = defaultdict(int)
    for claim, outcome in zip(claims, decided, strict=True):
        result.claims += 1
        actual = claim.actual_payout if claim.actual_outcome in PAYING else 0
        actual_by_household[claim.household_id] += actual
        if isinstance(outcome, str):
            result.errors.append((claim.claim_id, outcome))
            continue
        draft = fen_of(outcome.payout) if outcome.outcome in PAYING else 0
        draft_by_household[claim.household_id] += draft
        if outcome.outcome != claim.actual_outcome or draft != claim.actual_payout:
            result.changed += 1
        for table, key in ((result.by_category, claim.category),
                           (result.by_township, claim.township)):
            row = table.setdefault(key, [ZERO, ZERO])
            row[0] += _money(actual)
            row[1] += _money(draft)
        result.actual += _money(actual)
        result.draft += _money(draft)
    for household, actual in actual_by_household.items():
        draft = draft_by_household.get(household, 0)
        difference = _money(draft - actual)
        size = persons.get(household, 0)
        if actual == 0 and draft > 0:
            result.newly_paid.add(size, difference)
        elif actual > 0 and draft == 0:
            result.no_longer_paid.add(size, difference)
        elif draft > actual:
            result.paid_more.add(size, difference)
        elif draft < actual:
            result.paid_less.add(size, difference)


@dataclass
class WhatIf:
    year: int
    draft_source: str
    sweep_key: str | None
    variants: list[VariantResult]
    decisions: dict[str, Decided | str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "draft": self.draft_source, "sweep_key": self.sweep_key,
                "variants": [v.as_dict() for v in self.variants]}


def what_if(ctx: Context, draft: Tariff, year: int, contract: Contract | None = None,
            sweep: tuple[str, list[Decimal]] | None = None, *, chunk: int = 20_000,
            keep_decisions: bool = False) -> WhatIf:
    """Re-decide every claim of `year` in the draft's region under the draft (or under each
    value of the sweep); nothing is stored."""
    ctx.require("read")
    if sweep is None:
        tariffs = [("草案", draft)]
    else:
        key, values = sweep
        tariffs = [(f"{key}={value}", variant(draft, key, value)) for value in values]
    engines = [(label, tariff, ColumnarEngine(tariff)) for label, tariff in tariffs]
    results = [VariantResult(label, tariff.id, tariff.sha256) for label, tariff, _ in engines]
    kept: dict[str, Decided | str] | None = {} if keep_decisions else None
    for claims in _stored(ctx, draft, year, chunk):
        persons = _persons(ctx, sorted({c.household_id for c in claims}))
        for (_, tariff, engine), result in zip(engines, results, strict=True):
            decided = decide_households(engine, tariff, claims)
            _tally(result, claims, decided, persons)
            if kept is not None and result is results[0]:
                kept.update((c.claim_id, d) for c, d in zip(claims, decided, strict=True))
    if contract is not None:
        for result in results:
            need = (result.draft / contract.loss_ratio_target)
            result.required_fund = need.quantize(FEN, rounding=ROUND_CEILING)
            if contract.insured_persons:
                result.required_premium_per_person = (need / contract.insured_persons
                                                      ).quantize(FEN, rounding=ROUND_CEILING)
    return WhatIf(year, draft.source, None if sweep is None else sweep[0], results, kept)
