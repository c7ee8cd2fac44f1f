"""The checked-in JSON Schemas are what the models generate, and the core's decision JSON is
exactly what the `schemas.Decision` contract describes, byte for byte."""

from __future__ import annotations

import json

import pytest

from adjudicator import adjudicate
from adjudicator.rules.tariff import Tariff
from fixtures import SAMPLES_DIR
from schemas import Case, Decision
from schemas.generate import MODELS, SCHEMA_DIR, render


@pytest.mark.parametrize("name", sorted(MODELS))
def test_schema_file_is_current(name: str) -> None:
    on_disk = (SCHEMA_DIR / name).read_text(encoding="utf-8")
    assert on_disk == render(MODELS[name]), (
        f"schemas/{name} is stale: run python -m schemas.generate")


def test_decision_json_round_trips_through_the_contract(demo_tariff: Tariff) -> None:
    lines = (SAMPLES_DIR / "worked-examples.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12
    for line in lines:
        produced = adjudicate(Case.model_validate_json(line), demo_tariff).to_json()
        parsed = Decision.model_validate_json(produced)
        assert parsed.to_json() == produced


def test_case_schema_forbids_unknown_fields() -> None:
    schema = json.loads((SCHEMA_DIR / "case.schema.json").read_text(encoding="utf-8"))
    assert schema["additionalProperties"] is False
