"""What the webhook and the mail outboxes share: claiming one attempt, the retry schedule, and the
background thread that runs delivery rounds.

A row is written in the transaction of the change it reports; a dispatcher claims it (so two
processes never send it at once), tries it, and records the outcome, retrying with backoff for as
long as it takes: the outbox keeps it.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Self

from sqlalchemy import ColumnElement, update
from sqlalchemy.orm import Session

from service.models import MailDelivery, WebhookDelivery

__all__ = ["BACKOFF_CAP", "FIRST_RETRY", "Rounds", "backoff", "claim", "retry_later"]

log = logging.getLogger(__name__)

#: Retry schedule: 2 s, 4 s, 8 s … doubling, capped at one hour; never given up (the outbox keeps it).
FIRST_RETRY = 2.0
BACKOFF_CAP = 3600.0

OutboxRow = WebhookDelivery | MailDelivery


def backoff(attempts: int, *, first: float = FIRST_RETRY) -> timedelta:
    """Wait after the ``attempts``-th failed attempt: ``first``, then doubling, at most an hour."""
    exponent = min(max(1, attempts) - 1, 32)  # 2**32 × anything sensible is past the cap already
    return timedelta(seconds=min(BACKOFF_CAP, first * 2.0**exponent))


def claim(
    session: Session, row: OutboxRow, *, unfinished: ColumnElement[bool], now: datetime, hold: timedelta
) -> bool:
    """Claim the next attempt of ``row`` (compare-and-set on ``attempts``), committed; False when
    another dispatcher took it, or it is finished.

    The claim pushes the next attempt ``hold`` past ``now`` (longer than an attempt takes): if this
    process dies while sending, the row is simply due again later (at least once, never lost).
    """
    model = type(row)
    claimed = session.execute(
        update(model)
        .where(model.id == row.id, model.attempts == row.attempts, unfinished)
        .values(attempts=row.attempts + 1, next_attempt_at=now + hold)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(row)
    return True


def retry_later(row: OutboxRow, error: str, *, now: datetime, first_retry: float = FIRST_RETRY) -> None:
    """Record a failed attempt and when the next one is due (the caller commits)."""
    row.last_error = error[:500]
    row.next_attempt_at = now + backoff(row.attempts, first=first_retry)


class Rounds:
    """A daemon thread that calls :meth:`run_once` every ``interval`` seconds until stopped; a round
    that fails is logged and the next one runs as usual.
    """

    name = "skp-rounds"

    def __init__(self, *, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)

    def run_once(self) -> object:
        """One round of work."""
        raise NotImplementedError

    def start(self) -> Self:
        """Start the rounds in the background; returns the object."""
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_once()
            except Exception:
                log.exception("%s round failed", self.name)

    def stop(self) -> None:
        """Stop after the round in progress."""
        self._stop.set()
        self._thread.join(timeout=10)
