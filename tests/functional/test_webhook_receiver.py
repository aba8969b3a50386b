"""The sample receiver of docs/integration.md (``examples/webhook_receiver.py``), run as a real process.

It listens on a free loopback port; bodies are signed with the service's own
:func:`service.workflow.webhooks.signature_header`, one value or the two comma-separated values a
secret rotation sends. The last tests let the service itself deliver to it over https.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from service.composition import get_services
from service.db import get_session
from service.models import WebhookDelivery
from service.workflow.webhooks import deliver_due, signature_header
from tests.functional.served import ROOT
from tests.functional.support import ready_document
from tests.outside.smtp_server import server_certificate

SAMPLE = ROOT / "examples" / "webhook_receiver.py"
OLD, NEW, OTHER = (secrets.token_hex(32) for _ in range(3))
BODY = json.dumps(
    {
        "event": "document.signed",
        "at": "2026-12-01T03:04:05.123456+00:00",
        "actor": {
            "kind": "signer",
            "name": "Rina Wulandari",
            "nip": "198703152010012004",
            "peran": "pegawai",
        },
        "document": {"id": "doc_contoh", "status": "awaiting_signature"},
        "signer": {"urutan": 1, "peran": "pegawai", "status": "signed"},
    },
    ensure_ascii=False,
).encode()


class Sample:
    """``examples/webhook_receiver.py`` started with ``SKP_WEBHOOK_SECRETS`` and ``--port 0``."""

    def __init__(self, work: Path, secrets_held: list[str], tls: tuple[Path, Path] | None = None) -> None:
        self.out = work / "receiver.out"
        self.err = work / "receiver.err"
        command = [sys.executable, str(SAMPLE), "--port", "0"]
        if tls:
            command += ["--certfile", str(tls[0]), "--keyfile", str(tls[1])]
        env = {**os.environ, "SKP_WEBHOOK_SECRETS": ", ".join(secrets_held)}
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        deadline = time.monotonic() + 20
        while not (found := re.search(r"listening on (https?)://127\.0\.0\.1:(\d+)/", self.output())):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the sample receiver did not start: {self.err.read_text()}")
            time.sleep(0.05)
        self.scheme, self.port = found[1], int(found[2])

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/skp/webhook"

    def output(self) -> str:
        return self.out.read_text(encoding="utf-8")

    def events(self) -> list[str]:
        """The lines printed for processed events (the first line says where it listens)."""
        return [line for line in self.output().splitlines() if not line.startswith("listening on ")]

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(
                "POST", "/skp/webhook", body=body, headers={"Content-Type": "application/json", **headers}
            )
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., Sample]]:
    """Start sample receivers holding the given secrets; each is stopped after the test."""
    started: list[Sample] = []

    def _start(secrets_held: list[str], tls: tuple[Path, Path] | None = None) -> Sample:
        work = tmp_path / f"receiver-{len(started)}"
        work.mkdir()
        sample = Sample(work, secrets_held, tls)
        started.append(sample)
        return sample

    yield _start
    for sample in started:
        sample.stop()


def _headers(signature: str | None, delivery: str = "41") -> dict[str, str]:
    headers = {"X-SKP-Event": "document.signed", "X-SKP-Delivery": delivery}
    if signature is not None:
        headers["X-SKP-Signature"] = signature
    return headers


def rotation_header(new: str, old: str, body: bytes) -> str:
    """``X-SKP-Signature`` during a secret's grace period: the new secret's value, then the old one's."""
    both = signature_header([new, old], body)
    assert both == ",".join((signature_header(new, body), signature_header(old, body)))
    return both


@pytest.mark.parametrize("secret", [NEW, OLD], ids=["new", "old"])
def test_a_body_signed_with_either_secret_held_is_accepted_and_printed(
    start: Callable[..., Sample], secret: str
) -> None:
    sample = start([NEW, OLD])
    status, _ = sample.post(BODY, _headers(signature_header(secret, BODY)))
    assert status == 204
    assert sample.events() == ["document.signed doc_contoh delivery=41"]


@pytest.mark.parametrize(
    "held", [[OLD], [NEW, OLD], [NEW]], ids=["not-yet-updated", "holding-both", "updated"]
)
def test_the_two_signatures_of_a_rotation_are_accepted_whichever_secret_the_receiver_holds(
    start: Callable[..., Sample], held: list[str]
) -> None:
    sample = start(held)
    status, _ = sample.post(BODY, _headers(rotation_header(NEW, OLD, BODY)))
    assert status == 204
    assert sample.events() == ["document.signed doc_contoh delivery=41"]


def test_a_rotation_header_of_two_other_secrets_is_refused(start: Callable[..., Sample]) -> None:
    sample = start([OTHER])
    status, _ = sample.post(BODY, _headers(rotation_header(NEW, OLD, BODY)))
    assert status == 401
    assert sample.events() == []


@pytest.mark.parametrize(
    ("body", "signature"),
    [
        pytest.param(BODY.replace(b"doc_contoh", b"doc_contoH"), signature_header(NEW, BODY), id="tampered"),
        pytest.param(BODY + b" ", signature_header(NEW, BODY), id="a-byte-appended"),
        pytest.param(BODY, signature_header(OTHER, BODY), id="wrong-secret"),
        pytest.param(BODY, rotation_header(OTHER, OTHER, BODY), id="two-wrong-values"),
        pytest.param(BODY, None, id="missing"),
        pytest.param(BODY, "", id="empty"),
        pytest.param(BODY, signature_header(NEW, BODY).removeprefix("sha256="), id="no-prefix"),
        pytest.param(BODY, signature_header(NEW, BODY).replace("sha256=", "sha1="), id="other-algorithm"),
        pytest.param(BODY, signature_header(NEW, BODY)[:-1], id="truncated"),
        pytest.param(BODY, "sha256=ÿ" + signature_header(NEW, BODY)[8:], id="not-ascii"),
        pytest.param(BODY, ",", id="only-a-comma"),
    ],
)
def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_processed(
    start: Callable[..., Sample], body: bytes, signature: str | None
) -> None:
    sample = start([NEW, OLD])
    status, answer = sample.post(body, _headers(signature))
    assert status == 401
    assert "tanda tangan" in answer.decode().lower()
    assert sample.events() == []


def test_the_signature_is_checked_over_the_raw_bytes_not_the_parsed_json(
    start: Callable[..., Sample],
) -> None:
    """Re-serialising the JSON (key order, spacing, escapes) would change the bytes: never accepted."""
    sample = start([NEW])
    reserialised = json.dumps(json.loads(BODY), ensure_ascii=True, sort_keys=True).encode()
    assert reserialised != BODY
    status, _ = sample.post(reserialised, _headers(signature_header(NEW, BODY)))
    assert status == 401
    assert sample.post(BODY, _headers(signature_header(NEW, BODY)))[0] == 204


def test_a_retried_delivery_is_acknowledged_again_and_processed_once(start: Callable[..., Sample]) -> None:
    sample = start([NEW])
    signed = _headers(signature_header(NEW, BODY), delivery="7")
    assert [sample.post(BODY, signed)[0] for _ in range(3)] == [204, 204, 204]
    # A redelivery (POST …/redeliver) is a new delivery id with the same body: processed again.
    assert sample.post(BODY, {**signed, "X-SKP-Delivery": "8"})[0] == 204
    assert sample.events() == [
        "document.signed doc_contoh delivery=7",
        "document.signed doc_contoh delivery=8",
    ]


def test_a_forged_request_cannot_make_the_receiver_skip_a_real_delivery(start: Callable[..., Sample]) -> None:
    sample = start([NEW])
    assert sample.post(BODY, _headers(signature_header(OTHER, BODY), delivery="9"))[0] == 401
    assert sample.post(BODY, _headers(signature_header(NEW, BODY), delivery="9"))[0] == 204
    assert sample.events() == ["document.signed doc_contoh delivery=9"]


def test_a_body_that_cannot_be_read_is_refused_before_it_is_verified(start: Callable[..., Sample]) -> None:
    sample = start([NEW])
    connection = http.client.HTTPConnection("127.0.0.1", sample.port, timeout=10)
    try:
        connection.putrequest("POST", "/skp/webhook")
        connection.putheader("Content-Length", str(64 * 1024 * 1024))
        connection.putheader("X-SKP-Signature", signature_header(NEW, b""))
        connection.endheaders()
        assert connection.getresponse().status == 413
    finally:
        connection.close()
    assert sample.events() == []


def test_the_guides_python_check_agrees_with_the_sample() -> None:
    """The snippet of docs/integration.md section 5, run, decides as the receiver does."""
    import importlib.util

    guide = (ROOT / "docs" / "integration.md").read_text(encoding="utf-8")
    [snippet] = re.findall(r"```python\n(.*?)```", guide, flags=re.DOTALL)
    namespace: dict[str, Any] = {}
    exec(compile(snippet, "docs/integration.md", "exec"), namespace)  # noqa: S102  (our own guide)
    spec = importlib.util.spec_from_file_location("webhook_receiver", SAMPLE)
    assert spec is not None
    assert spec.loader is not None
    sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sample)
    held = [NEW.encode(), OLD.encode()]
    headers = [
        signature_header(NEW, BODY),
        signature_header(OLD, BODY),
        rotation_header(NEW, OLD, BODY),
        rotation_header(OTHER, OLD, BODY),
        signature_header(OTHER, BODY),
        signature_header(NEW, BODY + b" "),
        "sha256=ÿ",
        "",
        None,
    ]
    decisions = [namespace["signature_matches"](h, BODY, held) for h in headers]
    assert decisions == [True, True, True, True, False, False, False, False, False]
    assert decisions == [sample.signature_matches(h, BODY, held) for h in headers]


def test_without_a_secret_the_receiver_does_not_start(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SAMPLE), "--port", "0"],
        env={**os.environ, "SKP_WEBHOOK_SECRETS": " , "},
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert result.returncode == 2
    assert "SKP_WEBHOOK_SECRETS" in result.stderr


# The service itself delivering to the sample receiver over https.


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The shared config, allowing the loopback network the receiver listens on."""
    return {**app_config, "WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8"}


@pytest.fixture
def tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The receiver's certificate (self-signed, its own CA) and key; nothing trusts it yet."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    directory = tmp_path / "receiver-tls"
    directory.mkdir()
    cert_file, key_file, _pem = server_certificate(directory)
    return cert_file, key_file


def _cli(runner: FlaskCliRunner, *args: str) -> str:
    result = runner.invoke(args=["skp", "clients", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _new_client(runner: FlaskCliRunner, tls: tuple[Path, Path]) -> str:
    """A client made as docs/integration.md says: its secret kept, its receivers' CA trusted."""
    secret: str = json.loads(_cli(runner, "create", "hr-webhook", "--json"))["webhook_secret"]
    _cli(runner, "ca", "hr-webhook", str(tls[0]))
    return secret


def _deliver(app: Flask, document_id: str) -> list[WebhookDelivery]:
    with app.app_context():
        session = get_session()
        deliver_due(session, get_services().webhooks, timeout=5)
        rows = list(
            session.scalars(select(WebhookDelivery).where(WebhookDelivery.document_id == document_id))
        )
        session.expunge_all()
        return rows


def test_the_service_delivers_to_the_sample_receiver_over_https(
    app: Flask, runner: FlaskCliRunner, start: Callable[..., Sample], tls: tuple[Path, Path]
) -> None:
    sample = start([_new_client(runner, tls)], tls)
    assert sample.url.startswith("https://")
    document_id = ready_document(app, client_name="hr-webhook", changes={"callback_url": sample.url})
    rows = _deliver(app, document_id)
    assert [(r.event, r.last_status, r.delivered_at is not None) for r in rows] == [
        ("document.ready", 204, True)
    ]
    assert sample.events() == [f"document.ready {document_id} delivery={rows[0].id}"]


def test_without_the_clients_ca_the_receivers_certificate_is_refused(
    app: Flask, runner: FlaskCliRunner, start: Callable[..., Sample], tls: tuple[Path, Path]
) -> None:
    secret = json.loads(_cli(runner, "create", "hr-webhook", "--json"))["webhook_secret"]
    sample = start([secret], tls)
    document_id = ready_document(app, client_name="hr-webhook", changes={"callback_url": sample.url})
    [row] = _deliver(app, document_id)
    assert (row.last_status, row.delivered_at, row.attempts) == (None, None, 1)
    assert "certificate" in (row.last_error or "").lower()
    assert sample.events() == []


def test_a_receiver_without_the_clients_secret_refuses_and_the_service_retries(
    app: Flask, runner: FlaskCliRunner, start: Callable[..., Sample], tls: tuple[Path, Path]
) -> None:
    _new_client(runner, tls)
    sample = start([OTHER], tls)
    document_id = ready_document(app, client_name="hr-webhook", changes={"callback_url": sample.url})
    rows = _deliver(app, document_id)
    assert [(r.last_status, r.delivered_at, r.attempts) for r in rows] == [(401, None, 1)]
    assert rows[0].next_attempt_at is not None
    assert sample.events() == []


def test_after_rotate_secret_receivers_holding_either_secret_accept_every_delivery(
    app: Flask, runner: FlaskCliRunner, start: Callable[..., Sample], tls: tuple[Path, Path]
) -> None:
    old = _new_client(runner, tls)
    new = _cli(runner, "rotate-secret", "hr-webhook", "--grace-hours", "24").splitlines()[-1]
    assert re.fullmatch(r"[0-9a-f]{64}", new)
    assert new != old
    receivers = {"old": start([old], tls), "new": start([new], tls), "both": start([new, old], tls)}
    for name, sample in receivers.items():
        document_id = ready_document(
            app, client_name="hr-webhook", idempotency_key=f"k-{name}", changes={"callback_url": sample.url}
        )
        rows = _deliver(app, document_id)
        assert [(r.last_status, r.delivered_at is not None) for r in rows] == [(204, True)], name
        assert sample.events() == [f"document.ready {document_id} delivery={rows[0].id}"], name
    # Rotated again without a grace period: from now on only the newest secret signs.
    _cli(runner, "rotate-secret", "hr-webhook", "--grace-hours", "0")
    document_id = ready_document(
        app,
        client_name="hr-webhook",
        idempotency_key="k-after",
        changes={"callback_url": receivers["new"].url},
    )
    assert [r.last_status for r in _deliver(app, document_id)] == [401]


def test_a_ping_asked_for_through_the_api_reaches_the_sample_receiver(
    app: Flask, runner: FlaskCliRunner, start: Callable[..., Sample], tls: tuple[Path, Path]
) -> None:
    created = json.loads(_cli(runner, "create", "hr-webhook", "--json"))
    _cli(runner, "ca", "hr-webhook", str(tls[0]))
    sample = start([created["webhook_secret"]], tls)
    answer = app.test_client().post(
        "/api/v1/webhooks/ping",
        json={"url": sample.url},
        headers={"Authorization": f"Bearer {created['api_key']}"},
    )
    assert answer.status_code == 202, answer.json
    assert answer.json is not None
    delivery_id = answer.json["delivery_id"]
    with app.app_context():
        assert deliver_due(get_session(), get_services().webhooks, timeout=5) == 1
        row = get_session().get(WebhookDelivery, delivery_id)
        assert row is not None
        assert (row.event, row.last_status) == ("ping", 204)
    assert sample.events() == [f"ping hr-webhook delivery={delivery_id}"]


def test_the_tls_handshake_happens_off_the_accepting_thread(
    start: Callable[..., Sample], tls: tuple[Path, Path]
) -> None:
    """A client that connects and stays silent does not stop another one from being served."""
    import socket

    sample = start([NEW], tls)
    with socket.create_connection(("127.0.0.1", sample.port), timeout=10):
        context = ssl.create_default_context(cafile=str(tls[0]))
        connection = http.client.HTTPSConnection("127.0.0.1", sample.port, timeout=10, context=context)
        try:
            connection.request("POST", "/", body=BODY, headers=_headers(signature_header(NEW, BODY)))
            assert connection.getresponse().status == 204
        finally:
            connection.close()
    assert sample.events() == ["document.signed doc_contoh delivery=41"]
