"""The columnar engine writes a decision by filling a template of the decision, made once per
path a case takes from the constructors of `adjudicator.rules.steps` (`steps.Template`). The
filled text must be what serializing the same constructors' output gives, byte for byte.

The differential suites (tests/test_columnar.py) compare whole decisions with the scalar core;
these tests hold the template mechanism itself to `steps.serialized` on arbitrary texts, and
decide many generated cases with one engine, so that every template is reused by cases that
differ in everything but their path.
"""

from __future__ import annotations

import random

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adjudicator.rules import steps as S
from adjudicator.rules.columnar import ColumnarEngine
from adjudicator.rules.tariff import parse_tariff
from fixtures.generate import iter_cases
from tariffs import demo_tariff_path
from tests.test_columnar import SETTINGS, _quiet, cases, scalar_line, tariffs

DEMO_SOURCE = demo_tariff_path().read_text(encoding="utf-8")

texts = st.text(max_size=40)
optional = st.none() | st.text(alphabet="0123456789.-", max_size=12)


@given(texts)
def test_json_text_is_the_content_of_the_serialized_string(text: str) -> None:
    assert S.json_text(text) == orjson.dumps(text).decode()[1:-1]


@given(st.lists(texts, max_size=4))
def test_json_texts_is_json_text_of_each(plain: list[str]) -> None:
    assert S.json_texts(*plain) == [S.json_text(text) for text in plain]


@given(net=texts, costs=texts, income=texts, excluded=st.lists(texts, max_size=3))
def test_a_step_template_filled_is_the_step_serialized(net: str, costs: str, income: str,
                                                      excluded: list[str]) -> None:
    template = S.Template(S.income_net(S.text(0), S.text(1), S.text(2), excluded), 3)
    assert template.fill(*map(S.json_text, (income, costs, net))) == S.serialized(
        S.income_net(income, costs, net, excluded))


@given(ids=st.tuples(texts, texts, texts, texts), amounts=st.tuples(texts, texts, texts),
       figures=st.tuples(optional, optional, optional, optional),
       members=st.none() | st.integers(0, 99), head=st.lists(texts, min_size=1, max_size=4),
       constant=texts, order=st.randoms())
def test_a_decision_template_filled_is_the_decision_serialized(
        ids: tuple[str, ...], amounts: tuple[str, ...], figures: tuple[str | None, ...],
        members: int | None, head: list[str], constant: str, order: random.Random) -> None:
    """Open texts and open values (null, a number, a list) in any order of their indices."""
    steps = [{"rule": text} for text in head]
    indices = list(range(13))
    order.shuffle(indices)
    slot = dict(zip(range(13), indices, strict=True))
    document = S.decision_document(
        S.text(slot[0]), S.text(slot[1]), S.text(slot[2]), S.text(slot[3]), constant,
        [constant], S.text(slot[4]), S.text(slot[5]), S.text(slot[6]), S.value(slot[7]),
        S.value(slot[8]), S.value(slot[9]), S.value(slot[10]), "%s%%", S.value(slot[11]),
        constant, "", "0", S.value(slot[12]))
    values = [""] * 13
    for index, text in enumerate((*ids, *amounts)):
        values[slot[index]] = S.json_text(text)
    for index, figure in zip((7, 8, 10), figures, strict=False):
        values[slot[index]] = S.serialized(figure)
    values[slot[9]] = S.serialized(members)
    values[slot[11]] = S.serialized([{"from": figures[3] or ""}])
    values[slot[12]] = S.serialized(steps)
    expected = S.decision_document(
        *ids, constant, [constant], *amounts, figures[0], figures[1], members, figures[2],
        "%s%%", [{"from": figures[3] or ""}], constant, "", "0", steps)
    assert S.Template(document, 13).fill(*values) == S.serialized(expected)


def test_a_template_refuses_a_constant_holding_the_marks_of_open_values() -> None:
    for constant in ("a" + S.text(0), S.value(1) + "b", "\ue001"):
        with pytest.raises(ValueError):
            S.Template(S.outcome("denied", [constant], S.text(0)), 2)
    S.Template(S.outcome("denied", ["\ue004"], S.text(0)), 1)  # other private-use text


def test_a_template_may_leave_open_values_unused_or_have_none() -> None:
    for slots in (0, 2):
        template = S.Template(S.outcome("denied", ["A%s"], "0.00"), slots)
        assert template.fill_from(["x"] * slots) == S.serialized(
            S.outcome("denied", ["A%s"], "0.00"))
    template = S.Template(S.outcome("denied", [], S.text(1)), 3)
    assert template.fill("a", "1.00", "c") == S.serialized(S.outcome("denied", [], "1.00"))


def test_a_tariff_whose_id_holds_a_mark_is_decided_the_scalar_way() -> None:
    """A constant text exactly like a mark could not be told from an open value: a tariff
    whose id holds a mark's character has its decisions written the scalar way."""
    source = DEMO_SOURCE.replace('id = "demo-county/2026"', 'id = "demo\ue0000\ue001"', 1)
    assert source != DEMO_SOURCE
    tariff = parse_tariff(source.encode(), "marked.toml")
    documents = [orjson.dumps(case) for case in iter_cases(3, 40)]
    assert ColumnarEngine(tariff).decide(documents) == [None] * 40
    assert all(S.holds_marks(scalar_line(document, tariff).decode()) for document in documents)


@SETTINGS
@given(source=tariffs(), drawn=st.lists(st.tuples(st.integers(0, 10**6), st.booleans()),
                                         min_size=20, max_size=60), data=st.data())
def test_one_engine_reuses_its_templates_for_every_case(
        source: str, drawn: list[tuple[int, bool]], data: st.DataObject) -> None:
    """Many cases through one engine, in two orders: each path's template, made by the first
    case that takes it, writes every later case of the path as the scalar core does."""
    tariff = parse_tariff(source.encode(), "generated.toml")
    documents = []
    for number, quiet in drawn:
        case = data.draw(cases(number))
        documents.append(orjson.dumps(_quiet(case) if quiet else case))
    engine = ColumnarEngine(tariff)
    for batch in (documents, documents[::-1]):
        for document, result in zip(batch, engine.decide(batch), strict=True):
            assert result is not None
            assert result.line == scalar_line(document, tariff)
