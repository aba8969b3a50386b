"""Officials sign through different certificate providers: the instance CA, a CSC service, BSrE.

The outside parts are real implementations on 127.0.0.1 (``tests/outside``): Certomancer's PKIs and
Animator (OCSP, CRLs, TSAs), the CSC dummy server, and a BSrE contract server; the service reaches
them only through their URLs, as configured.
"""

from __future__ import annotations

import socket
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from flask import Flask
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore
from sqlalchemy import select

from service.composition import get_services
from service.db import get_session
from service.errors import ProviderFailedError, ProviderUnavailableServiceError, UnprocessableError
from service.models import AuditEvent
from service.workflow.revisions import read_revision
from service.workflow.signing_ops import ProviderRefusedError, WrongPassphraseServiceError, sign_document
from signing import validate
from tests.functional.support import PROVIDERS, document, kode_for, ready_with_providers
from tests.outside.bsre_server import BsreContractServer
from tests.outside.pki import PEOPLE
from tests.outside.servers import OutsideServers
from tests.unit.signing.support import make_nss_db, pdfsig

PENILAI = PEOPLE["pejabat_penilai"]
ATASAN = PEOPLE["atasan_pejabat_penilai"]


def _ready(app: Flask, people: dict[str, Any] | None = None, key: str = "k-1") -> str:
    return ready_with_providers(app, people or PROVIDERS, key=key)


def _at_bsre_turn(app: Flask) -> str:
    """A document of :data:`PROVIDERS` whose pegawai (instansi) and penilai (CSC) have signed."""
    document_id = _ready(app)
    _sign(app, document_id, 1, passphrase="frasa-sandi-pegawai")
    _sign(app, document_id, 2, pin="123456")
    return document_id


def _sign(app: Flask, document_id: str, urutan: int, *, passphrase: str = "", **secret: str) -> None:
    """Sign as official ``urutan`` with what their provider asks (an instance key enrolls first)."""
    with app.app_context():
        doc = document(app, document_id)
        instance_key = doc.signers[urutan - 1].penyedia == "instansi"
        sign_document(
            get_session(),
            get_services(),
            doc,
            urutan=urutan,
            passphrase=passphrase,
            actor="test",
            ip="127.0.0.1",
            kode=kode_for(get_session(), get_services(), doc, urutan) if instance_key else "",
            **secret,
        )


def _current(app: Flask, document_id: str) -> bytes:
    with app.app_context():
        doc = document(app, document_id)
        return read_revision(get_session(), get_services().store, doc, doc.current_revision)


def _revision(app: Flask, document_id: str) -> int:
    with app.app_context():
        return document(app, document_id).current_revision


def _events(app: Flask, document_id: str) -> list[AuditEvent]:
    with app.app_context():
        return list(
            get_session().scalars(
                select(AuditEvent).where(AuditEvent.document_id == document_id).order_by(AuditEvent.id)
            )
        )


def _ocsp_issuers(pdf: bytes, outside: OutsideServers) -> set[str]:
    """Which outside CAs the OCSP responses in the file's DSS speak for (by issuer name hash)."""
    dss = DocumentSecurityStore.read_dss(PdfFileReader(BytesIO(pdf)))
    cas = {
        arch: asn1_x509.Certificate.load(outside.pki.cert(arch, "ca").public_bytes(Encoding.DER))
        for arch in ("bsre", "tsp")
    }
    found = set()
    for ref in dss.ocsps:
        response = asn1_ocsp.OCSPResponse.load(ref.get_object().data)
        for single in response["response_bytes"]["response"].parsed["tbs_response_data"]["responses"]:
            name_hash = single["cert_id"]["issuer_name_hash"].native
            found |= {arch for arch, ca in cas.items() if ca.subject.sha1 == name_hash}
    return found


@pytest.mark.slow
def test_three_officials_three_providers_end_b_lta_trusted_by_pyhanko_and_pdfsig(
    provider_app: Flask, outside: OutsideServers, bsre: BsreContractServer, pki_dir: Path, tmp_path: Path
) -> None:
    document_id = _ready(provider_app)
    with provider_app.app_context():
        doc = document(provider_app, document_id)
        assert [(s.peran, s.penyedia) for s in doc.signers] == [
            ("pegawai", "instansi"),
            ("pejabat_penilai", "csc"),
            ("atasan_pejabat_penilai", "bsre"),
        ]
        trust = get_services().trust()
    _sign(provider_app, document_id, 1, passphrase="frasa-sandi-pegawai")
    _sign(provider_app, document_id, 2, pin=outside.csc_pin("tsp/pejabat_penilai"))
    _sign(provider_app, document_id, 3, passphrase="rahasia-atasan_pejabat_penilai")
    with provider_app.app_context():
        assert document(provider_app, document_id).status == "completed"
    final = _current(provider_app, document_id)
    report = validate(final, trust)
    assert report.ok, report.as_dict()
    assert report.pades_level == "B-LTA"
    by_field = {s.field_name: s for s in report.signatures}
    # BSrE makes its own field; the one the form reserved for the atasan stays empty under its stamp.
    assert by_field["ttd_pegawai"].signer_nip == PEOPLE["pegawai"].nip
    assert by_field["ttd_pejabat_penilai"].signer_nip == PENILAI.nip
    bsre_signature = next(s for s in report.signatures if s.signer_nip == ATASAN.nik)
    assert bsre_signature.timestamp is not None
    assert "BSrE" in (bsre_signature.timestamp.tsa or "")
    assert all(s.intact and s.valid and s.trusted for s in report.signatures)
    # The revocation data of both outside CAs is in the file, as OCSP responses.
    assert _ocsp_issuers(final, outside) == {"bsre", "tsp"}
    # The public page tells the three apart by who issued each certificate.
    with provider_app.app_context():
        code = document(provider_app, document_id).verification_code
    page = provider_app.test_client().get(f"/v/{code}").get_data(as_text=True)
    for issuer in ("Pemerintah Provinsi Uji Issuing CA", "TSP Uji CA", "BSrE Uji CA Kelas 2"):
        assert f"sertifikat dari {issuer}" in page
    # BSrE was sent exactly the revision the pejabat penilai's signature made, with the stamp where
    # the form's signature block is, and nothing secret is on record.
    sign_calls = [r for r in bsre.requests if r.path == "/api/v2/sign/pdf"]
    assert len(sign_calls) == 1
    props = sign_calls[0].body["signatureProperties"][0]
    assert (props["page"], props["originX"], props["originY"]) == (2, 400, 90)
    assert sign_calls[0].body["passphrase"] == "***"
    events = _events(provider_app, document_id)
    assert "rahasia-atasan" not in " ".join(e.data_json or "" for e in events)
    # poppler: every signature valid, every certificate trusted once the outside roots are known.
    nss = make_nss_db(
        tmp_path / "nss",
        pki_dir / "root-ca.cert.pem",
        *sorted(outside.pki.anchors_dir.iterdir()),
    )
    entries = pdfsig(final, nssdir=nss, workdir=tmp_path)
    signatures = [e for e in entries.values() if e.signature_type not in {"unknown", ""}]
    assert len(signatures) == 4, entries
    assert all(e.signature_validation == "Signature is Valid." for e in signatures), entries
    assert all(e.certificate_validation == "Certificate is Trusted." for e in signatures), entries


def test_wrong_csc_pin_and_wrong_bsre_passphrase_count_toward_the_lock(
    provider_app: Flask, bsre: BsreContractServer
) -> None:
    document_id = _ready(provider_app)
    _sign(provider_app, document_id, 1, passphrase="frasa-sandi-pegawai")
    with pytest.raises(WrongPassphraseServiceError) as wrong_pin:
        _sign(provider_app, document_id, 2, pin="000000")
    assert wrong_pin.value.attempts_left == 4
    assert "PIN" in wrong_pin.value.detail
    with provider_app.app_context():
        doc = document(provider_app, document_id)
        assert doc.signers[1].failed_attempts == 1
        assert doc.current_revision == 2
    _sign(provider_app, document_id, 2, pin="123456")
    with pytest.raises(WrongPassphraseServiceError) as wrong_passphrase:
        _sign(provider_app, document_id, 3, passphrase="bukan-passphrase-bsre")
    assert "BSrE" in wrong_passphrase.value.detail
    with provider_app.app_context():
        assert document(provider_app, document_id).signers[2].failed_attempts == 1
    assert _revision(provider_app, document_id) == 3


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("NOT_REGISTERED", "belum terdaftar di BSrE"),
        ("NO_CERTIFICATE", "belum memiliki sertifikat"),
        ("EXPIRED", "kedaluwarsa"),
        ("SUSPEND", "ditangguhkan"),
    ],
)
def test_bsre_status_other_than_issue_is_refused_before_any_sign_call(
    provider_app: Flask, bsre: BsreContractServer, status: str, said: str
) -> None:
    document_id = _at_bsre_turn(provider_app)
    bsre.assign_certificate(ATASAN.nik, "atasan_pejabat_penilai", status=status)
    with pytest.raises(ProviderRefusedError) as refused:
        _sign(provider_app, document_id, 3, passphrase="rahasia-atasan_pejabat_penilai")
    assert said in refused.value.detail
    assert not [r for r in bsre.requests if r.path == "/api/v2/sign/pdf"]
    with provider_app.app_context():
        assert document(provider_app, document_id).signers[2].failed_attempts == 0
    assert _revision(provider_app, document_id) == 3


def test_a_csc_service_that_cannot_be_reached_commits_nothing(provider_config: dict[str, Any]) -> None:
    from service import create_app
    from service.db import upgrade_schema

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}/csc/v1"
    app = create_app({**provider_config, "CSC_URL": dead})
    upgrade_schema(app.extensions["skp.engine"])
    try:
        document_id = _ready(app)
        _sign(app, document_id, 1, passphrase="frasa-sandi-pegawai")
        with pytest.raises(ProviderUnavailableServiceError) as down:
            _sign(app, document_id, 2, pin="123456")
        assert "CSC" in down.value.detail
        assert _revision(app, document_id) == 2
        with app.app_context():
            assert document(app, document_id).signers[1].failed_attempts == 0
    finally:
        app.extensions["skp"].close()
        app.extensions["skp.engine"].dispose()


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        # A byte flipped in what was sent: not an incremental update of it any more.
        ("tamper", "not_incremental"),
        ("non_incremental", "not_incremental"),
        ("wrong_signer", "wrong_signer"),
        ("extra_signature", "signature_count"),
    ],
)
def test_a_bsre_result_that_fails_a_check_is_refused_audited_and_nothing_committed(
    provider_app: Flask, bsre: BsreContractServer, fault: str, reason: str
) -> None:
    document_id = _at_bsre_turn(provider_app)
    before = _current(provider_app, document_id)
    setattr(bsre, fault, True)
    with pytest.raises(ProviderFailedError) as refused:
        _sign(provider_app, document_id, 3, passphrase="rahasia-atasan_pejabat_penilai")
    assert refused.value.extra["reason"] == reason
    assert _current(provider_app, document_id) == before
    with provider_app.app_context():
        doc = document(provider_app, document_id)
        assert doc.status == "awaiting_signature"
        assert doc.signers[2].status == "pending"
        assert doc.signers[2].failed_attempts == 0
    failed = [e for e in _events(provider_app, document_id) if e.event == "provider_sign_failed"]
    assert len(failed) == 1
    assert reason in (failed[0].data_json or "")
    # The official tries again once BSrE behaves: the same link signs.
    bsre.reset()
    _sign(provider_app, document_id, 3, passphrase="rahasia-atasan_pejabat_penilai")
    with provider_app.app_context():
        assert document(provider_app, document_id).status == "completed"


def test_bsre_slow_or_failing_commits_nothing_and_the_link_stays_usable(
    provider_app: Flask, bsre: BsreContractServer
) -> None:
    document_id = _at_bsre_turn(provider_app)
    before = _current(provider_app, document_id)
    bsre.delay_seconds = 5.0  # past BSRE_TIMEOUT (3 s)
    with pytest.raises(ProviderUnavailableServiceError) as slow:
        _sign(provider_app, document_id, 3, passphrase="rahasia-atasan_pejabat_penilai")
    assert "BSrE" in slow.value.detail
    bsre.reset()
    bsre.fail_with_500 = True
    with pytest.raises(ProviderUnavailableServiceError):
        _sign(provider_app, document_id, 3, passphrase="rahasia-atasan_pejabat_penilai")
    assert _current(provider_app, document_id) == before
    # One sign call each: nothing was retried behind the official's back.
    assert len([r for r in bsre.requests if r.path == "/api/v2/sign/pdf"]) == 1
    failed = [e for e in _events(provider_app, document_id) if e.event == "provider_sign_failed"]
    assert len(failed) == 2
    bsre.reset()
    _sign(provider_app, document_id, 3, passphrase="rahasia-atasan_pejabat_penilai")
    with provider_app.app_context():
        assert document(provider_app, document_id).status == "completed"


def test_a_revoked_bsre_certificate_is_refused_though_bsre_says_issue(
    provider_app: Flask, bsre: BsreContractServer
) -> None:
    document_id = _at_bsre_turn(provider_app)
    bsre.assign_certificate(ATASAN.nik, "revoked")
    with pytest.raises(ProviderFailedError) as refused:
        _sign(provider_app, document_id, 3, passphrase="rahasia-atasan_pejabat_penilai")
    assert refused.value.extra["reason"] in {"revoked", "wrong_signer"}
    assert _revision(provider_app, document_id) == 3


def _create(app: Flask, body: dict[str, Any], key: str = "k-api") -> Any:
    from service.clients import SCOPES, create_client

    with app.app_context():
        api_key = create_client(get_session(), f"hr-{key}", SCOPES).api_key
    return app.test_client().post(
        "/api/v1/documents", json=body, headers={"Authorization": f"Bearer {api_key}", "Idempotency-Key": key}
    )


def _example_with(**people: dict[str, Any]) -> dict[str, Any]:
    from tests.conftest import load_example

    body = load_example("permenpanrb_8_2021_dokumen_penilaian")
    for peran, extra in people.items():
        body[peran] = {**body[peran], **extra}
    return body


def test_a_payload_names_providers_the_instance_can_use_and_what_they_need(
    app: Flask, provider_app: Flask
) -> None:
    # BSrE knows an official by NIK: without one, the field and the rule are named.
    body = _example_with(atasan_pejabat_penilai={"sertifikat": {"penyedia": "bsre"}})
    response = _create(provider_app, body)
    assert response.status_code == 422
    assert response.json["errors"] == [
        {
            "field": "atasan_pejabat_penilai.sertifikat.nik",
            "message": "wajib diisi (atau nik identitas) bila penyedia bsre: BSrE mengenali penanda tangan "
            "dari NIK-nya",
        }
    ]
    body = _example_with(atasan_pejabat_penilai={"sertifikat": {"penyedia": "hsm"}})
    response = _create(provider_app, body, key="k-2")
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "atasan_pejabat_penilai.sertifikat.penyedia"
    # An instance without BSrE or CSC configured says so instead of accepting a document it cannot sign.
    for penyedia in ("bsre", "csc"):
        body = _example_with(pejabat_penilai={"sertifikat": {"penyedia": penyedia, "nik": ATASAN.nik}})
        response = _create(app, body, key=f"k-{penyedia}")
        assert response.status_code == 422
        assert response.json["errors"] == [
            {
                "field": "pejabat_penilai.sertifikat.penyedia",
                "message": f"penyedia {penyedia} belum dikonfigurasi pada layanan ini",
            }
        ]
    # The identity's own nik serves BSrE too.
    body = _example_with(atasan_pejabat_penilai={"nik": ATASAN.nik, "sertifikat": {"penyedia": "bsre"}})
    response = _create(provider_app, body, key="k-3")
    assert response.status_code == 202, response.json
    # The HR system reads back who signs through what.
    assert [s["penyedia"] for s in response.json["signers"]] == ["instansi", "instansi", "bsre"]


def test_the_instance_default_provider_applies_where_the_payload_names_none(
    provider_config: dict[str, Any],
) -> None:
    from service import create_app
    from service.db import upgrade_schema

    app = create_app({**provider_config, "PENYEDIA_DEFAULT": "csc"})
    upgrade_schema(app.extensions["skp.engine"])
    try:
        document_id = ready_with_providers(app, {})
        with app.app_context():
            assert {s.penyedia for s in document(app, document_id).signers} == {"csc"}
    finally:
        app.extensions["skp"].close()
        app.extensions["skp.engine"].dispose()


def test_a_plt_of_another_kind_of_provider_cannot_sign_a_sealed_document(provider_app: Flask) -> None:
    document_id = _ready(provider_app)
    with provider_app.app_context():
        from service.workflow.operations import delegate_signer

        doc = document(provider_app, document_id)
        plt = {
            "jenis": "plt",
            "nama": "Drs. Hadi Santoso",
            "nip": "197001011995031001",
            "jabatan": "Plt. Kepala",
        }
        with pytest.raises(UnprocessableError) as refused:
            delegate_signer(
                get_session(),
                get_services(),
                doc,
                3,
                delegate={**plt, "sertifikat": {"penyedia": "csc"}},
                actor="test",
                ip=None,
            )
        assert refused.value.errors[0]["field"] == "pengganti.sertifikat.penyedia"
        # Another BSrE official may stand in: the form reserved no field for this role either way.
        signer = delegate_signer(
            get_session(),
            get_services(),
            doc,
            3,
            delegate={**plt, "sertifikat": {"penyedia": "bsre", "nik": "3578010101700009"}},
            actor="test",
            ip=None,
        )
        assert (signer.penyedia, signer.nip) == ("bsre", plt["nip"])


def test_a_revoked_csc_certificate_is_refused_before_anything_is_signed(
    provider_app: Flask, outside: OutsideServers
) -> None:
    # tsp/revoked carries the pegawai's NIP; its CA revoked it, as its OCSP responder says.
    people = {**PROVIDERS, "pegawai": {"sertifikat": {"penyedia": "csc", "credential_id": "tsp/revoked"}}}
    document_id = _ready(provider_app, people)
    before = len(outside.requests)
    with pytest.raises(ProviderRefusedError) as refused:
        _sign(provider_app, document_id, 1, pin="123456")
    assert "revoked" in refused.value.detail.lower(), refused.value.detail
    assert not [r for r in outside.requests[before:] if r.path.endswith("signatures/signHash")]
    assert _revision(provider_app, document_id) == 1


def test_a_csc_credential_is_found_by_the_officials_nip(provider_app: Flask, outside: OutsideServers) -> None:
    people = {**PROVIDERS, "pejabat_penilai": {"sertifikat": {"penyedia": "csc"}}}
    document_id = _ready(provider_app, people)
    _sign(provider_app, document_id, 1, passphrase="frasa-sandi-pegawai")
    _sign(provider_app, document_id, 2, pin="123456")
    with provider_app.app_context():
        trust = get_services().trust()
    report = validate(_current(provider_app, document_id), trust)
    assert report.signature("ttd_pejabat_penilai").signer_nip == PENILAI.nip
    assert report.signature("ttd_pejabat_penilai").trusted


def _enroll_own_p12(app: Flask, document_id: str, urutan: int, p12: bytes, passphrase: str) -> None:
    with app.app_context():
        doc = document(app, document_id)
        sign_document(
            get_session(),
            get_services(),
            doc,
            urutan=urutan,
            passphrase=passphrase,
            actor="test",
            ip="127.0.0.1",
            uploaded_p12=p12,
            kode=kode_for(get_session(), get_services(), doc, urutan),
        )


def test_an_own_p12_from_a_trusted_outside_ca_signs_and_one_from_an_unknown_ca_is_refused(
    provider_app: Flask, outside: OutsideServers
) -> None:
    people = {
        "pegawai": {"sertifikat": {"penyedia": "p12"}},
        "pejabat_penilai": {"sertifikat": {"penyedia": "p12"}},
    }
    document_id = ready_with_providers(provider_app, people)
    # Only its own file will do: no key is issued for a p12 official.
    with pytest.raises(UnprocessableError, match=r"unggah berkas \.p12"):
        _sign(provider_app, document_id, 1, passphrase="frasa-sandi-pegawai-12")
    _enroll_own_p12(
        provider_app,
        document_id,
        1,
        outside.pki.p12("tsp", "pegawai", b"sandi-p12-pegawai"),
        "sandi-p12-pegawai",
    )
    # A CA this instance does not trust: refused with the reason, and the code not used up.
    with pytest.raises(UnprocessableError) as refused:
        _enroll_own_p12(
            provider_app,
            document_id,
            2,
            outside.pki.p12("asing", "pejabat_penilai", b"sandi-p12-penilai"),
            "sandi-p12-penilai",
        )
    assert "CA yang dipercaya" in refused.value.detail
    assert _revision(provider_app, document_id) == 2
    with provider_app.app_context():
        trust = get_services().trust()
    report = validate(_current(provider_app, document_id), trust)
    pegawai = report.signature("ttd_pegawai")
    assert (pegawai.signer_nip, pegawai.trusted, pegawai.pades_level) == (PEOPLE["pegawai"].nip, True, "B-LT")


def test_an_outside_rfc3161_tsa_stamps_every_signature_and_its_revocation_is_embedded(
    provider_config: dict[str, Any], outside: OutsideServers
) -> None:
    from service import create_app
    from service.db import upgrade_schema

    app = create_app({**provider_config, "TSA_URL": outside.tsa_url("tsp")})
    upgrade_schema(app.extensions["skp.engine"])
    try:
        document_id = ready_with_providers(app, {})
        _sign(app, document_id, 1, passphrase="frasa-sandi-pegawai")
        with app.app_context():
            trust = get_services().trust()
        report = validate(_current(app, document_id), trust)
        for name in ("segel", "ttd_pegawai"):
            stamped = report.signature(name)
            assert stamped.timestamp is not None
            assert "TSP" in (stamped.timestamp.tsa or "")
            assert stamped.timestamp.trusted
            assert stamped.pades_level == "B-LT"
    finally:
        app.extensions["skp"].close()
        app.extensions["skp.engine"].dispose()
