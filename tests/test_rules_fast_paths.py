"""The fast paths are derived from, or held field by field to, the models they speed up.

- `ColumnarTariff` names every field of `Tariff`, `CategoryRules` and `Band`: read, or why a
  decision never reads it (and the scalar engine indeed never reads those).
- `schemas.case_fast` states the `Case` contract field by field with the same constraints
  (its amounts narrower: a plain form that `Case` accepts too).
- The import rows' fast validation (`adjudicator.intake.fastrows.FastModel`) has a validator
  for each field of its row model, built from that field, and its shortcuts agree with them.
"""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from adjudicator.intake import claims, fastrows, findings, households, verifications
from adjudicator.rules import columnar
from adjudicator.rules.columnar import READ, ColumnarEngine, ColumnarTariff, unhandled_fields
from adjudicator.rules.tariff import Band, CategoryRules, Tariff
from schemas.case import Case
from schemas.case_fast import AMOUNT_PATTERN, FAST_CASE
from schemas.types import Money

RULES = Path(columnar.__file__).parent


# -- the columnar tariff -------------------------------------------------------------------------


def test_the_columnar_tariff_names_every_field_of_the_tariff_models() -> None:
    assert unhandled_fields() == []
    assert set(columnar.TARIFF_FIELDS) == set(Tariff.model_fields)
    assert set(columnar.CATEGORY_FIELDS) == set(CategoryRules.model_fields)
    assert set(columnar.BAND_FIELDS) == set(Band.model_fields)


def test_a_tariff_field_the_columnar_engine_does_not_name_is_refused(demo_tariff: Tariff
                                                                     ) -> None:
    class Wider(Tariff):
        new_rule: int = 0

    class WiderBand(Band):
        step: int = 0

    assert unhandled_fields(Wider) == ["Wider.new_rule"]
    assert unhandled_fields(band=WiderBand) == ["WiderBand.step"]
    wider = Wider.model_validate(demo_tariff.model_dump(by_alias=True))
    with pytest.raises(TypeError, match=r"Wider\.new_rule"):
        ColumnarTariff(wider)


def _attributes_read(path: Path) -> set[str]:
    """The attributes read of a tariff, a category's rules or a band."""
    return {node.attr for node in ast.walk(ast.parse(path.read_text("utf-8")))
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id in ("tariff", "rules", "band", "b")}


def test_the_fields_a_decision_never_reads_are_not_read_by_the_scalar_engine() -> None:
    read = set().union(*(_attributes_read(RULES / name)
                         for name in ("checks.py", "decision.py", "bands.py")))
    unread = {name for fields in (columnar.TARIFF_FIELDS, columnar.CATEGORY_FIELDS,
                                  columnar.BAND_FIELDS)
              for name, how in fields.items() if how != READ}
    assert unread and read & unread == set()


# -- the fast case filter ------------------------------------------------------------------------

_MONEY_PATTERN = TypeAdapter(Money).json_schema()["pattern"]
_NOT_CONSTRAINTS = {"title", "description", "default"}


def _normal(schema: Any, defs: dict[str, Any]) -> Any:
    """A JSON Schema without titles, descriptions and defaults, references resolved, and the
    two amount forms named alike (their relation is tested below)."""
    if isinstance(schema, list):
        return [_normal(item, defs) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return _normal(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    out = {key: _normal(value, defs) for key, value in schema.items()
           if key not in _NOT_CONSTRAINTS and key != "$defs"}
    if "const" in out:  # a one-value enum, as a Literal of one value states it
        out["enum"] = [out.pop("const")]
    if out.get("pattern") in (_MONEY_PATTERN, AMOUNT_PATTERN):
        out["pattern"] = "AMOUNT"
    if "properties" in out:  # a model's defaults make a field optional, as NotRequired does
        out["properties"] = {name: _normal(sub, defs)
                             for name, sub in schema["properties"].items()}
    return out


def _leaves(schema: Any, path: str = "case") -> dict[str, Any]:
    """Each field of a normalised schema by its path, with its own constraints."""
    found: dict[str, Any] = {}
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            found[f"{path}.{name}"] = sub
            found.update(_leaves(sub, f"{path}.{name}"))
        for key in ("items", "anyOf"):
            value = schema.get(key)
            for sub in value if isinstance(value, list) else [value] if value else []:
                found.update(_leaves(sub, f"{path}[]" if key == "items" else path))
    return found


def test_the_fast_case_filter_states_each_field_of_the_case_with_the_same_constraints(
        ) -> None:
    contract = Case.model_json_schema()
    fast = FAST_CASE.json_schema()
    contract_fields = _leaves(_normal(contract, contract.get("$defs", {})))
    fast_fields = _leaves(_normal(fast, fast.get("$defs", {})))
    assert sorted(fast_fields) == sorted(contract_fields)
    assert len(contract_fields) > 50
    for path, constraints in contract_fields.items():
        assert fast_fields[path] == constraints, path


@settings(max_examples=300, deadline=None)
@given(st.from_regex(AMOUNT_PATTERN, fullmatch=True))
def test_every_fast_amount_is_an_amount_of_the_case_with_the_same_value(text: str) -> None:
    """The fast filter's amounts are narrower than `Money`: each one it takes, `Case` takes
    and reads to the same value."""
    assert re.fullmatch(_MONEY_PATTERN.strip("^$"), text)
    assert TypeAdapter(Money).validate_python(text) == TypeAdapter(Money).validate_python(
        text.rstrip("0").rstrip(".") if "." in text else text)


# -- the import rows' fast validation ------------------------------------------------------------

FAST_ROWS = [households._ROWS, claims._ROWS, findings._ROWS, verifications._FLAT]


@pytest.mark.parametrize("fast", FAST_ROWS, ids=lambda f: f.model.__name__)
def test_fast_rows_validate_each_field_with_the_models_own_field(fast: Any) -> None:
    model = fast.model
    assert fast.usable
    assert list(fast.fields) == list(model.model_fields)
    assert fast.required == {n for n, f in model.model_fields.items() if f.is_required()}
    contract = model.model_json_schema()
    for name in model.model_fields:
        # The field's validator states the model's constraints of the field, no more, no less.
        own = fast.fields[name].adapter.json_schema()
        assert (_normal(own, own.get("$defs", {}))
                == _normal(contract["properties"][name], contract.get("$defs", {}))), name
        assert fast.fields[name].adapter.validator is not None


def _samples(limit: int) -> list[str]:
    base = ["0", "0.00", "12.5", "1234567890123.45", "123456789012.34", "12345678901234",
            "00012.10", "1.234", "-1", "+1", "1e3", " 1", "１", "ab", "", "K-1", "张三",
            "a\u00a0", "Ｋ", "330102197803120417", "33010219780312041X", "33010219780312041x",
            "3301021978031204", "K-1\u3000", " K-1 ", "ﬁ"]
    return base + ["x" * n for n in (limit - 1, limit, limit + 1)] + ["张" * (limit + 1)]


@pytest.mark.parametrize("fast", FAST_ROWS, ids=lambda f: f.model.__name__)
def test_each_shortcut_agrees_with_its_fields_validators(fast: Any) -> None:
    shortcuts = {name: field.shortcut for name, field in fast.fields.items()
                 if field.shortcut is not None}
    assert shortcuts, fast.model.__name__
    for name, shortcut in shortcuts.items():
        adapter = fast.fields[name].adapter
        for raw in _samples(200) + _samples(100) + _samples(64):
            value = shortcut(raw)
            if value is fastrows.MISS:
                continue
            assert adapter.validate_python(raw) == value, (name, raw)
            assert type(adapter.validate_python(raw)) is type(value), (name, raw)


def test_explicit_nulls_the_case_accepts_take_the_fast_path_and_decide_alike(
        demo_tariff: Tariff) -> None:
    """`Case` reads a null loss part or member history as absent; so does the fast filter
    (before, it refused them and sent such cases the slow way)."""
    from tests.casebuilder import make_case
    from tests.engines import scalar

    person_cap = demo_tariff.model_copy(update={"person_annual_cap_all": Decimal("90000")})
    cases = [
        make_case(disaster={"assessed_loss": "60000", "liable_party_paid": None,
                            "motor_vehicle_loss": None}, category="disaster"),
        make_case(medical={"total_cost": "35000"},
                  history={"paid_member_all_categories_to_date": None}),
    ]
    for tariff in (demo_tariff, person_cap):
        decided = ColumnarEngine(tariff).decide([orjson.dumps(case) for case in cases])
        for case, result in zip(cases, decided, strict=True):
            assert result is not None
            assert result.line == scalar(case, tariff)
