"""Shared fixtures: a real app on a real database (SQLite, or PostgreSQL via SKP_TEST_DATABASE_URL)."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from service import create_app
from service.clients import SCOPES, create_client
from service.db import get_session, upgrade_schema

pytest_plugins = ["tests.outside.fixtures"]

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load_example(name: str) -> dict[str, Any]:
    """An example payload as the JSON a client would send (numbers kept as written)."""
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database per test: a SQLite file, or a throw-away PostgreSQL schema."""
    base = os.environ.get("SKP_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


KEY_SECRET = secrets.token_urlsafe(40)


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real instance PKI for the session (RSA key generation is the slow part)."""
    from signing import create_dev_pki

    directory = tmp_path_factory.mktemp("pki") / "pki"
    create_dev_pki(directory, organisation="Pemerintah Provinsi Uji", key_passphrase=KEY_SECRET.encode())
    return directory


class RecordingRunner:
    """A job runner that only records what was submitted; tests run the jobs when they choose."""

    def __init__(self) -> None:
        self.submitted: list[tuple[str, str]] = []

    def submit(self, name: str, document_id: str) -> None:
        self.submitted.append((name, document_id))

    def wait_idle(self, timeout: float) -> bool:  # noqa: ARG002  (the JobRunner signature)
        return True

    def close(self) -> None:
        pass


@pytest.fixture(scope="session")
def converter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One warm LibreOffice pool (two processes) for the whole session."""
    from service.documents.converter import LibreOfficeConverter

    pool = LibreOfficeConverter(processes=2, work_dir=tmp_path_factory.mktemp("libreoffice"))
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def app_config(tmp_path: Path, database_url: str, pki_dir: Path) -> dict[str, Any]:
    instance = tmp_path / "instance"
    return {
        "TESTING": True,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "KEY_ENCRYPTION_SECRET": KEY_SECRET,
        "DATABASE_URL": database_url,
        "FILES_DIR": str(instance / "files"),
        "PKI_DIR": str(pki_dir),
        "INSTANCE_TEMPLATES_DIR": str(instance / "form_templates"),
        "MAIL_DIR": str(instance / "mail"),
        "PUBLIC_URL": "http://localhost:5000",
        "RUNNER": RecordingRunner(),
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    upgrade_schema(app.extensions["skp.engine"])
    yield app
    app.extensions["skp"].close()
    app.extensions["skp.engine"].dispose()


@pytest.fixture
def app_with_converter(app_config: dict[str, Any], converter: Any) -> Iterator[Flask]:
    """An app whose render jobs convert with the session's warm LibreOffice pool."""
    app = create_app({**app_config, "CONVERTER": converter})
    upgrade_schema(app.extensions["skp.engine"])
    yield app
    app.extensions["skp"].runner.close()
    app.extensions["skp"].leases.close()  # not close(): the converter belongs to the session
    app.extensions["skp.engine"].dispose()


@pytest.fixture
def live_app(app_config: dict[str, Any], converter: Any) -> Iterator[Flask]:
    """The app with its real in-process job runner and the session's warm converter."""
    app = create_app({**app_config, "RUNNER": None, "CONVERTER": converter})
    upgrade_schema(app.extensions["skp.engine"])
    yield app
    app.extensions["skp"].runner.close()
    app.extensions["skp.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def api_key(app: Flask) -> str:
    """A key holding every scope."""
    with app.app_context():
        return create_client(get_session(), "test-hr", SCOPES).api_key


@pytest.fixture
def auth(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}
