"""Organisations listed twice: merged by an administrator, and found again by either name."""

import json
from datetime import date

import pytest
from sqlmodel import select

from coopmatch.errors import CoopmatchError, Forbidden
from coopmatch.models import AuditEntry, Award, ImportJob, Organisation, Payment, Tender, User
from coopmatch.services import organisations, spend
from coopmatch.services.imports import ImportOptions, import_file
from tests.factories import create_organisation, create_supplier, create_tender, create_user

TRUST = "Lancashire Teaching Hospitals NHS Foundation Trust"


def _payment(anchor, row_key, pence=10_000):
    return Payment(anchor_id=anchor.id, payment_date=date(2025, 5, 1), amount_pence=pence,
                   row_key=row_key)


@pytest.fixture
def twice(session, ref):
    """One hospital trust listed twice: as its name, and by the initials a source uses, each
    with a tender, an officer and payments (one ledger line imported under both)."""
    keep = create_organisation(session, ref, name=TRUST, kind="nhs", postcode=None)
    other = create_organisation(session, ref, name="LTHTR", kind="other_public",
                                postcode="PR2 9HT")
    admin = create_user(session, role="admin")
    officer = create_user(session, role="procurement", organisation=keep)
    other_officer = create_user(session, role="procurement", organisation=other)
    kept_tender = create_tender(session, ref, officer, title="Theatre linen")
    moved_tender = create_tender(session, ref, other_officer, title="Hospital cafe")
    session.add_all([_payment(keep, "both"), _payment(other, "both"), _payment(other, "own")])
    session.add(ImportJob(user_id=admin.id, format="ledger", filename="lthtr.csv",
                          stored_path="/tmp/x", anchor_id=other.id))
    session.commit()
    return admin, keep, other, other_officer, kept_tender, moved_tender


def test_merging_moves_tenders_accounts_and_payments_and_keeps_the_name(session, ref, twice):
    admin, keep, other, other_officer, kept_tender, moved_tender = twice
    other_id = other.id
    kept = organisations.merge_organisations(session, user=admin, keep_id=keep.id,
                                             other_id=other_id)
    session.expire_all()
    assert session.get(Organisation, other_id) is None
    assert session.get(Tender, moved_tender.id).buyer_id == kept.id
    assert session.get(User, other_officer.id).organisation_id == kept.id
    assert session.exec(select(ImportJob)).one().anchor_id == kept.id
    # The ledger line imported under both names counts once.
    payments = session.exec(select(Payment).order_by(Payment.row_key)).all()
    assert [(p.anchor_id, p.row_key) for p in payments] == [(kept.id, "both"), (kept.id, "own")]
    kept = session.get(Organisation, kept.id)
    assert kept.names == [TRUST, "LTHTR"]
    assert (kept.postcode, kept.local_authority_code) == ("PR2 9HT", "E07000123")  # Preston
    assert kept.kind == "nhs"
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "merge")).one()
    assert entry.user_id == admin.id and entry.entity == "organisation"
    assert "'LTHTR'" in entry.summary and "1 tender" in entry.summary
    assert "1 payment moved (1 listed under both dropped)" in entry.summary


def test_after_a_merge_either_name_finds_the_kept_organisation(session, ref, twice, data_dir,
                                                              tmp_path):
    admin, keep, other, *_ = twice
    organisations.merge_organisations(session, user=admin, keep_id=keep.id, other_id=other.id)
    assert spend.find_anchor(session, "LTHTR").id == keep.id
    assert organisations.find_by_name(session, TRUST).id == keep.id
    release = {"ocid": "ocds-test-merged-1", "id": "1", "date": "2026-01-05",
               "buyer": {"name": "LTHTR"},
               "tender": {"title": "Ward cleaning", "status": "active"}}
    path = tmp_path / "release.json"
    path.write_text(json.dumps([release]), encoding="utf-8")
    summary = import_file(session, fmt="ocds", path=path, ref=ref, data_dir=str(data_dir),
                          options=ImportOptions())
    assert summary.counts["organisations"].get("created", 0) == 0
    tender = session.exec(select(Tender).where(Tender.ocid == "ocds-test-merged-1")).one()
    assert tender.buyer_id == keep.id
    assert len(session.exec(select(Organisation)).all()) == 1


def test_only_administrators_merge_and_nothing_changes_otherwise(session, ref, twice):
    _, keep, other, other_officer, _, moved_tender = twice
    for user in (other_officer, create_user(session, role="agency")):
        with pytest.raises(Forbidden):
            organisations.merge_organisations(session, user=user, keep_id=keep.id,
                                              other_id=other.id)
    admin = create_user(session, role="admin")
    with pytest.raises(CoopmatchError, match="two different organisations") as caught:
        organisations.merge_organisations(session, user=admin, keep_id=keep.id,
                                          other_id=keep.id)
    assert caught.value.field == "other_id"
    session.expire_all()
    assert session.get(Organisation, other.id).names == ["LTHTR"]
    assert session.get(Tender, moved_tender.id).buyer_id == other.id
    assert len(session.exec(select(Payment).where(Payment.anchor_id == other.id)).all()) == 2


def test_the_match_index_reads_contracts_won_from_the_merged_buyer_as_the_kept_ones(
        app, session, ref, twice):
    from coopmatch.services import matching
    from coopmatch.web.matching import match_settings

    admin, keep, other, other_officer, kept_tender, moved_tender = twice
    linen = create_supplier(session, ref, name="Ribble Laundry Ltd", postcode="PR1 3NN",
                            description="Laundry and linen hire.", cpv_codes="98310000")
    session.add(Award(tender_id=moved_tender.id, supplier_id=linen.id, value=50_000))
    moved_tender.status = "awarded"
    session.commit()

    def this_buyer():
        _, found = matching.matches_for_tender(session, tender_id=kept_tender.id,
                                               search=matching.Search(), ref=ref,
                                               settings=settings)
        (match,) = [m for m in found if m.supplier_id == linen.id]
        return [r.text for r in match.reasons if "from " + TRUST in r.text]

    with app.app_context():
        settings = match_settings()
        assert this_buyer() == []
        organisations.merge_organisations(session, user=admin, keep_id=keep.id,
                                          other_id=other.id)
        assert this_buyer() == [f"Has won 1 contract from {TRUST} before."]


def test_bodies_named_for_two_counties_are_not_offered_as_one(session, ref):
    # "Bedfordshire" and "Derbyshire" differ by three letters; Bedfordshire is no council
    # today, but it is a county, and two police commissioners are two bodies.
    for name in ("Police and Crime Commissioner for Bedfordshire",
                 "Police and Crime Commissioner for Derbyshire",
                 "Office of the Police and Crime Commissioner for Lancashire",
                 "Police and Crime Commissioner for Lancashire"):
        create_organisation(session, ref, name=name, kind="other_public", postcode=None)
    admin = create_user(session, role="admin")
    pairs = organisations.duplicate_candidates(session=session, user=admin, geo=ref.geo)
    assert [sorted((p.keep.name, p.other.name)) for p in pairs] == [
        ["Office of the Police and Crime Commissioner for Lancashire",
         "Police and Crime Commissioner for Lancashire"]]


def test_a_body_named_as_bought_for_is_offered_as_the_same_body(session, ref):
    """An organisation imported as "Muse Developments Limited on behalf of Blackpool Borough
    Council" (before notices were put under the body bought for) is offered for merging into
    Blackpool Council; one buying for a department or for several bodies is not."""
    blackpool = create_organisation(session, ref, name="Blackpool Council", kind="council",
                                    postcode=None)
    agent = create_organisation(
        session, ref, name="Muse Developments Limited on behalf of Blackpool Borough Council",
        kind="council", postcode=None)
    create_organisation(session, ref, name="Acme Ltd on behalf of its members",
                        kind="other_public", postcode=None)
    admin = create_user(session, role="admin")
    pairs = organisations.duplicate_candidates(session=session, user=admin, geo=ref.geo)
    assert [(p.keep.id, p.other.id) for p in pairs] == [(blackpool.id, agent.id)]
    # The council is kept, under its own name, though its agent's has more notices on it.
    for title in ("Office development", "Office fit-out"):
        create_tender(session, ref, admin, title=title, buyer_id=agent.id)
    pairs = organisations.duplicate_candidates(session=session, user=admin, geo=ref.geo)
    assert [(p.keep.id, p.other.id) for p in pairs] == [(blackpool.id, agent.id)]
    # A department an administrator set up with accounts of its own is not offered.
    trading = create_organisation(session, ref, name="Blackpool Council Trading Standards",
                                  kind="council", postcode=None)
    create_user(session, role="procurement", organisation=trading)
    pairs = organisations.duplicate_candidates(session=session, user=admin, geo=ref.geo)
    assert [(p.keep.id, p.other.id) for p in pairs] == [(blackpool.id, agent.id)]


@pytest.mark.parametrize("name, kind", [
    # Buyer names as award notices give them.
    ("Chorley Council", "council"),
    ("London Borough of Wandsworth", "council"),
    ("Greater Manchester Combined Authority", "council"),
    ("Blackpool Teaching Hospitals NHS Foundation Trust", "nhs"),
    ("Lancashire Fire and Rescue Service", "police_fire"),
    ("Cockermouth School", "education"),
    ("Delta Academies Trust", "education"),
    ("United Learning Trust", "education"),
    ("Clarion Housing Group", "housing"),
    # Named "council" or "authority", or for a sector, but no council and no trust.
    ("Community CVS (the trading name for Blackburn with Darwen Council for Voluntary Service)",
     "other_public"),
    ("General Pharmaceutical Council", "other_public"),
    ("The Arts Council England", "other_public"),
    ("Financial Conduct Authority", "other_public"),
    ("United Kingdom Atomic Energy Authority", "other_public"),
    ("Department for Education", "other_public"),
    ("Department of Health and Social Care", "other_public"),
    ("Transport for London", "other_public"),
])
def test_an_imported_buyer_is_guessed_a_kind_from_its_name(name, kind):
    assert organisations.guess_kind(name) == kind
