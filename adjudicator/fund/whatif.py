"""测算: what a draft tariff would have cost, re-deciding every claim of a year from its stored
case snapshot, with the households' histories rebuilt under the draft. Read-only.

Each claim's current decision keeps the case it was decided on (`decisions.case_json`). The
what-if takes those snapshots household by household, in RULES.md's order (event date, claim
id), and replaces each snapshot's history with what the draft's own earlier decisions of the
household leave: eligible expense counted and paid in the claim's category, paid in all
categories and, under a per-person cap, paid to the claim's member in all categories. A pended
decision enters the history as its approval would (the payout shown, the expense counted): the
what-if costs the draft as if a person approved every pend it raises (an incomplete
verification pends at 0.00 and counts nothing).

Speed: the snapshots are streamed from the database in household order, a chunk of whole
households at a time, and costed without writing the decisions out: the columnar engine's
steps 1 to 4 run once per claim (`ColumnarEngine.prepare`), then steps 5 to 8 run as integer
figures over columns (`ColumnarEngine.cost`), in waves (the k-th claim of every household of
the chunk at once, its history taken from arrays of the household's sums so far); the few
documents the columnar engine hands back go the scalar way. A sweep costs each chunk under
every variant of the draft while it is in memory, the snapshots parsed and checked once for
all the variants that differ only in figures, so the database is read once whatever the
number of values. A large year is shared out by household range between processes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import multiprocessing
import os
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any, NamedTuple

import numpy as np
import orjson
from pydantic import ValidationError
from sqlalchemy import LargeBinary, cast, func, or_, select

from adjudicator.fund.contract import FEN, Contract
from adjudicator.rules.columnar import (
    COST_APPROVED,
    COST_DENIED,
    COST_PENDED,
    ColumnarEngine,
    fen_of,
    yuan,
)
from adjudicator.rules.decided import Decided
from adjudicator.rules.decision import adjudicate
from adjudicator.rules.tariff import Tariff, TariffError, _semantic_problems
from adjudicator.rules.validated_toml import loc_to_key
from adjudicator.storage.context import Context, connect
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
    member_id: str = ""
    persons: int = 0  # the household's members, as stored


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


def _stored(ctx: Context, draft: Tariff, year: int, chunk: int,
            bounds: tuple[str | None, str | None] = (None, None)
            ) -> Iterator[list[StoredClaim]]:
    """The year's decided claims of the draft's region, in (household, event date, claim id)
    order, a chunk of whole households at a time, from one read snapshot; with `bounds`, the
    households from the first (included) to the second (excluded) only."""
    # SQLite hands the snapshot's text over as its UTF-8 bytes (CAST AS BLOB), without making
    # a str of it that would be encoded again; PostgreSQL's text-to-bytea cast would read
    # backslashes as escapes, so there the text is encoded here.
    snapshot: Any = (cast(DecisionRecord.case_json, LargeBinary)
                     if ctx.engine.dialect.name == "sqlite" else DecisionRecord.case_json)
    # The household's persons counted by the database with each claim (an index range of a
    # few rows), in the same read snapshot, instead of a query and a dict per chunk.
    persons = (select(func.count()).select_from(Member)
               .where(Member.household_id == Claim.household_id).scalar_subquery())
    query = (
        select(Claim.claim_id, Claim.household_id, Claim.category,
               func.coalesce(Household.township_name, Household.township_code),
               DecisionRecord.outcome, DecisionRecord.payout, snapshot,
               Claim.event_date, Claim.member_id, persons)
        .join(Household, Household.household_id == Claim.household_id)
        .join(DecisionRecord, DecisionRecord.decision_id == Claim.current_decision_id)
        .where(Claim.event_date >= dt.date(year, 1, 1),
               Claim.event_date <= dt.date(year, 12, 31),
               _in_region(draft))
        # By household only: the database streams the households' claims in the order of
        # an index, without sorting a year of snapshots; each chunk is put in RULES.md's
        # order here.
        .order_by(Claim.household_id))
    low, high = bounds
    if low is not None:
        query = query.where(Claim.household_id >= low)
    if high is not None:
        query = query.where(Claim.household_id < high)
    with ctx.factory() as session:
        # Core rows, streamed (no ORM row handling: a year is a million rows).
        connection = session.connection(execution_options={READ_SNAPSHOT: True})
        batch: list[tuple[str, dt.date, str, StoredClaim]] = []
        for row in connection.execution_options(yield_per=5000).execute(query):
            if len(batch) >= chunk and batch[-1][0] != row[1]:
                yield _in_order(batch)
                batch = []
            text = row[6]
            batch.append((row[1], row[7], row[0], StoredClaim(
                row[0], row[1], row[2], row[3], row[4], int(row[5] * 100),
                text.encode() if isinstance(text, str) else text, row[8], row[9])))
        if batch:
            yield _in_order(batch)


def _in_order(batch: list[tuple[str, dt.date, str, StoredClaim]]) -> list[StoredClaim]:
    """A chunk's claims by (household, event date, claim id)."""
    batch.sort(key=lambda item: item[:3])
    return [item[3] for item in batch]


def _in_region(draft: Tariff) -> Any:
    return or_(*(Household.region_code.startswith(code, autoescape=True)
                 for code in draft.region_codes))


def _partitions(ctx: Context, draft: Tariff, workers: int
                ) -> list[tuple[str | None, str | None]]:
    """`workers` ranges of household ids holding about as many of the region's households
    each (read from the households alone: quicker than the claims' join)."""
    with ctx.factory() as session:
        total = session.execute(select(func.count()).select_from(Household)
                                .where(_in_region(draft))).scalar_one()
        edges: list[str | None] = [None]
        for k in range(1, workers):
            edge = session.execute(select(Household.household_id).where(_in_region(draft))
                                   .order_by(Household.household_id)
                                   .offset(total * k // workers).limit(1)).scalar()
            if edge is not None and edge != edges[-1]:
                edges.append(edge)
    edges.append(None)
    return list(itertools.pairwise(edges))


def _claims_in(ctx: Context, year: int) -> int:
    """The claims of the year, all regions (a cheap bound, to choose the processes)."""
    with ctx.factory() as session:
        return session.execute(select(func.count()).select_from(Claim).where(
            Claim.event_date >= dt.date(year, 1, 1),
            Claim.event_date <= dt.date(year, 12, 31))).scalar_one()


# ------------------------------------------------------------------------------ deciding


def with_history(case: bytes, expense: int, paid: int, paid_all: int,
                 paid_member: int | None = None) -> bytes:
    """The case snapshot with its history replaced (the history object is flat); with
    `paid_member` (a tariff with a per-person cap), also what the claim's member was paid in
    all categories, as `rules.history.history_for` gives it."""
    start = case.find(_HISTORY)
    if start < 0:
        raise WhatIfError("案例快照中没有history (a stored case snapshot has no history)")
    end = case.index(b"}", start + len(_HISTORY))
    member = ("" if paid_member is None
              else f',"paid_member_all_categories_to_date":"{yuan(paid_member)}"')
    history = (f'"history":{{"eligible_expense_to_date":"{yuan(expense)}",'
               f'"paid_to_date":"{yuan(paid)}",'
               f'"paid_all_categories_to_date":"{yuan(paid_all)}"{member}}}').encode()
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
    # per group: {category: [expense, paid]}, paid in all categories and per member, in fen
    by_category: list[dict[str, list[int]]] = [{} for _ in groups]
    paid_all = [0] * len(groups)
    by_member: list[dict[str, int]] = [{} for _ in groups]
    per_person = tariff.person_annual_cap_all is not None
    wave = 0
    active = list(range(len(groups)))
    while active:
        slots, texts = [], []
        for g in active:
            index = groups[g][wave]
            claim = claims[index]
            expense, paid = by_category[g].get(claim.category, (0, 0))
            slots.append((g, index))
            texts.append(with_history(
                claim.case_json, expense, paid, paid_all[g],
                by_member[g].get(claim.member_id, 0) if per_person else None))
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
                member = claims[index].member_id
                by_member[g][member] = by_member[g].get(member, 0) + payout
        wave += 1
        active = [g for g in active if len(groups[g]) > wave]
    return [r if r is not None else "not decided" for r in results]


# ------------------------------------------------------------------------------ costing

OUTCOMES = {COST_DENIED: "denied", COST_APPROVED: "approved", COST_PENDED: "pended"}
CODES = {name: code for code, name in OUTCOMES.items()}
#: The outcome code of a snapshot that does not make a valid case.
ERROR = -1
#: Tariff keys that steps 1 to 4 do not read: variants differing only there share one
#: preparation of the chunk (the snapshots parsed and checked once).
_COSTING_ONLY = frozenset({
    "id", "name", "sha256", "source", "income_line", "income_test", "hardship_ratio",
    "borderline_margin", "large_payout_review", "rounding", "household_annual_cap_all",
    "person_annual_cap_all", "notice", "feed_screening", "verification_valid_days"})
_CATEGORY_COSTING_ONLY = frozenset({"annual_cap", "bands", "warning_line", "warning_fields"})


class Costed(NamedTuple):
    """A claim's costing under the draft: its outcome, payout and counted expense."""

    outcome: str
    payout: str
    counted_expense: str


def preparation_key(tariff: Tariff) -> str:
    """What steps 1 to 4 read of a tariff, as text: equal keys prepare a chunk alike."""
    data = tariff.model_dump(mode="json", by_alias=True, exclude=set(_COSTING_ONLY))
    for rules in data.get("categories", {}).values():
        for name in _CATEGORY_COSTING_ONLY:
            rules.pop(name, None)
    return orjson.dumps(data).decode()


@dataclass
class Layout:
    """A chunk's claims as columns, the same for every variant: each claim's household (its
    index in the chunk), member (its index among the chunk's members), category, wave (its
    rank in the household's year), actual outcome and payout, category and township codes."""

    claims: Sequence[StoredClaim]
    household: Any
    category: Any
    waves: list[Any]
    households: list[str]
    categories: list[str]
    township: Any
    townships: list[str]
    actual: Any
    actual_outcome: Any
    member: Any
    members: int
    persons: Any  # per household of the chunk: its members, as stored

    @classmethod
    def of(cls, claims: Sequence[StoredClaim]) -> Layout:
        n = len(claims)
        household = np.empty(n, dtype=np.int64)
        category = np.empty(n, dtype=np.int64)
        rank = np.empty(n, dtype=np.int64)
        actual = np.empty(n, dtype=np.int64)
        actual_outcome = np.empty(n, dtype=np.int8)
        township = np.empty(n, dtype=np.int64)
        member = np.empty(n, dtype=np.int64)
        member_ids: dict[tuple[str, str], int] = {}
        households: list[str] = []
        persons: list[int] = []
        category_ids: dict[str, int] = {}
        township_ids: dict[str, int] = {}
        k = 0
        for i, claim in enumerate(claims):
            if not households or households[-1] != claim.household_id:
                households.append(claim.household_id)
                persons.append(claim.persons)
                k = 0
            household[i] = len(households) - 1
            rank[i] = k
            k += 1
            category[i] = category_ids.setdefault(claim.category, len(category_ids))
            township[i] = township_ids.setdefault(claim.township, len(township_ids))
            member[i] = member_ids.setdefault((claim.household_id, claim.member_id),
                                              len(member_ids))
            actual[i] = claim.actual_payout
            actual_outcome[i] = CODES.get(claim.actual_outcome, ERROR)
        order = np.argsort(rank, kind="stable")
        bounds = np.searchsorted(rank[order], np.arange(int(rank.max(initial=-1)) + 2))
        waves = [order[bounds[w]:bounds[w + 1]] for w in range(len(bounds) - 1)]
        return cls(claims, household, category, waves, households, list(category_ids),
                   township, list(township_ids), actual, actual_outcome, member,
                   len(member_ids), np.array(persons, dtype=np.int64))


@dataclass
class Prepared:
    """A chunk after steps 1 to 4 under one preparation key: per claim, its kind (settled,
    to cost, or the scalar way), the outcome steps 1 to 4 settled, and the figures steps 5 to
    8 read beside the history."""

    kind: Any
    settled: Any
    columns: dict[str, Any]

    SETTLED, COSTED, SCALAR = 0, 1, 2

    @classmethod
    def of(cls, engine: ColumnarEngine, claims: Sequence[StoredClaim]) -> Prepared:
        n = len(claims)
        kind = np.full(n, cls.SCALAR, dtype=np.int8)
        settled = np.zeros(n, dtype=np.int8)
        figures = {name: [0] * n for name in ("raw", "income", "costs", "members", "category")}
        limit = 1 << 50
        index = engine.t.category_index
        for i, item in enumerate(engine.prepare([c.case_json for c in claims])):
            if item is None:
                continue
            if isinstance(item, str):
                kind[i] = cls.SETTLED
                settled[i] = CODES[item]
                continue
            values = (*item[:4], index[item[4]])
            if max(map(abs, values)) >= limit:
                continue  # beyond 64-bit columns: the scalar way
            kind[i] = cls.COSTED
            for name, value in zip(figures, values, strict=True):
                figures[name][i] = value
        return cls(kind, settled, {name: np.array(values, dtype=np.int64)
                                   for name, values in figures.items()})


@dataclass
class Costing:
    """A chunk costed under one tariff: per claim, the outcome code (ERROR when the snapshot
    does not make a valid case), the payout and counted expense in fen; the errors' texts."""

    outcome: Any
    payout: Any
    counted: Any
    errors: dict[int, str]

    def costed(self, index: int) -> Costed | str:
        if index in self.errors:
            return self.errors[index]
        return Costed(OUTCOMES[int(self.outcome[index])], yuan(int(self.payout[index])),
                      yuan(int(self.counted[index])))


def cost_households(engine: ColumnarEngine, tariff: Tariff, layout: Layout,
                    prepared: Prepared) -> Costing:
    """Each claim of the chunk costed under `tariff`, the households' histories rebuilt in
    RULES.md's order: wave by wave (the k-th claim of every household at once), each wave's
    histories are what the draft's earlier decisions of the household leave (eligible expense
    counted and paid in the claim's category, paid in all categories, paid to the claim's
    member in all categories)."""
    claims = layout.claims
    n = len(claims)
    outcome = prepared.settled.copy()
    payout = np.zeros(n, dtype=np.int64)
    counted = np.zeros(n, dtype=np.int64)
    errors: dict[int, str] = {}
    width = max(len(layout.categories), 1)
    expense_to_date = np.zeros(len(layout.households) * width, dtype=np.int64)
    paid_to_date = np.zeros_like(expense_to_date)
    paid_all = np.zeros(len(layout.households), dtype=np.int64)
    paid_member = np.zeros(layout.members, dtype=np.int64)
    per_person = tariff.person_annual_cap_all is not None
    columns = prepared.columns
    for wave in layout.waves:
        households = layout.household[wave]
        members = layout.member[wave]
        keys = households * width + layout.category[wave]
        kinds = prepared.kind[wave]
        costed = kinds == Prepared.COSTED
        if costed.any():
            rows = wave[costed]
            wave_keys, wave_households = keys[costed], households[costed]
            codes, paid, expense = engine.cost({
                **{name: values[rows] for name, values in columns.items()},
                "to_date": expense_to_date[wave_keys], "paid": paid_to_date[wave_keys],
                "paid_all": paid_all[wave_households],
                "paid_member": paid_member[members[costed]]})
            outcome[rows], payout[rows], counted[rows] = codes, paid, expense
        scalar = kinds == Prepared.SCALAR
        for row, key, g, m in zip(wave[scalar].tolist(), keys[scalar].tolist(),
                                  households[scalar].tolist(), members[scalar].tolist(),
                                  strict=True):
            text = with_history(claims[row].case_json, int(expense_to_date[key]),
                                int(paid_to_date[key]), int(paid_all[g]),
                                int(paid_member[m]) if per_person else None)
            try:
                decision = adjudicate(Case.model_validate_json(text), tariff)
            except ValidationError as exc:
                errors[row] = "; ".join(f"{e['loc']}: {e['msg']}" for e in exc.errors())
                outcome[row] = ERROR
                continue
            outcome[row] = CODES[decision.outcome.value]
            payout[row] = _fen_of(decision.payout) if decision.outcome.value in PAYING else 0
            counted[row] = _fen_of(decision.counted_expense)
        # Each household has one claim in a wave: its keys (and members) are distinct.
        expense_to_date[keys] += counted[wave]
        paying = np.where(outcome[wave] > 0, payout[wave], 0)
        paid_to_date[keys] += paying
        paid_all[households] += paying
        paid_member[members] += paying
    return Costing(outcome, payout, counted, errors)


def _fen_of(amount: Decimal) -> int:
    return int(amount.scaleb(2))


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

    def merge(self, other: VariantResult) -> None:
        """Adds the figures of another part of the same year (households apart)."""
        self.claims += other.claims
        self.changed += other.changed
        self.errors.extend(other.errors)
        self.actual += other.actual
        self.draft += other.draft
        for mine, theirs in ((self.by_category, other.by_category),
                             (self.by_township, other.by_township)):
            for name, (a, d) in theirs.items():
                row = mine.setdefault(name, [ZERO, ZERO])
                row[0] += a
                row[1] += d
        for movement, more in ((self.newly_paid, other.newly_paid),
                               (self.no_longer_paid, other.no_longer_paid),
                               (self.paid_more, other.paid_more),
                               (self.paid_less, other.paid_less)):
            movement.households += more.households
            movement.persons += more.persons
            movement.amount += more.amount

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


def _tally(result: VariantResult, layout: Layout, costing: Costing, persons: Any) -> None:
    """Adds a costed chunk to the variant's figures (in fen, each sum made a Decimal once)."""
    ok = costing.outcome != ERROR
    actual = np.where(layout.actual_outcome > 0, layout.actual, 0)
    draft = np.where(costing.outcome > 0, costing.payout, 0)
    result.claims += len(layout.claims)
    result.errors.extend((layout.claims[i].claim_id, text)
                         for i, text in sorted(costing.errors.items()))
    result.changed += int(np.count_nonzero(ok & ((costing.outcome != layout.actual_outcome)
                                                  | (costing.payout != layout.actual))))
    for table, names, codes in ((result.by_category, layout.categories, layout.category),
                                (result.by_township, layout.townships, layout.township)):
        sums = np.zeros((2, len(names)), dtype=np.int64)
        np.add.at(sums[0], codes[ok], actual[ok])
        np.add.at(sums[1], codes[ok], draft[ok])
        for name, (a, d) in zip(names, sums.T.tolist(), strict=True):
            row = table.setdefault(name, [ZERO, ZERO])
            row[0] += _money(a)
            row[1] += _money(d)
    result.actual += _money(int(actual[ok].sum()))
    result.draft += _money(int(draft[ok].sum()))
    by_household = np.zeros((2, len(layout.households)), dtype=np.int64)
    np.add.at(by_household[0], layout.household, actual)
    np.add.at(by_household[1], layout.household[ok], draft[ok])
    before, after = by_household
    for movement, moved in (
            (result.newly_paid, (before == 0) & (after > 0)),
            (result.no_longer_paid, (before > 0) & (after == 0)),
            (result.paid_more, (before > 0) & (after > before)),
            (result.paid_less, (after > 0) & (after < before))):
        movement.households += int(np.count_nonzero(moved))
        movement.persons += int(persons[moved].sum())
        movement.amount += _money(int((after[moved] - before[moved]).sum()))


@dataclass
class WhatIf:
    year: int
    draft_source: str
    sweep_key: str | None
    variants: list[VariantResult]
    decisions: dict[str, Costed | str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "draft": self.draft_source, "sweep_key": self.sweep_key,
                "variants": [v.as_dict() for v in self.variants]}


#: From this many claims of the year a what-if is worth splitting between processes.
PARALLEL_FROM = 100_000


def what_if(ctx: Context, draft: Tariff, year: int, contract: Contract | None = None,
            sweep: tuple[str, list[Decimal]] | None = None, *, chunk: int = 20_000,
            keep_decisions: bool = False, workers: int | None = None) -> WhatIf:
    """Re-decide every claim of `year` in the draft's region under the draft (or under each
    value of the sweep); nothing is stored. A large year is split by household between
    `workers` processes (by default one per core, at most four, from PARALLEL_FROM claims; a
    database in memory is read in this process)."""
    ctx.require("read")
    if sweep is None:
        tariffs = [("草案", draft)]
    else:
        key, values = sweep
        tariffs = [(f"{key}={value}", variant(draft, key, value)) for value in values]
    url = ctx.engine.url
    if workers is None:
        workers = 1
        if (url.database not in (None, "", ":memory:") and not keep_decisions
                and _claims_in(ctx, year) >= PARALLEL_FROM):
            workers = max(1, min(os.cpu_count() or 1, 4))
    parts = _partitions(ctx, draft, workers) if workers > 1 else [(None, None)]
    if len(parts) == 1:
        results, kept = _cost_part(ctx, draft, tariffs, year, chunk, parts[0], keep_decisions)
    else:
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(len(parts), mp_context=spawn) as pool:
            futures = [pool.submit(_cost_part_apart, url.render_as_string(hide_password=False),
                                   ctx.user_id, ctx.role, ctx.townships, draft, tariffs, year,
                                   chunk, bounds, keep_decisions) for bounds in parts]
            done = [future.result() for future in futures]
        results, kept = done[0]
        for more, more_kept in done[1:]:
            for result, other in zip(results, more, strict=True):
                result.merge(other)
            if kept is not None and more_kept is not None:
                kept.update(more_kept)
    if contract is not None:
        for result in results:
            need = (result.draft / contract.loss_ratio_target)
            result.required_fund = need.quantize(FEN, rounding=ROUND_CEILING)
            if contract.insured_persons:
                result.required_premium_per_person = (need / contract.insured_persons
                                                      ).quantize(FEN, rounding=ROUND_CEILING)
    return WhatIf(year, draft.source, None if sweep is None else sweep[0], results, kept)


def _cost_part(ctx: Context, draft: Tariff, tariffs: list[tuple[str, Tariff]], year: int,
               chunk: int, bounds: tuple[str | None, str | None], keep_decisions: bool
               ) -> tuple[list[VariantResult], dict[str, Costed | str] | None]:
    """Every variant's figures over the households within `bounds`, one read of them."""
    engines = [(tariff, ColumnarEngine(tariff), preparation_key(tariff))
               for _, tariff in tariffs]
    results = [VariantResult(label, tariff.id, tariff.sha256) for label, tariff in tariffs]
    kept: dict[str, Costed | str] | None = {} if keep_decisions else None
    for claims in _stored(ctx, draft, year, chunk, bounds):
        layout = Layout.of(claims)
        # Steps 1 to 4 once per chunk for the variants that read the same of the tariff there
        # (a sweep of a numeric key: once for all its values).
        prepared: dict[str, Prepared] = {}
        for (tariff, engine, key), result in zip(engines, results, strict=True):
            if key not in prepared:
                prepared[key] = Prepared.of(engine, claims)
            costing = cost_households(engine, tariff, layout, prepared[key])
            _tally(result, layout, costing, layout.persons)
            if kept is not None and result is results[0]:
                kept.update((c.claim_id, costing.costed(i)) for i, c in enumerate(claims))
    return results, kept


def _cost_part_apart(url: str, user_id: str, role: str, townships: tuple[str, ...],
                     draft: Tariff, tariffs: list[tuple[str, Tariff]], year: int, chunk: int,
                     bounds: tuple[str | None, str | None], keep_decisions: bool
                     ) -> tuple[list[VariantResult], dict[str, Costed | str] | None]:
    """`_cost_part` in a process of its own, on its own connection."""
    engine, factory = connect(url)
    try:
        return _cost_part(Context(engine, factory, user_id, role, townships=townships), draft,
                          tariffs, year, chunk, bounds, keep_decisions)
    finally:
        engine.dispose()
