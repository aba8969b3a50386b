"""API keys of an HR client: created by the operator's command, rotated without downtime, replaced at
once; a retried POST under a new key finds the first document; ``GET /api/v1/client`` and the audit.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.clients import rotate_webhook_secret
from service.db import get_session
from service.errors import ConflictError
from service.models import ApiClient, ApiKey, AuditEvent, Document
from tests.conftest import load_example
from tests.functional.test_webhooks import _self_signed

NAME = "hr-kunci"
INSTANSI = "Pemerintah Kota Uji"


def _cli(runner: FlaskCliRunner, *args: str) -> str:
    result = runner.invoke(args=["skp", "clients", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _create(runner: FlaskCliRunner, *extra: str) -> dict[str, Any]:
    created: dict[str, Any] = json.loads(_cli(runner, "create", NAME, "--json", *extra))
    return created


def _rotate(runner: FlaskCliRunner, grace_hours: int) -> dict[str, Any]:
    rotated: dict[str, Any] = json.loads(
        _cli(runner, "rotate-key", NAME, "--grace-hours", str(grace_hours), "--json")
    )
    return rotated


def _status(client: FlaskClient, key: str) -> int:
    return client.get("/api/v1/client", headers={"Authorization": f"Bearer {key}"}).status_code


def _post_document(client: FlaskClient, key: str, idempotency_key: str, body: dict[str, Any]) -> Any:
    return client.post(
        "/api/v1/documents",
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idempotency_key},
        data=json.dumps(body),
        content_type="application/json",
    )


def _documents(app: Flask) -> int:
    with app.app_context():
        return int(get_session().scalar(select(func.count()).select_from(Document)) or 0)


def _audit(app: Flask) -> list[tuple[str, dict[str, Any]]]:
    with app.app_context():
        rows = get_session().scalars(
            select(AuditEvent).where(AuditEvent.document_id.is_(None)).order_by(AuditEvent.id)
        )
        events = [(e.event, json.loads(e.data_json)) for e in rows]
    return [(event, data) for event, data in events if data.get("client") == NAME]


def test_create_json_prints_everything_the_hr_system_keeps_and_the_key_works(
    client: FlaskClient, runner: FlaskCliRunner
) -> None:
    created = _create(runner, "--instansi", INSTANSI, "--scopes", "documents:read")
    assert set(created) >= {"name", "api_key", "webhook_secret", "key_prefix", "scopes", "instansi"}
    assert created["name"] == NAME
    assert created["scopes"] == ["documents:read"]
    assert created["instansi"] == [INSTANSI]
    assert created["api_key"].split("_")[1] == created["key_prefix"]
    assert len(created["webhook_secret"]) == 64
    whoami = client.get("/api/v1/client", headers={"Authorization": f"Bearer {created['api_key']}"})
    assert whoami.status_code == 200, whoami.text
    assert whoami.json["name"] == NAME
    assert whoami.json["key_prefix"] == created["key_prefix"]
    assert whoami.json["instansi"] == [INSTANSI]
    assert whoami.json["scopes"] == ["documents:read"]
    # The scope is enforced for this key: it may read, not write.
    assert (
        _post_document(client, created["api_key"], "k-1", load_example("permenpanrb_6_2022_skp")).status_code
        == 403
    )
    assert _status(client, created["api_key"] + "x") == 401


def test_a_rotated_key_works_beside_the_new_one_until_its_grace_ends(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    first = _create(runner)["api_key"]
    rotated = _rotate(runner, 24)
    second = rotated["api_key"]
    assert second != first
    assert rotated["name"] == NAME
    assert _status(client, first) == 200
    assert _status(client, second) == 200
    shown = client.get("/api/v1/client", headers={"Authorization": f"Bearer {second}"}).json
    assert shown["key_prefix"] == rotated["key_prefix"]
    keys = {k["key_prefix"]: k for k in shown["keys"]}
    assert set(keys) == {first.split("_")[1], rotated["key_prefix"]}
    assert keys[rotated["key_prefix"]]["expires_at"] is None
    old_until = datetime.fromisoformat(keys[first.split("_")[1]]["expires_at"])
    assert old_until - datetime.now(UTC) == pytest.approx(timedelta(hours=24), abs=timedelta(minutes=1))

    # The grace period passes: the old key is refused, the new one still works, and the list says so.
    with app.app_context():
        session = get_session()
        session.execute(
            update(ApiKey)
            .where(ApiKey.key_prefix == first.split("_")[1])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    assert _status(client, first) == 401
    assert _status(client, second) == 200
    shown = client.get("/api/v1/client", headers={"Authorization": f"Bearer {second}"}).json
    assert [k["key_prefix"] for k in shown["keys"]] == [rotated["key_prefix"]]

    # Without grace: the key in use until now stops at once.
    third = _rotate(runner, 0)["api_key"]
    assert _status(client, second) == 401
    assert _status(client, third) == 200


def test_rotate_key_refuses_an_unknown_client_and_a_grace_too_long(runner: FlaskCliRunner) -> None:
    unknown = runner.invoke(args=["skp", "clients", "rotate-key", "tidak-ada"])
    assert unknown.exit_code != 0
    assert "tidak-ada" in unknown.output
    _create(runner)
    too_long = runner.invoke(args=["skp", "clients", "rotate-key", NAME, "--grace-hours", "169"])
    assert too_long.exit_code != 0


def test_a_retry_under_the_rotated_key_finds_the_first_document(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    body = load_example("permenpanrb_6_2022_skp")
    old = _create(runner)["api_key"]
    first = _post_document(client, old, "k-rotasi", body)
    assert first.status_code == 202, first.text
    new = _rotate(runner, 1)["api_key"]
    again = _post_document(client, new, "k-rotasi", body)
    assert again.status_code == 202, again.text
    assert again.json["id"] == first.json["id"]
    # The old key, still in its grace period, finds it too; nothing was created twice.
    assert _post_document(client, old, "k-rotasi", body).json["id"] == first.json["id"]
    assert _documents(app) == 1
    # The same Idempotency-Key with another body is still a conflict under the new key.
    changed = {**body, "tempat": "Bandung"}
    assert _post_document(client, new, "k-rotasi", changed).status_code == 409
    assert _documents(app) == 1


def test_replace_revokes_the_old_key_at_once_and_keeps_the_client(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    body = load_example("permenpanrb_6_2022_skp")
    created = _create(runner)
    first = _post_document(client, created["api_key"], "k-ganti", body)
    assert first.status_code == 202, first.text
    replaced = _create(runner, "--replace")
    assert replaced["api_key"] != created["api_key"]
    assert replaced["webhook_secret"] == created["webhook_secret"]  # the secret is the client's, kept
    assert _status(client, created["api_key"]) == 401
    again = _post_document(client, replaced["api_key"], "k-ganti", body)
    assert again.status_code == 202, again.text
    assert again.json["id"] == first.json["id"]
    assert _documents(app) == 1
    got = client.get(
        f"/api/v1/documents/{first.json['id']}", headers={"Authorization": f"Bearer {replaced['api_key']}"}
    )
    assert got.status_code == 200, got.text
    with app.app_context():
        assert (
            get_session().scalar(select(func.count()).select_from(ApiClient).where(ApiClient.name == NAME))
            == 1
        )
    assert [e for e, _d in _audit(app)] == ["client_created", "client_key_replaced"]


def test_the_client_route_shows_its_keys_and_secret_and_every_change_is_audited(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, tmp_path_factory: pytest.TempPathFactory
) -> None:
    created = _create(runner, "--scopes", "documents:write,documents:read,webhooks:manage")
    auth = {"Authorization": f"Bearer {created['api_key']}"}
    # Rotating the webhook secret is a scope of its own, never granted by default.
    plain = {"Authorization": f"Bearer {json.loads(_cli(runner, 'create', 'hr-lain', '--json'))['api_key']}"}
    refused = client.post("/api/v1/client/webhook-secret", headers=plain, json={})
    assert refused.status_code == 403
    assert "webhooks:manage" in refused.json["detail"]
    shown = client.get("/api/v1/client", headers=auth)
    assert shown.status_code == 200, shown.text
    assert shown.json["key_prefix"] == created["key_prefix"]
    assert [k["key_prefix"] for k in shown.json["keys"]] == [created["key_prefix"]]
    assert shown.json["webhook_secret_rotated_at"] is None
    assert shown.json["previous_secret_valid_until"] is None
    assert shown.json["webhook_ca"] is False
    assert "webhook_secret" not in shown.json  # never shown again
    assert created["api_key"] not in shown.text

    rotated_key = _rotate(runner, 2)
    secret = client.post("/api/v1/client/webhook-secret", headers=auth, json={"grace_hours": 3})
    assert secret.status_code == 200, secret.text
    cert, _key = _self_signed(tmp_path_factory.mktemp("client-ca"))
    _cli(runner, "ca", NAME, str(cert))
    shown = client.get("/api/v1/client", headers=auth).json
    assert shown["key_prefix"] == created["key_prefix"]  # the calling key's
    assert [k["key_prefix"] for k in shown["keys"]] == [created["key_prefix"], rotated_key["key_prefix"]]
    assert shown["previous_secret_valid_until"] == secret.json["previous_valid_until"]
    assert shown["webhook_secret_rotated_at"] is not None
    assert shown["webhook_ca"] is True

    events = _audit(app)
    assert [e for e, _d in events] == [
        "client_created",
        "client_key_rotated",
        "webhook_secret_rotated",
        "webhook_ca_set",
    ]
    data = dict(events)
    assert data["client_created"]["key_prefix"] == created["key_prefix"]
    assert data["client_key_rotated"]["key_prefix"] == rotated_key["key_prefix"]
    assert data["webhook_secret_rotated"]["previous_valid_until"] == secret.json["previous_valid_until"]
    assert data["webhook_secret_rotated"]["key_prefix"] == created["key_prefix"]  # which key asked
    assert data["webhook_ca_set"]["subjects"] == ["CN=127.0.0.1"]
    # No secret or key is written into the audit.
    written = json.dumps(events)
    for value in (
        created["api_key"],
        rotated_key["api_key"],
        created["webhook_secret"],
        secret.json["webhook_secret"],
    ):
        assert value not in written
    with app.app_context():
        actors = get_session().scalars(select(AuditEvent.actor).order_by(AuditEvent.id)).all()
    # hr-kunci made, hr-lain made, hr-kunci's key rotated, its secret rotated by itself, its CA set.
    assert actors == ["cli", "cli", "cli", f"client:{NAME}", "cli"]


def test_a_shorter_grace_shortens_the_grace_of_keys_rotated_earlier(
    client: FlaskClient, runner: FlaskCliRunner
) -> None:
    first = _create(runner)
    second = _rotate(runner, 48)
    third = _rotate(runner, 1)  # the first key's 48 h shrink to 1 h; the second gets 1 h
    shown = client.get("/api/v1/client", headers={"Authorization": f"Bearer {third['api_key']}"}).json
    until = {k["key_prefix"]: k["expires_at"] for k in shown["keys"]}
    assert list(until) == [first["key_prefix"], second["key_prefix"], third["key_prefix"]]
    assert until[third["key_prefix"]] is None
    for prefix in (first["key_prefix"], second["key_prefix"]):
        left = datetime.fromisoformat(until[prefix]) - datetime.now(UTC)
        assert left == pytest.approx(timedelta(hours=1), abs=timedelta(minutes=1))
    # A longer grace later does not lengthen theirs.
    _rotate(runner, 72)
    shown = client.get("/api/v1/client", headers={"Authorization": f"Bearer {third['api_key']}"}).json
    again = {k["key_prefix"]: k["expires_at"] for k in shown["keys"]}
    assert again[first["key_prefix"]] == until[first["key_prefix"]]
    assert datetime.fromisoformat(again[third["key_prefix"]]) - datetime.now(UTC) == pytest.approx(
        timedelta(hours=72), abs=timedelta(minutes=1)
    )


def test_of_two_rotations_racing_one_wins_and_the_other_is_told(app: Flask, runner: FlaskCliRunner) -> None:
    _create(runner)
    with app.app_context():
        engine = app.extensions["skp.engine"]
        with Session(engine) as first, Session(engine) as second:
            mine = first.scalars(select(ApiClient).where(ApiClient.name == NAME)).one()
            theirs = second.scalars(select(ApiClient).where(ApiClient.name == NAME)).one()
            won = rotate_webhook_secret(first, mine, grace=timedelta(hours=1), actor="test")
            with pytest.raises(ConflictError):
                rotate_webhook_secret(second, theirs, grace=timedelta(hours=1), actor="test")
        stored = get_session().scalars(select(ApiClient).where(ApiClient.name == NAME)).one()
        assert stored.webhook_secret == won.webhook_secret  # the winner's secret is the one in force


def test_only_the_certificates_of_a_ca_file_are_kept(
    app: Flask, runner: FlaskCliRunner, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _create(runner)
    cert, _key = _self_signed(tmp_path_factory.mktemp("client-ca"))
    noisy = cert.parent / "bundle.pem"
    # Text around the blocks (a comment, a non-ASCII name) is ignored by PEM readers, and must not
    # reach the bundle file the sender writes (it answered UnicodeEncodeError on every delivery).
    noisy.write_text("# CA Dinas Kominfo — Jawa Tengah\n" + cert.read_text() + "ekor ½\n", encoding="utf-8")
    _cli(runner, "ca", NAME, str(noisy))
    with app.app_context():
        stored = get_session().scalars(select(ApiClient).where(ApiClient.name == NAME)).one().webhook_ca_pem
    assert stored is not None
    assert stored.startswith("-----BEGIN CERTIFICATE-----")
    assert stored.strip().endswith("-----END CERTIFICATE-----")
    assert stored.isascii()
