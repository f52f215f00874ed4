"""The migrations build exactly the schema the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import coopmatch.models  # noqa: F401


@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_models_and_migrations_agree(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []




def test_searches_by_words_can_read_the_trigram_indexes_on_postgresql(session, ref):
    """Migration 0015: on PostgreSQL, searching tenders by words is answered from the trigram
    indexes (the planner told not to read whole tables, as it would for a table this small);
    SQLite has no such index."""
    from sqlalchemy import event, text

    from coopmatch.services import tenders
    from tests.factories import create_organisation, create_tender, create_user

    engine = session.get_bind()
    names = [row[0] for row in session.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'index'" if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes"))]
    trigram = {"ix_tender_title_trgm", "ix_tender_description_trgm"}
    if engine.dialect.name == "sqlite":
        assert trigram.isdisjoint(names)
        return
    assert trigram <= set(names)
    officer = create_user(session, role="procurement",
                          organisation=create_organisation(session, ref))
    create_tender(session, ref, officer, title="School meals for Preston",
                  description="Hot meals for six schools.")
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "LIKE" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        found = tenders.search_tenders(session=session, ref=ref, text="meals preston")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert found.total == 1
    with engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        plans = ["\n".join(row[0] for row in connection.exec_driver_sql(
            "EXPLAIN " + statement, parameters)) for statement, parameters in statements]
    assert len(plans) == 2  # the page counted, then read
    assert all(name in plan for name in trigram for plan in plans), plans


def _old_organisation(session, name: str) -> int:
    """Add an organisation as the schema before 0008 holds it (the model now has a column
    more), and return its id."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    table = sa.table("organisation", sa.column("id"), sa.column("name"), sa.column("kind"),
                     sa.column("normalised_name"), sa.column("created_at"))
    return session.execute(sa.insert(table).values(
        name=name, kind="council", normalised_name=name.lower(),
        created_at=datetime.now(UTC)).returning(table.c.id)).scalar_one()


def _old_ledger_name(session, **values) -> int:
    """Add a ledger name as the schema before 0016 holds it (the model now has columns more),
    and return its id."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    values = {"status": "unresolved", "confidence": 0.0, "candidates": "[]",
              "updated_at": datetime.now(UTC), **values}
    table = sa.table("ledger_name", sa.column("id"), *(sa.column(name) for name in values))
    return session.execute(sa.insert(table).values(**values).returning(table.c.id)).scalar_one()


def _old_tender(session, title: str, buyer_id: int) -> int:
    """Add a tender as the schema before 0010 holds it (the model now has a column more), and
    return its id."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    now = datetime.now(UTC)
    table = sa.table("tender", *(sa.column(name) for name in (
        "id", "title", "description", "cpv_codes", "currency", "status", "recurrence",
        "social_value", "buyer_id", "source", "created_at", "updated_at")))
    return session.execute(sa.insert(table).values(
        title=title, description="", cpv_codes="", currency="GBP", status="open",
        recurrence="one_off", social_value="", buyer_id=buyer_id, source="coopmatch",
        created_at=now, updated_at=now).returning(table.c.id)).scalar_one()


def test_migration_0006_fixes_names_and_removes_winners_that_name_no_supplier(
        empty_database_url):
    """Rows as imports stored them before 0006: names beginning "TA" normalised to "", and
    award notices' placeholders ("NOT AWARDED TO SUPPLIER") made suppliers."""
    from sqlmodel import Session, select

    from coopmatch.db import upgrade
    from coopmatch.models import Award, LedgerName, Supplier

    url = empty_database_url
    upgrade(url, "0005")
    engine = create_engine(url)
    with Session(engine) as session:
        council_id = _old_organisation(session, "Hyndburn Borough Council")
        tender_id = _old_tender(session, "Footpath works", council_id)
        placeholder = Supplier(name="NOT AWARDED TO SUPPLIER", normalised_name="not awarded "
                               "to supplier", source="award")
        in_a_ledger = Supplier(name="Not Applicable", normalised_name="not applicable",
                               source="award")  # a ledger name points at it: left alone
        firm = Supplier(name="TA Browne Contract Services Ltd", normalised_name="",
                        source="award")
        session.add_all([placeholder, in_a_ledger, firm,
                         Supplier(name="Preston Cleaning Co-operative",
                                  normalised_name="preston cleaning cooperative")])
        session.flush()
        session.add_all([Award(tender_id=tender_id, supplier_id=placeholder.id),
                         Award(tender_id=tender_id, supplier_id=firm.id)])
        _old_ledger_name(session, key="", name="T/A Plumbing Ltd")
        _old_ledger_name(session, key="not applicable", name="Not Applicable",
                         supplier_id=in_a_ledger.id)
        session.commit()
        firm_id = firm.id
    upgrade(url, "0006")
    with Session(engine) as session:
        names = {s.name: s.normalised_name for s in session.exec(select(Supplier))}
        keys = sorted(session.exec(select(LedgerName.key)).all())
        awarded = [a.supplier_id for a in session.exec(select(Award))]
    engine.dispose()
    assert names == {"TA Browne Contract Services Ltd": "ta browne contract services",
                     "Not Applicable": "not applicable",
                     "Preston Cleaning Co-operative": "preston cleaning cooperative"}
    assert keys == ["not applicable", "plumbing"]  # as names read "T/A Plumbing Ltd" now
    assert awarded == [firm_id]


def test_migration_0007_drops_notes_from_names_and_merges_ledger_names(empty_database_url):
    """Rows as stored before 0007, when a note after a company's legal form ("- Car Park",
    "(Bolt)", "Self Billing") was read as part of its name: each site was a payee of its own."""
    from datetime import UTC, date, datetime

    from sqlmodel import Session, select

    from coopmatch.db import upgrade
    from coopmatch.models import LedgerName, Payment, Supplier, User

    url = empty_database_url
    upgrade(url, "0006")
    engine = create_engine(url)
    with Session(engine) as session:
        council_id = _old_organisation(session, "Hyndburn Borough Council")
        reviewer = User(email="officer@example.org", password_hash="x", role="agency")
        water = Supplier(name="Water Plus Ltd", normalised_name="water plus")
        ford = Supplier(name="Ford Motor Co. Ltd Self Billing",
                        normalised_name="ford motor self billing", source="award")
        session.add_all([reviewer, water, ford])
        session.flush()
        decided = datetime(2026, 11, 2, tzinfo=UTC)
        ids = [_old_ledger_name(session, **row) for row in (
            dict(key="water plus 6000325944 car park union rd",
                 name="Water Plus Ltd - 6000325944 - Car Park, Union Rd",
                 status="auto", supplier_id=water.id, confidence=0.9),
            dict(key="water plus 6000354158 holgate st car park",
                 name="Water Plus Ltd - 6000354158 - Holgate St Car Park",
                 status="confirmed", supplier_id=water.id, decided_by_id=reviewer.id,
                 decided_at=decided),
            dict(key="water plus", name="WATER PLUS LTD", status="unresolved"),
            dict(key="pct healthcare bolt", name="Pct Healthcare Ltd (Bolt)", status="review"),
            dict(key="tesco", name="Tesco PLC", status="unresolved"),
        )]
        for number, row_id in enumerate(ids):
            session.add(Payment(anchor_id=council_id, ledger_name_id=row_id,
                                payment_date=date(2024, 4, 1), amount_pence=100 * (number + 1),
                                row_key=f"row-{number}"))
        session.commit()
        confirmed_id, pct_id, reviewer_id = ids[1], ids[3], reviewer.id
    upgrade(url)
    with Session(engine) as session:
        names = {s.name: s.normalised_name for s in session.exec(select(Supplier))}
        ledger = {row.key: row for row in session.exec(select(LedgerName))}
        paid = {}
        for payment in session.exec(select(Payment)):
            paid[payment.ledger_name_id] = paid.get(payment.ledger_name_id, 0) \
                + payment.amount_pence
    engine.dispose()
    assert names == {"Water Plus Ltd": "water plus",
                     "Ford Motor Co. Ltd Self Billing": "ford motor"}
    assert sorted(ledger) == ["pct healthcare", "tesco", "water plus"]
    kept = ledger["water plus"]
    # The reviewer's decision is what stands for the three sites, with all their payments.
    assert (kept.id, kept.status, kept.decided_by_id) == (confirmed_id, "confirmed", reviewer_id)
    assert paid[kept.id] == 100 + 200 + 300
    assert (ledger["pct healthcare"].id, paid[pct_id]) == (pct_id, 400)
    assert sum(paid.values()) == 1500


def test_migration_0010_leaves_how_a_tender_is_let_to_its_words(empty_database_url):
    """Tenders stored before 0010 have no stated arrangement: "" (not stated), so matching
    reads the title and description as before, and downgrading drops the column."""
    import sqlalchemy as sa
    from alembic import command
    from sqlmodel import Session, select

    from coopmatch.db import _alembic_config, upgrade
    from coopmatch.models import Tender

    url = empty_database_url
    upgrade(url, "0009")
    engine = create_engine(url)
    with Session(engine) as session:
        council_id = _old_organisation(session, "Lancashire County Council")
        _old_tender(session, "Passenger transport dynamic purchasing system", council_id)
        session.commit()
    upgrade(url)
    with Session(engine) as session:
        tender = session.exec(select(Tender)).one()
        assert tender.arrangement == ""
        tender.arrangement = "dps"
        session.commit()
    command.downgrade(_alembic_config(url), "0009")
    columns = {c["name"] for c in sa.inspect(engine).get_columns("tender")}
    engine.dispose()
    assert "arrangement" not in columns and "title" in columns
