"""Document lifecycle routes: create (idempotent), status, files, audit, cancel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, current_app, g, request
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from service import audit
from service.api import bp
from service.api.scores import scoring_problem
from service.clients import require_scope
from service.db import get_session
from service.errors import ForbiddenError, NotFoundError, UnprocessableError
from service.jsonio import json_body
from service.models import Document, WebhookDelivery
from service.schemas import DocumentPayloadSchema
from service.scoring import ScoringError, score_payload
from service.services import get_services
from service.workflow import archive, operations, representation
from service.workflow.archive import ArchiveQuery
from service.workflow.revisions import read_revision

_payload_schema = DocumentPayloadSchema()


def document_dict(document: Document) -> dict[str, Any]:
    return representation.document_dict(
        document, public_url=current_app.config["PUBLIC_URL"], secret=current_app.config["SECRET_KEY"]
    )


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
        raw_body=request.get_data(as_text=True),
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
    return {"items": [audit.event_dict(row) for row in audit.document_events(session, document.id)]}


@bp.post("/documents/<document_id>/cancel")
@require_scope("documents:write")
def cancel(document_id: str) -> dict[str, Any]:
    session = get_session()
    document = operations.get_document(session, document_id, client=g.api_client)
    operations.cancel_document(session, document, actor=f"client:{g.api_client.name}", ip=request.remote_addr)
    current_app.logger.info("document %s cancelled", document.id)
    return document_dict(document)


class ArchiveQuerySchema(Schema):
    """Query string of ``GET /api/v1/documents``; unknown parameters are refused, not ignored."""

    nip = fields.String(validate=validate.Regexp(r"^\d{1,18}$", error="harus berupa angka NIP"))
    nama = fields.String(validate=validate.Length(max=200))
    unit_kerja = fields.String(validate=validate.Length(max=300))
    periode = fields.Integer(validate=validate.Range(min=2000, max=2100))
    type = fields.String(validate=validate.OneOf(["skp", "manual_iku", "evaluasi", "dokumen_penilaian"]))
    status = fields.String(validate=validate.OneOf(operations.STATUSES))
    q = fields.String(validate=validate.Length(max=200))
    cursor = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(validate=validate.Range(min=1, max=100), load_default=20)


_archive_schema = ArchiveQuerySchema()


@bp.get("/documents")
@require_scope()
def list_documents() -> dict[str, Any]:
    """Archive search; a client with ``archive:read`` sees every client's documents."""
    client = g.api_client
    if not {"archive:read", "documents:read"} & client.scope_set:
        raise ForbiddenError("Kunci API ini tidak memiliki cakupan: archive:read.")
    args = _archive_schema.load(request.args.to_dict())
    query = ArchiveQuery(**args)
    page = archive.search(
        get_session(), query, client_id=None if "archive:read" in client.scope_set else client.id
    )
    return {"items": [document_dict(d) for d in page.items], "next_cursor": page.next_cursor}


class DelegateSchema(Schema):
    """A Plt/Plh official who signs in the role instead of the one named in the payload."""

    jenis = fields.String(required=True, validate=validate.OneOf(["plt", "plh"]))
    nama = fields.String(required=True, validate=validate.Length(min=1, max=200))
    nip = fields.String(required=True, validate=validate.Regexp(r"^\d{18}$", error="harus 18 digit"))
    jabatan = fields.String(required=True, validate=validate.Length(min=1, max=300))
    email = fields.Email(validate=validate.Length(max=300))
    keterangan = fields.String(validate=validate.Length(max=500))


_delegate_schema = DelegateSchema()


def _ttl() -> timedelta:
    return timedelta(days=current_app.config["SIGN_LINK_TTL_DAYS"])


@bp.post("/documents/<document_id>/signers/<int:urutan>/reissue")
@require_scope("documents:write")
def reissue(document_id: str, urutan: int) -> dict[str, Any]:
    session = get_session()
    document = operations.get_document(session, document_id, client=g.api_client)
    operations.reissue_link(
        session, document, urutan, ttl=_ttl(), actor=f"client:{g.api_client.name}", ip=request.remote_addr
    )
    return document_dict(document)


@bp.post("/documents/<document_id>/signers/<int:urutan>/delegate")
@require_scope("documents:write")
def delegate(document_id: str, urutan: int) -> dict[str, Any]:
    session = get_session()
    document = operations.get_document(session, document_id, client=g.api_client)
    body = _delegate_schema.load(json_body())
    operations.delegate_signer(
        session,
        document,
        urutan,
        delegate=body,
        ttl=_ttl(),
        actor=f"client:{g.api_client.name}",
        ip=request.remote_addr,
    )
    return document_dict(document)


@bp.get("/documents/<document_id>/webhooks")
@require_scope("documents:read")
def webhook_log(document_id: str) -> dict[str, Any]:
    """The document's webhook deliveries, oldest first: what was sent, when, and how it went."""
    session = get_session()
    document = operations.get_document(session, document_id, client=g.api_client)
    rows = session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.document_id == document.id).order_by(WebhookDelivery.id)
    )
    return {
        "items": [
            {
                "id": row.id,
                "event": row.event,
                "url": row.url,
                "attempts": row.attempts,
                "delivered_at": row.delivered_at.isoformat() if row.delivered_at else None,
                "next_attempt_at": None if row.delivered_at else row.next_attempt_at.isoformat(),
                "last_status": row.last_status,
                "last_error": row.last_error,
                "created_at": row.created_at.isoformat(),
            }
            for row in rows
        ]
    }


@bp.get("/documents/<document_id>/riwayat.pdf")
@require_scope("documents:read")
def history_pdf(document_id: str) -> Response:
    """The sealed history sheet, issued once the document is completed."""
    from service.workflow.history import HISTORY_FILE

    document = operations.get_document(get_session(), document_id, client=g.api_client)
    store = get_services().store
    if not store.exists(document.id, HISTORY_FILE):
        raise NotFoundError("Lembar riwayat belum diterbitkan (dokumen belum selesai).")
    return _file_response(
        store.get(document.id, HISTORY_FILE), "application/pdf", f"{document.id}-riwayat.pdf"
    )
