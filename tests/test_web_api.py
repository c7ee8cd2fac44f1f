"""The JSON API under /api/v1: documented by the OpenAPI schema, bearer tokens, the same
operations and refusals as the pages, as JSON errors with codes — on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

from tests.e2e.fixtures import world_fixture  # noqa: F401
from tests.e2e.webworld import World, api_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_the_openapi_schema_lists_every_operation_with_its_models(world: World) -> None:
    client, _ = world.client()
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path, method in [("/api/v1/auth/token", "post"), ("/api/v1/assignments", "get"),
                         ("/api/v1/claims/{claim_id}/verification", "get"),
                         ("/api/v1/claims/{claim_id}/verification", "post"),
                         ("/api/v1/claims/{claim_id}/evidence", "post"),
                         ("/api/v1/pended", "get"), ("/api/v1/claims/{claim_id}/decision", "get"),
                         ("/api/v1/claims/{claim_id}/review", "post"),
                         ("/api/v1/notices", "get"), ("/api/v1/notices", "post"),
                         ("/api/v1/notices/{notice_no}/close", "post"),
                         ("/api/v1/notices/{notice_no}/pdf", "get"),
                         ("/api/v1/audit/samples", "post"), ("/api/v1/audit/report", "get"),
                         ("/api/v1/report/summary", "get"), ("/api/v1/report/documents", "post")]:
        assert method in paths[path], (path, method)
    assert all(p.startswith("/api/v1/") for p in paths)  # pages are not in the schema
    models = schema["components"]["schemas"]
    for name in ("VerificationForm", "RecordRequest", "RecordOut", "PendedOut", "DecisionOut",
                 "ReviewRequest", "ErrorOut", "TokenOut", "SampleRequest", "SummaryOut"):
        assert name in models, name
    review = paths["/api/v1/claims/{claim_id}/review"]["post"]
    assert review["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "ReviewRequest")
    assert "403" in review["responses"] and "422" in review["responses"]


def test_a_verifier_records_through_the_api(world: World) -> None:
    client, _ = world.client()
    assert client.get("/api/v1/assignments").json()["error"]["code"] == "not_authenticated"
    auth = api_token(client, "v1")
    claims = client.get("/api/v1/assignments", headers=auth).json()
    assert [c["claim_id"] for c in claims] == ["K1", "K2"]
    form = client.get("/api/v1/claims/K1/verification", headers=auth).json()
    assert [a["item"] for a in form["negative_list"]][:2] == ["PUBLIC_SERVANT", "VEHICLE"]
    other = client.get("/api/v1/claims/K3/verification", headers=auth)
    assert other.status_code == 403 and other.json()["error"]["code"] == "not_assigned"
    upload = client.post("/api/v1/claims/K1/evidence", headers=auth,
                         files={"file": ("site.png", PNG, "image/png")})
    assert upload.status_code == 201
    assert upload.json()["sha256"] == hashlib.sha256(PNG).hexdigest()
    wrong = client.post("/api/v1/claims/K1/evidence", headers=auth,
                        files={"file": ("site.png", b"GIF89a....", "image/png")})
    assert wrong.status_code == 415 and wrong.json()["error"]["code"] == "upload_type"
    form["verified_on"] = "2026-03-14"
    for row in form["income"]:
        row["amount"] = "-1" if row["kind"] == "wage" else "0"
    for row in form["negative_list"]:
        row["answer"] = False
    form["evidence"].append(upload.json())
    before = world.fingerprint()
    negative = client.post("/api/v1/claims/K1/verification", headers=auth,
                           json={"form": form, "action": "submit"})
    assert negative.status_code == 422
    error = negative.json()["error"]
    assert error["code"] == "invalid_input" and error["fields"][0]["field"] == \
        "form.income.0.amount" and "不能为负数" in error["fields"][0]["message"]
    form["income"][0]["amount"] = "28000.50"
    incomplete = {**form, "negative_list": [{**form["negative_list"][0], "answer": None},
                                            *form["negative_list"][1:]]}
    refused = client.post("/api/v1/claims/K1/verification", headers=auth,
                          json={"form": incomplete, "action": "submit"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "incomplete_form"
    assert world.fingerprint() == before
    done = client.post("/api/v1/claims/K1/verification", headers=auth,
                       json={"form": form, "action": "submit"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "submitted" and done.json()["claim_status"] == "verified"


def test_an_officer_reviews_and_posts_through_the_api(world: World) -> None:
    client, _ = world.client()
    auth = api_token(client, "off")
    queue = client.get("/api/v1/pended", headers=auth).json()
    assert [p["claim_id"] for p in queue] == ["P1", "P2", "P3"]
    assert queue[0]["payout"] == "74500.00"
    assert queue[0]["reasons"][0] == {"code": "PEND_LARGE_PAYOUT",
                                      "text": "救助金额达到大额复核标准，需人工复核。"}
    decision = client.get("/api/v1/claims/P1/decision", headers=auth).json()
    assert decision["pended"] and decision["per_capita_income"] == "-20000.00"
    assert decision["bands"][0] == {"from": "5000.00", "to": "20000.00", "rate": "0.5",
                                    "amount": "7500.00"}
    assert decision["explanation"][0].startswith("申请 P1（因病）")
    own = client.post("/api/v1/claims/P3/review", headers=auth,
                      json={"action": "approve", "reason": "同意"})
    assert own.status_code == 403 and own.json()["error"]["code"] == "maker_checker"
    empty = client.post("/api/v1/claims/P1/review", headers=auth,
                        json={"action": "approve", "reason": ""})
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "invalid_input"
    ok = client.post("/api/v1/claims/P1/review", headers=auth,
                     json={"action": "approve", "reason": "核实无误"})
    assert ok.status_code == 200 and ok.json()["action"] == "approve"
    created = client.post("/api/v1/notices", headers=auth, json={}).json()
    assert [n["claims"] for n in created] == [1]
    pdf = client.get(created[0]["pdf_url"], headers=auth)
    assert pdf.headers["content-type"] == "application/pdf"
    early = client.post(f"/api/v1/notices/{created[0]['notice_no']}/close", headers=auth)
    assert early.status_code == 409 and early.json()["error"]["code"] == "notice_running"
    objection = client.post("/api/v1/claims/P1/objection", headers=auth,
                            json={"reason": "邻居反映家中有车"})
    assert objection.status_code == 200 and world.status("P1") == "under_verification"
    verifier = api_token(client, "v1")
    assert client.get("/api/v1/pended", headers=verifier).status_code == 403
    summary = client.get("/api/v1/report/summary?year=2026", headers=auth).json()
    assert summary["totals"]["households_verified"] == 3
    assert summary["by_claim_category"][0]["label"] == "因病"
    sample = client.post("/api/v1/audit/samples", headers=auth,
                         json={"rate": "0.5", "seed": 3})
    assert sample.status_code == 201 and sample.json()["sample_size"] >= 1
    report = client.get("/api/v1/audit/report", headers=auth).json()
    assert report["samples"] == [1]
    client.post("/api/v1/auth/logout", headers=auth)
    assert client.get("/api/v1/pended", headers=auth).status_code == 401
