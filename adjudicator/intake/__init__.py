"""Intake (受理导入): households, claims, verifications and department data from CSV, XLSX or
JSON Lines files, validated row by row, stored in chunks, idempotent, with an error report.

Each function takes a Context, checks the acting user's role (`import`; verifications:
`import.verifications`) and returns an ImportResult. docs/import.md lists every column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adjudicator.intake import claims, findings, households, verifications
from adjudicator.intake.pipeline import CHUNK_SIZE, ImportRefused, ImportResult, run_import
from adjudicator.intake.sources import UnreadableFile
from adjudicator.messages import Message
from adjudicator.storage.context import Context

__all__ = [
    "IMPORTERS",
    "ImportRefused",
    "ImportResult",
    "UnreadableFile",
    "import_claims",
    "import_department_data",
    "import_file",
    "import_households",
    "import_verifications",
]

IMPORTERS = {importer.kind: importer for importer in (
    households.IMPORTER, claims.IMPORTER, verifications.IMPORTER, findings.IMPORTER)}


def import_file(ctx: Context, kind: str, path: Path | str, errors_path: Path | str | None = None,
                *, chunk_size: int = CHUNK_SIZE, default_source: str | None = None
                ) -> ImportResult:
    """Import one file of `kind` (households, claims, verifications, department-data)."""
    if kind not in IMPORTERS:
        raise ValueError(Message("import.unknown_kind", kind=kind, kinds=", ".join(IMPORTERS))
                         .render())
    options: dict[str, Any] = {"default_source": default_source} if default_source else {}
    if kind == "claims":
        options.update(claims.category_options(ctx))
    return run_import(ctx, IMPORTERS[kind], path, errors_path, chunk_size, options)


def import_households(ctx: Context, path: Path | str, errors_path: Path | str | None = None,
                      *, chunk_size: int = CHUNK_SIZE) -> ImportResult:
    """Households and their members, one row per member (created or updated)."""
    return import_file(ctx, "households", path, errors_path, chunk_size=chunk_size)


def import_claims(ctx: Context, path: Path | str, errors_path: Path | str | None = None, *,
                  chunk_size: int = CHUNK_SIZE, default_source: str | None = None
                  ) -> ImportResult:
    """Claims, matched to registered members and screened; `default_source` fills the source
    of rows that have none (a department feed: medical_insurance_feed, 医保 …)."""
    return import_file(ctx, "claims", path, errors_path, chunk_size=chunk_size,
                       default_source=default_source)


def import_verifications(ctx: Context, path: Path | str, errors_path: Path | str | None = None,
                         *, chunk_size: int = CHUNK_SIZE) -> ImportResult:
    """Submitted household verifications; each claim moves to verified."""
    return import_file(ctx, "verifications", path, errors_path, chunk_size=chunk_size)


def import_department_data(ctx: Context, path: Path | str,
                           errors_path: Path | str | None = None, *,
                           chunk_size: int = CHUNK_SIZE) -> ImportResult:
    """Department findings (信息比对) about households' negative-list items."""
    return import_file(ctx, "department-data", path, errors_path, chunk_size=chunk_size)
