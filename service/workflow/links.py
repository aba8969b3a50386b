"""Signing links: 256-bit tokens derived from a server key and a per-link nonce.

The token is ``<signer id>.<HMAC-SHA256(server key, id:nonce)>``. The database holds only the
nonce, so it never reveals a usable link, yet the service can show the live link again in API
answers and webhooks. Re-issuing draws a new nonce, which kills the old token; using the link
sets ``link_used_at``, which kills it too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from service.errors import NotFoundError, ServiceError
from service.models import Signer, as_utc

__all__ = [
    "MAX_FAILED_ATTEMPTS",
    "LinkGoneError",
    "issue_link",
    "live_token",
    "resolve_signed",
    "resolve_token",
    "token_for",
]

#: Wrong passphrases (PINs, codes) allowed before a signing link locks (api.md: "locked after 5").
MAX_FAILED_ATTEMPTS = 5


class LinkGoneError(ServiceError):
    """The link was used, has expired or was revoked."""

    status = 410
    slug = "link-gone"


#: A signer id as this service writes it: ASCII digits, no leading zero (``int()`` would also take
#: "0001" or "١", and the same signer must not have several tokens).
_CANONICAL_ID = re.compile(r"[1-9][0-9]{0,11}", re.ASCII)


def _mac(secret: str, signer_id: int, nonce: str) -> str:
    digest = hmac.new(secret.encode(), f"skp-link:{signer_id}:{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def issue_link(signer: Signer, *, ttl: timedelta, now: datetime) -> None:
    """Give ``signer`` a fresh link valid ``ttl`` from ``now`` (the services' clock); the previous
    one, if any, dies (see :func:`live_token`).
    """
    signer.link_nonce = secrets.token_hex(16)
    signer.link_expires_at = now + ttl
    signer.link_used_at = None


def live_token(signer: Signer, *, secret: str, now: datetime) -> str | None:
    """The token of ``signer``'s link while it can still be used at ``now``, else ``None``."""
    if (
        signer.status != "pending"
        or signer.link_nonce is None
        or signer.link_used_at is not None
        or signer.link_expires_at is None
        or as_utc(signer.link_expires_at) <= now
    ):
        return None
    return token_for(signer, secret=secret)


def token_for(signer: Signer, *, secret: str) -> str | None:
    """The token of ``signer``'s current nonce whether or not it may be used now (tests, audits).

    :func:`live_token` is what the service hands out; this one also names a used, expired or
    out-of-turn link, so its refusal can be shown.
    """
    if signer.link_nonce is None:
        return None
    return f"{signer.id}.{_mac(secret, signer.id, signer.link_nonce)}"


def _genuine(session: Session, token: str, *, secret: str) -> Signer:
    """The signer whose current nonce ``token`` was made from; 404 otherwise (see :func:`resolve_token`)."""
    signer_id, _, mac = token.partition(".")
    unknown = NotFoundError("Tautan tidak dikenal atau sudah diganti dengan tautan baru.")
    if not _CANONICAL_ID.fullmatch(signer_id) or len(mac) != 43:
        raise unknown
    signer = session.get(Signer, int(signer_id))
    if signer is None or signer.link_nonce is None:
        raise unknown
    if not hmac.compare_digest(_mac(secret, signer.id, signer.link_nonce), mac):
        raise unknown
    return signer


def resolve_signed(session: Session, token: str, *, secret: str) -> Signer:
    """The signer of a genuine link that was used to sign (the caller decides for how long after);
    404 for any other token, so a refusal's or an unused link cannot fetch a copy this way.
    """
    signer = _genuine(session, token, secret=secret)
    if signer.status != "signed" or signer.link_used_at is None:
        raise NotFoundError("Tautan tidak dikenal atau sudah diganti dengan tautan baru.")
    return signer


def resolve_token(session: Session, token: str, *, secret: str, now: datetime) -> Signer:
    """The signer a token belongs to; 404 for a token this service did not hand out (or replaced),
    410 for a genuine link that was used or has expired.

    A wrong MAC answers exactly like an unknown id, so that probing cannot tell which ids exist;
    the id must be written canonically (``000<id>`` is not the same token).
    """
    # A forged token and an older link whose nonce a re-issue replaced both answer 404.
    signer = _genuine(session, token, secret=secret)
    if signer.link_used_at is not None:
        raise LinkGoneError("Tautan ini sudah digunakan.")
    if signer.link_expires_at is None or as_utc(signer.link_expires_at) <= now:
        raise LinkGoneError("Tautan ini sudah kedaluwarsa.")
    return signer
