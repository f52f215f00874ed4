"""Coverage: the best local suppliers for each unit of demand, from the matching engine.

One engine pass over the notices restricted to the area (the local candidates), then, for the
largest few notices of each sector that no local firm covers, a second pass over the whole
register with geography weighted zero (the capable suppliers anywhere), which tells "nobody
can do this" from "nobody here can".

Speed: an area of districts is matched through the engine's cached view of the area's suppliers
(`MatchIndex.restrict`, used by `MatchOptions.area_lad_codes`), so the local pass costs in
proportion to the area's suppliers, not the register's; and neither pass asks the engine for
reasons, except for the candidates whose figures could cover or nearly cover a notice
(`MatchOptions.explain_if`): a firm decides a notice only if something about the work brought it
(a key term that is not a place name, a CPV code or SIC sector, similar work it has done). A
social club that shares only the notice's town ("Bamber Bridge Band Club" on the Bamber Bridge
leisure centre's refurbishment) is not a near miss. See bench/gap_speed.py.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from coopmatch.gaps.demand import sector_of
from coopmatch.gaps.types import COVERED, GAP, NEAR_MISS, Area, DemandItem, GapSettings
from coopmatch.geo import haversine_km, haversine_km_many
from coopmatch.matching import Match, MatchOptions, TenderQuery

if TYPE_CHECKING:
    from coopmatch.matching import MatchIndex

Key = tuple[int, int | None]


def demand_query(item: DemandItem, query_id: int) -> TenderQuery:
    """Return the engine's query for one unit of demand (a lot is matched on its own)."""
    return TenderQuery(
        id=query_id,
        title=item.title,
        description=item.description,
        cpv_codes=list(item.cpv_codes),
        value=item.contract_value,
        buyer_id=item.buyer_id,
        buyer_name=item.buyer_name or None,
        latitude=item.latitude,
        longitude=item.longitude,
        lad_code=item.lad_code,
        county_code=item.county_code,
        region_code=item.region_code,
    )


@dataclass
class Coverage:
    """Local candidates per notice, and capable candidates from outside the area."""

    local: dict[Key, list[Match]] = field(default_factory=dict)
    wider: dict[Key, list[Match]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def local_options(area: Area, settings: GapSettings) -> MatchOptions:
    return MatchOptions(
        top_k=settings.top_k,
        area_lad_codes=set(area.lad_codes) if area.lad_codes is not None else None,
        radius_km=area.radius_km if area.lad_codes is None else None,
        match_lots=False,  # each lot is a demand item of its own
        exclude_ownership=settings.excluded_ownership,
        explain=False,
        # Whether a firm covers a notice rests on its reasons: asked for where it might.
        explain_if=partial(could_decide, settings=settings),
    )


def wider_options(settings: GapSettings) -> MatchOptions:
    # Rank on capability and size alone: how far away a capable supplier is, is the finding.
    return MatchOptions(
        top_k=settings.top_k + settings.wider_k,
        match_lots=False,
        weights={"geography": 0.0},
        exclude_ownership=settings.excluded_ownership,
        explain=False,
        explain_if=partial(could_do_it, settings=settings),  # as the local pass's
    )


def coverage(
    index: MatchIndex,
    items: list[DemandItem],
    area: Area,
    settings: GapSettings | None = None,
    *,
    wider: bool = True,
    local_index: MatchIndex | None = None,
) -> Coverage:
    """Match every unit of demand against the area's suppliers (and, if uncovered, anyone's).

    The local pass scores only the area's suppliers (the index's cached area view). An explicit
    `local_index` (e.g. `index.restrict(ids)`, scoring exactly as `index` does) is used instead
    when given.
    """
    settings = settings or GapSettings()
    found = Coverage()
    started = time.perf_counter()
    queries = [demand_query(item, k) for k, item in enumerate(items)]
    results = (local_index or index).match_many(queries, local_options(area, settings))
    for item, matches in zip(items, results, strict=True):
        found.local[item.key] = matches
    found.seconds["local"] = time.perf_counter() - started
    if wider:
        started = time.perf_counter()
        chosen = wider_sample(items, found.local, settings)
        results = index.match_many(
            [demand_query(item, k) for k, item in enumerate(chosen)], wider_options(settings)
        )
        for item, matches in zip(chosen, results, strict=True):
            local_ids = {m.supplier_id for m in found.local[item.key]}
            # Kept whole: the report drops any that its register shows to be local after all.
            found.wider[item.key] = [
                m for m in matches if m.supplier_id not in local_ids and not _near(m, item, area)
            ]
        found.seconds["wider"] = time.perf_counter() - started
    return found


def wider_sample(
    items: list[DemandItem], local: dict[Key, list[Match]], settings: GapSettings
) -> list[DemandItem]:
    """Return the notices to look for capable suppliers outside the area for.

    Only notices no local firm covers, and of those the largest few of each sector: the
    finding ("firms elsewhere do this work") belongs to the sector's card, and a query over
    the whole register costs far more than one over the area's suppliers.
    """
    by_sector: dict[str, list[DemandItem]] = {}
    for item in items:
        if verdict(local.get(item.key, []), settings)[0] != COVERED:
            sector = sector_of(item.main_cpv, settings.sector_digits)
            by_sector.setdefault(sector, []).append(item)
    chosen = []
    for sector_items in by_sector.values():
        sector_items.sort(key=lambda i: (-(i.contract_value or 0), i.tender_id, i.lot_id or 0))
        chosen.extend(sector_items[: settings.wider_per_sector])
    return chosen


def _near(match: Match, item: DemandItem, area: Area) -> bool:
    """Return whether a supplier found outside the area pass is in fact within the radius."""
    return (
        area.radius_km is not None
        and match.distance_km is not None
        and (match.distance_km <= area.radius_km)
    )


def could_decide(match: Match, settings: GapSettings) -> bool:
    """Return whether a candidate's figures alone would cover or nearly cover its notice (its
    reasons, not yet asked for, then tell whether it does)."""
    return (
        match.capable_but_too_small
        or match.capability >= settings.threshold - settings.near_miss_margin
        and match.capability >= settings.near_miss_min_capability
    )


def could_do_it(match: Match, settings: GapSettings) -> bool:
    """Return whether a supplier can do the work on its figures (its reasons then tell whether
    something about the work brought it: `can_do_the_work`)."""
    return match.capability >= settings.capable_threshold


def can_do_the_work(match: Match, settings: GapSettings) -> bool:
    """Return whether a supplier (local, or found outside the area) can do the work: capable,
    and brought by the work, not only by sharing the notice's place names. A match without
    reasons cannot tell, so it cannot."""
    return could_do_it(match, settings) and match.fits_work


def fits(match: Match) -> bool:
    """Return whether a candidate could take the contract on (not known to be too small)."""
    return not match.capable_but_too_small


def verdict(matches: list[Match], settings: GapSettings) -> tuple[str, Match | None]:
    """Return covered, near miss or gap for one notice, and the candidate that decides it.

    Covered: a local supplier's capability (text, CPV and similar work: the score without
    geography, ownership, size and how many contracts it has won or whom for, which say nothing
    of whether it can do the work) reaches the
    threshold, something about the work brought it (`Match.fits_work`: not only shared place
    names), and it is big enough. Near miss: the best such supplier is within the margin under
    the threshold, or can do the work but is too small (a capacity-building candidate). Gap:
    anything else. Matches without reasons (`MatchOptions.explain=False`) decide nothing.
    """
    ranked = sorted(matches, key=lambda m: (-m.capability, -m.score))
    for match in ranked:
        if match.capability >= settings.threshold and match.fits_work and fits(match):
            return COVERED, match
    near = [m for m in ranked if is_near_miss(m, settings)]
    if near:
        return NEAR_MISS, near[0]
    return GAP, ranked[0] if ranked else None


def is_near_miss(match: Match, settings: GapSettings) -> bool:
    """Return whether a local candidate (of a notice not covered) nearly meets it: close to
    the threshold, or capable but too small, and brought by something about the work."""
    if not match.fits_work:
        return False
    if match.capable_but_too_small:
        return True
    return (
        settings.threshold - settings.near_miss_margin <= match.capability < settings.threshold
        and match.capability >= settings.near_miss_min_capability
    )


class NearbySuppliers:
    """Suppliers on a grid of cells at least a radius wide, to find those near a notice fast."""

    # Degrees of longitude shrink northwards: size cells for the north of Shetland (61 N).
    _KM_PER_DEGREE = 111.2
    _NARROWEST = math.cos(math.radians(61.0))

    def __init__(self, suppliers: Iterable, radius_km: float):
        placed = [s for s in suppliers if s.latitude is not None and s.longitude is not None]
        self.radius_km = radius_km
        self.ids = np.array([s.id for s in placed], dtype=np.int64)
        self.lat = np.array([s.latitude for s in placed], dtype=np.float64)
        self.lon = np.array([s.longitude for s in placed], dtype=np.float64)
        self.dlat = max(radius_km, 1e-3) / self._KM_PER_DEGREE
        self.dlon = self.dlat / self._NARROWEST
        cells: dict[tuple[int, int], list[int]] = {}
        for row, (lat, lon) in enumerate(zip(self.lat, self.lon, strict=True)):
            cells.setdefault(self._cell(lat, lon), []).append(row)
        self.cells = {k: np.array(v, dtype=np.int64) for k, v in cells.items()}

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        return (math.floor(lat / self.dlat), math.floor(lon / self.dlon))

    def near(self, latitude: float, longitude: float) -> np.ndarray:
        """Return the ids of suppliers within the radius of a point."""
        y, x = self._cell(latitude, longitude)
        rows = [
            self.cells[(y + a, x + b)]
            for a in (-1, 0, 1)
            for b in (-1, 0, 1)
            if (y + a, x + b) in self.cells
        ]
        if not rows:
            return np.zeros(0, dtype=np.int64)
        rows = np.concatenate(rows)
        distance = haversine_km_many(latitude, longitude, self.lat[rows], self.lon[rows])
        return self.ids[rows[distance <= self.radius_km]]

    def near_any(self, items: list[DemandItem]) -> set[int]:
        """Return the ids of suppliers within the radius of any of some notices."""
        found: set[int] = set()
        for item in items:
            if item.latitude is not None and item.longitude is not None:
                found.update(self.near(item.latitude, item.longitude).tolist())
        return found


def item_in_area(item: DemandItem, area: Area) -> bool:
    """Return whether a notice is the area's demand (where it is delivered or bought)."""
    if area.lad_codes is not None:
        return item.lad_code in area.lad_codes
    if area.centre is None:
        return True
    if item.latitude is None or item.longitude is None:
        return False
    lat, lon = area.centre
    distance = haversine_km(lat, lon, item.latitude, item.longitude)
    return math.isfinite(distance) and distance <= area.radius_km
