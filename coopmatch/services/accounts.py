"""Accounts: sign-up, sign-in, approval and roles."""

from sqlalchemy import func
from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from coopmatch.errors import Conflict, CoopmatchError, Forbidden, NotFound
from coopmatch.models import ROLES, Organisation, User
from coopmatch.services import audit
from coopmatch.services.permissions import is_admin

MIN_PASSWORD_LENGTH = 10
# Roles that act for an organisation; they wait for an administrator's approval.
ORGANISATION_ROLES = {"procurement", "agency"}


class AccountError(CoopmatchError):
    """A sign-up or account change that cannot be made as asked."""


def get_user(*, session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def find_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def check_organisation(session: Session, organisation_id: int | None) -> None:
    """Refuse an organisation there is none of (a form's list tampered with, or one merged
    away since the page was opened), naming the field, before the database would."""
    if organisation_id and session.get(Organisation, organisation_id) is None:
        raise AccountError("There is no such organisation: choose one from the list.",
                           field="organisation_id")


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"Enter a password of at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )


def sign_up(
    session: Session,
    *,
    email: str,
    password: str,
    name: str,
    role: str,
    organisation_id: int | None = None,
) -> User:
    """Create an account. Suppliers start at once; organisation roles wait for approval."""
    if role not in {"supplier", *ORGANISATION_ROLES}:
        raise AccountError("Choose whether you are a supplier, a buyer or an agency.", field="role")
    check_password_rules(password)
    if find_by_email(session=session, email=email):
        raise Conflict("An account with this email address already exists. Sign in instead.",
                       field="email")
    if role in ORGANISATION_ROLES:
        if organisation_id is None or session.get(Organisation, organisation_id) is None:
            raise AccountError("Choose the organisation you work for.", field="organisation_id")
    user = User(
        email=email.strip().lower(),
        name=name.strip(),
        password_hash=generate_password_hash(password),
        role=role,
        organisation_id=organisation_id if role in ORGANISATION_ROLES else None,
        active=role not in ORGANISATION_ROLES,
    )
    return audit.save_created(session, user, user=user, action="sign_up", entity="user",
                              summary=f"{user.email} signed up as {role}")


def authenticate(session: Session, *, email: str, password: str) -> User:
    """Return the user for these credentials, or raise with a message that leaks nothing."""
    user = find_by_email(session=session, email=email or "")
    if user is None or not check_password_hash(user.password_hash, password or ""):
        raise AccountError("Enter a correct email address and password.", field="email")
    if not user.active:
        raise AccountError(
            "Your account is waiting for an administrator to approve it.", field="email"
        )
    return user


def create_user(
    session: Session,
    *,
    actor: User | None,
    email: str,
    password: str,
    name: str,
    role: str,
    organisation_id: int | None = None,
    supplier_id: int | None = None,
) -> User:
    """Create an active account with any role (administrators and the demo)."""
    if actor is not None and not is_admin(actor):
        raise Forbidden("Only administrators can create accounts.")
    if role not in ROLES:
        raise AccountError(f"Choose a role: {', '.join(ROLES)}.", field="role")
    check_password_rules(password)
    if find_by_email(session=session, email=email):
        raise Conflict("An account with this email address already exists.", field="email")
    check_organisation(session, organisation_id)
    user = User(
        email=email.strip().lower(),
        name=name,
        password_hash=generate_password_hash(password),
        role=role,
        organisation_id=organisation_id,
        supplier_id=supplier_id,
    )
    return audit.save_created(session, user, user=actor, action="create", entity="user",
                              summary=f"{user.email} as {role}")


def update_user(
    session: Session,
    *,
    actor: User,
    user_id: int,
    role: str | None = None,
    active: bool | None = None,
    organisation_id: int | None = None,
) -> User:
    """Change a user's role, organisation or whether the account may sign in."""
    if not is_admin(actor):
        raise Forbidden("Only administrators can change accounts.")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such user.")
    before = {"role": user.role, "active": user.active, "organisation_id": user.organisation_id}
    if role is not None:
        if role not in ROLES:
            raise AccountError(f"Choose a role: {', '.join(ROLES)}.", field="role")
        user.role = role
    if active is not None:
        if user.id == actor.id and not active:
            raise AccountError("You cannot deactivate your own account.", field="active")
        user.active = active
    if organisation_id is not None:
        check_organisation(session, organisation_id)
        user.organisation_id = organisation_id or None
    after = {"role": user.role, "active": user.active, "organisation_id": user.organisation_id}
    audit.record(session, user=actor, action="update", entity="user", entity_id=user.id,
                 summary=audit.describe_changes(before, after))
    session.commit()
    return user


def list_users(*, session: Session, pending_first: bool = True) -> list[User]:
    query = select(User).order_by(User.active, func.lower(User.email))
    return list(session.exec(query))
