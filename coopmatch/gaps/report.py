"""The gap report: demand no local supplier meets, grouped by sector, with routes to fill it."""

import math
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from coopmatch.duplicates import Entry, repeats
from coopmatch.gaps.coverage import (
    Coverage,
    NearbySuppliers,
    can_do_the_work,
    is_near_miss,
    item_in_area,
    verdict,
)
from coopmatch.gaps.demand import (
    AnnualValue,
    DemandSummary,
    annual_value,
    in_period,
    is_demand,
    sector_of,
    stream_shares,
    summarise,
    typical_years,
)
from coopmatch.gaps.routes import (
    Route,
    buyout,
    consortium,
    lot_split,
    money,
    new_coop,
    no_route,
)
from coopmatch.gaps.sectors import SupplierPostings, card_name, sector_name, sic_divisions
from coopmatch.gaps.types import (
    COVERED,
    DISTANCE,
    GAP,
    NEAR_MISS,
    NO_CAPABILITY,
    NO_CAPACITY,
    UNCLASSIFIED,
    Area,
    DemandItem,
    GapSettings,
    LocalSupplier,
)
from coopmatch.matching import Match
from coopmatch.names import normalise_name

Key = tuple[int, int | None]


# --- results -----------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A supplier the engine put forward for a notice, in the report's words."""

    supplier_id: int
    name: str
    score: float
    capability: float
    capable_but_too_small: bool
    distance_km: float | None
    components: dict[str, float]
    # Where it is based is known (award notices often give a winner no address): a firm
    # not known to be in the area may yet be.
    placed: bool = True

    @classmethod
    def of(cls, match: Match, suppliers: Mapping[int, LocalSupplier]) -> "Candidate":
        known = suppliers.get(match.supplier_id)
        return cls(
            match.supplier_id,
            match.supplier_name or (known.name if known else f"Supplier {match.supplier_id}"),
            match.score,
            match.capability,
            match.capable_but_too_small,
            match.distance_km,
            dict(match.components),
            placed=known is not None and (known.lad_code is not None
                                          or known.latitude is not None),
        )

    def to_dict(self) -> dict:
        return {
            "supplier_id": self.supplier_id,
            "name": self.name,
            "score": round(self.score, 4),
            "capability": round(self.capability, 4),
            "capable_but_too_small": self.capable_but_too_small,
            "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
            "placed": self.placed,
            "components": {k: round(v, 4) for k, v in self.components.items()},
        }


@dataclass
class NoticeCoverage:
    """One notice (tender or lot) of the area's demand, and how well local firms cover it."""

    item: DemandItem
    sector: str  # the CPV group or division it is grouped under
    annual: AnnualValue | None
    gbp_a_year: float  # its share of its stream's £ a year (what it adds to any total)
    verdict: str  # covered, near_miss, gap
    best_local: Candidate | None

    def to_dict(self) -> dict:
        item = self.item
        return {
            "notice_id": item.notice_id,
            "tender_id": item.tender_id,
            "lot_id": item.lot_id,
            "ocid": item.ocid,
            "title": item.title,
            "buyer_id": item.buyer_id,
            "buyer_name": item.buyer_name,
            "status": item.status,
            "cpv_codes": item.cpv_codes,
            "cpv_suggested": item.cpv_suggested,
            "sector": self.sector,
            "value_gbp": item.contract_value,
            "gbp_a_year": round(self.gbp_a_year, 2),
            "value_basis": self.annual.to_dict() if self.annual else None,
            "published": _iso(item.published),
            "contract_start": _iso(item.contract_start),
            "contract_end": _iso(item.contract_end),
            "recurring": item.recurring,
            "framework": item.framework,  # its value is a ceiling (a framework or DPS)
            "verdict": self.verdict,
            "best_local": self.best_local.to_dict() if self.best_local else None,
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass
class NearMiss:
    """A local supplier that nearly meets a notice: a capacity-building candidate."""

    notice_id: str
    tender_id: int
    lot_id: int | None
    title: str
    sector: str
    supplier_id: int
    supplier_name: str
    kind: str  # "just_under" the threshold, or "too_small" for the contract
    score: float
    shortfall: float  # threshold - capability (0 when only size stands in the way)
    capability: float
    capacity_gbp: float | None
    contract_gbp: float | None
    gbp_a_year: float
    text: str  # a sentence that stands alone: "Pendle Leisure has a capability of 0.37, ..."

    @property
    def detail(self) -> str:
        """The text without the supplier's name, beside which a page shows it: "has a
        capability of 0.37, just under the 0.40 needed"."""
        return self.text.removeprefix(f"{self.supplier_name} ")

    def to_dict(self) -> dict:
        return {
            "notice_id": self.notice_id,
            "tender_id": self.tender_id,
            "lot_id": self.lot_id,
            "title": self.title,
            "sector": self.sector,
            "supplier_id": self.supplier_id,
            "supplier_name": self.supplier_name,
            "kind": self.kind,
            "score": round(self.score, 4),
            "shortfall": round(self.shortfall, 4),
            "capability": round(self.capability, 4),
            "capacity_gbp": self.capacity_gbp,
            "contract_gbp": self.contract_gbp,
            "gbp_a_year": round(self.gbp_a_year, 2),
            "text": self.text,
        }


@dataclass
class Reason:
    """Why no local supplier fits: no capability, no capacity, or the capable ones are far."""

    kind: str  # capability, capacity, distance
    text: str
    notices: int
    suppliers: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "text": self.text,
            "notices": self.notices,
            "suppliers": self.suppliers,
        }


@dataclass
class Gap:
    """An opportunity card: demand of one sector in the area that no local firm meets."""

    id: str  # "group-983", stable across runs, for links
    sector: str
    level: str  # group or division
    name: str
    division: str
    sic_divisions: list[str]
    demand: DemandSummary  # the unmet notices only
    sector_gbp_a_year: float  # the whole sector's demand in the area (met or not)
    cpv_codes: list[str]
    notices: list[NoticeCoverage]
    reasons: list[Reason]
    routes: list[Route]
    near_misses: list[NearMiss]
    best_local: list[Candidate]  # the closest local candidates, best first
    outside: list[Candidate]  # capable suppliers outside the area
    incumbents: list[dict] = field(default_factory=list)  # who holds these contracts now
    no_route: str = ""  # why there is no route, where there is none

    @property
    def gbp_a_year(self) -> float:
        return self.demand.gbp_a_year

    @property
    def route_kinds(self) -> list[str]:
        return [r.kind for r in self.routes]

    @property
    def notice_ids(self) -> list[str]:
        return self.demand.notice_ids

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "sector": self.sector,
            "level": self.level,
            "name": self.name,
            "division": self.division,
            "sic_divisions": self.sic_divisions,
            "gbp_a_year": round(self.gbp_a_year, 2),
            "sector_gbp_a_year": round(self.sector_gbp_a_year, 2),
            "demand": self.demand.to_dict(),
            "cpv_codes": self.cpv_codes,
            "reasons": [r.to_dict() for r in self.reasons],
            "routes": [r.to_dict() for r in self.routes],
            "notices": [n.to_dict() for n in self.notices],
            "near_misses": [n.to_dict() for n in self.near_misses],
            "best_local": [c.to_dict() for c in self.best_local],
            "outside": [c.to_dict() for c in self.outside],
            "incumbents": self.incumbents,
            "no_route": self.no_route,
        }

    def to_row(self) -> dict:
        """Return one flat row for the gap table and CSV export."""
        d = self.demand
        return {
            "gap_id": self.id,
            "sector": self.sector,
            "level": self.level,
            "name": self.name,
            "division": self.division,
            "sic_divisions": ";".join(self.sic_divisions),
            "gbp_a_year": round(self.gbp_a_year, 2),
            "sector_gbp_a_year": round(self.sector_gbp_a_year, 2),
            "anchors": d.anchor_count,
            "notices": d.notices,
            "recurring": d.recurring,
            "typical_lot_gbp": None if d.typical_lot_gbp is None else round(d.typical_lot_gbp, 2),
            "next_window": _iso(d.next_window),
            "reasons": ";".join(r.kind for r in self.reasons),
            "routes": ";".join(self.route_kinds),
            "near_misses": len(self.near_misses),
            "best_local_score": round(self.best_local[0].score, 4) if self.best_local else None,
            "notice_ids": ";".join(d.notice_ids),
        }


@dataclass
class SectorCoverage:
    """Demand against local coverage in one sector, for the charts and the demand table."""

    sector: str
    level: str
    name: str
    sic_divisions: list[str]
    demand: DemandSummary
    covered_gbp_a_year: float
    near_miss_gbp_a_year: float
    gap_gbp_a_year: float
    covered_notices: int
    near_miss_notices: int
    gap_notices: int

    @property
    def gbp_a_year(self) -> float:
        return self.demand.gbp_a_year

    @property
    def local_share(self) -> float | None:
        total = self.gbp_a_year
        return self.covered_gbp_a_year / total if total > 0 else None

    def to_dict(self) -> dict:
        share = self.local_share
        return {
            "sector": self.sector,
            "level": self.level,
            "name": self.name,
            "sic_divisions": self.sic_divisions,
            "gbp_a_year": round(self.gbp_a_year, 2),
            "covered_gbp_a_year": round(self.covered_gbp_a_year, 2),
            "near_miss_gbp_a_year": round(self.near_miss_gbp_a_year, 2),
            "gap_gbp_a_year": round(self.gap_gbp_a_year, 2),
            "local_share": None if share is None else round(share, 4),
            "notices": self.demand.notices,
            "covered_notices": self.covered_notices,
            "near_miss_notices": self.near_miss_notices,
            "gap_notices": self.gap_notices,
            "demand": self.demand.to_dict(),
        }

    def to_row(self) -> dict:
        row = self.to_dict()
        row.pop("demand")
        row["sic_divisions"] = ";".join(self.sic_divisions)
        row["anchors"] = self.demand.anchor_count
        row["recurring"] = self.demand.recurring
        return row


@dataclass
class GapReport:
    area: Area
    period: tuple[date | None, date | None]
    settings: GapSettings
    gaps: list[Gap]  # by £ a year, largest first
    near_misses: list[NearMiss]
    sectors: list[SectorCoverage]  # by CPV division, for the charts
    groups: list[SectorCoverage]  # by the report's level (group or division)
    notices: list[NoticeCoverage]  # every notice of the area's demand, with its verdict
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def totals(self) -> dict:
        def total(verdict=None):
            return sum(n.gbp_a_year for n in self.notices if verdict in (None, n.verdict))

        return {
            "gbp_a_year": round(total(), 2),
            "covered_gbp_a_year": round(total(COVERED), 2),
            "near_miss_gbp_a_year": round(total(NEAR_MISS), 2),
            "gap_gbp_a_year": round(total(GAP), 2),
            "notices": len(self.notices),
            "gaps": len(self.gaps),
            "near_misses": len(self.near_misses),
        }

    @property
    def covered(self) -> list[NoticeCoverage]:
        return [n for n in self.notices if n.verdict == COVERED]

    def gap(self, gap_id: str) -> Gap | None:
        return next((g for g in self.gaps if g.id == gap_id), None)

    def top_gaps(self, n: int = 10) -> list[Gap]:
        return sort_gaps(self.gaps, "gbp_a_year")[:n]

    def to_dict(self, *, cards: bool = True) -> dict:
        start, end = self.period
        return {
            "area": self.area.to_dict(),
            "period": {"from": _iso(start), "to": _iso(end)},
            "settings": self.settings.to_dict(),
            "totals": self.totals,
            "gaps": [g.to_dict() if cards else g.to_row() for g in self.gaps],
            "near_misses": [n.to_dict() for n in self.near_misses],
            "sectors": [s.to_dict() for s in self.sectors],
            "groups": [s.to_dict() for s in self.groups],
        }

    def gap_rows(self) -> list[dict]:
        """Return the gap table as flat rows (CSV export)."""
        return [g.to_row() for g in self.gaps]


# --- filters and sorting for the gap table -----------------------------------------------------

SORT_KEYS = {
    "gbp_a_year": lambda g: g.gbp_a_year,
    "anchors": lambda g: g.demand.anchor_count,
    "notices": lambda g: g.demand.notices,
    "next_window": lambda g: g.demand.next_window or date.max,
    "sector": lambda g: g.sector,
    "name": lambda g: g.name.lower(),
}
ASCENDING = {"next_window", "sector", "name"}


def filter_gaps(
    gaps: list[Gap],
    *,
    division: str | None = None,
    min_gbp_a_year: float | None = None,
    route: str | None = None,
    recurring: bool | None = None,
) -> list[Gap]:
    """Return the gaps that pass the table's filters."""
    return [
        g
        for g in gaps
        if (division is None or g.division == division)
        and (min_gbp_a_year is None or g.gbp_a_year >= min_gbp_a_year)
        and (route is None or route in g.route_kinds)
        and (recurring is None or g.demand.recurring == recurring)
    ]


def sort_gaps(gaps: list[Gap], by: str = "gbp_a_year", descending: bool | None = None) -> list[Gap]:
    """Return gaps sorted by a column (money and counts largest first, dates soonest first)."""
    if by not in SORT_KEYS:
        raise ValueError(f"Sort by one of {', '.join(SORT_KEYS)}.")
    if descending is None:
        descending = by not in ASCENDING
    return sorted(gaps, key=lambda g: (SORT_KEYS[by](g), g.id), reverse=descending)


# --- building the report -----------------------------------------------------------------------


def select_demand(
    items: list[DemandItem],
    area: Area,
    start: date | None = None,
    end: date | None = None,
    settings: GapSettings | None = None,
) -> list[DemandItem]:
    """Return the area's demand in a period: what to run `coverage` over.

    Pass the same `items` to `gap_report`, which selects the same notices again.
    """
    settings = settings or GapSettings()
    typical = typical_years(items, settings)
    return [
        item
        for item in items
        if is_demand(item)
        and item_in_area(item, area)
        and in_period(item, annual_value(item, settings, typical), start, end)
    ]


def gap_report(
    items: list[DemandItem],
    found: Coverage | Mapping[Key, list[Match]],
    suppliers: Mapping[int, LocalSupplier],
    area: Area,
    settings: GapSettings | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    cpv_names: Mapping[str, str] | None = None,
    cpv_bridge: Mapping[str, list[str]] | None = None,
    places: Callable[[str], set[str]] | None = None,
    apart: Collection[tuple[int, int]] = (),
) -> GapReport:
    """Find, size and explain the gaps in an area's demand, and suggest how to fill each.

    `items` is all the demand known (the area and period are selected here); `found` is
    `coverage(...)` over the selected notices, or a plain dict of local matches per notice key
    (a notice missing from it has no local candidate). `suppliers` is the register the routes
    draw on: at least the area's suppliers, with their SIC codes and succession signals.
    `places` gives a supplier name's place words, so that two bodies of one title for two
    places are not taken for one firm listed twice (`duplicates.repeats`); nor are the pairs
    of supplier ids in `apart` (smaller first), judged to be two by an administrator.
    """
    settings = settings or GapSettings()
    cpv_names = cpv_names or {}
    bridge = dict(cpv_bridge or {})
    started = time.perf_counter()
    if not isinstance(found, Coverage):
        found = Coverage(local=dict(found))
    typical = typical_years(items, settings)
    annuals = {}
    chosen = []
    for item in items:
        if not (is_demand(item) and item_in_area(item, area)):
            continue
        annual = annual_value(item, settings, typical)
        if in_period(item, annual, start, end):
            annuals[item.key] = annual
            chosen.append(item)
    shares, stream_of = stream_shares(chosen, annuals)
    lad_of = {s.id: s.lad_code for s in suppliers.values()}
    notices = []
    for item in chosen:
        decided, decider = verdict(found.local.get(item.key, []), settings)
        notices.append(
            NoticeCoverage(
                item,
                sector_of(item.main_cpv, settings.sector_digits),
                annuals[item.key],
                shares[item.key],
                decided,
                Candidate.of(decider, suppliers) if decider else None,
            )
        )
    context = _Context(settings, found, suppliers, area, annuals, shares, stream_of, lad_of,
                       places, apart)
    near = [n for notice in notices for n in context.near_misses(notice)]
    gaps = context.cards(notices, near, cpv_names, bridge)
    report = GapReport(
        area=area,
        period=(start, end),
        settings=settings,
        gaps=sort_gaps(gaps, "gbp_a_year"),
        near_misses=sorted(near, key=lambda n: (-n.gbp_a_year, n.notice_id, n.supplier_id)),
        sectors=context.sectors(notices, 2, cpv_names, bridge),
        groups=context.sectors(notices, settings.sector_digits, cpv_names, bridge),
        notices=notices,
    )
    report.seconds = dict(found.seconds, report=time.perf_counter() - started)
    return report


def _outside_text(outside: list[Candidate]) -> str:
    """Say which capable firms are outside the area, and which may be: where a firm is based
    is not known when award notices gave it no address."""
    away = [c for c in outside if c.placed]
    unknown = [c for c in outside if not c.placed]
    said = []
    if away:
        said.append("Firms outside the area can do this work: " + ", ".join(
            f"{c.name} ({c.distance_km:.0f} km)" if c.distance_km is not None else c.name
            for c in away) + ".")
    if unknown:
        said.append(("Firms whose base is not known can do this work too: " if away else
                     "Firms whose base is not known, so not known to be local, can do this "
                     "work: ") + ", ".join(c.name for c in unknown) + ".")
    return " ".join(said)


class _Context:
    """What every card of one report shares."""

    def __init__(self, settings, found, suppliers, area, annuals, shares, stream_of, lad_of,
                 places=None, apart=()):
        self.settings = settings
        self.places = places
        self.apart = apart
        self.found = found
        self.suppliers = suppliers
        self.area = area
        self.annuals = annuals
        self.shares = shares
        self.stream_of = stream_of
        self.lad_of = lad_of
        self._postings = None
        self._local = None
        self._nearby = None

    def summary(self, items: list[DemandItem]) -> DemandSummary:
        return summarise(items, self.annuals, self.shares, self.stream_of, self.settings.today)

    # --- near misses -------------------------------------------------------------------------

    def near_misses(self, notice: NoticeCoverage) -> list[NearMiss]:
        if notice.verdict != NEAR_MISS:
            return []
        s = self.settings
        item = notice.item
        found = []
        for match in self.found.local.get(item.key, []):
            if not is_near_miss(match, s):
                continue
            known = self.suppliers.get(match.supplier_id)
            capacity = known.capacity_gbp if known else None
            name = match.supplier_name or (known.name if known else f"Supplier {match.supplier_id}")
            if match.capable_but_too_small:
                kind = "too_small"
                text = (
                    f"{name} can do this work but is too small for a {money(item.contract_value)}"
                    f" contract (takes up to {money(capacity)})"
                    if capacity
                    else f"{name} can do this work but is too small for it"
                )
            else:
                kind = "just_under"
                # Rounded down: 0.3996 is "0.39, just under the 0.40 needed", not "0.40".
                shown = math.floor(match.capability * 100) / 100
                text = (f"{name} has a capability of {shown:.2f}, just under the "
                        f"{s.threshold:.2f} needed")
            found.append(
                NearMiss(
                    item.notice_id,
                    item.tender_id,
                    item.lot_id,
                    item.title,
                    notice.sector,
                    match.supplier_id,
                    name,
                    kind,
                    match.score,
                    max(0.0, s.threshold - match.capability),
                    match.capability,
                    capacity,
                    item.contract_value,
                    notice.gbp_a_year,
                    text,
                )
            )
        return found

    # --- cards -------------------------------------------------------------------------------

    @property
    def local(self) -> dict[int, LocalSupplier]:
        if self._local is None:
            left_out = self.settings.excluded_ownership or set()
            if self.area.lad_codes is not None:
                self._local = {
                    i: s for i, s in self.suppliers.items()
                    if s.lad_code in self.area.lad_codes and s.ownership not in left_out
                }
            else:  # narrowed per card by distance
                self._local = {i: s for i, s in self.suppliers.items()
                               if s.ownership not in left_out}
        return self._local

    @property
    def postings(self) -> SupplierPostings:
        if self._postings is None:
            self._postings = SupplierPostings(self.local.values())
        return self._postings

    def cards(self, notices, near, cpv_names, bridge) -> list[Gap]:
        by_sector: dict[str, list[NoticeCoverage]] = defaultdict(list)
        for notice in notices:
            by_sector[notice.sector].append(notice)
        near_by_sector: dict[str, list[NearMiss]] = defaultdict(list)
        for n in near:
            near_by_sector[n.sector].append(n)
        gaps = []
        for sector, members in by_sector.items():
            unmet = [n for n in members if n.verdict == GAP]
            if sector == UNCLASSIFIED or not unmet:
                continue
            gaps.append(
                self.card(sector, members, unmet, near_by_sector[sector], cpv_names, bridge)
            )
        return gaps

    def card(self, sector, members, unmet, near, cpv_names, bridge) -> Gap:
        s = self.settings
        items = [n.item for n in unmet]
        summary = self.summary(items)
        codes = list(dict.fromkeys(c for i in items for c in i.cpv_codes if c))
        local = self._local_for(items)
        postings = (
            self.postings if self.area.lad_codes is not None else SupplierPostings(local.values())
        )
        matches = {i.key: self.found.local.get(i.key, []) for i in items}
        capable = {
            m.supplier_id
            for found in matches.values()
            for m in found
            if can_do_the_work(m, s)
        } | {n.supplier_id for n in near if n.kind == "too_small"}
        outside = self._outside(items)
        routes = [
            route
            for route in (
                new_coop(summary, s),
                buyout(codes, local, postings, bridge, s),
                consortium(codes, summary.largest_lot_gbp, local, postings, capable, s),
                lot_split(items, local, postings, matches, s),
            )
            if route is not None
        ]
        best_local = _best_candidates(matches.values(), self.suppliers, s.top_k)
        return Gap(
            id=f"{s.group_level}-{sector}",
            sector=sector,
            level=s.group_level,
            name=card_name(sector, [i.main_cpv or "" for i in items], cpv_names),
            division=sector[:2],
            sic_divisions=sic_divisions(sector, bridge),
            demand=summary,
            sector_gbp_a_year=sum(n.gbp_a_year for n in members),
            cpv_codes=codes,
            notices=unmet,
            reasons=self._reasons(unmet, near, best_local, outside),
            routes=routes,
            near_misses=near,
            best_local=best_local,
            outside=outside,
            incumbents=self._incumbents(items),
            no_route="" if routes else no_route(summary, s),
        )

    def _incumbents(self, items) -> list[dict]:
        held: dict[int, list[str]] = defaultdict(list)
        for item in items:
            for supplier_id in item.awarded_supplier_ids:
                held[supplier_id].append(item.notice_id)
        found = []
        for supplier_id, notice_ids in sorted(held.items(), key=lambda h: (-len(h[1]), h[0])):
            known = self.suppliers.get(supplier_id)
            found.append(
                {
                    "supplier_id": supplier_id,
                    "name": known.name if known else f"Supplier {supplier_id}",
                    "local": bool(known) and self._holds_locally(known, items),
                    "notice_ids": notice_ids,
                }
            )
        return found

    def _holds_locally(self, supplier: LocalSupplier, items) -> bool:
        """Whether an incumbent is based in the area (a public body too: this is where it is,
        not whether it counts as local supply)."""
        if self.area.lad_codes is not None:
            return supplier.lad_code in self.area.lad_codes
        return supplier.id in self._near(items)

    def _local_for(self, items) -> dict[int, LocalSupplier]:
        """The local suppliers the routes may name for these notices."""
        if self.area.lad_codes is not None:
            return self.local
        return {i: s for i, s in self._near(items).items() if i in self.local}

    def _near(self, items) -> dict[int, LocalSupplier]:
        """Every supplier within the radius of one of these notices."""
        if self._nearby is None:
            self._nearby = NearbySuppliers(self.suppliers.values(), self.area.radius_km)
        return {i: self.suppliers[i] for i in self._nearby.near_any(items)}

    def _outside(self, items) -> list[Candidate]:
        best: dict[int, Match] = {}
        for item in items:
            for match in self.found.wider.get(item.key, []):
                if not can_do_the_work(match, self.settings) or self._is_local(match):
                    continue
                if (
                    match.supplier_id not in best
                    or match.capability > best[match.supplier_id].capability
                ):
                    best[match.supplier_id] = match
        ranked = sorted(best.values(), key=lambda m: (-m.capability, m.supplier_id))
        candidates = [Candidate.of(m, self.suppliers) for m in ranked]
        # A firm listed twice in the register (award notices spell it two ways) is named once.
        again = repeats([Entry(c.supplier_id, normalise_name(c.name)) for c in candidates],
                        places=self.places, apart=self.apart)
        return [c for c in candidates if c.supplier_id not in again][: self.settings.wider_k]

    def _is_local(self, match: Match) -> bool:
        if self.area.lad_codes is not None:
            return self.lad_of.get(match.supplier_id) in self.area.lad_codes
        return match.distance_km is not None and match.distance_km <= self.area.radius_km

    def _reasons(self, unmet, near, best_local, outside) -> list[Reason]:
        s = self.settings
        reasons = []
        unable = [
            n
            for n in unmet
            if n.best_local is None or n.best_local.capability < s.capable_threshold
        ]
        if unable:
            best = max((n.best_local.capability for n in unable if n.best_local), default=None)
            text = (
                f"No local firm does this work: the closest local capability is {best:.2f}"
                f" (a firm able to do it scores {s.capable_threshold:.2f} or more)."
                if best is not None
                else "No local firm was found for this work at all."
            )
            reasons.append(
                Reason(
                    NO_CAPABILITY,
                    text,
                    len(unable),
                    [
                        {
                            "supplier_id": c.supplier_id,
                            "name": c.name,
                            "capability": round(c.capability, 4),
                        }
                        for c in _named_first(unable, best_local)[:3]
                    ],
                )
            )
        small = [n for n in near if n.kind == "too_small"]
        if small:
            names = sorted({(n.supplier_id, n.supplier_name, n.capacity_gbp) for n in small})
            reasons.append(
                Reason(
                    NO_CAPACITY,
                    f"{len(names)} local firm{'s' if len(names) != 1 else ''} can do this work "
                    f"but {'are' if len(names) != 1 else 'is'} too small for "
                    f"{len({n.notice_id for n in small})} of the sector's contracts "
                    "(see the near misses): capacity-building candidates.",
                    len({n.notice_id for n in small}),
                    [
                        {"supplier_id": i, "name": name, "capacity_gbp": cap}
                        for i, name, cap in names
                    ],
                )
            )
        if outside:
            reasons.append(
                Reason(DISTANCE, _outside_text(outside), len(unmet), [c.to_dict() for c in outside])
            )
        return reasons

    # --- sector summaries --------------------------------------------------------------------

    def sectors(self, notices, digits, cpv_names, bridge) -> list[SectorCoverage]:
        by_sector: dict[str, list[NoticeCoverage]] = defaultdict(list)
        for notice in notices:
            by_sector[sector_of(notice.item.main_cpv, digits)].append(notice)
        level = "division" if digits == 2 else "group"
        found = []
        for sector, members in by_sector.items():
            split = {v: [n for n in members if n.verdict == v] for v in (COVERED, NEAR_MISS, GAP)}
            found.append(
                SectorCoverage(
                    sector=sector,
                    level=level,
                    name=sector_name(sector, cpv_names),
                    sic_divisions=sic_divisions(sector, bridge) if sector else [],
                    demand=self.summary([n.item for n in members]),
                    covered_gbp_a_year=sum(n.gbp_a_year for n in split[COVERED]),
                    near_miss_gbp_a_year=sum(n.gbp_a_year for n in split[NEAR_MISS]),
                    gap_gbp_a_year=sum(n.gbp_a_year for n in split[GAP]),
                    covered_notices=len(split[COVERED]),
                    near_miss_notices=len(split[NEAR_MISS]),
                    gap_notices=len(split[GAP]),
                )
            )
        return sorted(found, key=lambda x: (-x.gbp_a_year, x.sector))


def _named_first(notices, candidates: list[Candidate]) -> list[Candidate]:
    """Return the notices' own closest local firms (each at its best capability over them),
    most capable first, then the other candidates: so the firm a card names first is the one
    whose capability its text quotes."""
    own: dict[int, Candidate] = {}
    for n in notices:
        c = n.best_local
        if c is not None and (c.supplier_id not in own
                              or c.capability > own[c.supplier_id].capability):
            own[c.supplier_id] = c
    first = sorted(own.values(), key=lambda c: (-c.capability, c.supplier_id))
    return first + [c for c in candidates if c.supplier_id not in own]


def _best_candidates(match_lists, suppliers, k) -> list[Candidate]:
    best: dict[int, Match] = {}
    for matches in match_lists:
        for match in matches:
            if match.supplier_id not in best or match.score > best[match.supplier_id].score:
                best[match.supplier_id] = match
    ranked = sorted(best.values(), key=lambda m: (-m.score, m.supplier_id))
    return [Candidate.of(m, suppliers) for m in ranked[:k]]
