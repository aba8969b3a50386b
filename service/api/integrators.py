"""Routes for HR systems at scale: batches, the calling client and its webhook secret, webhook
tests and redeliveries. Each view loads its input, calls one operation and dumps the result.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import g, request

from service.api.blueprint import bp
from service.api.documents import _document
from service.clients import client_dict, require_scope, rotate_webhook_secret
from service.composition import get_services
from service.db import get_session
from service.http import json_body
from service.models import as_utc
from service.schemas.integrators import PingSchema, SecretRotationSchema
from service.workflow import batches, operations, webhooks

_ping_schema = PingSchema()
_rotation_schema = SecretRotationSchema()


@bp.post("/batches")
@require_scope("documents:write")
def create_batch() -> tuple[dict[str, Any], int]:
    """Check and store up to 1,000 payloads; each item answers its document or its problem."""
    request.max_content_length = get_services().settings.batch_max_content_length
    batch = batches.create_batch(
        get_session(), get_services(), client=g.api_client, body=json_body(), ip=request.remote_addr
    )
    return batches.batch_dict(get_session(), batch), 202


@bp.get("/batches/<batch_id>")
@require_scope("documents:read")
def get_batch(batch_id: str) -> dict[str, Any]:
    """Progress of a batch: counts by status and each item."""
    session = get_session()
    return batches.batch_dict(session, batches.get_batch(session, batch_id, g.api_client))


@bp.get("/client")
@require_scope()
def whoami() -> dict[str, Any]:
    """The client the key belongs to: scopes, instansi, its live keys and its webhook secret's state."""
    return client_dict(get_session(), g.api_client, g.api_key)


@bp.post("/client/webhook-secret")
@require_scope("webhooks:manage")
def rotate_secret() -> tuple[dict[str, Any], int, dict[str, str]]:
    """A new webhook secret; the old one signs beside it for ``grace_hours`` (default 24)."""
    body = _rotation_schema.load(json_body())
    rotated = rotate_webhook_secret(
        get_session(),
        g.api_client,
        grace=timedelta(hours=body.get("grace_hours", 24)),
        actor=f"client:{g.api_client.name}",
        key_prefix=g.api_key.key_prefix,
    )
    until = rotated.previous_valid_until
    answer = {
        "webhook_secret": rotated.webhook_secret,
        "previous_valid_until": as_utc(until).isoformat() if until else None,
    }
    return answer, 200, {"Cache-Control": "no-store"}


@bp.post("/webhooks/ping")
@require_scope("documents:write")
def ping() -> tuple[dict[str, Any], int]:
    """Send a signed ``ping`` to a URL: the receiver checks its verification of X-SKP-Signature."""
    body = _ping_schema.load(json_body())
    delivery = webhooks.ping(get_session(), get_services(), g.api_client, body["url"], ip=request.remote_addr)
    return {"delivery_id": delivery.id, "url": delivery.url}, 202


@bp.post("/documents/<document_id>/webhooks/<int:delivery_id>/redeliver")
@require_scope("documents:write")
def redeliver(document_id: str, delivery_id: int) -> tuple[dict[str, Any], int]:
    """Send a delivered event again (a new delivery id, the same body), after the queued ones."""
    session = get_session()
    delivery = webhooks.redeliver(
        session,
        _document(document_id, own=True),
        delivery_id,
        actor=f"client:{g.api_client.name}",
        ip=request.remote_addr,
    )
    return operations.delivery_dict(delivery), 202
