"""``kill -9`` under real gunicorn (2 workers, ``service.gunicorn_conf``): nothing stranded, nothing leaked.

Issue 10: killing the worker that does not hold the background lock left its documents ``rendering``
for as long as the other worker lived, and every kill left that worker's LibreOffice processes
running (6 per kill, ~320 MB a pair). Here the job lease is 4 s; each test counts the documents
the killed processes had not finished, checks that every one is recovered (``awaiting_signature``,
revisions 0 and 1 once each), and counts the killed processes' LibreOffice processes left (0).
The counts are printed (``-s``) and recorded as test properties.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from service.models import AuditEvent, Document, JobLease, Revision
from service.orm import make_engine
from tests.conftest import EXAMPLES, KEY_SECRET
from tests.functional.served import Served

pytestmark = pytest.mark.slow  # real gunicorn with two warm LibreOffice processes per worker

LEASE_SECONDS = 4
#: After a kill, a stranded job is queued again once its lease ran out and the next round came.
RECLAIM_WITHIN = LEASE_SECONDS * 1.25 + 3
PAYLOAD = (EXAMPLES / "permenpanrb_6_2022_skp.json").read_bytes()
Count = Callable[[Any], None]


@pytest.fixture
def served(tmp_path: Path, pki_dir: Path, database_url: str) -> Iterator[Served]:
    running = Served(
        tmp_path / "served",
        pki_dir=pki_dir,
        key_secret=KEY_SECRET,
        workers=2,
        env={
            "SKP_DATABASE_URL": database_url,
            "SKP_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
            "SKP_CONVERTER_PROCESSES": "2",  # as scripts/serve runs it
        },
    )
    try:
        running.start()
        wait_warm(running, processes=2)
        yield running
    finally:
        running.stop()


@pytest.fixture
def db(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


# -- what /proc says


def _proc() -> dict[int, tuple[int, int, str, str]]:
    """Every live process: pid → (ppid, process group, state, name)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        found[int(entry.name)] = (int(fields[1]), int(fields[2]), fields[0], name)
    return found


def workers_of(master: int) -> list[int]:
    return sorted(pid for pid, (ppid, _, state, _) in _proc().items() if ppid == master and state != "Z")


def office_of(worker: int) -> dict[int, str]:
    """The worker's LibreOffice processes (pid → name): the process groups its children lead."""
    procs = _proc()
    groups = {pid for pid, (ppid, _, _, _) in procs.items() if ppid == worker}
    return {pid: name for pid, (_, pgid, state, name) in procs.items() if pgid in groups and state != "Z"}


def wait_warm(served: Served, processes: int, timeout: float = 120) -> None:
    """Until each worker has its ``processes`` LibreOffice processes up (the warm-up is done)."""
    assert served.process is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = workers_of(served.process.pid)
        warm = [list(office_of(pid).values()).count("soffice.bin") for pid in workers]
        if len(workers) == served.workers and warm == [processes] * served.workers:
            return
        time.sleep(0.3)
    raise AssertionError(f"LibreOffice not warm after {timeout} s; log:\n{served.log_tail()}")


def alive(pids: set[int]) -> set[int]:
    procs = _proc()
    return {pid for pid in pids if pid in procs and procs[pid][2] != "Z"}


def lock_holder(served: Served) -> int:
    """The worker holding the background lock, from /proc/locks (waiters are marked ``->``)."""
    inode = (served.instance / ".background.lock").stat().st_ino
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for line in Path("/proc/locks").read_text().splitlines():
            fields = line.split()
            if "->" not in fields and "FLOCK" in fields and fields[-3].endswith(f":{inode}"):
                return int(fields[4])
        time.sleep(0.2)
    raise AssertionError("no worker holds the background lock")


# -- what the database says


def unfinished_held_by(db: Engine, pid: int) -> set[str]:
    """Documents whose job a process holds (queued or running) and that are not ready yet."""
    with Session(db) as session:
        rows = session.execute(
            select(JobLease.document_id, JobLease.holder)
            .join(Document, Document.id == JobLease.document_id)
            .where(Document.status == "rendering")
        ).all()
    return {doc for doc, holder in rows if holder.split("/")[1] == str(pid)}


def statuses(db: Engine, ids: set[str]) -> dict[str, str]:
    with Session(db) as session:
        return dict(session.execute(select(Document.id, Document.status).where(Document.id.in_(ids))).all())


def wait_until_ready(db: Engine, ids: set[str], timeout: float) -> tuple[dict[str, str], float]:
    started = time.monotonic()
    while True:
        now = statuses(db, ids)
        if all(status != "rendering" for status in now.values()) or time.monotonic() - started > timeout:
            return now, time.monotonic() - started
        time.sleep(0.25)


def reclaimed_at(db: Engine, ids: set[str]) -> dict[str, int]:
    with Session(db) as session:
        rows = session.execute(
            select(AuditEvent.document_id, func.count())
            .where(AuditEvent.event == "job_reclaimed", AuditEvent.document_id.in_(ids))
            .group_by(AuditEvent.document_id)
        ).all()
    return dict(rows)


def assert_each_revision_once(db: Engine, ids: set[str]) -> None:
    with Session(db) as session:
        for doc in ids:
            numbers = session.scalars(
                select(Revision.number).where(Revision.document_id == doc).order_by(Revision.number)
            ).all()
            assert list(numbers) == [0, 1], (doc, numbers)
            trail = session.scalars(select(AuditEvent.event).where(AuditEvent.document_id == doc)).all()
            assert trail.count("rendered") == 1, (doc, trail)
            assert "failed" not in trail, (doc, trail)


# -- load


def post_documents(served: Served, count: int, prefix: str) -> list[str]:
    """``count`` documents from four clients at once (so that both workers take some)."""
    ids: list[str] = []
    lock = threading.Lock()

    def post(i: int) -> None:
        status, _, body = served.request(
            "POST",
            "/api/v1/documents",
            body=PAYLOAD,
            headers={"Content-Type": "application/json", "Idempotency-Key": f"{prefix}-{i}"},
        )
        assert status == 202, body
        with lock:
            ids.append(json.loads(body)["id"])

    threads = [threading.Thread(target=post, args=(i,)) for i in range(count)]
    for start in range(0, count, 4):
        batch = threads[start : start + 4]
        for thread in batch:
            thread.start()
        for thread in batch:
            thread.join(60)
    assert len(ids) == count
    return ids


def load_until(served: Served, db: Engine, enough: Callable[[], bool], prefix: str) -> set[str]:
    """Post documents in rounds until ``enough()``; every id posted."""
    posted: set[str] = set()
    for round_ in range(10):
        posted.update(post_documents(served, 4, f"{prefix}{round_}"))
        if enough():
            return posted
    raise AssertionError(f"never enough work in flight; log:\n{served.log_tail()}")


def report(record_property: Count, **counts: Any) -> None:
    print()
    for name, value in counts.items():
        print(f"  {name}: {value}")
        record_property(name, value)


def test_kill_9_of_the_worker_without_the_lock_strands_nothing(
    served: Served, db: Engine, record_property: Count
) -> None:
    assert served.process is not None
    master = served.process.pid
    holder = lock_holder(served)
    (victim,) = [pid for pid in workers_of(master) if pid != holder]
    posted = load_until(served, db, lambda: len(unfinished_held_by(db, victim)) >= 3, "a")
    stranded = unfinished_held_by(db, victim)
    office = set(office_of(victim))
    os.kill(victim, signal.SIGKILL)
    killed_at = time.monotonic()

    # Its LibreOffice goes with it.
    deadline = time.monotonic() + 15
    while alive(office) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = alive(office)
    # Every document it held is queued again by the lock holder, once its lease has run out.
    while set(reclaimed_at(db, stranded)) != stranded and time.monotonic() - killed_at < RECLAIM_WITHIN:
        time.sleep(0.2)
    reclaim_seconds = time.monotonic() - killed_at
    reclaimed = reclaimed_at(db, stranded)
    final, _ = wait_until_ready(db, posted, timeout=120)
    ready_seconds = time.monotonic() - killed_at
    recovered = {doc for doc in stranded if final[doc] == "awaiting_signature"}
    report(
        record_property,
        documents_posted=len(posted),
        documents_stranded_by_the_kill=len(stranded),
        documents_recovered=len(recovered),
        seconds_to_reclaim=round(reclaim_seconds, 1),
        seconds_to_all_ready=round(ready_seconds, 1),
        lease_seconds=LEASE_SECONDS,
        libreoffice_processes_of_the_killed_worker=len(office),
        libreoffice_processes_left=len(left),
    )
    assert left == set()
    assert set(reclaimed) == stranded, served.log_tail()
    assert reclaim_seconds <= RECLAIM_WITHIN
    assert recovered == stranded, {doc: final[doc] for doc in stranded}
    assert all(status == "awaiting_signature" for status in final.values()), final
    assert_each_revision_once(db, posted)
    assert len(office) == 6  # 2 processes x (unoserver, oosplash, soffice.bin)


def test_kill_9_of_master_and_workers_strands_nothing_after_a_restart(
    served: Served, db: Engine, record_property: Count
) -> None:
    assert served.process is not None
    master = served.process.pid
    workers = workers_of(master)
    assert len(workers) == 2

    def in_flight() -> bool:
        return sum(len(unfinished_held_by(db, pid)) for pid in workers) >= 4

    posted = load_until(served, db, in_flight, "b")
    stranded = set().union(*(unfinished_held_by(db, pid) for pid in workers))
    office = set().union(*(set(office_of(pid)) for pid in workers))
    for pid in (master, *workers):
        os.kill(pid, signal.SIGKILL)
    served.process.wait(10)
    deadline = time.monotonic() + 15
    while alive(office) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = alive(office)
    assert statuses(db, stranded) == dict.fromkeys(stranded, "rendering")

    served.start()
    restarted_at = time.monotonic()
    final, _ = wait_until_ready(db, posted, timeout=120)
    ready_seconds = time.monotonic() - restarted_at
    recovered = {doc for doc in stranded if final[doc] == "awaiting_signature"}
    report(
        record_property,
        documents_posted=len(posted),
        documents_stranded_by_the_kill=len(stranded),
        documents_recovered=len(recovered),
        seconds_from_restart_to_all_ready=round(ready_seconds, 1),
        lease_seconds=LEASE_SECONDS,
        libreoffice_processes_of_the_killed_workers=len(office),
        libreoffice_processes_left=len(left),
    )
    assert left == set()
    assert recovered == stranded, {doc: final[doc] for doc in stranded}
    assert all(status == "awaiting_signature" for status in final.values()), final
    assert set(reclaimed_at(db, stranded)) == stranded
    assert_each_revision_once(db, posted)
    assert len(office) == 12
