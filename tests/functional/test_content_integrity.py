"""The render job checks that the PDF holds every text of the Word form before it seals (issue 11).

Real pipeline: docxtpl, the warm LibreOffice pool, pyHanko. A conversion that lost text is tried
once more with rows allowed to split; a document still incomplete ends ``failed`` naming the text,
audited, with its webhook queued, and is never sealed.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from service import audit
from service.clients import SCOPES, create_client
from service.composition import get_services
from service.db import get_session
from service.documents.converter import LibreOfficeConverter
from service.documents.integrity import content_missing, pdf_text
from service.documents.render import template_name
from service.models import AuditEvent, Revision, WebhookDelivery
from service.schemas import DocumentPayloadSchema
from service.workflow.pipeline import DOCX_FILE, render_job
from service.workflow.revisions import read_revision
from tests.conftest import load_example
from tests.functional.support import document
from tests.unit.documents.integrity_cases import CLIPPED, ROW, clipped_docx, lost_row, released_forms

pytestmark = pytest.mark.slow  # the render job runs on the warm LibreOffice pool


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # The failed document's webhook goes to a loopback receiver, as an agency allows its HR system.
    return {**app_config, "WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8"}


def rendered(app: Flask, body: dict[str, Any], key: str) -> str:
    """Create the document over the API, then run its render job here."""
    with app.app_context():
        api_key = create_client(get_session(), f"simpeg-{key}", SCOPES).api_key
    response = app.test_client().post(
        "/api/v1/documents",
        json=body,
        headers={"Authorization": f"Bearer {api_key}", "Idempotency-Key": key},
    )
    assert response.status_code == 202, response.text
    document_id: str = response.json["id"]  # type: ignore[index]
    with app.app_context():
        render_job(get_session(), get_services(), document_id)
    return document_id


def state(app: Flask, document_id: str) -> tuple[str, str | None, int]:
    """The document's status, failure reason and current revision."""
    with app.app_context():
        doc = document(app, document_id)
        return doc.status, doc.failure_reason, doc.current_revision


def form_and_pdf(app: Flask, document_id: str) -> tuple[bytes, bytes]:
    """The stored Word form and revision 0 (the unsigned PDF)."""
    with app.app_context():
        services = get_services()
        doc = document(app, document_id)
        return services.store.get(document_id, DOCX_FILE), read_revision(
            get_session(), services.store, doc, 0
        )


def test_the_triwulan_ii_example_is_sealed_complete(app_with_converter: Flask) -> None:
    document_id = rendered(app_with_converter, load_example("permenpanrb_6_2022_evaluasi"), "tw2")
    status, reason, revision = state(app_with_converter, document_id)
    assert status == "awaiting_signature", reason
    assert revision == 1
    docx, pdf = form_and_pdf(app_with_converter, document_id)
    assert ROW in pdf_text(pdf)
    assert content_missing(docx, pdf) == []
    assert "layout_fallback" not in _rendered_event(app_with_converter, document_id)


def test_a_row_lost_on_a_page_break_is_kept_by_the_fallback(
    app_with_converter: Flask, app_config: dict[str, Any], converter: LibreOfficeConverter
) -> None:
    instance = released_forms(Path(app_config["INSTANCE_TEMPLATES_DIR"]))
    found = lost_row(converter, instance)
    assert found is not None, "the row never fell on a page break"
    document_id = rendered(app_with_converter, found.data, "lost-row")
    status, reason, _ = state(app_with_converter, document_id)
    assert status == "awaiting_signature", reason
    docx, pdf = form_and_pdf(app_with_converter, document_id)
    assert ROW in pdf_text(pdf)
    assert content_missing(docx, pdf) == []
    # The stored form is the one converted: its rows may split.
    assert b"cantSplit" not in zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")
    # And the audit trail says the layout fell back, and what the first conversion lost.
    fallback = _rendered_event(app_with_converter, document_id)["layout_fallback"]
    assert fallback["rows_split"] is True
    assert any("RATING HASIL KERJA" in text.upper() for text in fallback["lost"]), fallback


def _rendered_event(app: Flask, document_id: str) -> dict[str, Any]:
    with app.app_context():
        [event] = [e for e in audit.document_events(get_session(), document_id) if e.event == "rendered"]
        data: dict[str, Any] = json.loads(event.data_json)
        return data


def test_text_still_missing_after_the_fallback_fails_the_document_naming_it(
    app_with_converter: Flask, app_config: dict[str, Any]
) -> None:
    body = {
        **load_example("permenpanrb_8_2021_dokumen_penilaian"),
        "callback_url": "https://127.0.0.1:9/hook",
    }
    # The agency's own form, whose row height is fixed too small for its text.
    form = Path(app_config["INSTANCE_TEMPLATES_DIR"]) / template_name(DocumentPayloadSchema().load(body))
    form.parent.mkdir(parents=True, exist_ok=True)
    form.write_bytes(clipped_docx())
    document_id = rendered(app_with_converter, body, "clipped")

    status, reason, revision = state(app_with_converter, document_id)
    assert status == "failed"
    assert revision == -1  # nothing rendered, nothing sealed
    assert reason is not None
    for text in CLIPPED:
        assert f"«{text}»" in reason
    assert "Rekomendasi pertama" not in reason
    with app_with_converter.app_context():
        session = get_session()
        assert session.scalars(select(Revision).filter_by(document_id=document_id)).all() == []
        events = session.scalars(select(AuditEvent).filter_by(document_id=document_id)).all()
        failed = [e for e in events if e.event == "failed"]
        assert len(failed) == 1
        assert CLIPPED[0] in json.loads(failed[0].data_json)["reason"]
        assert "rendered" not in [e.event for e in events]
        hooks = session.scalars(select(WebhookDelivery).filter_by(document_id=document_id)).all()
        assert [h.event for h in hooks] == ["document.failed"]
        assert json.loads(hooks[0].body)["document"]["status"] == "failed"


@pytest.mark.parametrize("rows", [300, 1000])
def test_long_documents_render_with_the_check(app_with_converter: Flask, rows: int) -> None:
    body = load_example("pp46_2011_skp")
    first = body["skp"]["kegiatan"][0]
    body["skp"]["kegiatan"] = [
        {**first, "uraian": f"{first['uraian']} (berkas {i + 1})"} for i in range(rows)
    ]
    document_id = rendered(app_with_converter, body, f"rows-{rows}")
    status, reason, _ = state(app_with_converter, document_id)
    assert status == "awaiting_signature", reason
    docx, pdf = form_and_pdf(app_with_converter, document_id)
    text = pdf_text(pdf)
    assert f"(berkas {rows})" in text
    assert content_missing(docx, pdf) == []
