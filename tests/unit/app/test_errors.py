"""Every error the service answers is RFC 9457 problem+json, with no stack trace."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import load_example


def _assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.json
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_malformed_json_is_400(client: FlaskClient, auth: dict[str, str]) -> None:
    for data in (b"{", b'{"a": NaN}', b"[1, 2]", b"\xff\xfe", b'{"a": Infinity}'):
        response = client.post(
            "/api/v1/scores", data=data, headers={**auth, "Content-Type": "application/json"}
        )
        body = _assert_problem(response, 400)
        assert body["title"] == "Bad Request"


def test_wrong_media_type_is_415(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post("/api/v1/scores", data="type=skp", headers={**auth, "Content-Type": "text/plain"})
    _assert_problem(response, 415)


def test_body_over_limit_is_413(app: Flask, client: FlaskClient, auth: dict[str, str]) -> None:
    big = b'{"x": "' + b"a" * (app.config["MAX_CONTENT_LENGTH"] + 10) + b'"}'
    response = client.post("/api/v1/scores", data=big, headers={**auth, "Content-Type": "application/json"})
    _assert_problem(response, 413)


def test_unknown_route_is_404_and_wrong_method_405(client: FlaskClient, auth: dict[str, str]) -> None:
    _assert_problem(client.get("/api/v1/nothing-here", headers=auth), 404)
    response = client.get("/api/v1/scores", headers=auth)
    body = _assert_problem(response, 405)
    assert body["title"] == "Method Not Allowed"
    assert "POST" in response.headers["Allow"]


def test_validation_errors_list_every_bad_field_with_dotted_paths(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    payload = load_example("pp46_2011_evaluasi")
    payload["skp"]["kegiatan"][1]["target"]["waktu"] = 0
    payload["pegawai"]["nip"] = "12345"
    payload["pegawai"]["golonganx"] = "III/a"
    body = _assert_problem(client.post("/api/v1/scores", json=payload, headers=auth), 422)
    fields = {e["field"] for e in body["errors"]}
    assert "skp.kegiatan.1.target.waktu" in fields
    assert "pegawai.nip" in fields
    assert "pegawai.golonganx" in fields
    assert all(isinstance(e["message"], str) and e["message"] for e in body["errors"])


def test_unexpected_exception_is_500_problem_without_trace(app: Flask) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    body = _assert_problem(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    assert body["title"] == "Internal Server Error"
