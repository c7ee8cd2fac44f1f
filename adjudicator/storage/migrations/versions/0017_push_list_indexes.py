"""Drop the push list's two indexes that its unique key already covers

`feed_push.month` is the leading column of the unique (month, household_id, category) key,
through which both databases find a month's entries and a household's entry of a month; no
query looks a household up without its month. A province's screening stores hundreds of
thousands of entries (the people not registered over a line): each index dropped is a B-tree
fewer to write each into (docs/scale.md).

Revision ID: 0017_push_list_indexes
Revises: 0016_feed_stranger_blobs
"""
from __future__ import annotations

from alembic import op

revision = '0017_push_list_indexes'
down_revision = '0016_feed_stranger_blobs'
branch_labels = None
depends_on = None

INDEXES = (("feed_push", "ix_feed_push_month", "month"),
           ("feed_push", "ix_feed_push_household_id", "household_id"))


def upgrade() -> None:
    for table, name, _column in INDEXES:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for table, name, column in INDEXES:
        op.create_index(name, table, [column], unique=False)
