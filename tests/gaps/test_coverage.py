"""A hand-made area through the real engine: gaps open, close, and near misses stay apart."""

from dataclasses import replace

import pytest

from coopmatch.gaps import (
    COVERED,
    GAP,
    NEAR_MISS,
    Area,
    could_decide,
    coverage,
    gap_report,
    select_demand,
)
from coopmatch.matching import MatchIndex

from .conftest import CHORLEY, LAUNDRY_TEXT, LEEDS, PRESTON, laundry, notice, profile, register_of

RIBBLE_LAUNDRY = profile(
    1, "Ribble Laundry Services", LAUNDRY_TEXT, cpv_codes=["98310000"], capacity_gbp=2_000_000
)
GREENSPACE = profile(
    2,
    "Greenspace Grounds Maintenance",
    "Grounds maintenance, grass cutting, "
    "hedge trimming, tree surgery and landscaping for councils.",
    cpv_codes=["77310000"],
    capacity_gbp=2_000_000,
)
PENNINE_IT = profile(
    3,
    "Pennine Digital",
    "Software development, IT support, cloud hosting and cyber security.",
    cpv_codes=["72000000"],
    capacity_gbp=5_000_000,
)
YORKSHIRE_LINEN = profile(
    5,
    "Yorkshire Linen Hire",
    "Commercial laundry and linen hire for "
    "hospitals: washing and ironing of linen, theatre gowns and uniforms.",
    place=LEEDS,
    cpv_codes=["98310000"],
    capacity_gbp=5_000_000,
)
CHORLEY_WASH = profile(
    6,
    "Chorley Wash Workers' Co-operative",
    LAUNDRY_TEXT,
    place=CHORLEY,
    cpv_codes=["98310000"],
    capacity_gbp=1_000_000,
    ownership="worker_coop",
)
SMALL_WASH = profile(
    7,
    "Little Linen Co-op",
    "Laundry and linen washing, ironing of bedding and towels for care homes.",
    cpv_codes=["98310000"],
    capacity_gbp=50_000,
    ownership="worker_coop",
)


# Other firms of the area, so that word weights are those of a register, not of three entries.
OTHERS = [
    profile(100 + k, name, text, capacity_gbp=500_000)
    for k, (name, text) in enumerate(
        [
            ("Fylde Fresh Catering", "School meals, hot lunches and catering for care homes."),
            ("Lune Building Contractors", "Building repairs, roofing, brickwork and extensions."),
            ("Ribble Print and Design", "Printing, leaflets, signage and graphic design."),
            ("Bowland Security", "Manned guarding, CCTV monitoring and key holding."),
            ("Wyre Community Transport", "Minibus hire, patient transport and school runs."),
            ("Pendle Electrical", "Electrical installation, testing and lighting upgrades."),
            ("Calder Cleaning Co-operative", "Office cleaning, window cleaning and deep cleans."),
            ("Hodder Accountancy", "Payroll, bookkeeping, audit and tax advice."),
        ]
    )
]


@pytest.fixture
def demand():
    grounds = notice(
        20,
        "Grounds maintenance of parks",
        ["77310000"],
        150_000,
        description="Grass cutting, hedges and shrub beds in parks and cemeteries.",
        buyer_id=11,
        buyer_name="Preston City Council",
    )
    return [laundry(1, 2021), laundry(2, 2022), laundry(3, 2023), grounds]


def run(register, demand, area, settings):
    index = MatchIndex.build(register + OTHERS)
    items = select_demand(demand, area, settings=settings)
    found = coverage(index, items, area, settings)
    return gap_report(demand, found, register_of(register + OTHERS), area, settings)


def verdicts(report, sector="983"):
    return {n.item.notice_id: n.verdict for n in report.notices if n.sector == sector}


def test_a_sector_becomes_a_gap_when_its_only_local_supplier_goes(demand, area, settings):
    everyone = [RIBBLE_LAUNDRY, GREENSPACE, PENNINE_IT, YORKSHIRE_LINEN]
    before = run(everyone, demand, area, settings)
    assert set(verdicts(before).values()) == {COVERED}
    assert before.gaps == []
    assert before.notices[0].best_local.name == "Ribble Laundry Services"

    after = run([GREENSPACE, PENNINE_IT, YORKSHIRE_LINEN], demand, area, settings)
    assert set(verdicts(after).values()) == {GAP}
    assert [g.id for g in after.gaps] == ["group-983"]
    gap = after.gaps[0]
    assert gap.notice_ids == ["ocds-test-1", "ocds-test-2", "ocds-test-3"]
    # Three yearly contracts of the same need are one stream: £300,000 a year, recurring.
    assert gap.gbp_a_year == pytest.approx(300_000, rel=0.01)
    assert gap.demand.recurring
    kinds = {r.kind: r for r in gap.reasons}
    assert "capability" in kinds
    # The capable firm is in Leeds: the card says so.
    assert "distance" in kinds and "Yorkshire Linen Hire" in kinds["distance"].text
    assert [c.name for c in gap.outside] == ["Yorkshire Linen Hire"]
    assert "new_coop" in gap.route_kinds
    # The grounds contract stays covered by the firm that does it.
    grounds = next(n for n in after.notices if n.item.tender_id == 20)
    assert grounds.verdict == COVERED and grounds.best_local.supplier_id == 2


def test_a_firm_outside_listed_twice_is_named_once(demand, area, settings):
    # Award notices spell one firm two ways until an administrator merges them.
    again = profile(7, "Yorkshire Linen Hire Ltd (Leeds)", YORKSHIRE_LINEN.text, place=LEEDS,
                    cpv_codes=["98310000"], capacity_gbp=5_000_000)
    report = run([GREENSPACE, PENNINE_IT, YORKSHIRE_LINEN, again], demand, area, settings)
    gap = next(g for g in report.gaps if g.id == "group-983")
    assert len([c for c in gap.outside if c.name.startswith("Yorkshire Linen")]) == 1
    kinds = {r.kind: r for r in gap.reasons}
    assert kinds["distance"].text.count("Yorkshire Linen") == 1


def test_firms_of_one_name_for_two_places_outside_are_both_named(demand, area, settings):
    # "... Bedfordshire" and "... Hertfordshire" are two laundries, not one firm listed twice.
    beds = profile(7, "Linen Hire Services Bedfordshire", YORKSHIRE_LINEN.text, place=LEEDS,
                   cpv_codes=["98310000"], capacity_gbp=5_000_000)
    herts = profile(9, "Linen Hire Services Hertfordshire", YORKSHIRE_LINEN.text, place=LEEDS,
                    cpv_codes=["98310000"], capacity_gbp=5_000_000)
    index = MatchIndex.build([GREENSPACE, PENNINE_IT, beds, herts] + OTHERS)
    found = coverage(index, select_demand(demand, area, settings=settings), area, settings)
    register = register_of([GREENSPACE, PENNINE_IT, beds, herts] + OTHERS)

    def named(places, apart=()):
        report = gap_report(demand, found, register, area, settings, places=places,
                            apart=apart)
        gap = next(g for g in report.gaps if g.id == "group-983")
        return sorted(c.name for c in gap.outside if c.name.startswith("Linen Hire"))

    assert len(named(None)) == 1  # taken for one firm listed twice
    assert len(named(None, apart={(7, 9)})) == 2  # unless an administrator said they are two
    shires = {"bedfordshire", "hertfordshire"}
    assert named(lambda name: {w for w in name.split() if w in shires}) == [
        "Linen Hire Services Bedfordshire", "Linen Hire Services Hertfordshire"]


def test_a_capable_firm_of_unknown_base_is_not_said_to_be_outside(demand, area, settings):
    # Award notices often give a winner no address: it may be in the area, and the card says
    # so rather than calling it a firm outside.
    nowhere = {"latitude": None, "longitude": None, "lad_code": None, "county_code": None,
               "region_code": None}
    unknown = profile(8, "Linen Services Ltd", YORKSHIRE_LINEN.text, place=nowhere,
                      cpv_codes=["98310000"], capacity_gbp=5_000_000)
    report = run([GREENSPACE, PENNINE_IT, YORKSHIRE_LINEN, unknown], demand, area, settings)
    gap = next(g for g in report.gaps if g.id == "group-983")
    placed = {c.name: c.placed for c in gap.outside}
    assert placed == {"Yorkshire Linen Hire": True, "Linen Services Ltd": False}
    text = next(r for r in gap.reasons if r.kind == "distance").text
    away, _, rest = text.partition("Firms whose base is not known")
    assert "Yorkshire Linen Hire" in away and "Linen Services Ltd" not in away
    assert "Linen Services Ltd" in rest
    alone = run([GREENSPACE, PENNINE_IT, unknown], demand, area, settings)
    text = next(r for r in alone.gaps[0].reasons if r.kind == "distance").text
    assert text.startswith("Firms whose base is not known, so not known to be local")
    assert "outside the area" not in text


def test_the_gap_closes_when_a_capable_local_firm_registers(demand, area, settings):
    report = run([GREENSPACE, PENNINE_IT, YORKSHIRE_LINEN, CHORLEY_WASH], demand, area, settings)
    assert set(verdicts(report).values()) == {COVERED}
    assert report.gaps == []
    best = {n.best_local.name for n in report.notices if n.sector == "983"}
    assert best == {"Chorley Wash Workers' Co-operative"}


def test_a_near_miss_is_reported_as_a_near_miss_not_a_gap(demand, area, settings):
    report = run([GREENSPACE, PENNINE_IT, YORKSHIRE_LINEN, SMALL_WASH], demand, area, settings)
    assert set(verdicts(report).values()) == {NEAR_MISS}
    assert report.gaps == []
    assert {n.supplier_name for n in report.near_misses} == {"Little Linen Co-op"}
    assert {n.kind for n in report.near_misses} == {"too_small"}
    assert "too small" in report.near_misses[0].text
    laundry_sector = next(s for s in report.groups if s.sector == "983")
    assert laundry_sector.near_miss_gbp_a_year == pytest.approx(300_000, rel=0.01)
    assert laundry_sector.gap_gbp_a_year == 0


def test_a_score_just_under_the_threshold_is_a_near_miss(demand, area, settings):
    everyone = [RIBBLE_LAUNDRY, GREENSPACE, PENNINE_IT, *OTHERS]
    index = MatchIndex.build(everyone)
    items = select_demand(demand, area, settings=settings)
    found = coverage(index, items, area, settings)
    best = max(m.capability for m in found.local[(1, None)])
    # Put the threshold just above the laundry firm's capability: within the margin, so a near
    # miss.
    nearly = type(settings)(threshold=best + 0.02, as_of=settings.as_of)
    report = gap_report(demand, found, register_of(everyone), area, nearly)
    assert verdicts(report) == dict.fromkeys(verdicts(report), NEAR_MISS)
    assert {n.kind for n in report.near_misses} == {"just_under"}
    assert report.gaps == []
    # Far under it (more than the margin), the same firm leaves a gap.
    assert best < 0.99
    far = type(settings)(threshold=1.0, near_miss_margin=(1.0 - best) / 2, as_of=settings.as_of)
    far_report = gap_report(demand, found, register_of(everyone), area, far)
    assert "983" in [g.sector for g in far_report.gaps]


def test_a_radius_counts_suppliers_near_each_notice(demand, settings):
    nearby = Area(radius_km=30, centre=(PRESTON["latitude"], PRESTON["longitude"]), name="30 km")
    register = [GREENSPACE, PENNINE_IT, YORKSHIRE_LINEN]
    report = run(register, demand, nearby, settings)
    assert [g.sector for g in report.gaps] == ["983"]
    assert report.gaps[0].outside[0].distance_km > 30
    # 120 km reaches Leeds: the Yorkshire firm is local then.
    wide = Area(radius_km=120, centre=(PRESTON["latitude"], PRESTON["longitude"]))
    assert run(register, demand, wide, settings).gaps == []


def test_coverage_skips_the_wider_pass_for_covered_notices(demand, area, settings):
    index = MatchIndex.build([RIBBLE_LAUNDRY, GREENSPACE, YORKSHIRE_LINEN, *OTHERS])
    items = select_demand(demand, area, settings=settings)
    found = coverage(index, items, area, settings)
    assert set(found.local) == {i.key for i in items}
    assert found.wider == {}
    assert all(m.supplier_id != 5 for matches in found.local.values() for m in matches)


def test_a_local_firm_that_shares_only_the_notices_place_decides_nothing(area, settings):
    from coopmatch.geo import PlaceWords

    # The club's name and text share the town with the notice, and nothing of the work.
    club = profile(8, "Bamber Bridge Band Club", "Bamber Bridge Band Club, Bamber Bridge.",
                   capacity_gbp=2_000_000)
    works = notice(30, "Bamber Bridge Leisure Centre Refurbishment Works", ["45453000"],
                   400_000, description="Refurbishment works at Bamber Bridge Leisure Centre.",
                   buyer_id=11, buyer_name="South Ribble Borough Council")
    index = MatchIndex.build([club, *OTHERS])
    items = select_demand([works], area, settings=settings)
    found = coverage(index, items, area, settings)
    (best,) = [m for m in found.local[(30, None)] if m.supplier_id == 8]
    # On its figures the club could nearly cover it (it is the best local match) ...
    assert could_decide(best, settings)
    assert best.reasons  # so the coverage pass asked for its reasons
    loose = type(settings)(threshold=best.capability + 0.01, as_of=settings.as_of)
    index.hidden_terms = PlaceWords(phrases={"bamber bridge": frozenset({"bamber", "bridge"})})
    found = coverage(index, items, area, loose)
    (best,) = [m for m in found.local[(30, None)] if m.supplier_id == 8]
    assert not best.fits_work  # ... but only the town brought it
    report = gap_report([works], found, register_of([club, *OTHERS]), area, loose)
    assert [n.verdict for n in report.notices] == [GAP]
    assert report.near_misses == []
    # Where its words do speak to the work, the same figures make it a near miss.
    index.hidden_terms = PlaceWords()
    found = coverage(index, items, area, loose)
    report = gap_report([works], found, register_of([club, *OTHERS]), area, loose)
    assert [n.verdict for n in report.notices] == [NEAR_MISS]
    assert [n.supplier_name for n in report.near_misses] == ["Bamber Bridge Band Club"]


HOSPITAL_LAUNDRY = profile(
    8,
    "Lancashire Teaching Hospitals Linen Service",
    LAUNDRY_TEXT,
    cpv_codes=["98310000"],
    capacity_gbp=2_000_000,
    ownership="public_body",
)
LEEDS_HOSPITAL_LAUNDRY = profile(
    9,
    "Leeds Teaching Hospitals Laundry",
    LAUNDRY_TEXT,
    place=LEEDS,
    cpv_codes=["98310000"],
    capacity_gbp=9_000_000,
    ownership="public_body",
)


@pytest.mark.parametrize("where", ["districts", "radius"])
def test_demand_only_a_public_body_meets_is_a_gap_when_only_firms_count(
        demand, area, settings, where):
    if where == "radius":
        area = Area(radius_km=30, centre=(PRESTON["latitude"], PRESTON["longitude"]))
    register = [HOSPITAL_LAUNDRY, LEEDS_HOSPITAL_LAUNDRY, GREENSPACE, YORKSHIRE_LINEN]
    counted = run(register, demand, area, settings)
    assert set(verdicts(counted).values()) == {COVERED}  # by default a public body counts
    assert {n.best_local.name for n in counted.notices if n.sector == "983"} == {
        HOSPITAL_LAUNDRY.name}

    firms = replace(settings, public_bodies=False)
    assert firms.excluded_ownership == {"public_body"}
    report = run(register, demand, area, firms)
    assert set(verdicts(report).values()) == {GAP}
    (gap,) = report.gaps
    assert gap.sector == "983" and "new_coop" in gap.route_kinds
    # Named outside: the firm in Leeds, not the Leeds hospital's own laundry.
    assert [c.name for c in gap.outside] == ["Yorkshire Linen Hire"]
    named = {s.name for route in gap.routes for s in route.suppliers}
    assert not named & {HOSPITAL_LAUNDRY.name, LEEDS_HOSPITAL_LAUNDRY.name}
    assert report.to_dict()["settings"]["public_bodies"] is False
    # The grounds contract is still met by the firm that does it.
    grounds = next(n for n in report.notices if n.item.tender_id == 20)
    assert grounds.verdict == COVERED
