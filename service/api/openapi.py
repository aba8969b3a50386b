"""The OpenAPI 3.1 document, generated from the same marshmallow schemas the views load."""

from __future__ import annotations

import functools
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, render_template

from service.api import bp
from service.clients import require_scope

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
    from service.schemas import DocumentPayloadSchema, UnitCheckSchema

    spec = APISpec(
        title="skp-sign",
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        servers=[{"url": server_url}],
        info={"description": "Scores, renders and signs SKP documents (PP 46/2011, "
              "PermenPANRB 8/2021, PermenPANRB 6/2022)."},
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", _PROBLEM)
    spec.components.schema("DocumentPayload", schema=DocumentPayloadSchema)
    spec.components.schema("UnitCheck", schema=UnitCheckSchema)
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
                        "content": {"application/json": {"schema": {
                            "type": "object",
                            "properties": {"regime": {"type": "string"}, "type": {"type": "string"},
                                           "hasil": {"type": "object"}},
                        }}},
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
    return spec.to_dict()


@bp.get("/openapi.json")
@require_scope()
def openapi_json() -> dict[str, Any]:
    return build_spec(current_app.config["PUBLIC_URL"])


def docs_page() -> str:
    """Human-readable API reference rendered on the server (no external scripts needed)."""
    spec = build_spec(current_app.config["PUBLIC_URL"])
    return render_template("api_docs.html", spec=spec)
