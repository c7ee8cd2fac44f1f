"""`feed screen --month`: warning lines (预警线) and the push list (预警推送名单).

For each registered household and claim category, the year's figure is the sum, over the
household's feed rows of the year up to the month's end (reversed settlements and refunds
left out), of the fields the tariff's `warning_fields` name. A household goes on the month's
screening when its figure is above the category's `warning_line` for the first time in the
year, or has grown since the last time it was screened. Obvious non-cases are then screened
out, each with a named reason (`REASONS`); the rest is the push list, per township.

A settlement is counted into a claim once, ever: rows already inside a claim (the feed's own
claims, or an imported claim whose document number is the settlement number) are linked to it
and are not new expense.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
import polars as pl
from sqlalchemy import Text, and_, case, cast, func, or_, select, type_coerce, update
from sqlalchemy.orm import Session

from adjudicator.feeds import strangers
from adjudicator.feeds.importer import insert_frame, month_bounds
from adjudicator.masking import mask_name
from adjudicator.rules.figures import default_fields
from adjudicator.rules.tariff import Tariff
from adjudicator.services.tariffs import TariffBook, TariffChoiceError
from adjudicator.storage.bulk import among, insert_rows, unique
from adjudicator.storage.context import Context
from adjudicator.storage.db import reads_only, transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import (
    Amount,
    Claim,
    Finding,
    Household,
    Member,
    Verification,
)
from adjudicator.storage.models_feeds import FeedPush, FeedRow
from schemas.vocabulary import SCREENING_REASONS

ZERO = Decimal("0.00")

#: reason code -> what the push list says (初筛剔除原因), the township's own removal aside
REASONS: dict[str, str] = {code: words.zh for code, words in SCREENING_REASONS.items()
                           if code != "TOWNSHIP_REMOVED"}
PUSHED, SCREENED_OUT, KEPT, REMOVED = "pushed", "screened_out", "kept", "removed"
#: the push list's key of a person not registered: this and a hash of the ID number
STRANGER = "未登记-"
#: people not registered are screened this many at a time (read, measured, stored)
STRANGER_CHUNK = 50_000
#: registered households near a line are screened this many at a time
HOUSEHOLD_CHUNK = 2_000


@dataclass
class PushEntry:
    """One household and category on the month's screening, as the push list shows it."""

    household_id: str
    township_code: str
    township_name: str | None
    village_name: str | None
    head: str
    category: str
    figure: Decimal
    warning_line: Decimal
    previous_figure: Decimal | None
    new_figure: Decimal
    members: int
    status: str
    reason: str | None
    note: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"household_id": self.household_id, "township": self.township_code,
                "township_name": self.township_name, "village": self.village_name,
                "head": self.head, "category": self.category, "figure": str(self.figure),
                "warning_line": str(self.warning_line),
                "previous_figure": None if self.previous_figure is None
                else str(self.previous_figure),
                "new_figure": str(self.new_figure), "members": self.members,
                "status": self.status, "reason": self.reason,
                "reason_text": REASONS.get(self.reason or "", self.note)}


@dataclass
class ScreenResult:
    """The month's screening: the registered households' entries, and how many people not
    registered were screened out (NOT_REGISTERED) for the first time this month. A province's
    month has hundreds of thousands of those: they are stored in batches as they are measured,
    and `entries` reads them back from the push list only when asked."""

    month: str
    listed: list[PushEntry] = field(default_factory=list)
    unregistered: int = 0
    load_unregistered: Callable[[], list[PushEntry]] | None = field(default=None, repr=False)

    @property
    def entries(self) -> list[PushEntry]:
        strangers = self.load_unregistered() if self.load_unregistered is not None else []
        return [*self.listed, *strangers]

    def by_township(self) -> dict[str, list[PushEntry]]:
        grouped: dict[str, list[PushEntry]] = defaultdict(list)
        for entry in self.entries:
            grouped[entry.township_code].append(entry)
        return dict(sorted(grouped.items()))

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = defaultdict(int)
        for entry in self.listed:
            found[entry.status] += 1
            if entry.reason:
                found[entry.reason] += 1
        if self.unregistered:
            found[SCREENED_OUT] += self.unregistered
            found["NOT_REGISTERED"] += self.unregistered
        return dict(found)


def _stranger_entry(household_id: str, township_code: str, category: str, figure: Decimal,
                    warning_line: Decimal, new_figure: Decimal, note: str) -> PushEntry:
    return PushEntry(household_id, township_code, None, None, note[5:], category, figure,
                     warning_line, None, new_figure, 1, SCREENED_OUT, "NOT_REGISTERED", note)


def _figure(figures: dict[str, str], fields: list[str]) -> Decimal:
    return sum((Decimal(figures.get(name, "0")) for name in fields), ZERO)


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, 28))


def _line(book: TariffBook, region: str, day: dt.date, category: str
          ) -> tuple[Tariff | None, Decimal | None, list[str]]:
    """(the household's tariff or None when no tariff covers it, the category's warning line,
    the fields it sums). An uncovered household is measured against the first active tariff
    of the day that sets a line, to say whether it would have crossed."""
    try:
        _, tariff = book.choose(region, day)
    except TariffChoiceError:
        tariff = None
    candidates = [tariff] if tariff is not None else [
        t for pk, t in sorted(book.by_pk.items())
        if pk in book.active and t.valid_from <= day <= t.valid_to]
    for candidate in candidates:
        rules = candidate.categories.get(category)
        if rules is not None and rules.warning_line is not None:
            return tariff, rules.warning_line, rules.warning_fields or default_fields(category)
    return tariff, None, []


def screen_month(ctx: Context, month: str) -> ScreenResult:
    """Screen the month; store and return the entries (see the module docstring).

    Screening a month again updates the entries not yet kept or removed by the township,
    and adds the households that crossed since."""
    ctx.require("feed.screen")
    first, last = month_bounds(month)
    result = ScreenResult(month)
    with transaction(ctx.factory) as session:
        book = TariffBook.load(session)
        matched = strangers.match_registered(session, month, first)
        lines = _Lines(book, last)
        wanted = _candidates(session, lines, first, last)
        previous = _previous(session, month, first.year)
        existing = {(p.household_id, p.category): p for p in session.execute(
            select(FeedPush).where(FeedPush.month == month,
                                   ~FeedPush.household_id.startswith(STRANGER))).scalars()}
        at = ctx.now()
        fresh: list[dict[str, Any]] = []
        # the households near a line, HOUSEHOLD_CHUNK at a time (their rows, facts and
        # entries): memory does not grow with the households over the line
        categories: dict[str, list[str]] = defaultdict(list)
        for h, c in sorted(wanted):
            categories[h].append(c)
        for chunk in _chunks(list(categories), HOUSEHOLD_CHUNK):
            households = _households(session, chunk)
            facts = _Facts(session, households, first, last)
            chosen = {(h, c): _line(book, households[h].region_code, last, c)
                      for h in chunk if h in households for c in categories[h]}
            fields = {key: found[2] for key, found in chosen.items() if found[1] is not None}
            _link_claimed(session, list(households), fields, first, last)
            groups = _groups(session, fields, first, last)
            for (household_id, category), group in sorted(groups.items()):
                household = households[household_id]
                tariff, line, _ = chosen[(household_id, category)]
                assert line is not None  # `fields` holds the groups with a line only
                before = previous.get((household_id, category))
                if group.figure <= line or (before is not None and group.figure <= before):
                    continue
                entry = PushEntry(household_id, household.township_code,
                                  household.township_name, household.village_name,
                                  facts.head(household_id), category, group.figure, line,
                                  before, group.new_figure, facts.members(household_id),
                                  PUSHED, None, None)
                entry.reason, entry.note = _screen_out(facts, household, category, tariff,
                                                       group.new_rows, last)
                if entry.reason:
                    entry.status = SCREENED_OUT
                _store(session, existing, month, entry, at, fresh)
                result.listed.append(entry)
        since = session.scalar(select(func.max(FeedPush.pk))) or 0
        result.unregistered = _strangers(session, lines, month, last, at, result)
        until = session.scalar(select(func.max(FeedPush.pk))) or 0
        if result.unregistered:
            result.load_unregistered = _loader(ctx, month, since, until)
        insert_rows(session, FeedPush, fresh)
        counts = result.counts()
        append_events(session, ctx.user_id, at, [PendingEvent(
            "feed.screened", "feed_month", month,
            {"month": month, **counts, **({"matched_later": matched} if matched else {})})])
    return result


def _loader(ctx: Context, month: str, since: int, until: int
            ) -> Callable[[], list[PushEntry]]:
    """Reads back the entries of the people not registered first screened out by this
    screening (the push list's rows it inserted, in the order it inserted them)."""

    def load() -> list[PushEntry]:
        with reads_only(), ctx.factory() as session:
            return [_stranger_entry(p.household_id, p.township_code, p.category, p.figure,
                                    p.warning_line, p.new_figure, p.note or "")
                    for p in session.execute(
                        select(FeedPush.household_id, FeedPush.township_code,
                               FeedPush.category, FeedPush.figure, FeedPush.warning_line,
                               FeedPush.new_figure, FeedPush.note)
                        .where(FeedPush.month == month, FeedPush.pk > since,
                               FeedPush.pk <= until, FeedPush.reason == "NOT_REGISTERED")
                        .order_by(FeedPush.pk))]

    return load


#: below the lowest line by this much, a household's sum still makes it a candidate: the
#: candidates are chosen against the lowest line of any tariff, and each one's figure is then
#: measured against its own tariff's line (`_groups`, exact on both databases)
_MARGIN = Decimal(1)


class _Lines:
    """The lowest warning line of each category among the tariffs active on the month's last
    day, the categories whose figure is not the default one, and each (region, category)'s
    line as people not registered are measured (looked up once)."""

    def __init__(self, book: TariffBook, last: dt.date) -> None:
        self.book, self.last = book, last
        self.lowest: dict[str, Decimal] = {}
        self.other_fields: set[str] = set()
        self._by_region: dict[tuple[str, str], Decimal | None] = {}
        for pk, tariff in book.by_pk.items():
            if pk not in book.active or not tariff.valid_from <= last <= tariff.valid_to:
                continue
            for category, rules in tariff.categories.items():
                if rules.warning_line is None:
                    continue
                name = str(category)
                self.lowest[name] = min(self.lowest.get(name, rules.warning_line),
                                        rules.warning_line)
                if (rules.warning_fields or default_fields(name)) != default_fields(name):
                    self.other_fields.add(name)

    def near(self, category: str | None, total: Any) -> bool:
        return category in self.lowest and (
            category in self.other_fields
            or Decimal(str(total or 0)) > self.lowest[category] - _MARGIN)

    def having(self, model: Any) -> Any:
        """Only the groups near or over their category's lowest line leave the database."""
        total = func.sum(model.figure)
        return or_(*([model.category.in_(sorted(self.other_fields))]
                      if self.other_fields else []),
                   *(and_(model.category == name, total > line - _MARGIN)
                     for name, line in sorted(self.lowest.items())))

    def line(self, region: str, category: str) -> Decimal | None:
        if (region, category) not in self._by_region:
            self._by_region[(region, category)] = _line(self.book, region, self.last,
                                                        category)[1]
        return self._by_region[(region, category)]


def _candidates(session: Session, lines: _Lines, first: dt.date, last: dt.date
                ) -> set[tuple[str, str]]:
    """The registered households and categories that may be over a line: the database sums
    each one's default figure, and only those near or over the lowest line of their category
    are summed group by group (`_groups`)."""
    if not lines.lowest:
        return set()
    return {(h, c) for h, c, total in session.execute(
        select(FeedRow.household_id, FeedRow.category, func.sum(FeedRow.figure))
        .where(*_live(first, last), FeedRow.household_id.is_not(None))
        .group_by(FeedRow.household_id, FeedRow.category).having(lines.having(FeedRow)))
        if h is not None and c is not None and lines.near(c, total)}


def _live(first: dt.date, last: dt.date) -> tuple[Any, ...]:
    """A row that counts in the year's figure up to `last`."""
    return (FeedRow.year == first.year, FeedRow.event_date <= last,
            FeedRow.reverses.is_(None), FeedRow.reversed_by.is_(None),
            FeedRow.category.is_not(None))


@dataclass(slots=True)
class _Group:
    """A registered household's year in one category: its figure, and the part of it (and
    the number of rows) not yet inside a claim."""

    figure: Decimal = ZERO
    new_figure: Decimal = ZERO
    new_rows: int = 0


def _groups(session: Session, fields: dict[tuple[str, str], list[str]], first: dt.date,
            last: dt.date) -> dict[tuple[str, str], _Group]:
    """The year's figure of each (household, category) of `fields`, which names the figures
    its tariff sums. Where that is the category's default figure (as the import stored it,
    one column), the database sums it, exactly on both databases (integer fen on SQLite,
    NUMERIC on PostgreSQL), a row per group; the groups of a tariff that sums other figures
    are summed here from their rows' figures."""
    default = {key for key, names in fields.items() if names == default_fields(key[1])}
    groups: dict[tuple[str, str], _Group] = {}
    if default:
        new = FeedRow.claim_id.is_(None)
        for h, c, figure, new_figure, new_rows in session.execute(
                select(FeedRow.household_id, FeedRow.category,
                       type_coerce(func.sum(FeedRow.figure), Amount),
                       type_coerce(func.sum(case((new, FeedRow.figure))), Amount),
                       func.count(case((new, 1))))
                .where(*_live(first, last),
                       among(session, FeedRow.household_id, unique(h for h, _ in default)))
                .group_by(FeedRow.household_id, FeedRow.category)):
            key = (h or "", c or "")
            if key in default:
                groups[key] = _Group(figure, new_figure or ZERO, new_rows)
    other = {key: names for key, names in fields.items() if key not in default}
    if other:
        for row in session.execute(
                select(FeedRow.household_id, FeedRow.category, FeedRow.claim_id,
                       cast(FeedRow.figures, Text).label("figures_text"))
                .where(*_live(first, last),
                       among(session, FeedRow.household_id, unique(h for h, _ in other)))):
            key = (row.household_id, row.category)
            if key not in other:
                continue
            group = groups.get(key) or groups.setdefault(key, _Group())
            amount = _figure(orjson.loads(row.figures_text), other[key])
            group.figure += amount
            if row.claim_id is None:
                group.new_figure += amount
                group.new_rows += 1
    return groups


def _chunks(values: list[Any], size: int) -> list[list[Any]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


def _strangers(session: Session, lines: _Lines, month: str, last: dt.date, at: str,
               result: ScreenResult) -> int:
    """The people with feed rows this month who are not registered members, over the line by
    the category's default figure, screened out as NOT_REGISTERED. Their sums are made by
    polars from the month's blobs of such rows (`strangers.month_sums`, blob by blob); only
    those near a line are kept, in ID number order, and measured and stored `STRANGER_CHUNK`
    people at a time in one bulk insert each, so memory does not grow with the people over
    the line. The few already on the month's screening (screened again) are updated one by
    one, as registered households are, and listed. Returns how many were stored new."""
    if not lines.lowest:
        return 0
    sums = strangers.month_sums(session, month, last)
    near = pl.col("category").is_in(sorted(lines.other_fields))
    for name, line in sorted(lines.lowest.items()):
        near = near | ((pl.col("category") == name)
                       & (pl.col("figure") > int((line - _MARGIN) * 100)))
    people = (sums.filter(near).sort("id_number", "category")
              .with_columns(strangers.yuan(pl.col("figure")).alias("figure")))
    del sums
    stored = 0
    for start in range(0, people.height, STRANGER_CHUNK):
        stored += _stranger_chunk(session, lines, people.slice(start, STRANGER_CHUNK), month,
                                  at, result)
    return stored


def _stranger_chunk(session: Session, lines: _Lines, people: pl.DataFrame, month: str,
                    at: str, result: ScreenResult) -> int:
    people = people.with_columns(pl.col("id_number").str.slice(0, 6).alias("township_code"))
    found = []
    for region, category in people.select("township_code", "category").unique().iter_rows():
        line = lines.line(region, category)
        if line is not None:
            found.append((region, category, line))
    over = (people.join(pl.DataFrame(found, schema={
                "township_code": pl.String, "category": pl.String,
                "warning_line": pl.Decimal(15, 2)}, orient="row"),
                on=["township_code", "category"], how="inner", maintain_order="left")
            .filter(pl.col("figure") > pl.col("warning_line")))
    if over.is_empty():
        return 0
    # an imported ID number is 18 characters, checked: the first 6 and the last 4 are shown
    masked = pl.col("id_number").str.slice(0, 6) + "********" + pl.col("id_number").str.slice(14)
    over = over.with_columns(
        (STRANGER + pl.col("id_number").map_batches(
            lambda ids: pl.Series([hashlib.sha256(i.encode()).hexdigest()[:16] for i in ids],
                                  dtype=pl.String), return_dtype=pl.String)
         ).alias("household_id"),
        ("身份证号 " + masked).alias("note"), pl.col("figure").alias("new_figure"))
    over = over.drop("id_number")
    existing = {(p.household_id, p.category): p for p in session.execute(
        select(FeedPush).where(FeedPush.month == month, among(
            session, FeedPush.household_id, over["household_id"].unique().to_list())))
        .scalars()}
    if existing:
        fresh: list[dict[str, Any]] = []
        known = pl.DataFrame(list(existing), schema={"household_id": pl.String,
                                                     "category": pl.String}, orient="row")
        for row in over.join(known, on=["household_id", "category"],
                             maintain_order="left").iter_rows(named=True):
            entry = _stranger_entry(row["household_id"], row["township_code"],
                                    row["category"], row["figure"], row["warning_line"],
                                    row["new_figure"], row["note"])
            _store(session, existing, month, entry, at, fresh)
            result.listed.append(entry)
        over = over.join(known, on=["household_id", "category"], how="anti",
                         maintain_order="left")
    insert_frame(session, FeedPush, over.select(
        pl.lit(month).alias("month"), "household_id", "township_code", "category", "figure",
        "warning_line", pl.lit(None, dtype=pl.Decimal(15, 2)).alias("previous_figure"),
        "new_figure", pl.lit(1).alias("members"), pl.lit(SCREENED_OUT).alias("status"),
        pl.lit("NOT_REGISTERED").alias("reason"), "note", pl.lit("[]").alias("claim_ids"),
        pl.lit(at).alias("screened_at")))
    return over.height


def _store(session: Session, existing: dict[tuple[str, str], FeedPush], month: str,
           entry: PushEntry, at: str, fresh: list[dict[str, Any]]) -> None:
    row = existing.get((entry.household_id, entry.category))
    values = {"township_code": entry.township_code, "figure": entry.figure,
              "warning_line": entry.warning_line, "previous_figure": entry.previous_figure,
              "new_figure": entry.new_figure, "members": entry.members,
              "status": entry.status, "reason": entry.reason, "note": entry.note,
              "screened_at": at}
    if row is None:
        fresh.append({"month": month, "household_id": entry.household_id,
                      "category": entry.category, "claim_ids": [], "verifier_id": None,
                      "verification_due": None, "reused_verification": None,
                      "decided_by": None, "decided_at": None, **values})
    elif row.status in (PUSHED, SCREENED_OUT):
        for key, value in values.items():
            setattr(row, key, value)
    else:  # already kept or removed by the township: stays as decided
        entry.status, entry.reason, entry.note = row.status, row.reason, row.note


def _households(session: Session, ids: list[str]) -> dict[str, Any]:
    if not ids:
        return {}
    return {h.household_id: h for h in session.execute(
        select(Household.household_id, Household.region_code, Household.township_code,
               Household.township_name, Household.village_name)
        .where(among(session, Household.household_id, ids)))}


def _link_claimed(session: Session, households: list[str],
                  wanted: dict[tuple[str, str], Any], first: dt.date, last: dt.date) -> None:
    """Link the year's rows of the `wanted` groups whose settlement number is an existing
    claim's document number (same household and category) to that claim: they are inside
    it, not new expense."""
    documents: dict[tuple[str, str, str], str] = {}
    for c in session.execute(select(Claim.claim_id, Claim.household_id, Claim.category,
                                    Claim.document_no)
                             .where(among(session, Claim.household_id, households),
                                    Claim.document_no.is_not(None))):
        if (c.household_id, c.category) in wanted:
            documents[(c.household_id, c.category, c.document_no)] = c.claim_id
    if not documents:
        return
    linked = []
    for r in session.execute(
            select(FeedRow.pk, FeedRow.household_id, FeedRow.category, FeedRow.record_no)
            .where(*_live(first, last), FeedRow.claim_id.is_(None),
                   among(session, FeedRow.household_id, unique(h for h, _, _ in documents)),
                   among(session, FeedRow.record_no, unique(d for _, _, d in documents)))):
        claim_id = documents.get((r.household_id, r.category, r.record_no))
        if claim_id is not None:
            linked.append({"pk": r.pk, "claim_id": claim_id})
    if linked:
        session.execute(update(FeedRow), linked)


def _previous(session: Session, month: str, year: int) -> dict[tuple[str, str], Decimal]:
    """The figure each household and category had when last screened this year."""
    found: dict[tuple[str, str], Decimal] = {}
    for p in session.execute(select(FeedPush.household_id, FeedPush.category, FeedPush.figure)
                             .where(FeedPush.month < month,
                                    FeedPush.month >= f"{year:04d}-01")
                             .order_by(FeedPush.month)):
        found[(p.household_id, p.category)] = p.figure
    return found


class _Facts:
    """What screening reads about the households: members, findings, verifications,
    payments so far."""

    def __init__(self, session: Session, households: dict[str, Any], first: dt.date,
                 last: dt.date) -> None:
        ids = list(households)
        self.session, self.last = session, last
        self._members: dict[str, list[Any]] = defaultdict(list)
        self._findings: dict[str, set[str]] = defaultdict(set)
        self._verifications: dict[str, list[Any]] = defaultdict(list)
        self._paid: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        if not ids:
            return
        for m in session.execute(select(Member.household_id, Member.member_id, Member.name,
                                        Member.relation, Member.counted)
                                 .where(among(session, Member.household_id, ids))
                                 .order_by(Member.member_id)):
            self._members[m.household_id].append(m)
        for f in session.execute(select(Finding.household_id, Finding.item)
                                 .where(among(session, Finding.household_id, ids),
                                        Finding.found.is_(True))):
            self._findings[f.household_id].add(f.item)
        for v in session.execute(select(Verification.household_id, Verification.pk,
                                        Verification.verified_on, Verification.payload)
                                 .where(among(session, Verification.household_id, ids),
                                        Verification.status == "submitted")
                                 .order_by(Verification.pk)):
            self._verifications[v.household_id].append(v)
        for c in session.execute(select(Claim.household_id, Claim.category, Claim.event_date,
                                        func.coalesce(Claim.final_paid, 0))
                                 .where(among(session, Claim.household_id, ids),
                                        Claim.final_paid.is_not(None),
                                        Claim.event_date >= dt.date(first.year, 1, 1),
                                        Claim.event_date <= last)):
            self._paid[(c[0], c[1])] += Decimal(str(c[3]))
            self._paid[(c[0], "*")] += Decimal(str(c[3]))

    def members(self, household_id: str) -> int:
        return sum(1 for m in self._members[household_id] if m.counted) or 1

    def head(self, household_id: str) -> str:
        members = self._members[household_id]
        head = next((m for m in members if m.relation in ("head", "户主")), None)
        head = head or (members[0] if members else None)
        return mask_name(head.name) if head is not None else ""

    def findings(self, household_id: str) -> set[str]:
        return self._findings[household_id]

    def income_per_capita(self, household_id: str, tariff: Tariff, since: dt.date
                          ) -> tuple[Decimal, dt.date] | None:
        """The latest submitted verification since `since` with income recorded:
        (per-capita net income, its date)."""
        for v in reversed(self._verifications[household_id]):
            payload = v.payload or {}
            if v.verified_on is None or v.verified_on < since or payload.get("income") is None:
                continue
            excluded = {k.value for k in tariff.excluded_income_kinds}
            income = sum((Decimal(str(i["amount"])) for i in payload["income"]
                          if i.get("kind") not in excluded), ZERO)
            income -= sum((Decimal(str(c["amount"])) for c in payload.get("costs", [])), ZERO)
            return income / self.members(household_id), v.verified_on
        return None

    def paid(self, household_id: str, category: str) -> Decimal:
        return self._paid[(household_id, category)]


def _screen_out(facts: _Facts, household: Any, category: str, tariff: Tariff | None,
                new_rows: int, last: dt.date) -> tuple[str | None, str | None]:
    """The first reason that screens the household out, and its detail, or (None, None)."""
    if tariff is None:
        return "REGION_NOT_COVERED", f"区划 {household.region_code} 无适用的保障方案"
    if not new_rows:
        return "ALREADY_CLAIMED", "本年度超线费用的结算均已计入申请"
    found = sorted(facts.findings(household.household_id) & set(tariff.negative_list))
    if found:
        return "NEGATIVE_ITEM_FOUND", "、".join(tariff.item_label(i) for i in found)
    settings = tariff.feed_screening
    income = facts.income_per_capita(household.household_id, tariff,
                                     _months_before(last, settings.income_months))
    if income is not None and income[0] > tariff.income_line * settings.income_multiple:
        return "HIGH_INCOME_VERIFIED", (f"{income[1]} 核查人均纯收入 {income[0]:.2f} 元，"
                                        f"高于防贫线 {tariff.income_line} 元的 "
                                        f"{settings.income_multiple} 倍")
    rules = tariff.categories[category]
    if facts.paid(household.household_id, category) >= rules.annual_cap:
        return "AT_CAP", f"本类别已赔付 {facts.paid(household.household_id, category)} 元"
    cap_all = tariff.household_annual_cap_all
    if cap_all is not None and facts.paid(household.household_id, "*") >= cap_all:
        return "AT_CAP", f"各类别合计已赔付 {facts.paid(household.household_id, '*')} 元"
    return None, None
