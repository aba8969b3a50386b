"""The append-only, hash-chained audit trail. Operations call :func:`record` in their transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.models import AuditEvent, AuditHead, as_utc, utcnow

__all__ = ["GENESIS", "ChainBreak", "document_events", "event_dict", "record", "verify_chain"]

GENESIS = "0" * 64


def _digest(
    *,
    prev_hash: str,
    document_id: str | None,
    event: str,
    actor: str,
    at: datetime,
    ip: str | None,
    data_json: str,
) -> str:
    canonical = json.dumps(
        [prev_hash, document_id, event, actor, at.isoformat(), ip, data_json],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _normalise(at: datetime) -> datetime:
    """Naive UTC: SQLite returns timestamps without tzinfo, PostgreSQL in the session's zone."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    return at.replace(tzinfo=None)


def _jsonable(value: Any) -> str:
    """Times as ISO 8601 with their offset (UTC), anything else as its text."""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return str(value)


def record(
    session: Session,
    *,
    event: str,
    actor: str,
    document_id: str | None = None,
    ip: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event after the newest one; the caller commits with its own change.

    The chain's head is taken with an ``UPDATE … RETURNING``: a writer that appends meanwhile waits
    for this transaction to end and then sees the new head (see :class:`~service.models.AuditHead`).
    """
    prev_hash = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(events=AuditHead.events + 1)
        .returning(AuditHead.hash)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    at = _normalise(utcnow())
    data_json = json.dumps(dict(data or {}), ensure_ascii=False, sort_keys=True, default=_jsonable)
    row = AuditEvent(
        document_id=document_id,
        event=event,
        actor=actor,
        at=at,
        ip=ip,
        data_json=data_json,
        prev_hash=prev_hash,
        hash=_digest(
            prev_hash=prev_hash,
            document_id=document_id,
            event=event,
            actor=actor,
            at=at,
            ip=ip,
            data_json=data_json,
        ),
    )
    session.add(row)
    session.flush()
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(hash=row.hash)
        .execution_options(synchronize_session=False)
    )
    return row


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain stops holding: the event id and what is wrong with it."""

    event_id: int
    reason: str


def verify_chain(session: Session) -> Iterator[ChainBreak]:
    """Recompute every hash in insertion order and yield each place the chain does not hold."""
    prev_hash = GENESIS
    for row in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if row.prev_hash != prev_hash:
            yield ChainBreak(row.id, "prev_hash does not match the previous event")
        expected = _digest(
            prev_hash=row.prev_hash,
            document_id=row.document_id,
            event=row.event,
            actor=row.actor,
            at=_normalise(row.at),
            ip=row.ip,
            data_json=row.data_json,
        )
        if expected != row.hash:
            yield ChainBreak(row.id, "hash does not match the event's content")
        prev_hash = row.hash


def document_events(session: Session, document_id: str) -> list[AuditEvent]:
    """One document's events, oldest first."""
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.document_id == document_id).order_by(AuditEvent.id)
        )
    )


def event_dict(row: AuditEvent) -> dict[str, Any]:
    """The API shape of one event (api.md ``…/audit``)."""
    return {
        "event": row.event,
        "actor": row.actor,
        "at": as_utc(row.at).isoformat(),
        "ip": row.ip,
        "data": json.loads(row.data_json),
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }
