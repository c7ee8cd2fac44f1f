"""`adjudicator tariff list|show|validate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from adjudicator.documents.models import HOUSEHOLD_CATEGORY_LABELS
from adjudicator.tariff import Tariff, TariffError, load_tariff
from cli.common import (
    AsOption,
    DbOption,
    console,
    context,
    err_console,
    fail,
    print_json,
    refused,
)
from tariffs import shipped_tariff_paths

app = typer.Typer(help="Tariff tables: list the shipped ones, show one, validate files.",
                  no_args_is_help=True)


def _resolve(ref: str) -> Tariff:
    """A tariff by file path, or by the id of a shipped tariff."""
    path = Path(ref)
    try:
        if path.is_file():
            return load_tariff(path)
        for candidate in shipped_tariff_paths():
            tariff = load_tariff(candidate)
            if tariff.id == ref:
                return tariff
    except TariffError as exc:
        fail(str(exc).replace("\n", "; "))
    fail(f"no tariff file or shipped tariff id {ref!r} (see 'adjudicator tariff list')")


def _summary(t: Tariff) -> dict[str, object]:
    return {"id": t.id, "name": t.name, "valid_from": t.valid_from.isoformat(),
            "valid_to": t.valid_to.isoformat(), "region_codes": t.region_codes,
            "categories": list(t.categories), "sha256": t.sha256,
            "source": t.source}


@app.command("list")
def list_tariffs(
    as_json: Annotated[bool, typer.Option("--json", help="Output JSON.")] = False,
) -> None:
    """The tariffs shipped with the package."""
    tariffs = [load_tariff(p) for p in shipped_tariff_paths()]
    if as_json:
        print_json([_summary(t) for t in tariffs])
        return
    table = Table("id", "name", "valid", "regions", "categories", "sha256")
    for t in tariffs:
        table.add_row(t.id, t.name, f"{t.valid_from}..{t.valid_to}", ",".join(t.region_codes),
                      ",".join(t.categories), t.sha256[:12])
    console.print(table)


@app.command("show")
def show(
    tariff: Annotated[str, typer.Argument(help="A tariff file or a shipped tariff's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Output JSON.")] = False,
) -> None:
    """Every number of one tariff."""
    t = _resolve(tariff)
    if as_json:
        print_json(t.model_dump(mode="json", by_alias=True))
        return
    console.print(f"[bold]{t.name}[/]  ({t.id})")
    console.print(f"file {t.source}  sha256 {t.sha256}")
    console.print(f"valid {t.valid_from} .. {t.valid_to}; regions {', '.join(t.region_codes)}")
    console.print(f"income line {t.income_line} per person ({t.income_test}); hardship ratio "
                  f"{t.hardship_ratio}; borderline margin {t.borderline_margin}; "
                  f"rounding {t.rounding}")
    console.print(f"large payout review {t.large_payout_review}; household all-category cap "
                  f"{t.household_annual_cap_all}")
    if t.person_annual_cap_all is not None:
        console.print(f"per-person all-category cap {t.person_annual_cap_all}")
    if t.covered_household_categories is not None:
        console.print("covered household categories: " + ", ".join(
            f"{c.value} {HOUSEHOLD_CATEGORY_LABELS[c.value]}"
            for c in t.covered_household_categories))
    console.print("negative list: " + ", ".join(f"{i} {t.item_label(i)}" for i in t.negative_list))
    for category, rules in t.categories.items():
        shape = t.shape_of(category)
        line = (f"[bold]{category}[/] {t.category_label(category)}: shape {shape}, "
                f"annual cap {rules.annual_cap}")
        if rules.excluded_causes:
            line += "; excluded causes " + ", ".join(c.value for c in rules.excluded_causes)
        if rules.exclude_motor_vehicles:
            line += "; motor-vehicle losses excluded"
        console.print(line)
        table = Table("from", "to", "rate")
        for band in rules.bands:
            table.add_row(str(band.from_), "" if band.to is None else str(band.to), str(band.rate))
        console.print(table)


@app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="Tariff TOML files.")],
) -> None:
    """Validate tariff files; print every problem with its file and key."""
    bad = 0
    for path in files:
        try:
            t = load_tariff(path)
        except TariffError as exc:
            bad += 1
            for key, message in exc.problems:
                err_console.print(f"{exc.source}: {key}: {message}", highlight=False)
            continue
        console.print(f"{path}: ok ({t.id}, sha256 {t.sha256[:12]})", highlight=False)
    if bad:
        fail(f"{bad} of {len(files)} tariff file(s) invalid")


@app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="Tariff TOML file.")],
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """Validate a tariff file and store it in the database (its exact bytes, for replay)."""
    from adjudicator.roles import PermissionDenied
    from adjudicator.services.tariffs import load_tariff_file

    ctx = context(db, user)
    try:
        record, new = load_tariff_file(ctx, file)
    except TariffError as exc:
        fail(str(exc).replace("\n", "; "))
    except PermissionDenied as exc:
        fail(str(exc))
    state = "stored" if new else "already stored"
    console.print(f"{record.tariff_id}: {state} (sha256 {record.sha256[:12]})", highlight=False)


@app.command("retire")
def retire(
    sha256: Annotated[str, typer.Argument(help="The stored tariff's SHA-256 (8+ characters).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is retired.")],
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """Stop choosing a stored tariff for new decisions; replays still use it."""
    from adjudicator.roles import PermissionDenied
    from adjudicator.services.tariffs import retire_tariff

    ctx = context(db, user)
    with refused(PermissionDenied, LookupError, ValueError):
        record = retire_tariff(ctx, sha256, reason)
    console.print(f"{record.tariff_id} ({record.sha256[:12]}) retired")
