"""Alembic environment: the target is SQLModel.metadata, the URL comes from the app's config."""

import logging.config
import os

from alembic import context
from sqlmodel import SQLModel

import coopmatch.models  # noqa: F401  (registers every table on SQLModel.metadata)
from config import configs

config = context.config
if config.attributes.get("configure_logger", True) and config.config_file_name:
    logging.config.fileConfig(config.config_file_name)

target_metadata = SQLModel.metadata


def database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    env = os.environ.get("COOPMATCH_ENV", "development")
    return os.environ.get("DATABASE_URL") or configs[env].DATABASE_URL


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    from coopmatch.db import make_engine

    engine = make_engine(database_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
