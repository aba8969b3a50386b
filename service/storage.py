"""The file store (:class:`service.interfaces.DocumentStore`): written once, atomically, never overwritten."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

__all__ = ["FileExistsInStoreError", "FilesystemStore"]

_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


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
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
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
