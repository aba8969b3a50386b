"""Job runners: where slow work (render, convert, seal) runs, behind one small interface.

The embedded default is an in-process thread pool; Celery with Redis is for deployments that outgrow
one machine. Jobs are plain functions registered by name and take a document id, so both runners run
the same code and a job can be re-run after a crash.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from flask import Flask

__all__ = ["JOBS", "CeleryRunner", "InProcessRunner", "JobRunner", "job", "run_job"]

log = logging.getLogger(__name__)

JobFunction = Callable[[str], None]

#: Registered jobs by name; each takes a document id and runs inside an app context.
JOBS: dict[str, JobFunction] = {}


def job(name: str) -> Callable[[JobFunction], JobFunction]:
    def register(function: JobFunction) -> JobFunction:
        JOBS[name] = function
        return function

    return register


def run_job(app: Flask, name: str, document_id: str) -> None:
    """Run one job in an app context; a job records its own failure on the document."""
    with app.app_context():
        JOBS[name](document_id)


class JobRunner(Protocol):
    def submit(self, name: str, document_id: str) -> None: ...

    def wait_idle(self, timeout: float) -> bool: ...

    def close(self) -> None: ...


class InProcessRunner:
    """A thread pool inside the web process: no broker to run, jobs die with the process.

    Jobs lost that way are found again at start-up (documents still ``rendering``), see
    :func:`service.workflow.pipeline.resume_unfinished`.
    """

    def __init__(self, *, app: Flask, workers: int = 2) -> None:
        self.app = app
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="skp-job")
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()

    def submit(self, name: str, document_id: str) -> None:
        if name not in JOBS:
            raise KeyError(name)
        future = self._executor.submit(self._run, name, document_id)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _run(self, name: str, document_id: str) -> None:
        try:
            run_job(self.app, name, document_id)
        except Exception:
            log.exception("job %s for %s crashed", name, document_id)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def wait_idle(self, timeout: float) -> bool:
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            try:
                future.result(timeout=timeout)
            except TimeoutError:
                return False
        return True

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)


class CeleryRunner:
    """Jobs through a Celery broker (Redis); ``flask --app service skp worker`` consumes them."""

    def __init__(self, *, app: Flask, broker_url: str) -> None:
        from celery import Celery

        self.app = app
        self.celery = Celery("skp", broker=broker_url, backend=None)
        self.celery.conf.update(
            task_acks_late=True,  # a worker killed mid-job leaves the job on the broker
            task_reject_on_worker_lost=True,
            worker_prefetch_multiplier=1,
            broker_connection_retry_on_startup=True,
            task_ignore_result=True,
        )

        @self.celery.task(name="skp.run_job", shared=False)  # type: ignore[untyped-decorator]
        def _task(name: str, document_id: str) -> None:
            run_job(app, name, document_id)

        self._task: Any = _task

    def submit(self, name: str, document_id: str) -> None:
        if name not in JOBS:
            raise KeyError(name)
        self._task.delay(name, document_id)

    def wait_idle(self, timeout: float) -> bool:
        # The broker does not tell us; callers poll the document status instead.
        return True

    def close(self) -> None:
        self.celery.close()

    def worker_main(self, concurrency: int) -> None:
        self.celery.worker_main(
            ["worker", "--loglevel=INFO", "--pool=threads", f"--concurrency={concurrency}"]
        )
