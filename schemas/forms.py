"""The forms of amounts, dates and ID numbers that every import accepts (接受的写法).

One declaration, read two ways: the import rows' pydantic validators (schemas.imports:
`adjudicator import …`) call the Python functions below, and the department feed import
(adjudicator.feeds.importer: millions of rows, polars) builds its column expressions with
the `*_expr` functions below, from the same fold table and the same patterns; a polars
expression here is vectorized (no Python per value). docs/import.md ("Accepted forms")
describes them for people, with the Chinese descriptions below (the error messages say them
too); tests/test_forms.py runs one table of examples through both ways.

A value is first folded: full-width characters as a Chinese input method types them
(１２３４．５, ２０２６／３／２, ｘ, ￥) become their ASCII (or ¥) twins, an ideographic,
no-break or other space a space. Then:

- an amount is yuan with at most two decimals, as `PLAIN_AMOUNT`, with a leading ¥ or minus
  sign (either order), a trailing 元, commas between groups of three digits, spaces around
  (whether a minus sign is allowed is the import's rule, not the form's);
- a date is year-month-day written with -, / or . between them (one separator throughout;
  month and day of one or two digits), eight digits 20260302, or 2026年3月2日; a time of day
  after it (10:05, 10:05:00, T10:05:00Z, 下午 3:05 …) is ignored;
- an ID number loses its spaces, and a small x is X; its shape is then 17 digits and a digit
  or X (the check digit and the birth date are each import's rule).

Refused on purpose, though one import or the other once read them: a comma not between groups
of three (1234,50 is not 123450 yuan), spaces inside the digits, six or seven digits as a date
(2026111: January 11 or November 1?), text after the date that is not a time, digits that
only look like digits (①, ²).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # polars is imported only when an expression is built (a fast CLI start)
    import polars as pl

# --- folding -------------------------------------------------------------------------------

#: The visible ASCII characters the forms below are written with (a small x is read as X);
#: tests/test_forms.py derives them from the patterns. A full-width character whose twin is
#: not among them is refused, folded or not: only these twins are folded (fewer to look for
#: in millions of values).
FORM_CHARACTERS = "0123456789+,-./:AMPTXZampx"
#: Full-width character -> its ASCII twin (of FORM_CHARACTERS), the full-width yuan sign
#: -> ¥, every other space (ideographic, no-break, em, thin …: Unicode's Zs) -> a space.
FOLD: dict[str, str] = {
    **{chr(ord(char) + 0xFEE0): char for char in FORM_CHARACTERS},
    "\uffe5": "¥",
    **dict.fromkeys(["\u00a0", "\u1680", *map(chr, range(0x2000, 0x200B)), "\u202f",
                     "\u205f", "\u3000"], " "),
}
_FOLD_TABLE = str.maketrans(FOLD)


def fold(text: str) -> str:
    """`text` stripped of the white space around it, every character of `FOLD` replaced by
    its twin."""
    return text.strip().translate(_FOLD_TABLE)


def fold_expr(stripped: pl.Expr) -> pl.Expr:
    """`fold` as a polars expression over text stripped already (as every reader of a feed
    strips its cells): the `*_expr` functions below read its result."""
    return stripped.str.replace_many(list(FOLD), list(FOLD.values()))


# --- amounts -------------------------------------------------------------------------------

#: An amount once its decorations are gone: yuan, at most two decimals, maybe negative.
PLAIN_AMOUNT = r"^-?[0-9]+(\.[0-9]{1,2})?$"
_SPACE = "[ \\t]*"
_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?"
#: Every accepted form of an amount (after `fold`).
AMOUNT = f"^{_SPACE}(?:-¥{_SPACE}|¥{_SPACE}-|¥{_SPACE}|-)?{_NUMBER}{_SPACE}(?:元{_SPACE})?$"
#: What is dropped from an accepted form to leave its plain amount.
_DECORATIONS = ["¥", "元", ",", " ", "\t"]
_AMOUNT_RE = re.compile(AMOUNT)

AMOUNT_FORMS_ZH = ("金额以元为单位，最多两位小数：1234.56、1234、1,234.56、¥1234.56、1234.56元；"
                   "全角数字可用；千分位逗号须每三位一个；不接受 1e3、3万、1234,50")
AMOUNT_FORMS_EN = ("yuan with at most two decimals: 1234.56, 1234, 1,234.56, ¥1234.56, "
                   "1234.56元; full-width digits are read; a comma only between groups of "
                   "three digits; not 1e3, 3万, 1234,50")


def plain_amount(text: str) -> str | None:
    """The plain amount ("-1234.50") an accepted form of an amount writes, else None."""
    folded = fold(text)
    if _AMOUNT_RE.fullmatch(folded) is None:
        return None
    for decoration in _DECORATIONS:
        folded = folded.replace(decoration, "")
    return folded


def amount_expr(folded: pl.Expr) -> pl.Expr:
    """`plain_amount` as a polars expression over text folded already (`fold_expr`), except
    that a value of no accepted form is left as it is (not null): it fails `PLAIN_AMOUNT`,
    and an error report shows it."""
    import polars as pl

    return (pl.when(folded.str.contains(AMOUNT))
            .then(folded.str.replace_many(_DECORATIONS, [""] * len(_DECORATIONS)))
            .otherwise(folded))


# --- dates ---------------------------------------------------------------------------------

_MD = "(?P<m{n}>[0-9]{{1,2}}){sep}(?P<d{n}>[0-9]{{1,2}})"
_DAY = ("(?P<y>[1-9][0-9]{3})(?:"
        + "|".join([f"-{_MD.format(n=1, sep='-')}", f"/{_MD.format(n=2, sep='/')}",
                    rf"\.{_MD.format(n=3, sep=chr(92) + '.')}",
                    "(?P<m4>[0-9]{2})(?P<d4>[0-9]{2})",
                    f"年{_MD.format(n=5, sep='月')}日?"])
        + ")")
#: What may follow a date, and is ignored: a time of day (after a space or a T).
_TIME_START = "[ \\tT]"
_TIME = (f"(?:[ \\t]+|T)(?:(?:上午|下午){_SPACE})?[0-9]{{1,2}}:[0-9]{{2}}"
         r"(?::[0-9]{2}(?:\.[0-9]+)?)?(?:[ \t]*(?:[AaPp][Mm]))?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?")
#: Every accepted form of a date (after `fold`): the groups y, m1..m5 and d1..d5 (one month
#: and one day group take part) hold it. Its day part holds no space and no T.
DATE = f"^{_SPACE}{_DAY}(?:{_TIME})?{_SPACE}$"
_DATE_RE = re.compile(DATE)
#: The day part of an accepted form, its separators made "-": 2026-3-2 or 20260302.
_DAY_SEPARATORS = {"/": "-", ".": "-", "年": "-", "月": "-", "日": ""}

DATE_FORMS_ZH = ("日期写作 2026-03-01、2026/3/1、2026.3.1、20260301 或 2026年3月1日"
                 "（月、日可为一位或两位，全角数字可用）；其后的时刻（如 10:05、T10:05:00）不计")
DATE_FORMS_EN = ("a date is 2026-03-01, 2026/3/1, 2026.3.1, 20260301 or 2026年3月1日 (a month or "
                 "day of one or two digits; full-width digits are read); a time after it, such "
                 "as 10:05 or T10:05:00, is ignored")


def parse_date_text(text: str) -> dt.date | None:
    """The date an accepted form of a date writes, else None (no such day: 2026-02-30)."""
    found = _DATE_RE.fullmatch(fold(text))
    if found is None:
        return None
    groups = found.groupdict()
    month = next(groups[f"m{n}"] for n in range(1, 6) if groups[f"m{n}"] is not None)
    day = next(groups[f"d{n}"] for n in range(1, 6) if groups[f"d{n}"] is not None)
    try:
        return dt.date(int(groups["y"]), int(month), int(day))
    except ValueError:
        return None


def date_expr(folded: pl.Expr) -> pl.Expr:
    """`parse_date_text` as a polars expression over text folded already (`fold_expr`): a
    Date column, null where no date. (No capture group: the day part, its separators made
    "-", is read as %Y-%m-%d or %Y%m%d, in a fraction of the time.)"""
    import polars as pl

    day = (folded.str.strip_chars(" \t").str.replace(f"{_TIME_START}.*$", "")
           .str.replace_many(list(_DAY_SEPARATORS), list(_DAY_SEPARATORS.values())))
    return (pl.when(folded.str.contains(DATE))
            .then(pl.coalesce(day.str.to_date("%Y-%m-%d", strict=False),
                              day.str.to_date("%Y%m%d", strict=False))))


# --- ID numbers ------------------------------------------------------------------------------

#: The shape of a resident ID number (GB 11643) once cleaned.
ID_NUMBER = r"^[0-9]{17}[0-9X]$"
_ID_SPACE = "[ \\t\\r\\n]"
_ID_NUMBER_RE, _ID_SPACE_RE = re.compile(ID_NUMBER), re.compile(_ID_SPACE)

ID_NUMBER_FORMS_ZH = ("身份证号码 18 位：17 位数字加一位数字或 X；空格、全角数字和小写 x 可用；"
                      "在表格软件中请把该列设为文本格式，以免丢失数字")
ID_NUMBER_FORMS_EN = ("an ID number has 18 characters: 17 digits and a digit or X; spaces, "
                      "full-width digits and a small x are read; in a spreadsheet, format the "
                      "column as text so that no digit is lost")


def clean_id_number(text: str) -> str:
    """An ID number as typed, cleaned: folded, spaces removed, upper case (its shape is
    `ID_NUMBER` when it is one)."""
    return _ID_SPACE_RE.sub("", fold(text)).upper()


def id_number_text(text: str) -> str | None:
    """The ID number an accepted form writes (`clean_id_number` of the shape `ID_NUMBER`),
    else None."""
    cleaned = clean_id_number(text)
    return cleaned if _ID_NUMBER_RE.fullmatch(cleaned) else None


def clean_id_number_expr(folded: pl.Expr) -> pl.Expr:
    """`clean_id_number` as a polars expression over text folded already (`fold_expr`); its
    shape is checked with `ID_NUMBER`."""
    return folded.str.replace_all(_ID_SPACE, "").str.to_uppercase()
