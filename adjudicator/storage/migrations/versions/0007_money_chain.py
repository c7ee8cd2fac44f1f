"""The record can be trusted: append-only guards, corrected notices, adjustments of a
re-decision

- triggers refuse UPDATE and DELETE on events, decisions, payments and documents
  (`adjudicator.storage.append_only`);
- `notices.corrects_notice_id` and `notices.changes`: a corrected notice (更正公示) names the
  notice it corrects and what changed;
- `audit_adjustments.sample_id` and `recheck_pk` may be empty: a recovery or top-up opened
  when a paid claim is decided again because its household's history changed has no audit
  sample behind it (`cause` says what opened it).

Revision ID: 0007_money_chain
Revises: 0006_covered_indexes
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from adjudicator.storage.append_only import create_guards, drop_guards

revision = '0007_money_chain'
down_revision = '0008_exact_money'
branch_labels = None
depends_on = ('0002_audit', '0003_notices')  # the tables it changes


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("corrects_notice_id", sa.BigInteger().with_variant(
            sa.Integer(), "sqlite"), nullable=True))
        batch.add_column(sa.Column("changes", sa.JSON(), nullable=True))
    with op.batch_alter_table("audit_adjustments") as batch:
        batch.alter_column("sample_id", existing_type=sa.BigInteger().with_variant(
            sa.Integer(), "sqlite"), nullable=True)
        batch.alter_column("recheck_pk", existing_type=sa.BigInteger().with_variant(
            sa.Integer(), "sqlite"), nullable=True)
        batch.add_column(sa.Column("cause", sa.String(32), nullable=True))
    create_guards(op.get_bind())


def downgrade() -> None:
    drop_guards(op.get_bind())
    with op.batch_alter_table("audit_adjustments") as batch:
        batch.drop_column("cause")
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("changes")
        batch.drop_column("corrects_notice_id")
