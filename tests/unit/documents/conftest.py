"""One real LibreOffice pool (2 processes) shared by the document tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.documents.converter import LibreOfficeConverter


@pytest.fixture(scope="session")
def converter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LibreOfficeConverter]:
    pool = LibreOfficeConverter(processes=2, work_dir=tmp_path_factory.mktemp("libreoffice"))
    try:
        yield pool
    finally:
        pool.close()
