"""The database without the web: declarative base, engine, schema upgrades (no Flask)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase

__all__ = ["Base", "downgrade_schema", "make_engine", "upgrade_schema"]


class Base(DeclarativeBase):
    """Declarative base of every model."""


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets foreign keys, WAL and a busy timeout for concurrent writers."""
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to ``revision`` (the newest by default; tests of a migration's
    data step stop before it).
    """
    _migrate(engine, revision, command.upgrade)


def downgrade_schema(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (an operator's way back from a release; tested)."""
    _migrate(engine, revision, command.downgrade)


def _migrate(engine: Engine, revision: str, step: Callable[[Config, str], None]) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration copies a table and drops the old one: with foreign keys enforced,
            # dropping a table others refer to fails. Off for the migration (outside a transaction,
            # where SQLite honours it), checked after it if anything ran, and on again.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                before = MigrationContext.configure(connection).get_current_revision()
                cfg.attributes["connection"] = connection
                step(cfg, revision)
                moved = MigrationContext.configure(connection).get_current_revision() != before
                if sqlite and moved:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
