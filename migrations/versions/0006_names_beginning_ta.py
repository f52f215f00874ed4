"""names beginning "TA": normalised again (they had all normalised to "")

"TA Browne Contract Services Ltd" was read as "trading as Browne ..." from its first word, so
its normalised name was empty, and every such supplier, buyer or ledger name was one to the
imports. This recomputes the empty ones; nothing else changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:10:00
"""

import sqlalchemy as sa
from alembic import op

from coopmatch.names import normalise_name

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in ("supplier", "organisation"):
        rows = bind.execute(sa.text(
            f"SELECT id, name FROM {table} WHERE normalised_name = ''")).all()
        for row_id, name in rows:
            bind.execute(sa.text(f"UPDATE {table} SET normalised_name = :n WHERE id = :i"),
                         {"n": normalise_name(name), "i": row_id})
    # A ledger name's key is unique: the row under "" takes its own name's key unless another
    # row has it already (then the "" row stays, as before).
    taken = {key for (key,) in bind.execute(sa.text("SELECT key FROM ledger_name"))}
    for row_id, name in bind.execute(sa.text(
            "SELECT id, name FROM ledger_name WHERE key = ''")).all():
        key = normalise_name(name)
        if key and key not in taken:
            bind.execute(sa.text("UPDATE ledger_name SET key = :k WHERE id = :i"),
                         {"k": key, "i": row_id})
            taken.add(key)


def downgrade() -> None:
    pass  # the old names were wrong; nothing to restore
