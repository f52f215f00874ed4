"""payment: an index on (anchor, payee), so that what one anchor paid a few suppliers is read
from their payees' lines, not from all of the anchor's ledgers

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 00:00:00
"""

from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index('ix_payment_anchor_id_ledger_name_id',
                              ['anchor_id', 'ledger_name_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_anchor_id_ledger_name_id')
