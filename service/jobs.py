"""Job runners: where slow work (render, convert, seal) runs, behind :class:`~service.interfaces.JobRunner`.

The embedded default is an in-process thread pool; Celery with Redis is for deployments that outgrow
one machine. A runner knows jobs only by name: it is given the table of names it may run and one
``execute(name, document_id)`` callable (the composition root's, which opens a session and calls the
job with the services), so both runners run the same code and a job can be re-run after a crash.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from celery import Celery

__all__ = ["CeleryRunner", "Execute", "InProcessRunner"]

log = logging.getLogger(__name__)

#: Runs job ``name`` for a document id; records its own failure on the document.
Execute = Callable[[str, str], None]


class InProcessRunner:
    """A thread pool inside the web process: no broker to run, jobs die with the process.

    Jobs lost that way are leased to the process (:class:`service.leases.LeasedRunner`): once their
    lease runs out, a live process queues them again (:func:`service.workflow.recovery.reclaim_expired`).
    """

    def __init__(self, *, execute: Execute, jobs: Collection[str], workers: int = 2) -> None:
        self._execute = execute
        self._jobs = frozenset(jobs)
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="skp-job")
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()

    def submit(self, name: str, document_id: str) -> None:
        """Queue job ``name``; ``KeyError`` for a name the runner was not given."""
        if name not in self._jobs:
            raise KeyError(name)
        future = self._executor.submit(self._run, name, document_id)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _run(self, name: str, document_id: str) -> None:
        try:
            self._execute(name, document_id)
        except Exception:
            log.exception("job %s for %s crashed", name, document_id)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def wait_idle(self, timeout: float) -> bool:
        """Wait for the jobs queued so far; False when one is still running after ``timeout`` s."""
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            try:
                future.result(timeout=timeout)
            except TimeoutError:
                return False
        return True

    def close(self) -> None:
        """Let the running jobs finish, then stop the threads."""
        self._executor.shutdown(wait=True, cancel_futures=False)


class CeleryRunner:
    """Jobs through a Celery broker (Redis); ``flask --app service skp worker`` consumes them.

    A worker leases each job as it starts it and renews the lease while it runs; every ``skp
    worker`` also runs the reclaim rounds, so a job whose worker was killed is queued again when
    its lease runs out, without waiting for the broker's visibility timeout.
    """

    def __init__(self, *, execute: Execute, jobs: Collection[str], broker_url: str) -> None:
        self._jobs = frozenset(jobs)
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
            execute(name, document_id)

        self._task: Any = _task

    def submit(self, name: str, document_id: str) -> None:
        """Put the job on the broker; ``KeyError`` for a name the runner was not given."""
        if name not in self._jobs:
            raise KeyError(name)
        self._task.delay(name, document_id)

    def wait_idle(self, timeout: float) -> bool:  # noqa: ARG002  (the Protocol's signature)
        """The broker does not tell; callers poll the document status instead."""
        return True

    def close(self) -> None:
        """Close the broker connections."""
        self.celery.close()

    def worker_main(self, concurrency: int) -> None:
        """Consume jobs in this process (``skp worker``)."""
        self.celery.worker_main(
            ["worker", "--loglevel=INFO", "--pool=threads", f"--concurrency={concurrency}"]
        )
