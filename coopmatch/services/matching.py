"""Matching as a use case: keep the fitted indexes in step with the database, then match.

The indexes are built once, saved under INDEX_DIR, and loaded by each process. Before a match
the service compares a cheap fingerprint of the data (row counts and latest change times) with
the one the index was built from. Edited or new suppliers are then folded in incrementally;
only a missing, foreign or much-changed index is rebuilt from scratch.

The engine's index classes are imported where they are used: they need scikit-learn, which
takes seconds to import, and the commands that never match should start without it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from coopmatch.duplicates import Entry, repeats
from coopmatch.errors import CoopmatchError
from coopmatch.geo import PlaceWords
from coopmatch.matching import (
    IndexFormatError,
    LotQuery,
    Match,
    MatchOptions,
    Opportunity,
    PastAward,
    SupplierProfile,
    TenderQuery,
)
from coopmatch.matching.reasons import paid_by_buyer_reason
from coopmatch.matching.signals import how_bought
from coopmatch.matching.types import PUBLIC_BODY, fit_label
from coopmatch.models import (
    OWNERSHIP_MODELS,
    POSTED_HERE,
    STALE_AFTER_DAYS,
    Award,
    Lot,
    Payment,
    Supplier,
    Tender,
    User,
)
from coopmatch.reference import Reference
from coopmatch.services import distinct, spend
from coopmatch.services.geography import area_lad_codes, name_places
from coopmatch.services.suppliers import get_supplier
from coopmatch.services.tenders import get_tender

if TYPE_CHECKING:
    from coopmatch.matching import MatchIndex
    from coopmatch.matching.cpv_suggest import CPVSuggester
    from coopmatch.matching.opportunities import OpportunityIndex

log = logging.getLogger(__name__)

# A supplier within this distance of the work counts as local too, whatever its area.
LOCAL_RADIUS_KM = 25.0
OPEN_STATUSES = ("open", "planned")


@dataclass(frozen=True)
class MatchSettings:
    index_dir: str
    weights: dict
    database_url: str


# --- plain data from rows ---------------------------------------------------------------------


def supplier_profiles(session: Session, supplier_ids: list[int] | None = None
                      ) -> list[SupplierProfile]:
    """Build the engine's profiles: capabilities plus the contracts each supplier has won."""
    query = select(Supplier).where(Supplier.status != "dissolved").order_by(Supplier.id)
    if supplier_ids is not None:
        query = query.where(Supplier.id.in_(supplier_ids))
    suppliers = list(session.exec(query))
    awards: dict[int, list[PastAward]] = defaultdict(list)
    award_query = (
        select(Award.supplier_id, Award.value, Tender.id, Tender.title, Tender.description,
               Tender.buyer_id, Tender.cpv_codes, Tender.value, Tender.latitude,
               Tender.longitude)
        .join(Tender, Tender.id == Award.tender_id)
    )
    if supplier_ids is not None:
        award_query = award_query.where(Award.supplier_id.in_(supplier_ids))
    buyer_names = _buyer_names(session)
    for (supplier_id, value, tender_id, title, description, buyer_id, cpv_codes,
         tender_value, latitude, longitude) in session.exec(award_query):
        awards[supplier_id].append(PastAward(
            title=title, description=description or "", buyer_id=buyer_id,
            buyer_name=buyer_names.get(buyer_id),
            value_gbp=value if value else tender_value,  # the notice's when the award has none
            cpv_codes=(cpv_codes or "").split(), tender_id=tender_id,
            latitude=latitude, longitude=longitude))
    return [
        SupplierProfile(
            id=s.id, name=s.name, text=s.description or "", awards=awards.get(s.id, []),
            cpv_codes=s.cpv_list, latitude=s.latitude, longitude=s.longitude,
            lad_code=s.local_authority_code, county_code=s.county_code,
            region_code=s.region_code, ownership=s.ownership, capacity_gbp=s.capacity_gbp,
            service_radius_km=s.service_radius_km, sic_codes=s.sic_list,
        )
        for s in suppliers if not _paid_body_only(s, awards)
    ]


def _paid_body_only(supplier: Supplier, awards: dict) -> bool:
    """A public body in the register only because ledgers pay it ("Chorley Council"), with
    nothing to say what work it does (no contract won, description or codes): its spend is
    placed, but it is not a supplier to rank for a tender. One that has won a contract is."""
    return (supplier.ownership == "public_body" and not awards.get(supplier.id)
            and not (supplier.description or "").strip() and not supplier.cpv_list
            and not supplier.sic_list)


def _buyer_names(session: Session) -> dict[int, str]:
    from coopmatch.models import Organisation

    return dict(session.exec(select(Organisation.id, Organisation.name)).all())


def _tender_queries(session: Session, condition) -> list[TenderQuery]:
    """Return the tenders meeting a condition as the engine reads them, in id order."""
    query = (select(Tender).where(condition)
             .options(selectinload(Tender.lots), selectinload(Tender.buyer)).order_by(Tender.id))
    return [tender_query(t) for t in session.exec(query)]


def how_let(tender: Tender) -> tuple[str, bool]:
    """Return how a tender is matched as let (a key of models.ARRANGEMENTS, "" for one
    contract) and whether its buyer or source stated it, rather than its words saying so."""
    if tender.arrangement:
        return tender.arrangement, True
    framework, dps = how_bought(tender.title, tender.description or "")
    return ("dps" if dps else "framework" if framework else ""), False


def tender_query(tender: Tender) -> TenderQuery:
    framework, dps = how_bought(tender.title, tender.description or "", tender.arrangement)
    return TenderQuery(
        id=tender.id, title=tender.title, description=tender.description or "",
        cpv_codes=tender.cpv_list, value=tender.value, buyer_id=tender.buyer_id,
        buyer_name=tender.buyer.name if tender.buyer else None,
        latitude=tender.latitude, longitude=tender.longitude,
        lad_code=tender.local_authority_code, county_code=tender.county_code,
        region_code=tender.region_code,
        lots=[LotQuery(id=lot.id, title=lot.title, description=lot.description or "",
                       value=lot.value, cpv_codes=lot.cpv_list) for lot in tender.lots],
        framework=framework,
        dps=dps,
    )


# --- fingerprints -----------------------------------------------------------------------------


def _stamp(value) -> str:
    return value.isoformat() if value else ""


def register_fingerprint(session: Session) -> dict:
    """What the supplier index depends on: suppliers and awards."""
    count, latest = session.exec(
        select(func.count(Supplier.id), func.max(Supplier.updated_at))).one()
    awards, last_award = session.exec(select(func.count(Award.id), func.max(Award.id))).one()
    return {"suppliers": count, "supplier_changed": _stamp(latest), "awards": awards,
            "last_award": last_award or 0}


def open_tenders(today: date | None = None):
    """Tenders suppliers can still bid for: open or planned, and not past their deadline (an
    imported notice may stay "active" at its source long after it closed). One with no
    deadline is current if posted here, else until its contract was due to start or, giving
    no start, for STALE_AFTER_DAYS after it was published (as `Tender.out_of_date`)."""
    today = today or date.today()
    current = or_(
        Tender.source == POSTED_HERE,
        Tender.contract_start >= today,
        and_(Tender.contract_start.is_(None),
             or_(Tender.published_date.is_(None),
                 Tender.published_date >= today - timedelta(days=STALE_AFTER_DAYS))),
    )
    return and_(Tender.status.in_(OPEN_STATUSES),
                or_(Tender.deadline >= today, and_(Tender.deadline.is_(None), current)))


def open_tender_fingerprint(session: Session, today: date | None = None) -> dict:
    """What the open-tender index depends on: the open tenders (not awarded notices, which
    come and go in bulk imports), their lots, and the day (deadlines pass)."""
    today = today or date.today()
    count, latest = session.exec(select(func.count(Tender.id), func.max(Tender.updated_at))
                                 .where(open_tenders(today))).one()
    lots = session.exec(select(func.count(Lot.id)).join(Tender, Lot.tender_id == Tender.id)
                        .where(open_tenders(today))).one()
    return {"open_tenders": count, "tender_changed": _stamp(latest), "lots": lots,
            "day": today.isoformat()}


def tender_fingerprint(session: Session) -> dict:
    count, latest = session.exec(
        select(func.count(Tender.id), func.max(Tender.updated_at))).one()
    lots = session.exec(select(func.count(Lot.id))).one()
    return {"tenders": count, "tender_changed": _stamp(latest), "lots": lots}


# --- the indexes, per database, per process ---------------------------------------------------


class AreaNames(dict):
    """Areas' names by GSS code, looked up in the reference data as reasons ask for them."""

    def __init__(self, geo):
        super().__init__()
        self.geo = geo

    def get(self, code, default=None):
        if code not in self:
            self[code] = self.geo.area_name(code)
        return super().get(code) or default


class Indexes:
    """The fitted indexes of one database, loaded once per process and kept up to date."""

    def __init__(self, settings: MatchSettings, ref: Reference):
        self.settings = settings
        self.ref = ref
        tag = hashlib.sha1(settings.database_url.encode()).hexdigest()[:10]
        self.root = Path(settings.index_dir) / tag
        self.lock = threading.RLock()
        self.suppliers: MatchIndex | None = None
        self.suppliers_meta: dict = {}
        self.tenders: OpportunityIndex | None = None
        self.tenders_meta: dict = {}
        self.suggester: CPVSuggester | None = None
        self.suggester_meta: dict = {}
        self._places: PlaceWords | None = None
        self._unsaved: set[str] = set()  # what could not be saved, warned of once

    def _descriptions(self) -> dict[str, str]:
        return {code: c.description for code, c in self.ref.cpv.codes.items()}

    def _place_words(self) -> PlaceWords:
        """Place names, not shown as shared key terms: "lancashire" says where, not what."""
        if self._places is None:
            self._places = self.ref.geo.place_words(self._descriptions().values())
        return self._places

    # supplier index --------------------------------------------------------------------

    def supplier_index(self, session: Session) -> MatchIndex | None:
        """Return the supplier index, refreshed if the register changed since it was built.

        None when the register is empty.
        """
        with self.lock:
            fingerprint = register_fingerprint(session)
            if not fingerprint["suppliers"]:
                return None
            unreadable = False
            if self.suppliers is None:
                self._load_suppliers()
                unreadable = self.suppliers is None  # missing, or from another format
            if self.suppliers is not None and self.suppliers_meta.get("fingerprint") == fingerprint:
                return self.suppliers
            if self.suppliers is not None and self._refresh_suppliers(session, fingerprint):
                return self.suppliers
            if not unreadable and self._saved_fingerprint() == fingerprint:
                self._load_suppliers()  # another process (an import job) built it already
                if self.suppliers_meta.get("fingerprint") == fingerprint:
                    return self.suppliers
            self.rebuild_suppliers(session, fingerprint)
            return self.suppliers

    def _saved_fingerprint(self) -> dict | None:
        try:
            return json.loads((self.root / "suppliers.json").read_text()).get("fingerprint")
        except (OSError, ValueError, AttributeError):
            return None

    def _load_suppliers(self) -> None:
        path = self.root / "suppliers"
        meta_path = self.root / "suppliers.json"
        if not path.exists() or not meta_path.exists():
            return
        try:
            from coopmatch.matching import MatchIndex

            self.suppliers = MatchIndex.load(path, cpv_descriptions=self._descriptions())
            self._dress(self.suppliers)
            self.suppliers_meta = json.loads(meta_path.read_text())
        except (IndexFormatError, OSError, ValueError, KeyError) as error:
            log.warning("Rebuilding the match index: %s", error)
            self.suppliers = None

    def rebuild_suppliers(self, session: Session, fingerprint: dict | None = None
                          ) -> MatchIndex | None:
        fingerprint = fingerprint or register_fingerprint(session)
        profiles = supplier_profiles(session)
        if not profiles:  # an empty register has nothing to fit
            self.suppliers, self.suppliers_meta = None, {"fingerprint": fingerprint}
            return None
        from coopmatch.matching import MatchIndex

        self.suppliers = MatchIndex.build(profiles, self.settings.weights,
                                          cpv_descriptions=self._descriptions())
        self._dress(self.suppliers)
        self._save_suppliers(fingerprint)
        return self.suppliers

    def _dress(self, index: MatchIndex | OpportunityIndex) -> None:
        """Give an index what comes from the reference data: place names are not shown as
        shared terms, and reasons name the area a supplier shares with the tender and the
        SIC code that fits it."""
        index.hidden_terms = self._place_words()
        index.area_names = AreaNames(self.ref.geo)
        index.sic_bridge = self.ref.cpv.sic_bridge  # suppliers known by SIC codes alone
        index.sic_names = self.ref.sic

    def _refresh_suppliers(self, session: Session, fingerprint: dict) -> bool:
        """Fold in suppliers changed since the index was built; False if a rebuild is due."""
        old = self.suppliers_meta.get("fingerprint") or {}
        if not old or fingerprint["suppliers"] < old.get("suppliers", 0) \
                or fingerprint["awards"] < old.get("awards", 0):
            return False  # something was deleted: rebuild
        since = old.get("supplier_changed") or ""
        changed = set(session.exec(select(Supplier.id).where(
            Supplier.updated_at > datetime.fromisoformat(since))).all()) if since else set()
        changed |= set(session.exec(select(Award.supplier_id).where(
            Award.id > old.get("last_award", 0))).all())
        known = set(int(i) for i in self.suppliers.ids)
        changed |= set(session.exec(select(Supplier.id)).all()) - known \
            if fingerprint["suppliers"] != old.get("suppliers") else set()
        profiles = supplier_profiles(session, sorted(changed)) if changed else []
        dissolved = {i for i in changed if i not in {p.id for p in profiles}}
        self.suppliers.update(profiles, removed_ids=dissolved)
        if self.suppliers.needs_rebuild:
            return False
        self._save_suppliers(fingerprint)
        return True

    def _save_suppliers(self, fingerprint: dict) -> None:
        self.suppliers_meta = {"fingerprint": fingerprint}

        def write() -> None:
            self.suppliers.save(self.root / "suppliers")
            (self.root / "suppliers.json").write_text(json.dumps(self.suppliers_meta))

        self._persist("match index", write)

    def _persist(self, what: str, write: Callable[[], None]) -> None:
        """Save an index for the other processes and the next start. Where it cannot be (a
        read-only or full disk, a wrong COOPMATCH_INDEX_DIR), matching goes on from the index
        in memory, each process building its own; the first failure is logged, not raised."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            write()
        except OSError as error:
            if what not in self._unsaved:
                self._unsaved.add(what)
                log.warning("The %s cannot be saved in %s (%s): it is kept in memory, and "
                            "each process builds its own until it can be saved.",
                            what, self.root, error.strerror or error)

    # open tenders and CPV suggestions -----------------------------------------------------

    def tender_index(self, session: Session, suppliers: MatchIndex | None
                     ) -> OpportunityIndex | None:
        """Return the index of open tenders (None when there are none).

        `suppliers` is the current supplier index (`supplier_index`): tenders are read with
        its vocabulary and placed in its learned association space, so the tender index is
        refitted whenever it is.
        """
        with self.lock:
            today = date.today()
            meta = {"fingerprint": open_tender_fingerprint(session, today),
                    "space": suppliers.text.fit_id if suppliers is not None else None}
            if self.tenders_meta == meta:
                return self.tenders
            if self._load_tenders(meta):
                return self.tenders
            if self.tenders is None:
                self._load_tenders(None)  # the last one saved, to fold the changes into
            if self.tenders is not None and self.tenders_meta.get("space") == meta["space"] \
                    and self._refresh_tenders(session, meta, suppliers, today):
                return self.tenders
            queries = _tender_queries(session, open_tenders(today))
            from coopmatch.matching.opportunities import OpportunityIndex

            self.tenders = OpportunityIndex.build(queries, self.settings.weights,
                                                  cpv_descriptions=self._descriptions(),
                                                  learned_from=suppliers) if queries else None
            if self.tenders is not None:
                self._dress(self.tenders)
            self._save_tenders(meta)
            return self.tenders

    def _refresh_tenders(self, session: Session, meta: dict, suppliers: MatchIndex | None,
                         today: date) -> bool:
        """Fold in tenders posted, edited or closed since the index was built (deadlines that
        passed close theirs); False if a refit is due instead."""
        old = self.tenders_meta.get("fingerprint") or {}
        since = old.get("tender_changed") or ""
        open_ids = set(session.exec(select(Tender.id).where(open_tenders(today))).all())
        indexed = set(self.tenders.tender_ids.tolist())
        changed = set(session.exec(select(Tender.id).where(
            open_tenders(today), Tender.updated_at > datetime.fromisoformat(since))).all()) \
            if since else set()
        added, removed = (open_ids - indexed) | changed, indexed - open_ids
        from coopmatch.matching.opportunities import REFIT_SHARE

        if len(added) + len(removed) > REFIT_SHARE * len(indexed):
            return False  # much has changed (a bulk import): refit
        if not added and not removed:
            if {**old, "day": None} != {**meta["fingerprint"], "day": None}:
                return False  # something else changed (a lot, without its tender): refit
            self._save_tenders(meta)  # a new day, and no deadline passed
            return True
        queries = _tender_queries(session, Tender.id.in_(sorted(added))) if added else []
        try:
            self.tenders.update(queries, removed_ids=removed, learned_from=suppliers)
        except ValueError as error:
            log.info("Refitting the open-tender index: %s", error)
            return False
        if self.tenders.needs_rebuild or not self.tenders.size:
            return False
        self._save_tenders(meta)
        return True

    def _load_tenders(self, meta: dict | None) -> bool:
        """Load the open-tender index another process saved for the same tenders, if any (for
        any tenders, with `meta` None)."""
        path, meta_path = self.root / "tenders", self.root / "tenders.json"
        try:
            if not meta_path.exists():
                return False
            saved = json.loads(meta_path.read_text())
            if meta is not None and saved != meta:
                return False
            meta = saved
            from coopmatch.matching.opportunities import OpportunityIndex

            self.tenders = OpportunityIndex.load(path, cpv_descriptions=self._descriptions()) \
                if path.exists() else None
        except (IndexFormatError, OSError, ValueError, KeyError) as error:
            log.warning("Rebuilding the open-tender index: %s", error)
            return False
        if self.tenders is not None:
            self._dress(self.tenders)
        self.tenders_meta = meta
        return True

    def _save_tenders(self, meta: dict) -> None:
        """Save the index and what it was built from (the meta last: a reader that finds the
        meta finds the index it describes)."""
        self.tenders_meta = meta
        meta_path = self.root / "tenders.json"

        def write() -> None:
            meta_path.unlink(missing_ok=True)
            if self.tenders is not None:
                self.tenders.save(self.root / "tenders")
            else:
                shutil.rmtree(self.root / "tenders", ignore_errors=True)
            meta_path.write_text(json.dumps(meta))

        self._persist("open-tender index", write)

    def cpv_suggester(self, session: Session) -> CPVSuggester | None:
        """The CPV suggester, trained on the vocabulary and the notices' own codes."""
        if not self.ref.cpv.available:
            return None
        from coopmatch.matching.cpv_suggest import CPVSuggester

        with self.lock:
            fingerprint = tender_fingerprint(session)
            if self.suggester is not None and (
                    self.suggester_meta.get("fingerprint", {}).get("tenders", 0) * 1.2 + 50
                    >= fingerprint["tenders"]):
                return self.suggester  # retrain only when the notices have grown by a fifth
            path = self.root / "cpv-suggester"
            meta_path = self.root / "cpv-suggester.json"
            if self.suggester is None and path.exists() and meta_path.exists():
                try:
                    self.suggester = CPVSuggester.load(path)
                    self.suggester_meta = json.loads(meta_path.read_text())
                    return self.cpv_suggester(session)
                except (OSError, ValueError, KeyError):
                    self.suggester = None
            vocabulary = [(code, c.description) for code, c in self.ref.cpv.codes.items()]
            pairs = [(f"{title}. {description or ''}", (codes or "").split())
                     for title, description, codes in session.exec(
                         select(Tender.title, Tender.description, Tender.cpv_codes)
                         .where(Tender.cpv_codes != ""))]
            self.suggester = CPVSuggester().fit(vocabulary, pairs)
            self.suggester_meta = {"fingerprint": fingerprint}

            def write() -> None:
                self.suggester.save(path)
                meta_path.write_text(json.dumps(self.suggester_meta))

            self._persist("CPV suggester", write)
            return self.suggester


_indexes: dict[tuple, Indexes] = {}
_indexes_lock = threading.Lock()


def indexes_for(settings: MatchSettings, ref: Reference) -> Indexes:
    """Return this process's indexes for a database (created on first use, not at import)."""
    key = (settings.database_url, settings.index_dir)
    with _indexes_lock:
        if key not in _indexes:
            _indexes[key] = Indexes(settings, ref)
        return _indexes[key]


def refresh_indexes(session: Session, settings: MatchSettings, ref: Reference) -> None:
    """Bring the supplier and open-tender indexes up to date with the database and save them,
    so the first match after an import does not wait for them (a job runs this). Once there are
    notices, the CPV suggester (which learns from them) too, for the first form suggestion."""
    indexes = indexes_for(settings, ref)
    indexes.tender_index(session, indexes.supplier_index(session))
    if session.exec(select(Tender.id).limit(1)).first() is not None:
        indexes.cpv_suggester(session)


# --- use cases --------------------------------------------------------------------------------


@dataclass
class Search:
    """How a buyer narrows a match: local only, an area, a radius, ownership models, and
    whether public bodies (councils, NHS trusts) are left out."""

    top_k: int = 10
    local_only: bool = False
    area: str | None = None  # a LAD, county, combined authority or region: code or name
    radius_km: float | None = None
    ownership: set[str] | None = None
    prefer_social: bool = False
    # Public bodies that have won contracts (an NHS trust's health services, a council's
    # shared service) are suppliers too, so they are ranked unless this leaves them out.
    without_public_bodies: bool = False


def local_area(ref: Reference, tender: Tender) -> tuple[set[str] | None, float | None]:
    """The tender's local area: its county or combined authority, else its district."""
    code = tender.county_code or tender.local_authority_code
    if code:
        return ref.geo.lad_codes_in(code), None
    if tender.latitude is not None:
        return None, LOCAL_RADIUS_KM
    return None, None


MAX_RADIUS_KM = 1000.0


def check_search(ref: Reference, search: Search) -> None:
    """Refuse a search that cannot mean what was asked, naming its field: an area that is no
    area's code or name (a typo would otherwise show "no supplier fits in this area"), a
    radius of 0 or less, an ownership model that does not exist, or public bodies both asked
    for and left out."""
    if search.area:
        area_lad_codes(ref.geo, search.area)
    if search.radius_km is not None and not 0 < search.radius_km <= MAX_RADIUS_KM:
        raise CoopmatchError(f"The radius must be more than 0 and at most "
                             f"{MAX_RADIUS_KM:.0f} km.", field="radius_km")
    unknown = sorted(set(search.ownership or ()) - set(OWNERSHIP_MODELS))
    if unknown:
        raise CoopmatchError(f"'{unknown[0]}' is not an ownership model; use one of: "
                             f"{', '.join(OWNERSHIP_MODELS)}.", field="ownership")
    if search.without_public_bodies and PUBLIC_BODY in (search.ownership or ()):
        raise CoopmatchError("Public bodies cannot be both the ownership model asked for and "
                             "left out: choose one.", field="without_public_bodies")


def match_options(ref: Reference, tender: Tender, search: Search) -> MatchOptions:
    area_lads, radius = None, search.radius_km
    if search.area:
        area_lads = area_lad_codes(ref.geo, search.area)
    elif search.local_only:
        area_lads, local_radius = local_area(ref, tender)
        radius = radius or local_radius
    return MatchOptions(top_k=search.top_k, area_lad_codes=area_lads, radius_km=radius,
                        ownership=search.ownership, prefer_social=search.prefer_social,
                        exclude_ownership={PUBLIC_BODY} if search.without_public_bodies
                        else None)


def matches_for_tender(session: Session, *, tender_id: int, search: Search, ref: Reference,
                       settings: MatchSettings, viewer: User | None = None,
                       operator: bool = False) -> tuple[Tender, list[Match]]:
    """Rank suppliers for a tender (and its lots), best first, with reasons; with what the
    buyer's payment ledgers paid each of them where the viewer may read the buyer's spend (or
    for the command line's `operator`): see `with_ledger_reasons`."""
    check_search(ref, search)
    tender = get_tender(session=session, tender_id=tender_id)
    index = indexes_for(settings, ref).supplier_index(session)
    if index is None:
        return tender, []
    found = index.match(tender_query(tender), match_options(ref, tender, search))
    if operator or spend.may_read(viewer, [tender.buyer_id]):
        found = with_ledger_reasons(session, tender, found)
    return tender, found


def with_ledger_reasons(session: Session, tender: Tender, matches: list[Match]) -> list[Match]:
    """The matches, each that the tender's buyer has paid (a payee of its ledgers resolved to
    it) with one more reason: how much, in which years, for what. Work done for this buyer as
    its own books record it, for the officer to weigh; evidence only, the score is the
    engine's (ledgers are not in the award data the ranking is measured on)."""
    paid = spend.paid_by_anchor(session, anchor_id=tender.buyer_id,
                                supplier_ids=(m.supplier_id for m in matches))
    if not paid:
        return matches
    return [_with_paid(m, tender, found) if (found := paid.get(m.supplier_id)) else m
            for m in matches]


def _with_paid(fit, tender: Tender, paid: spend.PaidByAnchor):
    """A match or opportunity with the reason what the tender's buyer paid the supplier."""
    return replace(fit, reasons=[*fit.reasons, paid_by_buyer_reason(
        tender.buyer.name if tender.buyer else None, paid.pence, paid.first.year,
        paid.last.year, paid.paid_for)])


def _may_see_paid(viewer: User | None, supplier_id: int, buyer_id: int) -> bool:
    """Whether a viewer may read what a buyer's ledgers paid a supplier: the supplier's own
    people, and those who may read the buyer's spend."""
    return viewer is not None and (viewer.supplier_id == supplier_id
                                   or spend.may_read(viewer, [buyer_id]))


def fit_for_supplier(session: Session, *, tender_id: int, supplier_id: int, ref: Reference,
                     settings: MatchSettings, viewer: User | None = None) -> Match | None:
    """How one supplier fits a tender, scored and explained exactly as in the tender's list
    (whether or not it is in it); None when it is not in the match index (dissolved). With
    what the buyer's ledgers paid it, as the buyer sees it, where the viewer is the supplier's
    own or may read the buyer's spend."""
    tender = get_tender(session=session, tender_id=tender_id)
    index = indexes_for(settings, ref).supplier_index(session)
    if index is None or supplier_id not in index.row_of:
        return None
    found = index.restrict([supplier_id]).match(tender_query(tender), MatchOptions(top_k=1))
    if found and _may_see_paid(viewer, supplier_id, tender.buyer_id):
        found = with_ledger_reasons(session, tender, found)
    return found[0] if found else None


def matches_for_all(session: Session, *, search: Search, ref: Reference,
                    settings: MatchSettings, tender_ids: list[int] | None = None,
                    batch: int = 256, operator: bool = False):
    """Return an iterator of (tender, matches) for every tender, in batches for speed (the
    search is checked first, before any is matched); for the command line's `operator`, with
    what each buyer's payment ledgers paid its matches (`with_ledger_reasons`)."""
    check_search(ref, search)
    matched = _matches_for_all(session, search, ref, settings, tender_ids, batch)
    if not operator:
        return matched
    paying = set(session.exec(select(Payment.anchor_id).distinct()))
    return ((tender, with_ledger_reasons(session, tender, found)
             if tender.buyer_id in paying else found) for tender, found in matched)


def _matches_for_all(session, search, ref, settings, tender_ids, batch):
    index = indexes_for(settings, ref).supplier_index(session)
    query = select(Tender.id).order_by(Tender.id)
    if index is None:
        for tender in session.exec(select(Tender).order_by(Tender.id)):
            yield tender, []
        return
    if tender_ids is not None:
        query = query.where(Tender.id.in_(tender_ids))
    ids = list(session.exec(query))
    for start in range(0, len(ids), batch):
        chunk = list(session.exec(
            select(Tender).where(Tender.id.in_(ids[start:start + batch])).order_by(Tender.id)
            .options(selectinload(Tender.lots), selectinload(Tender.buyer))))
        if search.local_only or search.area:
            for tender in chunk:
                yield tender, index.match(tender_query(tender), match_options(ref, tender, search))
        else:
            options = match_options(ref, chunk[0], search) if chunk else None
            results = index.match_many([tender_query(t) for t in chunk], options)
            yield from zip(chunk, results, strict=True)


def opportunities_for_supplier(session: Session, *, supplier_id: int, top_k: int,
                               ref: Reference, settings: MatchSettings,
                               viewer: User | None = None
                               ) -> tuple[Supplier, list[tuple[Opportunity, Tender]]]:
    """Open tenders (or lots) that fit a supplier, best first; each with what its buyer's
    payment ledgers paid the supplier, where the viewer is the supplier's own or may read
    that buyer's spend (`with_ledger_reasons`)."""
    supplier = get_supplier(session=session, supplier_id=supplier_id)
    (profile,) = supplier_profiles(session, [supplier_id]) or [None]
    if profile is None:
        return supplier, []
    indexes = indexes_for(settings, ref)
    suppliers = indexes.supplier_index(session)
    index = indexes.tender_index(session, suppliers)
    if index is None:
        return supplier, []
    from coopmatch.matching.opportunities import RESCORE_FACTOR, as_buyers_see_them

    found = index.for_supplier(profile, top_k=top_k * RESCORE_FACTOR, learned_from=suppliers)
    tenders = {t.id: t for t in session.exec(
        select(Tender).where(Tender.id.in_([o.tender_id for o in found]))
        .options(selectinload(Tender.buyer), selectinload(Tender.lots)))}
    if suppliers is not None and supplier_id in suppliers.row_of:
        # The score and reasons a buyer sees on the tender's page for this pair.
        queries = {tender_id: tender_query(t) for tender_id, t in tenders.items()}
        found = as_buyers_see_them(found, queries, suppliers.restrict([supplier_id]))
    shown = [(o, tenders[o.tender_id]) for o in found if o.tender_id in tenders][:top_k]
    return supplier, _with_payments_from_buyers(session, supplier_id, shown, viewer)


def _with_payments_from_buyers(session, supplier_id, shown, viewer):
    """Opportunities, each whose buyer's ledgers paid the supplier with one more reason, for
    a viewer who may read it: the supplier's own people, or those who may read the spend."""
    readable = {t.buyer_id for _, t in shown if _may_see_paid(viewer, supplier_id, t.buyer_id)}
    paid = spend.paid_to_supplier(session, supplier_id=supplier_id, anchor_ids=readable)
    return [(_with_paid(o, t, found) if (found := paid.get(t.buyer_id)) else o, t)
            for o, t in shown]


def suggest_cpv(session: Session, *, text: str, k: int, ref: Reference,
                settings: MatchSettings) -> list[dict]:
    suggester = indexes_for(settings, ref).cpv_suggester(session)
    if suggester is None:
        return []
    from coopmatch.matching.cpv_suggest import likely

    found = suggester.suggest(text, k=k)
    return [{"code": code, "description": description, "confidence": round(confidence, 3),
             "likely": sure}
            for (code, description, confidence), sure in zip(found, likely(found), strict=True)]


SHORTLIST_COLUMNS = ["rank", "supplier_id", "supplier_name", "fit", "score", "distance_km",
                     "lot", "ownership", "postcode", "local_authority", "website",
                     "contact_email", "contact_phone", "same_firm_as_rank", "reasons"]


def in_page_order(matches: list[Match]) -> list[Match]:
    """A tender's matches as its page and shortlist list them: those showing signs of the work
    first, then those listed for their place and size alone, each best first. Their rank is
    their place in this order, so it reads 1, 2, 3 down the page."""
    return [m for m in matches if m.fits_work] + [m for m in matches if not m.fits_work]


def write_shortlist_csv(session: Session, out, *, tender: Tender, matches: list[Match],
                        ref: Reference) -> None:
    """Write a tender's matches as a shortlist to invite, in the page's order and ranks
    (`in_page_order`): with how each fits, where it is, and how to reach it (contact details as
    signed-in users see them on its page)."""
    from coopmatch.spreadsheets import SafeDictWriter

    matches = in_page_order(matches)

    suppliers = {s.id: s for s in session.exec(
        select(Supplier).where(Supplier.id.in_([m.supplier_id for m in matches])))}
    lots = {lot.id: lot.title for lot in tender.lots}
    same = same_firms(session, matches, ref)  # a firm listed twice is invited once
    first_rank: dict[int, int] = {}
    for rank, m in enumerate(matches, start=1):
        first_rank.setdefault(m.supplier_id, rank)
    writer = SafeDictWriter(out, fieldnames=SHORTLIST_COLUMNS)
    writer.writeheader()
    for rank, m in enumerate(matches, start=1):
        supplier = suppliers.get(m.supplier_id)
        fit = fit_label(m.capable_but_too_small, m.capable, m.fits_work)
        writer.writerow({
            "rank": rank, "supplier_id": m.supplier_id,
            "supplier_name": supplier.name if supplier else m.supplier_name, "fit": fit,
            "score": f"{m.score:.3f}",
            "distance_km": "" if m.distance_km is None else f"{m.distance_km:.1f}",
            "lot": lots.get(m.lot_id, "") if m.lot_id else "",
            "ownership": OWNERSHIP_MODELS.get(supplier.ownership, "") if supplier else "",
            "postcode": (supplier.postcode or "") if supplier else "",
            "local_authority": (ref.geo.area_name(supplier.local_authority_code) or "")
            if supplier and supplier.local_authority_code else "",
            "website": (supplier.website or "") if supplier else "",
            "contact_email": (supplier.contact_email or "") if supplier else "",
            "contact_phone": (supplier.contact_phone or "") if supplier else "",
            "same_firm_as_rank": first_rank[same[m.supplier_id]] if m.supplier_id in same
            else "",
            "reasons": " ".join(r.text for r in m.reasons),
        })


def same_firms(session: Session, matches: list[Match], ref: Reference) -> dict[int, int]:
    """Suppliers in a ranking that probably list a firm ranked above them again (names spelt
    differently on award notices, until an administrator merges them): its id -> that firm's
    first id in the ranking. Names of two places are two ("Police and Crime Commissioner for
    Bedfordshire", "... for Hertfordshire"), as are pairs an administrator marked as two."""
    ids = list(dict.fromkeys(m.supplier_id for m in matches))
    if len(ids) < 2:
        return {}
    rows = {row[0]: row for row in session.exec(
        select(Supplier.id, Supplier.normalised_name, Supplier.postcode,
               Supplier.registration_number).where(Supplier.id.in_(ids))).all()}
    return repeats([Entry(i, rows[i][1] or "", rows[i][2], rows[i][3]) for i in ids
                    if i in rows], places=name_places(ref.geo),
                   apart=distinct.marked(session, "supplier"))


def match_rows(session: Session, matches: list[Match], ref: Reference) -> list[dict]:
    """Matches as plain data for the API and the command line, each with its supplier's
    current name and same_firm_as: the id of a supplier ranked above it that is probably the
    same firm (see same_firms), or None."""
    names = supplier_names(session, (m.supplier_id for m in matches))
    same = same_firms(session, matches, ref)
    return [dict(m.to_dict(), supplier_name=names.get(m.supplier_id, m.supplier_name),
                 same_firm_as=same.get(m.supplier_id)) for m in matches]


def supplier_names(session: Session, ids) -> dict[int, str]:
    ids = list(ids)
    if not ids:
        return {}
    return dict(session.exec(select(Supplier.id, Supplier.name).where(Supplier.id.in_(ids))).all())

