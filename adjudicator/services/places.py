"""Names of townships (乡镇) and villages (村) by their codes: every page, table and document
shows the name, the code only where a person needs it.

Names come from the household register (its 乡镇 and 村名 columns) or from a region file the
county loads (`adjudicator import regions FILE`: 区划代码 and 名称, one township or village a
row). A loaded name fills the households of that code that have none, and those imported later.
"""

from __future__ import annotations

import csv
import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sqlalchemy import select, update

from adjudicator.messages import Message, Refused, os_reason
from adjudicator.spreadsheet import neutralise
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Household
from adjudicator.storage.models_office import Region

CODE_HEADERS = ("区划代码", "行政区划代码", "代码", "code")
NAME_HEADERS = ("名称", "区划名称", "乡镇村名称", "name")


class RegionsRefused(Refused):
    """The region file cannot be read (the message says why, in Chinese)."""


def place_names(ctx: Context, codes: Iterable[str] | None = None) -> dict[str, str]:
    """Code -> name of every township (9 digits) and village (12 digits) known (only those
    of `codes`, when given). A village reads "乡镇 村" when its township has a name."""
    wanted = set(codes) if codes is not None else None
    names: dict[str, str] = {}
    with ctx.factory() as session:
        loaded = dict(session.execute(select(Region.code, Region.name)).all())
        rows = session.execute(select(Household.township_code, Household.township_name,
                                      Household.village_code, Household.village_name)
                               .distinct()).all()
    towns = {code: name for code, name in loaded.items() if len(code) == 9}
    for township_code, township, _, _ in rows:
        if township:
            towns.setdefault(township_code, township)
    names.update(towns)
    villages = {code: name for code, name in loaded.items() if len(code) == 12}
    for _, _, village_code, village in rows:
        if village:
            villages.setdefault(village_code, village)
    for code, village in villages.items():
        town = towns.get(code[:9])
        names[code] = f"{town} {village}" if town else village
    if wanted is not None:
        names = {code: name for code, name in names.items() if code in wanted}
    return names


@dataclass
class RegionsLoaded:
    file: Path
    townships: int = 0
    villages: int = 0
    households_named: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    error_report: Path | None = None


def _rows(path: Path) -> list[tuple[int, str, str]]:
    from adjudicator.intake.columns import normalize_header
    from adjudicator.intake.sources import UnreadableFile, inspect_file, iter_table

    try:
        info = inspect_file(path)
    except UnreadableFile as exc:
        raise RegionsRefused(Message("regions.unreadable", detail=exc.message)) from None
    except OSError as exc:
        raise RegionsRefused(Message("regions.cannot_read", file=path.name,
                                     reason=exc.strerror)) from None
    if info.format not in ("csv", "xlsx"):
        raise RegionsRefused(Message("regions.not_table", file=path.name))
    code_at = name_at = None
    rows = []
    try:
        for number, cells in iter_table(info):
            if code_at is None or name_at is None:
                heads = [normalize_header(c) for c in cells]
                code_at = next((i for i, h in enumerate(heads) if h in CODE_HEADERS), None)
                name_at = next((i for i, h in enumerate(heads) if h in NAME_HEADERS), None)
                continue
            padded = [*cells, "", ""]
            rows.append((number, padded[code_at].strip(), padded[name_at].strip()))
    except UnreadableFile as exc:  # a row the csv module cannot read
        raise RegionsRefused(Message("regions.unreadable", detail=exc.message)) from None
    if code_at is None or name_at is None:
        raise RegionsRefused(Message("regions.no_header", file=path.name))
    return rows


def _open_report(target: Path, path: Path) -> TextIO:
    """The error report, opened before anything is stored: refused when it is the region file
    itself or cannot be written."""
    from adjudicator.intake.report import same_file

    if same_file(target, path):
        raise RegionsRefused(Message("import.report_is_input", path=target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return target.open("w", encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise RegionsRefused(Message("import.report_unwritable", path=target,
                                     reason=os_reason(exc))) from None


def load_regions(ctx: Context, path: Path, errors_path: Path | None = None) -> RegionsLoaded:
    """Load a region file: each township and village code with its name. Households of a
    code without a name take it; a row with a bad code or no name goes to the error report."""
    ctx.require("import")
    result = RegionsLoaded(path)
    good: dict[str, str] = {}
    for number, code, name in _rows(path):
        code = unicodedata.normalize("NFKC", code)
        name = unicodedata.normalize("NFKC", name).strip()
        if not (code.isdigit() and code.isascii() and len(code) in (9, 12)):
            result.problems.append((number, "区划代码", "应为9位（乡镇）或12位（村）数字"))
        elif not name or len(name) > 100:
            result.problems.append((number, "名称", "名称为空或超过100个字"))
        elif code in good and good[code] != name:
            result.problems.append((number, "区划代码", "同一代码在文件中有两个名称"))
        else:
            good[code] = name
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if result.problems:  # written first: a place it cannot be written refuses the file
        target = errors_path or path.with_name(path.name + ".errors.csv")
        with _open_report(target, path) as stream:
            writer = csv.writer(stream)
            writer.writerow(["文件", "行号", "列", "原因"])
            for number, column, reason in result.problems:
                writer.writerow([neutralise(path.name), number, column, reason])
        result.error_report = target
    now = ctx.now()
    with transaction(ctx.factory) as session:
        stored = {r.code: r for r in session.execute(select(Region).where(
            Region.code.in_(list(good)))).scalars()}
        for code, name in good.items():
            if code in stored:
                stored[code].name, stored[code].loaded_at = name, now
            else:
                session.add(Region(code=code, name=name, loaded_by=ctx.user_id, loaded_at=now))
            if len(code) == 9:
                result.townships += 1
                done = session.execute(update(Household).where(
                    Household.township_code == code, Household.township_name.is_(None))
                    .values(township_name=name, updated_at=now))
            else:
                result.villages += 1
                done = session.execute(update(Household).where(
                    Household.village_code == code, Household.village_name.is_(None))
                    .values(village_name=name, updated_at=now))
            result.households_named += done.rowcount or 0  # type: ignore[attr-defined]
        append_events(session, ctx.user_id, now, [PendingEvent(
            "regions.loaded", "file", path.name, {
                "sha256": digest, "townships": result.townships, "villages": result.villages,
                "households_named": result.households_named,
                "rejected": len(result.problems)})])
    return result
