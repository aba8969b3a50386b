"""Typed, frozen settings: what operations may know of the configuration, read once at start.

The raw config (defaults, ``instance/config.py``, ``SKP_*``) is validated by :mod:`service.config`;
:func:`settings_from_config` turns it into this object, and nothing below the web layer reads a
config key again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cryptography import x509

from service.egress import EgressPolicy, parse_networks
from service.scoring.penandatangan import parse_forms

__all__ = [
    "BsreSettings",
    "CscSettings",
    "Pkcs11SealSettings",
    "PublicUrls",
    "Settings",
    "SmtpSettings",
    "parse_days",
    "settings_from_config",
]


@dataclass(frozen=True)
class PublicUrls:
    """The one place that builds the addresses people open: signing links, QR codes, PKI files."""

    base: str

    def sign(self, token: str) -> str:
        """The signing page of a link token."""
        return f"{self.base}/sign/{token}"

    def copy(self, token: str) -> str:
        """The pegawai's download page of the signed copy."""
        return f"{self.base}/salinan/{token}"

    def inbox_login(self, token: str) -> str:
        """An official's one-time login link to their inbox."""
        return f"{self.base}/kotak-masuk/masuk/{token}"

    def verify(self, verification_code: str) -> str:
        """The public verification page the QR code opens."""
        return f"{self.base}/v/{verification_code}"

    @staticmethod
    def verify_path(verification_code: str) -> str:
        """The verification page relative to the service (API ``links``)."""
        return f"/v/{verification_code}"

    def pki(self) -> str:
        """Base of the published CA certificates and CRLs."""
        return f"{self.base}/pki"

    def problem(self, slug: str) -> str:
        """The page describing a kind of problem: the ``type`` of an RFC 9457 problem body."""
        return f"{self.base}/problems/{slug}"


@dataclass(frozen=True)
class Pkcs11SealSettings:
    """The instance seal key in a hardware token."""

    module: str
    token: str
    pin: str
    key_label: str


@dataclass(frozen=True)
class BsreSettings:
    """The agency's BSrE eSign Client Service v2 (``../shared/domain/bsre.md``)."""

    url: str
    client_id: str
    client_secret: str = field(repr=False)
    #: Seconds a sign call may take; past it the outcome is unknown and nothing is retried.
    timeout: float = 60.0


@dataclass(frozen=True)
class CscSettings:
    """A Cloud Signature Consortium API v1 provider."""

    url: str
    token: str | None = field(default=None, repr=False)
    timeout: float = 30.0


@dataclass(frozen=True)
class SmtpSettings:
    """The SMTP server e-mail goes through (none: ``.eml`` files in ``mail_dir``)."""

    host: str
    port: int
    #: ``starttls``, ``ssl`` (implicit TLS) or ``none``.
    security: str = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0


#: The port of each kind of SMTP protection when ``SMTP_PORT`` is not set.
_SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything operations need from the configuration, typed."""

    #: HMAC key of signing links (also Flask's session key).
    secret_key: str
    #: Encrypts the instance PKI's private keys at rest.
    key_encryption_secret: str
    database_url: str
    public_url: str
    files_dir: Path
    pki_dir: Path
    pki_organisation: str
    #: Where an agency's own templates override the packaged ones.
    instance_templates_dir: Path
    sign_link_ttl: timedelta
    #: How long a ``kode_verifikasi`` for enrollment is valid.
    enrollment_code_ttl: timedelta
    #: Zone of the time printed on stamps (WIB, WITA, WIT); stored times stay UTC.
    timezone: ZoneInfo
    tsa_url: str | None
    seal_pkcs11: Pkcs11SealSettings | None
    converter_processes: int
    converter_timeout: float
    converter_work_dir: Path
    job_runner: str
    celery_broker_url: str
    #: Batch documents rendering at once (:mod:`service.workflow.batches`).
    batch_in_flight: int
    #: Largest body of ``POST /api/v1/batches``.
    batch_max_content_length: int
    #: A job's lease lasts this long unless its process renews it (heartbeat every quarter of it).
    job_lease: timedelta
    #: An unreferenced revision file younger than this is kept (its write may not be committed yet).
    files_gc_grace: timedelta
    #: Where e-mail to officials is written (the embedded notifier).
    mail_dir: Path
    #: The SMTP server e-mail goes through; ``None``: written to ``mail_dir``.
    smtp: SmtpSettings | None = None
    #: The ``From`` of every e-mail.
    mail_from: str = "skp-sign@localhost"
    #: Reminders before a signing link expires, in days (largest first); empty: none.
    reminder_days: tuple[int, ...] = (3, 1)
    #: How long the pegawai's link to the signed copy works.
    download_link_ttl: timedelta = timedelta(days=30)
    #: The instance's form images by context key (``lambang``, ``kop``); used when the file exists.
    form_images: Mapping[str, Path]
    #: Which addresses a ``callback_url`` may reach (public ones, plus ``WEBHOOK_ALLOW_NETWORKS``).
    webhook_egress: EgressPolicy
    #: An archivist session unused this long is refused.
    archive_session_idle: timedelta
    #: An archivist session is refused this long after its login, however busy.
    archive_session_max_age: timedelta
    #: Failed logins in a row that lock an archivist account, and for how long.
    login_max_failures: int
    login_lockout: timedelta
    #: Failures one address may make (logins, and signing passphrases) per window.
    address_max_failures: int
    address_window: timedelta
    #: Forms (``"<regime>/<type>"``) the atasan pejabat penilai signs last as "Mengetahui" (off: empty).
    mengetahui_forms: frozenset[str] = frozenset()
    #: Who holds an official's key when their identity does not say (``sertifikat.penyedia``).
    penyedia_default: str = "instansi"
    #: Outside CA certificates trusted beside the instance CA (``TRUST_ANCHORS_DIR``, read at start).
    trust_anchors: tuple[x509.Certificate, ...] = ()
    bsre: BsreSettings | None = None
    csc: CscSettings | None = None

    @property
    def urls(self) -> PublicUrls:
        """Public addresses under :attr:`public_url`."""
        return PublicUrls(self.public_url.rstrip("/"))


def _trust_anchors(directory: str | None) -> tuple[x509.Certificate, ...]:
    """The anchors folder's certificates (:mod:`service.config` has checked that it reads)."""
    if not directory:
        return ()
    from signing.trust import load_trust_anchors  # pyHanko's validator, only when configured

    return load_trust_anchors(directory)


def parse_days(value: Any) -> tuple[int, ...]:
    """``"3,1"`` (or ``3``, or ``[3, 1]``) → ``(3, 1)``: whole positive days, largest first.

    :raises ValueError: a value that is not a positive whole number of days.
    """
    if value is None or value == "":
        return ()
    if isinstance(value, bool):
        raise ValueError(value)
    items = [value] if isinstance(value, int) else value.split(",") if isinstance(value, str) else list(value)
    days = set()
    for item in items:
        if isinstance(item, bool):
            raise ValueError(item)
        day = int(item.strip()) if isinstance(item, str) else item
        if not isinstance(day, int) or day <= 0:
            raise ValueError(item)
        days.add(day)
    return tuple(sorted(days, reverse=True))


def _smtp(config: Mapping[str, Any]) -> SmtpSettings | None:
    """The SMTP settings when ``SMTP_HOST`` is set (``SKP_*`` values may arrive as numbers)."""
    host = config.get("SMTP_HOST")
    if not host:
        return None
    security = config.get("SMTP_SECURITY") or "starttls"
    username, password = config.get("SMTP_USERNAME"), config.get("SMTP_PASSWORD")
    return SmtpSettings(
        host=str(host),
        port=int(config.get("SMTP_PORT") or _SMTP_PORTS[security]),
        security=security,
        username=str(username) if username else None,
        password=str(password) if password else None,
        timeout=float(config.get("SMTP_TIMEOUT") or 30.0),
    )


def settings_from_config(config: Mapping[str, Any]) -> Settings:
    """The settings of a validated config mapping (``app.config``)."""
    module = config.get("SEAL_PKCS11_MODULE")
    seal = (
        Pkcs11SealSettings(
            module=module,
            token=config["SEAL_PKCS11_TOKEN"],
            pin=config["SEAL_PKCS11_PIN"],
            key_label=config["SEAL_PKCS11_KEY_LABEL"],
        )
        if module
        else None
    )
    bsre = (
        BsreSettings(
            url=config["BSRE_URL"].rstrip("/"),
            client_id=config["BSRE_CLIENT_ID"],
            client_secret=config["BSRE_CLIENT_SECRET"],
            timeout=float(config["BSRE_TIMEOUT"]),
        )
        if config.get("BSRE_URL")
        else None
    )
    csc = (
        CscSettings(
            url=config["CSC_URL"].rstrip("/"),
            token=config.get("CSC_TOKEN") or None,
            timeout=float(config["CSC_TIMEOUT"]),
        )
        if config.get("CSC_URL")
        else None
    )
    return Settings(
        smtp=_smtp(config),
        mail_from=str(config.get("MAIL_FROM") or "skp-sign@localhost"),
        reminder_days=parse_days(config.get("REMINDER_DAYS")),
        download_link_ttl=timedelta(days=config.get("DOWNLOAD_LINK_TTL_DAYS", 30)),
        secret_key=config["SECRET_KEY"],
        key_encryption_secret=config["KEY_ENCRYPTION_SECRET"],
        database_url=config["DATABASE_URL"],
        public_url=config["PUBLIC_URL"],
        files_dir=Path(config["FILES_DIR"]),
        pki_dir=Path(config["PKI_DIR"]),
        pki_organisation=config["PKI_ORGANISATION"],
        instance_templates_dir=Path(config["INSTANCE_TEMPLATES_DIR"]),
        sign_link_ttl=timedelta(days=config["SIGN_LINK_TTL_DAYS"]),
        enrollment_code_ttl=timedelta(hours=config["ENROLLMENT_CODE_TTL_HOURS"]),
        timezone=ZoneInfo(config["TIMEZONE"]),
        tsa_url=config.get("TSA_URL") or None,
        seal_pkcs11=seal,
        converter_processes=int(config["CONVERTER_PROCESSES"]),
        converter_timeout=float(config["CONVERTER_TIMEOUT"]),
        converter_work_dir=Path(config["CONVERTER_WORK_DIR"]),
        job_runner=config["JOB_RUNNER"],
        batch_in_flight=config["BATCH_IN_FLIGHT"] or config["CONVERTER_PROCESSES"],
        batch_max_content_length=config["BATCH_MAX_CONTENT_LENGTH"],
        celery_broker_url=config["CELERY_BROKER_URL"],
        job_lease=timedelta(seconds=config["JOB_LEASE_SECONDS"]),
        files_gc_grace=timedelta(seconds=config["FILES_GC_GRACE_SECONDS"]),
        mail_dir=Path(config["MAIL_DIR"]),
        form_images={"lambang": Path(config["LAMBANG_IMAGE"]), "kop": Path(config["KOP_IMAGE"])},
        webhook_egress=EgressPolicy(allow=parse_networks(config.get("WEBHOOK_ALLOW_NETWORKS"))),
        archive_session_idle=timedelta(minutes=config["ARCHIVE_SESSION_IDLE_MINUTES"]),
        archive_session_max_age=timedelta(hours=config["ARCHIVE_SESSION_MAX_HOURS"]),
        login_max_failures=config["LOGIN_MAX_FAILURES"],
        login_lockout=timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"]),
        address_max_failures=config["ADDRESS_MAX_FAILURES"],
        address_window=timedelta(minutes=config["ADDRESS_WINDOW_MINUTES"]),
        mengetahui_forms=parse_forms(config.get("MENGETAHUI_FORMS")),
        penyedia_default=config["PENYEDIA_DEFAULT"],
        trust_anchors=_trust_anchors(config.get("TRUST_ANCHORS_DIR")),
        bsre=bsre,
        csc=csc,
    )
