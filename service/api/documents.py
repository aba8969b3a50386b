"""Document lifecycle routes: create (idempotent), status, files, audit, cancel, search, signers.

Each view loads its input, calls one operation and dumps the result.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, request

from service import audit
from service.api.blueprint import bp
from service.clients import client_caller, require_scope
from service.composition import get_services
from service.db import get_session
from service.http import file_response, json_body
from service.models import Document, as_utc
from service.schemas.requests import DelegateSchema, RevisionQuerySchema
from service.tenancy import Caller
from service.workflow import archive, enrollment, operations, representation

_delegate_schema = DelegateSchema()
_revision_schema = RevisionQuerySchema()


def _caller() -> Caller:
    return client_caller(g.api_client)


def document_dict(document: Document) -> dict[str, Any]:
    """The api.md representation, with the live signing link for the client that created it."""
    services = get_services()
    return representation.document_dict(
        document,
        urls=services.urls,
        secret=services.settings.secret_key,
        links=_caller().owns(document),
        now=services.clock.now(),
    )


def _actor() -> str:
    return _caller().actor


def _document(document_id: str, *, own: bool = False) -> Document:
    """The document if the caller may read it (404), and with ``own`` if it created it (403)."""
    return operations.get_document(get_session(), document_id, _caller(), own=own)


@bp.post("/documents")
@require_scope("documents:write")
def create_document() -> tuple[dict[str, Any], int]:
    """Validate, score and store a payload; rendering and sealing follow in the background."""
    created = operations.create_document(
        get_session(),
        get_services(),
        client=g.api_client,
        idempotency_key=request.headers.get("Idempotency-Key"),
        body=json_body(),
        raw_body=request.get_data(as_text=True),
        ip=request.remote_addr,
    )
    return document_dict(created.document), 202


@bp.get("/documents/<document_id>")
@require_scope("documents:read")
def get_document(document_id: str) -> dict[str, Any]:
    """A document's status, scores, signers and links."""
    return document_dict(_document(document_id))


@bp.get("/documents/<document_id>/pdf")
@require_scope("documents:read")
def get_pdf(document_id: str) -> Response:
    """A PDF revision (the newest unless ``?revision=N``); audited."""
    query = _revision_schema.load(request.args.to_dict())
    stored = operations.download_revision(
        get_session(),
        get_services(),
        _document(document_id),
        query.get("revision"),
        actor=_actor(),
        ip=request.remote_addr,
    )
    return file_response(stored)


@bp.get("/documents/<document_id>/docx")
@require_scope("documents:read")
def get_docx(document_id: str) -> Response:
    """The filled Word form."""
    return file_response(operations.document_file(get_services(), _document(document_id), "docx"))


@bp.get("/documents/<document_id>/riwayat.pdf")
@require_scope("documents:read")
def history_pdf(document_id: str) -> Response:
    """The sealed history sheet, issued once the document is completed."""
    return file_response(operations.document_file(get_services(), _document(document_id), "riwayat"))


@bp.get("/documents/<document_id>/audit")
@require_scope("documents:read")
def get_audit(document_id: str) -> dict[str, Any]:
    """The document's audit events, oldest first."""
    document = _document(document_id)
    return {"items": [audit.event_dict(row) for row in audit.document_events(get_session(), document.id)]}


@bp.get("/documents/<document_id>/webhooks")
@require_scope("documents:read")
def webhook_log(document_id: str) -> dict[str, Any]:
    """The document's webhook deliveries, oldest first: what was sent, when, and how it went."""
    return {"items": operations.webhook_deliveries(get_session(), _document(document_id, own=True))}


@bp.post("/documents/<document_id>/cancel")
@require_scope("documents:write")
def cancel(document_id: str) -> dict[str, Any]:
    """Stop a document that is not final yet."""
    document = _document(document_id, own=True)
    operations.cancel_document(
        get_session(), get_services(), document, actor=_actor(), ip=request.remote_addr
    )
    return document_dict(document)


@bp.get("/documents")
@require_scope("documents:read")
def list_documents() -> dict[str, Any]:
    """Archive search within the caller's tenancy; own documents, or with ``archive:read`` every
    client's.
    """
    page = archive.search_documents(get_session(), request.args.to_dict(), _caller())
    return {"items": [document_dict(d) for d in page.items], "next_cursor": page.next_cursor}


@bp.post("/documents/<document_id>/signers/<int:urutan>/reissue")
@require_scope("documents:write")
def reissue(document_id: str, urutan: int) -> dict[str, Any]:
    """A new link for the signer whose turn it is."""
    document = _document(document_id, own=True)
    operations.reissue_link(
        get_session(), get_services(), document, urutan, actor=_actor(), ip=request.remote_addr
    )
    return document_dict(document)


@bp.post("/documents/<document_id>/signers/<int:urutan>/delegate")
@require_scope("documents:write")
def delegate(document_id: str, urutan: int) -> dict[str, Any]:
    """A Plt/Plh signs in this role instead."""
    document = _document(document_id, own=True)
    body = _delegate_schema.load(json_body())
    operations.delegate_signer(
        get_session(), get_services(), document, urutan, delegate=body, actor=_actor(), ip=request.remote_addr
    )
    return document_dict(document)


@bp.post("/documents/<document_id>/signers/<int:urutan>/kode")
@require_scope("documents:write")
def enrollment_code(document_id: str, urutan: int) -> tuple[dict[str, Any], int, dict[str, str]]:
    """A ``kode_verifikasi`` for an official without e-mail, to hand them out of band; the client
    that created the document vouches for the official by asking (recorded).
    """
    code, expires_at = enrollment.code_for_client(
        get_session(),
        get_services(),
        _document(document_id, own=True),
        urutan,
        _caller(),
        ip=request.remote_addr,
    )
    body = {"kode_verifikasi": code, "expires_at": as_utc(expires_at).isoformat()}
    return body, 200, {"Cache-Control": "no-store"}
