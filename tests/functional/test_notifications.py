"""E-mail through the outbox to a real SMTP server on 127.0.0.1 (aiosmtpd): each signer's turn,
reminders before the link expires, the signed copy for the pegawai, a refusal for the earlier
signers; retries with backoff when the server fails; no token at rest.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from service import create_app
from service.composition import get_services
from service.db import get_session, upgrade_schema
from service.models import AuditEvent, DownloadLink, MailDelivery
from service.workflow import enrollment, operations
from service.workflow.mail import MailDispatcher, deliver_mail, sweep_reminders
from service.workflow.revisions import read_revision
from service.workflow.signing_ops import WrongPassphraseServiceError, has_key, sign_document
from tests.conftest import load_example
from tests.functional.clock import MovableClock, movable_clock
from tests.functional.support import document, ready_document
from tests.outside.smtp_server import Inbox, free_port, smtp_server

PASS = {1: "frasa-sandi-pegawai", 2: "frasa-sandi-penilai", 3: "frasa-sandi-atasan"}
EXAMPLE = load_example("permenpanrb_8_2021_dokumen_penilaian")
EMAIL = {
    1: EXAMPLE["pegawai"]["email"],
    2: EXAMPLE["pejabat_penilai"]["email"],
    3: EXAMPLE["atasan_pejabat_penilai"]["email"],
}
SIGN_LINK = re.compile(r"http://localhost:5000(/sign/[A-Za-z0-9._-]+)")
COPY_LINK = re.compile(r"http://localhost:5000(/salinan/[A-Za-z0-9_-]+)")
#: Every subject the flows below sent, in order (printed with ``-s``: the issue's "Must show").
SUBJECTS: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def _print_subjects() -> Iterator[None]:
    """Prints every subject the flows sent once they are done (seen with ``-s``)."""
    yield
    for subject in SUBJECTS:
        print("SUBJECT", subject)


def _mail_app(app_config: dict[str, Any], port: int) -> Flask:
    app = create_app(
        {
            **app_config,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "SMTP_SECURITY": "none",
            "SMTP_TIMEOUT": 5,
            "MAIL_FROM": "skp@bkd.surabaya.go.id",
        }
    )
    upgrade_schema(app.extensions["skp.engine"])
    return app


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_app(app_config: dict[str, Any], smtp: tuple[Inbox, int]) -> Iterator[Flask]:
    app = _mail_app(app_config, smtp[1])
    yield app
    app.extensions["skp"].close()
    app.extensions["skp.engine"].dispose()


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    return smtp[0]


def _deliver(app: Flask, **kwargs: Any) -> int:
    with app.app_context():
        return deliver_mail(get_session(), get_services(), **kwargs)


def _sweep(app: Flask) -> int:
    with app.app_context():
        return sweep_reminders(get_session(), get_services())


def _kode(app: Flask, inbox: Inbox, document_id: str, urutan: int) -> str:
    """The enrollment code, as the official reads it from the message the SMTP server received."""
    with app.app_context():
        session, services = get_session(), get_services()
        doc = document(app, document_id)
        signer = next(s for s in doc.signers if s.urutan == urutan)
        if has_key(session, doc, signer.nip):
            return ""
        enrollment.send_code(session, services, doc, signer, ip=None, again=False)
        session.commit()
    codes = [m for m in inbox.to(EMAIL[urutan]) if m.subject.startswith("Kode verifikasi")]
    assert codes, [m.subject for m in inbox.messages]
    found = re.search(r"^\s+(\d{8})$", codes[-1].body, re.MULTILINE)
    assert found, codes[-1].body
    return found.group(1)


def _sign(app: Flask, inbox: Inbox, document_id: str, urutan: int) -> None:
    kode = _kode(app, inbox, document_id, urutan)
    with app.app_context():
        sign_document(
            get_session(),
            get_services(),
            document(app, document_id),
            urutan=urutan,
            passphrase=PASS[urutan],
            actor="test",
            ip="127.0.0.1",
            kode=kode,
        )


def _only(inbox: Inbox, to: str, subject_start: str) -> str:
    """The body of the one message to ``to`` whose subject starts so (its subject recorded)."""
    found = [m for m in inbox.to(to) if m.subject.startswith(subject_start)]
    assert len(found) == 1, [m.subject for m in inbox.to(to)]
    SUBJECTS.append(f"{to}: {found[0].subject}")
    return found[0].body


def _rows(app: Flask) -> list[MailDelivery]:
    with app.app_context():
        return list(get_session().scalars(select(MailDelivery).order_by(MailDelivery.id)))


def test_a_three_signer_document_mails_each_turn_and_the_pegawai_gets_the_signed_copy(
    mail_app: Flask, inbox: Inbox
) -> None:
    client = mail_app.test_client()
    document_id = ready_document(mail_app)
    tokens: list[str] = []
    for urutan in (1, 2, 3):
        assert _deliver(mail_app) == 1
        body = _only(inbox, EMAIL[urutan], "Menunggu tanda tangan Anda")
        # What the official needs to decide: the document, who asked, until when; in Indonesian.
        assert "Dokumen Penilaian" in body or "Penilaian" in body
        assert EXAMPLE["pegawai"]["nama"] in body
        assert "1 Juli 2021 s.d. 31 Desember 2021" in body
        assert "test-hr" in body
        assert EXAMPLE["instansi"] in body
        assert re.search(r"Batas waktu: \d{1,2} [A-Z][a-z]+ \d{4} pukul \d\d\.\d\d WIB", body), body
        found = SIGN_LINK.search(body)
        assert found, body
        page = client.get(found.group(1))
        assert page.status_code == 200, page.text
        assert EXAMPLE["pegawai"]["nama"] in page.text
        tokens.append(found.group(1).rsplit("/", 1)[1])
        _sign(mail_app, inbox, document_id, urutan)
    # The last signature completes the document: the pegawai is told, with a download link.
    assert _deliver(mail_app) == 1
    body = _only(inbox, EMAIL[1], "Dokumen selesai ditandatangani")
    found = COPY_LINK.search(body)
    assert found, body
    with mail_app.app_context():
        doc = document(mail_app, document_id)
        assert doc.status == "completed"
        final = read_revision(get_session(), get_services().store, doc, doc.current_revision)
    for _ in range(2):  # a link, not a single-use one: it works until it expires
        response = client.get(found.group(1))
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.data == final
        assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/salinan/" + "A" * 43).status_code == 404
    copy_token = found.group(1).rsplit("/", 1)[1]
    with mail_app.app_context():
        session = get_session()
        link = session.scalar(select(DownloadLink))
        assert link is not None
        assert link.token_hash == hashlib.sha256(copy_token.encode()).hexdigest()
        assert link.uses == 2
        events = session.scalars(select(AuditEvent.event).where(AuditEvent.document_id == document_id)).all()
        assert events.count("copy_downloaded") == 2
        assert events.count("mail_sent") == 4
    # Tokens are not at rest: no outbox row carries a signing link or the download link.
    at_rest = " ".join(f"{r.kind} {r.to} {r.once_key} {r.last_error}" for r in _rows(mail_app))
    for token in [*tokens, copy_token]:
        assert token not in at_rest
        assert token.split(".")[-1] not in at_rest
    assert {r.kind for r in _rows(mail_app)} == {"turn", "completed"}
    assert all(r.sent_at is not None and r.attempts == 1 for r in _rows(mail_app))


def test_a_refusal_tells_the_earlier_signers_who_refused_and_why(mail_app: Flask, inbox: Inbox) -> None:
    document_id = ready_document(mail_app, idempotency_key="k-tolak")
    for urutan in (1, 2):
        _sign(mail_app, inbox, document_id, urutan)
    alasan = "Capaian indikator kinerja belum sesuai bukti dukung."
    with mail_app.app_context():
        doc = document(mail_app, document_id)
        operations.reject_document(
            get_session(), get_services(), doc, doc.signers[2], alasan=alasan, actor="test", ip=None
        )
    _deliver(mail_app)
    refuser = EXAMPLE["atasan_pejabat_penilai"]["nama"]
    for urutan in (1, 2):
        body = _only(inbox, EMAIL[urutan], "Dokumen ditolak oleh Atasan Pejabat Penilai")
        assert refuser in body
        assert alasan in body
    assert not [m for m in inbox.to(EMAIL[3]) if m.subject.startswith("Dokumen ditolak")]


def test_a_failing_smtp_server_is_retried_with_backoff_until_it_takes_the_message(
    app_config: dict[str, Any],
) -> None:
    port = free_port()  # nothing listens yet: connection refused
    app = _mail_app(app_config, port)
    try:
        clock = movable_clock(app)
        ready_document(app)
        assert _deliver(app, first_retry=60) == 0
        (row,) = _rows(app)
        assert (row.attempts, row.sent_at) == (1, None)
        assert row.last_error is not None
        assert "ConnectionRefused" in row.last_error
        assert _wait(row, clock) == timedelta(seconds=60)
        assert _deliver(app, first_retry=60) == 0  # not due yet: not even tried
        assert _rows(app)[0].attempts == 1
        with smtp_server(port=port) as (inbox, _):
            inbox.fail_next += ["451 4.3.0 Antrean penuh, coba lagi nanti", "554 5.3.0 Ditolak sementara"]
            for attempts, error, wait in ((2, "451", 120), (3, "554", 240)):
                clock.advance(_wait(_rows(app)[0], clock))
                assert _deliver(app, first_retry=60) == 0
                (row,) = _rows(app)
                assert row.attempts == attempts
                assert row.last_error is not None
                assert error in row.last_error
                assert _wait(row, clock) == timedelta(seconds=wait)
            clock.advance(timedelta(seconds=240))
            assert _deliver(app, first_retry=60) == 1
        (row,) = _rows(app)
        assert (row.attempts, row.last_error) == (4, None)
        assert row.sent_at is not None
        (received,) = inbox.messages
        assert received.subject.startswith("Menunggu tanda tangan Anda")
        SUBJECTS.append(f"{received.rcpt_tos[0]}: {received.subject} (after 3 failures)")
    finally:
        app.extensions["skp"].close()
        app.extensions["skp.engine"].dispose()


def _wait(row: MailDelivery, clock: MovableClock) -> timedelta:
    from service.models import as_utc

    return as_utc(row.next_attempt_at) - clock.now()


def test_reminders_go_once_per_day_before_expiry_and_never_for_a_locked_link(
    mail_app: Flask, inbox: Inbox
) -> None:
    clock = movable_clock(mail_app)
    waiting = ready_document(mail_app, idempotency_key="k-tunggu")
    locked = ready_document(
        mail_app,
        idempotency_key="k-kunci",
        changes={"pegawai": {**EXAMPLE["pegawai"], "email": "pegawai.lain@surabaya.go.id"}},
    )
    assert _deliver(mail_app) == 2  # the two turn messages
    with mail_app.app_context():  # five wrong codes lock the second document's link
        for _ in range(5):
            with pytest.raises(WrongPassphraseServiceError):
                sign_document(
                    get_session(),
                    get_services(),
                    document(mail_app, locked),
                    urutan=1,
                    passphrase="apa saja",
                    actor="test",
                    ip="127.0.0.1",
                    kode="00000000",
                )
    assert _sweep(mail_app) == 0
    clock.advance(timedelta(days=11) - timedelta(minutes=1))
    assert _sweep(mail_app) == 0  # three days before expiry is a minute away
    clock.advance(timedelta(minutes=2))
    assert _sweep(mail_app) == 1
    assert _sweep(mail_app) == 0  # once
    assert _deliver(mail_app) == 1
    body = _only(inbox, EMAIL[1], "Pengingat:")
    assert "(3 hari lagi)" in next(m.subject for m in inbox.to(EMAIL[1]) if m.subject.startswith("Pengingat"))
    assert SIGN_LINK.search(body)
    clock.advance(timedelta(days=2))  # one day before expiry
    assert _sweep(mail_app) == 1
    assert _sweep(mail_app) == 0
    assert _deliver(mail_app) == 1
    reminders = [m.subject for m in inbox.to(EMAIL[1]) if m.subject.startswith("Pengingat")]
    assert len(reminders) == 2
    assert "(1 hari lagi)" in reminders[1]
    SUBJECTS.append(f"{EMAIL[1]}: {reminders[1]}")
    clock.advance(timedelta(days=1))  # expired
    assert _sweep(mail_app) == 0
    assert _deliver(mail_app) == 0
    assert not [m for m in inbox.to("pegawai.lain@surabaya.go.id") if m.subject.startswith("Pengingat")]
    with mail_app.app_context():
        assert document(mail_app, waiting).status == "awaiting_signature"


def test_a_reissued_link_drops_the_older_message_and_mails_the_new_link_once(
    mail_app: Flask, inbox: Inbox
) -> None:
    document_id = ready_document(mail_app)
    with mail_app.app_context():
        doc = document(mail_app, document_id)
        operations.reissue_link(get_session(), get_services(), doc, 1, actor="test", ip=None)
    assert _deliver(mail_app) == 1
    body = _only(inbox, EMAIL[1], "Menunggu tanda tangan Anda")
    found = SIGN_LINK.search(body)
    assert found
    assert mail_app.test_client().get(found.group(1)).status_code == 200
    dropped, sent = _rows(mail_app)
    assert dropped.dropped_at is not None
    assert dropped.last_error == "tautan sudah diganti dengan tautan baru"
    assert sent.sent_at is not None


def test_no_email_in_the_payload_queues_nothing(mail_app: Flask, inbox: Inbox) -> None:
    people = {p: {k: v for k, v in EXAMPLE[p].items() if k != "email"} for p in EMAIL_ROLES}
    ready_document(mail_app, changes=people)
    assert _rows(mail_app) == []
    assert _deliver(mail_app) == 0
    assert inbox.messages == []


EMAIL_ROLES = ("pegawai", "pejabat_penilai", "atasan_pejabat_penilai")


def test_the_copy_link_expires_and_says_so(mail_app: Flask, inbox: Inbox) -> None:
    clock = movable_clock(mail_app)
    document_id = ready_document(mail_app)
    for urutan in (1, 2, 3):
        _sign(mail_app, inbox, document_id, urutan)
    _deliver(mail_app)
    found = COPY_LINK.search(_only(inbox, EMAIL[1], "Dokumen selesai ditandatangani"))
    assert found
    clock.advance(timedelta(days=30, minutes=1))
    response = mail_app.test_client().get(found.group(1))
    assert response.status_code == 410
    assert "kedaluwarsa" in response.text


def test_the_dispatcher_thread_and_the_cli_deliver(mail_app: Flask, inbox: Inbox) -> None:
    ready_document(mail_app)
    result = mail_app.test_cli_runner().invoke(args=["skp", "mail", "deliver"])
    assert result.exit_code == 0, result.output
    assert "1 e-mail(s) sent" in result.output
    ready_document(mail_app, idempotency_key="k-2")
    dispatcher = MailDispatcher(services=mail_app.extensions["skp"], interval=0.05).start()
    try:
        for _ in range(200):
            if len(inbox.messages) == 2:
                break
            import time

            time.sleep(0.05)
    finally:
        dispatcher.stop()
    assert [m.subject.startswith("Menunggu") for m in inbox.messages] == [True, True]


def test_a_code_the_mail_server_will_not_take_is_a_503_page_and_no_live_code(
    app_config: dict[str, Any],
) -> None:
    """The enrollment code goes out at once (never at rest); a server that is down must not turn
    the signing page into a 500, nor leave a code behind that blocks the next one.
    """
    from service.models import EnrollmentCode
    from service.workflow.links import token_for

    port = free_port()
    app = _mail_app(app_config, port)
    try:
        document_id = ready_document(app)
        with app.app_context():
            signer = document(app, document_id).signers[0]
            path = "/sign/" + str(token_for(signer, secret=app.config["SECRET_KEY"]))
        client = app.test_client()
        response = client.get(path)
        assert response.status_code == 503
        assert "server e-mail sedang bermasalah" in response.text
        with app.app_context():
            assert get_session().scalars(select(EnrollmentCode)).all() == []
        with smtp_server(port=port) as (inbox, _):
            assert client.get(path).status_code == 200
        assert [m.subject for m in inbox.messages if m.subject.startswith("Kode verifikasi")]
    finally:
        app.extensions["skp"].close()
        app.extensions["skp.engine"].dispose()


def test_a_plt_gets_the_turn_message_at_their_own_address(mail_app: Flask, inbox: Inbox) -> None:
    document_id = ready_document(mail_app)
    assert _deliver(mail_app) == 1  # the pegawai's turn
    _sign(mail_app, inbox, document_id, 1)
    delegate = {
        "jenis": "plt",
        "nama": "Rina Wulandari, S.Kom.",
        "nip": "198503122010012004",
        "jabatan": "Plt. Kepala Bidang Aplikasi Informatika",
        "email": "rina.wulandari@surabaya.go.id",
    }
    with mail_app.app_context():
        doc = document(mail_app, document_id)
        operations.delegate_signer(
            get_session(), get_services(), doc, 2, delegate=delegate, actor="test", ip=None
        )
    assert _deliver(mail_app) == 1
    body = _only(inbox, "rina.wulandari@surabaya.go.id", "Menunggu tanda tangan Anda")
    found = SIGN_LINK.search(body)
    assert found
    assert mail_app.test_client().get(found.group(1)).status_code == 200
    # The original official's message, queued before the delegation, was not sent.
    assert not [m for m in inbox.to(EMAIL[2]) if m.subject.startswith("Menunggu")]
    assert [r.last_error for r in _rows(mail_app) if r.dropped_at is not None] == [
        "tautan sudah diganti dengan tautan baru"
    ]


def test_the_deadline_is_in_the_instance_zone(app_config: dict[str, Any], smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    app = _mail_app({**app_config, "TIMEZONE": "Asia/Jayapura"}, port)
    try:
        clock = movable_clock(app)
        clock.moment = clock.moment.replace(hour=20, minute=15, second=0, microsecond=0)  # 05.15 WIT
        ready_document(app)
        assert _deliver(app) == 1
        body = _only(inbox, EMAIL[1], "Menunggu tanda tangan Anda")
        expires = clock.moment + timedelta(days=14, hours=9)
        assert f"Batas waktu: {expires.day} " in body
        assert "pukul 05.15 WIT." in body
    finally:
        app.extensions["skp"].close()
        app.extensions["skp.engine"].dispose()
