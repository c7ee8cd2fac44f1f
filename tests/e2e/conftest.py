"""Browser tests: the `e2e` marker, and a skip (with the reason) where Chromium is absent.
CI installs Debian's chromium with scripts/run, so there they run."""

from __future__ import annotations

import pytest

from tests.e2e.server import CHROMIUM


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: browser tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is absent: apt-get install chromium "
                                   "(scripts/run installs it)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)
