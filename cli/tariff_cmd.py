"""`adjudicator tariff list|show|validate|load|retire`.

`list` and `show` present what the database holds (every stored tariff with its status, found
by stored number, SHA-256 or id) when a user acts (--as or ADJUDICATOR_USER); without one, or
with --shipped, the tariff files shipped with the package."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table

from adjudicator.messages import Message, Tally, current_lang, problem_lines
from adjudicator.rules.tariff import Tariff, TariffError, load_tariff
from cli.common import (
    AsOption,
    DbOption,
    console,
    context,
    err_console,
    fail,
    file_problems,
    print_json,
    print_table,
    refused,
)
from schemas.vocabulary import CAUSES, HOUSEHOLD_CATEGORIES, SHAPES, Words, word

if TYPE_CHECKING:
    from adjudicator.services.tariffs import StoredTariff
from tariffs import shipped_tariff_paths

app = typer.Typer(help="保障方案：查看已存（或自带）的方案，校验、载入、停用。\n"
                  "Tariff tables: list and show the stored (or shipped) ones, validate, load and "
                  "retire.", no_args_is_help=True)

ShippedOpt = Annotated[bool, typer.Option(
    "--shipped", help="看程序自带的方案文件，不看数据库里的。\n\n"
    "The tariff files shipped with the package, not the database's.")]
DbOpt = Annotated[str | None, DbOption]
AsOpt = Annotated[str | None, AsOption]


def _stored(db: str | None, user: str, ref: str | None = None) -> list[StoredTariff]:
    from adjudicator.roles import PermissionDenied
    from adjudicator.services.tariffs import stored_tariffs

    ctx = context(db, user)
    try:
        with refused(PermissionDenied, TariffError):
            return stored_tariffs(ctx, ref)
    finally:
        ctx.engine.dispose()


def _resolve(ref: str, db: str | None = None, user: str | None = None
             ) -> tuple[Tariff, StoredTariff | None]:
    """A tariff by file path; with a user, a stored tariff by number, SHA-256 (8+
    characters) or id (the active version; the only one when none is active); else by the id
    of a shipped tariff."""
    path = Path(ref)
    try:
        if path.is_file():
            return load_tariff(path), None
        if user:
            found = _stored(db, user, ref)
            if len(found) > 1:
                active = [s for s in found if s.active]
                found = active if len(active) == 1 else found
            if len(found) == 1:
                return found[0].tariff, found[0]
            if found:
                fail(Message("tariff.ambiguous", ref=ref, count=len(found),
                             sha=", ".join(s.sha256[:16] for s in found)))
        for candidate in shipped_tariff_paths():
            tariff = load_tariff(candidate)
            if tariff.id == ref:
                return tariff, None
    except TariffError as exc:
        fail(Message("cli.tariff_invalid", detail=file_problems(exc)))
    fail(Message("cli.no_tariff", ref=ref))


def _headers(*keys: str) -> list[str]:
    return [Message(key).render() for key in keys]


def _categories(t: Tariff) -> str:
    """A tariff's categories as a person reads them: its labels in Chinese, codes in English."""
    zh = current_lang() == "zh"
    return ("、" if zh else ",").join(t.category_label(c) if zh else c for c in t.categories)


def _summary(t: Tariff) -> dict[str, object]:
    return {"id": t.id, "name": t.name, "valid_from": t.valid_from.isoformat(),
            "valid_to": t.valid_to.isoformat(), "region_codes": t.region_codes,
            "categories": list(t.categories), "sha256": t.sha256,
            "source": t.source}


@app.command("list")
def list_tariffs(
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON。\n\nOutput JSON.")] = False,
    shipped: ShippedOpt = False, db: DbOpt = None, user: AsOpt = None,
) -> None:
    """保障方案列表：有用户（--as）时列出库中方案及状态；
    否则（或用 --shipped 时）列出程序自带的方案。
    The tariffs stored in the database with their status (active or retired), when a user
    acts (--as); else, or with --shipped, the tariffs shipped with the package."""
    if user and not shipped:
        _list_stored(_stored(db, user), as_json)
        return
    tariffs = [load_tariff(p) for p in shipped_tariff_paths()]
    if as_json:
        print_json([_summary(t) for t in tariffs])
        return
    table = Table(title=Message("tariff.shipped_title").render())
    table.add_column(*_headers("tariff.col.id"), no_wrap=True)
    for header in _headers("tariff.col.name", "tariff.col.valid", "tariff.col.regions",
                           "tariff.col.categories"):
        table.add_column(header, overflow="fold")
    _id_column(table, "SHA-256", 12)
    for t in tariffs:
        table.add_row(t.id, t.name, f"{t.valid_from}..{t.valid_to}", ",".join(t.region_codes),
                      _categories(t), t.sha256[:12])
    print_table(table)


def _id_column(table: Table, header: str, width: int) -> None:
    """A column a person copies into a command: never wrapped or cut."""
    table.add_column(header, no_wrap=True, min_width=width)


def _list_stored(stored: list[StoredTariff], as_json: bool) -> None:
    if as_json:
        print_json([s.summary() for s in stored])
        return
    table = Table(title=Message("tariff.stored_title").render())
    table.add_column("#", no_wrap=True)
    table.add_column(*_headers("tariff.col.id"), no_wrap=True)
    for header in _headers("tariff.col.name", "tariff.col.valid", "tariff.col.regions"):
        table.add_column(header, overflow="fold")
    table.add_column(*_headers("col.status"), overflow="fold")
    _id_column(table, "SHA-256", 16)
    for s in stored:
        if s.active:
            status = Message("tariff.active")
        elif s.retired_reason:
            status = Message("tariff.retired_why", reason=s.retired_reason)
        else:
            status = Message("tariff.retired")
        table.add_row(str(s.pk), s.tariff_id, s.name, f"{s.valid_from}..{s.valid_to}",
                      ",".join(s.region_codes), status.render(), s.sha256[:16])
    print_table(table)
    if not stored:
        console.print(Message("tariff.none_stored"), highlight=False)


@app.command("show")
def show(
    tariff: Annotated[str, typer.Argument(help="方案文件；用 --as 时为已存方案的编号、"
                                                 "SHA-256（至少 8 位）或 id；否则为自带方案的 id。"
                                                 "\n\n"
                                                 "A tariff file; with --as, a stored tariff's "
                                                 "number, SHA-256 (8+ characters) or id; "
                                                 "else a shipped tariff's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON。\n\nOutput JSON.")] = False,
    shipped: ShippedOpt = False, db: DbOpt = None, user: AsOpt = None,
) -> None:
    """显示一个保障方案的全部数字，已存的还显示状态。
    Every number of one tariff, and for a
    stored one its status."""
    t, stored = _resolve(tariff, db, None if shipped else user)
    if as_json:
        data = t.model_dump(mode="json", by_alias=True)
        if stored is not None:
            data = {**data, "stored": stored.summary()}
        print_json(data)
        return
    if stored is not None:
        _print_status(stored)
    zh = current_lang() == "zh"
    say = console.print
    say(f"[bold]{escape(t.name)}[/]  ({escape(t.id)})", highlight=False)
    say(Message("tariff.show.file", file=t.source, sha=t.sha256), highlight=False)
    say(Message("tariff.show.valid", start=t.valid_from, end=t.valid_to,
                regions=", ".join(t.region_codes)), highlight=False)
    say(Message("tariff.show.income", line=t.income_line,
                test=Message(f"tariff.show.{t.income_test}"), hardship=t.hardship_ratio,
                margin=t.borderline_margin, rounding=t.rounding), highlight=False)
    say(Message("tariff.show.caps", large=t.large_payout_review or "—",
                cap=t.household_annual_cap_all), highlight=False)
    if t.person_annual_cap_all is not None:
        say(Message("tariff.show.person_cap", cap=t.person_annual_cap_all), highlight=False)
    if t.covered_household_categories is not None:
        say(Message("tariff.show.household_categories", categories=Tally(
            (HOUSEHOLD_CATEGORIES[c.value], None) for c in t.covered_household_categories)),
            highlight=False)
    say(Message("tariff.show.negative_list", items=Tally(
        (Words(t.item_label(i), i), None) for i in t.negative_list)), highlight=False)
    lang = current_lang()
    for category, rules in t.categories.items():
        shape = t.shape_of(category)
        line = Message("tariff.show.category", code=category,
                       label=t.category_label(category) if zh else category,
                       shape=word(SHAPES, shape, lang), cap=rules.annual_cap).render()
        if rules.excluded_causes:
            line += Message("tariff.show.excluded", causes=Tally(
                (CAUSES[c.value], None) for c in rules.excluded_causes)).render()
        if rules.exclude_motor_vehicles:
            line += Message("tariff.show.no_motor").render()
        say(line, highlight=False, markup=False)
        table = Table(*_headers("tariff.col.from", "tariff.col.to", "tariff.col.rate"))
        for band in rules.bands:
            table.add_row(str(band.from_), "" if band.to is None else str(band.to), str(band.rate))
        print_table(table)


def _local(stamp: str | None) -> str:
    """A stored UTC timestamp as the county reads it: Beijing time, to the minute."""
    if not stamp:
        return ""
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


def _print_status(s: StoredTariff) -> None:
    status = Message("tariff.active") if s.active else Message(
        "tariff.retired_status", at=_local(s.retired_at), by=s.retired_by or "",
        reason=s.retired_reason or "")
    console.print(Message("tariff.status_line", pk=s.pk, status=status,
                          loaded_at=_local(s.loaded_at), loaded_by=s.loaded_by, sha=s.sha256),
                  highlight=False, soft_wrap=True, markup=False)


@app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="保障方案 TOML 文件。"
                                                     "\n\nTariff TOML files.")],
) -> None:
    """校验保障方案文件，列出每个问题及其文件和键。
    Validate tariff files; print every problem
    with its file and key."""
    bad = 0
    for path in files:
        try:
            t = load_tariff(path)
        except TariffError as exc:
            bad += 1
            for line in problem_lines(exc.source, exc.problems):
                err_console.print(line, highlight=False, markup=False, soft_wrap=True)
            continue
        console.print(Message("tariff.valid_ok", path=path, tariff=t.id, sha=t.sha256[:12]),
                      highlight=False, markup=False)
    if bad:
        fail(Message("cli.tariffs_invalid", bad=bad, total=len(files)))


@app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="保障方案 TOML 文件。\n\nTariff TOML file.")],
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """载入：校验保障方案文件并存入数据库（原样保存，
    供重算）。
    Validate a tariff file and store
    it in the database (its exact bytes, for replay)."""
    from adjudicator.roles import PermissionDenied
    from adjudicator.services.tariffs import load_tariff_file

    ctx = context(db, user)
    try:
        record, new = load_tariff_file(ctx, file)
    except TariffError as exc:
        fail(Message("cli.tariff_invalid", detail=file_problems(exc)))
    except PermissionDenied as exc:
        fail(exc)
    console.print(Message("tariff.stored" if new else "tariff.already_stored",
                          tariff=record.tariff_id, sha=record.sha256[:12]), highlight=False)


@app.command("retire")
def retire(
    sha256: Annotated[str, typer.Argument(help="已存方案的 SHA-256（至少 8 位）。\n\n"
                                         "The stored tariff's SHA-256 (8+ characters).")],
    reason: Annotated[str, typer.Option("--reason", help="停用原因。\n\nWhy it is retired.")],
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """停用：新的理算不再选用此方案；重算仍用它。
    Stop choosing a stored tariff for new
    decisions; replays still use it."""
    from adjudicator.roles import PermissionDenied
    from adjudicator.services.tariffs import retire_tariff

    ctx = context(db, user)
    with refused(PermissionDenied, LookupError, ValueError):
        record = retire_tariff(ctx, sha256, reason)
    console.print(Message("tariff.retired_done", tariff=record.tariff_id,
                          sha=record.sha256[:12]), highlight=False)
