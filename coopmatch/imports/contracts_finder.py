"""The Contracts Finder "Download CSV" export (43 columns), one notice a row.

CF's "Notice Identifier" is usually the buyer's own reference, not the CF notice GUID, so the
ocid is `cf-<guid>` when it is a GUID (agreeing with the Lancashire files) and otherwise
`cf-<buyer>-<reference>`, which stays stable across re-imports of the same notice.

Winners are in one column as `[Name|Address|Ref type|Ref Number|Is SME|Is VCSE]` blocks.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from coopmatch.cpv import CPVVocabulary
from coopmatch.imports.notices import (
    GUID,
    arrangement_from,
    award_supplier,
    cf_notice_ocid,
    finish_notice,
    lenient_postcode,
    slug,
    valid_cpv_codes,
)
from coopmatch.imports.reading import (
    DEFAULT_MAX_BYTES,
    CsvRow,
    SourceLike,
    open_source,
    parse_amount,
    parse_bool,
    parse_date,
    read_csv,
    tidy,
)
from coopmatch.imports.records import AwardRecord, BuyerRecord, NoticeRecord, RowError

NOTICE_URL = "https://www.contractsfinder.service.gov.uk/Notice/{}"
SUPPLIER_COLUMN = "supplier_name_address_ref_type_ref_number_is_sme_is_vcse"
_STATUSES = {
    "open": "open",
    "closed": "closed",
    "awarded": "awarded",
    "withdrawn": "cancelled",
    "cancelled": "cancelled",
}
_NOT_A_PLACE = {"any region", "", "not specified"}


def notice_ocid(notice_id: str, organisation: str) -> str:
    """Return the stable id of a CF CSV notice (see the module docstring)."""
    if GUID.fullmatch(notice_id.strip()):
        return cf_notice_ocid(notice_id)
    notice_id = notice_id.strip()
    reference = re.sub(r"[^A-Za-z0-9]+", "-", notice_id).strip("-").lower()
    if re.search(r"[^A-Za-z0-9\s_-]", notice_id):
        # Punctuation is dropped above, so "07/01/2025" and "07/01/2025." need telling apart.
        reference += "-" + hashlib.sha1(notice_id.encode()).hexdigest()[:6]
    return f"cf-{slug(organisation)[:60]}-{reference}"


def parse_suppliers(text: str) -> list[list[str]]:
    """Split the supplier column into its `[Name|Address|Ref type|Ref Number|SME|VCSE]` blocks."""
    text = text.strip()
    if not text:
        return []
    blocks = re.split(r"\]\s*,?\s*\[", text.strip("[] \r\n"))
    return [[part.strip() for part in block.split("|")] + [""] * 5 for block in blocks]


def _awards(row: CsvRow, line: int) -> list[AwardRecord]:
    awards = []
    for block in parse_suppliers(row.get(SUPPLIER_COLUMN)):
        name, address, ref_type, ref_number, sme = block[:5]
        if not tidy(name):
            continue
        companies_house = "compan" in ref_type.lower() or ref_type.upper() in {"COH", "GB-COH"}
        awards.append(
            AwardRecord(
                supplier=award_supplier(
                    name,
                    address=tidy(address) or None,
                    registration_number=ref_number if companies_house else None,
                    is_sme=parse_bool(sme),
                    line=line,
                ),
                value=parse_amount(row.get("awarded_value")),
                award_date=parse_date(row.get("awarded_date")),
            )
        )
    return awards


def _status(row: CsvRow, has_awards: bool) -> str:
    status = _STATUSES.get(row.get("status").lower(), "open")
    if has_awards:
        return "awarded"
    if status == "open" and row.get("notice_type").lower() in {"pipeline", "preprocurement"}:
        # Pipeline and early-engagement notices announce a procurement still to come.
        return "planned"
    return status


# The columns read as dates and amounts: one given that cannot be read ("TBC", "next week")
# refuses the row, naming the column, rather than importing the notice without it.
_DATES_AND_AMOUNTS = {
    "published_date": ("Published Date", "date"),
    "closing_date": ("Closing Date", "date"),
    "start_date": ("Start Date", "date"),
    "end_date": ("End Date", "date"),
    "contract_start_date": ("Contract start date", "date"),
    "contract_end_date": ("Contract end date", "date"),
    "awarded_date": ("Awarded Date", "date"),
    "value_low": ("Value Low", "amount"),
    "value_high": ("Value High", "amount"),
    "awarded_value": ("Awarded Value", "amount"),
}


def _notice(row: CsvRow, cpv: CPVVocabulary) -> NoticeRecord | RowError:
    notice_id = row.get("notice_identifier")
    if not notice_id:
        return RowError(row.line, "Notice Identifier", "the notice identifier is missing")
    organisation = tidy(row.get("organisation_name"))
    if not organisation:
        return RowError(row.line, "Organisation Name", "the buyer's name is missing")
    title = tidy(row.get("title")) or tidy(row.get("description"))[:120]
    if not title:
        return RowError(row.line, "Title", "the notice has no title")
    problem = row.unreadable(_DATES_AND_AMOUNTS)
    if problem:
        return problem
    awards = _awards(row, row.line)
    links = re.findall(r"https?://\S+", row.get("links"))
    guid = GUID.fullmatch(notice_id)
    region = tidy(row.get("region"))
    return finish_notice(
        NoticeRecord(
            ocid=notice_ocid(notice_id, organisation),
            title=title,
            buyer=BuyerRecord(
                name=organisation, postcode=lenient_postcode(row.get("contact_postcode"))
            ),
            line=row.line,
            description=tidy(row.get("description")),
            cpv_codes=valid_cpv_codes(cpv, [row.get("cpv_codes")]),
            value=parse_amount(row.get("value_high")) or parse_amount(row.get("value_low")),
            status=_status(row, bool(awards)),
            published_date=parse_date(row.get("published_date")),
            deadline=parse_date(row.get("closing_date")),
            delivery_postcode=lenient_postcode(row.get("postcode")),
            delivery_area=None if region.lower() in _NOT_A_PLACE else region,
            contract_start=parse_date(row.get("contract_start_date", "start_date")),
            contract_end=parse_date(row.get("contract_end_date", "end_date")),
            arrangement=arrangement_from(row.get("ojeu_procedure_type")),
            notice_url=NOTICE_URL.format(notice_id.lower()) if guid else (links or [None])[0],
            source="contracts_finder",
            awards=awards,
        )
    )


def parse(
    source: SourceLike, *, cpv: CPVVocabulary, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[NoticeRecord | RowError]:
    """Parse a CF CSV export; a bad CPV code or postcode is dropped, not the notice."""
    reader = read_csv(
        open_source(source, max_bytes=max_bytes),
        required=["notice_identifier", "organisation_name", "title"],
    )
    for row in reader:
        yield row if isinstance(row, RowError) else _notice(row, cpv)
