"""Reading a bureau's export into columnar batches (polars): CSV in UTF-8 or GBK, or XLSX,
with title lines above the header, the header's columns mapped to the feed's fields.

A CSV file is read in pieces of a few megabytes cut at line ends outside quotes (memory stays
flat however long the file); a GBK (or UTF-16) file's piece is decoded incrementally and handed
to polars as UTF-8, with no copy of the file on disk. Every row keeps the number a person sees
in the file (`_row`: the CSV line, the spreadsheet row).
"""

from __future__ import annotations

import codecs
import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

import polars as pl

from adjudicator.feeds.columns import Bureau
from adjudicator.intake.sources import HEADER_SEARCH_ROWS, FileInfo, UnreadableFile, iter_table
from adjudicator.messages import Message

ROW = "_row"
#: what a byte the file's encoding cannot decode reads as (a row holding it is rejected)
UNDECODABLE = "\ufffd"
_BLOCK = 4 << 20
#: bytes of UTF-8 text parsed at once: about this many rows' worth, within these bounds
_PIECE_BYTES_A_ROW, _PIECE_MIN, _PIECE_MAX = 160, 1 << 20, 64 << 20


@dataclass
class Header:
    """Where the header is and what its columns name."""

    row: int
    headers: list[str]
    fields: list[str | None]
    #: field -> the header as written in the file
    named: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)


def find_header(info: FileInfo, bureau: Bureau) -> Header | None:
    """The first of the leading rows naming at least two of the feed's fields."""
    leading = list(itertools.islice(iter_table(info), HEADER_SEARCH_ROWS))
    for number, cells in leading:
        fields = [bureau.field_for(c) if c else None for c in cells]
        if sum(f is not None for f in fields) >= 2:
            header = Header(number, cells, fields)
            for cell, name in zip(cells, fields, strict=True):
                if name is None:
                    if cell:
                        header.ignored.append(cell)
                elif name in header.named:
                    header.doubled.append(name)
                else:
                    header.named[name] = cell
            return header
    return None


def utf8_blocks(info: FileInfo) -> Iterator[bytes]:
    """The file as UTF-8 bytes, block by block (no byte order mark): itself, or decoded
    incrementally from GBK/GB18030 or UTF-16, a byte that does not decode read as U+FFFD
    (`UNDECODABLE`: its row is rejected, the rest of the file is read)."""
    with info.path.open("rb") as stream:
        if info.encoding in ("utf-8-sig", "utf-8"):
            first = True
            while block := stream.read(_BLOCK):
                if first:
                    block, first = block.removeprefix(codecs.BOM_UTF8), False
                yield block
            return
        assert info.encoding is not None
        decoder = codecs.getincrementaldecoder(info.encoding)(errors="replace")
        while block := stream.read(_BLOCK):
            yield decoder.decode(block).encode("utf-8")
        yield decoder.decode(b"", final=True).encode("utf-8")


def _cut(text: bytes) -> int:
    """Where `text` (starting at a record) can be cut: after its last line end outside
    quotes (a quoted cell may hold a line break), or 0. A quote byte is never part of a
    multi-byte character in UTF-8, so counting them is enough."""
    end = len(text)
    while (end := text.rfind(b"\n", 0, end)) >= 0:
        if text.count(b'"', 0, end) % 2 == 0:
            return end + 1
    return 0


def _unquoted_rows(piece: bytes) -> int:
    """How many records of `piece` come before the one whose quote is never closed (all of
    them when every quote is closed)."""
    records = start = 0
    inside = False
    for line in piece.split(b"\n"):
        if not inside:
            start = records
        inside ^= line.count(b'"') % 2 == 1
        if not inside:
            records += 1
    return start if inside else 0


def _pieces(blocks: Iterator[bytes], size: int) -> Iterator[bytes]:
    """Whole records of UTF-8 text, about `size` bytes a piece."""
    pending = b""
    for block in blocks:
        pending += block
        if len(pending) >= size and (cut := _cut(pending)):
            yield pending[:cut]
            pending = pending[cut:]
    if pending:
        yield pending


def batches(info: FileInfo, header: Header, rows: int) -> Iterator[pl.DataFrame]:
    """The rows below the header, `rows` at a time, as text columns named by field (the
    first column of a field doubled in the header wins) plus `_row`."""
    keep: dict[str, str] = {}
    for i, name in enumerate(header.fields):
        if name is not None and name not in keep.values():
            keep[f"c{i}"] = name
    if info.format == "xlsx":
        yield from _xlsx_batches(info, header, keep, rows)
        return
    blocks = utf8_blocks(info)
    lines: list[bytes] = []
    pending = b""
    # the lines above the header (title lines) and the header itself, as they are in the file
    for block in blocks:
        pending += block
        while len(lines) < header.row and (end := pending.find(b"\n")) >= 0:
            lines.append(pending[:end + 1])
            pending = pending[end + 1:]
        if len(lines) == header.row:
            break
    if len(lines) < header.row:
        lines.append(pending)
        pending = b""
    first = lines[0].decode("utf-8") if lines else ""
    separator = max(",\t;", key=first.count) if first else ","
    head = lines[header.row - 1]
    # the header as polars splits it: the column count must be its own
    width = len(next(csv.reader([head.decode("utf-8")], delimiter=separator), []))
    names = [f"c{i}" for i in range(max(width, len(header.headers)))]
    size = min(max(rows * _PIECE_BYTES_A_ROW, _PIECE_MIN), _PIECE_MAX)
    offset = header.row + 1
    carry: pl.DataFrame | None = None  # the rows of a piece short of a whole batch
    for piece in _pieces(itertools.chain([pending], blocks), size):
        if not piece.strip():
            continue
        try:
            df = pl.read_csv(head + piece, has_header=True, new_columns=names,
                             infer_schema=False, separator=separator, row_index_name=ROW,
                             row_index_offset=offset, truncate_ragged_lines=True,
                             encoding="utf8")
        except pl.exceptions.PolarsError:
            # polars' own message quotes the cells (names, ID numbers): never shown
            raise UnreadableFile(Message("import.csv_broken", file=info.path.name,
                                         row=offset + _unquoted_rows(piece),
                                         reason="unmatched quote")) from None
        df = df.select(pl.col(ROW), *(pl.col(c).alias(f) for c, f in keep.items()))
        offset += df.height
        if carry is not None:
            df = pl.concat([carry, df], rechunk=False)
        whole = df.height - df.height % rows
        for begin in range(0, whole, rows):
            yield df.slice(begin, rows)
        carry = df.slice(whole) if whole < df.height else None
    if carry is not None:
        yield carry


def _xlsx_batches(info: FileInfo, header: Header, keep: dict[str, str], rows: int
                  ) -> Iterator[pl.DataFrame]:
    positions = [(int(c[1:]), f) for c, f in keep.items()]
    table = (item for item in iter_table(info) if item[0] > header.row)
    while chunk := list(itertools.islice(table, rows)):
        data: dict[str, list[object]] = {ROW: [n for n, _ in chunk]}
        for i, name in positions:
            data[name] = [(cells[i] or None) if i < len(cells) else None for _, cells in chunk]
        yield pl.DataFrame(data, schema={ROW: pl.UInt32, **{f: pl.String for _, f in positions}})
