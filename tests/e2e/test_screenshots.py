"""Screenshots of the officer's and the verifier's pages at a phone's and a desk's width,
taken in headless Chromium against a real server: they show in docs/web.md.

Run `ADJUDICATOR_SCREENSHOTS=docs/screenshots python -m pytest -m e2e
tests/e2e/test_screenshots.py` to write them into docs/ again (otherwise into a temporary
folder, and the test checks they are taken)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.fixtures import world_fixture  # noqa: F401
from tests.e2e.server import browser, running
from tests.e2e.webworld import PASSWORD, World
from tests.test_web_officer import _photo

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
WIDTHS = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1280, "height": 900}}
PAGES = {"officer-claim": ("off", "/officer/claims/P1", "申请人与家庭"),
         "officer-pending": ("off", "/officer/pending", "待审核队列"),
         "verifier-form": ("v1", "/verifier/claims/K1", "负面清单")}


def test_screenshots_of_the_officer_and_verifier_pages(world: World, tmp_path: Path) -> None:
    folder = Path(os.environ.get("ADJUDICATOR_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    _photo(world, "P1")
    with running(world.app) as base:
        for width, viewport in WIDTHS.items():
            for name, (user, path, marker) in PAGES.items():
                with browser(viewport) as chromium:  # a fresh profile: signed in as `user`
                    page = chromium.new_page()
                    page.goto(f"{base}/login")
                    page.fill("#username", user)
                    page.fill("#password", PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_load_state()
                    page.goto(f"{base}{path}")
                    assert marker in page.inner_text("main"), name
                    target = folder / f"{name}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    assert target.stat().st_size > 5_000
