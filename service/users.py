"""Archivist accounts: passwords hashed (scrypt), login throttled."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from service import audit
from service.models import User

__all__ = ["ROLES", "authenticate_user", "create_user"]

ROLES = ("arsiparis",)
MIN_PASSWORD = 12
MAX_FAILED_LOGINS = 10


def create_user(session: Session, username: str, password: str, *, role: str) -> User:
    """A web account with a scrypt-hashed password (``ValueError`` for a weak one or a taken name)."""
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
    )
    session.add(user)
    audit.record(session, event="user_created", actor="cli", data={"username": username, "role": role})
    session.commit()
    return user


def authenticate_user(session: Session, username: str, password: str, *, ip: str | None) -> User | None:
    """The user if the password matches and the account is not locked; failures are counted."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        # Spend the same time as a real check so usernames cannot be probed by timing.
        check_password_hash(generate_password_hash("x", "scrypt"), password)
        return None
    if user.failed_logins >= MAX_FAILED_LOGINS or not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        audit.record(session, event="login_failed", actor=f"user:{username}", ip=ip)
        session.commit()
        return None
    user.failed_logins = 0
    audit.record(session, event="login", actor=f"user:{username}", ip=ip)
    session.commit()
    return user
