"""Verifier pages: my assignments and the verification form over the verification service;
wrong input is refused in Chinese and changes nothing — on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select

from adjudicator.rules.negative_items import BUILTIN_ITEMS
from adjudicator.storage.models import Member
from adjudicator.storage.models import Verification as VerificationRow
from adjudicator.storage.models_audit import VerificationEvidence
from tests.casebuilder import DEMO_ITEMS
from tests.e2e.fixtures import world_fixture  # noqa: F401
from tests.e2e.webworld import VISIT, World

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"photo of a receipt" * 20


def filled(token: str, *, wage: str | None = "30000", visited: str = VISIT.isoformat(),
           answers: dict[str, str] | None = None, skip: tuple[str, ...] = (),
           action: str = "submit", members: int = 3, **extra: str) -> dict[str, Any]:
    """The form as a browser posts it: every member counted, every item answered 否."""
    data: dict[str, Any] = {"csrf_token": token, "verified_on": visited, "action": action,
                            "cost:0:kind": "production", "cost:0:amount": "0"}
    for i in range(members):
        data[f"counted:M{i + 1}"] = "yes"
    for i, kind in enumerate(("wage", "business", "property", "transfer")):
        data[f"income:{i}:kind"] = kind
        data[f"income:{i}:amount"] = (wage or "") if kind == "wage" else "0"
    for item in DEMO_ITEMS:
        if item not in skip:
            data[f"answer:{item}"] = (answers or {}).get(item, "no")
    return {**data, **extra}


def test_my_claims_only_mine_with_deadlines_and_overdue_marked(world: World) -> None:
    client, _ = world.client("v1")
    page = client.get("/verifier/claims").text
    # Links, not bare ids: a random CSRF token on the page may contain "K3".
    assert 'href="/verifier/claims/K1"' in page and 'href="/verifier/claims/K2"' in page
    assert 'href="/verifier/claims/K3"' not in page  # K3 is v2's
    assert "还剩 5 个工作日" in page and "2026年3月20日" in page and 'item overdue' not in page
    world.clock.advance(days=8)
    client, _ = world.client("v1")  # a new day, a new login
    late = client.get("/verifier/claims").text
    assert 'class="item overdue"' in late and "已逾期" in late and "2 件已逾期" in late


def test_the_form_shows_every_item_findings_and_masked_members(world: World) -> None:
    client, _ = world.client("v1")
    page = client.get("/verifier/claims/K2").text
    for item in DEMO_ITEMS:
        assert BUILTIN_ITEMS[item] in page
        assert f'name="answer:{item}" value="yes"' in page
        assert f'name="answer:{item}" value="no"' in page
    assert "是（有此情形）" in page and "否" in page
    assert "车管部门比对发现: 家庭拥有消费型车辆" in page
    with world.ctx.factory() as session:
        members = session.execute(select(Member).where(Member.household_id == "H2")).scalars()
        for member in members:
            assert member.name in page and member.id_number not in page
            assert member.id_number[:6] + "********" + member.id_number[-4:] in page
    for label in ("工资性收入", "经营净收入", "财产净收入", "转移净收入", "生产经营性支出"):
        assert label in page


def test_draft_with_a_photo_then_submit(world: World) -> None:
    client, token = world.client("v1")
    draft = client.post("/verifier/claims/K1", data=filled(token, wage="", action="draft"),
                        files=[("evidence_files", ("receipt.jpg", JPEG, "image/jpeg"))])
    assert draft.status_code == 303 and draft.headers["location"].endswith("saved=draft")
    digest = hashlib.sha256(JPEG).hexdigest()
    stored = world.tmp / "evidence" / f"{digest}.jpg"
    assert stored.read_bytes() == JPEG
    page = client.get(draft.headers["location"]).text
    assert "草稿已保存" in page and "工资性收入未填写" in page and digest[:12] in page
    assert world.status("K1") == "under_verification"
    # submit: the draft's photo is kept (hidden fields), the receipt too
    data = filled(token)
    data.update({"evidence:0:keep": "yes", "evidence:0:kind": "receipt",
                 "evidence:0:ref": "K1", "evidence:1:keep": "yes",
                 "evidence:1:kind": "photo", "evidence:1:ref": stored.name,
                 "evidence:1:sha256": digest})
    done = client.post("/verifier/claims/K1", data=data)
    assert done.status_code == 303 and "submitted=K1" in done.headers["location"]
    assert world.status("K1") == "verified"
    assert "已提交" in client.get(done.headers["location"]).text
    with world.ctx.factory() as session:
        rows = session.execute(select(VerificationRow.status).where(
            VerificationRow.claim_id == "K1").order_by(VerificationRow.pk)).scalars().all()
        evidence = session.execute(select(VerificationEvidence.kind, VerificationEvidence.sha256)
                                   .where(VerificationEvidence.claim_id == "K1")).all()
    assert rows == ["draft", "submitted"]
    assert ("photo", digest) in evidence


def test_contradicting_a_finding_needs_a_confirmation(world: World) -> None:
    client, token = world.client("v1")
    before = world.fingerprint()
    asked = client.post("/verifier/claims/K2", data=filled(token))
    assert asked.status_code == 200 and "部门比对结果与您的回答矛盾" in asked.text
    assert "仍然提交" in asked.text and world.fingerprint() == before
    done = client.post("/verifier/claims/K2", data=filled(token, confirm="yes"))
    assert done.status_code == 303 and world.status("K2") == "verified"


def _refused(response: Any, status: int, words: str) -> None:
    assert response.status_code == status, response.text[:500]
    assert words in response.text


def test_wrong_input_is_refused_in_chinese_and_changes_nothing(world: World) -> None:
    client, token = world.client("v1")
    before = world.fingerprint()
    cases = [
        (filled(token, wage="-5"), None, 422, "工资性收入金额：不能为负数"),
        (filled(token, wage="12,000"), None, 422, "不是有效金额"),
        (filled(token, visited="2026-03-16"), None, 422, "入户核查日期不能晚于今天"),
        (filled(token, skip=("VEHICLE",)), None, 422, "家庭拥有消费型车辆 — 未回答"),
        (filled(token, action="draft"), None, 409, "完整的核查表只能“提交”"),
        (filled(token), [("evidence_files", ("big.jpg", JPEG + b"0" * (10 * 1024 * 1024),
                                             "image/jpeg"))], 413, "超过 10 MB"),
        (filled(token), [("evidence_files", ("photo.jpg", b"MZ\x90\x00 not a photo",
                                             "image/jpeg"))], 415, "只能上传 JPEG、PNG"),
        (filled(token), [("evidence_files", ("scan.pdf", JPEG, "application/pdf"))], 415,
         "内容与扩展名不符"),
    ]
    for data, files, status, words in cases:
        _refused(client.post("/verifier/claims/K1", data=data, files=files), status,
                 words)
    _refused(client.post("/verifier/claims/K3", data=filled(token)), 403,
             "该案件没有分派给您")
    _refused(client.get("/verifier/claims/K3"), 403, "该案件没有分派给您")
    officer, officer_token = world.client("off")
    _refused(officer.post("/verifier/claims/K1", data=filled(officer_token)), 403,
             "您的角色无权访问")
    _refused(officer.get("/verifier/claims"), 403, "核查员使用")
    assert world.fingerprint() == before
    assert not list((world.tmp / "evidence").glob("*"))  # no file kept either
