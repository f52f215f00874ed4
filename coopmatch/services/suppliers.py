"""The supplier register: self-registration, profile edits and search."""

from sqlalchemy import func, or_
from sqlmodel import Session, select

from coopmatch.errors import Conflict, Forbidden, NotFound
from coopmatch.models import Supplier, SupplierCreate, User, join_codes, utcnow
from coopmatch.names import normalise_name
from coopmatch.reference import Reference
from coopmatch.services import audit
from coopmatch.services.geography import apply_place, locate
from coopmatch.services.pagination import Page, paginate
from coopmatch.services.permissions import can_edit_supplier

EDITABLE = tuple(SupplierCreate.model_fields)


def get_supplier(*, session: Session, supplier_id: int) -> Supplier:
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound("There is no supplier with that number in the register.")
    return supplier


def _apply(supplier: Supplier, data: SupplierCreate, ref: Reference) -> None:
    place = locate(ref.geo, data.postcode)
    for name in EDITABLE:
        if name != "postcode":
            setattr(supplier, name, getattr(data, name))
    supplier.name = data.name.strip()
    supplier.normalised_name = normalise_name(supplier.name)
    supplier.cpv_codes = join_codes(ref.cpv.normalise_many(data.cpv_codes))
    supplier.sic_codes = join_codes(data.sic_codes.split())
    supplier.accreditations = join_codes(data.accreditations.split())
    apply_place(supplier, place)


def register_supplier(
    session: Session, *, user: User, data: SupplierCreate, ref: Reference
) -> Supplier:
    """Create the signed-in supplier user's profile in the register."""
    if user.role not in {"supplier", "admin"}:
        raise Forbidden("Only supplier accounts can register a business.")
    if user.role == "supplier" and user.supplier_id is not None:
        raise Conflict("Your account already has a supplier profile: edit it instead.")
    supplier = Supplier(name=data.name, source="self_registered")
    _apply(supplier, data, ref)
    session.add(supplier)
    session.flush()
    if user.role == "supplier":
        session.get(User, user.id).supplier_id = supplier.id
        user.supplier_id = supplier.id
    audit.record(session, user=user, action="create", entity="supplier", entity_id=supplier.id,
                 summary=supplier.name)
    session.commit()
    return supplier


def update_supplier(
    session: Session, *, user: User, supplier_id: int, data: SupplierCreate, ref: Reference
) -> Supplier:
    """Save changes to a supplier profile; only its owner or an administrator may."""
    supplier = get_supplier(session=session, supplier_id=supplier_id)
    if not can_edit_supplier(user, supplier):
        raise Forbidden("You can only edit your own supplier profile.")
    before = supplier.model_dump(include=set(EDITABLE))
    _apply(supplier, data, ref)
    supplier.updated_at = utcnow()
    audit.record(session, user=user, action="update", entity="supplier", entity_id=supplier.id,
                 summary=audit.describe_changes(before, supplier.model_dump(include=set(EDITABLE))))
    session.commit()
    return supplier


def search_suppliers(
    *,
    session: Session,
    ref: Reference,
    text: str = "",
    ownership: str = "",
    area: str = "",
    cpv_division: str = "",
    page: int = 1,
    page_size: int = 25,
) -> Page[Supplier]:
    """Search the public register by words, ownership model, area and CPV division."""
    query = select(Supplier).where(Supplier.status != "dissolved")
    for word in text.lower().split()[:8]:
        pattern = f"%{word}%"
        query = query.where(
            or_(func.lower(Supplier.name).like(pattern),
                func.lower(Supplier.description).like(pattern))
        )
    if ownership:
        query = query.where(Supplier.ownership == ownership)
    if area:
        query = query.where(area_clause(Supplier, area, ref))
    if cpv_division:
        query = query.where(cpv_division_clause(Supplier.cpv_codes, cpv_division))
    query = query.order_by(func.lower(Supplier.name), Supplier.id)
    return paginate(session, query, page=page, page_size=page_size)


def area_clause(model, area: str, ref: Reference):
    """Filter rows in an area: a GSS code (LAD, county, region) or a postcode district."""
    area = area.strip().upper()
    if ref.geo.available and ref.geo.area(area):
        return model.local_authority_code.in_(sorted(ref.geo.lad_codes_in(area)))
    postcode = model.postcode if hasattr(model, "postcode") else model.delivery_postcode
    return postcode.like(f"{area} %")


def cpv_division_clause(column, division: str):
    """Match a space-separated code list holding any code in a CPV division."""
    division = division[:2]
    return or_(column.like(f"{division}%"), column.like(f"% {division}%"))
