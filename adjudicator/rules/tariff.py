"""Tariffs (保障方案): versioned TOML data files that fix every number of the rules.

A tariff's identity is its `id` plus the SHA-256 of its file bytes, recorded in every decision.
Loading validates structure (pydantic) and meaning (bands contiguous and increasing, rates in
(0, 1], caps positive, dates ordered, known items and kinds) and names the exact key at fault.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from adjudicator.rules.figures import WARNING_FIELDS
from adjudicator.rules.negative_items import BUILTIN_ITEMS
from adjudicator.rules.problems import Problem, WordedValueError, unreadable
from adjudicator.rules.validated_toml import (
    FileTexts,
    decimal_or_none,
    parse_validated_toml,
    region_code_problems,
)
from schemas.types import (
    CATEGORY_NAME_MAX,
    CATEGORY_NAME_PATTERN,
    Cause,
    ClaimCategory,
    EducationStage,
    HouseholdCategory,
    IncomeKind,
    Money,
    Shape,
)
from schemas.vocabulary import CLAIM_CATEGORIES, zh_table

_RATE_RE = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def _parse_ratio(value: Any) -> Decimal:
    """A rate or ratio: a decimal string or number, read exactly."""
    if isinstance(value, bool):
        raise WordedValueError("expected a decimal such as \"0.5\"", "应为小数，如 \"0.5\"")
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if not _RATE_RE.match(text):
        raise WordedValueError(f"expected a non-negative decimal such as \"0.5\", got {value!r}",
                               f"应为不小于 0 的小数，如 \"0.5\"，不能是 {value!r}")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover
        raise ValueError(f"not a decimal: {value!r}") from exc


Ratio = Annotated[Decimal, BeforeValidator(_parse_ratio)]
_CFG = ConfigDict(extra="forbid", frozen=True)


class Band(BaseModel):
    """一段: the slice [from, to) of the year's cumulative expense, paid at `rate`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: Money = Field(alias="from")
    to: Money | None = None
    rate: Ratio


#: The shape of each built-in claim category (accident is medical); a tariff's own
#: categories state theirs (`shape`).
BUILTIN_SHAPES: dict[str, Shape] = {
    ClaimCategory.MEDICAL.value: Shape.MEDICAL,
    ClaimCategory.ACCIDENT.value: Shape.MEDICAL,
    ClaimCategory.EDUCATION.value: Shape.EDUCATION,
    ClaimCategory.DISASTER.value: Shape.DISASTER,
}
#: The Chinese names of the built-in claim categories.
BUILTIN_CATEGORY_LABELS: dict[str, str] = zh_table(CLAIM_CATEGORIES)


class CategoryRules(BaseModel):
    """One claim category's rules: annual cap (年度封顶) and bands (分段赔付); a category
    the tariff defines adds its `shape` and Chinese `label`; any may exclude causes and, when
    disaster-shaped, the motor-vehicle part of a loss."""

    model_config = _CFG

    annual_cap: Money
    bands: list[Band]
    include_non_compliant: bool = False
    eligible_stages: list[EducationStage] | None = None
    shape: Shape | None = None
    label: str | None = None
    excluded_causes: list[Cause] = Field(default_factory=list)
    exclude_motor_vehicles: bool = False
    #: 预警线 of the monthly feeds: the household's year-to-date sum of `warning_fields`
    #: (docs/feeds.md) above which it goes on the push list; None: no feed screening.
    warning_line: Money | None = None
    warning_fields: list[str] | None = None


class NoticeSettings(BaseModel):
    """公示: notice period and the contacts printed on notices and letters."""

    model_config = _CFG

    period_days: int = 7
    issuing_office: str | None = None
    objection_phone: str | None = None
    objection_address: str | None = None
    review_request_days: int = 30


class FeedScreening(BaseModel):
    """The monthly feeds' screening (docs/feeds.md): a submitted verification of the last
    `income_months` months whose per-capita income is above `income_multiple` times the
    income line screens the household out."""

    model_config = _CFG

    income_months: int = 6
    income_multiple: Ratio = Decimal(2)


class Tariff(BaseModel):
    """A validated tariff. `sha256` and `source` are set by the loader, not by the file."""

    model_config = _CFG

    id: str
    name: str
    region_codes: list[str]
    valid_from: dt.date
    valid_to: dt.date
    income_line: Money
    income_test: Literal["after_expense", "before_expense"] = "after_expense"
    hardship_ratio: Ratio = Decimal(0)
    borderline_margin: Ratio = Decimal(0)
    large_payout_review: Money | None = None
    rounding: Literal["0.01", "1"] = "0.01"
    household_annual_cap_all: Money | None = None
    person_annual_cap_all: Money | None = None
    covered_household_categories: list[HouseholdCategory] | None = None
    negative_list: list[str] = Field(default_factory=list)
    negative_items: dict[str, str] = Field(
        default_factory=dict, description="the tariff's own negative-list items: CODE = label"
    )
    excluded_income_kinds: list[IncomeKind] = Field(default_factory=list)
    categories: dict[str, CategoryRules]
    notice: NoticeSettings = Field(default_factory=NoticeSettings)
    #: A household verification stays valid this many days: claims of that period use it
    #: instead of a new visit (None: every claim gets its own verification).
    verification_valid_days: int | None = None
    feed_screening: FeedScreening = Field(default_factory=FeedScreening)
    sha256: str = ""
    source: str = ""

    @property
    def rounding_step(self) -> Decimal:
        return Decimal(self.rounding)

    def item_label(self, item: str) -> str:
        """Chinese label of a negative-list item (the tariff's own, else the built-in one)."""
        return self.negative_items.get(item) or BUILTIN_ITEMS.get(item, item)

    @property
    def caps_across_categories(self) -> bool:
        """A cap over all categories of the period (the household's or one person's): a
        claim then waits for every earlier non-final claim of the household (RULES.md)."""
        return (self.household_annual_cap_all is not None
                or self.person_annual_cap_all is not None)

    def shape_of(self, category: str) -> Shape | None:
        """The amounts shape of a claim category (None when the tariff does not define it)."""
        rules = self.categories.get(category)
        if rules is None:
            return None
        return BUILTIN_SHAPES.get(category) or rules.shape

    def category_label(self, category: str) -> str:
        """The Chinese name of a claim category: the tariff's label, else the built-in's."""
        rules = self.categories.get(category)
        if rules is not None and rules.label:
            return rules.label
        return BUILTIN_CATEGORY_LABELS.get(category, category)

    def category_labels(self) -> dict[str, str]:
        """Every category's Chinese name, by category (what documents print)."""
        return {name: self.category_label(name) for name in self.categories}

    def covers_region(self, region_code: str) -> str | None:
        """The longest of the tariff's region codes that prefixes `region_code`, if any."""
        matches = [code for code in self.region_codes if region_code.startswith(code)]
        return max(matches, key=len) if matches else None


class TariffError(ValueError):
    """A tariff file is invalid; `problems` lists (key, message) pairs, all of them: each
    message a `Problem` (English, with its Chinese)."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {key}: {message}" for key, message in problems]
        super().__init__("\n".join(lines))


def _semantic_problems(raw: dict[str, Any]) -> list[tuple[str, str]]:
    """Checks of meaning, on the raw TOML data so that they run even when some values failed
    structural validation: the loader reports every problem of a file at once."""
    problems: list[tuple[str, str]] = []
    start, end = raw.get("valid_from"), raw.get("valid_to")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
        problems.append(("valid_to", Problem(f"{end} is before valid_from {start}",
                                              f"{end} 早于生效日期 valid_from {start}")))
    problems += region_code_problems(raw)
    positive = {"income_line": Problem("must be positive", "须大于 0"),
                "large_payout_review": Problem("must be positive (omit it to disable)",
                                               "须大于 0（不设大额复核就删去此项）"),
                "household_annual_cap_all": Problem("must be positive (omit it for no cap)",
                                                    "须大于 0（不设上限就删去此项）"),
                "person_annual_cap_all": Problem("must be positive (omit it for no cap)",
                                                 "须大于 0（不设上限就删去此项）")}
    for key, message in positive.items():
        value = decimal_or_none(raw.get(key)) if key in raw else None
        if value is not None and value <= 0:
            problems.append((key, message))
    margin = decimal_or_none(raw.get("borderline_margin", 0))
    if margin is not None and not Decimal(0) <= margin < 1:
        problems.append(("borderline_margin", Problem(
            "must be at least 0 and below 1 (0 disables)", "须不小于 0 且小于 1（0 表示不用）")))
    covered = raw.get("covered_household_categories")
    if isinstance(covered, list):
        if not covered:
            problems.append(("covered_household_categories", Problem(
                "must list at least one household category (omit it to cover all)",
                "至少列出一个户类别（覆盖全部户类别就删去此项）")))
        for i, value in enumerate(covered):
            if value in covered[:i]:
                problems.append((f"covered_household_categories[{i}]",
                                 Problem(f"{value} is listed twice", f"{value} 列了两次")))
    declared = raw.get("negative_items")
    own: dict[str, Any] = declared if isinstance(declared, dict) else {}
    for code, label in own.items():
        if not re.match(r"^[A-Z][A-Z0-9_]*$", code):
            problems.append((f"negative_items.{code}", Problem(
                "item codes are upper-case identifiers", "项目代码应为大写字母、数字和下划线")))
        if not isinstance(label, str) or not label.strip():
            problems.append((f"negative_items.{code}", Problem("needs a Chinese label",
                                                                "需要中文名称")))
    items = raw.get("negative_list")
    seen: set[str] = set()
    for i, item in enumerate(items if isinstance(items, list) else []):
        if item in seen:
            problems.append((f"negative_list[{i}]", Problem(f"{item} is listed twice",
                                                             f"{item} 列了两次")))
        seen.add(item)
        if isinstance(item, str) and item not in BUILTIN_ITEMS and item not in own:
            builtin = ", ".join(sorted(BUILTIN_ITEMS))
            problems.append((f"negative_list[{i}]", Problem(
                f"unknown item {item!r}: define it under [negative_items] with a label, "
                f"or use one of {builtin}",
                f"不认识的项目 {item!r}：请在 [negative_items] 中定义并写上中文名称，"
                f"或使用以下之一：{builtin}")))
    categories = raw.get("categories")
    if isinstance(categories, dict):
        if not categories:
            problems.append(("categories", Problem("must define at least one claim category",
                                                   "至少定义一个申请类别")))
        for name, rules in categories.items():
            if isinstance(rules, dict):
                problems.extend(_category_problems(name, rules))
    notice = raw.get("notice")
    if isinstance(notice, dict) and isinstance(notice.get("period_days"), int) \
            and notice["period_days"] < 1:
        problems.append(("notice.period_days", Problem("must be at least 1 day", "至少 1 天")))
    problems.extend(_feed_problems(raw))
    return problems


def _feed_problems(raw: dict[str, Any]) -> list[tuple[str, str]]:
    """The monthly feeds' keys: warning lines, the fields they sum, verification validity."""
    problems: list[tuple[str, str]] = []
    days = raw.get("verification_valid_days")
    if isinstance(days, int) and not isinstance(days, bool) and days < 1:
        problems.append(("verification_valid_days", Problem(
            "must be at least 1 day (omit it to verify every claim)",
            "至少 1 天（每件申请都入户核查就删去此项）")))
    screening = raw.get("feed_screening")
    if isinstance(screening, dict):
        months = screening.get("income_months")
        if isinstance(months, int) and not isinstance(months, bool) and months < 1:
            problems.append(("feed_screening.income_months",
                             Problem("must be at least 1 month", "至少 1 个月")))
        multiple = decimal_or_none(screening.get("income_multiple", 2))
        if multiple is not None and multiple < 1:
            problems.append(("feed_screening.income_multiple",
                             Problem("must be at least 1", "不能小于 1")))
    categories = raw.get("categories")
    for name, rules in (categories.items() if isinstance(categories, dict) else ()):
        if not isinstance(rules, dict):
            continue
        key = f"categories.{name}"
        line = decimal_or_none(rules.get("warning_line")) if "warning_line" in rules else None
        if line is not None and line <= 0:
            problems.append((f"{key}.warning_line", Problem(
                "must be positive (omit it for no line)", "须大于 0（不设预警线就删去此项）")))
        fields = rules.get("warning_fields")
        if fields is None:
            continue
        if "warning_line" not in rules:
            problems.append((f"{key}.warning_fields", Problem(
                "needs a warning_line", "需要同时设置预警线 warning_line")))
        known = WARNING_FIELDS.get(name, {})
        if isinstance(fields, list):
            if not fields:
                problems.append((f"{key}.warning_fields", Problem(
                    "must name at least one field", "至少列出一个字段")))
            for i, item in enumerate(fields):
                if item not in known:
                    problems.append((f"{key}.warning_fields[{i}]", Problem(
                        f"unknown field {item!r}: use one of "
                        f"{', '.join(known) or '(none for this category)'}",
                        f"不认识的字段 {item!r}：可用 {'、'.join(known) or '（此类别没有）'}")))
    return problems


_SHAPES = tuple(shape.value for shape in Shape)


def _category_problems(name: str, rules: dict[str, Any]) -> list[tuple[str, str]]:
    key = f"categories.{name}"
    problems: list[tuple[str, str]] = []
    shape = rules.get("shape")
    builtin = BUILTIN_SHAPES.get(name)
    if builtin is not None:
        if shape is not None and shape != builtin.value:
            problems.append((f"{key}.shape", Problem(
                f"{name} is a built-in category of shape {builtin.value}; omit shape or set "
                f"it to \"{builtin.value}\"",
                f"{name} 是内置类别，形态为 {builtin.value}：删去 shape，或写成 "
                f"\"{builtin.value}\"")))
        shape = builtin.value
    else:
        if not re.match(CATEGORY_NAME_PATTERN, name) or len(name) > CATEGORY_NAME_MAX:
            problems.append((key, Problem(
                f"{name!r} is not a category name: lower-case letters, digits and "
                f"underscores, starting with a letter, at most {CATEGORY_NAME_MAX} characters",
                f"{name!r} 不是有效的类别名：只用小写字母、数字和下划线，以字母开头，"
                f"最多 {CATEGORY_NAME_MAX} 个字符")))
        if shape is None:
            problems.append((f"{key}.shape", Problem(
                "a category the tariff defines needs a shape: \"medical\", \"education\" "
                "or \"disaster\"",
                "方案自定义的类别需要形态 shape：\"medical\"、\"education\" 或 \"disaster\"")))
        label = rules.get("label")
        if not isinstance(label, str) or not label.strip():
            problems.append((f"{key}.label", Problem(
                "a category the tariff defines needs a Chinese label, such as \"因被盗\"",
                "方案自定义的类别需要中文名称 label，如 \"因被盗\"")))
    if "label" in rules and isinstance(rules["label"], str) and not rules["label"].strip():
        problems.append((f"{key}.label", Problem("must not be blank", "不能为空")))
    cap = decimal_or_none(rules.get("annual_cap"))
    if cap is not None and cap <= 0:
        problems.append((f"{key}.annual_cap", Problem("must be positive", "须大于 0")))
    if rules.get("include_non_compliant") is True and shape in _SHAPES and shape != "medical":
        problems.append((f"{key}.include_non_compliant", Problem(
            "applies to medical-shaped categories only (medical, accident)",
            "只适用于医疗形态的类别（因病、因意外）")))
    if shape == "education":
        if not rules.get("eligible_stages"):
            problems.append((f"{key}.eligible_stages", Problem(
                "must list the covered stages", "须列出保障的学段")))
    elif rules.get("eligible_stages") is not None and shape in _SHAPES:
        problems.append((f"{key}.eligible_stages", Problem(
            "applies to education-shaped categories only", "只适用于教育形态的类别")))
    if rules.get("exclude_motor_vehicles") is True and shape in _SHAPES and shape != "disaster":
        problems.append((f"{key}.exclude_motor_vehicles", Problem(
            "applies to disaster-shaped categories only", "只适用于灾害形态的类别")))
    causes = rules.get("excluded_causes")
    if isinstance(causes, list):
        for i, cause in enumerate(causes):
            if isinstance(cause, str) and cause not in {c.value for c in Cause}:
                causes_known = ", ".join(c.value for c in Cause)
                problems.append((f"{key}.excluded_causes[{i}]", Problem(
                    f"unknown cause {cause!r}: one of {causes_known}",
                    f"不认识的原因 {cause!r}：应为以下之一：{causes_known}")))
            elif cause in causes[:i]:
                problems.append((f"{key}.excluded_causes[{i}]", Problem(
                    f"{cause} is listed twice", f"{cause} 列了两次")))
    bands = rules.get("bands")
    if isinstance(bands, list):
        problems.extend(_band_problems(key, bands))
    return problems


def _band_problems(key: str, bands: list[Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not bands:
        return [(f"{key}.bands", Problem("must have at least one band", "至少要有一个分段"))]
    previous_to: Decimal | None = None
    for i, band in enumerate(bands):
        here = f"{key}.bands[{i}]"
        if not isinstance(band, dict):
            previous_to = None
            continue
        low, high, rate = (decimal_or_none(band.get("from")), decimal_or_none(band.get("to")),
                           decimal_or_none(band.get("rate")))
        if rate is not None and not Decimal(0) < rate <= 1:
            problems.append((f"{here}.rate", Problem(f"{rate} is not in (0, 1]",
                                                      f"{rate} 不在 (0, 1] 之内")))
        if "to" not in band:
            if i != len(bands) - 1:
                problems.append((f"{here}.to", Problem("only the last band may be open-ended",
                                                        "只有最后一段可以不设上限 to")))
        elif high is not None and low is not None and high <= low:
            problems.append((f"{here}.to", Problem(f"{high} is not above from {low}",
                                                    f"{high} 不大于本段起点 from {low}")))
        if i > 0 and previous_to is not None and low is not None and low != previous_to:
            problems.append((f"{here}.from", Problem(
                f"{low} does not continue the previous band's to {previous_to}: bands must be "
                "contiguous", f"{low} 没有接上一段的终点 to {previous_to}：各段必须首尾相接")))
        previous_to = high
    return problems


_TEXTS = FileTexts(not_utf8=Problem("not UTF-8 text: {}", "不是 UTF-8 文本：{}"),
                   not_toml=Problem("not valid TOML: {}", "不是有效的 TOML：{}"),
                   reserved=Problem("is set by the loader, not by the file",
                                    "由加载程序设置，不能写在文件中"))


def parse_tariff(data: bytes, source: str = "<tariff>") -> Tariff:
    """Parse and validate a tariff from its file bytes; raise TariffError naming every problem."""
    # An unknown cause is named by the check of meaning, with the list to choose from.
    return parse_validated_toml(
        data, source, Tariff, semantic=_semantic_problems, error=TariffError, texts=_TEXTS,
        reported=lambda err: not (err["type"] == "enum" and "excluded_causes" in err["loc"]))


def load_tariff(path: str | Path) -> Tariff:
    """Read and validate a tariff file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TariffError(str(path), [("(file)", unreadable(exc))]) from exc
    return parse_tariff(data, str(path))

