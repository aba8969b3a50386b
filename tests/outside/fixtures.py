"""The ``outside`` fixture: outside PKIs and their live services, once per test process (xdist worker)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.outside.bsre_server import BsreContractServer
from tests.outside.servers import OutsideServers

#: The Basic Auth client the agency was given by BSrE (the contract server checks it).
BSRE_CLIENT = ("skp-uji", "rahasia-klien-bsre-uji")


@pytest.fixture(scope="session")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OutsideServers]:
    """Bsre/tsp/asing PKIs, the Animator (OCSP, CRLs, TSAs) and the CSC dummy on 127.0.0.1."""
    with OutsideServers(tmp_path_factory.mktemp("outside")) as servers:
        yield servers


@pytest.fixture(scope="session")
def bsre_server(outside: OutsideServers) -> BsreContractServer:
    """The BSrE contract server on the outside loop, once per process."""
    server = BsreContractServer(outside.pki, client_id=BSRE_CLIENT[0], client_secret=BSRE_CLIENT[1])
    server.serve_on(outside)
    return server


@pytest.fixture
def bsre(bsre_server: BsreContractServer) -> Iterator[BsreContractServer]:
    """The BSrE contract server with its defaults back (users, no faults, no recorded requests)."""
    bsre_server.reset()
    yield bsre_server
    bsre_server.reset()


@pytest.fixture
def provider_config(
    app_config: dict[str, Any], outside: OutsideServers, bsre: BsreContractServer
) -> dict[str, Any]:
    """The test app's configuration with the outside roots trusted, BSrE and the CSC service set."""
    assert bsre.url is not None
    return {
        **app_config,
        "TRUST_ANCHORS_DIR": str(outside.pki.anchors_dir),
        "BSRE_URL": bsre.url,
        "BSRE_CLIENT_ID": BSRE_CLIENT[0],
        "BSRE_CLIENT_SECRET": BSRE_CLIENT[1],
        "BSRE_TIMEOUT": 3.0,
        "CSC_URL": outside.csc_url,
    }


@pytest.fixture
def provider_app(provider_config: dict[str, Any]) -> Iterator[Flask]:
    """An app whose officials may sign through the instance CA, their own .p12, CSC or BSrE."""
    from service import create_app
    from service.db import upgrade_schema

    app = create_app(provider_config)
    upgrade_schema(app.extensions["skp.engine"])
    yield app
    app.extensions["skp"].close()
    app.extensions["skp.engine"].dispose()
