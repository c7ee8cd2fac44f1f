"""Database connection: the URL, the engine, sessions, and migrating to the current schema.

The embedded default is a SQLite file; `ADJUDICATOR_DATABASE_URL` or `--db` choose another
(PostgreSQL 15 in production: `postgresql+psycopg://user@host/db`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from adjudicator.messages import LocalizedError, Message

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_URL = "sqlite:///adjudicator.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(explicit: str | None = None) -> str:
    """`--db`, else ADJUDICATOR_DATABASE_URL, else the SQLite file adjudicator.db here."""
    url = explicit or os.environ.get("ADJUDICATOR_DATABASE_URL") or DEFAULT_URL
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


#: The largest identifier a database column holds (a signed 64-bit integer).
MOST_ID = 2**63 - 1


def fits_id(value: int) -> bool:
    """Whether a number typed as an identifier (a sample, an adjustment, a file) can name a
    stored row at all: a larger one names nothing (and the database driver would overflow on
    it)."""
    return 0 < value <= MOST_ID


def json_text(value: Any) -> str:
    """JSON columns are written by orjson (compact UTF-8; the standard library's encoder
    took ~4 µs of a verification's import, orjson ~0.3 µs), read back by orjson."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str) -> Engine:
    """An engine that behaves the same on SQLite and PostgreSQL for this application."""
    json_options: dict[str, Any] = {"json_serializer": json_text,
                                    "json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60}, future=True, **json_options)
        _sqlite_transactions(engine)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True, **json_options)


#: Execution option of a session that only reads, for as long as it likes (the audit-trail
#: check): on SQLite its transaction is a WAL read snapshot, not the write lock, so writers
#: go on meanwhile.
READ_SNAPSHOT = "adjudicator_read_snapshot"

#: True while serving a request that only reads (the web app's GET and HEAD): its sessions'
#: transactions begin DEFERRED on SQLite (a WAL read snapshot, never the write lock), except
#: inside `transaction()`, which is the one way anything writes.
_READS_ONLY: ContextVar[bool] = ContextVar("adjudicator_reads_only", default=False)


@contextmanager
def reads_only() -> Iterator[None]:
    """Sessions opened in this block read without taking SQLite's write lock (a writer
    holding it for a minute does not hold them up); `transaction()` still takes it."""
    token = _READS_ONLY.set(True)
    try:
        yield
    finally:
        _READS_ONLY.reset(token)


def _sqlite_transactions(engine: Engine) -> None:
    """pysqlite's own transaction handling defers BEGIN and takes write locks late; take the
    write lock at BEGIN (IMMEDIATE) so that concurrent writers wait instead of failing
    (except in a `READ_SNAPSHOT` session and in a `reads_only()` block outside
    `transaction()`, which never write)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 64 MiB of page cache per connection (SQLite's default is 2 MiB): a province-sized
        # batch keeps its indexes' upper levels in memory; importing 200,000 claims after
        # their 834,450 household rows went from 9,200 to 12,300 rows/s.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        reading = (connection.get_execution_options().get(READ_SNAPSHOT, False)
                   or _READS_ONLY.get())
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, future=True)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed as a whole, or rolled back as a whole (on SQLite it takes
    the write lock at its start, even in a `reads_only()` block)."""
    token = _READS_ONLY.set(False)
    try:
        with factory() as session, session.begin():
            yield session
    finally:
        _READS_ONLY.reset(token)


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # only migrations need Alembic: not every command

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class DatabaseNotReady(LocalizedError, RuntimeError):
    """The database does not exist or is not at this program's schema: only `init` and
    `demo` create or migrate one (a mistyped `--db` must not make a new empty database).
    Worded in both languages (`exc.localized()`)."""


def check_url(url: str, *, create: bool = False) -> None:
    """Raise DatabaseNotReady, with a one-line reason, when `url` is not the URL of
    a database this program can use: not a URL, another kind of database, a SQLite database
    in memory (gone when the command ends), or (to create one) a SQLite file in a folder that
    is not there. The URL itself is not repeated: it may hold a password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
        parsed.port  # noqa: B018  (a port that is not a number fails here)
    except (ArgumentError, ValueError):
        raise DatabaseNotReady(Message("db.bad_url")) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseNotReady(Message("db.unsupported", backend=backend))
    if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise DatabaseNotReady(Message("db.sqlite_without_file"))
    file = sqlite_file(url)
    if create and file is not None and not file.parent.is_dir():
        raise DatabaseNotReady(Message("db.no_folder", folder=file.parent))


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for an in-memory database or another dialect)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def check_ready(url: str) -> None:
    """Raise DatabaseNotReady, with a one-line reason, unless the database at `url`
    exists and its Alembic heads are exactly this program's. Creates nothing: a SQLite file
    that does not exist is never opened (opening it would create it)."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    shown = make_url(url).render_as_string(hide_password=True)
    file = sqlite_file(url)
    if file is not None and not file.is_file():
        raise DatabaseNotReady(Message("db.missing", url=shown))
    script = ScriptDirectory.from_config(alembic_config(url))
    wanted = set(script.get_heads())
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise DatabaseNotReady(Message("db.cannot_open", url=shown, reason=first)) from exc
    finally:
        engine.dispose()
    if not current:
        raise DatabaseNotReady(Message("db.not_initialized", url=shown))
    try:  # every revision applied: the heads, and what they revise or depend on
        applied = {r.revision for r in script.iterate_revisions(tuple(current), "base")}
    except Exception:  # a revision this program does not know (a newer one)
        applied = set(current)
    if not wanted <= applied:
        raise DatabaseNotReady(Message("db.other_schema", url=shown,
                                       found=", ".join(sorted(current)),
                                       wanted=", ".join(sorted(wanted))))


def migrate(url: str) -> None:
    """Create the database or bring it to the current schema (Alembic `upgrade heads`: every
    feature branch of the migrations)."""
    from alembic import command

    command.upgrade(alembic_config(url), "heads")
