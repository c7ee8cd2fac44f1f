"""Pure-mode batch evaluation: cases in (JSON or JSON Lines), one JSON line out per case.

Streams: JSON Lines are read in blocks of whole lines (about a megabyte) and a JSON array
element by element, so memory stays flat however many cases there are. Each block is decided
by the columnar engine (`adjudicator.rules.columnar`), which hands any case it does not take to the
scalar core; either way the line is the same. A malformed case yields an error line that names
the case, its place in the file and each field at fault; the run goes on. With several
workers, blocks are decided in processes and written in input order.
"""

from __future__ import annotations

import codecs
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import IO, Any, Literal, cast

from pydantic import ValidationError

from adjudicator.batchwork import chunked, gc_paused
from adjudicator.messages import Message, Refused
from adjudicator.rules.columnar import ColumnarEngine
from adjudicator.rules.decision import adjudicate
from adjudicator.rules.tariff import Tariff
from schemas.case import Case

_CHUNK = 1 << 16
_WHITESPACE = " \t\r\n"
_BOM = codecs.BOM_UTF8
#: Cases of a JSON array decided at a time; JSON Lines go in blocks of about `_BLOCK` bytes.
COLUMNAR_CHUNK = 1000
_BLOCK = 1 << 20
#: "columnar" (the default) or "scalar": the same decisions, byte for byte.
Engine = Literal["columnar", "scalar"]
Document = tuple[str, str | bytes]


@dataclass
class EvaluationCounts:
    """What a run did: cases read, decisions by outcome, and malformed cases."""

    cases: int = 0
    errors: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def add(self, cases: int, errors: int, outcomes: dict[str, int]) -> None:
        self.cases += cases
        self.errors += errors
        for outcome, number in outcomes.items():
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + number


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


def iter_documents(stream: IO[str] | _Decoded | _Empty, source: str) -> Iterator[Document]:
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


def _decode_head(head: bytes) -> str:
    return codecs.getincrementaldecoder("utf-8")(errors="replace").decode(head)


class _Decoded:
    """A binary stream, already partly read, as text (UTF-8)."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._head: bytes | None = head
        self._stream = stream

    def read(self, size: int = -1) -> str:
        if self._head is not None:
            data, self._head = self._head, None
        else:
            data = self._stream.read(size)
        return self._decoder.decode(data, final=not data)


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


def _iter_array(stream: IO[str] | _Decoded | _Empty, buffer: str,
                source: str) -> Iterator[tuple[str, str]]:
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
                raise Refused(Message("evaluate.array_open", source=source))
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
                    raise Refused(Message("evaluate.item_not_json", source=source,
                                          item=number + 1)) from None
                buffer, pos = buffer[pos:] + more, 0
        number += 1
        yield f"{source}:item {number}", buffer[pos:end]
        buffer, pos = buffer[end:], 0


def _case_id_of(text: str | bytes) -> Any:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data.get("case_id") if isinstance(data, dict) else None


def evaluate_stream(stream: IO[bytes], source: str, tariff: Tariff, sink: IO[bytes], *,
                    workers: int = 1, engine: Engine = "columnar") -> EvaluationCounts:
    """Decide every case of `stream` (JSON Lines, a JSON array or one object) into `sink`, one
    line per case in input order; returns what the run did."""
    counts = EvaluationCounts()
    head = stream.read(_CHUNK).removeprefix(_BOM)
    first = head.lstrip(_WHITESPACE.encode())[:1]
    if first == b"[" or (first == b"{" and not source.endswith((".jsonl", ".ndjson"))
                         and _is_multiline(_decode_head(head))):
        documents = iter_documents(_Decoded(head, stream), source)
        jobs: Iterator[_Job] = (("documents", chunk)
                                for chunk in chunked(documents, COLUMNAR_CHUNK))
    else:
        jobs = (("lines", (source, line, block)) for line, block in _line_blocks(stream, head))
    with gc_paused() as tick:
        if workers == 1:
            decider = _Decider(tariff, engine)
            for job in jobs:
                counts.add(*_write(sink, decider.run(job)))
                tick()
        else:
            for result in _in_processes(jobs, tariff, engine, workers):
                counts.add(*_write(sink, result))
    return counts


_Job = tuple[str, Any]
#: A job's result: output bytes, cases, malformed cases, outcomes.
_Result = tuple[bytes, int, int, dict[str, int]]


def _write(sink: IO[bytes], result: _Result) -> tuple[int, int, dict[str, int]]:
    sink.write(result[0])
    return result[1:]


def _line_blocks(stream: IO[bytes], head: bytes) -> Iterator[tuple[int, bytes]]:
    """Blocks of whole lines, about `_BLOCK` bytes each: (number of the first line, bytes)."""
    pending, number = head, 1
    while True:
        data = stream.read(_BLOCK)
        pending += data
        cut = pending.rfind(b"\n") + 1 if data else len(pending)
        if cut:
            block, pending = pending[:cut], pending[cut:]
            yield number, block
            number += block.count(b"\n")
        if not data:
            return


class _Decider:
    """Decides jobs (a block of JSON Lines, or a chunk of documents) with one tariff; made
    once per process."""

    def __init__(self, tariff: Tariff, engine: Engine) -> None:
        self.tariff = tariff
        self.columnar = ColumnarEngine(tariff) if engine == "columnar" else None

    def run(self, job: _Job) -> _Result:
        kind, payload = job
        places: Sequence[str | int]
        if kind == "lines":  # places are line numbers, put into words only for error lines
            source, first, block = payload
            split: list[bytes] = block.split(b"\n")
            if split[-1] == b"":
                split.pop()
            texts: list[str | bytes]
            if b"" in split or any(map(bytes.isspace, split)):  # blank lines are skipped
                numbered = [(number, line) for number, line in enumerate(split, first)
                            if line and not line.isspace()]
                places = [number for number, _ in numbered]
                texts = [line for _, line in numbered]
            else:
                texts, places = cast(list[str | bytes], split), range(first, first + len(split))
        else:
            source = ""
            places = [place for place, _ in payload]
            texts = [text for _, text in payload]
        # Decided, or the scalar way's (line, outcome): the line and the outcome come first
        results: list[Any] = (
            [None] * len(texts) if self.columnar is None else self.columnar.decide(texts))
        for index, result in enumerate(results):
            if result is None:
                place = places[index]
                where = place if isinstance(place, str) else f"{source}:line {place}"
                results[index] = _scalar(where, texts[index], self.tariff)
        tally = Counter(map(_OUTCOME, results))
        errors = tally.pop("", 0)
        if not results:
            return b"", 0, errors, dict(tally)
        lines = list(map(_LINE, results))
        lines.append(b"")
        return b"\n".join(lines), len(texts), errors, dict(tally)


#: A result's line and outcome (`Decided` and `_scalar`'s pair alike).
_LINE, _OUTCOME = itemgetter(0), itemgetter(1)


def _scalar(place: str, text: str | bytes, tariff: Tariff) -> tuple[bytes, str]:
    """One case the scalar way: `Case` validation (naming every field at fault) and
    `adjudicate`. Returns the line and the outcome ("" for a malformed case)."""
    try:
        case = Case.model_validate_json(text)
    except ValidationError as exc:
        error = {"error": "invalid_case", "case_id": _case_id_of(text), "at": place,
                 "problems": validation_problems(exc)}
        return json.dumps(error, ensure_ascii=False).encode(), ""
    decision = adjudicate(case, tariff)
    return decision.to_json().encode(), decision.outcome.value


_WORKER: list[Any] = []  # this worker process's decider and its `gc_paused` tick


def _start_worker(tariff: Tariff, engine: Engine) -> None:
    paused = gc_paused()
    _WORKER[:] = [_Decider(tariff, engine), paused.__enter__()]  # for the process's life


def _run_in_worker(job: _Job) -> _Result:
    decider, tick = _WORKER
    try:
        return decider.run(job)  # type: ignore[no-any-return]
    finally:
        tick()


def _in_processes(jobs: Iterable[_Job], tariff: Tariff, engine: Engine,
                  workers: int) -> Iterator[_Result]:
    """Results of `jobs` decided by `workers` processes, in input order; at most 2 x workers
    jobs in flight, so memory stays flat however long the input."""
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    iterator = iter(jobs)
    with ProcessPoolExecutor(workers, initializer=_start_worker,
                             initargs=(tariff, engine)) as pool:
        window: deque[Future[_Result]] = deque()
        while True:
            while len(window) < 2 * workers:
                job = next(iterator, None)
                if job is None:
                    break
                window.append(pool.submit(_run_in_worker, job))
            if not window:
                return
            yield window.popleft().result()
