"""Tenders: posting, editing, closing and search."""

from datetime import date

from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from coopmatch.errors import CoopmatchError, Forbidden, NotFound
from coopmatch.models import (
    ARRANGEMENTS,
    TENDER_STATUSES,
    Lot,
    Organisation,
    Tender,
    TenderCreate,
    User,
    join_codes,
    utcnow,
)
from coopmatch.reference import Reference
from coopmatch.services import audit
from coopmatch.services.geography import apply_place, locate
from coopmatch.services.pagination import Page, paginate
from coopmatch.services.permissions import can_edit_tender, can_post_tenders
from coopmatch.services.suppliers import (
    area_clause,
    as_words,
    cpv_division_clause,
    spaced_words,
)

FIELDS = tuple(name for name in TenderCreate.model_fields if name not in {"lots", "buyer_id"})

# How a tender list can be ordered: newest first unless words are searched for, then the
# best match for them first.
TENDER_SORTS = {
    "newest": "Newest first",
    "match": "Best match for the words",
    "closing": "Closing soonest",
    "value": "Largest value first",
}


def default_sort(text: str) -> str:
    """The order a list takes when none is chosen: the best match for words searched for."""
    return "match" if text.split() else "newest"


class TenderError(CoopmatchError):
    """A tender that cannot be saved as submitted."""


def get_tender(*, session: Session, tender_id: int) -> Tender:
    tender = session.exec(
        select(Tender)
        .where(Tender.id == tender_id)
        .options(selectinload(Tender.lots), selectinload(Tender.buyer))
    ).first()
    if tender is None:
        raise NotFound(f"There is no tender numbered {tender_id}.")
    return tender


def _check(data: TenderCreate) -> None:
    if data.arrangement not in ARRANGEMENTS:
        raise TenderError(f"'{data.arrangement}' is not a way a tender is let: choose one of "
                          f"{', '.join(k for k in ARRANGEMENTS if k)}, or leave it blank.",
                          field="arrangement")
    if data.contract_start and data.contract_end and data.contract_end < data.contract_start:
        raise TenderError("The contract end date must be after its start date.",
                          field="contract_end")
    if data.published_date and data.deadline and data.deadline < data.published_date:
        raise TenderError("The deadline must be on or after the published date.",
                          field="deadline")


def _apply(tender: Tender, data: TenderCreate, buyer: Organisation, ref: Reference) -> None:
    _check(data)
    for name in FIELDS:
        setattr(tender, name, getattr(data, name))
    tender.title = data.title.strip()
    tender.cpv_codes = join_codes(ref.cpv.normalise_many(data.cpv_codes))
    place = locate(ref.geo, data.delivery_postcode, field="delivery_postcode")
    apply_place(tender, place, postcode_attr="delivery_postcode")
    if place is None and buyer.latitude is not None:
        # Without a delivery postcode the work is assumed to be at the buyer's.
        tender.latitude, tender.longitude = buyer.latitude, buyer.longitude
        tender.local_authority_code = buyer.local_authority_code
        tender.county_code, tender.region_code = buyer.county_code, buyer.region_code
    lots = []
    for number, lot in enumerate((lot for lot in data.lots if lot.title.strip()), start=1):
        lots.append(
            Lot(
                number=number,
                title=lot.title.strip(),
                description=lot.description,
                value=lot.value,
                cpv_codes=join_codes(ref.cpv.normalise_many(lot.cpv_codes, field="lots")),
            )
        )
    tender.lots = lots


def _buyer_for(session: Session, user: User, data: TenderCreate) -> Organisation:
    buyer_id = data.buyer_id if user.role == "admin" and data.buyer_id else user.organisation_id
    buyer = session.get(Organisation, buyer_id) if buyer_id else None
    if buyer is None:
        raise TenderError("Choose the buying organisation.", field="buyer_id")
    return buyer


def create_tender(session: Session, *, user: User, data: TenderCreate, ref: Reference) -> Tender:
    """Post a tender for the user's organisation."""
    if not can_post_tenders(user):
        raise Forbidden("Only procurement officers can post tenders.")
    buyer = _buyer_for(session, user, data)
    tender = Tender(title=data.title, buyer_id=buyer.id, created_by_id=user.id)
    _apply(tender, data, buyer, ref)
    return audit.save_created(session, tender, user=user, action="create", entity="tender",
                              summary=tender.title)


def update_tender(
    session: Session, *, user: User, tender_id: int, data: TenderCreate, ref: Reference
) -> Tender:
    """Save changes to a tender; only its buyer's officers or an administrator may."""
    tender = get_tender(session=session, tender_id=tender_id)
    if not can_edit_tender(user, tender):
        raise Forbidden("You can only edit your own organisation's tenders.")
    before = tender.model_dump(include=set(FIELDS))
    _apply(tender, data, tender.buyer, ref)
    tender.updated_at = utcnow()
    audit.record(session, user=user, action="update", entity="tender", entity_id=tender.id,
                 summary=audit.describe_changes(before, tender.model_dump(include=set(FIELDS))))
    session.commit()
    return tender


def close_tender(session: Session, *, user: User, tender_id: int) -> Tender:
    """Close a tender to new bids."""
    tender = get_tender(session=session, tender_id=tender_id)
    if not can_edit_tender(user, tender):
        raise Forbidden("You can only close your own organisation's tenders.")
    if tender.status not in {"open", "planned"}:
        raise TenderError(f"This tender is already {tender.status}.", field="status")
    tender.status = "closed"
    tender.updated_at = utcnow()
    audit.record(session, user=user, action="close", entity="tender", entity_id=tender.id,
                 summary=tender.title)
    session.commit()
    return tender


def search_tenders(
    *,
    session: Session,
    ref: Reference,
    text: str = "",
    status: str = "",
    cpv_division: str = "",
    buyer_id: int | None = None,
    area: str = "",
    sort: str = "",
    page: int = 1,
    page_size: int = 25,
) -> Page[Tender]:
    """Search tenders by words, status, CPV division, buyer and area, ordered by `sort`
    (TENDER_SORTS; by default `default_sort`): newest first; the best match for the words
    (`_best_match`); closing soonest (open or planned with a deadline to come, soonest first;
    then open or planned giving none; then the rest, passed, closed or awarded, latest
    deadline first); or largest value first (those giving none last). Ties go newest
    first."""
    sort = sort or default_sort(text)
    if sort not in TENDER_SORTS:
        raise CoopmatchError(f"'{sort}' is not a way to order tenders; use one of: "
                             f"{', '.join(TENDER_SORTS)}.", field="sort")
    query = _filtered(select(Tender).options(selectinload(Tender.buyer)), ref=ref, text=text,
                      status=status, cpv_division=cpv_division, buyer_id=buyer_id, area=area)
    newest = (Tender.published_date.desc().nulls_last(), Tender.id.desc())
    if sort == "closing":
        biddable = Tender.status.in_(("open", "planned"))
        to_come = and_(biddable, Tender.deadline >= date.today())
        query = query.order_by(
            case((to_come, 0), (and_(biddable, Tender.deadline.is_(None)), 1), else_=2),
            case((to_come, Tender.deadline), else_=None).asc(),
            Tender.deadline.desc().nulls_last(), *newest)
    elif sort == "value":
        query = query.order_by(Tender.value.desc().nulls_last(), *newest)
    elif sort == "match":
        query = query.order_by(*_best_match(text), *newest)
    else:
        query = query.order_by(*newest)
    return paginate(session, query, page=page, page_size=page_size)


def _best_match(text: str) -> list:
    """Searching by words, the tenders whose titles have them all as words come first
    ("Bus shelters" for "bus"), then titles holding them inside other words ("Business
    support"), then descriptions with them all as words, then the rest (every tender found
    holds each word somewhere)."""
    typed = [as_words(word) for word in text.split()[:8]]
    typed = [word for word in typed if word.strip()]
    if not typed:
        return []
    title, description = spaced_words(Tender.title), spaced_words(Tender.description)
    lowered = func.lower(Tender.title)
    return [case(
        (and_(*(title.contains(w, autoescape=True) for w in typed)), 0),
        (and_(*(lowered.contains(w.strip(), autoescape=True) for w in typed)), 1),
        (and_(*(description.contains(w, autoescape=True) for w in typed)), 2), else_=3)]


def in_other_statuses(*, session: Session, ref: Reference, status: str, text: str = "",
                      cpv_division: str = "", buyer_id: int | None = None, area: str = ""
                      ) -> dict[str, int]:
    """Count the tenders the other filters find in each status but `status`, those holding
    any, in TENDER_STATUSES order: what a list narrowed to one status leaves out."""
    query = _filtered(select(Tender.status, func.count()), ref=ref, text=text, status="",
                      cpv_division=cpv_division, buyer_id=buyer_id, area=area)
    counts = dict(session.exec(query.group_by(Tender.status)).all())
    return {other: counts[other] for other in TENDER_STATUSES
            if other != status and counts.get(other)}


def _filtered(query, *, ref: Reference, text: str, status: str, cpv_division: str,
              buyer_id: int | None, area: str):
    for word in text.lower().split()[:8]:  # "%" and "_" are the characters typed, not wildcards
        query = query.where(
            or_(func.lower(Tender.title).contains(word, autoescape=True),
                func.lower(Tender.description).contains(word, autoescape=True))
        )
    if status:
        if status not in TENDER_STATUSES:
            raise CoopmatchError(f"'{status}' is not a tender status; use one of: "
                                 f"{', '.join(TENDER_STATUSES)}.", field="status")
        query = query.where(Tender.status == status)
    if cpv_division:
        query = query.where(cpv_division_clause(Tender.cpv_codes, cpv_division))
    if buyer_id:
        query = query.where(Tender.buyer_id == buyer_id)
    if area:
        query = query.where(area_clause(Tender, area, ref))
    return query


def tenders_by_ocid(*, session: Session, ocids: list[str]) -> list[Tender]:
    """Return the tenders with these OCIDs, in the order given (those no longer held left
    out)."""
    if not ocids:
        return []
    found = {t.ocid: t for t in session.exec(
        select(Tender).where(Tender.ocid.in_(ocids)).options(selectinload(Tender.buyer)))}
    return [found[o] for o in ocids if o in found]


def buyers_with_tenders(*, session: Session) -> list[Organisation]:
    query = (
        select(Organisation)
        .where(Organisation.id.in_(select(Tender.buyer_id).distinct()))
        .order_by(Organisation.name)
    )
    return list(session.exec(query))
