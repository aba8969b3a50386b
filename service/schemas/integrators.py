"""Requests of HR systems at scale: a batch's envelope, a webhook ping, a webhook secret rotation.

A batch is a list of items, each an Idempotency-Key and a payload. Only the envelope is checked
here; each item is checked on its own (its shape, its key unique in the batch, its payload as
``POST /api/v1/documents`` checks it), and its problems belong to that item alone.
"""

from __future__ import annotations

from marshmallow import RAISE, fields, validate

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
    """What one item of a batch is: documented (the OpenAPI ``BatchItem``), checked item by item by
    :mod:`service.workflow.batches`, so that an item of the wrong shape is that item's problem alone.
    """

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
    """``{"items": [...], "callback_url"?}``: the envelope; the items are checked one by one."""

    items = fields.List(
        fields.Raw(
            metadata={"description": "A BatchItem; one of another shape is refused as its own problem"}
        ),
        required=True,
        validate=validate.Length(min=1, max=MAX_BATCH_ITEMS, error="berisi 1 sampai 1000 butir"),
        metadata={"description": f"1 to {MAX_BATCH_ITEMS} documents, each a BatchItem"},
    )
    callback_url = UrlHttps(
        "URL https untuk webhook batch.completed (aturan host-nya sama dengan callback_url dokumen)",
        allow_none=True,
    )


class PingSchema(_Strict):
    """``{"url"}``: where the ``ping`` goes."""

    url = UrlHttps(
        "URL https penerima webhook yang diuji (aturan host sama dengan callback_url)", required=True
    )


class SecretRotationSchema(_Strict):
    """``{"grace_hours"?}``: how long the old webhook secret signs beside the new one."""

    grace_hours = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=168, error="harus bilangan bulat 1 sampai 168"),
        metadata={
            "description": "Hours the old secret keeps signing beside the new one (default 24; at least "
            "1, so that no delivery in flight goes unverifiable: only the operator's CLI may cut it to 0)"
        },
    )
