from __future__ import annotations

import pytest

from adjudicator.tariff import Tariff, load_tariff
from tariffs import demo_tariff_path


@pytest.fixture(scope="session")
def demo_tariff() -> Tariff:
    return load_tariff(demo_tariff_path())
