"""The file store writes once, atomically, and refuses paths that leave its root."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.storage import FileExistsInStoreError, FilesystemStore


def test_put_get_and_never_overwrite(tmp_path: Path) -> None:
    store = FilesystemStore(root=tmp_path)
    store.put("doc_1", "rev-0000.pdf", b"%PDF-first")
    assert store.get("doc_1", "rev-0000.pdf") == b"%PDF-first"
    with pytest.raises(FileExistsInStoreError):
        store.put("doc_1", "rev-0000.pdf", b"%PDF-second")
    assert store.get("doc_1", "rev-0000.pdf") == b"%PDF-first"
    assert [p.name for p in (tmp_path / "doc_1").iterdir()] == ["rev-0000.pdf"]


@pytest.mark.parametrize(
    ("document_id", "name"),
    [("../etc", "passwd"), ("doc_1", "../../x"), ("doc_1", ".hidden"), ("doc/1", "a.pdf"), ("", "a")],
)
def test_unsafe_paths_are_refused(tmp_path: Path, document_id: str, name: str) -> None:
    store = FilesystemStore(root=tmp_path)
    with pytest.raises(ValueError, match="unsafe"):
        store.put(document_id, name, b"x")
