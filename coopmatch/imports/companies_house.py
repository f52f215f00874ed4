"""Companies House basic company data: the official BasicCompanyData layout or an extract of it.

The official file's column names have stray spaces (" CompanyNumber") and dotted groups
("RegAddress.PostCode"); both match here because columns are compared by `column_key`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from coopmatch.cpv import CPVVocabulary
from coopmatch.imports.notices import join_address, lenient_postcode
from coopmatch.imports.reading import (
    DEFAULT_MAX_BYTES,
    CsvRow,
    SourceLike,
    clip,
    company_number,
    open_source,
    parse_date,
    read_csv,
    tidy,
)
from coopmatch.imports.records import RowError, SupplierRecord

_SIC = re.compile(r"^(\d{5})\s*-\s*(.*)$")
_SIC_COLUMNS = [f"siccode_sictext_{n}" for n in range(1, 5)]


def status_for(company_status: str) -> str:
    """Return active, inactive or dissolved for a Companies House company status."""
    status = company_status.strip().lower()
    if status == "active":
        return "active"
    if "dissolved" in status or "converted" in status or "closed" in status:
        return "dissolved"
    # Liquidation, administration, receivership, proposal to strike off.
    return "inactive"


def _sic(row: CsvRow) -> tuple[list[str], list[str]]:
    codes: list[str] = []
    names: list[str] = []
    for column in _SIC_COLUMNS:
        match = _SIC.match(row.get(column))
        # Legacy 4-digit SIC 2003 codes and "None Supplied" are not SIC 2007 codes.
        if match and match.group(1) not in codes:
            codes.append(match.group(1))
            if match.group(2):
                names.append(tidy(match.group(2)))
    return codes, names


def _company(row: CsvRow) -> SupplierRecord | RowError:
    name = tidy(row.get("companyname"))
    if not name:
        return RowError(row.line, "CompanyName", "the company name is missing")
    number = company_number(row.get("companynumber"))
    if not number:
        return RowError(row.line, "CompanyNumber", "the company number is missing")
    category = tidy(row.get("companycategory"))
    sic_codes, sic_names = _sic(row)
    postcode = row.get("regaddress_postcode", "postcode")
    return SupplierRecord(
        name=clip(name, 300) or "",
        line=row.line,
        description="; ".join(sic_names),
        postcode=lenient_postcode(postcode),
        address=join_address(
            row.get("regaddress_addressline1"),
            row.get("regaddress_addressline2"),
            row.get("regaddress_posttown"),
            row.get("regaddress_county"),
            postcode,
        ),
        sic_codes=sic_codes,
        ownership="social_enterprise" if "community interest" in category.lower() else "sme",
        legal_form=clip(category or None, 120),
        registration_number=number,
        status=status_for(row.get("companystatus") or "active"),
        incorporation_date=parse_date(row.get("incorporationdate")),
        source="companies_house",
        external_id=f"GB-COH-{number}",
    )


def parse(
    source: SourceLike,
    *,
    cpv: CPVVocabulary | None = None,
    areas: set[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[SupplierRecord | RowError]:
    """Parse companies, keeping only those whose `localauthority_code` is in `areas` if given.

    Rows with no local authority column or value are kept: the service filters by postcode.
    """
    reader = read_csv(
        open_source(source, max_bytes=max_bytes), required=["companyname", "companynumber"]
    )
    for row in reader:
        if isinstance(row, RowError):
            yield row
            continue
        area = row.get("localauthority_code")
        if areas is not None and area and area not in areas:
            continue
        yield _company(row)
