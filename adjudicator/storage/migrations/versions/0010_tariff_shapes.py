"""A claim's cause (致灾原因), for tariffs that exclude causes

`claims.cause` holds the optional cause of a claim (fire, flood, earthquake, theft …, RULES.md
"Tariff shapes of real programs"); NULL for every claim stored before, which then decides as
it did. The other new figures (liable party paid, motor-vehicle loss) sit in `claims.amounts`.

Revision ID: 0010_tariff_shapes
Revises: 0006_covered_indexes
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010_tariff_shapes'
down_revision = '0006_covered_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("cause", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("cause")
