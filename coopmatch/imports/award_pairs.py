"""The labelled (tender -> winning supplier) pairs table: one row per award and supplier.

Rows are grouped by `record_id` into notices. Each source's record id becomes the same ocid
that source's own importer gives, so importing both never duplicates a tender: OCDS ocids as
they are, TED links as `ted-<number>`, Silvereye ids as their CF ocid, CF GUIDs as `cf-<guid>`.
"""

from __future__ import annotations

from collections.abc import Iterator

from coopmatch.cpv import CPVVocabulary
from coopmatch.imports.notices import (
    GUID,
    award_supplier,
    cf_notice_ocid,
    cf_ocid_from_release_key,
    finish_notice,
    lenient_postcode,
    normalise_ocid,
    slug,
    split_supplier_names,
    ted_ocid,
    valid_cpv_codes,
)
from coopmatch.imports.reading import (
    DEFAULT_MAX_BYTES,
    CsvRow,
    SourceLike,
    company_number,
    is_company_number,
    open_source,
    parse_bool,
    parse_date,
    parse_range,
    read_csv,
    tidy,
)
from coopmatch.imports.records import AwardRecord, BuyerRecord, NoticeRecord, RowError


def record_ocid(record_id: str, source: str) -> str:
    """Return the ocid for a pair's record id, as the source's own importer makes it."""
    record_id = record_id.strip()
    if record_id.lower().startswith("ocds-"):
        return normalise_ocid(record_id)
    if "ted.europa.eu" in record_id or source.startswith("ted"):
        return ted_ocid(record_id) or f"ted-{slug(record_id)}"
    if GUID.fullmatch(record_id):
        return cf_notice_ocid(record_id)
    return cf_ocid_from_release_key(record_id) or f"pairs-{slug(record_id)}"


def _notice(row: CsvRow, ocid: str, cpv: CPVVocabulary) -> NoticeRecord | RowError:
    buyer = tidy(row.get("buyer_name"))
    if not buyer:
        return RowError(row.line, "buyer_name", "the buyer's name is missing")
    description = tidy(row.get("description"))
    title = tidy(row.get("title")) or description[:120]
    if not title:
        return RowError(row.line, "title", "the notice has no title")
    source = row.get("source")
    return NoticeRecord(
        ocid=ocid,
        title=title,
        buyer=BuyerRecord(name=buyer, postcode=lenient_postcode(row.get("buyer_postcode"))),
        line=row.line,
        description=description,
        cpv_codes=valid_cpv_codes(cpv, [row.get("cpv_codes")]),
        value=parse_range(row.get("award_value")),
        currency=row.get("currency").upper()[:3] or "GBP",
        status="awarded",
        delivery_area=tidy(row.get("delivery_regions")).replace(";", "; ") or None,
        notice_url=row.get("record_id") if row.get("record_id").startswith("http") else None,
        source=(source or "award_pairs")[:40],
    )


def _awards(row: CsvRow, notice: NoticeRecord) -> list[AwardRecord]:
    names = row.get("supplier_name")
    # Only the Lancashire rows join several winners in one name.
    winners = (
        split_supplier_names(names)
        if row.get("source") == "cf_lancashire_councils"
        else [(None, tidy(names))]
    )
    number = company_number(row.get("supplier_id"))
    return [
        AwardRecord(
            supplier=award_supplier(
                name,
                address=tidy(row.get("supplier_address")) or None,
                postcode=row.get("supplier_postcode") or None,
                registration_number=number if is_company_number(number) else None,
                is_sme=parse_bool(row.get("supplier_is_sme")) if len(winners) == 1 else None,
                line=row.line,
            ),
            value=parse_range(row.get("award_value")),
            currency=notice.currency,
            award_date=parse_date(row.get("award_date")),
            lot_external_id=lot,
            external_id=row.get("release_id") or row.get("record_id"),
        )
        for lot, name in winners
        if name
    ]


def parse(
    source: SourceLike, *, cpv: CPVVocabulary, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[NoticeRecord | RowError]:
    """Parse the pairs table into one awarded notice per record id."""
    reader = read_csv(
        open_source(source, max_bytes=max_bytes),
        required=["record_id", "buyer_name", "title", "supplier_name"],
    )
    notices: dict[str, NoticeRecord] = {}
    for row in reader:
        if isinstance(row, RowError):
            yield row
            continue
        if not row.get("record_id"):
            yield RowError(row.line, "record_id", "the record id is missing")
            continue
        problem = row.unreadable({"award_value": ("award_value", "range"),
                                  "award_date": ("award_date", "date")})
        if problem:
            yield problem
            continue
        ocid = record_ocid(row.get("record_id"), row.get("source"))
        notice = notices.get(ocid)
        if notice is None:
            notice = _notice(row, ocid, cpv)
            if isinstance(notice, RowError):
                yield notice
                continue
            notices[ocid] = notice
        if not row.get("supplier_name"):
            yield RowError(row.line, "supplier_name", "the supplier's name is missing")
            continue
        # "n/a" and "No Award" name no winner: the notice stays, without an award.
        notice.awards += _awards(row, notice)
    for notice in notices.values():
        yield finish_notice(notice)
