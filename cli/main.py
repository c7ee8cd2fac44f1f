"""The `adjudicator` typer application: every command parses, calls the engine, prints.

Commands are imported when they are called, not when the program starts: `COMMANDS` names
each command's module and keeps its help line, so `adjudicator --help` lists every command
without importing one (the database, the web app and the rules core stay unloaded), and
`adjudicator tariff validate` imports the tariff commands alone. A test checks the help lines
kept here against the commands' own.

Usage errors (a missing argument, an unknown option, a bad value) are reported in Chinese
unless `--lang en` or ADJUDICATOR_LANG=en asks for English (`cli.usage`).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from difflib import get_close_matches
from typing import Annotated, Any, NamedTuple

import typer
import typer.core
from typer import _click
from typer._click.exceptions import UsageError

from cli.common import LangOption, choose_lang


class Lazy(NamedTuple):
    """Where a command lives (`module:attribute`: a function, or a typer app for a group)
    and the help line `adjudicator --help` shows for it."""

    target: str
    help: str


#: Every command of `adjudicator`, in the order `--help` lists them.
COMMANDS: dict[str, Lazy] = {
    "evaluate": Lazy("cli.evaluate_cmd:evaluate", "理算：按保障方案逐案理算，每案一行理算结论 "
                     "JSON，顺序同输入。\nAdjudicate cases against a tariff: one decision JSON "
                     "line per case, in input order."),
    "explain": Lazy("cli.explain_cmd:explain", "说明理算结论：原因、每条规则、分段明细，中文或"
                    "英文。\nExplain decisions in plain Chinese or English: reasons, every rule, "
                    "band breakdown."),
    "init": Lazy("cli.system_cmd:init", "初始化：建数据库、首个管理员、自带保障方案和签名"
                 "密钥。\nCreate or migrate the database, create the first "
                 "admin, load the shipped tariffs, and\ncreate the county office's checkpoint "
                 "signing key (a file, never in the database)."),
    "adjudicate": Lazy("cli.claims_cmd:adjudicate", "理算：逐户按事件顺序理算所有已核查的案件。"
                       "\nDecide every claim that is ready (verified), household by household, "
                       "in event order."),
    "replay": Lazy("cli.claims_cmd:replay", "重算：按案件快照和保障方案重跑已存的理算结论，"
                   "报告差异。\nRe-run stored decisions from their case snapshots and tariffs; "
                   "report differences."),
    "report": Lazy("cli.claims_cmd:report", "统计：按类别、户类别、乡镇和月份统计户数、人数、"
                   "案件数和金额。\nHouseholds, persons, claims and amounts by category, "
                   "household category, township\nand month."),
    "demo": Lazy("cli.demo_cmd:demo", "演示：生成一个逼真的模拟县，在 SQLite 上走完整个流程。"
                 "\nGenerate a realistic synthetic county and run the whole workflow on "
                 "SQLite."),
    "serve": Lazy("cli.serve_cmd:serve", "启动网页端（核查员和县乡村振兴局的页面，/api/v1 下的 "
                  "JSON 接口）。\nStart the web app (pages for verifiers and officers, JSON "
                  "API under /api/v1)."),
    "whatif": Lazy("cli.fund_cmd:whatif", "测算：按保障方案草案重新理算当年已存案件，"
                   "看要花多少钱；只读。\nWhat a draft tariff would cost, re-deciding the "
                   "year's stored claims. Read-only."),
    "tariff": Lazy("cli.tariff_cmd:app", "保障方案：查看已存（或自带）的方案，校验、载入、停用。\n"
                   "Tariff tables: list and show the stored (or shipped) ones, validate, load and "
                   "retire."),
    "import": Lazy("cli.import_cmd:app", "导入户、申请、入户核查或部门数据；错行写入错误报告。\n"
                   "Import households, claims, verifications or department data from CSV (UTF-8 "
                   "or GBK), XLSX or JSON Lines; bad rows go to an error report."),
    "review": Lazy("cli.claims_cmd:review_app", "待人工审核：查看、批准、驳回（审批分离）。\n"
                   "The pend queue: list, approve, deny (maker-checker)."),
    "notice": Lazy("cli.notice_cmd:app", "公示：发布、查看、异议、结束公示。\n"
                   "Public notices (公示): create, list, object, close."),
    "user": Lazy("cli.system_cmd:user_app", "用户及其角色。\n"
                 "Users and their roles."),
    "log": Lazy("cli.system_cmd:log_app", "审计日志（哈希链事件日志）。\n"
                "The audit trail (hash-chained event log)."),
    "verify": Lazy("cli.verify_cmd:app", "入户核查：派单、查看、打印和录入入户核查。\n"
                   "Assign, list, print and record household verifications."),
    "audit": Lazy("cli.audit_cmd:app", "抽样复核：入户核查的抽样复核。\n"
                  "Sampling audits of household verifications."),
    "calendar": Lazy("cli.calendar_cmd:app", "节假日：核查时限用的工作日日历"
                     "（法定节假日、调休、县定放假日）。\n"
                     "The working-day calendar of verification deadlines (official holidays, 调休 "
                     "working days, the county's own days off)."),
    "fund": Lazy("cli.fund_cmd:app", "资金：保费到账、资金台账、年度核算。\n"
                 "The fund: premium receipts, the ledger, the annual settlement."),
    "feed": Lazy("cli.feed_cmd:app", "部门数据月报：导入、预警推送名单、乡镇初筛、月度报告。\n"
                 "Monthly department feeds (医保、应急、教育、民政): import, warning lines and "
                 "the push list, the township's screening, the monthly report."),
    "pay": Lazy("cli.pay_cmd:app", "兑现：兑现应付案件，生成银行代发清单，核对银行回盘文件。\n"
                "Pay payable claims, write the bank's register, reconcile the bank's return "
                "file."),
}


#: typer's own options and the titles of its help's panels, worded in English by typer.
TYPER_WORDS = {
    "help": "显示本帮助后退出。\n\nShow this message and exit.",
    "install_completion": "为当前 shell 安装命令补全。\n\nInstall completion for the current "
                          "shell.",
    "show_completion": "显示命令补全脚本，可复制后自行安装。\n\nShow completion "
                       "for the current shell, to copy it or customize the installation.",
}
PANEL_TITLES = {"ARGUMENTS_PANEL_TITLE": "参数 Arguments", "OPTIONS_PANEL_TITLE": "选项 Options",
                "COMMANDS_PANEL_TITLE": "命令 Commands"}


def word_typer_options(command: _click.Command) -> None:
    """typer's own options of `command` and of every command below it (--help, the shell
    completion's) in the project's words, Chinese first; their help drawn under Chinese
    panel titles."""
    for param in command.get_params(_click.Context(command)):
        if param.name in TYPER_WORDS:
            param.help = TYPER_WORDS[param.name]  # type: ignore[attr-defined]
    drawn = command.format_help

    def format_help(ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        _title_panels()
        drawn(ctx, formatter)

    command.format_help = format_help  # type: ignore[method-assign]
    for sub in getattr(command, "commands", {}).values():
        word_typer_options(sub)


def _title_panels() -> None:
    from typer import rich_utils  # imported only when a help is drawn

    for name, title in PANEL_TITLES.items():
        setattr(rich_utils, name, title)


def load_command(name: str) -> _click.Command:
    """The click command `adjudicator NAME` runs, its module imported now."""
    module, _, attribute = COMMANDS[name].target.partition(":")
    target = getattr(importlib.import_module(module), attribute)
    holder = typer.Typer()
    holder.callback()(lambda: None)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    group = typer.main.get_command(holder)
    assert isinstance(group, typer.core.TyperGroup)
    command = group.commands[name]
    word_typer_options(command)
    return command


class LazyGroup(typer.core.TyperGroup):
    """The root command: lists the commands from `COMMANDS`, imports one when it runs, and
    words usage errors in the chosen language."""

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return [*super().list_commands(ctx), *COMMANDS]

    def get_params(self, ctx: _click.Context) -> list[_click.Parameter]:
        params = super().get_params(ctx)
        for param in params:
            if param.name in TYPER_WORDS:
                param.help = TYPER_WORDS[param.name]  # type: ignore[attr-defined]
        return params

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        _title_panels()
        super().format_help(ctx, formatter)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        """A command for the help listing: its name and help line, nothing imported."""
        if cmd_name in COMMANDS:
            return typer.core.TyperCommand(name=cmd_name, help=COMMANDS[cmd_name].help)
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: _click.Context, args: list[str]
                        ) -> tuple[str | None, _click.Command | None, list[str]]:
        try:
            name, command, rest = super().resolve_command(ctx, args)
        except UsageError as exc:  # typer suggests from the commands it holds: none here
            close = get_close_matches(args[0], list(COMMANDS)) if args else []
            if self.suggest_commands and close and "Did you mean" not in exc.message:
                names = ", ".join(repr(match) for match in close)
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {names}?"
            raise
        if name in COMMANDS:
            command = load_command(name)
        return name, command, rest

    def invoke(self, ctx: _click.Context) -> Any:
        """Run the command; its exit status leaves as SystemExit (typer's main, run without
        its own error handling, would return it like a command's result). A file the command
        could not read or write (an --out beneath a file, a folder given as a file, no
        permission) stops it in one line naming the file, never a traceback."""
        try:
            try:
                super().invoke(ctx)
            except OSError as exc:
                if exc.filename is None:
                    raise
                from adjudicator.messages import Message, os_reason
                from cli.common import fail

                fail(Message("cli.file_error", path=exc.filename, reason=os_reason(exc)))
        except typer.Exit as exc:
            raise SystemExit(exc.exit_code) from None
        return None

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode,
                                windows_expand_args, **extra)
        from cli.usage import run_reporting_usage_errors

        return run_reporting_usage_errors(
            lambda argv: super(LazyGroup, self).main(
                argv, prog_name, complete_var, False, windows_expand_args, **extra), args)


app = typer.Typer(
    name="adjudicator",
    help="防贫保理算引擎：防贫保险基金的理赔理算。\nClaims adjudication for the anti-poverty "
    "insurance fund.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    cls=LazyGroup,
)


def _version(value: bool) -> None:
    if value:
        from adjudicator.rules.version import ENGINE_VERSION

        typer.echo(f"adjudicator {ENGINE_VERSION}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="显示引擎版本后退出。\n\n"
                                               "Print the engine version and exit.")] = False,
    lang: Annotated[str | None, LangOption] = None,
) -> None:
    """防贫保理算引擎：防贫保险基金的理赔理算。Claims adjudication for the anti-poverty insurance
    fund."""
    choose_lang(lang, command=False)
