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
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from adjudicator.messages import LocalizedError, Message
from schemas.vocabulary import ANSWERS

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

    Text is UTF-16 when it starts with a UTF-16 byte order mark; UTF-8 (a BOM is allowed) when
    the whole file decodes as UTF-8; else GB18030 (a superset of GBK, the encoding of county
    office exports), a byte it cannot decode rejecting only its row. The encoding is decided
    here, before any row is read or stored; a file that is no text of these (NUL bytes
    throughout), or a .xlsx that is no zip archive (an old .xls or a CSV renamed), is refused
    with UnreadableFile.
    """
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnreadableFile(Message("import.unknown_type", file=path.name,
                                     suffix=path.suffix or "(none)"))
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = fmt != "xlsx"
    utf16 = False
    with path.open("rb") as stream:
        first = True
        while block := stream.read(_BLOCK):
            if first and utf8:
                utf16 = _utf16(path, block)
                utf8 = not utf16
            first = False
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
    if fmt == "xlsx" and not zipfile.is_zipfile(path):
        raise UnreadableFile(Message("import.not_workbook", file=path.name))
    encoding = None if fmt == "xlsx" else (
        "utf-16" if utf16 else "utf-8-sig" if utf8 else "gb18030")
    return FileInfo(path, fmt, encoding, digest.hexdigest())


def _utf16(path: Path, first: bytes) -> bool:
    """Whether a text file is UTF-16 (as Excel's "Unicode text" saves it: with a byte order
    mark). A file full of NUL bytes without one is refused: it is UTF-16 or UTF-32 of an
    unknown byte order, or not text at all, and no row of it can be read as written."""
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) \
            and not first.startswith(codecs.BOM_UTF32_LE):
        return True
    sample = first[:4096]
    if sample and sample.count(0) * 4 >= len(sample):
        raise UnreadableFile(f"{path.name}：文件不是文本，或是没有字节顺序标记（BOM）的 "
                             "UTF-16/UTF-32 文件，无法读取：请另存为 UTF-8 编码的 CSV 后重新导入；"
                             "未导入任何数据")
    return False


#: Bytes that GB18030 cannot decode are kept as lone surrogates (U+DC80..U+DCFF, Python's
#: "surrogateescape"): the row that holds one is rejected with its number, the rest of the
#: file is read (a GBK export with one damaged byte loses one row, not the file).
DECODE_ERRORS = "surrogateescape"
#: How much of the first line is read to guess the delimiter.
_FIRST_LINE = 1 << 16


class FormulaCell(str):
    """A spreadsheet cell holding a formula: its text is empty (the value a formula last had
    is not trusted: a workbook written by a program has none), and the row is rejected."""

    __slots__ = ()


def iter_table(info: FileInfo) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) of a CSV file or the first sheet of a workbook; rows with
    no value at all are skipped."""
    rows = _csv_rows(info) if info.format == "csv" else _xlsx_rows(info.path)
    for number, cells in rows:
        if any(cell for cell in cells):
            yield number, cells


def _csv_rows(info: FileInfo, *, cells: bool = True) -> Iterator[tuple[int, list[str]]]:
    """(row number, stripped cells) of each row; with `cells` False, only the row numbers
    (and no cells: a read through that checks the rows can be read)."""
    assert info.encoding is not None
    with info.path.open(encoding=info.encoding, errors=DECODE_ERRORS, newline="") as stream:
        first = stream.readline(_FIRST_LINE)
        delimiter = max(",\t;", key=first.count) if first else ","
        stream.seek(0)
        reader = csv.reader(stream, delimiter=delimiter)
        start = 1
        try:
            for row in reader:
                yield start, [cell.strip() for cell in row] if cells else row
                start = reader.line_num + 1
        except csv.Error as exc:  # an unmatched quote, a cell over the csv module's limit
            raise UnreadableFile(Message("import.csv_broken", file=info.path.name, row=start,
                                         reason=str(exc))) from None


def check_csv(info: FileInfo) -> None:
    """Read a CSV file through once before any of it is stored: a row the csv module cannot
    read (an unmatched quote takes the rest of the file into one cell) would otherwise stop
    an import halfway, its first chunks stored. Raises UnreadableFile naming the row."""
    if info.format == "csv":
        for _ in _csv_rows(info, cells=False):
            pass


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported here: only spreadsheets need it

    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:  # a zip, no workbook
        raise UnreadableFile(Message("import.not_workbook", file=path.name)) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            yield number, [FormulaCell() if getattr(cell, "data_type", None) == "f"
                           else cell_text(cell.value) for cell in cells]
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person sees: 68000.0 -> "68000", 0.1 + 0.2 -> "0.30"
    (formula noise below a millionth of a fen is dropped), a date cell -> "2026-03-01"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return ANSWERS[value].zh
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


class DuplicateKey(ValueError):
    """A JSON object names the same key twice (a parser would silently keep the last)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


_KEY_END = re.compile(r'"\s*:')


def _keys(value: Any) -> int:
    """How many keys the objects in a parsed JSON value have, all levels."""
    if type(value) is dict:
        return len(value) + sum(_keys(item) for item in value.values())
    if type(value) is list:
        return sum(_keys(item) for item in value)
    return 0


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKey(key)
        seen[key] = value
    return seen


def _strict(line: str) -> Any:
    """The line parsed with a check for doubled keys (and the same values orjson gives)."""
    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        return json.loads(line, object_pairs_hook=_no_duplicates, parse_constant=constant)
    except DuplicateKey as exc:
        return exc


def parse_json_line(line: str) -> Any:
    """A line's JSON value, or the exception (not JSON; `DuplicateKey`).

    orjson parses (fast), and keeps the last of doubled keys: every key of the text ends
    with `"` and `:`, so when the text has no more `":` than the parsed objects have keys
    it has no doubled key; otherwise (a doubled key, or a string holding `":`) the line is
    parsed again, checking each object's keys."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return exc
    if len(_KEY_END.findall(line)) > _keys(value):
        return _strict(line)
    return value


class UndecodableBytes(ValueError):
    """A line holding bytes its file's encoding cannot decode."""


#: What a row must not hold: a byte the encoding could not decode (kept as a lone
#: surrogate) or a control character (NUL, U+0001..U+001F but tab, line feed and carriage
#: return, DEL, the C1 controls). PostgreSQL refuses NUL in text; the others are never a
#: person's data. Both databases get the same rows.
UNDECODED = re.compile("[\udc80-\udcff]")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\udc80-\udcff]")


def iter_json_lines(info: FileInfo) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value or the exception) of each non-blank line."""
    assert info.encoding is not None
    with info.path.open(encoding=info.encoding, errors=DECODE_ERRORS, newline="") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            if UNDECODED.search(line):
                yield number, UndecodableBytes(info.encoding)
                continue
            yield number, parse_json_line(line)
