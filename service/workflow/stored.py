"""The one way workflow code reads a document's payload: the validated form kept at creation."""

from __future__ import annotations

from typing import Any

from service.jsonio import parse_json
from service.models import Document
from service.schemas import DocumentPayloadSchema
from service.schemas.stored import load_validated

__all__ = ["payload_of"]


def payload_of(document: Document) -> dict[str, Any]:
    """The validated payload (``Decimal``, ``date``, ``regime`` set) without validating again.

    Documents created before the validated form was kept (migration 0003) are validated once more
    from the raw body, which is what they were created from.
    """
    if document.payload_validated is not None:
        return load_validated(document.payload_validated)
    payload: dict[str, Any] = DocumentPayloadSchema().load(parse_json(document.payload_json))
    return payload
