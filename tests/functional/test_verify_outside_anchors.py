"""``TRUST_ANCHORS_DIR``: ``/api/v1/verify`` trusts a signature of an outside CA when its root is in the
folder, and not when it is not; a broken folder stops the start."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.clients import SCOPES, create_client
from service.composition import get_services
from service.config import ConfigError
from service.db import get_session, upgrade_schema
from service.workflow.revisions import read_revision
from signing import HttpTsa, Pkcs12Signer, StampInfo, approve
from signing.trust import load_trust_anchors
from tests.functional.support import document, ready_document
from tests.outside.pki import PEOPLE
from tests.outside.servers import OutsideServers

PASSPHRASE = b"frasa-sandi-p12-luar"


@pytest.fixture
def anchored_app(app_config: dict[str, Any], outside: OutsideServers) -> Iterator[Flask]:
    """The same instance (database, PKI) with the outside anchors folder configured."""
    app = create_app({**app_config, "TRUST_ANCHORS_DIR": str(outside.pki.anchors_dir)})
    upgrade_schema(app.extensions["skp.engine"])
    yield app
    app.extensions["skp"].close()
    app.extensions["skp.engine"].dispose()


def _auth(app: Flask) -> dict[str, str]:
    with app.app_context():
        key = create_client(get_session(), f"verifier-{id(app)}", SCOPES).api_key
    return {"Authorization": f"Bearer {key}"}


def _verify(client: FlaskClient, auth: dict[str, str], pdf: bytes) -> dict[str, Any]:
    response = client.post(
        "/api/v1/verify",
        headers=auth,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(pdf), "skp.pdf")},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def _signed_by_tsp(app: Flask, outside: OutsideServers) -> bytes:
    """A sealed document of this instance, approved by the pegawai with a ``tsp`` certificate."""
    document_id = ready_document(app)
    person = PEOPLE["pegawai"]
    with app.app_context():
        doc = document(app, document_id)
        sealed = read_revision(get_session(), get_services().store, doc, 1)
        trust = get_services().trust().with_anchors(load_trust_anchors(outside.pki.anchors_dir))
        field = doc.signers[0].field_name
    signer = Pkcs12Signer.load(outside.pki.p12("tsp", "pegawai", PASSPHRASE), PASSPHRASE)
    return approve(
        sealed,
        field_name=field,
        signer=signer,
        timestamper=HttpTsa(outside.tsa_url("tsp")),
        trust=trust,
        stamp=StampInfo(
            nama=person.nama,
            nip=person.nip,
            peran_label="Pegawai yang Dinilai",
            waktu=datetime.now(timezone(timedelta(hours=7))),
            verify_url="http://localhost:5000/v/UJI",
        ),
    )


def test_verify_trusts_an_outside_anchor_only_when_configured(
    app: Flask, client: FlaskClient, auth: dict[str, str], anchored_app: Flask, outside: OutsideServers
) -> None:
    pdf = _signed_by_tsp(app, outside)

    without = _verify(client, auth, pdf)
    seal, approval = without["signatures"]
    assert seal["trusted"] is True
    assert (approval["intact"], approval["valid"], approval["trusted"]) == (True, True, False)
    assert without["ok"] is False

    body = _verify(anchored_app.test_client(), _auth(anchored_app), pdf)
    seal, approval = body["signatures"]
    assert (seal["trusted"], seal["pades_level"]) == (True, "B-LT")
    assert (approval["intact"], approval["valid"], approval["trusted"]) == (True, True, True)
    assert approval["nip"] == PEOPLE["pegawai"].nip
    # Trusted offline from the OCSP response of the tsp CA in the DSS, with the tsp TSA's timestamp.
    assert approval["pades_level"] == "B-LT"
    assert approval["timestamp_valid"] is True
    assert body["ok"] is True


def test_services_trust_holds_the_anchors(anchored_app: Flask, outside: OutsideServers) -> None:
    with anchored_app.app_context():
        services = get_services()
        roots = services.trust().roots
        assert roots[0] == services.pki().root_cert
    assert set(roots[1:]) == {outside.pki.root("bsre"), outside.pki.root("tsp")}


def test_a_broken_anchors_folder_stops_the_start(app_config: dict[str, Any], tmp_path: Path) -> None:
    folder = tmp_path / "anchors"
    folder.mkdir()
    (folder / "bsre.pem").write_text("-----BEGIN CERTIFICATE-----\nrusak\n-----END CERTIFICATE-----\n")
    with pytest.raises(ConfigError) as caught:
        create_app({**app_config, "TRUST_ANCHORS_DIR": str(folder)})
    [problem] = caught.value.problems
    assert problem.startswith("TRUST_ANCHORS_DIR")
    assert "bsre.pem" in problem
    with pytest.raises(ConfigError):
        create_app({**app_config, "TRUST_ANCHORS_DIR": str(tmp_path / "tidak-ada")})
