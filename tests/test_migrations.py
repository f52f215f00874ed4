"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import coopmatch.models  # noqa: F401


def test_models_and_migrations_agree(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []




def test_migration_0006_fixes_names_and_removes_winners_that_name_no_supplier(
        empty_database_url):
    """Rows as imports stored them before 0006: names beginning "TA" normalised to "", and
    award notices' placeholders ("NOT AWARDED TO SUPPLIER") made suppliers."""
    from sqlmodel import Session, select

    from coopmatch.db import upgrade
    from coopmatch.models import Award, LedgerName, Organisation, Supplier, Tender

    url = empty_database_url
    upgrade(url, "0005")
    engine = create_engine(url)
    with Session(engine) as session:
        council = Organisation(name="Hyndburn Borough Council")
        session.add(council)
        session.flush()
        tender = Tender(title="Footpath works", buyer_id=council.id)
        placeholder = Supplier(name="NOT AWARDED TO SUPPLIER", normalised_name="not awarded "
                               "to supplier", source="award")
        in_a_ledger = Supplier(name="Not Applicable", normalised_name="not applicable",
                               source="award")  # a ledger name points at it: left alone
        firm = Supplier(name="TA Browne Contract Services Ltd", normalised_name="",
                        source="award")
        session.add_all([tender, placeholder, in_a_ledger, firm,
                         Supplier(name="Preston Cleaning Co-operative",
                                  normalised_name="preston cleaning cooperative")])
        session.flush()
        session.add_all([Award(tender_id=tender.id, supplier_id=placeholder.id),
                         Award(tender_id=tender.id, supplier_id=firm.id),
                         LedgerName(key="", name="T/A Plumbing Ltd"),
                         LedgerName(key="not applicable", name="Not Applicable",
                                    supplier_id=in_a_ledger.id)])
        session.commit()
        firm_id = firm.id
    upgrade(url)
    with Session(engine) as session:
        names = {s.name: s.normalised_name for s in session.exec(select(Supplier))}
        keys = sorted(row.key for row in session.exec(select(LedgerName)))
        awarded = [a.supplier_id for a in session.exec(select(Award))]
    engine.dispose()
    assert names == {"TA Browne Contract Services Ltd": "ta browne contract services",
                     "Not Applicable": "not applicable",
                     "Preston Cleaning Co-operative": "preston cleaning cooperative"}
    assert keys == ["not applicable", "t a plumbing"]
    assert awarded == [firm_id]
