"""Formatting of money, dates and trace values for printed documents (Jinja2 filters).

Kept apart from the templates so that the exact strings a document prints are unit-testable,
and apart from the models so that the models stay plain data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from adjudicator.masking import mask_bank_account, mask_id_number, mask_name, mask_phone
from adjudicator.storage.clock import local
from schemas.vocabulary import ANSWERS

__all__ = [
    "chinese_ordinal",
    "format_date",
    "format_datetime",
    "format_money",
    "format_rate",
    "format_wan",
    "mask_trace_value",
    "trace_items",
]

_CENT = Decimal("0.01")
_CHINESE_DIGITS = "零一二三四五六七八九"


def format_money(amount: Decimal | int | None, *, grouping: bool = True) -> str:
    """Yuan with two decimals and thousands separators: ``Decimal("49600")`` -> ``49,600.00``.

    ``None`` prints as an empty string (a figure that does not apply).
    """
    if amount is None:
        return ""
    value = Decimal(amount).quantize(_CENT, rounding=ROUND_HALF_UP)
    return f"{value:,.2f}" if grouping else f"{value:.2f}"


def format_wan(amount: Decimal | int) -> str:
    """Ten-thousands of yuan with two decimals, as summaries quote them: ``49.60``."""
    value = (Decimal(amount) / Decimal(10000)).quantize(_CENT, rounding=ROUND_HALF_UP)
    return f"{value:,.2f}"


def format_rate(rate: Decimal) -> str:
    """A band rate as a percentage without useless zeros: ``Decimal("0.5")`` -> ``50%``."""
    percent = (Decimal(rate) * 100).normalize()
    text = format(percent, "f")
    return f"{text}%"


def format_date(value: date | None) -> str:
    """A date the Chinese way: ``2026年3月10日``."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def format_datetime(value: datetime | None) -> str:
    """A timestamp the Chinese way, to the minute, in the county's time zone:
    ``2026年3月10日 14:05`` (an instant stored as 06:05 UTC)."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = local(value)
    return f"{format_date(value.date())} {value:%H:%M}"


def chinese_ordinal(number: int) -> str:
    """``1`` -> ``一``, ``12`` -> ``十二``, ``25`` -> ``二十五`` (list numbering in letters)."""
    if number <= 0 or number >= 100:
        return str(number)
    tens, units = divmod(number, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else _CHINESE_DIGITS[tens]) + "十"
    if units:
        text += _CHINESE_DIGITS[units]
    return text


# --------------------------------------------------------------------------- trace values

_ID_LIKE = re.compile(r"(?<![\dA-Za-z])(?:\d{17}[\dXx]|\d{15})(?![\dA-Za-z])")
_TRACE_HEAD_KEYS = ("rule", "result", "values", "text_zh")


def _mask_by_key(key: str, value: str) -> str | None:
    """Mask a string according to what its key says it holds, or None when the key is safe."""
    lowered = key.lower()
    if "id_number" in lowered or lowered in {"id", "idno", "id_no", "sfzh"}:
        return mask_id_number(value)
    if lowered == "name" or lowered.endswith("_name") or lowered in {"head", "claimant"}:
        return mask_name(value)
    if "account" in lowered or "card" in lowered:
        return mask_bank_account(value)
    if "phone" in lowered or "mobile" in lowered:
        return mask_phone(value)
    return None


def mask_trace_value(key: str, value: Any) -> str:
    """Render one trace value as text, masking personal data.

    Strings under a key that names personal data are masked by kind; any other string shaped
    like a resident ID number is masked too. Containers are shown as compact JSON with their
    strings masked the same way. Decimals print exactly as stored.
    """
    return _to_text(_mask_value(key, value))


def _mask_value(key: str, value: Any) -> Any:
    if isinstance(value, str):
        masked = _mask_by_key(key, value)
        if masked is not None:
            return masked
        return _ID_LIKE.sub(lambda match: mask_id_number(match.group(0)), value)
    if isinstance(value, Mapping):
        return {str(k): _mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask_value(key, item) for item in value]
    return value


def _to_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ANSWERS[value].zh
    if isinstance(value, (str, int, Decimal)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))


def trace_items(step: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (key, text) pairs of a trace step to print besides its rule, result and sentence.

    The step's ``values`` come first, then any other key of the step that is not None (such
    as the engine's ``reason``), each masked by :func:`mask_trace_value`.
    """
    items: list[tuple[str, str]] = []
    values = step.get("values")
    if isinstance(values, Mapping):
        items.extend((str(k), mask_trace_value(str(k), v)) for k, v in values.items())
    elif values is not None:
        items.append(("values", mask_trace_value("values", values)))
    for key, value in step.items():
        if key not in _TRACE_HEAD_KEYS and value is not None:
            items.append((str(key), mask_trace_value(str(key), value)))
    return items
