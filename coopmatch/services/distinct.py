"""Two, not one listed twice: an administrator's judgement on a pair the duplicate lists offer.

The duplicate lists (`suppliers.duplicate_candidates`, `organisations.duplicate_candidates`)
pair names that are nearly the same. Some are two bodies ("Motus Commercials" and "Motus
Commercials Derby", two dealers). Marking such a pair as two takes it off the list for good,
until the mark is undone; the mark goes when either of the two is deleted (merged into a third,
or removed), and comes back if that is undone. Administrators only, or the command line (user
None). Recorded in the audit log.
"""

from datetime import datetime

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


def forget(session: Session, kind: str, deleted_id: int) -> list[dict]:
    """Drop the marks on a supplier or organisation being deleted (the caller commits); return
    them as the other record of each pair, who marked it and when, for `restore` should the
    deletion be undone."""
    dropped = []
    for pair in session.exec(select(DistinctPair).where(
            DistinctPair.kind == kind, (DistinctPair.first_id == deleted_id)
            | (DistinctPair.second_id == deleted_id))):
        other_id = pair.second_id if pair.first_id == deleted_id else pair.first_id
        dropped.append({"other_id": other_id, "user_id": pair.user_id,
                        "at": pair.at.isoformat()})
        session.delete(pair)
    return dropped


def put_back_note(count: int) -> str:
    """What an undo's audit entry adds about the marks `restore` put back ("" for none)."""
    return f"; {audit.counted(count, 'mark')} as two put back" if count else ""


def restore(session: Session, kind: str, marks: list[dict], record_id: int) -> int:
    """Put back on a record brought back (an undone merge or removal) the marks `forget`
    dropped, as they were, but those whose other record has gone since or that hold already;
    return how many. The caller commits."""
    model, _ = KINDS[kind]
    back = 0
    for mark in marks:
        if mark["other_id"] == record_id:
            continue  # brought back as the other record itself: no pair
        first_id, second_id = _ordered(record_id, mark["other_id"])
        rows = {row.id: row for row in session.exec(select(model).where(
            model.id.in_([first_id, second_id])))}
        if len(rows) < 2 or _find(session, kind, first_id, second_id):
            continue
        session.add(DistinctPair(user_id=mark.get("user_id"), kind=kind,
                                 at=datetime.fromisoformat(mark["at"]), first_id=first_id,
                                 first_name=rows[first_id].name[:300], second_id=second_id,
                                 second_name=rows[second_id].name[:300]))
        session.flush()
        back += 1
    return back
