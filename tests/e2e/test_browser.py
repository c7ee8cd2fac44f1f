"""End to end in headless Chromium (phone screen) against a real uvicorn server: a verifier
fills and submits a verification, the batch decides it (pended for its large payout), an
officer approves it, posts the village notice and downloads its PDF with the name masked."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from adjudicator.services.adjudication import adjudicate_ready
from tests.casebuilder import DEMO_ITEMS
from tests.e2e.fixtures import world_fixture  # noqa: F401
from tests.e2e.server import browser, running
from tests.e2e.webworld import PASSWORD, World

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"receipt" * 50


def _login(page, base: str, user: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def test_verify_approve_and_download_the_notice(world: World, tmp_path: Path) -> None:
    photo = tmp_path / "receipt.jpg"
    photo.write_bytes(JPEG)
    with running(world.app) as base, browser() as chromium:
        page = chromium.new_page()
        _login(page, base, "v1")
        page.wait_for_url(f"{base}/verifier/claims")
        assert page.locator("a.item").count() == 2
        page.click("text=K1")
        page.fill("#verified_on", "2026-03-14")
        page.fill("#income-0", "30000")
        for i in (1, 2, 3):
            page.fill(f"#income-{i}", "0")
        page.fill("#cost-0", "0")
        for i, _item in enumerate(DEMO_ITEMS):
            page.click(f"label[for=a{i}-n]")
        page.set_input_files("#evidence_files", str(photo))
        page.click("button[value=submit]")
        page.wait_for_url(f"{base}/verifier/claims?submitted=K1")
        assert "案件 K1 的核查已提交" in page.inner_text("main")
        assert world.status("K1") == "verified"

        adjudicate_ready(world.ctx.as_user("sup"))  # the supervisor's batch
        assert world.status("K1") == "pended"  # a large payout: a person decides

        page.click("text=退出")
        _login(page, base, "off")
        page.wait_for_url(f"{base}/officer/pending")
        page.click("a.item:has-text('K1')")
        page.fill("#reason", "入户核查属实，同意救助")
        page.click("button[value=approve]")  # htmx: the panel is replaced in place
        page.wait_for_selector("#review-panel.alert")
        assert "已批准" in page.inner_text("#review-panel")
        assert world.status("K1") == "approved"

        page.click("nav >> text=公示")
        page.click("button:has-text('生成公示')")
        page.wait_for_selector("text=已生成 1 份公示")
        with page.expect_download() as download_info:
            page.locator("ul.list a:has-text('下载 PDF')").first.click()
        saved = tmp_path / "notice.pdf"
        download_info.value.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF-")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "张*" in text and "张三" not in text and "330102********" in text
    assert world.status("K1") == "in_notice"
