"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from service import create_app
from service.clients import authenticate, create_client, rotate_key
from service.db import get_session, upgrade_schema
from service.models import Base, modelled
from service.orm import downgrade_schema


def test_migrations_match_models(app: Flask) -> None:
    engine = app.extensions["skp.engine"]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": modelled})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent(app: Flask) -> None:
    upgrade_schema(app.extensions["skp.engine"])
    upgrade_schema(app.extensions["skp.engine"])


def test_tenancy_migration_gives_old_documents_their_instansi_and_old_accounts_every_one(
    app_config: dict[str, Any],
) -> None:
    """Documents made before tenancy belong to the instansi of their payload; accounts made before
    it served every instansi and keep doing so (narrowing them is the operator's decision).
    """
    app = create_app(app_config)
    engine = app.extensions["skp.engine"]
    try:
        upgrade_schema(engine, "0003")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO api_clients (id, name, key_prefix, key_hash, scopes, webhook_secret) "
                    "VALUES (1, 'lama', 'abc', 'x', 'documents:read', 's')"
                )
            )
            for doc_id, payload in (
                ("doc_a", '{"instansi": "  Pemerintah  Kota SURABAYA "}'),
                ("doc_b", "[]"),
            ):
                conn.execute(
                    text(
                        "INSERT INTO documents (id, client_id, idempotency_key, request_hash, type, regime, "
                        "status, payload_json, hasil_json, verification_code, pegawai_nip, pegawai_nama, "
                        "unit_kerja, periode_tahun, current_revision, created_at, updated_at) VALUES "
                        "(:id, 1, :id, 'h', 'skp', 'pp46_2011', 'completed', :p, '{}', :id, '1', 'n', 'u', "
                        "2024, -1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {"id": doc_id, "p": payload},
                )
        upgrade_schema(engine)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, instansi, instansi_key FROM documents ORDER BY id")).all()
            clients = conn.execute(text("SELECT all_instansi FROM api_clients")).scalars().all()
        assert [tuple(r) for r in rows] == [
            ("doc_a", "  Pemerintah  Kota SURABAYA ", "pemerintah kota surabaya"),
            ("doc_b", "", ""),  # unreadable payload: in no instansi, visible to operators only
        ]
        assert clients == [True]
    finally:
        app.extensions["skp"].close()
        engine.dispose()


def test_0013_goes_back_and_forth_keeping_each_clients_key(app_config: dict[str, Any]) -> None:
    """Downgraded, each client keeps its newest key (and its key columns their rules); upgraded
    again, that key is the client's first ``api_keys`` row, and it still authenticates.
    """
    app = create_app(app_config)
    engine = app.extensions["skp.engine"]
    try:
        upgrade_schema(engine)
        with app.app_context():
            first = create_client(get_session(), "bkd", ["documents:read"])
            rotated = rotate_key(get_session(), "bkd", grace=timedelta(hours=1))
        downgrade_schema(engine, "0012")
        with engine.connect() as conn:
            row = conn.execute(text("SELECT key_prefix, key_hash FROM api_clients WHERE name = 'bkd'")).one()
        assert row.key_prefix == rotated.api_key.split("_")[1]
        with engine.begin() as conn, pytest.raises(IntegrityError):
            conn.execute(
                text(
                    "INSERT INTO api_clients (name, key_prefix, key_hash, scopes, webhook_secret) "
                    "VALUES ('dup', :p, 'x', 'documents:read', 's')"
                ),
                {"p": row.key_prefix},
            )
        upgrade_schema(engine)
        with app.app_context():
            assert authenticate(get_session(), rotated.api_key) is not None
            assert authenticate(get_session(), first.api_key) is None  # died with the downgrade
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": modelled})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        app.extensions["skp"].close()
        engine.dispose()


def test_0014_goes_back_and_forth_and_grants_konseling_to_nobody(app_config: dict[str, Any]) -> None:
    """Accounts that existed before 0014 may not open konseling records; back at 0013 the column is
    gone, and upgrading again gives the models' schema.
    """
    app = create_app(app_config)
    engine = app.extensions["skp.engine"]
    try:
        upgrade_schema(engine, "0013")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (username, password_hash, role, failed_logins, instansi_json, "
                    "all_instansi, created_at) "
                    "VALUES ('lama', 'x', 'arsiparis', 0, '[]', false, CURRENT_TIMESTAMP)"
                )
            )
        upgrade_schema(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT konseling FROM users WHERE username = 'lama'")).scalar() in (
                0,
                False,
            )
        downgrade_schema(engine, "0013")
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("users")}
        assert "konseling" not in columns
        assert "username" in columns
        upgrade_schema(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": modelled})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        app.extensions["skp"].close()
        engine.dispose()
