"""ledger uploads: an import job may carry the anchor whose payments it holds

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 12:40:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('import_job') as batch:
        batch.add_column(sa.Column('anchor_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_import_job_anchor_id_organisation', 'organisation',
                                 ['anchor_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('import_job') as batch:
        batch.drop_constraint('fk_import_job_anchor_id_organisation', type_='foreignkey')
        batch.drop_column('anchor_id')
