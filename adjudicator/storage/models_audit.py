"""Tables of household verification evidence and of the sampling audit (抽样复核).

Everything here is append-only except two status columns: an adjustment moves from `open` to
`settled` (or `superseded` by a later audit of the same claim). Audit re-decisions are not
here: they are rows of `decisions` with `purpose = 'audit'`, so replay covers them too.
Migration: `0002_audit`, a branch of its own from `0001`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from adjudicator.storage.models import Amount, Base, BigId, Timestamp

#: A sampling rate or a tolerance rate: exact, four decimals (0.0500 = 5 %).
Rate = Numeric(5, 4, asdecimal=True)


class VerificationEvidence(Base):
    """佐证材料: a receipt number, a photo (file name and SHA-256) or another document, of a
    verification or of an auditor's re-check (exactly one of the two owners is set)."""

    __tablename__ = "verification_evidence"

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.claim_id"), index=True)
    verification_pk: Mapped[int | None] = mapped_column(ForeignKey("verifications.pk"),
                                                        index=True)
    recheck_pk: Mapped[int | None] = mapped_column(ForeignKey("audit_rechecks.pk"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(200))


class AuditSample(Base):
    """One drawn sample: who drew it, when, and everything needed to draw it again."""

    __tablename__ = "audit_samples"

    sample_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    drawn_by: Mapped[str] = mapped_column(String(64))
    drawn_at: Mapped[str] = mapped_column(Timestamp)
    seed: Mapped[int] = mapped_column(BigInteger)
    rate: Mapped[Decimal] = mapped_column(Rate)
    period_from: Mapped[dt.date | None] = mapped_column(Date)
    period_to: Mapped[dt.date | None] = mapped_column(Date)
    population_size: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the sorted population claim ids joined by newlines: proves which
    #: population the seed was applied to.
    population_sha256: Mapped[str] = mapped_column(String(64))
    sample_size: Mapped[int] = mapped_column(Integer)
    #: [{"verifier", "township", "population", "sampled"}], sorted by (verifier, township).
    strata: Mapped[list[Any]] = mapped_column(JSON)


class AuditSampleItem(Base):
    """One sampled claim, with the verification and decision it had when drawn."""

    __tablename__ = "audit_sample_items"
    __table_args__ = (UniqueConstraint("sample_id", "claim_id"),)

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("audit_samples.sample_id"), index=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.claim_id"), index=True)
    verifier_id: Mapped[str] = mapped_column(String(64))
    township_code: Mapped[str] = mapped_column(String(12))
    verification_pk: Mapped[int] = mapped_column(ForeignKey("verifications.pk"))
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.decision_id"))


class AuditRecheck(Base):
    """复核记录: an auditor's own re-check of one sampled claim and how it compares."""

    __tablename__ = "audit_rechecks"

    pk: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_pk: Mapped[int] = mapped_column(ForeignKey("audit_sample_items.pk"), unique=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("audit_samples.sample_id"), index=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.claim_id"), index=True)
    auditor_id: Mapped[str] = mapped_column(String(64))
    verified_on: Mapped[dt.date] = mapped_column(Date)
    #: The auditor's findings exactly as a `schemas.case.Verification` (without cross_checks).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: member_id -> counted, as the auditor found it.
    members_counted: Mapped[dict[str, Any]] = mapped_column(JSON)
    tolerance_rate: Mapped[Decimal] = mapped_column(Rate)
    tolerance_amount: Mapped[Decimal] = mapped_column(Amount)
    #: [{"kind", "field", "verifier", "auditor", "difference", "material"}]
    discrepancies: Mapped[list[Any]] = mapped_column(JSON)
    material: Mapped[bool] = mapped_column(Boolean)
    stored_decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.decision_id"))
    audit_decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.decision_id"))
    outcome_stored: Mapped[str] = mapped_column(String(16))
    outcome_audit: Mapped[str] = mapped_column(String(16))
    payout_stored: Mapped[Decimal] = mapped_column(Amount)
    payout_audit: Mapped[Decimal] = mapped_column(Amount)
    #: payout_audit - payout_stored (positive: the household was granted too little).
    payout_difference: Mapped[Decimal] = mapped_column(Amount)
    reopened: Mapped[bool] = mapped_column(Boolean)
    new_decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.decision_id"))
    reopen_blocked: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[str] = mapped_column(Timestamp)


class AuditAdjustment(Base):
    """追回 / 补发: money a reopened paid claim owes back (recovery) or is still owed (top_up).

    `received` is what the household had received for the claim when the adjustment opened,
    `granted` what the new decision grants; `amount` = |granted - received| > 0.
    """

    __tablename__ = "audit_adjustments"

    adjustment_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.claim_id"), index=True)
    household_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Amount)
    received: Mapped[Decimal] = mapped_column(Amount)
    granted: Mapped[Decimal] = mapped_column(Amount)
    #: The sample and re-check that opened it; empty when a re-decision opened it (`cause`).
    sample_id: Mapped[int | None] = mapped_column(ForeignKey("audit_samples.sample_id"))
    recheck_pk: Mapped[int | None] = mapped_column(ForeignKey("audit_rechecks.pk"))
    #: What opened it: None for an audit re-check, else the re-decision's cause
    #: ("objection", "review", "audit", "verification").
    cause: Mapped[str | None] = mapped_column(String(32))
    old_decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.decision_id"))
    new_decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.decision_id"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(Timestamp)
    settled_how: Mapped[str | None] = mapped_column(String(16))
    settlement_ref: Mapped[str | None] = mapped_column(String(64))
    settled_by: Mapped[str | None] = mapped_column(String(64))
    settled_at: Mapped[str | None] = mapped_column(Timestamp)
    note: Mapped[str | None] = mapped_column(Text)
