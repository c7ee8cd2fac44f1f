"""The pytest fixture of the web tests: a seeded world on SQLite and (in CI) PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.webworld import World, seed_world


@pytest.fixture(name="world")
def world_fixture(admin_ctx: Any, db_url: str, clock: Any, tmp_path: Path) -> World:
    seed_world(admin_ctx)
    return World(admin_ctx, db_url, tmp_path, clock)
