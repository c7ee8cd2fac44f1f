"""抽样复核: the county's sampling audit of the insurer's household verifications.

An officer draws a reproducible stratified sample of verified claims; an officer or auditor
(never the claim's verifier) re-checks each sampled household and records the same form a
verifier fills. The re-check is compared with the verification (counted members, income by
kind, costs, every negative-list item) and re-adjudicated on the stored decision's history and
tariff; that audit re-decision is stored (`decisions.purpose = 'audit'`) without touching the
claim. A material discrepancy — the outcome or payout would change, or a negative-list answer
differs — reopens the claim on the audited facts: a new current decision (append-only) and,
for a claim already paid, a recovery (追回) or top-up (补发) adjustment. See
docs/verification-and-audit.md for why the household's history keeps what was paid until a
recovery is settled.

The package, by reason to change: `sampling` (the draw), `recheck` (re-checks, comparison,
reopening), `adjustments` (recoveries and top-ups), `report` (the figures); the report's
renderers live in `adjudicator.documents.audit_report`. The names below are the public API.
"""

from __future__ import annotations

from adjudicator.documents.audit_report import (
    REPORT_HEADERS,
    render_report_pdf,
    report_html,
    report_table_rows,
    write_report_xlsx,
)
from adjudicator.services.audit.adjustments import (
    SETTLE_WAYS,
    AdjustmentInfo,
    AdjustmentRow,
    list_adjustments,
    open_adjustment,
    received_for,
    settle_adjustment,
)
from adjudicator.services.audit.recheck import (
    Discrepancy,
    RecheckResult,
    compare_verifications,
    decision_discrepancies,
    record_recheck,
    tolerance,
)
from adjudicator.services.audit.report import (
    AuditReport,
    RateRow,
    audit_report,
)
from adjudicator.services.audit.sampling import (
    AuditRefused,
    SampleResult,
    Unit,
    allocate,
    draw,
    draw_sample,
    population_digest,
    wilson_interval,
)

__all__ = [
    "REPORT_HEADERS",
    "SETTLE_WAYS",
    "AdjustmentInfo",
    "AdjustmentRow",
    "AuditRefused",
    "AuditReport",
    "Discrepancy",
    "RateRow",
    "RecheckResult",
    "SampleResult",
    "Unit",
    "allocate",
    "audit_report",
    "compare_verifications",
    "decision_discrepancies",
    "draw",
    "draw_sample",
    "list_adjustments",
    "open_adjustment",
    "population_digest",
    "received_for",
    "record_recheck",
    "render_report_pdf",
    "report_html",
    "report_table_rows",
    "settle_adjustment",
    "tolerance",
    "wilson_interval",
    "write_report_xlsx",
]
