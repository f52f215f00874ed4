from datetime import date, datetime
from decimal import Decimal

import pytest

from coopmatch.spend.values import (
    financial_year,
    is_redacted,
    parse_amount,
    parse_date,
    year_label,
)


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("325.00", 32500),
        ("337", 33700),
        ("4025.1", 402510),
        ("-38.38", -3838),
        ("1,268.25", 126825),
        ("£1,680.00", 168000),
        ("£309.25", 30925),
        ("14,646.05-", -1464605),
        ("290.25-", -29025),
        ("3,847,034.77", 384703477),
        ("(123.45)", -12345),
        ("-£12.50", -1250),
        ("£-12.50", -1250),
        ("12.00 CR", -1200),
        (" 42 ", 4200),
        ("0.005", 1),  # rounded half up to the penny
        (7740, 774000),
        (610.81, 61081),
        (875.6899999999999, 87569),  # a float Excel stored
        (Decimal("1.10"), 110),
    ],
)
def test_amounts_in_the_forms_ledgers_use(text, pence):
    assert parse_amount(text) == pence


@pytest.mark.parametrize("text", ["", "abc", "12.3.4", "£", "--5", None, True, float("nan"), "1 2"])
def test_what_is_not_an_amount(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("04/01/2017", date(2017, 1, 4)),  # day first
        ("02/06/17", date(2017, 6, 2)),
        ("05-Oct-21", date(2021, 10, 5)),
        ("13 Apr 2023", date(2023, 4, 13)),
        ("3 Apr 2023", date(2023, 4, 3)),
        ("17 July 2023", date(2023, 7, 17)),
        ("1st September 2023", date(2023, 9, 1)),
        ("2019-04-01", date(2019, 4, 1)),
        ("2019-04-01 00:00:00", date(2019, 4, 1)),
        ("2019-04-01T09:30:00.000Z", date(2019, 4, 1)),
        ("01/04/2019 00:00:00", date(2019, 4, 1)),
        ("04/01/2017 00:00", date(2017, 1, 4)),
        ("43658", date(2019, 7, 12)),  # an Excel serial written as text
        (45044, date(2023, 4, 28)),  # an Excel serial cell
        (datetime(2023, 6, 1, 1, 0), date(2023, 6, 1)),
        (date(2020, 2, 29), date(2020, 2, 29)),
    ],
)
def test_dates_in_the_forms_ledgers_use(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["", "31/02/2020", "13/13/2020", "yesterday", "12", 7740.5, None])
def test_what_is_not_a_date(value):
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize(
    "name",
    [
        "THIRD PARTY",
        "THIRD PARTY SUPPLIER",
        "Third Party Ltd",
        "REDACTED",
        "Redacted - personal data",
        "Redacted Personal Information",
        "Redacted Data",
        "REdacted Data",
        "Redaction",
        "PERSONAL DATA",
        "Personal Information",
        "Withheld",
    ],
)
def test_redacted_payees(name):
    assert is_redacted(name)


@pytest.mark.parametrize(
    "name",
    [
        "THIRD PARTY FORENSIC SERVICES",
        "Third Party Forensics",
        "Redactive Publishing Ltd",
        "Personal Best Life Coaching",
        "J Smith & Sons Ltd",
        "",
        None,
    ],
)
def test_real_suppliers_are_not_redacted(name):
    assert not is_redacted(name)


def test_financial_years_run_april_to_march():
    assert financial_year(date(2020, 3, 31)) == 2019
    assert financial_year(date(2020, 4, 1)) == 2020
    assert year_label(2019) == "2019/20"
    assert year_label(1999) == "1999/00"
