"""The coopmatch supplier register CSV: strict, because it is our own format.

Columns: name (required), description, postcode, cpv_codes and sic_codes (";"-separated),
ownership (a code or its label), registration_number, employees, website, email. Column names
are matched ignoring case, spaces and punctuation; unknown columns are ignored.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from coopmatch.cpv import CPVVocabulary
from coopmatch.errors import InvalidCPV, InvalidPostcode
from coopmatch.geo.postcodes import normalise_postcode
from coopmatch.imports.reading import (
    DEFAULT_MAX_BYTES,
    CsvRow,
    SourceLike,
    open_source,
    read_csv,
    tidy,
)
from coopmatch.imports.records import RowError, SupplierRecord
from coopmatch.models import OWNERSHIP_MODELS
from coopmatch.sic import parse_sic_codes
from coopmatch.spreadsheets import SafeWriter, from_spreadsheet_cell

COLUMNS = [
    "name",
    "description",
    "postcode",
    "cpv_codes",
    "sic_codes",
    "ownership",
    "registration_number",
    "employees",
    "website",
    "email",
]

# The register's own vocabulary, as the models define it.
OWNERSHIP_LABELS = OWNERSHIP_MODELS

# Other ways people write the same ownership models.
_SYNONYMS = {
    "worker_coop": ["workers coop", "worker owned coop", "workers", "worker cooperative"],
    "consumer_coop": ["consumers coop", "consumer", "consumers", "retail coop"],
    "multi_stakeholder_coop": ["multistakeholder coop", "multi stakeholder"],
    "community_benefit_society": ["cbs", "community benefit", "bencom"],
    "employee_owned": ["employee owned", "employee ownership trust", "eot", "employee trust"],
    "social_enterprise": ["cic", "community interest company", "social enterprise"],
    "charity": ["registered charity", "cio", "charitable incorporated organisation"],
    "sme": ["small business", "small or medium business", "small and medium enterprise"],
    "large_company": ["large business", "large", "plc"],
    "public_body": ["public sector", "public sector body", "local authority"],
    "unknown": ["not known", "unknown", "ownership unknown"],
}


def _ownership_key(text: str) -> str:
    key = re.sub(r"[^a-z]+", " ", text.lower()).strip()
    key = re.sub(r"\bco ?operatives?\b|\bco ?ops?\b", "coop", key)
    return re.sub(r"\s+", " ", key)


_OWNERSHIP = {
    _ownership_key(text): code
    for code, label in OWNERSHIP_LABELS.items()
    for text in [code, label, *_SYNONYMS[code]]
}


def parse_ownership(text: str) -> str:
    """Return the ownership code for a code or label ("Worker co-operative" -> "worker_coop")."""
    code = _OWNERSHIP.get(_ownership_key(text))
    if code is None:
        choices = ", ".join(OWNERSHIP_LABELS)
        raise ValueError(f"'{text}' is not an ownership model; use one of: {choices}")
    return code


def parse_employees(text: str) -> int:
    """Return a whole number of employees of 0 or more ("1,200" is allowed)."""
    cleaned = text.replace(",", "").strip()
    match = re.fullmatch(r"(\d+)(?:\.0+)?", cleaned)
    if not match:
        raise ValueError(f"employees must be a whole number of 0 or more ('{text}' is not)")
    return int(match.group(1))


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _website(text: str) -> str:
    if re.match(r"^https?://", text, re.IGNORECASE):
        return text
    if re.fullmatch(r"[\w.-]+\.[a-z]{2,}(/\S*)?", text, re.IGNORECASE):
        return f"https://{text}"
    raise ValueError(f"'{text}' is not a web address, like https://example.coop")


def _supplier(row: CsvRow, cpv: CPVVocabulary) -> SupplierRecord | RowError:
    name = from_spreadsheet_cell(tidy(row.get("name")))  # as a file we wrote gives it
    if not name:
        return RowError(row.line, "name", "the supplier's name is missing")
    if len(name) > 300:
        return RowError(row.line, "name", "the name is longer than 300 characters")
    record = SupplierRecord(name=name, line=row.line,
                            description=from_spreadsheet_cell(tidy(row.get("description"))))
    field_name = "postcode"
    try:
        if row.get("postcode"):
            record.postcode = normalise_postcode(row.get("postcode"))
        field_name = "cpv_codes"
        record.cpv_codes = cpv.normalise_many(row.get("cpv_codes"))
        field_name = "sic_codes"
        record.sic_codes = parse_sic_codes(row.get("sic_codes"))
        field_name = "ownership"
        record.ownership = parse_ownership(row.get("ownership")) if row.get("ownership") else None
        field_name = "employees"
        record.employees = parse_employees(row.get("employees")) if row.get("employees") else None
        field_name = "website"
        record.website = _website(row.get("website")) if row.get("website") else None
    except (InvalidPostcode, InvalidCPV) as error:
        return RowError(row.line, field_name, error.message)
    except ValueError as error:
        return RowError(row.line, field_name, str(error))
    email = row.get("email")
    if email and not _EMAIL.match(email):
        return RowError(row.line, "email", f"'{email}' is not an email address")
    record.email = email or None
    record.registration_number = row.get("registration_number").upper() or None
    return record


def parse(
    source: SourceLike, *, cpv: CPVVocabulary, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[SupplierRecord | RowError]:
    """Parse a supplier register CSV; every bad value is a RowError naming line and column."""
    source = open_source(source, max_bytes=max_bytes)
    for row in read_csv(source, required=["name"], strict_width=True):
        yield row if isinstance(row, RowError) else _supplier(row, cpv)


def write_suppliers_csv(records: Iterable[SupplierRecord], target: str | Path | TextIO) -> int:
    """Write suppliers in the register layout that `parse` reads back, to a path or an open
    text handle; return the row count. Text a spreadsheet would run as a formula is written so
    that it is shown (see coopmatch.spreadsheets)."""
    if isinstance(target, (str, Path)):
        with open(target, "w", encoding="utf-8", newline="") as handle:
            return write_suppliers_csv(records, handle)
    count = 0

    def counted() -> Iterator[SupplierRecord]:
        nonlocal count
        for record in records:
            count += 1
            yield record

    for piece in iter_suppliers_csv(counted()):
        target.write(piece)
    return count


def iter_suppliers_csv(records: Iterable[SupplierRecord], rows: int = 500) -> Iterator[str]:
    """Yield the CSV that `write_suppliers_csv` writes, a few hundred rows at a time: a web
    download of a large register is sent as it is read, not built whole in memory first."""
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(COLUMNS)
    for count, record in enumerate(records, start=1):
        writer.writerow(_csv_row(record))
        if count % rows == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_row(record: SupplierRecord) -> list:
    return [
        record.name,
        record.description or "",
        record.postcode or "",
        ";".join(record.cpv_codes),
        ";".join(record.sic_codes),
        record.ownership or "",
        record.registration_number or "",
        "" if record.employees is None else record.employees,
        record.website or "",
        record.email or "",
    ]
