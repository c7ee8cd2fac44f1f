"""The API keeps its own contract: schemathesis generates requests from /openapi.json (bounded
examples) and checks every answer against it — status codes declared, bodies of the declared
shape, no server error, `Allow` on 405 — as a verifier and as an officer."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from tests.e2e.fixtures import world_fixture  # noqa: F401
from tests.e2e.webworld import World, api_token


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("user", ["v1", "off"])
def test_the_api_keeps_its_contract(world: World, user: str) -> None:
    headers = api_token(TestClient(world.app), user)
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.app)
    # A NUL is refused (400 nul_character) before any route: not a valid string here.
    schema.config.generation.update(allow_x00=False)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers)

        try:
            check()
        except Exception as exc:  # every operation is tried; all failures are reported
            failures.append(f"{operation.label}: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)


def test_the_schema_and_the_answers_agree(world: World) -> None:
    client = TestClient(world.app)
    officer = api_token(client, "off")
    spec = client.get("/openapi.json").json()
    token = spec["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert "400" in token and "422" in token  # a malformed body is a declared 400
    malformed = client.post("/api/v1/claims/P1/review", headers={
        **officer, "Content-Type": "application/json"}, content=b"{not json")
    assert malformed.status_code in (400, 422)
    assert str(malformed.status_code) in spec["paths"]["/api/v1/claims/{claim_id}/review"][
        "post"]["responses"]
    wrong_method = client.delete("/api/v1/pended", headers=officer)
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "GET"
    # ".0" is no rate in (0, 1]: the schema says so now, and the answer is its 422.
    for rate in (".0", "0.0000", "0"):
        refused = client.post("/api/v1/audit/samples", headers=officer,
                              json={"rate": rate, "seed": 1})
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_input"
    pattern = spec["components"]["schemas"]["SampleRequest"]["properties"]["rate"]["pattern"]
    assert not re.search(pattern, ".0") and re.search(pattern, ".05") and re.search(pattern, "1")
    assert re.search(pattern, "0.0001") and not re.search(pattern, "0.00001")
