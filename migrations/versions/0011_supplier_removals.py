"""supplier removals: what removing a supplier deleted, so that the removal can be undone

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 00:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('supplier_removal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('removed_id', sa.Integer(), nullable=False),
    sa.Column('removed_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('why', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('supplier_removal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_removal_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('supplier_removal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_removal_at'))
    op.drop_table('supplier_removal')
