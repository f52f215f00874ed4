"""Undoing the removal of a supplier (`suppliers.remove_supplier`, or a placeholder winner
an import dropped).

A removal records what it deleted (`SupplierRemoval`): the supplier as it was, the awards
that named it, and the ledger names it left unresolved. Undoing it puts the supplier back
(under its old number where that is free) with its awards whose notices are still there, and
the ledger names that nobody has resolved since.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, select

from coopmatch.errors import Conflict, Forbidden, NotFound
from coopmatch.models import Award, LedgerName, Supplier, SupplierRemoval, User, utcnow
from coopmatch.services import audit, ledger_names
from coopmatch.services.merges import JsonRecord, put_back_awards, restore_supplier, snapshot
from coopmatch.services.permissions import is_admin


@dataclass
class RemovalRecord(JsonRecord):
    """What one removal deleted."""

    supplier: dict = field(default_factory=dict)
    awards: list[dict] = field(default_factory=list)
    # Each ledger name matched to it as it was: {"id", "status", "confidence"}.
    ledger_names: list[dict] = field(default_factory=list)


def record_removal(session: Session, supplier: Supplier, *, awards: list[Award],
                   names: list[LedgerName], user: User | None, why: str) -> None:
    """Keep what removing a supplier deletes, before it is deleted; the caller commits."""
    record = RemovalRecord(
        supplier=snapshot(supplier), awards=[snapshot(a) for a in awards],
        ledger_names=[{"id": n.id, "status": n.status, "confidence": n.confidence}
                      for n in names])
    session.add(SupplierRemoval(user_id=user.id if user else None, removed_id=supplier.id,
                                removed_name=supplier.name[:300], why=why[:200],
                                record=record.to_json()))


def recent_removals(session: Session, *, user: User | None, limit: int = 20
                    ) -> list[SupplierRemoval]:
    """Removals that may be undone, newest first: administrators, or the command line."""
    _check(user)
    return list(session.exec(select(SupplierRemoval).where(SupplierRemoval.undone_at.is_(None))
                             .order_by(SupplierRemoval.id.desc()).limit(limit)))


def undo_removal(session: Session, *, user: User | None, removal_id: int) -> Supplier:
    """Put a removed supplier back with its awards (those whose notices are still there) and
    the ledger names still unresolved since; return it. One transaction, recorded in the audit
    log; the names are then resolved again."""
    _check(user)
    removal = session.get(SupplierRemoval, removal_id)
    if removal is None:
        raise NotFound("There is no such removal.")
    if removal.undone_at is not None:
        raise Conflict(f"The removal of '{removal.removed_name}' has already been undone.")
    record = RemovalRecord.from_json(removal.record)
    restored = restore_supplier(session, record.supplier)
    put_back = put_back_awards(session, record.awards, restored.id)
    names = 0
    for data in record.ledger_names:
        row = session.get(LedgerName, data["id"])
        if row is None or row.supplier_id is not None or row.status != "unresolved":
            continue  # resolved or decided since: that decision stands
        row.supplier_id, row.status, row.confidence = (
            restored.id, data["status"], data["confidence"])
        row.updated_at = utcnow()
        names += 1
    removal.undone_at = utcnow()
    audit.record(session, user=user, action="restore", entity="supplier",
                 entity_id=restored.id,
                 summary=f"Undid the removal of '{restored.name}': "
                         f"{audit.counted(put_back, 'award')} and "
                         f"{audit.counted(names, 'ledger name')} back")
    session.commit()
    ledger_names.resolve_for_suppliers(session, [restored.id], user=user)
    return restored


def _check(user: User | None) -> None:
    if user is not None and not is_admin(user):
        raise Forbidden("Only administrators can remove suppliers or undo a removal.")
