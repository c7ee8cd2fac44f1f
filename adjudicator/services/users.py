"""Users: the named people who act, each in one role."""

from __future__ import annotations

from sqlalchemy import select

from adjudicator.roles import Role
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import User


def add_user(ctx: Context, user_id: str, role: str, display_name: str,
             townships: list[str] | None = None, max_open_assignments: int = 20) -> User:
    """Add a user (admin only). Idempotent for an identical user; a conflicting one is refused."""
    ctx.require("user.manage")
    Role(role)  # raises ValueError for an unknown role
    with transaction(ctx.factory) as session:
        existing = session.get(User, user_id)
        if existing is not None:
            if existing.role != role:
                raise ValueError(f"user {user_id} exists with role {existing.role}")
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
    with transaction(ctx.factory) as session:
        if session.execute(select(User.user_id).limit(1)).first() is not None:
            return False
        session.add(User(user_id=user_id, role=Role.ADMIN.value, display_name=display_name,
                         townships=[], max_open_assignments=0, active=True,
                         created_at=ctx.now()))
        append_events(session, user_id, ctx.now(), [PendingEvent(
            "user.added", "user", user_id, {"role": "admin", "bootstrap": True})])
        return True
