"""Shared field types and vocabularies of every record that crosses the boundary.

Money (金额) is decimal yuan. It is parsed exactly: from a string or an integer, or from a JSON
number with at most two decimals; never through binary floating point arithmetic.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

_AMOUNT_RE = re.compile(r"^-?[0-9]+(\.[0-9]{1,2})?$")


class AmountError(ValueError):
    """A value that is not an amount; `problem` says why (boolean, places, type, format,
    plain, negative), so that a message can be worded in another language by its kind."""

    def __init__(self, problem: str, message: str) -> None:
        super().__init__(message)
        self.problem = problem


def parse_amount(value: Any) -> Decimal:
    """Parse a yuan amount exactly; at most two decimals (fen), never a float's binary value."""
    if isinstance(value, bool):
        raise AmountError("boolean",
                          "an amount must be a decimal string or a number, not a boolean")
    if isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, int):
        return Decimal(value)
    elif isinstance(value, float):
        # repr() gives the shortest text that reads back as this float: the JSON literal.
        text = repr(value)
        if "e" in text or "E" in text or not _AMOUNT_RE.match(text.removesuffix(".0") or "0"):
            raise AmountError(
                "places", f"a JSON number amount may have at most two decimals; got {text}; "
                "send amounts as strings such as \"1234.56\""
            )
        text = text.removesuffix(".0")
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise AmountError("type", "an amount must be a decimal string such as \"1234.56\", "
                          f"got {value!r}")
    if not _AMOUNT_RE.match(text):
        raise AmountError(
            "format", f"not an amount in yuan with at most two decimals: {value!r} "
            "(expected e.g. \"1234.56\")"
        )
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
        raise ValueError(f"not a decimal amount: {value!r}") from exc


def format_amount(value: Decimal) -> str:
    """Output form of every amount: a string with exactly two decimals ("10500.00")."""
    return str(value.quantize(Decimal("0.01")))


_AMOUNT_JSON_SCHEMA = {
    "type": "string",
    "pattern": r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$",
    "description": "Yuan amount as a decimal string with at most two decimals "
    "(integers, and JSON numbers with at most two decimals, are accepted on input)",
}

_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")

#: One bound for every amount, from the import row and the case to every money column: at
#: most 12 digits of yuan and 2 of fen, what a NUMERIC(14, 2) column holds (the columns are
#: `adjudicator.storage.models.Amount`, made with AMOUNT_DIGITS).
AMOUNT_DIGITS = 14
MAX_AMOUNT = Decimal("999999999999.99")
_YUAN_DIGITS = AMOUNT_DIGITS - 2


def amount_too_large(value: Any) -> bool:
    """Whether an amount (text, number or Decimal) is beyond MAX_AMOUNT either way."""
    if type(value) is str:
        whole = value.removeprefix("-").partition(".")[0]
        return (len(whole) > _YUAN_DIGITS and _PLAIN_DECIMAL.fullmatch(value) is not None
                and abs(Decimal(value)) > MAX_AMOUNT)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return abs(number) > MAX_AMOUNT
    except ArithmeticError:  # NaN: refused by the field's own rules
        return False


def _bounded(value: Any) -> Any:
    if amount_too_large(value):
        raise PydanticCustomError("amount_too_large", "金额超出上限：每个金额至多 {bound} 元"
                                  "（12 位整数、2 位小数，与数据库的 NUMERIC(14,2) 金额列一致）",
                                  {"bound": str(MAX_AMOUNT)})
    return value


def _plain_decimal_text(value: Any) -> Any:
    """A string amount must be a plain decimal: no exponent, sign "+", "_" or non-ASCII digit
    (Decimal() would read them all; the contract's JSON Schema admits none); and within
    MAX_AMOUNT."""
    if type(value) is str and not _PLAIN_DECIMAL.fullmatch(value):
        raise AmountError("plain",
                          f"not a plain decimal amount such as \"1234.56\": {value[:20]!r}")
    return _bounded(value)


def _plain_non_negative(value: Any) -> Any:
    """As `_plain_decimal_text`, and no minus sign at all: "-0" is not a non-negative amount
    (Decimal("-0") passes ge=0 and would print as "-0.00")."""
    value = _plain_decimal_text(value)
    if (type(value) is str and value.startswith("-")) or (type(value) is float
                                                          and str(value).startswith("-")):
        raise AmountError("negative", "an amount here must not be negative")
    return value


# pydantic-core parses these natively (exactly: a JSON number's text, never its binary value),
# which keeps validation of a whole case within a few microseconds.
_AMOUNT_LIMITS = {"decimal_places": 2, "max_digits": AMOUNT_DIGITS, "allow_inf_nan": False}

#: A non-negative amount in yuan, as accepted on input.
Money = Annotated[
    Decimal,
    BeforeValidator(_plain_non_negative),
    Field(ge=0, **_AMOUNT_LIMITS),
    PlainSerializer(format_amount, return_type=str),
    WithJsonSchema({**_AMOUNT_JSON_SCHEMA, "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$"}),
]

#: A signed amount in yuan (per-capita income may be negative).
SignedMoney = Annotated[
    Decimal,
    BeforeValidator(_plain_decimal_text),
    Field(**_AMOUNT_LIMITS),
    PlainSerializer(format_amount, return_type=str),
    WithJsonSchema(_AMOUNT_JSON_SCHEMA),
]

#: A model that rejects unknown fields and cannot be changed once made.
STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class HouseholdCategory(StrEnum):
    """户类: which monitored group a household belongs to."""

    UNSTABLE = "unstable"  # 脱贫不稳定户
    EDGE = "edge"  # 边缘易致贫户
    SUDDEN_HARDSHIP = "sudden_hardship"  # 突发严重困难户
    LOW_INCOME = "low_income"  # 非贫低收入户
    GENERAL = "general"  # 一般农户


class IncomeKind(StrEnum):
    """收入类别: wage 工资性, business 经营净, property 财产净, transfer 转移净."""

    WAGE = "wage"
    BUSINESS = "business"
    PROPERTY = "property"
    TRANSFER = "transfer"


class CostKind(StrEnum):
    PRODUCTION = "production"  # 生产经营性支出


class ClaimCategory(StrEnum):
    """救助类别: 因病, 因灾, 因学, 因意外 (accident is shaped like medical)."""

    MEDICAL = "medical"
    DISASTER = "disaster"
    EDUCATION = "education"
    ACCIDENT = "accident"


#: A claim category's name: a built-in above, or one a tariff defines ([categories.NAME]).
CATEGORY_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
#: The longest category name (the store's claims.category column holds 16 characters).
CATEGORY_NAME_MAX = 16

#: A claim category as a case carries it: a built-in or a tariff's own (its rules decide).
CategoryName = Annotated[str, StringConstraints(pattern=CATEGORY_NAME_PATTERN,
                                                max_length=CATEGORY_NAME_MAX)]


class Shape(StrEnum):
    """The amounts shape of a claim category: which part of a claim carries its amounts."""

    MEDICAL = "medical"
    EDUCATION = "education"
    DISASTER = "disaster"


class Cause(StrEnum):
    """致灾原因: what caused a loss (optional `claim.cause`; a category may exclude some)."""

    FIRE = "fire"  # 火灾
    EXPLOSION = "explosion"  # 爆炸
    FLOOD = "flood"  # 洪涝
    STORM = "storm"  # 风灾
    HAIL = "hail"  # 冰雹
    DROUGHT = "drought"  # 干旱
    LANDSLIDE = "landslide"  # 山体滑坡、泥石流
    EARTHQUAKE = "earthquake"  # 地震
    ANIMAL_DISEASE = "animal_disease"  # 动物疫病
    TRAFFIC = "traffic"  # 交通事故
    THEFT = "theft"  # 被盗
    OTHER = "other"  # 其他


class ClaimSource(StrEnum):
    APPLICATION = "application"  # 个人申请
    MEDICAL_INSURANCE_FEED = "medical_insurance_feed"  # 医保
    CIVIL_AFFAIRS_FEED = "civil_affairs_feed"  # 民政
    EMERGENCY_FEED = "emergency_feed"  # 应急管理
    EDUCATION_FEED = "education_feed"  # 教育


class EducationStage(StrEnum):
    COMPULSORY = "compulsory"  # 义务教育
    HIGH_SCHOOL = "high_school"  # 普通高中
    SECONDARY_VOCATIONAL = "secondary_vocational"  # 中职
    COLLEGE = "college"  # 大专/高职
    UNDERGRADUATE = "undergraduate"  # 本科
    POSTGRADUATE = "postgraduate"  # 研究生


class CrossCheckSource(StrEnum):
    MEDICAL_INSURANCE = "medical_insurance"
    HOUSING = "housing"
    BUSINESS_REGISTRY = "business_registry"
    BANK = "bank"
    VEHICLE_REGISTRY = "vehicle_registry"
    PAYROLL = "payroll"
    CIVIL_AFFAIRS = "civil_affairs"


class Outcome(StrEnum):
    APPROVED = "approved"
    DENIED = "denied"
    PENDED = "pended"


#: Negative-list item codes: upper-case identifiers.
NEGATIVE_ITEM_PATTERN = r"^[A-Z][A-Z0-9_]*$"
