"""The demo's second county: a program shaped like published ones (fixtures.shapes).

Its households, claims, verifications and department data are imported with Chinese headers
(致灾原因, 责任方赔偿, 机动车损失, 救助类别 因被盗 …), verified, adjudicated under
tariffs/liping-example-2026.toml, and the pends a county officer may approve approved; the
notices, letters, records and reports that follow cover both counties.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from adjudicator.documents.trace_labels import reason_name
from adjudicator.messages import Message, Tally
from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.review import list_pended, resolve
from adjudicator.services.users import add_user
from adjudicator.storage.context import Context
from schemas.vocabulary import IMPORT_KINDS, OUTCOMES, Words

#: What a county officer approves in the demo (as for the first county).
_APPROVABLE = {"PEND_HARDSHIP_EXCEPTION", "PEND_LARGE_PAYOUT", "PEND_BORDERLINE_INCOME"}


def stage_real_programs(admin: Context, folder: Path, seed: int,
                        step: Callable[[Message], None], households: int = 60) -> Counter[str]:
    """Import, verify and adjudicate the second county; returns its decisions' reasons."""
    from adjudicator.intake import (
        import_claims,
        import_department_data,
        import_households,
        import_verifications,
    )
    from adjudicator.services.verification import assign_claims
    from fixtures.generate import write_import_files
    from fixtures.shapes import real_program_county

    county = real_program_county(seed, households)
    for number, township in enumerate(county.townships, start=1):
        add_user(admin, f"W{number:03d}", "verifier", f"{county.name}核查员{number:02d}",
                 [township.code], max_open_assignments=10_000)
    files = write_import_files(county, folder / "import-second-county", fmt="csv",
                               chinese_headers=True)
    supervisor = admin.as_user("li")
    for kind, importer in (("households", import_households), ("claims", import_claims),
                           ("department-data", import_department_data)):
        result = importer(supervisor, files[kind])
        step(Message("demo.import_in", county=county.name, kind=IMPORT_KINDS[kind],
                     accepted=result.accepted, rejected=result.rejected))
    assign_claims(supervisor)
    import_verifications(supervisor, files["verifications"])
    claim_ids = {c.claim_id for _, c in county.claims()}
    reasons: Counter[str] = Counter()
    for _ in range(3):  # claims that wait for an earlier one are decided by a later run
        adjudicate_ready(supervisor)
        for pended in list_pended(admin.as_user("zhao")):
            if pended.claim_id in claim_ids and set(pended.reasons) <= _APPROVABLE:
                resolve(admin.as_user("qian"), pended.claim_id, "approve",
                        "村级评议通过，支出负担属实")
    reasons.update(_reasons(admin, claim_ids))
    shown = Tally((OUTCOMES["approved"] if code == "APPROVED" else Words(reason_name(code), code),
                   n) for code, n in sorted(reasons.items()))
    step(Message("demo.second_county", county=county.name, code=county.code,
                 tariff="liping-example/2026", claims=len(claim_ids), reasons=shown))
    return reasons


def _reasons(ctx: Context, claim_ids: Iterable[str]) -> Counter[str]:
    """The reasons of the claims' current decisions ("APPROVED" for none)."""
    from sqlalchemy import select

    from adjudicator.storage.models import Claim, DecisionRecord

    wanted = set(claim_ids)
    counts: Counter[str] = Counter()
    with ctx.factory() as session:
        rows = session.execute(
            select(Claim.claim_id, DecisionRecord.outcome, DecisionRecord.reasons).join(
                DecisionRecord, DecisionRecord.decision_id == Claim.current_decision_id))
        for claim_id, outcome, reasons in rows:
            if claim_id in wanted:
                counts.update(reasons or [outcome.upper()])
    return counts


__all__ = ["stage_real_programs"]
