"""The accepted forms of amounts, dates and ID numbers (schemas.forms), one table of examples
run through both ways of reading them: the import rows' pydantic validators
(`adjudicator import …`) and the department feed import's polars checks (`feed import`),
which must give the same answer for every value; and docs/import.md says the same."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from adjudicator.feeds import importer
from adjudicator.feeds.columns import BUREAUS
from adjudicator.feeds.reader import ROW
from schemas import forms, imports
from schemas.types import MAX_AMOUNT
from tests.casebuilder import valid_id

ROOT = Path(__file__).resolve().parent.parent
ID = valid_id("330102", "19800101", "001")
ID_X = next(valid_id("330102", "19800101", f"{n:03d}") for n in range(100, 999)
            if valid_id("330102", "19800101", f"{n:03d}").endswith("X"))


def wide(text: str) -> str:
    """`text` as a Chinese input method in full-width mode types it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# --- the table -----------------------------------------------------------------------------

#: (as written, the amount it is): every accepted form; a negative one is refused by the
#: claim import and by the feed (except on a refund row) as negative, not as a form.
AMOUNTS_ACCEPTED = [
    ("1234.56", "1234.56"), ("1234", "1234"), ("0", "0"), ("0.5", "0.5"), ("0012.50", "12.50"),
    ("1,234.56", "1234.56"), ("12,345,678.9", "12345678.9"), ("¥1234.56", "1234.56"),
    ("￥1234.5", "1234.5"), ("1234.50元", "1234.50"), ("¥1,234.50元", "1234.50"),
    ("1234.5 元", "1234.5"), ("¥ 1234", "1234"), (" 7 ", "7"), ("１２３４．５", "1234.5"),
    ("１，２３４", "1234"), ("¥１２３４", "1234"), ("1234\u3000元", "1234"),
    ("999999999999.99", "999999999999.99"), ("-5", "-5"), ("¥-5", "-5"), ("-¥5.20", "-5.20"),
    ("－１２", "-12"), ("-0", "-0"),
]
#: Not amounts: each refused by both, as not an amount (or beyond MAX_AMOUNT).
AMOUNTS_REFUSED = [
    "1e3", "3万", "12.", ".5", "12.345", "abc", "¥", "元", "1234,50", "1,2,3,4", "12,34.5",
    "1 234.50", "12¥34", "1²", "①２", "+12", "1_000", "--5", "-¥-5", "5-", "1000000000000",
    "¥¥5", "5元元", "人民币5元", "NaN",
]

#: (as written, the day it is).
DATES_ACCEPTED = [
    ("2026-03-02", "2026-03-02"), ("2026-3-2", "2026-03-02"), ("2026/3/2", "2026-03-02"),
    ("2026/03/02", "2026-03-02"), ("2026.3.2", "2026-03-02"), ("2026.03.02", "2026-03-02"),
    ("20260302", "2026-03-02"), ("2026年3月2日", "2026-03-02"), ("2026年03月02日", "2026-03-02"),
    ("2026年3月2", "2026-03-02"), ("2026/3/2 10:05", "2026-03-02"),
    ("2026-03-02 10:05:00", "2026-03-02"), ("2026-03-02T10:05:00", "2026-03-02"),
    ("2026-03-02 10:05:00.123", "2026-03-02"), ("2026-03-02T10:05:00Z", "2026-03-02"),
    ("2026-03-02T10:05:00+08:00", "2026-03-02"), ("2026/3/2 下午 3:05", "2026-03-02"),
    ("2026/3/2 3:05 PM", "2026-03-02"), ("20260302 00:00:00", "2026-03-02"),
    ("2026年3月2日 10:05", "2026-03-02"), (" 2026-03-02 ", "2026-03-02"),
    ("２０２６－０３－０２", "2026-03-02"), ("２０２６／３／２", "2026-03-02"),
    ("2026-12-31", "2026-12-31"), ("2024-2-29", "2024-02-29"),
]
#: Not dates: each refused by both.
DATES_REFUSED = [
    "2026-02-30", "2025-2-29", "2026-13-01", "2026-00-10", "2026-03-00", "202632", "2026032",
    "2026302", "2026311", "2026-03-02xyz", "2026-03-02 foo", "20260302abc", "2026-03-021",
    "2026/3.2", "2026-3/2", "26-3-2", "3/2/2026", "0000-01-01", "00000101", "2026年3月",
    "2026-03", "2026", "March 2, 2026", "2026-03-02 10", "2026-003-02", "二〇二六年三月二日",
]

#: (as typed, the ID number it is).
ID_NUMBERS_ACCEPTED = [
    (ID, ID), (f"{ID[:6]} {ID[6:14]} {ID[14:]}", ID), (wide(ID), ID), (ID_X.lower(), ID_X),
    (ID_X[:-1] + "ｘ", ID_X), (ID_X[:-1] + "Ｘ", ID_X), (f" {ID}\u3000", ID),
    (f"{ID[:6]}\u3000{ID[6:]}", ID), (f"{ID[:6]}\t{ID[6:]}", ID), (f"{ID[:6]}\u00a0{ID[6:]}", ID),
    (f"{ID[:6]}\u2003{ID[6:14]}\u202f{ID[14:]}", ID),
]
#: Not ID numbers: each refused by both.
ID_NUMBERS_REFUSED = [
    ID[:17], ID + "0", f"{ID[:6]}-{ID[6:]}", ID[:17] + "Y", "3.30102E+17",
    "330102198001010000.00", "张三", "X" + ID[1:],
]


# --- the two ways --------------------------------------------------------------------------

_AMOUNT = TypeAdapter(imports.Amount)
_DAY = TypeAdapter(imports.Day)
_ID_NUMBER = TypeAdapter(imports.IdNumber)
_CIVIL = BUREAUS["civil-affairs"]
_FIRST, _LAST = importer.month_bounds("2026-03")
_PRESENT = set(_CIVIL.columns)
_CHECKS = importer._checks(_CIVIL, _PRESENT, _FIRST, _LAST)
_FORM_CODES = {"INVALID_AMOUNT", "INVALID_DATE", "INVALID_ID_NUMBER", "MISSING_VALUE"}


def feed(column: str, values: list[str]) -> list[tuple[dict[str, Any], set[str]]]:
    """Each value in `column` of a civil-affairs list, through the feed import's own checks
    (`_checked`: the reading of the forms and every check of a row): the row as prepared,
    and the codes of the problems found in that column."""
    n = len(values)
    data = {"certno": [ID] * n, "psn_name": ["王一"] * n, "assistance_kind": ["低保"] * n,
            "amount": ["100"] * n, "event_date": ["2026-03-02"] * n, column: values}
    frame = pl.DataFrame({ROW: list(range(n)), **data},
                         schema={ROW: pl.Int64, **dict.fromkeys(data, pl.String)})
    checked = importer._checked(_CIVIL, frame, _PRESENT, _CHECKS, _FIRST, None)
    found: dict[int, tuple[dict[str, Any], set[str]]] = {
        row[ROW]: (row, set()) for row in checked.whole.to_dicts()}
    for row, problems in checked.rejected:
        found[row[ROW]] = (row, {code for field, code, _ in problems if field == column})
    assert len(found) == n
    return [found[i] for i in range(n)]


def claim_amount(written: str) -> Decimal | str | None:
    """The amount the claim import reads (its validator, `Money` after it): the value,
    "negative" (an accepted form, refused as negative), or None (not an amount)."""
    try:
        value: Decimal = _AMOUNT.validate_python(written)
        return value
    except ValidationError as exc:
        return "negative" if exc.errors()[0]["type"] == "greater_than_equal" else None


def feed_amounts(values: list[str]) -> list[Decimal | str | None]:
    """The same from the feed import's checks of an amount column (no refund rows)."""
    out: list[Decimal | str | None] = []
    for row, codes in feed("amount", values):
        if codes & {"INVALID_AMOUNT", "MISSING_VALUE"}:
            out.append(None)
        elif codes:
            assert codes == {"NEGATIVE_AMOUNT"}
            out.append("negative")
        else:
            out.append(row["_amount"])
    return out


def claim_date(written: str) -> dt.date | None:
    try:
        value: dt.date = _DAY.validate_python(written)
        return value
    except ValidationError:
        return None


def feed_dates(values: list[str]) -> list[dt.date | None]:
    out: list[dt.date | None] = []
    for row, codes in feed("event_date", values):
        assert (row["_date"] is None) == bool(codes & {"INVALID_DATE", "MISSING_VALUE"})
        out.append(row["_date"])
    return out


def claim_id_number(written: str) -> str | None:
    try:
        value: str = _ID_NUMBER.validate_python(written)
        return value
    except ValidationError:
        return None


def feed_id_numbers(values: list[str]) -> list[str | None]:
    return [None if codes & _FORM_CODES else row["certno"]
            for row, codes in feed("certno", values)]


# --- the table through both ----------------------------------------------------------------


def test_amounts_read_alike() -> None:
    written = [w for w, _ in AMOUNTS_ACCEPTED] + AMOUNTS_REFUSED
    expected = ([Decimal(v) if not v.startswith("-") else "negative"
                 for _, v in AMOUNTS_ACCEPTED] + [None] * len(AMOUNTS_REFUSED))
    claims = [claim_amount(w) for w in written]
    assert list(zip(written, claims, strict=True)) == list(zip(written, expected, strict=True))
    assert list(zip(written, feed_amounts(written), strict=True)) == list(
        zip(written, expected, strict=True))


def test_dates_read_alike() -> None:
    written = [w for w, _ in DATES_ACCEPTED] + DATES_REFUSED
    expected = ([dt.date.fromisoformat(v) for _, v in DATES_ACCEPTED]
                + [None] * len(DATES_REFUSED))
    assert list(zip(written, [claim_date(w) for w in written], strict=True)) == list(
        zip(written, expected, strict=True))
    assert list(zip(written, feed_dates(written), strict=True)) == list(
        zip(written, expected, strict=True))


def test_id_numbers_read_alike() -> None:
    written = [w for w, _ in ID_NUMBERS_ACCEPTED] + ID_NUMBERS_REFUSED
    expected = [v for _, v in ID_NUMBERS_ACCEPTED] + [None] * len(ID_NUMBERS_REFUSED)
    assert list(zip(written, [claim_id_number(w) for w in written], strict=True)) == list(
        zip(written, expected, strict=True))
    assert list(zip(written, feed_id_numbers(written), strict=True)) == list(
        zip(written, expected, strict=True))


def test_date_cells_and_number_cells_are_read_as_before() -> None:
    """A workbook's date cell and a JSON number are not text: the claim import reads them
    as it did (the feed reader turns every cell into text)."""
    assert _DAY.validate_python(dt.datetime(2026, 3, 2, 10, 5)) == dt.date(2026, 3, 2)
    assert _DAY.validate_python(dt.date(2026, 3, 2)) == dt.date(2026, 3, 2)
    assert _AMOUNT.validate_python(1234) == Decimal("1234")
    assert _AMOUNT.validate_python(12.5) == Decimal("12.5")
    with pytest.raises(ValidationError):
        _DAY.validate_python(20260302)
    with pytest.raises(ValidationError):
        _ID_NUMBER.validate_python(330102198001010011)


def test_refusals_say_the_accepted_forms() -> None:
    """The claim import's and the feed's reasons quote the same description."""
    from adjudicator.messages import validation_reason

    for adapter, value, words in ((_DAY, "2026311", forms.DATE_FORMS_ZH),
                                  (_ID_NUMBER, "123", forms.ID_NUMBER_FORMS_ZH)):
        with pytest.raises(ValidationError) as caught:
            adapter.validate_python(value)
        assert words in validation_reason(caught.value.errors()[0], "zh")
    reasons = [(check.code, check.reason) for check in _CHECKS]
    assert any(code == "INVALID_DATE" and forms.DATE_FORMS_ZH in reason
               for code, reason in reasons)
    assert any(code == "INVALID_AMOUNT" and forms.AMOUNT_FORMS_ZH in reason
               for code, reason in reasons)
    with pytest.raises(PydanticCustomError) as refused:
        imports.parse_money("1234,50")
    assert forms.AMOUNT_FORMS_EN in str(refused.value)


def _characters(pattern: str) -> set[str]:
    """Every character a regular expression of schemas/forms.py can match."""
    import re._parser as parser  # the standard library's own reading of a pattern

    found: set[str] = set()

    def walk(items: Any) -> None:
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                found.add(chr(arg))
            elif name == "IN":
                for kind, value in arg:
                    assert str(kind) in ("LITERAL", "RANGE"), kind
                    found.update(chr(value) if str(kind) == "LITERAL"
                                 else map(chr, range(value[0], value[1] + 1)))
            elif name == "SUBPATTERN":
                walk(arg[-1])
            elif name in ("MAX_REPEAT", "MIN_REPEAT"):
                walk(arg[2])
            elif name == "BRANCH":
                for branch in arg[1]:
                    walk(branch)
            else:
                assert name == "AT", name

    walk(parser.parse(pattern))
    return found


def test_the_folded_characters_are_those_the_forms_are_written_with() -> None:
    """Only the twins of FORM_CHARACTERS are folded: every other full-width character is
    refused folded or not, so this must be every visible ASCII character a form can hold."""
    held = _characters(forms.AMOUNT) | _characters(forms.DATE) | _characters(forms.ID_NUMBER)
    held |= {c.lower() for c in held if c == "X"}  # a small x is read as X
    assert {c for c in held if "!" <= c <= "~"} == set(forms.FORM_CHARACTERS)
    assert all(chr(ord(c) + 0xFEE0) in forms.FOLD for c in forms.FORM_CHARACTERS)
    for code in range(0xFF01, 0xFF5F):
        if chr(code - 0xFEE0) not in forms.FORM_CHARACTERS:
            assert chr(code) not in forms.FOLD


# --- generated values ----------------------------------------------------------------------

_FEN = st.integers(min_value=0, max_value=int(MAX_AMOUNT * 100)).map(
    lambda fen: Decimal(fen).scaleb(-2))


def _grouped(whole: str) -> str:
    return f"{int(whole):,}"


@st.composite
def written_amounts(draw: st.DrawFn) -> tuple[str, Decimal]:
    """An amount in yuan, exact to the fen, written in one of the accepted forms."""
    value = draw(_FEN)
    whole, _, fen = format(value, "f").partition(".")
    places = draw(st.sampled_from(["two", "one", "none"]) if fen.endswith("0")
                  else st.just("two"))
    if fen == "00" and places == "none":
        text_fen = ""
    elif places == "one" or (places == "none" and fen != "00"):
        text_fen = "." + fen[0]
    else:
        text_fen = "." + fen
    number = (_grouped(whole) if draw(st.booleans()) else whole) + text_fen
    if draw(st.booleans()):
        number = "¥" + draw(st.sampled_from(["", " "])) + number
    if draw(st.booleans()):
        number += draw(st.sampled_from(["", " "])) + "元"
    if draw(st.booleans()):
        number = wide(number).replace("¥", "￥")
    return number, value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(written_amounts(), min_size=1, max_size=20))
def test_generated_amounts_are_read_exactly_by_both(amounts: list[tuple[str, Decimal]]
                                                    ) -> None:
    written = [w for w, _ in amounts]
    values = [v for _, v in amounts]
    assert [claim_amount(w) for w in written] == values
    assert feed_amounts(written) == values


#: Characters an amount is made of, and those it is mistyped with.
_AMOUNT_CHARS = "0123456789012345,.,.-¥元 ￥１２．，－eE+万_"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(alphabet=_AMOUNT_CHARS, min_size=1, max_size=12), min_size=1,
                max_size=20))
def test_any_text_gets_the_same_answer_as_an_amount(texts: list[str]) -> None:
    texts = [t for t in texts if t.strip()]  # a blank cell is no amount: a missing value
    if texts:
        assert [claim_amount(t) for t in texts] == feed_amounts(texts)


@st.composite
def written_dates(draw: st.DrawFn) -> tuple[str, dt.date]:
    day = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
    short = draw(st.booleans())
    m, d = (str(day.month), str(day.day)) if short else (f"{day:%m}", f"{day:%d}")
    text = draw(st.sampled_from([f"{day.year}-{m}-{d}", f"{day.year}/{m}/{d}",
                                 f"{day.year}.{m}.{d}", f"{day:%Y%m%d}",
                                 f"{day.year}年{m}月{d}日"]))
    text += draw(st.sampled_from(["", " 10:05", " 00:00:00", "T23:59:59.5", "T08:00:00Z",
                                  " 下午 3:05"]))
    if draw(st.booleans()):
        text = wide(text)
    return text, day


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(written_dates(), min_size=1, max_size=20))
def test_generated_dates_are_read_alike(dates: list[tuple[str, dt.date]]) -> None:
    written = [w for w, _ in dates]
    values = [v for _, v in dates]
    assert [claim_date(w) for w in written] == values
    assert feed_dates(written) == values


_DATE_CHARS = "0123456789-/. T:年月日２０－"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(alphabet=_DATE_CHARS, min_size=6, max_size=16), min_size=1,
                max_size=20))
def test_any_text_gets_the_same_answer_as_a_date(texts: list[str]) -> None:
    texts = [t for t in texts if t.strip()]
    if texts:
        assert [claim_date(t) for t in texts] == feed_dates(texts)


# --- the docs ------------------------------------------------------------------------------


ANCHOR = "accepted-forms-amounts-dates-id-numbers"


def _docs_table() -> dict[str, tuple[list[str], list[str]]]:
    """kind -> (examples accepted, examples refused) of docs/import.md's table."""
    guide = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    section = guide.split("### Accepted forms: amounts, dates, ID numbers", 1)[1]
    table: dict[str, tuple[list[str], list[str]]] = {}
    rows = [line for line in section.split("\n## ", 1)[0].splitlines() if line.startswith("| ")]
    for line in rows[2:]:
        # an example's note in brackets, "(read as …)", holds no example
        kind, accepted, refused = (re.sub(r" \([^)]*\)", "", cell.strip())
                                   for cell in line.strip("|").split(" | "))
        table[kind.split(" ")[0]] = (re.findall(r"`([^`]+)`", accepted),
                                     re.findall(r"`([^`]+)`", refused))
    return table


def test_the_docs_examples_are_read_as_the_docs_say() -> None:
    """docs/import.md's table of accepted forms: every example it gives as accepted is read
    by both ways, every one it gives as refused is refused by both."""
    table = _docs_table()
    assert set(table) == {"amount", "date", "ID"}
    ways = {"amount": (claim_amount, feed_amounts), "date": (claim_date, feed_dates),
            "ID": (claim_id_number, feed_id_numbers)}
    for kind, (accepted, refused) in table.items():
        claim, feed_way = ways[kind]
        assert len(accepted) >= 3 and len(refused) >= 3
        assert None not in [claim(w) for w in accepted], kind
        assert None not in feed_way(accepted), kind
        assert [claim(w) for w in refused] == [None] * len(refused), kind
        assert feed_way(refused) == [None] * len(refused), kind


def test_the_docs_say_the_forms_once() -> None:
    """docs/import.md's section quotes the descriptions the messages use; docs/feeds.md
    refers to it instead of listing the forms again."""
    guide = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    section = guide.split("### Accepted forms: amounts, dates, ID numbers", 1)[1]
    section = section.split("\n## ", 1)[0]
    for words in (forms.AMOUNT_FORMS_ZH, forms.DATE_FORMS_ZH, forms.ID_NUMBER_FORMS_ZH):
        assert words in section
    feeds = (ROOT / "docs" / "feeds.md").read_text(encoding="utf-8")
    assert f"import.md#{ANCHOR}" in feeds
    assert not re.search(r"2026年3月2日|1234\.50元|2026\.3\.2", feeds)
