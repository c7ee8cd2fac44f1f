"""Append-only in the database itself (只增不改): the rows that record what was decided and
paid — events, decisions, payments and documents — cannot be updated or deleted.

Both databases get triggers that refuse an UPDATE or a DELETE of those tables, whoever runs
it, so the application, a script or a person at a SQL prompt as the application's role
cannot rewrite the record. On PostgreSQL a county that runs the application as its own role
also revokes the privileges (docs/operations.md, "Append-only for the DBA"); only a
superuser can switch triggers off, and the signed checkpoints an auditor keeps
(`log checkpoint`) catch what a superuser rewrites.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

#: The tables whose rows are never updated nor deleted.
APPEND_ONLY = ("events", "decisions", "payments", "documents")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION adjudicator_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% 表只能追加：不能 % 已有记录 (append-only)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""


def create_guards(connection: Connection) -> None:
    """Create the triggers (a migration runs this; it is idempotent)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(_PG_FUNCTION))
        for table in APPEND_ONLY:
            connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
            connection.execute(text(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION adjudicator_append_only()"))
        return
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            connection.execute(text(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} BEFORE {action} "
                f"ON {table} BEGIN SELECT RAISE(ABORT, '{table} 表只能追加：不能 {action} "
                "已有记录 (append-only)'); END"))


def drop_guards(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        for table in APPEND_ONLY:
            connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
        connection.execute(text("DROP FUNCTION IF EXISTS adjudicator_append_only()"))
        return
    for table in APPEND_ONLY:
        for action in ("update", "delete"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{action}"))


@contextmanager
def guards_lifted(connection: Connection) -> Iterator[None]:
    """Inside the caller's transaction, the guards do not apply: what a person with the
    database's own powers can do (a SQLite file's owner, a PostgreSQL superuser with
    `session_replication_role`). Tests of tampering use it; the application never does."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        yield
        connection.execute(text("SET LOCAL session_replication_role = origin"))
        return
    drop_guards(connection)
    try:
        yield
    finally:
        create_guards(connection)
