"""Archivist accounts: scrypt-hashed passwords, failed logins counted per account and per address."""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from service import audit, throttle, web_sessions
from service.errors import LockedError
from service.models import User, as_utc
from service.services import Services
from service.settings import Settings
from service.tenancy import Caller, instansi_names

__all__ = [
    "ROLES",
    "Login",
    "change_password",
    "create_user",
    "log_in",
    "login_limit",
    "set_konseling",
    "unlock_user",
    "user_caller",
]

ROLES = ("arsiparis",)
MIN_PASSWORD = 12
#: The hash of a random password nobody knows, made with the parameters of every account's hash
#: (``create_user``): an unknown name is checked against it, so it costs the one scrypt a known
#: name costs. Made once per process, never per login.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(24), "scrypt")


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    role: str,
    instansi: Iterable[str] = (),
    konseling: bool = False,
) -> User:
    """A web account with a scrypt-hashed password (``ValueError`` for a weak one or a taken name).

    :param instansi: the instansi the archivist serves; none named: every instansi (an operator).
    :param konseling: may open konseling records (confidential).
    """
    names = instansi_names(instansi)
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ValueError(f"user {username!r} exists")
    user = User(
        username=username,
        password_hash=generate_password_hash(password, "scrypt"),
        role=role,
        failed_logins=0,
        instansi_json=json.dumps(names, ensure_ascii=False),
        all_instansi=not names,
        konseling=konseling,
    )
    session.add(user)
    audit.record(
        session,
        event="user_created",
        actor="cli",
        data={"username": username, "role": role, "instansi": names or "*", "konseling": konseling},
    )
    session.commit()
    return user


@dataclass(frozen=True)
class Login:
    """A successful login: the account and the session id its browser keeps in a cookie."""

    user: User
    session_token: str


def login_limit(settings: Settings) -> throttle.AddressLimit:
    """The per-address limit on failed logins."""
    return throttle.AddressLimit(
        scope="login", max_failures=settings.address_max_failures, window=settings.address_window
    )


def log_in(
    session: Session, services: Services, username: str, password: str, *, ip: str | None
) -> Login | None:
    """Check the password and open a server-side session; ``None`` for a wrong name or password.

    Every failure is counted for the account (atomically) and for the address. An account locks for
    ``login_lockout`` after ``login_max_failures`` failures in a row; an address that failed
    ``address_max_failures`` times in a window is refused until the window ends.

    :raises TooManyAttemptsError: the address has used up its failures (429, ``Retry-After``).
    :raises LockedError: the account is locked (423, ``Retry-After``); the password is not checked.
    """
    settings = services.settings
    # UTC: SQLite keeps times as naive text, so every time compared in SQL must be in one zone.
    now = services.clock.now().astimezone(UTC)
    limit = login_limit(settings)
    throttle.check(
        session,
        limit,
        ip,
        now=now,
        detail="Terlalu banyak percobaan masuk yang gagal dari alamat ini.",
    )
    user = session.scalar(select(User).where(User.username == username))
    if user is not None and user.locked_until is not None and as_utc(user.locked_until) > now:
        wait = throttle.retry_after(user.locked_until, now)
        raise LockedError(
            f"Akun ini dikunci sementara setelah {settings.login_max_failures} kali gagal masuk. "
            f"Coba lagi dalam {math.ceil(wait / 60)} menit, atau minta operator membukanya.",
            headers={"Retry-After": str(wait)},
        )
    # Exactly one scrypt whether or not the name exists, so login time does not tell names apart.
    matches = check_password_hash(user.password_hash if user is not None else _DUMMY_HASH, password)
    if user is None or not matches:
        _count_failure(session, services, username, user, ip=ip, now=now)
        return None
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=0, locked_until=None)
        .execution_options(synchronize_session=False)
    )
    row, token = web_sessions.open_session(session, user, now=now, ip=ip)
    audit.record(session, event="login", actor=f"user:{username}", ip=ip, data={"session": row.id})
    session.commit()
    session.refresh(user)
    return Login(user=user, session_token=token)


def _count_failure(
    session: Session, services: Services, username: str, user: User | None, *, ip: str | None, now: datetime
) -> None:
    """One failed login: +1 for the address and the account in one transaction, and its audit row."""
    settings = services.settings
    throttle.hit(session, login_limit(settings), ip, now=now)
    data: dict[str, Any] = {"account": "unknown"}
    if user is not None:
        limit = settings.login_max_failures
        # A run that already locked the account and whose lockout is over (or that was locked before
        # lockouts expired) starts again at 1. The expressions read the row as it was: one statement,
        # so concurrent failures each count (``x = x + 1`` in the database, never a value read before).
        over = and_(User.failed_logins >= limit, or_(User.locked_until.is_(None), User.locked_until <= now))
        count = case((over, 1), else_=User.failed_logins + 1)
        failed, locked_until = session.execute(
            update(User)
            .where(User.id == user.id)
            .values(
                failed_logins=count,
                locked_until=case((count >= limit, now + settings.login_lockout), else_=None),
            )
            .returning(User.failed_logins, User.locked_until)
            .execution_options(synchronize_session=False)
        ).one()
        data = {"failed_logins": failed}
        if locked_until is not None:
            data["locked_until"] = as_utc(locked_until)
    audit.record(session, event="login_failed", actor=f"user:{username}", ip=ip, data=data)
    session.commit()


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise ValueError(f"no user {username!r}")
    return user


def unlock_user(session: Session, username: str, *, actor: str) -> User:
    """Lift an account's lockout and clear its failures (audited); ``ValueError`` for an unknown name."""
    user = _user(session, username)
    data = {"username": username, "failed_logins": user.failed_logins, "locked_until": user.locked_until}
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, event="user_unlocked", actor=actor, data=data)
    session.commit()
    return user


def set_konseling(session: Session, username: str, granted: bool, *, actor: str) -> User:
    """Grant or withdraw the permission to open konseling records (audited, also when unchanged).

    :raises ValueError: unknown name.
    """
    user = _user(session, username)
    data = {"username": username, "before": bool(user.konseling), "after": granted}
    user.konseling = granted
    audit.record(session, event="user_konseling", actor=actor, data=data)
    session.commit()
    return user


def change_password(session: Session, services: Services, username: str, password: str, *, actor: str) -> int:
    """Set a new password and revoke every session of the account (audited); how many were revoked.

    :raises ValueError: unknown name or a weak password.
    """
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
    user = _user(session, username)
    user.password_hash = generate_password_hash(password, "scrypt")
    revoked = web_sessions.revoke_user_sessions(
        session, user, now=services.clock.now(), reason="password_changed"
    )
    audit.record(
        session,
        event="password_changed",
        actor=actor,
        data={"username": username, "sessions_revoked": revoked},
    )
    session.commit()
    return revoked


def user_caller(user: User) -> Caller:
    """The archivist as a :class:`~service.tenancy.Caller`: reads every document of its tenancy (a
    konseling record only with the permission).
    """
    return Caller(actor=f"user:{user.username}", tenancy=user.tenancy, konseling=bool(user.konseling))
