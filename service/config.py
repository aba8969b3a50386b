"""Configuration: defaults, the instance file, ``SKP_*`` environment variables, validated once."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask

from service.egress import parse_networks
from service.outbound import SMTP_SECURITY
from service.scoring.penandatangan import MENGETAHUI_FORM_KEYS, parse_forms
from service.scoring.vocabulary import PENYEDIA
from service.settings import parse_days

__all__ = ["ConfigError", "default_config", "validate_config", "write_instance_config"]

#: Largest request body the service reads (JSON payloads and uploads alike).
DEFAULT_MAX_CONTENT_LENGTH = 2 * 1024 * 1024


class ConfigError(RuntimeError):
    """The configuration cannot work; raised once at start with every problem listed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Invalid skp-sign configuration:\n  - " + "\n  - ".join(problems))


def default_config(instance_path: str) -> dict[str, Any]:
    """Embedded defaults: everything lives in the instance folder."""
    instance = Path(instance_path)
    return {
        "SECRET_KEY": None,
        "KEY_ENCRYPTION_SECRET": None,
        "DATABASE_URL": f"sqlite:///{instance / 'skp.sqlite3'}",
        "FILES_DIR": str(instance / "files"),
        "PKI_DIR": str(instance / "pki"),
        "INSTANCE_TEMPLATES_DIR": str(instance / "form_templates"),
        "PUBLIC_URL": "http://localhost:5000",
        "MAX_CONTENT_LENGTH": DEFAULT_MAX_CONTENT_LENGTH,
        # Reverse proxies in front that set X-Forwarded-For and X-Forwarded-Proto (deploy/nginx.conf:
        # 1). None are trusted by default, so a client cannot forge its address or the scheme.
        "PROXY_COUNT": 0,
        "JSON_SORT_KEYS": False,
        "SIGN_LINK_TTL_DAYS": 14,
        #: How long a kode_verifikasi for enrollment stays valid (e-mailed, or handed to the HR client).
        "ENROLLMENT_CODE_TTL_HOURS": 72,
        #: Time zone of the time printed on signature stamps (Asia/Jakarta = WIB).
        "TIMEZONE": "Asia/Jakarta",
        "TSA_URL": None,
        # A folder of outside CA certificates (PEM, DER or PEM bundles; every file in it) trusted beside
        # the instance CA, e.g. the BSrE roots. Unset: only the instance CA is trusted.
        "TRUST_ANCHORS_DIR": None,
        # Who holds an official's signing key when the payload's identity does not say
        # (sertifikat.penyedia): "instansi" (the instance CA, embedded default), "p12" (the official's
        # own file), "bsre" (BSrE eSign Client Service v2) or "csc" (a Cloud Signature Consortium API).
        "PENYEDIA_DEFAULT": "instansi",
        # BSrE eSign Client Service v2 of the agency: base URL, Basic Auth client, total timeout of a
        # sign call in seconds (a timed-out call is never retried by the service).
        "BSRE_URL": None,
        "BSRE_CLIENT_ID": None,
        "BSRE_CLIENT_SECRET": None,
        "BSRE_TIMEOUT": 60.0,
        # A CSC API v1 provider: base URL (e.g. https://tsp.example/csc/v1), optional bearer token.
        "CSC_URL": None,
        "CSC_TOKEN": None,
        "CSC_TIMEOUT": 30.0,
        "PKI_ORGANISATION": "skp-sign (CA pengembangan)",
        # The instance seal in a hardware token (PKCS#11); unset = the dev PKI's seal key.
        "SEAL_PKCS11_MODULE": None,
        "SEAL_PKCS11_TOKEN": None,
        "SEAL_PKCS11_PIN": None,
        "SEAL_PKCS11_KEY_LABEL": None,
        "CONVERTER_PROCESSES": 2,
        "CONVERTER_TIMEOUT": 60.0,
        "CONVERTER_WORK_DIR": str(instance / "libreoffice"),
        "JOB_RUNNER": "inprocess",
        # Documents of a batch (POST /api/v1/batches) rendering at once; single documents never queue
        # behind more than this many of them. Unset: one per converter process.
        "BATCH_IN_FLIGHT": None,
        # Largest body of POST /api/v1/batches (1,000 payloads); other requests keep MAX_CONTENT_LENGTH.
        "BATCH_MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        # A job whose process stopped renewing its lease this long ago is queued again elsewhere.
        "JOB_LEASE_SECONDS": 60,
        # Revision files nothing refers to are deleted once older than this (a write in flight is younger).
        "FILES_GC_GRACE_SECONDS": 3600,
        #: E-mail to officials is written here as .eml files (the embedded default, without SMTP_HOST).
        "MAIL_DIR": str(instance / "mail"),
        # An SMTP server for e-mail: host (unset: the .eml files above), port (unset: 587 for
        # starttls, 465 for ssl, 25 for none), protection, optional login, seconds per connection.
        "SMTP_HOST": None,
        "SMTP_PORT": None,
        "SMTP_SECURITY": "starttls",
        "SMTP_USERNAME": None,
        "SMTP_PASSWORD": None,
        "SMTP_TIMEOUT": 30.0,
        "MAIL_FROM": "skp-sign@localhost",
        # Reminders to the signer whose turn it is, this many days before the link expires (comma-separated).
        "REMINDER_DAYS": "3,1",
        # The pegawai's link to the signed copy (/salinan/<token>) works this many days.
        "DOWNLOAD_LINK_TTL_DAYS": 30,
        #: The Garuda the forms that carry it print, and the agency's letterhead every form prints
        #: at its top; each only if the file exists (PNG or JPEG).
        "LAMBANG_IMAGE": str(instance / "gambar" / "lambang.png"),
        "KOP_IMAGE": str(instance / "gambar" / "kop.png"),
        # Webhooks go to public addresses only; these networks (CIDR, comma-separated) are allowed
        # too, for an agency whose HR system is internal. Empty: none.
        "WEBHOOK_ALLOW_NETWORKS": "",
        # Forms ("<regime>/<type>", comma-separated) on which the atasan pejabat penilai signs last
        # as "Mengetahui, Atasan Pejabat Penilai Kinerja" when the payload names one. Empty: none.
        "MENGETAHUI_FORMS": "",
        # Archivist sessions (server-side): refused after this long unused, and this long after login.
        "ARCHIVE_SESSION_IDLE_MINUTES": 30,
        "ARCHIVE_SESSION_MAX_HOURS": 12,
        # An archivist account locks after this many failed logins in a row, for this long.
        "LOGIN_MAX_FAILURES": 10,
        "LOGIN_LOCKOUT_MINUTES": 15,
        # One address may fail this many logins, and as many signing passphrases, per window.
        "ADDRESS_MAX_FAILURES": 20,
        "ADDRESS_WINDOW_MINUTES": 15,
    }


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Apply defaults, then ``instance/config.py``, then ``SKP_*`` variables, then ``test_config``."""
    app.config.from_mapping(default_config(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SKP")
    if test_config is not None:
        app.config.from_mapping(test_config)
    validate_config(app.config)


#: Limits and durations that must be positive whole numbers.
_POSITIVE_INTEGERS = (
    "BATCH_MAX_CONTENT_LENGTH",
    "ENROLLMENT_CODE_TTL_HOURS",
    "ARCHIVE_SESSION_IDLE_MINUTES",
    "ARCHIVE_SESSION_MAX_HOURS",
    "LOGIN_MAX_FAILURES",
    "LOGIN_LOCKOUT_MINUTES",
    "ADDRESS_MAX_FAILURES",
    "ADDRESS_WINDOW_MINUTES",
    "DOWNLOAD_LINK_TTL_DAYS",
)


def _mail_problems(config: Any) -> list[str]:
    problems: list[str] = []
    try:
        parse_days(config.get("REMINDER_DAYS"))
    except (ValueError, TypeError):
        problems.append("REMINDER_DAYS must list whole days before a link expires, e.g. 3,1 (empty: none)")
    sender = config.get("MAIL_FROM")
    if not isinstance(sender, str) or "@" not in sender or any(c in sender for c in "\r\n"):
        problems.append("MAIL_FROM must be an e-mail address such as skp@bkd.example.go.id")
    host = config.get("SMTP_HOST")
    if not host:
        return problems
    if not isinstance(host, str):
        problems.append("SMTP_HOST must be a host name or address")
    security = config.get("SMTP_SECURITY")
    if security not in SMTP_SECURITY:
        problems.append(f"SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}")
    port = config.get("SMTP_PORT")
    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536):
        problems.append("SMTP_PORT must be a port number from 1 to 65535")
    username, password = config.get("SMTP_USERNAME"), config.get("SMTP_PASSWORD")
    if bool(username) != bool(password):
        problems.append("SMTP_USERNAME and SMTP_PASSWORD must be set together")
    if username and security == "none":
        problems.append("SMTP_USERNAME is set, so SMTP_SECURITY must be starttls or ssl (never in clear)")
    problems.extend(_not_positive_seconds(config, "SMTP_TIMEOUT"))
    return problems


def _allow_networks_problems(config: Any) -> list[str]:
    try:
        parse_networks(config.get("WEBHOOK_ALLOW_NETWORKS"))
    except (ValueError, TypeError) as error:
        return [f"WEBHOOK_ALLOW_NETWORKS must list networks in CIDR form, e.g. 10.0.0.0/8,fd00::/8 ({error})"]
    return []


def _mengetahui_problems(config: Any) -> list[str]:
    try:
        unknown = sorted(parse_forms(config.get("MENGETAHUI_FORMS")) - MENGETAHUI_FORM_KEYS)
    except TypeError:
        return ["MENGETAHUI_FORMS must be a comma-separated list of forms such as pp46_2011/skp"]
    if unknown:
        known = ", ".join(sorted(MENGETAHUI_FORM_KEYS))
        return [f"MENGETAHUI_FORMS names unknown forms {', '.join(unknown)} (known: {known})"]
    return []


def _provider_problems(config: Any) -> list[str]:
    problems: list[str] = []
    default = config.get("PENYEDIA_DEFAULT")
    if default not in PENYEDIA:
        problems.append(f"PENYEDIA_DEFAULT must be one of {', '.join(PENYEDIA)}")
    for key in ("BSRE_URL", "CSC_URL"):
        url = config.get(key)
        if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
            problems.append(f"{key} must be an http(s) URL")
    if config.get("BSRE_URL"):
        missing = [k for k in ("BSRE_CLIENT_ID", "BSRE_CLIENT_SECRET") if not config.get(k)]
        if missing:
            problems.append(f"BSRE_URL is set, so {', '.join(missing)} must be set too")
    elif default == "bsre":
        problems.append("PENYEDIA_DEFAULT is bsre, so BSRE_URL must be set")
    if default == "csc" and not config.get("CSC_URL"):
        problems.append("PENYEDIA_DEFAULT is csc, so CSC_URL must be set")
    problems.extend(_not_positive_seconds(config, "BSRE_TIMEOUT", "CSC_TIMEOUT"))
    return problems


def _trust_anchors_problems(config: Any) -> list[str]:
    directory = config.get("TRUST_ANCHORS_DIR")
    if not directory:
        return []
    from signing.errors import PkiError
    from signing.trust import load_trust_anchors  # pyHanko's validator, only when configured

    try:
        load_trust_anchors(str(directory))
    except PkiError as error:
        return [f"TRUST_ANCHORS_DIR must be a folder of CA certificate files (PEM or DER): {error.message}"]
    return []


def _positive_int(config: Any, key: str) -> bool:
    value = config.get(key)
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def validate_config(config: Any) -> None:
    """Fail loudly, with every problem at once, instead of at the first request that needs a value."""
    problems: list[str] = []
    for key in ("SECRET_KEY", "KEY_ENCRYPTION_SECRET"):
        value = config.get(key)
        if not isinstance(value, str) or len(value) < 32:
            problems.append(
                f"{key} must be a random string of at least 32 characters "
                "(run `flask --app service skp init` to write instance/config.py)"
            )
    url = config.get("DATABASE_URL")
    if not isinstance(url, str) or not url.startswith(("sqlite", "postgresql")):
        problems.append("DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL")
    public_url = config.get("PUBLIC_URL")
    if not isinstance(public_url, str) or not public_url.startswith(("http://", "https://")):
        problems.append("PUBLIC_URL must be an http(s) URL")
    max_len = config.get("MAX_CONTENT_LENGTH")
    if not isinstance(max_len, int) or max_len <= 0:
        problems.append("MAX_CONTENT_LENGTH must be a positive integer (bytes)")
    proxies = config.get("PROXY_COUNT")
    if not isinstance(proxies, int) or isinstance(proxies, bool) or not 0 <= proxies <= 5:
        problems.append("PROXY_COUNT must be the number of reverse proxies in front, from 0 to 5")
    try:
        ZoneInfo(str(config.get("TIMEZONE")))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append("TIMEZONE must be an IANA zone such as Asia/Jakarta, Asia/Makassar, Asia/Jayapura")
    if config.get("JOB_RUNNER") not in ("inprocess", "celery"):
        problems.append("JOB_RUNNER must be 'inprocess' or 'celery'")
    problems += _allow_networks_problems(config)
    problems += _trust_anchors_problems(config)
    problems += _provider_problems(config)
    problems += _mengetahui_problems(config)
    problems += _mail_problems(config)
    problems.extend(
        f"{key} must be a positive integer" for key in _POSITIVE_INTEGERS if not _positive_int(config, key)
    )
    problems.extend(_not_positive_seconds(config, "JOB_LEASE_SECONDS", "FILES_GC_GRACE_SECONDS"))
    problems += _batch_problems(config)
    processes = config.get("CONVERTER_PROCESSES")
    if not isinstance(processes, int) or not 1 <= processes <= 16:
        problems.append("CONVERTER_PROCESSES must be an integer from 1 to 16")
    if config.get("SEAL_PKCS11_MODULE"):
        missing = [
            k for k in ("SEAL_PKCS11_TOKEN", "SEAL_PKCS11_PIN", "SEAL_PKCS11_KEY_LABEL") if not config.get(k)
        ]
        if missing:
            problems.append(f"SEAL_PKCS11_MODULE is set, so {', '.join(missing)} must be set too")
    if problems:
        raise ConfigError(problems)


def _batch_problems(config: Any) -> list[str]:
    in_flight = config.get("BATCH_IN_FLIGHT")
    if in_flight is None or (
        not isinstance(in_flight, bool) and isinstance(in_flight, int) and 1 <= in_flight <= 64
    ):
        return []
    return ["BATCH_IN_FLIGHT must be an integer from 1 to 64 (or unset)"]


def _not_positive_seconds(config: Any, *keys: str) -> list[str]:
    """A problem for each of ``keys`` that is not a positive number (of seconds)."""
    return [
        f"{key} must be a positive number of seconds"
        for key in keys
        if isinstance(value := config.get(key), bool) or not isinstance(value, int | float) or value <= 0
    ]


def write_instance_config(instance_path: str) -> Path | None:
    """Write ``instance/config.py`` with fresh random secrets, unless it exists (never overwrite)."""
    path = Path(instance_path) / "config.py"
    if path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (
        "# Written by `flask --app service skp init`. Keep this file secret.\n"
        f"SECRET_KEY = {secrets.token_urlsafe(48)!r}\n"
        f"KEY_ENCRYPTION_SECRET = {secrets.token_urlsafe(48)!r}\n"
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    return path
