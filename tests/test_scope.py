"""A user's townships bound what they see and do, reads included, through every door: an
officer of township 330102002 (`off2`) neither reads nor acts on 330102001's decisions,
pend queue, notices and their PDFs, audit samples or figures — from the API, the pages, the
CLI or the services themselves — on SQLite and PostgreSQL.

The world: P1 and P3 pended in T1 (330102001), P2 pended in T2 (330102002); `off` is
county-wide, `off2` has T2 only."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from adjudicator.messages import Message
from adjudicator.services.audit import audit_report, draw_sample
from adjudicator.services.documents import decision_records, summary_counts
from adjudicator.services.notices import create_notices, list_notices
from adjudicator.services.review import decision_json, list_pended, resolve
from adjudicator.services.scope import OutOfScope
from cli.main import app as cli
from tests.e2e.fixtures import world_fixture  # noqa: F401
from tests.e2e.webworld import T1, T2, World, api_token


def _cli(world: World, *args: str):
    return CliRunner().invoke(cli, [*args, "--db", world.db_url])


def test_the_api_reads_only_the_officers_townships(world: World) -> None:
    client = TestClient(world.app)
    scoped = api_token(client, "off2")
    assert [p["claim_id"] for p in client.get("/api/v1/pended", headers=scoped).json()] == ["P2"]
    assert client.get("/api/v1/claims/P2/decision", headers=scoped).status_code == 200
    other = client.get("/api/v1/claims/P1/decision", headers=scoped)
    assert other.status_code == 403 and other.json()["error"]["code"] == "out_of_scope"
    assert "不属于您负责的乡镇" in other.json()["error"]["message"]
    # The API, the pages and the CLI word the refusal with the same catalogue entry.
    assert other.json()["error"]["message"] == Message("scope.outside").render("zh")
    assert "income" not in other.text and "74500" not in other.text
    before = world.fingerprint()
    review = client.post("/api/v1/claims/P1/review", headers=scoped,
                         json={"action": "approve", "reason": "越权"})
    assert review.status_code == 403 and world.fingerprint() == before
    county = api_token(client, "off")
    assert client.get("/api/v1/claims/P1/decision", headers=county).status_code == 200


def test_the_pages_read_only_the_officers_townships(world: World) -> None:
    browser, _ = world.client("off2")
    page = browser.get("/officer/claims/P1")
    assert page.status_code == 403 and "不属于您负责的乡镇" in page.text
    assert "74500" not in page.text
    assert browser.get("/officer/claims/P2").status_code == 200


def test_the_cli_keeps_to_the_townships_too(world: World) -> None:
    listed = _cli(world, "review", "list", "--as", "off2", "--json")
    assert listed.exit_code == 0, listed.output
    assert [p["claim_id"] for p in json.loads(listed.output)] == ["P2"]
    explained = _cli(world, "explain", "P1", "--as", "off2")
    assert explained.exit_code == 1
    assert explained.output.startswith("错误：" + Message("scope.outside").render("zh")[:-1])
    assert explained.output == ("错误：该案件（或公示、抽样）不属于您负责的乡镇：案件 P1 在乡镇 "
                                "330102001，用户 off2 负责的乡镇是 330102002\n")
    english = _cli(world, "--lang", "en", "explain", "P1", "--as", "off2")
    assert english.exit_code == 1 and "outside the townships of user off2" in english.output
    before = world.fingerprint()
    approved = _cli(world, "review", "approve", "P1", "--reason", "越权", "--as", "off2")
    assert approved.exit_code == 1 and "在乡镇 330102001" in approved.output
    assert world.fingerprint() == before and world.status("P1") == "pended"
    mine = _cli(world, "review", "approve", "P2", "--reason", "同意", "--as", "off2")
    assert mine.exit_code == 0, mine.output
    assert world.status("P2") == "approved"


def test_notices_and_their_pdfs_are_scoped(world: World) -> None:
    county = world.ctx.as_user("off")
    resolve(county, "P1", "approve", "同意")
    resolve(county, "P2", "approve", "同意")
    client = TestClient(world.app)
    scoped = api_token(client, "off2")
    created = client.post("/api/v1/notices", headers=scoped, json={})
    assert created.status_code == 201, created.text
    assert [n["village_code"][:9] for n in created.json()] == [T2]  # T1's P1 is not posted
    assert world.status("P1") == "approved" and world.status("P2") == "in_notice"
    [theirs] = create_notices(county, world.tmp / "documents")  # the county officer posts T1
    listed = client.get("/api/v1/notices", headers=scoped).json()
    assert [n["township_code"] for n in listed] == [T2]
    pdf = client.get(f"/api/v1/notices/{theirs.notice_no}/pdf", headers=scoped)
    assert pdf.status_code == 403 and pdf.json()["error"]["code"] == "out_of_scope"
    browser, _ = world.client("off2")
    assert browser.get(f"/officer/notices/{theirs.notice_no}/pdf").status_code == 403
    objection = client.post("/api/v1/claims/P1/objection", headers=scoped,
                            json={"reason": "越权异议"})
    assert objection.status_code == 403 and world.status("P1") == "in_notice"
    world.clock.advance(days=30)
    scoped = api_token(client, "off2")  # the first token has expired
    closed = client.post(f"/api/v1/notices/{theirs.notice_no}/close", headers=scoped)
    assert closed.status_code == 403 and world.status("P1") == "in_notice"
    officer = world.ctx.as_user("off2")
    assert [n.township_code for n in list_notices(officer)] == [T2]
    listing = _cli(world, "notice", "list", "--as", "off2", "--json")
    assert listing.exit_code == 0 and theirs.notice_no not in listing.output


def test_audit_samples_and_reports_are_scoped(world: World) -> None:
    client = TestClient(world.app)
    scoped = api_token(client, "off2")
    drawn = client.post("/api/v1/audit/samples", headers=scoped, json={"rate": "1", "seed": 7})
    assert drawn.status_code == 201, drawn.text
    assert {c["township"] for c in drawn.json()["claims"]} == {T2}
    county = draw_sample(world.ctx.as_user("off"), rate=Decimal(1), seed=7)
    assert {u.township_code for u in county.claims} == {T1, T2}
    report = client.get(f"/api/v1/audit/report?sample_id={county.sample_id}",
                        headers=scoped).json()
    assert [row["key"] for row in report["by_township"]] == [T2]
    assert report["total"]["sampled"] == 1
    assert audit_report(world.ctx.as_user("off2"), county.sample_id).total.sampled == 1
    assert audit_report(world.ctx.as_user("off"), county.sample_id).total.sampled == 3


def test_the_services_check_the_scope_themselves(world: World, tmp_path: Path) -> None:
    officer = world.ctx.as_user("off2")
    assert officer.townships == (T2,)
    assert [p.claim_id for p in list_pended(officer)] == ["P2"]
    assert [p.claim_id for p in list_pended(officer, T1)] == []
    with pytest.raises(OutOfScope):
        decision_json(officer, "P1")
    with pytest.raises(OutOfScope):
        resolve(officer, "P1", "approve", "越权")
    with pytest.raises(OutOfScope):
        decision_records(officer, tmp_path, ["P1"])
    assert [w.ref.split("#")[0] for w in decision_records(officer, tmp_path)] == ["P2"]
    # P1, P2, P3 are verified: one household (H5) in T2, three in the county.
    assert summary_counts(officer)["totals"]["all"]["households_verified"] == 1
    county = summary_counts(world.ctx.as_user("off"))
    assert county["totals"]["all"]["households_verified"] == 3


def test_the_audit_trail_and_replay_keep_to_the_townships(world: World) -> None:
    """`log history` and `replay` read decisions too: a township's officer gets their own."""
    from adjudicator.services.replay import replay

    other = _cli(world, "log", "history", "P1", "--as", "off2")
    assert other.exit_code == 1 and "在乡镇 330102001" in other.output
    unknown = _cli(world, "log", "history", "B-IMPORT-1", "--as", "off2")  # no one township
    assert unknown.exit_code == 1
    mine = _cli(world, "log", "history", "P2", "--as", "off2", "--json")
    assert mine.exit_code == 0, mine.output
    assert json.loads(mine.output)
    county = replay(world.ctx.as_user("off"))
    scoped = replay(world.ctx.as_user("off2"))
    assert 0 < scoped.checked < county.checked
    with pytest.raises(OutOfScope):
        replay(world.ctx.as_user("off2"), claim_id="P1")
    assert replay(world.ctx.as_user("off2"), claim_id="P2").checked == 1
