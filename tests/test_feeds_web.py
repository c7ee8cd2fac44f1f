"""The township officer's push-list page: keep and remove with a reason, scoped to the
officer's townships — on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from adjudicator.feeds.importer import import_feed
from adjudicator.feeds.screen import screen_month
from adjudicator.storage.models import Claim
from adjudicator.storage.models_feeds import FeedPush
from tests.e2e.fixtures import world_fixture  # noqa: F401
from tests.e2e.webworld import T1, T2, World
from tests.test_feeds import add_household, medical_row, write_csv


def _pushed(world: World) -> None:
    add_household(world.ctx, 101, region=T1 + "001")
    add_household(world.ctx, 102, region=T1 + "001")
    add_household(world.ctx, 103, region=T2 + "001")
    sup = world.ctx.as_user("sup")
    path = write_csv(world.tmp / "m.csv", [medical_row(f"S{n}", n) for n in (101, 102, 103)])
    import_feed(sup, "medical", path, "2026-03")
    screen_month(sup, "2026-03")


def test_the_officer_keeps_and_removes_households_of_their_township(world: World) -> None:
    _pushed(world)
    township, token = world.client("off2")  # township T2 only
    page = township.get("/officer/feeds?month=2026-03").text
    assert "H103" in page and "H101" not in page and "预警推送名单" in page
    refused = township.post("/officer/feeds/H101/keep", data={
        "csrf_token": token, "month": "2026-03", "category": "medical"})
    assert refused.status_code == 403 and "不属于您负责的乡镇" in refused.text
    county, token = world.client("off")
    kept = county.post("/officer/feeds/H101/keep", data={
        "csrf_token": token, "month": "2026-03", "category": "medical", "reason": "住院"})
    assert kept.status_code == 303
    no_reason = county.post("/officer/feeds/H102/remove", data={
        "csrf_token": token, "month": "2026-03", "category": "medical", "reason": ""})
    assert no_reason.status_code == 422 and "剔除必须写明原因" in no_reason.text
    removed = county.post("/officer/feeds/H102/remove", data={
        "csrf_token": token, "month": "2026-03", "category": "medical", "reason": "已脱贫"})
    assert removed.status_code == 303
    with world.ctx.factory() as session:
        statuses = dict(session.execute(select(FeedPush.household_id, FeedPush.status)).all())
        claims = list(session.execute(select(Claim.claim_id, Claim.status, Claim.document_no)
                                      .where(Claim.household_id == "H101")))
    assert statuses == {"H101": "kept", "H102": "removed", "H103": "pushed"}
    assert [(c.status, c.document_no) for c in claims] == [("under_verification", "S101")]
    after = county.get("/officer/feeds?month=2026-03").text
    assert "已脱贫" in after and "FD-202603-" in after
    verifier, _ = world.client("v1")
    assert verifier.get("/officer/feeds").status_code == 403


def test_a_month_refused_is_shown_in_chinese(world: World) -> None:
    """The push-list page showed str() of the month's refusal, which is the English now that
    the refusal is worded in both languages; the page shows its Chinese."""
    county, _ = world.client("off")
    page = county.get("/officer/feeds?month=2026-3")
    assert page.status_code == 422
    assert "格式不对：应为 YYYY-MM，例如 2026-03" in page.text
    assert "is not YYYY-MM" not in page.text
