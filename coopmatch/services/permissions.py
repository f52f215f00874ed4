"""Who may change what. Pure rules over users and the records they touch."""

from coopmatch.models import Supplier, Tender, User


def is_admin(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.role == "admin")


def can_post_tenders(user: User | None) -> bool:
    return is_admin(user) or bool(
        user and user.is_authenticated and user.role == "procurement" and user.organisation_id
    )


def can_edit_tender(user: User | None, tender: Tender) -> bool:
    """Procurement officers edit their own organisation's tenders; admins edit any."""
    if is_admin(user):
        return True
    return bool(
        user
        and user.is_authenticated
        and user.role == "procurement"
        and user.organisation_id is not None
        and user.organisation_id == tender.buyer_id
    )


def can_edit_supplier(user: User | None, supplier: Supplier) -> bool:
    """Supplier users edit only their own profile; admins edit any."""
    if is_admin(user):
        return True
    return bool(
        user
        and user.is_authenticated
        and user.role == "supplier"
        and user.supplier_id is not None
        and user.supplier_id == supplier.id
    )


def can_read_reports(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.role in {"agency", "admin"})


def can_import(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.role in {"procurement", "agency", "admin"})
