"""Ledger supplier names resolved against the register, and resolved again as it changes.

A payee that is not in the register counts as "location not known" in the spend figures. When
the register gains that supplier (an import, a self-registration, a renamed profile), the names
that might be it are resolved again at once, so the figures do not wait for someone to run
`coopmatch spend resolve`. People's decisions (confirmed, rejected) always stand.
"""

import json
import threading
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import Session, select

from coopmatch.models import LedgerName, Supplier, User, utcnow
from coopmatch.services import audit
from coopmatch.spend import (
    REJECTED,
    SupplierRegister,
    Thresholds,
    names_it_might_be,
    resolve_suppliers,
)

# Names a person decided, or that are redacted: never resolved again.
SETTLED = ("confirmed", "rejected", "redacted")
ID_CHUNK = 500
# Up to this many changed suppliers, names are screened by one rapidfuzz pass (about 10 ms
# for 50,000 names); more (an import) are resolved in full against them, which blocks by words.
FEW_SUPPLIERS = 200

# --- the register, indexed once per process ---------------------------------------------------

_registers: dict[tuple, SupplierRegister] = {}
_register_lock = threading.Lock()


def supplier_register(session: Session) -> SupplierRegister:
    """The register indexed for name resolution, rebuilt when suppliers change."""
    count, latest = session.exec(
        select(func.count(Supplier.id), func.max(Supplier.updated_at))).one()
    key = (str(session.get_bind().url), count, str(latest))
    with _register_lock:
        if key not in _registers:
            _registers.clear()
            rows = session.exec(select(Supplier.id, Supplier.name, Supplier.postcode,
                                       Supplier.normalised_name)).all()
            _registers[key] = SupplierRegister(
                (sid, name, postcode, [], normalised) for sid, name, postcode, normalised in rows)
        return _registers[key]


def _decisions(session: Session) -> dict[str, int | str]:
    """What reviewers decided, by name key: a supplier id, or REJECTED."""
    rows = session.exec(select(LedgerName.key, LedgerName.status, LedgerName.supplier_id)
                        .where(LedgerName.status.in_(("confirmed", "rejected")))).all()
    return {key: (REJECTED if status == "rejected" else supplier_id)
            for key, status, supplier_id in rows}


def _apply_resolution(row: LedgerName, resolution) -> None:
    if row.status in ("confirmed", "rejected"):
        return  # a person's decision stands
    status = resolution.status
    if resolution.reason == "redacted":
        status = "redacted"
    row.supplier_id = resolution.supplier_id if status == "auto" else None
    row.status = status
    row.confidence = round(float(resolution.confidence), 4)
    row.candidates = json.dumps([
        {"supplier_id": c.supplier_id, "name": c.name, "postcode": c.postcode,
         "confidence": round(float(c.confidence), 3)} for c in resolution.candidates[:5]])
    row.updated_at = utcnow()


def resolve_names(session: Session, rows: list[LedgerName],
                  thresholds: Thresholds | None = None) -> Counter:
    """Resolve ledger names against the register (people's decisions are kept)."""
    outcome: Counter = Counter()
    pending = [r for r in rows if r.status not in ("confirmed", "rejected")]
    if pending:
        register = supplier_register(session)
        found = resolve_suppliers([r.name for r in pending], register, _decisions(session),
                                  thresholds=thresholds or Thresholds())
        for row in pending:
            _apply_resolution(row, found[row.name])
    for row in rows:
        outcome[row.status] += 1
    return outcome


def _undecided(session: Session) -> list[LedgerName]:
    return list(session.exec(select(LedgerName).where(LedgerName.status.not_in(SETTLED))))


def resolve_again(session: Session, *, user: User | None = None) -> Counter:
    """Resolve every name nobody has decided on again, e.g. after the register has grown."""
    outcome = resolve_names(session, _undecided(session))
    audit.record(session, user=user, action="resolve", entity="ledger_name", entity_id=None,
                 summary=", ".join(f"{n} {s}" for s, n in outcome.items()))
    session.commit()
    return outcome


def resolve_for_suppliers(session: Session, supplier_ids: Iterable[int], *,
                          user: User | None = None,
                          thresholds: Thresholds | None = None) -> Counter:
    """Resolve again, and commit, the undecided ledger names these suppliers (new to the
    register, or renamed) might be: those that score as a candidate against them alone. The
    rest cannot change. Return the outcome of the names resolved again (empty: none were).
    """
    ids = sorted({int(i) for i in supplier_ids})
    if not ids:
        return Counter()
    undecided = session.exec(select(LedgerName.id, LedgerName.name, LedgerName.key)
                             .where(LedgerName.status.not_in(SETTLED))).all()
    if not undecided:
        return Counter()
    thresholds = thresholds or Thresholds()
    entries = []
    for start in range(0, len(ids), ID_CHUNK):
        entries += session.exec(
            select(Supplier.id, Supplier.name, Supplier.postcode, Supplier.normalised_name)
            .where(Supplier.id.in_(ids[start:start + ID_CHUNK]))).all()
    if not entries:
        return Counter()
    # Alone, these suppliers have no competitors: whatever might be one of them is a candidate
    # here (a superset of the names whose resolution they can change).
    alone = SupplierRegister(
        (sid, name, postcode, [], normalised) for sid, name, postcode, normalised in entries)
    names = [name for _, name, _ in undecided]
    if len(entries) <= FEW_SUPPLIERS:
        hit = names_it_might_be(names, [key for _, _, key in undecided], alone, thresholds)
    else:  # a large import: resolve every name against them, which blocks by shared words
        found = resolve_suppliers(names, alone, thresholds=thresholds)
        hit = [found[name].status in ("auto", "review") for name in names]
    touched_ids = [row_id for (row_id, _, _), h in zip(undecided, hit, strict=True) if h]
    if not touched_ids:
        return Counter()
    touched = []
    for start in range(0, len(touched_ids), ID_CHUNK):
        touched += session.exec(select(LedgerName).where(
            LedgerName.id.in_(touched_ids[start:start + ID_CHUNK]))).all()
    outcome = resolve_names(session, touched, thresholds)
    audit.record(session, user=user, action="resolve", entity="ledger_name", entity_id=None,
                 summary=f"{len(touched)} name(s) after {len(ids)} supplier(s) changed: "
                 + ", ".join(f"{n} {s}" for s, n in sorted(outcome.items())))
    session.commit()
    return outcome
