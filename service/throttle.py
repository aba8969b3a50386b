"""Failures counted per address in the database, so that every worker process shares the count.

A counter is a row ``(key, window_start, count)``: the first failure opens a fixed window, each
further one adds to it in one atomic upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``), and a
failure after the window has ended starts a new one. :func:`check` refuses while the address has
used up its failures. Only the address the request came from counts (``request.remote_addr``); which
proxies may rewrite it is the web layer's business.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.errors import TooManyAttemptsError
from service.models import ThrottleCounter, as_utc

__all__ = ["AddressLimit", "check", "hit", "retry_after"]


@dataclass(frozen=True)
class AddressLimit:
    """How many failures one address may make in one window."""

    #: ``login`` or ``sign``: each use counts separately.
    scope: str
    max_failures: int
    window: timedelta

    def key(self, ip: str) -> str:
        """The counter's row key for one address."""
        return f"{self.scope}:{ip}"[:200]


def retry_after(until: datetime, now: datetime) -> int:
    """Whole seconds from ``now`` to ``until``, at least 1 (the ``Retry-After`` value)."""
    return max(1, math.ceil((as_utc(until) - now).total_seconds()))


def check(session: Session, limit: AddressLimit, ip: str | None, *, now: datetime, detail: str) -> None:
    """Refuse (429) while ``ip`` has used up its failures in the current window.

    :param detail: what the refused person reads (Indonesian); how long to wait is added.
    :raises TooManyAttemptsError: with ``Retry-After`` at the end of the window.
    """
    if ip is None:
        return
    row = session.scalar(select(ThrottleCounter).where(ThrottleCounter.key == limit.key(ip)))
    if row is None:
        return
    ends = as_utc(row.window_start) + limit.window
    if row.count >= limit.max_failures and ends > now:
        wait = retry_after(ends, now)
        raise TooManyAttemptsError(
            f"{detail} Coba lagi dalam {math.ceil(wait / 60)} menit.", retry_after=wait
        )


def hit(session: Session, limit: AddressLimit, ip: str | None, *, now: datetime) -> int:
    """Count one failure of ``ip`` in one atomic statement; the count in its window. The caller commits.

    It also drops counters whose window ended long ago, so that the table holds recent addresses only.
    """
    if ip is None:
        return 0
    # SQLite keeps times as naive text: every time written here must be UTC to compare rightly.
    now = now.astimezone(UTC)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    ended = ThrottleCounter.window_start <= now - limit.window
    statement = (
        insert(ThrottleCounter)
        .values(key=limit.key(ip), window_start=now, count=1)
        .on_conflict_do_update(
            index_elements=[ThrottleCounter.key],
            set_={
                "count": case((ended, 1), else_=ThrottleCounter.count + 1),
                "window_start": case((ended, now), else_=ThrottleCounter.window_start),
            },
        )
        .returning(ThrottleCounter.count)
    )
    count: int = session.execute(statement).scalar_one()
    # Rows another transaction holds are skipped (PostgreSQL): two addresses coming back at once
    # must not wait on each other's row and deadlock.
    stale = (
        select(ThrottleCounter.key)
        .where(
            ThrottleCounter.key.startswith(f"{limit.scope}:"),
            ThrottleCounter.window_start < now - 2 * limit.window,
        )
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(ThrottleCounter).where(ThrottleCounter.key.in_(stale)))
    return count
