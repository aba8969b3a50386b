"""The outside parts the service talks to, each behind one small interface, declared here only.

The factory (:mod:`service.composition`) builds one implementation of each from the settings and
hands them to operations inside :class:`service.services.Services`; nothing else constructs them.

| interface | implementations |
|---|---|
| :class:`DocumentStore` | :class:`service.storage.FilesystemStore` |
| :class:`JobRunner` | :class:`service.jobs.InProcessRunner`, :class:`service.jobs.CeleryRunner` |
| :class:`PdfConverter` | :class:`service.documents.converter.LibreOfficeConverter` |
| :class:`Timestamper` | :class:`signing.LocalTsa`, :class:`signing.HttpTsa` |
| :class:`DocumentSigner` | :class:`signing.Pkcs12Signer`, :class:`signing.Pkcs11Signer`, CSC's |
| :class:`CertificateIssuer` | :class:`signing.DevCaIssuer` |
| :class:`BsreService` | :class:`signing.bsre.BsreClient` (tests: against ``tests/outside/bsre_server.py``) |
| :class:`WebhookSender` | :class:`service.outbound.RequestsWebhookSender` |
| :class:`Notifier` | :class:`service.outbound.SmtpNotifier`, :class:`service.outbound.MaildirNotifier` |
| :class:`Clock` | :class:`service.outbound.SystemClock` |

CSC's is :class:`signing.csc.CscDocumentSigner`, opened per signature by ``Services.csc_signer``.
``Timestamper``, ``DocumentSigner`` and ``CertificateIssuer`` are the signing library's own protocols
(it is the one that calls or implements them); they are re-exported so that this module stays the
one list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from signing.bsre import BsreAppearance, BsreUserStatus
from signing.issuing import CertificateIssuer
from signing.signers import DocumentSigner
from signing.timestamps import Timestamper

__all__ = [
    "BsreService",
    "CertificateIssuer",
    "Clock",
    "DocumentSigner",
    "DocumentStore",
    "JobRunner",
    "Mail",
    "Notifier",
    "PdfConverter",
    "StoreEntry",
    "Timestamper",
    "WebhookSender",
]


@dataclass(frozen=True)
class StoreEntry:
    """One file in a :class:`DocumentStore`, as its orphan sweep sees it."""

    document_id: str
    name: str
    #: When it was written (aware, UTC).
    modified: datetime
    size: int
    #: What a write that never finished left (a temp file); never a stored file.
    partial: bool = False


class DocumentStore(Protocol):
    """Where document files live; names are flat (``rev-0001-….pdf``, ``form.docx``).

    A stored file is immutable: ``put`` of an existing name raises ``FileExistsError``. Only the
    orphan sweep (:func:`service.workflow.recovery.collect_orphan_files`) deletes, files no row
    refers to.
    """

    def put(self, document_id: str, name: str, data: bytes) -> None:
        """Store ``data`` atomically under a new name."""

    def get(self, document_id: str, name: str) -> bytes:
        """The stored bytes; ``FileNotFoundError`` when there are none."""

    def exists(self, document_id: str, name: str) -> bool:
        """Whether ``name`` is stored for the document."""

    def entries(self) -> Iterator[StoreEntry]:
        """Every file, of every document, with what a write left half-done."""

    def delete(self, entry: StoreEntry) -> None:
        """Remove one file :meth:`entries` gave; one already gone is no error."""


class JobRunner(Protocol):
    """Where slow work runs; a job is a name and a document id, and may run again after a crash."""

    def submit(self, name: str, document_id: str) -> None:
        """Queue job ``name`` for the document; ``KeyError`` for an unknown job."""

    def wait_idle(self, timeout: float) -> bool:
        """Wait for queued jobs of this process (True when idle; a broker cannot tell: True)."""

    def close(self) -> None:
        """Stop taking jobs and let the running ones finish."""


class PdfConverter(Protocol):
    """Turns a filled Word file into a PDF/A-2b document with embedded fonts.

    Implementations are thread-safe: the job runner calls :meth:`convert` from several threads.
    """

    def convert(self, docx: bytes, *, timeout: float) -> bytes:
        """The PDF of ``docx``.

        :param timeout: seconds one conversion attempt may take before the process doing it is
            considered hung.
        :raises service.documents.converter.ConversionError: with a reason a person can read.
        """

    def close(self) -> None:
        """Stop everything the converter started; calling it twice is harmless."""


class WebhookSender(Protocol):
    """Sends one webhook body; the outbox decides when and what."""

    def send(
        self, url: str, body: bytes, *, headers: Mapping[str, str], timeout: float, ca_pem: str | None = None
    ) -> int:
        """POST ``body``; the HTTP status, or ``OSError`` when the receiver cannot be reached.

        :param ca_pem: certificates that verify the receiver beside the system roots (its client's).
        """


@dataclass(frozen=True)
class Mail:
    """One e-mail to a person (officials: links, codes; the pegawai: the signed copy)."""

    to: str
    subject: str
    body: str
    #: ``Message-ID`` (the outbox's row, so a receiver can tell a resend); ``None``: one is made.
    message_id: str | None = None


class Notifier(Protocol):
    """Tells people things by e-mail."""

    def send(self, mail: Mail) -> None:
        """Deliver ``mail`` or raise ``OSError``."""


class BsreService(Protocol):
    """BSrE's eSign Client Service v2 of the agency: it holds the officials' keys and signs whole PDFs.

    A sign call that fails after it was sent has an unknown outcome; it is never repeated here.
    """

    def user_status(self, nik: str) -> BsreUserStatus:
        """What BSrE says of the official's certificate (only ``ISSUE`` signs)."""

    def request_totp(self, nik: str, count: int) -> None:
        """Have BSrE send a TOTP for ``count`` files to the official's BeSign Mobile app."""

    def sign(
        self,
        files: Sequence[bytes],
        *,
        nik: str,
        passphrase: str | None = None,
        totp: str | None = None,
        appearances: Sequence[BsreAppearance],
    ) -> list[bytes]:
        """The files signed by the official, in input order."""

    def close(self) -> None:
        """Close the HTTP session."""


class Clock(Protocol):
    """The time; one object so that tests and stamps agree on it."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
