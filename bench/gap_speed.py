"""Gap report speed: 10,000 notices against 100,000 suppliers, for a county and a region.

Suppliers are Companies House (South Yorkshire) and Co-operatives UK names, SIC codes and
incorporation dates, given the titles and descriptions of real awarded contracts (the labelled
award pairs and the Lancashire councils' notices) in a sector their SIC code bridges to, and
placed at real postcode districts across Great Britain in proportion to their postcodes.
Notices are the other half of those real texts and CPV codes (split by title, so no notice
finds its own words in the register), bought by anchors placed the same way, with contract
dates, lots, frameworks and recurrence drawn at plausible rates. Which
supplier sits where is made up, so the printed gaps show the shape of the output, not facts.

    python bench/gap_speed.py [--data-dir DIR] [--suppliers 100000] [--tenders 10000]

Timed: the supplier index build (done once and persisted in the app, so reported apart), then
the gap report (coverage through the engine, grouping, routes and cards) for Lancashire
(E10000017), for the North West region (E12000002), and for every notice with a 25 km radius.
The baseline is the plain way: one `index.match` per notice with lots matched, measured on a
sample in the same run and extrapolated. Target: under 10 s for the 10,000 notices.
"""

import argparse
import csv
import dataclasses
import gzip
import os
import random
import statistics
import sys
import time
import zlib
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coopmatch.gaps import (  # noqa: E402
    Area,
    DemandItem,
    GapSettings,
    LocalSupplier,
    coverage,
    demand_query,
    gap_report,
    load_cpv_bridge,
    load_cpv_names,
    select_demand,
)
from coopmatch.geo import GeoReference  # noqa: E402
from coopmatch.matching import (  # noqa: E402
    LotQuery,
    MatchIndex,
    MatchOptions,
    PastAward,
    SupplierProfile,
)
from coopmatch.matching import index as engine_index  # noqa: E402

REF = Path("reference-data")
PAIRS = Path("procurement-data") / "labelled" / "award_supplier_pairs_uk.csv"
LANCASHIRE_NOTICES = (
    Path("procurement-data") / "lancashire-contracts-finder" / "lancashire_councils_cf_notices.csv"
)
COOPS = REF / "coops" / "coops_uk_open_data_2017_organisations.csv"
COMPANIES = REF / "companies-house" / "companies_house_south_yorkshire.csv.gz"
DISTRICTS = REF / "geography" / "postcode_districts_gb.csv"
LANCASHIRE, NORTH_WEST = "E10000017", "E12000002"
SOCIAL = [
    "worker_coop",
    "consumer_coop",
    "community_benefit_society",
    "employee_owned",
    "social_enterprise",
    "charity",
]


def default_data_dir() -> Path:
    return Path(os.environ.get("COOPMATCH_DATA_DIR") or ROOT.parent / "shared")


# --- the real texts ------------------------------------------------------------------------------


def read_notices(data_dir: Path) -> list[dict]:
    """Return real contract texts: title, description, CPV codes, value, buyer."""
    notices = []
    with open(data_dir / PAIRS, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            notices.append(
                {
                    "title": row["title"],
                    "description": row["description"][:1500],
                    "cpv": [c for c in row["cpv_codes"].replace(";", " ").split() if len(c) == 8],
                    "value": _float(row["award_value"]),
                    "buyer": row["buyer_name"],
                    "supplier": row["supplier_name"],
                }
            )
    with open(data_dir / LANCASHIRE_NOTICES, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            notices.append(
                {
                    "title": row["title"],
                    "description": row["description"][:1500],
                    "cpv": [c for c in row["cpv_codes"].replace(",", " ").split() if len(c) == 8],
                    "value": _float(row["awarded_value"]) or _float(row["value_high"]),
                    "buyer": row["organisation"],
                    "supplier": row["awarded_supplier"],
                }
            )
    for notice in notices:
        # Half the texts describe suppliers, the other half what anchors buy: a notice never
        # meets its own words in the register, only other firms' similar work.
        notice["supplier_side"] = zlib.crc32(notice["title"].lower().encode()) % 2 == 1
    return [n for n in notices if n["title"]]


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def read_firms(data_dir: Path) -> list[dict]:
    """Return real firm names with SIC codes and incorporation dates."""
    firms = []
    with gzip.open(data_dir / COMPANIES, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            sic = [row[f"SICCode.SicText_{i}"].split(" ", 1)[0] for i in range(1, 5)]
            firms.append(
                {
                    "name": row["CompanyName"],
                    "sic": [s for s in sic if s.isdigit()],
                    "incorporated": _day(row["IncorporationDate"]),
                    "ownership": "sme",
                }
            )
    with open(data_dir / COOPS, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Registered Status"] != "Live":
                continue
            sic = row["SIC Code"].replace("UKSIC07-", "")
            firms.append(
                {
                    "name": row["Trading Name"] or row["Registered Name"],
                    "sic": [sic] if sic.isdigit() else [],
                    "incorporated": _day(row["Incorporation Date"], "%m/%d/%Y"),
                    "ownership": "worker_coop"
                    if row["Ownership Classification"] == "Workers"
                    else "consumer_coop",
                }
            )
    return firms


def _day(text: str, form: str = "%d/%m/%Y") -> date | None:
    try:
        return datetime.strptime(text, form).date()
    except (TypeError, ValueError):
        return None


def read_places(data_dir: Path, geo: GeoReference) -> dict:
    """Return postcode districts with coordinates, areas and a weight (their postcodes)."""
    county_of, region_of = {}, {}
    for kind, target in (
        ("county", county_of),
        ("combined_authority", county_of),
        ("region", region_of),
    ):
        for area in geo.areas(kind):
            for lad in area.lad_codes:
                target.setdefault(lad, area.code)
    rows = []
    with open(data_dir / DISTRICTS, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["latitude"] and row["lad_code"]:
                rows.append(row)
    weights = np.array([float(r["n_postcodes"] or 1) for r in rows])
    return {
        "lat": np.array([float(r["latitude"]) for r in rows]),
        "lon": np.array([float(r["longitude"]) for r in rows]),
        "lad": [r["lad_code"] for r in rows],
        "county": [county_of.get(r["lad_code"]) for r in rows],
        "region": [region_of.get(r["lad_code"]) or r["region_code"] or None for r in rows],
        "p": weights / weights.sum(),
    }


def place_at(places: dict, i: int, rng: random.Random) -> dict:
    return {
        "latitude": float(places["lat"][i]) + rng.uniform(-0.02, 0.02),
        "longitude": float(places["lon"][i]) + rng.uniform(-0.03, 0.03),
        "lad_code": places["lad"][i],
        "county_code": places["county"][i],
        "region_code": places["region"][i],
    }


# --- the synthetic register and demand -----------------------------------------------------------


def make_suppliers(notices, firms, places, bridge, n, seed=1):
    """Return (engine profiles, gap-report suppliers by id), n of each."""
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    notices = [n for n in notices if n["supplier_side"]]
    by_sic: dict[str, list[dict]] = defaultdict(list)
    for notice in notices:
        for code in notice["cpv"][:1]:
            for division in bridge.get(code, ()):
                by_sic[division].append(notice)
    spots = nprng.choice(len(places["p"]), size=n, p=places["p"])
    profiles, suppliers = [], {}
    for i in range(n):
        firm = firms[rng.randrange(len(firms))]
        pool = [x for s in firm["sic"][:1] for x in by_sic.get(s[:2], ())] or notices
        won = [pool[rng.randrange(len(pool))] for _ in range(rng.choice((0, 1, 1, 2, 3)))]
        about = pool[rng.randrange(len(pool))]
        cpv = list(dict.fromkeys(c for x in [about, *won] for c in x["cpv"][:2]))
        values = [x["value"] for x in [about, *won] if x["value"]]
        capacity = (max(values) if values else 50_000) * float(nprng.lognormal(0.3, 0.8))
        ownership = firm["ownership"] if rng.random() > 0.05 else rng.choice(SOCIAL)
        place = place_at(places, int(spots[i]), rng)
        sid = i + 1
        profiles.append(
            SupplierProfile(
                id=sid,
                name=firm["name"],
                text=f"{about['title']}. {about['description'][:400]}",
                awards=[
                    PastAward(
                        x["title"],
                        x["description"][:600],
                        buyer_name=x["buyer"],
                        value_gbp=x["value"],
                        cpv_codes=x["cpv"][:2],
                    )
                    for x in won
                ],
                cpv_codes=cpv,
                ownership=ownership,
                capacity_gbp=capacity,
                **place,
            )
        )
        suppliers[sid] = LocalSupplier(
            id=sid,
            name=firm["name"],
            ownership=ownership,
            cpv_codes=cpv,
            sic_codes=firm["sic"],
            capacity_gbp=capacity,
            succession_risk=rng.random() < 0.08,
            incorporation_date=firm["incorporated"],
            lad_code=place["lad_code"],
            latitude=place["latitude"],
            longitude=place["longitude"],
        )
    return profiles, suppliers


def make_demand(notices, places, n_tenders, seed=2) -> list[DemandItem]:
    """Return the demand of n tenders (one item per lot where a tender has lots)."""
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    classified = [x for x in notices if x["cpv"] and not x["supplier_side"]]
    n_buyers = max(50, n_tenders // 12)
    buyer_spots = nprng.choice(len(places["p"]), size=n_buyers, p=places["p"])
    buyers = [
        (
            b + 1,
            f"{classified[rng.randrange(len(classified))]['buyer']} ({b + 1})",
            place_at(places, int(buyer_spots[b]), rng),
        )
        for b in range(n_buyers)
    ]
    items: list[DemandItem] = []
    lot_id = 0
    for t in range(1, n_tenders + 1):
        notice = classified[rng.randrange(len(classified))]
        buyer_id, buyer_name, place = buyers[rng.randrange(n_buyers)]
        published = date(2019, 1, 1) + timedelta(days=rng.randrange(7 * 365))
        years = rng.choice((1, 1, 2, 3, 3, 4, 5))
        dated = rng.random() < 0.6
        start = published + timedelta(days=rng.randrange(30, 120)) if dated else None
        end = start + timedelta(days=int(365.25 * years)) - timedelta(days=1) if dated else None
        # Award values run from pennies to national frameworks: keep council-sized contracts.
        value = min(max(notice["value"] or 100_000, 10_000), 5_000_000)
        value *= float(nprng.lognormal(0.0, 0.5))
        status = "awarded" if published.year < 2025 else rng.choice(("open", "planned"))
        common = {
            "tender_id": t,
            "ocid": f"ocds-bench-{t:06d}",
            "buyer_id": buyer_id,
            "buyer_name": buyer_name,
            "published": published,
            "contract_start": start,
            "contract_end": end,
            "status": status,
            "recurring": rng.random() < 0.3,
            "framework": "framework" in notice["title"].lower(),
            **place,
        }
        n_lots = rng.choice((2, 3, 4)) if rng.random() < 0.1 else 0
        if not n_lots:
            items.append(
                DemandItem(
                    title=notice["title"],
                    description=notice["description"],
                    cpv_codes=notice["cpv"],
                    value_gbp=value,
                    **common,
                )
            )
            continue
        for k in range(n_lots):
            lot_id += 1
            part = classified[rng.randrange(len(classified))] if k else notice
            items.append(
                DemandItem(
                    lot_id=lot_id,
                    title=f"{notice['title']}: lot {k + 1}, {part['title']}",
                    description=part["description"],
                    cpv_codes=part["cpv"] or notice["cpv"],
                    value_gbp=value / n_lots,
                    **common,
                )
            )
    return items


# --- the area view against the whole index -----------------------------------------------------


def whole_index_coverage(index, items, area, settings, **kwargs):
    """Return coverage with area filters masked over the whole index (no area view).

    What the engine did before `MatchIndex.restrict`: score every supplier, then mask the area.
    Kept to time the change and to check the view changes nothing.
    """
    saved = engine_index.VIEW_MAX_SHARE
    engine_index.VIEW_MAX_SHARE = -1.0  # no area is small enough for a view
    try:
        index._views.clear()
        return coverage(index, items, area, settings, **kwargs)
    finally:
        engine_index.VIEW_MAX_SHARE = saved
        index._views.clear()


def public_found(index, items, area, settings):
    """Return the local matches of the public path (through the area view)."""
    return coverage(index, items, area, settings, wider=False).local


def check_view(whole, part) -> str:
    """Return how the view's local matches compare with the whole index's."""
    same = tied = 0
    for key, expected in whole.items():
        got = part[key]
        scores = [m.score for m in expected], [m.score for m in got]
        if [m.supplier_id for m in expected] == [m.supplier_id for m in got]:
            same += all(abs(a - b) < 1e-6 for a, b in zip(*scores, strict=True))
        elif all(abs(a - b) < 1e-6 for a, b in zip(*scores, strict=True)):
            tied += 1  # equal scores (to float rounding) ranked the other way round
        else:
            print(
                f"   ! {key}: {[(m.supplier_id, m.score) for m in expected]} != "
                f"{[(m.supplier_id, m.score) for m in got]}"
            )
    return f"{same}/{len(whole)} notices with identical local matches, {tied} differ by ties"


# --- the baseline ------------------------------------------------------------------------------


def tender_queries(items: list[DemandItem]):
    """Return one engine query per tender, with its lots, as a plain per-tender loop makes."""
    by_tender: dict[int, list[DemandItem]] = defaultdict(list)
    for item in items:
        by_tender[item.tender_id].append(item)
    queries = []
    for tender_id, parts in by_tender.items():
        query = demand_query(parts[0], tender_id)
        if parts[0].lot_id is not None:
            query.value = sum(p.contract_value or 0 for p in parts) or None
            query.lots = [
                LotQuery(p.lot_id, p.title, p.description, p.contract_value, p.cpv_codes)
                for p in parts
            ]
        queries.append(query)
    return queries


def baseline(index, items, area, settings, sample: int) -> tuple[float, int, int]:
    """Time one `match` per tender in the area and, when none covers it, one anywhere."""
    queries = tender_queries(items)
    chosen = queries[:: max(1, len(queries) // sample)][:sample]
    local = MatchOptions(area_lad_codes=area.lad_codes)
    anywhere = MatchOptions(weights={"geography": 0.0})
    started = time.perf_counter()
    for query in chosen:
        matches = index.match(query, local)
        if not any(m.score >= settings.threshold for m in matches):
            index.match(query, anywhere)
    seconds = time.perf_counter() - started
    return seconds * len(queries) / max(len(chosen), 1), len(chosen), len(queries)


# --- running -----------------------------------------------------------------------------------


def run_area(name, area, index, items, suppliers, settings, names, bridge, sample):
    print(f"\n== {name}: {len(area.lad_codes)} local authorities")
    started = time.perf_counter()
    chosen = select_demand(items, area, settings=settings)
    selecting = time.perf_counter() - started
    local_ids = [s.id for s in suppliers.values() if s.lad_code in area.lad_codes]
    tenders = len({i.tender_id for i in chosen})
    print(
        f"   {len(chosen):,} notices ({tenders:,} tenders) of {len(items):,}; "
        f"{len(local_ids):,} local suppliers of {len(suppliers):,}"
    )
    figures = {"notices": len(chosen), "select": selecting}

    kept = {}

    def report_with(cover):
        started = time.perf_counter()
        found = kept["found"] = cover(index, chosen, area, settings)
        report = gap_report(
            items, found, suppliers, area, settings, cpv_names=names, cpv_bridge=bridge
        )
        return report, time.perf_counter() - started

    index._views.clear()
    started = time.perf_counter()
    index._area_view(area.lad_codes)
    view_seconds = time.perf_counter() - started
    index._views.clear()
    # Cold: the first report for an area builds its view (cached for the next ones).
    runs = [report_with(coverage) for _ in range(3)]
    cold_seconds = runs[0][1]
    public = runs[-1][0]
    public_seconds = statistics.median(seconds for _, seconds in runs[1:])
    s = public.seconds
    print(
        f"   public API:  {public_seconds:6.2f} s  (local pass {s['local']:.2f}, wider pass "
        f"{s.get('wider', 0):.2f}, grouping and cards {s['report']:.2f}); first report for "
        f"the area {cold_seconds:.2f} s (builds its view: {view_seconds:.2f} s alone)"
    )
    whole, whole_seconds = report_with(whole_index_coverage)
    s = whole.seconds
    print(
        f"   whole index: {whole_seconds:6.2f} s  (local pass {s['local']:.2f}, wider pass "
        f"{s.get('wider', 0):.2f}; the area masked after scoring everyone, as before)"
    )
    print(
        f"   check: {check_view(kept['found'].local, public_found(index, chosen, area, settings))}"
    )
    assert [g.id for g in whole.gaps] == [g.id for g in public.gaps], "the view changed the gaps"
    started = time.perf_counter()
    matches = index.match_many(
        [demand_query(item, k) for k, item in enumerate(chosen)],
        MatchOptions(top_k=settings.top_k, area_lad_codes=area.lad_codes, match_lots=False),
    )
    print(
        f"   local pass with reasons for every candidate ({settings.top_k} a notice): "
        f"{time.perf_counter() - started:.2f} s ({sum(map(len, matches)):,} matches)"
    )
    naive, sampled, all_tenders = baseline(index, chosen, area, settings, sample)
    print(
        f"   baseline:    {naive:6.2f} s  (a match per tender, and one anywhere when none "
        f"covers it: {sampled} of {all_tenders:,} tenders timed, extrapolated)"
    )
    print(
        f"   ratio: baseline / public API {naive / public_seconds:.1f}x; "
        f"whole index / public API {whole_seconds / public_seconds:.1f}x"
    )
    totals = public.totals
    print(
        f"   {totals['gaps']} gaps, {totals['near_misses']} near misses; £ a year: demand "
        f"{totals['gbp_a_year']:,.0f}, covered {totals['covered_gbp_a_year']:,.0f}, near "
        f"misses {totals['near_miss_gbp_a_year']:,.0f}, gaps {totals['gap_gbp_a_year']:,.0f}"
    )
    best = np.array([n.best_local.score if n.best_local else 0.0 for n in public.notices])
    able = np.array([n.best_local.capability if n.best_local else 0.0 for n in public.notices])
    print(
        "   best local score, percentiles 10/25/50/75/90: "
        + " ".join(f"{v:.2f}" for v in np.percentile(best, [10, 25, 50, 75, 90]))
        + "; its capability: "
        + " ".join(f"{v:.2f}" for v in np.percentile(able, [10, 25, 50, 75, 90]))
    )
    shape = []
    for threshold in (0.45, 0.55):
        other = dataclasses.replace(settings, threshold=threshold)
        again = gap_report(items, kept["found"], suppliers, area, other).totals
        shape.append(f"{threshold:.2f}: {again['gaps']} gaps, £{again['gap_gbp_a_year']:,.0f}")
    print(f"   at other thresholds (the same coverage): {'; '.join(shape)}")
    for gap in public.top_gaps(3):
        print(
            f"   - {gap.id} {gap.name[:50]}: £{gap.gbp_a_year:,.0f} a year, "
            f"{gap.demand.anchor_count} anchors, {gap.demand.notices} notices; routes "
            f"{', '.join(gap.route_kinds) or 'none'}"
        )
    figures.update(
        public=public_seconds,
        cold=cold_seconds,
        whole=whole_seconds,
        view_build=view_seconds,
        baseline=naive,
    )
    return figures


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--suppliers", type=int, default=100_000)
    parser.add_argument("--tenders", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=40, help="tenders timed for the baseline")
    args = parser.parse_args(argv)
    data_dir = args.data_dir

    started = time.perf_counter()
    geo = GeoReference(str(data_dir), None)
    notices, firms = read_notices(data_dir), read_firms(data_dir)
    places = read_places(data_dir, geo)
    bridge, names = load_cpv_bridge(data_dir), load_cpv_names(data_dir)
    profiles, suppliers = make_suppliers(notices, firms, places, bridge, args.suppliers)
    items = make_demand(notices, places, args.tenders)
    print(
        f"data: {len(profiles):,} suppliers, {args.tenders:,} tenders as {len(items):,} "
        f"notices and lots, from {len(notices):,} real texts and {len(firms):,} real firms "
        f"({time.perf_counter() - started:.1f} s)"
    )
    started = time.perf_counter()
    index = MatchIndex.build(profiles)
    print(f"supplier index built in {time.perf_counter() - started:.1f} s (once; persisted)")
    settings = GapSettings(as_of=date(2025, 6, 1))
    results = {}
    for name, code in (("Lancashire", LANCASHIRE), ("North West", NORTH_WEST)):
        area = Area(lad_codes=geo.lad_codes_in(code), name=name)
        results[name] = run_area(
            name, area, index, items, suppliers, settings, names, bridge, args.sample
        )
    print("\nsummary (seconds)      notices  public API  first report  whole index  baseline")
    for name, f in results.items():
        print(
            f"  {name:<20} {f['notices']:>8,} {f['public']:>11.2f} {f['cold']:>13.2f} "
            f"{f['whole']:>12.2f} {f['baseline']:>9.1f}"
        )
    print("target: under 10 s for a gap report over 10,000 notices and 100,000 suppliers")


if __name__ == "__main__":
    main()
