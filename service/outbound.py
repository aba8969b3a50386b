"""Small implementations of outside parts: the clock, webhook delivery over HTTP, e-mail to files."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError

from service.egress import EgressPolicy, Target
from service.interfaces import Mail

__all__ = ["MaildirNotifier", "RequestsWebhookSender", "SystemClock"]


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

    def send(self, url: str, body: bytes, *, headers: Mapping[str, str], timeout: float) -> int:
        """POST ``body`` to ``url``; ``OSError`` when it cannot be delivered, and
        :class:`~service.egress.RefusedTargetError` (an ``OSError``) when it may not be.
        """
        target = self.egress.target(url)
        try:
            return self._post(target, url, body, headers=headers, timeout=timeout)
        except requests.RequestException as error:
            raise OSError(f"{type(error).__name__}: {error}") from error

    def _post(
        self, target: Target, url: str, body: bytes, *, headers: Mapping[str, str], timeout: float
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
                        verify=_ca_bundle(),
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


class MaildirNotifier:
    """E-mail written as ``.eml`` files into a folder: the embedded default, readable by any mail tool.

    Each message is written to a temp file and renamed, so a reader never sees half a message.
    """

    def __init__(self, *, directory: str | os.PathLike[str], sender: str = "skp-sign@localhost") -> None:
        self.directory = Path(directory)
        self.sender = sender

    def send(self, mail: Mail) -> None:
        """Write ``mail`` as one ``.eml`` file."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = format_datetime(datetime.now(UTC))
        message.set_content(mail.body)
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}.eml"
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.as_bytes())
        os.replace(tmp, self.directory / name)
