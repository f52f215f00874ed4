"""Gap reports as a use case: demand from tenders and lots, local coverage from the matching
engine, gaps sized and explained with routes to fill them. Results are cached per area, period
and settings, and recomputed when the register or the tenders change.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from coopmatch.errors import CoopmatchError
from coopmatch.gaps import (
    SORT_KEYS,
    Area,
    DemandItem,
    GapReport,
    GapSettings,
    LocalSupplier,
    classify_uncoded,
    coverage,
    filter_gaps,
    gap_report,
    load_cpv_names,
    select_demand,
    sort_gaps,
)
from coopmatch.geo import normalise_postcode
from coopmatch.matching.signals import looks_like_framework
from coopmatch.models import Award, Supplier, Tender
from coopmatch.reference import Reference
from coopmatch.services import distinct, matching
from coopmatch.services.caching import ResultCache
from coopmatch.services.geography import area_lad_codes, name_places

CACHE_SIZE = 16
# Awards to this many suppliers or more make a notice a framework (its value is a ceiling).
FRAMEWORK_SUPPLIERS = 4


class GapError(CoopmatchError):
    """A gap report asked for in a way that cannot be answered."""


@dataclass(frozen=True)
class GapQuery:
    """Which report: where is local, and when."""

    area_code: str | None = None
    radius_km: float | None = None
    postcode: str | None = None  # the centre of a radius
    start: date | None = None
    end: date | None = None

    def __post_init__(self):
        if self.start and self.end and self.end < self.start:
            raise GapError(f"The period ends ({self.end:%d %B %Y}) before it starts "
                           f"({self.start:%d %B %Y}): give a 'to' date after the 'from' date.",
                           field="to")


def resolve_area(ref: Reference, query: GapQuery) -> Area:
    """Turn an area (its code or name), or a radius around a postcode, into the report's
    Area."""
    if query.area_code:
        text = query.area_code.strip()
        named = ref.geo.areas_named(text)
        return Area(lad_codes=area_lad_codes(ref.geo, text),
                    name=named[0].name if named else text.upper())
    if query.radius_km:
        if query.radius_km <= 0 or query.radius_km > 500:
            raise GapError("Give a radius between 1 and 500 km.", field="radius_km")
        centre = None
        name = f"within {query.radius_km:g} km"
        if query.postcode:
            place = ref.geo.lookup(normalise_postcode(query.postcode, field="postcode"))
            if not place.located:
                raise GapError(f"{place.postcode} cannot be located: give an area code instead.",
                               field="postcode")
            centre = (place.latitude, place.longitude)
            name = f"within {query.radius_km:g} km of {place.postcode}"
        return Area(radius_km=query.radius_km, centre=centre, name=name)
    raise GapError("Choose an area: an area code, or a radius in km around a postcode.",
                   field="area")


# --- plain data from rows -----------------------------------------------------------------------


def demand_items(session: Session) -> list[DemandItem]:
    """Every tender, or each of its lots, as a unit of demand."""
    tenders = session.exec(select(Tender).options(
        selectinload(Tender.lots), selectinload(Tender.buyer),
        selectinload(Tender.awards))).all()
    items = []
    for t in tenders:
        awards_by_lot: dict[int | None, list[Award]] = defaultdict(list)
        for award in t.awards:
            awards_by_lot[award.lot_id].append(award)
        # As its buyer or source states it; else by its words, or by its many winners.
        framework = looks_like_framework(t.title, t.description or "", t.arrangement) or (
            not t.arrangement and len({a.supplier_id for a in t.awards}) >= FRAMEWORK_SUPPLIERS)
        base = {
            "tender_id": t.id, "ocid": t.ocid, "buyer_id": t.buyer_id,
            "buyer_name": t.buyer.name if t.buyer else "", "published": t.published_date,
            "contract_start": t.contract_start, "contract_end": t.contract_end,
            "status": t.status, "recurring": t.recurrence == "recurring",
            "framework": framework, "latitude": t.latitude, "longitude": t.longitude,
            "lad_code": t.local_authority_code, "county_code": t.county_code,
            "region_code": t.region_code,
        }
        units = [(lot, awards_by_lot.get(lot.id, [])) for lot in t.lots] or [(None, t.awards)]
        for lot, awards in units:
            awarded = max((a.value for a in awards if a.value), default=None)
            items.append(DemandItem(
                **base,
                lot_id=lot.id if lot else None,
                title=f"{t.title}: lot {lot.number}, {lot.title}" if lot else t.title,
                description=(lot.description if lot and lot.description else t.description)
                or "",
                cpv_codes=(lot.cpv_list if lot and lot.cpv_list else t.cpv_list),
                value_gbp=(lot.value if lot and lot.value else
                           (t.value / len(t.lots) if lot and t.value and t.lots else t.value)),
                awarded_value_gbp=awarded,
                awarded_supplier_ids=sorted({a.supplier_id for a in awards}),
            ))
    return items


def local_suppliers(session: Session, ids: set[int] | None = None) -> dict[int, LocalSupplier]:
    """Suppliers as the routes need them: codes declared and won, capacity, succession."""
    query = select(Supplier).where(Supplier.status != "dissolved")
    if ids is not None:
        query = query.where(Supplier.id.in_(sorted(ids)))
    suppliers = session.exec(query).all()
    won: dict[int, set[str]] = defaultdict(set)
    awards = select(Award.supplier_id, Tender.cpv_codes).join(Tender)
    if ids is not None:
        awards = awards.where(Award.supplier_id.in_(sorted(ids)))
    for supplier_id, codes in session.exec(awards).all():
        won[supplier_id].update((codes or "").split())
    return {
        s.id: LocalSupplier(
            id=s.id, name=s.name, ownership=s.ownership,
            cpv_codes=list(dict.fromkeys(s.cpv_list + sorted(won.get(s.id, ())))),
            sic_codes=s.sic_list, capacity_gbp=s.capacity_gbp,
            succession_risk=s.succession_risk, incorporation_date=s.incorporation_date,
            lad_code=s.local_authority_code, latitude=s.latitude, longitude=s.longitude)
        for s in suppliers
    }


def _area_supplier_ids(session: Session, area: Area) -> set[int]:
    query = select(Supplier.id)
    if area.lad_codes is not None:
        query = query.where(Supplier.local_authority_code.in_(sorted(area.lad_codes)))
    return set(session.exec(query).all())


# --- the report, cached -------------------------------------------------------------------------

_cache: ResultCache[GapReport] = ResultCache(CACHE_SIZE)


def gap_settings(config: dict) -> GapSettings:
    return GapSettings(threshold=config["GAP_THRESHOLD"],
                       near_miss_margin=config["GAP_NEAR_MISS_MARGIN"],
                       new_coop_min_gbp_a_year=config["GAP_NEW_COOP_MIN_GBP_A_YEAR"],
                       default_contract_years=config["GAP_DEFAULT_CONTRACT_YEARS"])


def report(session: Session, *, query: GapQuery, ref: Reference,
           settings: matching.MatchSettings, gap_config: GapSettings) -> GapReport:
    """The gap report for an area and period (cached until the data change)."""
    area = resolve_area(ref, query)
    apart = frozenset(distinct.marked(session, "supplier"))
    fingerprint = (str(matching.register_fingerprint(session)),
                   str(matching.tender_fingerprint(session)), apart)
    key = (settings.database_url, query, repr(gap_config), fingerprint)
    return _cache.get_or_compute(key, lambda: _compute(
        session, area=area, query=query, ref=ref, settings=settings, gap_config=gap_config,
        apart=apart))


def _compute(session: Session, *, area: Area, query: GapQuery, ref: Reference,
             settings: matching.MatchSettings, gap_config: GapSettings,
             apart: frozenset[tuple[int, int]]) -> GapReport:
    items = demand_items(session)
    indexes = matching.indexes_for(settings, ref)
    index = indexes.supplier_index(session)
    chosen = select_demand(items, area, query.start, query.end, gap_config)
    if any(not item.cpv_codes for item in chosen):
        # Notices without a code are classified from their text, so their demand reaches a
        # card; only the area's are, as suggesting costs a few milliseconds each.
        suggester = indexes.cpv_suggester(session)
        if suggester is not None:
            classified = {i.key: i for i in classify_uncoded(chosen, suggester.suggest)}
            items = [classified.get(i.key, i) for i in items]
            chosen = [classified[i.key] for i in chosen]
    if index is None or not chosen:
        found: dict = {}
    else:
        found = coverage(index, chosen, area, gap_config)
    candidate_ids = _area_supplier_ids(session, area)
    candidate_ids.update(i for item in chosen for i in item.awarded_supplier_ids)
    if not isinstance(found, dict):
        for matches in list(found.local.values()) + list(found.wider.values()):
            candidate_ids.update(m.supplier_id for m in matches)
    suppliers = local_suppliers(session, candidate_ids)
    return gap_report(items, found, suppliers, area, gap_config, start=query.start,
                      end=query.end, cpv_names=_names(ref.data_dir),
                      cpv_bridge=ref.cpv.sic_bridge, places=name_places(ref.geo),
                      apart=apart)


_reference_cache: dict = {}


def _names(data_dir: str | None) -> dict:
    key = ("names", data_dir)
    if key not in _reference_cache:
        _reference_cache[key] = load_cpv_names(data_dir)
    return _reference_cache[key]


# --- spend leaving the area, as demand beside the notices ---------------------------------------


@dataclass
class SectorLeakage:
    """Ledger spend with suppliers outside the area in one sector, over the period."""

    sector: str
    gbp_a_year: float
    anchors: list[str]
    suppliers: list[tuple[int, str, float]]  # (supplier id, name, £ a year), largest first


def spend_leakage(session: Session, *, area: Area, start: date | None, end: date | None,
                  digits: int = 3) -> dict[str, SectorLeakage]:
    """Anchors' payments to resolved suppliers known to be outside the area, by CPV sector.

    A supplier's sector is its first declared CPV code, else the commonest code of the
    contracts it has won. Spend with suppliers of unknown location or sector is left out.
    """
    from sqlalchemy import func

    from coopmatch.models import RESOLVED_STATUSES, LedgerName, Organisation, Payment

    if area.lad_codes is None:
        return {}
    query = (select(LedgerName.supplier_id, Payment.anchor_id,
                    func.sum(Payment.amount_pence), func.min(Payment.payment_date),
                    func.max(Payment.payment_date))
             .join(LedgerName, LedgerName.id == Payment.ledger_name_id)
             .where(LedgerName.status.in_(RESOLVED_STATUSES), Payment.redacted.is_(False))
             .group_by(LedgerName.supplier_id, Payment.anchor_id))
    if start:
        query = query.where(Payment.payment_date >= start)
    if end:
        query = query.where(Payment.payment_date <= end)
    rows = session.exec(query).all()
    if not rows:
        return {}
    ids = {r[0] for r in rows}
    facts = {s.id: s for s in session.exec(select(Supplier).where(Supplier.id.in_(ids)))}
    won = local_suppliers(session, ids)
    anchors = dict(session.exec(select(Organisation.id, Organisation.name)).all())
    first = min(r[3] for r in rows)
    last = max(r[4] for r in rows)
    years = max(1.0, ((last - first).days + 1) / 365.25)
    found: dict[str, SectorLeakage] = {}
    for supplier_id, anchor_id, pence, _, _ in rows:
        pence = int(pence or 0)  # PostgreSQL sums a bigint as a Decimal
        supplier = facts.get(supplier_id)
        codes = won[supplier_id].cpv_codes if supplier_id in won else []
        if (supplier is None or not supplier.local_authority_code or not codes
                or supplier.local_authority_code in area.lad_codes or pence <= 0):
            continue
        sector = codes[0][:digits]
        entry = found.setdefault(sector, SectorLeakage(sector, 0.0, [], []))
        amount = pence / 100 / years
        entry.gbp_a_year += amount
        if anchors.get(anchor_id) not in entry.anchors:
            entry.anchors.append(anchors.get(anchor_id))
        entry.suppliers.append((supplier_id, supplier.name, amount))
    for entry in found.values():
        merged: dict[int, list] = {}
        for supplier_id, name, amount in entry.suppliers:
            merged.setdefault(supplier_id, [supplier_id, name, 0.0])[2] += amount
        entry.suppliers = sorted((tuple(v) for v in merged.values()), key=lambda v: -v[2])
    return found


def with_choices(gap_config: GapSettings, *, threshold: float | None = None,
                 public_bodies: bool = True) -> GapSettings:
    """Return the settings with what one report asks: the capability a local firm needs to
    cover a notice (refused, naming the field, where it is not between 0 and 1), and whether
    public bodies count as local supply."""
    if threshold is not None and not 0 <= threshold <= 1:  # NaN too
        raise GapError(f"Enter the threshold as a capability between 0 and 1, like "
                       f"{gap_config.threshold:.2f} ({threshold:g} is not).", field="threshold")
    return replace(gap_config, public_bodies=public_bodies,
                   threshold=gap_config.threshold if threshold is None else threshold)


__all__ = ["SORT_KEYS", "GapQuery", "filter_gaps", "report", "sort_gaps"]
