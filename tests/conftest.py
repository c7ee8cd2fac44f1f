from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from adjudicator.rules.tariff import Tariff, load_tariff
from tariffs import demo_tariff_path

PG_URL = os.environ.get("ADJUDICATOR_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def demo_tariff() -> Tariff:
    return load_tariff(demo_tariff_path())


def _pg_schema_url(base: str, schema: str) -> str:
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[str]:
    """A fresh, empty database: a SQLite file always; a PostgreSQL schema of its own when
    ADJUDICATOR_TEST_DATABASE_URL is set (CI sets it). Storage tests take this fixture, so
    every one of them runs on both with the same assertions."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL: ADJUDICATOR_TEST_DATABASE_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(PG_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class FixedClock:
    """A clock for tests: starts at a fixed moment, advanced by hand."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.moment = start or dt.datetime(2026, 3, 15, 8, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += dt.timedelta(**delta)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def admin_ctx(db_url: str, clock: FixedClock):
    """A migrated database with an admin and one user of each role, acting as the admin.

    Users: admin, sup (supervisor), off (officer), off2 (officer), aud (auditor),
    v1 and v2 (verifiers)."""
    from adjudicator.services.users import add_user, bootstrap_admin
    from adjudicator.storage.context import Context, connect

    engine, factory = connect(db_url, create=True)
    system = Context(engine, factory, "system", "admin", clock)
    bootstrap_admin(system, "admin", "管理员")
    ctx = system.as_user("admin")
    for user_id, role in [("sup", "supervisor"), ("off", "officer"), ("off2", "officer"),
                          ("aud", "auditor"), ("v1", "verifier"), ("v2", "verifier")]:
        add_user(ctx, user_id, role, user_id.upper())
    yield ctx
    engine.dispose()


@pytest.fixture(autouse=True)
def _messages_in_the_default_language() -> Iterator[None]:
    """Every test starts with messages in Chinese, whatever language a CLI test chose."""
    from adjudicator.messages import set_lang

    set_lang(None)
    yield
    set_lang(None)


@pytest.fixture
def late_in_2026(request: pytest.FixtureRequest, clock: FixedClock) -> None:
    """The sample files' dates are of 2026: import them on a clock after all of them, with
    v1 and v2 (their verifiers) covering their townships, and the verifiers of generated
    counties. A module takes it with `pytestmark = pytest.mark.usefixtures("late_in_2026")`."""
    from tests.seed import LATE_IN_2026, SAMPLE_TOWNSHIPS, add_county_verifiers, give_townships

    clock.moment = LATE_IN_2026
    if "admin_ctx" in request.fixturenames:
        ctx = request.getfixturevalue("admin_ctx")
        for verifier in ("v1", "v2"):
            give_townships(ctx, verifier, SAMPLE_TOWNSHIPS)
        add_county_verifiers(ctx)  # those of generated counties


@pytest.fixture(params=["scalar", "columnar"])
def engine(request: pytest.FixtureRequest) -> Any:
    """Each engine in turn (tests/engines.py): the rule suites hold both to the same rules."""
    from tests.engines import ENGINES

    return ENGINES[request.param]
