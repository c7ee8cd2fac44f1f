"""The command line starts fast (commands imported when called, `--help` lists them from the
help lines kept in cli/main.py), migrates only in `init` and `demo`, and reports typer's usage
errors in Chinese unless `--lang en` or ADJUDICATOR_LANG=en asks for English."""

from __future__ import annotations

import datetime as dt
import inspect
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pytest
import typer
import typer.core
from typer.testing import CliRunner

from cli.main import COMMANDS, app, load_command

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def _modules_after(*args: str) -> set[str]:
    code = (f"import sys\nfrom cli.main import app\ntry:\n    app({list(args)!r})\n"
            "except SystemExit:\n    pass\nprint('\\n'.join(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    return set(done.stdout.split())


def test_help_imports_no_command_module_nor_the_engine() -> None:
    loaded = _modules_after("--help")
    commands = {name for name in loaded if name.startswith("cli.") and name.endswith("_cmd")}
    assert commands == set()
    assert not [name for name in loaded if name.startswith(("adjudicator.rules",
                                                            "adjudicator.storage",
                                                            "adjudicator.services",
                                                            "sqlalchemy", "polars",
                                                            "pandas", "pydantic",
                                                            "schemas.case",
                                                            "schemas.decision"))]


def test_a_command_imports_its_own_module_only() -> None:
    loaded = _modules_after("tariff", "--help")
    commands = {name for name in loaded if name.startswith("cli.") and name.endswith("_cmd")}
    assert commands == {"cli.tariff_cmd"}


#: What a group's own `--help` must not load: the services, the database, the engines and
#: the heavy libraries behind them (its commands import them when they run).
HEAVY = ("adjudicator.services", "adjudicator.storage", "adjudicator.rules",
         "adjudicator.intake", "adjudicator.feeds", "adjudicator.fund", "adjudicator.web",
         "adjudicator.documents", "sqlalchemy", "polars", "pandas", "numpy", "weasyprint",
         "matplotlib", "ruamel")
#: The groups whose `--help` lists their commands without loading any of that.
LAZY_GROUPS = ["verify", "calendar", "notice", "pay", "audit", "feed", "import", "user", "log"]


@pytest.mark.parametrize("group", LAZY_GROUPS)
def test_a_groups_help_imports_its_module_but_not_the_engine(group: str) -> None:
    loaded = _modules_after(group, "--help")
    commands = {name for name in loaded if name.startswith("cli.") and name.endswith("_cmd")}
    # the user group's password and unlock commands are cli.serve_cmd's (light as well)
    assert commands - {"cli.serve_cmd"} == {COMMANDS[group].target.partition(":")[0]}
    assert sorted(name for name in loaded if name.startswith(HEAVY)) == []


def test_the_tariff_groups_help_loads_the_rules_core_but_no_database() -> None:
    """The tariff commands read tariffs with the rules core (stdlib and schemas only) and
    label household categories from the document models: both light, kept at the top."""
    loaded = _modules_after("tariff", "--help")
    allowed = ("adjudicator.rules", "adjudicator.documents")
    assert sorted(name for name in loaded
                  if name.startswith(HEAVY) and not name.startswith(allowed)) == []


def test_the_help_lines_kept_are_the_commands_own() -> None:
    for name, lazy in COMMANDS.items():
        command = load_command(name)
        assert command.name == name
        text = command.short_help or command.help or ""
        first = inspect.cleandoc(text).split("\n\n")[0].strip()
        assert lazy.help == first, name


def test_help_lists_every_command_in_order() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    listed = [line.split()[1] for line in result.output.splitlines()
              if line.startswith("│ ") and line[2] != " " and line.split()[1] in COMMANDS]
    assert listed == list(COMMANDS)


def test_user_group_keeps_password_and_unlock() -> None:
    user = load_command("user")
    assert isinstance(user, typer.core.TyperGroup)
    assert list(user.commands)[-2:] == ["password", "unlock"]


def test_only_init_and_demo_migrate(tmp_path: Path) -> None:
    """Any other command refuses a database that is not ready, and leaves it untouched."""
    db = tmp_path / "empty.db"
    sqlite3.connect(db).close()
    result = runner.invoke(app, ["report", "--db", f"sqlite:///{db}", "--as", "sun"])
    assert result.exit_code != 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from sqlite_master").fetchone() == (0,)
    created = runner.invoke(app, ["init", "--db", f"sqlite:///{db}", "--admin", "sun",
                                  "--checkpoint-key", str(tmp_path / "key.pem")])
    assert created.exit_code == 0, created.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from sqlite_master where name = "
                            "'alembic_version'").fetchone() == (1,)


def _error(args: list[str], env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, args, env=env or {}, terminal_width=100)
    assert result.exit_code == 2, result.output
    return result.output


@pytest.mark.parametrize("args, expected", [
    (["tariff", "validate"], "缺少参数 'files'。"),
    (["tariff", "validate", "--nope", "x.toml"], "没有这个选项：--nope"),
    (["demo", "--households", "many"], "'--households' 的值无效：请填写整数"),
    (["demo", "--households", "3"], "'--households' 的值无效：不能小于 10"),
    (["no-such-command"], "没有这个命令：'no-such-command'。"),
    (["tarif"], "没有这个命令：'tarif'。您是不是要输入 'tariff'？"),
    (["evaluate", "--tariff"], "选项 '--tariff' 后面需要给出 1 个值。"),
    # 99999 workers started 99999 processes (the command hung); --chunk 0 decided nothing
    # and exited 0
    (["adjudicate", "--workers", "99999", "--as", "x"], "'--workers' 的值无效：不能大于 64"),
    (["evaluate", "x.jsonl", "-t", "t.toml", "--workers", "65"],
     "'--workers' 的值无效：不能大于 64"),
    (["adjudicate", "--chunk", "0", "--as", "x"], "'--chunk' 的值无效：不能小于 1"),
])
def test_usage_errors_are_chinese_by_default(args: list[str], expected: str) -> None:
    output = _error(args, {"ADJUDICATOR_LANG": ""})
    assert expected in output
    assert "Usage:" not in output and "Error" not in output and "Try " not in output


def test_usage_error_says_how_to_use_and_where_help_is() -> None:
    output = _error(["tariff", "validate"])
    assert "用法：adjudicator tariff validate [OPTIONS] {files}..." in output
    assert "查看帮助：adjudicator tariff validate --help" in output
    assert "─ 错误 ─" in output


@pytest.mark.parametrize("args, env", [
    (["--lang", "en", "tariff", "validate"], None),
    (["--lang=en", "tariff", "validate"], None),
    (["tariff", "validate"], {"ADJUDICATOR_LANG": "en"}),
])
def test_usage_errors_stay_english_for_developers(args: list[str],
                                                  env: dict[str, str] | None) -> None:
    output = _error(args, env)
    assert "Missing argument 'files'." in output
    assert "Usage: adjudicator tariff validate" in output
    assert "缺少" not in output


def test_a_mistyped_command_is_still_suggested_in_english() -> None:
    output = _error(["--lang", "en", "tarif"])
    assert "No such command 'tarif'. Did you mean 'tariff'?" in output


def test_english_bad_value_is_typers_own() -> None:
    output = _error(["--lang", "en", "demo", "--households", "3"])
    assert "Invalid value for '--households'" in output


def test_exit_status_and_results_are_unchanged() -> None:
    assert runner.invoke(app, ["--version"]).exit_code == 0
    assert runner.invoke(app, []).exit_code == 2  # the help, as before
    assert runner.invoke(app, ["tariff"]).exit_code == 2
    listed = runner.invoke(app, ["tariff", "list", "--shipped"])
    assert listed.exit_code == 0, listed.output


def test_an_earlier_lang_en_does_not_leak_into_the_next_usage_error() -> None:
    """The language of a usage error comes from its own command line and environment, not
    from what an earlier run in the same process chose."""
    earlier = runner.invoke(app, ["--lang", "en", "tariff", "list", "--shipped"],
                            env={"ADJUDICATOR_LANG": ""})
    assert earlier.exit_code == 0, earlier.output
    output = _error(["--nope"], {"ADJUDICATOR_LANG": ""})
    assert "没有这个选项：--nope" in output


def _typers_errors() -> list[tuple[list[str], object]]:
    """What typer itself raises for bad paths, files and dates (no command of ours asks typer
    to check a path today, but a new one may): each command line with its exception."""
    from typer._click.exceptions import ClickException

    probe = typer.Typer()

    @probe.command()
    def command(
            file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
            folder: Annotated[Path | None, typer.Option(exists=True, file_okay=False)] = None,
            text: Annotated[typer.FileText | None, typer.Option()] = None,
            day: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
    ) -> None:
        with open(file, "rb"):
            pass

    click_command = typer.main.get_command(probe)
    found = []
    for args in (["/no/such/file"], ["/"], [__file__, "--folder", __file__],
                 [__file__, "--folder", "/no/such/folder"], [__file__, "--text", "/"],
                 [__file__, "--text", "/no/such/file"], [__file__, "--day", "2026-02-30"],
                 [__file__, "--day", "2026-13"]):
        try:
            click_command.main(args, standalone_mode=False)
        except ClickException as exc:
            found.append((args, exc))
    return found


def test_typers_path_file_and_date_errors_are_worded_in_chinese() -> None:
    """typer's own words for a path that is not there or not as asked, a file it cannot open
    and a date not in its format ("file '/no/such/file' does not exist.", "'/': Is a
    directory", "Value error, '2026-02-30' does not match the formats '%Y-%m-%d'.") were
    shown in English inside the Chinese line."""
    import re

    from cli.usage import usage_message

    found = _typers_errors()
    assert len(found) == 8
    said = {" ".join(args): usage_message(exc, "zh") for args, exc in found}  # type: ignore
    assert said["/no/such/file"] == "'file' 的值无效：'/no/such/file' 不存在"
    assert said["/"] == "'file' 的值无效：'/' 是文件夹，这里要的是文件"
    assert said[f"{__file__} --folder {__file__}"].endswith("是文件，这里要的是文件夹")
    assert said[f"{__file__} --text /"] == "'--text' 的值无效：无法打开 '/'（这是一个文件夹）"
    assert said[f"{__file__} --text /no/such/file"].endswith("（文件或文件夹不存在）")
    assert said[f"{__file__} --day 2026-02-30"] == (
        "'--day' 的值无效：'2026-02-30' 不是有效的日期，应为 'YYYY-MM-DD'（如 2026-03-01）")
    for text in said.values():
        without_paths = re.sub(r"'[^']*'", "", text)
        assert re.search(r"[A-Za-z]{2,}", without_paths) is None, text


def test_a_date_not_on_the_calendar_is_named_in_chinese() -> None:
    output = _error(["calendar", "day-off", "add", "2026-02-30", "--as", "x"],
                    {"ADJUDICATOR_LANG": ""})
    assert "'day' 的值无效：'2026-02-30' 不是有效的日期，应为 'YYYY-MM-DD'" in output
    english = _error(["--lang", "en", "calendar", "day-off", "add", "2026-13-01"])
    assert "does not match the" in english and "不是有效的日期" not in english


@pytest.mark.parametrize("url, said", [
    ("nonsense", "数据库地址无法识别：应为 sqlite:///文件名.db 或 postgresql://用户@主机/库名"),
    ("postgresql://u:secret@h:notaport/db", "数据库地址无法识别"),
    ("mysql://u@h/db", "不支持 mysql 数据库"),
    ("sqlite://", "SQLite 数据库地址须给出文件"),
])
def test_a_database_url_that_cannot_be_used_is_refused_in_one_line(url: str, said: str,
                                                                  tmp_path: Path) -> None:
    """An unreadable --db stopped `report` and `init` with SQLAlchemy's ArgumentError (or a
    ValueError for a port that is not a number) traceback; an in-memory SQLite database let
    `init` migrate a database gone at once, then fail with 'no such table'. The URL is not
    repeated: it may hold a password."""
    for args in (["report", "--as", "sun"],
                 ["init", "--checkpoint-key", str(tmp_path / "k.pem")]):
        result = runner.invoke(app, [*args, "--db", url], env={"ADJUDICATOR_LANG": ""})
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert result.output.startswith("错误：") and said in result.output, result.output
        assert "secret" not in result.output


def test_a_database_not_ready_is_refused_in_english_under_lang_en(tmp_path: Path) -> None:
    """--lang en is for developers: the database's refusals were Chinese whatever it asked."""
    cases = [("nonsense", "error: the database URL cannot be read: it should be "
                          "sqlite:///file.db or postgresql://user@host/database"),
             (f"sqlite:///{tmp_path / 'typo.db'}", "error: database sqlite:///"
                                                  f"{tmp_path / 'typo.db'} does not exist")]
    for url, said in cases:
        result = runner.invoke(app, ["--lang", "en", "report", "--as", "sun", "--db", url])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert result.output.startswith(said), result.output
        assert not any("\u4e00" <= char <= "\u9fff" for char in result.output), result.output
    assert not (tmp_path / "typo.db").exists()


@pytest.mark.parametrize("args", [
    ["report", "--year", "-1"], ["calendar", "show", "0"],
    ["fund", "status", "--year", "20260"], ["whatif", "--tariff", "t.toml", "--year", "1999"],
])
def test_a_year_out_of_the_programs_years_is_a_usage_error(args: list[str]) -> None:
    """`report --year -1` and `calendar show 0` answered for a year no claim can have."""
    year = args[-1]
    output = _error([*args, "--as", "x"], {"ADJUDICATOR_LANG": ""})
    assert f"年份应在 2000 至 2100 之间，不能是 {year}" in output, output
    english = _error(["--lang", "en", *args, "--as", "x"])
    assert f"a year from 2000 to 2100, not {year}" in english, english


def test_init_refuses_a_database_in_a_folder_that_is_not_there(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "--db", f"sqlite:///{tmp_path / 'no' / 'a.db'}",
                                 "--checkpoint-key", str(tmp_path / "k.pem")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert f"数据库文件夹 {tmp_path / 'no'} 不存在" in result.output


def test_init_refuses_a_checkpoint_key_that_is_not_a_key_before_making_the_database(
        tmp_path: Path) -> None:
    """--checkpoint-key naming a folder or another file was reported 沿用 (kept) as if it were
    the county's key; beneath a file it stopped with a traceback after the database was made.
    Now one line each, and no database."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    db = tmp_path / "a.db"
    for key, said in ((tmp_path, f"无法读取签名私钥 {tmp_path}（这是一个文件夹"),
                      (blocker, f"{blocker} 不是签名私钥"),
                      (blocker / "k.pem", f"无法写入签名私钥 {blocker / 'k.pem'}")):
        result = runner.invoke(app, ["init", "--db", f"sqlite:///{db}", "--checkpoint-key",
                                     str(key)])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert result.output.startswith("错误：" + said), result.output
        assert "沿用" not in result.output and not db.exists()
    done = runner.invoke(app, ["init", "--db", f"sqlite:///{db}", "--checkpoint-key",
                               str(tmp_path / "k.pem")])
    assert done.exit_code == 0, done.output
    public = tmp_path / "k.pub.pem"
    not_public = runner.invoke(app, ["log", "verify", "--db", f"sqlite:///{db}", "--as",
                                     "admin", "--checkpoint", str(blocker), "--public-key",
                                     str(blocker)])
    assert not_public.exit_code == 1 and f"{blocker} 不是公钥" in not_public.output
    assert public.is_file()


@pytest.mark.parametrize("port", ["99999", "-1", "0"])
def test_serve_refuses_a_port_no_socket_takes_before_starting(port: str) -> None:
    """`serve --port 99999` started the server, which then stopped with an OverflowError
    traceback (bind(): port must be 0-65535) in the log and on the screen."""
    result = runner.invoke(app, ["serve", "--port", port], env={"ADJUDICATOR_LANG": ""})
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output.strip() == f"错误：--port 应为 1 至 65535，不能是 {port}"
