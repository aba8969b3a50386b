"""Job leases: which live process answers for a document's outstanding job, and until when.

A job is leased to the process that queued it when it is submitted (its thread pool, or the broker
on its behalf), and to the process that runs it once it starts; each process renews every lease it
holds with one ``UPDATE`` per heartbeat, and drops a lease when the job ends. A process that dies,
however it dies, stops renewing: its leases expire, and any live process's background round
(:func:`service.workflow.recovery.reclaim_expired`) takes them over and queues the jobs again.
Jobs stay idempotent (revisions are added under a guard, see :mod:`service.workflow.revisions`), so
a job that runs twice after a lease expired under a process that was only slow still adds each
revision once.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from service.interfaces import JobRunner
from service.models import JobLease, utcnow

__all__ = ["NOBODY", "JobLeases", "LeasedRunner"]

log = logging.getLogger(__name__)

#: Holder of a lease whose job ended in an error: expired at once, so the next round reclaims it.
NOBODY = ""


class JobLeases:
    """This process's side of the leases: grant, claim, renew (a heartbeat thread), release.

    The heartbeat thread runs only while the process holds a lease, so a process that never runs
    jobs (a CLI command, a test's app) never starts one.

    :param sessions: where the leases are kept.
    :param ttl: how long a lease lasts without renewal; the heartbeat renews it every ``ttl / 4``.
    """

    def __init__(self, *, sessions: sessionmaker[Session], ttl: timedelta) -> None:
        self.sessions = sessions
        self.ttl = ttl
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._touched = False
        self._stop = threading.Event()
        self._pid = 0
        self._holder = ""

    @property
    def holder(self) -> str:
        """This process's name on its leases: ``host/pid/nonce`` (a new nonce after a fork)."""
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._holder = f"{socket.gethostname()}/{self._pid}/{secrets.token_hex(4)}"
                self._thread = None  # threads do not survive a fork
            return self._holder

    # -- the job's side ----------------------------------------------------------------------------

    def grant(self, job: str, document_id: str) -> None:
        """Lease a job that is being queued to this process (a live lease of another one is kept)."""
        self._take(job, document_id, state="queued", over_queued=False)

    def claim(self, job: str, document_id: str) -> bool:
        """Take the lease to run the job now; False when another live process runs it already."""
        return self._take(job, document_id, state="running", over_queued=True)

    def _take(self, job: str, document_id: str, *, state: str, over_queued: bool) -> bool:
        """Hold the job's lease in ``state``: one this process holds, an expired one, with
        ``over_queued`` a queued one, or none yet (leased now: queued by an older process or a
        test's runner). False when another live process holds it; that one answers for the job.
        """
        me, now = self.holder, utcnow()
        takeable = [JobLease.holder == me, JobLease.expires_at < now]
        if over_queued:
            takeable.append(JobLease.state == "queued")
        with self.sessions() as session:
            moved = session.execute(
                update(JobLease)
                .where(JobLease.document_id == document_id, JobLease.job == job, or_(*takeable))
                .values(state=state, holder=me, expires_at=now + self.ttl)
                .execution_options(synchronize_session=False)
            )
            if moved.rowcount == 0:  # type: ignore[attr-defined]
                if session.get(JobLease, (document_id, job)) is not None:
                    return False
                session.add(
                    JobLease(
                        document_id=document_id,
                        job=job,
                        state=state,
                        holder=me,
                        expires_at=now + self.ttl,
                        reclaims=0,
                    )
                )
            try:
                session.commit()
            except IntegrityError:  # another process created it a moment ago
                session.rollback()
                return False
        self.touch()
        return True

    def release(self, job: str, document_id: str, *, ok: bool) -> None:
        """The job ended: drop the lease, or, after an error, leave it to the next reclaim round."""
        me = self.holder
        with self.sessions() as session:
            if ok:
                session.execute(
                    delete(JobLease).where(
                        JobLease.document_id == document_id, JobLease.job == job, JobLease.holder == me
                    )
                )
            else:
                session.execute(
                    update(JobLease)
                    .where(JobLease.document_id == document_id, JobLease.job == job, JobLease.holder == me)
                    .values(state="queued", holder=NOBODY, expires_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
            session.commit()

    def run(self, job: str, document_id: str, work: Callable[[], None]) -> None:
        """Run ``work`` under the job's lease; skipped when another live process runs the job."""
        try:
            claimed = self.claim(job, document_id)
        except Exception:
            # Not run: hand the lease to the next reclaim round rather than renew it here forever.
            self.release(job, document_id, ok=False)
            raise
        if not claimed:
            log.info("job %s for %s runs in another process; skipped", job, document_id)
            return
        try:
            work()
        except BaseException:
            self.release(job, document_id, ok=False)
            raise
        self.release(job, document_id, ok=True)

    # -- the heartbeat -----------------------------------------------------------------------------

    def renew(self, *, now: datetime | None = None) -> int:
        """Extend every lease this process holds; how many there are."""
        me, moment = self.holder, now or utcnow()
        with self.sessions() as session:
            moved = session.execute(
                update(JobLease)
                .where(JobLease.holder == me)
                .values(expires_at=moment + self.ttl)
                .execution_options(synchronize_session=False)
            )
            session.commit()
        count: int = moved.rowcount  # type: ignore[attr-defined]
        return count

    def touch(self) -> None:
        """This process holds a lease now: make sure the heartbeat runs."""
        self.holder  # noqa: B018  (resets the thread after a fork)
        with self._lock:
            self._touched = True
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._beat, name="skp-lease-heartbeat", daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        interval = self.ttl.total_seconds() / 4
        while not self._stop.wait(interval):
            with self._lock:
                self._touched = False
            try:
                held = self.renew()
            except Exception:
                log.exception("renewing job leases failed; retrying")
                continue
            with self._lock:
                # Nothing held and nothing granted meanwhile: stop until the next grant or claim.
                if held == 0 and not self._touched:
                    self._thread = None
                    return

    def close(self) -> None:
        """Stop the heartbeat (the leases then expire and are reclaimed by another process)."""
        self._stop.set()
        with self._lock:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)


class LeasedRunner:
    """A :class:`~service.interfaces.JobRunner` that leases each job to this process as it queues it."""

    def __init__(self, runner: JobRunner, leases: JobLeases) -> None:
        self.inner = runner
        self.leases = leases

    def submit(self, name: str, document_id: str) -> None:
        """Lease, then queue (so a job that starts at once finds its lease); ``KeyError`` for an
        unknown job, whose lease is dropped again.
        """
        self.leases.grant(name, document_id)
        try:
            self.inner.submit(name, document_id)
        except KeyError:
            self.leases.release(name, document_id, ok=True)
            raise

    def wait_idle(self, timeout: float) -> bool:
        """See :meth:`JobRunner.wait_idle`."""
        return self.inner.wait_idle(timeout)

    def close(self) -> None:
        """Stop the runner, then the heartbeat."""
        self.inner.close()
        self.leases.close()
