"""The service's outside parts, built once by the composition root and handed to every operation.

Nothing here reads configuration keys or knows Flask: :class:`Services` is given typed
:class:`~service.settings.Settings` and ready objects; the parts that are slow to start (the
LibreOffice pool, the PKI, a PKCS#11 session) are built on first use from those settings and kept.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cryptography import x509
from sqlalchemy.orm import Session, sessionmaker

from service.documents.converter import LibreOfficeConverter
from service.documents.gambar import Gambar, load_form_images
from service.interfaces import (
    BsreService,
    CertificateIssuer,
    Clock,
    DocumentSigner,
    DocumentStore,
    JobRunner,
    Notifier,
    PdfConverter,
    Timestamper,
    WebhookSender,
)
from service.leases import JobLeases
from service.settings import PublicUrls, Settings
from signing import DevCaIssuer, DevPki, HttpTsa, Pkcs11Session, TrustStore, load_dev_pki, revoke
from signing.bsre import BsreClient
from signing.csc import CscDocumentSigner, open_csc_signer

__all__ = ["Services"]


@dataclass(kw_only=True)
class Services:
    """What operations need from the outside world; tests build it from real parts too."""

    settings: Settings
    sessions: sessionmaker[Session]
    store: DocumentStore
    runner: JobRunner
    #: This process's job leases (renewed while it holds one; reclaimed from dead processes).
    leases: JobLeases
    clock: Clock
    webhooks: WebhookSender
    notifier: Notifier
    _converter: PdfConverter | None = None
    _pki: DevPki | None = None
    _seal_signer: DocumentSigner | None = None
    _timestamper: Timestamper | None = None
    _issuer: CertificateIssuer | None = None
    _pkcs11: Pkcs11Session | None = None
    _form_images: Mapping[str, Gambar] | None = None
    _bsre: BsreService | None = None
    #: Built once (and again when the instance CRL changes): its parsed roots and CRLs are reused.
    _trust: TrustStore | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: Its own lock: starting LibreOffice takes seconds and must not hold up the PKI or the seal.
    _converter_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def urls(self) -> PublicUrls:
        """The public addresses (signing links, verification pages)."""
        return self.settings.urls

    def converter(self) -> PdfConverter:
        """The warm LibreOffice pool, started on first use (or by :meth:`warm_up`) and kept."""
        with self._converter_lock:
            if self._converter is None:
                self._converter = LibreOfficeConverter(
                    processes=self.settings.converter_processes,
                    work_dir=self.settings.converter_work_dir,
                )
            return self._converter

    def warm_up(self) -> None:
        """Start the converter now rather than at the first document."""
        self.converter()

    def pki(self) -> DevPki:
        """The instance PKI (keys decrypted once with the instance secret, kept in memory)."""
        with self._lock:
            return self._pki_locked()

    def _pki_locked(self) -> DevPki:
        if self._pki is None:
            self._pki = load_dev_pki(
                self.settings.pki_dir, key_passphrase=self.settings.key_encryption_secret.encode()
            )
        return self._pki

    def seal_signer(self) -> DocumentSigner:
        """The instance seal: a key in a PKCS#11 token when configured (one session per process,
        opened on first use), else the development PKI's seal key.
        """
        with self._lock:
            if self._seal_signer is None:
                token = self.settings.seal_pkcs11
                if token is not None:
                    self._pkcs11 = Pkcs11Session(
                        module_path=token.module, token_label=token.token, user_pin=token.pin
                    )
                    # The seal certificate's own chain: the instance CA's, or an outside CA's.
                    found = self._pkcs11.signer(key_label=token.key_label)
                    chain = self._trust_locked().chain_for(found.certificate)
                    self._seal_signer = self._pkcs11.signer(key_label=token.key_label, chain=chain)
                else:
                    self._seal_signer = self._pki_locked().seal_signer()
            return self._seal_signer

    def timestamper(self) -> Timestamper:
        """An external TSA when ``TSA_URL`` is set, else the instance's own."""
        with self._lock:
            if self._timestamper is None:
                url = self.settings.tsa_url
                self._timestamper = HttpTsa(url) if url else self._pki_locked().local_tsa()
            return self._timestamper

    def issuer(self) -> CertificateIssuer:
        """Who issues an official's signing certificate on first use: the development CA."""
        with self._lock:
            if self._issuer is None:
                self._issuer = DevCaIssuer(pki=self._pki_locked())
            return self._issuer

    def bsre(self) -> BsreService:
        """The agency's BSrE eSign Client Service (one HTTP session per process, kept)."""
        settings = self.settings.bsre
        if settings is None:
            raise LookupError("BSRE_URL is not configured")
        with self._lock:
            if self._bsre is None:
                self._bsre = BsreClient(
                    settings.url, settings.client_id, settings.client_secret, timeout=settings.timeout
                )
            return self._bsre

    def csc_signer(
        self,
        *,
        credential_id: str | None,
        lookup_ids: Sequence[str],
        pin: str | None,
        otp: str | None,
    ) -> CscDocumentSigner:
        """A signer for one official's credential at the CSC provider (its certificate read now;
        the PIN or OTP authorizes exactly the hashes of this signature).
        """
        settings = self.settings.csc
        if settings is None:
            raise LookupError("CSC_URL is not configured")
        return open_csc_signer(
            settings.url,
            credential_id=credential_id,
            lookup_ids=lookup_ids,
            pin=pin,
            otp=otp,
            token=settings.token,
            timeout=settings.timeout,
            # Of several credentials carrying the number, the official's is the one this instance trusts.
            acceptable=lambda certificate, chain: self.trust().check_certificate(
                certificate, extra_certs=chain, fetch=True
            )
            is None,
        )

    def trust(self) -> TrustStore:
        """What every trust decision here uses (validation, ``/verify``, ``/v/<code>``, uploaded
        ``.p12`` files, signing): the instance CA with its CRLs, and the outside anchors of
        ``TRUST_ANCHORS_DIR``, whose certificates' revocation is fetched when signing.
        """
        with self._lock:
            return self._trust_locked()

    def _trust_locked(self) -> TrustStore:
        if self._trust is None:
            self._trust = self._pki_locked().trust_store().with_anchors(self.settings.trust_anchors)
        return self._trust

    def form_images(self) -> Mapping[str, Gambar]:
        """The instance's Garuda and letterhead, those it has, read once (a new file: restart)."""
        with self._lock:
            if self._form_images is None:
                self._form_images = load_form_images(dict(self.settings.form_images))
            return self._form_images

    def revoke_certificate(self, serial_number: int) -> None:
        """Put a certificate of the instance CA on its CRL (re-enrollment), and use the new CRL here.

        Other processes keep the CRL they loaded until they restart; the key itself is retired in
        the database at once, so nothing signs with it anywhere.
        """
        with self._lock:
            self._pki = revoke(
                self._pki_locked(), serial_number=serial_number, reason=x509.ReasonFlags.superseded
            )
            self._issuer = None
            self._trust = None

    def close(self) -> None:
        """Stop the runner, the lease heartbeat, the converter and the token session."""
        self.runner.close()
        self.leases.close()
        if self._converter is not None:
            self._converter.close()
        if self._pkcs11 is not None:
            self._pkcs11.close()
        if self._bsre is not None:
            self._bsre.close()
