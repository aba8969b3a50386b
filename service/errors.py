"""Errors that carry data; :mod:`service.problems` turns them into RFC 9457 problem details."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "DETAIL_ID",
    "ConflictError",
    "FieldError",
    "ForbiddenError",
    "IdempotencyConflictError",
    "LockedError",
    "MalformedRequestError",
    "NotFoundError",
    "ProviderFailedError",
    "ProviderUnavailableServiceError",
    "ServiceError",
    "TooManyAttemptsError",
    "UnauthorizedError",
    "UnprocessableError",
    "UnsupportedMediaTypeError",
]

#: Indonesian ``detail`` for statuses raised by Flask/Werkzeug themselves.
DETAIL_ID: Mapping[int, str] = {
    400: "Permintaan tidak dapat dibaca.",
    401: "Kunci API tidak ada atau tidak berlaku.",
    403: "Kunci API ini tidak berhak atas tindakan tersebut.",
    404: "Sumber daya tidak ditemukan.",
    405: "Metode HTTP ini tidak diizinkan untuk alamat ini.",
    409: "Permintaan bertentangan dengan keadaan sumber daya saat ini.",
    410: "Sumber daya ini tidak berlaku lagi.",
    413: "Isi permintaan melebihi batas ukuran.",
    414: "Alamat permintaan (path dan query) terlalu panjang.",
    415: "Jenis isi permintaan tidak didukung.",
    422: "Isi permintaan tidak memenuhi aturan.",
    423: "Sumber daya ini terkunci sementara setelah terlalu banyak percobaan yang gagal.",
    429: "Terlalu banyak permintaan; coba lagi nanti.",
    500: "Terjadi kesalahan pada layanan. Kejadian ini telah dicatat.",
    502: "Penyedia sertifikat mengembalikan hasil yang tidak dapat diterima.",
    503: "Penyedia sertifikat tidak dapat dihubungi saat ini; coba lagi nanti.",
}

FieldError = Mapping[str, str]


class ServiceError(Exception):
    """Base of every error the service answers on purpose.

    ``slug`` names the kind of problem: its ``type`` is ``<base url>/problems/<slug>``, a page that
    describes it (:mod:`service.problems` holds the descriptions, one per slug).
    """

    status = 400
    slug = "bad-request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        self.detail = detail or DETAIL_ID.get(self.status, "")
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.extra = extra
        super().__init__(self.detail)


class UnprocessableError(ServiceError):
    """The request is readable but breaks a rule (422)."""

    status = 422
    slug = "validation"


class NotFoundError(ServiceError):
    """No such resource, or not one the caller may see (404)."""

    status = 404
    slug = "not-found"


class ConflictError(ServiceError):
    """The resource is in a state that does not allow this now (409)."""

    status = 409
    slug = "conflict"


class IdempotencyConflictError(ConflictError):
    """The ``Idempotency-Key`` was used before for a different body (409)."""

    slug = "idempotency-conflict"


class UnauthorizedError(ServiceError):
    """No valid API key (401)."""

    status = 401
    slug = "unauthorized"


class ForbiddenError(ServiceError):
    """The key lacks the scope, the tenancy or the ownership the action needs (403)."""

    status = 403
    slug = "forbidden"


class UnsupportedMediaTypeError(ServiceError):
    """The body is not of a media type the route takes (415)."""

    status = 415
    slug = "unsupported-media-type"


class MalformedRequestError(ServiceError):
    """The body cannot be read as what the route takes (broken JSON, not an object)."""

    status = 400
    slug = "malformed-body"


class LockedError(ServiceError):
    """Too many failed attempts: the resource is locked."""

    status = 423
    slug = "locked"


class TooManyAttemptsError(ServiceError):
    """Too many failures from one address: refused until its window ends (429, ``Retry-After``)."""

    status = 429
    slug = "rate-limited"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class ProviderFailedError(ServiceError):
    """An outside certificate provider answered with something the service refuses to keep (a PDF
    that is not an incremental update, a broken earlier signature, another signer); nothing changed.
    """

    status = 502
    slug = "provider-failed"


class ProviderUnavailableServiceError(ServiceError):
    """An outside certificate provider did not answer in time or failed on its side; nothing
    changed and nothing is retried by itself: the official may try again.
    """

    status = 503
    slug = "provider-unavailable"
