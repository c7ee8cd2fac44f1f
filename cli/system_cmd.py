"""`adjudicator init`, `user`, `log verify`, `log history`: setting up and checking the system
of record."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Column, Table

from adjudicator.roles import PermissionDenied, Role
from adjudicator.services.tariffs import load_tariff_file
from adjudicator.services.users import add_user, bootstrap_admin, list_users
from adjudicator.storage.context import Context, connect
from adjudicator.storage.db import database_url
from adjudicator.storage.events import canonical, history, verify_chain
from adjudicator.tariff import TariffError
from cli.common import AsOption, DbOption, JsonOption, console, context, fail, print_json, refused
from tariffs import shipped_tariff_paths

user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
log_app = typer.Typer(help="The audit trail (hash-chained event log).", no_args_is_help=True)


def init(
    db: Annotated[str | None, DbOption] = None,
    admin: Annotated[str, typer.Option("--admin", help="Id of the first admin user, created "
                                                       "when the database has no user.")]
    = "admin",
) -> None:
    """Create or migrate the database, create the first admin, load the shipped tariffs."""
    url = database_url(db)
    engine, factory = connect(url, create=True)
    system = Context(engine, factory, admin, "admin")
    created = bootstrap_admin(system, admin, "管理员")
    loaded = []
    for path in shipped_tariff_paths():
        try:
            record, new = load_tariff_file(system, path)
        except TariffError as exc:
            fail(str(exc).replace("\n", "; "))
        loaded.append(f"{record.tariff_id} ({'loaded' if new else 'already stored'})")
    console.print(f"database ready: {engine.url.render_as_string(hide_password=True)}",
                  highlight=False)
    if created:
        console.print(f"first admin user: {admin} (add others with 'adjudicator user add')")
    console.print("tariffs: " + ", ".join(loaded), highlight=False)


@user_app.command("add")
def user_add(
    user_id: Annotated[str, typer.Argument(help="The new user's id.")],
    role: Annotated[Role, typer.Option("--role", help="verifier, supervisor, officer, "
                                                      "auditor or admin.")],
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    townships: Annotated[str, typer.Option("--townships", help="Comma-separated township "
                                                               "codes (verifiers).")] = "",
    max_open: Annotated[int, typer.Option("--max-open", help="Workload limit: open "
                                                             "assignments.")] = 20,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """Add a user (admin only)."""
    ctx = context(db, user)
    with refused(PermissionDenied, ValueError):
        add_user(ctx, user_id, role.value, name or user_id,
                 [t for t in townships.split(",") if t], max_open)
    console.print(f"user {user_id} ({role.value}) ready")


@user_app.command("list")
def user_list(
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """The users and their roles."""
    ctx = context(db, user)
    users = list_users(ctx)
    if as_json:
        print_json([{"user_id": u.user_id, "role": u.role, "name": u.display_name,
                     "townships": u.townships, "active": u.active} for u in users])
        return
    table = Table("user", "role", "name", "townships", "active")
    for u in users:
        table.add_row(u.user_id, u.role, u.display_name, ",".join(u.townships), str(u.active))
    console.print(table)


@log_app.command("verify")
def log_verify(
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Check the whole hash chain; name the first edited, deleted or reordered event."""
    ctx = context(db, user)
    with refused(PermissionDenied):
        ctx.require("log.verify")
    with ctx.factory() as session:
        checked, problem = verify_chain(session)
    if as_json:
        print_json({"checked": checked, "ok": problem is None,
                    "first_bad_seq": problem.seq if problem else None,
                    "problem": problem.problem if problem else None})
    if problem is not None:
        fail(f"event {problem.seq}: {problem.problem} ({checked} events before it are intact)")
    if not as_json:
        console.print(f"audit trail intact: {checked} events, hash chain verified")


@log_app.command("history")
def log_history(
    entity_id: Annotated[str, typer.Argument(help="A claim, a household, a member "
                                             "(household/member) or an import batch.")],
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Everything the audit trail records about one entity, in order: its own events and
    the rows of imports that named it."""
    ctx = context(db, user)
    with refused(PermissionDenied):
        ctx.require("log.read")
    with ctx.factory() as session:
        entries = history(session, entity_id)
    if as_json:
        print_json([{"seq": e.seq, "at": e.at, "actor": e.actor, "kind": e.kind,
                     "entity_type": e.entity_type, "detail": e.detail} for e in entries])
        return
    if not entries:
        fail(f"the audit trail records nothing about {entity_id}")
    table = Table("seq", "at", "actor", "kind", Column("detail", overflow="fold"))
    for e in entries:
        table.add_row(str(e.seq), e.at, e.actor, e.kind, canonical(e.detail))
    console.print(table)
