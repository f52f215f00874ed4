"""Reading a day written the ways UK public bodies write one.

Notices and payment ledgers give dates as ISO (with or without a time), day-first numbers
(04/01/2017 is 4 January, as in the UK; two-digit years are this century below 70), a named
month either side of the day ("3 Apr 2023", "3rd April 2023", "01-APR-20", "Apr 3 2023",
"April 3rd, 2023"), or year-first with slashes (2023/04/03). One reader for both, so a file
imported as notices and as a ledger reads its dates alike.
"""

import re
from datetime import date

# Years a real record is dated in. Systems write 0001-01-01 (.NET's least date) or 9999-12-31
# for "not given".
PLAUSIBLE_YEARS = range(1000, 9000)

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_NAMED_DAY_FIRST = re.compile(
    rf"(\d{{1,2}}){_ORDINAL}[\s\-/.]+([a-z]{{3,9}})\.?[\s\-/.,]+(\d{{2}}|\d{{4}})")
_NAMED_MONTH_FIRST = re.compile(rf"([a-z]{{3,9}})\.?\s+(\d{{1,2}}){_ORDINAL},?\s+(\d{{4}})")
# A time after the date ("31/01/2025 00:00", "31/01/2025 12:00:00 AM") says nothing of the day.
_TRAILING_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]\.?m\.?)?$")


def read_day(text: str) -> date:
    """Return the day the text writes; raise ValueError if it writes none."""
    text = _TRAILING_TIME.sub("", str(text).strip().lower())
    for pattern, order in ((_DAY_FIRST, "dmy"), (_ISO, "ymd"), (_YEAR_FIRST, "ymd")):
        match = pattern.fullmatch(text)
        if match:
            parts = dict(zip(order, match.groups(), strict=True))
            return _checked(parts["y"], int(parts["m"]), int(parts["d"]))
    match = _NAMED_DAY_FIRST.fullmatch(text)
    if match and match.group(2) in MONTHS:
        day, month, year = match.groups()
        return _checked(year, MONTHS[month], int(day))
    match = _NAMED_MONTH_FIRST.fullmatch(text)
    if match and match.group(1) in MONTHS:
        month, day, year = match.groups()
        return _checked(year, MONTHS[month], int(day))
    raise ValueError("not a date")


def _checked(written_year: str, month: int, day: int) -> date:
    year = int(written_year)
    if len(written_year) == 2:
        # Two-digit years are this century (these records start in the 1990s at the earliest);
        # "0001", written in full, is the year 1 (a "not given" placeholder the caller knows).
        year += 2000 if year < 70 else 1900
    try:
        return date(year, month, day)
    except ValueError as error:
        raise ValueError("not a date") from error
