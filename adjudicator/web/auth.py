"""Passwords (argon2), server-side sessions and the login throttle.

- A password is stored only as an argon2id hash (argon2-cffi; parameters inside the hash, so
  stronger defaults later re-hash on the next login).
- A session is a random 256-bit token handed to the browser (cookie) or to an API client
  (bearer token); the database keeps only its SHA-256, its CSRF token, its fixed expiry and
  when it was revoked (logout, password change).
- Failed logins are counted per submitted user name whether or not that user exists, and
  per client address; an unknown user costs the same argon2 work as a wrong password, so
  neither the answer, its timing nor the lockout tells anyone which user names exist. A
  locked name still lets in the right password from a client that has not been failing,
  and an admin can unlock a name (`adjudicator user unlock`).
- The argon2 work runs on a bounded queue of its own (`HashingQueue`), so a burst of logins
  slows logins and nothing else, and its memory stays bounded.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from adjudicator.messages import Message, Refused
from adjudicator.storage.clock import stamp
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import User
from adjudicator.storage.models_web import LoginThrottle, WebCredential, WebSession
from adjudicator.web.errors import WebError
from adjudicator.web.settings import WebSettings, production_hasher

T = TypeVar("T")

SessionKind = Literal["browser", "api"]
MIN_PASSWORD = 8
MAX_PASSWORD = 256
BAD_LOGIN = "用户名或密码不正确。"
LOCKED = "登录失败次数过多，请 {minutes} 分钟后再试。"


class PasswordRejected(Refused):
    """A new password that does not meet the rules, or a user who cannot have one (says
    which, in both languages)."""


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
        raise PasswordRejected(Message("password.too_short", least=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise PasswordRejected(Message("password.too_long", most=MAX_PASSWORD))
    if password.strip() != password:
        raise PasswordRejected(Message("password.spaces"))


def require_active_user(ctx: Context, user_id: str) -> None:
    """Refuse a password for a user who is not there or not active (before it is typed), to
    whoever may set it (an admin, or the user themself)."""
    if ctx.user_id != user_id:
        ctx.require("user.manage")
    with ctx.factory() as session:
        user = session.get(User, user_id)
    if user is None or not user.active:
        raise PasswordRejected(Message("password.no_user", user=user_id))


def set_password(ctx: Context, user_id: str, password: str,
                 hasher: PasswordHasher | None = None) -> None:
    """Set a user's web password (an admin for anyone, a user for themself) and sign that
    user out everywhere. Recorded in the event chain without the hash."""
    if ctx.user_id != user_id:
        ctx.require("user.manage")
    check_new_password(password)
    digest = (hasher or production_hasher()).hash(password)
    now = ctx.now()
    with transaction(ctx.factory) as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise PasswordRejected(Message("password.no_user", user=user_id))
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

BUSY = "登录的人太多，请稍后再试。"


class HashingQueue:
    """argon2 work on `slots` threads of its own, with at most `waiting` more logins queued.

    A hash holds the hasher's memory (64 MiB) for its duration, so a burst of logins (unknown
    users' decoy hashes included) costs at most `slots` hashes of memory and `slots` cores;
    the logins wait here, off the web app's worker threads, so every other request goes on.
    A login beyond the queue is refused at once (503) rather than held."""

    def __init__(self, slots: int, waiting: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max(1, slots),
                                        thread_name_prefix="password-hash")
        self._lock = threading.Lock()
        self._limit = max(1, slots) + max(0, waiting)
        self._pending = 0

    def _done(self, _future: Future[Any]) -> None:
        with self._lock:
            self._pending -= 1

    def submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        with self._lock:
            if self._pending >= self._limit:
                raise WebError(503, "busy", BUSY, detail="the password hashing queue is full")
            self._pending += 1
        future = self._pool.submit(function, *args)
        future.add_done_callback(self._done)
        return future

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.wrap_future(self.submit(function, *args))


@dataclass(frozen=True)
class _Gate:
    """What the throttle and the user table say before a password is checked."""

    user: User | None
    stored: str | None
    name_locked: bool
    client_failing: bool


def name_key(login: str) -> str:
    return "u:" + login.strip().casefold()[:62]


def address_key(address: str) -> str:
    return "a:" + address[:62]


class Authenticator:
    """Logins, session look-ups and logouts on one database, with the app's settings."""

    def __init__(self, factory: sessionmaker[Session], settings: WebSettings) -> None:
        self.factory = factory
        self.settings = settings
        self.hasher = settings.password_hasher
        self.hashing = HashingQueue(settings.login_hash_slots, settings.login_hash_queue)
        # Verified against when the user or their password does not exist: same work.
        self._decoy = self.hasher.hash(secrets.token_urlsafe(16))

    def _now(self) -> dt.datetime:
        return self.settings.clock()

    async def login(self, login: str, password: str, kind: SessionKind,
                    address: str = "unknown") -> tuple[str, SignedIn]:
        """A new session token for the right password; WebError 401 (wrong user name or
        password, the same answer), 429 (too many failures) or 503 (too many logins at
        once) otherwise.

        Failures are counted per user name and per client address. A locked address gets
        429 for any name. A locked name gets 429 from a client that has itself been failing;
        a client with no recent failure may still sign in with the right password, so
        nobody can lock a known user out by guessing from elsewhere."""
        key = login.strip()[:64]
        now = self._now()
        gate = await run_in_threadpool(self._gate, key, address, now)
        if gate.name_locked and gate.client_failing:
            raise self._locked()
        stored = gate.stored or self._decoy
        ok = await self.hashing.run(self._verify, stored, password[:MAX_PASSWORD])
        user = gate.user
        if not ok or user is None or gate.stored is None:
            locked = await run_in_threadpool(self._failed, key, address, now)
            if locked or gate.name_locked:
                raise self._locked()
            raise WebError(401, "bad_credentials", BAD_LOGIN)
        rehashed = (await self.hashing.run(self.hasher.hash, password)
                    if self.hasher.check_needs_rehash(stored) else None)
        return await run_in_threadpool(self._open, user, kind, now, rehashed)

    def _locked(self) -> WebError:
        return WebError(429, "rate_limited",
                        LOCKED.format(minutes=self.settings.login_lock_minutes))

    def _gate(self, key: str, address: str, now: dt.datetime) -> _Gate:
        window_start = stamp(now - dt.timedelta(minutes=self.settings.login_window_minutes))
        with self.factory() as session:
            client = session.get(LoginThrottle, address_key(address))
            if client is not None and client.locked_until is not None \
                    and client.locked_until > stamp(now):
                raise self._locked()
            name = session.get(LoginThrottle, name_key(key)) if key else None
            user = session.get(User, key) if key else None
            credential = session.get(WebCredential, key) if key else None
        usable = user is not None and user.active and credential is not None
        return _Gate(
            user=user if usable else None,
            stored=credential.password_hash if usable and credential is not None else None,
            name_locked=(name is not None and name.locked_until is not None
                         and name.locked_until > stamp(now)),
            client_failing=(client is not None and client.failures > 0
                            and client.window_start >= window_start))

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _failed(self, key: str, address: str, now: dt.datetime) -> bool:
        """Count a failure against the name and the client address; True when it locks
        either."""
        settings = self.settings
        with transaction(self.factory) as session:
            by_name = self._count(session, name_key(key), settings.login_max_failures, now)
            by_address = self._count(session, address_key(address),
                                     settings.login_address_max_failures, now)
        return by_name or by_address

    def _count(self, session: Session, key: str, limit: int, now: dt.datetime) -> bool:
        window = dt.timedelta(minutes=self.settings.login_window_minutes)
        # Two failures at once may both be the first: the row is made if missing (the
        # other's insert is ignored), then locked.
        make = (pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)
        session.execute(make(LoginThrottle).values(
            login=key, failures=0, window_start=stamp(now)).on_conflict_do_nothing())
        row = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
        assert row is not None
        if row.window_start < stamp(now - window):
            row.failures, row.window_start, row.locked_until = 0, stamp(now), None
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = stamp(now + dt.timedelta(minutes=self.settings.login_lock_minutes))
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
            # A name's failures end with its next login; a lock stays until it runs out
            # (other clients that have been failing stay out) or an admin lifts it.
            session.execute(delete(LoginThrottle).where(
                LoginThrottle.login == name_key(user.user_id),
                or_(LoginThrottle.locked_until.is_(None),
                    LoginThrottle.locked_until <= stamp(now))))
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


def unlock_login(ctx: Context, login: str) -> bool:
    """Lift the lock-out of a user name (admin only), recorded in the event chain. True when
    the name had failures or a lock."""
    ctx.require("user.manage")
    key = name_key(login)
    with transaction(ctx.factory) as session:
        row = session.get(LoginThrottle, key)
        if row is None:
            return False
        session.delete(row)
        append_events(session, ctx.user_id, ctx.now(), [PendingEvent(
            "user.login_unlocked", "user", login.strip()[:64],
            {"failures": row.failures, "was_locked": row.locked_until is not None})])
        return True
