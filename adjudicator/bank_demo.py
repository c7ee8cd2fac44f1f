"""The demo's bank: it answers a payment register with a return file (回盘文件), as the bank
that made the transfers would, so that `pay reconcile` can be shown end to end.

A real county receives this file from its bank; its columns are those `reconcile` reads:
付款流水号, 收款人姓名, 收款账号, 金额, 处理结果, 失败原因, 银行流水号.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from adjudicator.services.payments import payment_ref
from adjudicator.spreadsheet import neutralise
from adjudicator.storage.context import Context
from adjudicator.storage.models import Payment

RETURN_HEADERS = ("付款流水号", "收款人姓名", "收款账号", "金额", "处理结果", "失败原因",
                  "银行流水号")


def write_bank_return(ctx: Context, batch_ref: str, path: Path,
                      failures: dict[str, str] | None = None) -> Path:
    """The bank's return file for `batch_ref`: every transfer succeeded but those of the
    claims in `failures` (claim id -> the bank's reason)."""
    failures = failures or {}
    with ctx.factory() as session:
        payments = list(session.execute(select(Payment).where(
            Payment.batch_ref == batch_ref).order_by(Payment.pk)).scalars())
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(RETURN_HEADERS)
        for number, p in enumerate(payments, start=1):
            reason = failures.get(p.claim_id)
            writer.writerow([neutralise(c) for c in (
                payment_ref(p.pk), p.payee_name or "", p.payee_account or "", f"{p.amount:.2f}",
                "失败" if reason else "成功", reason or "", f"B{number:08d}")])
    path.chmod(0o600)
    return path
