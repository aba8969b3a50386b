"""Nothing stranded, nothing leaked: jobs of dead processes are queued again, orphan files collected.

Both run in every process that keeps the service going in the background (the gunicorn worker that
holds the background lock, each ``skp worker``), as rounds of :class:`Housekeeper`; the orphan sweep
is also ``flask --app service skp files gc``. Several processes may run them at once: a lease is
taken over with one conditional ``UPDATE``, and deleting an orphan twice is harmless.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import audit
from service.interfaces import DocumentStore, StoreEntry
from service.models import Document, JobLease, Revision, as_utc, utcnow
from service.services import Services
from service.workflow.pipeline import mark_failed

__all__ = [
    "MAX_RECLAIMS",
    "Collected",
    "Housekeeper",
    "Reclaimed",
    "collect_orphan_files",
    "reclaim_expired",
]

log = logging.getLogger(__name__)

#: A job taken back this many times from a process that died is given up: a document whose render
#: kills its worker every time (memory, a LibreOffice crash) must not take down one worker after
#: another for ever.
MAX_RECLAIMS = 3

#: What :func:`service.workflow.revisions.add_revision` names its files; nothing else is collected.
REVISION_FILE = re.compile(r"^rev-\d{4}-[0-9a-f]{8}\.pdf$")

#: Documents whose referenced files are read in one query.
_CHUNK = 500


@dataclass(frozen=True)
class Reclaimed:
    """One job taken over from a process that stopped renewing its lease."""

    document_id: str
    job: str
    #: The process that held it (None: the job had no lease at all, see :func:`reclaim_expired`).
    previous_holder: str | None
    reclaims: int
    given_up: bool


def reclaim_expired(session: Session, services: Services, *, now: datetime | None = None) -> list[Reclaimed]:
    """Take over every expired lease and queue its job again here; audited per document.

    Also found: documents ``rendering`` with no lease at all that nobody touched for a lease period
    (queued by a process older than leases, or one that died between its commit and the lease).
    A job reclaimed more than :data:`MAX_RECLAIMS` times is given up: a render marks the document
    ``failed``.
    """
    moment = now or utcnow()
    leases = services.leases
    me, ttl = leases.holder, leases.ttl
    expired = session.execute(
        select(JobLease.document_id, JobLease.job, JobLease.holder, JobLease.state, JobLease.reclaims)
        .where(JobLease.expires_at < moment)
        .order_by(JobLease.expires_at)
    ).all()
    stranded = session.scalars(
        select(Document.id).where(
            Document.status == "rendering",
            Document.updated_at < moment - ttl,
            ~exists().where(JobLease.document_id == Document.id),
            # A batch's document waiting for the feeder is not lost: it is queued in its turn.
            or_(Document.batch_id.is_(None), Document.batch_fed_at.is_not(None)),
        )
    ).all()
    session.rollback()  # end the read; each take-over below is its own transaction
    done: list[Reclaimed] = []
    for document_id, job, holder, state, reclaims in expired:
        taken = session.execute(
            update(JobLease)
            .where(
                JobLease.document_id == document_id,
                JobLease.job == job,
                JobLease.holder == holder,
                JobLease.expires_at < moment,
            )
            .values(state="queued", holder=me, expires_at=moment + ttl, reclaims=JobLease.reclaims + 1)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()  # renewed meanwhile, or another process took it first
            continue
        outcome = Reclaimed(
            document_id=document_id,
            job=job,
            previous_holder=holder or None,
            reclaims=reclaims + 1,
            given_up=reclaims + 1 > MAX_RECLAIMS,
        )
        if _settle(session, services, outcome, state=state):
            done.append(outcome)
    for document_id in stranded:
        session.add(
            JobLease(
                document_id=document_id,
                job="render",
                state="queued",
                holder=me,
                expires_at=moment + ttl,
                reclaims=1,
            )
        )
        outcome = Reclaimed(
            document_id=document_id, job="render", previous_holder=None, reclaims=1, given_up=False
        )
        if _settle(session, services, outcome, state=None):
            done.append(outcome)
    return done


def _settle(session: Session, services: Services, outcome: Reclaimed, *, state: str | None) -> bool:
    """Audit the take-over and queue the job again, or give it up; False when another process won."""
    data = {
        "job": outcome.job,
        "holder": outcome.previous_holder,
        "state": state,
        "reclaims": outcome.reclaims,
    }
    try:
        if outcome.given_up:
            if outcome.job == "render":
                # Before any audit row: the document row, then the audit head, in the order jobs
                # take them (no deadlock with a job still running). It commits with the take-over;
                # should this process die before the lease is dropped, the next round gives up
                # again and finds the document failed already.
                mark_failed(
                    session,
                    services,
                    outcome.document_id,
                    f"Pembuatan dokumen dihentikan: proses yang mengerjakannya berhenti mendadak "
                    f"{outcome.reclaims - 1} kali.",
                )
            session.execute(
                delete(JobLease).where(
                    JobLease.document_id == outcome.document_id, JobLease.job == outcome.job
                )
            )
            audit.record(
                session, event="job_abandoned", actor="system", document_id=outcome.document_id, data=data
            )
            session.commit()
            return True
        audit.record(
            session, event="job_reclaimed", actor="system", document_id=outcome.document_id, data=data
        )
        session.commit()
    except IntegrityError:
        # Another process inserted the same lease, or the next audit event, first: its round won.
        session.rollback()
        return False
    services.leases.touch()
    services.runner.submit(outcome.job, outcome.document_id)
    return True


@dataclass
class Collected:
    """What one orphan sweep did."""

    deleted: list[StoreEntry] = field(default_factory=list)
    #: Orphans younger than the grace period: a write whose commit may still come.
    kept_young: int = 0

    @property
    def bytes_freed(self) -> int:
        """Total size of the deleted files."""
        return sum(entry.size for entry in self.deleted)


def collect_orphan_files(
    session: Session,
    store: DocumentStore,
    *,
    grace: timedelta,
    now: datetime | None = None,
    actor: str = "system",
) -> Collected:
    """Delete revision files no revision row refers to, and temp files of unfinished writes, once
    older than ``grace``; audited with the count when anything was deleted.

    The store is listed before the rows are read, so a file committed meanwhile is found referenced;
    one whose commit has not come yet is younger than ``grace`` and kept. Only files named as
    :func:`~service.workflow.revisions.add_revision` names them, in the folder of a document the
    database knows, are candidates: ``form.docx``, the history sheet and anything of a document
    this database has never seen are left alone.
    """
    moment = now or utcnow()
    cutoff = moment - grace
    candidates: dict[str, list[StoreEntry]] = defaultdict(list)
    for entry in store.entries():
        if entry.partial or REVISION_FILE.match(entry.name):
            candidates[entry.document_id].append(entry)
    result = Collected()
    ids = sorted(candidates)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        known = set(session.scalars(select(Document.id).where(Document.id.in_(chunk))))
        referenced = {
            (row_id, filename)
            for row_id, filename in session.execute(
                select(Revision.document_id, Revision.filename).where(Revision.document_id.in_(chunk))
            )
        }
        for document_id in chunk:
            if document_id not in known:
                continue
            for entry in candidates[document_id]:
                if not entry.partial and (document_id, entry.name) in referenced:
                    continue
                if as_utc(entry.modified) > cutoff:
                    result.kept_young += 1
                    continue
                store.delete(entry)
                result.deleted.append(entry)
    session.rollback()
    if result.deleted:
        audit.record(
            session,
            event="files_collected",
            actor=actor,
            data={
                "deleted": len(result.deleted),
                "bytes": result.bytes_freed,
                "kept_young": result.kept_young,
                "grace_seconds": int(grace.total_seconds()),
                "files": [f"{e.document_id}/{e.name}" for e in result.deleted[:50]],
            },
        )
        session.commit()
    return result


class Housekeeper:
    """A background thread: reclaim expired leases every quarter lease, sweep orphans every
    ``sweep_interval`` seconds (the first sweep at start).
    """

    def __init__(
        self,
        *,
        services: Services,
        interval: float | None = None,
        sweep_interval: float = 900.0,
    ) -> None:
        self.services = services
        self.interval = interval or max(0.5, services.leases.ttl.total_seconds() / 4)
        self.sweep_interval = sweep_interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="skp-housekeeper", daemon=True)
        self._next_sweep = 0.0

    def start(self) -> Housekeeper:
        """Start the rounds in the background; returns the housekeeper."""
        self._thread.start()
        return self

    def run_once(self) -> tuple[list[Reclaimed], Collected | None]:
        """One round: reclaim, and sweep orphans when a sweep is due."""
        services = self.services
        with services.sessions() as session:
            reclaimed = reclaim_expired(session, services)
        for item in reclaimed:
            log.warning(
                "job %s for %s %s (lease of %s expired, %d time(s))",
                item.job,
                item.document_id,
                "given up" if item.given_up else "re-queued",
                item.previous_holder or "no process",
                item.reclaims,
            )
        collected = None
        if time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + self.sweep_interval
            with services.sessions() as session:
                collected = collect_orphan_files(
                    session, services.store, grace=services.settings.files_gc_grace
                )
            if collected.deleted:
                log.info("collected %d orphan file(s)", len(collected.deleted))
        return reclaimed, collected

    def _loop(self) -> None:
        while True:
            try:
                self.run_once()
            except Exception:
                log.exception("housekeeping round failed")
            if self._stop.wait(self.interval):
                return

    def stop(self) -> None:
        """Stop after the round in progress."""
        self._stop.set()
        self._thread.join(timeout=10)
