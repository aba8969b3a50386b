"""``SmtpNotifier`` against a real SMTP server on 127.0.0.1 (aiosmtpd): plain, STARTTLS, implicit
TLS, AUTH, and the failures the outbox must see as ``OSError`` to retry.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from pathlib import Path
from typing import Any

import pytest

from service.composition import notifier_for
from service.config import ConfigError, validate_config
from service.interfaces import Mail
from service.outbound import MaildirNotifier, SmtpNotifier
from service.settings import settings_from_config
from tests.outside.smtp_server import free_port, server_certificate, smtp_server

MAIL = Mail(
    to="dimas.nugraha@surabaya.go.id",
    subject="Menunggu tanda tangan Anda: Dokumen Penilaian Kinerja a.n. Yohanes",
    body="Yth. Dimas,\n\nBuka tautan berikut: http://localhost:5000/sign/1.abc\n",
    message_id="<skp-mail-7@bkd.surabaya.go.id>",
)


def _client_context(pem: bytes) -> ssl.SSLContext:
    return ssl.create_default_context(cadata=pem.decode())


def test_plain_smtp_delivers_a_parsable_utf8_message() -> None:
    with smtp_server() as (inbox, port):
        SmtpNotifier(host="127.0.0.1", port=port, security="none", sender="skp@bkd.surabaya.go.id").send(
            Mail(to=MAIL.to, subject="Pengingat: sisa 3 hari — tanda tangan", body="Periode 1 Januari 2024")
        )
    (received,) = inbox.messages
    assert received.mail_from == "skp@bkd.surabaya.go.id"
    assert received.rcpt_tos == (MAIL.to,)
    assert received.subject == "Pengingat: sisa 3 hari — tanda tangan"
    assert received.message["From"] == "skp@bkd.surabaya.go.id"
    assert received.message["Message-ID"].endswith("@bkd.surabaya.go.id>")
    assert "1 Januari 2024" in received.body
    assert received.login is None


def test_starttls_with_auth_logs_in_over_tls_and_keeps_the_message_id(tmp_path: Path) -> None:
    cert, key, pem = server_certificate(tmp_path)
    with smtp_server(tls=(cert, key), users={"skp-relay": "rahasia-relay"}) as (inbox, port):
        SmtpNotifier(
            host="127.0.0.1",
            port=port,
            security="starttls",
            username="skp-relay",
            password="rahasia-relay",
            context=_client_context(pem),
        ).send(MAIL)
    (received,) = inbox.messages
    assert received.login == "skp-relay"
    assert received.subject == MAIL.subject
    assert received.message["Message-ID"] == MAIL.message_id
    assert "http://localhost:5000/sign/1.abc" in received.body


def test_implicit_tls_delivers(tmp_path: Path) -> None:
    cert, key, pem = server_certificate(tmp_path)
    with smtp_server(tls=(cert, key), implicit_tls=True) as (inbox, port):
        SmtpNotifier(host="127.0.0.1", port=port, security="ssl", context=_client_context(pem)).send(MAIL)
    assert [m.subject for m in inbox.messages] == [MAIL.subject]


def test_starttls_refuses_a_server_certificate_it_does_not_trust(tmp_path: Path) -> None:
    cert, key, _ = server_certificate(tmp_path)
    with smtp_server(tls=(cert, key)) as (inbox, port):
        notifier = SmtpNotifier(host="127.0.0.1", port=port, security="starttls")  # the system's CAs
        with pytest.raises(OSError, match="CERTIFICATE_VERIFY_FAILED"):
            notifier.send(MAIL)
    assert inbox.messages == []


def test_a_wrong_password_is_an_oserror_and_nothing_is_sent(tmp_path: Path) -> None:
    cert, key, pem = server_certificate(tmp_path)
    with smtp_server(tls=(cert, key), users={"skp-relay": "rahasia-relay"}) as (inbox, port):
        notifier = SmtpNotifier(
            host="127.0.0.1",
            port=port,
            username="skp-relay",
            password="salah",
            context=_client_context(pem),
        )
        with pytest.raises(smtplib.SMTPAuthenticationError) as raised:
            notifier.send(MAIL)
    assert isinstance(raised.value, OSError)
    assert inbox.messages == []


def test_a_server_that_requires_starttls_refuses_plain_mail(tmp_path: Path) -> None:
    cert, key, _ = server_certificate(tmp_path)
    with smtp_server(tls=(cert, key)) as (inbox, port), pytest.raises(OSError, match="STARTTLS"):
        SmtpNotifier(host="127.0.0.1", port=port, security="none").send(MAIL)
    assert inbox.messages == []


@pytest.mark.parametrize("reply", ["451 4.3.0 Antrean penuh, coba lagi", "554 5.7.1 Ditolak"])
def test_4xx_and_5xx_answers_are_oserrors(reply: str) -> None:
    with smtp_server() as (inbox, port):
        inbox.fail_next.append(reply)
        notifier = SmtpNotifier(host="127.0.0.1", port=port, security="none")
        with pytest.raises(OSError, match=reply.split(maxsplit=1)[0]):
            notifier.send(MAIL)
        notifier.send(MAIL)  # the next attempt goes through
    assert len(inbox.messages) == 1


def test_connection_refused_is_an_oserror() -> None:
    with pytest.raises(ConnectionRefusedError):
        SmtpNotifier(host="127.0.0.1", port=free_port(), security="none", timeout=2).send(MAIL)


def test_the_password_is_not_in_its_repr() -> None:
    notifier = SmtpNotifier(host="smtp.example.go.id", port=587, username="u", password="rahasia-relay")
    assert "rahasia-relay" not in repr(notifier)


def _config(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "SECRET_KEY": "k" * 40,
        "KEY_ENCRYPTION_SECRET": "e" * 40,
        "DATABASE_URL": "sqlite://",
        "PUBLIC_URL": "http://localhost:5000",
        "MAX_CONTENT_LENGTH": 1024,
        "BATCH_MAX_CONTENT_LENGTH": 4096,
        "PROXY_COUNT": 0,
        "TIMEZONE": "Asia/Makassar",
        "JOB_RUNNER": "inprocess",
        "PENYEDIA_DEFAULT": "instansi",
        "ENROLLMENT_CODE_TTL_HOURS": 72,
        "ARCHIVE_SESSION_IDLE_MINUTES": 30,
        "ARCHIVE_SESSION_MAX_HOURS": 12,
        "LOGIN_MAX_FAILURES": 10,
        "LOGIN_LOCKOUT_MINUTES": 15,
        "ADDRESS_MAX_FAILURES": 20,
        "ADDRESS_WINDOW_MINUTES": 15,
        "DOWNLOAD_LINK_TTL_DAYS": 30,
        "JOB_LEASE_SECONDS": 60,
        "FILES_GC_GRACE_SECONDS": 3600,
        "CONVERTER_PROCESSES": 2,
        "BSRE_TIMEOUT": 60,
        "CSC_TIMEOUT": 30,
        "MAIL_FROM": "skp@bkd.example.go.id",
        "REMINDER_DAYS": "3,1",
        "SMTP_SECURITY": "starttls",
        "SMTP_TIMEOUT": 30,
        "MAIL_DIR": str(tmp_path / "mail"),
        **extra,
    }


def test_the_config_chooses_smtp_with_the_default_port_or_the_maildir(app_config: dict[str, Any]) -> None:
    from service.config import default_config

    base = {**default_config(str(Path(app_config["MAIL_DIR"]).parent)), **app_config}
    embedded = notifier_for(settings_from_config(base))
    assert isinstance(embedded, MaildirNotifier)
    settings = settings_from_config({**base, "SMTP_HOST": "smtp.example.go.id", "SMTP_SECURITY": "ssl"})
    assert settings.smtp is not None
    assert (settings.smtp.port, settings.reminder_days) == (465, (3, 1))
    chosen = notifier_for(settings)
    assert isinstance(chosen, SmtpNotifier)
    assert (chosen.host, chosen.port, chosen.security) == ("smtp.example.go.id", 465, "ssl")
    # Numbers from SKP_* variables (Flask parses them as JSON) are taken as text where text is meant.
    numeric = settings_from_config({**base, "SMTP_HOST": "h", "SMTP_USERNAME": 42, "SMTP_PASSWORD": 12345})
    assert numeric.smtp is not None
    assert (numeric.smtp.username, numeric.smtp.password, numeric.smtp.port) == ("42", "12345", 587)


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({"SMTP_HOST": "h", "SMTP_SECURITY": "tls"}, "SMTP_SECURITY must be one of starttls, ssl, none"),
        ({"SMTP_HOST": "h", "SMTP_PORT": 70000}, "SMTP_PORT must be a port number"),
        ({"SMTP_HOST": "h", "SMTP_USERNAME": "u"}, "SMTP_USERNAME and SMTP_PASSWORD must be set together"),
        (
            {"SMTP_HOST": "h", "SMTP_SECURITY": "none", "SMTP_USERNAME": "u", "SMTP_PASSWORD": "p"},
            "SMTP_SECURITY must be starttls or ssl",
        ),
        ({"SMTP_HOST": "h", "SMTP_TIMEOUT": 0}, "SMTP_TIMEOUT must be a positive number"),
        ({"REMINDER_DAYS": "3,x"}, "REMINDER_DAYS must list whole days"),
        ({"REMINDER_DAYS": "0"}, "REMINDER_DAYS must list whole days"),
        ({"MAIL_FROM": "bukan alamat"}, "MAIL_FROM must be an e-mail address"),
    ],
)
def test_bad_mail_settings_stop_the_start(tmp_path: Path, extra: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        validate_config(_config(tmp_path, **extra))
    assert any(problem in p for p in raised.value.problems), raised.value.problems


def test_good_mail_settings_pass(tmp_path: Path) -> None:
    validate_config(_config(tmp_path, SMTP_HOST="smtp.example.go.id", SMTP_PORT=2525, REMINDER_DAYS=3))
    validate_config(_config(tmp_path, REMINDER_DAYS=""))


def test_the_maildir_notifier_logs_path_and_subject_never_the_body(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="service.outbound")
    MaildirNotifier(directory=tmp_path / "mail").send(MAIL)
    (path,) = (tmp_path / "mail").glob("*.eml")
    (record,) = [r for r in caplog.records if r.name == "service.outbound"]
    assert record.levelno == logging.INFO
    assert str(path) in record.getMessage()
    assert MAIL.subject in record.getMessage()
    assert "/sign/1.abc" not in record.getMessage()
