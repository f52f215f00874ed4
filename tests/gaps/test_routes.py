"""Routes on the opportunity cards: new co-op, buyout, consortium and lot splitting."""

import dataclasses
from datetime import date

import pytest

from coopmatch.gaps import BUYOUT, CONSORTIUM, LOT_SPLIT, NEW_COOP, gap_report
from coopmatch.matching import Match

from .conftest import CHORLEY, LEEDS, laundry, local, notice


def weak(supplier_id, name="Unrelated local firm", score=0.2, capability=0.05):
    """An engine candidate that is local but cannot do the work."""
    return Match(
        supplier_id, score, 2.0, None, [], {"text": 0.05, "cpv": 0.0}, False, capability, name
    )


def report(items, suppliers, area, settings, matches=None):
    found = {i.key: list((matches or {}).get(i.key, [])) for i in items}
    return gap_report(items, found, {s.id: s for s in suppliers}, area, settings)


def only_gap(result):
    assert len(result.gaps) == 1, [g.id for g in result.gaps]
    return result.gaps[0]


def route(gap, kind):
    return next((r for r in gap.routes if r.kind == kind), None)


def test_sustained_recurring_demand_with_no_local_firm_suggests_a_new_coop(area, settings):
    items = [laundry(1, 2021), laundry(2, 2022), laundry(3, 2023)]
    gap = only_gap(report(items, [], area, settings))
    new = route(gap, NEW_COOP)
    assert new.confidence == "strong"
    assert new.data["gbp_a_year"] == pytest.approx(300_000, rel=0.01)
    assert "recurs" in new.text
    assert gap.notice_ids == ["ocds-test-1", "ocds-test-2", "ocds-test-3"]
    assert {n.item.notice_id for n in gap.notices} == set(gap.notice_ids)
    assert gap.reasons[0].kind == "capability"


def test_a_card_names_who_holds_the_contracts_now(area, settings):
    items = [laundry(1, 2022, awarded_supplier_ids=[9]), laundry(2, 2023, awarded_supplier_ids=[9])]
    far = local(9, "Yorkshire Linen Hire", place=LEEDS)
    gap = only_gap(report(items, [far], area, settings))
    assert gap.incumbents == [
        {
            "supplier_id": 9,
            "name": "Yorkshire Linen Hire",
            "local": False,
            "notice_ids": ["ocds-test-1", "ocds-test-2"],
        }
    ]


def test_small_or_one_off_demand_is_not_enough_for_a_new_coop(area, settings):
    small = [laundry(1, 2023, value=40_000)]
    gap = only_gap(report(small, [], area, settings))
    assert route(gap, NEW_COOP) is None
    # A card with no route says why, rather than nothing.
    assert gap.routes == [] and gap.no_route.startswith("At £40k a year this is under the £100k")
    assert gap.to_dict()["no_route"] == gap.no_route
    once = [laundry(1, 2023, value=250_000)]
    gap = only_gap(report(once, [], area, settings))
    assert route(gap, NEW_COOP).confidence == "possible" and gap.no_route == ""


def test_a_related_local_firm_with_a_succession_risk_is_a_buyout_candidate(area, settings):
    items = [laundry(1, 2022), laundry(2, 2023)]
    suppliers = [
        # Dry cleaning for the public: the same CPV division (98), flagged by its owners.
        local(
            1,
            "Preston Dry Cleaners",
            cpv_codes=["98312000"],
            succession_risk=True,
            incorporation_date=date(2004, 5, 1),
            capacity_gbp=80_000,
        ),
        # Incorporated 1979: a weak signal, still named.
        local(
            2,
            "Chorley Textile Care",
            place=CHORLEY,
            cpv_codes=[],
            sic_codes=["96010"],
            incorporation_date=date(1979, 3, 1),
        ),
        # Young, no flag: not a candidate.
        local(3, "Fresh Press Ltd", cpv_codes=["98310000"], incorporation_date=date(2019, 1, 1)),
        # Unrelated work: not a candidate, however old.
        local(4, "Lune Builders", cpv_codes=["45000000"], incorporation_date=date(1950, 1, 1)),
        # Owned by its workers already, or a charity: no one to buy them from.
        local(5, "Ribble Laundry Co-op", ownership="worker_coop", cpv_codes=["98310000"],
              succession_risk=True, incorporation_date=date(1970, 1, 1)),
        local(6, "Linen Aid", ownership="charity", cpv_codes=["98310000"],
              incorporation_date=date(1960, 1, 1)),
    ]
    bridge = {"98310000": ["96"], "98300000": ["96"]}
    found = {i.key: [weak(4, "Lune Builders")] for i in items}
    result = gap_report(
        items, found, {s.id: s for s in suppliers}, area, settings, cpv_bridge=bridge
    )
    buy = route(only_gap(result), BUYOUT)
    assert [s.name for s in buy.suppliers] == ["Preston Dry Cleaners", "Chorley Textile Care"]
    assert buy.confidence == "strong"
    assert "succession risk flagged" in buy.suppliers[0].why
    assert "incorporated 1979 (45 years)" in buy.suppliers[1].why
    assert "SIC 96010" in buy.suppliers[1].why
    assert "Preston Dry Cleaners" in buy.text


def test_two_firms_each_covering_half_the_codes_form_a_consortium(area, settings):
    canteen_and_meals = notice(
        1,
        "Staff canteen and school meals",
        ["55510000", "55511000", "55524000", "55523000"],
        400_000,
        contract_start=date(2023, 9, 1),
        contract_end=date(2026, 8, 31),
    )
    suppliers = [
        local(1, "Fylde Canteens", cpv_codes=["55510000", "55511000"], capacity_gbp=300_000),
        local(
            2,
            "Ribble Valley Meals Co-operative",
            cpv_codes=["55524000", "55523000"],
            capacity_gbp=300_000,
            ownership="worker_coop",
        ),
        local(3, "Lune Builders", cpv_codes=["45000000"]),
    ]
    gap = only_gap(report([canteen_and_meals], suppliers, area, settings))
    team = route(gap, CONSORTIUM)
    assert {s.name for s in team.suppliers} == {
        "Fylde Canteens",
        "Ribble Valley Meals Co-operative",
    }
    assert team.data["basis"] == "cpv"
    assert "none covers them all alone" in team.text


def test_one_firm_covering_every_code_is_no_consortium(area, settings):
    item = notice(1, "Canteen", ["55510000", "55524000"], 400_000)
    suppliers = [
        local(1, "Does It All", cpv_codes=["55510000", "55524000"]),
        local(2, "Canteens Only", cpv_codes=["55510000"]),
    ]
    assert route(only_gap(report([item], suppliers, area, settings)), CONSORTIUM) is None


def test_a_tender_too_big_for_any_local_firm_can_be_split_into_lots(area, settings):
    big = notice(
        1,
        "Grounds maintenance of all parks and cemeteries",
        ["77310000"],
        2_000_000,
        contract_start=date(2024, 1, 1),
        contract_end=date(2024, 12, 31),
    )
    suppliers = [
        local(1, "Greenspace Grounds", cpv_codes=["77310000"], capacity_gbp=900_000),
        local(2, "Wyre Landscapes", cpv_codes=["77313000"], capacity_gbp=700_000),
        local(3, "Pendle Tree Care", cpv_codes=["77211400"], capacity_gbp=650_000),  # forestry
        local(4, "Parks Co-op", cpv_codes=["77314000"], capacity_gbp=600_000),
    ]
    gap = only_gap(report([big], suppliers, area, settings))
    split = route(gap, LOT_SPLIT)
    assert split.lot_sizes_gbp == [900_000, 700_000, 400_000]
    assert [s.name for s in split.suppliers] == [
        "Greenspace Grounds",
        "Wyre Landscapes",
        "Parks Co-op",
    ]
    assert split.confidence == "strong"
    assert "£900k, £700k, £400k" in split.text
    # The same firms could also bid together: a consortium by size.
    assert route(gap, CONSORTIUM).data["basis"] == "capacity"


def test_lots_leave_a_remainder_when_local_capacity_falls_short(area, settings):
    big = notice(1, "Grounds maintenance", ["77310000"], 2_000_000)
    suppliers = [local(1, "Greenspace Grounds", cpv_codes=["77310000"], capacity_gbp=500_000)]
    split = route(only_gap(report([big], suppliers, area, settings)), LOT_SPLIT)
    assert split.lot_sizes_gbp == [500_000, 1_500_000]
    assert split.confidence == "possible"
    assert "leaving £1.5m as a lot for a larger supplier" in split.text


def test_a_lot_goes_to_a_firm_the_work_brought_not_one_only_nearby(area, settings):
    from coopmatch.matching import Reason

    big = notice(1, "Grounds maintenance", ["77310000"], 2_000_000)
    suppliers = [local(1, "Greenspace Grounds", cpv_codes=["77310000"], capacity_gbp=500_000),
                 local(2, "Preston Band Club", capacity_gbp=400_000)]

    # A demanding threshold: a firm able to do the work (0.4) does not yet cover the notice.
    strict = dataclasses.replace(settings, threshold=0.9)

    def lots_for(reasons):
        # The club scores as a capable firm would (its text shares the town with the notice).
        club = dataclasses.replace(weak(2, "Preston Band Club", capability=0.8), reasons=reasons)
        gap = only_gap(report([big], suppliers, area, strict, {(1, None): [club]}))
        return [s.name for s in route(gap, LOT_SPLIT).suppliers]

    assert lots_for([Reason("geography", "Under 1 km away.")]) == ["Greenspace Grounds"]
    work = [Reason("text", "Shared key terms: grounds maintenance.")]
    assert lots_for(work) == ["Greenspace Grounds", "Preston Band Club"]


def test_no_lots_when_a_local_firm_could_take_the_whole(area, settings):
    item = notice(1, "Grounds maintenance", ["77310000"], 200_000)
    suppliers = [local(1, "Greenspace Grounds", cpv_codes=["77310000"], capacity_gbp=500_000)]
    assert route(only_gap(report([item], suppliers, area, settings)), LOT_SPLIT) is None
