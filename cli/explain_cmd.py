"""`adjudicator explain`: a decision in words, with its rule trace and band breakdown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from adjudicator.explain import band_table, explain_decision
from adjudicator.messages import Message, current_lang
from cli.common import (
    AsOption,
    DbOption,
    choose_lang,
    console,
    context,
    fail,
    print_json,
    print_table,
    refused,
    worded_table,
)


def _decisions_in(path: Path) -> Iterator[dict[str, Any]]:
    """The decisions of a file `evaluate` wrote; a line that is not JSON, or not a decision,
    stops it in one line naming the line (its error lines are skipped)."""
    from pydantic import ValidationError

    from adjudicator.messages import ValidationReason
    from schemas.decision import Decision
    from schemas.vocabulary import Words

    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                data = orjson.loads(line)
            except orjson.JSONDecodeError:
                fail(Message("cli.not_json", path=path, line=number))
            if isinstance(data, dict) and "error" in data and "trace" not in data:
                continue  # an error line of `evaluate`
            try:
                Decision.model_validate(data)
            except ValidationError as exc:
                error = exc.errors(include_url=False, include_input=False)[0]
                where = (".".join(str(part) for part in error["loc"])
                         or Words("整行", "the line"))
                fail(Message("cli.not_decision", path=path, line=number, where=where,
                             reason=ValidationReason(error)))
            yield data


def render_decision(decision: dict[str, Any], lang: str) -> None:
    for line in explain_decision(decision, lang):
        console.print(line, highlight=False, markup=False)
    rows = band_table(decision)
    if rows:
        table = worded_table("tariff.col.from", "tariff.col.to", "tariff.col.rate", "col.amount",
                             title="explain.bands")
        for row in rows:
            table.add_row(*row)
        print_table(table)


def explain(
    target: Annotated[str, typer.Argument(help="案件编号（已存的理算结论），或 evaluate "
                                               "输出的理算结论 JSON 行文件。\n\n"
                                               "A claim id (stored decision), or a file of "
                                               "decision JSON lines written by `evaluate`.")],
    lang: Annotated[str | None, typer.Option(
        "--lang", help="说明的语言：zh 或 en（默认：提示语言）。\n\n"
        "zh or en (default: the language of messages).")] = None,
    claim: Annotated[str | None, typer.Option("--claim", help="用文件时：只看此案件。\n\n"
                                                      "With a file: only this claim.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出理算结论 JSON。\n\n"
                                                   "Output the decision JSON.")] = False,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """说明理算结论：原因、每条规则、分段明细，中文或英文。
    Explain decisions in plain Chinese or English: reasons, every rule, band breakdown."""
    choose_lang(lang)
    lang = current_lang()
    path = Path(target)
    if not path.is_file():
        _explain_stored(target, lang, as_json, db, user)
        return
    shown = 0
    for decision in _decisions_in(path):
        if claim is not None and decision["claim_id"] != claim:
            continue
        shown += 1
        if as_json:
            print_json(decision)
        else:
            render_decision(decision, lang)
            console.print()
    if shown == 0:
        fail(Message("cli.no_decision", target=target,
                     what=f"案件 {claim} 的" if claim else "",
                     what_en=f" for claim {claim}" if claim else ""))


def _explain_stored(claim_id: str, lang: str, as_json: bool, db: str | None,
                    user: str | None) -> None:
    from adjudicator.roles import PermissionDenied
    from adjudicator.services.review import decision_json

    ctx = context(db, user)
    with refused(PermissionDenied):
        decision = decision_json(ctx, claim_id)
    if decision is None:
        fail(Message("cli.not_decided_anywhere", claim=claim_id))
    if as_json:
        print_json(decision)
    else:
        render_decision(decision, lang)
