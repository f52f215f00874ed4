"""Ledger names resolved again as the register changes: the figures do not wait for a CLI run."""

import pytest
from sqlmodel import select

from coopmatch.models import LedgerName, SupplierCreate
from coopmatch.services import spend, suppliers
from coopmatch.services.imports import ImportOptions, import_file
from tests.factories import create_organisation, create_supplier, create_user

LEDGER = (
    "Service Cost Centre,Account Detail,Description,HBC ref no,Name,Payment date,Net Amount\n"
    "Depot,Repairs,Roof repair,B1,ACCRINGTON JOINERY LIMITED,15/04/2019,1000.00\n"
    "Comms,Printing,Leaflets,B2,Pendle Print Co-op,20/05/2019,500.00\n"
    "Parks,Trees,Felling,B3,Rossendale Tree Surgeons,01/06/2019,300.00\n"
)
REGISTER = (
    "name,postcode,ownership,description\n"
    "Pendle Print Co-operative Ltd,BB9 7AA,worker_coop,Worker co-op printing leaflets.\n"
)


@pytest.fixture
def ledger(session, ref, tmp_path):
    hyndburn = create_organisation(session, ref, name="Hyndburn Borough Council",
                                   postcode="BB5 1LA")
    create_supplier(session, ref, name="Accrington Joinery Ltd", postcode="BB5 1AA",
                    ownership="sme", description="Joinery and building repairs.")
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER)
    spend.import_ledgers(session, anchor=hyndburn, paths=[path])
    return hyndburn


def _row(session, name) -> LedgerName:
    session.expire_all()
    return session.exec(select(LedgerName).where(LedgerName.name == name)).one()


def _wider_area(session, ref, anchor) -> int:
    split = spend.anchor_report(session, anchor=anchor, ref=ref).figures.years[0].split
    return split.tiers["wider_area"]


def test_a_supplier_registering_resolves_its_ledger_name_at_once(session, ref, ledger):
    assert _row(session, "Pendle Print Co-op").status == "unresolved"
    assert _wider_area(session, ref, ledger) == 0
    trees = _row(session, "Rossendale Tree Surgeons")
    untouched = (trees.status, trees.updated_at)

    printer = create_supplier(session, ref, name="Pendle Print Co-operative Ltd",
                              postcode="BB9 7AA", description="Worker co-op printing.")

    row = _row(session, "Pendle Print Co-op")
    assert (row.status, row.supplier_id) == ("auto", printer.id)
    assert _wider_area(session, ref, ledger) == 50_000  # Pendle is in Lancashire, not Hyndburn
    trees = _row(session, "Rossendale Tree Surgeons")
    assert (trees.status, trees.updated_at) == untouched  # nothing like it joined


def test_renaming_a_profile_resolves_the_names_it_now_matches(session, ref, ledger):
    owner = create_user(session, role="supplier")
    printer = create_supplier(session, ref, user=owner, name="PPC Print Ltd", postcode="BB9 7AA")
    assert _row(session, "Pendle Print Co-op").status == "unresolved"
    suppliers.update_supplier(session, user=owner, supplier_id=printer.id, ref=ref,
                              data=SupplierCreate(name="Pendle Print Co-op", postcode="BB9 7AA",
                                                  ownership="worker_coop"))
    assert _row(session, "Pendle Print Co-op").supplier_id == printer.id


def test_importing_the_register_resolves_names_but_a_dry_run_or_a_decision_does_not(
        session, ref, ledger, tmp_path):
    agency = create_user(session, role="agency")
    path = tmp_path / "register.csv"
    path.write_text(REGISTER)
    import_file(session, fmt="suppliers", path=path, ref=ref,
                options=ImportOptions(dry_run=True))
    assert _row(session, "Pendle Print Co-op").status == "unresolved"

    # A reviewer said this name is nobody in the register: that stands.
    tree_surgeons = _row(session, "Rossendale Tree Surgeons")
    tree_surgeons.status = "review"
    session.add(tree_surgeons)
    session.commit()
    spend.decide(session, user=agency, ledger_name_id=tree_surgeons.id, supplier_id=None)
    path.write_text(REGISTER + "Rossendale Tree Surgeons Ltd,BB4 7LZ,sme,Tree surgery.\n")
    import_file(session, fmt="suppliers", path=path, ref=ref, options=ImportOptions(user=agency))

    printer = _row(session, "Pendle Print Co-op")
    assert printer.status == "auto" and printer.supplier_id is not None
    assert _row(session, "Rossendale Tree Surgeons").status == "rejected"
    assert _wider_area(session, ref, ledger) == 50_000
