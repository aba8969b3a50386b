"""PDFs, Word files and signing pages are never cached (Cache-Control: no-store)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from service.workflow.links import token_for
from tests.functional.support import document, ready_document


def test_files_and_signing_pages_say_no_store(app: Flask, client: FlaskClient, auth: dict[str, str]) -> None:
    document_id = ready_document(app)
    with app.app_context():
        token = token_for(document(app, document_id).signers[0], secret=app.config["SECRET_KEY"])
    responses = {
        "api pdf": client.get(f"/api/v1/documents/{document_id}/pdf", headers=auth),
        "sign page": client.get(f"/sign/{token}"),
        "sign pdf": client.get(f"/sign/{token}/dokumen.pdf"),
        "sign page, unknown token": client.get("/sign/1." + "A" * 43),
    }
    for name, response in responses.items():
        assert response.headers.get("Cache-Control") == "no-store", (name, response.status_code)
    assert responses["api pdf"].status_code == 200
    assert responses["sign pdf"].data.startswith(b"%PDF-")
