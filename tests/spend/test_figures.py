"""The hand-made ledger end to end: every figure worked out by hand."""

from datetime import date

import pytest

from coopmatch.spend import (
    AnchorArea,
    build_table,
    classify_suppliers,
    concat_tables,
    group_figures,
    ownership_groups,
    read_ledger,
    resolve_suppliers,
    spend_figures,
    table_from_columns,
)
from tests.spend.handmade import (
    AREA,
    HYNDBURN,
    LANCASHIRE,
    LOCATIONS,
    NORTH_WEST,
    OWNERSHIP,
    REGISTER,
)


def _table(path):
    ledger = read_ledger(path)
    assert ledger.errors == []
    names = [p.supplier_name for p in ledger.payments]
    resolutions = resolve_suppliers(names, REGISTER)
    return build_table(ledger.payments, resolutions, anchor="hyndburn")


@pytest.fixture
def figures(hand_ledger):
    return spend_figures(_table(hand_ledger), AREA, LOCATIONS, ownership=OWNERSHIP, top=3)


def test_each_tier_per_financial_year_over_that_years_total(figures):
    assert [y.label for y in figures.years] == ["2019/20", "2020/21"]
    first = figures.year("2019/20").split
    assert first.total == 1_000_000  # £10,000.00, the £200 credit netted off
    assert first.tiers == {
        "local_authority": 380_000,  # joinery £1,000 - £200, energy firm's Hyndburn branch £3,000
        "wider_area": 50_000,
        "region": 200_000,
        "rest_of_uk": 70_000,
        "outside_uk": 100_000,
        "unknown": 200_000,  # no location £300, redacted £1,200, unresolved £500
    }
    assert first.shares == {
        "local_authority": 0.38,
        "wider_area": 0.05,
        "region": 0.20,
        "rest_of_uk": 0.07,
        "outside_uk": 0.10,
        "unknown": 0.20,
    }
    assert first.payments == 10
    second = figures.year(2020).split
    assert second.total == 400_000
    assert second.local == 200_000
    assert second.local_share == 0.5
    assert second.tiers["rest_of_uk"] == 100_000  # £1,500 less a £500 credit
    assert second.redacted == 100_000


def test_leakage_and_the_wider_area_view(figures):
    split = figures.year("2019/20").split
    assert split.leakage == 620_000
    assert split.wider_local == 430_000
    assert split.wider_share == pytest.approx(0.43)
    assert split.wider_leakage == 570_000
    assert split.known_leakage == 420_000  # leakage less the £2,000 whose location is unknown


def test_resolved_unresolved_and_redacted_spend(figures):
    split = figures.year("2019/20").split
    assert (split.resolved, split.unresolved, split.redacted) == (830_000, 50_000, 120_000)
    # Of the £2,000 whose location is not known, £300 is with a matched supplier not placed.
    assert split.unplaced == 30_000 and split.to_dict()["unplaced"] == 300.0
    overall = figures.overall.split
    assert overall.total == 1_400_000
    assert (overall.resolved, overall.unresolved, overall.redacted) == (1_130_000, 50_000, 220_000)


def test_registered_office_view_ignores_branches(figures):
    office = figures.year("2019/20").registered_office
    assert office.local == 80_000
    assert office.tiers["rest_of_uk"] == 370_000  # the energy firm's London office + Leeds


def test_split_by_expense_type(figures):
    by_type = figures.year("2019/20").by_expense_type
    assert set(by_type) == {
        "Repairs",
        "Printing",
        "Cleaning",
        "Energy",
        "Software",
        "Legal",
        "Consultancy",
        "Care",
    }
    repairs = by_type["Repairs"]
    assert repairs.total == 130_000  # £1,000 - £200 + £500 unresolved
    assert repairs.local == 80_000
    assert repairs.unresolved == 50_000
    assert by_type["Care"].redacted == 120_000
    assert sum(s.total for s in by_type.values()) == 1_000_000


def test_split_by_ownership(figures, hand_ledger):
    by_owner = figures.year("2019/20").by_ownership
    assert {label: s.total for label, s in by_owner.items()} == {
        "worker_coop": 80_000,
        "multi_stakeholder_coop": 50_000,
        "sme": 300_000,
        "large_company": 400_000,
        "redacted": 120_000,
        "unresolved": 50_000,
    }
    assert by_owner["large_company"].local == 300_000
    grouped = spend_figures(
        _table(hand_ledger), AREA, LOCATIONS, ownership=ownership_groups(OWNERSHIP)
    ).year("2019/20")
    assert grouped.by_ownership["co-operative"].total == 130_000
    assert grouped.by_ownership["large firm"].total == 400_000
    # An award winner no notice flagged is not counted as an SME.
    assert ownership_groups({9: "unknown", 10: "sme"}) == {9: "ownership not known", 10: "SME"}


def test_top_non_local_suppliers_are_repatriation_targets(figures):
    top = figures.year("2019/20").top_non_local
    assert [(s.supplier_id, s.pence, s.tier) for s in top] == [
        (3, 200_000, "region"),
        (5, 100_000, "outside_uk"),
        (6, 70_000, "rest_of_uk"),
    ]
    assert top[0].name == "Manchester Cleaning Services"
    unresolved = figures.year("2019/20").top_unresolved
    assert [(n.name, n.pence) for n in unresolved] == [("Unknown Trader XYZ", 50_000)]


def test_suppliers_that_are_not_targets_count_but_are_not_listed(hand_ledger, figures):
    # A public body (another council) is counted in every figure, but its services are not
    # work a local firm could take on, so it is not listed as a repatriation target.
    left_out = spend_figures(_table(hand_ledger), AREA, LOCATIONS, ownership=OWNERSHIP, top=3,
                             not_targets={3})
    year = left_out.year("2019/20")
    assert [s.supplier_id for s in year.top_non_local] == [5, 6, 2]  # 3 left out, 2 moves up
    assert year.split == figures.year("2019/20").split


def test_year_on_year_change_in_local_share(figures):
    first, last = figures.change()
    assert (first.label, first.local_share) == ("2019/20", 0.38)
    assert (last.label, last.local_share) == ("2020/21", 0.5)
    assert last.change == pytest.approx(12.0)
    assert figures.trend[0].change is None


def test_to_dict_gives_pounds(figures):
    data = figures.year("2019/20").split.to_dict()
    assert data["total"] == 10_000.0
    assert data["local"] == 3_800.0
    assert data["leakage"] == 6_200.0


def test_a_group_of_anchors_measured_together_and_each_on_its_own():
    pendle = AnchorArea("E07000122", LANCASHIRE, NORTH_WEST)
    lancashire = AnchorArea("", LANCASHIRE, NORTH_WEST)
    hyndburn_table = table_from_columns(
        [date(2019, 5, 1), date(2019, 6, 1)], [10_000, 30_000], [1, 2], anchors=["hbc"] * 2
    )
    pendle_table = table_from_columns(
        [date(2019, 5, 1), date(2020, 1, 1)], [20_000, 40_000], [2, None], anchors=["pbc"] * 2
    )
    group = group_figures(
        {"hbc": (AREA, hyndburn_table), "pbc": (pendle, pendle_table)},
        lancashire,
        LOCATIONS,
    )
    combined = group.combined.year("2019/20").split
    assert combined.total == 100_000
    assert combined.tiers["wider_area"] == 60_000  # every located supplier is in Lancashire
    assert combined.unresolved == 40_000
    assert group.members["hbc"].year("2019/20").split.local == 10_000
    assert group.members["pbc"].year("2019/20").split.local == 20_000


def test_tables_concatenate_with_their_own_codes():
    one = table_from_columns([date(2019, 5, 1)], [100], [7], supplier_names=["A"])
    two = table_from_columns([date(2019, 5, 1)], [200], [9], redacted=[True])
    both = concat_tables([one, two])
    assert both.supplier_ids == [7, 9]
    assert both.supplier.tolist() == [0, -2]
    assert both.pence.tolist() == [100, 200]


def test_rows_summed_by_year_count_their_payments_through_every_step():
    summed = table_from_columns(None, [600, 50], [7, None], financial_years=[2019, 2020],
                                payments=[3, 1], supplier_names=["A", "B"])
    one = table_from_columns([date(2019, 5, 1)], [100], [9])
    both = concat_tables([summed, one]).without_suppliers({9})
    assert both.payments.tolist() == [3, 1] and both.financial_year.tolist() == [2019, 2020]
    figures = spend_figures(concat_tables([summed, one]), AREA, LOCATIONS)
    assert figures.year("2019/20").split.payments == 4  # three summed, one alone
    assert figures.year("2019/20").split.total == 700
    assert figures.year("2020/21").split.payments == 1


def test_payments_to_some_suppliers_are_left_out():
    table = table_from_columns([date(2019, 5, 1)] * 4, [100, 200, 300, 400], [7, 9, None, 7],
                               supplier_names=["A", "B", "C", "A"])
    kept = table.without_suppliers({7})
    assert kept.pence.tolist() == [200, 300]  # the unresolved payment stays
    assert [kept.supplier_ids[i] for i in kept.supplier.tolist() if i >= 0] == [9]
    assert table.without_suppliers(set()).pence.tolist() == [100, 200, 300, 400]


def test_split_by_supplier_sector_and_one_anchors_rows(hand_ledger):
    ledger = read_ledger(hand_ledger)
    resolutions = resolve_suppliers([p.supplier_name for p in ledger.payments], REGISTER)
    table = build_table(ledger.payments, resolutions, anchor="hyndburn")
    sectors = {1: "F Construction", 2: "C Manufacturing", 3: "N Support services"}
    figures = spend_figures(table, AREA, LOCATIONS, sectors=sectors)
    by_sector = figures.year("2019/20").by_sector
    assert by_sector["F Construction"].total == 80_000
    assert by_sector["unknown"].total == 500_000  # energy, software, legal, consulting: no sector
    assert by_sector["unresolved"].total == 50_000
    assert table.only_anchor("hyndburn").pence.sum() == 1_400_000
    assert len(table.only_anchor("elsewhere")) == 0


def test_precomputed_tiers_are_accepted(figures):
    tiers = classify_suppliers(AREA, LOCATIONS)
    table = table_from_columns([date(2019, 5, 1)], [500], [4])
    again = spend_figures(table, AREA, tiers)
    assert again.overall.split.local == 500
    assert again.overall.registered_office.tiers["rest_of_uk"] == 500


def test_no_payments_gives_empty_figures():
    table = table_from_columns([], [], [])
    empty = spend_figures(table, AnchorArea(HYNDBURN), {})
    assert empty.years == []
    assert empty.overall.split.total == 0
    assert empty.overall.split.local_share is None
    assert empty.change() is None
