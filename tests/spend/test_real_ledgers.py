"""Every real ledger in the shared data reads, with the row counts its publisher's data has."""

import csv
from collections import Counter
from datetime import date

import pytest

from coopmatch.spend import read_ledger, read_ledgers

SPEND = "procurement-data/council-spend"

PCC_SHEETS = {
    "pcc-2018-19.xlsx": 7974,
    "pcc-2019-20.xlsx": 7211,
    "pcc-2020-21.xlsx": 5250,
    "pcc-2021-22.xlsx": 6741,
    "pcc-2022-23.xlsx": 7654,
    "pcc-2023-24.xlsx": 9289,
    "pcc-2024-25.xlsx": 7857,
}
FIRE_BOOKS = {
    "fire-2022-23.xlsx": 2908,
    "fire-2023-24.xlsx": 6999,
    "fire-2024-25.xlsx": 3376,
    "fire-2025-26-q1.xlsx": 919,
    "fire-2025-26-q2.xlsx": 864,
    "fire-2025-26-q3.xlsx": 881,
}


@pytest.fixture(scope="module")
def hyndburn(data_dir):
    files = sorted((data_dir / SPEND / "hyndburn" / "raw").glob("*.csv"))
    return files, read_ledgers(files)


def _combined_counts(path) -> Counter:
    with open(path, newline="", encoding="utf-8") as handle:
        return Counter(row["source_file"] for row in csv.DictReader(handle))


def test_all_107_hyndburn_files_read(hyndburn, data_dir):
    files, ledger = hyndburn
    assert len(files) == 107
    assert len(ledger.files) == 107
    rows = {summary.name: summary.rows for summary in ledger.files}
    expected = _combined_counts(
        data_dir / SPEND / "hyndburn" / "hyndburn_spend_over_250_2017-2026_combined.csv"
    )
    # The published combined file keeps one row with no payee (November 2023, line 151);
    # we report that row instead of counting it.
    expected["November-23-csv.csv"] -= 1
    assert rows == dict(expected)
    assert len(ledger.payments) == 35_960
    assert [(e.file, e.line, e.field) for e in ledger.errors] == [
        ("November-23-csv.csv", 151, "supplier")
    ]


def test_hyndburn_layouts_encodings_and_credits(hyndburn):
    _, ledger = hyndburn
    by_name = {summary.name: summary for summary in ledger.files}
    layouts = Counter(s.layouts[0].name or s.layouts[0].found_by for s in ledger.files)
    assert layouts == {"hyndburn-2017": 82, "hyndburn-2024": 22, "hyndburn-2022": 3}
    for headerless in ("April-25-CSV.csv", "March-25-CSV.csv", "Sept-25-CVS.csv"):
        assert by_name[headerless].layouts[0].found_by == "trailing header"
    assert by_name["1705.csv"].encoding == "cp1252"  # old-Mac line endings too
    assert by_name["1705.csv"].rows == 178
    assert by_name["May-24.csv"].encoding == "utf-8"
    # "+" where "Service Cost Centre" should be: mended from the known layout.
    assert by_name["October-2021-csv.csv"].layouts[0].columns["department"] == 0
    credits = [p for p in ledger.payments if p.amount_pence < 0]
    assert len(credits) == 366
    assert sum(p.amount_pence for p in ledger.payments) == 24_126_262_131  # about £241m
    assert min(p.date for p in ledger.payments) == date(2017, 1, 4)
    assert max(p.date for p in ledger.payments) == date(2026, 1, 29)
    assert len({p.key for p in ledger.payments}) == len(ledger.payments)


@pytest.mark.parametrize("book", sorted(PCC_SHEETS))
def test_police_and_crime_commissioner_workbooks(data_dir, book):
    ledger = read_ledger(data_dir / SPEND / "lancashire_pcc" / "raw_xlsx" / book)
    assert ledger.errors == []
    assert len(ledger.payments) == PCC_SHEETS[book]
    summary = ledger.files[0]
    assert len(summary.sheets) == (10 if book == "pcc-2024-25.xlsx" else 12)
    redacted = {p.supplier_name for p in ledger.payments if p.redacted}
    assert redacted <= {
        "THIRD PARTY",
        "THIRD PARTY SUPPLIER",
        "THIRD PARTY LTD",
        "THIRD PARTY SUPPLIER LTD",
    }


def test_police_and_crime_commissioner_csv(data_dir):
    ledger = read_ledger(
        data_dir
        / SPEND
        / "lancashire_pcc"
        / "lancashire_police_crime_commissioner_spend_2018-2025.csv"
    )
    assert ledger.errors == []
    assert len(ledger.payments) == 51_976
    assert sum(p.redacted for p in ledger.payments) == 2_318


@pytest.mark.parametrize("book", sorted(FIRE_BOOKS))
def test_fire_and_rescue_workbooks(data_dir, book):
    ledger = read_ledger(data_dir / SPEND / "lancashire_fire" / "raw_xlsx" / book)
    assert ledger.errors == []
    assert len(ledger.payments) == FIRE_BOOKS[book]
    assert all(p.transaction_id for p in ledger.payments)


def test_fire_and_rescue_csv_reports_the_rows_it_lost_amounts_in(data_dir):
    # The published CSV put 165 amounts of the 2022-23 second table in the wrong column.
    ledger = read_ledger(
        data_dir / SPEND / "lancashire_fire" / "lancashire_fire_rescue_spend_2022-2025.csv"
    )
    assert len(ledger.payments) == 15_782
    assert Counter((e.field, e.reason) for e in ledger.errors) == {("amount", "no amount"): 165}


@pytest.mark.parametrize(
    ("path", "rows", "redacted"),
    [
        ("manchester/manchester_spend_over_500_2019-04_to_2022-03.csv.gz", 112_634, 6_648),
        ("salford/salford_spend_over_500_2019-04_to_2022-03.csv.gz", 71_238, 11_000),
    ],
)
def test_manchester_and_salford(data_dir, path, rows, redacted):
    ledger = read_ledger(data_dir / SPEND / path)
    assert ledger.errors == []
    assert len(ledger.payments) == rows
    assert sum(p.redacted for p in ledger.payments) == redacted
    years = Counter(p.date.year - (p.date.month < 4) for p in ledger.payments)
    assert set(years) == {2019, 2020, 2021}
