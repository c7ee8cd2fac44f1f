"""Assigning screened claims to field verifiers and listing the open assignments.

A supervisor assigns screened claims to the verifiers who cover the household's township,
least loaded first and within each verifier's workload limit, with a deadline in working
days counted on the county's calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adjudicator.holiday_calendar import Deadline
from adjudicator.messages import Message
from adjudicator.roles import PermissionDenied, Role
from adjudicator.services.calendar import work_calendar
from adjudicator.services.verification.form import VerificationRefused
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Claim, Household, User
from adjudicator.storage.models import Verification as VerificationRow
from adjudicator.workdays import check_days
from adjudicator.workflow import ClaimStatus, move

S = ClaimStatus
DEFAULT_DAYS = 5


@dataclass(frozen=True)
class Assigned:
    claim_id: str
    household_id: str
    township_code: str
    verifier_id: str
    due: dt.date


@dataclass(frozen=True)
class Unassigned:
    claim_id: str
    household_id: str
    township_code: str
    #: why nobody took it, in both languages
    reason: Message


@dataclass
class AssignResult:
    assigned: list[Assigned] = field(default_factory=list)
    unassigned: list[Unassigned] = field(default_factory=list)
    #: the deadline of this run's assignments and the calendar it was counted on
    deadline: Deadline | None = None


def _covers(user: User, region_code: str) -> bool:
    return any(region_code.startswith(str(code)) for code in user.townships or [])


def _open_loads(session: Session) -> dict[str, int]:
    """Open assignments per verifier: assigned and not yet verified."""
    rows = session.execute(
        select(Claim.assigned_verifier, func.count()).where(
            Claim.status == S.UNDER_VERIFICATION.value, Claim.assigned_verifier.is_not(None))
        .group_by(Claim.assigned_verifier))
    return {verifier: count for verifier, count in rows if verifier is not None}


def assign_claims(ctx: Context, *, township: str | None = None, verifier: str | None = None,
                  days: int = DEFAULT_DAYS, holidays: Collection[dt.date] = frozenset(),
                  workdays: Collection[dt.date] = frozenset()) -> AssignResult:
    """Assign screened claims (oldest first) to verifiers covering their township.

    Each claim goes to the least loaded covering verifier below their limit (ties by user id),
    and moves screened → under_verification with a deadline `days` working days after today,
    counted on the county's calendar (official holidays and 调休 working days, the county's
    own days off, and `holidays` / `workdays` given here). Claims nobody can take are
    reported with the reason and stay screened.
    """
    ctx.require("verify.assign")
    check_days(days, least=1)
    now = ctx.now()
    result = AssignResult()
    with transaction(ctx.factory) as session:
        deadline = work_calendar(session).with_days(holidays, workdays).deadline(ctx.today(),
                                                                                 days)
        due, result.deadline = deadline.due, deadline
        query = (select(User).where(User.role == Role.VERIFIER.value, User.active.is_(True))
                 .order_by(User.user_id).with_for_update())
        if verifier is not None:
            query = query.where(User.user_id == verifier)
        verifiers = list(session.execute(query).scalars())
        if verifier is not None and not verifiers:
            raise VerificationRefused(Message("verification.not_verifier", verifier=verifier))
        loads = _open_loads(session)
        claims = (select(Claim, Household.region_code, Household.township_code)
                  .join(Household, Household.household_id == Claim.household_id)
                  .where(Claim.status == S.SCREENED.value)
                  .order_by(Claim.received_at, Claim.claim_id).with_for_update(of=Claim))
        if township:
            claims = claims.where(Household.region_code.startswith(township))
        events: list[PendingEvent] = []
        for claim, region_code, township_code in session.execute(claims).all():
            covering = [v for v in verifiers if _covers(v, region_code)]
            free = [v for v in covering if loads.get(v.user_id, 0) < v.max_open_assignments]
            if not free:
                reason = _why_unassigned(covering, loads, township_code, verifier)
                result.unassigned.append(Unassigned(claim.claim_id, claim.household_id,
                                                    township_code, reason))
                continue
            chosen = min(free, key=lambda v: (loads.get(v.user_id, 0), v.user_id))
            moved: list[PendingEvent] = []
            move(claim, S.UNDER_VERIFICATION, at=now, events=moved)
            claim.assigned_verifier, claim.assigned_at = chosen.user_id, now
            claim.verification_due = due
            loads[chosen.user_id] = loads.get(chosen.user_id, 0) + 1
            result.assigned.append(Assigned(claim.claim_id, claim.household_id, township_code,
                                            chosen.user_id, due))
            events += [
                PendingEvent("verification.assigned", "claim", claim.claim_id,
                             {"verifier": chosen.user_id, "due": due.isoformat(),
                              "working_days": days,
                              "calendar_years": list(deadline.calendar_years),
                              "unknown_years": list(deadline.unknown_years)}),
                *moved,
            ]
        append_events(session, ctx.user_id, now, events)
    return result


def _why_unassigned(covering: list[User], loads: dict[str, int], township_code: str,
                    verifier: str | None) -> Message:
    if not covering:
        if verifier is not None:
            return Message("verification.not_covering", verifier=verifier,
                           township=township_code)
        return Message("verification.nobody_covers", township=township_code)
    limits = ", ".join(f"{v.user_id} {loads.get(v.user_id, 0)}/{v.max_open_assignments}"
                       for v in covering)
    return Message("verification.all_at_limit", township=township_code, limits=limits)


# --------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class Assignment:
    """An open assignment as a verifier or a supervisor sees it."""

    claim_id: str
    household_id: str
    township_code: str
    village_name: str | None
    category: str
    verifier_id: str
    assigned_at: str | None
    due: dt.date | None
    working_days_left: int | None
    overdue: bool
    has_draft: bool

    def as_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "household_id": self.household_id,
                "township": self.township_code, "village": self.village_name,
                "category": self.category, "verifier": self.verifier_id,
                "assigned_at": self.assigned_at,
                "due": self.due.isoformat() if self.due else None,
                "working_days_left": self.working_days_left, "overdue": self.overdue,
                "has_draft": self.has_draft}


def _scope(ctx: Context, everyone: bool) -> str | None:
    """Whose assignments the acting user may list: a verifier only their own."""
    ctx.require("verify.read")
    if ctx.role == Role.VERIFIER.value:
        if everyone:
            raise PermissionDenied(Message("verification.only_own", user=ctx.user_id))
        return ctx.user_id
    return None if everyone else ctx.user_id


def _assignments(ctx: Context, verifier: str | None, late_only: bool,
                 holidays: Collection[dt.date], workdays: Collection[dt.date]
                 ) -> list[Assignment]:
    today = ctx.today()
    with ctx.factory() as session:
        query = (select(Claim, Household.township_code, Household.village_name)
                 .join(Household, Household.household_id == Claim.household_id)
                 .where(Claim.status == S.UNDER_VERIFICATION.value,
                        Claim.assigned_verifier.is_not(None))
                 .order_by(Claim.verification_due, Claim.claim_id))
        if verifier is not None:
            query = query.where(Claim.assigned_verifier == verifier)
        if late_only:
            query = query.where(Claim.verification_due < today)
        rows = session.execute(query).all()
        calendar = work_calendar(session).with_days(holidays, workdays)
        ids = [c.claim_id for c, _, _ in rows]
        drafts = set(session.execute(select(VerificationRow.claim_id).where(
            VerificationRow.claim_id.in_(ids), VerificationRow.status == "draft")).scalars()
        ) if ids else set()
    found = []
    for claim, township_code, village_name in rows:
        due = claim.verification_due
        left = None if due is None else calendar.working_days_between(today, due)
        found.append(Assignment(claim.claim_id, claim.household_id, township_code, village_name,
                                claim.category, claim.assigned_verifier or "",
                                claim.assigned_at, due, left,
                                due is not None and due < today, claim.claim_id in drafts))
    return found


def list_assignments(ctx: Context, *, everyone: bool = False,
                     holidays: Collection[dt.date] = frozenset(),
                     workdays: Collection[dt.date] = frozenset()) -> list[Assignment]:
    """Open assignments, earliest deadline first: the acting user's, or everyone's."""
    return _assignments(ctx, _scope(ctx, everyone), False, holidays, workdays)


def overdue_assignments(ctx: Context, holidays: Collection[dt.date] = frozenset(),
                        workdays: Collection[dt.date] = frozenset()) -> list[Assignment]:
    """Late assignments (due before today, not verified): a verifier's own, else all."""
    verifier = _scope(ctx, ctx.role != Role.VERIFIER.value)
    return _assignments(ctx, verifier, True, holidays, workdays)
