"""兑现: pay claims whose notice period closed without objection, exactly once; the bank's
payment register (代发清单) and its return file (回盘).

A payment is keyed by the decision it pays and its attempt (a unique constraint), made in the
same transaction that moves the claim to `paid`: a crash or a second run can never pay twice.

Each `pay` run first takes a batch number of its own (`payment_batches`, unique: two runs at
once take two numbers), pays in chunks that each commit, and only then writes the register
from the payments table, so a register holds every payment of its batch. A run killed between
chunks leaves a batch without a register: the next run writes it before paying anything, and
`regenerate_register` (`pay --register BATCH`) writes any batch's register again, the same
bytes. Every register is recorded with its SHA-256 (`documents` and the event chain).

The register is the bank's file: the payee's full name, bank and account, the amount and a
control total, CSV and XLSX with Chinese headers. It is confidential: written readable by its
owner only, never posted, never served by the web app. Everywhere else an account is masked.

A claim counts as paid when the bank confirms the transfer (`reconcile`, from the bank's return
file): `confirmed_paid` is the figure reports and the fund use. A failed transfer sends the
claim back to `closed` (payable) with the bank's reason; it is paid again, once, when the
payee's account has been corrected (a new household register import).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adjudicator.accounts import KIND_ZH, mask_account
from adjudicator.messages import Message, Refused, os_reason
from adjudicator.services.integrity import payable_problems, refuse_payment
from adjudicator.services.tariffs import TariffBook
from adjudicator.spreadsheet import neutralise, workbook_bytes
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Claim, Member, Payment
from adjudicator.storage.models_notice import Document
from adjudicator.storage.models_office import BankReturn, PaymentBatch
from adjudicator.workflow import ClaimStatus, move
from schemas.vocabulary import Words

ZERO = Decimal(0)
LOCAL = ZoneInfo("Asia/Shanghai")
REGISTER_KIND = "bank_register"
PURPOSE = "防贫保救助金"
#: The register's columns, as the bank's bulk-transfer (批量代发) template names them.
REGISTER_HEADERS = ("序号", "付款流水号", "收款人姓名", "开户银行", "收款账号", "账户类型",
                    "金额(元)", "用途", "申请编号", "户编号")


class PaymentRefused(Refused):
    """A payment operation that cannot be done as asked (the message says why, in Chinese)."""


def payment_ref(pk: int) -> str:
    """The payment's reference (付款流水号) in the register and the bank's return file."""
    return f"FP{pk:010d}"


@dataclass(frozen=True)
class Held:
    """A payable claim this run did not pay, and why."""

    claim_id: str
    reason: str


@dataclass(frozen=True)
class Register:
    batch_ref: str
    payments: int
    total: Decimal
    csv: Path
    xlsx: Path


@dataclass(frozen=True)
class PaymentRun:
    batch_ref: str
    payments: int
    households: int
    total: Decimal
    register: Path | None
    register_xlsx: Path | None = None
    held: tuple[Held, ...] = ()
    #: registers of earlier batches that had none (a run killed between chunks)
    recovered: tuple[Register, ...] = field(default=())


# --- batch numbers -------------------------------------------------------------------------------

def _take_batch(ctx: Context) -> str:
    """A new batch number, PAY-YYYYMMDD-NNN (local date, numbered per day), committed before
    anything is paid. Two runs taking the same number at once: the unique key refuses the
    second, which takes the next."""
    day = ctx.clock().astimezone(LOCAL).strftime("%Y%m%d")
    prefix = f"PAY-{day}-"
    for _ in range(50):
        try:
            with transaction(ctx.factory) as session:
                taken = session.execute(select(func.count()).select_from(PaymentBatch).where(
                    PaymentBatch.batch_ref.startswith(prefix))).scalar_one()
                ref = f"{prefix}{taken + 1:03d}"
                session.add(PaymentBatch(batch_ref=ref, created_by=ctx.user_id,
                                         created_at=ctx.now()))
            return ref
        except IntegrityError:
            continue
    raise PaymentRefused(Message("pay.no_batch_ref"))


# --- who is paid ---------------------------------------------------------------------------------

def _payee(members: list[Member], claimant_id: str) -> Member | None:
    """The member paid for a claim: the claimant when their account is known, else the head
    of the household (户主); None when neither has an account."""
    by_id = {m.member_id: m for m in members}
    claimant = by_id.get(claimant_id)
    if claimant is not None and claimant.account_no:
        return claimant
    head = next((m for m in members if m.relation == "head" and m.account_no), None)
    return head


def _last_attempts(session: Session, decision_ids: Iterable[int]
                   ) -> dict[int, tuple[Payment, BankReturn | None]]:
    """Each decision's latest payment attempt and the bank's answer about it."""
    latest: dict[int, tuple[Payment, BankReturn | None]] = {}
    ids = list(decision_ids)
    if not ids:
        return latest
    rows = session.execute(select(Payment, BankReturn)
                           .outerjoin(BankReturn, BankReturn.payment_pk == Payment.pk)
                           .where(Payment.decision_id.in_(ids))
                           .order_by(Payment.decision_id, Payment.attempt))
    for payment, answer in rows:
        latest[payment.decision_id] = (payment, answer)
    return latest


# --- paying --------------------------------------------------------------------------------------

def _check_closed(ctx: Context, chunk: int) -> None:
    """Every closed claim's amount checked against the chain and a replay before anything is
    paid (`integrity.payable_problems`): a single disagreement stops the run, paying
    nothing."""
    with ctx.factory() as session:
        book = TariffBook.load(session)
        after = ""
        while True:
            claims = session.execute(
                select(Claim).where(Claim.status == ClaimStatus.CLOSED.value,
                                    Claim.claim_id > after)
                .order_by(Claim.claim_id).limit(chunk)).scalars().all()
            if not claims:
                return
            problems = payable_problems(session, list(claims), book)
            if problems:
                raise refuse_payment(problems)
            after = claims[-1].claim_id
            session.expunge_all()


def pay_closed(ctx: Context, register_dir: Path | None = None, chunk: int = 500) -> PaymentRun:
    """Pay every closed claim whose payee has an account; write the bank's register (CSV and
    XLSX) into `register_dir` once every chunk has committed, when a folder is given."""
    ctx.require("pay")
    _check_closed(ctx, chunk)
    recovered: list[Register] = []
    if register_dir is not None:
        _check_folder(register_dir)
        for ref in unregistered_batches(ctx):
            done = _write_register(ctx, ref, register_dir, idle_only=True)
            if done is not None:
                recovered.append(done)
    with ctx.factory() as session:
        payable = session.execute(select(func.count()).select_from(Claim).where(
            Claim.status == ClaimStatus.CLOSED.value)).scalar_one()
    if not payable:
        return PaymentRun("", 0, 0, ZERO, None, None, (), tuple(recovered))
    batch_ref = _take_batch(ctx)
    # The batch row stays locked while the run pays (PostgreSQL): another run that finds the
    # batch without a register leaves it to this one; if this process dies, the lock goes
    # with its connection and the next run writes the register.
    # (SQLite has one writer at a time and no row locks: there the guard is not taken.)
    if ctx.engine.dialect.name != "postgresql":
        return _pay_batch(ctx, batch_ref, register_dir, chunk, recovered)
    guard = ctx.factory()
    try:
        guard.execute(select(PaymentBatch.pk).where(PaymentBatch.batch_ref == batch_ref)
                      .with_for_update())
        return _pay_batch(ctx, batch_ref, register_dir, chunk, recovered)
    finally:
        guard.rollback()
        guard.close()


def _pay_batch(ctx: Context, batch_ref: str, register_dir: Path | None, chunk: int,
               recovered: list[Register]) -> PaymentRun:
    count, households, total = 0, set(), ZERO
    held: list[Held] = []
    after = ""
    while True:
        with transaction(ctx.factory) as session:
            claims = session.execute(
                select(Claim).where(Claim.status == ClaimStatus.CLOSED.value,
                                    Claim.claim_id > after)
                .order_by(Claim.claim_id).limit(chunk).with_for_update(skip_locked=True)
            ).scalars().all()
            if not claims:
                break
            after = claims[-1].claim_id
            problems = payable_problems(session, list(claims), TariffBook.load(session))
            if problems:  # changed since the check: this chunk rolls back
                raise refuse_payment(problems)
            members: dict[str, list[Member]] = defaultdict(list)
            for member in session.execute(select(Member).where(
                    Member.household_id.in_({c.household_id for c in claims}))
                    .order_by(Member.household_id, Member.member_id)).scalars():
                members[member.household_id].append(member)
            last = _last_attempts(session, (c.current_decision_id for c in claims
                                            if c.current_decision_id is not None))
            events = []
            now = ctx.now()
            for claim in claims:
                assert claim.current_decision_id is not None and claim.final_paid is not None
                payee = _payee(members[claim.household_id], claim.member_id)
                if payee is None:
                    held.append(Held(claim.claim_id, "申请人和户主均无收款账户：请在户籍导入文件中"
                                     "补充开户银行和账号"))
                    continue
                previous = last.get(claim.current_decision_id)
                attempt = 1
                if previous is not None:
                    payment, answer = previous
                    if answer is None or answer.result != "failed":
                        held.append(Held(claim.claim_id, f"该决定已有付款 {payment_ref(payment.pk)}"
                                         "，银行尚未退回，不再重复付款"))
                        continue
                    if payment.payee_account == payee.account_no:
                        held.append(Held(claim.claim_id, f"上次转账失败（{answer.reason}），"
                                         "收款账户尚未更正"))
                        continue
                    attempt = payment.attempt + 1
                session.add(Payment(
                    claim_id=claim.claim_id, decision_id=claim.current_decision_id,
                    attempt=attempt, household_id=claim.household_id, amount=claim.final_paid,
                    kind="payout", batch_ref=batch_ref, paid_by=ctx.user_id, paid_at=now,
                    payee_member_id=payee.member_id, payee_name=payee.name,
                    payee_bank=payee.bank_name, payee_account=payee.account_no,
                    account_kind=payee.account_kind))
                move(claim, ClaimStatus.PAID, at=now)
                events.append(PendingEvent("payment.made", "claim", claim.claim_id, {
                    "decision_id": claim.current_decision_id, "amount": claim.final_paid,
                    "batch_ref": batch_ref, "attempt": attempt,
                    "payee_member_id": payee.member_id,
                    "account": mask_account(payee.account_no)}))
                count += 1
                households.add(claim.household_id)
                total += claim.final_paid
            append_events(session, ctx.user_id, now, events)
    register = None
    if register_dir is not None and count:
        register = _write_register(ctx, batch_ref, register_dir)
    return PaymentRun(batch_ref, count, len(households), total,
                      register.csv if register else None, register.xlsx if register else None,
                      tuple(held), tuple(recovered))


# --- the register --------------------------------------------------------------------------------

def unregistered_batches(ctx: Context) -> list[str]:
    """Batches with payments and no register recorded (a run that stopped between chunks)."""
    with ctx.factory() as session:
        paid = set(session.execute(select(Payment.batch_ref).distinct()
                                   .where(Payment.kind == "payout")).scalars())
        done = set(session.execute(select(Document.ref).where(
            Document.kind == REGISTER_KIND)).scalars())
    return sorted(paid - done)


def _register_rows(payments: list[Payment]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for line, p in enumerate(payments, start=1):
        rows.append([line, payment_ref(p.pk), p.payee_name or "", p.payee_bank or "",
                     p.payee_account or "", KIND_ZH.get(p.account_kind or "", ""),
                     p.amount, PURPOSE, p.claim_id, p.household_id])
    return rows


def register_csv(batch_ref: str, created: str, payments: list[Payment]) -> bytes:
    """The register as CSV (UTF-8 with a BOM): a title line with the batch, the header, one
    line per payment, and the control total (合计: 笔数 and 金额)."""
    total = sum((p.amount for p in payments), ZERO)
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in ("批次号", batch_ref, "生成时间", created,
                                              "总笔数", str(len(payments)), "总金额(元)",
                                              f"{total:.2f}")])
    writer.writerow(REGISTER_HEADERS)
    for row in _register_rows(payments):
        writer.writerow([neutralise(f"{c:.2f}" if isinstance(c, Decimal) else str(c))
                         for c in row])
    writer.writerow([neutralise(c) for c in ("合计", "", f"共{len(payments)}笔", "", "", "",
                                              f"{total:.2f}", "", "", "")])
    return stream.getvalue().encode("utf-8-sig")


def register_xlsx(batch_ref: str, created: str, payments: list[Payment]) -> bytes:
    """The register as an XLSX workbook with the same rows as the CSV; account numbers are
    text cells (a number cell would lose digits), amounts number cells with two decimals."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    total = sum((p.amount for p in payments), ZERO)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "代发清单"
    sheet.append([neutralise(c) for c in ("批次号", batch_ref, "生成时间", created, "总笔数",
                                          len(payments), "总金额(元)", total)])
    sheet.append(list(REGISTER_HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in _register_rows(payments):
        sheet.append([neutralise(c) for c in row])
        account = sheet.cell(row=sheet.max_row, column=5)
        account.number_format = "@"
        sheet.cell(row=sheet.max_row, column=7).number_format = "0.00"
    sheet.append(["合计", None, f"共{len(payments)}笔", None, None, None, total])
    sheet.cell(row=sheet.max_row, column=7).number_format = "0.00"
    sheet.cell(row=1, column=8).number_format = "0.00"
    for letter, width in zip("ABCDEFGHIJ", (6, 14, 12, 22, 24, 8, 12, 14, 24, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    return workbook_bytes(book)  # same rows, same bytes


def _write_private(path: Path, data: bytes) -> None:
    """Write a confidential file readable and writable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
    os.chmod(path, 0o600)


def _check_folder(folder: Path) -> None:
    """Refuse a register folder that cannot be written before anything is paid: the register
    is written only once every payment is stored."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PaymentRefused(Message("pay.folder_unwritable", path=folder,
                                     reason=os_reason(exc))) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PaymentRefused(Message("pay.folder_unwritable", path=folder,
                                     reason=os_reason(PermissionError(13, "")))) from None


def regenerate_register(ctx: Context, batch_ref: str, register_dir: Path) -> Register:
    """Write the register of `batch_ref` from the payments table (CSV and XLSX) and record
    each file with its SHA-256. The same payments give the same bytes. A batch that a run
    is still paying is refused (its run writes the register when it is done)."""
    ctx.require("pay")
    written = _write_register(ctx, batch_ref, register_dir, idle_only=True)
    if written is None:
        raise PaymentRefused(Message("pay.batch_running", batch=batch_ref))
    return written


def _write_register(ctx: Context, batch_ref: str, register_dir: Path,
                    idle_only: bool = False) -> Register | None:
    with transaction(ctx.factory) as session:
        query = select(PaymentBatch).where(PaymentBatch.batch_ref == batch_ref)
        batch = session.execute(query).scalar_one_or_none()
        if idle_only and batch is not None and session.execute(
                query.with_for_update(skip_locked=True)).scalar_one_or_none() is None:
            return None  # a running `pay` holds it
        payments = list(session.execute(select(Payment).where(
            Payment.batch_ref == batch_ref, Payment.kind == "payout")
            .order_by(Payment.pk)).scalars())
        if not payments:
            raise PaymentRefused(Message("pay.batch_empty", batch=batch_ref))
        created_at = batch.created_at if batch is not None else payments[0].paid_at
        created = (dt.datetime.fromisoformat(created_at.replace("Z", "+00:00"))
                   .astimezone(LOCAL).strftime("%Y-%m-%d %H:%M"))
        files = {register_dir / f"{batch_ref}.csv": register_csv(batch_ref, created, payments),
                 register_dir / f"{batch_ref}.xlsx": register_xlsx(batch_ref, created,
                                                                    payments)}
        total = sum((p.amount for p in payments), ZERO)
        events = []
        now = ctx.now()
        for path, data in files.items():
            _write_private(path, data)
            digest = hashlib.sha256(data).hexdigest()
            session.add(Document(kind=REGISTER_KIND, ref=batch_ref, path=str(path),
                                 sha256=digest, size=len(data), created_by=ctx.user_id,
                                 created_at=now))
            events.append(PendingEvent("document.generated", REGISTER_KIND, batch_ref, {
                "path": str(path), "sha256": digest, "size": len(data),
                "payments": len(payments), "total": total}))
        append_events(session, ctx.user_id, now, events)
    paths = list(files)
    return Register(batch_ref, len(payments), total, paths[0], paths[1])


# --- the bank's return file ----------------------------------------------------------------------

RETURN_COLUMNS: dict[str, tuple[str, ...]] = {
    "payment_ref": ("付款流水号", "流水号", "业务流水号", "交易流水号", "payment_ref"),
    "account": ("收款账号", "账号", "卡号", "account"),
    "amount": ("金额", "金额(元)", "交易金额", "amount"),
    "result": ("处理结果", "结果", "交易状态", "状态", "result"),
    "reason": ("失败原因", "原因", "备注", "reason"),
    "bank_ref": ("银行流水号", "银行交易流水号", "bank_ref"),
    "name": ("收款人姓名", "户名", "姓名", "name"),
}
RETURN_REQUIRED = ("payment_ref", "account", "amount", "result")
_SUCCESS = frozenset({"成功", "已成功", "交易成功", "处理成功", "success", "ok", "confirmed"})
_FAILURE = frozenset({"失败", "交易失败", "处理失败", "退回", "已退回", "failed", "failure"})


@dataclass(frozen=True)
class ReturnProblem:
    row: int
    field: str
    reason: str


@dataclass
class Reconciliation:
    file: Path
    confirmed: int = 0
    failed: int = 0
    unchanged: int = 0
    confirmed_total: Decimal = ZERO
    failed_claims: list[tuple[str, str]] = field(default_factory=list)
    problems: list[ReturnProblem] = field(default_factory=list)
    error_report: Path | None = None


def _header_map(header: list[str]) -> dict[int, str]:
    from adjudicator.intake.columns import normalize_header

    lookup = {normalize_header(name): key for key, names in RETURN_COLUMNS.items()
              for name in names}
    return {i: lookup[normalize_header(h)] for i, h in enumerate(header)
            if normalize_header(h) in lookup}


def _read_return(path: Path) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    """(the file's SHA-256, its rows as field -> text with their row numbers)."""
    from adjudicator.intake.sources import UnreadableFile, inspect_file, iter_table

    try:
        info = inspect_file(path)
    except UnreadableFile as exc:
        raise PaymentRefused(Message("pay.unreadable", detail=exc.message)) from None
    except OSError as exc:
        raise PaymentRefused(Message("pay.cannot_read", file=path.name,
                                     reason=exc.strerror)) from None
    if info.format not in ("csv", "xlsx"):
        raise PaymentRefused(Message("pay.not_table", file=path.name))
    try:
        return info.sha256, _return_rows(path, iter_table(info))
    except UnreadableFile as exc:  # a row the csv module cannot read
        raise PaymentRefused(Message("pay.unreadable", detail=exc.message)) from None


def _return_rows(path: Path, table: Iterator[tuple[int, list[str]]]
                 ) -> list[tuple[int, dict[str, str]]]:
    columns: dict[int, str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in table:
        if columns is None:
            found = _header_map(cells)
            if sum(1 for key in found.values() if key in RETURN_REQUIRED) >= 2:
                missing = [k for k in RETURN_REQUIRED if k not in found.values()]
                if missing:
                    names = Words("、".join(RETURN_COLUMNS[k][0] for k in missing),
                                  ", ".join(RETURN_COLUMNS[k][0] for k in missing))
                    raise PaymentRefused(Message("pay.missing_columns", file=path.name,
                                                 row=number, columns=names))
                columns = found
            continue
        values = {key: cells[i].strip() for i, key in columns.items() if i < len(cells)}
        if values.get("payment_ref", "").startswith("合计") or not values.get("payment_ref"):
            continue
        rows.append((number, values))
    if columns is None:
        raise PaymentRefused(Message("pay.no_header", file=path.name))
    return rows


def reconcile(ctx: Context, path: Path, errors_path: Path | None = None) -> Reconciliation:
    """Import the bank's return file: each row confirms or fails one payment of a register.

    A confirmed payment is paid (`confirmed_paid`); a failed one sends its claim back to
    `closed` with the bank's reason, to be paid again once the account is corrected. A row
    already recorded with the same result is unchanged (the file may be imported again); a
    row that does not match its payment (reference, account, amount) is rejected into the
    error report, in Chinese, with its row and column; the other rows are stored.
    """
    ctx.require("pay")
    from adjudicator.intake.report import same_file

    if errors_path is not None and same_file(errors_path, path):  # it would replace the bank's
        raise PaymentRefused(Message("import.report_is_input", path=errors_path))
    digest, rows = _read_return(path)
    result = Reconciliation(path)
    by_ref: dict[str, tuple[int, dict[str, str]]] = {}
    for number, values in rows:
        ref = values["payment_ref"]
        if ref in by_ref:
            result.problems.append(ReturnProblem(number, "付款流水号", f"与第 {by_ref[ref][0]} 行"
                                                 "重复"))
            continue
        by_ref[ref] = (number, values)
    with transaction(ctx.factory) as session:
        pks = {ref: int(ref[2:]) for ref in by_ref
               if ref.startswith("FP") and ref[2:].isdigit()}
        payments = {payment_ref(p.pk): p for p in session.execute(
            select(Payment).where(Payment.pk.in_(pks.values()))).scalars()}
        answers = {a.payment_pk: a for a in session.execute(
            select(BankReturn).where(BankReturn.payment_pk.in_(pks.values()))).scalars()}
        claims = {c.claim_id: c for c in session.execute(select(Claim).where(
            Claim.claim_id.in_({p.claim_id for p in payments.values()}))).scalars()}
        events = []
        now = ctx.now()
        for ref, (number, values) in by_ref.items():
            problem = _check_row(values, payments.get(ref))
            if problem is not None:
                result.problems.append(ReturnProblem(number, *problem))
                continue
            payment = payments[ref]
            outcome = "confirmed" if values["result"].lower() in _SUCCESS else "failed"
            reason = values.get("reason") or None
            earlier = answers.get(payment.pk)
            if earlier is not None:
                if earlier.result == outcome:
                    result.unchanged += 1
                else:
                    said = "成功" if earlier.result == "confirmed" else "失败"
                    result.problems.append(ReturnProblem(number, "处理结果", f"该笔付款已按"
                                                         f"“{said}”入账，不能改为其他结果"))
                continue
            session.add(BankReturn(payment_pk=payment.pk, claim_id=payment.claim_id,
                                   batch_ref=payment.batch_ref, result=outcome, reason=reason,
                                   bank_ref=values.get("bank_ref") or None,
                                   file_sha256=digest, imported_by=ctx.user_id,
                                   imported_at=now))
            if outcome == "confirmed":
                result.confirmed += 1
                result.confirmed_total += payment.amount
                events.append(PendingEvent("payment.confirmed", "claim", payment.claim_id, {
                    "payment": ref, "decision_id": payment.decision_id,
                    "amount": payment.amount, "batch_ref": payment.batch_ref,
                    "file_sha256": digest}))
                continue
            result.failed += 1
            result.failed_claims.append((payment.claim_id, reason or ""))
            claim = claims[payment.claim_id]
            payable_again = (claim.status == ClaimStatus.PAID.value
                             and claim.current_decision_id == payment.decision_id)
            if payable_again:
                move(claim, ClaimStatus.CLOSED, at=now)
            events.append(PendingEvent("payment.failed", "claim", payment.claim_id, {
                "payment": ref, "decision_id": payment.decision_id, "amount": payment.amount,
                "batch_ref": payment.batch_ref, "reason": reason, "payable_again": payable_again,
                "file_sha256": digest}))
        events.append(PendingEvent("bank_return.imported", "file", path.name, {
            "sha256": digest, "rows": len(rows), "confirmed": result.confirmed,
            "failed": result.failed, "unchanged": result.unchanged,
            "rejected": len(result.problems)}))
        append_events(session, ctx.user_id, now, events)
    result.error_report = _write_problems(path, errors_path, result.problems)
    return result


def _check_row(values: dict[str, str], payment: Payment | None) -> tuple[str, str] | None:
    """(column, reason in Chinese) when the row does not match its payment; never repeats
    an account number."""
    if payment is None:
        return "付款流水号", "没有这笔付款（流水号须与代发清单一致）"
    account = "".join(ch for ch in values.get("account", "") if ch.isdigit())
    if account != (payment.payee_account or ""):
        return "收款账号", (f"与代发清单不符（清单为 {mask_account(payment.payee_account)}）")
    try:
        amount = Decimal(values.get("amount", "").replace(",", "").removesuffix("元"))
    except InvalidOperation:
        return "金额", "不是金额"
    if amount != payment.amount:
        return "金额", f"与代发清单的 {payment.amount:.2f} 元不符"
    word = values.get("result", "").lower()
    if word not in _SUCCESS and word not in _FAILURE:
        return "处理结果", "应为“成功”或“失败”"
    if word in _FAILURE and not values.get("reason"):
        return "失败原因", "失败的转账须写明原因"
    return None


def _write_problems(path: Path, errors_path: Path | None, problems: list[ReturnProblem]
                    ) -> Path | None:
    if not problems:
        return None
    target = errors_path or path.with_name(path.name + ".errors.csv")
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["文件", "行号", "列", "原因"])
        for p in problems:
            writer.writerow([neutralise(path.name), p.row, neutralise(p.field),
                             neutralise(p.reason)])
    return target


# --- what counts as paid -------------------------------------------------------------------------

def confirmed_paid(session: Session, claim_ids: Iterable[str] | None = None
                   ) -> dict[str, tuple[int, Decimal]]:
    """Per claim, the payments the bank confirmed: (how many, their sum). A payment sent and
    not yet answered, or failed, is not paid. Reports and the fund read paid figures here."""
    query = (select(Payment.claim_id, func.count(), func.sum(Payment.amount))
             .join(BankReturn, BankReturn.payment_pk == Payment.pk)
             .where(BankReturn.result == "confirmed").group_by(Payment.claim_id))
    if claim_ids is not None:
        query = query.where(Payment.claim_id.in_(list(claim_ids)))
    return {claim_id: (n, Decimal(amount)) for claim_id, n, amount in session.execute(query)}


def failed_payment_pks(session: Session) -> set[int]:
    """Payments the bank returned as failed: no money reached the household."""
    return set(session.execute(select(BankReturn.payment_pk).where(
        BankReturn.result == "failed")).scalars())
