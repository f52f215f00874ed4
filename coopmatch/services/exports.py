"""Exports: tenders posted in coopmatch as OCDS 1.1 releases."""

from datetime import UTC, date, datetime

from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from coopmatch.models import Award, Tender

OCDS_TENDER_STATUS = {
    "planned": "planned",
    "open": "active",
    "closed": "complete",
    "awarded": "complete",
    "cancelled": "cancelled",
}


def _datetime(value: date | datetime | None) -> str | None:
    """Return an RFC 3339 date-time, as OCDS asks; dates are taken at midnight UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _value(amount: float | None, currency: str) -> dict | None:
    return {"amount": amount, "currency": currency or "GBP"} if amount is not None else None


def _classification(code: str, describe) -> dict:
    item = {"scheme": "CPV", "id": code}
    description = describe(code)
    if description:
        item["description"] = description
    return item


def _period(start, end) -> dict | None:
    period = {k: v for k, v in (("startDate", _datetime(start)), ("endDate", _datetime(end))) if v}
    return period or None


def _compact(data):
    """Drop empty values: OCDS fields are omitted rather than null."""
    if isinstance(data, dict):
        cleaned = {k: _compact(v) for k, v in data.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(data, list):
        return [_compact(v) for v in data if v not in (None, "", [], {})]
    return data


# How a tender is let, in OCDS: the techniques extension's flags, or Contracts Finder's words for
# a call-off (what imports.notices.arrangement_from reads back).
ARRANGEMENT_FIELDS = {
    "framework": {"techniques": {"hasFramework": True}},
    "dps": {"techniques": {"hasFramework": True, "hasDynamicPurchasingSystem": True}},
    "call_off": {"procurementMethodDetails": "Call-off from a framework agreement"},
}


def tender_release(tender: Tender, *, prefix: str, describe=lambda code: "") -> dict:
    """Build the OCDS 1.1 release of a tender, its lots and awards."""
    ocid = tender.ocid or f"{prefix}-{tender.id}"
    buyer = tender.buyer
    buyer_party = {
        "id": f"coopmatch-org-{buyer.id}",
        "name": buyer.name,
        "roles": ["buyer"],
        "address": {"postalCode": buyer.postcode, "countryName": "United Kingdom"}
        if buyer.postcode else None,
    }
    parties = {buyer_party["id"]: buyer_party}
    awards = []
    for award in tender.awards:
        supplier = award.supplier
        party_id = f"coopmatch-supplier-{supplier.id}"
        parties.setdefault(party_id, {
            "id": party_id,
            "name": supplier.name,
            "roles": ["supplier"],
            "address": {"postalCode": supplier.postcode} if supplier.postcode else None,
            "identifier": {"scheme": "GB-COH", "id": supplier.registration_number}
            if supplier.registration_number else None,
        })
        awards.append({
            "id": f"{ocid}-award-{award.id}",
            "status": "active",
            "date": _datetime(award.award_date),
            "value": _value(award.value, award.currency),
            "suppliers": [{"id": party_id, "name": supplier.name}],
            "relatedLots": [f"lot-{award.lot_id}"] if award.lot_id else None,
        })
    items = [
        {
            "id": f"item-{n}",
            "classification": _classification(code, describe),
            "deliveryAddresses": [{"postalCode": tender.delivery_postcode}]
            if tender.delivery_postcode else None,
        }
        for n, code in enumerate(tender.cpv_list, start=1)
    ]
    for lot in tender.lots:
        items.extend({
            "id": f"lot-{lot.id}-item-{n}",
            "classification": _classification(code, describe),
            "relatedLot": f"lot-{lot.id}",
        } for n, code in enumerate(lot.cpv_list, start=1))
    updated = tender.updated_at or tender.created_at
    release = {
        "ocid": ocid,
        "id": f"{ocid}-{updated.strftime('%Y%m%dT%H%M%S') if updated else 'initial'}",
        "date": _datetime(updated),
        "tag": ["award"] if awards else ["tender"],
        "initiationType": "tender",
        "language": "en",
        "parties": list(parties.values()),
        "buyer": {"id": buyer_party["id"], "name": buyer.name},
        "tender": {
            "id": f"coopmatch-tender-{tender.id}",
            "title": tender.title,
            "description": tender.description,
            "status": OCDS_TENDER_STATUS.get(tender.status, "active"),
            "value": _value(tender.value, tender.currency),
            "classification": _classification(tender.cpv_list[0], describe)
            if tender.cpv_list else None,
            "items": items,
            "tenderPeriod": _period(tender.published_date, tender.deadline),
            "contractPeriod": _period(tender.contract_start, tender.contract_end),
            **ARRANGEMENT_FIELDS.get(tender.arrangement, {}),
            "lots": [
                {"id": f"lot-{lot.id}", "title": lot.title, "description": lot.description,
                 "value": _value(lot.value, tender.currency), "status": "active"}
                for lot in tender.lots
            ],
        },
        "awards": awards,
    }
    return _compact(release)


def ocds_releases(session: Session, *, include_imported: bool = False, prefix: str,
                  describe=lambda code: "") -> list[dict]:
    query = (
        select(Tender)
        .options(selectinload(Tender.buyer), selectinload(Tender.lots),
                 selectinload(Tender.awards).selectinload(Award.supplier))
        .order_by(Tender.id)
    )
    if not include_imported:
        query = query.where(Tender.source == "coopmatch")
    return [tender_release(t, prefix=prefix, describe=describe) for t in session.exec(query)]


def ocds_release_package(session: Session, *, include_imported: bool = False,
                         publisher: str = "coopmatch", prefix: str = "ocds-coopmatch",
                         uri: str = "", describe=lambda code: "") -> dict:
    """Return an OCDS 1.1 release package of the tenders."""
    return {
        "uri": uri or "https://coopmatch.example/api/ocds/releases",
        "version": "1.1",
        "publishedDate": _datetime(datetime.now(UTC)),
        "publisher": {"name": publisher},
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "publicationPolicy": "https://coopmatch.example/about",
        "releases": ocds_releases(session, include_imported=include_imported, prefix=prefix,
                                  describe=describe),
    }
