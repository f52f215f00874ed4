"""The database: one engine per app, one session per request, closed on teardown."""

import os
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Seconds to wait for a PostgreSQL server to answer before saying it cannot be reached (a
# mistyped or firewalled host would otherwise hang for minutes): COOPMATCH_DB_CONNECT_TIMEOUT,
# else 10; a URL's own ?connect_timeout= wins.
CONNECT_TIMEOUT = 10


def server_connect_args(url) -> dict:
    """The driver's connection arguments for a database server at url ({} for SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or "connect_timeout" in parsed.query:
        return {}
    given = os.environ.get("COOPMATCH_DB_CONNECT_TIMEOUT", "").strip()
    return {"connect_timeout": int(given) if given.isdigit() and int(given) > 0
            else CONNECT_TIMEOUT}


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys and a file directory that exists, a server a
    limit on how long to wait for it to answer."""
    parsed = make_url(url)
    kwargs: dict = {"pool_pre_ping": True, "connect_args": server_connect_args(parsed)}
    if parsed.get_backend_name() == "sqlite":
        kwargs = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        else:
            from sqlalchemy.pool import StaticPool

            kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_app(app: Flask) -> None:
    """Attach an engine to the app and close the request's session on teardown."""
    app.extensions["coopmatch.engine"] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(close_session)


def get_engine() -> Engine:
    return current_app.extensions["coopmatch.engine"]


def get_session() -> Session:
    """Return this request's (or CLI command's) session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def _alembic_config(url: str):
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema at url up to a revision with the Alembic migrations."""
    from alembic import command

    command.upgrade(_alembic_config(url), revision)


def schema_behind(url: str) -> str | None:
    """Return why the schema at url is not the migrations' latest ("has no coopmatch tables
    yet", "is at revision X, not the latest Y"), or None when it is."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(_alembic_config(url)).get_heads())
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    if not current:
        return "has no coopmatch tables yet"
    if current != heads:
        return (f"is at revision {', '.join(sorted(current))}, not the latest "
                f"({', '.join(sorted(heads))})")
    return None
