"""Archivist sessions kept on the server: the browser's cookie holds a random id, the database its hash.

A session can therefore be ended where it is kept: logout and a password change revoke it, and a
copied cookie stops working with it. It is refused after :attr:`SessionPolicy.idle` without a
request and :attr:`SessionPolicy.max_age` after the login, however busy. Flask's signed cookie keeps
only the CSRF token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service import audit
from service.models import User, WebSession, as_utc
from service.settings import Settings

__all__ = [
    "COOKIE",
    "SessionPolicy",
    "current_user",
    "end_session",
    "open_session",
    "revoke_user_sessions",
]

#: The cookie that carries the session id (path ``/arsip``, HttpOnly, SameSite=Lax).
COOKIE = "skp_arsip"
#: ``last_seen_at`` is written at most this often, not on every page (the idle timeout is minutes).
_TOUCH_AFTER = timedelta(minutes=1)
#: Longer than any id this module hands out (43 characters); anything longer is not looked up.
_MAX_TOKEN = 100


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lasts."""

    #: Refused after this long without a request.
    idle: timedelta
    #: Refused this long after the login, however busy.
    max_age: timedelta

    @classmethod
    def of(cls, settings: Settings) -> SessionPolicy:
        """The policy the settings configure."""
        return cls(idle=settings.archive_session_idle, max_age=settings.archive_session_max_age)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: User, *, now: datetime, ip: str | None) -> tuple[WebSession, str]:
    """A new session for ``user`` and the id its cookie carries; the caller audits and commits."""
    token = secrets.token_urlsafe(32)
    now = now.astimezone(UTC)
    row = WebSession(token_hash=_hash(token), user_id=user.id, created_at=now, last_seen_at=now, ip=ip)
    session.add(row)
    session.flush()
    return row, token


def _live(session: Session, token: str | None, *, policy: SessionPolicy, now: datetime) -> WebSession | None:
    if not token or len(token) > _MAX_TOKEN:
        return None
    row = session.scalar(select(WebSession).where(WebSession.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    if now - as_utc(row.created_at) >= policy.max_age or now - as_utc(row.last_seen_at) >= policy.idle:
        return None
    return row


def current_user(session: Session, token: str | None, *, policy: SessionPolicy, now: datetime) -> User | None:
    """The user of a live session, which counts as used now; ``None`` for anything else.

    Unknown, revoked, idle and too old sessions are all simply not signed in.
    """
    row = _live(session, token, policy=policy, now=now)
    if row is None:
        return None
    if now - as_utc(row.last_seen_at) >= _TOUCH_AFTER:
        # Bookkeeping, not a change of state: the idle clock restarts, nothing else does.
        session.execute(
            update(WebSession)
            .where(WebSession.id == row.id, WebSession.revoked_at.is_(None))
            .values(last_seen_at=now.astimezone(UTC))
            .execution_options(synchronize_session=False)
        )
        session.commit()
    return row.user


def end_session(
    session: Session, token: str | None, *, policy: SessionPolicy, now: datetime, ip: str | None
) -> bool:
    """Logout: revoke the session server-side (audited); ``False`` when it was not live anyway."""
    row = _live(session, token, policy=policy, now=now)
    if row is None:
        return False
    revoked = session.execute(
        update(WebSession)
        .where(WebSession.id == row.id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now.astimezone(UTC), revoke_reason="logout")
        .returning(WebSession.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if revoked is not None:
        audit.record(
            session, event="logout", actor=f"user:{row.user.username}", ip=ip, data={"session": row.id}
        )
    session.commit()
    return revoked is not None


def revoke_user_sessions(session: Session, user: User, *, now: datetime, reason: str) -> int:
    """Revoke every live session of ``user``; how many. The caller audits and commits."""
    revoked = session.scalars(
        update(WebSession)
        .where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now.astimezone(UTC), revoke_reason=reason)
        .returning(WebSession.id)
        .execution_options(synchronize_session=False)
    ).all()
    return len(revoked)
