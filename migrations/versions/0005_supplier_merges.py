"""supplier merges: what each merge changed, so that it can be undone

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 08:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('supplier_merge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kept_id', sa.Integer(), nullable=False),
    sa.Column('kept_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('removed_id', sa.Integer(), nullable=False),
    sa.Column('removed_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('supplier_merge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_merge_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_supplier_merge_kept_id'), ['kept_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('supplier_merge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_merge_kept_id'))
        batch_op.drop_index(batch_op.f('ix_supplier_merge_at'))
    op.drop_table('supplier_merge')
