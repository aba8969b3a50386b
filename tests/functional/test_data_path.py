"""One-way data path: the validated payload is kept at creation and jobs read only that."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import update

from service.clients import SCOPES, create_client
from service.composition import get_services
from service.db import get_session
from service.models import Document
from service.schemas import DocumentPayloadSchema
from service.schemas.stored import load_validated
from service.workflow.pipeline import render_job
from service.workflow.stored import payload_of
from tests.conftest import load_example
from tests.functional.support import document

pytestmark = pytest.mark.slow


def _create(app: Flask, example: str) -> str:
    with app.app_context():
        key = create_client(get_session(), "simpeg", SCOPES).api_key
    response = app.test_client().post(
        "/api/v1/documents",
        json=load_example(example),
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": example},
    )
    assert response.status_code == 202, response.text
    document_id: str = response.json["id"]  # type: ignore[index]
    return document_id


def test_the_render_job_never_reads_the_raw_body_again(app_with_converter: Flask) -> None:
    app = app_with_converter
    document_id = _create(app, "permenpanrb_8_2021_dokumen_penilaian")
    with app.app_context():
        session = get_session()
        doc = document(app, document_id)
        assert doc.payload_validated is not None
        assert load_validated(doc.payload_validated) == DocumentPayloadSchema().load(
            load_example("permenpanrb_8_2021_dokumen_penilaian")
        )
        # Were the job to parse or validate the raw body again, this would fail it.
        session.execute(update(Document).where(Document.id == document_id).values(payload_json="{bukan json"))
        session.commit()
        render_job(session, get_services(), document_id)
        doc = document(app, document_id)
        assert doc.status == "awaiting_signature", doc.failure_reason
        assert doc.current_revision == 1


def test_documents_from_before_the_validated_copy_are_validated_once_more(app: Flask) -> None:
    document_id = _create(app, "pp46_2011_evaluasi")
    with app.app_context():
        session = get_session()
        session.execute(update(Document).where(Document.id == document_id).values(payload_validated=None))
        session.commit()
        doc = document(app, document_id)
        assert payload_of(doc) == DocumentPayloadSchema().load(load_example("pp46_2011_evaluasi"))
