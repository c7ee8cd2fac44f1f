"""a county's own days off (county_days_off), for working-day deadlines

Revision ID: 0013_office_a
Revises: 0006_covered_indexes
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013_office_a'
down_revision = '0012_fund'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('county_days_off',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('added_by', sa.String(length=64), nullable=False),
    sa.Column('added_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_county_days_off'))
    )


def downgrade() -> None:
    op.drop_table('county_days_off')
