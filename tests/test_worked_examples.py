"""RULES.md's worked examples, to the cent, from the data table beside this test: 1-12 on the
demo tariff, 13-21 ("Tariff shapes of real programs") on demo-county-plus/2026; each decided
by the scalar core and by the columnar engine, which must agree byte for byte."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import orjson
import pytest

from adjudicator import adjudicate
from adjudicator.rules.columnar import ColumnarEngine
from adjudicator.rules.tariff import Tariff, load_tariff
from schemas import Case
from tests.casebuilder import make_case

DATA = Path(__file__).parent / "data"
EXAMPLES: list[dict[str, Any]] = tomllib.loads(
    (DATA / "worked_examples.toml").read_text("utf-8")
)["example"]
PLUS = DATA / "demo-county-plus-2026.toml"


def test_all_twenty_one_examples_are_in_the_table() -> None:
    assert [e["number"] for e in EXAMPLES] == list(range(1, 22))


def example_case(example: dict[str, Any]) -> dict[str, Any]:
    return make_case(
        members=example["members"],
        wages=example["wages"],
        production_cost=example.get("production_cost", "0"),
        medical=example.get("medical"),
        education=example.get("education"),
        disaster=example.get("disaster"),
        history=example.get("history"),
        answers=example.get("answers"),
        found=example.get("found"),
        household_category=example.get("household_category", "edge"),
        category=example.get("category"),
        cause=example.get("cause"),
    )


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"example-{e['number']}")
def test_worked_example(example: dict[str, Any], demo_tariff: Tariff) -> None:
    tariff = load_tariff(PLUS) if example.get("tariff") == "plus" else demo_tariff
    document = example_case(example)
    decision = adjudicate(Case.model_validate(document), tariff).to_dict()
    assert decision["outcome"] == example["outcome"]
    assert decision["reasons"] == example["reasons"]
    assert decision["payout"] == example["payout"]
    assert decision["per_capita_income"] == example.get("per_capita_income")
    assert decision["eligible_expense"] == example["eligible_expense"]
    assert decision["counted_expense"] == example["counted_expense"]
    assert decision["tariff_id"] == tariff.id
    assert decision["trace"][-1]["rule"] == "outcome"
    # The columnar engine decides it on its fast path, to the same bytes.
    (decided,) = ColumnarEngine(tariff).decide([orjson.dumps(document)])
    assert decided is not None
    assert decided.line.decode() == adjudicate(Case.model_validate(document), tariff).to_json()
