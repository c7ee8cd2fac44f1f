"""Spreadsheet cells that a spreadsheet program would run are neutralised before they are written.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, WPS and LibreOffice as a formula (OWASP "CSV injection"). Every CSV and XLSX file the
system writes passes its text cells through :func:`neutralise`, which puts a single quote in
front of such a text, so the cell shows the text as it was typed and never runs. Plain numbers
written as text (``-12.50``) are left alone: they are amounts, not formulas.
"""

from __future__ import annotations

import re
from typing import TypeVar

T = TypeVar("T")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralise(value: T) -> T | str:
    """The cell as it is safe to write: a formula-looking text gets a leading single quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) \
            and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value
