"""A worker killed in the middle of the render job leaves nothing half-written, and the job resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service.clients import SCOPES, create_client
from service.composition import get_services
from service.db import get_session
from service.workflow.pipeline import resume_unfinished
from tests.conftest import load_example
from tests.functional.support import child_env, document

pytestmark = pytest.mark.slow  # the render job runs on the warm LibreOffice pool

CHILD = """
import sys, time
from service import create_app
from service.composition import get_services
from service.db import get_session
from service.services import Services
import service.workflow.pipeline as pipeline

point, document_id = sys.argv[1], sys.argv[2]

class Stuck:
    def convert(self, docx, *, timeout):
        print("AT-POINT", flush=True); time.sleep(600)
    def close(self):
        pass

def stuck_seal(session, services, document, **_):
    print("AT-POINT", flush=True); time.sleep(600)

if point == "converting":
    Services.converter = lambda self: Stuck()
else:
    pipeline.seal_document = stuck_seal
app = create_app({"TESTING": True})
with app.app_context():
    pipeline.render_job(get_session(), get_services(), document_id)
"""


@pytest.mark.parametrize("point", ["converting", "sealing"])
def test_killed_render_job_resumes_cleanly(
    app_with_converter: Flask, app_config: dict[str, Any], tmp_path: Path, point: str
) -> None:
    app = app_with_converter
    with app.app_context():
        key = create_client(get_session(), "simpeg", SCOPES).api_key
    client = app.test_client()
    created = client.post(
        "/api/v1/documents",
        json=load_example("permenpanrb_6_2022_skp"),
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "r-1"},
    ).json
    document_id = created["id"]
    # The child converts with a pool of its own; it is killed with the job.
    env = child_env(
        app_config,
        tmp_path / "child-instance",
        SKP_CONVERTER_WORK_DIR=str(tmp_path / "child-lo"),
        SKP_CONVERTER_PROCESSES="1",
    )
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, point, document_id],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "AT-POINT"
    finally:
        os.killpg(child.pid, signal.SIGKILL)  # the job and any LibreOffice it started
        child.wait(10)
        child.stdout.close()

    folder = Path(app_config["FILES_DIR"]) / document_id
    with app.app_context():
        doc = document(app, document_id)
        assert doc.status == "rendering"
        expected_revision = -1 if point == "converting" else 0
        assert doc.current_revision == expected_revision
        referenced = {r.filename for r in doc.revisions}
    files = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    assert not [f for f in files if f.startswith(".tmp-")]
    assert {f for f in files if f.startswith("rev-")} == referenced

    with app.app_context():
        assert resume_unfinished(get_session(), get_services().runner) == 1
    assert app.extensions["skp"].runner.submitted[-1] == ("render", document_id)
    from service.workflow.pipeline import render_job

    with app.app_context():
        render_job(get_session(), get_services(), document_id)
        doc = document(app, document_id)
        assert doc.status == "awaiting_signature", doc.failure_reason
        assert doc.current_revision == 1
        assert get_services().trust() is not None
