"""Organisations: anchor institutions and development agencies."""

import re
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from coopmatch.duplicates import Entry, likely_same_bodies
from coopmatch.errors import CoopmatchError, Forbidden, NotFound
from coopmatch.geo import GeoReference
from coopmatch.models import (
    Award,
    ImportJob,
    Organisation,
    OrganisationCreate,
    Payment,
    Supplier,
    Tender,
    User,
    utcnow,
)
from coopmatch.names import buyer_key, normalise_name, principal_buyer
from coopmatch.reference import Reference
from coopmatch.services import audit, distinct
from coopmatch.services.geography import PLACE_FIELDS, apply_place, locate, name_places
from coopmatch.services.permissions import is_admin

_KIND_PATTERNS = [
    # Named "council" or "authority" but not a local council: a council for voluntary
    # service (a charity), national councils and regulators, and government departments.
    ("other_public", r"council for voluntary|\bcvs\b|(pharmaceutical|medical|research|arts|"
                     r"british|sports|midwifery|professions) council|^department (for|of)"),
    ("nhs", r"\bnhs\b|hospital|health|clinical commissioning|\bccg\b|\bicb\b|ambulance"),
    ("police_fire", r"police|fire|crime commissioner|rescue"),
    ("education", r"university|college|school|academy|academies|education|learning trust"),
    ("housing", r"housing|homes\b|\bhomes|living\b"),
    # "Authority" alone is as often national (the Financial Conduct Authority).
    ("council", r"council|borough|county|city of|district|(combined|local|unitary) authority|"
                r"greater london authority"),
]


def guess_kind(name: str) -> str:
    """Guess what kind of anchor an imported buyer is from its name."""
    lowered = name.lower()
    for kind, pattern in _KIND_PATTERNS:
        if re.search(pattern, lowered):
            return kind
    return "other_public"


def get_organisation(*, session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("There is no such organisation.")
    return organisation


def by_name_key(session: Session) -> dict[str, Organisation]:
    """Every organisation under the `buyer_key` of each name it goes by (its own, and those
    it took on in merges); the oldest where two share one."""
    found: dict[str, Organisation] = {}
    for organisation in session.exec(select(Organisation).order_by(Organisation.id)):
        for name in organisation.names:
            found.setdefault(buyer_key(name), organisation)
    return found


def find_by_name(session: Session, name: str) -> Organisation | None:
    """The organisation going by a name (variant names of one council agree: "Chorley Council"
    is "Chorley Borough Council"), or by a name it took on in a merge; the oldest if several."""
    return by_name_key(session).get(buyer_key(name))


def list_organisations(*, session: Session, kinds: set[str] | None = None) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.name)
    if kinds:
        query = query.where(Organisation.kind.in_(sorted(kinds)))
    return list(session.exec(query))


def _apply(organisation: Organisation, data: OrganisationCreate, ref: Reference) -> None:
    organisation.name = data.name.strip()
    organisation.normalised_name = normalise_name(organisation.name)
    organisation.kind = data.kind
    place = locate(ref.geo, data.postcode)
    apply_place(organisation, place)
    if data.local_authority_code and not organisation.local_authority_code:
        organisation.local_authority_code = data.local_authority_code


def create_organisation(
    session: Session, *, actor: User | None, data: OrganisationCreate, ref: Reference
) -> Organisation:
    if actor is not None and not is_admin(actor):
        raise Forbidden("Only administrators can add organisations.")
    organisation = Organisation(name=data.name)
    _apply(organisation, data, ref)
    audit.save_created(session, organisation, user=actor, action="create",
                       entity="organisation", summary=organisation.name)
    return organisation


def update_organisation(
    session: Session, *, actor: User, organisation_id: int, data: OrganisationCreate,
    ref: Reference,
) -> Organisation:
    if not is_admin(actor):
        raise Forbidden("Only administrators can change organisations.")
    organisation = get_organisation(session=session, organisation_id=organisation_id)
    before = organisation.model_dump(include={"name", "kind", "postcode"})
    _apply(organisation, data, ref)
    audit.record(session, user=actor, action="update", entity="organisation",
                 entity_id=organisation.id,
                 summary=audit.describe_changes(
                     before, organisation.model_dump(include={"name", "kind", "postcode"})))
    session.commit()
    return organisation


@dataclass
class OrganisationPair:
    """Two organisations that are probably one body: `other` to merge into `keep`."""

    keep: Organisation
    other: Organisation
    score: float


def duplicate_candidates(*, session: Session, user: User | None, geo: GeoReference,
                         limit: int = 50) -> list[OrganisationPair]:
    """Organisations probably listed twice, as imports from different sources name one body
    ("Department for Work and Pensions (DWP)"), for an administrator to merge. The one kept
    is the one named as itself rather than "... on behalf of" it, then the one with more on
    it (tenders, accounts, payments), else the older."""
    if user is not None and not is_admin(user):
        raise Forbidden("Only administrators can merge organisations.")
    found = list(session.exec(select(Organisation)))
    # Named for the body bought for ("Muse Developments Limited on behalf of Blackpool Borough
    # Council", or a council's department, as imports before `principal_buyer` made them): the
    # same body as Blackpool's. Not one with accounts of its own: that was set up as itself.
    with_accounts = set(session.exec(select(User.organisation_id).distinct()))
    pairs = likely_same_bodies(
        [Entry(o.id, buyer_key(o.name if o.id in with_accounts else principal_buyer(o.name)))
         for o in found], name_places(geo), limit=limit,
        apart=distinct.marked(session, "organisation"))
    if not pairs:
        return []
    weight = {o.id: 0 for o in found}
    for column in (Tender.buyer_id, User.organisation_id, Payment.anchor_id):
        for organisation_id, n in session.exec(select(column, func.count()).where(
                column.is_not(None)).group_by(column)):
            weight[organisation_id] = weight.get(organisation_id, 0) + n
    by_id = {o.id: o for o in found}
    result = []
    for pair in pairs:
        a, b = by_id[pair.first], by_id[pair.second]
        keep, other = sorted((a, b), key=lambda o: (principal_buyer(o.name) != o.name,
                                                     -weight[o.id], o.id))
        result.append(OrganisationPair(keep, other, pair.score))
    return result


def merge_organisations(session: Session, *, user: User | None, keep_id: int,
                        other_id: int) -> Organisation:
    """Fold one organisation into another that is the same body, and return the one kept.

    Its tenders, people's accounts, payments and uploads move to the kept one (a payment both
    list, the same ledger line imported under each name, is kept once); its names become names
    the kept one also goes by, so an import that names it finds the kept one; a postcode the
    kept one lacks is taken from it. Then it is deleted. One transaction, recorded in the
    audit log. The suppliers that won its tenders are marked changed, so the match index
    reads their contracts as won from the kept organisation. Administrators only, or the
    command line (user None).
    """
    if user is not None and not is_admin(user):
        raise Forbidden("Only administrators can merge organisations.")
    if keep_id == other_id:
        raise CoopmatchError("Choose two different organisations to merge.", field="other_id")
    keep = get_organisation(session=session, organisation_id=keep_id)
    other = get_organisation(session=session, organisation_id=other_id)
    now = utcnow()
    tenders = session.exec(select(Tender).where(Tender.buyer_id == other.id)).all()
    for tender in tenders:
        tender.buyer_id, tender.updated_at = keep.id, now
    winners = set(session.exec(select(Award.supplier_id).where(
        Award.tender_id.in_([t.id for t in tenders])))) if tenders else set()
    for supplier in session.exec(select(Supplier).where(Supplier.id.in_(winners))):
        supplier.updated_at = now
    accounts = session.exec(select(User).where(User.organisation_id == other.id)).all()
    for account in accounts:
        account.organisation_id = keep.id
    for job in session.exec(select(ImportJob).where(ImportJob.anchor_id == other.id)):
        job.anchor_id = keep.id
    held = set(session.exec(select(Payment.row_key).where(Payment.anchor_id == keep.id)))
    moved = dropped = 0
    for payment in session.exec(select(Payment).where(Payment.anchor_id == other.id)):
        if payment.row_key in held:
            session.delete(payment)
            dropped += 1
        else:
            payment.anchor_id = keep.id
            held.add(payment.row_key)
            moved += 1
    known = {buyer_key(n) for n in keep.names}
    extra = [n for n in other.names if buyer_key(n) not in known]
    keep.other_names = "\n".join([*keep.names[1:], *dict.fromkeys(extra)])
    if keep.latitude is None and other.latitude is not None:
        for name in PLACE_FIELDS:
            setattr(keep, name, getattr(other, name))
    if keep.kind == "other_public" and other.kind != "other_public":
        keep.kind = other.kind
    summary = (f"Merged '{other.name}' (no. {other.id}) into '{keep.name}': "
               f"{audit.counted(len(tenders), 'tender')}, "
               f"{audit.counted(len(accounts), 'account')} and "
               f"{audit.counted(moved, 'payment')} moved"
               + (f" ({dropped} listed under both dropped)" if dropped else ""))
    session.flush()
    session.expire(other)  # its relationships as they are now: nothing left on it
    distinct.forget(session, "organisation", other.id)
    session.delete(other)
    audit.record(session, user=user, action="merge", entity="organisation", entity_id=keep.id,
                 summary=summary)
    session.commit()
    return keep

