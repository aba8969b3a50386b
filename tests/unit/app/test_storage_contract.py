"""The :class:`~service.interfaces.DocumentStore` contract, run against every implementation.

What is checked is what the docstrings promise. ``DocumentStore``: names are flat, a stored file is
immutable (``put`` of an existing name raises ``FileExistsError``), ``put`` stores atomically, ``get``
raises ``FileNotFoundError`` when nothing is stored. ``FilesystemStore`` adds: files live under
``root/<id>/``, no path ever leaves the root, and a write is temp file + fsync + link, so a crash leaves no
half file under the name. ``entries`` lists every file with what an unfinished write left, and
``delete`` removes one (the orphan sweep), never outside the root.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from service.interfaces import DocumentStore, StoreEntry
from service.storage import FileExistsInStoreError, FilesystemStore

REPO = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Implementation:
    """How to make a store, and how to see what it holds besides its stored files (temp files)."""

    make: Callable[[Path], DocumentStore]
    residue: Callable[[Path], list[str]]
    """Entries under the store's place that are not stored files; what a write may leave behind."""
    stored: Callable[[Path], list[str]]
    """Every stored file as ``<id>/<name>``, read from the store's own place, not through its API."""


def _fs_make(root: Path) -> DocumentStore:
    return FilesystemStore(root=root)


def _fs_all(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _fs_residue(root: Path) -> list[str]:
    return [p for p in _fs_all(root) if Path(p).name.startswith(".")]


def _fs_stored(root: Path) -> list[str]:
    return [p for p in _fs_all(root) if not Path(p).name.startswith(".")]


IMPLEMENTATIONS = {
    "filesystem": Implementation(make=_fs_make, residue=_fs_residue, stored=_fs_stored),
}


@dataclass
class Subject:
    store: DocumentStore
    place: Path
    impl: Implementation

    def residue(self) -> list[str]:
        return self.impl.residue(self.place)

    def stored(self) -> list[str]:
        return self.impl.stored(self.place)


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def subject(request: pytest.FixtureRequest, tmp_path: Path) -> Subject:
    impl = IMPLEMENTATIONS[request.param]
    place = tmp_path / "store"
    return Subject(store=impl.make(place), place=place, impl=impl)


# -- put / get / exists


def test_put_then_get_returns_the_bytes_and_exists_says_so(subject: Subject) -> None:
    store = subject.store
    assert not store.exists("doc_1", "rev-0000.pdf")
    store.put("doc_1", "rev-0000.pdf", b"%PDF-1.7 first")
    assert store.exists("doc_1", "rev-0000.pdf")
    assert store.get("doc_1", "rev-0000.pdf") == b"%PDF-1.7 first"
    assert subject.stored() == ["doc_1/rev-0000.pdf"]


@pytest.mark.parametrize("data", [b"", b"\x00" * 7, bytes(range(256)) * 4096], ids=["empty", "nul", "1MiB"])
def test_any_bytes_round_trip_exactly(subject: Subject, data: bytes) -> None:
    subject.store.put("doc_1", "blob.bin", data)
    assert subject.store.get("doc_1", "blob.bin") == data


def test_names_are_per_document(subject: Subject) -> None:
    store = subject.store
    store.put("doc_1", "form.docx", b"one")
    store.put("doc_2", "form.docx", b"two")
    assert store.get("doc_1", "form.docx") == b"one"
    assert store.get("doc_2", "form.docx") == b"two"
    assert not store.exists("doc_3", "form.docx")
    assert subject.stored() == ["doc_1/form.docx", "doc_2/form.docx"]


# -- never overwrite


@pytest.mark.parametrize("second", [b"different", b"same"], ids=["other-bytes", "same-bytes"])
def test_put_of_an_existing_name_raises_and_keeps_the_first(subject: Subject, second: bytes) -> None:
    store = subject.store
    store.put("doc_1", "rev-0001.pdf", b"same")
    with pytest.raises(FileExistsError) as raised:
        store.put("doc_1", "rev-0001.pdf", second)
    if isinstance(store, FilesystemStore):
        assert isinstance(raised.value, FileExistsInStoreError)
    assert store.get("doc_1", "rev-0001.pdf") == b"same"
    assert subject.stored() == ["doc_1/rev-0001.pdf"]
    assert subject.residue() == []


def test_racing_puts_of_one_name_store_exactly_one_whole(subject: Subject) -> None:
    store = subject.store
    payloads = [bytes([i]) * 200_000 for i in range(12)]
    outcomes: dict[int, str] = {}
    barrier = threading.Barrier(len(payloads))

    def put(i: int) -> None:
        barrier.wait()
        try:
            store.put("doc_1", "rev-0002.pdf", payloads[i])
            outcomes[i] = "stored"
        except FileExistsError:
            outcomes[i] = "exists"

    threads = [threading.Thread(target=put, args=(i,)) for i in range(len(payloads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [i for i, outcome in outcomes.items() if outcome == "stored"]
    assert len(outcomes) == len(payloads)
    assert len(winners) == 1
    assert store.get("doc_1", "rev-0002.pdf") == payloads[winners[0]]
    assert subject.residue() == []


# -- missing files


def test_get_of_a_missing_file_raises_file_not_found(subject: Subject) -> None:
    store = subject.store
    with pytest.raises(FileNotFoundError):
        store.get("doc_1", "rev-0000.pdf")  # no such document
    store.put("doc_1", "rev-0000.pdf", b"x")
    with pytest.raises(FileNotFoundError):
        store.get("doc_1", "rev-0001.pdf")  # the document, not the name
    assert not store.exists("doc_1", "rev-0001.pdf")
    assert not store.exists("doc_9", "rev-0000.pdf")


# -- path traversal

UNSAFE = [
    ("../etc", "passwd"),
    ("..", "passwd"),
    (".", "rev-0000.pdf"),
    ("doc/1", "a.pdf"),
    ("doc\\1", "a.pdf"),
    ("/etc", "passwd"),
    ("", "a.pdf"),
    ("doc_1", ""),
    ("doc_1", ".."),
    ("doc_1", "."),
    ("doc_1", "../../x"),
    ("doc_1", "../doc_2/form.docx"),
    ("doc_1", "/etc/passwd"),
    ("doc_1", "sub/a.pdf"),
    ("doc_1", "a\\..\\b"),
    ("doc_1", ".hidden"),
    ("doc_1", "a\x00.pdf"),
    ("doc\x00", "a.pdf"),
]


@pytest.mark.parametrize(("document_id", "name"), UNSAFE)
def test_names_that_could_leave_the_store_are_refused(subject: Subject, document_id: str, name: str) -> None:
    store = subject.store
    subject.place.mkdir(parents=True, exist_ok=True)
    outside = sorted(p.name for p in subject.place.parent.iterdir())
    with pytest.raises(ValueError, match="unsafe"):
        store.put(document_id, name, b"x")
    with pytest.raises(ValueError, match="unsafe"):
        store.get(document_id, name)
    with pytest.raises(ValueError, match="unsafe"):
        store.exists(document_id, name)
    assert sorted(p.name for p in subject.place.parent.iterdir()) == outside
    assert subject.stored() == []
    assert subject.residue() == []


def test_files_live_under_their_document(subject: Subject) -> None:
    subject.store.put("doc_1", "form.docx", b"one")
    assert subject.stored() == ["doc_1/form.docx"]
    if isinstance(subject.store, FilesystemStore):
        assert (subject.place / "doc_1" / "form.docx").read_bytes() == b"one"


# -- atomic writes: temp file + fsync + link


def test_a_write_leaves_no_temp_file(subject: Subject) -> None:
    store = subject.store
    for i in range(5):
        store.put("doc_1", f"rev-{i:04d}.pdf", b"%PDF" * 1000)
    assert subject.residue() == []
    assert len(subject.stored()) == 5


def test_a_write_that_fails_leaves_neither_the_name_nor_a_temp_file(
    subject: Subject, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = subject.store
    store.put("doc_1", "rev-0000.pdf", b"before")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", broken_fsync)
        with pytest.raises(OSError, match="No space left"):
            store.put("doc_1", "rev-0001.pdf", b"after")
    assert not store.exists("doc_1", "rev-0001.pdf")
    with pytest.raises(FileNotFoundError):
        store.get("doc_1", "rev-0001.pdf")
    assert subject.residue() == []
    store.put("doc_1", "rev-0001.pdf", b"after")  # the name is still free
    assert store.get("doc_1", "rev-0001.pdf") == b"after"


def test_readers_see_a_file_whole_or_not_at_all(subject: Subject) -> None:
    store = subject.store
    data = os.urandom(4 * 1024 * 1024)
    seen: list[int] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            if store.exists("doc_1", "big.pdf"):
                seen.append(len(store.get("doc_1", "big.pdf")))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(3):
            store.put("doc_1", f"other-{i}.pdf", data)  # give the reader time to spin
        store.put("doc_1", "big.pdf", data)
        time.sleep(0.05)
    finally:
        done.set()
        reader.join()
    assert set(seen) <= {len(data)}
    assert store.get("doc_1", "big.pdf") == data


CRASH_CHILD = """
import os, sys, time
from service.storage import FilesystemStore

real_link = os.link

def link(src, dst, *args, **kwargs):
    print("WRITTEN", flush=True)  # the temp file is complete and synced; the name is not linked yet
    time.sleep(600)

os.link = link
FilesystemStore(root=sys.argv[1]).put("doc_1", "rev-0001.pdf", b"%PDF-crash" * 10000)
"""


def test_a_crash_between_write_and_link_leaves_the_name_free(subject: Subject) -> None:
    if not isinstance(subject.store, FilesystemStore):
        pytest.skip("kills a child process writing to the same directory")
    subject.store.put("doc_1", "rev-0000.pdf", b"good")
    with subprocess.Popen(
        [sys.executable, "-c", CRASH_CHILD, str(subject.place)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "WRITTEN"
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
    store = subject.store
    assert not store.exists("doc_1", "rev-0001.pdf")
    with pytest.raises(FileNotFoundError):
        store.get("doc_1", "rev-0001.pdf")
    assert store.get("doc_1", "rev-0000.pdf") == b"good"
    # The killed write leaves its temp file: an orphan under a name the store refuses to serve.
    (leftover,) = subject.residue()
    with pytest.raises(ValueError, match="unsafe"):
        store.get("doc_1", Path(leftover).name)
    store.put("doc_1", "rev-0001.pdf", b"retried")
    assert store.get("doc_1", "rev-0001.pdf") == b"retried"
    # The orphan sweep sees it as an unfinished write, and may delete it.
    (partial,) = [entry for entry in store.entries() if entry.partial]
    assert (partial.document_id, partial.name) == ("doc_1", Path(leftover).name)
    store.delete(partial)
    assert subject.residue() == []
    assert store.get("doc_1", "rev-0001.pdf") == b"retried"


# -- entries / delete (the orphan sweep)


def test_entries_list_every_stored_file_with_its_time_and_size(subject: Subject) -> None:
    store = subject.store
    assert list(store.entries()) == []  # nothing stored yet, not even the root
    before = datetime.now(UTC) - timedelta(seconds=2)
    store.put("doc_1", "rev-0000-0a1b2c3d.pdf", b"%PDF one")
    store.put("doc_1", "form.docx", b"docx")
    store.put("doc_2", "rev-0000-00ff00ff.pdf", b"%PDF two!")
    after = datetime.now(UTC) + timedelta(seconds=2)
    found = sorted(store.entries(), key=lambda e: (e.document_id, e.name))
    assert [(e.document_id, e.name, e.size, e.partial) for e in found] == [
        ("doc_1", "form.docx", 4, False),
        ("doc_1", "rev-0000-0a1b2c3d.pdf", 8, False),
        ("doc_2", "rev-0000-00ff00ff.pdf", 9, False),
    ]
    assert all(before <= e.modified <= after for e in found)


def test_delete_removes_one_file_and_deleting_it_again_is_no_error(subject: Subject) -> None:
    store = subject.store
    store.put("doc_1", "rev-0000-0a1b2c3d.pdf", b"%PDF orphan")
    store.put("doc_1", "rev-0001-0a1b2c3e.pdf", b"%PDF kept")
    (orphan,) = [e for e in store.entries() if e.name == "rev-0000-0a1b2c3d.pdf"]
    store.delete(orphan)
    store.delete(orphan)
    assert not store.exists("doc_1", "rev-0000-0a1b2c3d.pdf")
    assert subject.stored() == ["doc_1/rev-0001-0a1b2c3e.pdf"]


@pytest.mark.parametrize(("document_id", "name"), UNSAFE)
@pytest.mark.parametrize("partial", [False, True], ids=["stored", "partial"])
def test_delete_refuses_names_that_could_leave_the_store(
    subject: Subject, document_id: str, name: str, partial: bool
) -> None:
    entry = StoreEntry(
        document_id=document_id, name=name, modified=datetime.now(UTC), size=0, partial=partial
    )
    with pytest.raises(ValueError, match="unsafe"):
        subject.store.delete(entry)
