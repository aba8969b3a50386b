"""SQLAlchemy models. Writes happen in ``*/operations.py``, never in the models themselves."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base

__all__ = ["ApiClient", "Base", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class ApiClient(Base):
    """An HR system allowed to call ``/api/v1``. The key itself is never stored, only its hash."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    #: Public part of the key, used to find the row without scanning hashes.
    key_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    #: SHA-256 of the whole key (the key carries 256 random bits, so no slow KDF is needed).
    key_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(200))
    #: Secret for the HMAC of webhook bodies (X-SKP-Signature).
    webhook_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())
