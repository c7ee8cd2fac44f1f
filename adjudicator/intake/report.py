"""The error report (错误报告) of an import: one line per problem, in a CSV a county clerk opens
in Excel (UTF-8 with a BOM), with the original row beside it, personal fields masked.

Columns: file, row (as a person sees it: the header is row 1), field (the column as headed in
the file), code, reason, original (the row as JSON; names and ID numbers masked).
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson

from adjudicator.masking import mask_bank_account, mask_id_number, mask_name

REPORT_COLUMNS = ("file", "row", "field", "code", "reason", "original")

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


class ErrorReport:
    """Writes problems as they are found (streaming), counting them; always written, with
    only its header when the file had no problem, so a stale report is never left behind."""

    def __init__(self, path: Path, file_name: str) -> None:
        self.path = path
        self.file_name = file_name
        self.lines = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._stream = path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._stream)
        self._writer.writerow(REPORT_COLUMNS)

    def add(self, row: int, field: str, code: str, reason: str, original: str = "") -> None:
        self._writer.writerow((self.file_name, row, field, code, reason, original))
        self.lines += 1

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> ErrorReport:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
