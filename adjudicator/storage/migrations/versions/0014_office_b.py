"""The bank's payment register and its return file: payees' accounts, payment batches,
repeat attempts after a failed transfer, bank returns; the county's region names; one-time
set-up links for web users

Revision ID: 0014_office_b
Revises: 0006_covered_indexes
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014_office_b'
down_revision = '0013_office_a'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('account_no', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('account_kind', sa.String(length=24), nullable=True))

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempt', sa.Integer(), server_default='1',
                                      nullable=False))
        batch_op.add_column(sa.Column('payee_member_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('payee_name', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('payee_bank', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('payee_account', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('account_kind', sa.String(length=24), nullable=True))
        batch_op.drop_constraint('uq_payments_decision_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_payments_decision_id_attempt'),
                                          ['decision_id', 'attempt'])
        batch_op.create_index(batch_op.f('ix_payments_batch_ref'), ['batch_ref'], unique=False)

    op.create_table('payment_batches',
    sa.Column('pk', BigId, autoincrement=True, nullable=False),
    sa.Column('batch_ref', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_payment_batches')),
    sa.UniqueConstraint('batch_ref', name=op.f('uq_payment_batches_batch_ref'))
    )
    op.create_table('bank_returns',
    sa.Column('pk', BigId, autoincrement=True, nullable=False),
    sa.Column('payment_pk', BigId, nullable=False),
    sa.Column('claim_id', sa.String(length=64), nullable=False),
    sa.Column('batch_ref', sa.String(length=64), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('bank_ref', sa.String(length=64), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('imported_by', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['payment_pk'], ['payments.pk'],
                            name=op.f('fk_bank_returns_payment_pk_payments')),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_bank_returns')),
    sa.UniqueConstraint('payment_pk', name=op.f('uq_bank_returns_payment_pk'))
    )
    with op.batch_alter_table('bank_returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_returns_claim_id'), ['claim_id'],
                              unique=False)
    op.create_table('regions',
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('loaded_by', sa.String(length=64), nullable=False),
    sa.Column('loaded_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_regions'))
    )
    op.create_table('web_setup_links',
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('expires_at', sa.String(length=32), nullable=False),
    sa.Column('used_at', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('token_sha256', name=op.f('pk_web_setup_links'))
    )
    with op.batch_alter_table('web_setup_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_setup_links_user_id'), ['user_id'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('web_setup_links')
    op.drop_table('regions')
    op.drop_table('bank_returns')
    op.drop_table('payment_batches')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_batch_ref'))
        batch_op.drop_constraint(batch_op.f('uq_payments_decision_id_attempt'), type_='unique')
        batch_op.create_unique_constraint('uq_payments_decision_id', ['decision_id'])
        for column in ('account_kind', 'payee_account', 'payee_bank', 'payee_name',
                       'payee_member_id', 'attempt'):
            batch_op.drop_column(column)
    with op.batch_alter_table('members', schema=None) as batch_op:
        for column in ('account_kind', 'account_no', 'bank_name'):
            batch_op.drop_column(column)
