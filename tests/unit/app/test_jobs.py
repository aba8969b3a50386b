"""One contract for every job runner: a submitted job runs once, in an app context, by name."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, current_app

from service.jobs import JOBS, CeleryRunner, InProcessRunner, JobRunner

RAN: dict[str, list[str]] = {}
_LOCK = threading.Lock()


def _contract_job(document_id: str) -> None:
    with _LOCK:
        RAN.setdefault(document_id, []).append(current_app.name)


JOBS["contract-test"] = _contract_job


@pytest.fixture(params=["inprocess", "celery"])
def job_runner(request: pytest.FixtureRequest, app: Flask) -> Iterator[JobRunner]:
    if request.param == "inprocess":
        runner = InProcessRunner(app=app, workers=2)
        yield runner
        runner.close()
        return
    from celery.contrib.testing.worker import start_worker

    queue = f"skp-test-{secrets.token_hex(4)}"
    celery_runner = CeleryRunner(app=app, broker_url="redis://127.0.0.1:6379/15")
    celery_runner.celery.conf.task_default_queue = queue
    with start_worker(celery_runner.celery, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        yield celery_runner
    celery_runner.close()


def _wait_for(keys: list[str], timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _LOCK:
            if all(k in RAN for k in keys):
                return {k: RAN[k] for k in keys}
        time.sleep(0.05)
    raise AssertionError(f"jobs did not run: {[k for k in keys if k not in RAN]}")


def test_submitted_jobs_run_once_in_an_app_context(app: Flask, job_runner: JobRunner) -> None:
    keys = [f"doc_{secrets.token_hex(4)}" for _ in range(5)]
    for key in keys:
        job_runner.submit("contract-test", key)
    ran = _wait_for(keys, timeout=20)
    assert all(names == [app.name] for names in ran.values())
    time.sleep(0.3)
    with _LOCK:
        assert all(len(RAN[k]) == 1 for k in keys)


def test_unknown_job_is_refused(job_runner: JobRunner) -> None:
    with pytest.raises(KeyError):
        job_runner.submit("no-such-job", "doc_x")
