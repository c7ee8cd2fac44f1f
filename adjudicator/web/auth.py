"""Passwords (argon2), server-side sessions and the login throttle.

- A password is stored only as an argon2id hash (argon2-cffi; parameters inside the hash, so
  stronger defaults later re-hash on the next login).
- A session is a random 256-bit token handed to the browser (cookie) or to an API client
  (bearer token); the database keeps only its SHA-256, its CSRF token, its fixed expiry and
  when it was revoked (logout, password change).
- Failed logins are counted per submitted user name whether or not that user exists, and
  an unknown user costs the same argon2 work as a wrong password, so neither the answer,
  its timing nor the lockout tells anyone which user names exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from adjudicator.storage.clock import stamp
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import User
from adjudicator.storage.models_web import LoginThrottle, WebCredential, WebSession
from adjudicator.web.errors import WebError
from adjudicator.web.settings import WebSettings

SessionKind = Literal["browser", "api"]
MIN_PASSWORD = 8
MAX_PASSWORD = 256
BAD_LOGIN = "用户名或密码不正确。"
LOCKED = "登录失败次数过多，请 {minutes} 分钟后再试。"


class PasswordRejected(ValueError):
    """A new password that does not meet the rules (says which, in Chinese)."""


@dataclass(frozen=True)
class SignedIn:
    """The user behind a valid session, as every request sees them."""

    user_id: str
    role: str
    display_name: str
    townships: tuple[str, ...]
    csrf_token: str
    kind: SessionKind
    token_sha256: str
    expires_at: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise PasswordRejected(f"密码至少 {MIN_PASSWORD} 个字符。")
    if len(password) > MAX_PASSWORD:
        raise PasswordRejected(f"密码最多 {MAX_PASSWORD} 个字符。")
    if password.strip() != password:
        raise PasswordRejected("密码的开头和结尾不能是空格。")


def set_password(ctx: Context, user_id: str, password: str,
                 hasher: PasswordHasher | None = None) -> None:
    """Set a user's web password (an admin for anyone, a user for themself) and sign that
    user out everywhere. Recorded in the event chain without the hash."""
    if ctx.user_id != user_id:
        ctx.require("user.manage")
    check_new_password(password)
    digest = (hasher or PasswordHasher()).hash(password)
    now = ctx.now()
    with transaction(ctx.factory) as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise PasswordRejected(f"no active user {user_id!r}")
        credential = session.get(WebCredential, user_id)
        if credential is None:
            session.add(WebCredential(user_id=user_id, password_hash=digest, updated_at=now,
                                      updated_by=ctx.user_id))
        else:
            credential.password_hash, credential.updated_at = digest, now
            credential.updated_by = ctx.user_id
        open_sessions = list(session.execute(select(WebSession).where(
            WebSession.user_id == user_id, WebSession.revoked_at.is_(None))).scalars())
        for row in open_sessions:
            row.revoked_at = now
        revoked = len(open_sessions)
        append_events(session, ctx.user_id, now, [PendingEvent(
            "user.password_set", "user", user_id, {"sessions_revoked": revoked})])


# --------------------------------------------------------------------------- login


class Authenticator:
    """Logins, session look-ups and logouts on one database, with the app's settings."""

    def __init__(self, factory: sessionmaker[Session], settings: WebSettings) -> None:
        self.factory = factory
        self.settings = settings
        self.hasher = settings.password_hasher
        # Verified against when the user or their password does not exist: same work.
        self._decoy = self.hasher.hash(secrets.token_urlsafe(16))

    def _now(self) -> dt.datetime:
        return self.settings.clock()

    def login(self, login: str, password: str, kind: SessionKind) -> tuple[str, SignedIn]:
        """A new session token for the right password; WebError 401 (wrong user name or
        password, the same answer) or 429 (too many failures) otherwise."""
        key = login.strip()[:64]
        now = self._now()
        minutes = self.settings.login_lock_minutes
        with self.factory() as session:
            throttle = session.get(LoginThrottle, key.casefold())
            if (throttle is not None and throttle.locked_until is not None
                    and throttle.locked_until > stamp(now)):
                raise WebError(429, "rate_limited", LOCKED.format(minutes=minutes))
            user = session.get(User, key) if key else None
            credential = session.get(WebCredential, key) if key else None
        usable = user is not None and user.active and credential is not None
        stored = credential.password_hash if usable and credential else self._decoy
        ok = self._verify(stored, password[:MAX_PASSWORD]) and usable
        if not ok or user is None or credential is None:
            locked = self._failed(key.casefold(), now)
            if locked:
                raise WebError(429, "rate_limited", LOCKED.format(minutes=minutes))
            raise WebError(401, "bad_credentials", BAD_LOGIN)
        rehash = self.hasher.check_needs_rehash(stored)
        return self._open(user, kind, now, self.hasher.hash(password) if rehash else None)

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _failed(self, key: str, now: dt.datetime) -> bool:
        """Count a failure; True when it locks the name."""
        window = dt.timedelta(minutes=self.settings.login_window_minutes)
        with transaction(self.factory) as session:
            row = session.get(LoginThrottle, key, with_for_update=True)
            if row is None:
                row = LoginThrottle(login=key, failures=0, window_start=stamp(now))
                session.add(row)
            elif row.window_start < stamp(now - window):
                row.failures, row.window_start, row.locked_until = 0, stamp(now), None
            row.failures += 1
            if row.failures >= self.settings.login_max_failures:
                until = now + dt.timedelta(minutes=self.settings.login_lock_minutes)
                row.locked_until = stamp(until)
                row.failures, row.window_start = 0, stamp(now)
                return True
            return False

    def _open(self, user: User, kind: SessionKind, now: dt.datetime, rehashed: str | None
              ) -> tuple[str, SignedIn]:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        hours = self.settings.session_hours if kind == "browser" else self.settings.api_token_hours
        expires = stamp(now + dt.timedelta(hours=hours))
        digest = token_digest(token)
        with transaction(self.factory) as session:
            session.execute(delete(LoginThrottle).where(
                LoginThrottle.login == user.user_id.casefold()))
            session.execute(delete(WebSession).where(WebSession.user_id == user.user_id,
                                                     WebSession.expires_at < stamp(now)))
            session.add(WebSession(token_sha256=digest, user_id=user.user_id, kind=kind,
                                   csrf_token=csrf, created_at=stamp(now), expires_at=expires))
            if rehashed is not None:
                credential = session.get(WebCredential, user.user_id)
                if credential is not None:
                    credential.password_hash = rehashed
        return token, SignedIn(user.user_id, user.role, user.display_name,
                               tuple(str(t) for t in user.townships or []), csrf, kind,
                               digest, expires)

    def lookup(self, token: str | None, kind: SessionKind | None = None) -> SignedIn | None:
        """The signed-in user of a token: None when unknown, expired, revoked, of another
        kind, or when the user was deactivated."""
        if not token or len(token) > 128:
            return None
        digest = token_digest(token)
        now = stamp(self._now())
        with self.factory() as session:
            row = session.get(WebSession, digest)
            if (row is None or row.revoked_at is not None or row.expires_at <= now
                    or (kind is not None and row.kind != kind)):
                return None
            user = session.get(User, row.user_id)
            if user is None or not user.active:
                return None
            return SignedIn(user.user_id, user.role, user.display_name,
                            tuple(str(t) for t in user.townships or []), row.csrf_token,
                            row.kind, digest, row.expires_at)  # type: ignore[arg-type]

    def logout(self, signed: SignedIn) -> None:
        with transaction(self.factory) as session:
            session.execute(update(WebSession).where(
                WebSession.token_sha256 == signed.token_sha256,
                WebSession.revoked_at.is_(None)).values(revoked_at=stamp(self._now())))

    def sessions_of(self, user_id: str) -> list[WebSession]:
        with self.factory() as session:
            return list(session.execute(select(WebSession).where(
                WebSession.user_id == user_id)).scalars())
