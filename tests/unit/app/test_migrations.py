"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from service.db import upgrade_schema
from service.models import Base


def test_migrations_match_models(app: Flask) -> None:
    engine = app.extensions["skp.engine"]
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent(app: Flask) -> None:
    upgrade_schema(app.extensions["skp.engine"])
    upgrade_schema(app.extensions["skp.engine"])
