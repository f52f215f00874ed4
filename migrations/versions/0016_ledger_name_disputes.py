"""ledger_name: who said a name is not its supplier, and its status before, for an undo

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place, not by copying the table as a batch would (SQLite refuses to drop the
    # old copy: payments point at it); SQLite takes the reference inline.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE ledger_name ADD COLUMN disputed_by_id INTEGER '
                   'REFERENCES "user" (id)')
    else:
        op.add_column('ledger_name', sa.Column('disputed_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_ledger_name_disputed_by_id_user', 'ledger_name', 'user',
                              ['disputed_by_id'], ['id'])
    op.add_column('ledger_name', sa.Column('disputed_from', sa.String(length=20),
                                           nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ledger_name', schema=None) as batch_op:
        batch_op.drop_column('disputed_from')
        batch_op.drop_column('disputed_by_id')
