"""A small seeded county for the web tests (TestClient and browser): users with passwords,
assigned claims, department findings and pended claims, plus helpers to sign in and to take
a fingerprint of the system of record (to show that a refused request changed nothing)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.verification import assign_claims
from adjudicator.storage.all_models import Base
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.models import ChainHead, Claim, Finding, User
from adjudicator.web import WebSettings, create_app
from adjudicator.web.auth import set_password
from tests.seed import add_claim, add_household, load_demo_tariff

#: Cheap argon2 parameters: the tests sign in many times; production uses the defaults.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct-horse-42"
T1, T2 = "330102001", "330102002"
VISIT = dt.date(2026, 3, 14)


def _user(ctx: Context, user_id: str, townships: list[str], role: str | None = None) -> None:
    with transaction(ctx.factory) as session:
        user = session.get(User, user_id)
        if user is None:
            assert role is not None
            user = User(user_id=user_id, role=role, display_name=user_id.upper(),
                        townships=[], max_open_assignments=20, active=True,
                        created_at=ctx.now())
            session.add(user)
        user.townships = townships


def seed_world(ctx: Context) -> dict[str, Any]:
    """Tariff, users and claims:

    - K1 (H1) and K2 (H2, where the vehicle registry found a car) assigned to v1;
      K3 (H3) assigned to v2 — all township T1, under verification;
    - P1 (H4, T1) and P2 (H5, T2) pended for their large payout, verified by v2;
      P3 (H6, T1) pended, verified by the officer `off` (maker-checker).
    """
    load_demo_tariff(ctx)
    _user(ctx, "v1", [T1])
    _user(ctx, "v2", [T1])
    _user(ctx, "off2", [T2])
    for user_id in ("v1", "v2", "off", "off2", "aud", "sup"):
        set_password(ctx, user_id, PASSWORD, CHEAP)
    for n in (1, 2, 3):
        add_household(ctx, f"H{n}", members=3, region=T1 + "001")
        add_claim(ctx, f"K{n}", f"H{n}", "60000", status="screened")
    with transaction(ctx.factory) as session:
        session.add(Finding(household_id="H2", source="vehicle_registry", item="VEHICLE",
                            found=True, detail=None, reported_on=dt.date(2026, 3, 5),
                            row_key="H2-VEHICLE"))
    sup = ctx.as_user("sup")
    assign_claims(sup, verifier="v1", township=T1 + "001")
    _move_to(ctx, "K3", "v1", "v2")
    for claim_id, household, region, verifier in (("P1", "H4", T1, "v2"),
                                                  ("P2", "H5", T2, "v2"),
                                                  ("P3", "H6", T1, "off")):
        add_household(ctx, household, members=4, region=region + "001")
        add_claim(ctx, claim_id, household, "120000", verifier=verifier)
    adjudicate_ready(sup)
    statuses = claim_statuses(ctx)
    assert statuses["K1"] == statuses["K2"] == statuses["K3"] == "under_verification"
    assert statuses["P1"] == statuses["P2"] == statuses["P3"] == "pended", statuses
    return statuses


def _move_to(ctx: Context, claim_id: str, old: str, new: str) -> None:
    with transaction(ctx.factory) as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None and claim.assigned_verifier == old
        claim.assigned_verifier = new


def claim_statuses(ctx: Context) -> dict[str, str]:
    with ctx.factory() as session:
        return dict(session.execute(select(Claim.claim_id, Claim.status)).all())  # type: ignore[arg-type]


def fingerprint(ctx: Context) -> dict[str, Any]:
    """Row counts of every table of the system of record (not the web's own sessions and
    throttle), the event chain's head and every claim's status."""
    counts: dict[str, Any] = {}
    with ctx.factory() as session:
        for table in Base.metadata.sorted_tables:
            if not table.name.startswith("web_"):
                counts[table.name] = session.execute(
                    select(func.count()).select_from(table)).scalar_one()
        head = session.get(ChainHead, 1)
        counts["chain"] = (head.seq, head.hash) if head else None
    counts["statuses"] = claim_statuses(ctx)
    return counts


def settings_for(db_url: str, tmp: Path, clock: Any, **overrides: Any) -> WebSettings:
    options: dict[str, Any] = {"password_hasher": CHEAP, **overrides}
    return WebSettings(database_url=db_url, evidence_dir=tmp / "evidence",
                       documents_dir=tmp / "documents", clock=clock, **options)


def client_for(db_url: str, tmp: Path, clock: Any, **overrides: Any) -> TestClient:
    return TestClient(create_app(settings_for(db_url, tmp, clock, **overrides)),
                      follow_redirects=False)


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: TestClient, user_id: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    page = client.get("/login")
    response = client.post("/login", data={"username": user_id, "password": password,
                                           "csrf_token": csrf_of(page.text)})
    assert response.status_code == 303, response.text
    home = "/verifier/claims" if user_id.startswith("v") else "/officer/report"
    return csrf_of(client.get(home).text)


def api_token(client: TestClient, user_id: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": user_id,
                                                       "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class World:
    """A seeded database and clients of one web app on it."""

    def __init__(self, ctx: Context, db_url: str, tmp: Path, clock: Any) -> None:
        self.ctx, self.db_url, self.tmp, self.clock = ctx, db_url, tmp, clock
        self.app = create_app(settings_for(db_url, tmp, clock))

    def client(self, user_id: str | None = None, **kwargs: Any) -> tuple[TestClient, str]:
        """A browser-like client, signed in as `user_id` when given; and its CSRF token."""
        client = TestClient(self.app, follow_redirects=False, **kwargs)
        token = login(client, user_id) if user_id else ""
        return client, token

    def fingerprint(self) -> dict[str, Any]:
        return fingerprint(self.ctx)

    def status(self, claim_id: str) -> str:
        return claim_statuses(self.ctx)[claim_id]
