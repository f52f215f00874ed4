"""OCDS releases and records, on the real Contracts Finder and Find a Tender files."""

import gzip
import json
from collections import Counter
from datetime import date

import pytest

from coopmatch.imports import ocds
from coopmatch.imports.formats import detect_source, parse_file
from coopmatch.imports.reading import open_source
from coopmatch.imports.records import RowError
from tests.imports.helpers import FIXTURES, by_ocid, errors, notices

CF = "procurement-data/contracts-finder-ocds/"
FTS = "procurement-data/find-a-tender-ocds/"


def test_cfserver1_releases_compile_to_one_notice_per_ocid(parsed):
    results = parsed("ocds", CF + "cf_releases_2025_cfserver1.json")
    found = notices(results)
    assert (len(found), errors(results)) == (191, [])  # 201 releases over 191 ocids
    assert sum(len(n.awards) for n in found) == 253
    assert Counter(n.status for n in found) == {
        "awarded": 140,
        "open": 43,
        "planned": 7,
        "closed": 1,
    }
    parking = by_ocid(results)["ocds-b5fd17-e3b5f385-5989-4cf1-8849-01c247fc9c30"]
    assert parking.title == "Parking Pilot - CEO"
    assert (parking.buyer.name, parking.buyer.postcode) == ("London Borough of Merton", "SM4 5DX")
    assert parking.cpv_codes == ["63712400"]
    assert (parking.value, parking.deadline) == (372032.0, date(2024, 12, 21))
    assert (parking.contract_start, parking.contract_end) == (date(2025, 1, 6), date(2026, 1, 5))
    assert parking.source == "contracts_finder"
    assert parking.notice_url.endswith("/Notice/2a1e3359-87a0-4fdd-ac61-20d5e6520a13")
    # The mojibake "\u00e2\u20ac\u00af" (a narrow no-break space) is repaired.
    assert "framework. The initial intention" in parking.description
    [award] = parking.awards
    supplier = award.supplier
    # Contracts Finder leaves postalCode empty: the postcode is inside streetAddress.
    assert (supplier.name, supplier.postcode, supplier.is_sme) == (
        "Marstons holdings plc",
        "EC3N 2LB",
        False,
    )
    assert (supplier.source, supplier.external_id) == ("award", "GB-CFS-307567")
    assert (award.value, award.award_date) == (93007.0, date(2024, 12, 22))
    assert not any("â€" in n.description or "Â£" in n.description for n in found)


def test_two_award_releases_of_one_ocid_keep_both_awards(parsed):
    placements = by_ocid(parsed("ocds", CF + "cf_releases_2025_cfserver1.json"))[
        "ocds-b5fd17-3acef0bd-20d7-4df8-bbd7-01a3540dc2d6"
    ]
    assert {a.external_id[-3:] for a in placements.awards} == {"-13", "-14"}
    assert placements.status == "awarded"
    assert placements.published_date == date(2025, 3, 11)


def test_bluetail_ocds_1_1_raw_prefix_and_entities(parsed):
    results = parsed("ocds", CF + "bluetail_cf_release_packages_ocds1.1_2019-2020.jsonl.gz")
    found = notices(results)
    assert (len(found), errors(results)) == (100, [])
    assert sum(len(n.awards) for n in found) == 787
    assert not any("raw-" in n.ocid for n in found)
    cannes = by_ocid(results)["ocds-b5fd17-0054a4e6-0715-42c6-9109-e219fe9d3289"]
    assert cannes.title == "UK Film Presence at Cannes 2020 - AWARD"
    assert cannes.description.startswith("The UK Film Centre has an umbrella brand 'UK FILM'")
    assert "caf\u00e9" in cannes.description
    assert cannes.cpv_codes == ["79952000", "79952100"]
    assert [(a.supplier.name, a.supplier.postcode) for a in cannes.awards] == [
        ("PETER DISPLAYS LTD T/A LIMELIGHT", "E18 1AN"),
        ("Premier", "WC2H 8LA"),
    ]


def test_bluetail_ocds_1_0_inline_buyer_and_suppliers(parsed):
    results = parsed(
        "ocds", CF + "bluetail_cf_release_packages_ocds1.0_multisupplier_2020.jsonl.gz"
    )
    found = notices(results)
    assert (len(found), errors(results)) == (100, [])
    # 1,499 supplier entries, less the same name listed twice on one award.
    assert sum(len(n.awards) for n in found) == 1210
    transport = by_ocid(results)["ocds-b5fd17-a26f2fdf-5348-4a78-bbaf-ff8954f9d4fd"]
    assert (transport.buyer.name, transport.buyer.postcode) == (
        "Lincolnshire County Council",
        "LN2 1BD",
    )
    first = transport.awards[0].supplier
    assert (first.name, first.postcode, first.is_sme) == ("Black Cat Travel", "LN6 7HE", True)
    registered = {
        a.supplier.name: a.supplier.registration_number
        for n in found
        for a in n.awards
        if a.supplier.registration_number
    }
    assert registered["AD MERCHANDISE LTD"] == "06986570"


def test_sample_data_records_release_packages_and_bare_releases(parsed):
    results = parsed("ocds", CF + "ocds_sample_data_uk_contracts_finder_2016.json")
    found = notices(results)
    # 11 records, 200 release packages and 21 bare releases, all over 200 ocids.
    assert (len(found), errors(results)) == (200, [])
    assert sum(len(n.awards) for n in found) == 0
    assert Counter(n.status for n in found) == {"cancelled": 193, "open": 7}
    met = by_ocid(results)["ocds-b5fd17-2c330cf9-adc8-11e6-9901-0019b9f3037b"]
    assert (met.buyer.name, met.buyer.postcode, met.cpv_codes) == (
        "Met Office",
        "EX1 3PB",
        ["73000000"],
    )


def test_find_a_tender_tender_and_planning_notices(parsed):
    tender = by_ocid(parsed("ocds", FTS + "fts_release_package_032703-2026_tender.json"))[
        "ocds-h6vhtk-067fb8"
    ]
    assert tender.buyer.name == "Harrogate Town Council"
    assert tender.buyer.external_id == "GB-PPON-PDTL-7248-GWZW"
    assert tender.cpv_codes == ["09323000", "79314000"]  # additionalClassifications
    assert (tender.status, tender.value, tender.deadline) == ("open", 33721.0, date(2026, 5, 8))
    assert (tender.contract_start, tender.contract_end) == (date(2026, 5, 14), date(2026, 12, 31))
    assert [(lot.external_id, lot.cpv_codes) for lot in tender.lots] == [
        ("1", ["09323000", "79314000"])
    ]
    assert tender.notice_url == "https://www.find-tender.service.gov.uk/Notice/032703-2026"
    assert tender.source == "find_a_tender"
    [planned] = notices(parsed("ocds", FTS + "fts_release_package_037689-2026_planning.json"))
    assert (planned.status, len(planned.cpv_codes)) == ("planned", 12)
    assert planned.buyer.name == "Northumberland County Council"


def test_quirks_infinite_value_bad_codes_and_postcodes(cpv, data_dir):
    [notice] = ocds.parse(FIXTURES / "ocds_infinite_value.json", cpv=cpv, data_dir=data_dir)
    assert notice.ocid == "ocds-b5fd17-11111111-2222-3333-4444-555555555555"
    assert notice.value is None  # 1e9999 is infinite: unknown, not a huge number
    assert notice.title == "Grounds maintenance & tree works"
    assert notice.description == "Mowing, hedges 'and' trees. Budget £40k."
    assert notice.cpv_codes == ["77310000", "77211400"]  # 99999999 is dropped, not fatal
    assert (notice.delivery_postcode, notice.delivery_area) == ("PR1 8UY", "North West")
    assert notice.buyer.postcode == "PR1 2RL"  # found inside streetAddress
    assert (notice.status, notice.published_date) == ("awarded", date(2025, 2, 1))
    green, nowhere = (a.supplier for a in notice.awards)
    assert (green.postcode, green.registration_number, green.is_sme) == (
        "PR25 1AA",
        "01234567",
        True,
    )
    assert (nowhere.name, nowhere.postcode) == ("Nowhere Ltd", None)  # kept, postcode dropped


def test_truncated_json_is_a_clear_error(tmp_path, cpv):
    text = (FIXTURES / "ocds_infinite_value.json").read_text(encoding="utf-8")
    path = tmp_path / "cut.json"
    path.write_text(text[:900], encoding="utf-8")
    [error] = ocds.parse(path, cpv=cpv)
    assert error.field == "file"
    assert "the JSON ends too early (the file looks cut short" in error.reason


def test_a_cut_short_council_file_says_so_as_ocds_does(tmp_path, cpv):
    path = tmp_path / "cut.json"
    path.write_text('[{"title": "Grounds maintenance", "description": "Parks and verg')
    [error] = parse_file("lancashire-json", path, cpv=cpv)
    assert (error.line, error.field) == (1, "file")
    assert error.reason.startswith("the JSON ends too early (the file looks cut short")
    path.write_text('[{"title": "Grounds maintenance"} {"title": "Verges"}]')
    [error] = parse_file("lancashire-json", path, cpv=cpv)
    assert error.reason == ("this is not valid JSON at line 1, column 35: "
                            "Expecting ',' delimiter")


def test_json_that_is_not_ocds(tmp_path, cpv):
    path = tmp_path / "other.json"
    path.write_text('{"name": "A list of suppliers", "items": [1, 2]}', encoding="utf-8")
    [error] = ocds.parse(path, cpv=cpv)
    assert error == RowError(
        1, "file", "this file is JSON but not OCDS: it has no releases or records"
    )


def test_a_list_of_things_that_are_not_releases_names_each_by_its_place(tmp_path, cpv):
    path = tmp_path / "numbers.json"
    path.write_text('[1, "two", {"ocid": "ocds-x-1", "buyer": {"name": "Chorley Council"}, '
                    '"tender": {"title": "Fine"}}, null]')
    *refused, notice = ocds.parse(path, cpv=cpv)
    assert [(e.line, e.field) for e in refused] == [(1, "release"), (2, "release"),
                                                     (4, "release")]
    assert refused[1].reason == 'a release or record must be a JSON object, not "two"'
    assert notice.ocid == "ocds-x-1"


@pytest.mark.parametrize(("text", "said"), [
    ("[" * 100_000 + "]" * 100_000,
     "this JSON is nested too deeply to read: no import format goes more than a few levels"),
    ("[" * 500 + "]" * 500, "this file is JSON but not OCDS: it has no releases or records"),
])
def test_json_nested_past_any_format_is_refused_not_a_recursion_error(tmp_path, cpv, text,
                                                                      said):
    path = tmp_path / "deep.json"
    path.write_text(text)
    [error] = ocds.parse(path, cpv=cpv)
    assert (error.line, error.field) == (1, "file") and error.reason.startswith(said)
    assert detect_source(open_source(path)) is None  # recognising the format does not fail
    [error] = parse_file("lancashire-json", path, cpv=cpv)  # an error, not a crash
    assert error.line == 1 and error.field in {"file", "contract"}


def test_a_release_without_an_ocid_is_an_error_and_the_rest_import(tmp_path, cpv):
    releases = [
        {"id": "a", "date": "2025-01-01", "tender": {"title": "No ocid here"}},
        {
            "ocid": "ocds-test-1",
            "id": "b",
            "date": "2025-01-01",
            "buyer": {"name": "Chorley Council"},
            "tender": {"title": "Fine"},
        },
    ]
    path = tmp_path / "bare.json"
    path.write_text(json.dumps(releases), encoding="utf-8")
    error, notice = ocds.parse(path, cpv=cpv)
    assert (error.line, error.field) == (1, "ocid")
    assert (
        error.reason
        == "this release ('No ocid here') has no ocid, so it cannot be matched to a tender"
    )
    assert (notice.ocid, notice.buyer.name, notice.status) == (
        "ocds-test-1",
        "Chorley Council",
        "open",
    )


def test_a_release_without_a_buyer_is_an_error(tmp_path, cpv):
    path = tmp_path / "nobuyer.json"
    path.write_text(json.dumps({"releases": [{"ocid": "ocds-x-1", "tender": {"title": "T"}}]}))
    [error] = ocds.parse(path, cpv=cpv)
    assert error.field == "buyer"
    assert "ocds-x-1 names no buyer" in error.reason


def _release(ocid: str, **tender) -> dict:
    return {"ocid": ocid, "id": "1", "date": "2025-01-01T00:00:00Z", "tag": ["tender"],
            "buyer": {"name": "Chorley Council"}, "tender": {"title": "Grass cutting", **tender}}


@pytest.mark.parametrize(("tender", "field", "said"), [
    ({"tenderPeriod": {"endDate": "next Tuesday"}}, "tender.tenderPeriod.endDate",
     "'next Tuesday' is not a date"),
    ({"tenderPeriod": {"endDate": "2025-13-45"}}, "tender.tenderPeriod.endDate",
     "'2025-13-45' is not a date"),
    ({"value": {"amount": "lots", "currency": "GBP"}}, "tender.value.amount",
     "'lots' is not an amount of money"),
    ({"lots": [{"id": "1", "value": {"amount": True}}]}, "tender.lots[0].value.amount",
     "'True' is not an amount"),
])
def test_a_date_or_amount_that_cannot_be_read_refuses_the_notice_naming_it(
        tmp_path, cpv, tender, field, said):
    path = tmp_path / "bad.json"
    good = _release("ocds-x-2", tenderPeriod={"endDate": "2025-03-01T12:00:00Z"},
                    value={"amount": "125000.50"},
                    contractPeriod={"startDate": "0001-01-01T00:00:00Z", "endDate": ""})
    path.write_text(json.dumps({"releases": [_release("ocds-x-1", **tender), good]}))
    error, notice = ocds.parse(path, cpv=cpv)
    assert (error.line, error.field) == (1, field)
    assert error.reason.startswith(f"ocds-x-1: {said}")
    # Blank ones, and placeholders, are only not known; readable ones are read.
    assert (notice.ocid, notice.deadline, notice.value) == ("ocds-x-2", date(2025, 3, 1),
                                                           125000.5)
    assert notice.contract_start is None  # .NET's 0001-01-01 is "not given", not the year 1


def test_json_lines_gzipped_with_a_cut_last_line(tmp_path, cpv, data_dir):
    package = json.loads((FIXTURES / "ocds_infinite_value.json").read_text(encoding="utf-8"))
    first = dict(package, releases=package["releases"][:1])
    second = dict(package, releases=package["releases"][1:])
    lines = [json.dumps(first), json.dumps(second)[:200]]
    path = tmp_path / "packages.jsonl.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    error, notice = ocds.parse(path, cpv=cpv, data_dir=data_dir)
    assert (error.line, error.field) == (2, "json")
    assert "cut short" in error.reason
    assert (notice.status, notice.awards) == ("open", [])


def test_record_package_uses_the_compiled_release(tmp_path, cpv):
    record_package = {
        "records": [
            {
                "ocid": "ocds-rec-1",
                "releases": [{"url": "https://example.org/r1.json", "date": "2024-05-01"}],
                "compiledRelease": {
                    "ocid": "ocds-rec-1",
                    "date": "2024-06-01",
                    "buyer": {"name": "Fylde Council"},
                    "tender": {"title": "Beach huts", "status": "planning"},
                },
            },
            {"ocid": "ocds-rec-2", "releases": [{"url": "https://example.org/r2.json"}]},
        ]
    }
    path = tmp_path / "records.json"
    path.write_text(json.dumps(record_package), encoding="utf-8")
    # File-level problems come first: releases are gathered before notices are compiled.
    error, notice = ocds.parse(path, cpv=cpv)
    assert (notice.title, notice.status, notice.published_date) == (
        "Beach huts",
        "planned",
        date(2024, 5, 1),
    )
    assert (error.field, error.line) == ("compiledRelease", 2)
    assert "no compiledRelease and its releases are only links" in error.reason


def test_merging_without_the_schema_never_uses_the_network(tmp_path, cpv, monkeypatch):
    import requests

    def no_network(*args, **kwargs):
        raise AssertionError("ocdsmerge tried to download the schema")

    monkeypatch.setattr(requests, "get", no_network)
    ocds.get_merger.cache_clear()
    [notice] = ocds.parse(FIXTURES / "ocds_infinite_value.json", cpv=cpv, data_dir=tmp_path)
    assert notice.status == "awarded" and len(notice.awards) == 2
    assert notice.cpv_codes == ["77310000", "77211400"]


def test_a_schema_file_is_used_when_there(data_dir):
    path = ocds.schema_path_for(data_dir)
    assert path is not None and path.name == "ocds_1.1.4_release_schema.json"
    merger = ocds.get_merger(str(path))
    assert merger.merge_rules[("parties", "roles")] == "wholeListMerge"
    assert ocds.FALLBACK_MERGE_RULES == merger.merge_rules


@pytest.mark.parametrize(
    ("status", "tags", "awards", "expected"),
    [
        ("planning", [], False, "planned"),
        ("planned", [], False, "planned"),
        ("active", [], False, "open"),
        ("complete", [], True, "awarded"),
        ("complete", [], False, "closed"),
        ("cancelled", [], False, "cancelled"),
        ("unsuccessful", [], False, "cancelled"),
        ("withdrawn", [], False, "cancelled"),
        ("", ["planning"], False, "planned"),
        ("", ["award"], True, "awarded"),
    ],
)
def test_status_mapping(status, tags, awards, expected):
    assert ocds._status({"status": status}, tags, awards) == expected


def test_how_a_notice_is_let_is_kept_from_contracts_finders_procedure(parsed):
    found = notices(parsed("ocds", CF + "cf_releases_2025_cfserver1.json"))
    let = Counter(n.arrangement for n in found)
    # 31 "Call-off from a framework agreement"; the three "Call-off from a dynamic purchasing
    # system" are left to the notices' words, with the open and restricted procedures.
    assert let == {"": 160, "call_off": 31}
    fleet = next(n for n in found if n.title == "2024 Tranman Fleet Management System")
    assert fleet.arrangement == "call_off"


def test_how_a_notice_is_let_is_read_from_ocds_techniques():
    from coopmatch.cpv import CPVVocabulary

    release = {
        "ocid": "ocds-h6vhtk-0001", "date": "2026-01-05T00:00:00Z",
        "buyer": {"name": "Lancashire County Council"},
        "tender": {"title": "Passenger transport", "procurementMethodDetails": "Open procedure",
                   "techniques": {"hasFramework": True, "hasDynamicPurchasingSystem": True}},
    }
    notice = ocds.release_to_notice(release, cpv=CPVVocabulary(None))
    assert notice.arrangement == "dps"
    release["tender"]["techniques"] = {"hasFramework": True}
    assert ocds.release_to_notice(release, cpv=CPVVocabulary(None)).arrangement == "framework"
    del release["tender"]["techniques"]
    assert ocds.release_to_notice(release, cpv=CPVVocabulary(None)).arrangement == ""
