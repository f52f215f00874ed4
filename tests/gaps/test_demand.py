"""£ a year, contract periods, streams of re-bought needs, recurrence and the period filter."""

from datetime import date

import pytest

from coopmatch.gaps import (
    GapSettings,
    annual_value,
    in_period,
    recurrence,
    stream_shares,
    summarise,
    typical_years,
)
from coopmatch.gaps.demand import stated_length

from .conftest import laundry, notice


def test_a_year_is_the_value_spread_over_the_contract_dates():
    item = notice(
        1,
        "Catering",
        ["55520000"],
        900_000,
        contract_start=date(2022, 4, 1),
        contract_end=date(2025, 3, 31),
    )
    annual = annual_value(item)
    assert annual.gbp == pytest.approx(300_000, rel=0.001)
    assert annual.years == pytest.approx(3.0, abs=0.01)
    assert annual.basis == "contract dates"


def test_the_awarded_value_wins_over_the_estimate():
    item = notice(
        1,
        "Catering",
        ["55520000"],
        900_000,
        awarded_value_gbp=600_000,
        contract_start=date(2022, 1, 1),
        contract_end=date(2023, 12, 31),
    )
    assert annual_value(item).gbp == pytest.approx(300_000, rel=0.001)


def test_a_short_contract_counts_whole_in_its_year():
    item = notice(
        1,
        "Winter gritting",
        ["90620000"],
        40_000,
        contract_start=date(2023, 11, 1),
        contract_end=date(2024, 1, 31),
    )
    assert annual_value(item).gbp == 40_000


def test_without_dates_the_cpv_groups_typical_length_is_used():
    settings = GapSettings()
    dated = [
        notice(
            k,
            "Laundry",
            ["98310000"],
            100_000,
            contract_start=date(2020, 1, 1),
            contract_end=date(2021 + k, 12, 31),
        )
        for k in range(3)  # 2, 3 and 4 years: a median of 3
    ]
    undated = notice(9, "Laundry", ["98311000"], 600_000, published=date(2024, 2, 1))
    typical = typical_years(dated, settings)
    annual = annual_value(undated, settings, typical)
    assert annual.gbp == pytest.approx(200_000, rel=0.01)
    assert "typical length of CPV group 983 (3 notices)" in annual.basis
    # With no dated notices of its kind: one year, and the basis says so.
    other = notice(10, "Taxis", ["60120000"], 50_000, published=date(2024, 2, 1))
    fallback = annual_value(other, settings, typical)
    assert fallback.gbp == 50_000 and fallback.basis.startswith("no dates")
    assert fallback.start == date(2024, 2, 1)


def test_frameworks_and_placeholder_end_dates_are_capped():
    framework = notice(1, "Linen framework", ["98310000"], 8_000_000, framework=True)
    assert annual_value(framework).gbp == 2_000_000  # four years, the legal maximum
    forever = notice(
        2,
        "Energy",
        ["09310000"],
        3_000_000,
        contract_start=date(2020, 1, 1),
        contract_end=date(2099, 12, 31),
    )
    capped = annual_value(forever)
    assert capped.gbp == pytest.approx(200_000)
    assert "capped at 15 years" in capped.basis


def test_a_notice_without_a_value_has_no_annual_value():
    assert annual_value(notice(1, "Laundry", ["98310000"], None)) is None


def test_yearly_rebuys_are_one_stream_and_two_buyers_are_two():
    items = [
        laundry(1, 2021),
        laundry(2, 2022),
        laundry(3, 2023),
        laundry(4, 2022, buyer_id=20, buyer_name="Blackpool Teaching Hospitals", value=100_000),
    ]
    annuals = {i.key: annual_value(i) for i in items}
    shares, stream_of = stream_shares(items, annuals)
    assert stream_of[(1, None)] == stream_of[(2, None)] == stream_of[(3, None)]
    assert stream_of[(4, None)] != stream_of[(1, None)]
    assert sum(shares.values()) == pytest.approx(400_000, rel=0.01)


def test_contracts_running_side_by_side_are_separate_needs():
    a = laundry(1, 2022)
    b = laundry(2, 2022, value=200_000)  # the same buyer, the same year, another site
    annuals = {i.key: annual_value(i) for i in (a, b)}
    shares, stream_of = stream_shares([a, b], annuals)
    assert stream_of[a.key] != stream_of[b.key]
    assert sum(shares.values()) == pytest.approx(500_000, rel=0.01)


def test_recurrence_across_years_and_across_anchors():
    settings = GapSettings(as_of=date(2024, 1, 1))
    rebought = [laundry(1, 2021), laundry(2, 2023)]
    annuals = {i.key: annual_value(i) for i in rebought}
    _, stream_of = stream_shares(rebought, annuals)
    found = recurrence(rebought, annuals, stream_of)
    assert found.recurring and found.rebought == 1
    assert found.years == [2021, 2023]
    assert "bought again" in found.reasons[0]

    two_anchors = [laundry(1, 2023), laundry(2, 2023, buyer_id=20, buyer_name="Blackpool")]
    annuals = {i.key: annual_value(i) for i in two_anchors}
    shares, stream_of = stream_shares(two_anchors, annuals)
    found = recurrence(two_anchors, annuals, stream_of)
    assert found.recurring and found.anchors == 2 and found.rebought == 0
    assert found.reasons == ["bought by 2 anchors"]

    once = [laundry(1, 2023)]
    annuals = {i.key: annual_value(i) for i in once}
    shares, stream_of = stream_shares(once, annuals)
    assert not recurrence(once, annuals, stream_of).recurring
    flagged = [laundry(1, 2023, recurring=True)]
    assert recurrence(flagged, annuals, stream_of).reasons == ["1 notice marked recurring"]

    three = [*rebought, laundry(3, 2024)]
    annuals = {i.key: annual_value(i) for i in three}
    summary = summarise(three, annuals, *stream_shares(three, annuals), settings.today)
    assert summary.next_window == date(2024, 3, 31)
    assert summary.notice_ids == ["ocds-test-1", "ocds-test-2", "ocds-test-3"]
    assert summary.typical_lot_gbp == 300_000


def test_the_period_takes_notices_published_or_running_in_it():
    item = laundry(1, 2021)  # published January 2021, runs April 2021 to March 2022
    annual = annual_value(item)
    assert in_period(item, annual, date(2021, 1, 1), date(2021, 12, 31))
    assert in_period(item, annual, date(2022, 1, 1), date(2022, 12, 31))  # still running
    assert not in_period(item, annual, date(2023, 1, 1), None)
    assert not in_period(item, annual, None, date(2020, 12, 31))
    assert in_period(item, annual, None, None)


def test_uncoded_demand_takes_a_confident_suggestion_only():
    from coopmatch.gaps import DemandItem, classify_uncoded

    asked = []

    def suggest(text):
        asked.append(text)
        return [("98310000", "Washing services", 0.6)] if "laundry" in text else [
            ("79000000", "Business services", 0.1)]

    items = [
        DemandItem(tender_id=1, title="Laundry", description="Linen laundry", cpv_codes=[]),
        DemandItem(tender_id=2, title="Various", description="", cpv_codes=[]),
        DemandItem(tender_id=3, title="Meals", cpv_codes=["55523100"]),
    ]
    out = classify_uncoded(items, suggest)
    assert [(i.cpv_codes, i.cpv_suggested) for i in out] == [
        (["98310000"], True), ([], False), (["55523100"], False)]
    assert asked == ["Laundry. Linen laundry", "Various. "]  # coded items are not asked about
    assert items[0].cpv_codes == []  # the originals are left as they were


@pytest.mark.parametrize("title, description, years, words", [
    # As Lancashire's councils word them (their notices give no contract dates).
    ("Facilities Management Contract Burnley Bus Station", "The contract is for 3 years.",
     3, "contract is for 3 years"),
    ("Young Persons Housing Advice", "A 24-month contract starting in April.", 2,
     "24-month contract"),
    ("SPS 2820 - Stray Dog Collection", "The contract will be for an initial period of two (2) "
     "years.", 2, "contract will be for an initial period of two (2) years"),
    ("CCTV Maintenance Contract", "The contract period will be 3 years with the option to "
     "extend for up to an additional 2 years.", 5, "contract period will be 3 years … extend "
     "for up to an additional 2 years"),
    ("Waste & Cleansing Services 2026 - 2034 Burnley", "To commence on 1st April 2026 for a "
     "potential initial term of 8 years with a possible extension for a further 1 + 1 year.",
     10, "term of 8 years … extension for a further 1 + 1 year"),
    ("Advice services", "The Contract will run for an initial period of 12 months with the "
     "option to extend annually to a maximum period of three years.", 3,
     "Contract will run for an initial period of 12 months … extend annually to a maximum "
     "period of three years"),
    ("Insurance", "Policies on a 3+1+1 years basis.", 5, "3+1+1 years"),
    ("Bulky Waste Service 2024 - 2027", "", 3, "2024 - 2027"),
    ("Provision of Agency Staff 2024-25", "", 1, "2024-25"),
])
def test_a_notice_without_dates_is_read_for_the_length_it_states(title, description, years,
                                                                 words):
    assert stated_length(title, description, date(2024, 1, 1)) == (years, words)


@pytest.mark.parametrize("title, description", [
    ("Long Term Plan for the Town", "Consultancy including a 10-year vision for the town."),
    ("Youth support", "Support for young people aged 16 to 25 years."),
    ("Careers Hub", "The council may extend the contract by up to a further 24 months."),
    ("Carbon Zero Pathway 2025-2050", "A plan for the district."),  # over 15 years
    ("Local Wildlife Sites 2019 - 2021", "Habitat surveys."),  # five years before publication
    ("Staff", "Applicants need 5 years experience."),
])
def test_words_that_state_no_contract_length_are_not_read_as_one(title, description):
    assert stated_length(title, description, date(2024, 1, 1)) is None


def test_a_stated_length_spreads_the_value_before_any_typical_length():
    settings = GapSettings()
    stated = notice(1, "Bulky Waste Service 2024 - 2027", ["90511000"], 900_000,
                    published=date(2024, 2, 1))
    annual = annual_value(stated, settings, {"905": (1.0, 9), "90": (1.0, 20)})
    assert annual.gbp == pytest.approx(300_000) and annual.years == 3
    assert annual.basis == "length stated in the notice: \u201c2024 - 2027\u201d"
    assert annual.start == date(2024, 2, 1) and annual.end.year == 2027
    # Dates still win; and a framework stating its length is spread over it, not four years.
    dated = notice(2, "Bulky Waste Service 2024 - 2027", ["90511000"], 900_000,
                   contract_start=date(2024, 4, 1), contract_end=date(2026, 3, 31))
    assert annual_value(dated, settings).basis == "contract dates"
    framework = notice(3, "Linen framework", ["98310000"], 8_000_000, framework=True,
                       description="A two-year framework agreement.")
    assert annual_value(framework, settings).gbp == 4_000_000
    # A length only the words state is no example of the typical length of its group.
    stated_only = [notice(k, f"Re-roofing 202{k}/2{k + 1}", ["45261000"], 50_000,
                          published=date(2020 + k, 2, 1)) for k in range(3)]
    assert [annual_value(n, settings).years for n in stated_only] == [1, 1, 1]
    assert typical_years(stated_only, settings) == {}
