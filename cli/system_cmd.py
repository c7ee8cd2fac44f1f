"""`adjudicator init`, `user`, `log verify`, `log history`: setting up and checking the system
of record."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column

from adjudicator.messages import Message, Tally, current_lang
from adjudicator.roles import PermissionDenied, Role
from cli.common import (
    AsOption,
    DbOption,
    JsonOption,
    console,
    context,
    err_console,
    fail,
    file_problems,
    not_over_inputs,
    print_json,
    print_table,
    refused,
    worded_table,
)
from cli.serve_cmd import set_password, unlock
from schemas.vocabulary import ANSWERS, EVENT_KINDS, ROLES, Words, word
from tariffs import shipped_tariff_paths

KeyOption = typer.Option("--checkpoint-key", envvar="ADJUDICATOR_CHECKPOINT_KEY",
                         help="签检查点用的 Ed25519 私钥文件"
                              "（默认：当前目录的 checkpoint-key.pem）。\n\n"
                              "The Ed25519 private key file that signs checkpoints "
                              "(default: checkpoint-key.pem here).", show_envvar=True)
PublicKeyOption = typer.Option("--public-key", help="检查点密钥的公钥"
                               "（默认：私钥旁的 *.pub.pem）。"
                               "\n\nThe checkpoint key's public half "
                               "(default: beside the private key, *.pub.pem).")
user_app = typer.Typer(help="用户及其角色。\n"
                       "Users and their roles.", no_args_is_help=True)
log_app = typer.Typer(help="审计日志（哈希链事件日志）。\n"
                      "The audit trail (hash-chained event log).", no_args_is_help=True)


def init(
    db: Annotated[str | None, DbOption] = None,
    admin: Annotated[str, typer.Option("--admin", help="首个管理员的用户名，数据库中没有用户时"
                                                       "创建。\n\nId of the first admin user, creat"
                                                       "ed "
                                                       "when the database has no user.")]
    = "admin",
    checkpoint_key: Annotated[Path | None, KeyOption] = None,
) -> None:
    """初始化：建数据库、首个管理员、自带保障方案和签名密钥。
    Create or migrate the database, create the first admin, load the shipped tariffs, and
    create the county office's checkpoint signing key (a file, never in the database)."""
    from sqlalchemy.exc import SQLAlchemyError

    from adjudicator.checkpoint import CheckpointError, create_key, public_path
    from adjudicator.rules.tariff import TariffError
    from adjudicator.services.tariffs import load_tariff_file
    from adjudicator.services.users import UserRefused, bootstrap_admin, check_user
    from adjudicator.storage.context import Context, DatabaseNotReady, connect
    from adjudicator.storage.db import database_url

    with refused(UserRefused):
        check_user(admin, [])
    with refused(CheckpointError):  # first: a key that cannot be made stops before the database
        key, made = create_key(checkpoint_key)
    url = database_url(db)
    try:
        engine, factory = connect(url, create=True)
    except DatabaseNotReady as exc:
        fail(exc)
    except SQLAlchemyError as exc:  # a server that does not answer, a file it cannot create
        fail(Message("cli.no_database", reason=str(getattr(exc, "orig", None) or exc)
                     .splitlines()[0]))
    system = Context(engine, factory, admin, "admin")
    created = bootstrap_admin(system, admin, "管理员")
    loaded = []
    for path in shipped_tariff_paths():
        try:
            record, new = load_tariff_file(system, path)
        except TariffError as exc:
            fail(Message("cli.tariff_invalid", detail=file_problems(exc)))
        loaded.append(Message("init.tariff_loaded" if new else "init.tariff_kept",
                              tariff=record.tariff_id))
    console.print(Message("init.ready", url=engine.url.render_as_string(hide_password=True)),
                  highlight=False)
    if created:
        console.print(Message("init.admin", admin=admin), highlight=False)
    console.print(Message("init.tariffs", tariffs=Tally((words, None) for words in loaded)),
                  highlight=False)
    console.print(Message("init.key_created" if made else "init.key_kept", path=key,
                          public=public_path(key)), highlight=False)


@user_app.command("add")
def user_add(
    user_id: Annotated[str, typer.Argument(help="新用户的用户名。\n\nThe new user's id.")],
    role: Annotated[Role, typer.Option("--role", help="角色：核查员 verifier、\n\n"
                                                      "保险公司主管 supervisor、\n\n"
                                                      "县乡村振兴局 officer、\n\n"
                                                      "审计 auditor 或管理员 admin。\n\n"
                                                      "verifier, supervisor, officer, "
                                                      "auditor or admin.")],
    name: Annotated[str, typer.Option("--name", help="显示的姓名。\n\nDisplay name.")] = "",
    townships: Annotated[str, typer.Option("--townships", help="负责的乡镇代码，\n\n"
                                                               "逗号分隔（核查员）。\n\n"
                                                               "Comma-separated township "
                                                               "codes (verifiers).")] = "",
    max_open: Annotated[int, typer.Option("--max-open", help="工作量上限：\n\n未完成的派单数。\n\n"
                                                             "Workload limit: open "
                                                             "assignments.")] = 20,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """添加用户（仅管理员）。
    Add a user (admin only)."""
    from adjudicator.services.users import add_user

    ctx = context(db, user)
    with refused(PermissionDenied, ValueError):
        add_user(ctx, user_id, role.value, name or user_id,
                 [t for t in townships.split(",") if t], max_open)
    console.print(Message("user.ready", user=user_id,
                          role=ROLES.get(role.value, Words(role.value, role.value))),
                  highlight=False)


@user_app.command("list")
def user_list(
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """用户及其角色。
    The users and their roles."""
    from adjudicator.services.users import list_users

    ctx = context(db, user)
    users = list_users(ctx)
    if as_json:
        print_json([{"user_id": u.user_id, "role": u.role, "name": u.display_name,
                     "townships": u.townships, "active": u.active} for u in users])
        return
    table = worded_table("col.user", "col.role", "col.name", "col.townships", "col.active")
    lang = current_lang()
    for u in users:
        table.add_row(u.user_id, word(ROLES, u.role, lang), u.display_name,
                      ",".join(u.townships), ANSWERS[bool(u.active)].text(lang))
    print_table(table)


@log_app.command("verify")
def log_verify(
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
    checkpoint: Annotated[Path | None, typer.Option(
        "--checkpoint", help="签名检查点（由 log checkpoint 写出）："
                             "证明日志是它的延续（之前的没有改写）。\n\n"
                             "A signed checkpoint written by 'log checkpoint': prove the log "
                             "extends it (nothing before it rewritten).")] = None,
    public_key: Annotated[Path | None, PublicKeyOption] = None,
) -> None:
    """核对日志：哈希链、兑现和报告用到的金额与状态、检查点。
    Check the whole hash chain (naming the first edited, deleted or reordered event),
    then every stored amount and status that pays or reports against what the chain
    recorded (naming table, row and column), and the log against a checkpoint.

    指出第一条被改、删或调序的事件，以及与链上记录不符的表、行、列。"""
    from adjudicator.services.integrity import verify_records
    from adjudicator.storage.events import verify_chain

    ctx = context(db, user)
    with refused(PermissionDenied):
        ctx.require("log.verify")
    with ctx.factory() as session:
        checked, problem = verify_chain(session)
        records = verify_records(session) if problem is None else []
        extends = None
        if checkpoint is not None and problem is None:
            from adjudicator.checkpoint import CheckpointError, verify_checkpoint

            with refused(CheckpointError):
                extends = verify_checkpoint(session, checkpoint, public_key)
    if as_json:
        print_json({"checked": checked, "ok": problem is None and not records,
                    "first_bad_seq": problem.seq if problem else None,
                    "problem": problem.problem if problem else None,
                    "records": [{"table": r.table, "row": r.row, "column": r.column,
                                 "chain": r.chain, "stored": r.stored} for r in records],
                    "checkpoint": None if extends is None else extends.as_dict()})
    if problem is not None:
        fail(Message("cli.chain_broken", seq=problem.seq, problem=problem.problem,
                     checked=checked))
    if records:
        for r in records:
            err_console.print(f"  {r.message()}", highlight=False)
        fail(Message("log.records_differ", checked=checked, count=len(records)))
    if not as_json:
        console.print(Message("log.intact", checked=checked), highlight=False)
        if extends is not None:
            console.print(extends.message(), highlight=False)


@log_app.command("history")
def log_history(
    entity_id: Annotated[str, typer.Argument(help="案件、户、成员（户/成员）或导入批次。\n\n"
                                             "A claim, a household, a member "
                                             "(household/member) or an import batch.")],
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """审计日志中关于某一对象的全部记录，按顺序：
    它自己的事件和提到它的导入行。
    Everything the audit trail records about one entity, in order: its own events and
    the rows of imports that named it."""
    from adjudicator.storage.events import canonical, history

    ctx = context(db, user)
    from adjudicator.services.scope import require_entity_in_scope
    from adjudicator.storage.clock import local_stamp

    with refused(PermissionDenied):
        ctx.require("log.read")
    with ctx.factory() as session, refused(PermissionDenied):
        require_entity_in_scope(ctx, session, entity_id)
        entries = history(session, entity_id)
    if as_json:
        print_json([{"seq": e.seq, "at": e.at, "actor": e.actor, "kind": e.kind,
                     "entity_type": e.entity_type, "detail": e.detail} for e in entries])
        return
    if not entries:
        fail(Message("cli.no_history", entity=entity_id))
    lang = current_lang()
    table = worded_table("col.seq", Column("col.at", no_wrap=True), "col.actor", "col.kind",
                         Column("col.detail", overflow="fold"))
    for e in entries:
        worded = EVENT_KINDS.get(e.kind)  # the code too: the audit trail's own name for it
        kind = e.kind if worded is None else f"{worded.text(lang)}\n{e.kind}"
        table.add_row(str(e.seq), local_stamp(e.at), e.actor, kind, canonical(e.detail))
    print_table(table)


@log_app.command("checkpoint")
def log_checkpoint(
    out: Annotated[Path, typer.Option("--out", help="签名检查点（JSON）写到哪里。\n\n"
                                                   "Where the signed checkpoint is written "
                                                   "(JSON).")],
    key: Annotated[Path | None, KeyOption] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """签检查点：用县里的 Ed25519 密钥签署日志的大小和 Merkle 树根（RFC 6962）；审计保存
    此文件，日后可证明日志是它的延续（log verify --checkpoint）。
    Sign the log's size and Merkle tree head (RFC 6962) with the county's Ed25519 key: an
    auditor keeps the file and later proves the log extends it (log verify --checkpoint)."""
    from adjudicator.checkpoint import CheckpointError, key_path, public_path, write_checkpoint
    from adjudicator.storage.events import verify_chain

    not_over_inputs("--out", out, key_path(key), public_path(key_path(key)))  # the county's key
    ctx = context(db, user)
    with refused(PermissionDenied):
        ctx.require("log.verify")
    with ctx.factory() as session, refused(CheckpointError):
        _, problem = verify_chain(session)
        if problem is not None:
            fail(Message("log.no_checkpoint", seq=problem.seq, problem=problem.problem))
        data = write_checkpoint(session, out, key, ctx.clock())
    console.print(Message("log.checkpoint", out=out, size=data["tree_size"],
                          root=data["root_hash"], key_id=data["key_id"]), highlight=False)


@log_app.command("prove")
def log_prove(
    claim: Annotated[str, typer.Argument(help="要证明其赔付的案件。\n\n"
                                              "The claim whose payout is proven.")],
    checkpoint: Annotated[Path, typer.Option("--checkpoint", help="检查点（由 log checkpoint "
                                                                  "写出）。\n\n"
                                                                  "A checkpoint written by "
                                                                  "'log checkpoint'.")],
    out: Annotated[Path | None, typer.Option("--out", help="证明（JSON）写到这里；默认打印。\n\n"
                                                           "Write the proof here (JSON); "
                                                           "default: print it.")] = None,
    public_key: Annotated[Path | None, PublicKeyOption] = None,
    db: Annotated[str | None, DbOption] = None,
    user: Annotated[str | None, AsOption] = None,
) -> None:
    """证明：案件的兑现（未兑现的为理算结论）在检查点签署的日志中；
    任何人可用 adjudicator log check-proof 离线核对。
    A proof that the claim's payment (or, unpaid, its decision) is in the log a checkpoint
    signed; anyone checks it offline with 'adjudicator log check-proof'."""
    import orjson

    from adjudicator.checkpoint import CheckpointError, key_path, prove, public_path

    not_over_inputs("--out", out, checkpoint, public_key, key_path(), public_path(key_path()))
    ctx = context(db, user)
    with refused(PermissionDenied):
        ctx.require("log.read")
    with ctx.factory() as session, refused(CheckpointError):
        proof = prove(session, claim, checkpoint, public_key)
    text = orjson.dumps(proof, option=orjson.OPT_INDENT_2) + b"\n"
    if out is None:
        print(text.decode(), end="")
    else:
        out.write_bytes(text)
        console.print(Message("log.proof", claim=claim, seq=proof["event"]["seq"],
                              size=proof["checkpoint"]["tree_size"], out=out), highlight=False)


@log_app.command("check-proof")
def log_check_proof(
    proof: Annotated[Path, typer.Argument(help="证明文件（由 log prove 写出）。\n\n"
                                               "A proof written by 'log prove'.")],
    public_key: Annotated[Path, typer.Option("--public-key", help="县里的公钥"
                                             "（checkpoint-key.pub.pem）。\n\nThe county office's "
                                             "public key (checkpoint-key.pub.pem).")],
) -> None:
    """离线核对证明（不用数据库）：检查点的签名、
    事件自身的哈希及其到签名树根的路径。
    Check a proof offline (no database): the checkpoint's signature, the event's own hash
    and its path to the signed tree head."""
    from adjudicator.checkpoint import CheckpointError, check_proof

    with refused(CheckpointError):
        checked = check_proof(proof, public_key)
    console.print(checked.message(), highlight=False)


# `user password` and `user unlock` live beside `serve` (they share its web-app imports).
user_app.command("password")(set_password)
user_app.command("unlock")(unlock)
