"""Co-operatives UK open data (the 2023 "standard" CSV and the 2017 organisations CSV).

Ownership follows Co-operatives UK's "Ownership Classification" first, then the legal form:

| Ownership Classification | ownership |
|---|---|
| Workers, Self-employed (freelancers' co-ops) | worker_coop |
| Consumers, Tenants (housing co-ops are owned by their users) | consumer_coop |
| Multi-stakeholder | multi_stakeholder_coop |
| Community of Interest (community shops, pubs, energy) | community_benefit_society |
| Employee Trust | employee_owned |
| Enterprises, Co-operatives (secondary co-ops), blank | by legal form, below |

| Legal form / organisational structure | ownership |
|---|---|
| Employee trust | employee_owned |
| Community Interest Company | social_enterprise |
| (Scottish) Charitable Incorporated Organisation | charity |
| Society (Community Benefit Society / IPS) | community_benefit_society |
| Company, LLP, partnership, unincorporated | sme |

Dead (dissolved) organisations in the 2017 file keep status "dissolved".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

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
from coopmatch.sic import load_sic

BY_CLASSIFICATION = {
    "workers": "worker_coop",
    "self-employed": "worker_coop",
    "consumers": "consumer_coop",
    "tenants": "consumer_coop",
    "multi-stakeholder": "multi_stakeholder_coop",
    "community of interest": "community_benefit_society",
    "employee trust": "employee_owned",
}


def ownership_for(classification: str, legal_form: str, structure: str = "") -> str:
    """Return the coopmatch ownership code for a Co-operatives UK entry (see the table above)."""
    code = BY_CLASSIFICATION.get(classification.strip().lower())
    if code:
        return code
    form = f"{structure} {legal_form}".lower()
    if "employee trust" in form:
        return "employee_owned"
    if "community interest company" in form or "(cic)" in form:
        return "social_enterprise"
    if "charitable" in form or "charity" in form:
        return "charity"
    if "society" in form or "benefit" in form:
        return "community_benefit_society"
    return "sme"


def _sic_2017(text: str) -> str | None:
    # "UKSIC07-4711" is a class: its 5-digit Companies House form adds a 0. Higher levels
    # (a division "UKSIC07-47") have no 5-digit form and are left to the description.
    digits = text.replace("UKSIC07-", "").strip()
    if len(digits) == 5 and digits.isdigit():
        return digits
    if len(digits) == 4 and digits.isdigit():
        return digits + "0"
    return None


# The files lost curly apostrophes and dashes to "?": "St. John?s Cultural Association",
# "Supporters? Trust", "DCLM ? Midlands". (Not in websites, where "?" begins a query.)
_LOST_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\?(?=[A-Za-z])|(?<=[A-Za-z]s)\?(?=\s|$)")
_LOST_DASH = re.compile(r"(?<=\s)\?(?=\s)")


def restore_punctuation(text: str) -> str:
    """Put back the apostrophes and dashes the files lost: "Men?s Sheds" -> "Men's Sheds"."""
    return _LOST_DASH.sub("\u2013", _LOST_APOSTROPHE.sub("'", text)) if "?" in text else text


def _text(row: CsvRow, column: str) -> str:
    return restore_punctuation(tidy(row.get(column)))


def _description(*parts: str) -> str:
    seen: list[str] = []
    for part in parts:
        text = tidy(part).rstrip(".")
        if text and text.lower() not in (s.lower() for s in seen) and text.lower() != "other":
            seen.append(text)
    return ". ".join(seen) + ("." if seen else "")


def _from_2023(row: CsvRow, sic_names: dict[str, str]) -> SupplierRecord:
    sic = row.get("sic_code")
    sic_codes = [sic] if len(sic) == 5 and sic.isdigit() else []
    address = join_address(_text(row, "street_address"), row.get("locality"), row.get("region"))
    return SupplierRecord(
        name=_text(row, "name"),
        line=row.line,
        # Not the SIC section's label: "Wholesale and Retail; Vehicle Repair" would match a
        # food co-op to vehicle maintenance.
        description=_description(
            row.get("sector"),
            row.get("primary_activity"),
            sic_names.get(sic, ""),
        ),
        postcode=lenient_postcode(row.get("postcode")),
        address=address,
        sic_codes=sic_codes,
        ownership=ownership_for(
            row.get("ownership_classification"),
            row.get("legal_form"),
            row.get("organisational_structure"),
        ),
        legal_form=clip(row.get("legal_form") or None, 120),
        registration_number=company_number(row.get("companies_house_number")),
        website=clip(row.get("website") or None, 300),
        status="active",
        source="coops_uk",
        external_id=row.get("identifier") or None,
    )


def _from_2017(row: CsvRow) -> SupplierRecord:
    registered = _text(row, "registered_name")
    trading = _text(row, "trading_name")
    sic_codes = [c for c in [_sic_2017(row.get("sic_code"))] if c]
    status = row.get("registered_status").lower()
    address = join_address(
        _text(row, "registered_street"),
        row.get("registered_city"),
        row.get("registered_state_province"),
    )
    return SupplierRecord(
        # The trading name is the one buyers and ledgers use.
        name=trading or registered,
        other_names=[registered] if trading and registered and trading != registered else [],
        line=row.line,
        description=_description(
            row.get("sector_simplified_high_level"),
            row.get("sic_section"),
            row.get("sic_code_level_2_description"),
            row.get("sic_code_level_4_description"),
            row.get("sic_code_level_5_description"),
        ),
        postcode=lenient_postcode(row.get("registered_postcode")),
        address=address,
        sic_codes=sic_codes,
        ownership=ownership_for(row.get("ownership_classification"), row.get("legal_form")),
        legal_form=clip(row.get("legal_form") or None, 120),
        registration_number=clip(row.get("registered_number").upper() or None, 40),
        status="dissolved" if status in {"dead", "dissolved"} else "active",
        incorporation_date=parse_date(row.get("incorporation_date")),
        source="coops_uk",
        external_id=row.get("cuk_organisation_id") or None,
    )


def parse(
    source: SourceLike,
    *,
    cpv: CPVVocabulary | None = None,
    data_dir: str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[SupplierRecord | RowError]:
    """Parse either Co-operatives UK layout; organisations with no name are RowErrors."""
    reader = read_csv(
        open_source(source, max_bytes=max_bytes),
        required=["identifier|cuk_organisation_id", "name|registered_name"],
    )
    edition_2017 = "cuk_organisation_id" in reader.keys
    sic_names = load_sic(str(data_dir) if data_dir else None).names
    for row in reader:
        if isinstance(row, RowError):
            yield row
            continue
        record = _from_2017(row) if edition_2017 else _from_2023(row, sic_names)
        if not record.name:
            yield RowError(row.line, "Name", "the organisation's name is missing")
            continue
        record.name = clip(record.name, 300) or ""
        yield record
