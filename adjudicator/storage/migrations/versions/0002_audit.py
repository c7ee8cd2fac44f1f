"""Verification evidence and sampling audit (抽样复核) tables.

A branch of its own from 0001 (migrations run `upgrade heads`). Indexes are dropped with
their tables.

Revision ID: 0002_audit
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_audit"
down_revision = "0001"
branch_labels = ("audit",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_samples",
        sa.Column(
            "sample_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("drawn_by", sa.String(length=64), nullable=False),
        sa.Column("drawn_at", sa.String(length=32), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=True),
        sa.Column("period_to", sa.Date(), nullable=True),
        sa.Column("population_size", sa.Integer(), nullable=False),
        sa.Column("population_sha256", sa.String(length=64), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("strata", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("sample_id", name=op.f("pk_audit_samples")),
    )

    op.create_table(
        "audit_sample_items",
        sa.Column(
            "pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "sample_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column("verifier_id", sa.String(length=64), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=False),
        sa.Column(
            "verification_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "decision_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.claim_id"], name=op.f("fk_audit_sample_items_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.decision_id"],
            name=op.f("fk_audit_sample_items_decision_id_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["audit_samples.sample_id"],
            name=op.f("fk_audit_sample_items_sample_id_audit_samples"),
        ),
        sa.ForeignKeyConstraint(
            ["verification_pk"],
            ["verifications.pk"],
            name=op.f("fk_audit_sample_items_verification_pk_verifications"),
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_audit_sample_items")),
        sa.UniqueConstraint(
            "sample_id", "claim_id", name=op.f("uq_audit_sample_items_sample_id_claim_id")
        ),
    )
    with op.batch_alter_table("audit_sample_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_sample_items_claim_id"), ["claim_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_sample_items_sample_id"), ["sample_id"], unique=False
        )

    op.create_table(
        "audit_rechecks",
        sa.Column(
            "pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("item_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "sample_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column("auditor_id", sa.String(length=64), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("members_counted", sa.JSON(), nullable=False),
        sa.Column("tolerance_rate", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("tolerance_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("discrepancies", sa.JSON(), nullable=False),
        sa.Column("material", sa.Boolean(), nullable=False),
        sa.Column(
            "stored_decision_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "audit_decision_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("outcome_stored", sa.String(length=16), nullable=False),
        sa.Column("outcome_audit", sa.String(length=16), nullable=False),
        sa.Column("payout_stored", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("payout_audit", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("payout_difference", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("reopened", sa.Boolean(), nullable=False),
        sa.Column(
            "new_decision_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("reopen_blocked", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_decision_id"],
            ["decisions.decision_id"],
            name=op.f("fk_audit_rechecks_audit_decision_id_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.claim_id"], name=op.f("fk_audit_rechecks_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["item_pk"],
            ["audit_sample_items.pk"],
            name=op.f("fk_audit_rechecks_item_pk_audit_sample_items"),
        ),
        sa.ForeignKeyConstraint(
            ["new_decision_id"],
            ["decisions.decision_id"],
            name=op.f("fk_audit_rechecks_new_decision_id_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["audit_samples.sample_id"],
            name=op.f("fk_audit_rechecks_sample_id_audit_samples"),
        ),
        sa.ForeignKeyConstraint(
            ["stored_decision_id"],
            ["decisions.decision_id"],
            name=op.f("fk_audit_rechecks_stored_decision_id_decisions"),
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_audit_rechecks")),
        sa.UniqueConstraint("item_pk", name=op.f("uq_audit_rechecks_item_pk")),
    )
    with op.batch_alter_table("audit_rechecks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_rechecks_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_rechecks_sample_id"), ["sample_id"], unique=False
        )

    op.create_table(
        "audit_adjustments",
        sa.Column(
            "adjustment_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("received", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("granted", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column(
            "sample_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "recheck_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "old_decision_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "new_decision_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("settled_how", sa.String(length=16), nullable=True),
        sa.Column("settlement_ref", sa.String(length=64), nullable=True),
        sa.Column("settled_by", sa.String(length=64), nullable=True),
        sa.Column("settled_at", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.claim_id"], name=op.f("fk_audit_adjustments_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["new_decision_id"],
            ["decisions.decision_id"],
            name=op.f("fk_audit_adjustments_new_decision_id_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["old_decision_id"],
            ["decisions.decision_id"],
            name=op.f("fk_audit_adjustments_old_decision_id_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["recheck_pk"],
            ["audit_rechecks.pk"],
            name=op.f("fk_audit_adjustments_recheck_pk_audit_rechecks"),
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["audit_samples.sample_id"],
            name=op.f("fk_audit_adjustments_sample_id_audit_samples"),
        ),
        sa.PrimaryKeyConstraint("adjustment_id", name=op.f("pk_audit_adjustments")),
    )
    with op.batch_alter_table("audit_adjustments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_adjustments_claim_id"), ["claim_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_adjustments_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_adjustments_status"), ["status"], unique=False)

    op.create_table(
        "verification_evidence",
        sa.Column(
            "pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column(
            "verification_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "recheck_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.claim_id"], name=op.f("fk_verification_evidence_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["recheck_pk"],
            ["audit_rechecks.pk"],
            name=op.f("fk_verification_evidence_recheck_pk_audit_rechecks"),
        ),
        sa.ForeignKeyConstraint(
            ["verification_pk"],
            ["verifications.pk"],
            name=op.f("fk_verification_evidence_verification_pk_verifications"),
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_verification_evidence")),
    )
    with op.batch_alter_table("verification_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_evidence_claim_id"), ["claim_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_verification_evidence_recheck_pk"), ["recheck_pk"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_verification_evidence_verification_pk"),
            ["verification_pk"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("verification_evidence")
    op.drop_table("audit_adjustments")
    op.drop_table("audit_rechecks")
    op.drop_table("audit_sample_items")
    op.drop_table("audit_samples")
