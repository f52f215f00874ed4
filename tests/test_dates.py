"""One reader of days for notices and ledgers (coopmatch.dates)."""

from datetime import date

import pytest

from coopmatch.dates import read_day
from coopmatch.imports.reading import parse_date as notice_date
from coopmatch.spend.values import parse_date as ledger_date

JAN_31 = date(2025, 1, 31)


@pytest.mark.parametrize("text", [
    "31/01/2025", "31/1/25", "31.01.2025", "31-01-2025", "2025-01-31", "2025/01/31",
    "2025-01-31T12:00:00.000+01:00", "2025-01-31 09:30:00Z", "31/01/2025 00:00",
    "31/01/2025 12:00:00 AM", "31 January 2025", "31 Jan 2025", "31st January 2025",
    "31-JAN-2025", "31-Jan-25", "Jan 31 2025", "January 31, 2025", "January 31st, 2025",
    "Jan. 31 2025", " 31 jan 2025 ",
])
def test_the_ways_a_day_is_written_read_alike_for_notices_and_ledgers(text):
    assert read_day(text) == JAN_31
    assert notice_date(text) == JAN_31
    assert ledger_date(text) == JAN_31


@pytest.mark.parametrize("text", [
    "soon", "TBC", "31 Janvier 2025", "Smarch 3 2025", "30/02/2025", "31/13/2025",
    "31/01", "", "next Tuesday 2025", "2025-01-31 and later",
])
def test_text_that_writes_no_day_is_refused(text):
    with pytest.raises(ValueError):
        read_day(text)
    with pytest.raises(ValueError):
        ledger_date(text)  # ledgers: the row is refused, naming its date
    if not text.startswith("2025-01-31"):  # notices read an ISO day starting any OCDS time
        assert notice_date(text) is None  # notices: not known (the importer names the field)


def test_two_digit_years_are_recent_and_four_digit_years_as_written():
    assert read_day("01/04/20") == date(2020, 4, 1)
    assert read_day("01/04/75") == date(1975, 4, 1)
    assert read_day("01/01/0001") == date(1, 1, 1)  # not 2001
    # The year 1 is a system's "not given": unknown on a notice, refused in a ledger.
    assert notice_date("1/1/0001") is None and notice_date("0001-01-01T00:00:00Z") is None
    with pytest.raises(ValueError):
        ledger_date("01/01/0001")
    assert notice_date("1868-08-24") == date(1868, 8, 24)  # an old co-op's founding


def test_day_first_is_the_uk_reading():
    assert read_day("04/01/2017") == date(2017, 1, 4)  # 4 January, not April 1st
