"""The supplier register: self-registration, profile edits and search."""

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, and_, case, func, literal, or_
from sqlmodel import Session, select

from coopmatch.duplicates import Entry, likely_duplicates
from coopmatch.errors import Conflict, CoopmatchError, Forbidden, InvalidPostcode, NotFound
from coopmatch.geo import GeoReference
from coopmatch.imports.records import NoticeRecord, SupplierRecord
from coopmatch.imports.suppliers import iter_suppliers_csv, write_suppliers_csv
from coopmatch.models import (
    OWNERSHIP_MODELS,
    AuditEntry,
    Award,
    LedgerName,
    Supplier,
    SupplierCreate,
    SupplierMerge,
    Tender,
    User,
    join_codes,
    utcnow,
)
from coopmatch.names import (
    is_company_name,
    is_public_body_name,
    names_no_supplier,
    normalise_name,
)
from coopmatch.reference import Reference
from coopmatch.services import audit, distinct, ledger_names, merges, removals
from coopmatch.services.geography import (
    apply_place,
    area_lad_codes,
    locate,
    name_places,
    unknown_area_message,
)
from coopmatch.services.imports import all_or_nothing, parse_file
from coopmatch.services.pagination import Page, paginate
from coopmatch.services.permissions import can_edit_supplier, is_admin
from coopmatch.sic import parse_sic_codes

EDITABLE = tuple(SupplierCreate.model_fields)


def get_supplier(*, session: Session, supplier_id: int) -> Supplier:
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(f"There is no supplier numbered {supplier_id} in the register.")
    return supplier


def won_cpv_codes(*, session: Session, supplier: Supplier, top: int = 5
                  ) -> list[tuple[str, int]]:
    """The CPV codes of the contracts a supplier has won that it does not state itself, with
    how many of its contracts carry each, most first: what matching reads from its record."""
    stated = set(supplier.cpv_list)
    counts: Counter = Counter()
    won = session.exec(select(Tender.id, Tender.cpv_codes)
                       .join(Award, Award.tender_id == Tender.id)
                       .where(Award.supplier_id == supplier.id).distinct())
    for _, joined in won:
        counts.update({code for code in (joined or "").split() if code not in stated})
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]


def _apply(supplier: Supplier, data: SupplierCreate, ref: Reference) -> None:
    # Everything is checked before anything changes: a bad code leaves the profile as it was.
    place = locate(ref.geo, data.postcode)
    cpv_codes = join_codes(ref.cpv.normalise_many(data.cpv_codes))
    sic_codes = join_codes(parse_sic_codes(data.sic_codes))
    for name in EDITABLE:
        if name != "postcode":
            setattr(supplier, name, getattr(data, name))
    supplier.name = data.name.strip()
    supplier.normalised_name = normalise_name(supplier.name)
    supplier.cpv_codes = cpv_codes
    supplier.sic_codes = sic_codes
    supplier.accreditations = join_codes(data.accreditations.split())
    apply_place(supplier, place)


def register_supplier(
    session: Session, *, user: User, data: SupplierCreate, ref: Reference
) -> Supplier:
    """Create the signed-in supplier user's profile in the register."""
    if user.role not in {"supplier", "admin"}:
        raise Forbidden("Only supplier accounts can register a business.")
    if user.role == "supplier" and user.supplier_id is not None:
        raise Conflict("Your account already has a supplier profile: edit it instead.")
    supplier = Supplier(name=data.name, source="self_registered")
    _apply(supplier, data, ref)
    session.add(supplier)
    session.flush()
    if user.role == "supplier":
        session.get(User, user.id).supplier_id = supplier.id
        user.supplier_id = supplier.id
    audit.record(session, user=user, action="create", entity="supplier", entity_id=supplier.id,
                 summary=supplier.name)
    session.commit()
    ledger_names.resolve_for_suppliers(session, [supplier.id], user=user)
    return supplier


def update_supplier(
    session: Session, *, user: User, supplier_id: int, data: SupplierCreate, ref: Reference
) -> Supplier:
    """Save changes to a supplier profile; only its owner or an administrator may."""
    supplier = get_supplier(session=session, supplier_id=supplier_id)
    if not can_edit_supplier(user, supplier):
        raise Forbidden("You can only edit your own supplier profile.")
    before = supplier.model_dump(include=set(EDITABLE))
    _apply(supplier, data, ref)
    supplier.updated_at = utcnow()
    audit.record(session, user=user, action="update", entity="supplier", entity_id=supplier.id,
                 summary=audit.describe_changes(before, supplier.model_dump(include=set(EDITABLE))))
    session.commit()
    if supplier.name != before.get("name"):
        ledger_names.resolve_for_suppliers(session, [supplier.id], user=user)
    return supplier


def refresh_ownership(session: Session) -> int:
    """Record award winners named as public bodies ("Lancashire County Council") as public
    bodies, as imports now do, where an earlier import recorded them as an SME or a large
    company from a notice's SME flag; return how many changed.

    Only suppliers known from award notices alone are touched: none with an account of its
    own, and none a person has edited (an "update" in the audit log). Stamped as updated, so
    the matching indexes pick the change up. One transaction."""
    edited = select(AuditEntry.entity_id).where(  # (NOT IN a list holding NULL is never true)
        AuditEntry.entity == "supplier", AuditEntry.action == "update",
        AuditEntry.entity_id.is_not(None))
    candidates = session.exec(select(Supplier).where(
        Supplier.source == "award",
        Supplier.ownership.in_(("sme", "large_company", "unknown")),
        Supplier.id.not_in(edited))).all()
    # The name first: it is what rules most out, and `users` is a query per supplier.
    changed = [s for s in candidates if is_public_body_name(s.name) and not s.users]
    now = utcnow()
    for supplier in changed:
        audit.record(session, user=None, action="update", entity="supplier",
                     entity_id=supplier.id,
                     summary=f"ownership {supplier.ownership} -> public_body (named as one)")
        supplier.ownership, supplier.updated_at = "public_body", now
    session.commit()
    return len(changed)


@dataclass
class Located:
    """What `locate_from_records` did: the suppliers placed (id, name, postcode), and how many
    suppliers with a company's name had no postcode before."""

    placed: list[tuple[int, str, str]]
    unplaced: int


def postcodes_by_company(records) -> dict[str, str]:
    """Return the postcode a file's records give most often for each company, by normalised
    name: a register's rows, or the winners of its notices. Only registered companies' names
    ("Ltd", "plc": names.is_company_name) count, as no two live UK companies share a name;
    "Smith Builders" in Kent is not Smith Builders in Preston."""
    seen: dict[str, Counter] = {}
    for record in records:
        named = ([a.supplier for a in record.awards] if isinstance(record, NoticeRecord)
                 else [record] if isinstance(record, SupplierRecord) else [])
        for supplier in named:
            if (supplier.postcode and is_company_name(supplier.name)
                    and not names_no_supplier(supplier.name)):
                key = normalise_name(supplier.name)
                seen.setdefault(key, Counter())[supplier.postcode.strip().upper()] += 1
    return {key: counts.most_common(1)[0][0] for key, counts in seen.items()}


def locate_from_records(session: Session, *, records, ref: Reference, user: User | None,
                        source: str, dry_run: bool = False) -> Located:
    """Place the register's suppliers that have no postcode where another file puts the same
    company (`postcodes_by_company`): award notices often name a winner with no address that
    other notices give one for. Only blanks are filled; nothing else changes and nothing is
    added. One transaction (rolled back on a dry run), each supplier placed recorded in the
    audit log and stamped as updated, so the match indexes pick the place up. Administrators
    only (user None: the command line)."""
    if user is not None and not is_admin(user):
        raise Forbidden("Only an administrator can place suppliers from a file.")
    found = postcodes_by_company(records)
    unplaced = [s for s in session.exec(select(Supplier).where(
        or_(Supplier.postcode.is_(None), Supplier.postcode == "")).order_by(Supplier.id))
        if is_company_name(s.name)]
    placed, now = [], utcnow()
    with all_or_nothing(session, dry_run=dry_run):
        for supplier in unplaced:
            postcode = found.get(supplier.normalised_name or normalise_name(supplier.name))
            try:
                place = ref.geo.lookup(postcode) if postcode else None
            except InvalidPostcode:
                place = None
            if place is None or not place.postcode or place.latitude is None:
                continue  # not a postcode the reference data knows: left unplaced
            apply_place(supplier, place)
            supplier.updated_at = now
            audit.record(session, user=user, action="locate", entity="supplier",
                         entity_id=supplier.id,
                         summary=f"postcode: (blank) -> {place.postcode} (the same company's, "
                                 f"in {source})")
            placed.append((supplier.id, supplier.name, place.postcode))
    return Located(placed=placed, unplaced=len(unplaced))


def locate_from_file(session: Session, *, path, fmt: str | None, ref: Reference,
                     user: User | None, source: str, data_dir: str | None,
                     max_bytes: int | None, dry_run: bool = False,
                     progress=None) -> tuple[Located, list]:
    """Read a file of any import format and place suppliers from it (`locate_from_records`).
    Returns what was done and the rows that could not be read (they give no postcode; the
    others still count). `progress(stage, done, total)` hears how far reading has got."""
    if user is not None and not is_admin(user):  # before reading anything
        raise Forbidden("Only an administrator can place suppliers from a file.")
    _, records, errors = parse_file(fmt, path, ref, data_dir=data_dir, max_bytes=max_bytes,
                                    progress=progress)
    return locate_from_records(session, records=records, ref=ref, user=user, source=source,
                               dry_run=dry_run), errors


def remove_supplier(session: Session, *, user: User | None, supplier_id: int) -> str:
    """Remove a supplier that is no firm to keep (a record made in error, a name a notice wrote
    for no winner) and return its name. Its awards go with it; the tenders stay. Ledger names
    matched to it are unresolved again, to be resolved or reviewed anew; all of it comes back if
    the removal is undone (`removals.undo_removal`). A supplier with an account of its own is
    not removed: its people keep it. Administrators only (user None: the
    command line); recorded in the audit log. One transaction."""
    if user is not None and not is_admin(user):
        raise Forbidden("Only an administrator can remove a supplier from the register.")
    supplier = get_supplier(session=session, supplier_id=supplier_id)
    if supplier.users:
        raise Conflict(f"{supplier.name} has an account of its own, so its people keep it in "
                       "the register. Merge it with its duplicate instead, or ask them.")
    name = supplier.name
    _delete(session, supplier, user=user, why="removed from the register")
    session.commit()
    return name


def _delete(session: Session, supplier: Supplier, *, user: User | None, why: str) -> None:
    """Delete a supplier with the awards that name it (the tenders stay); ledger names matched
    to it are unresolved again. Recorded in the audit log, and kept so that it can be undone
    (`removals.undo_removal`); the caller commits."""
    awards = session.exec(select(Award).where(Award.supplier_id == supplier.id)).all()
    names = session.exec(select(LedgerName).where(LedgerName.supplier_id == supplier.id)).all()
    marks = distinct.forget(session, "supplier", supplier.id)
    removals.record_removal(session, supplier, awards=awards, names=names, marks=marks,
                            user=user, why=why)
    for award in awards:
        session.delete(award)
    now = utcnow()
    for row in names:
        row.supplier_id, row.status, row.confidence, row.updated_at = (
            None, "unresolved", 0.0, now)
    audit.record(session, user=user, action="delete", entity="supplier", entity_id=supplier.id,
                 summary=f"'{supplier.name}' {why}, with its "
                         f"{audit.counted(len(awards), 'award')}; "
                         f"{audit.counted(len(names), 'ledger name')} unresolved again")
    session.delete(supplier)


def drop_placeholder_winners(session: Session) -> int:
    """Remove the suppliers that earlier imports made of what award notices write where no
    winner is named ("Tender abandoned", "NOT AWARDED TO SUPPLIER": names.names_no_supplier),
    as imports now skip them, with the awards that named them; return how many went.

    Only suppliers known from award notices alone go: none with an account, none a person has
    edited, and none a payment-ledger name is matched to. Each removal is in the audit log.
    One transaction."""
    edited = select(AuditEntry.entity_id).where(
        AuditEntry.entity == "supplier", AuditEntry.action == "update",
        AuditEntry.entity_id.is_not(None))
    matched = select(LedgerName.supplier_id).where(LedgerName.supplier_id.is_not(None))
    candidates = session.exec(select(Supplier).where(
        Supplier.source == "award", Supplier.id.not_in(edited),
        Supplier.id.not_in(matched))).all()
    gone = [s for s in candidates if names_no_supplier(s.name) and not s.users]
    for supplier in gone:
        _delete(session, supplier, user=None, why="names no winner: removed")
    session.commit()
    return len(gone)


def search_suppliers(
    *,
    session: Session,
    ref: Reference,
    text: str = "",
    ownership: str = "",
    area: str = "",
    cpv_division: str = "",
    page: int = 1,
    page_size: int = 25,
) -> Page[Supplier]:
    """Search the public register by words, ownership model, area and CPV division.

    A supplier known only from contract awards says what it does through them: each word may
    be in its name, its description or the title of a contract it has won, and a CPV division
    among the codes it gives or those of a contract it has won."""
    query = _register_query(ref=ref, text=text, ownership=ownership, area=area,
                            cpv_division=cpv_division)
    return paginate(session, query, page=page, page_size=page_size)


def export_register(handle, *, session: Session, ref: Reference, contacts: bool,
                    text: str = "", ownership: str = "", area: str = "",
                    cpv_division: str = "") -> int:
    """Write the register, as `search_suppliers` filters it, in the supplier register CSV that
    `coopmatch import suppliers` reads back (importing it again changes nothing); return the
    number of suppliers written. Contact email addresses only with `contacts` (the register's
    pages show them to signed-in users). Text a spreadsheet would run as a formula is written
    so that it is shown, and the importer reads it back as it was."""
    query = _register_query(ref=ref, text=text, ownership=ownership, area=area,
                            cpv_division=cpv_division)
    return write_suppliers_csv(_records(session, query, contacts), handle)


def register_csv(*, engine: Engine, ref: Reference, contacts: bool,
                 **filters: str) -> Iterator[str]:
    """Return the CSV `export_register` writes, as pieces to send as they are read (a web
    download of a large register is not built in memory first). The filters are checked now:
    a refused area raises here, before any piece. The pieces are read in a session of their
    own, open while they are sent and closed after the last."""
    query = _register_query(ref=ref, **filters)

    def pieces() -> Iterator[str]:
        with Session(engine) as session:
            yield from iter_suppliers_csv(_records(session, query, contacts))

    return pieces()


def _records(session: Session, query, contacts: bool) -> Iterator[SupplierRecord]:
    """The suppliers a register query selects, as CSV records, read a thousand at a time."""
    return (
        SupplierRecord(
            name=s.name, description=s.description or "", postcode=s.postcode,
            cpv_codes=s.cpv_list, sic_codes=s.sic_list, ownership=s.ownership,
            registration_number=s.registration_number, employees=s.employees,
            website=s.website, email=s.contact_email if contacts else None,
        )
        for s in session.exec(query.execution_options(yield_per=1000))
    )


def _register_query(*, ref: Reference, text: str, ownership: str, area: str,
                    cpv_division: str):
    """The register's suppliers that the filters ask for, by name (a select())."""
    query = select(Supplier).where(Supplier.status != "dissolved")
    for word in text.lower().split()[:8]:  # "%" and "_" are the characters typed, not wildcards
        query = query.where(
            or_(func.lower(Supplier.name).contains(word, autoescape=True),
                func.lower(Supplier.description).contains(word, autoescape=True),
                Supplier.id.in_(_winners_of(
                    func.lower(Tender.title).contains(word, autoescape=True))))
        )
    if ownership:
        if ownership not in OWNERSHIP_MODELS:
            raise CoopmatchError(f"'{ownership}' is not an ownership model; use one of: "
                                 f"{', '.join(OWNERSHIP_MODELS)}.", field="ownership")
        query = query.where(Supplier.ownership == ownership)
    if area:
        query = query.where(area_clause(Supplier, area, ref))
    if cpv_division:
        query = query.where(or_(
            cpv_division_clause(Supplier.cpv_codes, cpv_division),
            Supplier.id.in_(_winners_of(cpv_division_clause(Tender.cpv_codes, cpv_division)))))
    return query.order_by(*_named_first(text), func.lower(Supplier.name), Supplier.id)


def _named_first(text: str) -> list:
    """Searching by words, the firms named by them all come first; then those that have each
    word as a word of their name or description, or of a contract they have won; then those
    whose names hold them inside other words; then the rest ("roofing": "LMAC Roofing", then a
    firm that says it does roofing, then "Cemplas Waterproofing"; "art": an art studio's
    description before "Partnership Ltd")."""
    typed = text.split()[:8]
    words = [w for w in (normalise_name(word) for word in typed) if w]
    if not words:
        return []
    spaced = literal(" ") + func.coalesce(Supplier.normalised_name, "") + literal(" ")
    lowered = func.lower(Supplier.name)
    description = spaced_words(Supplier.description)
    said = []  # each typed word as a word of the name, the description or a contract won
    for word in typed:
        name_word, spelt = normalise_name(word), as_words(word)
        ways = [spaced.contains(f" {name_word} ", autoescape=True)] if name_word else []
        if spelt.strip():
            ways += [description.contains(spelt, autoescape=True),
                     Supplier.id.in_(_winners_of(
                         spaced_words(Tender.title).contains(spelt, autoescape=True)))]
        if ways:
            said.append(or_(*ways))
    return [case(
        (and_(*(spaced.contains(f" {w} ", autoescape=True) for w in words)), 0),
        (and_(*said), 1),
        (and_(*(lowered.contains(w, autoescape=True) for w in words)), 2), else_=3)]


# What separates words in a description or title, for telling a word from part of one.
_SEPARATORS = ",.;:()[]/\\-&'\"!?\n\r\t"


def as_words(word: str) -> str:
    """A typed word as `spaced_words` writes it: lower case, separators as spaces, with a
    space either side (" co op " for "Co-op")."""
    lowered = word.lower()
    for separator in _SEPARATORS:
        lowered = lowered.replace(separator, " ")
    return f" {' '.join(lowered.split())} "


def spaced_words(column):
    """A text column in lower case with its separators as spaces and a space either side, so
    that " art " is found only where "art" is a word (SQL, for ordering a search)."""
    lowered = func.lower(func.coalesce(column, ""))
    for separator in _SEPARATORS:
        lowered = func.replace(lowered, separator, " ")
    return literal(" ") + lowered + literal(" ")


def _winners_of(condition):
    """Suppliers that have won a contract on a tender meeting the condition (a subquery)."""
    return select(Award.supplier_id).join(Tender, Tender.id == Award.tender_id).where(condition)


def contracts_won(session: Session, supplier_ids) -> dict[int, tuple[str, int]]:
    """Each supplier's latest contract won (its tender's title) and how many it has won."""
    ids = list(supplier_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(Award.supplier_id, Tender.title, Award.award_date, Award.id)
        .join(Tender, Tender.id == Award.tender_id).where(Award.supplier_id.in_(ids))
    ).all()
    counts = Counter(supplier_id for supplier_id, *_ in rows)
    latest: dict[int, tuple] = {}
    for supplier_id, title, award_date, award_id in rows:
        key = (award_date or date.min, award_id)
        if supplier_id not in latest or key > latest[supplier_id][0]:
            latest[supplier_id] = (key, title)
    return {s: (title, counts[s]) for s, (_, title) in latest.items()}


def area_clause(model, area: str, ref: Reference):
    """Filter rows in an area: a local authority, county, combined authority or region (by GSS
    code or name) or a postcode district. Text that is neither is refused, naming the field,
    rather than listing nothing."""
    area = area.strip()
    postcode = model.postcode if hasattr(model, "postcode") else model.delivery_postcode
    geo = ref.geo
    if not geo.available:  # nothing to check it against: a code or a postcode district
        return or_(model.local_authority_code == area.upper(), postcode.like(f"{area.upper()} %"))
    if geo.areas_named(area):
        return model.local_authority_code.in_(sorted(area_lad_codes(geo, area)))
    if geo.is_postcode_district(area):
        return postcode.like(f"{area.upper()} %")
    raise CoopmatchError(unknown_area_message(geo, area, what="area or postcode district",
                                              example="Lancashire, E10000017 or PR1"),
                         field="area")


def cpv_division_clause(column, division: str):
    """Match a space-separated code list holding any code in a CPV division."""
    division = division[:2]
    return or_(column.like(f"{division}%"), column.like(f"% {division}%"))


# --- suppliers listed twice -------------------------------------------------------------------


@dataclass
class DuplicatePair:
    """Two suppliers that are probably one, with what each brings, the fuller one first."""

    keep: Supplier
    other: Supplier
    score: float
    awards: dict[int, int]  # contracts won, by supplier id


def duplicate_candidates(*, session: Session, user: User | None, geo: GeoReference,
                         limit: int = 100) -> list[DuplicatePair]:
    """Suppliers the register probably lists twice, most alike first: for administrators, or
    the command line (user None: whoever runs the server). Names that each name a place the
    other does not are two ("Police and Crime Commissioner for Bedfordshire" and "... for
    Hertfordshire"), with or without postcodes."""
    if user is not None and not is_admin(user):
        raise Forbidden("Only administrators can look for and merge duplicate suppliers.")
    rows = session.exec(select(Supplier.id, Supplier.normalised_name, Supplier.postcode,
                               Supplier.registration_number)
                        .where(Supplier.status != "dissolved")).all()
    pairs = likely_duplicates(
        [Entry(i, name or "", postcode, number) for i, name, postcode, number in rows],
        limit=limit, places=name_places(geo), apart=distinct.marked(session, "supplier"))
    ids = {i for p in pairs for i in (p.first, p.second)}
    if not ids:
        return []
    suppliers = {s.id: s for s in session.exec(select(Supplier).where(Supplier.id.in_(ids)))}
    awards = dict(session.exec(select(Award.supplier_id, func.count(Award.id))
                               .where(Award.supplier_id.in_(ids))
                               .group_by(Award.supplier_id)).all())

    def fullness(s):
        return (s.source == "self_registered", bool(s.postcode), awards.get(s.id, 0), -s.id)

    found = []
    for pair in pairs:
        a, b = suppliers[pair.first], suppliers[pair.second]
        keep, other = (a, b) if fullness(a) >= fullness(b) else (b, a)
        found.append(DuplicatePair(keep, other, pair.score, awards))
    return found


def merge_suppliers(session: Session, *, user: User | None, keep_id: int, other_id: int,
                    ref: Reference) -> Supplier:
    """Fold one supplier into another it duplicates, and return the one kept.

    Its contracts (but one it shares with the kept supplier), ledger names and accounts move
    to the kept supplier; what the kept one lacks (a description, postcode, registration
    number, contact details, size) is filled from it; CPV, SIC codes and accreditations are
    joined. Then it is deleted. One transaction, recorded in the audit log and as a
    SupplierMerge that `merges.undo_merge` can undo. Administrators only, or the command line
    (user None).
    """
    if user is not None and not is_admin(user):
        raise Forbidden("Only administrators can merge suppliers.")
    if keep_id == other_id:
        raise CoopmatchError("Choose two different suppliers to merge.", field="other_id")
    keep = get_supplier(session=session, supplier_id=keep_id)
    other = get_supplier(session=session, supplier_id=other_id)
    record = merges.MergeRecord(removed=merges.snapshot(other),
                                kept_before=merges.fields_of(keep))
    held = {(a.tender_id, a.lot_id) for a in session.exec(
        select(Award).where(Award.supplier_id == keep.id))}
    for award in session.exec(select(Award).where(Award.supplier_id == other.id)).all():
        if (award.tender_id, award.lot_id) in held:
            record.dropped_awards.append(merges.snapshot(award))
            session.delete(award)  # both were listed on one contract: it is one contract
        else:
            award.supplier_id = keep.id
            record.awards.append(award.id)
    names = session.exec(select(LedgerName).where(LedgerName.supplier_id == other.id)).all()
    for row in names:
        row.supplier_id = keep.id
        record.ledger_names.append(row.id)
    for row in session.exec(select(LedgerName).where(
            LedgerName.candidates.contains(f'"supplier_id": {other.id},'))).all():
        row.candidates = json.dumps([
            {**c, "supplier_id": keep.id} if c.get("supplier_id") == other.id else c
            for c in json.loads(row.candidates)])
    accounts = session.exec(select(User).where(User.supplier_id == other.id)).all()
    for account in accounts:
        account.supplier_id = keep.id
        record.accounts.append(account.id)
    merges.fill_gaps(keep, other, ref.geo)
    record.kept_after = merges.fields_of(keep)
    record.distinct = distinct.forget(session, "supplier", other.id)
    summary = (f"Merged '{other.name}' (no. {other.id}) into '{keep.name}': "
               f"{audit.counted(len(record.awards), 'contract')} moved "
               f"({len(record.dropped_awards)} listed on both), "
               f"{audit.counted(len(names), 'ledger name')}, "
               f"{audit.counted(len(accounts), 'account')}")
    session.add(SupplierMerge(user_id=user.id if user else None, kept_id=keep.id,
                              kept_name=keep.name, removed_id=other.id,
                              removed_name=other.name, record=record.to_json()))
    session.flush()
    session.expire(other)  # its relationships as they are now: nothing left on it
    session.delete(other)
    audit.record(session, user=user, action="merge", entity="supplier", entity_id=keep.id,
                 summary=summary)
    session.commit()
    # A ledger name that could have been either of the two is now one supplier's.
    ledger_names.resolve_for_suppliers(session, [keep.id], user=user)
    return keep

