"""The `adjudicator` typer application: every command parses, calls the engine, prints."""

from __future__ import annotations

from typing import Annotated

import typer

from adjudicator.rules.version import ENGINE_VERSION
from cli import claims_cmd, demo_cmd, import_cmd, notice_cmd, serve_cmd, system_cmd, tariff_cmd
from cli.common import LangOption, choose_lang
from cli.evaluate_cmd import evaluate
from cli.explain_cmd import explain

app = typer.Typer(
    name="adjudicator",
    help="防贫保理算引擎 — claims adjudication for the anti-poverty insurance fund.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"adjudicator {ENGINE_VERSION}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the engine version and exit.")] = False,
    lang: Annotated[str | None, LangOption] = None,
) -> None:
    """防贫保理算引擎 — claims adjudication for the anti-poverty insurance fund."""
    choose_lang(lang, command=False)


app.command()(evaluate)
app.command()(explain)
app.command()(system_cmd.init)
app.command()(claims_cmd.adjudicate)
app.command()(claims_cmd.replay)
app.command()(claims_cmd.report)
app.command()(demo_cmd.demo)
app.command()(serve_cmd.serve)
system_cmd.user_app.command("password")(serve_cmd.set_password)
system_cmd.user_app.command("unlock")(serve_cmd.unlock)
app.add_typer(tariff_cmd.app, name="tariff")
app.add_typer(import_cmd.app, name="import")
app.add_typer(claims_cmd.review_app, name="review")
app.add_typer(notice_cmd.app, name="notice")
app.add_typer(system_cmd.user_app, name="user")
app.add_typer(system_cmd.log_app, name="log")
app.add_typer(__import__("cli.verify_cmd", fromlist=["app"]).app, name="verify")
app.add_typer(__import__("cli.audit_cmd", fromlist=["app"]).app, name="audit")
app.add_typer(__import__("cli.calendar_cmd", fromlist=["app"]).app, name="calendar")
app.add_typer(__import__("cli.fund_cmd", fromlist=["app"]).app, name="fund")
app.command("whatif")(__import__("cli.fund_cmd", fromlist=["whatif"]).whatif)
app.add_typer(__import__("cli.feed_cmd", fromlist=["app"]).app, name="feed")
app.add_typer(__import__("cli.pay_cmd", fromlist=["app"]).app, name="pay")
