"""Cell values in published spend ledgers: amounts, dates, redactions and financial years."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from coopmatch.dates import PLAUSIBLE_YEARS, read_day
from coopmatch.names import is_withheld

# Excel's day zero (serial 1 is 1900-01-01 after its leap-year bug is allowed for).
EXCEL_EPOCH = date(1899, 12, 30)
# Serials this side of 1955..2119 are dates; others are probably amounts or ids.
EXCEL_SERIALS = range(20_000, 80_000)

_PLAIN_AMOUNT = re.compile(r"-?\d{1,12}(?:\.\d{1,2})?")
_SPLIT_DIGITS = re.compile(r"\d\s+\d")
_AMOUNT = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")



def parse_amount(value) -> int:
    """Return an amount in pence: "£1,234.50" -> 123450; "12.00-", "(12.00)", "12 CR" are credits.

    Raise ValueError when the text is not an amount.
    """
    if type(value) is str:
        if _PLAIN_AMOUNT.fullmatch(value):
            # At most two decimals and well under 2**53 pence, so the float is exact enough.
            return round(float(value) * 100)
        return _parse_messy_amount(value.strip())
    if isinstance(value, bool) or value is None:
        raise ValueError("not an amount")
    if isinstance(value, int):
        return value * 100
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("not an amount")
        # repr gives the shortest decimal that round-trips: 875.6899999999999 -> 875.69.
        return _to_pence(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return _to_pence(value)
    return _parse_messy_amount(str(value).strip())


def _parse_messy_amount(text: str) -> int:
    if _SPLIT_DIGITS.search(text):
        raise ValueError("not an amount")  # "1 2" is two numbers, not twelve
    compact = text.replace("£", "").replace("GBP", "").replace(",", "").replace(" ", "")
    compact = compact.replace("\u00a0", "").replace("Â", "")
    negative = False
    if compact.startswith("(") and compact.endswith(")"):
        negative, compact = True, compact[1:-1]
    upper = compact.upper()
    if upper.endswith("CR"):
        negative, compact = True, compact[:-2]
    elif upper.endswith("DR"):
        compact = compact[:-2]
    if compact.endswith("-"):
        negative, compact = not negative, compact[:-1]
    if compact.startswith("-"):
        negative, compact = not negative, compact[1:]
    elif compact.startswith("+"):
        compact = compact[1:]
    compact = compact.replace("£", "")
    if not compact or not _AMOUNT.fullmatch(compact):
        raise ValueError("not an amount")
    pence = _to_pence(Decimal(compact))
    return -pence if negative else pence


def _to_pence(amount: Decimal) -> int:
    try:
        return int((amount * 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    except InvalidOperation as error:
        raise ValueError("not an amount") from error


def parse_date(value) -> date:
    """Return the date in an ISO, dd/mm/yyyy, dd/mm/yy, dd-Mon-yy, "3 Apr 2023" or Excel cell.

    UK ledgers write the day first, so 04/01/2017 is 4 January (coopmatch.dates). Raise
    ValueError otherwise.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError("not a date")
    if isinstance(value, int | float):
        return _from_serial(value)
    text = str(value).strip()
    if _SERIAL.fullmatch(text):
        return _from_serial(float(text))
    day = read_day(text)
    if day.year not in PLAUSIBLE_YEARS:  # 0001-01-01: a system's "not given"
        raise ValueError("not a date")
    return day


def _from_serial(serial: float) -> date:
    if int(serial) not in EXCEL_SERIALS:
        raise ValueError("not a date")
    return EXCEL_EPOCH + timedelta(days=int(serial))


class DateParser:
    """Parse dates with a memory: a ledger repeats the same few hundred date strings."""

    def __init__(self):
        self._seen: dict = {}

    def __call__(self, value) -> date:
        try:
            return self._seen[value]
        except KeyError:
            pass
        except TypeError:  # unhashable cell values
            return parse_date(value)
        parsed = parse_date(value)
        if len(self._seen) < 100_000:
            self._seen[value] = parsed
        return parsed


def is_redacted(name: str | None) -> bool:
    """Return True for a payee the publisher withheld: "THIRD PARTY", "Redacted - personal data"."""
    return is_withheld(name)


def financial_year(day: date) -> int:
    """Return the year a UK financial year (April to March) starts in: 2020-02-01 -> 2019."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(start_year: int) -> str:
    """Return the usual label of a financial year: 2019 -> "2019/20"."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"
