"""Validated TOML data files (tariffs, fund contracts): one way to read them.

A file is decoded as UTF-8 TOML, checked for keys only the loader sets, validated by its
pydantic model (structure) and by a check of meaning run on the raw data, so that every problem
of a file is named at once by its key. The parsed model gets the SHA-256 of the file's bytes
and its source. Pure: bytes in, a model or an error out.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from adjudicator.rules.problems import Problem, structural

M = TypeVar("M", bound=BaseModel)
Problems = list[tuple[str, str]]

#: The keys the loader sets (the file's digest and where it was read from).
RESERVED = ("sha256", "source")


@dataclass(frozen=True, slots=True)
class FileTexts:
    """How a kind of file words the problems of the file itself."""

    not_utf8: Problem
    not_toml: Problem
    reserved: Problem


def loc_to_key(loc: Sequence[int | str]) -> str:
    """A pydantic error location as the file's key: `categories.medical.bands[0].from`."""
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += ("." if key else "") + ("from" if part == "from_" else str(part))
    return key or "(top level)"


def decimal_or_none(value: Any) -> Decimal | None:
    """The value as a Decimal when it is one (structural validation reports it otherwise)."""
    if isinstance(value, bool):
        return None
    try:
        return Decimal(repr(value) if isinstance(value, float) else str(value))
    except (InvalidOperation, ValueError):
        return None


def region_code_problems(raw: dict[str, Any]) -> Problems:
    """A data file's `region_codes`: at least one, each 2 to 12 digits (a tariff's, a
    contract's)."""
    codes = raw.get("region_codes")
    if not isinstance(codes, list):
        return []
    problems: Problems = []
    if not codes:
        problems.append(("region_codes", Problem("must list at least one region code",
                                                 "至少列出一个行政区划代码")))
    for i, code in enumerate(codes):
        if not (isinstance(code, str) and code.isdigit() and 2 <= len(code) <= 12):
            problems.append((f"region_codes[{i}]", Problem(
                f"{code!r} is not a 2 to 12 digit code",
                f"{code!r} 不是 2 至 12 位数字的区划代码")))
    return problems


def _format(text: Problem, value: Any, zh_value: Any = None) -> Problem:
    """A file problem's text with the value filled in, in both languages (`zh_value` in the
    Chinese when the value's own words are English)."""
    zh = value if zh_value is None else zh_value
    return Problem(str(text).format(value), text.zh.format(zh) if text.zh else None)


def _where(exc: Exception) -> str:
    """Where a file stopped being UTF-8 or TOML, in Chinese (the parser words it in
    English: "Invalid value (at line 1, column 8)")."""
    if isinstance(exc, UnicodeDecodeError):
        return f"第 {exc.start + 1} 个字节起无法读取，请另存为 UTF-8 编码"
    found = re.search(r"at line (\d+), column (\d+)", str(exc))
    return f"第 {found[1]} 行第 {found[2]} 列附近有误" if found else "格式有误"


def parse_validated_toml(
        data: bytes, source: str, model: type[M], *,
        semantic: Callable[[dict[str, Any]], Problems],
        error: Callable[[str, Problems], Exception], texts: FileTexts,
        reported: Callable[[ErrorDetails], bool] = lambda err: True) -> M:
    """The model of a TOML file's bytes, or `error(source, problems)` naming every problem.

    `semantic` checks meaning on the raw data; `reported` leaves out structural errors that the
    check of meaning names better."""
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise error(source, [("(file)", _format(texts.not_utf8, exc, _where(exc)))]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(source, [("(file)", _format(texts.not_toml, exc, _where(exc)))]) from exc
    problems: Problems = [(key, texts.reserved) for key in RESERVED if key in raw]
    parsed = None
    try:
        parsed = model.model_validate({k: v for k, v in raw.items() if k not in RESERVED})
    except ValidationError as exc:
        problems += [(loc_to_key(err["loc"]), structural(err)) for err in exc.errors()
                     if reported(err)]
    problems += semantic(raw)
    if problems or parsed is None:
        raise error(source, list(dict.fromkeys(problems)))
    digest = hashlib.sha256(data).hexdigest()
    return parsed.model_copy(update={"sha256": digest, "source": source})


__all__ = ["RESERVED", "FileTexts", "decimal_or_none", "loc_to_key", "parse_validated_toml",
           "region_code_problems"]
