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
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from service.egress import RefusedTargetError
from service.errors import UnprocessableError
from service.interfaces import WebhookSender
from service.jsonio import json_number
from service.models import ApiClient, Document, WebhookDelivery, as_utc, utcnow
from service.services import Services
from service.workflow.outbox import FIRST_RETRY, Rounds, backoff, claim, retry_later
from service.workflow.representation import document_dict
from service.workflow.stored import payload_of

__all__ = ["Dispatcher", "backoff", "check_callback_url", "deliver_due", "enqueue", "signature_header"]

log = logging.getLogger(__name__)

EVENTS = ("document.ready", "document.signed", "document.completed", "document.rejected", "document.failed")


def signature_header(secret: str, body: bytes) -> str:
    """``X-SKP-Signature`` value: ``sha256=<hex HMAC-SHA256 of the body>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_callback_url(services: Services, url: str | None) -> None:
    """Refuse a ``callback_url`` whose host is, or resolves to, an address webhooks may not reach.

    Checked again before every delivery (DNS may change); this check tells the client now.

    :raises UnprocessableError: 422 naming ``callback_url`` and the rule it breaks.
    """
    if not url:
        return
    try:
        services.settings.webhook_egress.target(url)
    except RefusedTargetError as error:
        raise UnprocessableError(errors=[{"field": "callback_url", "message": error.reason}]) from None


def enqueue(session: Session, services: Services, document: Document, event: str) -> None:
    """Add one delivery for ``event`` if the document has a callback URL (caller commits)."""
    if event not in EVENTS:
        raise ValueError(event)
    url = payload_of(document).get("callback_url")
    if not url:
        return
    session.flush()
    body = {
        "event": event,
        "at": services.clock.now().isoformat(),
        # Webhooks go to the client that created the document, the one that hands out its links.
        "document": document_dict(
            document,
            urls=services.urls,
            secret=services.settings.secret_key,
            links=True,
            now=services.clock.now(),
        ),
    }
    session.add(
        WebhookDelivery(
            document_id=document.id,
            client_id=document.client_id,
            event=event,
            url=url,
            body=json.dumps(body, ensure_ascii=False, default=json_number),
            attempts=0,
            next_attempt_at=utcnow(),
        )
    )


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
                    "X-SKP-Signature": signature_header(client.webhook_secret if client else "", body),
                },
            )
            delivery.last_status = status
            ok = 200 <= status < 300
            delivery.last_error = None if ok else f"HTTP {status}"
        except OSError as error:
            ok = False
            delivery.last_error = str(error)[:500]
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
