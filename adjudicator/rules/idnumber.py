"""GB 11643-1999 resident identity numbers (公民身份号码): check digit and birth date."""

from __future__ import annotations

import datetime as dt
from operator import mul

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
#: The weighted sum of seventeen "0" characters, taken off a sum over the ASCII codes.
_ASCII_ZEROS = ord("0") * sum(_WEIGHTS)


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (ASCII) digits."""
    total = sum(map(mul, first17.encode("ascii"), _WEIGHTS)) - _ASCII_ZEROS
    return _CHECK_CHARS[total % 11]


def id_number_problem(id_number: str) -> str | None:
    """Why an ID number is invalid ("length", "characters", "birth_date", "check_digit"), or None.

    A lower-case final x is read as X, as every issuing office prints it upper-case.
    """
    if len(id_number) != 18:
        return "length"
    body, last = id_number[:17], id_number[17].upper()
    if not body.isdigit() or not body.isascii() or not (last.isdigit() or last == "X"):
        return "characters"
    try:
        dt.date.fromisoformat(body[6:14])  # YYYYMMDD, ASCII digits (checked above)
    except ValueError:
        return "birth_date"
    if check_character(body) != last:
        return "check_digit"
    return None


def is_valid_id_number(id_number: str) -> bool:
    return id_number_problem(id_number) is None
