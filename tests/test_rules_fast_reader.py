"""The msgspec case reader (`schemas.case_reader`) is narrower than the fast filter it runs
before (`schemas.case_fast.FAST_CASE`), itself narrower than `Case`:

- field by field, it states the same fields, the same required ones and the same
  constraints (lengths, patterns, enumerations, bounds);
- on generated cases, each taken apart one field at a time (texts padded with whitespace, a
  final newline, numbers for texts, nulls, unknown fields, fields left out, odd dates, long
  texts), whatever it accepts `FAST_CASE` accepts too, with the same values (absent fields
  read as the same defaults);
- what it refuses and `FAST_CASE` takes (a padded identifier) is still decided by the
  columnar engine, as the scalar core decides it.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adjudicator.rules.columnar import ColumnarEngine
from adjudicator.rules.decision import adjudicate
from adjudicator.rules.tariff import load_tariff
from fixtures.generate import iter_cases
from schemas.case import Case
from schemas.case_fast import FAST_CASE
from schemas.case_reader import PATTERNS, ReadCase, from_fast, read_case
from tariffs import demo_tariff_path

DEMO = load_tariff(demo_tariff_path())
CASES = list(iter_cases(5, 60))


# -- field by field ------------------------------------------------------------------------------


def _fields(schema: dict[str, Any], defs: dict[str, Any], path: str = "case"
            ) -> dict[str, Any]:
    """Each field of a JSON schema by its path: its constraints, and the required fields of
    each object (msgspec's and pydantic's schemas normalised alike)."""
    found: dict[str, Any] = {}
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        for sub in schema["anyOf"]:
            for key, value in _fields(sub, defs, path).items():
                if isinstance(value, list) and isinstance(found.get(key), list):
                    found[key] = found[key] + value
                else:
                    found[key] = value
        return found
    kind = schema.get("type")
    if kind == "object" and "properties" in schema:
        found[path + "{required}"] = sorted(schema.get("required", []))
        found[path + "{extra}"] = schema.get("additionalProperties", True)
        for name, sub in schema["properties"].items():
            found.update(_fields(sub, defs, f"{path}.{name}"))
        return found
    if kind == "object":  # a mapping: its keys and values
        keys = schema.get("propertyNames", {})
        found[path + "{keys}"] = {k: _pattern(v) for k, v in keys.items()}
        found.update(_fields(schema.get("additionalProperties", {}), defs, path + "{value}"))
        return found
    if kind == "array":
        return _fields(schema["items"], defs, path + "[]")
    constraints = {k: _pattern(v) for k, v in schema.items()
                   if k in ("type", "format", "minLength", "maxLength", "pattern", "minimum",
                            "exclusiveMinimum")}
    if "enum" in schema or "const" in schema:  # the enumeration says the type
        constraints.pop("type", None)
        constraints["enum"] = sorted(schema.get("enum", [schema.get("const")]))
    found.setdefault(path, []).append(constraints)
    return found


def _pattern(value: Any) -> Any:
    """msgspec's patterns end in \\Z where pydantic's end in $ (the same for pydantic-core)."""
    return value[:-2] + "$" if isinstance(value, str) and value.endswith(r"\Z") else value


def _normal(fields: dict[str, Any]) -> dict[str, Any]:
    return {path: sorted(value, key=lambda v: json.dumps(v, sort_keys=True))
            if isinstance(value, list) and value
            and isinstance(value[0], dict) else value for path, value in fields.items()}


def test_the_reader_states_each_field_of_the_fast_filter_with_the_same_constraints() -> None:
    (reader,), defs = msgspec.json.schema_components([ReadCase])
    fast = FAST_CASE.json_schema()
    ours = _normal(_fields(reader, defs))
    theirs = _normal(_fields(fast, fast.get("$defs", {})))
    assert len(theirs) > 60
    assert sorted(ours) == sorted(theirs)
    for path, constraints in theirs.items():
        if path.endswith("{extra}"):
            assert constraints is False and ours[path] in (False, True), path
            continue
        if path.endswith(("{keys}", "{required}")):  # pydantic's leaves the keys' pattern out
            assert constraints == ours[path], path
            continue
        if path == "case.verification.negative_list{value}":  # pydantic's schema: {}
            assert ours[path] == [{"type": "boolean"}, {"type": "null"}]
            continue
        # The patterns are matched after decoding (read_case), each one of PATTERNS; the
        # texts that carry one are taken apart below.
        expected = _normal({path: [{k: v for k, v in c.items() if k != "pattern"}
                                   for c in constraints]})[path]
        assert all(c["pattern"] in PATTERNS.values() for c in constraints if "pattern" in c)
        assert ours[path] == expected, path


def test_the_reader_refuses_unknown_fields_at_every_level() -> None:
    case = json.loads(orjson.dumps(CASES[0]))
    for target in (case, case["household"], case["household"]["members"][0], case["claim"],
                   case["verification"], case["verification"]["income"][0]):
        target["unexpected"] = 1
        assert read_case(orjson.dumps(case)) is None
        del target["unexpected"]
    assert read_case(orjson.dumps(case)) is not None


# -- generated cases, taken apart ----------------------------------------------------------------

TEXTS = st.one_of(
    st.sampled_from(["", " ", "M1 ", " M1", "\u3000M1", "M1\n", "\x1cM1", "12\n", "12.5 ",
                     "012", "1.234", "-1", "1e3", "12.50", "0", "0.00", "2026-02-30",
                     "2026-7-1", "2026-07-01T00:00:00", "20260701", "x" * 65, "X" * 200,
                     "medical", "wage", "unstable", "head", "\ud800", "PUBLIC_SERVANT",
                     "public_servant", "330102", "33010", "330102 "]),
    st.text(max_size=8))
VALUES = st.one_of(TEXTS, st.none(), st.booleans(), st.integers(-2, 10**20),
                   st.floats(allow_nan=False, allow_infinity=False), st.just([]),
                   st.just({}))


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, sub in value.items():
            found += _paths(sub, (*path, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            found += _paths(sub, (*path, index))
    return found


def _mutated(case: dict[str, Any], path: tuple[Any, ...], how: str, value: Any) -> bytes:
    data = json.loads(orjson.dumps(case))
    target = data
    for part in path[:-1]:
        target = target[part]
    last = path[-1]
    if how == "delete" and isinstance(target, dict):
        del target[last]
    elif how == "add" and isinstance(target, dict):
        target[f"{last}_more"] = value
    else:
        target[last] = value
    return json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _same_as_fast(document: bytes) -> bool:
    """Whatever the reader accepts, FAST_CASE accepts with the same values; returns whether
    the reader accepted."""
    read = read_case(document)
    if read is None:
        return False
    fast = FAST_CASE.validate_json(document)  # raises if the reader was wider
    assert from_fast(fast) == read  # type: ignore[arg-type]
    assert msgspec.to_builtins(read) == msgspec.to_builtins(from_fast(fast))  # type: ignore
    return True


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_what_the_reader_accepts_the_fast_filter_accepts_with_the_same_values(
        data: st.DataObject) -> None:
    case = data.draw(st.sampled_from(CASES))
    path = data.draw(st.sampled_from(_paths(case)))
    how = data.draw(st.sampled_from(["set", "set", "delete", "add"]))
    value = data.draw(VALUES)
    _same_as_fast(_mutated(case, path, how, value))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CASES), st.text(min_size=1, max_size=3),
       st.sampled_from(["start", "end"]))
def test_a_text_with_whitespace_at_an_end_is_left_to_the_fast_filter(
        case: dict[str, Any], pad: str, where: str) -> None:
    """FAST_CASE strips identifiers, names and ID numbers: the reader must not take one it
    would read otherwise."""
    for path in (("case_id",), ("household", "household_id"), ("claim", "member_id"),
                 ("household", "members", 0, "name"), ("household", "members", 0, "id_number"),
                 ("verification", "verifier_id")):
        data = json.loads(orjson.dumps(case))
        target = data
        for part in path[:-1]:
            target = target[part]
        text = target[path[-1]]
        target[path[-1]] = pad + text if where == "start" else text + pad
        _same_as_fast(json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass"))


def test_every_generated_case_is_read_by_the_reader() -> None:
    """The reader is the fast path: it takes realistic cases, values as FAST_CASE reads them."""
    for case in iter_cases(11, 400):
        assert _same_as_fast(orjson.dumps(case))


@pytest.mark.parametrize("pad", [" ", "\u3000", "\t"])
def test_a_padded_identifier_is_still_decided_by_the_columnar_engine(pad: str) -> None:
    case = json.loads(orjson.dumps(CASES[1]))
    case["claim"]["member_id"] = pad + case["claim"]["member_id"] + pad
    case["household"]["members"][0]["name"] += pad
    document = json.dumps(case, ensure_ascii=False).encode()
    assert read_case(document) is None
    (decided,) = ColumnarEngine(DEMO).decide([document])
    assert decided is not None
    assert decided.line == adjudicate(Case.model_validate_json(document),
                                      DEMO).to_json().encode()


BAD_TEXTS = ["", " ", "012", "12\n", "\n12", "1.234", "-1", "1e3", "12.", ".5", "１２",
             "a", "A", "PUBLIC SERVANT", "public_servant", "_X", "9X", "33010", "3301021012021",
             "330102\n", "Medical", "medical\n", "0x10", "12.5 ", "٣٣٠١٠٢"]


def _patterned_paths(case: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The paths of a case whose text has a pattern: amounts, region code, category, the
    negative list's items (as keys too)."""
    found = []
    for path in _paths(case):
        value = case
        for part in path:
            value = value[part]
        if isinstance(value, str) and (
                path[-1] in ("region_code", "item", "amount") or path[:2] == ("claim", "category")
                or path[0] == "history" or path[-2:-1] in (("medical",), ("education",),
                                                           ("disaster",))):
            found.append(path)
    return found


@pytest.mark.parametrize("index", range(6))
def test_every_text_with_a_pattern_is_matched_whole(index: int) -> None:
    """Each amount, region code, category and item of a case, set to texts its pattern
    refuses (or that only a `$` would let through), one at a time: the reader never takes
    what FAST_CASE refuses, and takes every case the generator makes."""
    case = json.loads(orjson.dumps(CASES[index]))
    paths = _patterned_paths(case)
    assert len(paths) >= 8
    refused = 0
    for path in paths:
        for bad in BAD_TEXTS:
            document = _mutated(case, path, "set", bad)
            refused += not _same_as_fast(document)
    assert refused >= len(paths) * (len(BAD_TEXTS) - 6)
    answers = case["verification"]["negative_list"]
    for bad in BAD_TEXTS:  # an item of the negative list as a key
        mutated = json.loads(orjson.dumps(case))
        mutated["verification"]["negative_list"] = {**answers, bad: True}
        _same_as_fast(orjson.dumps(mutated))
    assert _same_as_fast(orjson.dumps(case))


_PIECES = st.sampled_from(["0", "7", "12", ".", "5", "A", "Z_9", "a", "b_1", "330102", "\n",
                           "\x00", " ", "-", "01", "1.234", "0.00", "", "é"])
_TEXTS = st.lists(_PIECES, max_size=4).map("".join)


@settings(max_examples=500)
@given(amounts=st.lists(_TEXTS, max_size=4), items=st.lists(_TEXTS, max_size=4),
       region=_TEXTS, category=_TEXTS)
def test_all_patterns_at_once_match_as_each_text_with_its_own(
        amounts: list[str], items: list[str], region: str, category: str) -> None:
    """`_matches` (one regular expression for every text of a case) says what a fullmatch of
    each text with its own pattern says, whatever newlines, NULs or empty texts they hold."""
    import re

    from schemas.case_reader import _matches

    def each(name: str, texts: list[str]) -> bool:
        return all(re.fullmatch(PATTERNS[name][1:-1], text) for text in texts)

    expected = (each("Amount", amounts) and each("ItemCode", items)
                and each("RegionCode", [region]) and each("CategoryValue", [category]))
    assert _matches(amounts, items, region, category) == expected
