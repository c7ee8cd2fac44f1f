"""Drop the two indexes that a unique key already covers

`members.household_id` is the leading column of the unique (household_id, member_id) key, and
`decisions.claim_id` of the unique (claim_id, seq) key: both databases find a household's
members and a claim's decisions through those keys' indexes, so the single-column indexes
only cost every insert another B-tree to maintain (docs/scale.md, the database's floor).

Revision ID: 0006_covered_indexes
Revises: 0001
"""
from __future__ import annotations

from alembic import op

revision = '0006_covered_indexes'
down_revision = '0001'
branch_labels = None
depends_on = None

INDEXES = (("members", "ix_members_household_id", "household_id"),
           ("decisions", "ix_decisions_claim_id", "claim_id"))


def upgrade() -> None:
    for table, name, _column in INDEXES:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for table, name, column in INDEXES:
        op.create_index(name, table, [column], unique=False)
