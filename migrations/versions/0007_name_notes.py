"""name notes: the notes ledgers and notices write into a payee's name are not its name

names.normalise_name now drops notes that ledgers and notices write into a payee's name: what
follows a company's legal form ("Water Plus Ltd - 6000325944 - Car Park, Union Rd", "Pct
Healthcare Ltd (Bolt)", "Ford Motor Co. Ltd Self Billing", "Angloco Ltd 01"), account and
supplier numbers ("EDF - 0439532723 Great Harwood Cemetery", "LEXIS NEXIS UK [226961]"), how it
is paid ("Lancashire County Council (Direct Debit Payments)", "(DD ONLY) Ribble Valley Borough
Council"), "Client Account", "Inactive" and former names ("X Ltd (formerly Y Ltd)"). It reads
"T/As" as "trading as", drops a "T/A" that begins a name, and takes the company in "UK NARIC
t/a Ecctis Ltd" (the only part with a legal form). This recomputes the stored forms: suppliers'
and organisations' normalised names, and payment-ledger names' keys.

A ledger name's key is unique, so the names that now share a key become one: the row with the
strongest status (confirmed, rejected, redacted, auto, review, unresolved; then the latest
decision, then the oldest row) is kept with its decision, and the others' payments move to it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 08:30:00
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from coopmatch.names import normalise_name

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

STRENGTH = {"confirmed": 5, "rejected": 4, "redacted": 3, "auto": 2, "review": 1}


def upgrade() -> None:
    bind = op.get_bind()
    for table in ("supplier", "organisation"):
        for row_id, name, normalised in bind.execute(sa.text(
                f"SELECT id, name, normalised_name FROM {table}")).all():
            now = normalise_name(name)
            if now != normalised:
                bind.execute(sa.text(f"UPDATE {table} SET normalised_name = :n WHERE id = :i"),
                             {"n": now, "i": row_id})
    _merge_ledger_names(bind)


def _merge_ledger_names(bind) -> None:
    rows = bind.execute(sa.text(
        "SELECT id, key, name, status, decided_at FROM ledger_name")).all()
    groups = defaultdict(list)
    for row in rows:
        groups[normalise_name(row.name) or row.key].append(row)
    final = {}
    for key, members in groups.items():
        if len(members) == 1 and members[0].key == key:
            continue
        keep = max(members, key=lambda r: (STRENGTH.get(r.status, 0), str(r.decided_at or ""),
                                           -r.id))
        others = [r.id for r in members if r.id != keep.id]
        for other in others:
            bind.execute(sa.text("UPDATE payment SET ledger_name_id = :k "
                                 "WHERE ledger_name_id = :o"), {"k": keep.id, "o": other})
            bind.execute(sa.text("DELETE FROM ledger_name WHERE id = :o"), {"o": other})
        # Out of the way first: another row may hold this key until its own turn.
        bind.execute(sa.text("UPDATE ledger_name SET key = :k WHERE id = :i"),
                     {"k": f"~moving~{keep.id}", "i": keep.id})
        final[keep.id] = key
    for row_id, key in final.items():
        bind.execute(sa.text("UPDATE ledger_name SET key = :k WHERE id = :i"),
                     {"k": key, "i": row_id})


def downgrade() -> None:
    pass  # the notes were never part of the names; merged ledger names stay one
