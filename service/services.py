"""The service's slow or external parts, built once per app from config and handed to operations."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

from service.jobs import CeleryRunner, InProcessRunner, JobRunner
from service.storage import DocumentStore, FilesystemStore

if TYPE_CHECKING:
    from service.documents.converter import PdfConverter
    from signing import DevPki, DocumentSigner, Timestamper, TrustStore

__all__ = ["Services", "get_services", "init_app"]


@dataclass
class Services:
    """What operations need from the outside world; tests build it from real parts too."""

    store: DocumentStore
    runner: JobRunner
    config: Any  # the app.config itself, so later changes (tests, PUBLIC_URL) are seen
    _converter: PdfConverter | None = None
    _pki: DevPki | None = None
    _seal_signer: DocumentSigner | None = None
    _timestamper: Timestamper | None = None
    _pkcs11: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: Its own lock: starting LibreOffice takes seconds and must not hold up the PKI or the seal.
    _converter_lock: threading.Lock = field(default_factory=threading.Lock)

    def converter(self) -> PdfConverter:
        """The warm LibreOffice pool, started on first use (or by :meth:`warm_up`) and kept."""
        with self._converter_lock:
            if self._converter is None:
                from service.documents.converter import LibreOfficeConverter

                self._converter = LibreOfficeConverter(
                    processes=self.config["CONVERTER_PROCESSES"],
                    work_dir=self.config["CONVERTER_WORK_DIR"],
                )
            return self._converter

    def warm_up(self) -> None:
        self.converter()

    def pki(self) -> DevPki:
        """The instance PKI (keys decrypted once with the instance secret, kept in memory)."""
        with self._lock:
            return self._pki_locked()

    def _pki_locked(self) -> DevPki:
        if self._pki is None:
            from signing import load_dev_pki

            self._pki = load_dev_pki(
                self.config["PKI_DIR"], key_passphrase=self.config["KEY_ENCRYPTION_SECRET"].encode()
            )
        return self._pki

    def seal_signer(self) -> DocumentSigner:
        """The instance seal: a key in a PKCS#11 token when ``SEAL_PKCS11_MODULE`` is set (one
        session per process, opened on first use), else the development PKI's seal key."""
        with self._lock:
            if self._seal_signer is None:
                module = self.config.get("SEAL_PKCS11_MODULE")
                if module:
                    from signing import Pkcs11Session

                    self._pkcs11 = Pkcs11Session(
                        module_path=module,
                        token_label=self.config["SEAL_PKCS11_TOKEN"],
                        user_pin=self.config["SEAL_PKCS11_PIN"],
                    )
                    self._seal_signer = self._pkcs11.signer(
                        key_label=self.config["SEAL_PKCS11_KEY_LABEL"], chain=self._pki_locked().chain
                    )
                else:
                    self._seal_signer = self._pki_locked().seal_signer()
            return self._seal_signer

    def timestamper(self) -> Timestamper:
        """An external TSA when ``TSA_URL`` is set, else the instance's own."""
        if self._timestamper is None:
            from signing import HttpTsa

            url = self.config.get("TSA_URL")
            self._timestamper = HttpTsa(url) if url else self.pki().local_tsa()
        return self._timestamper

    def trust(self) -> TrustStore:
        return self.pki().trust_store()

    def close(self) -> None:
        self.runner.close()
        if self._converter is not None:
            self._converter.close()
        if self._pkcs11 is not None:
            self._pkcs11.close()


def init_app(app: Flask) -> None:
    """Build the store and the job runner named by config; tests may pass ready objects in."""
    import service.workflow.history
    import service.workflow.pipeline  # noqa: F401  (these register the jobs)

    config = app.config
    store = config.get("STORE") or FilesystemStore(root=config["FILES_DIR"])
    runner: JobRunner
    if config.get("RUNNER") is not None:
        runner = config["RUNNER"]
    elif config["JOB_RUNNER"] == "celery":
        runner = CeleryRunner(app=app, broker_url=config["CELERY_BROKER_URL"])
    else:
        runner = InProcessRunner(app=app, workers=config["CONVERTER_PROCESSES"])
    services = Services(store=store, runner=runner, config=config)
    if config.get("CONVERTER") is not None:
        services._converter = config["CONVERTER"]
    app.extensions["skp"] = services


def get_services() -> Services:
    services: Services = current_app.extensions["skp"]
    return services
