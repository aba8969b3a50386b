"""Batch intake: a whole unit's documents in one request, rendered without starving single documents.

``POST /api/v1/batches`` checks every item as a single create would (each item's problem is its own)
and stores the valid ones in one transaction; nothing is rendered yet, so the answer is fast. The
documents wait (``batch_fed_at`` unset) until a :class:`BatchFeeder` hands a few at a time to the
same job runner single documents go through: a single document posted meanwhile is queued behind at
most ``SKP_BATCH_IN_FLIGHT`` batch renders of that process, never behind the whole batch, and the
workers hold one render each whatever the batch size. A batch is completed once none of its
documents is rendering; ``batch.completed`` then goes to its ``callback_url``.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import audit
from service.errors import NotFoundError, ServiceError
from service.jsonio import json_number
from service.models import ApiClient, Document, DocumentBatch, DocumentBatchItem, as_utc, utcnow
from service.problem_details import describe
from service.schemas.integrators import BatchSchema
from service.scoring import ScoringError
from service.scoring.vocabulary import STATUSES
from service.services import Services
from service.workflow.operations import Created, prepare_document, record_created
from service.workflow.outbox import Rounds
from service.workflow.webhooks import check_callback_url, enqueue_batch

__all__ = ["BatchFeeder", "batch_dict", "complete_finished", "create_batch", "feed", "get_batch"]

log = logging.getLogger(__name__)

_envelope = BatchSchema()


@dataclass(frozen=True)
class _Outcome:
    key: object
    document: Document | None = None
    problem: dict[str, Any] | None = None


def _problem(error: ValidationError | ScoringError | ServiceError, services: Services) -> dict[str, Any]:
    """The RFC 9457 problem the item would have been answered as a single request."""
    found = describe(error)
    return found.body(services.urls.problem(found.slug or "bad-request"))


def create_batch(
    session: Session,
    services: Services,
    *,
    client: ApiClient,
    body: Mapping[str, Any],
    ip: str | None,
) -> DocumentBatch:
    """Check every item and store the batch with its valid documents; nothing is rendered yet.

    :raises marshmallow.ValidationError: the envelope is wrong (not a list, too many items, keys
        repeated within it): 422 for the whole request. An item's own problems do not raise.
    """
    envelope = _envelope.load(body)
    check_callback_url(services, envelope.get("callback_url"))
    for attempt in (1, 2):
        try:
            return _store(session, services, client, envelope, ip=ip)
        except IntegrityError:
            # A request racing with one of the keys committed first: the second pass finds its
            # document, as a replay (or a conflict), like a single create would.
            session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _store(
    session: Session, services: Services, client: ApiClient, envelope: Mapping[str, Any], *, ip: str | None
) -> DocumentBatch:
    batch = DocumentBatch(
        id=f"bat_{secrets.token_hex(10)}",
        client_id=client.id,
        callback_url=envelope.get("callback_url"),
        total=len(envelope["items"]),
        refused=0,
    )
    outcomes: list[_Outcome] = []
    new: list[Document] = []
    seen: dict[str, int] = {}
    reachable: set[str] = set()  # callback URLs checked once per batch, not once per item
    for index, item in enumerate(envelope["items"]):
        key, problem = _item_problem(item, index, seen, services)
        if problem is not None:
            outcomes.append(_Outcome(key=key, problem=problem))
            continue
        payload = item["payload"]
        try:
            prepared = prepare_document(
                session,
                services,
                client=client,
                idempotency_key=key,
                body=payload,
                raw_body=json.dumps(payload, ensure_ascii=False, default=json_number),
                batch_id=batch.id,
                key_field="idempotency_key",
                reachable=reachable,
            )
        except (ValidationError, ScoringError, ServiceError) as error:
            outcomes.append(_Outcome(key=key, problem=_problem(error, services)))
            continue
        if isinstance(prepared, Created):
            outcomes.append(_Outcome(key=key, document=prepared.document))
            continue
        new.append(prepared)
        outcomes.append(_Outcome(key=key, document=prepared))
    batch.refused = sum(1 for o in outcomes if o.problem is not None)
    session.add(batch)
    for position, outcome in enumerate(outcomes):
        batch.items.append(
            DocumentBatchItem(
                position=position,
                # As JSON text, ASCII only: a refused key may hold anything JSON can (NUL, a lone
                # surrogate, any length), and the answer gives it back as it was sent.
                idempotency_key=json.dumps(outcome.key, default=json_number),
                document_id=outcome.document.id if outcome.document else None,
                problem_json=json.dumps(outcome.problem) if outcome.problem else None,
            )
        )
    session.add_all(new)
    session.flush()
    for document in new:
        record_created(session, document, client, ip=ip)
    audit.record(
        session,
        event="batch_received",
        actor=f"client:{client.name}",
        ip=ip,
        data={"batch": batch.id, "total": batch.total, "refused": batch.refused, "created": len(new)},
    )
    if not any(o.document for o in outcomes):
        _complete(session, services, batch)  # every item refused: nothing will render
    session.commit()
    return batch


def _item_problem(
    item: object, index: int, seen: dict[str, int], services: Services
) -> tuple[Any, dict[str, Any] | None]:
    """An item's key (stripped when it is text) and the problem of its shape, if it has one: not an
    object, no key or payload, a member that does not belong, a key another item of the batch has.
    """
    if not isinstance(item, Mapping):
        error = ValidationError({"": ["harus berupa objek JSON dengan idempotency_key dan payload"]})
        return None, _problem(error, services)
    key = item.get("idempotency_key")
    key = key.strip() if isinstance(key, str) else key
    errors: dict[str, list[str]] = {}
    for unknown in sorted(set(item) - {"idempotency_key", "payload"}):
        errors[unknown] = ["bidang tidak dikenal"]
    if not isinstance(key, str):
        errors["idempotency_key"] = ["wajib diisi, berupa teks"]
    elif key in seen:
        errors["idempotency_key"] = [
            f"sudah dipakai butir {seen[key]} dalam kumpulan ini (tiap dokumen kuncinya sendiri)"
        ]
    else:
        seen[key] = index
    if not isinstance(item.get("payload"), Mapping):
        errors["payload"] = ["wajib diisi, berupa objek JSON (payload dokumen)"]
    return key, _problem(ValidationError(errors), services) if errors else None


def get_batch(session: Session, batch_id: str, client: ApiClient) -> DocumentBatch:
    """The client's batch (another client's is not found either)."""
    batch = session.get(DocumentBatch, batch_id[:40])
    if batch is None or batch.client_id != client.id:
        raise NotFoundError(f"Kumpulan {batch_id!r} tidak ditemukan.")
    return batch


def _statuses(session: Session, batch: DocumentBatch) -> dict[str, str]:
    rows = session.execute(
        select(Document.id, Document.status)
        .join(DocumentBatchItem, DocumentBatchItem.document_id == Document.id)
        .where(DocumentBatchItem.batch_id == batch.id)
    ).all()
    return {row.id: row.status for row in rows}


def batch_dict(session: Session, batch: DocumentBatch, *, items: bool = True) -> dict[str, Any]:
    """The batch as the API shows it: counts by status, and each item's document or problem."""
    statuses = _statuses(session, batch)
    counts = dict.fromkeys(STATUSES, 0)
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    body: dict[str, Any] = {
        "id": batch.id,
        "status": "completed" if batch.completed_at else "processing",
        "created_at": as_utc(batch.created_at).isoformat(),
        "completed_at": as_utc(batch.completed_at).isoformat() if batch.completed_at else None,
        "counts": {"total": batch.total, "refused": batch.refused, **counts},
        "links": {"self": f"/api/v1/batches/{batch.id}"},
    }
    if items:
        body["items"] = [
            {
                "index": item.position,
                "idempotency_key": _key(item),
                "id": item.document_id,
                "status": statuses.get(item.document_id) if item.document_id else None,
                "problem": json.loads(item.problem_json) if item.problem_json else None,
            }
            for item in batch.items
        ]
    return body


def _key(item: DocumentBatchItem) -> str | None:
    """The item's key as it was sent; ``None`` when it sent none, or not as text."""
    key = json.loads(item.idempotency_key)
    return key if isinstance(key, str) else None


def feed(session: Session, services: Services, room: int) -> list[str]:
    """Hand up to ``room`` waiting batch documents to the job runner, oldest first; committed, the
    ids handed over.
    """
    if room <= 0:
        return []
    unfed = (Document.status == "rendering", Document.batch_id.is_not(None), Document.batch_fed_at.is_(None))
    waiting = session.scalars(
        select(Document.id).where(*unfed).order_by(Document.created_at, Document.id).limit(room)
    ).all()
    session.rollback()
    fed: list[str] = []
    for document_id in waiting:
        # Compare-and-set: of two feeders (two processes), one hands each document over.
        taken = session.execute(
            update(Document)
            .where(Document.id == document_id, Document.batch_fed_at.is_(None))
            .values(batch_fed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            continue
        services.runner.submit("render", document_id)
        fed.append(document_id)
    return fed


def complete_finished(session: Session, services: Services) -> list[str]:
    """Mark every open batch none of whose documents is rendering any more as completed, with its
    ``batch.completed`` webhook; committed, the ids completed.
    """
    open_ids = session.scalars(select(DocumentBatch.id).where(DocumentBatch.completed_at.is_(None))).all()
    done: list[str] = []
    for batch_id in open_ids:
        rendering = session.scalar(
            select(func.count())
            .select_from(DocumentBatchItem)
            .join(Document, Document.id == DocumentBatchItem.document_id)
            .where(DocumentBatchItem.batch_id == batch_id, Document.status == "rendering")
        )
        if rendering:
            continue
        batch = session.get(DocumentBatch, batch_id)
        if batch is None or batch.completed_at is not None:
            continue
        if _complete(session, services, batch):
            session.commit()
            done.append(batch_id)
        else:
            session.rollback()
    session.rollback()
    return done


def _complete(session: Session, services: Services, batch: DocumentBatch) -> bool:
    """Close the batch (compare-and-set on ``completed_at``) and queue its webhook; caller commits."""
    moment = utcnow()
    closed = session.execute(
        update(DocumentBatch)
        .where(DocumentBatch.id == batch.id, DocumentBatch.completed_at.is_(None))
        .values(completed_at=moment)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    batch.completed_at = moment
    shown = batch_dict(session, batch)
    audit.record(
        session,
        event="batch_completed",
        actor="system",
        data={"batch": batch.id, "counts": shown["counts"]},
    )
    enqueue_batch(session, services, batch, shown)
    return True


class BatchFeeder(Rounds):
    """Feeds batch documents to this process's job runner, at most ``batch_in_flight`` rendering at
    once, and closes finished batches.

    Every process that runs jobs runs one (each gunicorn worker, each ``skp worker``): the batch
    spreads over all of them, and each keeps its own runner's queue short, so a single document
    posted to any of them waits behind a few batch renders at most.
    """

    name = "skp-batches"

    def __init__(self, *, services: Services, interval: float = 0.1) -> None:
        super().__init__(interval=interval)
        self.services = services
        #: Documents this feeder handed over that were still rendering at the last look.
        self.in_flight: set[str] = set()

    def run_once(self) -> tuple[list[str], list[str]]:
        """One round: (documents handed over, batches completed)."""
        with self.services.sessions() as session:
            if self.in_flight:
                still = session.scalars(
                    select(Document.id).where(Document.id.in_(self.in_flight), Document.status == "rendering")
                ).all()
                self.in_flight = set(still)
                session.rollback()
            fed = feed(session, self.services, self.services.settings.batch_in_flight - len(self.in_flight))
            self.in_flight.update(fed)
            return fed, complete_finished(session, self.services)
