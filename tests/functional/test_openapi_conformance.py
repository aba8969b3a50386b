"""The OpenAPI document against the running service: schemathesis, every check, every operation.

The service is served for real (werkzeug's threaded server on 127.0.0.1, a real API key holding
every scope) and schemathesis' own command line runs all its phases and ``--checks all`` against it:
no 500, only documented statuses, content types and bodies, schema-valid input accepted and
schema-invalid input refused, authentication never ignored. Nothing here names a route: the
operations are whatever the document lists, so a route added to it is tested too.

Operations whose validation has rules JSON Schema cannot state carry ``x-rules-beyond-schema`` in
the document; for those alone a 422 is an acceptable answer to schema-valid input (it is the rule
that the problem names). ``SKP_SCHEMATHESIS_EXAMPLES`` raises the number of examples per operation
for a longer run by hand.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import load_example
from tests.functional.support import ready_document

pytestmark = pytest.mark.slow

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: schemathesis' defaults for ``positive_data_acceptance``, plus 422.
BEYOND_SCHEMA_ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
#: schemathesis' defaults for ``negative_data_rejection``, plus 414: a query too long to read is
#: refused before its values are (over-long values make over-long URLs).
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "414", "415", "422", "428", "429", "5xx"]


class _QuietHandler(WSGIRequestHandler):
    """Thousands of requests: no access log line for each."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The app behind a real HTTP server on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="skp-served", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _config(spec: dict[str, Any], document_ids: list[str]) -> str:
    """A schemathesis config: real documents and signers to reach past the 404, and 422 accepted
    for schema-valid input where the document says why.
    """
    lines = [
        "[dictionaries.documents]",
        f"values = {json.dumps(document_ids)}",
        "",
        "[dictionaries.signers]",
        "values = [1, 2, 3]",
        "",
        "[parameters]",
        '"path.document_id" = { dictionary = "documents", probability = 0.8 }',
        '"path.urutan" = { dictionary = "signers", probability = 0.8 }',
        "",
        "[checks.negative_data_rejection]",
        f"expected-statuses = {json.dumps(REJECTED)}",
        "",
    ]
    for method, path, operation in _operations(spec):
        if "x-rules-beyond-schema" in operation:
            lines += [
                "[[operations]]",
                f"include-path = {json.dumps(path)}",
                f"include-method = {json.dumps(method)}",
                f"checks.positive_data_acceptance.expected-statuses = {json.dumps(BEYOND_SCHEMA_ACCEPTED)}",
                "",
            ]
    return "\n".join(lines)


def _created(client: FlaskClient, auth: dict[str, str], key: str) -> str:
    response = client.post(
        "/api/v1/documents",
        data=json.dumps(load_example("pp46_2011_evaluasi")),
        headers={**auth, "Content-Type": "application/json", "Idempotency-Key": key},
    )
    assert response.status_code == 202, response.text
    document_id: str = response.json["id"]
    return document_id


def test_schemathesis_finds_nothing_with_every_check(
    app: Flask, served: str, api_key: str, tmp_path: Path
) -> None:
    client, auth = app.test_client(), {"Authorization": f"Bearer {api_key}"}
    spec = client.get("/api/v1/openapi.json", headers=auth).json
    assert spec is not None
    operations = _operations(spec)
    # Documents of the key's own client: one awaiting its first signature (sealed, a live link),
    # one still rendering; the run may cancel, reissue or delegate them as it goes.
    documents = [
        ready_document(app, idempotency_key="conformance-1"),
        _created(client, auth, "conformance-2"),
    ]
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(spec, documents), encoding="utf-8")
    report = tmp_path / "report.json"
    examples = os.environ.get("SKP_SCHEMATHESIS_EXAMPLES", "20")
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        f"{served}/api/v1/openapi.json",
        "--url",
        served,
        "--header",
        f"Authorization: Bearer {api_key}",
        "--checks",
        "all",
        "--max-examples",
        examples,
        "--seed",
        os.environ.get("SKP_SCHEMATHESIS_SEED", "20261201"),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False, cwd=tmp_path)
    output = result.stdout + result.stderr
    if os.environ.get("SKP_SCHEMATHESIS_OUTPUT"):
        Path(os.environ["SKP_SCHEMATHESIS_OUTPUT"]).write_text(output, encoding="utf-8")
    assert report.exists(), output[-20000:]
    summary = json.loads(report.read_text(encoding="utf-8"))
    cases = summary["test_cases"]
    print(  # the figures, shown with -s
        f"schemathesis {summary['schemathesis_version']}, seed {summary['seed']}: "
        f"{summary['operations']['tested']} operations tested, {cases['generated']} cases, "
        f"{len(summary['failures'])} failures, {len(summary['errors'])} errors"
    )
    assert result.returncode == 0, output[-20000:]
    assert (summary["failures"], summary["errors"], cases["with_failures"]) == ([], [], 0), output[-20000:]
    # Every operation of the document was run (none skipped or errored), and with some volume.
    assert summary["operations"]["tested"] == len(operations), summary["operations"]
    assert cases["generated"] >= 50 * len(operations), cases
