"""Marshmallow schemas for every request body; ``load`` returns the validated payload.

- :class:`DocumentPayloadSchema` (and :class:`ScoreRequestSchema`, the same payload for
  ``POST /api/v1/scores``) → the dict of docs/architecture.md;
- :func:`load_payload`: any document payload, by its ``type`` (the unit and coaching documents have
  their own schemas, :mod:`.dokumen_lain`);
- :class:`UnitCheckSchema` for ``POST /api/v1/units/check``;
- :func:`flatten_errors` turns marshmallow's nested messages into api.md's ``errors`` list.

Every schema refuses unknown keys and reports all errors at once, in Indonesian.
"""

from service.schemas.dokumen_lain import load_payload
from service.schemas.errors import flatten_errors
from service.schemas.identitas import IdentitasSchema
from service.schemas.payload import (
    AngkaKreditSchema,
    DocumentPayloadSchema,
    EvaluasiSchema,
    PeriodeSchema,
    ScoreRequestSchema,
)
from service.schemas.units import PegawaiUnitSchema, UnitCheckSchema

__all__ = [
    "AngkaKreditSchema",
    "DocumentPayloadSchema",
    "EvaluasiSchema",
    "IdentitasSchema",
    "PegawaiUnitSchema",
    "PeriodeSchema",
    "ScoreRequestSchema",
    "UnitCheckSchema",
    "flatten_errors",
    "load_payload",
]
