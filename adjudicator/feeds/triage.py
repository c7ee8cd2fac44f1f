"""The township's screening of the push list (乡镇初筛): keep or remove each household with a
reason. A kept household becomes claims (one per member and category, its amounts the sum of
the member's new feed rows, its document number the settlement number) and one verification
task: its claims go to one verifier with one deadline, as `verify assign` chooses and dates
them. A household verified within the tariff's `verification_valid_days` gets no new visit:
its new claims use the verification on record (`VerificationReuse`) and are verified at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from adjudicator.feeds.importer import month_bounds
from adjudicator.feeds.redecision import CLAIM_AMOUNTS
from adjudicator.feeds.screen import KEPT, PUSHED, REASONS, REMOVED, SCREENED_OUT
from adjudicator.masking import mask_name
from adjudicator.messages import Message, Refused, Tally, worded
from adjudicator.roles import PermissionDenied, Role
from adjudicator.services.tariffs import TariffBook, TariffChoiceError
from adjudicator.services.verification.assignment import DEFAULT_DAYS, _covers, _open_loads
from adjudicator.storage.bulk import among, insert_rows
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Claim, Household, Member, User, Verification
from adjudicator.storage.models_feeds import FeedPush, FeedRow, VerificationReuse
from adjudicator.workdays import add_working_days, check_days
from adjudicator.workflow import ClaimStatus, check_transition
from schemas.vocabulary import CLAIM_CATEGORIES, PUSH_STATUSES

SOURCES = {"medical": "medical_insurance_feed", "disaster": "emergency_feed",
           "education": "education_feed"}
ZERO = Decimal("0.00")
S = ClaimStatus


class TriageRefused(Refused):
    """The township's decision cannot be recorded (say why, in Chinese)."""


@dataclass
class TriageResult:
    household_id: str
    category: str
    status: str
    claim_ids: list[str] = field(default_factory=list)
    verifier_id: str | None = None
    due: dt.date | None = None
    reused_verification: int | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"household_id": self.household_id, "category": self.category,
                "status": self.status, "claims": self.claim_ids, "verifier": self.verifier_id,
                "due": None if self.due is None else self.due.isoformat(),
                "reused_verification": self.reused_verification, "note": self.note}


def officer_townships(session: Session, ctx: Context) -> list[str] | None:
    """The region prefixes the acting user may screen (None: the whole county)."""
    user = session.get(User, ctx.user_id)
    codes = [str(c) for c in (user.townships or [])] if user is not None else []
    return codes or None


def in_scope(region_code: str, townships: list[str] | None) -> bool:
    return townships is None or any(region_code.startswith(code) for code in townships)


def push_entries(ctx: Context, month: str, township: str | None = None,
                 statuses: Collection[str] = (PUSHED, KEPT, REMOVED, SCREENED_OUT)
                 ) -> list[dict[str, Any]]:
    """The month's entries a user may see: an officer with townships only theirs."""
    ctx.require("read")
    month_bounds(month)
    with ctx.factory() as session:
        scope = officer_townships(session, ctx) if ctx.role == Role.OFFICER.value else None
        query = (select(FeedPush, Household.village_name, Household.township_name,
                        Household.region_code)
                 .outerjoin(Household, Household.household_id == FeedPush.household_id)
                 .where(FeedPush.month == month, FeedPush.status.in_(list(statuses)))
                 .order_by(FeedPush.township_code, FeedPush.household_id, FeedPush.category))
        if township:
            query = query.where(FeedPush.township_code.startswith(township))
        found = []
        listed = [(push, village, township_name, region)
                  for push, village, township_name, region in session.execute(query)
                  if in_scope(region or push.township_code, scope)]
        heads = _heads(session, [push.household_id for push, *_ in listed])
        for push, village, township_name, _region in listed:
            found.append({"household_id": push.household_id, "township": push.township_code,
                          "head": heads.get(push.household_id, ""),
                          "township_name": township_name, "village": village,
                          "category": push.category, "figure": str(push.figure),
                          "warning_line": str(push.warning_line),
                          "previous_figure": None if push.previous_figure is None
                          else str(push.previous_figure),
                          "new_figure": str(push.new_figure), "members": push.members,
                          "status": push.status, "reason": push.reason,
                          "reason_text": REASONS.get(push.reason or "") or push.note,
                          "note": push.note, "claims": push.claim_ids,
                          "verifier": push.verifier_id,
                          "due": None if push.verification_due is None
                          else push.verification_due.isoformat(),
                          "reused_verification": push.reused_verification})
        return found


def _heads(session: Session, household_ids: list[str]) -> dict[str, str]:
    """The masked name of each household's head (its first member when none is marked)."""
    heads: dict[str, str] = {}
    for chunk in (household_ids[i:i + 5000] for i in range(0, len(household_ids), 5000)):
        for hid, name, relation in session.execute(
                select(Member.household_id, Member.name, Member.relation)
                .where(among(session, Member.household_id, chunk))
                .order_by(Member.household_id, Member.member_id)):
            if hid not in heads or relation in ("head", "户主"):
                heads[hid] = mask_name(name)
    return heads


def _entry(session: Session, ctx: Context, month: str, household_id: str,
           category: str | None) -> tuple[FeedPush, Household]:
    query = (select(FeedPush).where(FeedPush.month == month,
                                    FeedPush.household_id == household_id).with_for_update())
    if category:
        query = query.where(FeedPush.category == category)
    found = list(session.execute(query).scalars())
    if not found:
        if category:
            raise TriageRefused(Message("triage.not_pushed_in", month=month,
                                        household=household_id,
                                        category=worded(CLAIM_CATEGORIES, category)))
        raise TriageRefused(Message("triage.not_pushed", month=month, household=household_id))
    if len(found) > 1:
        raise TriageRefused(Message("triage.categories", household=household_id, month=month,
                                    categories=Tally((worded(CLAIM_CATEGORIES, p.category), None)
                                                     for p in found),
                                    codes=", ".join(p.category for p in found)))
    push = found[0]
    household = session.get(Household, household_id)
    if household is None:
        raise TriageRefused(Message("triage.unregistered", household=household_id))
    if not in_scope(household.region_code, officer_townships(session, ctx)):
        raise PermissionDenied(f"用户 {ctx.user_id} 不负责户 {household_id} 所在乡镇 "
                               f"{household.township_code}")
    if push.status != PUSHED:
        raise TriageRefused(Message("triage.decided", household=household_id,
                                    category=worded(CLAIM_CATEGORIES, push.category),
                                    status=worded(PUSH_STATUSES, push.status)))
    return push, household


def remove_household(ctx: Context, month: str, household_id: str, reason: str,
                     category: str | None = None) -> TriageResult:
    """初筛剔除: the household is not a case; the reason is required and recorded."""
    ctx.require("feed.triage")
    if not reason or not reason.strip():
        raise TriageRefused(Message("triage.no_reason"))
    with transaction(ctx.factory) as session:
        push, _ = _entry(session, ctx, month, household_id, category)
        push.status, push.note = REMOVED, reason.strip()[:500]
        push.decided_by, push.decided_at = ctx.user_id, ctx.now()
        append_events(session, ctx.user_id, ctx.now(), [PendingEvent(
            "feed.removed", "household", household_id,
            {"month": month, "category": push.category, "reason": push.note})])
        return TriageResult(household_id, push.category, REMOVED, note=push.note)


def keep_household(ctx: Context, month: str, household_id: str, reason: str = "",
                   category: str | None = None, days: int = DEFAULT_DAYS,
                   holidays: Collection[dt.date] = frozenset(),
                   workdays: Collection[dt.date] = frozenset()) -> TriageResult:
    """初筛保留: claims from the household's new feed rows, and one verification task (or the
    verification on record, when it is recent enough)."""
    ctx.require("feed.triage")
    _, last = month_bounds(month)
    check_days(days)  # before anything is changed
    now = ctx.now()
    with transaction(ctx.factory) as session:
        push, household = _entry(session, ctx, month, household_id, category)
        rows = list(session.execute(
            select(FeedRow).where(FeedRow.household_id == household_id,
                                  FeedRow.category == push.category,
                                  FeedRow.year == last.year, FeedRow.event_date <= last,
                                  FeedRow.reverses.is_(None), FeedRow.reversed_by.is_(None),
                                  FeedRow.claim_id.is_(None))
            .order_by(FeedRow.event_date, FeedRow.record_no).with_for_update()).scalars())
        if not rows:
            raise TriageRefused(Message("triage.no_rows", household=household_id,
                                        category=worded(CLAIM_CATEGORIES, push.category)))
        claims = _claims(month, household_id, push.category, rows, now)
        insert_rows(session, Claim, claims)
        for claim in claims:
            for row in rows:
                if row.member_id == claim["member_id"]:
                    row.claim_id = claim["claim_id"]
        events = [PendingEvent("claim.received", "claim", c["claim_id"],
                               {k: c[k] for k in ("household_id", "member_id", "category",
                                                  "event_date", "source", "document_no",
                                                  "amounts")}
                               | {"status": S.SCREENED.value, "feed_month": month,
                                  "screening": "乡镇初筛保留"})
                  for c in claims]
        result = TriageResult(household_id, push.category, KEPT,
                              [c["claim_id"] for c in claims], note=reason.strip() or None)
        verification = _recent_verification(session, household, last, ctx.today())
        if verification is not None:
            events += _reuse(session, claims, verification, now)
            result.reused_verification = verification.pk
        else:
            events += _assign(session, ctx, household, claims, days, holidays, workdays,
                              result)
        push.status, push.claim_ids = KEPT, result.claim_ids
        push.note = result.note if result.note else push.note
        push.verifier_id, push.verification_due = result.verifier_id, result.due
        push.reused_verification = result.reused_verification
        push.decided_by, push.decided_at = ctx.user_id, now
        events.append(PendingEvent("feed.kept", "household", household_id,
                                   {"month": month, "category": push.category,
                                    "claims": result.claim_ids, "reason": result.note,
                                    "reused_verification": result.reused_verification}))
        append_events(session, ctx.user_id, now, events)
        return result


def _claims(month: str, household_id: str, category: str, rows: list[FeedRow], now: str
            ) -> list[dict[str, Any]]:
    by_member: dict[str, list[FeedRow]] = defaultdict(list)
    for row in rows:
        assert row.member_id is not None
        by_member[row.member_id].append(row)
    claims = []
    for member_id, items in sorted(by_member.items()):
        digest = hashlib.sha256(f"{household_id}\x1f{member_id}\x1f{category}\x1f{month}"
                                .encode()).hexdigest()[:10].upper()
        amounts: dict[str, Any] = {}
        for name in CLAIM_AMOUNTS[category]:
            total = sum((Decimal(r.figures.get(name, "0")) for r in items), ZERO)
            amounts[name] = str(total.quantize(ZERO))
        if category == "education":
            amounts["stage"] = items[-1].kind
        numbers = [r.record_no for r in items]
        document = numbers[0] if len(numbers) == 1 else f"{numbers[0]}等{len(numbers)}笔"
        claims.append({"claim_id": f"FD-{month.replace('-', '')}-{digest}",
                       "household_id": household_id, "member_id": member_id,
                       "category": category, "event_date": max(r.event_date for r in items),
                       "source": SOURCES[category], "document_no": document[:64],
                       "amounts": amounts, "status": S.SCREENED.value,
                       "received_at": now, "updated_at": now})
    return claims


def _recent_verification(session: Session, household: Household, day: dt.date,
                         today: dt.date) -> Verification | None:
    """The household's latest submitted verification within its tariff's (the tariff of
    `day`) `verification_valid_days` before today, if the tariff sets it."""
    book = TariffBook.load(session)
    try:
        _, tariff = book.choose(household.region_code, day)
    except TariffChoiceError:
        return None
    if tariff.verification_valid_days is None:
        return None
    since = today - dt.timedelta(days=tariff.verification_valid_days)
    return session.execute(
        select(Verification).where(Verification.household_id == household.household_id,
                                   Verification.status == "submitted",
                                   Verification.verified_on >= since,
                                   Verification.verified_on <= today)
        .order_by(Verification.verified_on.desc(), Verification.pk.desc()).limit(1)
    ).scalar_one_or_none()


def _reuse(session: Session, claims: list[dict[str, Any]], verification: Verification,
           now: str) -> list[PendingEvent]:
    events = []
    for claim in claims:
        status = check_transition(claim["claim_id"], S.SCREENED.value, S.VERIFIED.value)
        session.execute(update(Claim).where(
            Claim.claim_id == claim["claim_id"]).values(status=status.value, updated_at=now))
        session.add(VerificationReuse(claim_id=claim["claim_id"],
                                      verification_pk=verification.pk,
                                      from_claim_id=verification.claim_id, recorded_at=now))
        events += [PendingEvent("verification.reused", "claim", claim["claim_id"],
                                {"verification": verification.pk,
                                 "from_claim": verification.claim_id,
                                 "verified_on": verification.verified_on.isoformat()
                                 if verification.verified_on else None}),
                   PendingEvent("claim.status", "claim", claim["claim_id"],
                                {"from": S.SCREENED.value, "to": status.value})]
    return events


def _assign(session: Session, ctx: Context, household: Household,
            claims: list[dict[str, Any]], days: int, holidays: Collection[dt.date],
            workdays: Collection[dt.date], result: TriageResult) -> list[PendingEvent]:
    """One task: the household's claims to the least loaded verifier covering it (below
    their limit, ties by user id), due `days` working days from today."""
    verifiers = list(session.execute(
        select(User).where(User.role == Role.VERIFIER.value, User.active.is_(True))
        .order_by(User.user_id).with_for_update()).scalars())
    loads = _open_loads(session)
    free = [v for v in verifiers if _covers(v, household.region_code)
            and loads.get(v.user_id, 0) < v.max_open_assignments]
    if not free:
        result.note = ((result.note + "；") if result.note else "") + (
            f"乡镇 {household.township_code} 暂无可接收任务的核查员：申请待分派"
            "（verify assign）")
        return []
    chosen = min(free, key=lambda v: (loads.get(v.user_id, 0), v.user_id))
    due = add_working_days(ctx.today(), days, holidays, workdays)
    now = ctx.now()
    result.verifier_id, result.due = chosen.user_id, due
    events = []
    for claim in claims:
        status = check_transition(claim["claim_id"], S.SCREENED.value,
                                  S.UNDER_VERIFICATION.value)
        session.execute(update(Claim).where(
            Claim.claim_id == claim["claim_id"]).values(
                status=status.value, assigned_verifier=chosen.user_id, assigned_at=now,
                verification_due=due, updated_at=now))
        events += [PendingEvent("verification.assigned", "claim", claim["claim_id"],
                                {"verifier": chosen.user_id, "due": due.isoformat(),
                                 "working_days": days, "household_task": household.household_id}),
                   PendingEvent("claim.status", "claim", claim["claim_id"],
                                {"from": S.SCREENED.value, "to": status.value})]
    return events
