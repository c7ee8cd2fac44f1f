"""The service context: which database, who is acting (and in which role), and the clock.

Every service function takes a Context; the CLI and the web app build one per command or
request. No service reads the time or the environment by itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from adjudicator.messages import LocalizedError, Message
from adjudicator.roles import require
from adjudicator.storage.clock import Clock, local, stamp, system_clock
from adjudicator.storage.db import (
    DatabaseNotReady,
    check_ready,
    check_url,
    database_url,
    make_engine,
    migrate,
    session_factory,
)
from adjudicator.storage.models import User

__all__ = ["Context", "DatabaseNotReady", "UnknownUser", "connect", "open_context"]


class UnknownUser(LocalizedError, LookupError):
    """No active user of that id."""


@dataclass
class Context:
    """Who acts: the user, their role and their scope. `townships` are the township codes
    (prefixes of a household's township code) the user works in; empty means the whole
    county. Every service that reads or changes a claim, a notice, a sample or a report
    keeps to that scope (`adjudicator.services.scope`), whatever the door."""

    engine: Engine
    factory: sessionmaker[Session]
    user_id: str
    role: str
    clock: Clock = field(default=system_clock)
    townships: tuple[str, ...] = ()

    def now(self) -> str:
        return stamp(self.clock())

    def today(self) -> dt.date:
        """Today's date in the county's time zone (a notice posted at 07:30 Beijing time is
        dated that day, not the UTC day before)."""
        return local(self.clock()).date()

    def require(self, action: str) -> None:
        require(self.user_id, self.role, action)

    def as_user(self, user_id: str) -> Context:
        """The same database and clock, acting as another (existing, active) user."""
        with self.factory() as session:
            user = session.get(User, user_id)
            if user is None or not user.active:
                raise UnknownUser(Message("user.unknown", user=user_id))
            return Context(self.engine, self.factory, user.user_id, user.role, self.clock,
                           tuple(str(t) for t in user.townships or []))


def connect(url: str | None = None, *, create: bool = False) -> tuple[Engine,
                                                                   sessionmaker[Session]]:
    """Engine and session factory for the URL. With `create` (only `init`, the demo and
    tests) the database is created or migrated to the current schema first; otherwise it must
    already exist at the current schema (DatabaseNotReady, with a one-line reason)."""
    resolved = database_url(url)
    check_url(resolved, create=create)
    if create:
        migrate(resolved)
    else:
        check_ready(resolved)
    engine = make_engine(resolved)
    return engine, session_factory(engine)


def open_context(url: str | None, user_id: str, clock: Clock = system_clock) -> Context:
    """A context acting as `user_id` on the database at `url`."""
    engine, factory = connect(url)
    system = Context(engine, factory, "system", "admin", clock)
    return system.as_user(user_id)
