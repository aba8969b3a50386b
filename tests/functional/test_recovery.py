"""Job leases and the orphan sweep on the real database and file store (no LibreOffice here).

A second :class:`~service.leases.JobLeases` stands for another process: the table knows processes
only by the holder name, and every instance has its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from service import create_app
from service.composition import get_services
from service.db import get_session, upgrade_schema
from service.jsonio import parse_json
from service.leases import NOBODY, JobLeases
from service.models import ApiClient, AuditEvent, JobLease, utcnow
from service.workflow import operations
from service.workflow.recovery import MAX_RECLAIMS, Housekeeper, reclaim_expired
from service.workflow.revisions import add_revision
from tests.conftest import load_example
from tests.functional.support import child_env, document, ready_document
from tests.unit.signing.support import sample_pdf

SHORT = timedelta(seconds=1)


def rendering_document(app: Flask, idempotency_key: str = "k-1") -> str:
    """A document as the API creates it: ``rendering``, its job queued (on the test's runner)."""
    from service.clients import SCOPES, create_client

    raw = json.dumps(load_example("permenpanrb_8_2021_dokumen_penilaian"))
    with app.app_context():
        session = get_session()
        client = session.query(ApiClient).filter_by(name="test-hr").first()
        if client is None:
            client = create_client(session, "test-hr", SCOPES).client
        created = operations.create_document(
            session,
            get_services(),
            client=client,
            idempotency_key=idempotency_key,
            body=parse_json(raw.encode()),
            raw_body=raw,
            ip="127.0.0.1",
        )
        return created.document.id


def lease_of(app: Flask, document_id: str, job: str = "render") -> JobLease | None:
    with app.extensions["skp.db"]() as session:
        return session.get(JobLease, (document_id, job))


def trail(app: Flask, document_id: str) -> list[tuple[str, dict[str, Any]]]:
    with app.extensions["skp.db"]() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.document_id == document_id).order_by(AuditEvent.id)
        ).all()
        return [(row.event, json.loads(row.data_json)) for row in rows]


def other_process(app: Flask, ttl: timedelta = SHORT) -> JobLeases:
    return JobLeases(sessions=app.extensions["skp.db"], ttl=ttl)


def submitted(app: Flask) -> list[tuple[str, str]]:
    runner: Any = app.extensions["skp"].runner
    return list(runner.submitted)


# -- the lease itself


def test_a_lease_is_renewed_while_its_process_lives_and_taken_over_once_it_stops(app: Flask) -> None:
    document_id = rendering_document(app)
    first, second = other_process(app), other_process(app)
    try:
        first.grant("render", document_id)
        assert first.claim("render", document_id)
        assert not second.claim("render", document_id)  # running under a live lease
        time.sleep(SHORT.total_seconds() * 2.5)  # longer than the lease: the heartbeat renewed it
        assert not second.claim("render", document_id)
        first.close()  # the first process stops renewing (as when it is killed)
        time.sleep(SHORT.total_seconds() * 1.5)
        assert second.claim("render", document_id)
        lease = lease_of(app, document_id)
        assert lease is not None
        assert (lease.state, lease.holder) == ("running", second.holder)
        second.release("render", document_id, ok=True)
        assert lease_of(app, document_id) is None
        # Nothing held any more: the heartbeat thread ends by itself.
        deadline = time.monotonic() + 5
        while second._thread is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert second._thread is None
    finally:
        first.close()
        second.close()


def test_a_queued_job_is_run_by_whoever_gets_to_it_first_and_only_once_at_a_time(app: Flask) -> None:
    document_id = rendering_document(app)
    submitter, worker, duplicate = other_process(app), other_process(app), other_process(app)
    try:
        submitter.grant("render", document_id)  # e.g. the web process puts the job on the broker
        ran: list[str] = []

        def job() -> None:
            ran.append("worker")
            # A second message for the same job while it runs: skipped, the lease is the worker's.
            duplicate.run("render", document_id, lambda: ran.append("duplicate"))

        worker.run("render", document_id, job)
        assert ran == ["worker"]
        assert lease_of(app, document_id) is None  # dropped when the job ended
    finally:
        for leases in (submitter, worker, duplicate):
            leases.close()


def test_a_job_that_raised_is_handed_to_the_next_round(app: Flask) -> None:
    document_id = rendering_document(app)
    leases = other_process(app, ttl=timedelta(seconds=60))

    def crash() -> None:
        raise RuntimeError("database went away")

    try:
        with pytest.raises(RuntimeError):
            leases.run("render", document_id, crash)
        lease = lease_of(app, document_id)
        assert lease is not None
        assert lease.holder == NOBODY  # not renewed by anyone, expired at once
        with app.app_context():
            (reclaimed,) = reclaim_expired(get_session(), get_services())
        assert (reclaimed.previous_holder, reclaimed.given_up) == (None, False)
        assert submitted(app)[-1] == ("render", document_id)
    finally:
        leases.close()


# -- reclaiming


def test_an_expired_lease_is_taken_over_once_audited_and_its_job_queued_again(app: Flask) -> None:
    document_id = rendering_document(app)
    dead = other_process(app, ttl=timedelta(seconds=30))
    dead.grant("render", document_id)
    dead.close()  # killed: nobody renews its lease any more
    queued_before = len(submitted(app))
    with app.app_context():
        services, session = get_services(), get_session()
        assert reclaim_expired(session, services) == []  # still within its lease
        later = utcnow() + timedelta(seconds=31)
        (reclaimed,) = reclaim_expired(session, services, now=later)
        assert reclaim_expired(session, services, now=later) == []  # taken once, not twice
        assert (reclaimed.document_id, reclaimed.job) == (document_id, "render")
        assert (reclaimed.previous_holder, reclaimed.reclaims) == (dead.holder, 1)
        lease = lease_of(app, document_id)
        assert lease is not None
        assert (lease.state, lease.holder) == ("queued", services.leases.holder)
        services.leases.close()
    assert submitted(app)[queued_before:] == [("render", document_id)]
    (data,) = [d for e, d in trail(app, document_id) if e == "job_reclaimed"]
    assert data == {"job": "render", "holder": dead.holder, "state": "queued", "reclaims": 1}


def test_a_document_rendering_without_a_lease_is_found_once_untouched_for_a_lease_period(
    app: Flask,
) -> None:
    document_id = rendering_document(app)  # the test's runner leases nothing (as before leases)
    assert lease_of(app, document_id) is None
    with app.app_context():
        services, session = get_services(), get_session()
        assert reclaim_expired(session, services) == []  # just created: its job may be queued
        (reclaimed,) = reclaim_expired(session, services, now=utcnow() + services.leases.ttl * 2)
        services.leases.close()
    assert (reclaimed.document_id, reclaimed.previous_holder) == (document_id, None)
    assert lease_of(app, document_id) is not None
    assert submitted(app)[-1] == ("render", document_id)


def test_a_job_whose_process_dies_every_time_is_given_up_and_its_document_failed(app: Flask) -> None:
    document_id = rendering_document(app)
    with app.app_context():
        services, session = get_services(), get_session()
        ttl = services.leases.ttl
        moment = utcnow()
        outcomes = []
        for _ in range(MAX_RECLAIMS + 1):
            moment += ttl * 2  # each time, the process the job went to died (no renewal)
            outcomes.extend(reclaim_expired(session, services, now=moment))
        services.leases.close()
        doc = document(app, document_id)
        assert doc.status == "failed"
        assert f"{MAX_RECLAIMS} kali" in (doc.failure_reason or "")
    assert [o.given_up for o in outcomes] == [False] * MAX_RECLAIMS + [True]
    assert lease_of(app, document_id) is None
    events = [event for event, _ in trail(app, document_id)]
    assert events.count("job_reclaimed") == MAX_RECLAIMS
    assert events[-2:] == ["failed", "job_abandoned"]


def test_a_live_process_keeps_its_jobs(app: Flask) -> None:
    document_id = rendering_document(app)
    alive = other_process(app)
    try:
        alive.grant("render", document_id)
        time.sleep(SHORT.total_seconds() * 2)
        with app.app_context():
            assert reclaim_expired(get_session(), get_services()) == []
    finally:
        alive.close()


# -- orphan files

CRASH_BEFORE_COMMIT = """
import sys, time
from service import create_app
from service.composition import get_services
from service.db import get_session
from service.models import Document
from service.workflow.revisions import add_revision

app = create_app({"TESTING": True})
with app.app_context():
    session = get_session()
    document = session.get(Document, sys.argv[1])
    pdf = get_services().store.get(document.id, document.revisions[-1].filename)
    # The real write and the guarded update; the operation's commit never comes.
    add_revision(session, get_services().store, document, data=pdf + b"%signed", kind="signature",
                 based_on=document.current_revision)
    print("WRITTEN", flush=True)
    time.sleep(600)
"""


def test_an_orphan_of_a_crash_before_the_commit_is_kept_while_young_and_collected_once_old(
    app: Flask, app_config: dict[str, Any], runner: FlaskCliRunner, tmp_path: Path
) -> None:
    document_id = ready_document(app)
    folder = Path(app_config["FILES_DIR"]) / document_id
    with app.app_context():
        referenced = {r.filename for r in document(app, document_id).revisions}
    child = subprocess.Popen(
        [sys.executable, "-c", CRASH_BEFORE_COMMIT, document_id],
        env=child_env(app_config, tmp_path / "child-instance"),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "WRITTEN"
        # In flight: written, not committed. The sweep must not take it.
        during = runner.invoke(args=["skp", "files", "gc"])
        assert during.exit_code == 0, during.output
        assert "0 orphan file(s) deleted" in during.output
        assert "1 kept" in during.output
    finally:
        child.kill()  # the crash
        child.wait(10)
        child.stdout.close()
    (orphan,) = {p.name for p in folder.glob("rev-*")} - referenced
    with app.app_context():
        doc = document(app, document_id)
        assert doc.current_revision == 1  # the last good revision
    young = runner.invoke(args=["skp", "files", "gc"])
    assert "0 orphan file(s) deleted" in young.output
    assert (folder / orphan).exists()
    old = runner.invoke(args=["skp", "files", "gc", "--grace", "0"])
    assert old.exit_code == 0, old.output
    assert "1 orphan file(s) deleted" in old.output
    assert {p.name for p in folder.glob("rev-*")} == referenced
    with app.app_context():
        collected = (
            get_session().scalars(select(AuditEvent).where(AuditEvent.event == "files_collected")).all()
        )
    assert [(e.actor, json.loads(e.data_json)["deleted"]) for e in collected] == [("cli", 1)]
    assert json.loads(collected[0].data_json)["files"] == [f"{document_id}/{orphan}"]


def test_files_of_a_document_the_database_does_not_know_are_left_alone(
    app: Flask, app_config: dict[str, Any], runner: FlaskCliRunner
) -> None:
    stranger = Path(app_config["FILES_DIR"]) / "doc_unknown"
    stranger.mkdir(parents=True)
    (stranger / "rev-0000-0a1b2c3d.pdf").write_bytes(b"%PDF")
    result = runner.invoke(args=["skp", "files", "gc", "--grace", "0"])
    assert "0 orphan file(s) deleted" in result.output
    assert (stranger / "rev-0000-0a1b2c3d.pdf").exists()


def test_the_background_round_collects_orphans_and_reclaims_expired_jobs(
    app_config: dict[str, Any],
) -> None:
    app = create_app({**app_config, "FILES_GC_GRACE_SECONDS": 1, "JOB_LEASE_SECONDS": 1})
    upgrade_schema(app.extensions["skp.engine"])
    housekeeper = None
    try:
        document_id = ready_document(app)
        stranded = rendering_document(app, idempotency_key="k-2")
        dead = other_process(app)
        dead.grant("render", stranded)
        dead.close()
        folder = Path(app_config["FILES_DIR"]) / document_id
        with app.app_context():
            session = get_session()
            doc = document(app, document_id)
            add_revision(session, get_services().store, doc, data=sample_pdf(), kind="signature", based_on=1)
            session.rollback()  # the commit that never came
        with app.app_context():
            referenced = {r.filename for r in document(app, document_id).revisions}
        (orphan,) = {p.name for p in folder.glob("rev-*")} - referenced
        time.sleep(1.2)  # older than the grace period
        housekeeper = Housekeeper(services=app.extensions["skp"], interval=0.2, sweep_interval=0.2).start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (
            (folder / orphan).exists() or ("render", stranded) not in submitted(app)
        ):
            time.sleep(0.1)
        assert not (folder / orphan).exists()
        assert ("render", stranded) in submitted(app)
        assert {p.name for p in folder.glob("rev-*")} == referenced
    finally:
        if housekeeper is not None:
            housekeeper.stop()
        app.extensions["skp"].close()
        app.extensions["skp.engine"].dispose()
