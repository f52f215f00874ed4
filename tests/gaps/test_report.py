"""The report's tables, sector summary, filters, sorting and exports; the real reference data."""

import csv
import io
import json
from datetime import date

import pytest

from coopmatch.gaps import (
    NEW_COOP,
    Area,
    GapSettings,
    filter_gaps,
    gap_report,
    load_cpv_bridge,
    load_cpv_names,
    select_demand,
    sic_divisions,
    sort_gaps,
)
from coopmatch.matching import Match, Reason

from .conftest import LEEDS, laundry, local, notice


def covered_by(supplier_id, reasons=None):
    if reasons is None:  # the engine's reasons: something about the work brought it
        reasons = [Reason("cpv", "Works under the tender's own CPV code 55524000.")]
    return [
        Match(supplier_id, 0.8, 1.0, None, reasons, {"text": 0.9, "cpv": 1.0}, False, 0.8, "")
    ]


@pytest.fixture
def items():
    return [
        laundry(1, 2021),
        laundry(2, 2022),
        laundry(3, 2023, buyer_id=12, buyer_name="Blackpool Teaching Hospitals"),
        notice(
            4,
            "Solar panels on schools",
            ["09331200"],
            1_200_000,
            published=date(2023, 6, 1),
            contract_start=date(2023, 9, 1),
            contract_end=date(2025, 8, 31),
            buyer_name="Lancashire County Council",
            buyer_id=13,
        ),
        notice(
            5,
            "School meals",
            ["55524000"],
            500_000,
            published=date(2022, 6, 1),
            buyer_id=13,
            buyer_name="Lancashire County Council",
        ),
        notice(6, "Gritting", ["90620000"], 90_000, published=date(2022, 11, 1), status="open"),
        notice(7, "Cancelled laundry", ["98310000"], 900_000, status="cancelled"),
        notice(8, "Leeds laundry", ["98310000"], 900_000, place=LEEDS),
        notice(9, "No code", [], 70_000, published=date(2022, 1, 1)),
    ]


@pytest.fixture
def result(items, area, settings):
    found = {i.key: [] for i in items}
    found[(5, None)] = covered_by(1)
    suppliers = {1: local(1, "Fylde Fresh Catering", cpv_codes=["55524000"])}
    names = {
        "98300000": "Miscellaneous services",
        "09300000": "Electricity, heating, solar and nuclear energy",
        "98000000": "Other community, social and personal services",
        "09000000": "Petroleum products, fuel, electricity and other sources of energy",
    }
    return gap_report(
        items,
        found,
        suppliers,
        area,
        settings,
        cpv_names=names,
        cpv_bridge={"98300000": ["96"], "09300000": ["35"]},
    )


def test_only_the_areas_live_demand_is_reported(result):
    ids = {n.item.tender_id for n in result.notices}
    assert ids == {1, 2, 3, 4, 5, 6, 9}  # not the cancelled one, not Leeds


def test_gaps_are_cards_by_cpv_group_largest_first(result):
    assert [g.id for g in result.gaps] == ["group-093", "group-983", "group-906"]
    solar, laundry_gap, gritting = result.gaps
    assert solar.gbp_a_year == pytest.approx(600_000, rel=0.01)
    assert solar.name == "Electricity, heating, solar and nuclear energy"
    assert solar.sic_divisions == ["35"]
    assert solar.demand.next_window == date(2025, 8, 31)
    assert laundry_gap.demand.anchors == [
        "Blackpool Teaching Hospitals",
        "Lancashire Teaching Hospitals",
    ]
    assert laundry_gap.demand.recurrence.reasons[:2] == [
        "bought again in later years (2021, 2022, 2023)",
        "bought by 2 anchors",
    ]
    assert gritting.demand.open_now == 1
    # Unclassified demand is summarised but gets no card: no sector to start a firm in.
    assert all(g.sector for g in result.gaps)


def test_a_firm_brought_only_by_where_it_is_covers_nothing(items, area, settings):
    # The same figures as the school meals' caterer, but no reason about the work: nearby
    # and big enough is not able to do it.
    found = {i.key: [] for i in items}
    found[(5, None)] = covered_by(1, reasons=[Reason("geography", "Under 1 km away.")])
    suppliers = {1: local(1, "Fylde Fresh Catering")}
    report = gap_report(items, found, suppliers, area, settings)
    meals = next(n for n in report.notices if n.item.tender_id == 5)
    assert meals.verdict == "gap"
    assert "group-555" in [g.id for g in report.gaps]


def test_a_near_miss_just_under_the_threshold_is_not_shown_as_reaching_it(items, area, settings):
    found = {i.key: [] for i in items}
    (match,) = covered_by(1)
    match.capability = 0.3996  # under 0.40, though it rounds to it
    found[(5, None)] = [match]
    report = gap_report(items, found, {1: local(1, "Fylde Fresh Catering")}, area, settings)
    (near,) = report.near_misses
    assert near.text == "Fylde Fresh Catering has a capability of 0.39, just under the 0.40 needed"
    assert near.detail == "has a capability of 0.39, just under the 0.40 needed"  # beside the name


def test_a_card_names_first_the_firm_whose_capability_it_quotes(items, area, settings):
    # Two laundry notices; the grocer scores highest on the first, and is most capable (0.25)
    # on the second. The card quotes 0.25 and names the grocer at 0.25, not at its best score.
    work = [Reason("cpv", "Works under CPV 98310000.")]

    def match(supplier_id, score, capability):
        return Match(supplier_id, score, 1.0, None, work, {}, False, capability, "")

    found = {i.key: [] for i in items}
    found[(1, None)] = [match(1, 0.40, 0.20), match(2, 0.35, 0.10)]
    found[(2, None)] = [match(1, 0.38, 0.25), match(2, 0.30, 0.05)]
    suppliers = {1: local(1, "Preston Foods Ltd"), 2: local(2, "Fylde Fresh Catering")}
    report = gap_report(items, found, suppliers, area, settings)
    card = next(g for g in report.gaps if g.id == "group-983")
    (reason,) = [r for r in card.reasons if r.kind == "capability"]
    assert "the closest local capability is 0.25" in reason.text
    assert [(s["name"], s["capability"]) for s in reason.suppliers] == [
        ("Preston Foods Ltd", 0.25), ("Fylde Fresh Catering", 0.1)]


def test_a_firm_elsewhere_is_named_as_able_only_if_the_work_brought_it(items, area, settings):
    from coopmatch.gaps import Coverage

    laundry_keys = [i.key for i in items if i.tender_id in (1, 2, 3)]
    suppliers = {7: local(7, "Leeds Linen", place=LEEDS), 8: local(8, "Leeds Garage", place=LEEDS)}

    def outside(reasons):
        wider = {key: covered_by(7, reasons) + covered_by(8, [Reason("geography", "In Leeds.")])
                 for key in laundry_keys}
        found = Coverage(local={i.key: [] for i in items}, wider=wider)
        report = gap_report(items, found, suppliers, area, settings)
        return [c.name for c in next(g for g in report.gaps if g.id == "group-983").outside]

    # The garage's figures are as high, but nothing about the work brought it.
    assert outside(None) == ["Leeds Linen"]
    assert outside([Reason("geography", "In Leeds.")]) == []


def test_sectors_split_demand_into_covered_near_miss_and_gap(result):
    by_code = {s.sector: s for s in result.sectors}
    assert set(by_code) == {"98", "09", "55", "90", ""}
    meals = by_code["55"]
    assert [n.item.tender_id for n in result.covered] == [5]
    assert meals.covered_gbp_a_year == pytest.approx(meals.gbp_a_year)
    assert meals.local_share == 1.0
    for sector in result.sectors:
        parts = sector.covered_gbp_a_year + sector.near_miss_gbp_a_year + sector.gap_gbp_a_year
        assert parts == pytest.approx(sector.gbp_a_year)
    totals = result.totals
    assert totals["gbp_a_year"] == pytest.approx(sum(s.gbp_a_year for s in result.sectors))
    assert totals["gaps"] == 3


def test_filters_and_sorting_for_the_gap_table(result):
    gaps = result.gaps
    assert [g.sector for g in filter_gaps(gaps, division="98")] == ["983"]
    assert [g.sector for g in filter_gaps(gaps, min_gbp_a_year=250_000)] == ["093", "983"]
    assert [g.sector for g in filter_gaps(gaps, route=NEW_COOP)] == ["093", "983"]
    assert [g.sector for g in filter_gaps(gaps, recurring=True)] == ["983"]
    assert [g.name for g in sort_gaps(gaps, "name")][0] == "CPV group 906"  # no name given
    assert [g.sector for g in sort_gaps(gaps, "notices")][0] == "983"
    assert result.top_gaps(1)[0].sector == "093"
    assert result.gap("group-983").sector == "983"
    with pytest.raises(ValueError, match="Sort by one of"):
        sort_gaps(gaps, "colour")


def test_json_and_csv_exports_trace_every_figure_to_notices(result):
    data = json.loads(json.dumps(result.to_dict()))
    assert data["area"]["name"] == "Lancashire"
    laundry_card = next(g for g in data["gaps"] if g["id"] == "group-983")
    assert laundry_card["demand"]["notice_ids"] == ["ocds-test-1", "ocds-test-2", "ocds-test-3"]
    assert [n["value_basis"]["basis"] for n in laundry_card["notices"]] == ["contract dates"] * 3
    rows = result.gap_rows()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    back = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert back[1]["notice_ids"] == "ocds-test-1;ocds-test-2;ocds-test-3"
    assert "new_coop" in back[1]["routes"]
    assert json.dumps([s.to_row() for s in result.sectors])


def test_the_period_selects_demand(items, area, settings):
    chosen = select_demand(items, area, date(2023, 1, 1), date(2023, 12, 31), settings)
    # 2022's laundry runs to March 2023; meals (2022, one year assumed) to May 2023.
    assert [i.tender_id for i in chosen] == [2, 3, 4, 5, 6]
    report = gap_report(
        items, {}, {}, area, settings, start=date(2023, 1, 1), end=date(2023, 12, 31)
    )
    assert {n.item.tender_id for n in report.notices} == {2, 3, 4, 5, 6}
    assert report.to_dict(cards=False)["period"] == {"from": "2023-01-01", "to": "2023-12-31"}


def test_settings_are_checked():
    with pytest.raises(ValueError):
        GapSettings(group_level="class")
    with pytest.raises(ValueError):
        Area()
    division = GapSettings(group_level="division")
    assert division.sector_digits == 2


def test_division_level_groups_cards_by_two_digits(items, area, settings):
    report = gap_report(
        items, {}, {}, area, GapSettings(group_level="division", as_of=settings.as_of)
    )
    assert {g.id for g in report.gaps} == {
        "division-98",
        "division-09",
        "division-55",
        "division-90",
    }


def test_the_real_bridge_and_names(data_dir):
    bridge = load_cpv_bridge(data_dir)
    names = load_cpv_names(data_dir)
    assert len(bridge) > 9000
    assert names["98310000"] == "Washing and dry-cleaning services"
    assert sic_divisions("98310000", bridge) == ["96"]  # other personal service activities
    assert sic_divisions("983", bridge) == ["96"]
    assert "35" in sic_divisions("09310000", bridge)  # electricity
    assert load_cpv_bridge(None) == {} and load_cpv_names(None) == {}
