"""Factories: plain functions that build test data through the real services."""

import uuid

PASSWORD = "correct horse battery"


def create_organisation(session, ref, name="Preston City Council", kind="council",
                        postcode="PR1 2RL"):
    from coopmatch.models import OrganisationCreate
    from coopmatch.services import organisations

    return organisations.create_organisation(
        session, actor=None, data=OrganisationCreate(name=name, kind=kind, postcode=postcode),
        ref=ref)


def create_user(session, role="supplier", email=None, organisation=None, supplier=None):
    from coopmatch.services import accounts

    return accounts.create_user(
        session, actor=None, email=email or f"{role}-{uuid.uuid4().hex[:6]}@example.org",
        password=PASSWORD, name=f"Test {role}", role=role,
        organisation_id=organisation.id if organisation else None,
        supplier_id=supplier.id if supplier else None)


def create_supplier(session, ref, user=None, **fields):
    from coopmatch.models import SupplierCreate
    from coopmatch.services import suppliers

    owner = user or create_user(session, role="supplier")
    data = {"name": "Preston Cleaning Co-operative",
            "description": "Worker co-op cleaning offices and schools in Preston.",
            "postcode": "PR1 3NN", "ownership": "worker_coop", "cpv_codes": "90910000"}
    data.update(fields)
    return suppliers.register_supplier(session, user=owner, data=SupplierCreate(**data), ref=ref)


def create_tender(session, ref, user, **fields):
    from coopmatch.models import TenderCreate
    from coopmatch.services import tenders

    data = {"title": "Cleaning of council offices", "description": "Daily office cleaning.",
            "cpv_codes": "90910000", "value": 120000.0, "status": "open"}
    data.update(fields)
    return tenders.create_tender(session, user=user, data=TenderCreate(**data), ref=ref)


