"""distinct pairs: two suppliers or organisations an administrator judged not to be one

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 00:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('distinct_pair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('first_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('second_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'first_id', 'second_id')
    )
    with op.batch_alter_table('distinct_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_distinct_pair_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('distinct_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_distinct_pair_at'))
    op.drop_table('distinct_pair')
