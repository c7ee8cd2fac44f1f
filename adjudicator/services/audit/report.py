"""The audit report's figures: error rates with their Wilson intervals by verifier and by
township, and the material discrepancies (the renderers: adjudicator.documents.audit_report)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from adjudicator.messages import Message
from adjudicator.rules.money import fmt
from adjudicator.services.audit.sampling import (
    ZERO,
    AuditRefused,
    wilson_interval,
)
from adjudicator.services.scope import scope_filter
from adjudicator.storage.context import Context
from adjudicator.storage.db import fits_id
from adjudicator.storage.models_audit import (
    AuditAdjustment,
    AuditRecheck,
    AuditSample,
    AuditSampleItem,
)

# --------------------------------------------------------------------------- report


@dataclass
class RateRow:
    """One line of the report: a verifier, a township, or the total."""

    key: str
    sampled: int = 0
    rechecked: int = 0
    with_discrepancies: int = 0
    material: int = 0
    payout_at_stake: Decimal = ZERO

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.with_discrepancies, self.rechecked)

    @property
    def error_rate(self) -> float | None:
        return self.with_discrepancies / self.rechecked if self.rechecked else None

    def as_dict(self) -> dict[str, Any]:
        interval = self.interval
        return {"key": self.key, "sampled": self.sampled, "rechecked": self.rechecked,
                "with_discrepancies": self.with_discrepancies, "material": self.material,
                "error_rate": None if self.error_rate is None else round(self.error_rate, 4),
                "ci95_low": None if interval is None else round(interval[0], 4),
                "ci95_high": None if interval is None else round(interval[1], 4),
                "payout_at_stake": fmt(self.payout_at_stake)}


@dataclass
class AuditReport:
    """Per verifier and per township: sampled, discrepancies, error rate with its 95 %
    Wilson interval, payout at stake (sum of |payout differences|), material cases."""

    samples: list[int]
    generated_at: str
    total: RateRow
    by_verifier: list[RateRow]
    by_township: list[RateRow]
    material: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"samples": self.samples, "generated_at": self.generated_at,
                "total": self.total.as_dict(),
                "by_verifier": [r.as_dict() for r in self.by_verifier],
                "by_township": [r.as_dict() for r in self.by_township],
                "material": self.material}


def _item_scope(ctx: Context) -> list[Any]:
    condition = scope_filter(ctx, AuditSampleItem.township_code)
    return [] if condition is None else [condition]


def audit_report(ctx: Context, sample_id: int | None = None) -> AuditReport:
    """The report of one sample, or of every sample drawn (of the sampled claims in the
    user's townships)."""
    ctx.require("audit.record")
    if sample_id is not None and not fits_id(sample_id):
        raise AuditRefused(Message("audit.no_sample", sample=sample_id))
    with ctx.factory() as session:
        query = select(AuditSample.sample_id).order_by(AuditSample.sample_id)
        if sample_id is not None:
            query = query.where(AuditSample.sample_id == sample_id)
        samples = list(session.execute(query).scalars())
        if sample_id is not None and not samples:
            raise AuditRefused(Message("audit.no_sample", sample=sample_id))
        rows = session.execute(
            select(AuditSampleItem, AuditRecheck)
            .outerjoin(AuditRecheck, AuditRecheck.item_pk == AuditSampleItem.pk)
            .where(AuditSampleItem.sample_id.in_(samples))
            .where(*_item_scope(ctx))
            .order_by(AuditSampleItem.sample_id, AuditSampleItem.claim_id)).all()
        adjustments = {a.recheck_pk: a for a in session.execute(select(AuditAdjustment).where(
            AuditAdjustment.sample_id.in_(samples))).scalars()}
    total = RateRow("total")
    verifiers: dict[str, RateRow] = {}
    townships: dict[str, RateRow] = {}
    material: list[dict[str, Any]] = []
    for item, recheck in rows:
        targets = (total, verifiers.setdefault(item.verifier_id, RateRow(item.verifier_id)),
                   townships.setdefault(item.township_code, RateRow(item.township_code)))
        for row in targets:
            row.sampled += 1
            if recheck is None:
                continue
            row.rechecked += 1
            row.with_discrepancies += bool(recheck.discrepancies)
            row.material += recheck.material
            row.payout_at_stake += abs(recheck.payout_difference)
        if recheck is not None and recheck.material:
            adj = adjustments.get(recheck.pk)
            material.append({
                "sample_id": item.sample_id, "claim_id": item.claim_id,
                "verifier": item.verifier_id, "township": item.township_code,
                "auditor": recheck.auditor_id,
                "fields": [d["field"] for d in recheck.discrepancies],
                "outcome": f"{recheck.outcome_stored} → {recheck.outcome_audit}",
                "payout_stored": fmt(recheck.payout_stored),
                "payout_audit": fmt(recheck.payout_audit),
                "payout_difference": fmt(recheck.payout_difference),
                "reopened": recheck.reopened, "reopen_blocked": recheck.reopen_blocked,
                "adjustment": None if adj is None else {
                    "adjustment_id": adj.adjustment_id, "kind": adj.kind,
                    "amount": fmt(adj.amount), "status": adj.status}})
    return AuditReport(samples, ctx.now(), total,
                       [verifiers[k] for k in sorted(verifiers)],
                       [townships[k] for k in sorted(townships)], material)
