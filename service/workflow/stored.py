"""The one way workflow code reads a document's payload: the validated form kept at creation."""

from __future__ import annotations

from typing import Any

from service.jsonio import parse_json
from service.models import Document, Signer
from service.schemas import load_payload
from service.schemas.stored import load_validated

__all__ = ["nomor_label", "payload_of"]


def payload_of(document: Document) -> dict[str, Any]:
    """The validated payload (``Decimal``, ``date``, ``regime`` set) without validating again.

    Documents created before the validated form was kept (migration 0003) are validated once more
    from the raw body, which is what they were created from.
    """
    if document.payload_validated is not None:
        return load_validated(document.payload_validated)
    return load_payload(parse_json(document.payload_json))


def nomor_label(document: Document, signer: Signer) -> str:
    """What the signer's number is, as printed beside it: ``NIK`` for an official the payload gives
    no NIP (a pejabat negara, identified by NIK), else ``NIP`` (a Plt/Plh delegate always has one).
    """
    if signer.delegate_json:
        return "NIP"
    identity = payload_of(document).get(signer.peran) or {}
    return "NIP" if identity.get("nip") else "NIK"
