"""Stored area codes brought up to date with the reference data."""

from sqlmodel import select

from coopmatch.models import Organisation, Supplier, Tender
from coopmatch.services.geography import place_councils, refresh_areas
from tests.factories import create_organisation, create_supplier, create_tender, create_user


def naive(moment):
    return moment.replace(tzinfo=None)  # SQLite gives back times without their zone


def test_records_placed_before_a_combined_authority_move_into_its_tier(session, ref):
    council = create_organisation(session, ref)  # Preston City Council, PR1 2RL
    county = Organisation(name="Lancashire County Council", county_code="E10000017",
                          region_code="E12000002")
    session.add(county)
    officer = create_user(session, role="procurement", organisation=council)
    blackpool = create_supplier(session, ref, name="Fylde Coast Bakers", postcode="FY1 1AD")
    elsewhere = create_supplier(session, ref, name="Thames Bakers", postcode="SW1A 1AA")
    tender = create_tender(session, ref, officer, title="Bread for schools")
    session.commit()
    # As they were stored before the Lancashire Combined County Authority was in the data.
    council.county_code = tender.county_code = "E10000017"
    blackpool.county_code = None
    session.commit()
    stamped = blackpool.updated_at
    london = (elsewhere.county_code, elsewhere.region_code, naive(elsewhere.updated_at))

    assert refresh_areas(session, ref.geo) == 4
    session.expire_all()
    assert session.get(Organisation, council.id).county_code == "E47000018"
    assert session.get(Organisation, county.id).county_code == "E47000018"
    assert session.get(Tender, tender.id).county_code == "E47000018"
    moved = session.get(Supplier, blackpool.id)
    assert moved.county_code == "E47000018"
    assert naive(moved.updated_at) > naive(stamped)  # so the matching indexes pick it up
    same = session.get(Supplier, elsewhere.id)
    assert (same.county_code, same.region_code, naive(same.updated_at)) == london
    # Nothing left to do the second time.
    assert refresh_areas(session, ref.geo) == 0


def test_without_reference_data_nothing_changes(session, ref, tmp_path):
    from coopmatch.geo import GeoReference

    create_supplier(session, ref, name="Fylde Coast Bakers", postcode="FY1 1AD")
    before = session.exec(select(Supplier.county_code)).all()
    assert refresh_areas(session, GeoReference(None, tmp_path)) == 0
    assert session.exec(select(Supplier.county_code)).all() == before


def test_councils_among_the_suppliers_with_no_address_are_placed_by_name(session, ref):
    """Award winners imported before councils were placed by name: `db upgrade` places them."""
    county = Supplier(name="Lancashire County Council", normalised_name="lancashire county "
                      "council", ownership="public_body", source="award")
    firm = Supplier(name="Acme Print Ltd", normalised_name="acme print", source="award")
    police = Supplier(name="Essex Police", normalised_name="essex police",
                      ownership="public_body", source="award")
    alarms = Supplier(name="Delta Fire", normalised_name="delta fire", source="award")
    trust = Supplier(name="Blackpool Teaching Hospitals NHS Foundation Trust",
                     normalised_name="blackpool teaching hospitals nhs", ownership="public_body",
                     source="award")
    agency = Supplier(name="NHS Professionals Ltd", normalised_name="nhs professionals",
                      source="award")
    session.add_all([county, firm, police, alarms, trust, agency])
    session.commit()
    stamped = naive(county.updated_at)
    assert place_councils(session, ref.geo) == 3
    session.refresh(police)
    session.refresh(alarms)
    session.refresh(trust)
    session.refresh(agency)
    assert trust.local_authority_code == "E06000009" and trust.latitude is not None
    assert (agency.local_authority_code, agency.latitude) == (None, None)
    assert police.county_code == "E10000012" and police.latitude is not None
    assert (alarms.county_code, alarms.latitude) == (None, None)
    session.refresh(county)
    session.refresh(firm)
    assert (county.local_authority_code, county.county_code) == (None, "E47000018")
    assert county.latitude is not None and naive(county.updated_at) > stamped
    assert (firm.county_code, firm.latitude) == (None, None)
    assert place_councils(session, ref.geo) == 0  # once
