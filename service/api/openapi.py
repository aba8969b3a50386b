"""The OpenAPI 3.1 document, generated from the same marshmallow schemas the views load."""

from __future__ import annotations

import functools
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import render_template

from service.api.blueprint import bp
from service.clients import require_scope
from service.composition import get_services
from service.schemas import DocumentPayloadSchema, UnitCheckSchema
from service.schemas.payload import PerRegime

__all__ = ["build_spec"]

_PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def _problem_responses(*statuses: int) -> dict[str, Any]:
    return {
        str(s): {
            "description": "Problem details",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for s in statuses
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
    spec.components.schema("DocumentPayload", schema=DocumentPayloadSchema)
    spec.components.schema("UnitCheck", schema=UnitCheckSchema)
    _register_per_regime(spec, DocumentPayloadSchema)
    common = _problem_responses(400, 401, 403, 413, 415, 422)
    spec.path(
        path="/api/v1/scores",
        operations={
            "post": {
                "summary": "Score a document payload by the regime in force",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "DocumentPayload"}},
                },
                "responses": {
                    "200": {
                        "description": "The regime and every intermediate value",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "regime": {"type": "string"},
                                        "type": {"type": "string"},
                                        "hasil": {"type": "object"},
                                    },
                                }
                            }
                        },
                    },
                    **common,
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
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "UnitCheck"}},
                },
                "responses": {
                    "200": {"description": "distribusi, warnings and peringkat"},
                    **common,
                },
            }
        },
    )
    _document_paths(spec)
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
    problems = _problem_responses(401, 403, 404, 409, 422)
    doc = {
        "description": "The document (api.md)",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
    pdf = {"description": "PDF", "content": {"application/pdf": {}}}
    security: list[dict[str, list[str]]] = [{"bearer": []}]
    id_param = {"name": "document_id", "in": "path", "required": True, "schema": {"type": "string"}}
    urutan = {"name": "urutan", "in": "path", "required": True, "schema": {"type": "integer"}}
    spec.path(
        path="/api/v1/documents",
        operations={
            "post": {
                "summary": "Create a document: validate, score, render, convert, seal (asynchronously)",
                "security": security,
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "maxLength": 200},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "DocumentPayload"}},
                },
                "responses": {"202": doc, **problems},
            },
            "get": {
                "summary": "Archive search, newest first, cursor pagination",
                "security": security,
                "parameters": [
                    {"name": n, "in": "query", "schema": {"type": t}}
                    for n, t in (
                        ("nip", "string"),
                        ("nama", "string"),
                        ("unit_kerja", "string"),
                        ("periode", "integer"),
                        ("type", "string"),
                        ("status", "string"),
                        ("q", "string"),
                        ("cursor", "string"),
                        ("limit", "integer"),
                    )
                ],
                "responses": {"200": {"description": "{items, next_cursor}"}, **problems},
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
                "responses": {"200": doc, **problems},
            }
        },
    )
    spec.path(
        path="/api/v1/documents/{document_id}/pdf",
        operations={
            "get": {
                "summary": "The newest PDF revision, or ?revision=N (0 = unsigned render)",
                "security": security,
                "parameters": [id_param, {"name": "revision", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"200": pdf, **problems},
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
                "responses": {"200": {"description": "DOCX"}, **problems},
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
                "responses": {"200": {"description": "{items}"}, **problems},
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
                "responses": {"200": doc, **problems},
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
                "responses": {"200": doc, **problems},
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
                    "content": {
                        "application/json": {
                            "schema": {"type": "object", "required": ["jenis", "nama", "nip", "jabatan"]}
                        }
                    },
                },
                "responses": {"200": doc, **problems},
            }
        },
    )
    spec.path(
        path="/api/v1/verify",
        operations={
            "post": {
                "summary": "Validate every signature of an uploaded PDF",
                "security": security,
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": {"description": "signatures, document_timestamps, issued_by_service"},
                    **_problem_responses(401, 413, 415, 422),
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
