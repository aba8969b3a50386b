"""API clients: creation, authentication and the ``Authorization: Bearer`` guard for ``/api/v1``."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ParamSpec, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask import g, request
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from service import audit
from service.db import get_session
from service.errors import ConflictError, ForbiddenError, UnauthorizedError
from service.models import ApiClient, ApiKey, as_utc, utcnow
from service.tenancy import Caller, instansi_names

__all__ = [
    "DEFAULT_GRACE",
    "DEFAULT_SCOPES",
    "SCOPES",
    "NewClient",
    "NewSecret",
    "authenticate",
    "client_caller",
    "client_dict",
    "client_named",
    "create_client",
    "require_scope",
    "rotate_key",
    "rotate_webhook_secret",
    "set_webhook_ca",
]

SCOPES = ("documents:write", "documents:read", "archive:read", "webhooks:manage")
#: Least privilege: a new client creates and reads its own documents; ``archive:read`` (every
#: client's documents of its tenancy) and ``webhooks:manage`` (rotating the webhook secret, which
#: lets its holder sign webhooks) are asked for.
DEFAULT_SCOPES = ("documents:write", "documents:read")
#: Reading the archive (every client's documents of the tenancy) includes reading documents.
_IMPLIED = {"archive:read": frozenset({"documents:read"})}
KEY_PREFIX = "skp"
#: How long a rotated key, or a rotated webhook secret, keeps working beside the new one.
DEFAULT_GRACE = timedelta(hours=24)
MAX_GRACE = timedelta(days=7)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class NewClient:
    """A freshly created client (or key); ``api_key`` is shown once and then only its hash exists."""

    client: ApiClient
    api_key: str

    def as_json(self) -> dict[str, object]:
        """What ``skp clients create --json`` prints: everything the HR system must keep."""
        return {
            "name": self.client.name,
            "api_key": self.api_key,
            "key_prefix": self.api_key.split("_", 2)[1],
            "webhook_secret": self.client.webhook_secret,
            "scopes": sorted(self.client.scope_set),
            "instansi": self.client.instansi,
            "all_instansi": self.client.all_instansi,
        }


@dataclass(frozen=True)
class NewSecret:
    """A rotated webhook secret, and until when the previous one still signs deliveries."""

    webhook_secret: str
    previous_valid_until: datetime | None


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key(client: ApiClient) -> tuple[ApiKey, str]:
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return ApiKey(client_id=client.id, key_prefix=prefix, key_hash=_hash_key(key)), key


def _grace(grace: timedelta) -> timedelta:
    if grace < timedelta(0) or grace > MAX_GRACE:
        raise ValueError(f"the grace period must be between 0 and {MAX_GRACE.days * 24} hours")
    return grace


def create_client(
    session: Session,
    name: str,
    scopes: Iterable[str],
    *,
    instansi: Iterable[str] = (),
    replace: bool = False,
    actor: str = "cli",
) -> NewClient:
    """Create a client with a new 256-bit key.

    ``replace`` keeps the live client of that name (its documents, Idempotency-Keys and webhook
    secret) with the scopes and instansi given now, and revokes its keys at once for a new one:
    :func:`rotate_key` is the way without downtime.

    :param instansi: the instansi the client serves; none named makes an operator client that
        serves every instansi.
    """
    names = instansi_names(instansi)
    scope_list = sorted(set(scopes))
    unknown = [s for s in scope_list if s not in SCOPES]
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(unknown)} (known: {', '.join(SCOPES)})")
    if not scope_list:
        raise ValueError("at least one scope is needed")
    client = _live_client(session, name) if replace else None
    replaced = client is not None
    if client is None:
        client = ApiClient(name=name, webhook_secret=secrets.token_hex(32))
        session.add(client)
    client.scopes = " ".join(scope_list)
    client.instansi_json = json.dumps(names, ensure_ascii=False)
    client.all_instansi = not names
    session.flush()
    if replaced:
        session.execute(
            update(ApiKey)
            .where(ApiKey.client_id == client.id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    row, key = _new_key(client)
    session.add(row)
    event = "client_key_replaced" if replaced else "client_created"
    audit.record(
        session,
        event=event,
        actor=actor,
        data={"client": name, "scopes": scope_list, "instansi": names, "key_prefix": row.key_prefix},
    )
    session.commit()
    return NewClient(client=client, api_key=key)


def _live_client(session: Session, name: str) -> ApiClient | None:
    return session.scalar(
        select(ApiClient)
        .where(ApiClient.name == name, ApiClient.revoked_at.is_(None))
        .order_by(ApiClient.id.desc())
        .limit(1)
    )


def client_named(session: Session, name: str) -> ApiClient:
    """The live client called ``name``; ``LookupError`` when there is none."""
    client = _live_client(session, name)
    if client is None:
        raise LookupError(f"no live client named {name!r}")
    return client


def rotate_key(
    session: Session, name: str, *, grace: timedelta = DEFAULT_GRACE, actor: str = "cli"
) -> NewClient:
    """A new key for the client; its other live keys keep working for ``grace``, then stop."""
    client = client_named(session, name)
    until = utcnow() + _grace(grace)
    session.execute(
        update(ApiKey)
        .where(
            ApiKey.client_id == client.id,
            ApiKey.revoked_at.is_(None),
            or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > until),
        )
        .values(expires_at=until)
    )
    row, key = _new_key(client)
    session.add(row)
    audit.record(
        session,
        event="client_key_rotated",
        actor=actor,
        data={"client": name, "key_prefix": row.key_prefix, "old_keys_valid_until": until.isoformat()},
    )
    session.commit()
    return NewClient(client=client, api_key=key)


def rotate_webhook_secret(
    session: Session,
    client: ApiClient,
    *,
    grace: timedelta = DEFAULT_GRACE,
    actor: str,
    key_prefix: str | None = None,
) -> NewSecret:
    """A new webhook secret; until ``grace`` has passed every delivery is signed with both.

    Signatures are made when a delivery is sent, so one queued before the rotation and sent
    after it carries both too: a receiver holding either secret can verify every delivery.

    :param key_prefix: the API key that asked (recorded), when it was asked through the API.
    :raises ConflictError: another rotation of this client's secret committed meanwhile (its new
        secret would otherwise be lost without ever having signed anything).
    """
    now = utcnow()
    until = now + _grace(grace) if grace else None
    old, new = client.webhook_secret, secrets.token_hex(32)
    changed = session.execute(
        update(ApiClient)
        .where(ApiClient.id == client.id, ApiClient.webhook_secret == old)
        .values(
            webhook_secret=new,
            webhook_secret_previous=old if until else None,
            webhook_secret_previous_until=until,
            webhook_secret_rotated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ConflictError(
            "Rahasia webhook baru saja diganti oleh permintaan lain; lihat GET /api/v1/client."
        )
    data: dict[str, object] = {
        "client": client.name,
        "previous_valid_until": until.isoformat() if until else None,
    }
    if key_prefix:
        data["key_prefix"] = key_prefix
    audit.record(session, event="webhook_secret_rotated", actor=actor, data=data)
    session.commit()
    session.refresh(client)
    return NewSecret(webhook_secret=new, previous_valid_until=until)


def set_webhook_ca(session: Session, client: ApiClient, pem: str | None, *, actor: str) -> None:
    """Trust the certificates in ``pem`` for this client's receivers, beside the system roots;
    ``None`` clears it. The certificates are parsed and only they are kept (written again as PEM),
    so nothing else in the file reaches the sender, and a file without one is refused now.
    """
    subjects: list[str] = []
    kept = None
    if pem is not None:
        try:
            certificates = x509.load_pem_x509_certificates(pem.encode("utf-8", "replace"))
        except ValueError as error:
            raise ValueError(f"not a PEM certificate bundle: {error}") from None
        subjects = [c.subject.rfc4514_string() for c in certificates]
        kept = "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certificates)
    client.webhook_ca_pem = kept
    audit.record(
        session, event="webhook_ca_set", actor=actor, data={"client": client.name, "subjects": subjects}
    )
    session.commit()


def client_dict(session: Session, client: ApiClient, key: ApiKey) -> dict[str, object]:
    """``GET /api/v1/client``: who the calling key belongs to, and the state of its secrets."""
    now = utcnow()
    until = client.previous_secret_until(now)
    keys = session.scalars(
        select(ApiKey).where(ApiKey.client_id == client.id, ApiKey.revoked_at.is_(None)).order_by(ApiKey.id)
    ).all()
    return {
        "name": client.name,
        "scopes": sorted(client.scope_set),
        "instansi": client.instansi,
        "all_instansi": client.all_instansi,
        "key_prefix": key.key_prefix,
        "keys": [
            {
                "key_prefix": k.key_prefix,
                "created_at": as_utc(k.created_at).isoformat(),
                "expires_at": as_utc(k.expires_at).isoformat() if k.expires_at else None,
            }
            for k in keys
            if k.live(now)
        ],
        "webhook_secret_rotated_at": (
            as_utc(client.webhook_secret_rotated_at).isoformat() if client.webhook_secret_rotated_at else None
        ),
        "previous_secret_valid_until": until.isoformat() if until else None,
        "webhook_ca": client.webhook_ca_pem is not None,
    }


def client_caller(client: ApiClient) -> Caller:
    """The client as a :class:`~service.tenancy.Caller`: its tenancy, and archive reading if granted."""
    return Caller(
        actor=f"client:{client.name}",
        tenancy=client.tenancy,
        client_id=client.id,
        archive="archive:read" in client.scope_set,
    )


def authenticate(session: Session, key: str) -> tuple[ApiClient, ApiKey] | None:
    """The live client that owns ``key`` and the key's row, compared in constant time, or ``None``.

    A key in its grace period after a rotation still works until ``expires_at``.
    """
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.key_prefix == parts[1]))
    if row is None or not row.live(utcnow()):
        return None
    if not hmac.compare_digest(row.key_hash, _hash_key(key)):
        return None
    client = session.get(ApiClient, row.client_id)
    if client is None or client.revoked_at is not None:
        return None
    return client, row


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="skp-sign"'}


def require_scope(*scopes: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Guard a view: a valid Bearer key (401 otherwise) holding every named scope (403 otherwise)."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            header = request.headers.get("Authorization", "")
            scheme, _, key = header.partition(" ")
            if scheme.lower() != "bearer" or not key.strip():
                raise UnauthorizedError(headers=_CHALLENGE)
            found = authenticate(get_session(), key.strip())
            if found is None:
                raise UnauthorizedError(headers=_CHALLENGE)
            client, api_key = found
            granted = client.scope_set.union(*(_IMPLIED.get(s, ()) for s in client.scope_set))
            missing = [s for s in scopes if s not in granted]
            if missing:
                raise ForbiddenError(
                    f"Kunci API ini tidak memiliki cakupan: {', '.join(missing)}.",
                    headers={
                        "WWW-Authenticate": f'Bearer realm="skp-sign", error="insufficient_scope", '
                        f'scope="{" ".join(scopes)}"'
                    },
                )
            g.api_client = client
            g.api_key = api_key
            return view(*args, **kwargs)

        return wrapper

    return decorator
