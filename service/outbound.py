"""Small implementations of outside parts: the clock, webhook delivery over HTTP, e-mail (SMTP, files)."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import shutil
import smtplib
import ssl
import tempfile
import threading
import weakref
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import certifi
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError

from service.egress import EgressPolicy, Target
from service.interfaces import Mail

__all__ = ["SMTP_SECURITY", "MaildirNotifier", "RequestsWebhookSender", "SmtpNotifier", "SystemClock"]

log = logging.getLogger(__name__)

#: How an SMTP connection is protected: STARTTLS after connecting, TLS from the start, or not at all.
SMTP_SECURITY = ("starttls", "ssl", "none")


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        return datetime.now(UTC)


class _PinnedAddressAdapter(HTTPAdapter):
    """Connects to one address chosen beforehand, whatever the URL's host resolves to now.

    The pool is keyed on the address, and TLS still presents and verifies the URL's host name
    (SNI, certificate), so pinning changes where the socket goes and nothing else.
    """

    def __init__(self, *, address: str, host: str) -> None:
        self.address = address
        self.host = host
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: str | tuple[str, str] | None = None
    ) -> Any:  # typeshed's TypedDicts do not list urllib3's server_hostname, which this adds
        """``requests``' pool key, with the pinned address as host and the name kept for TLS."""
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        host_params["host"] = self.address
        kwargs: dict[str, Any] = dict(pool_kwargs)
        if host_params["scheme"] == "https":
            kwargs["server_hostname"] = self.host  # SNI and certificate check: the name, not the address
        return host_params, kwargs


def _ca_bundle() -> bool | str:
    """The CA bundle ``requests`` would take from the environment (environment reading is off)."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True


class _CaFiles:
    """Per-client CA bundles as files (``requests`` verifies against a path): the default roots
    followed by the client's certificates, one file per distinct bundle, made once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, str] = {}
        self._dir: str | None = None

    def path(self, ca_pem: str) -> str:
        digest = hashlib.sha256(ca_pem.encode()).hexdigest()
        with self._lock:
            if digest not in self._files:
                if self._dir is None:
                    self._dir = tempfile.mkdtemp(prefix="skp-webhook-ca-")
                    # Removed with the sender (or at exit), never left behind.
                    weakref.finalize(self, shutil.rmtree, self._dir, True)
                default = _ca_bundle()
                roots = Path(default if isinstance(default, str) else certifi.where()).read_text(
                    encoding="ascii"
                )
                path = Path(self._dir) / f"{digest}.pem"
                path.write_text(roots.rstrip("\n") + "\n" + ca_pem.strip() + "\n", encoding="ascii")
                self._files[digest] = str(path)
            return self._files[digest]


class RequestsWebhookSender:
    """Webhooks over HTTP(S) with ``requests``, only to addresses ``egress`` allows.

    Each send resolves the host once, checks every address (:meth:`EgressPolicy.target`) and
    connects to the checked one, so a DNS answer that changed since the payload was accepted
    cannot send the request into the internal network. Redirects are never followed (the URL is
    the contract, and a ``Location`` could point anywhere); proxies from the environment are not
    used either (the proxy would connect to a name we did not check).
    """

    def __init__(self, *, egress: EgressPolicy | None = None) -> None:
        self.egress = egress or EgressPolicy()
        self._ca_files = _CaFiles()

    def send(
        self, url: str, body: bytes, *, headers: Mapping[str, str], timeout: float, ca_pem: str | None = None
    ) -> int:
        """POST ``body`` to ``url``; ``OSError`` when it cannot be delivered, and
        :class:`~service.egress.RefusedTargetError` (an ``OSError``) when it may not be.
        """
        target = self.egress.target(url)
        verify = self._ca_files.path(ca_pem) if ca_pem else _ca_bundle()
        try:
            return self._post(target, url, body, headers=headers, timeout=timeout, verify=verify)
        except requests.RequestException as error:
            raise OSError(f"{type(error).__name__}: {error}") from error

    def _post(
        self,
        target: Target,
        url: str,
        body: bytes,
        *,
        headers: Mapping[str, str],
        timeout: float,
        verify: bool | str,
    ) -> int:
        """Try the checked addresses in the resolver's order until one accepts the connection."""
        for index, address in enumerate(target.addresses):
            with requests.Session() as session:
                session.trust_env = False
                adapter = _PinnedAddressAdapter(address=str(address), host=target.host)
                session.mount("https://", adapter)
                session.mount("http://", adapter)
                try:
                    response = session.post(
                        url,
                        data=body,
                        timeout=timeout,
                        allow_redirects=False,
                        stream=True,  # the status is the answer; a large body is never read
                        verify=verify,
                        headers={**headers, "Host": target.host_header},
                    )
                except requests.ConnectionError as error:
                    # Only a connection never made may go to the next address: nothing was sent.
                    reason = getattr(error.args[0] if error.args else None, "reason", None)
                    if isinstance(reason, ConnectTimeoutError) and index + 1 < len(target.addresses):
                        continue
                    raise
                with response:
                    return response.status_code
        raise AssertionError("a target has at least one address")  # pragma: no cover


def _message(mail: Mail, sender: str) -> EmailMessage:
    """``mail`` as a MIME message (plain text, UTF-8) from ``sender``."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = mail.message_id or make_msgid(domain=domain)
    message.set_content(mail.body)
    return message


class SmtpNotifier:
    """E-mail through an SMTP server (``smtplib``): STARTTLS, implicit TLS or plain, optional AUTH.

    One connection per message: messages are few (turns, reminders) and an outbox retries a failed
    one, so a kept connection would only add a way to fail. TLS verifies the server's certificate
    and name against ``context`` (the system's CAs unless given).
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: str = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        sender: str = "skp-sign@localhost",
        context: ssl.SSLContext | None = None,
    ) -> None:
        if security not in SMTP_SECURITY:
            raise ValueError(f"security must be one of {', '.join(SMTP_SECURITY)}")
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self._password = password
        self.timeout = timeout
        self.sender = sender
        self.context = context

    def __repr__(self) -> str:  # never the password
        return f"SmtpNotifier(host={self.host!r}, port={self.port}, security={self.security!r})"

    def send(self, mail: Mail) -> None:
        """Hand ``mail`` to the server; ``OSError`` (``smtplib.SMTPException`` is one) when it
        cannot be delivered: no connection, TLS refused, login refused, a 4xx or 5xx answer.
        """
        message = _message(mail, self.sender)
        context = self.context or ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.security == "ssl":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=context)  # refuses a server that does not offer it
            if self.username:
                smtp.login(self.username, self._password or "")
            refused = smtp.send_message(message)
        if refused:  # some recipients refused (there is one: the whole message failed)
            raise smtplib.SMTPRecipientsRefused(refused)


class MaildirNotifier:
    """E-mail written as ``.eml`` files into a folder: the embedded default, readable by any mail tool.

    Each message is written to a temp file and renamed, so a reader never sees half a message; each
    file is logged (path and subject, never the body: it holds links and codes).
    """

    def __init__(self, *, directory: str | os.PathLike[str], sender: str = "skp-sign@localhost") -> None:
        self.directory = Path(directory)
        self.sender = sender

    def send(self, mail: Mail) -> None:
        """Write ``mail`` as one ``.eml`` file."""
        message = _message(mail, self.sender)
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}.eml"
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.as_bytes())
        path = self.directory / name
        os.replace(tmp, path)
        log.info("e-mail written to %s: %s", path, mail.subject)
