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



def test_names_beginning_ta_are_normalised_again(tmp_path):
    """Migration 0006 recomputes the names that had normalised to "" ("TA Browne ...")."""
    from sqlmodel import Session, select

    from coopmatch.db import upgrade
    from coopmatch.models import LedgerName, Supplier

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0005")
    engine = create_engine(url)
    with Session(engine) as session:  # as the imports stored them before
        session.add(Supplier(name="TA Browne Contract Services Ltd", normalised_name=""))
        session.add(Supplier(name="Preston Cleaning Co-operative",
                             normalised_name="preston cleaning cooperative"))
        session.add(LedgerName(key="", name="T/A Plumbing Ltd"))
        session.commit()
    upgrade(url)
    with Session(engine) as session:
        names = {s.name: s.normalised_name for s in session.exec(select(Supplier))}
        keys = [row.key for row in session.exec(select(LedgerName))]
    engine.dispose()
    assert names == {"TA Browne Contract Services Ltd": "ta browne contract services",
                     "Preston Cleaning Co-operative": "preston cleaning cooperative"}
    assert keys == ["t a plumbing"]
