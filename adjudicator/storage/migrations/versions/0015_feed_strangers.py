"""The rows of people not in the register in a lean table of their own (feed_strangers); the
ones already stored in feed_rows are moved there

Revision ID: 0015_feed_strangers
Revises: 0007_money_chain
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015_feed_strangers'
down_revision = '0007_money_chain'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_MOVED = ('bureau, record_no, month, event_date, id_number, category, kind, figures, figure, '
          'reverses, reversed_by, file_pk, row_number')


def upgrade() -> None:
    op.create_table('feed_strangers',
    sa.Column('pk', BigId, autoincrement=True, nullable=False),
    sa.Column('bureau', sa.String(length=16), nullable=False),
    sa.Column('record_no', sa.String(length=64), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('id_number', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('figure', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('reverses', sa.String(length=64), nullable=True),
    sa.Column('reversed_by', sa.String(length=64), nullable=True),
    sa.Column('file_pk', BigId, nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_feed_strangers')),
    sa.UniqueConstraint('bureau', 'record_no', name=op.f('uq_feed_strangers_bureau_record_no'))
    )
    with op.batch_alter_table('feed_strangers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_strangers_month'), ['month'], unique=False)
    op.execute(f'INSERT INTO feed_strangers ({_MOVED}) SELECT {_MOVED} FROM feed_rows '
               'WHERE household_id IS NULL ORDER BY pk')
    op.execute('DELETE FROM feed_rows WHERE household_id IS NULL')


def downgrade() -> None:
    op.execute(f'INSERT INTO feed_rows ({_MOVED}, year) SELECT {_MOVED}, '
               "CAST(substr(month, 1, 4) AS INTEGER) FROM feed_strangers ORDER BY pk")
    with op.batch_alter_table('feed_strangers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_strangers_month'))
    op.drop_table('feed_strangers')
