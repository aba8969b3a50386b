"""Scoring routes: pure computation, nothing is stored."""

from __future__ import annotations

from typing import Any

from service.api.blueprint import bp
from service.clients import require_scope
from service.http import json_body
from service.schemas import UnitCheckSchema, load_payload
from service.scoring import check_unit, score_payload

_unit_schema = UnitCheckSchema()


@bp.post("/scores")
@require_scope()
def scores() -> dict[str, Any]:
    """Score a document payload by its regime and return every intermediate value."""
    payload = load_payload(json_body())
    return {"regime": payload["regime"], "type": payload["type"], "hasil": score_payload(payload)}


@bp.post("/units/check")
@require_scope()
def units_check() -> dict[str, Any]:
    """Check a unit's predikat distribution against its regime's rules and rank its pegawai."""
    body = _unit_schema.load(json_body())
    return check_unit(body["regime"], body["pegawai"], body.get("capaian_organisasi"))
