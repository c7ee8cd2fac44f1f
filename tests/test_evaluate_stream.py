"""`evaluate_stream`: JSON Lines in blocks of whole lines, the place of every line, and the same
output whatever the engine, the number of processes or where the blocks are cut."""

from __future__ import annotations

import io
import json

import orjson
import pytest

from adjudicator import evaluate as evaluation
from adjudicator.evaluate import evaluate_stream
from adjudicator.rules.tariff import load_tariff
from fixtures.generate import iter_cases
from tariffs import demo_tariff_path

DEMO = load_tariff(demo_tariff_path())


def run(data: bytes, source: str = "cases.jsonl", **options: object) -> tuple[list[str], object]:
    sink = io.BytesIO()
    counts = evaluate_stream(io.BytesIO(data), source, DEMO, sink, **options)  # type: ignore[arg-type]
    return sink.getvalue().decode("utf-8").splitlines(), counts


def _cases(n: int, seed: int = 3) -> list[bytes]:
    return [orjson.dumps(case) for case in iter_cases(seed, n)]


def test_blank_lines_crlf_bom_and_a_missing_final_newline_keep_line_numbers() -> None:
    good = _cases(3)
    data = (b"\xef\xbb\xbf" + good[0] + b"\r\n\r\n" + b'{"case_id": "C-bad"}\r\n'
            + good[1] + b"\n   \n" + good[2])
    lines, counts = run(data)
    assert len(lines) == 4
    error = json.loads(lines[1])
    assert (error["error"], error["case_id"], error["at"]) == (
        "invalid_case", "C-bad", "cases.jsonl:line 3")
    assert [json.loads(line)["case_id"] for line in (lines[0], lines[2], lines[3])] == [
        json.loads(c)["case_id"] for c in good]
    assert (counts.cases, counts.errors) == (4, 1)  # type: ignore[attr-defined]


def test_a_line_that_is_not_utf8_is_one_malformed_case() -> None:
    good = _cases(2)
    lines, counts = run(good[0] + b'\n{"case_id": "\xff\xfe"}\n' + good[1] + b"\n")
    assert len(lines) == 3
    assert json.loads(lines[1])["at"] == "cases.jsonl:line 2"
    assert counts.errors == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("block", [64, 1000, 5000, 1 << 20])
def test_where_blocks_are_cut_changes_nothing(monkeypatch: pytest.MonkeyPatch,
                                              block: int) -> None:
    cases = _cases(40)
    data = b"\n".join(cases[:20]) + b"\n\n" + b"\n".join(cases[20:]) + b"\n"
    reference, _ = run(data, engine="scalar")
    monkeypatch.setattr(evaluation, "_BLOCK", block)
    lines, counts = run(data)
    assert lines == reference
    assert counts.cases == 40  # type: ignore[attr-defined]


def test_processes_and_engines_give_the_same_lines_in_the_same_order() -> None:
    cases = _cases(1200, seed=9)
    cases[7] = b'{"case_id": "C-broken", "household": 1}'
    data = b"\n".join(cases) + b"\n"
    reference, reference_counts = run(data, engine="scalar")
    for workers in (1, 2):
        lines, counts = run(data, workers=workers)
        assert lines == reference
        assert counts == reference_counts
    assert json.loads(reference[7])["at"] == "cases.jsonl:line 8"


def test_arrays_and_single_objects_go_through_the_same_engines() -> None:
    cases = _cases(5)
    array = b"[\n" + b",\n".join(cases) + b"\n]"
    lines, _ = run(array, source="cases.json")
    reference, _ = run(b"\n".join(cases), engine="scalar")
    assert lines == reference
    single = json.dumps(json.loads(cases[0]), indent=2).encode()
    one, _ = run(single, source="case.json")
    assert one == reference[:1]
