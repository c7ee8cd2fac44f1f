"""The demo's steps for the county office's day: the bank's return file with one failed
transfer, reconciled (`adjudicator pay reconcile`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from adjudicator.bank_demo import write_bank_return
from adjudicator.messages import Message
from adjudicator.services.payments import PaymentRun, reconcile
from adjudicator.storage.context import Context
from adjudicator.storage.models import Payment

#: The reason the demo's bank gives for the one transfer it returns.
FAILURE_REASON = "账户已销户"


def bank_round_trip(supervisor: Context, out_dir: Path, run: PaymentRun,
                    step: Callable[[Message], None]) -> Path | None:
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
    step(Message("demo.bank_return", confirmed=result.confirmed,
                 confirmed_total=result.confirmed_total, failed=result.failed, claim=failed,
                 reason=FAILURE_REASON))
    return path


def audit_rechecks(auditor: Context, sample_id: int, claim_ids: list[str],
                   step: Callable[[Message], None], count: int = 4) -> int:
    """The auditor re-checks a few sampled claims at the household: most as the verifier found
    them, one paid claim with a car the verifier missed (a material discrepancy: the claim is
    decided again on the audited facts, denied, and a recovery of what was paid opens).
    Returns how many were re-checked."""
    import orjson

    from adjudicator.services.audit import record_recheck
    from adjudicator.services.verification import parse_form, verification_template
    from adjudicator.storage.models import Claim, DecisionRecord

    with auditor.factory() as session:
        rows = session.execute(select(Claim.claim_id, Claim.status, DecisionRecord.case_json)
                               .join(DecisionRecord,
                                     DecisionRecord.decision_id == Claim.current_decision_id)
                               .where(Claim.claim_id.in_(claim_ids))
                               .order_by(Claim.claim_id)).all()
    found_by = {c: (s, orjson.loads(j).get("verification")) for c, s, j in rows}
    checkable = [(c, s, v) for c, (s, v) in found_by.items()  # complete verifications
                 if v and v.get("income") is not None
                 and None not in (v.get("negative_list") or {}).values()]
    paid = [c for c, s, _ in checkable if s == "paid"]
    wrong = paid[0] if paid else None
    chosen = ([(c, s, v) for c, s, v in checkable if c == wrong]
              + [(c, s, v) for c, s, v in checkable if c != wrong])[:count]
    material, recoveries = 0, []
    for claim_id, _, found in chosen:
        form = verification_template(auditor, claim_id).model_dump(mode="json")
        income = {item["kind"]: item["amount"] for item in found.get("income") or []}
        answers = dict(found.get("negative_list") or {})
        if claim_id == wrong:
            answers["VEHICLE"] = True  # the auditor finds the household's car
        form.update(verifier_id=auditor.user_id, verified_on=auditor.today().isoformat())
        for line in form["income"]:
            line["amount"] = income.get(line["kind"], "0")
        for line in form["negative_list"]:
            line["answer"] = answers.get(line["item"], False)
        result = record_recheck(auditor, sample_id, claim_id, parse_form(form))
        if result.material:
            material += 1
            if result.adjustment is not None:
                recoveries.append(f"{claim_id} {result.adjustment.amount:,.2f}")
    step(Message("demo.rechecks", checked=len(chosen), material=material,
                 recoveries=Message("demo.recoveries", items="、".join(recoveries))
                 if recoveries else ""))
    return len(chosen)


def audit_summary(report: object) -> Message:
    """The audit report's total line in words: error rate and its 95 % interval."""
    total = report.total  # type: ignore[attr-defined]
    if total.error_rate is None:
        return Message("demo.audit_none")
    low, high = total.interval
    return Message("demo.audit_rate", rechecked=total.rechecked, rate=total.error_rate,
                   low=low, high=high, material=total.material)
