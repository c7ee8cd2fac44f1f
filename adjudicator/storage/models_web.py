"""Tables of the web app: password credentials, server-side sessions, login throttling.

Kept apart from the system of record (`models.py`): nothing here is part of a decision.
A session row stores only the SHA-256 of its token, so a copy of the database does not
let anyone act as a user; a credential stores only an argon2 hash.
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from adjudicator.storage.models import Base, Timestamp


class WebCredential(Base):
    """A user's web password (argon2 hash, parameters included in the hash string)."""

    __tablename__ = "web_credentials"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[str] = mapped_column(Timestamp)
    updated_by: Mapped[str] = mapped_column(String(64))


class WebSession(Base):
    """A signed-in browser or an API bearer token: revocable, with a fixed expiry."""

    __tablename__ = "web_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # browser | api
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(Timestamp)
    expires_at: Mapped[str] = mapped_column(Timestamp)
    revoked_at: Mapped[str | None] = mapped_column(Timestamp)


class LoginThrottle(Base):
    """Failed logins per submitted user name (existing or not, so the limit reveals nothing)."""

    __tablename__ = "web_login_throttle"

    login: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[str] = mapped_column(Timestamp)
    locked_until: Mapped[str | None] = mapped_column(Timestamp)
