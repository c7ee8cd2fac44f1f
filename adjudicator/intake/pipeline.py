"""The import loop shared by every kind of file: read, map columns, validate each row, store
the good rows chunk by chunk (one transaction and one audit event per chunk), and write
every bad row to the error report.

A row is counted once: accepted (stored or changed), unchanged (already stored exactly so:
re-importing a file changes nothing and appends no event) or rejected (in the report).

The audit trail gets one `import.chunk` event per chunk that changed something, listing every
change the chunk made, row by row (`Chunk.change`): what a row created or changed is in the
hash chain as it was with one event per row, for a fraction of the cost (hashing and storing
an event per row was a quarter of an import's time; docs/scale.md).
"""

from __future__ import annotations

import functools
import itertools
import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import structlog
from pydantic import BaseModel, ValidationError
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from adjudicator.batchwork import chunked, gc_paused
from adjudicator.intake.columns import Columns
from adjudicator.intake.report import (
    ErrorReport,
    default_report_path,
    masked_original,
    open_report,
)
from adjudicator.intake.sources import (
    BAD_TEXT,
    CONTROL,
    HEADER_SEARCH_ROWS,
    UNDECODED,
    DuplicateKey,
    FileInfo,
    FormulaCell,
    UndecodableBytes,
    check_csv,
    inspect_file,
    iter_json_lines,
    iter_table,
)
from adjudicator.messages import LocalizedError, Message, Text, ValidationReason
from adjudicator.storage.bulk import (
    among,
    estimated_rows,
    insert_rows,
    refresh_statistics,
    unique,
    update_rows,
)
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import IMPORT_CHUNK, PendingEvent, append_events
from adjudicator.storage.models import ImportBatch
from schemas.vocabulary import Words

# Key-value lines through the standard logging tree (silent unless the application configures
# it): never on stdout, where `--json` output goes. Only counts are logged, never row values.
__all__ = ["CHUNK_SIZE", "Chunk", "ImportRefused", "ImportResult", "Importer", "Row", "Run",
           "among", "filled", "insert_rows", "run_import", "unique", "update_rows",
           "validation_problems"]

log = structlog.wrap_logger(logging.getLogger("adjudicator.intake"),
                            processors=[structlog.processors.KeyValueRenderer(
                                key_order=["event"], sort_keys=True)])

#: Rows per transaction: large enough that the per-chunk queries, the commit and the event
#: chain's head lock cost little per row, small enough that a chunk's rows and objects stay
#: a few megabytes (memory does not grow with the file).
CHUNK_SIZE = 5000


class ImportRefused(LocalizedError, ValueError):
    """The whole file was refused (an unknown, missing or doubled column): nothing stored."""

    def __init__(self, message: Text, error_report: Path) -> None:
        super().__init__(message)
        self.error_report = error_report


@dataclass
class ImportResult:
    """What one import did. `accepted` counts rows stored or changed (`updated` of them
    changed something already stored); `unchanged` rows were already stored exactly so."""

    kind: str
    file: str
    batch_id: int | None = None
    rows_total: int = 0
    accepted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    #: rows accepted with a warning in the error report (a relation registered as other)
    warnings: int = 0
    error_report: str | None = None

    @property
    def all_rejected(self) -> bool:
        return self.rows_total > 0 and self.rejected == self.rows_total

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Row:
    """One row of the file: its number as a person sees it, its fields, and the original
    (header -> value, made only for a row that goes to the error report)."""

    __slots__ = ("_original", "fields", "headers", "number", "problems", "record")

    problems: list[tuple[str, str, Text]]

    def __init__(self, number: int, fields: dict[str, Any],
                 original: dict[str, Any] | Callable[[], dict[str, Any]],
                 headers: dict[str, str], record: Any = None,
                 problems: list[tuple[str, str, Text]] | None = None) -> None:
        self.number = number
        self.fields = fields
        self._original = original
        self.headers = headers
        self.record = record
        self.problems = [] if problems is None else problems

    @property
    def original(self) -> dict[str, Any]:
        if callable(self._original):
            self._original = self._original()
        return self._original


@dataclass
class Run:
    """The state of one import across its chunks."""

    ctx: Context
    kind: str
    batch_id: int
    options: dict[str, Any]
    at: str = ""
    #: per-kind memory across chunks (bounded by the kind's store function)
    memo: dict[str, Any] = field(default_factory=dict)


@dataclass
class Chunk:
    """What storing one chunk did: counts, rejected rows and the events to append."""

    run: Run
    accepted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[Row, str, str, Text]] = field(default_factory=list)
    #: problems of accepted rows (the row is stored; the clerk should look)
    warnings: list[tuple[Row, str, str, Text]] = field(default_factory=list)
    #: what the chunk's rows changed, in row order: the payload of its `import.chunk` event
    changes: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, row: Row, field: str, code: str, reason: Text) -> None:
        """`row` is not stored: `reason` (a Message, or text already in Chinese) goes to the
        error report against `field`."""
        self.rejected.append((row, field, code, reason))

    def warn(self, row: Row, field: str, code: str, reason: Text) -> None:
        """`row` is stored, with a line in the error report for a person to check."""
        self.warnings.append((row, field, code, reason))

    def change(self, row: Row, kind: str, entity_type: str, entity_id: str,
               detail: dict[str, Any]) -> None:
        """Record what `row` changed (`kind`, e.g. `household.created`), for the chunk's
        event. `detail` is what the per-row event carried: codes, amounts, changed field
        names, never a name or an ID number."""
        self.changes.append({"row": row.number, "kind": kind, "entity_type": entity_type,
                             "entity_id": entity_id, "detail": detail})

    def event(self, rows: list[Row], rejected: int) -> list[PendingEvent]:
        """The chunk's one `import.chunk` event (none when it changed nothing)."""
        if not self.changes:
            return []
        run = self.run
        return [PendingEvent(IMPORT_CHUNK, "import_batch", str(run.batch_id), {
            "import_batch": run.batch_id, "import_kind": run.kind,
            "rows": [rows[0].number, rows[-1].number], "accepted": self.accepted,
            "updated": self.updated, "unchanged": self.unchanged, "rejected": rejected,
            "changes": self.changes})]


Parser = Callable[[dict[str, Any], dict[str, Any]], BaseModel]
Store = Callable[[Session, Chunk, list[Row]], None]


@dataclass(frozen=True)
class Importer:
    """One kind of file: who may import it, its columns, how a row parses and is stored."""

    kind: str
    action: str
    columns: Columns
    parse: Parser
    store: Store
    #: extra header requirements given the options (e.g. claims need a source column unless
    #: a default source is given)
    required: Callable[[dict[str, Any]], tuple[str, ...]] = lambda options: ()
    #: the tables its rows are stored in (their statistics are refreshed after an import)
    tables: tuple[type[Any], ...] = ()


def run_import(ctx: Context, importer: Importer, path: Path | str,
               errors_path: Path | str | None = None, chunk_size: int = CHUNK_SIZE,
               options: dict[str, Any] | None = None) -> ImportResult:
    """Import one file; returns the counts and the error report's path.

    Raises PermissionDenied (the user's role), FileNotFoundError, UnreadableFile or
    ImportRefused (the header: nothing is stored then, the report says why).
    """
    ctx.require(importer.action)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    info = inspect_file(path)
    check_csv(info)
    report_path = Path(errors_path) if errors_path else default_report_path(path)
    result = ImportResult(importer.kind, path.name, error_report=str(report_path))
    opts = options or {}
    with open_report(report_path, path) as report:
        rows = _rows(info, importer, opts, report)
        result.batch_id = _open_batch(ctx, importer.kind, path, info.sha256, report_path)
        run = Run(ctx, importer.kind, result.batch_id, opts)
        statistics = _Statistics(ctx, importer.tables, chunk_size)
        with gc_paused() as tick:
            for items in chunked(rows, chunk_size):
                _store_chunk(importer, run, items, result, report)
                statistics.after(result.accepted)
                tick()
        _close_batch(ctx, result)
        statistics.after(result.accepted, last=True)
    log.info("import.done", kind=importer.kind, batch=result.batch_id, rows=result.rows_total,
             accepted=result.accepted, updated=result.updated, unchanged=result.unchanged,
             rejected=result.rejected)
    return result


def _store_chunk(importer: Importer, run: Run, rows: list[Row], result: ImportResult,
                 report: ErrorReport) -> None:
    for row in rows:
        if not row.problems:
            try:
                row.record = importer.parse(row.fields, run.options)
            except ValidationError as exc:
                row.problems = validation_problems(exc)
    good = [row for row in rows if not row.problems]
    chunk = Chunk(run)
    with transaction(run.ctx.factory) as session:
        run.at = run.ctx.now()
        if good:
            importer.store(session, chunk, good)
        rejected = len(rows) - len(good) + len({id(row) for row, *_ in chunk.rejected})
        append_events(session, run.ctx.user_id, run.at, chunk.event(rows, rejected))
        result.rows_total += len(rows)
        result.accepted += chunk.accepted
        result.updated += chunk.updated
        result.unchanged += chunk.unchanged
        result.rejected += rejected
        result.warnings += len(chunk.warnings)
        _update_batch(session, result)
    problems = [(row, *problem) for row in rows for problem in row.problems]
    problems += chunk.rejected + chunk.warnings
    for row, field_name, code, reason in sorted(problems, key=lambda p: p[0].number):
        report.add(row.number, _header(row.headers, field_name, report.lang), code, reason,
                   masked_original(row.original, {h: f for f, h in row.headers.items()}),
                   label=functools.partial(_label, row.headers))


def _header(headers: dict[str, str], name: str, lang: str) -> str:
    """The column a field was read from, as the file headed it (members.0.counted: the
    file's members key); a field the file lacks by its name in `lang` (学段)."""
    from adjudicator.messages import field_name

    head, _, rest = name.partition(".")
    if name in headers or not rest:
        return headers.get(name) or field_name(name, lang)
    return f"{headers[head]}.{rest}" if head in headers else name


def _label(headers: dict[str, str], name: str, lang: str) -> str:
    """A field as a message names it: the file's header, else its name in `lang`."""
    from adjudicator.messages import field_name

    return headers.get(name) or field_name(name, lang)


def validation_problems(exc: ValidationError) -> list[tuple[str, str, Text]]:
    """(field, code, reason) of each error; the input value is never included."""
    problems: list[tuple[str, str, Text]] = []
    for err in exc.errors(include_url=False, include_input=False):
        if err["type"] == "row_rule":
            name = str(err.get("ctx", {}).get("field", ""))
        else:
            loc = [str(part) for part in err["loc"] if part != "[key]"]
            if len(loc) >= 2 and loc[0] == "negative_list":
                loc = [f"neg_{loc[1]}", *loc[2:]]
            name = ".".join(loc)
        code = {"missing": "MISSING_VALUE", "extra_forbidden": "UNKNOWN_FIELD",
                "unknown_category": "UNKNOWN_CATEGORY",
                "category_shape": "CATEGORY_SHAPE"}.get(err["type"], "INVALID_VALUE")
        problems.append((name, code, ValidationReason(err)))
    return problems


# --- reading rows --------------------------------------------------------------------------


def _rows(info: FileInfo, importer: Importer, options: dict[str, Any],
          report: ErrorReport) -> Iterator[Row]:
    if info.format == "jsonl":
        return _json_rows(info, importer.columns)
    return _table_rows(info, importer, options, report)


def _table_rows(info: FileInfo, importer: Importer, options: dict[str, Any],
                report: ErrorReport) -> Iterator[Row]:
    columns = importer.columns
    table = iter_table(info)
    leading = list(itertools.islice(table, HEADER_SEARCH_ROWS))
    if not leading:  # an empty export is a mistake upstream, not a month without rows
        report.add(1, "", "EMPTY_FILE", Message("import.empty_file", file=info.path.name))
        raise ImportRefused(Message("import.empty_file", file=info.path.name), report.path)
    header_at = next((i for i, (_, cells) in enumerate(leading)
                      if sum(bool(columns.field_for(c)) for c in cells if c) >= 2), 0)
    header_row, headers = leading[header_at]
    headers = [_shown(h) for h in headers]  # an undecodable header is an unknown column
    fields = [columns.field_for(h) if h else "" for h in headers]
    _check_header(info, importer, options, report, header_row, headers, fields)
    field_headers = {f: h for f, h in zip(fields, headers, strict=True) if f}

    names = [f or h or f"column {i + 1}" for i, (f, h) in enumerate(zip(fields, headers,
                                                                         strict=True))]
    shown = [h or f"第 {i + 1} 列" for i, h in enumerate(headers)]
    spreadsheet = info.format == "xlsx"

    def rows() -> Iterator[Row]:
        width = len(headers)
        named = [(i, f) for i, f in enumerate(fields) if f]
        for number, cells in itertools.chain(leading[header_at + 1:], table):
            if len(cells) >= width:
                values = {f: cells[i] for i, f in named}
            else:
                values = {f: cells[i] for i, f in named if i < len(cells)}
            row = Row(number, values, functools.partial(_original, headers, cells),
                      field_headers)
            if len(cells) > width and any(cells[width:]):
                row.problems.append(("", "EXTRA_CELLS", Message("import.extra_cells")))
            if BAD_TEXT.search("".join(cells)):
                row.problems += _bad_cells(info, number, names, shown, cells)
            if spreadsheet:
                row.problems += [(names[i], "FORMULA_CELL", _formula_reason(info, number,
                                                                             shown[i]))
                                 for i, cell in enumerate(cells)
                                 if type(cell) is FormulaCell and i < width]
            yield row

    return rows()


def _original(headers: list[str], cells: list[str]) -> dict[str, Any]:
    return {(headers[i] if i < len(headers) and headers[i] else f"column {i + 1}"):
            UNDECODED.sub("\ufffd", cell) for i, cell in enumerate(cells)}


def _shown(name: str) -> str:
    return UNDECODED.sub("\ufffd", name)


def _bad_cells(info: FileInfo, number: int, names: list[str], shown: list[str],
               cells: list[str]) -> list[tuple[str, str, Text]]:
    """One problem per cell holding an undecodable byte or a control character (`names`:
    the columns' fields, `shown`: their headers as the file has them)."""
    problems: list[tuple[str, str, Text]] = []
    for i, cell in enumerate(cells):
        name, header = ((names[i], shown[i]) if i < len(names)
                        else (f"column {i + 1}", f"第 {i + 1} 列"))
        if UNDECODED.search(cell):
            problems.append((name, "UNDECODABLE_BYTES", _undecodable_reason(
                info, number, header)))
        elif found := CONTROL.search(cell):
            problems.append((name, "CONTROL_CHARACTER", _control_reason(
                info, number, header, found.group())))
    return problems


def _undecodable_reason(info: FileInfo, number: int, name: str) -> Message:
    where = Words(f"{info.path.name} 第 {number} 行" + (f"「{name}」" if name else ""),
                  f"{info.path.name} row {number}" + (f" ({name})" if name else ""))
    encoding = {"gb18030": "GB18030（GBK）", "utf-16": "UTF-16"}.get(str(info.encoding),
                                                                    "UTF-8")
    return Message("import.undecodable", where=where, encoding=encoding)


def _control_reason(info: FileInfo, number: int, name: str, char: str) -> Message:
    return Message("import.control_character", file=info.path.name, row=number, name=name,
                   char=f"U+{ord(char):04X}")


def _formula_reason(info: FileInfo, number: int, name: str) -> str:
    return (f"{info.path.name} 第 {number} 行「{name}」是公式单元格：公式的结果不可信，"
            "请把公式转为数值（复制后选择性粘贴为数值）再导入")


def _check_header(info: FileInfo, importer: Importer, options: dict[str, Any],
                  report: ErrorReport, header_row: int, headers: list[str],
                  fields: list[str | None]) -> None:
    """Refuse the file for an unknown, doubled or missing column: one problem per column,
    once for the file (a misspelt amount column must not silently read as zero)."""
    columns = importer.columns
    problems: list[tuple[str, str, Message]] = []
    for header, name in zip(headers, fields, strict=True):
        if name is None:
            problems.append((header, "UNKNOWN_COLUMN", Message("import.unknown_column")))
    named = [f for f in fields if f]
    for name in sorted({f for f in named if named.count(f) > 1}):
        doubled = [h for h, f in zip(headers, fields, strict=True) if f == name]
        problems.append((doubled[0], "DUPLICATE_COLUMN", Message(
            "import.duplicate_column", headers=", ".join(doubled), field=name)))
    present = set(named)
    for name in (*columns.required, *importer.required(options)):
        if name not in present:
            problems.append((_missing_header(name), "MISSING_COLUMN",
                             Message("import.missing_column", field=name)))
    if columns.identity and not any(set(group) <= present for group in columns.identity):
        problems.append(("", "MISSING_COLUMN",
                         Message("import.missing_identity", wanted=_Groups(columns.identity))))
    if problems:
        for header, code, reason in problems:
            report.add(header_row, header, code, reason)
        header, code, reason = problems[0]
        more = Message("import.refused_more", count=len(problems) - 1) if problems[1:] else ""
        raise ImportRefused(Message(
            "import.refused", file=info.path.name, row=header_row, header=header,
            where=f"“{header}”：" if header else "", code=code, reason=reason, more=more,
            report=report.path), report.path)


def _missing_header(name: str) -> str:
    """A missing column as the report names it: its usual Chinese header (身份证号码)."""
    from adjudicator.messages import field_name

    return field_name(name, "zh")


class _Groups:
    """Alternative groups of columns, worded in the language of the message."""

    def __init__(self, groups: tuple[tuple[str, ...], ...]) -> None:
        self.groups = groups

    def render(self, lang: str, label: Any = None) -> str:
        from adjudicator.messages import field_name

        alternative = "，或 " if lang == "zh" else " or "
        return alternative.join(" + ".join(field_name(f, lang) for f in group)
                                for group in self.groups)


def _json_rows(info: FileInfo, columns: Columns) -> Iterator[Row]:
    for number, value in iter_json_lines(info):
        if isinstance(value, UndecodableBytes):
            yield Row(number, {}, {}, {}, problems=[
                ("", "UNDECODABLE_BYTES", _undecodable_reason(info, number, ""))])
            continue
        if isinstance(value, DuplicateKey):
            yield Row(number, {}, {}, {}, problems=[(value.key, "DUPLICATE_KEY", (
                f"{info.path.name} 第 {number} 行：JSON 对象中「{_shown(value.key)}」出现了不止"
                "一次，无法确定取哪个值：该行未导入，请只保留一个"))])
            continue
        if not isinstance(value, dict):
            reason = Message("import.not_json" if isinstance(value, Exception)
                             else "import.not_object")
            yield Row(number, {}, {}, {}, problems=[("", "UNREADABLE_ROW", reason)])
            continue
        mapped: dict[str, Any] = {}
        headers: dict[str, str] = {}
        row = Row(number, mapped, value, headers)
        for key, item in value.items():
            name = columns.field_for(key)
            if name is None:
                row.problems.append((key, "UNKNOWN_FIELD", Message("import.unknown_field")))
            elif name:
                mapped[name] = item
                headers[name] = key
            if (char := _control_in(item)) is not None:
                row.problems.append((name or key, "CONTROL_CHARACTER", _control_reason(
                    info, number, key, char)))
        yield row


def _control_in(value: Any) -> str | None:
    """The first control character in a JSON value's texts (keys included), or None."""
    if type(value) is str:
        found = CONTROL.search(value)
        return None if found is None else found.group()
    items: Any = (value.items() if type(value) is dict
                  else value if type(value) is list else ())
    for item in items:
        char = _control_in(item) if type(item) is not tuple else (
            _control_in(item[0]) or _control_in(item[1]))
        if char is not None:
            return char
    return None


def filled(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields that have a value: a blank cell (or a JSON null) is a value not given."""
    return {k: v for k, v in fields.items()
            if v is not None and not (isinstance(v, str) and not v.strip())}


# --- the batch record ----------------------------------------------------------------------


def _open_batch(ctx: Context, kind: str, path: Path, sha256: str, report: Path) -> int:
    with transaction(ctx.factory) as session:
        batch = ImportBatch(kind=kind, file_name=str(path)[-500:], file_sha256=sha256,
                            rows_total=0, accepted=0, rejected=0, unchanged=0,
                            error_report=str(report)[-500:], imported_by=ctx.user_id,
                            imported_at=ctx.now())
        session.add(batch)
        session.flush()
        return batch.pk


def _update_batch(session: Session, result: ImportResult) -> None:
    session.execute(update(ImportBatch).where(ImportBatch.pk == result.batch_id).values(
        rows_total=result.rows_total, accepted=result.accepted, rejected=result.rejected,
        unchanged=result.unchanged))


def _close_batch(ctx: Context, result: ImportResult) -> None:
    with transaction(ctx.factory) as session:
        _update_batch(session, result)


class _Statistics:
    """When an import refreshes the planner statistics of its tables (PostgreSQL): each
    time it has stored as many rows as its first table then held (1, 2, 4, 8 ... chunks into
    an empty table: the lookups of the next chunks must not be planned for the table it was),
    and at the end when it grew that table by a tenth since the last refresh. A small import
    into a large table refreshes nothing."""

    def __init__(self, ctx: Context, tables: tuple[type[Any], ...], chunk_size: int) -> None:
        self.ctx, self.tables = ctx, tables
        self.on = bool(tables) and ctx.engine.dialect.name == "postgresql"
        self.size = self.done = 0
        if self.on:
            with transaction(ctx.factory) as session:
                self.size = estimated_rows(session, tables[0])
        self.next = max(chunk_size, self.size)

    def after(self, accepted: int, last: bool = False) -> None:
        if not self.on:
            return
        grown = accepted - self.done
        if accepted >= self.next or (last and grown > 0 and 10 * grown >= self.size):
            self._refresh()
            self.size += grown
            self.done = accepted
            self.next = accepted + max(self.size, 1)

    def _refresh(self) -> None:
        try:
            with transaction(self.ctx.factory) as session:
                refresh_statistics(session, self.tables)
        except SQLAlchemyError as exc:  # the rows are stored: only the plans may be slower
            log.warning("import.statistics_not_refreshed", error=type(exc).__name__)
