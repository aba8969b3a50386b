"""A clock the test moves: put in the place of ``Services.clock``, which every operation reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask

__all__ = ["MovableClock", "movable_clock"]


class MovableClock:
    """Stands still until :meth:`advance` moves it (a real ``Clock``, not a mock: it tells the time)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.moment = start or datetime.now(UTC)

    def now(self) -> datetime:
        """The current (test) time, aware UTC."""
        return self.moment

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self.moment += delta


def movable_clock(*apps: Flask) -> MovableClock:
    """One movable clock shared by the services of ``apps`` (several apps act as several workers)."""
    clock = MovableClock()
    for app in apps:
        app.extensions["skp"].clock = clock
    return clock
