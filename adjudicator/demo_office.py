"""The demo's steps for the county office's day: the bank's return file with one failed
transfer, reconciled (`adjudicator pay reconcile`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from adjudicator.bank_demo import write_bank_return
from adjudicator.services.payments import PaymentRun, reconcile
from adjudicator.storage.context import Context
from adjudicator.storage.models import Payment

#: The reason the demo's bank gives for the one transfer it returns.
FAILURE_REASON = "账户已销户"


def bank_round_trip(supervisor: Context, out_dir: Path, run: PaymentRun,
                    step: Callable[[str], None]) -> Path | None:
    """The bank answers the demo's register: every transfer confirmed but one, returned as
    failed (that claim becomes payable again); the return file is reconciled."""
    if not run.payments:
        return None
    with supervisor.factory() as session:
        failed = session.execute(select(Payment.claim_id).where(
            Payment.batch_ref == run.batch_ref).order_by(Payment.pk).limit(1)).scalar_one()
    path = write_bank_return(supervisor, run.batch_ref, out_dir / "payments" /
                             f"{run.batch_ref}-回盘.csv", {failed: FAILURE_REASON})
    result = reconcile(supervisor, path)
    step(f"bank return: {result.confirmed} transfers confirmed "
         f"({result.confirmed_total:.2f} yuan), {result.failed} failed "
         f"({failed}: {FAILURE_REASON}; payable again once its account is corrected)")
    return path
