"""CSRF: every state-changing route refuses a request without the session's token (or with
a forged one), and the refusal changes nothing; bearer-token API calls need none."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

from adjudicator.web import api, pages_auth, pages_officer, pages_verifier
from tests.e2e.fixtures import world_fixture  # noqa: F401
from tests.e2e.webworld import World, api_token, csrf_of


def _unsafe_routes() -> list[str]:
    """Every state-changing route of the app's routers."""
    paths = []
    for router in (api.router, pages_auth.router, pages_officer.router, pages_verifier.router):
        for route in router.routes:
            if isinstance(route, APIRoute) and route.methods & {"POST", "PUT", "PATCH",
                                                                "DELETE"}:
                paths.append(re.sub(r"\{[^}]+\}", "P1", route.path))
    return paths


def test_every_post_needs_the_session_token(world: World) -> None:
    officer, token = world.client("off")
    verifier, _ = world.client("v1")
    before = world.fingerprint()
    paths = _unsafe_routes()
    assert len(paths) >= 15
    for path in paths:
        if path == "/api/v1/auth/token":
            continue
        for client in (officer, verifier):
            for data in ({}, {"csrf_token": "forged" + token[6:]}):
                response = client.post(path, data={**data, "action": "approve",
                                                   "reason": "x"})
                assert response.status_code == 403, (path, response.status_code)
                if path.startswith("/api/"):
                    assert response.json()["error"]["code"] == "csrf_failed"
                else:
                    assert "安全校验未通过" in response.text
    assert world.fingerprint() == before
    # the same request with the token goes through
    done = officer.post("/officer/claims/P1/review", data={
        "csrf_token": token, "action": "approve", "reason": "核实无误"})
    assert done.status_code == 303 and world.status("P1") == "approved"


def test_login_form_needs_its_pre_login_token(world: World) -> None:
    client, _ = world.client()
    client.get("/login")
    refused = client.post("/login", data={"username": "v1", "password": "x" * 10})
    assert refused.status_code == 403


def test_api_with_a_cookie_session_needs_the_header_and_bearer_needs_none(world: World
                                                                          ) -> None:
    client, token = world.client("off")
    body = {"action": "deny", "reason": "不符合"}
    assert client.post("/api/v1/claims/P1/review", json=body).status_code == 403
    ok = client.post("/api/v1/claims/P1/review", json=body, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200 and world.status("P1") == "denied"
    bare, _ = world.client()
    headers = api_token(bare, "off")
    assert bare.post("/api/v1/claims/P2/review", json=body, headers=headers).status_code == 200


def test_htmx_requests_send_the_token_in_a_header(world: World) -> None:
    client, token = world.client("off")
    page = client.get("/officer/claims/P1")
    assert f'"X-CSRF-Token": "{token}"' in page.text  # hx-headers on <body>
    assert csrf_of(page.text) == token
    response = client.post("/officer/claims/P1/review", data={
        "action": "approve", "reason": "核实无误"}, headers={"X-CSRF-Token": token,
                                                        "HX-Request": "true"})
    assert response.status_code == 200 and "已批准" in response.text
    assert response.headers["HX-Retarget"] == "#review-panel"
