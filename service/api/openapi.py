"""The OpenAPI 3.1 document, generated from the same marshmallow schemas the views load.

It says what the validation does: every per-field rule (types, patterns, ranges, lengths, choices,
unknown fields refused) comes from the schema the view loads, and every status an operation can
answer is listed. Rules that join several fields or need the world (a payload's regime against its
period, a PDF that must be a PDF, a cursor the service issued, a ``callback_url`` that must resolve
to a public address) cannot be said in JSON Schema: those operations carry
``x-rules-beyond-schema``, and their 422 then means such a rule (the problem names the field).
"""

from __future__ import annotations

import functools
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import render_template

from service.api.blueprint import MAX_REQUEST_TARGET, bp
from service.clients import require_scope
from service.composition import get_services
from service.schemas import DocumentPayloadSchema, UnitCheckSchema
from service.schemas.payload import PerRegime
from service.schemas.requests import ArchiveQuerySchema, DelegateSchema, RevisionQuerySchema
from service.scoring.vocabulary import DOCUMENT_TYPES, PENYEDIA, REGIME_IDS, STATUSES
from service.workflow.operations import IDEMPOTENCY_KEY_PATTERN, MAX_IDEMPOTENCY_KEY

__all__ = ["build_spec"]

_PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

#: Why each status is answered, the same for every operation that can answer it.
_WHY: dict[int, str] = {
    400: "The body cannot be read: not UTF-8 (or with a BOM), not JSON, a key given twice, not an object",
    401: "No API key, or one that is unknown or revoked",
    403: "The key lacks the scope, or the document is another client's to change",
    404: "No such document (or not one this key may read), signer or file",
    409: "The document's state does not allow this now, or the Idempotency-Key was used for another body",
    413: "The body is larger than the instance allows (SKP_MAX_CONTENT_LENGTH)",
    414: f"The request target (path and query) is longer than {MAX_REQUEST_TARGET} bytes",
    415: "The body is not of the media type the operation takes (or not UTF-8)",
    422: "A rule is broken; errors names every field and its rule",
}

#: A body the view reads as JSON: what ``service.http.json_body`` and the schema refuse.
_JSON_BODY = (400, 413, 415, 422)

_SIGNER = {
    "type": "object",
    "required": ["urutan", "peran", "nama", "status", "sign_url"],
    "properties": {
        "urutan": {"type": "integer", "minimum": 1},
        "peran": {"type": "string"},
        "nama": {"type": "string"},
        "nip": {"type": ["string", "null"]},
        # cancelled: the signers who had not signed when the document was cancelled.
        "status": {"type": "string", "enum": ["waiting", "pending", "signed", "rejected", "cancelled"]},
        "penyedia": {
            "type": "string",
            "enum": list(PENYEDIA),
            "description": "Who holds the signer's key: the instance CA, their own .p12, BSrE, a CSC service",
        },
        "signed_at": {"type": ["string", "null"], "format": "date-time"},
        "sign_url": {"type": ["string", "null"], "description": "Only to the client that created it"},
    },
}
_DOCUMENT = {
    "type": "object",
    "description": "The document (api.md)",
    "required": ["id", "status", "type", "regime", "hasil", "verification_code", "signers", "links"],
    "properties": {
        "id": {"type": "string"},
        "status": {"type": "string", "enum": list(STATUSES)},
        "type": {"type": "string", "enum": list(DOCUMENT_TYPES)},
        "regime": {"type": "string", "enum": list(REGIME_IDS)},
        "hasil": {"type": "object"},
        "verification_code": {"type": "string"},
        "revision": {"type": ["integer", "null"], "minimum": 0},
        "signers": {"type": "array", "items": {"$ref": "#/components/schemas/Signer"}},
        "created_at": {"type": "string", "format": "date-time"},
        "links": {"type": "object", "additionalProperties": {"type": "string"}},
        "failure_reason": {"type": "string"},
    },
}


def _problem_responses(*statuses: int) -> dict[str, Any]:
    return {
        str(s): {
            "description": _WHY[s],
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for s in sorted(statuses)
    }


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _items(item: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", *extra],
        "properties": {"items": {"type": "array", "items": item}, **extra},
    }


@functools.cache
def build_spec(server_url: str) -> dict[str, Any]:
    """Build the document once per server URL; the schemas do not change while the app runs."""
    spec = APISpec(
        title="skp-sign",
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        servers=[{"url": server_url}],
        info={
            "description": "Scores, renders and signs SKP documents (PP 46/2011, "
            "PermenPANRB 8/2021, PermenPANRB 6/2022)."
        },
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", _PROBLEM)
    spec.components.schema("Signer", _SIGNER)
    spec.components.schema("Document", _DOCUMENT)
    spec.components.schema("DocumentPayload", schema=DocumentPayloadSchema)
    spec.components.schema("UnitCheck", schema=UnitCheckSchema)
    spec.components.schema("Delegate", schema=DelegateSchema)
    _register_per_regime(spec, DocumentPayloadSchema)
    beyond = {
        "x-rules-beyond-schema": "Rules that join fields of the payload (regime and period, what each "
        "type requires, scoring) answer 422 naming the field."
    }
    spec.path(
        path="/api/v1/scores",
        operations={
            "post": {
                "summary": "Score a document payload by the regime in force",
                "security": [{"bearer": []}],
                **beyond,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "DocumentPayload"}},
                },
                "responses": {
                    "200": _json(
                        "The regime and every intermediate value",
                        {
                            "type": "object",
                            "required": ["regime", "type", "hasil"],
                            "properties": {
                                "regime": {"type": "string", "enum": list(REGIME_IDS)},
                                "type": {"type": "string", "enum": list(DOCUMENT_TYPES)},
                                "hasil": {"type": "object"},
                            },
                        },
                    ),
                    **_problem_responses(401, 414, *_JSON_BODY),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/units/check",
        operations={
            "post": {
                "summary": "Check a unit's predikat distribution and rank its pegawai",
                "security": [{"bearer": []}],
                "x-rules-beyond-schema": "The predikat ids and capaian_organisasi depend on the regime.",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "UnitCheck"}},
                },
                "responses": {
                    "200": _json(
                        "distribusi, warnings and peringkat",
                        {
                            "type": "object",
                            "required": ["distribusi", "warnings", "peringkat"],
                            "properties": {
                                "distribusi": {"type": "object"},
                                "warnings": {"type": "array", "items": {"type": "object"}},
                                "peringkat": {"type": "array", "items": {"type": "object"}},
                            },
                        },
                    ),
                    **_problem_responses(401, 414, *_JSON_BODY),
                },
            }
        },
    )
    _document_paths(spec)
    spec.path(
        path="/api/v1/openapi.json",
        operations={
            "get": {
                "summary": "This document",
                "security": [{"bearer": []}],
                "responses": {
                    "200": _json("OpenAPI 3.1", {"type": "object"}),
                    **_problem_responses(401, 414),
                },
            }
        },
    )
    return spec.to_dict()


def _register_per_regime(spec: APISpec, schema: type[Any]) -> None:
    """``skp`` and ``perilaku_kerja`` take their schema from the regime: describe them as ``oneOf``."""
    payload = spec.components.schemas["DocumentPayload"]
    for name, field in schema().fields.items():
        if not isinstance(field, PerRegime):
            continue
        refs = []
        for regime_schema in field.schemas.values():
            component = regime_schema.__name__.removesuffix("Schema")
            if component not in spec.components.schemas:
                spec.components.schema(component, schema=regime_schema)
            refs.append({"$ref": f"#/components/schemas/{component}"})
        prop = payload["properties"][field.data_key or name]
        prop.pop("type", None)
        prop["oneOf"] = refs


def _document_paths(spec: APISpec) -> None:
    doc = _json("The document (api.md)", {"$ref": "#/components/schemas/Document"})
    security: list[dict[str, list[str]]] = [{"bearer": []}]
    id_param = {"name": "document_id", "in": "path", "required": True, "schema": {"type": "string"}}
    urutan = {"name": "urutan", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    # A document route: its key, its scope, and the document (another instansi's is 404 too).
    read = (401, 403, 404, 414)
    spec.path(
        path="/api/v1/documents",
        operations={
            "post": {
                "summary": "Create a document: validate, score, render, convert, seal (asynchronously)",
                "security": security,
                "x-rules-beyond-schema": "Rules that join fields of the payload (regime and period, what "
                "each type requires, scoring) and a callback_url that must resolve to a public address "
                "answer 422 naming the field.",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": True,
                        "description": "The same key and body answer the first response again; the same "
                        "key with another body is 409. Visible ASCII, spaces only inside.",
                        "schema": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": MAX_IDEMPOTENCY_KEY,
                            "pattern": IDEMPOTENCY_KEY_PATTERN,
                        },
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "DocumentPayload"}},
                },
                "responses": {"202": doc, **_problem_responses(401, 403, 409, 414, *_JSON_BODY)},
            },
            "get": {
                "summary": "Archive search within the key's tenancy, newest first, cursor pagination",
                "security": security,
                "x-rules-beyond-schema": "A cursor must be one the service handed out (next_cursor).",
                "parameters": [{"in": "query", "schema": ArchiveQuerySchema}],
                "responses": {
                    "200": _json(
                        "{items, next_cursor}",
                        _items(
                            {"$ref": "#/components/schemas/Document"},
                            next_cursor={"type": ["string", "null"]},
                        ),
                    ),
                    **_problem_responses(401, 403, 414, 422),
                },
            },
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}",
        operations={
            "get": {
                "summary": "Status, hasil, signers and links",
                "security": security,
                "parameters": [id_param],
                "responses": {"200": doc, **_problem_responses(*read)},
            }
        },
    )
    pdf = {"description": "PDF", "content": {"application/pdf": {"schema": {"type": "string"}}}}
    spec.path(
        path="/api/v1/documents/{document_id}/pdf",
        operations={
            "get": {
                "summary": "The newest PDF revision, or ?revision=N (0 = unsigned render)",
                "security": security,
                "parameters": [id_param, {"in": "query", "schema": RevisionQuerySchema}],
                "responses": {"200": pdf, **_problem_responses(*read, 422)},
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/docx",
        operations={
            "get": {
                "summary": "The filled Word form",
                "security": security,
                "parameters": [id_param],
                "responses": {
                    "200": {
                        "description": "DOCX",
                        "content": {
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                                "schema": {"type": "string"}
                            }
                        },
                    },
                    **_problem_responses(*read),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/riwayat.pdf",
        operations={
            "get": {
                "summary": "The sealed history sheet, issued once the document is completed",
                "security": security,
                "parameters": [id_param],
                "responses": {"200": pdf, **_problem_responses(*read)},
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/audit",
        operations={
            "get": {
                "summary": "The hash-chained audit events of the document",
                "security": security,
                "parameters": [id_param],
                "responses": {
                    "200": _json(
                        "{items}",
                        _items(
                            {
                                "type": "object",
                                "required": ["event", "actor", "at", "data", "prev_hash", "hash"],
                                "properties": {
                                    "event": {"type": "string"},
                                    "actor": {"type": "string"},
                                    "at": {"type": "string", "format": "date-time"},
                                    "ip": {"type": ["string", "null"]},
                                    "data": {"type": "object"},
                                    "prev_hash": {"type": ["string", "null"]},
                                    "hash": {"type": "string"},
                                },
                            }
                        ),
                    ),
                    **_problem_responses(*read),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/webhooks",
        operations={
            "get": {
                "summary": "The document's webhook deliveries, oldest first (its creator only)",
                "security": security,
                "parameters": [id_param],
                "responses": {
                    "200": _json(
                        "{items}",
                        _items(
                            {
                                "type": "object",
                                "required": ["id", "event", "url", "attempts", "last_status", "last_error"],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "event": {"type": "string"},
                                    "url": {"type": "string"},
                                    "attempts": {"type": "integer", "minimum": 0},
                                    "delivered_at": {"type": ["string", "null"], "format": "date-time"},
                                    "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
                                    "last_status": {"type": ["integer", "null"]},
                                    "last_error": {
                                        "type": ["string", "null"],
                                        "description": "Why the last attempt failed or was not sent",
                                    },
                                    "created_at": {"type": "string", "format": "date-time"},
                                },
                            }
                        ),
                    ),
                    **_problem_responses(*read),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/cancel",
        operations={
            "post": {
                "summary": "Cancel a document that is not final",
                "security": security,
                "parameters": [id_param],
                "responses": {"200": doc, **_problem_responses(*read, 409)},
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/signers/{urutan}/reissue",
        operations={
            "post": {
                "summary": "A new signing link for the signer whose turn it is; the old one dies",
                "security": security,
                "parameters": [id_param, urutan],
                "responses": {"200": doc, **_problem_responses(*read, 409)},
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/signers/{urutan}/delegate",
        operations={
            "post": {
                "summary": "Plt/Plh: another official signs in this role",
                "security": security,
                "parameters": [id_param, urutan],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "Delegate"}},
                },
                "responses": {"200": doc, **_problem_responses(*read, 409, *_JSON_BODY)},
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/signers/{urutan}/kode",
        operations={
            "post": {
                "summary": "A kode_verifikasi for an official without e-mail, to hand them out of band",
                "description": (
                    "Enrolling an official's first key (or a new one) needs a one-time code. It is "
                    "e-mailed to the identity's `email` when it has one (then this answers 409); "
                    "otherwise the client that created the document is handed it here, once per call "
                    "(a new call makes a new code and the old one dies), and thereby vouches for the "
                    "official (recorded in the audit trail)."
                ),
                "security": security,
                "parameters": [id_param, urutan],
                "responses": {
                    "200": _json(
                        "kode_verifikasi, expires_at",
                        {
                            "type": "object",
                            "required": ["kode_verifikasi", "expires_at"],
                            "properties": {
                                "kode_verifikasi": {"type": "string", "pattern": "^[0-9]{8}$"},
                                "expires_at": {"type": "string", "format": "date-time"},
                            },
                        },
                    ),
                    **_problem_responses(*read, 409),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/verify",
        operations={
            "post": {
                "summary": "Validate every signature of an uploaded PDF",
                "security": security,
                "x-rules-beyond-schema": "The file must be a PDF (it starts with %PDF-).",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            },
                            "encoding": {"file": {"contentType": "application/pdf"}},
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        "signatures, document_timestamps, issued_by_service",
                        {
                            "type": "object",
                            "required": ["signatures", "document_timestamps", "issued_by_service"],
                            "properties": {
                                "signatures": {"type": "array", "items": {"type": "object"}},
                                "document_timestamps": {"type": "array", "items": {"type": "object"}},
                                "issued_by_service": {"type": "boolean"},
                                "document_id": {"type": ["string", "null"]},
                                "revision": {"type": ["integer", "null"]},
                            },
                        },
                    ),
                    **_problem_responses(400, 401, 413, 414, 415, 422),
                },
            }
        },
    )


@bp.get("/openapi.json")
@require_scope()
def openapi_json() -> dict[str, Any]:
    return build_spec(get_services().urls.base)


def docs_page() -> str:
    """Human-readable API reference rendered on the server (no external scripts needed)."""
    spec = build_spec(get_services().urls.base)
    return render_template("api_docs.html", spec=spec)
