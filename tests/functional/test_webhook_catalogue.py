"""Every webhook event, with its actor and members, against a real HTTPS receiver on 127.0.0.1; the
webhook secret rotated while deliveries are in flight; ping, redelivery and a client's own CA.

The receiver and its fixtures are those of ``test_webhooks`` (a certificate for 127.0.0.1 trusted
through ``REQUESTS_CA_BUNDLE``, the loopback network allowed); the per-client CA test trusts nothing
through the environment. Each body received is checked against the OpenAPI document's ``webhooks``.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import hmac
import json
import re
import secrets
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from jsonschema import Draft202012Validator
from sqlalchemy import func, select, update

from service.api.openapi import build_spec
from service.composition import get_services
from service.db import get_session
from service.errors import LockedError
from service.models import ApiClient, AuditEvent, WebhookDelivery
from service.workflow.mail import sweep_expired_links
from service.workflow.operations import reject_document
from service.workflow.pipeline import mark_failed
from service.workflow.signing_ops import MAX_FAILED_ATTEMPTS, WrongPassphraseServiceError, sign_document
from service.workflow.webhooks import EVENTS, SYSTEM
from tests.conftest import load_example
from tests.functional.clock import movable_clock
from tests.functional.support import document, kode_for, ready_document
from tests.functional.test_webhooks import (
    ALL_EVENTS,
    Receiver,
    _deliver_all,
    _deliveries,
    _make_due,
    _receiver,
    _self_signed,
    _sign,
)

SERVICE = Path(__file__).resolve().parents[2] / "service"
CLIENT = "hr-webhook"
PLT = {
    "jenis": "plt",
    "nama": "Drs. Bambang Sutrisno, M.Si.",
    "nip": "197001011995031002",
    "jabatan": "Plt. Kepala Bidang Pengembangan",
}
HR_ACTOR = {"kind": "client", "name": CLIENT, "nip": None, "peran": None}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The shared config, allowing the loopback network the receiver listens on."""
    return {**app_config, "WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8"}


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _self_signed(tmp_path_factory.mktemp("catalogue-tls"))


@pytest.fixture
def receiver(tls_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    yield from _receiver(tls_files, monkeypatch)


@pytest.fixture
def hr(runner: FlaskCliRunner) -> dict[str, Any]:
    """The HR client, created by the operator's command; what ``--json`` printed."""
    scopes = "documents:write,documents:read,webhooks:manage"
    result = runner.invoke(args=["skp", "clients", "create", CLIENT, "--scopes", scopes, "--json"])
    assert result.exit_code == 0, result.output
    created: dict[str, Any] = json.loads(result.output)
    return created


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@functools.cache
def _spec() -> dict[str, Any]:
    return build_spec("http://localhost:5000")


def _conforms(body: dict[str, Any]) -> None:
    """The body is an event of :data:`EVENTS` and fits the OpenAPI document's schema for it."""
    assert body["event"] in EVENTS
    spec = _spec()
    if "webhooks" not in spec:  # documented by another change; checked once it is there
        return
    operation = spec["webhooks"][body["event"]]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    validator = Draft202012Validator(
        {**schema, "components": spec["components"]}, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
    assert errors == [], (body["event"], errors)


def _received(receiver: Receiver, document_id: str | None = None) -> list[dict[str, Any]]:
    """The bodies delivered (answered 200), each checked; only ``document_id``'s when given."""
    bodies = []
    for headers, raw in receiver.delivered():
        body: dict[str, Any] = json.loads(raw)
        assert headers["X-SKP-Event"] == body["event"]
        _conforms(body)
        if document_id is None or body.get("document", {}).get("id") == document_id:
            bodies.append(body)
    return bodies


def _verifies(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver holding ``secret`` does: any value of X-SKP-Signature matches its HMAC."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return any(
        hmac.compare_digest(value.strip(), expected) for value in headers["X-SKP-Signature"].split(",")
    )


def _signers(app: Flask, document_id: str) -> list[dict[str, Any]]:
    with app.app_context():
        return [
            {"urutan": s.urutan, "nama": s.nama, "nip": s.nip, "peran": s.peran}
            for s in document(app, document_id).signers
        ]


def _hooked(app: Flask, receiver: Receiver, key: str = "k-1") -> str:
    return ready_document(
        app, client_name=CLIENT, idempotency_key=key, changes={"callback_url": receiver.url}
    )


# --- the catalogue ----------------------------------------------------------------------------------


def test_each_signature_names_its_signer_who_is_the_actor(
    app: Flask, hr: dict[str, Any], receiver: Receiver
) -> None:
    document_id = _hooked(app, receiver)
    for urutan in (1, 2, 3):
        _sign(app, document_id, urutan)
    assert _deliver_all(app) == 5
    bodies = _received(receiver, document_id)
    assert [b["event"] for b in bodies] == ALL_EVENTS
    ready, *signed, completed = bodies
    for who, body in zip(_signers(app, document_id), signed, strict=True):
        assert body["actor"] == {
            "kind": "signer",
            "name": who["nama"],
            "nip": who["nip"],
            "peran": who["peran"],
        }
        assert (body["signer"]["urutan"], body["signer"]["nama"], body["signer"]["nip"]) == (
            who["urutan"],
            who["nama"],
            who["nip"],
        )
        assert body["signer"]["status"] == "signed"
        assert body["signer"]["signed_at"] is not None
        # The signer as the document in the same body shows it.
        assert body["signer"] == body["document"]["signers"][who["urutan"] - 1]
    for body in (ready, completed):
        assert body["actor"] == SYSTEM
        assert "signer" not in body
    assert completed["document"]["status"] == "completed"


@pytest.mark.parametrize(
    "example",
    [
        "permenpanrb_6_2022_penetapan_predikat",
        "permenpanrb_8_2021_peringkat",
        "permenpanrb_6_2022_catatan_bimbingan",
        "permenpanrb_6_2022_umpan_balik_bimbingan",
        "permenpanrb_6_2022_konseling",
    ],
)
def test_a_unit_or_coaching_document_reports_each_step_as_the_others(
    app: Flask, hr: dict[str, Any], receiver: Receiver, example: str
) -> None:
    """The same events, each body as the catalogue documents it (no pegawai for a unit document)."""
    document_id = ready_document(
        app, example=example, client_name=CLIENT, changes={"callback_url": receiver.url}
    )
    signers = _signers(app, document_id)
    for who in signers:
        with app.app_context():
            doc = document(app, document_id)
            sign_document(
                get_session(),
                get_services(),
                doc,
                urutan=who["urutan"],
                passphrase=f"frasa-sandi-{who['peran']}",
                actor="test",
                ip="127.0.0.1",
                kode=kode_for(get_session(), get_services(), doc, who["urutan"]),
            )
    assert _deliver_all(app) == 2 + len(signers)
    bodies = _received(receiver, document_id)
    assert [b["event"] for b in bodies] == [
        "document.ready",
        *["document.signed"] * len(signers),
        "document.completed",
    ]
    assert [b["signer"]["peran"] for b in bodies[1:-1]] == [w["peran"] for w in signers]
    assert bodies[-1]["document"]["type"] == load_example(example)["type"]


def test_a_rejection_carries_the_reason_and_the_signer_who_rejected(
    app: Flask, hr: dict[str, Any], receiver: Receiver
) -> None:
    document_id = _hooked(app, receiver)
    _sign(app, document_id, 1)
    with app.app_context():
        doc = document(app, document_id)
        reject_document(
            get_session(),
            get_services(),
            doc,
            doc.signers[1],
            alasan="Target belum disepakati.",
            actor="test",
            ip=None,
        )
    assert _deliver_all(app) == 3
    rejected = _received(receiver, document_id)[-1]
    penilai = _signers(app, document_id)[1]
    assert rejected["event"] == "document.rejected"
    assert rejected["alasan"] == "Target belum disepakati."
    assert rejected["signer"]["urutan"] == 2
    assert rejected["signer"]["status"] == "rejected"
    assert rejected["actor"] == {
        "kind": "signer",
        "name": penilai["nama"],
        "nip": penilai["nip"],
        "peran": penilai["peran"],
    }
    assert rejected["document"]["status"] == "rejected"


def test_a_cancellation_is_the_clients(
    app: Flask, client: FlaskClient, hr: dict[str, Any], receiver: Receiver
) -> None:
    document_id = _hooked(app, receiver)
    answer = client.post(f"/api/v1/documents/{document_id}/cancel", headers=_auth(hr["api_key"]))
    assert answer.status_code == 200, answer.text
    assert _deliver_all(app) == 2
    cancelled = _received(receiver, document_id)[-1]
    assert cancelled["event"] == "document.cancelled"
    assert cancelled["actor"] == HR_ACTOR
    assert "signer" not in cancelled
    assert cancelled["document"]["status"] == "cancelled"


def test_a_delegation_names_both_officials_and_the_plts_signature_names_the_plt(
    app: Flask, client: FlaskClient, hr: dict[str, Any], receiver: Receiver
) -> None:
    document_id = _hooked(app, receiver)
    original = _signers(app, document_id)[1]
    _sign(app, document_id, 1)
    answer = client.post(
        f"/api/v1/documents/{document_id}/signers/2/delegate", headers=_auth(hr["api_key"]), json=PLT
    )
    assert answer.status_code == 200, answer.text
    _sign(app, document_id, 2)  # the Plt enrolls a key of their own and signs
    assert _deliver_all(app) == 4
    bodies = _received(receiver, document_id)
    assert [b["event"] for b in bodies] == [
        "document.ready",
        "document.signed",
        "signer.delegated",
        "document.signed",
    ]
    delegated, plt_signed = bodies[2], bodies[3]
    assert delegated["actor"] == HR_ACTOR
    # The Plt/Plh as the signer shows it (delegasi of the representation), with whom they replace.
    assert {key: delegated["delegasi"][key] for key in PLT} == PLT
    assert delegated["delegasi"]["semula"] == delegated["semula"]
    assert delegated["delegasi"] == delegated["signer"]["delegasi"]
    assert delegated["semula"]["nama"] == original["nama"]
    assert delegated["semula"]["nip"] == original["nip"]
    assert set(delegated["semula"]) == {"nama", "nip", "jabatan"}
    assert (delegated["signer"]["urutan"], delegated["signer"]["nama"]) == (2, PLT["nama"])
    assert delegated["signer"]["status"] == "pending"
    assert delegated["signer"]["sign_url"] is not None  # the Plt's own link
    assert (plt_signed["signer"]["nama"], plt_signed["signer"]["nip"]) == (PLT["nama"], PLT["nip"])
    assert plt_signed["actor"] == {
        "kind": "signer",
        "name": PLT["nama"],
        "nip": PLT["nip"],
        "peran": "pejabat_penilai",
    }


def test_a_reissue_carries_the_new_link(
    app: Flask, client: FlaskClient, hr: dict[str, Any], receiver: Receiver
) -> None:
    document_id = _hooked(app, receiver)
    answer = client.post(f"/api/v1/documents/{document_id}/signers/1/reissue", headers=_auth(hr["api_key"]))
    assert answer.status_code == 200, answer.text
    assert _deliver_all(app) == 2
    ready, reissued = _received(receiver, document_id)
    assert reissued["event"] == "signer.reissued"
    assert reissued["actor"] == HR_ACTOR
    assert reissued["signer"]["urutan"] == 1
    assert reissued["signer"]["sign_url"] is not None
    assert reissued["signer"]["sign_url"] != ready["document"]["signers"][0]["sign_url"]
    shown = client.get(f"/api/v1/documents/{document_id}", headers=_auth(hr["api_key"])).json
    assert reissued["signer"]["sign_url"] == shown["signers"][0]["sign_url"]


def test_the_fifth_wrong_passphrase_locks_the_link_and_reports_it_once(
    app: Flask, hr: dict[str, Any], receiver: Receiver
) -> None:
    enrolled = ready_document(app, client_name=CLIENT, idempotency_key="k-enrol")
    _sign(app, enrolled, 1)  # the pegawai has a key now (no callback on this one)
    document_id = _hooked(app, receiver, key="k-locked")
    with app.app_context():
        for attempt in range(1, MAX_FAILED_ATTEMPTS + 2):
            doc = document(app, document_id)
            expected = WrongPassphraseServiceError if attempt <= MAX_FAILED_ATTEMPTS else LockedError
            with pytest.raises(expected):
                sign_document(
                    get_session(),
                    get_services(),
                    doc,
                    urutan=1,
                    passphrase=f"salah-{attempt}",
                    actor="test",
                    ip=None,
                )
    assert _deliver_all(app) == 2
    bodies = _received(receiver, document_id)
    assert [b["event"] for b in bodies] == ["document.ready", "signer.locked"]
    locked = bodies[1]
    assert locked["actor"] == SYSTEM
    assert locked["signer"]["urutan"] == 1
    assert locked["signer"]["status"] == "pending"


def test_an_expired_link_is_reported_once_per_link(
    app: Flask, client: FlaskClient, hr: dict[str, Any], receiver: Receiver
) -> None:
    clock = movable_clock(app)
    document_id = _hooked(app, receiver)
    ttl = _link_ttl(app)
    clock.advance(ttl - timedelta(minutes=1))
    with app.app_context():
        assert sweep_expired_links(get_session(), get_services()) == 0  # not expired yet
    clock.advance(timedelta(minutes=2))
    with app.app_context():
        assert sweep_expired_links(get_session(), get_services()) == 1
        assert sweep_expired_links(get_session(), get_services()) == 0
    assert _deliver_all(app) == 2
    bodies = _received(receiver, document_id)
    assert [b["event"] for b in bodies] == ["document.ready", "signer.link_expired"]
    expired = bodies[1]
    assert expired["actor"] == SYSTEM
    assert expired["signer"]["urutan"] == 1
    assert expired["at"] == clock.now().isoformat()
    # A reissued link is another link: its expiry is reported once more.
    answer = client.post(f"/api/v1/documents/{document_id}/signers/1/reissue", headers=_auth(hr["api_key"]))
    assert answer.status_code == 200, answer.text
    clock.advance(ttl + timedelta(minutes=1))
    with app.app_context():
        assert sweep_expired_links(get_session(), get_services()) == 1
        assert sweep_expired_links(get_session(), get_services()) == 0
        audited = get_session().scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.document_id == document_id, AuditEvent.event == "link_expired")
        )
    assert audited == 2
    assert _deliver_all(app) == 2
    assert [b["event"] for b in _received(receiver, document_id)][2:] == [
        "signer.reissued",
        "signer.link_expired",
    ]


def _link_ttl(app: Flask) -> timedelta:
    with app.app_context():
        return get_services().settings.sign_link_ttl


def test_a_document_that_cannot_be_made_reports_failed(
    app: Flask, client: FlaskClient, hr: dict[str, Any], receiver: Receiver
) -> None:
    body = {**load_example("permenpanrb_8_2021_dokumen_penilaian"), "callback_url": receiver.url}
    created = client.post(
        "/api/v1/documents", headers={**_auth(hr["api_key"]), "Idempotency-Key": "k-failed"}, json=body
    )
    assert created.status_code == 202, created.text
    document_id = created.json["id"]
    with app.app_context():
        mark_failed(get_session(), get_services(), document_id, "Konversi dokumen gagal.")
    assert _deliver_all(app) == 1
    (failed,) = _received(receiver, document_id)
    assert failed["event"] == "document.failed"
    assert failed["actor"] == SYSTEM
    assert failed["document"]["status"] == "failed"


def _sent_event_names() -> set[str]:
    """Every event name the service's code passes to ``enqueue`` or writes into a delivery."""
    names: set[str] = set()
    for path in SERVICE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            values = [k.value for k in node.keywords if k.arg == "event"] if callee == "_delivery" else []
            if callee == "enqueue":
                values += node.args
            names.update(v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return names


def test_every_event_the_code_sends_is_in_the_catalogue_and_documented() -> None:
    sent = _sent_event_names()
    assert sent == set(EVENTS)  # each one sent somewhere, none unknown
    spec = _spec()
    if "webhooks" in spec:
        assert set(spec["webhooks"]) == set(EVENTS)


def test_the_body_check_refuses_what_the_document_does_not_allow() -> None:
    # The check used on every body above can fail: a member the schema does not list, a wrong actor.
    body = {"event": "ping", "at": "2026-12-01T08:00:00+00:00", "actor": HR_ACTOR, "client": CLIENT}
    _conforms(body)
    if "webhooks" not in _spec():
        pytest.skip("the OpenAPI document has no webhooks yet")
    with pytest.raises(AssertionError):
        _conforms({**body, "alasan": "tidak ada"})
    with pytest.raises(AssertionError):
        _conforms({**body, "actor": SYSTEM})


# --- secret rotation with deliveries in flight ------------------------------------------------------


def test_a_rotation_signs_every_delivery_for_both_secrets_until_the_grace_ends(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, hr: dict[str, Any], receiver: Receiver
) -> None:
    old, auth = hr["webhook_secret"], _auth(hr["api_key"])
    receiver.fail_next = 1000  # down
    document_id = _hooked(app, receiver)
    _sign(app, document_id, 1)
    _sign(app, document_id, 2)
    assert _deliver_all(app) == 0
    (headers, body, status) = receiver.requests[0]
    assert status == 503
    assert "," not in headers["X-SKP-Signature"]  # before the rotation: one secret
    assert _verifies(old, headers, body)

    rotated = client.post("/api/v1/client/webhook-secret", headers=auth, json={"grace_hours": 2})
    assert rotated.status_code == 200, rotated.text
    assert rotated.headers["Cache-Control"] == "no-store"
    new = rotated.json["webhook_secret"]
    assert new != old
    until = datetime.fromisoformat(rotated.json["previous_valid_until"])
    assert until - datetime.now(UTC) == pytest.approx(timedelta(hours=2), abs=timedelta(minutes=1))
    shown = client.get("/api/v1/client", headers=auth).json
    assert shown["previous_secret_valid_until"] == rotated.json["previous_valid_until"]

    receiver.fail_next = 0  # up again: the three events queued before the rotation go out
    _make_due(app)
    assert _deliver_all(app) == 3
    delivered = receiver.delivered()
    assert [json.loads(b)["event"] for _h, b in delivered] == ALL_EVENTS[:3]
    other = secrets.token_hex(32)
    for headers, body in delivered:
        values = headers["X-SKP-Signature"].split(",")
        assert len(values) == 2
        assert all(re.fullmatch(r"sha256=[0-9a-f]{64}", v) for v in values)
        assert _verifies(old, headers, body)  # a receiver still holding the old secret
        assert _verifies(new, headers, body)  # a receiver already holding the new one
        assert not _verifies(other, headers, body)
        assert values[0] == "sha256=" + hmac.new(new.encode(), body, hashlib.sha256).hexdigest()

    # The operator rotates again (CLI): the secret of the API rotation is now the previous one.
    result = runner.invoke(args=["skp", "clients", "rotate-secret", CLIENT, "--grace-hours", "1"])
    assert result.exit_code == 0, result.output
    newest = result.output.strip().splitlines()[-1]
    assert newest not in (old, new)
    _sign(app, document_id, 3)
    assert _deliver_all(app) == 2
    for headers, body in receiver.delivered()[3:]:
        assert len(headers["X-SKP-Signature"].split(",")) == 2
        assert _verifies(newest, headers, body)
        assert _verifies(new, headers, body)
        assert not _verifies(old, headers, body)

    # The grace period ends: only the newest secret signs.
    with app.app_context():
        session = get_session()
        session.execute(
            update(ApiClient)
            .where(ApiClient.name == CLIENT)
            .values(webhook_secret_previous_until=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    assert client.get("/api/v1/client", headers=auth).json["previous_secret_valid_until"] is None
    pinged = client.post("/api/v1/webhooks/ping", headers=auth, json={"url": receiver.url})
    assert pinged.status_code == 202, pinged.text
    assert _deliver_all(app) == 1
    headers, body = receiver.delivered()[-1]
    assert json.loads(body)["event"] == "ping"
    assert "," not in headers["X-SKP-Signature"]
    assert _verifies(newest, headers, body)
    assert not _verifies(new, headers, body)


def test_a_rotation_without_grace_signs_with_the_new_secret_alone_at_once(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, hr: dict[str, Any], receiver: Receiver
) -> None:
    old, auth = hr["webhook_secret"], _auth(hr["api_key"])
    receiver.fail_next = 1000
    document_id = _hooked(app, receiver)
    assert _deliver_all(app) == 0
    # Through the API at least an hour: a key alone cannot make deliveries in flight unverifiable.
    for wrong in (0, 169, -1, "2", 1.5):
        refused = client.post("/api/v1/client/webhook-secret", headers=auth, json={"grace_hours": wrong})
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json["errors"]] == ["grace_hours"]
    assert client.get("/api/v1/client", headers=auth).json["webhook_secret_rotated_at"] is None
    # The operator may (a secret that leaked): the CLI with --grace-hours 0.
    result = runner.invoke(args=["skp", "clients", "rotate-secret", CLIENT, "--grace-hours", "0"])
    assert result.exit_code == 0, result.output
    new = result.output.strip().splitlines()[-1]
    assert client.get("/api/v1/client", headers=auth).json["previous_secret_valid_until"] is None
    receiver.fail_next = 0
    _make_due(app)
    assert _deliver_all(app) == 1
    ((headers, body),) = receiver.delivered()
    assert json.loads(body)["document"]["id"] == document_id
    assert "," not in headers["X-SKP-Signature"]
    assert _verifies(new, headers, body)
    assert not _verifies(old, headers, body)


# --- ping ---------------------------------------------------------------------------------------------


def test_a_ping_is_delivered_signed_with_the_current_secret(
    app: Flask, client: FlaskClient, hr: dict[str, Any], receiver: Receiver
) -> None:
    answer = client.post("/api/v1/webhooks/ping", headers=_auth(hr["api_key"]), json={"url": receiver.url})
    assert answer.status_code == 202, answer.text
    assert answer.json["url"] == receiver.url
    assert _deliver_all(app) == 1
    ((headers, body),) = receiver.delivered()
    (ping,) = _received(receiver)
    assert ping["event"] == "ping"
    assert ping["client"] == CLIENT
    assert ping["actor"] == HR_ACTOR
    assert headers["X-SKP-Delivery"] == str(answer.json["delivery_id"])
    assert _verifies(hr["webhook_secret"], headers, body)
    assert not _verifies(secrets.token_hex(32), headers, body)


@pytest.mark.parametrize(
    "url", ["https://10.20.30.40/hook", "https://169.254.169.254/latest", "https://[::1]/hook"]
)
def test_a_ping_to_an_address_webhooks_may_not_reach_is_refused_naming_url(
    app: Flask, client: FlaskClient, hr: dict[str, Any], url: str
) -> None:
    answer = client.post("/api/v1/webhooks/ping", headers=_auth(hr["api_key"]), json={"url": url})
    assert answer.status_code == 422, answer.text
    assert answer.mimetype == "application/problem+json"
    assert [e["field"] for e in answer.json["errors"]] == ["url"]
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(WebhookDelivery)) == 0


# --- redelivery ---------------------------------------------------------------------------------------


def test_a_delivered_event_is_sent_again_as_a_new_delivery(
    app: Flask, client: FlaskClient, hr: dict[str, Any], receiver: Receiver
) -> None:
    auth = _auth(hr["api_key"])
    document_id = _hooked(app, receiver)
    assert _deliver_all(app) == 1
    (original,) = _deliveries(app, document_id)
    answer = client.post(f"/api/v1/documents/{document_id}/webhooks/{original.id}/redeliver", headers=auth)
    assert answer.status_code == 202, answer.text
    assert answer.json["redelivery_of"] == original.id
    assert answer.json["id"] != original.id
    assert answer.json["event"] == "document.ready"
    assert _deliver_all(app) == 1
    (first_headers, first_body), (again_headers, again_body) = receiver.delivered()
    assert again_body == first_body  # the same body, byte for byte
    assert first_headers["X-SKP-Delivery"] == str(original.id)
    assert again_headers["X-SKP-Delivery"] == str(answer.json["id"])
    assert _verifies(hr["webhook_secret"], again_headers, again_body)
    log = client.get(f"/api/v1/documents/{document_id}/webhooks", headers=auth).json["items"]
    assert [(i["id"], i["redelivery_of"]) for i in log] == [
        (original.id, None),
        (answer.json["id"], original.id),
    ]

    # Not delivered yet (it is still being retried): 409.
    receiver.fail_next = 1000
    _sign(app, document_id, 1)
    assert _deliver_all(app) == 0
    pending = _deliveries(app, document_id)[-1]
    assert (pending.event, pending.delivered_at) == ("document.signed", None)
    refused = client.post(f"/api/v1/documents/{document_id}/webhooks/{pending.id}/redeliver", headers=auth)
    assert refused.status_code == 409, refused.text

    # Another document's delivery, and a delivery that does not exist: 404.
    other_id = ready_document(app, client_name=CLIENT, idempotency_key="k-other")
    for delivery_id in (original.id, 999_999):
        missing = client.post(f"/api/v1/documents/{other_id}/webhooks/{delivery_id}/redeliver", headers=auth)
        assert missing.status_code == 404, missing.text

    # Another client's document: refused as its other write routes refuse it.
    from service.clients import create_client

    with app.app_context():
        stranger = _auth(
            create_client(get_session(), "hr-lain", ["documents:write", "documents:read"]).api_key
        )
    as_cancel = client.post(f"/api/v1/documents/{document_id}/cancel", headers=stranger).status_code
    foreign = client.post(
        f"/api/v1/documents/{document_id}/webhooks/{original.id}/redeliver", headers=stranger
    )
    assert foreign.status_code in (403, 404)
    assert foreign.status_code == as_cancel
    assert len(_deliveries(app, document_id)) == 3  # nothing more queued by the refused calls


# --- a client's own CA --------------------------------------------------------------------------------


def _private_ca(directory: Path) -> tuple[Path, Path, Path]:
    """A CA nobody else trusts and a server certificate it issued for 127.0.0.1: ca, cert, key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA Sistem Kepegawaian Uji")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths


@pytest.fixture
def private_receiver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Receiver, Path]]:
    """A receiver whose certificate comes from a CA the process does not trust; and that CA's file."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    ca, cert, key = _private_ca(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = Receiver(context).start()
    yield server, ca
    server.stop()


def _last_error(app: Flask, key: str) -> str | None:
    return _deliveries(app, key)[-1].last_error


def test_a_receiver_with_its_own_ca_is_reached_once_the_client_trusts_that_ca(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    hr: dict[str, Any],
    private_receiver: tuple[Receiver, Path],
) -> None:
    receiver, ca = private_receiver
    auth = _auth(hr["api_key"])
    document_id = _hooked(app, receiver)
    assert _deliver_all(app) == 0
    error = _last_error(app, document_id)
    assert error is not None
    assert error.startswith("SSLError: ")
    assert "CERTIFICATE_VERIFY_FAILED" in error
    assert receiver.requests == []

    # Not PEM: refused with a clear message, and nothing changes.
    junk = ca.parent / "bukan.pem"
    junk.write_text("ini bukan sertifikat\n", encoding="ascii")
    refused = runner.invoke(args=["skp", "clients", "ca", CLIENT, str(junk)])
    assert refused.exit_code != 0
    assert "not a PEM certificate bundle" in refused.output
    assert client.get("/api/v1/client", headers=auth).json["webhook_ca"] is False

    trusted = runner.invoke(args=["skp", "clients", "ca", CLIENT, str(ca)])
    assert trusted.exit_code == 0, trusted.output
    assert client.get("/api/v1/client", headers=auth).json["webhook_ca"] is True
    _make_due(app)
    assert _deliver_all(app) == 1
    assert [b["event"] for b in _received(receiver, document_id)] == ["document.ready"]

    cleared = runner.invoke(args=["skp", "clients", "ca", CLIENT, "--clear"])
    assert cleared.exit_code == 0, cleared.output
    assert client.get("/api/v1/client", headers=auth).json["webhook_ca"] is False
    _sign(app, document_id, 1)
    assert _deliver_all(app) == 0
    error = _last_error(app, document_id)
    assert error is not None
    assert "CERTIFICATE_VERIFY_FAILED" in error
    assert len(receiver.delivered()) == 1

    # Neither a file and --clear, nor none of them.
    assert runner.invoke(args=["skp", "clients", "ca", CLIENT]).exit_code != 0
    assert runner.invoke(args=["skp", "clients", "ca", CLIENT, str(ca), "--clear"]).exit_code != 0
    with app.app_context():
        subjects = [
            json.loads(e.data_json)["subjects"]
            for e in get_session().scalars(
                select(AuditEvent).where(AuditEvent.event == "webhook_ca_set").order_by(AuditEvent.id)
            )
        ]
    assert subjects == [["CN=CA Sistem Kepegawaian Uji"], []]


def test_a_finished_batch_reports_completed_to_its_own_callback(
    app: Flask, client: FlaskClient, hr: dict[str, Any], receiver: Receiver
) -> None:
    from service.workflow.batches import complete_finished

    posted = client.post(
        "/api/v1/batches",
        headers=_auth(hr["api_key"]),
        json={
            "callback_url": receiver.url,
            "items": [{"idempotency_key": "b-1", "payload": {"type": "skp"}}],
        },
    )
    assert posted.status_code == 202, posted.text
    assert posted.json["items"][0]["problem"] is not None  # refused: the batch is finished at once
    with app.app_context():
        assert complete_finished(get_session(), get_services()) == []  # and reported once
    assert _deliver_all(app) == 1
    (completed,) = _received(receiver)
    assert completed["event"] == "batch.completed"
    assert completed["actor"] == SYSTEM
    assert completed["batch"]["id"] == posted.json["id"]
    assert "document" not in completed


def test_a_delivery_id_beyond_any_row_is_not_found(
    app: Flask, client: FlaskClient, hr: dict[str, Any], receiver: Receiver
) -> None:
    document_id = _hooked(app, receiver)
    for delivery_id in (2**31, 50830938666644, 2**63, 2**70):  # schemathesis found the second on PostgreSQL
        response = client.post(
            f"/api/v1/documents/{document_id}/webhooks/{delivery_id}/redeliver", headers=_auth(hr["api_key"])
        )
        assert response.status_code == 404, response.text
