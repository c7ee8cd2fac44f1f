"""fund: premium receipts and annual settlements

Revision ID: 0012_fund
Revises: 0006_covered_indexes
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012_fund'
down_revision = '0011_feeds'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('fund_receipts',
    sa.Column('pk', BigId, autoincrement=True, nullable=False),
    sa.Column('contract_id', sa.String(length=128), nullable=False),
    sa.Column('county', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_fund_receipts')),
    sa.UniqueConstraint('contract_id', 'reference', name=op.f('uq_fund_receipts_contract_id_reference')),
    )
    op.create_index(op.f('ix_fund_receipts_contract_id'), 'fund_receipts', ['contract_id'])
    op.create_table('fund_settlements',
    sa.Column('pk', BigId, autoincrement=True, nullable=False),
    sa.Column('contract_id', sa.String(length=128), nullable=False),
    sa.Column('contract_sha256', sa.String(length=64), nullable=False),
    sa.Column('county', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('county_owes', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('carried_over', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('settled_by', sa.String(length=64), nullable=False),
    sa.Column('settled_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_fund_settlements')),
    sa.UniqueConstraint('contract_id', 'revision',
                        name=op.f('uq_fund_settlements_contract_id_revision')),
    )
    op.create_index(op.f('ix_fund_settlements_contract_id'), 'fund_settlements',
                    ['contract_id'])


def downgrade() -> None:
    op.drop_table('fund_settlements')
    op.drop_table('fund_receipts')
