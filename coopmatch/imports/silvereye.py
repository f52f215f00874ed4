"""Silvereye's simple award and tender CSV templates, filled from Contracts Finder notices.

Their "Notice ID" is a CF release id without its `ocds-b5fd17-` prefix, so it starts with the
GUID of the CF ocid: notices get that ocid and agree with the CF OCDS files.
"""

from __future__ import annotations

from collections.abc import Iterator

from coopmatch.cpv import CPVVocabulary
from coopmatch.imports.notices import (
    award_supplier,
    cf_ocid_from_release_key,
    finish_notice,
    join_address,
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
    parse_date,
    read_csv,
    tidy,
)
from coopmatch.imports.records import AwardRecord, BuyerRecord, NoticeRecord, RowError


def notice_ocid(notice_id: str) -> str:
    """Return the CF ocid a Silvereye notice id starts with, or `silvereye-<id>`."""
    return cf_ocid_from_release_key(notice_id) or f"silvereye-{slug(notice_id)}"


def _text(value: str) -> str:
    # Many award descriptions are just "." in these files.
    text = tidy(value)
    return "" if text.strip(". -") == "" else text


def _classifications(row: CsvRow) -> list[str]:
    codes = []
    for suffix in ("", "_2"):
        scheme = row.get(f"classification_scheme{suffix}").upper()
        if scheme in {"CPV", ""}:
            codes.append(row.get(f"classification_code{suffix}"))
    return codes


def _buyer(row: CsvRow) -> BuyerRecord:
    scheme, number = row.get("buyer_id_scheme"), row.get("buyer_id")
    return BuyerRecord(
        name=tidy(row.get("buyer_name")),
        postcode=lenient_postcode(None, row.get("buyer_locality")),
        external_id=f"{scheme}-{number}" if scheme and number else None,
    )


def _award(row: CsvRow) -> AwardRecord | None:
    name = tidy(row.get("supplier_name"))
    if not name:
        return None
    scheme, number = row.get("supplier_id_scheme").upper(), row.get("supplier_id")
    street = row.get("supplier_address_street_address")
    return AwardRecord(
        supplier=award_supplier(
            name,
            address=join_address(
                street,
                row.get("supplier_address_locality"),
                row.get("supplier_address_postcode"),
            ),
            postcode=row.get("supplier_address_postcode") or None,
            registration_number=number if scheme == "GB-COH" else None,
            external_id=f"{scheme}-{number}" if scheme and number else None,
            line=row.line,
        ),
        value=parse_amount(row.get("award_value")),
        currency=row.get("award_value_currency").upper()[:3] or "GBP",
        award_date=parse_date(row.get("date_contract_awarded")),
        external_id=row.get("notice_id") or None,
    )


def _notice(row: CsvRow, cpv: CPVVocabulary, *, kind: str) -> NoticeRecord | RowError:
    notice_id = row.get("notice_id")
    if not notice_id:
        return RowError(row.line, "Notice ID", "the notice id is missing")
    buyer = _buyer(row)
    if not buyer.name:
        return RowError(row.line, "Buyer Name", "the buyer's name is missing")
    prefix = "award" if kind == "awards" else "tender"
    description = _text(row.get(f"{prefix}_description"))
    title = tidy(row.get(f"{prefix}_title")) or description[:120]
    if not title:
        return RowError(row.line, f"{prefix.title()} Title", "the notice has no title")
    notice = NoticeRecord(
        ocid=notice_ocid(notice_id),
        title=title,
        buyer=buyer,
        line=row.line,
        description=description,
        cpv_codes=valid_cpv_codes(cpv, _classifications(row)),
        published_date=parse_date(row.get("published_date")),
        source="contracts_finder",
    )
    if kind == "awards":
        notice.status = "awarded"
        notice.contract_start = parse_date(row.get("contract_start_date"))
        notice.contract_end = parse_date(row.get("contract_end_date"))
        notice.notice_url = row.get("award_documents_url") or None
    else:
        notice.value = parse_amount(row.get("tender_value"))
        notice.currency = row.get("tender_value_currency").upper()[:3] or "GBP"
        notice.deadline = parse_date(row.get("tender_end_date"))
    return notice


# The columns read as dates and amounts (of either file): one given that cannot be read
# refuses its row, naming the column.
_DATES_AND_AMOUNTS = {
    "published_date": ("Published Date", "date"),
    "date_contract_awarded": ("Date Contract Awarded", "date"),
    "contract_start_date": ("Contract Start Date", "date"),
    "contract_end_date": ("Contract End Date", "date"),
    "tender_end_date": ("Tender End Date", "date"),
    "award_value": ("Award Value", "amount"),
    "tender_value": ("Tender Value", "amount"),
}


def _parse(source, cpv, kind, required, max_bytes) -> Iterator[NoticeRecord | RowError]:
    reader = read_csv(open_source(source, max_bytes=max_bytes), required=required)
    # Award rows are one per (notice, supplier): gather each notice's winners in file order.
    notices: dict[str, NoticeRecord] = {}
    for row in reader:
        if isinstance(row, RowError):
            yield row
            continue
        problem = row.unreadable(_DATES_AND_AMOUNTS)
        if problem:
            yield problem
            continue
        notice = _notice(row, cpv, kind=kind)
        if isinstance(notice, RowError):
            yield notice
            continue
        notice = notices.setdefault(notice.ocid, notice)
        award = _award(row) if kind == "awards" else None
        if award:
            notice.awards.append(award)
    for notice in notices.values():
        yield finish_notice(notice)


def parse_awards(
    source: SourceLike, *, cpv: CPVVocabulary, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[NoticeRecord | RowError]:
    """Parse Silvereye award rows into awarded notices with their suppliers."""
    required = ["notice_id", "buyer_name", "supplier_name", "award_title"]
    return _parse(source, cpv, "awards", required, max_bytes)


def parse_tenders(
    source: SourceLike, *, cpv: CPVVocabulary, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[NoticeRecord | RowError]:
    """Parse Silvereye tender rows into open notices."""
    required = ["notice_id", "buyer_name", "tender_title"]
    return _parse(source, cpv, "tenders", required, max_bytes)
