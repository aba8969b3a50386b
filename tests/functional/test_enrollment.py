"""Enrollment bound to identity: the first key of an official within an instansi needs a one-time
code from the official's e-mail (or, without one, handed to the HR client that created the
document); a key is the official's within an instansi; re-enrollment revokes the old certificate.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from cryptography import x509
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.clients import SCOPES, create_client
from service.composition import get_services
from service.db import get_session
from service.errors import ConflictError
from service.models import AuditEvent, EnrollmentCode, SignerKey
from service.workflow import signing_links
from service.workflow.links import token_for
from service.workflow.signing_links import DecisionFormError
from service.workflow.signing_ops import sign_document
from signing.pki import read_revocations
from tests.conftest import load_example
from tests.functional.support import document, kode_for, mailed_code, ready_document

EXAMPLE = "permenpanrb_8_2021_dokumen_penilaian"
BODY = load_example(EXAMPLE)
INSTANSI = BODY["instansi"]
PEGAWAI_EMAIL = BODY["pegawai"]["email"]
PASS = "frasa-sandi-pegawai"


def _token(app: Flask, document_id: str, urutan: int = 1) -> str:
    with app.app_context():
        token = token_for(document(app, document_id).signers[urutan - 1], secret=app.config["SECRET_KEY"])
    assert token is not None
    return token


def _open(app: Flask, token: str, *, reenroll: bool = False) -> signing_links.OpenLink:
    with app.app_context():
        return signing_links.open_link(get_session(), get_services(), token, ip="10.0.0.9", reenroll=reenroll)


def _decide(app: Flask, token: str, **form: object) -> signing_links.Decided:
    with app.app_context():
        return signing_links.decide_by_link(get_session(), get_services(), token, form, ip="10.0.0.9")


def _enroll_form(kode: str, passphrase: str = PASS, **extra: str) -> dict[str, Any]:
    return {
        "keputusan": "tandatangani",
        "kode_verifikasi": kode,
        "passphrase": passphrase,
        "passphrase_konfirmasi": passphrase,
        **extra,
    }


def _keys(app: Flask, nip: str) -> list[SignerKey]:
    with app.app_context():
        rows = get_session().scalars(select(SignerKey).where(SignerKey.nip == nip).order_by(SignerKey.id))
        return list(rows)


def _events(app: Flask, document_id: str, event: str) -> list[AuditEvent]:
    with app.app_context():
        return list(
            get_session().scalars(
                select(AuditEvent).where(AuditEvent.document_id == document_id, AuditEvent.event == event)
            )
        )


def test_holding_the_link_is_not_enough_to_choose_the_officials_passphrase(app: Flask) -> None:
    document_id = ready_document(app, example=EXAMPLE)
    token = _token(app, document_id)
    opened = _open(app, token)
    assert opened.first_use is True
    assert opened.channel is not None
    assert (opened.channel.kind, opened.channel.address) == ("email", PEGAWAI_EMAIL)
    code = mailed_code(app.extensions["skp"].settings.mail_dir, PEGAWAI_EMAIL)
    # Opening again sends no second code while the first one is live.
    _open(app, token)
    assert len(list(app.extensions["skp"].settings.mail_dir.glob("*.eml"))) == 1
    wrong = "0" * 8 if code != "0" * 8 else "1" * 8
    with pytest.raises(DecisionFormError) as raised:
        _decide(app, token, **_enroll_form(wrong))
    assert "Kode verifikasi salah" in raised.value.detail
    assert "4 kali lagi" in raised.value.detail
    assert _keys(app, opened.signer.nip) == []  # nothing enrolled on a wrong code
    signed = _decide(app, token, **_enroll_form(code))
    assert signed.signer.status == "signed"
    [key] = _keys(app, opened.signer.nip)
    assert (key.enrolled_via, key.enrolled_email, key.revoked_at) == ("email", PEGAWAI_EMAIL, None)
    enrolled = _events(app, document_id, "key_enrolled")
    assert [e.actor for e in enrolled] == [f"nip:{opened.signer.nip}"]
    assert _events(app, document_id, "enrollment_code_sent")[0].data_json.count("@surabaya.go.id") == 1
    # The code is single use: it is spent.
    with app.app_context():
        row = get_session().scalars(select(EnrollmentCode)).one()
        assert row.used_at is not None


def test_a_key_is_the_officials_within_an_instansi_not_the_first_clients(app: Flask) -> None:
    with app.app_context():
        create_client(get_session(), "hr-a", SCOPES, instansi=[INSTANSI])
        create_client(get_session(), "hr-a2", SCOPES, instansi=[INSTANSI])
        create_client(get_session(), "hr-b", SCOPES, instansi=["Pemerintah Kabupaten Lain"])
    first = ready_document(app, example=EXAMPLE, client_name="hr-a")
    _open(app, _token(app, first))
    _decide(app, _token(app, first), **_enroll_form(_mailed(app)))
    # Another client of the same instansi: the official's key is already there, no enrollment.
    same = ready_document(app, example=EXAMPLE, client_name="hr-a2", idempotency_key="k-2")
    assert _open(app, _token(app, same)).first_use is False
    # A document of another instansi for the same NIP: that instansi enrolls on its own; the
    # passphrase chosen elsewhere does not open anything there.
    other = ready_document(
        app,
        example=EXAMPLE,
        client_name="hr-b",
        idempotency_key="k-3",
        changes={"instansi": "Pemerintah Kabupaten Lain"},
    )
    opened = _open(app, _token(app, other))
    assert opened.first_use is True
    with pytest.raises(DecisionFormError, match="Kode verifikasi wajib diisi"):
        _decide(app, _token(app, other), keputusan="tandatangani", passphrase=PASS)
    keys = _keys(app, opened.signer.nip)
    assert len(keys) == 1


def _mailed(app: Flask, to: str = PEGAWAI_EMAIL) -> str:
    return mailed_code(app.extensions["skp"].settings.mail_dir, to)


def test_without_email_the_creating_client_is_handed_the_code_and_vouches(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        owner = create_client(get_session(), "hr-pemilik", SCOPES, instansi=[INSTANSI])
        reader = create_client(
            get_session(), "hr-arsip", ["archive:read", "documents:write"], instansi=[INSTANSI]
        )
    body_pegawai = {k: v for k, v in BODY["pegawai"].items() if k != "email"}
    document_id = ready_document(
        app, example=EXAMPLE, client_name="hr-pemilik", changes={"pegawai": body_pegawai}
    )
    token = _token(app, document_id)
    opened = _open(app, token)
    assert opened.channel is not None
    assert opened.channel.kind == "client"
    assert not list(app.extensions["skp"].settings.mail_dir.glob("*.eml"))
    path = f"/api/v1/documents/{document_id}/signers/1/kode"
    # Only the client that created the document is handed a code.
    refused = client.post(path, headers={"Authorization": f"Bearer {reader.api_key}"})
    assert refused.status_code == 403
    first = client.post(path, headers={"Authorization": f"Bearer {owner.api_key}"})
    assert first.status_code == 200, first.text
    assert first.headers["Cache-Control"] == "no-store"
    assert first.json["kode_verifikasi"].isdigit()
    assert len(first.json["kode_verifikasi"]) == 8
    # Asking again makes a new code; the first one is dead.
    second = client.post(path, headers={"Authorization": f"Bearer {owner.api_key}"}).json["kode_verifikasi"]
    with pytest.raises(DecisionFormError, match="Kode verifikasi salah"):
        _decide(app, token, **_enroll_form(first.json["kode_verifikasi"]))
    _decide(app, token, **_enroll_form(second))
    [key] = _keys(app, opened.signer.nip)
    assert (key.enrolled_via, key.vouched_by_client_id) == ("client", owner.client.id)
    issued = _events(app, document_id, "enrollment_code_issued")
    assert [e.actor for e in issued] == ["client:hr-pemilik", "client:hr-pemilik"]
    # The pejabat penilai has an e-mail: their codes go there, never to the client.
    to_email = client.post(
        f"/api/v1/documents/{document_id}/signers/2/kode",
        headers={"Authorization": f"Bearer {owner.api_key}"},
    )
    assert to_email.status_code == 409
    assert "e-mail" in to_email.json["detail"]
    # And a signer whose turn it is not gets no code.
    assert (
        client.post(
            f"/api/v1/documents/{document_id}/signers/3/kode",
            headers={"Authorization": f"Bearer {owner.api_key}"},
        ).status_code
        == 409
    )


def test_reenrollment_needs_a_code_and_revokes_the_old_certificate(app: Flask) -> None:
    first = ready_document(app, example=EXAMPLE)
    _open(app, _token(app, first))
    _decide(app, _token(app, first), **_enroll_form(_mailed(app)))
    [old] = _keys(app, BODY["pegawai"]["nip"])
    old_serial = x509.load_pem_x509_certificate(old.certificate_pem.encode()).serial_number
    # The official forgot the passphrase: on the next document they ask for a new key.
    second = ready_document(app, example=EXAMPLE, idempotency_key="k-2")
    token = _token(app, second)
    opened = _open(app, token, reenroll=True)
    assert (opened.first_use, opened.reenroll) == (True, True)
    new_pass = "frasa-sandi-baru-sekali"
    with pytest.raises(DecisionFormError, match="Kode verifikasi wajib diisi"):
        _decide(app, token, keputusan="tandatangani", passphrase=new_pass, daftar_ulang="1")
    _decide(app, token, **_enroll_form(_mailed(app), new_pass, daftar_ulang="1"))
    old_row, new_row = _keys(app, BODY["pegawai"]["nip"])
    assert old_row.revoked_at is not None
    assert new_row.revoked_at is None
    with app.app_context():
        revoked = {r.serial_number for r in read_revocations(get_services().pki())}
    assert old_serial in revoked
    assert [e.event for e in _events(app, second, "certificate_revoked")] == ["certificate_revoked"]
    assert f'"replaces_serial_number": "{old_serial:x}"' in _events(app, second, "key_enrolled")[0].data_json
    # From now on the new passphrase opens the key and the old one does not.
    third = ready_document(app, example=EXAMPLE, idempotency_key="k-3")
    with pytest.raises(DecisionFormError, match="Frasa sandi salah"):
        _decide(app, _token(app, third), keputusan="tandatangani", passphrase=PASS)
    assert _decide(app, _token(app, third), keputusan="tandatangani", passphrase=new_pass).signer.status == (
        "signed"
    )


def test_two_first_uses_racing_enroll_one_key_and_answer_no_500(app: Flask) -> None:
    """Two documents of one official, enrolled at the same moment (each with its own code): one key
    results; the other request signs with it or is told to reload, never an IntegrityError.
    """
    documents = [ready_document(app, example=EXAMPLE, idempotency_key=f"k-{i}") for i in (1, 2)]
    codes = []
    with app.app_context():
        for document_id in documents:
            codes.append(kode_for(get_session(), get_services(), document(app, document_id), 1))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def enroll(document_id: str, code: str) -> None:
        with app.app_context():
            doc = document(app, document_id)
            barrier.wait()
            try:
                sign_document(
                    get_session(),
                    get_services(),
                    doc,
                    urutan=1,
                    passphrase=PASS,
                    actor="t",
                    ip=None,
                    kode=code,
                )
                outcomes.append("signed")
            except ConflictError:
                outcomes.append("conflict")

    threads = [threading.Thread(target=enroll, args=pair) for pair in zip(documents, codes, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2  # no thread died of an unexpected error
    assert "signed" in outcomes
    active = [k for k in _keys(app, BODY["pegawai"]["nip"]) if k.revoked_at is None]
    assert len(active) == 1
