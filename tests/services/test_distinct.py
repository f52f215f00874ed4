"""Pairs the duplicate lists offer, judged to be two: no longer offered, until undone."""

import pytest
from sqlmodel import select

from coopmatch.errors import CoopmatchError, Forbidden, NotFound
from coopmatch.models import AuditEntry, DistinctPair, Supplier
from coopmatch.names import normalise_name
from coopmatch.services import distinct, organisations, suppliers
from tests.factories import create_organisation, create_user


@pytest.fixture
def dealers(session, ref):
    """Two dealers of one brand (alike in name, neither with a postcode) and a firm listed
    twice, as award notices spell it: all known from award notices only."""
    found = [Supplier(name=name, normalised_name=normalise_name(name), source="award",
                      ownership="sme")
             for name in ("Motus Commercials Derby", "Motus Commercials", "APF Renovations",
                          "APF Renovation")]
    session.add_all(found)
    session.commit()
    return found


def _listed(session, ref) -> set[frozenset]:
    return {frozenset((p.keep.id, p.other.id)) for p in suppliers.duplicate_candidates(
        session=session, user=None, geo=ref.geo)}


def test_a_pair_marked_as_two_is_no_longer_offered_until_the_mark_is_undone(session, ref,
                                                                           dealers):
    derby, motus, apf, apf_again = dealers
    admin = create_user(session, role="admin")
    both = frozenset((derby.id, motus.id))
    assert _listed(session, ref) == {both, frozenset((apf.id, apf_again.id))}

    mark = distinct.mark_distinct(session, user=admin, kind="supplier", first_id=motus.id,
                                  second_id=derby.id)
    assert (mark.first_id, mark.second_id) == (derby.id, motus.id)  # smaller id first
    assert (mark.first_name, mark.second_name) == ("Motus Commercials Derby",
                                                   "Motus Commercials")
    assert _listed(session, ref) == {frozenset((apf.id, apf_again.id))}
    # Marking again (a double click) changes nothing.
    again = distinct.mark_distinct(session, user=admin, kind="supplier", first_id=derby.id,
                                   second_id=motus.id)
    assert again.id == mark.id and len(session.exec(select(DistinctPair)).all()) == 1
    assert [m.id for m in distinct.recent(session, user=admin, kind="supplier")] == [mark.id]
    assert distinct.recent(session, user=admin, kind="organisation") == []
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "distinct")).one()
    assert entry.user_id == admin.id and entry.entity == "supplier"
    assert "'Motus Commercials Derby'" in entry.summary and "marked as two" in entry.summary

    distinct.unmark_distinct(session, user=admin, kind="supplier", first_id=motus.id,
                             second_id=derby.id)
    assert both in _listed(session, ref)
    assert session.exec(select(DistinctPair)).all() == []
    assert session.exec(select(AuditEntry).where(
        AuditEntry.action == "undo_distinct")).one().user_id == admin.id


def test_the_list_keeps_its_length_when_pairs_are_marked(session, ref, dealers):
    derby, motus, apf, apf_again = dealers
    distinct.mark_distinct(session, user=None, kind="supplier", first_id=derby.id,
                           second_id=motus.id)
    pairs = suppliers.duplicate_candidates(session=session, user=None, geo=ref.geo, limit=1)
    assert [(p.keep.name, p.other.name) for p in pairs] == [("APF Renovations",
                                                            "APF Renovation")]


@pytest.mark.parametrize("role", ["supplier", "procurement", "agency"])
def test_only_administrators_mark_or_unmark_and_nothing_changes_otherwise(session, ref,
                                                                         dealers, role):
    derby, motus, *_ = dealers
    council = create_organisation(session, ref)
    intruder = create_user(session, role=role, organisation=council)
    with pytest.raises(Forbidden, match="Only administrators"):
        distinct.mark_distinct(session, user=intruder, kind="supplier", first_id=derby.id,
                               second_id=motus.id)
    assert session.exec(select(DistinctPair)).all() == []
    distinct.mark_distinct(session, user=None, kind="supplier", first_id=derby.id,
                           second_id=motus.id)
    with pytest.raises(Forbidden):
        distinct.unmark_distinct(session, user=intruder, kind="supplier", first_id=derby.id,
                                 second_id=motus.id)
    with pytest.raises(Forbidden):
        distinct.recent(session, user=intruder, kind="supplier")
    assert len(session.exec(select(DistinctPair)).all()) == 1


def test_bad_pairs_are_refused_by_name_and_store_nothing(session, ref, dealers):
    derby, motus, *_ = dealers
    with pytest.raises(CoopmatchError, match="Choose two different ones") as same:
        distinct.mark_distinct(session, user=None, kind="supplier", first_id=derby.id,
                               second_id=derby.id)
    assert same.value.field == "other_id"
    with pytest.raises(NotFound, match="There is no supplier numbered 99999"):
        distinct.mark_distinct(session, user=None, kind="supplier", first_id=derby.id,
                               second_id=99_999)
    with pytest.raises(CoopmatchError, match="There is no kind 'tender'"):
        distinct.mark_distinct(session, user=None, kind="tender", first_id=derby.id,
                               second_id=motus.id)
    with pytest.raises(NotFound, match=f"{derby.id} and {motus.id} are not marked as two"):
        distinct.unmark_distinct(session, user=None, kind="supplier", first_id=derby.id,
                                 second_id=motus.id)
    assert session.exec(select(DistinctPair)).all() == []
    assert session.exec(select(AuditEntry).where(AuditEntry.action.like("%distinct"))).all() \
        == []


def test_a_mark_goes_with_a_supplier_merged_away_or_removed(session, ref, dealers):
    derby, motus, apf, apf_again = dealers
    admin = create_user(session, role="admin")
    for other in (motus, apf_again):
        distinct.mark_distinct(session, user=admin, kind="supplier", first_id=derby.id,
                               second_id=other.id)
    distinct.mark_distinct(session, user=admin, kind="supplier", first_id=apf.id,
                           second_id=motus.id)
    suppliers.merge_suppliers(session, user=admin, keep_id=apf.id, other_id=apf_again.id,
                              ref=ref)
    left = {(m.first_id, m.second_id) for m in session.exec(select(DistinctPair))}
    assert left == {(derby.id, motus.id), tuple(sorted((apf.id, motus.id)))}
    suppliers.remove_supplier(session, user=admin, supplier_id=motus.id)
    assert session.exec(select(DistinctPair)).all() == []


def test_a_mark_comes_back_when_the_merge_or_removal_is_undone(session, ref, dealers):
    from coopmatch.models import SupplierMerge, SupplierRemoval
    from coopmatch.services import merges, removals

    derby, motus, apf, apf_again = dealers
    admin = create_user(session, role="admin")

    def marks() -> set[tuple[int, int]]:
        return {(m.first_id, m.second_id) for m in session.exec(select(DistinctPair))}

    mark = distinct.mark_distinct(session, user=admin, kind="supplier", first_id=derby.id,
                                  second_id=motus.id)
    marked_at = mark.at
    distinct.mark_distinct(session, user=admin, kind="supplier", first_id=motus.id,
                           second_id=apf_again.id)
    suppliers.merge_suppliers(session, user=admin, keep_id=apf.id, other_id=motus.id, ref=ref)
    assert marks() == set()
    merge = session.exec(select(SupplierMerge)).one()
    merges.undo_merge(session, user=admin, merge_id=merge.id)
    assert marks() == {(derby.id, motus.id), (motus.id, apf_again.id)}
    back = session.exec(select(DistinctPair).where(DistinctPair.first_id == derby.id)).one()
    assert (back.user_id, back.first_name, back.second_name) == (
        admin.id, "Motus Commercials Derby", "Motus Commercials")
    assert back.at.replace(tzinfo=None) == marked_at.replace(tzinfo=None)  # as it was
    assert "; 2 marks as two put back" in session.exec(select(AuditEntry).where(
        AuditEntry.action == "unmerge")).one().summary

    # Removed, and the other of one pair removed too meanwhile: only the pair whose two are
    # both back comes back.
    suppliers.remove_supplier(session, user=admin, supplier_id=motus.id)
    suppliers.remove_supplier(session, user=admin, supplier_id=apf_again.id)
    assert marks() == set()
    removal = session.exec(select(SupplierRemoval).where(
        SupplierRemoval.removed_id == motus.id)).one()
    removals.undo_removal(session, user=admin, removal_id=removal.id, geo=ref.geo)
    assert marks() == {(derby.id, motus.id)}
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "restore")).one(
    ).summary.endswith("back; 1 mark as two put back")


def test_organisations_marked_as_two_are_no_longer_offered(session, ref):
    admin = create_user(session, role="admin")
    east = create_organisation(session, ref, name="NHS East Lancashire Clinical "
                               "Commissioning Group", kind="nhs", postcode=None)
    typo = create_organisation(session, ref, name="NHS East Lancashire Clinical "
                               "Commisioning Group", kind="nhs", postcode=None)

    def listed():
        return [(p.keep.id, p.other.id) for p in organisations.duplicate_candidates(
            session=session, user=None, geo=ref.geo)]

    assert len(listed()) == 1
    distinct.mark_distinct(session, user=admin, kind="organisation", first_id=east.id,
                           second_id=typo.id)
    assert listed() == []
    assert distinct.recent(session, user=admin, kind="supplier") == []
    distinct.unmark_distinct(session, user=admin, kind="organisation", first_id=east.id,
                             second_id=typo.id)
    assert len(listed()) == 1
    # A merge takes the mark with the organisation merged away.
    distinct.mark_distinct(session, user=admin, kind="organisation", first_id=east.id,
                           second_id=typo.id)
    organisations.merge_organisations(session, user=admin, keep_id=east.id,
                                      other_id=typo.id)
    assert session.exec(select(DistinctPair)).all() == []
