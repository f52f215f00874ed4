"""Two, not one listed twice: an administrator's judgement on a pair the duplicate lists offer.

The duplicate lists (`suppliers.duplicate_candidates`, `organisations.duplicate_candidates`)
pair names that are nearly the same. Some are two bodies ("Motus Commercials" and "Motus
Commercials Derby", two dealers). Marking such a pair as two takes it off the list for good,
until the mark is undone; the mark goes when either of the two is deleted (merged into a third,
or removed). Administrators only, or the command line (user None). Recorded in the audit log.
"""

from sqlmodel import Session, select

from coopmatch.errors import CoopmatchError, Forbidden, NotFound
from coopmatch.models import DistinctPair, Organisation, Supplier, User
from coopmatch.services import audit
from coopmatch.services.permissions import is_admin

KINDS = {"supplier": (Supplier, "suppliers"), "organisation": (Organisation, "organisations")}


def _check(user: User | None, kind: str) -> None:
    if kind not in KINDS:
        raise CoopmatchError(f"There is no kind '{kind}': choose supplier or organisation.",
                             field="kind")
    if user is not None and not is_admin(user):
        raise Forbidden(f"Only administrators can judge which {KINDS[kind][1]} are the same.")


def _ordered(first_id: int, second_id: int) -> tuple[int, int]:
    if first_id == second_id:
        raise CoopmatchError("Choose two different ones: a record is always the same as "
                             "itself.", field="other_id")
    return min(first_id, second_id), max(first_id, second_id)


def _find(session: Session, kind: str, first_id: int, second_id: int) -> DistinctPair | None:
    return session.exec(select(DistinctPair).where(
        DistinctPair.kind == kind, DistinctPair.first_id == first_id,
        DistinctPair.second_id == second_id)).first()


def mark_distinct(session: Session, *, user: User | None, kind: str, first_id: int,
                  second_id: int) -> DistinctPair:
    """Record that two suppliers (or organisations) are two, so that they are no longer
    offered for merging; marking a pair again changes nothing."""
    _check(user, kind)
    first_id, second_id = _ordered(first_id, second_id)
    model, plural = KINDS[kind]
    rows = {row.id: row for row in session.exec(select(model).where(
        model.id.in_([first_id, second_id])))}
    for wanted in (first_id, second_id):
        if wanted not in rows:
            raise NotFound(f"There is no {kind} numbered {wanted}.")
    existing = _find(session, kind, first_id, second_id)
    if existing:
        return existing
    first, second = rows[first_id], rows[second_id]
    pair = DistinctPair(user_id=user.id if user else None, kind=kind, first_id=first_id,
                        first_name=first.name[:300], second_id=second_id,
                        second_name=second.name[:300])
    return audit.save_created(
        session, pair, user=user, action="distinct", entity=kind,
        summary=f"'{first.name}' (no. {first_id}) and '{second.name}' (no. {second_id}) "
                f"marked as two {plural}, not one listed twice")


def unmark_distinct(session: Session, *, user: User | None, kind: str, first_id: int,
                    second_id: int) -> DistinctPair:
    """Undo `mark_distinct`: the pair may be offered for merging again. Returns the mark as
    it was."""
    _check(user, kind)
    first_id, second_id = _ordered(first_id, second_id)
    pair = _find(session, kind, first_id, second_id)
    if pair is None:
        raise NotFound(f"{kind.capitalize()}s {first_id} and {second_id} are not marked as "
                       "two.")
    audit.record(session, user=user, action="undo_distinct", entity=kind, entity_id=first_id,
                 summary=f"'{pair.first_name}' (no. {first_id}) and '{pair.second_name}' "
                         f"(no. {second_id}) may be the same again")
    session.delete(pair)
    session.commit()
    return pair


def marked(session: Session, kind: str) -> set[tuple[int, int]]:
    """The pairs of ids marked as two (smaller id first)."""
    return {(a, b) for a, b in session.exec(select(DistinctPair.first_id, DistinctPair.second_id)
                                            .where(DistinctPair.kind == kind))}


def recent(session: Session, *, user: User | None, kind: str,
           limit: int = 50) -> list[DistinctPair]:
    """The latest marks, newest first."""
    _check(user, kind)
    return list(session.exec(select(DistinctPair).where(DistinctPair.kind == kind)
                             .order_by(DistinctPair.at.desc(), DistinctPair.id.desc())
                             .limit(limit)))


def forget(session: Session, kind: str, deleted_id: int) -> None:
    """Drop the marks on a supplier or organisation being deleted (the caller commits)."""
    for pair in session.exec(select(DistinctPair).where(
            DistinctPair.kind == kind, (DistinctPair.first_id == deleted_id)
            | (DistinctPair.second_id == deleted_id))):
        session.delete(pair)
