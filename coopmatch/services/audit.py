"""The audit log: who changed what. Entries join the caller's transaction."""

from sqlmodel import Session, select

from coopmatch.models import AuditEntry, User


def record(
    session: Session,
    *,
    user: User | None,
    action: str,
    entity: str,
    entity_id: int | None,
    summary: str = "",
) -> None:
    """Add an audit entry to the current transaction."""
    session.add(
        AuditEntry(
            user_id=user.id if user else None,
            action=action,
            entity=entity,
            entity_id=entity_id,
            summary=summary[:2000],
        )
    )


def save_created(session: Session, row, *, user: User | None, action: str, entity: str,
                 summary: str):
    """Add a new row, record its creation under its new id, and commit both together."""
    session.add(row)
    session.flush()
    record(session, user=user, action=action, entity=entity, entity_id=row.id, summary=summary)
    session.commit()
    return row


def describe_changes(before: dict, after: dict) -> str:
    """Summarise which fields changed, e.g. "postcode: PR1 2HE -> PR2 1AA"."""
    changed = []
    for key, new in after.items():
        old = before.get(key)
        if old != new:
            old_text, new_text = str(old or "")[:60], str(new or "")[:60]
            changed.append(f"{key}: {old_text or '(blank)'} -> {new_text or '(blank)'}")
    return "; ".join(changed) or "no changes"


def recent(*, session: Session, entity: str | None = None, entity_id: int | None = None,
           limit: int = 50) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return list(session.exec(query))


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count for a summary: "1 tender", "2 tenders", "1,234 bodies" (given the plural)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
