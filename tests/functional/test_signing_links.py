"""The link use cases as operations: open (audited), the PDF, sign or refuse, with the form's rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.composition import get_services
from service.db import get_session
from service.errors import LockedError
from service.models import AuditEvent
from service.workflow import signing_links
from service.workflow.links import LinkGoneError, token_for
from service.workflow.signing_links import DecisionFormError
from tests.functional.clock import movable_clock
from tests.functional.support import document, kode_for, ready_document

PASSPHRASE = "frasa-sandi-pegawai"


def _token(app: Flask, document_id: str, urutan: int) -> str:
    with app.app_context():
        signer = document(app, document_id).signers[urutan - 1]
        token = token_for(signer, secret=app.config["SECRET_KEY"])
    assert token is not None
    return token


def _kode(app: Flask, document_id: str, urutan: int) -> str:
    with app.app_context():
        return kode_for(get_session(), get_services(), document(app, document_id), urutan)


def _decide(app: Flask, token: str, **form: object) -> signing_links.Decided:
    with app.app_context():
        return signing_links.decide_by_link(get_session(), get_services(), token, form, ip="127.0.0.1")


def test_open_is_audited_and_says_whether_the_official_enrolls(app: Flask) -> None:
    document_id = ready_document(app)
    token = _token(app, document_id, 1)
    with app.app_context():
        opened = signing_links.open_link(get_session(), get_services(), token, ip="10.0.0.1")
        assert opened.first_use is True
        assert opened.signer.urutan == 1
        assert opened.payload["periode"]["mulai"] == date(2021, 7, 1)  # a date, not the raw text
        events = get_session().query(AuditEvent).filter_by(document_id=document_id, event="link_opened").all()
        assert [(e.actor, e.ip) for e in events] == [(f"nip:{opened.signer.nip}", "10.0.0.1")]
        pdf = signing_links.link_pdf(get_session(), get_services(), token)
        assert pdf.data.startswith(b"%PDF-")


def test_a_form_mistake_changes_nothing_and_says_why(app: Flask) -> None:
    document_id = ready_document(app)
    token = _token(app, document_id, 1)
    with pytest.raises(DecisionFormError) as raised:
        _decide(
            app,
            token,
            keputusan="tandatangani",
            kode_verifikasi=_kode(app, document_id, 1),
            passphrase=PASSPHRASE,
            passphrase_konfirmasi="lain",
        )
    assert raised.value.detail == "Konfirmasi frasa sandi tidak sama."
    assert raised.value.link.first_use is True
    with app.app_context():
        doc = document(app, document_id)
        assert (doc.status, doc.current_revision, doc.signers[0].status) == (
            "awaiting_signature",
            1,
            "pending",
        )


def test_wrong_passphrases_count_down_then_lock(app: Flask) -> None:
    document_id = ready_document(app)
    token = _token(app, document_id, 1)
    _decide(
        app,
        token,
        keputusan="tandatangani",
        kode_verifikasi=_kode(app, document_id, 1),
        passphrase=PASSPHRASE,
        passphrase_konfirmasi=PASSPHRASE,
    )
    # The enrolled key now belongs to this NIP; a second document asks for the same passphrase.
    second = ready_document(app, idempotency_key="k-2")
    token2 = _token(app, second, 1)
    details = []
    for _ in range(5):
        with pytest.raises(DecisionFormError) as raised:
            _decide(app, token2, keputusan="tandatangani", passphrase="bukan-frasa-ini")
        assert raised.value.link.first_use is False
        details.append(raised.value.detail)
    assert details[:4] == [
        f"Frasa sandi salah. Tautan terkunci bila salah {n} kali lagi." for n in (4, 3, 2, 1)
    ]
    assert details[4].startswith("Frasa sandi salah. Tautan kini terkunci")
    with pytest.raises(LockedError):
        _decide(app, token2, keputusan="tandatangani", passphrase=PASSPHRASE)


def test_sign_then_refuse_moves_the_document_and_kills_used_links(app: Flask) -> None:
    document_id = ready_document(app)
    token = _token(app, document_id, 1)
    signed = _decide(
        app,
        token,
        keputusan="tandatangani",
        kode_verifikasi=_kode(app, document_id, 1),
        passphrase=PASSPHRASE,
        passphrase_konfirmasi=PASSPHRASE,
    )
    assert (signed.rejected, signed.signer.status) == (False, "signed")
    with pytest.raises(LinkGoneError):
        _decide(app, token, keputusan="tolak", alasan="terlambat")
    refused = _decide(app, _token(app, document_id, 2), keputusan="tolak", alasan="  Target belum sesuai.  ")
    assert refused.rejected is True
    with app.app_context():
        doc = document(app, document_id)
        assert doc.status == "rejected"
        assert doc.signers[1].reject_reason == "Target belum sesuai."
        assert doc.current_revision == 2


def test_links_expire_by_the_services_clock(app: Flask, client: FlaskClient, auth: dict[str, str]) -> None:
    """Expiry is read from ``Services.clock`` like every other time, not from the machine's."""
    clock = movable_clock(app)
    document_id = ready_document(app, client_name="test-hr")
    token = _token(app, document_id, 1)
    assert client.get(f"/sign/{token}").status_code == 200
    listed = client.get(f"/api/v1/documents/{document_id}", headers=auth).json
    assert listed["signers"][0]["sign_url"] is not None
    clock.advance(timedelta(days=14, seconds=1))
    gone = client.get(f"/sign/{token}")
    assert gone.status_code == 410
    assert "kedaluwarsa" in gone.text
    assert client.get(f"/api/v1/documents/{document_id}", headers=auth).json["signers"][0]["sign_url"] is None


def test_the_signing_page_of_a_unit_document_names_the_unit_and_its_signer(
    app: Flask, client: FlaskClient
) -> None:
    """The pimpinan yang berwenang reads whom the penetapan is about (the unit and how many pegawai)
    and signs as "Pimpinan yang Berwenang".
    """
    document_id = ready_document(app, example="permenpanrb_6_2022_penetapan_predikat")
    page = client.get(f"/sign/{_token(app, document_id, 1)}")
    assert page.status_code == 200
    assert "Penetapan Predikat Kinerja" in page.text
    assert "12 pegawai Dinas Komunikasi dan Informatika Kabupaten Banyumas" in page.text
    assert "Pimpinan yang Berwenang" in page.text
    assert "Dr. Hendra Wijaya, S.T., M.T." in page.text
    # The summary row is the unit, not a pegawai: no "Pegawai" label, no empty NIP under it.
    summary = page.text[page.text.index('id="ringkasan"') : page.text.index("Anda menandatangani")]
    assert "<th>Unit kerja</th><td>12 pegawai Dinas Komunikasi" in summary
    assert "<th>Pegawai</th>" not in summary
    assert "NIP -" not in page.text
