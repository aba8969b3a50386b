"""A worker killed in the middle of the render job leaves nothing half-written, and the job resumes.

The killed job's lease expires; a live process takes it over (audited) and the job runs again from
its last committed step. Jobs that race (a lease that expired under a process that was only slow)
still add each revision once; the loser's file is an orphan that the sweep collects.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from flask import Flask
from sqlalchemy import select

from service import create_app
from service.clients import SCOPES, create_client
from service.composition import get_services
from service.db import get_session, upgrade_schema
from service.leases import JobLeases
from service.models import AuditEvent, JobLease, utcnow
from service.workflow.pipeline import render_job
from service.workflow.recovery import Housekeeper, collect_orphan_files, reclaim_expired
from service.workflow.revisions import read_revision
from tests.conftest import load_example
from tests.functional.support import child_env, document

pytestmark = pytest.mark.slow  # the render job runs on the warm LibreOffice pool

CHILD = """
import sys, time
from service import create_app
from service.composition import get_services
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
    # As the API does: the job is leased to this process and runs in its thread pool.
    get_services().runner.submit("render", document_id)
time.sleep(600)
"""


def processes_naming(marker: Path) -> list[tuple[int, str]]:
    """Live (non-zombie) processes whose command line names ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if str(marker) in cmdline and stat[stat.rindex(")") + 2 :].split()[0] != "Z":
            found.append((int(entry.name), stat[stat.index("(") + 1 : stat.rindex(")")]))
    return found


def create(app: Flask, key_name: str = "simpeg", idempotency_key: str = "r-1") -> str:
    with app.app_context():
        key = create_client(get_session(), key_name, SCOPES).api_key
    created = app.test_client().post(
        "/api/v1/documents",
        json=load_example("permenpanrb_6_2022_skp"),
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idempotency_key},
    )
    assert created.status_code == 202, created.json
    document_id: str = created.json["id"]
    return document_id


def events(app: Flask, document_id: str) -> list[str]:
    with app.app_context():
        return list(
            get_session().scalars(
                select(AuditEvent.event).where(AuditEvent.document_id == document_id).order_by(AuditEvent.id)
            )
        )


@pytest.mark.parametrize("point", ["converting", "sealing"])
def test_killed_render_job_resumes_cleanly(
    app_with_converter: Flask, app_config: dict[str, Any], tmp_path: Path, point: str
) -> None:
    app = app_with_converter
    document_id = create(app)
    # The child converts with a pool of its own; it is killed with the job.
    child_lo = tmp_path / "child-lo"
    env = child_env(
        app_config,
        tmp_path / "child-instance",
        SKP_CONVERTER_WORK_DIR=str(child_lo),
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
        if point == "sealing":
            assert [n for _, n in processes_naming(child_lo)].count("soffice.bin") == 1
    finally:
        os.killpg(child.pid, signal.SIGKILL)  # the job's process (its LibreOffice is in sessions of its own)
        child.wait(10)
        child.stdout.close()
    # The child's LibreOffice died with it (it used to stay: one unoserver/oosplash/soffice.bin per run).
    deadline = time.monotonic() + 15
    while processes_naming(child_lo) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_naming(child_lo) == []

    folder = Path(app_config["FILES_DIR"]) / document_id
    with app.app_context():
        doc = document(app, document_id)
        assert doc.status == "rendering"
        expected_revision = -1 if point == "converting" else 0
        assert doc.current_revision == expected_revision
        referenced = {r.filename for r in doc.revisions}
        lease = get_session().get(JobLease, (document_id, "render"))
        assert lease is not None
        assert lease.state == "running"
        dead_holder = lease.holder
    files = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    assert not [f for f in files if f.startswith(".tmp-")]
    assert {f for f in files if f.startswith("rev-")} == referenced

    with app.app_context():
        services = get_services()
        session = get_session()
        assert reclaim_expired(session, services) == []  # the lease has not expired yet
        later = utcnow() + timedelta(seconds=61)  # the child's lease (60 s) has run out by then
        (reclaimed,) = reclaim_expired(session, services, now=later)
        assert (reclaimed.document_id, reclaimed.previous_holder) == (document_id, dead_holder)
        assert services.runner.submitted[-1] == ("render", document_id)  # type: ignore[attr-defined]

        def work() -> None:
            with app.extensions["skp.db"]() as job_session:
                render_job(job_session, services, document_id)

        # As the executor runs it: under the lease, which it drops when the job ends.
        services.leases.run("render", document_id, work)
        assert session.get(JobLease, (document_id, "render")) is None
        doc = document(app, document_id)
        assert doc.status == "awaiting_signature", doc.failure_reason
        assert [r.number for r in doc.revisions] == [0, 1]
    assert events(app, document_id).count("job_reclaimed") == 1
    assert events(app, document_id).count("rendered") == 1


def test_two_render_jobs_at_once_add_each_revision_once_and_leave_an_orphan_the_sweep_collects(
    app_with_converter: Flask, app_config: dict[str, Any]
) -> None:
    app = app_with_converter
    document_id = create(app)
    services = app.extensions["skp"]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(10)
            with app.extensions["skp.db"]() as session:
                render_job(session, services, document_id)
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    with app.app_context():
        doc = document(app, document_id)
        assert doc.status == "awaiting_signature", doc.failure_reason
        assert [r.number for r in doc.revisions] == [0, 1]
        referenced = {r.filename for r in doc.revisions}
    trail = events(app, document_id)
    assert "failed" not in trail
    assert trail.count("rendered") == 1
    assert trail.count("sealed") == 1
    folder = Path(app_config["FILES_DIR"]) / document_id
    orphans = sorted({p.name for p in folder.glob("rev-*")} - referenced)
    assert len(orphans) == 1, orphans  # the loser's file: written, never committed

    with app.app_context():
        session = get_session()
        grace = timedelta(hours=1)
        young = collect_orphan_files(session, services.store, grace=grace)
        assert (young.deleted, young.kept_young) == ([], 1)
        assert (folder / orphans[0]).exists()
        old = collect_orphan_files(session, services.store, grace=grace, now=utcnow() + grace * 2)
        assert [e.name for e in old.deleted] == orphans
        assert not (folder / orphans[0]).exists()
        assert {p.name for p in folder.glob("rev-*")} == referenced
        doc = document(app, document_id)
        assert read_revision(session, services.store, doc, 1).startswith(b"%PDF")
        collected = session.scalars(select(AuditEvent).where(AuditEvent.event == "files_collected")).all()
    assert len(collected) == 1
    assert json.loads(collected[0].data_json)["deleted"] == 1
    assert json.loads(collected[0].data_json)["files"] == [f"{document_id}/{orphans[0]}"]


def test_a_job_whose_celery_worker_died_is_queued_again_and_run_by_a_live_worker(
    app_config: dict[str, Any], converter: Any
) -> None:
    app = create_app(
        {
            **app_config,
            "RUNNER": None,
            "JOB_RUNNER": "celery",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
            "CONVERTER": converter,
        }
    )
    upgrade_schema(app.extensions["skp.engine"])
    services = app.extensions["skp"]
    celery = services.runner.inner.celery
    queue = f"skp-test-{secrets.token_hex(4)}"
    celery.conf.task_default_queue = queue
    try:
        document_id = create(app)  # leased to this process, on the broker
        # A worker took it and was killed: its lease stops being renewed; the broker would give the
        # message back only after its visibility timeout (an hour by default).
        dead = JobLeases(sessions=app.extensions["skp.db"], ttl=timedelta(seconds=1))
        assert dead.claim("render", document_id)
        dead.close()
        with celery.connection_for_write() as connection:
            connection.default_channel.queue_purge(queue)
        time.sleep(1.2)
        with start_worker(celery, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            (reclaimed,), _ = Housekeeper(services=services).run_once()  # as `skp worker` runs it
            assert reclaimed.previous_holder == dead.holder
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with app.app_context():
                    if document(app, document_id).status != "rendering":
                        break
                time.sleep(0.2)
        with app.app_context():
            doc = document(app, document_id)
            assert doc.status == "awaiting_signature", doc.failure_reason
            assert [r.number for r in doc.revisions] == [0, 1]
            assert get_session().get(JobLease, (document_id, "render")) is None
        assert events(app, document_id).count("job_reclaimed") == 1
    finally:
        services.runner.close()
        app.extensions["skp.engine"].dispose()
