"""Suppliers listed twice: found, and merged by an administrator only."""

import json

import pytest
from sqlmodel import select

from coopmatch.errors import CoopmatchError, Forbidden, InvalidSIC
from coopmatch.models import AuditEntry, Award, LedgerName, Supplier, SupplierCreate, User
from coopmatch.services import suppliers
from tests.factories import create_organisation, create_supplier, create_tender, create_user


@pytest.fixture
def twice(session, ref):
    """One firm listed twice (as award notices spell it), with contracts, a ledger name and an
    account, and a third firm alike in name but in another town."""
    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    admin = create_user(session, role="admin")
    owner = create_user(session, role="supplier")
    keep = create_supplier(session, ref, user=owner, name="NI Construction (NW) Ltd",
                           postcode=None, description="", cpv_codes="45453100",
                           ownership="sme")
    other = create_supplier(session, ref, name="NI Constructions (NW) Ltd", postcode="BB11 3HG",
                            description="Property refurbishment in Burnley.",
                            cpv_codes="45000000", ownership="sme", website="https://ni.example")
    other.source = "contracts_finder"  # known from award notices only
    create_supplier(session, ref, name="Workington Royal British Legion Club",
                    postcode="CA14 3DS")
    create_supplier(session, ref, name="Harrington Royal British Legion Club",
                    postcode="CA14 5JU")
    shared = create_tender(session, ref, officer, title="Refurbishment framework")
    own = create_tender(session, ref, officer, title="26 Pritchard Street")
    session.add_all([Award(tender_id=shared.id, supplier_id=keep.id),
                     Award(tender_id=shared.id, supplier_id=other.id),
                     Award(tender_id=own.id, supplier_id=other.id, value=38_000)])
    session.add(LedgerName(key="ni constructions nw", name="NI CONSTRUCTIONS (NW) LTD",
                           supplier_id=other.id, status="auto"))
    session.add(LedgerName(key="ni constr", name="NI CONSTR", status="unresolved",
                           candidates=json.dumps([{"supplier_id": other.id, "name": "x",
                                                   "postcode": None, "confidence": 0.8}])))
    session.commit()
    return admin, officer, owner, keep, other, own, shared


def test_candidates_pair_the_firm_listed_twice_not_clubs_in_two_towns(session, ref, twice):
    admin, _, _, keep, other, _, _ = twice
    # Award notices name bodies of one title for two places, with no address to tell them
    # apart: their names do.
    _unplaced(session, "Police and Crime Commissioner for Bedfordshire",
              "Police and Crime Commissioner for Hertfordshire",
              "Police and Crime Commissioner for North Wales",
              "Police and Crime Commissioner for South Wales")
    pairs = suppliers.duplicate_candidates(session=session, user=admin, geo=ref.geo)
    assert [(p.keep.id, p.other.id) for p in pairs] == [(keep.id, other.id)]  # registered one
    assert pairs[0].awards[other.id] == 2 and pairs[0].score >= 90


def test_merging_moves_contracts_names_and_accounts_and_fills_gaps(session, ref, twice):
    admin, _, owner, keep, other, own, shared = twice
    other_id = other.id
    kept = suppliers.merge_suppliers(session, user=admin, keep_id=keep.id, other_id=other_id,
                                     ref=ref)
    session.expire_all()
    assert session.get(Supplier, other_id) is None
    awards = session.exec(select(Award).where(Award.supplier_id == kept.id)).all()
    # The contract both were listed on counts once.
    assert sorted(a.tender_id for a in awards) == sorted([shared.id, own.id])
    assert session.exec(select(LedgerName).where(LedgerName.supplier_id == kept.id)).one()
    review = session.exec(select(LedgerName).where(LedgerName.key == "ni constr")).one()
    assert json.loads(review.candidates)[0]["supplier_id"] == kept.id
    kept = session.get(Supplier, kept.id)
    assert kept.postcode == "BB11 3HG" and kept.local_authority_code == "E07000117"  # Burnley
    assert kept.description == "Property refurbishment in Burnley."
    assert kept.website == "https://ni.example"
    assert kept.cpv_list == ["45453100", "45000000"]
    assert session.get(User, owner.id).supplier_id == kept.id
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "merge")).one()
    assert "NI Constructions (NW) Ltd" in entry.summary and entry.user_id == admin.id


@pytest.mark.parametrize("kept, merged, expected", [
    ("unknown", "sme", "sme"), ("sme", "unknown", "sme"), ("unknown", "large_company",
    "large_company"), ("sme", "worker_coop", "worker_coop"), ("worker_coop", "sme",
    "worker_coop"), ("charity", "unknown", "charity")])
def test_merging_keeps_the_ownership_that_says_more(session, ref, twice, kept, merged,
                                                    expected):
    admin, _, _, keep, other, _, _ = twice
    keep.ownership, other.ownership = kept, merged
    session.commit()
    result = suppliers.merge_suppliers(session, user=admin, keep_id=keep.id, other_id=other.id,
                                       ref=ref)
    assert session.get(Supplier, result.id).ownership == expected


def test_only_administrators_merge_and_nothing_changes_otherwise(session, ref, twice):
    admin, officer, owner, keep, other, _, _ = twice
    before = session.exec(select(Award.id, Award.supplier_id).order_by(Award.id)).all()
    for user in (officer, owner):
        with pytest.raises(Forbidden):
            suppliers.merge_suppliers(session, user=user, keep_id=keep.id, other_id=other.id,
                                      ref=ref)
        with pytest.raises(Forbidden):
            suppliers.duplicate_candidates(session=session, user=user, geo=ref.geo)
    with pytest.raises(CoopmatchError, match="two different suppliers"):
        suppliers.merge_suppliers(session, user=admin, keep_id=keep.id, other_id=keep.id,
                                  ref=ref)
    with pytest.raises(CoopmatchError, match="no supplier"):
        suppliers.merge_suppliers(session, user=admin, keep_id=keep.id, other_id=999_999,
                                  ref=ref)
    session.rollback()
    assert session.exec(select(Award.id, Award.supplier_id).order_by(Award.id)).all() == before
    assert session.get(Supplier, other.id) is not None


def test_a_ledger_name_either_duplicate_could_be_resolves_after_the_merge(session, ref, twice):
    admin, _, _, keep, other, _, _ = twice
    both = LedgerName(key="ni construction nw ltd", name="N I CONSTRUCTION NW",
                      status="review", candidates="[]")
    session.add(both)
    session.commit()
    suppliers.merge_suppliers(session, user=admin, keep_id=keep.id, other_id=other.id, ref=ref)
    session.expire_all()
    row = session.get(LedgerName, both.id)
    assert (row.status, row.supplier_id) == ("auto", keep.id)


def _state(session):
    """Everything a merge touches, as plain values."""
    session.expire_all()
    return {
        "suppliers": session.exec(select(Supplier.id, Supplier.name, Supplier.postcode,
                                         Supplier.local_authority_code, Supplier.description,
                                         Supplier.website, Supplier.cpv_codes,
                                         Supplier.ownership).order_by(Supplier.id)).all(),
        "awards": session.exec(select(Award.tender_id, Award.supplier_id, Award.value)
                               .order_by(Award.tender_id, Award.supplier_id)).all(),
        "names": session.exec(select(LedgerName.key, LedgerName.supplier_id, LedgerName.status)
                              .where(LedgerName.key == "ni constructions nw")).all(),
        "accounts": session.exec(select(User.id, User.supplier_id).order_by(User.id)).all(),
    }


def test_undoing_a_merge_puts_everything_back(session, ref, twice):
    from coopmatch.services import merges

    admin, _, _, keep, other, _, _ = twice
    before = _state(session)
    suppliers.merge_suppliers(session, user=admin, keep_id=keep.id, other_id=other.id, ref=ref)
    assert _state(session) != before
    (merge,) = merges.recent_merges(session, user=admin)
    assert (merge.kept_name, merge.removed_name) == ("NI Construction (NW) Ltd",
                                                     "NI Constructions (NW) Ltd")

    restored = merges.undo_merge(session, user=admin, merge_id=merge.id)

    assert restored.id == other.id  # under its own number, found where links point
    assert _state(session) == before  # the contract listed on both is back on each
    assert merges.recent_merges(session, user=admin) == []
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "unmerge")).one()
    assert "NI Constructions (NW) Ltd" in entry.summary and entry.user_id == admin.id
    with pytest.raises(CoopmatchError, match="already been undone"):
        merges.undo_merge(session, user=admin, merge_id=merge.id)


def test_an_undo_keeps_what_was_changed_after_the_merge(session, ref, twice):
    from coopmatch.services import merges

    admin, _, _, keep, other, _, _ = twice
    suppliers.merge_suppliers(session, user=admin, keep_id=keep.id, other_id=other.id, ref=ref)
    kept = session.get(Supplier, keep.id)
    kept.description = "Edited after the merge."
    session.commit()
    (merge,) = merges.recent_merges(session, user=admin)
    merges.undo_merge(session, user=admin, merge_id=merge.id)
    session.expire_all()
    kept = session.get(Supplier, keep.id)
    assert kept.description == "Edited after the merge."  # a later edit stands
    assert kept.website is None and kept.postcode is None  # what the merge filled is taken back
    assert kept.cpv_codes == "45453100"


def test_only_administrators_undo_and_only_the_latest_merge_first(session, ref, twice):
    from coopmatch.errors import Conflict
    from coopmatch.services import merges

    admin, officer, owner, keep, other, _, _ = twice
    third = create_supplier(session, ref, name="NI Construction NW", postcode=None)
    suppliers.merge_suppliers(session, user=admin, keep_id=keep.id, other_id=other.id, ref=ref)
    suppliers.merge_suppliers(session, user=admin, keep_id=keep.id, other_id=third.id, ref=ref)
    latest, first = merges.recent_merges(session, user=admin)
    before = _state(session)
    for user in (officer, owner):
        with pytest.raises(Forbidden):
            merges.undo_merge(session, user=user, merge_id=latest.id)
        with pytest.raises(Forbidden):
            merges.recent_merges(session, user=user)
    with pytest.raises(Conflict, match="undo that merge first"):
        merges.undo_merge(session, user=admin, merge_id=first.id)
    session.rollback()
    assert _state(session) == before  # nothing changed by the refusals
    merges.undo_merge(session, user=None, merge_id=latest.id)  # the command line may
    merges.undo_merge(session, user=admin, merge_id=first.id)
    assert {s.name for s in session.exec(select(Supplier))} >= {
        "NI Construction (NW) Ltd", "NI Constructions (NW) Ltd", "NI Construction NW"}


def test_a_bad_code_names_its_field_and_leaves_the_profile_as_it_was(session, ref):
    owner = create_user(session, role="supplier")
    supplier = create_supplier(session, ref, user=owner, sic_codes="56102")
    before = supplier.model_dump()
    data = SupplierCreate(**{**supplier.model_dump(include=set(suppliers.EDITABLE)),
                             "name": "Renamed Co-op", "sic_codes": "56102 5610"})
    with pytest.raises(InvalidSIC) as caught:
        suppliers.update_supplier(session, user=owner, supplier_id=supplier.id, data=data,
                                  ref=ref)
    assert caught.value.field == "sic_codes" and "'5610' is not a SIC code" in caught.value.message
    assert supplier.model_dump() == before  # not even changed in the session
    session.expire_all()
    assert session.get(Supplier, supplier.id).name == before["name"]
    data = SupplierCreate(**{**data.model_dump(), "sic_codes": "62000; 56102"})
    suppliers.update_supplier(session, user=owner, supplier_id=supplier.id, data=data, ref=ref)
    assert session.get(Supplier, supplier.id).sic_codes == "62000 56102"


def test_award_winners_named_as_public_bodies_are_brought_up_to_date(session, ref):
    council = Supplier(name="Wyre Council", normalised_name="wyre council", source="award",
                       ownership="large_company")
    club = Supplier(name="China-Britain Business Council", source="award", ownership="sme",
                    normalised_name="china britain business council")
    trust = Supplier(name="Mersey Care NHS Trust", normalised_name="mersey care nhs trust",
                     source="award", ownership="unknown")
    session.add_all([council, club, trust])
    session.commit()
    assert suppliers.refresh_ownership(session) == 2
    session.refresh(council)
    session.refresh(club)
    session.refresh(trust)
    assert (council.ownership, club.ownership, trust.ownership) == (
        "public_body", "sme", "public_body")
    entry = session.exec(select(AuditEntry).where(AuditEntry.entity_id == council.id)).one()
    assert "large_company -> public_body" in entry.summary
    assert suppliers.refresh_ownership(session) == 0


def _winners(*named):
    """A notice whose winners are (name, postcode) pairs, as an import file gives them."""
    from coopmatch.imports.records import AwardRecord, BuyerRecord, NoticeRecord, SupplierRecord

    return NoticeRecord(ocid="ocds-test-locate", title="Road surfacing",
                        buyer=BuyerRecord(name="Oldham Council"),
                        awards=[AwardRecord(supplier=SupplierRecord(name=n, postcode=p))
                                for n, p in named])


def _unplaced(session, *names):
    found = []
    for name in names:
        supplier = Supplier(name=name, normalised_name=suppliers.normalise_name(name),
                            source="award", ownership="sme")
        session.add(supplier)
        found.append(supplier)
    session.commit()
    return found


def test_suppliers_with_no_postcode_are_placed_where_a_file_puts_the_same_company(session, ref):
    coating, smith, bad = _unplaced(session, "Coating Services Limited", "Smith Builders",
                                    "Bad Postcode Ltd")
    placed = create_supplier(session, ref, name="Ribble Surfacing Ltd", postcode="PR1 3NN")
    session.refresh(coating)
    stamped = coating.updated_at
    records = [
        _winners(("COATING SERVICES LTD", "OL1 3RU"), ("Smith Builders", "CT1 1AA")),
        _winners(("Coating Services Ltd.", "OL1 3RU"), ("Coating Services Limited", "M1 1AE"),
                 ("Ribble Surfacing Ltd", "LA1 1DW"), ("Bad Postcode Ltd", "ZZ99 9ZZ")),
    ]
    located = suppliers.locate_from_records(session, records=records, ref=ref, user=None,
                                            source="notices.csv")
    # The postcode the file gives the company most often; a name that is not a company's
    # (a sole trader's, a club's) may be another firm's, and is left unplaced.
    assert located.placed == [(coating.id, "Coating Services Limited", "OL1 3RU")]
    assert located.unplaced == 2  # Coating Services and Bad Postcode: company names, no place
    for supplier in (coating, smith, bad, placed):
        session.refresh(supplier)
    assert coating.postcode == "OL1 3RU" and coating.local_authority_code == "E08000004"
    assert coating.latitude is not None and coating.updated_at > stamped
    assert smith.postcode is None and bad.postcode is None
    assert placed.postcode == "PR1 3NN"  # only blanks are filled
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "locate")).one()
    assert entry.entity_id == coating.id and "OL1 3RU" in entry.summary
    assert "notices.csv" in entry.summary
    # Again: nothing left to place.
    again = suppliers.locate_from_records(session, records=records, ref=ref, user=None,
                                          source="notices.csv")
    assert again.placed == [] and again.unplaced == 1


def test_placing_suppliers_from_a_file_is_for_administrators_and_a_dry_run_changes_nothing(
        session, ref):
    (coating,) = _unplaced(session, "Coating Services Limited")
    records = [_winners(("Coating Services Limited", "OL1 3RU"))]
    for role in ("supplier", "procurement", "agency"):
        with pytest.raises(Forbidden):
            suppliers.locate_from_records(session, records=records, ref=ref,
                                          user=create_user(session, role=role), source="x")
    dry = suppliers.locate_from_records(session, records=records, ref=ref, user=None,
                                        source="x", dry_run=True)
    assert dry.placed == [(coating.id, "Coating Services Limited", "OL1 3RU")]
    session.refresh(coating)
    assert coating.postcode is None and coating.latitude is None
    assert not session.exec(select(AuditEntry).where(AuditEntry.action == "locate")).all()
    admin = create_user(session, role="admin")
    done = suppliers.locate_from_records(session, records=records, ref=ref, user=admin,
                                         source="x")
    assert len(done.placed) == 1
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "locate")).one()
    assert entry.user_id == admin.id


def test_suppliers_made_of_placeholders_for_no_winner_are_removed(session, ref):
    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    meat = create_tender(session, ref, officer, title="Fresh meat products")
    abandoned, not_awarded, kept, matched, real = _unplaced(
        session, "Tender abandoned", "NOT AWARDED TO SUPPLIER", "Not Applicable", "n/a",
        "Ralph Livesey Ltd")
    kept.users.append(create_user(session, role="supplier"))  # someone's account: left alone
    session.add(LedgerName(key="n a", name="N/A", supplier_id=matched.id, status="auto"))
    session.add_all([Award(tender_id=meat.id, supplier_id=s.id)
                     for s in (abandoned, not_awarded, real)])
    session.commit()
    ids = [s.id for s in (abandoned, not_awarded, kept, matched, real)]
    assert suppliers.drop_placeholder_winners(session) == 2
    session.expire_all()
    assert [session.get(Supplier, i) is not None for i in ids] == [False, False, True, True, True]
    assert [a.supplier_id for a in session.exec(select(Award)).all()] == [real.id]
    entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "supplier",
                                                  AuditEntry.entity_id == ids[0])).one()
    assert entry.action == "delete" and "Tender abandoned" in entry.summary
    assert "1 award" in entry.summary
    assert suppliers.drop_placeholder_winners(session) == 0


def test_an_administrator_removes_a_supplier_that_is_no_firm(session, ref):
    from coopmatch.errors import Conflict, NotFound

    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    meals = create_tender(session, ref, officer, title="School meals")
    junk, real = _unplaced(session, "See tender documents", "Ralph Livesey Ltd")
    session.add_all([Award(tender_id=meals.id, supplier_id=junk.id),
                     Award(tender_id=meals.id, supplier_id=real.id)])
    session.add(LedgerName(key="see tender", name="SEE TENDER", supplier_id=junk.id,
                           status="confirmed", confidence=1.0))
    session.commit()
    junk_id = junk.id
    for role in ("supplier", "procurement", "agency"):
        with pytest.raises(Forbidden):
            suppliers.remove_supplier(session, user=create_user(session, role=role),
                                      supplier_id=junk_id)
    admin = create_user(session, role="admin")
    assert suppliers.remove_supplier(session, user=admin, supplier_id=junk_id) == (
        "See tender documents")
    session.expire_all()
    assert session.get(Supplier, junk_id) is None
    assert [a.supplier_id for a in session.exec(select(Award)).all()] == [real.id]
    name = session.exec(select(LedgerName)).one()
    assert (name.supplier_id, name.status, name.confidence) == (None, "unresolved", 0.0)
    entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "supplier",
                                                  AuditEntry.action == "delete")).one()
    assert entry.user_id == admin.id and "1 award" in entry.summary
    assert "1 ledger name unresolved again" in entry.summary
    with pytest.raises(NotFound):
        suppliers.remove_supplier(session, user=admin, supplier_id=junk_id)
    # A supplier with an account of its own stays: its people keep it.
    own = create_supplier(session, ref, name="Preston Bakers Co-op")
    with pytest.raises(Conflict, match="has an account of its own"):
        suppliers.remove_supplier(session, user=admin, supplier_id=own.id)
    assert session.get(Supplier, own.id) is not None


def test_undoing_a_removal_puts_the_supplier_back_with_its_contracts_and_names(session, ref):
    from coopmatch.errors import Conflict, NotFound
    from coopmatch.services import removals

    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    meals, bread = (create_tender(session, ref, officer, title=t)
                    for t in ("School meals", "Bread"))
    firm = create_supplier(session, ref, name="Ribble Bakery Co-operative", postcode="PR1 3NN",
                           description="Bread and cakes for schools.", cpv_codes="15810000")
    firm.users.clear()  # known from notices only, so it can be removed
    session.add_all([Award(tender_id=meals.id, supplier_id=firm.id, value=40_000),
                     Award(tender_id=bread.id, supplier_id=firm.id, value=9_000)])
    session.add_all([LedgerName(key="ribble bakery", name="RIBBLE BAKERY", supplier_id=firm.id,
                                status="confirmed", confidence=1.0),
                     LedgerName(key="ribble bakery coop", name="RIBBLE BAKERY CO-OP",
                                supplier_id=firm.id, status="auto", confidence=0.93)])
    session.commit()
    other = create_supplier(session, ref, name="Ribble Bakery Supplies Ltd")
    firm_id = firm.id
    before = _removal_state(session)
    admin = create_user(session, role="admin")
    suppliers.remove_supplier(session, user=admin, supplier_id=firm_id)
    assert _removal_state(session) != before
    # Someone decides one of its ledger names in the meantime: that decision stands.
    decided = session.exec(select(LedgerName).where(LedgerName.key == "ribble bakery coop")).one()
    decided.supplier_id, decided.status = other.id, "confirmed"
    session.commit()
    for role in ("supplier", "procurement", "agency"):  # administrators only
        user = create_user(session, role=role)
        with pytest.raises(Forbidden):
            removals.recent_removals(session, user=user)
        with pytest.raises(Forbidden):
            removals.undo_removal(session, user=user, removal_id=1, geo=ref.geo)
    (removal,) = removals.recent_removals(session, user=admin)
    assert (removal.removed_name, removal.why) == ("Ribble Bakery Co-operative",
                                                   "removed from the register")

    restored = removals.undo_removal(session, user=admin, removal_id=removal.id,
                                     geo=ref.geo).supplier

    assert restored.id == firm_id  # under its own number, found where links point
    after = _removal_state(session)
    assert after["supplier"] == before["supplier"] and after["awards"] == before["awards"]
    assert after["names"] == {"ribble bakery": (firm_id, "confirmed", 1.0),
                              "ribble bakery coop": (other.id, "confirmed", 0.0)}
    assert removals.recent_removals(session, user=admin) == []
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "restore")).one()
    assert entry.user_id == admin.id and "2 awards and 1 ledger name back" in entry.summary
    with pytest.raises(Conflict, match="already been undone"):
        removals.undo_removal(session, user=admin, removal_id=removal.id, geo=ref.geo)
    with pytest.raises(NotFound):
        removals.undo_removal(session, user=admin, removal_id=removal.id + 1, geo=ref.geo)


def test_a_removal_undone_after_its_notice_went_puts_back_the_rest(session, ref):
    from coopmatch.services import removals

    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    kept, gone = (create_tender(session, ref, officer, title=t) for t in ("Kept", "Gone"))
    (junk,) = _unplaced(session, "Tender abandoned")
    session.add_all([Award(tender_id=kept.id, supplier_id=junk.id),
                     Award(tender_id=gone.id, supplier_id=junk.id)])
    session.commit()
    junk_id, gone_id = junk.id, gone.id
    assert suppliers.drop_placeholder_winners(session) == 1  # an import's removal, undoable too
    session.delete(session.get(type(gone), gone_id))
    session.commit()
    (removal,) = removals.recent_removals(session, user=None)
    assert removal.why == "names no winner: removed" and removal.user_id is None
    restored = removals.undo_removal(session, user=None, removal_id=removal.id,
                                     geo=ref.geo).supplier
    assert restored.id == junk_id
    assert [a.tender_id for a in session.exec(select(Award)).all()] == [kept.id]


def _removal_state(session):
    session.expire_all()
    return {
        "supplier": session.exec(select(Supplier.id, Supplier.name, Supplier.postcode,
                                        Supplier.local_authority_code, Supplier.description,
                                        Supplier.cpv_codes, Supplier.created_at)
                                 .where(Supplier.name == "Ribble Bakery Co-operative")).all(),
        "awards": session.exec(select(Award.id, Award.tender_id, Award.supplier_id, Award.value)
                               .order_by(Award.id)).all(),
        "names": {n.key: (n.supplier_id, n.status, n.confidence)
                  for n in session.exec(select(LedgerName))},
    }


def test_a_removal_undone_after_the_firm_came_back_puts_its_contracts_on_that_one(
        session, ref, tmp_path):
    """An import named the removed firm again: undoing does not list it twice."""
    from coopmatch.services import removals
    from coopmatch.services.imports import ImportOptions, import_file

    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    meals, bread = (create_tender(session, ref, officer, title=t)
                    for t in ("School meals", "Bread"))
    firm = create_supplier(session, ref, name="Ribble Bakery Co-operative", postcode="PR1 3NN",
                           description="Bread and cakes for schools.", cpv_codes="15810000",
                           website="https://ribble.example")
    firm.users.clear()
    session.add_all([Award(tender_id=meals.id, supplier_id=firm.id, value=40_000),
                     Award(tender_id=bread.id, supplier_id=firm.id, value=9_000),
                     LedgerName(key="ribble bakery", name="RIBBLE BAKERY", supplier_id=firm.id,
                                status="confirmed", confidence=1.0)])
    session.commit()
    # Another firm of the same name elsewhere, there before the removal: not the one removed.
    namesake = create_supplier(session, ref, name="Ribble Bakery Co-operative",
                               postcode="BB1 1HT", description="A Blackburn bakery.")
    admin = create_user(session, role="admin")
    suppliers.remove_supplier(session, user=admin, supplier_id=firm.id)
    (removal,) = removals.recent_removals(session, user=admin)
    assert removals.returned_since(session, [removal]) == {}

    path = tmp_path / "register.csv"
    path.write_text("name,postcode,ownership,description\n"
                    "Ribble Bakery Co-operative,PR1 3NN,worker_coop,\n")
    import_file(session, fmt="suppliers", path=path, ref=ref, options=ImportOptions(user=admin))
    back = session.exec(select(Supplier).where(Supplier.postcode == "PR1 3NN")).one()
    # The import has also named it winner of the school meals again since.
    session.add(Award(tender_id=meals.id, supplier_id=back.id, value=40_000))
    session.commit()
    assert removals.returned_since(session, [removal]) == {removal.id: back}

    undone = removals.undo_removal(session, user=admin, removal_id=removal.id, geo=ref.geo)

    assert undone.came_back and undone.supplier.id == back.id
    named = session.exec(select(Supplier).where(
        Supplier.name == "Ribble Bakery Co-operative").order_by(Supplier.id)).all()
    assert [s.id for s in named] == sorted([namesake.id, back.id])  # listed once, not twice
    held = session.exec(select(Award.tender_id).where(Award.supplier_id == back.id)).all()
    assert sorted(held) == sorted([meals.id, bread.id])  # the meals not counted twice
    assert back.description == "Bread and cakes for schools."  # its blanks filled
    assert (back.website, back.cpv_codes) == ("https://ribble.example", "15810000")
    name = session.exec(select(LedgerName).where(LedgerName.key == "ribble bakery")).one()
    assert (name.supplier_id, name.status) == (back.id, "confirmed")
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "restore")).one()
    assert f"onto supplier {back.id}, which it came back as: 1 award and 1 ledger name" \
        in entry.summary
    assert removals.recent_removals(session, user=admin) == []
