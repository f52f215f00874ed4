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

from coopmatch.geo import GeoReference
from coopmatch.models import LedgerName, Supplier, User, utcnow
from coopmatch.names import buyer_key, normalise_name
from coopmatch.services import audit, organisations
from coopmatch.services.geography import apply_place, is_council_name
from coopmatch.spend import (
    REJECTED,
    SupplierRegister,
    Thresholds,
    names_it_might_be,
    resolve_suppliers,
)

# Names a person decided (a reviewer, or the supplier saying a name is not it: "disputed",
# until a reviewer decides): never resolved again.
DECIDED = ("confirmed", "rejected", "disputed")
# Those, and names that are redacted.
SETTLED = (*DECIDED, "redacted")
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
    if row.status in DECIDED:
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
    pending = [r for r in rows if r.status not in DECIDED]
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


def add_councils(session: Session, rows: list[LedgerName], geo: GeoReference) -> int:
    """Resolve the undecided names among these that name a council to that council, adding it
    to the register as a public body where it is not there yet; return how many names changed.

    "SOUTH RIBBLE BOROUGH COUNCIL" in a ledger is South Ribble Borough Council, placed at the
    centre of its area as a buyer without a postcode is: no guess. Its spend then counts where
    it is, under "Public body". The name decides, not how alike it is to other names: "South
    Ribble Borough Council" is not "Ribble Valley Borough Council", however alike they look.
    A police force, fire service or NHS body named by its area ("WEST YORKSHIRE POLICE",
    "BLACKPOOL TEACHING HOSPITALS NHS FOUNDATION TRUST") is added the same way. Other public
    bodies (departments, NHS bodies of no one area) are not placed by name, so they wait for a
    person, as other payees do.
    """
    if not geo.available:
        return 0
    pending = [r for r in rows if r.status not in SETTLED and is_council_name(geo, r.name)]
    if not pending:
        return 0
    known = {buyer_key(s.name): s for s in session.exec(
        select(Supplier).where(Supplier.ownership == "public_body"))}
    buyers = {key: o.name for key, o in organisations.by_name_key(session).items()}
    changed = 0
    for row in pending:
        key = buyer_key(row.name)
        if row.supplier_id is not None:
            current = session.get(Supplier, row.supplier_id)
            if current is not None and buyer_key(current.name) == key:
                continue  # already this council
        if key not in known:
            known[key] = _new_council(session, row.name, buyers.get(key), geo)
        supplier = known[key]
        if supplier is None:
            continue
        row.supplier_id, row.status, row.confidence = supplier.id, "auto", 1.0
        row.candidates = json.dumps([{"supplier_id": supplier.id, "name": supplier.name,
                                      "postcode": supplier.postcode, "confidence": 1.0}])
        row.updated_at = utcnow()
        changed += 1
    return changed


def _new_council(session: Session, name: str, buyer_name: str | None,
                 geo: GeoReference) -> Supplier | None:
    """A council added to the register under the name its notices give it (where it is a
    buyer), or None for a name that places no council."""
    place = geo.place_of_buyer(name)
    if place is None:
        return None
    display = buyer_name or " ".join(name.split())
    supplier = Supplier(name=display[:300], normalised_name=normalise_name(display),
                        ownership="public_body", source="ledger")
    apply_place(supplier, place)
    session.add(supplier)
    session.flush()
    audit.record(session, user=None, action="create", entity="supplier", entity_id=supplier.id,
                 summary=f"{supplier.name}: a public body the ledgers pay ('{name}'), placed in "
                         f"{place.lad_name or place.county_name or 'its area'}")
    return supplier


def resolve_again(session: Session, *, user: User | None = None,
                  geo: GeoReference | None = None) -> Counter:
    """Resolve every name nobody has decided on again, e.g. after the register has grown;
    with `geo`, councils paid but not in the register are added to it (add_councils)."""
    undecided = _undecided(session)
    outcome = resolve_names(session, undecided)
    if geo is not None and add_councils(session, undecided, geo):
        outcome = Counter(row.status for row in undecided)
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
