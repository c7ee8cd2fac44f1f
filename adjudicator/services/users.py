"""Users: the named people who act, each in one role."""

from __future__ import annotations

from sqlalchemy import select

from adjudicator.messages import Message, Refused, worded
from adjudicator.roles import Role
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import User
from schemas.vocabulary import ROLES

#: The most open assignments a verifier may be given at once.
MOST_OPEN = 10_000


class UserRefused(Refused):
    """A user that cannot be added as given; says why, in both languages."""


def check_user(user_id: str, townships: list[str], max_open_assignments: int = 0,
               display_name: str = "-") -> None:
    """Refuse a user id that is empty, too long, not ASCII or holds a space; a township that
    is not a region code (9 digits; 6 for the whole county, 12 for one village); a workload
    limit outside 0 to MOST_OPEN; a name that is blank or longer than its column (64)."""
    if (not user_id or len(user_id) > 64 or not user_id.isascii()
            or any(char.isspace() for char in user_id)):
        raise UserRefused(Message("users.bad_user_id"))
    for code in townships:
        if not (code.isascii() and code.isdigit() and len(code) in (6, 9, 12)):
            raise UserRefused(Message("users.bad_region", code=code))
    if not display_name.strip() or len(display_name) > 64:
        raise UserRefused(Message("users.bad_name"))
    if not 0 <= max_open_assignments <= MOST_OPEN:
        raise UserRefused(Message("users.bad_max_open", count=max_open_assignments,
                                  most=MOST_OPEN))


def add_user(ctx: Context, user_id: str, role: str, display_name: str,
             townships: list[str] | None = None, max_open_assignments: int = 20) -> User:
    """Add a user (admin only). Idempotent for an identical user; a conflicting one, or one
    `check_user` refuses, is refused."""
    ctx.require("user.manage")
    Role(role)  # raises ValueError for an unknown role
    check_user(user_id, townships or [], max_open_assignments, display_name)
    with transaction(ctx.factory) as session:
        existing = session.get(User, user_id)
        if existing is not None:
            if existing.role != role:
                raise UserRefused(Message("users.other_role", user=user_id,
                                          role=worded(ROLES, existing.role)))
            return existing
        user = User(user_id=user_id, role=role, display_name=display_name,
                    townships=townships or [], max_open_assignments=max_open_assignments,
                    active=True, created_at=ctx.now())
        session.add(user)
        append_events(session, ctx.user_id, ctx.now(), [PendingEvent(
            "user.added", "user", user_id, {"role": role, "townships": townships or []})])
        return user


def list_users(ctx: Context) -> list[User]:
    with ctx.factory() as session:
        return list(session.execute(select(User).order_by(User.user_id)).scalars())


def bootstrap_admin(ctx: Context, user_id: str, display_name: str) -> bool:
    """Create the first admin when the database has no user yet (used by `init`)."""
    check_user(user_id, [])
    with transaction(ctx.factory) as session:
        if session.execute(select(User.user_id).limit(1)).first() is not None:
            return False
        session.add(User(user_id=user_id, role=Role.ADMIN.value, display_name=display_name,
                         townships=[], max_open_assignments=0, active=True,
                         created_at=ctx.now()))
        append_events(session, user_id, ctx.now(), [PendingEvent(
            "user.added", "user", user_id, {"role": "admin", "bootstrap": True})])
        return True
