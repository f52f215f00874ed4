"""Imports: parsed records become organisations, tenders, lots, awards and suppliers.

One import is one transaction. Rows are parsed and checked first; by default any rejected row
rejects the whole file before anything is written. Re-importing a file changes nothing.
"""

import csv
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from coopmatch.duplicates import same_words
from coopmatch.errors import CoopmatchError
from coopmatch.geo import find_postcode, outward_code
from coopmatch.imports.records import (
    BuyerRecord,
    NoticeRecord,
    RowError,
    SupplierRecord,
)
from coopmatch.models import (
    OWNERSHIP_MODELS,
    Award,
    Lot,
    Organisation,
    Supplier,
    Tender,
    User,
    join_codes,
    utcnow,
)
from coopmatch.names import (
    buyer_key,
    clean_text,
    is_company_name,
    is_public_body_name,
    names_no_supplier,
    normalise_name,
    principal_buyer,
    registration_key,
)
from coopmatch.reference import Reference
from coopmatch.services import audit, ledger_names, organisations
from coopmatch.services.geography import apply_place, area_lad_codes, is_council_name
from coopmatch.services.organisations import guess_kind

# Two names in the same postcode district this similar are the same supplier.
NEAR_MISS_SCORE = 92
MAX_ERRORS_IN_MESSAGE = 20

Progress = Callable[[str, int, int | None], None]


class ImportRejected(CoopmatchError):
    """An import refused as a whole: the errors say which rows and why."""

    status_code = 422

    def __init__(self, message: str, errors: list[RowError] | None = None, *,
                 skipping_imports: str = ""):
        super().__init__(message)
        self.errors = errors or []
        # What importing with skip_invalid would import ("the good rows", "the other
        # file"), or "" for nothing. Each interface says how to ask for it (a flag, a box).
        self.skipping_imports = skipping_imports

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["rows"] = [e.as_dict() for e in self.errors]
        body["skipping_imports"] = self.skipping_imports
        return body


@dataclass
class ImportOptions:
    skip_invalid: bool = False
    dry_run: bool = False
    # Keep only suppliers located in these areas (GSS codes of LADs, counties or regions).
    areas: set[str] | None = None
    # A procurement officer may import only their own organisation's notices.
    restrict_to_buyer: Organisation | None = None
    user: User | None = None


CHANGED_NOTICES_LISTED = 10  # an import's page links to this many of the notices it changed


@dataclass
class ImportSummary:
    format: str
    source: str
    dry_run: bool = False
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: list[RowError] = field(default_factory=list)
    skipped_outside_area: int = 0
    rejected_file: str | None = None
    # The OCIDs of the first notices created or updated, in file order, to link to.
    changed_notices: list[str] = field(default_factory=list)

    def count(self, entity: str, outcome: str, n: int = 1) -> None:
        self.counts[entity][outcome] += n

    def notice_changed(self, ocid: str) -> None:
        if len(self.changed_notices) < CHANGED_NOTICES_LISTED:
            self.changed_notices.append(ocid)

    @property
    def rejected(self) -> int:
        return len({e.line for e in self.errors}) if self.errors else 0

    @property
    def changed(self) -> int:
        return sum(c["created"] + c["updated"] for c in self.counts.values())

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "source": self.source,
            "dry_run": self.dry_run,
            "counts": {k: dict(v) for k, v in self.counts.items()},
            "rejected": self.rejected,
            "skipped_outside_area": self.skipped_outside_area,
            "rejected_file": self.rejected_file,
            "changed_notices": self.changed_notices,
            "errors": [e.as_dict() for e in self.errors[:100]],
        }

    def summary(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        lines = [f"{verb} {self.source} ({self.format}):"]
        for entity in ("notices", "suppliers", "awards", "organisations"):
            c = self.counts.get(entity)
            if c:
                lines.append(
                    f"  {entity:<14} {c['created']:>6} created  {c['updated']:>6} updated  "
                    f"{c['unchanged']:>6} unchanged"
                )
        unnamed = self.counts.get("awards", Counter())["no_supplier"]
        if unnamed:
            lines.append(f"  {'unnamed winner':<14} {unnamed:>6} (no award imported: 'not "
                         "awarded', 'multiple providers', a withheld name)")
        lines.append(f"  rejected rows  {self.rejected:>6}")
        if self.skipped_outside_area:
            lines.append(f"  outside area   {self.skipped_outside_area:>6} (not imported)")
        if self.rejected_file:
            lines.append(f"  rejected rows written to {self.rejected_file}")
        return "\n".join(lines)


def rows_with_problems(errors: list[RowError]) -> int:
    """How many rows the errors are about: a row with two problems is one row (a ledger's
    rows are told apart by file and sheet too); a problem with a whole file counts one."""
    return len({(getattr(e, "file", ""), getattr(e, "sheet", ""), e.line) for e in errors})


def rejection(errors: list[RowError], *, good: bool) -> ImportRejected:
    """The refusal of an import for these errors, saying what is wrong and what to do.
    `good`: whether some rows could be imported as they are (with skip_invalid)."""
    about_file, about_rows = [], []  # problems with a file as a whole, and with its rows
    for e in errors:
        (about_file if not e.line or e.field == "file" else about_rows).append(e)
    files = len({getattr(e, "file", "") for e in about_file})
    rows = rows_with_problems(about_rows)
    what = " and ".join(
        [audit.counted(files, "file cannot", "files cannot") + " be read"] * bool(files)
        + [audit.counted(rows, "row has", "rows have") + " problems"] * bool(rows))
    skipping_imports = ("" if not good else "the good rows" if rows
                        else f"the other {'file' if files == 1 else 'files'}")
    advice = f"Fix {'it' if files + rows == 1 else 'them'} and import again"
    if skipping_imports:
        advice += f", or import {skipping_imports} only"
    shown = "\n".join(f"  - {e}" for e in errors[:MAX_ERRORS_IN_MESSAGE])
    more = len(errors) - MAX_ERRORS_IN_MESSAGE
    tail = f"\n  ... and {more} more" if more > 0 else ""
    return ImportRejected(f"Nothing was imported: {what}. {advice}.\n{shown}{tail}", errors,
                          skipping_imports=skipping_imports)


def write_rejected(errors: list[RowError], source: Path, *, original: Path | None = None) -> Path:
    """Write rejected rows with their reasons, and the original row, to a CSV.

    The CSV goes beside `source` (or to the temp directory when that is read-only).
    """
    target = source.with_name(source.name + ".rejected.csv")
    if not os.access(target.parent, os.W_OK):
        target = Path(tempfile.gettempdir()) / target.name
    lines = _source_lines(original or source)
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "field", "reason", "original"])
        for error in errors:
            text = lines[error.line - 1] if 0 < error.line <= len(lines) else ""
            writer.writerow([error.line, error.field, error.reason, text])
    return target


def _source_lines(path: Path) -> list[str]:
    """The input's lines, decoded as the parsers decode them (for CSV inputs)."""
    from coopmatch.imports.reading import open_source

    try:
        source = open_source(path)
    except (OSError, CoopmatchError):
        return []
    if source.text.lstrip()[:1] in "[{":
        return []  # JSON records have no line of their own worth copying
    return source.text.splitlines()


# --- the register as the import sees it -------------------------------------------------------


def same_firm_by_name(name: str, postcode: str | None, registered: bool,
                      supplier: Supplier) -> bool:
    """Whether a supplier of the same normalised name is the firm named `name` at `postcode`
    (`registered`: it carries a registration number): not when both carry one (two numbers, two
    firms, whatever their names); yes when either has no postcode or they share it, or when
    either name is a company's (one company at another of its addresses, a notice's say)."""
    if registered and supplier.registration_number:
        return False
    if not postcode or not supplier.postcode or supplier.postcode == postcode:
        return True
    return is_company_name(name) or is_company_name(supplier.name)


class Register:
    """Existing suppliers, organisations and tenders, indexed for matching imported records."""

    def __init__(self, session: Session):
        self.session = session
        self.by_registration: dict[str, Supplier] = {}
        self.by_external: dict[str, Supplier] = {}
        self.by_name: dict[str, list[Supplier]] = defaultdict(list)
        # Per postcode district, names for the near-miss search: of every supplier, and of
        # those without a registration number (the only ones a registered firm can be).
        self.names_by_district: dict[str, dict[str, Supplier]] = defaultdict(dict)
        self.unregistered_by_district: dict[str, dict[str, Supplier]] = defaultdict(dict)
        for supplier in session.exec(select(Supplier)):
            self.add_supplier(supplier)
        self.organisations = organisations.by_name_key(session)
        self._tenders: dict[str, Tender] | None = None

    def add_supplier(self, supplier: Supplier) -> None:
        if supplier.registration_number:
            self.by_registration[registration_key(supplier.registration_number)] = supplier
        if supplier.external_id:
            self.by_external[f"{supplier.source}:{supplier.external_id}"] = supplier
        self.by_name[supplier.normalised_name].append(supplier)
        if supplier.postcode:
            district = outward_code(supplier.postcode)
            self.names_by_district[district][supplier.normalised_name] = supplier
            if not supplier.registration_number:
                self.unregistered_by_district[district][supplier.normalised_name] = supplier

    def find_supplier(self, record: SupplierRecord, normalised: str) -> Supplier | None:
        """Same registration number, else same name (and postcode, unless it names a company),
        else a near-miss name in the same postcode district."""
        if record.registration_number:
            found = self.by_registration.get(registration_key(record.registration_number))
            if found:
                return found
        if record.external_id:
            found = self.by_external.get(f"{record.source}:{record.external_id}")
            if found:
                return found
        registered = bool(record.registration_number)
        for supplier in self.by_name.get(normalised, []):
            if same_firm_by_name(record.name, record.postcode, registered, supplier):
                return supplier
        if record.postcode and normalised:
            by_district = self.unregistered_by_district if registered else self.names_by_district
            candidates = by_district.get(outward_code(record.postcode), {})
            if candidates:
                # The most alike whose words of its own are alike too: two housing co-ops run
                # from one office ("Alt ..." and "T21 Housing Co-operative Society") stay two.
                for name, _, _ in process.extract(normalised, list(candidates), limit=5,
                                                  scorer=fuzz.ratio,
                                                  score_cutoff=NEAR_MISS_SCORE):
                    if same_words(normalised, name):
                        return candidates[name]
        return None

    def tenders(self) -> dict[str, Tender]:
        if self._tenders is None:
            query = select(Tender).where(Tender.ocid.is_not(None)).options(
                selectinload(Tender.lots), selectinload(Tender.awards))
            self._tenders = {t.ocid: t for t in self.session.exec(query)}
        return self._tenders


# --- applying records -------------------------------------------------------------------------


def _ownership_by_name(name: str, is_sme: bool | None) -> str:
    """The ownership of a supplier its source does not describe (an award notice's winner):
    a public body where its name says so ("Lancashire County Council"), else what the notice's
    SME flag says, else not known (a notice with several winners flags none of them)."""
    if is_public_body_name(name):
        return "public_body"
    if is_sme is None:
        return "unknown"
    return "sme" if is_sme else "large_company"


def _set(obj, values: dict, *, fill_only: bool = False) -> bool:
    """Set attributes that differ; return whether anything changed."""
    changed = False
    for name, value in values.items():
        current = getattr(obj, name)
        if fill_only and current not in (None, "", 0):
            continue
        if value in (None, "") and current not in (None, ""):
            continue  # an import never blanks what we already know
        if current != value:
            setattr(obj, name, value)
            changed = True
    return changed


class Importer:
    """Applies records to the database within the caller's transaction."""

    def __init__(self, session: Session, ref: Reference, summary: ImportSummary,
                 options: ImportOptions):
        self.session = session
        self.ref = ref
        self.summary = summary
        self.options = options
        self.register = Register(session)
        # A supplier named in many awards of one file is counted once, by its strongest outcome.
        self._supplier_outcomes: dict[int, str] = {}
        # Suppliers new to the register or renamed: ledger names may now resolve to them.
        self.named: list[Supplier] = []
        self._area_lads = (
            set().union(*(area_lad_codes(ref.geo, area) for area in options.areas))
            if options.areas else None
        )

    def _place(self, postcode: str | None):
        if not postcode:
            return None
        try:
            return self.ref.geo.lookup(postcode)
        except CoopmatchError:
            return None

    def _site_in_text(self, record: NoticeRecord):
        """The place of a postcode a notice gives in its text when it names no delivery
        address ("a new play area at Milnshaw Park, Accrington BB5 4SD"): nearer the work than
        the buyer's office. None unless the reference data places it."""
        found = self._place(find_postcode(f"{record.title} {record.description}"))
        return found if found is not None and found.latitude is not None else None

    def in_area(self, postcode: str | None) -> bool:
        if self._area_lads is None:
            return True
        place = self._place(postcode)
        return bool(place and place.lad_code in self._area_lads)

    def _ownership(self, name: str, is_sme: bool | None) -> str:
        """_ownership_by_name, knowing also the councils that only the reference data tells
        apart ("St Helens Council", "Cheshire East Council")."""
        if is_council_name(self.ref.geo, name):
            return "public_body"
        return _ownership_by_name(name, is_sme)

    def supplier(self, record: SupplierRecord) -> Supplier:
        name = clean_text(record.name)
        normalised = normalise_name(name)
        existing = self.register.find_supplier(record, normalised)
        # A council that wins work or is paid ("Lancashire County Council", "Blackpool Council
        # Corporate Print Services") is where its area is, as a buyer that gives no postcode.
        place = self._place(record.postcode) or self.ref.geo.place_of_buyer(name)
        values = {
            "name": name,
            "description": clean_text(record.description),
            "ownership": record.ownership if record.ownership in OWNERSHIP_MODELS else None,
            "legal_form": record.legal_form,
            "registration_number": (record.registration_number or "").upper() or None,
            "employees": record.employees,
            "turnover_band": record.turnover_band,
            "website": record.website,
            "contact_email": record.email,
            "contact_phone": record.phone,
            "incorporation_date": record.incorporation_date,
            "external_id": record.external_id,
        }
        if record.status:
            values["status"] = record.status
        if record.succession_risk is not None:
            values["succession_risk"] = record.succession_risk
        if existing is None:
            supplier = Supplier(
                name=name,
                normalised_name=normalised,
                source=record.source,
                ownership=values.pop("ownership") or self._ownership(name, record.is_sme),
            )
            _set(supplier, values)
            supplier.cpv_codes = join_codes(record.cpv_codes)
            supplier.sic_codes = join_codes(record.sic_codes)
            apply_place(supplier, place)
            self.session.add(supplier)
            self.register.add_supplier(supplier)
            self._outcome(supplier, "created")
            self.named.append(supplier)
            return supplier
        # A register file updates what it said before. Otherwise what we know wins and the
        # record only fills blanks: a supplier's own profile, another register's entry, or a
        # name spelt several ways across award notices, or two rows of one file that are one
        # supplier. That keeps re-imports idempotent.
        fill_only = (existing.source != record.source or record.source == "award"
                     or id(existing) in self._supplier_outcomes)
        if fill_only:
            values.pop("name")
        changed = _set(existing, values, fill_only=fill_only)
        if existing.ownership == "unknown" and not values.get("ownership"):
            # A later notice that flags the winner says what an earlier one did not.
            learnt = self._ownership(existing.name, record.is_sme)
            changed = _set(existing, {"ownership": learnt}) or changed
        codes = join_codes(existing.cpv_list + list(record.cpv_codes))
        sic = join_codes(existing.sic_list + list(record.sic_codes))
        if codes != existing.cpv_codes or sic != existing.sic_codes:
            existing.cpv_codes, existing.sic_codes = codes, sic
            changed = True
        if place and not existing.postcode and (place.postcode or existing.latitude is None):
            apply_place(existing, place)
            changed = True
        if changed:
            normalised = normalise_name(existing.name)
            if normalised != existing.normalised_name:
                self.named.append(existing)
            existing.normalised_name = normalised
            existing.updated_at = utcnow()
        self._outcome(existing, "updated" if changed else "unchanged")
        return existing

    def _outcome(self, supplier: Supplier, outcome: str) -> None:
        rank = {"unchanged": 0, "updated": 1, "created": 2}
        previous = self._supplier_outcomes.get(id(supplier))
        if previous is None or rank[outcome] > rank[previous]:
            self._supplier_outcomes[id(supplier)] = outcome

    def finish(self) -> None:
        """Add the per-supplier outcomes to the summary."""
        for outcome in self._supplier_outcomes.values():
            self.summary.count("suppliers", outcome)

    def buyer(self, record: BuyerRecord) -> Organisation:
        given = clean_text(record.name) or "Unknown buyer"
        # "Muse Developments Limited on behalf of Blackpool Borough Council" buys for Blackpool,
        # unless an organisation goes by the name as given (one an administrator added for a
        # council's department, or imported so before and not yet merged).
        name = (given if buyer_key(given) in self.register.organisations
                else principal_buyer(given))
        key = buyer_key(name)
        organisation = self.register.organisations.get(key)
        # No postcode: a council is placed at the centre of the area its name names. A body
        # bought for by another is placed by its name first: the postcode given may be its
        # agent's (a council's department, named after it, gives the council's own).
        if not given.startswith(name):
            place = self.ref.geo.place_of_buyer(name) or self._place(record.postcode)
        else:
            place = self._place(record.postcode) or self.ref.geo.place_of_buyer(name)
        if organisation is None:
            organisation = Organisation(name=name, normalised_name=normalise_name(name),
                                        kind=record.kind or guess_kind(name))
            apply_place(organisation, place)
            self.session.add(organisation)
            self.register.organisations[key] = organisation
            self.summary.count("organisations", "created")
        elif place and not organisation.postcode and (
                place.postcode or organisation.latitude is None):
            apply_place(organisation, place)
            self.summary.count("organisations", "updated")
        return organisation

    def check_buyer(self, record: NoticeRecord) -> None:
        """Refuse another organisation's notice when the importer is restricted to its own."""
        restrict = self.options.restrict_to_buyer
        if restrict is None:
            return
        given = clean_text(record.buyer.name)
        buyers = {given, principal_buyer(given)}  # as named, and the body it buys for
        if {buyer_key(b) for b in buyers} & {buyer_key(n) for n in restrict.names}:
            return  # one of its names ("Blackpool Borough Council" is "Blackpool Council")
        if max(fuzz.ratio(normalise_name(b), restrict.normalised_name)
               for b in buyers) < NEAR_MISS_SCORE:
            raise _RowRejected(RowError(
                record.line, "buyer",
                f"this notice's buyer is {clean_text(record.buyer.name)}, not "
                f"{restrict.name}: you can import only your own organisation's notices"))

    def notice(self, record: NoticeRecord) -> None:
        self.check_buyer(record)
        buyer = self.options.restrict_to_buyer or self.buyer(record.buyer)
        tenders = self.register.tenders()
        tender = tenders.get(record.ocid)
        place = self._place(record.delivery_postcode) or self._site_in_text(record)
        values = {
            "title": clean_text(record.title)[:500] or "(untitled notice)",
            "description": clean_text(record.description),
            "cpv_codes": join_codes(record.cpv_codes),
            "value": record.value,
            "currency": record.currency or "GBP",
            "status": record.status,
            "published_date": record.published_date,
            "deadline": record.deadline,
            "delivery_area": record.delivery_area,
            "contract_start": record.contract_start,
            "contract_end": record.contract_end,
            "recurrence": record.recurrence or None,
            "social_value": record.social_value,
            "arrangement": record.arrangement,
            "notice_url": record.notice_url,
        }
        created = tender is None
        if created:
            # Empty collections set here are not lazy-loaded from the database.
            tender = Tender(title=values["title"], buyer=buyer, ocid=record.ocid,
                            source=record.source, lots=[], awards=[])
            self.session.add(tender)
            tenders[record.ocid] = tender
        changed = _set(tender, values)
        if tender.buyer is not buyer:
            tender.buyer = buyer
            changed = True
        # Where the work is: the delivery postcode, else where the buyer was placed (its
        # address, or a council's area), as stored on it by `_organisation`.
        where = {
            "latitude": place.latitude, "longitude": place.longitude,
            "local_authority_code": place.lad_code, "county_code": place.county_code,
            "region_code": place.region_code,
        } if place else {
            "latitude": buyer.latitude, "longitude": buyer.longitude,
            "local_authority_code": buyer.local_authority_code,
            "county_code": buyer.county_code, "region_code": buyer.region_code,
        }
        changed |= _set(tender, {"delivery_postcode": place.postcode if place else None, **where})
        changed |= self._lots(tender, record)
        changed |= self._awards(tender, record)
        if created:
            self.summary.count("notices", "created")
            self.summary.notice_changed(record.ocid)
        elif changed:
            tender.updated_at = utcnow()
            self.summary.count("notices", "updated")
            self.summary.notice_changed(record.ocid)
        else:
            self.summary.count("notices", "unchanged")

    def _lots(self, tender: Tender, record: NoticeRecord) -> bool:
        if not record.lots:
            return False
        existing = {lot.external_id: lot for lot in tender.lots}
        changed = False
        for number, lot_record in enumerate(record.lots, start=1):
            lot = existing.get(lot_record.external_id)
            if lot is None:
                lot = Lot(number=number, external_id=lot_record.external_id)
                tender.lots.append(lot)
                changed = True
            changed |= _set(lot, {
                "title": clean_text(lot_record.title)[:500],
                "description": clean_text(lot_record.description),
                "value": lot_record.value,
                "cpv_codes": join_codes(lot_record.cpv_codes),
            })
        return changed

    def _awards(self, tender: Tender, record: NoticeRecord) -> bool:
        # Keys use the objects themselves, so new suppliers need no flush to get an id.
        changed = False
        lots = {lot.external_id: lot for lot in tender.lots}
        existing = {(id(a.supplier), a.external_id): a for a in tender.awards}
        seen = set()
        for award_record in record.awards:
            if names_no_supplier(award_record.supplier.name):
                # "NOT AWARDED TO SUPPLIER", "Multiple Providers", a withheld name: no firm to
                # match, and one made of it would gather many notices' work as if it won it.
                self.summary.count("awards", "no_supplier")
                continue
            supplier = self.supplier(award_record.supplier)
            external_id = award_record.external_id or award_record.lot_external_id
            key = (id(supplier), external_id)
            if key in seen:
                continue
            seen.add(key)
            award = existing.get(key)
            values = {
                "value": award_record.value,
                "currency": award_record.currency or "GBP",
                "award_date": award_record.award_date,
            }
            if award is None:
                award = Award(tender=tender, supplier=supplier, external_id=external_id,
                              lot=lots.get(award_record.lot_external_id))
                _set(award, values)
                self.session.add(award)
                self.summary.count("awards", "created")
                changed = True
            elif _set(award, values):
                self.summary.count("awards", "updated")
                changed = True
            else:
                self.summary.count("awards", "unchanged")
        return changed


class _RowRejected(Exception):
    def __init__(self, error: RowError):
        self.error = error


# --- the use case -----------------------------------------------------------------------------


def _open(fmt: str | None, path, max_bytes: int | None):
    """Read a file once and choose its format (recognised from it when fmt is None)."""
    from coopmatch.imports import formats
    from coopmatch.imports.reading import DEFAULT_MAX_BYTES, open_source

    source = open_source(path, max_bytes=max_bytes or DEFAULT_MAX_BYTES)
    fmt = fmt or formats.detect_source(source)
    if fmt is None:
        raise ImportRejected(
            "Nothing was imported: this file's layout was not recognised. Choose its format: "
            + ", ".join(formats.FORMATS) + ".")
    return fmt, source, formats.get(fmt)


def parse_file(fmt: str | None, path, ref: Reference, *, data_dir: str | None,
               max_bytes: int | None, areas: set[str] | None = None,
               progress: Progress | None = None) -> tuple[str, list, list[RowError]]:
    """Parse a file into records and row errors, without touching the database.

    `fmt` None means: recognise the format from the file. Returns (format, records, errors).
    """
    fmt, source, parser = _open(fmt, path, max_bytes)
    records, errors = [], []
    for item in parser.parse(source, cpv=ref.cpv, data_dir=data_dir, areas=areas,
                             max_bytes=max_bytes):
        (errors if isinstance(item, RowError) else records).append(item)
        if progress and (len(records) + len(errors)) % 200 == 0:
            progress("reading", round(source.progress * 1000), 1000)
    if progress:
        progress("reading", 1000, 1000)
    return fmt, records, errors


def preview(fmt: str | None, path, ref: Reference, *, data_dir: str | None,
            max_bytes: int | None, rows: int = 10) -> tuple[str, list, list[RowError]]:
    """Parse the first rows of a file, to show before importing it."""
    fmt, source, parser = _open(fmt, path, max_bytes)
    records, errors = [], []
    for item in parser.parse(source, cpv=ref.cpv, data_dir=data_dir, max_bytes=max_bytes):
        (errors if isinstance(item, RowError) else records).append(item)
        if len(records) >= rows or len(errors) >= rows:
            break
    return fmt, records, errors


def import_records(
    session: Session,
    *,
    records: Iterable,
    errors: list[RowError],
    ref: Reference,
    summary: ImportSummary,
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportSummary:
    """Write parsed records in one transaction (rolled back on a dry run or any failure)."""
    records = list(records)
    if errors and not options.skip_invalid:
        summary.errors = errors
        raise rejection(errors, good=bool(records))
    importer = Importer(session, ref, summary, options)
    with all_or_nothing(session, dry_run=options.dry_run):
        for done, record in enumerate(records, start=1):
            try:
                _apply_record(importer, record)
            except _RowRejected as rejected:
                if not options.skip_invalid:
                    errors.append(rejected.error)
                    summary.errors = errors
                    raise rejection(errors, good=len(records) > 1) from None
                errors.append(rejected.error)
            if progress and (done % 100 == 0 or done == len(records)):
                progress("saving", done, len(records))
            if done % 500 == 0:
                session.flush()
        importer.finish()
        summary.errors = errors
        if summary.changed:  # a re-import that changes nothing leaves no trace either
            audit.record(session, user=options.user, action="import", entity="import",
                         entity_id=None, summary=f"{summary.format} {summary.source}: "
                         f"{summary.changed} changes, {summary.rejected} rejected")
        session.flush()
        named = [s.id for s in importer.named]
    if named and not options.dry_run:
        if progress:
            progress("resolving ledger names", 0, None)
        ledger_names.resolve_for_suppliers(session, named, user=options.user)
    return summary


@contextmanager
def all_or_nothing(session: Session, *, dry_run: bool):
    """Commit what the block wrote, or nothing at all: on a dry run or on any failure."""
    try:
        yield
        if dry_run:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise


def _apply_record(importer: Importer, record) -> None:
    if isinstance(record, SupplierRecord):
        if not importer.in_area(record.postcode):
            importer.summary.skipped_outside_area += 1
            return
        importer.supplier(record)
    elif isinstance(record, NoticeRecord):
        importer.notice(record)
    else:  # pragma: no cover - parsers only yield these
        raise TypeError(f"unexpected record {type(record).__name__}")


def import_file(
    session: Session,
    *,
    fmt: str | None,
    path: str | Path,
    ref: Reference,
    options: ImportOptions | None = None,
    data_dir: str | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
    source_name: str | None = None,
    rejected_dir: Path | None = None,
) -> ImportSummary:
    """Parse and import one file; raise ImportRejected with the row errors if it is refused.

    With skip_invalid the rejected rows go to a CSV beside the input (or in rejected_dir; in
    the temp directory for a file of the reference data directory, which is never written).
    """
    options = options or ImportOptions()
    path = Path(path)
    fmt, records, errors = parse_file(fmt, path, ref, data_dir=data_dir, max_bytes=max_bytes,
                                      areas=options.areas, progress=progress)
    summary = ImportSummary(format=fmt, source=source_name or path.name, dry_run=options.dry_run)
    import_records(session, records=records, errors=errors, ref=ref, summary=summary,
                   options=options, progress=progress)
    if errors and options.skip_invalid:
        if rejected_dir is None and data_dir and _inside(path, Path(data_dir)):
            # The reference data is read, never written: not beside a file of it.
            rejected_dir = Path(tempfile.gettempdir())
        target = (rejected_dir / path.name) if rejected_dir else path
        summary.rejected_file = str(write_rejected(errors, target, original=path))
    return summary


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False
