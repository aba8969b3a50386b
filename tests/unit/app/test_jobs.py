"""One contract for every job runner: a submitted job runs once, by name, through the executor."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

from service.interfaces import JobRunner
from service.jobs import CeleryRunner, InProcessRunner

RAN: dict[str, list[str]] = {}
_LOCK = threading.Lock()
JOB_NAMES = frozenset({"contract-test"})


def _execute(name: str, document_id: str) -> None:
    with _LOCK:
        RAN.setdefault(document_id, []).append(f"{name}:{threading.current_thread().name}")


@pytest.fixture(params=["inprocess", "celery"])
def job_runner(request: pytest.FixtureRequest) -> Iterator[JobRunner]:
    if request.param == "inprocess":
        runner = InProcessRunner(execute=_execute, jobs=JOB_NAMES, workers=2)
        yield runner
        runner.close()
        return
    queue = f"skp-test-{secrets.token_hex(4)}"
    celery_runner = CeleryRunner(execute=_execute, jobs=JOB_NAMES, broker_url="redis://127.0.0.1:6379/15")
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


def test_submitted_jobs_run_once_off_the_calling_thread(job_runner: JobRunner) -> None:
    keys = [f"doc_{secrets.token_hex(4)}" for _ in range(5)]
    caller = threading.current_thread().name
    for key in keys:
        job_runner.submit("contract-test", key)
    ran = _wait_for(keys, timeout=20)
    assert all(len(runs) == 1 and runs[0].startswith("contract-test:") for runs in ran.values())
    assert all(runs[0] != f"contract-test:{caller}" for runs in ran.values())
    time.sleep(0.3)
    with _LOCK:
        assert all(len(RAN[k]) == 1 for k in keys)


def test_unknown_job_is_refused(job_runner: JobRunner) -> None:
    with pytest.raises(KeyError):
        job_runner.submit("no-such-job", "doc_x")
