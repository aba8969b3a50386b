"""Scoring routes: pure computation, nothing is stored."""

from __future__ import annotations

from typing import Any

from service.api import bp
from service.clients import require_scope
from service.errors import UnprocessableError
from service.jsonio import json_body
from service.schemas import DocumentPayloadSchema, UnitCheckSchema
from service.scoring import ScoringError, check_unit, score_payload

_payload_schema = DocumentPayloadSchema()
_unit_schema = UnitCheckSchema()


def scoring_problem(error: ScoringError) -> UnprocessableError:
    return UnprocessableError(errors=[{"field": error.field, "message": error.message}])


@bp.post("/scores")
@require_scope()
def scores() -> dict[str, Any]:
    """Score a document payload by its regime and return every intermediate value."""
    payload = _payload_schema.load(json_body())
    try:
        hasil = score_payload(payload)
    except ScoringError as error:
        raise scoring_problem(error) from None
    return {"regime": payload["regime"], "type": payload["type"], "hasil": hasil}


@bp.post("/units/check")
@require_scope()
def units_check() -> dict[str, Any]:
    """Check a unit's predikat distribution against its regime's rules and rank its pegawai."""
    body = _unit_schema.load(json_body())
    try:
        return check_unit(body["regime"], body["pegawai"], body.get("capaian_organisasi"))
    except ScoringError as error:
        raise scoring_problem(error) from None
