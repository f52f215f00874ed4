"""Gaps: recurring demand no local supplier meets, sized, explained, with routes to fill it.

Pure domain code: no Flask, no database. The service builds `DemandItem`s (one per tender, or
per lot) and `LocalSupplier`s from rows, then:

    items = select_demand(all_items, area, start, end, settings)   # the area's demand
    found = coverage(index, items, area, settings)                  # the engine, twice at most
    report = gap_report(all_items, found, suppliers, area, settings, start=start, end=end,
                        cpv_names=load_cpv_names(data_dir), cpv_bridge=load_cpv_bridge(data_dir))

`report.gaps` are the opportunity cards (`Gap`), `report.near_misses` the capacity-building
candidates, `report.sectors` demand against local coverage by CPV division; every result has
`to_dict()`, and `report.gap_rows()` gives the table's flat rows for CSV.
"""

from coopmatch.cpv import load_cpv_bridge, sic_divisions
from coopmatch.gaps.coverage import (
    Coverage,
    NearbySuppliers,
    could_decide,
    coverage,
    demand_query,
    item_in_area,
    verdict,
)
from coopmatch.gaps.demand import (
    AnnualValue,
    DemandSummary,
    Recurrence,
    annual_value,
    classify_uncoded,
    contract_years,
    in_period,
    recurrence,
    sector_of,
    stream_shares,
    summarise,
    typical_years,
)
from coopmatch.gaps.report import (
    SORT_KEYS,
    Candidate,
    Gap,
    GapReport,
    NearMiss,
    NoticeCoverage,
    Reason,
    SectorCoverage,
    filter_gaps,
    gap_report,
    select_demand,
    sort_gaps,
)
from coopmatch.gaps.routes import Route, RouteSupplier
from coopmatch.gaps.sectors import load_cpv_names
from coopmatch.gaps.types import (
    BUYOUT,
    CONSORTIUM,
    COVERED,
    GAP,
    LOT_SPLIT,
    NEAR_MISS,
    NEW_COOP,
    ROUTES,
    Area,
    DemandItem,
    GapSettings,
    LocalSupplier,
)

__all__ = [
    "BUYOUT",
    "CONSORTIUM",
    "COVERED",
    "GAP",
    "LOT_SPLIT",
    "NEAR_MISS",
    "NEW_COOP",
    "ROUTES",
    "SORT_KEYS",
    "AnnualValue",
    "Area",
    "Candidate",
    "Coverage",
    "DemandItem",
    "DemandSummary",
    "Gap",
    "GapReport",
    "GapSettings",
    "LocalSupplier",
    "NearMiss",
    "NearbySuppliers",
    "NoticeCoverage",
    "Reason",
    "Recurrence",
    "Route",
    "RouteSupplier",
    "SectorCoverage",
    "annual_value",
    "classify_uncoded",
    "contract_years",
    "could_decide",
    "coverage",
    "demand_query",
    "filter_gaps",
    "gap_report",
    "in_period",
    "item_in_area",
    "load_cpv_bridge",
    "load_cpv_names",
    "recurrence",
    "sector_of",
    "select_demand",
    "sic_divisions",
    "sort_gaps",
    "stream_shares",
    "summarise",
    "typical_years",
    "verdict",
]
