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

import requests

from service.interfaces import Mail

__all__ = ["MaildirNotifier", "RequestsWebhookSender", "SystemClock"]


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        return datetime.now(UTC)


class RequestsWebhookSender:
    """Webhooks over HTTP(S) with ``requests``; redirects are not followed (the URL is the contract)."""

    def send(self, url: str, body: bytes, *, headers: Mapping[str, str], timeout: float) -> int:
        """POST ``body`` to ``url``; ``OSError`` (a ``requests`` error) when it cannot be delivered."""
        try:
            response = requests.post(url, data=body, timeout=timeout, allow_redirects=False, headers=headers)
        except requests.RequestException as error:
            raise OSError(f"{type(error).__name__}: {error}") from error
        return response.status_code


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
