"""The file store (:class:`service.interfaces.DocumentStore`): written once, atomically, never overwritten."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from service.interfaces import StoreEntry

__all__ = ["FileExistsInStoreError", "FilesystemStore"]

_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
#: What ``put`` leaves when the process dies between ``mkstemp`` and ``unlink``.
_TEMP_PREFIX = ".tmp-"


class FileExistsInStoreError(FileExistsError):
    """A write would overwrite a stored file; stored files are immutable."""


class FilesystemStore:
    """Files under ``root/<id>/``; a write is temp file + fsync + link, so a crash leaves no half file."""

    def __init__(self, *, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, document_id: str, name: str) -> Path:
        # Both parts come from our own ids, but check anyway: no path ever leaves the root.
        if not _SAFE_ID.match(document_id) or not _SAFE_NAME.match(name) or name.startswith("."):
            raise ValueError(f"unsafe store path: {document_id!r}/{name!r}")
        return self.root / document_id / name

    def put(self, document_id: str, name: str, data: bytes) -> None:
        """Write ``data`` under a new name; :class:`FileExistsInStoreError` if the name is taken."""
        path = self._path(document_id, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp, path)  # fails if the name exists: never overwrite
            except FileExistsError:
                raise FileExistsInStoreError(str(path)) from None
        finally:
            os.unlink(tmp)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def get(self, document_id: str, name: str) -> bytes:
        """The stored bytes; ``FileNotFoundError`` if there are none."""
        return self._path(document_id, name).read_bytes()

    def exists(self, document_id: str, name: str) -> bool:
        """Whether the file is stored."""
        return self._path(document_id, name).is_file()

    def entries(self) -> Iterator[StoreEntry]:
        """Every file under ``root/<id>/``; temp files of unfinished writes come as ``partial``."""
        if not self.root.is_dir():
            return
        with os.scandir(self.root) as folders:
            documents = [
                f.name for f in folders if f.is_dir(follow_symlinks=False) and _SAFE_ID.match(f.name)
            ]
        for document_id in documents:
            with os.scandir(self.root / document_id) as items:
                found = list(items)
            for item in found:
                partial = item.name.startswith(_TEMP_PREFIX)
                if not item.is_file(follow_symlinks=False):
                    continue
                if not partial and (item.name.startswith(".") or not _SAFE_NAME.match(item.name)):
                    continue
                try:
                    stat = item.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # removed meanwhile (a finished write's temp file)
                yield StoreEntry(
                    document_id=document_id,
                    name=item.name,
                    modified=datetime.fromtimestamp(stat.st_mtime, UTC),
                    size=stat.st_size,
                    partial=partial,
                )

    def delete(self, entry: StoreEntry) -> None:
        """Remove a file :meth:`entries` listed (a temp file too); gone already is fine."""
        if entry.partial:
            safe = _SAFE_ID.match(entry.document_id) and _SAFE_NAME.match(entry.name)
            if not safe or not entry.name.startswith(_TEMP_PREFIX):
                raise ValueError(f"unsafe store path: {entry.document_id!r}/{entry.name!r}")
            path = self.root / entry.document_id / entry.name
        else:
            path = self._path(entry.document_id, entry.name)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
