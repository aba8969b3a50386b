"""Every timestamp the API answers is ISO 8601 with its offset, on SQLite as on PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from service.composition import get_services
from service.db import get_session
from service.workflow.signing_ops import sign_document
from tests.functional.support import document, kode_for, ready_document

ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _times(value: Any, path: str = "") -> dict[str, str]:
    """Every string under ``value`` that looks like a date-time, by path."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _times(item, f"{path}.{key}").items()}
    if isinstance(value, list):
        return {k: v for index, item in enumerate(value) for k, v in _times(item, f"{path}.{index}").items()}
    return {path: value} if isinstance(value, str) and ISO_LIKE.match(value) else {}


def test_document_audit_and_webhook_times_carry_their_offset(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    # A public address literal: accepted without a DNS lookup, and nothing delivers it here.
    document_id = ready_document(app, changes={"callback_url": "https://203.0.114.10/skp-hook"})
    with app.app_context():
        doc = document(app, document_id)
        sign_document(
            get_session(),
            get_services(),
            doc,
            urutan=1,
            passphrase="frasa-sandi-pegawai",
            actor="test",
            ip=None,
            kode=kode_for(get_session(), get_services(), doc, 1),
        )
    found: dict[str, str] = {}
    for route in ("", "/audit", "/webhooks"):
        response = client.get(f"/api/v1/documents/{document_id}{route}", headers=auth)
        assert response.status_code == 200, response.text
        found.update({f"{route}{k}": v for k, v in _times(response.json).items()})
    expected = {".created_at", ".signers.0.signed_at", "/audit.items.0.at", "/webhooks.items.0.created_at"}
    assert expected <= found.keys()
    assert any(k.endswith(".data.expires_at") for k in found), found.keys()
    for path, text in found.items():
        assert "T" in text, (path, text)
        parsed = datetime.fromisoformat(text)
        assert parsed.utcoffset() is not None, (path, text)
