"""Reading a bureau's export into columnar batches (polars): CSV in UTF-8 or GBK, or XLSX,
with title lines above the header, the header's columns mapped to the feed's fields.

A CSV file is scanned by polars in batches (memory stays flat however long the file); a GBK
file is first re-encoded to a temporary UTF-8 copy, block by block. Every row keeps the number
a person sees in the file (`_row`: the CSV line, the spreadsheet row).
"""

from __future__ import annotations

import codecs
import csv
import itertools
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from adjudicator.feeds.columns import Bureau
from adjudicator.intake.sources import HEADER_SEARCH_ROWS, FileInfo, iter_table

ROW = "_row"
_BLOCK = 4 << 20


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


@contextmanager
def utf8_copy(info: FileInfo) -> Iterator[Path]:
    """The file as UTF-8: itself, or a temporary re-encoded copy of a GBK file."""
    if info.encoding in ("utf-8-sig", "utf-8"):
        yield info.path
        return
    assert info.encoding is not None
    decoder = codecs.getincrementaldecoder(info.encoding)()
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=True) as copy:
        with info.path.open("rb") as stream:
            while block := stream.read(_BLOCK):
                copy.write(decoder.decode(block).encode("utf-8"))
            copy.write(decoder.decode(b"", final=True).encode("utf-8"))
        copy.flush()
        yield Path(copy.name)


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
    with utf8_copy(info) as path:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            first = stream.readline()
        separator = max(",\t;", key=first.count) if first else ","
        # the header as polars splits it: the column count must be its own
        width = len(next(csv.reader([_line(path, header.row)], delimiter=separator), []))
        names = [f"c{i}" for i in range(max(width, len(header.headers)))]
        scan = pl.scan_csv(path, skip_lines=header.row - 1, has_header=True,
                           new_columns=names, infer_schema=False, separator=separator,
                           row_index_name=ROW, row_index_offset=header.row + 1,
                           truncate_ragged_lines=True, encoding="utf8")
        scan = scan.select(pl.col(ROW), *(pl.col(c).alias(f) for c, f in keep.items()))
        yield from scan.collect_batches(chunk_size=rows)


def _line(path: Path, number: int) -> str:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        for i, line in enumerate(stream, start=1):
            if i == number:
                return line
    return ""


def _xlsx_batches(info: FileInfo, header: Header, keep: dict[str, str], rows: int
                  ) -> Iterator[pl.DataFrame]:
    positions = [(int(c[1:]), f) for c, f in keep.items()]
    table = (item for item in iter_table(info) if item[0] > header.row)
    while chunk := list(itertools.islice(table, rows)):
        data: dict[str, list[object]] = {ROW: [n for n, _ in chunk]}
        for i, name in positions:
            data[name] = [(cells[i] or None) if i < len(cells) else None for _, cells in chunk]
        yield pl.DataFrame(data, schema={ROW: pl.UInt32, **{f: pl.String for _, f in positions}})
