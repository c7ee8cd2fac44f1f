"""User management for the admin (用户管理): add, disable and enable users, reset a password,
and import users in bulk from a CSV. Nobody types a password for someone else: each new or
reset user gets a one-time set-up link (valid `LINK_HOURS`) to choose their own.

A link's token is shown once; only its SHA-256 is stored. Using it sets the password (the
same rules and argon2 hashing as `user password`) and spends it. Every change is an event in
the chain, without the token.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from sqlalchemy import select

from adjudicator.messages import Message, Refused
from adjudicator.roles import Role
from adjudicator.services.users import add_user
from adjudicator.storage.clock import stamp
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import User
from adjudicator.storage.models_office import SetupLink
from adjudicator.storage.models_web import WebCredential, WebSession
from adjudicator.web.auth import PasswordRejected, check_new_password, token_digest
from adjudicator.web.labels import ROLE_LABELS
from schemas.vocabulary import Words

LINK_HOURS = 72
#: Role names a county's list may use, in Chinese or English.
ROLE_WORDS = {**{label: role for role, label in ROLE_LABELS.items()},
              "乡村振兴局": "officer", "经办人": "officer", "主管": "supervisor",
              "审计员": "auditor", **{r.value: r.value for r in Role}}
USER_COLUMNS = {"user_id": ("用户名", "账号", "user_id", "user"),
                "display_name": ("姓名", "name", "display_name"),
                "role": ("角色", "role"), "townships": ("乡镇", "负责乡镇", "townships")}


class UserAdminRefused(Refused):
    """What the admin asked cannot be done (the message says why, in Chinese)."""


def _revoke_sessions(session: object, user_id: str, now: str) -> int:
    rows = list(session.execute(select(WebSession).where(  # type: ignore[attr-defined]
        WebSession.user_id == user_id, WebSession.revoked_at.is_(None))).scalars())
    for row in rows:
        row.revoked_at = now
    return len(rows)


def issue_link(ctx: Context, user_id: str, *, reset: bool = False) -> str:
    """A new one-time set-up link token for `user_id` (admin). Earlier unused links of the
    user stop working; with `reset`, the current password and every session too."""
    ctx.require("user.manage")
    token = secrets.token_urlsafe(32)
    now = ctx.clock()
    with transaction(ctx.factory) as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise UserAdminRefused(Message("users.no_active", user=user_id))
        for old in session.execute(select(SetupLink).where(
                SetupLink.user_id == user_id, SetupLink.used_at.is_(None))).scalars():
            old.used_at = stamp(now)
        revoked = 0
        if reset:
            credential = session.get(WebCredential, user_id)
            if credential is not None:
                session.delete(credential)
            revoked = _revoke_sessions(session, user_id, stamp(now))
        session.add(SetupLink(token_sha256=token_digest(token), user_id=user_id,
                              created_by=ctx.user_id, created_at=stamp(now),
                              expires_at=stamp(now + dt.timedelta(hours=LINK_HOURS))))
        append_events(session, ctx.user_id, stamp(now), [PendingEvent(
            "user.password_reset" if reset else "user.setup_link", "user", user_id,
            {"valid_hours": LINK_HOURS, "sessions_revoked": revoked})])
    return token


def link_user(factory: object, token: str, now: dt.datetime) -> str | None:
    """The user a set-up link is for, while it is unused and unexpired; None otherwise."""
    with factory() as session:  # type: ignore[operator]
        row = session.get(SetupLink, token_digest(token))
        if row is None or row.used_at is not None or row.expires_at <= stamp(now):
            return None
        return str(row.user_id)


def use_link(ctx_factory: object, token: str, password: str, now: dt.datetime,
             hasher: PasswordHasher | None = None) -> str:
    """Set the password of the link's user and spend the link; returns the user id."""
    check_new_password(password)
    digest = (hasher or PasswordHasher()).hash(password)
    with transaction(ctx_factory) as session:  # type: ignore[arg-type]
        row = session.get(SetupLink, token_digest(token), with_for_update=True)
        if row is None or row.used_at is not None or row.expires_at <= stamp(now):
            raise PasswordRejected(Message("password.link_spent"))
        user = session.get(User, row.user_id)
        if user is None or not user.active:
            raise PasswordRejected(Message("password.user_inactive"))
        row.used_at = stamp(now)
        credential = session.get(WebCredential, row.user_id)
        if credential is None:
            session.add(WebCredential(user_id=row.user_id, password_hash=digest,
                                      updated_at=stamp(now), updated_by=row.user_id))
        else:
            credential.password_hash, credential.updated_at = digest, stamp(now)
            credential.updated_by = row.user_id
        _revoke_sessions(session, row.user_id, stamp(now))
        append_events(session, row.user_id, stamp(now), [PendingEvent(
            "user.password_set", "user", row.user_id, {"by_setup_link": True})])
        return str(row.user_id)


def set_active(ctx: Context, user_id: str, active: bool) -> None:
    """Disable (or enable again) a user (admin). A disabled user is signed out everywhere and
    can no longer sign in; their records stay."""
    ctx.require("user.manage")
    if user_id == ctx.user_id and not active:
        raise UserAdminRefused(Message("users.not_self"))
    now = ctx.now()
    with transaction(ctx.factory) as session:
        user = session.get(User, user_id)
        if user is None:
            raise UserAdminRefused(Message("users.no_user", user=user_id))
        if user.active == active:
            return
        user.active = active
        revoked = 0 if active else _revoke_sessions(session, user_id, now)
        append_events(session, ctx.user_id, now, [PendingEvent(
            "user.enabled" if active else "user.disabled", "user", user_id,
            {"sessions_revoked": revoked})])


def add_with_link(ctx: Context, user_id: str, display_name: str, role: str,
                  townships: list[str]) -> str:
    """Add a user and give them a set-up link (admin); the token."""
    user_id, display_name = user_id.strip(), display_name.strip()
    if not user_id or len(user_id) > 64 or not user_id.isascii() or " " in user_id:
        raise UserAdminRefused(Message("users.bad_user_id"))
    if not display_name or len(display_name) > 64:
        raise UserAdminRefused(Message("users.bad_name"))
    if role not in {r.value for r in Role}:
        raise UserAdminRefused(Message("users.unknown_role", role=role))
    for code in townships:
        if not (code.isdigit() and len(code) == 9):
            raise UserAdminRefused(Message("users.bad_township", code=code))
    with ctx.factory() as session:
        if session.get(User, user_id) is not None:
            raise UserAdminRefused(Message("users.taken", user=user_id))
    add_user(ctx, user_id, role, display_name, townships)
    return issue_link(ctx, user_id)


@dataclass
class Imported:
    links: list[tuple[str, str, str]] = field(default_factory=list)  # user, name, token
    problems: list[tuple[int, str]] = field(default_factory=list)  # row, reason


def import_users(ctx: Context, text: str) -> Imported:
    """Users from a CSV (用户名, 姓名, 角色, 乡镇 — 乡镇 several codes apart by 、 ; or
    spaces): each valid row is added with a set-up link; a bad row is reported by its row
    number, in Chinese, and the others are added."""
    ctx.require("user.manage")
    result = Imported()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:  # read whole before anyone is added: a row the csv module cannot read stops it all
        table = list(reader)
    except csv.Error:
        raise UserAdminRefused(Message("users.csv_broken", row=reader.line_num)) from None
    header = table[0] if table else None
    if header is None:
        raise UserAdminRefused(Message("users.empty_file"))
    where = {key: next((i for i, h in enumerate(header) if h.strip() in names), None)
             for key, names in USER_COLUMNS.items()}
    missing = [USER_COLUMNS[k][0] for k in ("user_id", "display_name", "role")
               if where[k] is None]
    if missing:
        raise UserAdminRefused(Message("users.missing_columns", columns=Words(
            "、".join(missing), ", ".join(missing))))
    for number, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        padded = [*cells, *[""] * len(header)]

        def cell(key: str, row: list[str] = padded) -> str:
            index = where[key]
            return row[index].strip() if index is not None else ""

        role = ROLE_WORDS.get(cell("role"))
        if role is None:
            result.problems.append((number, f"角色“{cell('role')}”不认识（核查员、保险公司主管、"
                                            "县乡村振兴局、审计、管理员）"))
            continue
        townships = [t for t in cell("townships").replace("、", " ").replace(";", " ")
                     .replace("；", " ").split() if t]
        try:
            token = add_with_link(ctx, cell("user_id"), cell("display_name"), role, townships)
        except UserAdminRefused as exc:
            result.problems.append((number, exc.localized("zh")))
            continue
        result.links.append((cell("user_id"), cell("display_name"), token))
    return result
