"""The fund contract (防贫保险合同: 约定盈亏、年度核算) of one county and year, as data.

A contract fixes what the county pays the insurer (insured persons x premium per person, or a
fixed fund), when the premium instalments fall due, the insurer's management share, and how
the year is settled: a surplus refunded to the county (多退) or carried over (余额结转), a
shortfall topped up by the county (少补) or borne by the insurer, optionally within a corridor
(the insurer keeps or bears the result up to a share of the premium). Contracts are TOML
files like tariffs (`contracts/*.toml`), validated with pydantic and checked for meaning; a bad
file is refused with every problem named by its key, in Chinese first.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from adjudicator.rules.problems import Problem, unreadable
from adjudicator.rules.tariff import Ratio
from adjudicator.rules.validated_toml import (
    FileTexts,
    decimal_or_none,
    parse_validated_toml,
    region_code_problems,
)
from schemas.types import Money

FEN = Decimal("0.01")
_CFG = ConfigDict(extra="forbid", frozen=True)


class Instalment(BaseModel):
    """一期保费: the date it falls due and its share of the year's premium."""

    model_config = _CFG

    due: dt.date
    share: Ratio


class SettlementRule(BaseModel):
    """年度核算: what happens to the year's result (premium less management and claims)."""

    model_config = _CFG

    surplus: Literal["refund", "carry_over"]
    shortfall: Literal["county_tops_up", "insurer_bears"]
    corridor: Ratio | None = None
    count_open_claims: bool = True


class Contract(BaseModel):
    """A validated fund contract. `sha256` and `source` are set by the loader."""

    model_config = _CFG

    id: str
    name: str
    county: str
    county_name: str
    region_codes: list[str]
    year: int
    insurer: str
    insured_persons: int | None = None
    premium_per_person: Money | None = None
    fund: Money | None = None
    management_share: Ratio = Decimal(0)
    warning_share: Ratio = Decimal("0.8")
    target_loss_ratio: Ratio | None = None
    opening_balance: Money = Decimal(0)
    instalments: list[Instalment] = Field(default_factory=list)
    settlement: SettlementRule
    sha256: str = ""
    source: str = ""

    @property
    def premium(self) -> Decimal:
        """The year's premium (保费): persons x premium per person, or the fixed fund."""
        if self.fund is not None:
            return self.fund.quantize(FEN)
        assert self.insured_persons is not None and self.premium_per_person is not None
        return (self.premium_per_person * self.insured_persons).quantize(FEN)

    @property
    def management_fee(self) -> Decimal:
        """The insurer's management share of the premium, to the fen (half-up)."""
        return (self.premium * self.management_share).quantize(FEN, rounding=ROUND_HALF_UP)

    @property
    def fund_for_claims(self) -> Decimal:
        """What the year has for claims: premium + opening balance - management fee."""
        return self.premium + self.opening_balance - self.management_fee

    @property
    def loss_ratio_target(self) -> Decimal:
        """The loss ratio a premium is priced at: the key, else 1 - management share."""
        return self.target_loss_ratio or (1 - self.management_share)

    def instalment_amounts(self) -> list[tuple[dt.date, Decimal]]:
        """Each instalment's due date and amount: share x premium to the fen (half-up); the
        last takes what rounding left, so they add up to the premium exactly."""
        amounts = [(i.due, (self.premium * i.share).quantize(FEN, rounding=ROUND_HALF_UP))
                   for i in self.instalments]
        if amounts:
            due, _ = amounts[-1]
            amounts[-1] = (due, self.premium - sum((a for _, a in amounts[:-1]), Decimal(0)))
        return amounts

    def covers_region(self, region_code: str) -> bool:
        return any(region_code.startswith(code) for code in self.region_codes)


class ContractError(ValueError):
    """A contract file is invalid; `problems` lists (key, message) pairs, all of them."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {key}: {message}" for key, message in problems))


_ONE = Decimal(1)


def _semantic_problems(raw: dict[str, Any]) -> list[tuple[str, str]]:
    """Checks of meaning on the raw data, so every problem of a file is reported at once."""
    problems: list[tuple[str, str]] = []
    has_persons = "insured_persons" in raw or "premium_per_person" in raw
    if "fund" in raw and has_persons:
        problems.append(("fund", Problem(
            "set either fund or insured_persons with premium_per_person, not both",
            "合同只能约定固定资金或参保人数×人均保费其一")))
    elif "fund" not in raw:
        for key in ("insured_persons", "premium_per_person"):
            if key not in raw:
                problems.append((key, Problem(
                    "required unless the contract sets a fixed fund",
                    "缺少此项（合同约定固定资金 fund 时才可不写）")))
    persons = raw.get("insured_persons")
    if isinstance(persons, int) and not isinstance(persons, bool) and persons <= 0:
        problems.append(("insured_persons", Problem("must be positive", "参保人数须大于0")))
    for key in ("premium_per_person", "fund"):
        value = decimal_or_none(raw.get(key)) if key in raw else None
        if value is not None and value <= 0:
            problems.append((key, Problem("must be positive", "须大于0")))
    for key in ("management_share", "warning_share", "target_loss_ratio"):
        value = decimal_or_none(raw.get(key)) if key in raw else None
        if value is None:
            continue
        if key == "management_share" and not value < 1:
            problems.append((key, Problem("must be below 1", "须小于1")))
        if key != "management_share" and not Decimal(0) < value <= 10:
            problems.append((key, Problem("must be above 0 and at most 10", "须大于0且不超过10")))
    year = raw.get("year")
    if isinstance(year, int) and not 2000 <= year <= 2100:
        problems.append(("year", Problem(f"{year} is not a plausible year",
                                         f"{year} 不是有效年度")))
    problems += region_code_problems(raw)
    instalments = raw.get("instalments")
    if isinstance(instalments, list):
        if not instalments:
            problems.append(("instalments", Problem("list at least one instalment",
                                                    "至少约定一期保费")))
        total, previous, shares_ok = Decimal(0), None, True
        for i, item in enumerate(instalments):
            if not isinstance(item, dict):
                shares_ok = False
                continue
            share = decimal_or_none(item.get("share"))
            if share is None:
                shares_ok = False
            else:
                if not Decimal(0) < share <= 1:
                    problems.append((f"instalments[{i}].share", Problem(
                        f"{share} must be in (0, 1]", f"{share} 不在(0, 1]内")))
                total += share
            due = item.get("due")
            if isinstance(due, dt.date):
                if isinstance(year, int) and due.year not in (year - 1, year):
                    problems.append((f"instalments[{i}].due", Problem(
                        f"{due} must fall in the contract year or the year before",
                        f"{due} 不在{year}年度或上一年")))
                if previous is not None and due <= previous:
                    problems.append((f"instalments[{i}].due", Problem(
                        f"{due} is not after {previous}: instalments in date order",
                        f"{due} 不晚于上一期 {previous}")))
                previous = due
        if shares_ok and instalments and total != _ONE:
            problems.append(("instalments", Problem(
                f"the shares add up to {total}: shares must add up to 1",
                f"各期比例合计为{total}，应为1")))
    settlement = raw.get("settlement")
    if isinstance(settlement, dict):
        corridor = decimal_or_none(settlement.get("corridor")) if "corridor" in settlement else None
        if corridor is not None and not Decimal(0) < corridor < 1:
            problems.append(("settlement.corridor", Problem(
                f"{corridor} is not in (0, 1): a share of premium in (0, 1); omit it for no "
                "corridor", f"{corridor} 不在(0, 1)内：应为保费的比例；不设走廊就删去此项")))
    return problems


_TEXTS = FileTexts(not_utf8=Problem("not UTF-8 text: {}", "不是UTF-8文本：{}"),
                   not_toml=Problem("not valid TOML: {}", "不是有效的TOML：{}"),
                   reserved=Problem("set by the loader, not by the file",
                                    "由加载程序设置，不能写在文件中"))


def parse_contract(data: bytes, source: str = "<contract>") -> Contract:
    """Parse and validate a contract from its file bytes; ContractError names every problem."""
    return parse_validated_toml(data, source, Contract, semantic=_semantic_problems,
                                error=ContractError, texts=_TEXTS)


def load_contract(path: str | Path) -> Contract:
    """Read and validate a contract file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContractError(str(path), [("(file)", unreadable(exc))]) from exc
    return parse_contract(data, str(path))


def find_contract(folder: Path, county: str, year: int) -> Contract:
    """The contract of `county` (its `county` key, its Chinese name `county_name` or one of
    its region codes) and `year` among the TOML files of `folder`; exactly one must match."""
    found = []
    for path in sorted(folder.glob("*.toml")):
        contract = load_contract(path)
        if contract.year == year and county in (contract.county, contract.county_name,
                                                *contract.region_codes):
            found.append(contract)
    if not found:
        raise ContractError(str(folder), [("(folder)", Problem(
            f"no contract for county {county}, year {year}",
            f"没有{county} {year}年度的资金合同（--county 可写合同的 county、county_name "
            "或区划代码）"))])
    if len(found) > 1:
        sources = ", ".join(c.source for c in found)
        raise ContractError(str(folder), [("(folder)", Problem(
            f"more than one contract: {sources}",
            f"{county} {year}年度有{len(found)}份合同：{sources}"))])
    return found[0]
