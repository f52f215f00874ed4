"""Undoing a merge of two suppliers (`suppliers.merge_suppliers`).

A merge records what it changed (`MergeRecord`): the deleted supplier as it was, the
contracts, ledger names and accounts it moved, the contracts it dropped as listed on both,
and the kept supplier's fields before and after. Undoing it puts back what has not changed
since: a field edited after the merge, or a contract moved on, stays as it is now.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from coopmatch.errors import Conflict, Forbidden, NotFound
from coopmatch.geo import GeoReference
from coopmatch.models import (
    Award,
    LedgerName,
    Lot,
    Supplier,
    SupplierMerge,
    Tender,
    User,
    join_codes,
    utcnow,
)
from coopmatch.services import audit, distinct, ledger_names
from coopmatch.services.geography import PLACE_FIELDS, apply_place, locate
from coopmatch.services.permissions import is_admin

# What a merge takes from the supplier folded in where the kept one lacks it.
FILLED_ON_MERGE = ("description", "legal_form", "registration_number", "employees",
                   "turnover_band", "max_contract_value", "service_radius_km", "website",
                   "contact_email", "contact_phone", "incorporation_date", "external_id")
# The kept supplier's fields a merge may change, in the groups an undo puts back together: a
# place is its postcode and what the postcode gave.
FIELD_GROUPS = (*((name,) for name in (*FILLED_ON_MERGE, "ownership", "cpv_codes", "sic_codes",
                                       "accreditations")), PLACE_FIELDS)


def snapshot(row) -> dict:
    """A row's columns as JSON values (dates as ISO text)."""
    return {c.key: _encode(getattr(row, c.key)) for c in row.__table__.columns}


def from_snapshot(model, data: dict):
    """A new row of `model` from `snapshot`'s values (columns it no longer has are ignored)."""
    columns = {c.key: c for c in model.__table__.columns}
    return model(**{k: _decode(columns[k], v) for k, v in data.items() if k in columns})


def _encode(value):
    return value.isoformat() if isinstance(value, date | datetime) else value


def _decode(column, value):
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, sa.Date):
        return date.fromisoformat(value)
    return value


_VAGUE_OWNERSHIP = ("", "unknown", "sme")  # least said first; "sme" is what a notice can say


def says_more(ownership: str, than: str) -> bool:
    """Whether one ownership model says more about a firm than another (on merging two
    entries): a co-op or a charity more than "sme", and "sme" more than "not known"."""
    def weight(value: str) -> int:
        return _VAGUE_OWNERSHIP.index(value) if value in _VAGUE_OWNERSHIP else len(_VAGUE_OWNERSHIP)
    return weight(ownership) > weight(than)


def fill_gaps(keep: Supplier, other: Supplier, geo: GeoReference) -> None:
    """Give `keep` what `other`, the same firm, knows and it does not: blank fields, a place,
    an ownership model that says more, and the codes of both. The caller commits."""
    for name in FILLED_ON_MERGE:
        if getattr(keep, name) in (None, "") and getattr(other, name) not in (None, ""):
            setattr(keep, name, getattr(other, name))
    if not keep.postcode and other.postcode:
        apply_place(keep, locate(geo, other.postcode))
    if says_more(other.ownership, keep.ownership):
        keep.ownership = other.ownership
    keep.cpv_codes = join_codes([*keep.cpv_list, *other.cpv_list])
    keep.sic_codes = join_codes([*keep.sic_list, *other.sic_list])
    keep.accreditations = join_codes([*keep.accreditation_list, *other.accreditation_list])
    keep.updated_at = utcnow()


def fields_of(supplier: Supplier) -> dict:
    return {name: _encode(getattr(supplier, name)) for group in FIELD_GROUPS for name in group}


class JsonRecord:
    """A dataclass kept as JSON in a row's `record` (a merge's or a removal's)."""

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str):
        data = json.loads(text or "{}")
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass
class MergeRecord(JsonRecord):
    """What one merge changed; filled in by `merge_suppliers` as it goes."""

    removed: dict = field(default_factory=dict)
    kept_before: dict = field(default_factory=dict)
    kept_after: dict = field(default_factory=dict)
    awards: list[int] = field(default_factory=list)
    dropped_awards: list[dict] = field(default_factory=list)
    ledger_names: list[int] = field(default_factory=list)
    accounts: list[int] = field(default_factory=list)
    # The pairs the removed supplier was marked as two with (`distinct.forget`).
    distinct: list[dict] = field(default_factory=list)


def recent_merges(session: Session, *, user: User | None, limit: int = 20
                  ) -> list[SupplierMerge]:
    """Merges that may be undone, newest first: administrators, or the command line."""
    if user is not None and not is_admin(user):
        raise Forbidden("Only administrators can merge suppliers or undo a merge.")
    return list(session.exec(select(SupplierMerge).where(SupplierMerge.undone_at.is_(None))
                             .order_by(SupplierMerge.id.desc()).limit(limit)))


def undo_merge(session: Session, *, user: User | None, merge_id: int) -> Supplier:
    """Put the merged supplier back with its contracts, ledger names and accounts, and the
    kept supplier's fields as they were (where nobody has changed them since); return the
    supplier put back. One transaction, recorded in the audit log. The latest merge into a
    supplier is undone first."""
    if user is not None and not is_admin(user):
        raise Forbidden("Only administrators can merge suppliers or undo a merge.")
    merge = session.get(SupplierMerge, merge_id)
    if merge is None:
        raise NotFound("There is no such merge.")
    if merge.undone_at is not None:
        raise Conflict(f"The merge of '{merge.removed_name}' into '{merge.kept_name}' has "
                       "already been undone.")
    keep = session.get(Supplier, merge.kept_id)
    if keep is None:
        raise Conflict(f"'{merge.kept_name}' is no longer in the register (merged into another "
                       "supplier since, or deleted), so this merge cannot be undone.")
    later = session.exec(select(SupplierMerge).where(
        SupplierMerge.kept_id == keep.id, SupplierMerge.id > merge.id,
        SupplierMerge.undone_at.is_(None))).first()
    if later is not None:
        raise Conflict(f"'{later.removed_name}' was merged into '{keep.name}' after this: undo "
                       "that merge first.")
    record = MergeRecord.from_json(merge.record)
    restored = restore_supplier(session, record.removed)
    moved = _move_back(session, Award, record.awards, keep.id, restored.id)
    put_back = put_back_awards(session, record.dropped_awards, restored.id)
    names = _move_back(session, LedgerName, record.ledger_names, keep.id, restored.id)
    accounts = _move_back(session, User, record.accounts, keep.id, restored.id)
    marks = distinct.restore(session, "supplier", record.distinct, restored.id)
    now = fields_of(keep)
    for group in FIELD_GROUPS:
        if all(now[f] == record.kept_after.get(f) for f in group):
            for name in group:
                column = Supplier.__table__.columns[name]
                setattr(keep, name, _decode(column, record.kept_before.get(name)))
    keep.updated_at = utcnow()
    merge.undone_at = utcnow()
    audit.record(session, user=user, action="unmerge", entity="supplier", entity_id=restored.id,
                 summary=f"Undid the merge of '{restored.name}' into '{keep.name}': "
                 f"{moved + put_back} contract(s), {names} ledger name(s) and {accounts} "
                 f"account(s) back{distinct.put_back_note(marks)}")
    session.commit()
    ledger_names.resolve_for_suppliers(session, [keep.id, restored.id], user=user)
    return restored


def restore_supplier(session: Session, data: dict) -> Supplier:
    """Add back a deleted supplier (its `snapshot`), under its old number where that is free,
    and flush it so that its rows can point at it. The caller commits."""
    restored = from_snapshot(Supplier, data)
    if session.get(Supplier, restored.id) is not None:
        restored.id = None  # its number has been given to another supplier since
    restored.updated_at = utcnow()  # the match index's fingerprint sees it back
    session.add(restored)
    session.flush()
    return restored


def put_back_awards(session: Session, snapshots: list[dict], supplier_id: int) -> int:
    """Add back deleted awards (their `snapshot`s) as this supplier's, but those whose notice
    or lot has gone since; return how many. The caller commits."""
    put_back = 0
    for data in snapshots:
        award = from_snapshot(Award, data)
        if session.get(Tender, award.tender_id) is None or (
                award.lot_id is not None and session.get(Lot, award.lot_id) is None):
            continue  # the notice has gone since
        if session.get(Award, award.id) is not None:
            award.id = None  # its number has been given to another award since
        award.supplier_id = supplier_id
        session.add(award)
        put_back += 1
    return put_back


def _move_back(session: Session, model, ids: list[int], kept_id: int, restored_id: int) -> int:
    """Point the rows with these ids that are still the kept supplier's at the restored one."""
    rows = []
    for start in range(0, len(ids), 500):
        rows += session.exec(select(model).where(model.id.in_(ids[start:start + 500]),
                                                 model.supplier_id == kept_id)).all()
    for row in rows:
        row.supplier_id = restored_id
    return len(rows)
