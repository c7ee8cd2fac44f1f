"""Money exactly on SQLite: every amount column holds integer fen

SQLite has no exact decimal type: a NUMERIC(14, 2) column kept 1234.56 as the binary
floating-point REAL nearest to it (68000.00 as the INTEGER 68000). From this revision the
application stores every amount on SQLite as a 64-bit integer of fen (123456), read back as
Decimal("1234.56") (`adjudicator.storage.models.ExactAmount`). This migration converts the
amounts already stored: each was written from a Decimal of at most two decimals and at most
12 digits of yuan, so the REAL nearest to it is within a millionth of a fen of it and
ROUND(value * 100) is exactly its fen. The declared column types stay NUMERIC(14, 2) (only
SQLite's affinity reads them; an integer stays an integer in such a column).

PostgreSQL keeps NUMERIC(14, 2), exact already: nothing to do there.

Revision ID: 0008_exact_money
Revises: 0006_covered_indexes
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008_exact_money'
down_revision = '0014_office_b'
branch_labels = None
# the audit and notice tables must exist before their amounts are converted
depends_on = ('0002_audit', '0003_notices')

#: Every money column (adjudicator.storage.models.Amount) at this revision.
AMOUNT_COLUMNS = {
    "claims": ("final_counted_expense", "final_paid"),
    "decisions": ("payout", "eligible_expense", "counted_expense"),
    "payments": ("amount",),
    "notices": ("total",),
    "notice_items": ("payout",),
    "audit_rechecks": ("tolerance_amount", "payout_stored", "payout_audit",
                       "payout_difference"),
    "audit_adjustments": ("amount", "received", "granted"),
}


def _convert(expression: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    present = set(sa.inspect(bind).get_table_names())
    for table, columns in AMOUNT_COLUMNS.items():
        if table not in present:
            continue
        assignments = ", ".join(f'"{c}" = {expression.format(c=c)}' for c in columns)
        op.execute(f'UPDATE "{table}" SET {assignments}')


def upgrade() -> None:
    # NULL stays NULL; REAL, INTEGER and numeric text all become integer fen
    _convert('CAST(ROUND("{c}" * 100) AS INTEGER)')


def downgrade() -> None:
    # back to yuan as REAL (inexact, as it was before this revision)
    _convert('"{c}" / 100.0')
