"""Document lifecycle routes: create (idempotent), status, files, audit, cancel."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, g, request
from sqlalchemy import select

from service import audit
from service.api import bp
from service.api.scores import scoring_problem
from service.clients import require_scope
from service.db import get_session
from service.errors import NotFoundError, UnprocessableError
from service.jsonio import json_body
from service.models import AuditEvent, Document, Signer
from service.schemas import DocumentPayloadSchema
from service.scoring import ScoringError, score_payload
from service.services import get_services
from service.workflow import operations
from service.workflow.links import live_token
from service.workflow.revisions import read_revision

_payload_schema = DocumentPayloadSchema()


def sign_url(signer: Signer) -> str | None:
    """The live signing link of the signer whose turn it is; ``None`` for everyone else."""
    config = current_app.config
    token = live_token(signer, secret=config["SECRET_KEY"])
    return f"{config['PUBLIC_URL'].rstrip('/')}/sign/{token}" if token else None


def document_dict(document: Document) -> dict[str, Any]:
    """The api.md representation of a document."""
    base = f"/api/v1/documents/{document.id}"
    body: dict[str, Any] = {
        "id": document.id,
        "status": document.status,
        "type": document.type,
        "regime": document.regime,
        "hasil": json.loads(document.hasil_json),
        "verification_code": document.verification_code,
        "revision": document.current_revision if document.current_revision >= 0 else None,
        "signers": [
            {
                "urutan": s.urutan,
                "peran": s.peran,
                "nama": s.nama,
                "nip": s.nip,
                "status": s.status,
                "signed_at": s.signed_at.isoformat() if s.signed_at else None,
                "sign_url": sign_url(s),
            }
            for s in document.signers
        ],
        "created_at": document.created_at.isoformat(),
        "links": {
            "self": base,
            "pdf": f"{base}/pdf",
            "docx": f"{base}/docx",
            "audit": f"{base}/audit",
            "verify": f"/v/{document.verification_code}",
        },
    }
    if document.failure_reason:
        body["failure_reason"] = document.failure_reason
    return body


@bp.post("/documents")
@require_scope("documents:write")
def create_document() -> tuple[dict[str, Any], int]:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 200:
        raise UnprocessableError(
            errors=[{"field": "Idempotency-Key", "message": "header wajib diisi (1–200 karakter)"}]
        )
    body = json_body()
    payload = _payload_schema.load(body)
    try:
        hasil = score_payload(payload)
    except ScoringError as error:
        raise scoring_problem(error) from None
    created = operations.create_document(
        get_session(),
        get_services().runner,
        client=g.api_client,
        idempotency_key=key,
        body=body,
        payload=payload,
        hasil=hasil,
        ip=request.remote_addr,
    )
    return document_dict(created.document), 202


@bp.get("/documents/<document_id>")
@require_scope("documents:read")
def get_document(document_id: str) -> dict[str, Any]:
    return document_dict(operations.get_document(get_session(), document_id, client=g.api_client))


def _file_response(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/documents/<document_id>/pdf")
@require_scope("documents:read")
def get_pdf(document_id: str) -> Response:
    session = get_session()
    document = operations.get_document(session, document_id, client=g.api_client)
    raw = request.args.get("revision")
    if raw is None:
        number = document.current_revision
    elif raw.isdigit() and len(raw) <= 6:
        number = int(raw)
    else:
        raise UnprocessableError(
            errors=[{"field": "revision", "message": "harus bilangan bulat tidak negatif"}]
        )
    if number < 0 or number > document.current_revision:
        raise NotFoundError("Revisi PDF ini belum ada.")
    data = read_revision(session, get_services().store, document, number)
    audit.record(
        session,
        event="downloaded",
        actor=f"client:{g.api_client.name}",
        document_id=document.id,
        ip=request.remote_addr,
        data={"revision": number, "format": "pdf"},
    )
    session.commit()
    return _file_response(data, "application/pdf", f"{document.id}-rev{number}.pdf")


@bp.get("/documents/<document_id>/docx")
@require_scope("documents:read")
def get_docx(document_id: str) -> Response:
    document = operations.get_document(get_session(), document_id, client=g.api_client)
    store = get_services().store
    if not store.exists(document.id, "form.docx"):
        raise NotFoundError("Berkas Word belum dibuat.")
    return _file_response(
        store.get(document.id, "form.docx"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"{document.id}.docx",
    )


@bp.get("/documents/<document_id>/audit")
@require_scope("documents:read")
def get_audit(document_id: str) -> dict[str, Any]:
    session = get_session()
    document = operations.get_document(session, document_id, client=g.api_client)
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.document_id == document.id).order_by(AuditEvent.id)
    )
    return {"items": [audit.event_dict(row) for row in rows]}


@bp.post("/documents/<document_id>/cancel")
@require_scope("documents:write")
def cancel(document_id: str) -> dict[str, Any]:
    session = get_session()
    document = operations.get_document(session, document_id, client=g.api_client)
    operations.cancel_document(
        session, document, actor=f"client:{g.api_client.name}", ip=request.remote_addr
    )
    current_app.logger.info("document %s cancelled", document.id)
    return document_dict(document)
