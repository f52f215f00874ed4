"""name fixes: names beginning "TA" normalised again; winners that name no supplier removed

"TA Browne Contract Services Ltd" was read as "trading as Browne ..." from its first word, so
its normalised name was empty, and every such supplier, buyer or ledger name was one to the
imports. This recomputes the empty ones.

Award notices that name no supplier as their winner ("NOT AWARDED TO SUPPLIER", "Not
Applicable", "Multiple Providers ... see URL", a withheld name) had each been made a supplier
with those notices' awards, and ranked as one. Imports no longer do that; this removes the ones
made before, with their awards: suppliers known only from award notices
(source "award") whose name names.names_no_supplier reads as no supplier, and that no account
or payment-ledger name refers to.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:10:00
"""

import sqlalchemy as sa
from alembic import op

from coopmatch.names import names_no_supplier, normalise_name

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
    # Winners that name no supplier, made suppliers before imports knew them.
    linked = {i for (i,) in bind.execute(sa.text(
        'SELECT supplier_id FROM "user" WHERE supplier_id IS NOT NULL '
        "UNION SELECT supplier_id FROM ledger_name WHERE supplier_id IS NOT NULL"))}
    unnamed = [row_id for row_id, name in bind.execute(sa.text(
        "SELECT id, name FROM supplier WHERE source = 'award'")).all()
        if names_no_supplier(name) and row_id not in linked]
    for row_id in unnamed:
        bind.execute(sa.text("DELETE FROM award WHERE supplier_id = :i"), {"i": row_id})
        bind.execute(sa.text("DELETE FROM supplier WHERE id = :i"), {"i": row_id})


def downgrade() -> None:
    pass  # the old names were wrong and the removed suppliers none; nothing to restore
