"""Pure-mode batch evaluation: cases in (JSON or JSON Lines), one JSON line out per case.

Streams: a JSON Lines file is read line by line and a JSON array element by element, so
memory stays flat however many cases there are. A malformed case yields an error line that
names the case, its place in the file and each field at fault; the run goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from pydantic import ValidationError

from adjudicator.decision import adjudicate
from adjudicator.tariff import Tariff
from schemas.case import Case

_CHUNK = 1 << 16
_WHITESPACE = " \t\r\n"


@dataclass
class EvaluationCounts:
    """What a run did: cases read, decisions by outcome, and malformed cases."""

    cases: int = 0
    errors: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


def field_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a dotted path: household.members[0].id_number."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else ("." if path else "") + str(part)
    return path or "(case)"


def validation_problems(exc: ValidationError) -> list[dict[str, str]]:
    """Each problem of a validation error as {"field", "message"}; input values are left out
    so that no personal data is echoed into error reports or logs."""
    return [{"field": field_path(err["loc"]), "message": err["msg"]} for err in exc.errors()]


def iter_documents(stream: IO[str] | _Empty, source: str) -> Iterator[tuple[str, str]]:
    """Yield (place, text) for each case of a JSON Lines file, a JSON array or one JSON object.

    `place` is "file:line N" for JSON Lines and "file:item N" for an array.
    """
    head = stream.read(_CHUNK)
    first = head.lstrip(_WHITESPACE)[:1]
    if first == "[":
        yield from _iter_array(stream, head, source)
        return
    if first == "{" and not source.endswith((".jsonl", ".ndjson")) and _is_multiline(head):
        # One pretty-printed case (a .json file): it is read whole, as it is one document.
        text = head + stream.read()
        if _is_one_document(text):
            yield f"{source}:item 1", text
            return
        head, stream = text, _Empty()
    number = 0
    pending = head
    while True:
        lines = pending.split("\n")
        pending = lines.pop()
        for line in lines:
            number += 1
            if line.strip():
                yield f"{source}:line {number}", line
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        pending += chunk
    if pending.strip():
        yield f"{source}:line {number + 1}", pending


def _is_multiline(head: str) -> bool:
    """True when the first line is not a whole JSON value (so not JSON Lines)."""
    first_line = head.lstrip(_WHITESPACE).split("\n", 1)[0]
    try:
        json.loads(first_line)
    except ValueError:
        return True
    return False


def _is_one_document(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


class _Empty:
    """A stream at its end."""

    def read(self, size: int = -1) -> str:
        return ""


def _iter_array(stream: IO[str] | _Empty, buffer: str, source: str) -> Iterator[tuple[str, str]]:
    decoder = json.JSONDecoder()
    pos = buffer.index("[") + 1
    number = 0
    while True:
        while True:  # skip separators, reading more when the buffer runs out
            while pos < len(buffer) and buffer[pos] in _WHITESPACE + ",":
                pos += 1
            if pos < len(buffer):
                break
            more = stream.read(_CHUNK)
            if not more:
                raise ValueError(f"{source}: the JSON array is not closed")
            buffer, pos = buffer[pos:] + more, 0
        if buffer[pos] == "]":
            return
        while True:
            try:
                _, end = decoder.raw_decode(buffer, pos)
                break
            except json.JSONDecodeError:
                more = stream.read(_CHUNK)
                if not more:
                    raise ValueError(f"{source}: item {number + 1} is not valid JSON") from None
                buffer, pos = buffer[pos:] + more, 0
        number += 1
        yield f"{source}:item {number}", buffer[pos:end]
        buffer, pos = buffer[end:], 0


def _case_id_of(text: str) -> Any:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data.get("case_id") if isinstance(data, dict) else None


def evaluate_documents(
    documents: Iterable[tuple[str, str]], tariff: Tariff, counts: EvaluationCounts
) -> Iterator[str]:
    """One output line per case: the decision JSON, or an error object for a malformed case."""
    for place, text in documents:
        counts.cases += 1
        try:
            case = Case.model_validate_json(text)
        except ValidationError as exc:
            counts.errors += 1
            yield json.dumps(
                {"error": "invalid_case", "case_id": _case_id_of(text), "at": place,
                 "problems": validation_problems(exc)},
                ensure_ascii=False,
            )
            continue
        decision = adjudicate(case, tariff)
        counts.outcomes[decision.outcome.value] = counts.outcomes.get(decision.outcome.value, 0) + 1
        yield decision.to_json()


def _evaluate_chunk(args: tuple[list[tuple[str, str]], bytes, str]) -> tuple[list[str], int,
                                                                             dict[str, int]]:
    """Worker side: decide one chunk of documents; returns its lines and counts."""
    from adjudicator.tariff import parse_tariff

    documents, tariff_bytes, tariff_source = args
    tariff = _WORKER_TARIFFS.get(tariff_source)
    if tariff is None:
        tariff = _WORKER_TARIFFS[tariff_source] = parse_tariff(tariff_bytes, tariff_source)
    counts = EvaluationCounts()  # cases are counted by the caller, on submission
    lines = list(evaluate_documents(documents, tariff, counts))
    return lines, counts.errors, counts.outcomes


_WORKER_TARIFFS: dict[str, Tariff] = {}


def evaluate_parallel(documents: Iterable[tuple[str, str]], tariff_bytes: bytes,
                      tariff_source: str, counts: EvaluationCounts, workers: int,
                      chunk: int = 500) -> Iterator[str]:
    """The same lines as `evaluate_documents`, in input order, decided by `workers` processes.

    At most 2 x workers chunks are in flight, so memory stays flat however long the input.
    """
    import itertools
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    iterator = iter(documents)
    with ProcessPoolExecutor(workers) as pool:
        window: deque = deque()  # type: ignore[type-arg]
        while True:
            while len(window) < 2 * workers:
                batch = list(itertools.islice(iterator, chunk))
                if not batch:
                    break
                counts.cases += len(batch)
                window.append(pool.submit(_evaluate_chunk, (batch, tariff_bytes,
                                                            tariff_source)))
            if not window:
                return
            lines, errors, outcomes = window.popleft().result()
            counts.errors += errors
            for key, value in outcomes.items():
                counts.outcomes[key] = counts.outcomes.get(key, 0) + value
            yield from lines
