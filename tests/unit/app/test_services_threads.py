"""The parts a gunicorn worker's threads share are built once, however many threads ask at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

from service.services import Services


def _at_once(build: Callable[[], Any], threads: int = 8) -> list[Any]:
    """``build()`` called by ``threads`` threads released together; what each one got."""
    barrier = threading.Barrier(threads)
    got: list[Any] = []

    def run() -> None:
        barrier.wait()
        got.append(build())

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return got


def test_lazy_parts_are_built_once_under_concurrent_first_use(app: Flask) -> None:
    services: Services = app.extensions["skp"]
    for name in ("pki", "seal_signer", "timestamper", "issuer"):
        got = _at_once(getattr(services, name))
        assert len(got) == 8
        assert len({id(part) for part in got}) == 1, name
    assert _at_once(services.trust)[0].roots == (services.pki().root_cert,)
