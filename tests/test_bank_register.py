"""The bank's payment register (代发清单) and its return file (回盘): accounts from the household
register, a register written only once every payment is stored, unique batch numbers, a
register regenerated from the payments table, and the round trip with a failed transfer."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from adjudicator.accounts import AccountKind, account_problem, luhn_ok, mask_account
from adjudicator.bank_demo import write_bank_return
from adjudicator.intake import import_households
from adjudicator.services import payments as payments_module
from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.documents import summary_counts
from adjudicator.services.notices import close_due_notices, create_notices
from adjudicator.services.payments import (
    PaymentRefused,
    confirmed_paid,
    pay_closed,
    reconcile,
    regenerate_register,
)
from adjudicator.services.report import build_report
from adjudicator.storage.events import verify_chain
from adjudicator.storage.models import Claim, Event, Member, Payment
from adjudicator.storage.models_notice import Document
from tests.casebuilder import valid_id
from tests.seed import add_claim, add_household, card_number, load_demo_tariff


def _status(ctx, claim_id: str) -> str:
    with ctx.factory() as session:
        return session.get(Claim, claim_id).status


def _payable(ctx, clock, tmp_path, claims: int = 3, *, accounts: bool = True) -> None:
    """`claims` approved claims, each of its own household, closed and payable."""
    load_demo_tariff(ctx)
    for n in range(1, claims + 1):
        add_household(ctx, f"H{n}", account=accounts)
        add_claim(ctx, f"K-{n}", f"H{n}", "25000")  # approved 10,500.00 each
    result = adjudicate_ready(ctx.as_user("sup"))
    assert result.outcomes == {"approved": claims}
    create_notices(ctx.as_user("off"), tmp_path, render=False)
    clock.advance(days=8)
    close_due_notices(ctx.as_user("off"))


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))


# --- accounts --------------------------------------------------------------------------------


def test_luhn_and_lengths() -> None:
    assert luhn_ok("79927398713") and not luhn_ok("79927398710")  # the textbook example
    number = card_number("X")
    assert len(number) == 19 and luhn_ok(number)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert "校验位" in account_problem(wrong, AccountKind.BANK_CARD)
    assert account_problem(wrong, AccountKind.PASSBOOK) is None  # no check digit on a passbook
    assert "16至19位" in account_problem("6222", AccountKind.SOCIAL_SECURITY_CARD)
    assert mask_account(number) == "*" * 15 + number[-4:]


@given(st.text(alphabet="0123456789", min_size=15, max_size=18))
def test_exactly_one_check_digit_completes_a_card_number(body: str) -> None:
    assert sum(luhn_ok(body + d) for d in "0123456789") == 1


def _register_file(path: Path, rows: list[list[str]]) -> Path:
    header = ["户编号", "行政区划代码", "户类别", "村名", "成员编号", "姓名", "身份证号码",
              "与户主关系", "开户银行", "银行账号", "账户类型"]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_accounts_come_with_the_household_register(admin_ctx, tmp_path) -> None:
    good = card_number("A")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    region = "330102001001"
    rows = [["H1", region, "边缘易致贫户", "示范村", "M1", "张三", valid_id("330102", seq="001"),
             "户主", "农村信用社", f"{good[:4]} {good[4:8]} {good[8:]}", "银行卡"],
            ["H1", region, "边缘易致贫户", "示范村", "M2", "李四", valid_id("330102", seq="002"),
             "配偶", "", "", ""],
            ["H2", region, "边缘易致贫户", "示范村", "M1", "王五", valid_id("330102", seq="003"),
             "户主", "农业银行", bad, ""],
            ["H3", region, "边缘易致贫户", "示范村", "M1", "赵六", valid_id("330102", seq="004"),
             "户主", "", "12345678901", "存折"]]
    path = _register_file(tmp_path / "households.csv", rows)
    result = import_households(admin_ctx.as_user("sup"), path)
    assert (result.accepted, result.rejected) == (2, 2)
    report = Path(result.error_report).read_text("utf-8-sig")
    assert "校验位不符" in report and "有账号时须填写开户银行" in report
    assert bad not in report and good not in report  # the error report masks accounts
    with admin_ctx.factory() as session:
        head = session.execute(select(Member).where(Member.household_id == "H1",
                                                    Member.member_id == "M1")).scalar_one()
        assert (head.bank_name, head.account_no, head.account_kind) == (
            "农村信用社", good, "bank_card")
        # the chain records that members were added, never an account number
        assert not any(good in p for p in session.execute(select(Event.payload)).scalars())

    # a file without accounts keeps the stored account; a new one replaces it (a change
    # recorded by field name only)
    blank = _register_file(tmp_path / "again.csv", [[*rows[0][:8], "", "", ""]])
    assert import_households(admin_ctx.as_user("sup"), blank).unchanged == 1
    newer = card_number("B")
    changed = _register_file(tmp_path / "changed.csv", [[*rows[0][:8], "建设银行", newer, ""]])
    assert import_households(admin_ctx.as_user("sup"), changed).updated == 1
    with admin_ctx.factory() as session:
        assert session.execute(select(Member.account_no).where(
            Member.household_id == "H1", Member.member_id == "M1")).scalar_one() == newer
        assert not any(newer in p for p in session.execute(select(Event.payload)).scalars())


# --- the register ---------------------------------------------------------------------------------


def test_register_for_the_bank(admin_ctx, clock, tmp_path) -> None:
    _payable(admin_ctx, clock, tmp_path)
    run = pay_closed(admin_ctx.as_user("sup"), tmp_path / "payments")
    assert (run.payments, run.total) == (3, Decimal("31500.00"))
    assert run.batch_ref == "PAY-20260323-001"  # the local (Asia/Shanghai) date, numbered
    rows = _csv_rows(run.register)
    assert rows[0][:2] == ["批次号", run.batch_ref] and rows[0][-2:] == ["总金额(元)", "31500.00"]
    assert rows[1] == ["序号", "付款流水号", "收款人姓名", "开户银行", "收款账号", "账户类型",
                       "金额(元)", "用途", "申请编号", "户编号"]
    assert rows[2][2:7] == ["张三", "农村信用社", card_number("H1"), "银行卡", "10500.00"]
    assert rows[-1][:7] == ["合计", "", "共3笔", "", "", "", "31500.00"]  # the control total
    sheet = load_workbook(run.register_xlsx).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == "序号" and values[2][4] == card_number("H1")
    assert values[-1][0] == "合计" and Decimal(str(values[-1][6])) == Decimal("31500")
    for path in (run.register, run.register_xlsx):  # confidential: the owner's alone
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with admin_ctx.factory() as session:
        documents = session.execute(select(Document).where(
            Document.kind == "bank_register")).scalars().all()
        assert {d.sha256 for d in documents} == {
            hashlib.sha256(p.read_bytes()).hexdigest() for p in (run.register,
                                                                   run.register_xlsx)}
        payloads = list(session.execute(select(Event.payload)).scalars())
        assert sum(d.sha256 in p for d in documents for p in payloads) == 2
        assert not any(card_number("H1") in p for p in payloads)  # masked in the chain
        assert verify_chain(session)[1] is None

    again = regenerate_register(admin_ctx.as_user("sup"), run.batch_ref, tmp_path / "copy")
    assert again.csv.read_bytes() == run.register.read_bytes()
    assert again.xlsx.read_bytes() == run.register_xlsx.read_bytes()
    with pytest.raises(PaymentRefused, match="has no payments") as refused:
        regenerate_register(admin_ctx.as_user("sup"), "PAY-20990101-001", tmp_path)
    assert "没有付款记录" in refused.value.localized("zh")


def test_a_formula_in_a_name_never_runs_in_the_register(admin_ctx, clock, tmp_path) -> None:
    _payable(admin_ctx, clock, tmp_path, claims=1)
    with admin_ctx.factory.begin() as session:
        session.execute(Member.__table__.update().where(Member.household_id == "H1",
                                                        Member.member_id == "M1")
                        .values(name="=HYPERLINK(\"x\")"))
    run = pay_closed(admin_ctx.as_user("sup"), tmp_path)
    assert _csv_rows(run.register)[2][2] == "'=HYPERLINK(\"x\")"


def test_a_claim_without_an_account_waits(admin_ctx, clock, tmp_path) -> None:
    _payable(admin_ctx, clock, tmp_path, claims=1, accounts=False)
    run = pay_closed(admin_ctx.as_user("sup"), tmp_path)
    assert run.payments == 0 and [h.claim_id for h in run.held] == ["K-1"]
    assert "无收款账户" in run.held[0].reason and _status(admin_ctx, "K-1") == "closed"


def test_a_run_killed_between_chunks_leaves_no_payment_without_a_register(
        admin_ctx, clock, tmp_path, monkeypatch) -> None:
    """Regression: a run that died after its first chunk left those claims paid and in no
    register. The next run writes the interrupted batch's register first."""
    _payable(admin_ctx, clock, tmp_path, claims=3)
    real = payments_module.move
    calls = []

    def dies_on_the_second_chunk(claim, to, **kwargs):
        calls.append(claim.claim_id)
        if len(calls) > 1:
            raise SystemExit("killed")  # the process dies: nothing after this runs
        return real(claim, to, **kwargs)

    monkeypatch.setattr(payments_module, "move", dies_on_the_second_chunk)
    with pytest.raises(SystemExit):
        pay_closed(admin_ctx.as_user("sup"), tmp_path / "payments", chunk=1)
    monkeypatch.setattr(payments_module, "move", real)
    with admin_ctx.factory() as session:
        paid = session.execute(select(Payment.claim_id, Payment.batch_ref)).all()
    assert [c for c, _ in paid] == ["K-1"]  # the first chunk committed
    interrupted = paid[0][1]

    run = pay_closed(admin_ctx.as_user("sup"), tmp_path / "payments")
    assert [r.batch_ref for r in run.recovered] == [interrupted]
    assert [row[8] for row in _csv_rows(run.recovered[0].csv)[2:-1]] == ["K-1"]
    assert run.payments == 2 and run.batch_ref != interrupted
    assert pay_closed(admin_ctx.as_user("sup"), tmp_path / "payments").recovered == ()


def test_two_runs_at_the_same_second_get_two_batches(admin_ctx, clock, tmp_path) -> None:
    """Regression: two runs in one second took the same batch number, and the second's
    register overwrote the first's."""
    _payable(admin_ctx, clock, tmp_path, claims=1)
    first = pay_closed(admin_ctx.as_user("sup"), tmp_path)
    paid_at = clock.moment
    add_household(admin_ctx, "H9")
    add_claim(admin_ctx, "K-9", "H9", "25000", event_date=dt.date(2026, 3, 2))
    adjudicate_ready(admin_ctx.as_user("sup"))
    create_notices(admin_ctx.as_user("off"), tmp_path, render=False)
    clock.advance(days=8)
    close_due_notices(admin_ctx.as_user("off"))
    clock.moment = paid_at  # payable now, and paid at the same instant as the first run
    second = pay_closed(admin_ctx.as_user("sup"), tmp_path)
    assert (first.batch_ref, second.batch_ref) == ("PAY-20260323-001", "PAY-20260323-002")
    assert [row[8] for row in _csv_rows(first.register)[2:-1]] == ["K-1"]
    assert [row[8] for row in _csv_rows(second.register)[2:-1]] == ["K-9"]


# --- the bank's return file --------------------------------------------------------------------


def test_reconcile_round_trip_with_a_failed_transfer(admin_ctx, clock, tmp_path) -> None:
    _payable(admin_ctx, clock, tmp_path, claims=3)
    sup = admin_ctx.as_user("sup")
    run = pay_closed(sup, tmp_path / "payments")
    with admin_ctx.factory() as session:  # sent, not yet confirmed: not paid
        assert confirmed_paid(session) == {}
    assert build_report(sup).total.paid == 0

    back = write_bank_return(admin_ctx, run.batch_ref, tmp_path / "return.csv",
                             {"K-2": "账户已销户"})
    result = reconcile(sup, back)
    assert (result.confirmed, result.failed, result.confirmed_total) == (2, 1,
                                                                        Decimal("21000.00"))
    assert result.failed_claims == [("K-2", "账户已销户")]
    assert _status(admin_ctx, "K-2") == "closed"  # payable again
    with admin_ctx.factory() as session:
        assert set(confirmed_paid(session)) == {"K-1", "K-3"}
        failed = session.execute(select(Event.payload).where(
            Event.kind == "payment.failed")).scalar_one()
        assert "账户已销户" in failed
    assert build_report(sup).total.paid_amount == Decimal("21000.00")
    assert summary_counts(sup)["totals"]["all"]["amount_paid"] == Decimal("21000.00")
    assert reconcile(sup, back).unchanged == 3  # the same file again changes nothing

    # the same account is not paid again ...
    held = pay_closed(sup, tmp_path / "payments")
    assert held.payments == 0 and "尚未更正" in held.held[0].reason
    # ... a corrected one is, once
    corrected = card_number("corrected")
    with admin_ctx.factory.begin() as session:
        session.execute(Member.__table__.update().where(
            Member.household_id == "H2", Member.member_id == "M1").values(
            account_no=corrected, bank_name="邮储银行"))
    second = pay_closed(sup, tmp_path / "payments")
    assert second.payments == 1 and second.total == Decimal("10500.00")
    assert _csv_rows(second.register)[2][3:5] == ["邮储银行", corrected]
    assert pay_closed(sup, tmp_path / "payments").payments == 0
    with admin_ctx.factory() as session:
        attempts = session.execute(select(Payment.attempt).where(
            Payment.claim_id == "K-2").order_by(Payment.attempt)).scalars().all()
    assert attempts == [1, 2]
    reconcile(sup, write_bank_return(admin_ctx, second.batch_ref, tmp_path / "r2.csv"))
    with admin_ctx.factory() as session:
        assert confirmed_paid(session)["K-2"] == (1, Decimal("10500.00"))
        assert verify_chain(session)[1] is None
    assert build_report(sup).total.paid_amount == Decimal("31500.00")


def test_a_return_row_that_does_not_match_is_reported_in_chinese(admin_ctx, clock,
                                                                 tmp_path) -> None:
    _payable(admin_ctx, clock, tmp_path, claims=2)
    sup = admin_ctx.as_user("sup")
    run = pay_closed(sup, tmp_path)
    back = write_bank_return(admin_ctx, run.batch_ref, tmp_path / "return.csv")
    rows = _csv_rows(back)
    rows[1][3] = "1.00"  # K-1's amount
    rows.append(["FP9999999999", "某某", "6222", "5.00", "成功", "", ""])
    with back.open("w", encoding="utf-8-sig", newline="") as stream:
        csv.writer(stream).writerows(rows)
    result = reconcile(sup, back)
    assert (result.confirmed, len(result.problems)) == (1, 2)
    report = result.error_report.read_text("utf-8-sig")
    assert "金额,与代发清单的 10500.00 元不符" in report
    assert "付款流水号,没有这笔付款" in report
    assert _status(admin_ctx, "K-1") == "paid"  # still waiting for the bank's answer


def test_a_return_file_the_csv_module_cannot_read_is_refused_in_chinese(admin_ctx, clock,
                                                                        tmp_path) -> None:
    """A cell over 131,072 characters in the bank's return crashed with csv.Error."""
    _payable(admin_ctx, clock, tmp_path, claims=2)
    sup = admin_ctx.as_user("sup")
    run = pay_closed(sup, tmp_path)
    back = write_bank_return(admin_ctx, run.batch_ref, tmp_path / "return.csv")
    rows = _csv_rows(back)
    rows[2][6] = "备" * 140_000
    with back.open("w", encoding="utf-8-sig", newline="") as stream:
        csv.writer(stream).writerows(rows)
    with pytest.raises(PaymentRefused, match=r"return\.csv: cannot be read as CSV from row 3"
                       ) as refused:
        reconcile(sup, back)
    assert re.search(r"return\.csv：第 3 行起无法按 CSV 读取", refused.value.localized("zh"))
    assert _status(admin_ctx, "K-1") == "paid"  # nothing of the file was recorded


def test_only_pay_roles_reconcile(admin_ctx, clock, tmp_path) -> None:
    from adjudicator.roles import PermissionDenied

    _payable(admin_ctx, clock, tmp_path, claims=1)
    run = pay_closed(admin_ctx.as_user("sup"), tmp_path)
    back = write_bank_return(admin_ctx, run.batch_ref, tmp_path / "return.csv")
    with pytest.raises(PermissionDenied):
        reconcile(admin_ctx.as_user("v1"), back)


def test_two_runs_at_once_pay_each_claim_once_into_one_register(admin_ctx, clock,
                                                                 tmp_path) -> None:
    """Two `pay` processes at once (threads here, each with its own connections): two batch
    numbers, each claim paid once, every payment in exactly one register."""
    import threading

    _payable(admin_ctx, clock, tmp_path, claims=6)
    runs, errors = [], []

    def one_run() -> None:
        try:
            runs.append(pay_closed(admin_ctx.as_user("sup"), tmp_path / "payments", chunk=1))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    refs = [r.batch_ref for r in runs if r.payments]
    assert len(set(refs)) == len(refs)
    lines = [row[8] for r in runs if r.register for row in _csv_rows(r.register)[2:-1]]
    assert sorted(lines) == [f"K-{n}" for n in range(1, 7)]
    assert sum(r.payments for r in runs) == 6


def test_pay_commands(admin_ctx, clock, tmp_path, db_url) -> None:
    """`pay`, `pay --register BATCH`, `pay reconcile FILE` as a person types them."""
    from typer.testing import CliRunner

    from cli.main import app

    _payable(admin_ctx, clock, tmp_path, claims=2)
    runner = CliRunner()
    out = tmp_path / "payments"
    paid = runner.invoke(app, ["pay", "--out", str(out), "--db", db_url, "--as", "sup",
                               "--json"])
    assert paid.exit_code == 0, paid.output
    batch = __import__("json").loads(paid.output)["batch_ref"]
    assert (out / f"{batch}.csv").is_file() and (out / f"{batch}.xlsx").is_file()
    (out / f"{batch}.csv").unlink()
    again = runner.invoke(app, ["pay", "--register", batch, "--out", str(out), "--db", db_url,
                                "--as", "sup"])
    assert again.exit_code == 0 and "代发清单" in again.output
    assert (out / f"{batch}.csv").is_file()
    back = write_bank_return(admin_ctx, batch, tmp_path / "back.csv", {"K-1": "户名不符"})
    done = runner.invoke(app, ["pay", "reconcile", str(back), "--db", db_url, "--as", "sup"])
    assert done.exit_code == 0, done.output
    assert "银行确认 1 笔" in done.output and "转账失败 K-1：户名不符" in done.output
    english = runner.invoke(app, ["--lang", "en", "pay", "--register", batch, "--out",
                                  str(out), "--db", db_url, "--as", "sup"])
    assert english.exit_code == 0 and f"batch {batch}: 2 payments" in english.output
    assert "代发清单" not in english.output
    nothing = runner.invoke(app, ["--lang", "en", "pay", "--out", str(out), "--db", db_url,
                                  "--as", "sup"])
    assert "no claim is payable" in nothing.output
    refused = runner.invoke(app, ["pay", "reconcile", str(back), "--db", db_url, "--as", "v1"])
    assert refused.exit_code == 1


@pytest.mark.parametrize("later", [2, 61, 86_400 * 400])
def test_a_workbook_saved_at_another_moment_has_the_same_bytes(monkeypatch: pytest.MonkeyPatch,
                                                               later: int) -> None:
    """openpyxl stamps each member of the XLSX archive with the time of the save, so the
    register regenerated a few seconds later no longer matched the SHA-256 the audit trail
    recorded (test_register_for_the_bank failed whenever the two saves fell in different
    two-second ticks). Every workbook the system writes now depends on its content only:
    its document properties (created, modified: the moments openpyxl made and saved the
    workbook) too, which still made the test fail now and then."""
    import time
    import zipfile

    from openpyxl import Workbook

    from adjudicator.spreadsheet import workbook_bytes

    payment = Payment(pk=1, claim_id="K-1", household_id="H1", amount=Decimal("10500.00"),
                      payee_name="张三", payee_bank="农村信用社",
                      payee_account=card_number("H1"), account_kind="bank_card")

    def both() -> tuple[bytes, bytes]:
        book = Workbook()
        book.active.append(["户编号", "金额"])
        return (payments_module.register_xlsx("PAY-20260323-001", "2026-03-23 10:00", [payment]),
                workbook_bytes(book))

    import datetime as dt
    import types

    import openpyxl.packaging.core
    import openpyxl.writer.excel

    def clock(at: float) -> None:
        """The ZIP members' clock, and openpyxl's: the document properties' created (when
        the workbook object is made) and modified (when it is saved)."""
        monkeypatch.setattr(zipfile.time, "time", lambda: at)

        class Moment(dt.datetime):
            @classmethod
            def now(cls, tz: dt.tzinfo | None = None) -> Moment:  # type: ignore[override]
                moment = dt.datetime.fromtimestamp(at, tz)
                return cls(*moment.timetuple()[:6], tzinfo=moment.tzinfo)

        fake = types.SimpleNamespace(datetime=Moment, timezone=dt.timezone)
        monkeypatch.setattr(openpyxl.packaging.core, "datetime", fake)
        monkeypatch.setattr(openpyxl.writer.excel, "datetime", fake)

    start = time.time()
    clock(start)
    first = both()
    clock(start + later)
    assert both() == first


def test_pay_refuses_a_register_folder_it_cannot_write_before_paying(admin_ctx, clock, tmp_path,
                                                                     db_url) -> None:
    """`pay --out` beneath a file: every claim was paid (and committed) and the register was
    then never written, with a FileExistsError traceback. Now refused before anything is
    paid; the same claims are paid by the next run."""
    from typer.testing import CliRunner

    from cli.main import app

    _payable(admin_ctx, clock, tmp_path, claims=2)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    runner = CliRunner()
    for out in (blocker, blocker / "payments"):
        refused = runner.invoke(app, ["pay", "--out", str(out), "--db", db_url, "--as", "sup"])
        assert refused.exit_code == 1 and isinstance(refused.exception, SystemExit)
        assert refused.output.startswith(f"错误：无法在 {out} 写入代发清单（"), refused.output
        assert "未兑现任何案件" in refused.output
    paid = runner.invoke(app, ["pay", "--out", str(tmp_path / "payments"), "--db", db_url,
                               "--as", "sup", "--json"])
    assert paid.exit_code == 0, paid.output
    assert __import__("json").loads(paid.output)["payments"] == 2


def test_reconcile_refuses_an_error_report_naming_the_banks_file(admin_ctx, clock, tmp_path,
                                                                 monkeypatch) -> None:
    """`pay reconcile return.csv --errors ./return.csv` with a row that does not match wrote
    the error report over the bank's return file after storing the other rows: the bank's
    file was lost. Now refused before anything is read or stored."""
    from typer.testing import CliRunner

    from cli.main import app

    _payable(admin_ctx, clock, tmp_path, claims=2)
    run = pay_closed(admin_ctx.as_user("sup"), tmp_path)
    back = write_bank_return(admin_ctx, run.batch_ref, tmp_path / "return.csv")
    rows = _csv_rows(back)
    rows[1][3] = "1.00"  # K-1's amount: a row for the error report
    with back.open("w", encoding="utf-8-sig", newline="") as stream:
        csv.writer(stream).writerows(rows)
    before = back.read_bytes()
    monkeypatch.chdir(tmp_path)
    url = admin_ctx.engine.url.render_as_string(hide_password=False)
    refused = CliRunner().invoke(app, ["pay", "reconcile", str(back), "--errors", "./return.csv",
                                       "--db", url, "--as", "sup"])
    assert refused.exit_code == 1 and isinstance(refused.exception, SystemExit), refused.output
    assert refused.output.startswith("错误：错误报告不能写到要导入的文件本身")
    assert back.read_bytes() == before
    assert reconcile(admin_ctx.as_user("sup"), back).confirmed == 1  # nothing stored before
