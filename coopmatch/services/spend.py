"""Spend analysis as use cases: import ledgers, resolve suppliers, review, report (CLES method).

Payments are stored once per anchor (keyed by their content, so re-imports add nothing twice).
Ledger names are stored once across anchors with what they resolve to; a reviewer's decision
lives there, so it changes every figure at once and survives re-imports.
"""

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

from sqlalchemy import Integer, case, cast, extract, func, insert
from sqlmodel import Session, select

from coopmatch.errors import Conflict, CoopmatchError, Forbidden, NotFound
from coopmatch.imports.suppliers import COLUMNS as REGISTER_COLUMNS
from coopmatch.models import (
    OWNERSHIP_MODELS,
    RESOLVED_STATUSES,
    LedgerName,
    Organisation,
    Payment,
    Supplier,
    User,
    utcnow,
)
from coopmatch.names import normalise_name
from coopmatch.reference import Reference
from coopmatch.services import audit, ledger_names, organisations
from coopmatch.services.caching import ResultCache
from coopmatch.services.geography import apply_place, locate, unknown_area_message
from coopmatch.services.imports import (
    all_or_nothing,
    rejection,
    rows_with_problems,
)
from coopmatch.services.ledger_names import resolve_names
from coopmatch.services.pagination import Page, paginate
from coopmatch.services.permissions import can_read_reports, is_admin
from coopmatch.services.suppliers import get_supplier
from coopmatch.spend import (
    AnchorArea,
    SupplierLocation,
    decision_key,
    read_ledgers,
    spend_figures,
    table_from_columns,
)
from coopmatch.spend.figures import PaymentTable, SpendFigures, concat_tables
from coopmatch.spend.tiers import TIERS
from coopmatch.spreadsheets import SafeDictWriter

Progress = Callable[[str, int, int | None], None]
INSERT_CHUNK = 20_000
MIN_ALTERNATIVE_CAPABILITY = 0.3


@dataclass
class SpendImportSummary:
    anchor: str
    files: int = 0
    rows_read: int = 0
    new_payments: int = 0
    already_imported: int = 0
    rejected: int = 0
    new_names: int = 0
    names: Counter = field(default_factory=Counter)  # resolution status -> distinct names
    dry_run: bool = False
    errors: list = field(default_factory=list)

    def summary(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(self.names.items())) or "none new"
        return "\n".join([
            f"{verb} {self.files} ledger file(s) for {self.anchor}:",
            f"  payments       {self.new_payments:>8} new  {self.already_imported:>8} already "
            f"imported",
            f"  rejected rows  {self.rejected:>8}",
            f"  supplier names {self.new_names:>8} new; resolution: {statuses}",
        ])

    def as_dict(self) -> dict:
        return {"anchor": self.anchor, "files": self.files, "rows_read": self.rows_read,
                "new_payments": self.new_payments, "already_imported": self.already_imported,
                "rejected": self.rejected, "new_names": self.new_names,
                "names": dict(self.names), "dry_run": self.dry_run,
                "errors": [e.as_dict() for e in self.errors[:500]]}


# --- anchors ----------------------------------------------------------------------------------


def find_anchor(session: Session, text: str) -> Organisation:
    """Find an organisation by id or by name (variant names of one council agree)."""
    text = (text or "").strip()
    if text.isdigit():
        found = session.get(Organisation, int(text))
        if found:
            return found
    found = organisations.find_by_name(session, text)
    if found:
        return found
    raise NotFound(f"There is no organisation called '{text}'. Add it first, or give its id.")


def anchor_area(ref: Reference, organisation: Organisation) -> AnchorArea:
    """The places an anchor's spend is measured against: where it is."""
    lad = organisation.local_authority_code or ""
    wider = organisation.county_code
    return AnchorArea(lad_code=lad, wider_code=wider, region_code=organisation.region_code,
                      wider_lad_codes=frozenset(ref.geo.lad_codes_in(wider)) if wider
                      else frozenset(), name=organisation.name)


def place_area(ref: Reference, lad_code: str) -> AnchorArea:
    """A place to measure a group of anchors against: a local authority, by code or name."""
    text = lad_code.strip()
    named = [a for a in ref.geo.areas_named(text) if a.kind == "local_authority"]
    area = named[-1] if named else None  # a council renamed under a new code: the newer
    if ref.geo.available and area is None:
        raise CoopmatchError(unknown_area_message(ref.geo, text, kind="local_authority",
                                                  what="local authority",
                                                  example="Preston or E07000123"),
                             field="group_area")
    code = area.code if area else text.upper()
    wider, region = ref.geo.wider_area_of(code)
    return AnchorArea(lad_code=code, wider_code=wider, region_code=region,
                      wider_lad_codes=frozenset(ref.geo.lad_codes_in(wider)) if wider
                      else frozenset(), name=area.name if area else code)


# --- importing ledgers ------------------------------------------------------------------------


def import_ledgers(
    session: Session,
    *,
    anchor: Organisation,
    paths: Iterable[Path],
    skip_invalid: bool = False,
    dry_run: bool = False,
    columns: dict | None = None,
    max_bytes: int | None = None,
    user: User | None = None,
    progress: Progress | None = None,
    ref: Reference | None = None,
) -> SpendImportSummary:
    """Import an anchor's payment ledgers in one transaction; row errors refuse the lot.

    With `ref`, councils paid but not in the register are added to it as public bodies
    (ledger_names.add_councils)."""
    paths = list(paths)
    summary = SpendImportSummary(anchor=anchor.name, files=len(paths), dry_run=dry_run)
    if progress:
        progress("reading", 0, len(paths))
    ledger = read_ledgers(paths, columns=columns, max_bytes=max_bytes)
    summary.rows_read = len(ledger.payments)
    summary.errors = list(ledger.errors)
    summary.rejected = rows_with_problems(ledger.errors)
    if ledger.errors and not skip_invalid:
        raise rejection(ledger.errors, good=bool(ledger.payments))
    with all_or_nothing(session, dry_run=dry_run):
        known = set(session.exec(select(Payment.row_key).where(Payment.anchor_id == anchor.id)))
        new = []
        for payment in ledger.payments:
            # A payment already stored, or listed again in another of these files (monthly
            # files overlap), is counted once.
            if payment.key not in known:
                known.add(payment.key)
                new.append(payment)
        summary.already_imported = len(ledger.payments) - len(new)
        names = _ledger_names(session, {p.supplier_name for p in new}, summary)
        if progress:
            progress("resolving", 0, None)
        added = [r for r in names.values() if r.id is None]
        summary.names = resolve_names(session, added)
        if ref is not None and ledger_names.add_councils(session, added, ref.geo):
            summary.names = Counter(row.status for row in added)
        session.flush()
        rows = [{
            "anchor_id": anchor.id,
            "ledger_name_id": names[decision_key(p.supplier_name)].id,
            "payment_date": p.date,
            "amount_pence": p.amount_pence,
            "redacted": p.redacted,
            "expense_type": (p.expense_type or "")[:300],
            "department": (p.department or "")[:300],
            "description": (p.description or "")[:500],
            "supplier_ref": (p.supplier_ref or "")[:100],
            "transaction_id": (p.transaction_id or "")[:100],
            "source_file": (p.source_file or "")[:300],
            "line": p.line,
            "row_key": p.key,
        } for p in new]
        for start in range(0, len(rows), INSERT_CHUNK):
            session.execute(insert(Payment), rows[start:start + INSERT_CHUNK])
            if progress:
                progress("saving", min(start + INSERT_CHUNK, len(rows)), len(rows))
        summary.new_payments = len(rows)
        if rows:
            audit.record(session, user=user, action="import", entity="spend",
                         entity_id=anchor.id, summary=f"{len(rows)} payments for {anchor.name}")
    return summary


def _ledger_names(session: Session, names: set[str], summary: SpendImportSummary
                  ) -> dict[str, LedgerName]:
    """Return the ledger-name rows for these names by key, adding the new ones (unflushed)."""
    by_key: dict[str, str] = {}
    for name in sorted(names):
        by_key.setdefault(decision_key(name), name)
    rows: dict[str, LedgerName] = {}
    keys = list(by_key)
    for start in range(0, len(keys), 5000):
        for row in session.exec(select(LedgerName).where(
                LedgerName.key.in_(keys[start:start + 5000]))):
            rows[row.key] = row
    for key, name in by_key.items():
        if key not in rows:
            rows[key] = LedgerName(key=key, name=name[:300])
            session.add(rows[key])
    summary.new_names = sum(1 for r in rows.values() if r.id is None)
    return rows


# --- the review queue -------------------------------------------------------------------------


@dataclass
class ReviewItem:
    name: LedgerName
    pence: int
    payments: int
    candidates: list[dict]
    # What the anchors paid it for: its largest expense types, with their spend (pence).
    paid_for: list[tuple[str, int]] = field(default_factory=list)
    # For a name said not to be the supplier it was matched to: who said so.
    disputed_by: str = ""

    @property
    def paid_for_text(self) -> str:
        """What it does as its payments say, to start its description in the register."""
        return paid_for_text(kind for kind, _ in self.paid_for)


def paid_for_text(kinds: Iterable[str]) -> str:
    kinds = list(kinds)
    return f"Paid by anchors for: {'; '.join(kinds)}." if kinds else ""


def _tidy_kind(kind: str) -> str:
    """An expense type as a person reads it: "HIRED VEHICLE" -> "Hired vehicle"; a code's
    path by its last two levels ("LFRS.EXPENDITURE.PREMISES.ELECTRICITY" -> "Premises:
    electricity"); "R&M" kept as written."""
    kind = " ".join(kind.replace("_", " ").split())
    if _CODE_PATH.fullmatch(kind):
        levels = [level.strip() for level in kind.split(".")]
        levels = [level for i, level in enumerate(levels)  # "TRAINING.TRAINING.SERVICE"
                  if i == 0 or level.casefold() != levels[i - 1].casefold()]
        kind = ": ".join(levels[-2:])
    return _sentence(kind) if kind.isupper() else kind


# A category code's path, levels joined by dots with no space ("A.B.C"; not "Misc. items").
_CODE_PATH = re.compile(r"[^.\s][^.]*(?:\.[^.\s][^.]*){2,}")
_AMPERSAND_ABBREVIATION = re.compile(r"[A-Z]&[A-Z]")  # "R&M": repairs and maintenance


# A ledger's cost-centre code before its description: "CAC - PARKS & CEMETERIES".
_CODED = re.compile(r"([A-Z0-9]{2,4}) - (.+)")


def _sentence(kind: str) -> str:
    """Upper case as a sentence, "R&M" kept: "ASSET MAINT R&M" -> "Asset maint R&M"; a code
    before " - " kept, and a description that is one short word taken for initials ("CAC -
    Parks & cemeteries", "AAD - ICT")."""
    coded = _CODED.fullmatch(kind)
    if coded:
        code, rest = coded.groups()
        short = " " not in rest and len(rest) <= 4
        return f"{code} - {rest if short else _sentence(rest)}"
    words = [word if _AMPERSAND_ABBREVIATION.fullmatch(word) else word.lower()
             for word in kind.split(" ")]
    return words[0][:1].upper() + words[0][1:] + "".join(" " + w for w in words[1:])


@dataclass(frozen=True)
class PayeeFilter:
    """Which ledger names a list holds: those paid by one anchor (their spend, payments and
    what they were paid for then that anchor's alone), and those whose name holds these
    words (as names are compared: "Smith & Sons Ltd" finds "SMITH AND SONS LIMITED")."""

    anchor_id: int | None = None
    words: str = ""

    def payments(self) -> list:
        """Conditions on the payments counted."""
        return [] if self.anchor_id is None else [Payment.anchor_id == self.anchor_id]

    def names(self) -> list:
        """Conditions on the names listed."""
        words = " ".join(self.words.split())
        if not words:
            return []
        key = normalise_name(words)
        # Words that normalise to nothing ("Ltd") are looked for as written.
        return [LedgerName.key.contains(key, autoescape=True) if key else
                func.lower(LedgerName.name).contains(words.lower(), autoescape=True)]

    def check(self, session: Session) -> None:
        """Refuse an anchor there is none of (a link kept after a merge, an id mistyped)."""
        if self.anchor_id is not None and session.get(Organisation, self.anchor_id) is None:
            raise NotFound(f"There is no organisation with id {self.anchor_id}: choose an "
                           "anchor from the list.", field="anchor")


# Names the review queue holds: not sure enough to count, or said not to be their supplier.
WAITING_STATUSES = ("review", "disputed")


def review_queue(session: Session, *, user: User, page: int = 1, page_size: int = 100,
                 only: PayeeFilter = PayeeFilter()) -> Page[ReviewItem]:
    """One page of the names waiting for a person: first those said not to be the supplier
    they were matched to (`dispute_payee`), then those not sure enough to count; each largest
    spend first. `only`: those paid by one anchor (with its spend), or so named."""
    if not can_read_reports(user):
        raise Forbidden("Only development agencies and administrators review supplier names.")
    only.check(session)
    found = _page_of_names(session, WAITING_STATUSES, page, page_size, first="disputed",
                           only=only)
    for item in (i for i in found.items if i.name.status == "disputed"):
        supplier = session.get(Supplier, item.name.supplier_id)
        if supplier is None:
            continue
        # The reviewer may still find the name is that supplier: it stays a choice.
        if not any(c.get("supplier_id") == supplier.id for c in item.candidates):
            item.candidates.insert(0, {"supplier_id": supplier.id, "name": supplier.name,
                                       "postcode": supplier.postcode, "confidence": 0.0})
        who = session.get(User, item.name.disputed_by_id) if item.name.disputed_by_id else None
        item.disputed_by = (f"{supplier.name} says this is not them." if who is None
                            or who.supplier_id == supplier.id else
                            f"{who.name or who.email} says this is not {supplier.name}.")
    return found


def waiting_for_review(session: Session) -> dict[str, int]:
    """How many names the review queue holds, by status (WAITING_STATUSES)."""
    counts = dict(session.exec(select(LedgerName.status, func.count(LedgerName.id))
                               .where(LedgerName.status.in_(WAITING_STATUSES))
                               .group_by(LedgerName.status)).all())
    return {status: int(counts.get(status, 0)) for status in WAITING_STATUSES}


def unplaced_payees(session: Session, *, user: User, page: int = 1, page_size: int = 50,
                    only: PayeeFilter = PayeeFilter()) -> Page[ReviewItem]:
    """One page of the ledger names no register supplier is, largest spend first: unresolved,
    or rejected by a reviewer. Their spend counts as "location not known" until they are
    added to the register (`add_payee`). `only`: those paid by one anchor, or so named."""
    if not can_read_reports(user):
        raise Forbidden("Only development agencies and administrators add payees to the "
                        "register.")
    only.check(session)
    return _page_of_names(session, ("unresolved", "rejected"), page, page_size, only=only)


# What a payees file adds to the supplier register's columns (the importer ignores them).
PAYEE_COLUMNS = ("ledger_spend_gbp", "ledger_payments")


def write_payees_csv(session: Session, out: TextIO, *, user: User | None,
                     only: PayeeFilter = PayeeFilter()) -> int:
    """Write the payees no register supplier is (unresolved), largest spend first, as a
    supplier register CSV with each name filled in; return how many. Filled in with where
    each is based (postcode, ownership) and imported as a supplier register, their names in
    the ledgers are matched to the new suppliers and their spend is placed. user None: the
    command line (whoever runs the server). `only`: the payees of one anchor (with that
    anchor's spend), or so named.

    Names a reviewer said are none of the suppliers suggested are left out: a decision
    stands, so an import would not place them; `add_payee` adds them one at a time."""
    if user is not None and not can_read_reports(user):
        raise Forbidden("Only development agencies and administrators add payees to the "
                        "register.")
    only.check(session)
    writer = SafeDictWriter(out, fieldnames=[*REGISTER_COLUMNS, *PAYEE_COLUMNS], restval="")
    writer.writeheader()
    items = _names_by_spend(session, ("unresolved",), only=only)
    for item in items:
        writer.writerow({"name": item.name.name, "description": item.paid_for_text,
                         "ledger_spend_gbp": f"{item.pence / 100:.2f}",
                         "ledger_payments": item.payments})
    return len(items)


def _page_of_names(session: Session, statuses: tuple[str, ...], page: int, page_size: int, *,
                   first: str | None = None, only: PayeeFilter = PayeeFilter()
                   ) -> Page[ReviewItem]:
    """One page of the names `_names_query` finds, as review items, with how many there are
    in all."""
    # Counted without summing each name's payments, which only the order needs.
    paid = select(Payment.id).where(Payment.ledger_name_id == LedgerName.id, *only.payments())
    count = select(func.count(LedgerName.id)).where(
        LedgerName.status.in_(statuses), paid.exists(), *only.names())
    found = paginate(session, _names_query(statuses, first=first, only=only), page=page,
                     page_size=page_size, count=count)
    found.items = _review_items(session, statuses, found.items, only=only, page=True)
    return found


def _names_by_spend(session: Session, statuses: tuple[str, ...], *,
                    only: PayeeFilter = PayeeFilter()) -> list[ReviewItem]:
    """Every name in these statuses with payments, largest spend first."""
    rows = session.exec(_names_query(statuses, only=only)).all()
    return _review_items(session, statuses, rows, only=only, page=False)


def _names_query(statuses: tuple[str, ...], *, first: str | None = None,
                 only: PayeeFilter = PayeeFilter()):
    """Names in these statuses with payments, with their spend and payment count, largest
    spend first (those in status `first` before all)."""
    spend = (select(Payment.ledger_name_id, func.sum(Payment.amount_pence).label("pence"),
                    func.count(Payment.id).label("payments"))
             .where(*only.payments()).group_by(Payment.ledger_name_id).subquery())
    return (select(LedgerName, spend.c.pence, spend.c.payments)
            .join(spend, spend.c.ledger_name_id == LedgerName.id)
            .where(LedgerName.status.in_(statuses), *only.names())
            .order_by(case((LedgerName.status == first, 0), else_=1),
                      spend.c.pence.desc(), LedgerName.id))


def _review_items(session: Session, statuses: tuple[str, ...], rows, *, only: PayeeFilter,
                  page: bool) -> list[ReviewItem]:
    """`_names_query`'s rows as review items, with what each was paid for."""
    items = [ReviewItem(row, int(pence or 0), int(payments or 0), json.loads(row.candidates))
             for row, pence, payments in rows]
    # A page's names are looked up by id; a whole file's, by status.
    paid_for = _paid_for(session, statuses, only=only,
                         ids=[item.name.id for item in items] if page else None)
    for item in items:
        item.paid_for = paid_for.get(item.name.id, [])
    return items


def _paid_for(session: Session, statuses: tuple[str, ...], *, ids: list[int] | None,
              only: PayeeFilter = PayeeFilter(), top: int = 3
              ) -> dict[int, list[tuple[str, int]]]:
    """Each ledger name's largest expense types (net of credits): of the names with these ids,
    or (ids None) of every name in statuses."""
    query = (select(Payment.ledger_name_id, Payment.expense_type,
                    func.sum(Payment.amount_pence))
             .where(Payment.expense_type != "", *only.payments())
             .group_by(Payment.ledger_name_id, Payment.expense_type))
    if ids is None:
        query = query.join(LedgerName, LedgerName.id == Payment.ledger_name_id).where(
            LedgerName.status.in_(statuses), *only.names())
    elif ids:
        query = query.where(Payment.ledger_name_id.in_(ids))
    else:
        return {}
    return _largest_kinds(session.exec(query), top)


def _largest_kinds(rows, top: int) -> dict[int, list[tuple[str, int]]]:
    """From (owner, expense type, pence) rows, each owner's largest expense types, net of
    credits, however a ledger capitalises them, each shown as its most-spent spelling."""
    found: dict[int, Counter] = {}
    shown: dict[tuple[int, str], tuple[int, str]] = {}  # each kind's most-spent spelling
    for owner, kind, pence in rows:
        if not (pence and kind.strip()):
            continue
        tidy = _tidy_kind(kind)
        key = tidy.casefold()  # "TREE SURGERY", "Tree Surgery" and "Tree surgery" are one
        found.setdefault(owner, Counter())[key] += int(pence)
        shown[owner, key] = max(shown.get((owner, key), (0, tidy)), (int(pence), tidy))
    return {owner: [(shown[owner, key][1], pence) for key, pence in kinds.most_common(top)
                    if pence > 0]
            for owner, kinds in found.items()}


@dataclass(frozen=True)
class PaidByAnchor:
    """What an anchor's payment ledgers have paid one supplier (its payees resolved to it)."""

    pence: int  # net of credits
    first: date
    last: date
    paid_for: list[tuple[str, int]]  # its largest expense types, (type, pence)


def paid_by_anchor(session: Session, *, anchor_id: int, supplier_ids: Iterable[int],
                   top: int = 2) -> dict[int, PaidByAnchor]:
    """What one anchor's ledgers paid each of these suppliers, by the payees resolved to them
    (auto or confirmed; redacted lines left out); suppliers paid nothing net are left out."""
    ids = sorted(set(supplier_ids))
    if not ids:
        return {}
    return _paid(session, LedgerName.supplier_id, names=LedgerName.supplier_id.in_(ids),
                 payments=Payment.anchor_id == anchor_id, top=top)


def paid_to_supplier(session: Session, *, supplier_id: int, anchor_ids: Iterable[int],
                     top: int = 2) -> dict[int, PaidByAnchor]:
    """What each of these anchors' ledgers paid one supplier, as `paid_by_anchor` counts it,
    by anchor id; anchors that paid it nothing net are left out."""
    ids = sorted(set(anchor_ids))
    if not ids:
        return {}
    return _paid(session, Payment.anchor_id, names=LedgerName.supplier_id == supplier_id,
                 payments=Payment.anchor_id.in_(ids), top=top)


def _paid(session: Session, owner, *, names, payments, top: int) -> dict[int, PaidByAnchor]:
    """Payments meeting `payments` to payees meeting `names` resolved to a supplier, by `owner`
    (the supplier's or the anchor's id): net totals, first and last dates, largest types.
    The payees are found first, then their payments by the (anchor, payee) index: a buyer's
    ledgers hold tens of thousands of lines, a few suppliers' hundreds."""
    payees = select(LedgerName.id).where(names, LedgerName.status.in_(RESOLVED_STATUSES))

    def paid(*columns):
        return (select(owner, *columns)
                .join(LedgerName, LedgerName.id == Payment.ledger_name_id)
                .where(Payment.ledger_name_id.in_(payees), payments,
                       Payment.redacted.is_(False)))

    totals = {key: (int(pence), first, last)
              for key, pence, first, last in session.exec(
                  paid(func.sum(Payment.amount_pence), func.min(Payment.payment_date),
                       func.max(Payment.payment_date)).group_by(owner))
              if pence and pence > 0 and first is not None}
    if not totals:
        return {}
    kinds = _largest_kinds(session.exec(
        paid(Payment.expense_type, func.sum(Payment.amount_pence))
        .where(owner.in_(sorted(totals)), Payment.expense_type != "")
        .group_by(owner, Payment.expense_type)), top)
    return {key: PaidByAnchor(pence, _day(first), _day(last), kinds.get(key, []))
            for key, (pence, first, last) in totals.items()}


def _day(value) -> date:
    """A payment date as the database returns it (SQLite's min() gives text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def may_read(user: User | None, anchor_ids: Iterable[int]) -> bool:
    """Whether a user may read these anchors' spend (check_may_read, as a yes or no)."""
    try:
        check_may_read(user, anchor_ids)
    except Forbidden:
        return False
    return True


def add_payee(session: Session, *, user: User, ledger_name_id: int, name: str, postcode: str,
              ownership: str, ref: Reference, description: str = "") -> Supplier:
    """Add a ledger's payee to the register where it is based, and confirm the name as it.

    Its spend is then placed (local, wider area, ...) in every anchor's figures, and other
    spellings of it in the ledgers are resolved again against the grown register. Its
    description (what it does: the payees page starts it from what the anchors paid it for) is
    what matching and the gap reports read of a supplier with no contracts.
    """
    if not can_read_reports(user):
        raise Forbidden("Only development agencies and administrators add payees to the "
                        "register.")
    row = session.get(LedgerName, ledger_name_id)
    if row is None:
        raise NotFound("There is no such supplier name.")
    if row.status == "redacted":
        raise CoopmatchError("A redacted payee cannot be added to the register.", field="name")
    if row.supplier_id is not None:
        raise Conflict(f"'{row.name}' is already matched to a supplier in the register.")
    name = " ".join((name or "").split())
    if not name:
        raise CoopmatchError("Give the supplier's name.", field="name")
    if ownership not in OWNERSHIP_MODELS:
        raise CoopmatchError("Choose an ownership model from the list.", field="ownership")
    place = locate(ref.geo, postcode)
    if place is None:
        raise CoopmatchError("Give the postcode where the supplier is based: it is what places "
                             "its spend.", field="postcode")
    normalised = normalise_name(name)
    same = session.exec(select(Supplier).where(Supplier.normalised_name == normalised,
                                               Supplier.postcode == place.postcode)).first()
    if same is not None:
        raise Conflict(f"{same.name} at {same.postcode} is already in the register: confirm "
                       "the name as it on the review page instead.")
    supplier = Supplier(name=name, normalised_name=normalised, source="ledger",
                        ownership=ownership, description=(description or "").strip())
    apply_place(supplier, place)
    session.add(supplier)
    session.flush()
    before = row.status
    row.status, row.supplier_id, row.confidence = "confirmed", supplier.id, 1.0
    row.decided_by_id, row.decided_at, row.updated_at = user.id, utcnow(), utcnow()
    audit.record(session, user=user, action="create", entity="supplier", entity_id=supplier.id,
                 summary=f"{name}, {place.postcode}: added from the ledger name '{row.name}' "
                         f"({before} -> confirmed)")
    session.commit()
    ledger_names.resolve_for_suppliers(session, [supplier.id], user=user)
    return supplier


@dataclass
class UnplacedSupplier:
    supplier: Supplier
    pence: int
    payments: int


def matched_but_unplaced(session: Session, *, user: User, page: int = 1,
                         page_size: int = 50, only: PayeeFilter = PayeeFilter()
                         ) -> Page[UnplacedSupplier]:
    """One page of the register suppliers that ledger names are matched to but whose location
    is not known (winners known from award notices that give no address), largest spend
    first: their spend counts as "location not known" until they are placed
    (`place_supplier`). `only`: those paid by one anchor, or paid under such a name."""
    if not can_read_reports(user):
        raise Forbidden("Only development agencies and administrators place suppliers.")
    only.check(session)
    total = func.sum(Payment.amount_pence)
    query = (select(Supplier, total, func.count(Payment.id))
             .join(LedgerName, LedgerName.supplier_id == Supplier.id)
             .join(Payment, Payment.ledger_name_id == LedgerName.id)
             .where(LedgerName.status.in_(RESOLVED_STATUSES),
                    Supplier.local_authority_code.is_(None), *only.payments(), *only.names())
             .group_by(Supplier.id).order_by(total.desc(), Supplier.id))
    found = paginate(session, query, page=page, page_size=page_size)
    found.items = [UnplacedSupplier(supplier, int(pence or 0), int(payments or 0))
                   for supplier, pence, payments in found.items]
    return found


def place_supplier(session: Session, *, user: User, supplier_id: int, postcode: str,
                   ref: Reference) -> Supplier:
    """Give a register supplier with no known location the postcode where it is based, so
    that its spend is placed in every anchor's figures. For agencies, on suppliers that no
    one manages (no account of their own) and that have no place yet: a supplier's own place
    is for it, or an administrator, to change on its profile."""
    if not can_read_reports(user):
        raise Forbidden("Only development agencies and administrators place suppliers.")
    supplier = get_supplier(session=session, supplier_id=supplier_id)
    if supplier.local_authority_code is not None:
        raise Conflict(f"{supplier.name} is already placed at {supplier.postcode}: it, or an "
                       "administrator, changes that on its profile.")
    if supplier.users and not is_admin(user):
        raise Conflict(f"{supplier.name} manages its own profile: it gives where it is based.")
    place = locate(ref.geo, postcode)
    if place is None:
        raise CoopmatchError("Give the postcode where the supplier is based: it is what places "
                             "its spend.", field="postcode")
    apply_place(supplier, place)
    supplier.updated_at = utcnow()  # the match index folds it in
    audit.record(session, user=user, action="update", entity="supplier", entity_id=supplier.id,
                 summary=f"placed at {place.postcode} from the spend pages")
    session.commit()
    return supplier


def decide(session: Session, *, user: User, ledger_name_id: int,
           supplier_id: int | None) -> LedgerName:
    """Confirm a ledger name as a register supplier, or reject it (None); remembered."""
    if not can_read_reports(user):
        raise Forbidden("Only development agencies and administrators review supplier names.")
    row = session.get(LedgerName, ledger_name_id)
    if row is None:
        raise NotFound("There is no such supplier name.")
    if supplier_id is not None and session.get(Supplier, supplier_id) is None:
        raise CoopmatchError("Choose a supplier from the register.", field="supplier_id")
    before = f"{row.status} {row.supplier_id or ''}".strip()
    row.status = "confirmed" if supplier_id is not None else "rejected"
    row.disputed_from = row.disputed_by_id = None
    row.supplier_id = supplier_id
    row.confidence = 1.0 if supplier_id is not None else 0.0
    row.decided_by_id, row.decided_at, row.updated_at = user.id, utcnow(), utcnow()
    audit.record(session, user=user, action="decide", entity="ledger_name", entity_id=row.id,
                 summary=f"'{row.name}': {before} -> {row.status} {supplier_id or ''}".strip())
    session.commit()
    return row


@dataclass
class MatchedPayee:
    """A ledger name matched to a supplier: what the anchors' books paid under it."""

    name: LedgerName
    pence: int
    payments: int
    first: date | None
    last: date | None
    anchors: list[str]

    @property
    def disputed(self) -> bool:
        return self.name.status == "disputed"


def may_see_payees(user: User | None, supplier_id: int) -> bool:
    """A supplier's own people, agencies and administrators see the ledger names matched to
    it; others do not (a buyer reads only its own ledgers, on its spend pages)."""
    return bool(user and user.is_authenticated
                and (user.supplier_id == supplier_id or can_read_reports(user)))


def payees_of_supplier(session: Session, *, user: User | None, supplier_id: int
                       ) -> list[MatchedPayee]:
    """The ledger names matched to a supplier (automatically or by a person), and those it has
    said are not it that wait for a reviewer, largest spend first, with what the anchors paid
    under each (redacted lines left out)."""
    if not may_see_payees(user, supplier_id):
        raise Forbidden("Only the supplier's own people, development agencies and "
                        "administrators see the payments matched to it.")
    get_supplier(session=session, supplier_id=supplier_id)
    statuses = (*RESOLVED_STATUSES, "disputed")
    names = {row.id: row for row in session.exec(select(LedgerName).where(
        LedgerName.supplier_id == supplier_id, LedgerName.status.in_(statuses)))}
    if not names:
        return []
    rows = session.exec(
        select(Payment.ledger_name_id, Payment.anchor_id, func.sum(Payment.amount_pence),
               func.count(Payment.id), func.min(Payment.payment_date),
               func.max(Payment.payment_date))
        .where(Payment.ledger_name_id.in_(sorted(names)), Payment.redacted.is_(False))
        .group_by(Payment.ledger_name_id, Payment.anchor_id)).all()
    anchors = dict(session.exec(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_(sorted({anchor_id for _, anchor_id, *_ in rows})))).all())
    found: dict[int, MatchedPayee] = {}
    for name_id, anchor_id, pence, count, first, last in rows:
        item = found.setdefault(name_id, MatchedPayee(names[name_id], 0, 0, None, None, []))
        item.pence += int(pence or 0)  # PostgreSQL sums a bigint as a Decimal
        item.payments += int(count or 0)
        if first is not None:
            item.first = min(filter(None, (item.first, _day(first))))
            item.last = max(filter(None, (item.last, _day(last))))
        item.anchors.append(anchors.get(anchor_id, "An anchor"))
    for item in found.values():
        item.anchors.sort()
    return sorted(found.values(), key=lambda i: (i.disputed, -i.pence, i.name.name))


def _payee_of(session: Session, user: User, supplier_id: int, ledger_name_id: int
              ) -> tuple[Supplier, LedgerName]:
    """The supplier and the ledger name a user says is (or is not) it, where the user may."""
    supplier = get_supplier(session=session, supplier_id=supplier_id)
    if not may_see_payees(user, supplier.id):
        raise Forbidden("Only the supplier's own people, development agencies and "
                        "administrators say which payments are not the supplier's.")
    row = session.get(LedgerName, ledger_name_id)
    if row is None:
        raise NotFound("There is no such supplier name.")
    return supplier, row


def dispute_payee(session: Session, *, user: User, supplier_id: int,
                  ledger_name_id: int) -> LedgerName:
    """A supplier says a ledger name matched to it is not it (or an agency or administrator
    says so of it). The name's payments stop counting as the supplier's (in the figures and
    the reasons shown beside its matches) and wait in the review queue, where a reviewer
    chooses the supplier it is, none, or this one after all; re-imports do not match it again
    meanwhile."""
    supplier, row = _payee_of(session, user, supplier_id, ledger_name_id)
    ours = row.supplier_id == supplier.id
    if ours and row.status == "disputed":
        raise Conflict(f"'{row.name}' has already been said not to be {supplier.name}; "
                       "a reviewer will decide.", field="ledger_name_id")
    if not ours or row.status not in RESOLVED_STATUSES:
        raise CoopmatchError(f"'{row.name}' is not matched to {supplier.name}.",
                             field="ledger_name_id")
    before = row.status
    row.status, row.disputed_from, row.disputed_by_id = "disputed", before, user.id
    row.updated_at = utcnow()
    audit.record(session, user=user, action="dispute", entity="ledger_name", entity_id=row.id,
                 summary=f"'{row.name}' is not {supplier.name} ({before} -> disputed)")
    session.commit()
    return row


def undo_dispute(session: Session, *, user: User, supplier_id: int,
                 ledger_name_id: int) -> LedgerName:
    """Take back saying a ledger name is not its supplier, before a reviewer has decided: the
    name is matched as it was (automatically, or as a reviewer confirmed it) and its payments
    count again."""
    supplier, row = _payee_of(session, user, supplier_id, ledger_name_id)
    if row.supplier_id != supplier.id or row.status != "disputed":
        raise Conflict(f"'{row.name}' is not waiting for review as not {supplier.name}: "
                       "a reviewer may have decided it already.", field="ledger_name_id")
    row.status = row.disputed_from if row.disputed_from in RESOLVED_STATUSES else "auto"
    row.disputed_from, row.disputed_by_id, row.updated_at = None, None, utcnow()
    audit.record(session, user=user, action="undo_dispute", entity="ledger_name",
                 entity_id=row.id,
                 summary=f"'{row.name}' is {supplier.name} after all (disputed -> {row.status})")
    session.commit()
    return row


# --- figures ----------------------------------------------------------------------------------


def anchors_with_spend(session: Session) -> list[Organisation]:
    ids = select(Payment.anchor_id).distinct()
    return list(session.exec(select(Organisation).where(Organisation.id.in_(ids))
                             .order_by(Organisation.name)))


def check_may_read(user: User | None, anchor_ids: Iterable[int]) -> None:
    """Agencies and admins read every anchor's figures; a buyer reads their own."""
    if can_read_reports(user) or is_admin(user):
        return
    if user and user.role == "procurement" and set(anchor_ids) <= {user.organisation_id}:
        return
    raise Forbidden("Spend analysis is for development agencies, and buyers for their own "
                    "organisation.")


def anchors_user_may_import(session: Session, user: User) -> list[Organisation]:
    """Return whose ledgers a user may import: a buyer's own organisation, or every one."""
    if user.role == "procurement":
        own = session.get(Organisation, user.organisation_id) if user.organisation_id else None
        return [own] if own else []
    return list(session.exec(select(Organisation).order_by(Organisation.name)))


def check_may_import(user: User | None, anchor: Organisation) -> None:
    """Agencies and admins import any anchor's ledgers; a buyer, their own organisation's."""
    check_may_read(user, [anchor.id])


def payment_table(session: Session, anchor_ids: list[int], *, year: int | None = None):
    """Read anchors' payments as columns (None without any): supplier id only where resolved.

    The database sums them by financial year, payee, expense type and anchor (each row
    counting its payments), so a page reads a fifth of the rows: every figure is by year."""
    month = cast(extract("month", Payment.payment_date), Integer)
    financial_year = (cast(extract("year", Payment.payment_date), Integer)
                      - case((month < 4, 1), else_=0)).label("financial_year")
    grouped = (Payment.anchor_id, Payment.ledger_name_id, LedgerName.supplier_id,
               LedgerName.status, LedgerName.name, Payment.redacted, Payment.expense_type)
    query = (select(financial_year, func.sum(Payment.amount_pence), func.count(), *grouped)
             .join(LedgerName, LedgerName.id == Payment.ledger_name_id, isouter=True)
             .where(Payment.anchor_id.in_(anchor_ids))
             .group_by(financial_year, *grouped))
    if year is not None:
        query = query.where(Payment.payment_date >= date(year, 4, 1),
                            Payment.payment_date < date(year + 1, 4, 1))
    rows = session.exec(query).all()
    if not rows:
        return None
    years, pence, counts, anchors, _, supplier_ids, statuses, names, redacted, expense = (
        zip(*rows, strict=True))
    return table_from_columns(
        None, [int(p) for p in pence],
        [s if status in RESOLVED_STATUSES else None
         for s, status in zip(supplier_ids, statuses, strict=True)],
        redacted=[bool(r) or status == "redacted"
                  for r, status in zip(redacted, statuses, strict=True)],
        supplier_names=[n or "" for n in names],
        expense_types=[e or "Not stated" for e in expense],
        anchors=anchors, financial_years=years, payments=counts,
    )


def _supplier_facts(session: Session, supplier_ids: set[int], ref: Reference):
    """Return the suppliers' locations, ownership and sector labels and names, and the ids
    of public bodies (not listed as suppliers to bring home: spend_figures' not_targets)."""
    locations, ownership, names, sectors, public = {}, {}, {}, {}, set()
    ids = sorted(i for i in supplier_ids if i is not None)
    for start in range(0, len(ids), 5000):
        for s in session.exec(select(Supplier).where(Supplier.id.in_(ids[start:start + 5000]))):
            # Register entries carry one location (the registered office, as a rule); a
            # council without a postcode is in its area ("Lancashire County Council": the
            # county, no one district).
            locations[s.id] = [SupplierLocation(
                lad_code=s.local_authority_code, wider_code=s.county_code,
                region_code=s.region_code, country="uk")] if (
                s.local_authority_code or s.county_code or s.region_code) else []
            ownership[s.id] = OWNERSHIP_MODELS.get(s.ownership, s.ownership)
            names[s.id] = s.name
            sectors[s.id] = _sector(s, ref)
            if s.ownership == "public_body":
                public.add(s.id)
    return locations, ownership, names, sectors, public


def _sector(supplier: Supplier, ref: Reference) -> str:
    if supplier.cpv_list:
        return ref.cpv.division_name(supplier.cpv_list[0][:2])
    if supplier.sic_list:
        return f"SIC division {supplier.sic_list[0][:2]}"
    return "Sector not known"


@dataclass
class AnchorReport:
    """One anchor's figures, or (anchor None) a group of anchors' figures together."""

    name: str
    anchor_id: int | None
    figures: SpendFigures


def anchor_report(session: Session, *, anchor: Organisation, ref: Reference,
                  year: int | None = None, top: int = 20,
                  public_bodies: bool = True) -> AnchorReport | None:
    """An anchor's figures per financial year against its own area; without payments to
    public bodies (precepts, levies, shared services) when `public_bodies` is False."""
    reports = anchor_reports(session, anchors=[anchor], ref=ref, year=year, top=top,
                             public_bodies=public_bodies)
    return reports[0] if reports else None


# Reports computed, until the payments, payees or register under them change.
_reports: ResultCache[list[AnchorReport]] = ResultCache(32)


def spend_fingerprint(session: Session, anchor_ids: list[int]) -> tuple:
    """What anchors' figures depend on in the database: their payments (how many, the
    latest), the payees' resolution (a change stamps updated_at; a merge moves supplier ids)
    and the register (its suppliers' places, ownership and codes)."""
    payments = tuple(session.exec(
        select(Payment.anchor_id, func.count(), func.max(Payment.id))
        .where(Payment.anchor_id.in_(anchor_ids)).group_by(Payment.anchor_id)
        .order_by(Payment.anchor_id)).all())
    names = session.exec(select(func.count(LedgerName.id), func.max(LedgerName.updated_at),
                                func.sum(LedgerName.supplier_id))).one()
    register = session.exec(select(func.count(Supplier.id),
                                   func.max(Supplier.updated_at))).one()
    return payments, tuple(str(v) for v in names), tuple(str(v) for v in register)


def anchor_reports(session: Session, *, anchors: list[Organisation], ref: Reference,
                   year: int | None = None, top: int = 20, public_bodies: bool = True,
                   group_area: AnchorArea | None = None, group_name: str | None = None
                   ) -> list[AnchorReport]:
    """Each anchor's report (those with payments), and with `group_area` the anchors
    together against that place last; each anchor's payments are read once for both.
    Kept between requests until the data under them change (`spend_fingerprint`)."""
    measured = tuple((a.id, a.name, anchor_area(ref, a)) for a in anchors)
    key = (str(session.get_bind().url), measured, year, top, public_bodies, group_area,
           group_name, spend_fingerprint(session, [a.id for a in anchors]))
    return _reports.get_or_compute(key, lambda: _anchor_reports(
        session, measured=measured, ref=ref, year=year, top=top, public_bodies=public_bodies,
        group_area=group_area, group_name=group_name))


def _anchor_reports(session: Session, *, measured: tuple, ref: Reference, year: int | None,
                    top: int, public_bodies: bool, group_area: AnchorArea | None,
                    group_name: str | None) -> list[AnchorReport]:
    """`anchor_reports` computed: `measured` is each anchor's (id, name, area)."""
    reports, tables = [], []
    for anchor_id, name, area in measured:
        table = payment_table(session, [anchor_id], year=year)
        if table is not None:
            tables.append(table)
            reports.append(AnchorReport(name, anchor_id, _figures(
                session, table, area, ref, top, public_bodies)))
    if group_area is not None and tables:
        figures = _figures(session, concat_tables(tables), group_area, ref, top, public_bodies)
        reports.append(AnchorReport(
            group_name or f"{len(measured)} anchor(s) together in {group_area.name}", None,
            figures))
    return reports


def _figures(session: Session, table: PaymentTable, area: AnchorArea, ref: Reference,
             top: int, public_bodies: bool) -> SpendFigures:
    locations, ownership, names, sectors, public = _supplier_facts(
        session, set(table.supplier_ids), ref)
    if not public_bodies:
        table = table.without_suppliers(public)
    return spend_figures(table, area, locations, ownership=ownership, sectors=sectors,
                         supplier_names=names, top=top, not_targets=public)


def figures_dict(figures: SpendFigures) -> dict:
    """The figures as plain JSON-ready data (pounds, shares as fractions)."""
    def period(p) -> dict:
        return {
            "year": p.label,
            "split": p.split.to_dict(),
            "registered_office": p.registered_office.to_dict(),
            "by_expense_type": {k: v.to_dict() for k, v in p.by_expense_type.items()},
            "by_ownership": {k: v.to_dict() for k, v in p.by_ownership.items()},
            "by_sector": {k: v.to_dict() for k, v in p.by_sector.items()},
            "top_non_local": [{"supplier_id": s.supplier_id, "name": s.name,
                               "pounds": s.pence / 100, "tier": s.tier}
                              for s in p.top_non_local],
            "top_unresolved": [{"name": n.name, "pounds": n.pence / 100}
                               for n in p.top_unresolved],
        }

    return {
        "area": {"lad_code": figures.area.lad_code, "wider_code": figures.area.wider_code,
                 "region_code": figures.area.region_code, "name": figures.area.name},
        "years": [period(p) for p in figures.years],
        "overall": period(figures.overall),
        "trend": [{"year": t.label, "local_share": t.local_share,
                   "wider_share": t.wider_share, "change_points": t.change}
                  for t in figures.trend],
    }


def report_rows(reports: list[AnchorReport]) -> list[dict]:
    """One row per anchor and year: the table the CLI and the CSV export print."""
    rows = []
    for report in reports:
        for p in report.figures.years:
            split = p.split
            row = {"anchor": report.name, "anchor_id": report.anchor_id,
                   "year": p.label, "total": split.total / 100,
                   "resolved": split.resolved / 100, "unresolved": split.unresolved / 100,
                   "redacted": split.redacted / 100}
            row.update({tier: split.tiers[tier] / 100 for tier in TIERS})
            row.update(local_share=split.local_share, wider_share=split.wider_share,
                       leakage=split.leakage / 100)
            rows.append(row)
    return rows


def local_alternatives(session: Session, *, supplier_ids: list[int], area_lads: set[str],
                       ref: Reference, settings, k: int = 3) -> dict[int, list[tuple] | None]:
    """For each non-local supplier, the local suppliers whose work is most like its work: a
    list of (id, name, capability), empty where none is (a possible gap), or None where the
    register holds nothing about its work to compare (no description, codes or contracts)."""
    from coopmatch.matching import MatchOptions, TenderQuery
    from coopmatch.services import matching

    if not supplier_ids or not area_lads:
        return {}
    index = matching.indexes_for(settings, ref).supplier_index(session)
    if index is None:
        return {}
    profiles = {p.id: p for p in matching.supplier_profiles(session, supplier_ids)}
    found: dict[int, list[tuple] | None] = {}
    for supplier_id in supplier_ids:
        profile = profiles.get(supplier_id)
        if profile is None:
            continue
        text = " . ".join([profile.text] + [a.title for a in profile.awards[:20]])
        if not text.strip(" .") and not profile.all_cpv_codes:
            found[supplier_id] = None  # nothing to compare: not "none found"
            continue
        query = TenderQuery(id=0, title=profile.name, description=text,
                            cpv_codes=profile.all_cpv_codes[:10])
        matches = index.match(query, MatchOptions(top_k=k, area_lad_codes=area_lads,
                                                  exclude_ids={supplier_id}, match_lots=False))
        # Capability alone: being nearby does not make a firm an alternative.
        found[supplier_id] = [(m.supplier_id, m.capability) for m in matches
                              if m.capability >= MIN_ALTERNATIVE_CAPABILITY]
    names = matching.supplier_names(session, {i for v in found.values() for i, _ in v or ()})
    return {sid: None if v is None else [(i, names.get(i, ""), score) for i, score in v]
            for sid, v in found.items()}
