"""Reading import files row by row: CSV (UTF-8 with or without BOM, or GBK/GB18030 as county
offices export), XLSX and JSON Lines, streamed so that a large file never sits in memory.

Every row carries the number a person sees: the line of a CSV or JSON Lines file (the CSV
header is line 1) and the row of a spreadsheet.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from adjudicator.messages import LocalizedError, Message

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
           ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
_BLOCK = 1 << 20
#: How many leading rows may be titles above the header (a department's export often starts
#: with a line such as "2026年3月医保高额费用名单").
HEADER_SEARCH_ROWS = 10


class UnreadableFile(LocalizedError, ValueError):
    """The file cannot be read as any accepted format."""


@dataclass(frozen=True)
class FileInfo:
    path: Path
    format: str
    encoding: str | None
    sha256: str


def inspect_file(path: Path) -> FileInfo:
    """Format (by extension), text encoding and SHA-256, in one streaming pass.

    Text is UTF-8 (a BOM is allowed) when the whole file decodes as UTF-8, else GB18030 (a
    superset of GBK, the encoding of county office exports).
    """
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnreadableFile(Message("import.unknown_type", file=path.name,
                                     suffix=path.suffix or "(none)"))
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = fmt != "xlsx"
    with path.open("rb") as stream:
        while block := stream.read(_BLOCK):
            digest.update(block)
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    encoding = None if fmt == "xlsx" else ("utf-8-sig" if utf8 else "gb18030")
    return FileInfo(path, fmt, encoding, digest.hexdigest())


def iter_table(info: FileInfo) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) of a CSV file or the first sheet of a workbook; rows with
    no value at all are skipped."""
    rows = _csv_rows(info) if info.format == "csv" else _xlsx_rows(info.path)
    for number, cells in rows:
        if any(cell for cell in cells):
            yield number, cells


def _csv_rows(info: FileInfo) -> Iterator[tuple[int, list[str]]]:
    assert info.encoding is not None
    with info.path.open(encoding=info.encoding, newline="") as stream:
        first = stream.readline()
        delimiter = max(",\t;", key=first.count) if first else ","
        stream.seek(0)
        reader = csv.reader(stream, delimiter=delimiter)
        start = 1
        for cells in reader:
            yield start, [cell.strip() for cell in cells]
            start = reader.line_num + 1


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported here: only spreadsheets need it

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value) for value in values]
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person sees: 68000.0 -> "68000", 0.1 + 0.2 -> "0.30"
    (formula noise below a millionth of a fen is dropped), a date cell -> "2026-03-01"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        if abs(value - round(value, 2)) < 1e-8:
            return f"{round(value, 2):.2f}"
        return repr(value)
    return str(value).strip()


def iter_json_lines(info: FileInfo) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value or the exception) of each non-blank line."""
    assert info.encoding is not None
    with info.path.open(encoding=info.encoding, newline="") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                yield number, orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield number, exc
