"""Requests of HR systems at scale: a batch's envelope, a webhook ping, a webhook secret rotation.

A batch is a list of items, each an Idempotency-Key and a payload. Only the envelope is checked
here; each payload is checked as ``POST /api/v1/documents`` checks it, and its problems belong to
that item alone (one bad payload does not refuse the others).
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, ValidationError, fields, validate, validates_schema

from service.schemas.base import SkemaIndonesia
from service.schemas.fields import UrlHttps

__all__ = ["MAX_BATCH_ITEMS", "BatchItemSchema", "BatchSchema", "PingSchema", "SecretRotationSchema"]

#: Most payloads one batch may carry.
MAX_BATCH_ITEMS = 1000


class _Strict(SkemaIndonesia):
    """Unknown fields are refused, never ignored."""

    class Meta:
        """Refuse unknown fields."""

        unknown = RAISE


class BatchItemSchema(_Strict):
    """One document of the batch; the payload is checked on its own, after the envelope."""

    idempotency_key = fields.String(
        required=True,
        metadata={
            "description": "The document's own Idempotency-Key (as the header of POST /api/v1/documents): "
            "the same key and payload find the first document again, in this batch or any other request"
        },
    )
    payload = fields.Dict(
        required=True, metadata={"description": "A document payload, as POST /api/v1/documents takes it"}
    )


class BatchSchema(_Strict):
    """``{"items": [...], "callback_url"?}``."""

    items = fields.List(
        fields.Nested(BatchItemSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_BATCH_ITEMS, error="berisi 1 sampai 1000 butir"),
        metadata={"description": f"1 to {MAX_BATCH_ITEMS} documents"},
    )
    callback_url = UrlHttps(
        "URL https untuk webhook batch.completed (aturan host-nya sama dengan callback_url dokumen)",
        allow_none=True,
    )

    @validates_schema(skip_on_field_errors=True)
    def _unique_keys(self, data: dict[str, Any], **_: Any) -> None:
        seen: dict[str, int] = {}
        errors: dict[str, Any] = {}
        for index, item in enumerate(data["items"]):
            key = str(item["idempotency_key"]).strip()
            if key in seen:
                errors[f"items.{index}.idempotency_key"] = [
                    f"sudah dipakai butir {seen[key]} dalam kumpulan ini (tiap dokumen kuncinya sendiri)"
                ]
            seen.setdefault(key, index)
        if errors:
            raise ValidationError(errors)


class PingSchema(_Strict):
    """``{"url"}``: where the ``ping`` goes."""

    url = UrlHttps(
        "URL https penerima webhook yang diuji (aturan host sama dengan callback_url)", required=True
    )


class SecretRotationSchema(_Strict):
    """``{"grace_hours"?}``: how long the old webhook secret signs beside the new one."""

    grace_hours = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=168, error="harus bilangan bulat 0 sampai 168"),
        metadata={"description": "Hours the old secret keeps signing beside the new one (default 24)"},
    )
