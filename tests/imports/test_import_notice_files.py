"""The CSV and JSON notice files other than OCDS JSON, on the real files."""

import csv
import json
from collections import Counter
from datetime import date

import pytest

from coopmatch.imports import contracts_finder
from coopmatch.imports.formats import parse_file
from coopmatch.imports.notices import split_supplier_names
from coopmatch.names import names_no_supplier
from tests.imports.helpers import FIXTURES, by_ocid, errors, notices

CSV = "procurement-data/contracts-finder-csv/"
LANCASHIRE = "procurement-data/lancashire-contracts-finder/lancashire_councils_cf_notices"
TED = "procurement-data/ted-uk-awards-2020/ted_uk_contract_awards_2020-01_to_10.csv"
PAIRS = "procurement-data/labelled/award_supplier_pairs_uk.csv"


def test_contracts_finder_export_open_notices(parsed):
    results = parsed("contracts-finder", CSV + "cf_export_2025-11_bidboost.csv")
    found = notices(results)
    assert (len(found), errors(results)) == (852, [])
    assert len({n.ocid for n in found}) == 852
    assert Counter(n.status for n in found) == {"open": 641, "planned": 211}  # Pipeline etc.
    pool = found[0]
    assert pool.ocid == "cf-castle-pool-community-partnership-castle-pool-infrastructure-support"
    assert (pool.title, pool.buyer.name, pool.buyer.postcode) == (
        "Castle Vale pool",
        "Castle Pool Community Partnership",
        "B35 7EH",
    )
    assert (pool.cpv_codes, pool.value, pool.delivery_postcode) == (
        ["50000000", "51000000"],
        70000.0,
        "B35 7EH",
    )
    assert (pool.deadline, pool.contract_start, pool.contract_end) == (
        date(2025, 11, 21),
        date(2025, 12, 1),
        date(2026, 2, 28),
    )
    # How each is let, from "OJEU Procedure Type": "Other Dynamic Purchasing System" and the
    # like are DPSs, "CallOffFromFrameworkAgreement" call-offs; the nine
    # "CallOffFromDynamicPurchasingSystem" are left to their words (buyers pick it for a DPS's
    # own notice too, as "Highways DPS").
    assert Counter(n.arrangement for n in found) == {"": 837, "dps": 13, "call_off": 2}
    dps = {n.title for n in found if n.arrangement == "dps"}
    assert "DPS for Home to School Transport" in dps and "Highways DPS" not in dps
    guid = by_ocid(results)["cf-1b94e713-a116-4dea-ab8e-43db3a85d1b5"]
    assert guid.notice_url == (
        "https://www.contractsfinder.service.gov.uk/Notice/1b94e713-a116-4dea-ab8e-43db3a85d1b5"
    )


def test_contracts_finder_references_that_differ_only_by_punctuation_stay_apart():
    assert contracts_finder.notice_ocid("07/01/2025", "Transport for London") != (
        contracts_finder.notice_ocid("07/01/2025.", "Transport for London")
    )


def test_contracts_finder_awarded_rows_carry_their_suppliers(cpv):
    awarded, pipeline = contracts_finder.parse(FIXTURES / "cf_export_awarded.csv", cpv=cpv)
    assert awarded.ocid == "cf-aa3cbb34-ce2c-487c-a94a-dba7cc088ac4"
    assert awarded.description == "Restore & convert St John's Centre"
    assert awarded.cpv_codes == ["45000000"]  # the malformed second code is dropped
    assert (awarded.status, awarded.contract_start) == ("awarded", date(2026, 3, 1))
    barnfield, cic = (a.supplier for a in awarded.awards)
    assert (barnfield.name, barnfield.postcode, barnfield.registration_number) == (
        "Barnfield Construction Limited",
        "BB11 5BZ",
        "01234567",
    )
    assert (cic.name, cic.postcode, cic.is_sme) == ("Little Builders CIC", None, True)
    assert {a.value for a in awarded.awards} == {8_000_000}
    assert awarded.awards[0].award_date == date(2026, 2, 25)
    assert (pipeline.status, pipeline.value, pipeline.delivery_area) == ("planned", None, None)
    assert pipeline.notice_url == "https://burnley.example/tenders"


@pytest.mark.parametrize(("column", "value", "said"), [
    ("Closing Date", "TBC", "'TBC' is not a date"),
    ("Start Date", "31/02/2026", "'31/02/2026' is not a date"),
    ("Value High", "about 8m", "'about 8m' is not an amount of money"),
    ("Awarded Value", "-8000000", "'-8000000' is below zero"),
])
def test_contracts_finder_refuses_a_row_whose_date_or_amount_cannot_be_read(
        tmp_path, cpv, column, value, said):
    with open(FIXTURES / "cf_export_awarded.csv", newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    rows[0][header.index(column)] = value
    rows[1][header.index("Start Date")] = "01/01/1"  # Contracts Finder's "not given"
    path = tmp_path / "edited.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    error, pipeline = contracts_finder.parse(path, cpv=cpv)
    assert (error.line, error.field, error.reason) == (2, column, said)
    assert pipeline.ocid == "cf-burnley-borough-council-bdc-2025-01"
    assert pipeline.contract_start is None


def test_flattened_ocds_csv(parsed):
    results = parsed("ocds-csv", CSV + "cf_daily_ocds_flat_2020-08-05_silvereye.csv")
    found = notices(results)
    assert (len(found), errors(results)) == (29, [])
    assert sum(len(n.awards) for n in found) == 28
    leicester = found[0]
    assert leicester.ocid == "ocds-b5fd17-0352a521-4cd7-4fc0-8ad6-cb4668990c6d"
    assert (leicester.buyer.name, leicester.buyer.postcode) == ("Leicester City Council", "LE1 1FZ")
    assert (leicester.cpv_codes, leicester.value) == (["73000000"], 35000.0)
    # OCDS 1.0 Contracts Finder gives contract dates only as milestones.
    assert (leicester.contract_start, leicester.contract_end) == (
        date(2020, 9, 28),
        date(2022, 8, 31),
    )
    telford = by_ocid(results)["ocds-b5fd17-e9732077-fbcb-40ba-a350-d91cd9e69af4"]
    [award] = telford.awards
    assert (award.supplier.name, award.supplier.postcode, award.value) == (
        "Alphatec Software Limited",
        "NN7 4GS",
        50000.0,
    )


def test_silvereye_awards_take_the_cf_ocid_from_the_notice_id(parsed):
    results = parsed("silvereye-awards", CSV + "silvereye_sample_awards_2020.csv")
    found = notices(results)
    assert (len(found), errors(results)) == (352, [])
    assert sum(len(n.awards) for n in found) == 352
    assert sum(1 for n in found for a in n.awards if a.supplier.postcode) == 231
    assert not any(n.cpv_codes for n in found)  # the classification columns are empty
    first = found[0]
    assert first.ocid == "ocds-b5fd17-cdba1419-3c10-4c5e-976e-19a1c2ca509d"
    assert (first.title, first.buyer.name, first.status) == (
        "PM Services - Finsbury Circus",
        "City of London Corporation",
        "awarded",
    )
    [award] = first.awards
    assert (award.supplier.name, award.supplier.postcode, award.value) == (
        "Potter Raper Partnership",
        "BR3 3LA",
        95905.88,
    )


def test_silvereye_tenders(parsed):
    results = parsed("silvereye-tenders", CSV + "silvereye_sample_tenders_2020.csv")
    found = notices(results)
    assert (len(found), errors(results)) == (134, [])
    assert all(n.status == "open" for n in found)
    warmth = next(n for n in found if n.title.startswith("Clustering for Warmth"))
    assert warmth.cpv_codes == ["09323000"]  # "9323000" lost its leading zero in a spreadsheet
    art = found[0]
    assert (art.value, art.deadline) == (None, date(2020, 7, 17))  # "0.0" means not given


def test_ted_rows_group_into_notices_with_several_awards(parsed):
    results = parsed("ted-awards", TED)
    found = notices(results)
    assert (len(found), errors(results)) == (3024, [])
    # 7,042 rows, less 127 that name no supplier.
    assert sum(len(n.awards) for n in found) == 6915
    assert not any(n.cpv_codes for n in found)
    marsden = by_ocid(results)["ted-001412-2020"]
    assert (marsden.buyer.name, marsden.buyer.postcode) == (
        "The Royal Marsden NHS Foundation Trusts",
        "SW10 0XD",
    )
    assert marsden.value == 4_000_000  # "1000000-4000000": the upper end
    assert marsden.awards[0].award_date == date(2020, 1, 3)
    audit = by_ocid(results)["ted-003448-2020"]
    assert len(audit.awards) == 11
    bdo = audit.awards[0]
    assert (bdo.supplier.name, bdo.supplier.postcode, bdo.supplier.registration_number) == (
        "BDO LLP",
        "W1U 7EU",
        "OC305127",
    )
    assert {a.external_id for a in audit.awards} == {"ted-003448-2020"}


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_lancashire_notices(parsed, suffix):
    results = parsed(f"lancashire{suffix.replace('.', '-')}", LANCASHIRE + suffix)
    found = notices(results)
    # 1,224 listings, one notice shared by two councils.
    assert (len(found), errors(results)) == (1223, [])
    # Two "awarded" notices name their winner "abandoned" or "Tender abandoned": cancelled.
    assert Counter(n.status for n in found) == {
        "awarded": 800,
        "closed": 408,
        "cancelled": 12,
        "open": 3,
    }
    # 17 placeholders name no winner: "Multiple suppliers - see attached", "DATE NOW PASSED",
    # "NOT AWARDED TO SUPPLIER", "Contract not awarded", "The contract has not been awarded
    # and the procedure is now concl[uded]", "Not Applicable", "Name withheld (as
    # individual and not a company)", "abandoned" and "Tender abandoned".
    assert sum(len(n.awards) for n in found) == 930
    assert not any(names_no_supplier(a.supplier.name) for n in found for a in n.awards)
    centre = found[0]
    assert centre.ocid == "cf-aa3cbb34-ce2c-487c-a94a-dba7cc088ac4"
    assert centre.description.startswith("Blackburn with Darwen Council plan to restore")
    assert "St John's Centre" in centre.description
    assert [(a.supplier.name, a.supplier.is_sme) for a in centre.awards] == [
        ("Barnfield Construction", False)
    ]
    # The search API cut descriptions at 500 characters: a cut one ends with "…", so that it
    # does not read as the whole text; a whole one is as it was.
    homes = by_ocid(results)["cf-4318df33-7ce6-4c0f-87a9-2a2e834d606d"]
    assert homes.description.endswith("It is intended that the PDPS will remain effect fo…")
    cut = [n for n in found if n.description.endswith("…")]
    assert 480 <= len(cut) <= 540
    assert centre.description.endswith("to small and micro businesses.")  # whole: as it was
    lots = by_ocid(results)["cf-43ed562b-b9ac-4b30-92db-a4fffdd696f8"]
    assert [(a.lot_external_id, a.supplier.name) for a in lots.awards] == [
        ("1", "Global Ardour Recycling Limited"),
        ("2", "Global Ardour Recycling Limited"),
        ("3", "Global Ardour Recycling Limited"),
    ]


def test_lancashire_json_and_csv_agree(parsed):
    from_json = by_ocid(parsed("lancashire-json", LANCASHIRE + ".json"))
    from_csv = by_ocid(parsed("lancashire-csv", LANCASHIRE + ".csv"))
    assert from_json.keys() == from_csv.keys()

    def content(notice):
        # Everything but line numbers: a CSV row's line is not the JSON record's number.
        awards = [
            (a.supplier.name, a.supplier.is_sme, a.value, a.lot_external_id) for a in notice.awards
        ]
        return (
            notice.title,
            notice.description,
            notice.buyer,
            notice.cpv_codes,
            notice.value,
            notice.status,
            notice.published_date,
            notice.deadline,
            notice.delivery_postcode,
            notice.delivery_area,
            notice.notice_url,
            awards,
        )

    assert all(content(from_json[ocid]) == content(from_csv[ocid]) for ocid in from_json)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Premier RoadMarkings Limited,WJ North Limited",
            ["Premier RoadMarkings Limited", "WJ North Limited"],
        ),
        ("Knight, Kavanagh &amp; Page", ["Knight, Kavanagh & Page"]),
        (
            "C L Danson Ltd,Grounds, Gardens &amp; Trees Ltd,Sencat Ltd",
            ["C L Danson Ltd", "Grounds, Gardens & Trees Ltd", "Sencat Ltd"],
        ),
        ("Zurich Municipal,Protector Insurance,", ["Zurich Municipal", "Protector Insurance"]),
        ("Shell Energy,Shell Energy,Shell Energy", ["Shell Energy"]),
        ("Lot 4 - North Lancashire - No Award", []),
        ("n/a", []),
        ("NOT AWARDED TO SUPPLIER", []),
        ("Contract not awarded", []),
        ("Awarded Cleaning Ltd,NOT AWARDED TO SUPPLIER", ["Awarded Cleaning Ltd"]),
        ("", []),
    ],
)
def test_comma_joined_winners_are_split_carefully(text, expected):
    assert [name for _, name in split_supplier_names(text)] == expected


def test_award_pairs_group_by_record_and_share_ids_with_the_sources(parsed):
    results = parsed("award-pairs", PAIRS)
    found = notices(results)
    assert (len(found), errors(results)) == (4247, [])
    assert sum(len(n.awards) for n in found) == 9633  # 9,505 rows; names split, placeholders out
    assert all(n.status == "awarded" for n in found)
    pairs = by_ocid(results)
    assert pairs["ted-001412-2020"].value == 4_000_000
    film = pairs["ocds-b5fd17-0054a4e6-0715-42c6-9109-e219fe9d3289"]
    assert film.cpv_codes == ["79952000", "79952100"]
    assert film.awards[0].supplier.postcode == "E18 1AN"
    # The same tender from each source's own file gets the same ocid.
    for fmt, path in [
        ("ted-awards", TED),
        ("silvereye-awards", CSV + "silvereye_sample_awards_2020.csv"),
        ("lancashire-json", LANCASHIRE + ".json"),
        ("ocds", "procurement-data/contracts-finder-ocds/cf_releases_2025_cfserver1.json"),
    ]:
        own = by_ocid(parsed(fmt, path))
        assert len(own.keys() & pairs.keys()) >= 0.7 * len([n for n in own.values() if n.awards])


SILVEREYE_TENDERS_HEADER = ("Notice ID,Published Date,Tender Title,Tender Value,Tender End Date,"
                     "Buyer Name\n")
TED_HEADER = ("SUPPLIER_NAME,CONTRACT_BUYER,CONTRACT_TITLE,CONTRACT_DATE,CONTRACT_URL,"
       "CONTRACT_VALUE\n")
PAIRS_HEADER = "source,record_id,buyer_name,title,award_date,award_value,supplier_name\n"
GOOD_TED = "https://ted.europa.eu/udl?uri=TED:NOTICE:123456-2020:TEXT:EN:HTML"


@pytest.mark.parametrize(("fmt", "text", "line", "field", "said"), [
    ("silvereye-tenders", SILVEREYE_TENDERS_HEADER
     + "abc-1,2020-01-01,Grass cutting,50000,soon,Chorley Council\n"
     + "abc-2,2020-01-01,Tree work,40000,2020-03-01,Chorley Council\n",
     2, "Tender End Date", "'soon' is not a date"),
    ("ted-awards", TED_HEADER + f"Acme Ltd,Chorley Council,Grass,2020-01-01,{GOOD_TED}1,n/a\n"
     + f"Acme Ltd,Chorley Council,Trees,2020-01-01,{GOOD_TED}2,1000-2000\n".replace(
         "123456", "654321"),
     2, "CONTRACT_VALUE", "'n/a' is not an amount of money"),
    ("award-pairs", PAIRS_HEADER + "cf,r1,Chorley Council,Grass,2020-01-01,lots,Acme Ltd\n"
     + "cf,r2,Chorley Council,Trees,2020-01-01,5000-7500,Acme Ltd\n",
     2, "award_value", "'lots' is not an amount of money"),
    ("lancashire-json", json.dumps([
        {"id": "aa3cbb34-ce2c-487c-a94a-dba7cc088ac4", "title": "Grass",
         "organisation": "Chorley Council", "deadline_date": "TBC"},
        {"id": "bb3cbb34-ce2c-487c-a94a-dba7cc088ac4", "title": "Trees",
         "organisation": "Chorley Council", "value_high": 40000}]),
     1, "deadline_date", "'TBC' is not a date"),
])
def test_each_notice_format_refuses_a_row_whose_date_or_amount_cannot_be_read(
        tmp_path, cpv, data_dir, fmt, text, line, field, said):
    path = tmp_path / ("notices.json" if fmt.endswith("json") else "notices.csv")
    path.write_text(text, encoding="utf-8")
    results = list(parse_file(fmt, path, cpv=cpv, data_dir=data_dir))
    [error] = errors(results)
    assert (error.line, error.field, error.reason) == (line, field, said)
    [notice] = notices(results)  # the other row is read, its value whole or a range's top
    assert notice.title in {"Tree work", "Trees"} and notice.value in {40000, 2000, 7500}
