"""Sessions for the web: one session per app context over the engine the factory built."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from service.orm import Base, make_engine, upgrade_schema

__all__ = ["Base", "get_session", "init_app", "make_engine", "upgrade_schema"]


def init_app(app: Flask) -> None:
    """Build the engine and session factory and close the session after each app context."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["skp.db"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["skp.engine"] = engine
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The session of the current app context."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["skp.db"]()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
