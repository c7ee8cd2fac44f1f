"""Usage errors (a missing argument, an unknown option, a bad value) in the reader's language.

Typer words them in English. The county office reads Chinese, so `adjudicator` reports them in
Chinese from the catalogue (`usage.*` in adjudicator.messages) unless `--lang en` or
ADJUDICATOR_LANG=en asks for English, which keeps typer's own report word for word. A bad
value is worded by the pydantic error behind it (`validation_reason`), never by matching
English text where a structured error exists.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    ClickException,
    FileError,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer.exceptions import Abort

from adjudicator.messages import LANGS, Message, os_reason, validation_reason

#: Chinese names of the value types typer checks
KINDS = {"int": "整数", "integer": "整数", "float": "数", "bool": "是/否", "boolean": "是/否",
         "Path": "路径", "date": "日期", "datetime": "日期时间", "Decimal": "小数"}


def lang_of(argv: Sequence[str]) -> str:
    """The language a command line asked for: its last --lang (zh or en), else
    ADJUDICATOR_LANG, else Chinese."""
    chosen: str | None = None
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            chosen = argv[index + 1]
        elif arg.startswith("--lang="):
            chosen = arg.partition("=")[2]
    if chosen is None:
        chosen = os.environ.get("ADJUDICATOR_LANG", "")
    chosen = chosen.strip().lower()
    return chosen if chosen in LANGS else "zh"


def _hint(exc: BadParameter) -> str | None:
    hint: Any = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint()
    if hint is not None and not isinstance(hint, str):
        hint = " / ".join(repr(part) for part in hint)
    return None if hint is None else str(hint)


#: What typer says of a path that is there but not as asked (a file where a folder is wanted,
#: no permission): the catalogue's key for each.
PATH_PROBLEMS = {"does not exist": "usage.no_such_path", "is a file": "usage.is_file",
                 "is a directory": "usage.is_folder", "is not readable": "usage.not_readable",
                 "is not writable": "usage.not_writable"}
#: strftime's fields as a person writes a date (%Y-%m-%d: YYYY-MM-DD).
DATE_FIELDS = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%H": "HH", "%M": "mm", "%S": "ss"}


def _date_format(formats: str) -> str:
    for field, shown in DATE_FIELDS.items():
        formats = formats.replace(field, shown)
    return formats


def _value_text(text: str, lang: str) -> str | None:
    """A type's own English complaint about a value, worded from its fixed shape."""
    text = text.removeprefix("Value error, ")
    if match := re.fullmatch(r"(.+) is not one of (.+)\.", text, re.S):
        return Message("usage.not_one_of", value=match[1], choices=match[2]).render(lang)
    problems = "|".join(PATH_PROBLEMS)
    if match := re.fullmatch(rf"(?:[Ff]ile|[Dd]ir|[Dd]irectory|[Pp]ath) (.+) ({problems})\.",
                             text, re.S):
        return Message(PATH_PROBLEMS[match[2]], value=match[1]).render(lang)
    if match := re.fullmatch(r"Value (.+) is not a valid (\w+)\.", text, re.S):
        return Message("usage.not_valid", value=match[1],
                       kind=KINDS.get(match[2], match[2])).render(lang)
    if match := re.fullmatch(r"(.+) does not match the formats? (.+)\.", text, re.S):
        return Message("usage.not_date", value=match[1],
                       formats=_date_format(match[2])).render(lang)
    if text == "Value must be an iterable.":
        return Message("usage.not_list").render(lang)
    return None


def _cannot_open(exc: ClickException, lang: str) -> str | None:
    """A file typer opened for the command and could not (its OSError behind the error)."""
    cause = exc.__cause__
    if not isinstance(cause, OSError):
        return None
    name = getattr(exc, "filename", None) or cause.filename
    return Message("usage.cannot_open", value=repr(str(name)),
                   reason=os_reason(cause)).render(lang)


def _reason(exc: BadParameter, lang: str) -> str:
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        found = errors()
        if found:
            error = found[0]
            if error.get("type") == "value_error":
                worded = _value_text(str(error.get("msg", "")), lang)
                if worded:
                    return worded
            return validation_reason(error, lang)
    return _cannot_open(exc, lang) or _value_text(exc.message, lang) or exc.message


def usage_message(exc: ClickException, lang: str) -> str:
    """What went wrong, in `lang` (the body of the error panel)."""
    if isinstance(exc, MissingParameter):
        hint = _hint(exc)
        kind = exc.param_type or (exc.param.param_type_name if exc.param else None)
        key = {"argument": "usage.missing_argument", "option": "usage.missing_option"}.get(
            kind or "", "usage.missing_parameter")
        text = Message(key, name=hint or "").render(lang)
        extra = exc.param.get_missing_message(ctx=exc.ctx) if exc.param is not None else None
        if extra and extra.startswith("Choose from:"):
            choices = ", ".join(part.strip(" \t,") for part in extra.splitlines()[1:])
            text += " " + Message("usage.choose_from", choices=choices).render(lang)
        return text
    if isinstance(exc, BadParameter):
        hint = _hint(exc)
        reason = _reason(exc, lang)
        if hint is None:
            return Message("usage.invalid", reason=reason).render(lang)
        return Message("usage.invalid_value", name=hint, reason=reason).render(lang)
    if isinstance(exc, NoSuchOption):
        text = Message("usage.no_such_option", name=exc.option_name).render(lang)
        if exc.possibilities:
            text += Message("usage.possible_options",
                            options=", ".join(sorted(exc.possibilities))).render(lang)
        return text
    message = exc.message
    if isinstance(exc, BadOptionUsage):
        if match := re.fullmatch(r"Option (.+) requires (an|\d+) arguments?\.", message):
            count = "1" if match[2] == "an" else match[2]
            return Message("usage.needs_value", name=match[1], count=count).render(lang)
        if match := re.fullmatch(r"Option (.+) does not take a value\.", message):
            return Message("usage.takes_no_value", name=match[1]).render(lang)
    if match := re.fullmatch(r"No such command (.+?)\.(?: Did you mean (.+)\?)?", message):
        text = Message("usage.no_such_command", name=match[1]).render(lang)
        if match[2]:
            text += Message("usage.did_you_mean", names=match[2]).render(lang)
        return text
    if isinstance(exc, FileError):
        return _cannot_open(exc, lang) or Message(
            "usage.cannot_open", value=repr(exc.ui_filename), reason=message).render(lang)
    if match := re.fullmatch(r"Argument (.+) takes (\d+) values\.", message):
        return Message("usage.argument_values", name=match[1], count=match[2]).render(lang)
    if message == "Missing command.":
        return Message("usage.missing_command").render(lang)
    if match := re.fullmatch(r"Got unexpected extra arguments? \((.*)\)", message, re.S):
        return Message("usage.extra_arguments", args=match[1]).render(lang)
    return Message("usage.other", detail=message).render(lang)


def show_usage_error(exc: ClickException, lang: str) -> None:
    """Print a usage error as typer lays it out (usage line, where to find help, the error
    in a box), worded in `lang`: English is typer's own report."""
    from typer import rich_utils

    if lang != "zh" or isinstance(exc, NoArgsIsHelpError):
        rich_utils.rich_format_error(exc)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.panel import Panel

    console = Console(stderr=True, highlight=False)
    ctx = exc.ctx if isinstance(exc, UsageError) else None
    if ctx is not None:
        usage = ctx.get_usage().removeprefix("Usage: ")
        console.print(escape(Message("usage.usage", usage=usage).render(lang)))
        if ctx.command.get_help_option(ctx) is not None:
            console.print(escape(Message("usage.try_help", command=ctx.command_path,
                                         option=ctx.help_option_names[0]).render(lang)),
                          style="dim")
    console.print(Panel(escape(usage_message(exc, lang)), border_style="red",
                        title=Message("usage.title").render(lang), title_align="left"))


def run_reporting_usage_errors(run: Callable[[list[str]], Any],
                               args: Sequence[str] | None) -> NoReturn:
    """Run the application (`run(argv)`, typer's main without its own error handling) and
    exit as typer does, with usage errors worded in the language the command line chose."""
    argv = list(sys.argv[1:] if args is None else args)
    try:
        code = run(argv)
    except ClickException as exc:
        show_usage_error(exc, lang_of(argv))
        sys.exit(exc.exit_code)
    except Abort:
        sys.stderr.write(Message("usage.aborted").render(lang_of(argv)) + "\n")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)  # an int: typer's exit before any command

