"""API clients: creation, authentication and the ``Authorization: Bearer`` guard for ``/api/v1``."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from flask import g, request
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.db import get_session
from service.errors import ForbiddenError, UnauthorizedError
from service.models import ApiClient, utcnow
from service.tenancy import Caller, instansi_names

__all__ = [
    "DEFAULT_SCOPES",
    "SCOPES",
    "NewClient",
    "authenticate",
    "client_caller",
    "create_client",
    "require_scope",
]

SCOPES = ("documents:write", "documents:read", "archive:read")
#: Least privilege: a new client creates and reads its own documents; ``archive:read`` is asked for.
DEFAULT_SCOPES = ("documents:write", "documents:read")
#: Reading the archive (every client's documents of the tenancy) includes reading documents.
_IMPLIED = {"archive:read": frozenset({"documents:read"})}
KEY_PREFIX = "skp"

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class NewClient:
    """A freshly created client; ``api_key`` is shown once and then only its hash exists."""

    client: ApiClient
    api_key: str


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_client(
    session: Session,
    name: str,
    scopes: Iterable[str],
    *,
    instansi: Iterable[str] = (),
    replace: bool = False,
) -> NewClient:
    """Create a client with a new 256-bit key; ``replace`` revokes the name's earlier keys.

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
    if replace:
        session.execute(
            update(ApiClient)
            .where(ApiClient.name == name, ApiClient.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    client = ApiClient(
        name=name,
        key_prefix=prefix,
        key_hash=_hash_key(key),
        scopes=" ".join(scope_list),
        webhook_secret=secrets.token_hex(32),
        instansi_json=json.dumps(names, ensure_ascii=False),
        all_instansi=not names,
    )
    session.add(client)
    session.commit()
    return NewClient(client=client, api_key=key)


def client_caller(client: ApiClient) -> Caller:
    """The client as a :class:`~service.tenancy.Caller`: its tenancy, and archive reading if granted."""
    return Caller(
        actor=f"client:{client.name}",
        tenancy=client.tenancy,
        client_id=client.id,
        archive="archive:read" in client.scope_set,
    )


def authenticate(session: Session, key: str) -> ApiClient | None:
    """The live client that owns ``key``, compared in constant time, or ``None``."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    client = session.scalar(select(ApiClient).where(ApiClient.key_prefix == parts[1]))
    if client is None or client.revoked_at is not None:
        return None
    if not hmac.compare_digest(client.key_hash, _hash_key(key)):
        return None
    return client


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
            client = authenticate(get_session(), key.strip())
            if client is None:
                raise UnauthorizedError(headers=_CHALLENGE)
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
            return view(*args, **kwargs)

        return wrapper

    return decorator
