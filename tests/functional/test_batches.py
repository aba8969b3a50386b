"""Batch intake: ``POST /api/v1/batches`` answers every item at once, renders them a few at a time.

The intake is tested with the recording runner (what was handed to the job runner, and when, is the
subject); one test runs a batch through the real pipeline (warm LibreOffice) to the signers' turn.
"""

from __future__ import annotations

import copy
import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from service.clients import SCOPES, create_client
from service.composition import get_services
from service.db import get_session
from service.models import AuditEvent, Document, WebhookDelivery, utcnow
from service.workflow.batches import BatchFeeder, complete_finished, feed
from service.workflow.recovery import reclaim_expired
from tests.conftest import EXAMPLES, RecordingRunner, load_example

NAMES = sorted(p.stem for p in Path(EXAMPLES).glob("*.json"))


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Two batch documents in flight at most; webhooks may reach the loopback receiver names."""
    return {**app_config, "BATCH_IN_FLIGHT": 2, "WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8"}


def _items(names: list[str], prefix: str = "b") -> list[dict[str, Any]]:
    return [{"idempotency_key": f"{prefix}-{i}", "payload": load_example(n)} for i, n in enumerate(names)]


def _post(client: FlaskClient, auth: dict[str, str], body: Any) -> Any:
    return client.post("/api/v1/batches", json=body, headers=auth)


def _submitted(app: Flask) -> list[str]:
    runner: RecordingRunner = app.extensions["skp"].runner
    return [document_id for name, document_id in runner.submitted if name == "render"]


def _finish_rendering(app: Flask, document_ids: list[str], status: str = "awaiting_signature") -> None:
    """What a render job's end does to the document's status (the job itself has its own tests)."""
    with app.app_context():
        session = get_session()
        session.execute(update(Document).where(Document.id.in_(document_ids)).values(status=status))
        session.commit()


def test_every_item_is_answered_with_its_document_or_its_problem(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    items = _items(NAMES)
    broken = copy.deepcopy(items[0]["payload"])
    del broken["pegawai"]["nama"]
    unknown = {**copy.deepcopy(items[1]["payload"]), "catatan_lain": "x"}
    wrong_regime = {**copy.deepcopy(items[2]["payload"]), "regime": "pp_99_2099"}
    other_instansi = {**copy.deepcopy(items[3]["payload"]), "instansi": "Pemerintah Kota Lain"}
    items += [
        {"idempotency_key": "bad-1", "payload": broken},
        {"idempotency_key": "bad-2", "payload": unknown},
        {"idempotency_key": "bad-3", "payload": wrong_regime},
        {"idempotency_key": "bad-4", "payload": other_instansi},
        {"idempotency_key": "bad\t5", "payload": items[4]["payload"]},
    ]
    with app.app_context():
        # A client that serves the examples' instansi only: another instansi's item is refused (403).
        served = {load_example(n)["instansi"] for n in NAMES}
        key = create_client(get_session(), "simpeg-daerah", SCOPES, instansi=sorted(served)).api_key
    response = _post(client, {"Authorization": f"Bearer {key}"}, {"items": items})
    assert response.status_code == 202, response.get_data(as_text=True)
    body = response.json
    assert body["id"].startswith("bat_")
    assert body["links"]["self"] == f"/api/v1/batches/{body['id']}"
    answered = body["items"]
    assert [a["index"] for a in answered] == list(range(len(items)))
    assert [a["idempotency_key"] for a in answered[: len(NAMES)]] == [
        i["idempotency_key"] for i in items[: len(NAMES)]
    ]
    valid = answered[: len(NAMES)]
    assert all(
        a["id"].startswith("doc_") and a["status"] == "rendering" and a["problem"] is None for a in valid
    )
    problems = {a["idempotency_key"]: a["problem"] for a in answered[len(NAMES) :]}
    assert all(a["id"] is None for a in answered[len(NAMES) :])
    assert problems["bad-1"]["status"] == 422
    assert any(e["field"] == "pegawai.nama" for e in problems["bad-1"]["errors"])
    assert any(e["field"] == "catatan_lain" for e in problems["bad-2"]["errors"])
    assert any(e["field"] == "regime" for e in problems["bad-3"]["errors"])
    assert problems["bad-4"]["status"] == 403
    assert any(e["field"] == "instansi" for e in problems["bad-4"]["errors"])
    assert problems["bad\t5"]["status"] == 422
    assert any(e["field"] == "idempotency_key" for e in problems["bad\t5"]["errors"])
    for problem in problems.values():
        assert problem["type"].startswith("http://localhost:5000/problems/"), problem
        assert problem["title"]
        assert problem["detail"]
    assert body["counts"]["total"] == len(items)
    assert body["counts"]["refused"] == 5
    assert body["counts"]["rendering"] == len(NAMES)
    assert body["status"] == "processing"
    # Nothing is rendered while the client waits for the answer: the feeder hands them over.
    assert _submitted(app) == []
    with app.app_context():
        stored = get_session().scalar(select(func.count()).select_from(Document))
        assert stored == len(NAMES)
        events = (
            get_session().scalars(select(AuditEvent.event).where(AuditEvent.event == "batch_received")).all()
        )
        assert events == ["batch_received"]


def test_the_feeder_keeps_a_few_in_flight_and_a_single_document_goes_ahead(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    body = _post(client, auth, {"items": _items([NAMES[0]] * 10)}).json
    ids = [item["id"] for item in body["items"]]
    feeder = BatchFeeder(services=app.extensions["skp"])  # its rounds run here, not in a thread
    assert feeder.run_once()[0] == ids[:2]
    assert feeder.run_once()[0] == []  # both still rendering
    assert _submitted(app) == ids[:2]
    # A single document posted now is handed to the runner at once, behind two batch renders only.
    single = load_example(NAMES[1])
    response = client.post("/api/v1/documents", json=single, headers={**auth, "Idempotency-Key": "single"})
    assert response.status_code == 202
    assert _submitted(app) == [*ids[:2], response.json["id"]]
    _finish_rendering(app, ids[:1])
    assert feeder.run_once()[0] == [ids[2]]
    # A second process's feeder takes its own share and never a document the first handed over.
    other = BatchFeeder(services=app.extensions["skp"])
    assert other.run_once()[0] == ids[3:5]
    # Oldest first, every one once, until none waits.
    for _ in range(10):
        _finish_rendering(app, _submitted(app))
        feeder.run_once()
    batch_ids = [d for d in _submitted(app) if d != response.json["id"]]
    assert batch_ids == ids


def test_a_batch_is_completed_when_nothing_renders_and_says_so_by_webhook(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    items = _items(NAMES[:3])
    items.append({"idempotency_key": "bad", "payload": {"type": "skp"}})
    body = _post(client, auth, {"items": items, "callback_url": "https://127.0.0.1:9/batch"}).json
    ids = [item["id"] for item in body["items"] if item["id"]]
    with app.app_context():
        feed(get_session(), get_services(), 2)
        assert complete_finished(get_session(), get_services()) == []
    _finish_rendering(app, ids[:2])
    _finish_rendering(app, ids[2:], status="failed")
    with app.app_context():
        assert complete_finished(get_session(), get_services()) == [body["id"]]
        assert complete_finished(get_session(), get_services()) == []  # once
        delivery = (
            get_session()
            .scalars(select(WebhookDelivery).where(WebhookDelivery.event == "batch.completed"))
            .one()
        )
    sent = json.loads(delivery.body)
    assert delivery.url == "https://127.0.0.1:9/batch"
    assert sent["event"] == "batch.completed"
    assert sent["actor"]["kind"] == "system"
    assert sent["batch"]["id"] == body["id"]
    assert sent["batch"]["counts"]["awaiting_signature"] == 2
    assert sent["batch"]["counts"]["failed"] == 1
    assert sent["batch"]["counts"]["refused"] == 1
    shown = client.get(body["links"]["self"], headers=auth).json
    assert shown["status"] == "completed"
    assert shown["completed_at"]
    assert [i["status"] for i in shown["items"]] == [
        "awaiting_signature",
        "awaiting_signature",
        "failed",
        None,
    ]


def test_a_batch_of_refused_items_only_is_completed_at_once(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    body = _post(client, auth, {"items": [{"idempotency_key": "x", "payload": {}}]}).json
    assert body["status"] == "completed"
    assert body["counts"]["refused"] == 1
    assert body["items"][0]["problem"]["status"] == 422


def test_a_batch_sent_again_finds_its_documents_and_a_changed_item_conflicts(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    items = _items(NAMES[:4])
    first = _post(client, auth, {"items": items}).json
    changed = copy.deepcopy(items)
    changed[1]["payload"]["pegawai"]["nama"] = "Nama Lain"
    again = _post(client, auth, {"items": changed}).json
    assert again["id"] != first["id"]
    assert [i["id"] for i in again["items"]] == [
        first["items"][0]["id"],
        None,
        *(i["id"] for i in first["items"][2:]),
    ]
    assert again["items"][1]["problem"]["status"] == 409
    # A key of a single request is the same key in a batch: one client, one namespace.
    single = client.post(
        "/api/v1/documents",
        json=items[0]["payload"],
        headers={**auth, "Idempotency-Key": items[0]["idempotency_key"]},
    )
    assert single.json["id"] == first["items"][0]["id"]
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Document)) == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": []}, "items"),
        ({"items": "semua"}, "items"),
        ({"items": [{"idempotency_key": "a", "payload": {}}], "lain": 1}, "lain"),
        (
            {"items": [{"idempotency_key": "a", "payload": {}}], "callback_url": "http://x.test/"},
            "callback_url",
        ),
    ],
)
def test_a_broken_envelope_is_refused_whole(
    app: Flask, client: FlaskClient, auth: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = _post(client, auth, body)
    assert response.status_code == 422, response.json
    assert field in [e["field"] for e in response.json["errors"]]
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Document)) == 0


def test_an_item_of_the_wrong_shape_is_refused_alone(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    good = load_example(NAMES[0])
    items: list[Any] = [
        {"idempotency_key": "ok", "payload": good},
        {"idempotency_key": "ok", "payload": load_example(NAMES[1])},  # the same key again
        {"idempotency_key": "tanpa-payload"},
        {"payload": good},
        {"idempotency_key": 7.5, "payload": good},  # a number (read as a Decimal)
        {"idempotency_key": "lain", "payload": good, "x": 1},
        {"idempotency_key": "bukan-objek", "payload": [good]},
        "bukan objek",
        # Keys JSON can hold and an Idempotency-Key may not: NUL, 300 characters.
        {"idempotency_key": "nul\u0000", "payload": good},
        {"idempotency_key": "k" * 300, "payload": good},
    ]
    response = _post(client, auth, {"items": items})
    assert response.status_code == 202, response.get_data(as_text=True)
    answered = response.json["items"]
    assert answered[0]["id"] is not None
    assert answered[0]["problem"] is None
    fields_ = [[e["field"] for e in a["problem"]["errors"]] for a in answered[1:]]
    assert fields_ == [
        ["idempotency_key"],
        ["payload"],
        ["idempotency_key"],
        ["idempotency_key"],
        ["x"],
        ["payload"],
        [""],
        ["idempotency_key"],
        ["idempotency_key"],
    ]
    assert "butir 0" in answered[1]["problem"]["errors"][0]["message"]
    # Each key comes back as it was sent (null when it was not text).
    assert [a["idempotency_key"] for a in answered] == [
        "ok",
        "ok",
        "tanpa-payload",
        None,
        None,
        "lain",
        "bukan-objek",
        None,
        "nul\u0000",
        "k" * 300,
    ]
    again = client.get(response.json["links"]["self"], headers=auth).json
    assert again["items"] == answered
    assert again["counts"]["refused"] == 9
    # A lone surrogate is no text at all: the body is refused before any item is read.
    data = json.dumps({"items": [{"idempotency_key": "\ud800", "payload": good}]})
    refused = client.post("/api/v1/batches", data=data, content_type="application/json", headers=auth)
    assert refused.status_code == 400
    assert "surrogate" in refused.json["detail"]


def test_a_batch_sent_again_while_it_renders_is_not_completed_at_once(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    items = _items(NAMES[:2])
    first = _post(client, auth, {"items": items}).json
    again = _post(client, auth, {"items": items}).json  # a retry after a timeout: replays only
    assert [i["id"] for i in again["items"]] == [i["id"] for i in first["items"]]
    assert again["status"] == "processing"
    _finish_rendering(app, [i["id"] for i in first["items"]])
    with app.app_context():
        assert sorted(complete_finished(get_session(), get_services())) == sorted([first["id"], again["id"]])


def test_at_most_a_thousand_items_and_a_larger_body_than_single_requests(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    payload = load_example("permenpanrb_6_2022_dokumen_penilaian")  # a per-person form, some 3 KB
    too_many = {"items": [{"idempotency_key": f"k{i}", "payload": {}} for i in range(1001)]}
    response = _post(client, auth, too_many)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "items"
    # 1,000 items are several MB: more than MAX_CONTENT_LENGTH (2 MiB), within the batch limit.
    thousand = {"items": [{"idempotency_key": f"k{i}", "payload": payload} for i in range(1000)]}
    data = json.dumps(thousand).encode()
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/api/v1/batches", data=data, content_type="application/json", headers=auth)
    assert response.status_code == 202, response.get_data(as_text=True)[:500]
    assert response.json["counts"]["rendering"] == 1000
    huge = b'{"items": [' + b" " * (_batch_limit(app) + 1) + b"]}"
    response = client.post("/api/v1/batches", data=huge, content_type="application/json", headers=auth)
    assert response.status_code == 413
    # The other routes keep their own limit.
    response = client.post("/api/v1/documents", data=data, content_type="application/json", headers=auth)
    assert response.status_code == 413


def _batch_limit(app: Flask) -> int:
    return int(app.extensions["skp"].settings.batch_max_content_length)


def test_a_batch_is_its_clients_alone(app: Flask, client: FlaskClient, auth: dict[str, str]) -> None:
    body = _post(client, auth, {"items": _items(NAMES[:1])}).json
    with app.app_context():
        other = create_client(get_session(), "simpeg-lain", SCOPES).api_key
    response = client.get(body["links"]["self"], headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 404
    assert client.get("/api/v1/batches/bat_nope", headers=auth).status_code == 404


def test_waiting_batch_documents_are_not_taken_for_lost_ones(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    body = _post(client, auth, {"items": _items(NAMES[:3])}).json
    with app.app_context():
        later = utcnow() + timedelta(days=1)
        reclaimed = reclaim_expired(get_session(), get_services(), now=later)
        assert reclaimed == []
        feed(get_session(), get_services(), 2)
    assert _submitted(app) == [i["id"] for i in body["items"][:2]]


# --- through the real pipeline ------------------------------------------------------------------------


@pytest.mark.slow
def test_a_mixed_batch_reaches_the_signers_turn_through_the_feeder(live_app: Flask) -> None:
    with live_app.app_context():
        key = create_client(get_session(), "simpeg", SCOPES).api_key
    auth = {"Authorization": f"Bearer {key}"}
    names = ["permenpanrb_6_2022_skp", "permenpanrb_8_2021_dokumen_penilaian", "pp46_2011_evaluasi", NAMES[0]]
    items = _items(names)
    items.append({"idempotency_key": "bad", "payload": {**load_example(names[0]), "type": "surat"}})
    client = live_app.test_client()
    body = _post(client, auth, {"items": items}).json
    feeder = BatchFeeder(services=live_app.extensions["skp"], interval=0.1).start()
    try:
        for _ in range(600):
            shown = client.get(body["links"]["self"], headers=auth).json
            if shown["status"] == "completed":
                break
            time.sleep(0.2)
    finally:
        feeder.stop()
    assert shown["status"] == "completed", shown["counts"]
    assert shown["counts"]["awaiting_signature"] == 4, shown
    assert shown["items"][4]["problem"]["errors"][0]["field"] == "type"
    for item in shown["items"][:4]:
        document = client.get(f"/api/v1/documents/{item['id']}", headers=auth).json
        assert document["revision"] == 1
        assert document["signers"][0]["sign_url"]
