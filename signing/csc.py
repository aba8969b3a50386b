"""Sign through a Cloud Signature Consortium (CSC) API v1 service, as a :class:`DocumentSigner`.

Built on pyHanko's :class:`~pyhanko.sign.signers.csc_signer.CSCSigner` (``signatures/signHash``)
with an authorization manager that calls ``credentials/authorize`` with the official's PIN/OTP and
the list of hashes about to be signed (hash-bound SAD, SCAL 2), so the SAD is good for exactly this
signature and nothing else.

Event loops: :func:`signing.pdf.approve` uses pyHanko's synchronous API, which runs its own
``asyncio`` loop per call. An ``aiohttp`` session belongs to the loop that created it, so none is
kept: every commit opens one inside the running loop and closes it before the loop ends.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn, cast

import aiohttp
from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
)
from pyhanko.sign.signers.pdf_cms import Signer

from signing._asn1 import cert_from_asn1
from signing.errors import (
    CscCredentialNotFoundError,
    CscError,
    ProviderUnavailableError,
    WrongPinError,
)
from signing.signers import subject_id_digits

__all__ = ["CscDocumentSigner", "open_csc_signer"]

log = logging.getLogger(__name__)

PROVIDER = "CSC"
_WRONG_SECRET = frozenset({"invalid_pin", "invalid_otp"})


@dataclass(frozen=True)
class _Service(CSCServiceSessionInfo):
    """Session info whose ``service_url`` is the full API base (``…/csc/v1``), as configured."""

    def endpoint_url(self, endpoint_name: str) -> str:
        return f"{self.service_url}/{endpoint_name}"


class _Http:
    """One JSON POST helper for every CSC call, mapping failures to :mod:`signing.errors`."""

    def __init__(self, service: _Service, timeout: float) -> None:
        self.service = service
        self.timeout = timeout

    async def post(
        self, session: aiohttp.ClientSession, endpoint: str, body: Mapping[str, Any]
    ) -> dict[str, Any]:
        url = self.service.endpoint_url(endpoint)
        try:
            async with session.post(
                url,
                json=dict(body),
                headers=self.service.auth_headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                status = response.status
                try:
                    data = await response.json(content_type=None)
                except (ValueError, aiohttp.ContentTypeError):
                    data = None
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as e:
            raise ProviderUnavailableError(
                f"{endpoint}: koneksi gagal", provider=PROVIDER, dispatched=False
            ) from e
        except (TimeoutError, aiohttp.ClientError) as e:
            raise ProviderUnavailableError(
                f"{endpoint}: {type(e).__name__}", provider=PROVIDER, dispatched=True
            ) from e
        if status >= 500:
            raise ProviderUnavailableError(f"{endpoint}: HTTP {status}", provider=PROVIDER, dispatched=True)
        if status >= 400:
            _refuse(endpoint, status, data if isinstance(data, dict) else {})
        if not isinstance(data, dict):
            raise CscError(f"Jawaban {endpoint} dari layanan CSC bukan JSON.")
        return data


def _refuse(endpoint: str, status: int, data: Mapping[str, Any]) -> NoReturn:
    error = str(data.get("error") or "")
    if error in _WRONG_SECRET:
        raise WrongPinError(error)
    if status == 404:
        raise CscError(f"Layanan CSC tidak mengenal kredensial yang diminta ({endpoint}).", error="not_found")
    if status == 401:
        raise CscError(
            "Layanan CSC menolak token akses instansi; hubungi administrator.", error=error or None
        )
    description = str(data.get("error_description") or "")
    raise CscError(
        f"Layanan CSC menolak {endpoint}: HTTP {status}"
        + (f" {error}" if error else "")
        + (f" ({description})" if description else ""),
        error=error or None,
    )


class _PinAuthorization(CSCAuthorizationManager):
    """``credentials/authorize`` with the PIN/OTP and the hashes to sign; the secrets are used once.

    The SAD is requested only when pyHanko knows the hash (just before ``signatures/signHash``), so
    it cannot authorise anything else; the PIN/OTP are dropped as soon as they have been sent.
    """

    def __init__(
        self,
        service: _Service,
        credential: CSCCredentialInfo,
        *,
        http: _Http,
        pin: str | None,
        otp: str | None,
    ) -> None:
        super().__init__(service, credential)
        self._http = http
        self._pin = pin
        self._otp = otp
        self._used = False
        self.session: aiohttp.ClientSession | None = None

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        if self._used:
            raise CscError(
                "PIN/OTP sudah dipakai untuk satu tanda tangan; masukkan lagi untuk yang berikutnya."
            )
        if self.session is None:  # pragma: no cover - only reachable by misuse of the class
            raise CscError("Sesi HTTP ke layanan CSC tidak terbuka.")
        body = self.format_csc_auth_request(
            pin=self._pin,
            otp=self._otp,
            hash_b64s=list(hash_b64s),
            description="Tanda tangan dokumen SKP",
        )
        self._used = True
        self._pin = self._otp = None
        try:
            data = await self._http.post(self.session, "credentials/authorize", body)
        finally:
            body.pop("PIN", None)
            body.pop("OTP", None)
        try:
            info: CSCAuthorizationInfo = self.parse_csc_auth_response(data)
        except PyHankoSigningError as e:
            raise CscError("Jawaban credentials/authorize tanpa SAD.") from e
        return info


class _SessionPerCommitSigner(CSCSigner):
    """A :class:`CSCSigner` that opens its ``aiohttp`` session inside the loop that commits."""

    def __init__(self, auth: _PinAuthorization, *, timeout: float) -> None:
        # pyHanko's constructor wants a session; there is none until a loop runs (see commit).
        super().__init__(
            cast(aiohttp.ClientSession, None),
            auth,
            sign_timeout=max(1, round(timeout)),
        )
        self._auth = auth
        self._timeout = timeout

    async def commit(self) -> None:
        async with aiohttp.ClientSession() as session:
            self.session = session
            self._auth.session = session
            try:
                await super().commit()  # type: ignore[no-untyped-call]
            except PyHankoSigningError as e:
                _translate(e, "signatures/signHash")
            finally:
                self._auth.session = None
                self.session = cast(aiohttp.ClientSession, None)


def _translate(e: PyHankoSigningError, endpoint: str) -> NoReturn:
    """Unwrap the transport failures of signHash that pyHanko wraps in its own SigningError."""
    cause = e.__cause__
    if isinstance(cause, aiohttp.ClientResponseError):
        if cause.status >= 500:
            raise ProviderUnavailableError(
                f"{endpoint}: HTTP {cause.status}", provider=PROVIDER, dispatched=True
            ) from e
        raise CscError(f"Layanan CSC menolak {endpoint}: HTTP {cause.status} {cause.message}") from e
    if isinstance(cause, (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)):
        raise ProviderUnavailableError(
            f"{endpoint}: koneksi gagal", provider=PROVIDER, dispatched=False
        ) from e
    if isinstance(cause, (TimeoutError, aiohttp.ClientError)):
        raise ProviderUnavailableError(
            f"{endpoint}: {type(cause).__name__}", provider=PROVIDER, dispatched=True
        ) from e
    raise CscError(f"Penandatanganan melalui layanan CSC gagal: {e}") from e


class CscDocumentSigner:
    """A :class:`signing.signers.DocumentSigner` whose key lives at a CSC service.

    One instance makes one signature (the PIN/OTP authorise a single hash); open a new one, with
    the PIN/OTP typed again, for the next.
    """

    def __init__(self, *, credential_id: str, credential: CSCCredentialInfo, signer: CSCSigner) -> None:
        self.credential_id = credential_id
        self._credential = credential
        self._signer = signer
        self._certificate = cert_from_asn1(credential.signing_cert)
        self._chain = tuple(cert_from_asn1(c) for c in credential.chain)

    @property
    def pyhanko_signer(self) -> Signer:
        """The pyHanko CSC signer (``credentials/authorize`` + ``signatures/signHash`` per signature)."""
        return self._signer

    @property
    def certificate(self) -> x509.Certificate:
        """The credential's certificate."""
        return self._certificate

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """The CA certificates the service returned with it."""
        return self._chain


def open_csc_signer(
    base_url: str,
    *,
    credential_id: str | None = None,
    lookup_ids: Collection[str] = (),
    pin: str | None = None,
    otp: str | None = None,
    token: str | None = None,
    timeout: float = 30,
    client_data: str | None = None,
    acceptable: Callable[[x509.Certificate, Sequence[x509.Certificate]], bool] | None = None,
) -> CscDocumentSigner:
    """Find the official's credential and prepare a signer for one signature.

    :param base_url: The API base, e.g. ``https://tsp.example/csc/v1`` (``SKP_CSC_URL``).
    :param credential_id: The credential to use (``sertifikat.credential_id``).
    :param lookup_ids: Without ``credential_id``: NIK/NIP, one of which the credential's
        certificate must carry as its subject serialNumber (digits compared).
    :param pin: The official's PIN, sent with ``credentials/authorize``.
    :param otp: Or their one-time password.
    :param token: Bearer token for the service (``SKP_CSC_TOKEN``).
    :param timeout: Seconds per HTTP call.
    :param client_data: ``clientData`` for ``credentials/list`` (vendor-specific, e.g. a realm).
    :param acceptable: When several credentials carry the number, keep those whose certificate (and
        chain) this accepts, e.g. trusted by the caller's anchors; one left is the official's.
    :raises CscCredentialNotFoundError: if no credential matches.
    :raises CscError: for a refusal or an answer that cannot be used (also several matches).
    :raises ProviderUnavailableError: if the service cannot be reached or fails (5xx, timeout).
    """
    if credential_id is None and not lookup_ids:
        raise ValueError("give credential_id or lookup_ids")
    service = _Service(service_url=_api_base(base_url), credential_id=credential_id or "", oauth_token=token)
    http = _Http(service, timeout)
    matches = asyncio.run(
        _find_credentials(http, credential_id=credential_id, lookup_ids=lookup_ids, client_data=client_data)
    )
    if len(matches) > 1 and acceptable is not None:
        # Outside the loop: the check may validate the chain (and fetch revocation) on its own loop.
        matches = [
            (cid, info)
            for cid, info in matches
            if acceptable(cert_from_asn1(info.signing_cert), [cert_from_asn1(c) for c in info.chain])
        ] or matches
    if len(matches) > 1:
        who = " / ".join(sorted(lookup_ids))
        raise CscError(
            f"Layanan CSC memiliki lebih dari satu sertifikat untuk {who} "
            f"({', '.join(cid for cid, _ in matches)}); tentukan credential_id.",
            error="ambiguous",
        )
    found_id, credential = matches[0]
    service = _Service(service_url=service.service_url, credential_id=found_id, oauth_token=token)
    http = _Http(service, timeout)
    auth = _PinAuthorization(service, credential, http=http, pin=pin, otp=otp)
    signer = _SessionPerCommitSigner(auth, timeout=timeout)
    return CscDocumentSigner(credential_id=found_id, credential=credential, signer=signer)


# -- internals ------------------------------------------------------------------------------------


def _api_base(base_url: str) -> str:
    base = base_url.rstrip("/")
    return base if "/csc/" in base + "/" else f"{base}/csc/v1"


async def _find_credentials(
    http: _Http, *, credential_id: str | None, lookup_ids: Collection[str], client_data: str | None
) -> list[tuple[str, CSCCredentialInfo]]:
    """The named credential, or every currently valid one whose certificate carries the number."""
    async with aiohttp.ClientSession() as session:
        if credential_id is not None:
            try:
                return [(credential_id, await _credential_info(http, session, credential_id))]
            except CscError as e:
                if e.error == "not_found":
                    raise CscCredentialNotFoundError(f"kredensial {credential_id}") from e
                raise
        wanted = {"".join(ch for ch in i if ch.isdigit()) for i in lookup_ids} - {""}
        body: dict[str, Any] = {"maxResults": 100}
        if client_data is not None:
            body["clientData"] = client_data
        listing = await http.post(session, "credentials/list", body)
        ids = listing.get("credentialIDs")
        if not isinstance(ids, list):
            raise CscError("Jawaban credentials/list tanpa credentialIDs.")
        now = datetime.now(UTC)
        matches: list[tuple[str, CSCCredentialInfo]] = []
        for cid in map(str, ids):
            try:
                info = await _credential_info(http, session, cid)
            except CscError as e:
                log.info("CSC credential %s skipped: %s", cid, e.message)
                continue
            cert = cert_from_asn1(info.signing_cert)
            if subject_id_digits(cert) not in wanted:
                continue
            if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
                continue
            matches.append((cid, info))
        who = " / ".join(sorted(wanted))
        if not matches:
            raise CscCredentialNotFoundError(f"NIK/NIP {who}")
        return matches


async def _credential_info(
    http: _Http, session: aiohttp.ClientSession, credential_id: str
) -> CSCCredentialInfo:
    data = await http.post(
        session,
        "credentials/info",
        {"credentialID": credential_id, "certificates": "chain", "certInfo": False},
    )
    try:
        certs = [asn1_x509.Certificate.load(base64.b64decode(c)) for c in data["cert"]["certificates"]]
        mechanisms = frozenset(algos.SignedDigestAlgorithmId(oid).native for oid in data["key"]["algo"])
        scal = int(data.get("SCAL", 1))
        multisign = int(data.get("multisign", 1))
        if not certs:
            raise ValueError("no certificate")
        _ = certs[0].subject  # parse now, not in the middle of a signature
    except (KeyError, TypeError, ValueError) as e:
        raise CscError(f"Jawaban credentials/info untuk {credential_id} tidak dapat dibaca: {e}") from e
    status = data.get("key", {}).get("status")
    if status not in (None, "enabled"):
        raise CscError(f"Kunci kredensial {credential_id} di layanan CSC tidak aktif ({status}).")
    return CSCCredentialInfo(
        signing_cert=certs[0],
        chain=certs[1:],
        supported_mechanisms=mechanisms,
        max_batch_size=multisign,
        hash_pinning_required=scal == 2,
        response_data=data,
    )
