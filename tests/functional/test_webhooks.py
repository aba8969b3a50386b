"""Webhooks against a real HTTPS receiver on 127.0.0.1: signed bodies, order, retries, restarts.

``callback_url`` must be https (the payload schema refuses anything else), so the receiver speaks
TLS with a certificate made for 127.0.0.1, and the test trusts it the way an operator would trust a
private CA: through ``REQUESTS_CA_BUNDLE``. No switch in the service loosens the https rule.

Webhooks go to public addresses only; the receiver is on 127.0.0.1, so these instances allow the
loopback network the way an agency allows its internal HR system (``SKP_WEBHOOK_ALLOW_NETWORKS``),
and the tests at the end show what happens without it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, update

from service import create_app
from service.composition import get_services
from service.db import get_session
from service.models import WebhookDelivery
from service.workflow.operations import reject_document
from service.workflow.signing_ops import sign_document
from service.workflow.webhooks import Dispatcher, backoff, deliver_due
from tests.conftest import RecordingRunner
from tests.functional.support import document, kode_for, ready_document

PASS = {1: "frasa-sandi-pegawai", 2: "frasa-sandi-penilai", 3: "frasa-sandi-atasan"}
ALL_EVENTS = ["document.ready", "document.signed", "document.signed", "document.signed", "document.completed"]


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The shared config, allowing the loopback network the receiver listens on."""
    return {**app_config, "WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8"}


class Receiver:
    """A webhook endpoint: records every POST; answers ``status`` (503 while "down").

    :meth:`stop` closes the port (connection refused); :meth:`start` opens it again on the same port.
    """

    def __init__(self, tls: ssl.SSLContext) -> None:
        self.tls = tls
        self.requests: list[tuple[dict[str, str], bytes, int]] = []
        self.status = 200
        #: Answer 503 to this many requests first, then ``status``.
        self.fail_next = 0
        #: Sent as ``Location`` with every answer (a redirecting receiver).
        self.location: str | None = None
        #: The TLS server name (SNI) each connection asked for.
        self.server_names: list[str | None] = []
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        receiver = self
        self.tls.sni_callback = lambda _sock, name, _ctx: receiver.server_names.append(name)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    if receiver.fail_next > 0:
                        receiver.fail_next -= 1
                        status = 503
                    else:
                        status = receiver.status
                    receiver.requests.append((dict(self.headers.items()), body, status))
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def delivered(self) -> list[tuple[dict[str, str], bytes]]:
        with self._lock:
            return [(h, b) for h, b, status in self.requests if status == 200]


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate and key for the IP address 127.0.0.1."""
    return _self_signed(tmp_path_factory.mktemp("receiver-tls"))


@pytest.fixture(scope="module")
def named_tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate and key for 127.0.0.1 and the name ``localhost``."""
    return _self_signed(tmp_path_factory.mktemp("receiver-tls-named"), dns_names=("localhost",))


def _self_signed(directory: Path, *, dns_names: tuple[str, ...] = ()) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
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
                [x509.IPAddress(IPv4Address("127.0.0.1")), *(x509.DNSName(n) for n in dns_names)]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.fixture
def receiver(tls_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    yield from _receiver(tls_files, monkeypatch)


@pytest.fixture
def named_receiver(named_tls_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    yield from _receiver(named_tls_files, monkeypatch)


def _receiver(files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    cert_path, key_path = files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    # The service's HTTP client trusts the receiver's certificate, as it would a private CA.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert_path))
    server = Receiver(context).start()
    yield server
    server.stop()


def test_callback_url_must_be_https(app: Flask, runner: FlaskCliRunner) -> None:
    from marshmallow import ValidationError

    _client_secret(runner)
    with pytest.raises(ValidationError) as error:
        ready_document(app, client_name="hr-webhook", changes={"callback_url": "http://127.0.0.1:9/hook"})
    assert "callback_url" in error.value.messages


def _client_secret(runner: FlaskCliRunner) -> str:
    """Create the HR client through the CLI, as an operator would, and keep its webhook secret."""
    return _new_client(runner)[0]


def _new_client(runner: FlaskCliRunner) -> tuple[str, str]:
    """The webhook secret and the API key of a client created through the CLI."""
    result = runner.invoke(args=["skp", "clients", "create", "hr-webhook", "--json"])
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    return created["webhook_secret"], created["api_key"]


def _sign(app: Flask, document_id: str, urutan: int) -> None:
    with app.app_context():
        doc = document(app, document_id)
        sign_document(
            get_session(),
            get_services(),
            doc,
            urutan=urutan,
            passphrase=PASS[urutan],
            actor="test",
            ip="127.0.0.1",
            kode=kode_for(get_session(), get_services(), doc, urutan),
        )


def _deliver_all(app: Flask, *, rounds: int = 20) -> int:
    sent = 0
    with app.app_context():
        for _ in range(rounds):
            done = deliver_due(get_session(), get_services().webhooks, timeout=5)
            sent += done
            if not done:
                break
    return sent


def _deliveries(app: Flask, document_id: str) -> list[WebhookDelivery]:
    with app.app_context():
        session = get_session()
        rows = list(
            session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.document_id == document_id)
                .order_by(WebhookDelivery.id)
            )
        )
        session.expunge_all()
        return rows


def _make_due(app: Flask) -> None:
    """Time passes: every waiting retry becomes due now."""
    with app.app_context():
        session = get_session()
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.delivered_at.is_(None))
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_deliveries_are_signed_with_the_clients_webhook_secret(
    app: Flask, runner: FlaskCliRunner, receiver: Receiver
) -> None:
    secret, key = _new_client(runner)
    document_id = ready_document(app, client_name="hr-webhook", changes={"callback_url": receiver.url})
    _sign(app, document_id, 1)
    # The operator's command sends what is due: one event per document per round, oldest first.
    first = runner.invoke(args=["skp", "webhooks", "deliver"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "1 webhook(s) delivered"
    assert _deliver_all(app) == 1
    delivered = receiver.delivered()
    assert [json.loads(body)["event"] for _h, body in delivered] == ALL_EVENTS[:2]
    for headers, body in delivered:
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-SKP-Signature"], expected)
        # Someone without the secret cannot produce it, and a changed body no longer matches.
        assert (
            headers["X-SKP-Signature"]
            != "sha256=" + hmac.new(b"another-secret", body, hashlib.sha256).hexdigest()
        )
        assert (
            headers["X-SKP-Signature"]
            != "sha256=" + hmac.new(secret.encode(), body + b" ", hashlib.sha256).hexdigest()
        )
        assert headers["Content-Type"] == "application/json"
        assert headers["X-SKP-Event"] == json.loads(body)["event"]
    ready, signed = (json.loads(body) for _h, body in delivered)
    assert ready["document"]["id"] == document_id
    assert ready["document"]["status"] == "awaiting_signature"
    # Each event carries the live link of the signer whose turn it is, and only that one.
    assert [s["sign_url"] is not None for s in ready["document"]["signers"]] == [True, False, False]
    assert [s["sign_url"] is not None for s in signed["document"]["signers"]] == [False, True, False]
    assert [s["status"] for s in signed["document"]["signers"]] == ["signed", "pending", "waiting"]
    rows = _deliveries(app, document_id)
    assert [(r.attempts, r.last_status) for r in rows] == [(1, 200), (1, 200)]
    assert all(r.delivered_at is not None for r in rows)
    assert _deliver_all(app) == 0  # nothing is sent twice
    assert len(receiver.requests) == 2
    # The delivery log in the API says the same, to the client that created the document.
    log = (
        app.test_client()
        .get(f"/api/v1/documents/{document_id}/webhooks", headers={"Authorization": f"Bearer {key}"})
        .json
    )
    assert [(i["event"], i["attempts"], i["last_status"]) for i in log["items"]] == [
        ("document.ready", 1, 200),
        ("document.signed", 1, 200),
    ]
    assert all(i["delivered_at"] and i["next_attempt_at"] is None for i in log["items"])


def test_receiver_down_gets_every_event_in_order_after_a_restart(
    app: Flask, app_config: dict[str, Any], runner: FlaskCliRunner, receiver: Receiver
) -> None:
    secret = _client_secret(runner)
    receiver.stop()  # port closed: connection refused
    document_id = ready_document(app, client_name="hr-webhook", changes={"callback_url": receiver.url})
    for urutan in (1, 2, 3):
        _sign(app, document_id, urutan)
    first_try = datetime.now(UTC)
    assert _deliver_all(app) == 0
    rows = _deliveries(app, document_id)
    assert [r.event for r in rows] == ALL_EVENTS
    # In order: only the oldest event was tried; the others wait behind it.
    assert [r.attempts for r in rows] == [1, 0, 0, 0, 0]
    assert rows[0].last_error is not None
    assert "ConnectionError" in rows[0].last_error

    # Backoff grows: 2 s, 4 s, 8 s after the first, second and third failure.
    waits = []
    for attempt in (1, 2, 3):
        before = first_try
        if attempt > 1:
            _make_due(app)
            before = datetime.now(UTC)
            assert _deliver_all(app) == 0
        head = _deliveries(app, document_id)[0]
        assert head.attempts == attempt
        waits.append((_aware(head.next_attempt_at) - before).total_seconds())
    assert waits[0] == pytest.approx(2, abs=0.5)
    assert waits[1] == pytest.approx(4, abs=0.5)
    assert waits[2] == pytest.approx(8, abs=0.5)
    # Not due yet: nothing is tried before its time.
    with app.app_context():
        assert deliver_due(get_session(), get_services().webhooks) == 0
    assert _deliveries(app, document_id)[0].attempts == 3

    # The service restarts (a new app on the same database and files) …
    app.extensions["skp.engine"].dispose()
    restarted = create_app({**app_config, "RUNNER": RecordingRunner()})
    # … and the receiver comes back on the same port, answering 503 to the first two tries.
    receiver.fail_next = 2
    receiver.start()
    _make_due(restarted)
    services = restarted.extensions["skp"]
    dispatcher = Dispatcher(
        sessions=services.sessions, sender=services.webhooks, interval=0.05, first_retry=0.05
    ).start()
    try:
        deadline = time.monotonic() + 60
        while len(receiver.delivered()) < len(ALL_EVENTS) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # would anything arrive twice?
    finally:
        dispatcher.stop()
        restarted.extensions["skp.engine"].dispose()

    delivered = receiver.delivered()
    bodies = [json.loads(body) for _h, body in delivered]
    assert [b["event"] for b in bodies] == ALL_EVENTS
    assert [int(h["X-SKP-Delivery"]) for h, _b in delivered] == [r.id for r in rows]
    assert [b["document"]["status"] for b in bodies] == (["awaiting_signature"] * 3 + ["completed"] * 2)
    for headers, body in delivered:
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-SKP-Signature"] == expected
    assert [status for _h, _b, status in receiver.requests] == [503, 503] + [200] * 5
    final = _deliveries(app, document_id)
    assert all(r.delivered_at is not None for r in final)
    assert [r.attempts for r in final] == [3 + 3, 1, 1, 1, 1]
    assert [r.last_status for r in final] == [200] * 5


def test_backoff_doubles_and_is_capped_at_an_hour() -> None:
    waits = [backoff(n).total_seconds() for n in range(1, 15)]
    assert waits[:5] == [2, 4, 8, 16, 32]
    assert waits == sorted(waits)
    assert max(waits) == 3600
    assert backoff(10_000).total_seconds() == 3600
    assert backoff(3, first=0.5).total_seconds() == 2


def test_rejection_is_delivered_and_no_callback_means_no_outbox(
    app: Flask, runner: FlaskCliRunner, receiver: Receiver
) -> None:
    _client_secret(runner)
    document_id = ready_document(app, client_name="hr-webhook", changes={"callback_url": receiver.url})
    with app.app_context():
        doc = document(app, document_id)
        reject_document(
            get_session(),
            get_services(),
            doc,
            doc.signers[0],
            alasan="Data tidak sesuai.",
            actor="test",
            ip=None,
        )
    assert _deliver_all(app) == 2
    bodies = [json.loads(body) for _h, body in receiver.delivered()]
    assert [b["event"] for b in bodies] == ["document.ready", "document.rejected"]
    assert bodies[1]["document"]["status"] == "rejected"
    assert all(s["sign_url"] is None for s in bodies[1]["document"]["signers"])

    quiet = ready_document(app, client_name="hr-webhook", idempotency_key="k-quiet")
    assert _deliveries(app, quiet) == []


def test_a_redirecting_receiver_is_a_failure_not_followed(
    app: Flask, runner: FlaskCliRunner, receiver: Receiver
) -> None:
    _client_secret(runner)
    receiver.status = 302
    document_id = ready_document(app, client_name="hr-webhook", changes={"callback_url": receiver.url})
    assert _deliver_all(app) == 0
    head = _deliveries(app, document_id)[0]
    assert (head.attempts, head.last_status, head.last_error) == (1, 302, "HTTP 302")
    assert head.delivered_at is None


def test_a_redirect_is_never_followed_not_even_to_an_allowed_address(
    app: Flask, runner: FlaskCliRunner, receiver: Receiver, tls_files: tuple[Path, Path]
) -> None:
    # The receiver answers 307 (which keeps the method and the body) pointing at another server;
    # the service records the answer and sends nothing there, wherever the Location points.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls_files)
    elsewhere = Receiver(context).start()
    try:
        _client_secret(runner)
        receiver.status, receiver.location = 307, elsewhere.url
        document_id = ready_document(app, client_name="hr-webhook", changes={"callback_url": receiver.url})
        assert _deliver_all(app) == 0
        _make_due(app)
        assert _deliver_all(app) == 0
    finally:
        elsewhere.stop()
    assert elsewhere.requests == []
    assert [status for _h, _b, status in receiver.requests] == [307, 307]
    head = _deliveries(app, document_id)[0]
    assert (head.attempts, head.last_status, head.last_error, head.delivered_at) == (2, 307, "HTTP 307", None)


def test_delivery_rechecks_the_address_and_logs_why_it_was_not_sent(
    app: Flask, app_config: dict[str, Any], runner: FlaskCliRunner, receiver: Receiver
) -> None:
    # Accepted while the instance allowed the loopback network …
    created = runner.invoke(args=["skp", "clients", "create", "hr-webhook"])
    assert created.exit_code == 0, created.output
    key = created.output.splitlines()[-1]
    document_id = ready_document(app, client_name="hr-webhook", changes={"callback_url": receiver.url})
    app.extensions["skp.engine"].dispose()
    # … then the instance restarts without it: what the URL reaches now is what counts, so the
    # event is not sent, and the delivery log says why.
    strict = create_app({**app_config, "WEBHOOK_ALLOW_NETWORKS": "", "RUNNER": RecordingRunner()})
    try:
        assert _deliver_all(strict) == 0
        assert receiver.requests == []
        head = _deliveries(strict, document_id)[0]
        expected = (
            "tidak dikirim: alamat 127.0.0.1 termasuk loopback (RFC 1122), 127.0.0.0/8; webhook hanya "
            "dikirim ke alamat publik, kecuali jaringan yang diizinkan SKP_WEBHOOK_ALLOW_NETWORKS"
        )
        assert (head.attempts, head.last_status, head.last_error) == (1, None, expected)
        assert head.delivered_at is None
        log = strict.test_client().get(
            f"/api/v1/documents/{document_id}/webhooks", headers={"Authorization": f"Bearer {key}"}
        )
        assert log.status_code == 200, log.text
        item = log.json["items"][0]
        assert (item["event"], item["attempts"], item["last_status"], item["last_error"]) == (
            "document.ready",
            1,
            None,
            expected,
        )
        assert item["delivered_at"] is None
        assert item["next_attempt_at"] is not None  # kept, and tried again later
    finally:
        strict.extensions["skp.engine"].dispose()
    # Allowed again (the operator fixed the setting): the same row goes out on its next try.
    _make_due(app)
    assert _deliver_all(app) == 1
    assert [json.loads(body)["event"] for _h, body in receiver.delivered()] == ["document.ready"]


def test_a_name_is_resolved_once_and_kept_for_host_sni_and_certificate(
    app: Flask, runner: FlaskCliRunner, named_receiver: Receiver
) -> None:
    # The connection goes to the address checked (127.0.0.1, from the hosts file), while the
    # request still says "localhost" where TLS and HTTP need the name.
    _client_secret(runner)
    url = f"https://localhost:{named_receiver.port}/hook"
    document_id = ready_document(app, client_name="hr-webhook", changes={"callback_url": url})
    assert _deliver_all(app) == 1
    (headers, body), *_ = named_receiver.delivered()
    assert json.loads(body)["document"]["id"] == document_id
    assert headers["Host"] == f"localhost:{named_receiver.port}"
    assert named_receiver.server_names == ["localhost"]


def test_the_certificate_is_checked_against_the_name_not_the_pinned_address(
    app: Flask, runner: FlaskCliRunner, receiver: Receiver
) -> None:
    # This receiver's certificate names 127.0.0.1 only: reached as "localhost", it must not pass,
    # although the socket does connect to 127.0.0.1.
    _client_secret(runner)
    url = f"https://localhost:{receiver.port}/hook"
    document_id = ready_document(app, client_name="hr-webhook", changes={"callback_url": url})
    assert _deliver_all(app) == 0
    assert receiver.requests == []
    head = _deliveries(app, document_id)[0]
    assert head.last_error is not None
    assert head.last_error.startswith("SSLError: ")
    assert "localhost" in head.last_error
