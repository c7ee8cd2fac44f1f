"""department feeds: files, rows, push list, verification reuse, re-decision requests

Revision ID: 0011_feeds
Revises: 0006_covered_indexes

"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011_feeds'
down_revision = '0010_tariff_shapes'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('feed_files',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('bureau', sa.String(length=16), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('matched', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('reversed', sa.Integer(), nullable=False),
    sa.Column('error_report', sa.String(length=500), nullable=True),
    sa.Column('imported_by', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_feed_files'))
    )
    with op.batch_alter_table('feed_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_files_month'), ['month'], unique=False)

    op.create_table('feed_push',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('household_id', sa.String(length=64), nullable=False),
    sa.Column('township_code', sa.String(length=12), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('figure', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('warning_line', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('previous_figure', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('new_figure', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('claim_ids', sa.JSON(), nullable=False),
    sa.Column('verifier_id', sa.String(length=64), nullable=True),
    sa.Column('verification_due', sa.Date(), nullable=True),
    sa.Column('reused_verification', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('screened_at', sa.String(length=32), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_feed_push')),
    sa.UniqueConstraint('month', 'household_id', 'category', name=op.f('uq_feed_push_month_household_id_category'))
    )
    with op.batch_alter_table('feed_push', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_push_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feed_push_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_feed_push_township_code'), ['township_code'], unique=False)

    op.create_table('feed_rows',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('bureau', sa.String(length=16), nullable=False),
    sa.Column('record_no', sa.String(length=64), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('id_number', sa.String(length=32), nullable=False),
    sa.Column('household_id', sa.String(length=64), nullable=True),
    sa.Column('member_id', sa.String(length=64), nullable=True),
    sa.Column('category', sa.String(length=16), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('figure', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('reverses', sa.String(length=64), nullable=True),
    sa.Column('reversed_by', sa.String(length=64), nullable=True),
    sa.Column('claim_id', sa.String(length=64), nullable=True),
    sa.Column('file_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_feed_rows')),
    sa.UniqueConstraint('bureau', 'record_no', name=op.f('uq_feed_rows_bureau_record_no'))
    )
    with op.batch_alter_table('feed_rows', schema=None) as batch_op:
        batch_op.create_index('ix_feed_rows_household_year', ['household_id', 'year'], unique=False)
        batch_op.create_index(batch_op.f('ix_feed_rows_month'), ['month'], unique=False)

    op.create_table('redecision_requests',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('claim_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('amounts', sa.JSON(), nullable=False),
    sa.Column('requested_at', sa.String(length=32), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('done_at', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_redecision_requests'))
    )
    with op.batch_alter_table('redecision_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redecision_requests_claim_id'), ['claim_id'], unique=False)

    op.create_table('verification_reuse',
    sa.Column('claim_id', sa.String(length=64), nullable=False),
    sa.Column('verification_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('from_claim_id', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('claim_id', name=op.f('pk_verification_reuse'))
    )



def downgrade() -> None:

    op.drop_table('verification_reuse')
    with op.batch_alter_table('redecision_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redecision_requests_claim_id'))

    op.drop_table('redecision_requests')
    with op.batch_alter_table('feed_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_rows_month'))
        batch_op.drop_index('ix_feed_rows_household_year')

    op.drop_table('feed_rows')
    with op.batch_alter_table('feed_push', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_push_township_code'))
        batch_op.drop_index(batch_op.f('ix_feed_push_month'))
        batch_op.drop_index(batch_op.f('ix_feed_push_household_id'))

    op.drop_table('feed_push')
    with op.batch_alter_table('feed_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_files_month'))

    op.drop_table('feed_files')

