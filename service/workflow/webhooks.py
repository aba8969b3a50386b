"""Webhooks through a persisted outbox: enqueue with the change, deliver in order, retry with backoff.

A row is written in the transaction that makes the change, so a crash can lose neither. Delivery
sends, per document, the oldest undelivered event first and nothing newer until it succeeds, so a
receiver that was down gets every event, in order, once it is back, also after a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from service import audit
from service.egress import RefusedTargetError
from service.errors import ConflictError, NotFoundError, UnprocessableError
from service.interfaces import WebhookSender
from service.jsonio import json_number
from service.models import ApiClient, Document, DocumentBatch, Signer, WebhookDelivery, as_utc, utcnow
from service.services import Services
from service.workflow.outbox import FIRST_RETRY, Rounds, backoff, claim, retry_later
from service.workflow.representation import document_dict
from service.workflow.stored import payload_of

__all__ = [
    "EVENTS",
    "SYSTEM",
    "Actor",
    "Dispatcher",
    "backoff",
    "check_callback_url",
    "client_actor",
    "deliver_due",
    "enqueue",
    "enqueue_batch",
    "ping",
    "redeliver",
    "signature_header",
    "signer_actor",
]

log = logging.getLogger(__name__)

#: Every event a receiver can get (each is documented in the OpenAPI document's ``webhooks``).
EVENTS = (
    "document.ready",
    "document.signed",
    "document.completed",
    "document.rejected",
    "document.failed",
    "document.cancelled",
    "signer.delegated",
    "signer.reissued",
    "signer.locked",
    "signer.link_expired",
    "batch.completed",
    "ping",
)

#: Who made the change an event reports: ``{"kind": "client"|"signer"|"system", "name", "nip", "peran"}``.
Actor = dict[str, str | None]

SYSTEM: Actor = {"kind": "system", "name": "skp-sign", "nip": None, "peran": None}


def client_actor(actor: str) -> Actor:
    """The HR client (an operation's ``actor`` string, ``client:<name>``) as an event's actor."""
    kind, _, name = actor.partition(":")
    if kind != "client":
        return {"kind": "system", "name": actor, "nip": None, "peran": None}
    return {"kind": "client", "name": name, "nip": None, "peran": None}


def signer_actor(signer: Signer) -> Actor:
    """The official who acted (a Plt/Plh signing in the role is the signer by now)."""
    return {"kind": "signer", "name": signer.nama, "nip": signer.nip, "peran": signer.peran}


def signature_header(secret: str | Sequence[str], body: bytes) -> str:
    """``X-SKP-Signature`` value: ``sha256=<hex HMAC-SHA256 of the body>``, one per secret given,
    comma-separated (during a rotation: the new secret's first, then the old one's).
    """
    secrets_ = [secret] if isinstance(secret, str) else list(secret)
    return ",".join("sha256=" + hmac.new(s.encode(), body, hashlib.sha256).hexdigest() for s in secrets_)


def check_callback_url(services: Services, url: str | None, *, field: str = "callback_url") -> None:
    """Refuse a ``callback_url`` whose host is, or resolves to, an address webhooks may not reach.

    Checked again before every delivery (DNS may change); this check tells the client now.

    :raises UnprocessableError: 422 naming ``field`` and the rule it breaks.
    """
    if not url:
        return
    try:
        services.settings.webhook_egress.target(url)
    except RefusedTargetError as error:
        raise UnprocessableError(errors=[{"field": field, "message": error.reason}]) from None


def _delivery(
    *,
    key: str,
    client_id: int,
    event: str,
    url: str,
    body: dict[str, Any] | str,
    redelivery_of: int | None = None,
) -> WebhookDelivery:
    """A new outbox row; ``key`` orders it (a document's id, a batch's, a ping's own)."""
    return WebhookDelivery(
        document_id=key,
        client_id=client_id,
        event=event,
        url=url,
        body=body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, default=json_number),
        attempts=0,
        next_attempt_at=utcnow(),
        redelivery_of=redelivery_of,
    )


def enqueue(
    session: Session,
    services: Services,
    document: Document,
    event: str,
    *,
    actor: Actor = SYSTEM,
    signer: Signer | None = None,
    **extra: Any,
) -> None:
    """Add one delivery for ``event`` if the document has a callback URL (caller commits).

    :param signer: the signer the event is about (``signer`` in the body, as the document shows it).
    :param extra: more members of the body (``alasan``, ``delegasi``).
    """
    if event not in EVENTS or event.startswith("batch.") or event == "ping":
        raise ValueError(event)
    url = payload_of(document).get("callback_url")
    if not url:
        return
    session.flush()
    shown = document_dict(
        document,
        urls=services.urls,
        secret=services.settings.secret_key,
        # Webhooks go to the client that created the document, the one that hands out its links.
        links=True,
        now=services.clock.now(),
    )
    body: dict[str, Any] = {"event": event, "at": services.clock.now().isoformat(), "actor": actor}
    if signer is not None:
        body["signer"] = next(s for s in shown["signers"] if s["urutan"] == signer.urutan)
    body.update(extra)
    body["document"] = shown
    session.add(_delivery(key=document.id, client_id=document.client_id, event=event, url=url, body=body))


def enqueue_batch(session: Session, services: Services, batch: DocumentBatch, shown: dict[str, Any]) -> None:
    """``batch.completed`` to the batch's ``callback_url``, if it has one (caller commits)."""
    if not batch.callback_url:
        return
    body = {
        "event": "batch.completed",
        "at": services.clock.now().isoformat(),
        "actor": SYSTEM,
        "batch": shown,
    }
    session.add(
        _delivery(
            key=batch.id,
            client_id=batch.client_id,
            event="batch.completed",
            url=batch.callback_url,
            body=body,
        )
    )


def ping(
    session: Session, services: Services, client: ApiClient, url: str, *, ip: str | None
) -> WebhookDelivery:
    """Queue a signed ``ping`` to ``url``: the receiver's check of its own signature verification.

    :raises UnprocessableError: ``url`` may not be reached by webhooks (422 naming ``url``).
    """
    check_callback_url(services, url, field="url")
    body = {
        "event": "ping",
        "at": services.clock.now().isoformat(),
        "actor": client_actor(f"client:{client.name}"),
        "client": client.name,
    }
    # Each ping is its own queue: one to a wrong URL, retried, never holds back the next one.
    key = f"ping:{secrets.token_hex(8)}"
    delivery = _delivery(key=key, client_id=client.id, event="ping", url=url, body=body)
    session.add(delivery)
    session.flush()
    audit.record(
        session,
        event="webhook_ping",
        actor=f"client:{client.name}",
        ip=ip,
        data={"delivery": delivery.id, "url": url},
    )
    session.commit()
    return delivery


def redeliver(
    session: Session, document: Document, delivery_id: int, *, actor: str, ip: str | None
) -> WebhookDelivery:
    """Send a document's delivery again, as a new delivery with the same body, after the ones
    queued already (order per document holds).

    :raises NotFoundError: no such delivery of this document.
    :raises ConflictError: it has not been delivered yet (it is still being retried).
    """
    # Ids are 32-bit integers (PostgreSQL's ``integer``): beyond that no row has one, and
    # the database would refuse even to be asked.
    original = session.get(WebhookDelivery, delivery_id) if 0 < delivery_id < 2**31 else None
    if original is None or original.document_id != document.id:
        raise NotFoundError(f"Pengiriman webhook {delivery_id} untuk dokumen ini tidak ditemukan.")
    if original.delivered_at is None:
        raise ConflictError("Pengiriman webhook ini belum berhasil dan masih dicoba ulang otomatis.")
    copy = _delivery(
        key=original.document_id,
        client_id=original.client_id,
        event=original.event,
        url=original.url,
        body=original.body,
        redelivery_of=original.id,
    )
    session.add(copy)
    session.flush()
    audit.record(
        session,
        event="webhook_redelivered",
        actor=actor,
        document_id=document.id,
        ip=ip,
        data={"delivery": copy.id, "of": original.id, "event": original.event},
    )
    session.commit()
    return copy


def deliver_due(
    session: Session, sender: WebhookSender, *, timeout: float = 5.0, first_retry: float = FIRST_RETRY
) -> int:
    """Try every document's oldest undelivered event that is due; returns how many succeeded.

    ``first_retry`` is the wait after a first failure (seconds); each further failure doubles it.
    """
    heads = (
        select(func.min(WebhookDelivery.id))
        .where(WebhookDelivery.delivered_at.is_(None))
        .group_by(WebhookDelivery.document_id)
    )
    now = datetime.now(UTC)
    sent = 0
    # Read the heads first: each delivery commits, and a cursor must not span commits.
    due = session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.id.in_(heads)).order_by(WebhookDelivery.id)
    ).all()
    for delivery in due:
        if as_utc(delivery.next_attempt_at) > now:
            continue
        # Claimed first, so two dispatchers (two gunicorn workers, a worker and a cron job) never
        # send the same event at once; a process dying while sending leaves it due again later.
        unfinished = WebhookDelivery.delivered_at.is_(None)
        if not claim(
            session, delivery, unfinished=unfinished, now=utcnow(), hold=timedelta(seconds=timeout + 30)
        ):
            continue
        client = session.get(ApiClient, delivery.client_id)
        body = delivery.body.encode()
        try:
            status = sender.send(
                delivery.url,
                body,
                timeout=timeout,
                headers={
                    "Content-Type": "application/json",
                    "X-SKP-Event": delivery.event,
                    "X-SKP-Delivery": str(delivery.id),
                    "X-SKP-Signature": signature_header(
                        client.webhook_secrets(now) if client else [""], body
                    ),
                },
                ca_pem=client.webhook_ca_pem if client else None,
            )
            delivery.last_status = status
            ok = 200 <= status < 300
            delivery.last_error = None if ok else f"HTTP {status}"
        except OSError as error:
            ok = False
            delivery.last_error = str(error)[:500]
        except Exception as error:  # any fault is this delivery's alone, retried with backoff
            # Not one that stops the round: the other receivers' deliveries go on.
            log.exception("webhook delivery %s failed", delivery.id)
            ok = False
            delivery.last_error = f"{type(error).__name__}: {error}"[:500]
        if ok:
            delivery.delivered_at = utcnow()
            sent += 1
        else:
            retry_later(delivery, delivery.last_error or "", now=utcnow(), first_retry=first_retry)
        session.commit()
    return sent


class Dispatcher(Rounds):
    """A background thread that delivers due webhooks every ``interval`` seconds."""

    name = "skp-webhooks"

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        sender: WebhookSender,
        interval: float = 1.0,
        first_retry: float = FIRST_RETRY,
    ) -> None:
        super().__init__(interval=interval)
        self.sessions = sessions
        self.sender = sender
        self.first_retry = first_retry

    def run_once(self) -> int:
        """One delivery round; how many webhooks were delivered."""
        with self.sessions() as session:
            return deliver_due(session, self.sender, first_retry=self.first_retry)
