"""The officials' inbox ``/kotak-masuk``: a session from a signing link or a mailed login link, the
list of what waits for this official, and batch signing with one passphrase.
"""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.composition import get_services
from service.db import get_session
from service.models import AuditEvent, OfficialLoginLink, OfficialSession, SigningBatch
from service.workflow import inbox, operations
from service.workflow.links import token_for
from service.workflow.revisions import read_revision
from service.workflow.signing_ops import sign_document
from signing import validate
from tests.conftest import load_example
from tests.functional.clock import movable_clock
from tests.functional.support import document, kode_for, ready_document

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
EVALUASI = "permenpanrb_8_2021_evaluasi"  # the pejabat penilai alone signs it
PENILAI = load_example(EVALUASI)["pejabat_penilai"]
PASSPHRASE = "frasa-sandi-penilai-panjang"


def _csrf(client: FlaskClient, path: str = "/kotak-masuk/masuk") -> str:
    page = client.get(path)
    found = CSRF.search(page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[:500]
    return found.group(1)


def _evaluasi(app: Flask, key: str, *, pegawai: str | None = None, **changes: Any) -> str:
    """An evaluasi waiting for the pejabat penilai at once; ``pegawai``: another pegawai's name."""
    body = load_example(EVALUASI)
    extra: dict[str, Any] = dict(changes)
    if pegawai is not None:
        extra["pegawai"] = {**body["pegawai"], "nama": pegawai, "nip": f"199001012015011{int(key[-3:]):03d}"}
    return ready_document(app, example=EVALUASI, idempotency_key=key, changes=extra)


def _token(app: Flask, document_id: str, urutan: int = 1) -> str:
    with app.app_context():
        found = token_for(document(app, document_id).signers[urutan - 1], secret=app.config["SECRET_KEY"])
    assert found is not None
    return found


def _enroll(app: Flask, document_id: str) -> None:
    """The pejabat penilai signs one document through the one path, enrolling their key."""
    with app.app_context():
        doc = document(app, document_id)
        sign_document(
            get_session(),
            get_services(),
            doc,
            urutan=1,
            passphrase=PASSPHRASE,
            actor="test",
            ip="127.0.0.1",
            kode=kode_for(get_session(), get_services(), doc, 1),
        )


def _from_link(client: FlaskClient, token: str) -> Any:
    return client.post(
        f"/kotak-masuk/dari-tautan/{token}", data={"csrf_token": _csrf(client, f"/sign/{token}")}
    )


def _listed(client: FlaskClient) -> list[str]:
    page = client.get("/kotak-masuk/")
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    return re.findall(r'data-dokumen="([^"]+)"', page.get_data(as_text=True))


def _events(app: Flask, event: str) -> list[AuditEvent]:
    with app.app_context():
        return list(get_session().scalars(select(AuditEvent).where(AuditEvent.event == event)))


def _login_links(mail_dir: Path, to: str) -> list[str]:
    found = []
    for path in sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        if message["To"] == to and body is not None:
            found += re.findall(r"/kotak-masuk/masuk/([A-Za-z0-9_-]{43})", body.get_content())
    return found


def test_a_signing_link_opens_a_server_side_session_that_expires(app: Flask, client: FlaskClient) -> None:
    clock = movable_clock(app)
    document_id = _evaluasi(app, "k-001")
    token = _token(app, document_id)
    assert client.get("/kotak-masuk/").headers["Location"].endswith("/kotak-masuk/masuk")
    page = client.get(f"/sign/{token}").get_data(as_text=True)
    assert "Lihat semua dokumen yang menunggu Anda" in page
    opened = _from_link(client, token)
    assert opened.status_code == 303
    cookie = client.get_cookie(inbox.COOKIE, path="/kotak-masuk")
    assert cookie is not None
    assert cookie.http_only
    assert _listed(client) == [document_id]
    with app.app_context():
        rows = get_session().scalars(select(OfficialSession)).all()
        # Only the hash is kept, and it is the official's NIP within the document's instansi.
        assert [(r.nip, r.via, r.instansi_key) for r in rows] == [
            (PENILAI["nip"], "link", document(app, document_id).instansi_key)
        ]
        assert cookie.value not in rows[0].token_hash
    assert [e.document_id for e in _events(app, "inbox_session_opened")] == [document_id]
    # A link that does not exist opens nothing (404 page, no session).
    forged = client.post(
        f"/kotak-masuk/dari-tautan/{token[:-3]}abc", data={"csrf_token": _csrf(client, f"/sign/{token}")}
    )
    assert forged.status_code == 404
    # Idle past the archive's idle timeout: signed out.
    clock.advance(app.extensions["skp"].settings.archive_session_idle + timedelta(seconds=1))
    assert client.get("/kotak-masuk/").status_code == 302


def test_login_link_by_email_is_single_use_expires_and_answers_everyone_alike(
    app: Flask, client: FlaskClient
) -> None:
    clock = movable_clock(app)
    document_id = _evaluasi(app, "k-001")
    # The pejabat penilai of this one has no turn yet (the pegawai signs first): no link for that.
    other_nip = "197001011995031001"
    dokumen = load_example("permenpanrb_8_2021_dokumen_penilaian")
    ready_document(
        app,
        idempotency_key="k-002",
        changes={
            "pejabat_penilai": {**dokumen["pejabat_penilai"], "nip": other_nip, "email": "belum@contoh.go.id"}
        },
    )
    mail_dir = Path(app.config["MAIL_DIR"])
    csrf = _csrf(client)
    answers = []
    for nip, address in (
        (PENILAI["nip"], PENILAI["email"].upper()),  # the right pair (e-mail case does not matter)
        ("199999999999999999", PENILAI["email"]),  # unknown NIP
        (PENILAI["nip"], "orang.lain@contoh.go.id"),  # not their e-mail
        (other_nip, "belum@contoh.go.id"),  # a signer whose turn has not come
    ):
        answer = client.post("/kotak-masuk/masuk", data={"csrf_token": csrf, "nip": nip, "email": address})
        answers.append((answer.status_code, answer.get_data(as_text=True)))
    assert len(set(answers)) == 1
    assert answers[0][0] == 200
    links = _login_links(mail_dir, PENILAI["email"])
    assert len(links) == 1
    assert _login_links(mail_dir, "belum@contoh.go.id") == []
    assert _login_links(mail_dir, "orang.lain@contoh.go.id") == []
    with app.app_context():
        stored = get_session().scalars(select(OfficialLoginLink)).all()
        assert len(stored) == 1
        assert links[0] not in stored[0].token_hash
    # Opening the link (as a mail scanner would) does not use it up; the button does, once.
    assert client.get(f"/kotak-masuk/masuk/{links[0]}").status_code == 200
    assert client.get(f"/kotak-masuk/masuk/{links[0]}").status_code == 200
    used = client.post(f"/kotak-masuk/masuk/{links[0]}", data={"csrf_token": csrf})
    assert used.status_code == 303
    assert _listed(client) == [document_id]
    again = client.post(f"/kotak-masuk/masuk/{links[0]}", data={"csrf_token": csrf})
    assert again.status_code == 410
    assert client.get(f"/kotak-masuk/masuk/{links[0]}").status_code == 410
    # A second link expires after 30 minutes, unused.
    asked = {"csrf_token": csrf, "nip": PENILAI["nip"], "email": PENILAI["email"]}
    assert client.post("/kotak-masuk/masuk", data=asked).status_code == 200
    second = _login_links(mail_dir, PENILAI["email"])[-1]
    assert second != links[0]
    clock.advance(timedelta(minutes=30, seconds=1))
    assert client.post(f"/kotak-masuk/masuk/{second}", data={"csrf_token": csrf}).status_code == 410
    assert client.post("/kotak-masuk/masuk/bukan-token", data={"csrf_token": csrf}).status_code == 410
    assert len(_events(app, "inbox_login_link_sent")) == 2


def test_the_inbox_lists_only_what_waits_for_this_official_in_this_instansi(
    app: Flask, client: FlaskClient
) -> None:
    mine = _evaluasi(app, "k-001", pegawai="Andi Pratama, S.T.")
    # Another HR client of the same instansi: listed too.
    from_other_client = ready_document(app, example=EVALUASI, client_name="hr-dua", idempotency_key="k-002")
    # Another instansi, same NIP: not listed.
    _evaluasi(app, "k-003", instansi="Pemerintah Kabupaten Lain")
    # Another official's evaluasi: not listed.
    _evaluasi(app, "k-004", pejabat_penilai={**PENILAI, "nip": "196801011990031002", "nama": "Orang Lain"})
    # Their turn has not come (they sign a dokumen penilaian as atasan, after two others): not listed.
    later = ready_document(app, idempotency_key="k-005")
    with app.app_context():
        assert document(app, later).signers[2].nip == PENILAI["nip"]
    assert _from_link(client, _token(app, mine)).status_code == 303
    assert sorted(_listed(client)) == sorted([mine, from_other_client])
    page = client.get("/kotak-masuk/").get_data(as_text=True)
    assert "Andi Pratama, S.T." in page
    assert "1 Juli 2021 s.d. 31 Desember 2021" in page
    assert "Baik" in page  # the predikat of the stored scoring result
    assert "WIB" in page  # the deadline in the agency's zone


def _start(client: FlaskClient, ids: list[str], passphrase: str) -> Any:
    return client.post(
        "/kotak-masuk/tandatangani",
        data={"csrf_token": _csrf(client, "/kotak-masuk/"), "dokumen": ids, "passphrase": passphrase},
    )


def test_a_batch_signs_each_document_and_one_cancelled_meanwhile_fails_alone(
    app: Flask, client: FlaskClient
) -> None:
    first = _evaluasi(app, "k-001")
    _enroll(app, first)
    ids = [_evaluasi(app, f"k-{n:03d}", pegawai=f"Pegawai {n}") for n in (2, 3, 4)]
    assert _from_link(client, _token(app, ids[0])).status_code == 303
    assert sorted(_listed(client)) == sorted(ids)
    with app.app_context():
        operations.cancel_document(
            get_session(), get_services(), document(app, ids[1]), actor="client:test", ip=None
        )
    started = _start(client, ids, PASSPHRASE)
    assert started.status_code == 303
    batch_id = started.headers["Location"].rsplit("/", 1)[-1]
    assert inbox.wait_for_batch(batch_id, 120)
    page = client.get(f"/kotak-masuk/batch/{batch_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page  # done: the page stops refreshing
    outcomes = {d: st for st, d in re.findall(r'<tr class="hasil (\w+)" data-dokumen="([^"]+)"', page)}
    assert outcomes == {ids[0]: "signed", ids[1]: "failed", ids[2]: "signed"}
    assert "dibatalkan" in page
    with app.app_context():
        batch = get_session().get(SigningBatch, batch_id)
        assert batch is not None
        assert (batch.status, batch.total, batch.signed, batch.failed) == ("done", 3, 2, 1)
        for document_id, status in ((ids[0], "completed"), (ids[1], "cancelled"), (ids[2], "completed")):
            doc = document(app, document_id)
            assert doc.status == status
        signed = document(app, ids[2])
        pdf = read_revision(get_session(), get_services().store, signed, signed.current_revision)
        results = validate(pdf, trust=get_services().trust())
        assert [s.intact and s.valid for s in results.signatures] == [True, True]
    signed_events = [e.document_id for e in _events(app, "signed")]
    assert sorted(signed_events) == sorted([first, ids[0], ids[2]])
    assert [e.actor for e in _events(app, "batch_finished")] == [f"nip:{PENILAI['nip']}"]
    assert len(_events(app, "batch_started")) == 1
    # Someone else's session does not see this batch.
    other = app.test_client()
    assert other.get(f"/kotak-masuk/batch/{batch_id}").status_code == 302


def test_a_wrong_passphrase_signs_nothing_and_counts_once(app: Flask, client: FlaskClient) -> None:
    first = _evaluasi(app, "k-001")
    _enroll(app, first)
    ids = [_evaluasi(app, f"k-{n:03d}", pegawai=f"Pegawai {n}") for n in (2, 3, 4)]
    assert _from_link(client, _token(app, ids[0])).status_code == 303
    answer = _start(client, ids, "bukan-frasa-sandinya")
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert "Frasa sandi salah" in text
    assert "Tidak ada dokumen yang ditandatangani" in text
    with app.app_context():
        assert get_session().scalars(select(SigningBatch)).all() == []
        attempts = [document(app, d).signers[0].failed_attempts for d in ids]
        statuses = {document(app, d).status for d in ids}
    assert attempts == [1, 0, 0]  # counted against the first chosen document
    assert statuses == {"awaiting_signature"}
    assert len(_events(app, "sign_failed")) == 1
    # Nothing chosen is said as such, not a 500.
    assert _start(client, [], PASSPHRASE).status_code == 422


def _provider_batch(
    app: Flask, people: dict[str, Any], form: dict[str, str]
) -> tuple[list[str], tuple[tuple[str, int, int], list[str | None]]]:
    """Two evaluasi whose pejabat penilai signs through a provider, signed in one batch."""
    body = load_example(EVALUASI)
    pejabat = {**body["pejabat_penilai"], **people}
    ids = [_evaluasi(app, f"k-{n:03d}", pegawai=f"Pegawai {n}", pejabat_penilai=pejabat) for n in (1, 2)]
    client = app.test_client()
    assert _from_link(client, _token(app, ids[0])).status_code == 303
    assert sorted(_listed(client)) == sorted(ids)
    started = client.post(
        "/kotak-masuk/tandatangani",
        data={"csrf_token": _csrf(client, "/kotak-masuk/"), "dokumen": ids, **form},
    )
    assert started.status_code == 303, started.get_data(as_text=True)[:2000]
    batch_id = started.headers["Location"].rsplit("/", 1)[-1]
    assert inbox.wait_for_batch(batch_id, 120)
    with app.app_context():
        batch = get_session().get(SigningBatch, batch_id)
        assert batch is not None
        details = [item.detail for item in batch.items]
        return ids, ((batch.status, batch.signed, batch.failed), details)


def test_a_csc_batch_uses_the_typed_pin_for_each_document(provider_app: Flask, outside: Any) -> None:
    from tests.outside.pki import PEOPLE

    person = PEOPLE["pejabat_penilai"]
    identity = {"nama": person.nama, "nip": person.nip}
    ids, batch = _provider_batch(
        provider_app,
        {**identity, "sertifikat": {"penyedia": "csc", "credential_id": "tsp/pejabat_penilai"}},
        {"pin": outside.csc_pin("tsp/pejabat_penilai")},
    )
    assert batch[0] == ("done", 2, 0)
    with provider_app.app_context():
        assert {document(provider_app, d).status for d in ids} == {"completed"}


def test_a_wrong_csc_pin_stops_the_batch_after_one_try(provider_app: Flask, outside: Any) -> None:
    from tests.outside.pki import PEOPLE

    person = PEOPLE["pejabat_penilai"]
    ids, batch = _provider_batch(
        provider_app,
        {
            "nama": person.nama,
            "nip": person.nip,
            "sertifikat": {"penyedia": "csc", "credential_id": "tsp/pejabat_penilai"},
        },
        {"pin": "000000"},
    )
    assert batch[0] == ("done", 0, 2)
    with provider_app.app_context():
        attempts = [document(provider_app, d).signers[0].failed_attempts for d in ids]
    assert attempts == [1, 0]  # the second was not tried: it would count against another link
    assert "Tidak dicoba" in (batch[1][1] or "")


def test_a_bsre_batch_uses_the_typed_passphrase_for_each_document(provider_app: Flask, bsre: Any) -> None:
    from tests.outside.pki import PEOPLE

    person = PEOPLE["atasan_pejabat_penilai"]  # the evaluasi's pejabat penilai: the same official
    ids, batch = _provider_batch(
        provider_app,
        {"sertifikat": {"penyedia": "bsre", "nik": person.nik}},
        {"passphrase": "rahasia-atasan_pejabat_penilai"},
    )
    assert batch[0] == ("done", 2, 0)
    with provider_app.app_context():
        assert {document(provider_app, d).status for d in ids} == {"completed"}


def test_one_bsre_totp_covers_every_document_of_the_batch(provider_app: Flask, bsre: Any) -> None:
    from tests.outside.pki import PEOPLE

    person = PEOPLE["atasan_pejabat_penilai"]
    body = load_example(EVALUASI)
    pejabat = {**body["pejabat_penilai"], "sertifikat": {"penyedia": "bsre", "nik": person.nik}}
    ids = [
        _evaluasi(provider_app, f"k-{n:03d}", pegawai=f"Pegawai {n}", pejabat_penilai=pejabat)
        for n in (1, 2, 3)
    ]
    client = provider_app.test_client()
    assert _from_link(client, _token(provider_app, ids[0])).status_code == 303
    csrf = _csrf(client, "/kotak-masuk/")
    asked = client.post("/kotak-masuk/tandatangani", data={"csrf_token": csrf, "keputusan": "kirim_totp"})
    assert asked.status_code == 200
    assert "TOTP untuk 3 dokumen" in asked.get_data(as_text=True)
    started = client.post(
        "/kotak-masuk/tandatangani",
        data={"csrf_token": csrf, "semua": "1", "totp": bsre.last_totp(person.nik)},
    )
    assert started.status_code == 303, started.get_data(as_text=True)[:2000]
    batch_id = started.headers["Location"].rsplit("/", 1)[-1]
    assert inbox.wait_for_batch(batch_id, 120)
    with provider_app.app_context():
        batch = get_session().get(SigningBatch, batch_id)
        assert batch is not None
        assert (batch.status, batch.signed, batch.failed) == ("done", 3, 0)


def test_a_batch_whose_process_died_stops_refreshing(app: Flask, client: FlaskClient) -> None:
    clock = movable_clock(app)
    first = _evaluasi(app, "k-001")
    _enroll(app, first)
    ids = [_evaluasi(app, f"k-{n:03d}", pegawai=f"Pegawai {n}") for n in (2, 3)]
    assert _from_link(client, _token(app, ids[0])).status_code == 303
    with app.app_context():
        session = get_session()
        cookie = client.get_cookie(inbox.COOKIE, path="/kotak-masuk")
        assert cookie is not None
        official = inbox.current_official(session, get_services(), cookie.value)
        assert official is not None
        now = get_services().clock.now()
        # As a worker killed before its thread began would leave it: running, nothing done.
        batch = SigningBatch(
            id="bat_mati",
            instansi_key=official.instansi_key,
            nip=official.nip,
            status="running",
            total=0,
            signed=0,
            failed=0,
            created_at=now,
            updated_at=now,
        )
        session.add(batch)
        session.commit()
    assert 'http-equiv="refresh"' in client.get("/kotak-masuk/batch/bat_mati").get_data(as_text=True)
    clock.advance(inbox.STALE_AFTER)
    page = client.get("/kotak-masuk/batch/bat_mati").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page
    assert "Proses terhenti" in page
    assert sorted(_listed(client)) == sorted(ids)  # still waiting, signable again


def test_a_locked_link_fails_alone_and_does_not_refuse_the_batch(app: Flask, client: FlaskClient) -> None:
    first = _evaluasi(app, "k-001")
    _enroll(app, first)
    ids = [_evaluasi(app, f"k-{n:03d}", pegawai=f"Pegawai {n}") for n in (2, 3)]
    with app.app_context():
        document(app, ids[0]).signers[0].failed_attempts = 5
        get_session().commit()
    assert _from_link(client, _token(app, ids[1])).status_code == 303
    assert "terkunci" in client.get("/kotak-masuk/").get_data(as_text=True)
    started = _start(client, ids, PASSPHRASE)
    assert started.status_code == 303
    batch_id = started.headers["Location"].rsplit("/", 1)[-1]
    assert inbox.wait_for_batch(batch_id, 120)
    page = client.get(f"/kotak-masuk/batch/{batch_id}").get_data(as_text=True)
    outcomes = {d: st for st, d in re.findall(r'<tr class="hasil (\w+)" data-dokumen="([^"]+)"', page)}
    assert outcomes == {ids[0]: "failed", ids[1]: "signed"}
    assert "Tautan terkunci" in page


def test_a_key_opened_for_a_batch_signs_nothing_after_a_reenrollment(app: Flask) -> None:
    from service.errors import ConflictError
    from service.workflow import enrollment, signing_ops
    from tests.functional.support import mailed_code

    first = _evaluasi(app, "k-001")
    _enroll(app, first)
    ids = [_evaluasi(app, f"k-{n:03d}", pegawai=f"Pegawai {n}") for n in (2, 3)]
    with app.app_context():
        session, services = get_session(), get_services()
        opened = signing_ops.open_key(
            session, services, document(app, ids[0]), urutan=1, passphrase=PASSPHRASE, actor="t", ip=None
        )
        # Meanwhile the official enrolls a new key through another document's link.
        doc = document(app, ids[0])
        enrollment.send_code(session, services, doc, doc.signers[0], ip=None, again=True)
        session.commit()
        sign_document(
            session,
            services,
            document(app, ids[0]),
            urutan=1,
            passphrase="frasa-sandi-yang-baru-sekali",
            actor="t",
            ip=None,
            kode=mailed_code(services.settings.mail_dir, PENILAI["email"]),
            reenroll=True,
        )
        with pytest.raises(ConflictError, match="telah diganti"):
            sign_document(
                session,
                services,
                document(app, ids[1]),
                urutan=1,
                passphrase="",
                actor="t",
                ip=None,
                opened=opened,
            )
        assert document(app, ids[1]).status == "awaiting_signature"
