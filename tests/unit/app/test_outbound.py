"""The small outside parts: the clock, e-mail written to files, the settings they are built from."""

from __future__ import annotations

import dataclasses
from datetime import UTC, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from flask import Flask

from service.interfaces import Mail
from service.outbound import MaildirNotifier, SystemClock


def test_system_clock_is_aware_utc() -> None:
    now = SystemClock().now()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)


def test_maildir_notifier_writes_one_whole_message_per_mail(tmp_path: Path) -> None:
    notifier = MaildirNotifier(directory=tmp_path / "mail")
    notifier.send(Mail(to="pejabat@example.go.id", subject="Tautan tanda tangan", body="Buka tautan ini: …"))
    notifier.send(Mail(to="pegawai@example.go.id", subject="Kode", body="123456"))
    files = sorted((tmp_path / "mail").iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]
    messages = [message_from_bytes(f.read_bytes()) for f in files]
    assert {m["To"] for m in messages} == {"pejabat@example.go.id", "pegawai@example.go.id"}
    body = next(m for m in messages if m["Subject"] == "Tautan tanda tangan").get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "Buka tautan ini" in body.decode()


def test_services_get_typed_frozen_settings_from_the_config(app: Flask) -> None:
    services = app.extensions["skp"]
    settings = services.settings
    assert settings.sign_link_ttl == timedelta(days=14)
    assert str(settings.timezone) == "Asia/Jakarta"
    assert settings.files_dir == Path(app.config["FILES_DIR"])
    assert settings.urls.sign("1.abc") == "http://localhost:5000/sign/1.abc"
    assert settings.urls.verify("c0de") == "http://localhost:5000/v/c0de"
    assert services.clock.now().tzinfo == UTC
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.public_url = "http://elsewhere"  # type: ignore[misc]
