"""RULES.md's twelve worked examples, to the cent, from the data table beside this test."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from adjudicator import adjudicate
from adjudicator.tariff import Tariff
from schemas import Case
from tests.casebuilder import make_case

EXAMPLES: list[dict[str, Any]] = tomllib.loads(
    (Path(__file__).parent / "data" / "worked_examples.toml").read_text("utf-8")
)["example"]


def test_all_twelve_examples_are_in_the_table() -> None:
    assert [e["number"] for e in EXAMPLES] == list(range(1, 13))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"example-{e['number']}")
def test_worked_example(example: dict[str, Any], demo_tariff: Tariff) -> None:
    case = Case.model_validate(
        make_case(
            members=example["members"],
            wages=example["wages"],
            production_cost=example.get("production_cost", "0"),
            medical=example["medical"],
            history=example.get("history"),
            answers=example.get("answers"),
            found=example.get("found"),
        )
    )
    decision = adjudicate(case, demo_tariff).to_dict()
    assert decision["outcome"] == example["outcome"]
    assert decision["reasons"] == example["reasons"]
    assert decision["payout"] == example["payout"]
    assert decision["per_capita_income"] == example.get("per_capita_income")
    assert decision["eligible_expense"] == example["eligible_expense"]
    assert decision["counted_expense"] == example["counted_expense"]
    assert decision["tariff_id"] == "demo-county/2026"
    assert decision["trace"][-1]["rule"] == "outcome"
