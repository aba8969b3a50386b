"""Re-issuing a link: the old token stops at once, and a lock from wrong passphrases is lifted."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.composition import get_services
from service.db import get_session
from service.errors import LockedError, NotFoundError
from service.models import AuditEvent
from service.workflow import signing_links
from service.workflow.links import token_for
from service.workflow.signing_links import DecisionFormError
from tests.functional.support import document, kode_for_link, ready_document

PASSPHRASE = "frasa-sandi-pegawai"


def _token(app: Flask, document_id: str) -> str:
    with app.app_context():
        token = token_for(document(app, document_id).signers[0], secret=app.config["SECRET_KEY"])
    assert token is not None
    return token


def _decide(app: Flask, token: str, **form: object) -> signing_links.Decided:
    with app.app_context():
        return signing_links.decide_by_link(get_session(), get_services(), token, form, ip=None)


def test_reissue_lifts_the_lock_and_kills_the_old_link(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    enrolled = ready_document(app)
    _decide(
        app,
        _token(app, enrolled),
        keputusan="tandatangani",
        kode_verifikasi=kode_for_link(app, _token(app, enrolled)),
        passphrase=PASSPHRASE,
        passphrase_konfirmasi=PASSPHRASE,
    )
    document_id = ready_document(app, idempotency_key="k-2")
    old = _token(app, document_id)
    for _ in range(5):
        with pytest.raises(DecisionFormError):
            _decide(app, old, keputusan="tandatangani", passphrase="bukan-frasa-ini")
    with pytest.raises(LockedError):
        _decide(app, old, keputusan="tandatangani", passphrase=PASSPHRASE)

    response = client.post(f"/api/v1/documents/{document_id}/signers/1/reissue", headers=auth)
    assert response.status_code == 200, response.text
    new = _token(app, document_id)
    assert new != old
    assert response.json["signers"][0]["sign_url"].endswith(f"/sign/{new}")  # type: ignore[index]
    with pytest.raises(NotFoundError):
        _decide(app, old, keputusan="tandatangani", passphrase=PASSPHRASE)
    signed = _decide(app, new, keputusan="tandatangani", passphrase=PASSPHRASE)
    assert signed.signer.status == "signed"
    with app.app_context():
        event = get_session().query(AuditEvent).filter_by(document_id=document_id, event="reissued").one()
        assert event.actor == "client:test-hr"
        assert json.loads(event.data_json)["failed_attempts_reset"] == 5
