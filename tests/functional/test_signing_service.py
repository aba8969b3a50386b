"""Signatures through the service: order, passphrases, crash safety and concurrency."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import Flask

from service.composition import get_services
from service.db import get_session
from service.errors import ConflictError, LockedError
from service.workflow.revisions import read_revision
from service.workflow.signing_ops import WrongPassphraseServiceError, sign_document
from signing import validate
from signing._x509 import signing_key_usage
from tests.functional.support import child_env, document, kode_for, ready_document
from tests.unit.signing.support import make_nss_db, pdfsig

PASS = {1: "frasa-sandi-pegawai", 2: "frasa-sandi-penilai", 3: "frasa-sandi-atasan"}


def _sign(app: Flask, document_id: str, urutan: int, passphrase: str | None = None) -> None:
    with app.app_context():
        doc = document(app, document_id)
        sign_document(
            get_session(),
            get_services(),
            doc,
            urutan=urutan,
            passphrase=passphrase or PASS[urutan],
            actor="test",
            ip="127.0.0.1",
            kode=kode_for(get_session(), get_services(), doc, urutan),
        )


def _current_pdf(app: Flask, document_id: str) -> bytes:
    with app.app_context():
        doc = document(app, document_id)
        return read_revision(get_session(), get_services().store, doc, doc.current_revision)


def test_three_signatures_in_order_end_b_lta_and_valid_everywhere(
    app: Flask, pki_dir: Path, tmp_path: Path
) -> None:
    document_id = ready_document(app)
    with app.app_context():
        trust = get_services().trust()
        assert document(app, document_id).status == "awaiting_signature"
    for urutan in (1, 2, 3):
        _sign(app, document_id, urutan)
        report = validate(_current_pdf(app, document_id), trust)
        # The seal plus every approval so far, each still intact, valid and trusted.
        assert len(report.signatures) == 1 + urutan
        assert all(s.intact and s.valid and s.trusted for s in report.signatures), report.as_dict()
    with app.app_context():
        doc = document(app, document_id)
        assert doc.status == "completed"
        assert [s.status for s in doc.signers] == ["signed", "signed", "signed"]
        assert doc.current_revision == 4
    final = _current_pdf(app, document_id)
    report = validate(final, trust)
    assert report.ok
    assert report.pades_level == "B-LTA"
    nss = make_nss_db(tmp_path / "nss", pki_dir / "root-ca.cert.pem")
    entries = pdfsig(final, nssdir=nss, workdir=tmp_path)
    signatures = [e for e in entries.values() if e.signature_type != "unknown"]
    assert sorted(e.field_name for e in signatures) == [
        "segel",
        "ttd_atasan_pejabat_penilai",
        "ttd_pegawai",
        "ttd_pejabat_penilai",
    ]
    assert all(e.signature_validation == "Signature is Valid." for e in signatures)
    assert all(e.certificate_validation == "Certificate is Trusted." for e in signatures)
    # The archival document timestamp is listed too, as pdfsig's "unknown" type.
    assert any(e.signature_type == "unknown" for e in entries.values())


def test_out_of_turn_is_refused(app: Flask) -> None:
    document_id = ready_document(app)
    with pytest.raises(ConflictError):
        _sign(app, document_id, 2)
    with app.app_context():
        assert document(app, document_id).current_revision == 1


def test_wrong_passphrase_is_counted_and_locks_after_five(app: Flask) -> None:
    document_id = ready_document(app)
    _sign(app, document_id, 1)  # first use: the key is issued under PASS[1]
    second = ready_document(app, idempotency_key="k-2")
    for attempt in range(1, 6):
        with pytest.raises(WrongPassphraseServiceError):
            _sign(app, second, 1, "bukan-frasa-yang-benar")
        with app.app_context():
            assert document(app, second).signers[0].failed_attempts == attempt
    with pytest.raises(LockedError):
        _sign(app, second, 1)  # even the right passphrase: the link is locked
    with app.app_context():
        assert document(app, second).current_revision == 1


@pytest.mark.slow  # twenty full signing attempts
def test_twenty_concurrent_attempts_make_exactly_one_signature(app: Flask) -> None:
    document_id = ready_document(app)
    _sign(app, document_id, 1)  # issue the pegawai's key first so every attempt does full work
    other = ready_document(app, idempotency_key="k-2")
    outcomes: list[str] = []
    barrier = threading.Barrier(20)

    def attempt() -> None:
        barrier.wait()
        try:
            _sign(app, other, 1)
            outcomes.append("signed")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 19 + ["signed"]
    report = validate(_current_pdf(app, other), get_trust(app))
    approvals = [s for s in report.signatures if not s.certification]
    assert len(approvals) == 1
    with app.app_context():
        doc = document(app, other)
        assert doc.current_revision == 2
        assert [s.status for s in doc.signers][:2] == ["signed", "pending"]


def get_trust(app: Flask) -> Any:
    with app.app_context():
        return get_services().trust()


CHILD = """
import sys, time
from service import create_app
from service.db import get_session
from service.composition import get_services
from service.storage import FilesystemStore
from service.workflow.signing_ops import sign_document
from service.models import Document

point, document_id = sys.argv[1], sys.argv[2]
real_put = FilesystemStore.put

def put(self, document_id, name, data):
    if name.startswith("rev-") and point == "before":
        print("AT-POINT", flush=True); time.sleep(600)
    real_put(self, document_id, name, data)
    if name.startswith("rev-") and point == "after":
        print("AT-POINT", flush=True); time.sleep(600)

FilesystemStore.put = put
app = create_app({"TESTING": True})
with app.app_context():
    doc = get_session().get(Document, document_id)
    sign_document(get_session(), get_services(), doc, urutan=1, passphrase=sys.argv[3],
                  actor="child", ip=None, kode=sys.argv[4])
print("SIGNED", flush=True)
"""


@pytest.mark.parametrize("point", ["before", "after"])
def test_kill_9_around_the_revision_write_leaves_last_good_revision(
    app: Flask, app_config: dict[str, Any], tmp_path: Path, point: str
) -> None:
    document_id = ready_document(app)
    with app.app_context():
        kode = kode_for(get_session(), get_services(), document(app, document_id), 1)
    env = child_env(app_config, tmp_path / "child-instance")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, point, document_id, PASS[1], kode],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline().strip()
    assert line == "AT-POINT", line
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    files = sorted(p.name for p in (Path(app_config["FILES_DIR"]) / document_id).iterdir())
    with app.app_context():
        doc = document(app, document_id)
        # The database still points at the sealed revision 1; nothing refers to a half result.
        assert doc.current_revision == 1
        assert doc.signers[0].status == "pending"
        assert len(doc.revisions) == 2
        referenced = {r.filename for r in doc.revisions}
    orphans = [f for f in files if f.startswith("rev-") and f not in referenced]
    assert len(orphans) == (1 if point == "after" else 0)
    assert not [f for f in files if f.startswith(".tmp-")]
    assert validate(_current_pdf(app, document_id), get_trust(app)).ok
    # And the document can be signed again.
    _sign(app, document_id, 1)
    with app.app_context():
        assert document(app, document_id).current_revision == 2


def _race_sign_and_refuse(app: Flask, document_id: str) -> list[str]:
    from service.workflow import operations

    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def sign() -> None:
        barrier.wait()
        try:
            _sign(app, document_id, 1)
            outcomes.append("signed")
        except ConflictError:
            outcomes.append("conflict")

    def refuse() -> None:
        barrier.wait()
        with app.app_context():
            doc = document(app, document_id)
            try:
                operations.reject_document(
                    get_session(),
                    get_services(),
                    doc,
                    doc.signers[0],
                    alasan="Target salah",
                    actor="test",
                    ip=None,
                )
                outcomes.append("rejected")
            except ConflictError:
                outcomes.append("conflict")

    threads = [threading.Thread(target=sign), threading.Thread(target=refuse)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_signature_and_refusal_racing_leave_exactly_one_outcome(app: Flask) -> None:
    _sign(app, ready_document(app), 1)  # the pegawai's key exists: both sides do full work
    for attempt in range(3):
        document_id = ready_document(app, idempotency_key=f"race-{attempt}")
        outcomes = _race_sign_and_refuse(app, document_id)
        assert sorted(outcomes) in (["conflict", "signed"], ["conflict", "rejected"]), outcomes
        with app.app_context():
            doc = document(app, document_id)
            if "signed" in outcomes:
                assert (doc.status, doc.current_revision, doc.signers[0].status) == (
                    "awaiting_signature",
                    2,
                    "signed",
                )
            else:
                assert (doc.status, doc.current_revision, doc.signers[0].status) == (
                    "rejected",
                    1,
                    "rejected",
                )


def _p12_of(
    nama: str,
    *,
    serial: str | None,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey] | None,
    chain: Sequence[x509.Certificate],
) -> bytes:
    """A ``.p12`` made outside the service: issued by ``issuer`` (``None``: self-signed), with or
    without a serialNumber in its subject.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, nama)]
    if serial:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    subject = x509.Name(attributes)
    issuer_cert, issuer_key = issuer if issuer else (None, key)
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(signing_key_usage(), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(b"frasa-berkas-p12")
    return pkcs12.serialize_key_and_certificates(b"uji", key, cert, list(chain), encryption)


def test_own_p12_is_checked_before_it_is_used(app: Flask) -> None:
    from service.workflow.signing_ops import UploadedKeyError
    from signing import new_signer_p12

    document_id = ready_document(app)
    with app.app_context():
        doc = document(app, document_id)
        pegawai = doc.signers[0]
        pki = get_services().pki()

        def p12(nip: str, **extra: Any) -> bytes:
            return new_signer_p12(
                pki,
                nama=pegawai.nama,
                nip=nip,
                jabatan=pegawai.jabatan,
                instansi="Uji",
                passphrase=b"frasa-berkas-p12",
                kdf_rounds=1000,
                **extra,
            )

        expired = p12(
            pegawai.nip, not_before=datetime.now(UTC) - timedelta(days=30), validity=timedelta(days=1)
        )
        other_nip = p12("199001012015031009")
        good = p12(pegawai.nip)
        no_nip = _p12_of(
            pegawai.nama, serial=None, issuer=(pki.issuing_cert, pki.issuing_key), chain=pki.chain
        )
        self_signed = _p12_of(pegawai.nama, serial=pegawai.nip, issuer=None, chain=())

    def sign_with(data: bytes, passphrase: str = "frasa-berkas-p12") -> None:
        with app.app_context():
            doc = document(app, document_id)
            sign_document(
                get_session(),
                get_services(),
                doc,
                urutan=1,
                passphrase=passphrase,
                actor="test",
                ip=None,
                uploaded_p12=data,
                kode=kode_for(get_session(), get_services(), doc, 1),
            )

    with pytest.raises(UploadedKeyError, match="tidak berlaku"):
        sign_with(expired)
    with pytest.raises(UploadedKeyError, match="atas nomor 199001012015031009, bukan NIP"):
        sign_with(other_nip)
    # A certificate that names no one (no NIP or NIK in its subject) could be anyone's.
    with pytest.raises(UploadedKeyError, match="tanpa NIP atau NIK"):
        sign_with(no_nip)
    # A self-signed certificate chains to nothing this service trusts (it was an uncaught error).
    with pytest.raises(UploadedKeyError, match="tidak diterbitkan CA yang dipercaya"):
        sign_with(self_signed)
    with pytest.raises(WrongPassphraseServiceError):
        sign_with(good, "frasa-yang-salah")
    # Bytes that are no PKCS#12 at all are said to be so, and cost no attempt.
    with pytest.raises(UploadedKeyError, match="bukan arsip PKCS#12"):
        sign_with(b"\x30\x82 not a pkcs12 archive")
    with app.app_context():
        assert document(app, document_id).current_revision == 1
        assert document(app, document_id).signers[0].failed_attempts == 1  # the wrong passphrase only
    sign_with(good)
    with app.app_context():
        from service.models import SignerKey

        doc = document(app, document_id)
        assert doc.current_revision == 2
        row = get_session().query(SignerKey).filter_by(nip=doc.signers[0].nip).one()
        assert row.source == "uploaded"
    report = validate(_current_pdf(app, document_id), get_trust(app))
    assert report.ok
    assert report.signatures[-1].signer_nip == doc.signers[0].nip
