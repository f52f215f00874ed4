"""Organisations: anchor institutions and development agencies."""

import re

from sqlmodel import Session, select

from coopmatch.errors import Forbidden, NotFound
from coopmatch.models import Organisation, OrganisationCreate, User
from coopmatch.names import normalise_name
from coopmatch.reference import Reference
from coopmatch.services import audit
from coopmatch.services.geography import apply_place, locate
from coopmatch.services.permissions import is_admin

_KIND_PATTERNS = [
    ("nhs", r"\bnhs\b|hospital|health|clinical commissioning|\bccg\b|\bicb\b|ambulance"),
    ("police_fire", r"police|fire|crime commissioner|rescue"),
    ("education", r"university|college|school|academy|education"),
    ("housing", r"housing|homes\b|\bhomes|living\b"),
    ("council", r"council|borough|county|city of|district|authority|combined"),
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
