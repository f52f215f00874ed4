"""TED contract award notices for UK buyers (the bidstat extract): one row per winning supplier.

Rows are grouped by CONTRACT_URL into one notice `ted-<notice number>` with an award per
supplier. CONTRACT_VALUE is the notice's total, or a `low-high` range whose upper end is kept;
it is repeated on each supplier's award (share one award `external_id`, so do not add them up).
There is no CPV code in this extract.
"""

from __future__ import annotations

from collections.abc import Iterator

from coopmatch.cpv import CPVVocabulary
from coopmatch.imports.notices import award_supplier, finish_notice, lenient_postcode, ted_ocid
from coopmatch.imports.reading import (
    DEFAULT_MAX_BYTES,
    CsvRow,
    SourceLike,
    company_number,
    is_company_number,
    open_source,
    parse_date,
    parse_range,
    read_csv,
    tidy,
)
from coopmatch.imports.records import AwardRecord, BuyerRecord, NoticeRecord, RowError

_UK = {"UK", "GB", ""}


def _notice(row: CsvRow, ocid: str) -> NoticeRecord | RowError:
    buyer = tidy(row.get("contract_buyer"))
    if not buyer:
        return RowError(row.line, "CONTRACT_BUYER", "the buyer's name is missing")
    description = tidy(row.get("contract_desc"))
    title = tidy(row.get("contract_title")) or description[:120]
    if not title:
        return RowError(row.line, "CONTRACT_TITLE", "the notice has no title")
    return NoticeRecord(
        ocid=ocid,
        title=title,
        buyer=BuyerRecord(
            name=buyer, postcode=lenient_postcode(row.get("contract_buyer_postcode"))
        ),
        line=row.line,
        description=description,
        value=parse_range(row.get("contract_value")),
        currency=row.get("contract_currency").upper()[:3] or "GBP",
        status="awarded",
        notice_url=row.get("contract_url"),
        source="ted",
    )


def _award(row: CsvRow, notice: NoticeRecord) -> AwardRecord:
    country = row.get("supplier_country").upper()
    number = company_number(row.get("supplier_id"))
    return AwardRecord(
        supplier=award_supplier(
            row.get("supplier_name"),
            # Only UK postcodes are postcodes to us; other countries' codes are dropped.
            postcode=row.get("supplier_postcode") if country in _UK else None,
            registration_number=number if is_company_number(number) else None,
            line=row.line,
        ),
        value=notice.value,
        currency=notice.currency,
        award_date=parse_date(row.get("contract_date")),
        external_id=notice.ocid,
    )


def parse(
    source: SourceLike, *, cpv: CPVVocabulary | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[NoticeRecord | RowError]:
    """Parse the TED award CSV into one awarded notice per TED notice."""
    reader = read_csv(
        open_source(source, max_bytes=max_bytes),
        required=["supplier_name", "contract_buyer", "contract_title", "contract_url"],
    )
    notices: dict[str, NoticeRecord] = {}
    for row in reader:
        if isinstance(row, RowError):
            yield row
            continue
        problem = row.unreadable({"contract_value": ("CONTRACT_VALUE", "range"),
                                  "contract_date": ("CONTRACT_DATE", "date")})
        if problem:
            yield problem
            continue
        url = row.get("contract_url")
        ocid = ted_ocid(url) if url else None
        if not ocid:
            reason = (
                f"'{url}' is not a TED notice link" if url else "the TED notice link is missing"
            )
            yield RowError(row.line, "CONTRACT_URL", reason)
            continue
        notice = notices.get(ocid)
        if notice is None:
            notice = _notice(row, ocid)
            if isinstance(notice, RowError):
                yield notice
                continue
            notices[ocid] = notice
        # Some rows name no supplier at all (TED left it out): the notice still counts.
        if tidy(row.get("supplier_name")):
            notice.awards.append(_award(row, notice))
    for notice in notices.values():
        yield finish_notice(notice)
