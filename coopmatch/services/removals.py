"""Undoing the removal of a supplier (`suppliers.remove_supplier`, or a placeholder winner
an import dropped).

A removal records what it deleted (`SupplierRemoval`): the supplier as it was, the awards
that named it, and the ledger names it left unresolved. Undoing it puts the supplier back
(under its old number where that is free) with its awards whose notices are still there, and
the ledger names that nobody has resolved since. If the firm has come back since (an import
named it again), they go back on that supplier instead, so it is not listed twice.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, select

from coopmatch.errors import Conflict, Forbidden, NotFound
from coopmatch.geo import GeoReference
from coopmatch.models import Award, LedgerName, Supplier, SupplierRemoval, User, utcnow
from coopmatch.names import normalise_name, registration_key
from coopmatch.services import audit, distinct, ledger_names
from coopmatch.services.imports import same_firm_by_name
from coopmatch.services.merges import (
    JsonRecord,
    fill_gaps,
    from_snapshot,
    put_back_awards,
    restore_supplier,
    snapshot,
)
from coopmatch.services.permissions import is_admin


@dataclass
class RemovalRecord(JsonRecord):
    """What one removal deleted."""

    supplier: dict = field(default_factory=dict)
    awards: list[dict] = field(default_factory=list)
    # Each ledger name matched to it as it was: {"id", "status", "confidence"}.
    ledger_names: list[dict] = field(default_factory=list)
    # The pairs it was marked as two with (`distinct.forget`).
    distinct: list[dict] = field(default_factory=list)


@dataclass
class Undone:
    """An undone removal: the supplier back in the register, and whether it was one the firm
    had come back as since (its contracts and names were put back on it)."""

    supplier: Supplier
    came_back: bool = False


def record_removal(session: Session, supplier: Supplier, *, awards: list[Award],
                   names: list[LedgerName], marks: list[dict], user: User | None,
                   why: str) -> None:
    """Keep what removing a supplier deletes, before it is deleted; the caller commits."""
    record = RemovalRecord(
        supplier=snapshot(supplier), awards=[snapshot(a) for a in awards],
        ledger_names=[{"id": n.id, "status": n.status, "confidence": n.confidence}
                      for n in names], distinct=marks)
    session.add(SupplierRemoval(user_id=user.id if user else None, removed_id=supplier.id,
                                removed_name=supplier.name[:300], why=why[:200],
                                record=record.to_json()))


def recent_removals(session: Session, *, user: User | None, limit: int = 20
                    ) -> list[SupplierRemoval]:
    """Removals that may be undone, newest first: administrators, or the command line."""
    _check(user)
    return list(session.exec(select(SupplierRemoval).where(SupplierRemoval.undone_at.is_(None))
                             .order_by(SupplierRemoval.id.desc()).limit(limit)))


def came_back(session: Session, removal: SupplierRemoval) -> Supplier | None:
    """The supplier a removed firm has come back as since it was removed (an import named it
    again), found as an import finds a firm: by registration number, by a register's own id,
    else by name (and postcode, unless it names a company)."""
    return _came_back(session, RemovalRecord.from_json(removal.record).supplier, removal)


def _came_back(session: Session, data: dict, removal: SupplierRemoval) -> Supplier | None:
    since = Supplier.created_at >= removal.at
    number = data.get("registration_number") or ""
    if number:
        key = registration_key(number)
        for supplier in session.exec(select(Supplier).where(
                since, Supplier.registration_number.in_({number, key, key.lstrip("0")}))):
            if registration_key(supplier.registration_number) == key:
                return supplier
    if data.get("external_id"):
        found = session.exec(select(Supplier).where(
            since, Supplier.source == data.get("source"),
            Supplier.external_id == data["external_id"])).first()
        if found is not None:
            return found
    name = data.get("name") or ""
    key = data.get("normalised_name") or normalise_name(name)
    if not key:
        return None
    for supplier in session.exec(select(Supplier).where(
            since, Supplier.normalised_name == key).order_by(Supplier.id)):
        if same_firm_by_name(name, data.get("postcode"), bool(number), supplier):
            return supplier
    return None


def returned_since(session: Session, found: list[SupplierRemoval]) -> dict[int, Supplier]:
    """For each of these removals whose firm has come back since, the supplier it came back as."""
    returned = {removal.id: came_back(session, removal) for removal in found}
    return {removal_id: supplier for removal_id, supplier in returned.items() if supplier}


def undo_removal(session: Session, *, user: User | None, removal_id: int,
                 geo: GeoReference) -> Undone:
    """Put a removed supplier back with its awards (those whose notices are still there) and
    the ledger names still unresolved since. If the firm has come back since, they go back on
    the supplier it came back as (but a contract it holds again), and that supplier's gaps
    are filled from the removed one's as a merge fills them (`merges.fill_gaps`). One
    transaction, recorded in the audit log; the names are then resolved again."""
    _check(user)
    removal = session.get(SupplierRemoval, removal_id)
    if removal is None:
        raise NotFound("There is no such removal.")
    if removal.undone_at is not None:
        raise Conflict(f"The removal of '{removal.removed_name}' has already been undone.")
    record = RemovalRecord.from_json(removal.record)
    returned = _came_back(session, record.supplier, removal)
    if returned is None:
        restored = restore_supplier(session, record.supplier)
        awards = record.awards
    else:
        restored = returned
        fill_gaps(restored, from_snapshot(Supplier, record.supplier), geo)
        held = set(session.exec(select(Award.tender_id, Award.lot_id)
                                .where(Award.supplier_id == restored.id)).all())
        awards = [a for a in record.awards if (a.get("tender_id"), a.get("lot_id")) not in held]
    put_back = put_back_awards(session, awards, restored.id)
    names = 0
    for data in record.ledger_names:
        row = session.get(LedgerName, data["id"])
        if row is None or row.supplier_id is not None or row.status != "unresolved":
            continue  # resolved or decided since: that decision stands
        row.supplier_id, row.status, row.confidence = (
            restored.id, data["status"], data["confidence"])
        row.updated_at = utcnow()
        names += 1
    marks = distinct.restore(session, "supplier", record.distinct, restored.id)
    removal.undone_at = utcnow()
    onto = "" if returned is None else f" onto supplier {restored.id}, which it came back as"
    audit.record(session, user=user, action="restore", entity="supplier",
                 entity_id=restored.id,
                 summary=f"Undid the removal of '{removal.removed_name}'{onto}: "
                         f"{audit.counted(put_back, 'award')} and "
                         f"{audit.counted(names, 'ledger name')} back"
                         f"{distinct.put_back_note(marks)}")
    session.commit()
    ledger_names.resolve_for_suppliers(session, [restored.id], user=user)
    return Undone(restored, came_back=returned is not None)



def _check(user: User | None) -> None:
    if user is not None and not is_admin(user):
        raise Forbidden("Only administrators can remove suppliers or undo a removal.")
