"""The error report (错误报告) of an import: one line per problem, in a CSV a county clerk opens
in Excel (UTF-8 with a BOM), with the original row beside it, personal fields masked.

Columns, headed in Chinese: 文件 (file), 行号 (row, as a person sees it: the header is row 1),
列名 (the column as headed in the file), 错误代码 (a stable code), 错误原因 (the reason, in
Chinese), 原始数据 (the row as JSON; names and ID numbers masked), and reason_en, the same
reason in English for developers. With `--lang en` (ADJUDICATOR_LANG=en) the headers are
English, the reason English and the last column reason_zh.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson

from adjudicator.masking import mask_bank_account, mask_id_number, mask_name
from adjudicator.messages import LocalizedError, Message, Text, current_lang, os_reason, render
from adjudicator.spreadsheet import neutralise

#: The report's columns by their English key: Chinese header, English header.
REPORT_COLUMNS: dict[str, tuple[str, str]] = {
    "file": ("文件", "file"), "row": ("行号", "row"), "field": ("列名", "field"),
    "code": ("错误代码", "code"), "reason": ("错误原因", "reason"),
    "original": ("原始数据", "original"), "reason_other": ("reason_en", "reason_zh"),
}
_KEYS = {header: key for key, headers in REPORT_COLUMNS.items() for header in headers
         if key != "reason_other"}

#: Fields that identify a person: masked in the report, never in a message or a log.
PERSONAL_FIELDS = {"name": mask_name, "id_number": mask_id_number,
                   "account_no": mask_bank_account}


def mask_value(field: str, value: Any) -> Any:
    masker = PERSONAL_FIELDS.get(field)
    if masker is None or value is None:
        return value
    return masker(str(value))


def masked_original(original: dict[str, Any], fields: dict[str, str]) -> str:
    """The original row (header -> value) as JSON, with every personal field masked.

    `fields` maps the file's headers to their fields, so that 身份证号码 is masked like
    id_number.
    """
    masked = {header: mask_value(fields.get(header, header), value)
              for header, value in original.items()}
    return orjson.dumps(masked, default=str).decode()


def default_report_path(path: Path) -> Path:
    """Next to the input: claims.csv -> claims.csv.errors.csv."""
    return path.with_name(path.name + ".errors.csv")


_UNDECODED = re.compile("[\ud800-\udfff]")


def _printable(cell: Any) -> Any:
    """Bytes a file's encoding could not decode (lone surrogates) shown as U+FFFD."""
    return _UNDECODED.sub("\ufffd", cell) if isinstance(cell, str) else cell


class ErrorReport:
    """Writes problems as they are found (streaming), counting them; always written, with
    only its header when the file had no problem, so a stale report is never left behind."""

    def __init__(self, path: Path, file_name: str, lang: str | None = None) -> None:
        self.path = path
        self.file_name = file_name
        self.lines = 0
        self.lang = lang or current_lang()
        self.other = "en" if self.lang == "zh" else "zh"
        path.parent.mkdir(parents=True, exist_ok=True)
        self._stream = path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._stream)
        column = 0 if self.lang == "zh" else 1
        self._writer.writerow(headers[column] for headers in REPORT_COLUMNS.values())

    def add(self, row: int, field: str, code: str, reason: Text, original: str = "",
            label: Callable[[str, str], str] | None = None) -> None:
        """One problem; `reason` is worded in both languages (`label` names the fields it
        mentions as the file headed them)."""
        self._writer.writerow([neutralise(_printable(cell)) for cell in (
            self.file_name, row, field, code, render(reason, self.lang, label), original,
            render(reason, self.other, label))])
        self.lines += 1

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> ErrorReport:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def same_file(path: Path, other: Path) -> bool:
    """Whether two paths name one file (however written: relative, through a link)."""
    try:
        return path.resolve() == other.resolve() or (path.exists() and path.samefile(other))
    except OSError:
        return False


class ReportUnwritable(LocalizedError, ValueError):
    """The error report cannot be written where asked (or would overwrite the imported file):
    refused before anything is read or stored."""


def open_report(path: Path, source: Path, lang: str | None = None) -> ErrorReport:
    """The error report of importing `source`, opened at `path`; refused (ReportUnwritable)
    when `path` is `source` itself, however written (opening it would empty the file being
    imported), or cannot be written (a folder, beneath a file, no permission)."""
    if same_file(path, source):
        raise ReportUnwritable(Message("import.report_is_input", path=path))
    try:
        return ErrorReport(path, source.name, lang)
    except OSError as exc:
        raise ReportUnwritable(Message("import.report_unwritable", path=path,
                                       reason=os_reason(exc))) from None


def read_report(path: Path | str) -> list[dict[str, str]]:
    """An error report's lines keyed in English (file, row, field, code, reason, original,
    and reason_en or reason_zh), `reason` in the language the report was written in."""
    with Path(path).open(encoding="utf-8-sig", newline="") as stream:
        return [{_KEYS.get(k, k): v for k, v in line.items()}
                for line in csv.DictReader(stream)]
