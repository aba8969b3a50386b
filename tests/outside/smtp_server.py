"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for the mail tests.

It can be told to answer the next messages with an SMTP error (``fail_next``), as a full queue or
a refusing relay does; everything else is aiosmtpd's own protocol handling (EHLO, STARTTLS, AUTH).
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["Inbox", "Received", "free_port", "server_certificate", "smtp_server"]


@dataclass(frozen=True)
class Received:
    """One message as the server got it: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    #: The login the client authenticated with (``None``: no AUTH).
    login: str | None

    @property
    def subject(self) -> str:
        return str(self.message["Subject"]).strip()  # a folded header may start on its next line

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]


@dataclass
class Inbox:
    """aiosmtpd handler: keeps every message; answers the next ones with ``fail_next`` replies."""

    messages: list[Received] = field(default_factory=list)
    fail_next: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802, ARG002
        if self.fail_next:
            return self.fail_next.pop(0)
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        login = session.auth_data
        self.messages.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                message=message,
                login=login.decode() if isinstance(login, bytes) else login,
            )
        )
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


def free_port() -> int:
    """A TCP port nothing listens on right now (for a server, or for a refused connection)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_certificate(directory: Path) -> tuple[Path, Path, bytes]:
    """A self-signed certificate for 127.0.0.1 and localhost: (cert file, key file, PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smtp-uji")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(IPv4Address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_file, key_file = directory / "smtp.crt", directory / "smtp.key"
    cert_file.write_bytes(pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file, pem


def _server_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


@contextmanager
def smtp_server(
    *,
    port: int | None = None,
    tls: tuple[Path, Path] | None = None,
    implicit_tls: bool = False,
    users: dict[str, str] | None = None,
) -> Iterator[tuple[Inbox, int]]:
    """Serve SMTP on 127.0.0.1: plain, with STARTTLS offered and required (``tls``), or TLS from the
    first byte (``implicit_tls``); with ``users``, AUTH is required (LOGIN/PLAIN, over TLS only).
    """
    inbox = Inbox()
    port = port or free_port()
    kwargs: dict[str, Any] = {}
    if tls is not None and not implicit_tls:
        kwargs.update(tls_context=_server_context(*tls), require_starttls=True)
    if tls is not None and implicit_tls:
        kwargs["ssl_context"] = _server_context(*tls)
    if users is not None:

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            ok = isinstance(data, LoginPassword) and users.get(data.login.decode()) == data.password.decode()
            return AuthResult(success=ok, handled=False, auth_data=data.login if ok else None)

        kwargs.update(authenticator=authenticate, auth_required=True, auth_require_tls=True)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
