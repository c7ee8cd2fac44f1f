"""A user's scope: the townships they work in (`Context.townships`; none = the whole county).

An officer of one township reads and acts on that township's claims, decisions, notices,
audit samples and figures only — from the CLI, the API and the pages alike, because the
services themselves check it here. A refusal names the township, never a person.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from adjudicator.messages import Message, NotFound
from adjudicator.roles import PermissionDenied
from adjudicator.storage.context import Context
from adjudicator.storage.models import Claim, Household
from schemas.vocabulary import Words


class OutOfScope(PermissionDenied):
    """The thing asked for lies outside the acting user's townships."""


def in_scope(ctx: Context, township_code: str | None) -> bool:
    if not ctx.townships:
        return True
    return township_code is not None and any(
        township_code.startswith(t) for t in ctx.townships)


def scope_filter(ctx: Context, column: Any) -> ColumnElement[bool] | None:
    """A WHERE condition keeping rows of the user's townships (None: county-wide)."""
    if not ctx.townships:
        return None
    return or_(*(column.startswith(t) for t in ctx.townships))


def scoped(ctx: Context, query: Any, column: Any) -> Any:
    """`query` restricted to the user's townships by `column` (a township code)."""
    condition = scope_filter(ctx, column)
    return query if condition is None else query.where(condition)


def require_scope(ctx: Context, township_code: str | None, what: Words) -> None:
    """Refuse `what` (named in both languages) when it lies outside the user's townships: in
    Chinese for a person (`scope.outside`, the words the web app shows), English in logs."""
    if not in_scope(ctx, township_code):
        raise OutOfScope(Message("scope.outside_detail", what=what,
                                 township=township_code or "-", user=ctx.user_id,
                                 townships=Words("、".join(ctx.townships),
                                                 ", ".join(ctx.townships))))


def claim_township(session: Session, claim_id: str) -> str | None:
    return session.execute(
        select(Household.township_code).join(Claim, Claim.household_id == Household.household_id)
        .where(Claim.claim_id == claim_id)).scalar_one_or_none()


class NoSuchClaim(NotFound):
    """A claim named that is not in the database."""


def require_claim(session: Session, claim_id: str) -> None:
    """Refuse a claim id that names no claim (a command asked for one claim must not answer
    as if it had done nothing to do)."""
    if session.get(Claim, claim_id) is None:
        raise NoSuchClaim(Message("claims.unknown", claim=claim_id))


def require_claim_in_scope(ctx: Context, session: Session, claim_id: str) -> None:
    """Refuse a claim outside the user's townships (a claim that does not exist is left
    for the caller to answer as it does)."""
    if ctx.townships:
        township = claim_township(session, claim_id)
        if township is not None:
            require_scope(ctx, township, Words(f"案件 {claim_id}", f"claim {claim_id}"))


def require_entity_in_scope(ctx: Context, session: Session, entity_id: str) -> None:
    """Refuse the audit trail of an entity outside the user's townships: a claim or a
    household (or a member, `household/member`) of another township, or anything of no one
    township (an import batch, a notice of the county) for a user who works in some only."""
    if not ctx.townships:
        return
    household_id = entity_id.split("/", 1)[0]
    township = claim_township(session, entity_id) or session.execute(
        select(Household.township_code).where(Household.household_id == household_id)
    ).scalar_one_or_none()
    require_scope(ctx, township, Words(f"{entity_id} 的审计记录",
                                       f"the audit trail of {entity_id}"))
