"""Co-operatives UK and Companies House registers, on the real files."""

import csv
import gzip
import itertools
from collections import Counter
from datetime import date

from coopmatch.imports import companies_house, coops_uk
from tests.imports.helpers import FIXTURES, errors, suppliers

COOPS_2023 = "reference-data/coops/coops_uk_open_data_2023q2.csv"
COOPS_2017 = "reference-data/coops/coops_uk_open_data_2017_organisations.csv"
COMPANIES = "reference-data/companies-house/companies_house_south_yorkshire.csv.gz"


def test_coops_uk_2023_every_coop_imports_with_its_ownership(parsed):
    results = parsed("coops-uk", COOPS_2023)
    records = suppliers(results)
    assert (len(records), errors(results)) == (7272, [])
    assert Counter(r.ownership for r in records) == {
        "consumer_coop": 3664,  # Consumers 3,134 + Tenants 530
        "community_benefit_society": 2269,
        "worker_coop": 649,  # Workers 394 + Self-employed 255
        "multi_stakeholder_coop": 415,
        "sme": 195,
        "employee_owned": 57,
        "social_enterprise": 20,
        "charity": 3,
    }
    group = records[0]
    assert (group.external_id, group.name, group.postcode, group.sic_codes) == (
        "R000001",
        "The Co-operative Group",
        "M60 0AG",
        ["47110"],
    )
    assert (group.source, group.status, group.legal_form) == ("coops_uk", "active", "Society")
    # The SIC code's words come from the reference data, so matching has something to read.
    assert "Retail sale in non-specialised stores" in group.description
    assert sum(1 for r in records if r.registration_number) == 915
    # The file lost its curly apostrophes to "?"; they are put back, but not in websites.
    names = {r.name for r in records}
    assert "St. John's Cultural and Heritage Centre" in names
    assert not any("Supporters?" in n for n in names)
    assert any("?" in (r.website or "") for r in records)


def test_lost_apostrophes_and_dashes_are_put_back():
    restore = coops_uk.restore_punctuation
    assert restore("Men?s Sheds Cymru") == "Men's Sheds Cymru"
    assert restore("Oldham Athletic Supporters? Trust") == "Oldham Athletic Supporters' Trust"
    assert restore("Save?n?borrow") == "Save'n'borrow"
    assert restore("DCLM ? Midlands Region") == "DCLM \u2013 Midlands Region"
    assert restore("What? Co-op") == "What? Co-op"  # a question mark, as far as can be told


def test_coops_uk_2017_keeps_dissolved_coops_and_both_names(parsed):
    records = suppliers(parsed("coops-uk", COOPS_2017))
    assert len(records) == 8371
    assert Counter(r.status for r in records) == {"active": 6814, "dissolved": 1557}
    group = records[0]
    assert (group.name, group.other_names, group.registration_number) == (
        "The Co-operative Group",
        ["Co-operative Group Limited"],
        "525R",
    )
    assert group.incorporation_date == date(1863, 8, 11)
    assert group.sic_codes == ["47110"]  # from the class "UKSIC07-4711"


def test_coops_uk_ownership_falls_back_to_the_legal_form():
    assert coops_uk.ownership_for("Workers", "Company") == "worker_coop"
    assert coops_uk.ownership_for("Enterprises", "Community Interest Company") == (
        "social_enterprise"
    )
    assert coops_uk.ownership_for("", "Society") == "community_benefit_society"
    assert coops_uk.ownership_for("", "Company", "Employee trust") == "employee_owned"
    assert coops_uk.ownership_for("Co-operatives", "LLP") == "sme"


def test_companies_house_extract_imports_every_company(parsed):
    results = parsed("companies-house", COMPANIES)
    records = suppliers(results)
    assert (len(records), errors(results)) == (75740, [])
    assert Counter(r.ownership for r in records) == {"sme": 75186, "social_enterprise": 554}
    assert Counter(r.status for r in records) == {"active": 68770, "inactive": 6970}
    plumber = records[1]
    assert (plumber.name, plumber.registration_number, plumber.postcode) == (
        "'A' RATED EFFICIENCY HEATING & PLUMBING LTD",
        "07405600",
        "S66 2NR",
    )
    assert plumber.sic_codes == ["33190"]
    assert plumber.description == "Repair of other equipment"
    assert plumber.incorporation_date == date(2010, 10, 13)
    assert (plumber.source, plumber.external_id) == ("companies_house", "GB-COH-07405600")


def test_companies_house_keeps_only_the_chosen_areas(data_dir, tmp_path):
    with gzip.open(data_dir / COMPANIES, "rt", encoding="utf-8") as handle:
        head = list(itertools.islice(handle, 301))
    path = tmp_path / "head.csv"
    path.write_text("".join(head), encoding="utf-8")
    expected = sum(1 for row in csv.DictReader(head) if row["localauthority_code"] == "E08000019")
    sheffield = list(companies_house.parse(path, areas={"E08000019"}))
    assert 0 < len(sheffield) == expected < 300
    assert len(list(companies_house.parse(path))) == 300


def test_companies_house_official_column_names(tmp_path):
    bakery, mill = companies_house.parse(FIXTURES / "companies_house_official.csv")
    assert (bakery.name, bakery.registration_number, bakery.postcode) == (
        "PRESTON BAKERY CO-OPERATIVE LIMITED",
        "IP031234",
        "PR1 2NJ",
    )
    assert bakery.ownership == "social_enterprise"
    assert bakery.sic_codes == ["10710"]
    assert bakery.address == "1 FISHERGATE, PRESTON, LANCASHIRE, PR1 2NJ"
    # A legacy SIC 2003 code is not a SIC 2007 code; the company number gets its zero back.
    assert (mill.sic_codes, mill.registration_number, mill.status) == (
        [],
        "01234567",
        "inactive",
    )
