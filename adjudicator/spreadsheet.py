"""Spreadsheet cells that a spreadsheet program would run are neutralised before they are written;
a workbook's bytes depend on its content only.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, WPS and LibreOffice as a formula (OWASP "CSV injection"). Every CSV and XLSX file the
system writes passes its text cells through :func:`neutralise`, which puts a single quote in
front of such a text, so the cell shows the text as it was typed and never runs. Plain numbers
written as text (``-12.50``) are left alone: they are amounts, not formulas.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any, TypeVar

T = TypeVar("T")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralise(value: T) -> T | str:
    """The cell as it is safe to write: a formula-looking text gets a leading single quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) \
            and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


#: The time every member of a workbook's ZIP archive is stamped with (the ZIP format's first).
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_PROPERTIES_EPOCH = dt.datetime(*_ZIP_EPOCH)
_PROPERTIES_STAMP = _PROPERTIES_EPOCH.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def workbook_bytes(book: Any) -> bytes:
    """An openpyxl workbook as XLSX bytes that depend on its content only.

    openpyxl stamps each member of the ZIP archive with the time of the save (to two seconds),
    so the same rows saved twice differed in their bytes and in their SHA-256: a payment
    register regenerated for the bank no longer matched the hash the audit trail recorded.
    The members are written again, in the same order, with one fixed time. The document's
    own properties (docProps/core.xml) say when it was created and last modified: openpyxl
    takes the moment the workbook object was made and the moment of the save, so these too
    are set to that fixed time."""
    book.properties.created = _PROPERTIES_EPOCH
    saved = io.BytesIO()
    book.save(saved)  # sets `modified` to the moment of the save: rewritten below
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            fixed = zipfile.ZipInfo(member.filename, date_time=_ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = member.external_attr
            data = source.read(member.filename)
            if member.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + _PROPERTIES_STAMP + rb"\g<2>", data)
            target.writestr(fixed, data)
    return out.getvalue()
