"""Signing speed: seal + 3 approvals (B-LT) + archival timestamp (B-LTA) on one PDF.

Run: .venv/bin/python bench/sign.py [--runs 9] [--per-signature | --batch]
Prints figures; asserts nothing except that every variant's output validates. Target (issue 5):
the library path within 1.25x of the bare pyHanko floor.

Variants (all on the same PDF with the same three empty fields, the same dev PKI, the same
in-process RFC 3161 TSA, RSA-2048, SHA-256, CRLs embedded, visible QR stamps on the approvals):

* ``pyhanko-floor`` — pyHanko used directly, private keys parsed once (pitfall P9) and
  ``bytes_reserved`` given so no dry-run signature is made;
* ``signing-library`` — ``signing.add_signature_fields/seal/approve/add_document_timestamp``.

To add a variant (e.g. the service's full path), write ``def my_variant(ctx: Context) -> bytes``
returning the final PDF and add it to ``VARIANTS``.

``--per-signature`` (issue 12): the time of ONE approval signature per certificate provider, all
variants interleaved in one run so that machine drift hits every one alike:

* ``floor`` — one bare pyHanko approval signature (visible QR stamp, B-LT with the instance CA's
  CRLs given, key parsed once, ``bytes_reserved``, in-process TSA) on a sealed revision;
* ``instansi`` / ``p12`` / ``csc`` / ``bsre`` — the service's ``sign_document`` for the first signer
  of a fresh, sealed document (built outside the timed region; the other two signers sign through
  CSC and BSrE, so every document is sealed alike, without DocMDP). ``instansi``: the official's
  key from the instance CA, already enrolled, opened with the passphrase (PBKDF2, part of the
  path); ``p12``: the official's own ``.p12`` from the outside ``tsp`` CA, already kept as an
  uploaded key, its revocation fetched by OCSP; ``csc``: the key at the CSC dummy server, PIN per
  signature (credentials/info, the certificate's OCSP check, authorize, signHash); ``bsre``: the
  BSrE contract server signs, the service checks the result and adds the DSS;
* ``bsre-call`` — ``BsreClient.sign`` alone; ``csc-calls`` — the three bare CSC round trips
  (credentials/info, credentials/authorize, signatures/signHash) over one HTTP session: what the
  provider itself costs, against what the service adds (checks, OCSP fetches, DSS).

``--batch`` (issue 13): one official signs 30 documents from the inbox through the batch path
(``service.workflow.inbox.start_batch``: the key opened once with the passphrase, then
``sign_document`` per document under its own guard, in the batch's thread, to the last outcome
recorded), against 30 bare pyHanko approval signatures (as ``floor`` above, each on its own sealed
revision) plus one opening of the official's ``.p12`` (the KDF), measured in the same run,
interleaved. The official is the pegawai of the 8/2021 dokumen penilaian (first of three signers: no
archival timestamp in either side). Goal: within 1.3x.

Everything outside (Certomancer Animator with OCSP/CRLs/TSAs, the CSC dummy, the BSrE contract
server) runs on 127.0.0.1 in this same process, in one background asyncio thread. So the network
latency of a real BSrE or CSC service is NOT included; what those servers compute (OCSP responses
and CRLs signed on request, TSA tokens, the BSrE server's own pyHanko signature) runs on this
machine, shares its CPUs (and the GIL) with the service, and is part of the times. A BSrE document
reserves no field for the pegawai (BSrE makes its own), else the sealed documents are alike.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from asn1crypto import crl as asn1_crl  # noqa: E402 - after the sys.path fix above
from asn1crypto import keys as asn1_keys  # noqa: E402
from asn1crypto import x509 as asn1_x509  # noqa: E402
from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils  # noqa: E402

WIB = timezone(timedelta(hours=7))
ROLES = ("pegawai", "pejabat_penilai", "atasan_pejabat_penilai")
VERIFY_URL = "https://skp.example.go.id/v/ABCD-1234"
#: Encrypts the bench PKI's keys; the service variant opens them with it as KEY_ENCRYPTION_SECRET.
BENCH_PKI_SECRET = "bench-pki-key-encryption-secret-0123456789"


@dataclass
class Context:
    """Everything a variant needs; built once per process."""

    pdf: bytes
    """The unsigned PDF (no signature fields yet)."""
    fields: list[Any]
    """``signing.pdf.FieldSpec`` for the three approval fields."""
    pki: Any
    p12: dict[str, bytes]
    passphrase: bytes


def build_context(directory: Path) -> Context:
    from signing import create_dev_pki, new_signer_p12
    from tests.unit.signing.support import field_specs, sample_pdf

    pki = create_dev_pki(
        directory, organisation="Pemerintah Kabupaten Contoh", key_passphrase=BENCH_PKI_SECRET.encode()
    )
    passphrase = b"bench-passphrase"
    p12 = {
        role: new_signer_p12(
            pki,
            nama=f"Penandatangan {role}",
            nip=f"19800101200501100{i}",
            jabatan="Analis",
            instansi="Pemerintah Kabupaten Contoh",
            passphrase=passphrase,
        )
        for i, role in enumerate(ROLES)
    }
    return Context(
        pdf=sample_pdf(pages=2), fields=field_specs(last_page=1), pki=pki, p12=p12, passphrase=passphrase
    )


# -- variant 1: bare pyHanko ----------------------------------------------------------------------


class _Floor:
    """pyHanko objects with keys parsed once; built outside the timed region like a service would."""

    def __init__(self, ctx: Context) -> None:
        from cryptography.hazmat.primitives.serialization import pkcs12
        from pyhanko.sign.signers import SimpleSigner
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        der = serialization.Encoding.DER

        def asn1_cert(c: Any) -> Any:
            return asn1_x509.Certificate.load(c.public_bytes(der))

        def asn1_key(k: Any) -> Any:
            return asn1_keys.PrivateKeyInfo.load(
                k.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            )

        class FastSigner(SimpleSigner):
            def __init__(self, key: Any, cert: Any, chain: list[Any]) -> None:
                registry = SimpleCertificateStore()
                registry.register_multiple(chain)
                super().__init__(signing_cert=cert, signing_key=asn1_key(key), cert_registry=registry)
                self._key = key

            def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
                from pyhanko_certvalidator.util import get_pyca_cryptography_hash

                return self._key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))

        class FastTsa(DummyTimeStamper):
            def __init__(self, key: Any, cert: Any, chain: list[Any]) -> None:
                registry = SimpleCertificateStore()
                registry.register_multiple(chain)
                super().__init__(tsa_cert=cert, tsa_key=asn1_key(key), certs_to_embed=registry)
                self._key = key

            def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt: datetime) -> Any:
                from asn1crypto import cms
                from cryptography.hazmat.primitives import hashes
                from pyhanko.sign import general
                from pyhanko_certvalidator.util import get_pyca_cryptography_hash

                md = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
                md.update(tst_info_data)
                attrs = cms.CMSAttributes(
                    [
                        general.simple_cms_attribute("content_type", "tst_info"),
                        general.simple_cms_attribute("signing_time", cms.Time({"utc_time": dt})),
                        general.simple_cms_attribute(
                            "signing_certificate", general.as_signing_certificate(self.tsa_cert)
                        ),
                        general.simple_cms_attribute("message_digest", md.finalize()),
                    ]
                )
                sig = self._key.sign(
                    attrs.dump(), padding.PKCS1v15(), get_pyca_cryptography_hash(md_algorithm)
                )
                return sig, attrs

        pki = ctx.pki
        chain = [asn1_cert(pki.issuing_cert), asn1_cert(pki.root_cert)]
        self.root = asn1_cert(pki.root_cert)
        self.others = [asn1_cert(pki.issuing_cert)]
        self.crls = [
            asn1_crl.CertificateList.load(c.public_bytes(der)) for c in (pki.root_crl, pki.issuing_crl)
        ]
        self.seal = FastSigner(pki.seal_key, asn1_cert(pki.seal_cert), chain)
        self.tsa = FastTsa(pki.tsa_key, asn1_cert(pki.tsa_cert), chain)
        self.signers = {}
        for role, data in ctx.p12.items():
            key, cert, _ = pkcs12.load_key_and_certificates(data, ctx.passphrase)
            self.signers[role] = FastSigner(key, asn1_cert(cert), chain)

    def vc(self) -> Any:
        from pyhanko_certvalidator import ValidationContext

        return ValidationContext(
            trust_roots=[self.root],
            other_certs=self.others,
            crls=self.crls,
            allow_fetching=False,
            revocation_mode="require",
        )


_FLOOR: _Floor | None = None


def pyhanko_floor(ctx: Context) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, PdfTimeStamper
    from pyhanko.stamp import QRStampStyle

    global _FLOOR  # noqa: PLW0603 - built once, outside the timed region, on first call
    if _FLOOR is None:
        _FLOOR = _Floor(ctx)
    f = _FLOOR
    reserved = 24000  # hex digits; comfortably above the ~8.5 KB CMS with chain and token

    w = IncrementalPdfFileWriter(BytesIO(ctx.pdf))
    for spec in ctx.fields:
        fields.append_signature_field(
            w,
            fields.SigFieldSpec(
                sig_field_name=spec.name,
                on_page=spec.page,
                box=tuple(round(v) for v in spec.box),
                field_mdp_spec=fields.FieldMDPSpec(action=fields.FieldMDPAction.INCLUDE, fields=[spec.name]),
            ),
        )
    out = BytesIO()
    w.write(out)
    pdf = out.getvalue()

    meta = PdfSignatureMetadata(
        field_name="segel",
        certify=True,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=True,
        validation_context=f.vc(),
    )
    out = BytesIO()
    PdfSigner(meta, f.seal, timestamper=f.tsa).sign_pdf(
        IncrementalPdfFileWriter(BytesIO(pdf)), bytes_reserved=reserved, output=out
    )
    pdf = out.getvalue()

    style = QRStampStyle(stamp_text="%(nama)s\nNIP. %(nip)s\n%(peran)s\n%(waktu)s", border_width=1, innsep=2)
    for role in ROLES:
        meta = PdfSignatureMetadata(
            field_name=f"ttd_{role}",
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            embed_validation_info=True,
            validation_context=f.vc(),
        )
        params = {
            "url": VERIFY_URL,
            "nama": f"Penandatangan {role}",
            "nip": "198001012005011000",
            "peran": role,
            "waktu": f"{datetime.now(WIB):%d-%m-%Y %H:%M:%S} WIB",
        }
        out = BytesIO()
        PdfSigner(meta, f.signers[role], timestamper=f.tsa, stamp_style=style).sign_pdf(
            IncrementalPdfFileWriter(BytesIO(pdf)),
            existing_fields_only=True,
            bytes_reserved=reserved,
            appearance_text_params=params,
            output=out,
        )
        pdf = out.getvalue()

    out = BytesIO()
    PdfTimeStamper(f.tsa).timestamp_pdf(
        IncrementalPdfFileWriter(BytesIO(pdf)),
        "sha256",
        validation_context=f.vc(),
        bytes_reserved=reserved // 2,
        output=out,
    )
    return out.getvalue()


# -- variant 2: the signing library ---------------------------------------------------------------


@dataclass
class _Library:
    trust: Any
    tsa: Any
    seal: Any
    signers: dict[str, Any]


_LIBRARY: _Library | None = None


def signing_library(ctx: Context) -> bytes:
    from signing import StampInfo, add_document_timestamp, add_signature_fields, approve, seal
    from signing.signers import Pkcs12Signer

    global _LIBRARY  # noqa: PLW0603 - built once, outside the timed region, on first call
    if _LIBRARY is None:
        _LIBRARY = _Library(
            trust=ctx.pki.trust_store(),
            tsa=ctx.pki.local_tsa(),
            seal=ctx.pki.seal_signer(),
            signers={role: Pkcs12Signer.load(data, ctx.passphrase) for role, data in ctx.p12.items()},
        )
    lib = _LIBRARY
    pdf = add_signature_fields(ctx.pdf, ctx.fields)
    pdf = seal(pdf, signer=lib.seal, timestamper=lib.tsa, trust=lib.trust)
    for role in ROLES:
        stamp = StampInfo(
            nama=f"Penandatangan {role}",
            nip="198001012005011000",
            peran_label=role,
            waktu=datetime.now(WIB),
            verify_url=VERIFY_URL,
        )
        pdf = approve(
            pdf,
            field_name=f"ttd_{role}",
            signer=lib.signers[role],
            timestamper=lib.tsa,
            trust=lib.trust,
            stamp=stamp,
        )
    return add_document_timestamp(pdf, timestamper=lib.tsa, trust=lib.trust)


# -- variant 3: the service's full path ------------------------------------------------------------

_SERVICE: Any = None


class _Service:
    """A real app (SQLite, files, instance PKI) whose signers already have their keys."""

    def __init__(self, ctx: Context, directory: Path) -> None:
        from service import create_app
        from service.db import get_session, upgrade_schema
        from service.models import SignerKey
        from service.tenancy import instansi_key
        from tests.conftest import RecordingRunner, load_example

        self.app = create_app(
            {
                "SECRET_KEY": "b" * 40,
                "KEY_ENCRYPTION_SECRET": BENCH_PKI_SECRET,
                "DATABASE_URL": f"sqlite:///{directory / 'bench.sqlite3'}",
                "FILES_DIR": str(directory / "files"),
                "PKI_DIR": str(ctx.pki.directory),
                "RUNNER": RecordingRunner(),
            }
        )
        upgrade_schema(self.app.extensions["skp.engine"])
        payload = load_example("permenpanrb_8_2021_dokumen_penilaian")
        with self.app.app_context():
            session = get_session()
            for role in ROLES:
                session.add(
                    SignerKey(
                        instansi_key=instansi_key(payload["instansi"]),
                        nip=payload[role]["nip"],
                        p12=ctx.p12[role],
                        certificate_pem="",
                        source="issued",
                        enrolled_via="legacy",
                    )
                )
            session.commit()
        self.runs = 0


def service_path(ctx: Context) -> bytes:
    """``create_document`` → revision 0 → seal → three ``sign_document`` (each opens the signer's
    PKCS#12 with the passphrase: the KDF is part of the path) → the stored final revision."""
    from service.composition import get_services
    from service.db import get_session
    from service.workflow.revisions import read_revision
    from service.workflow.signing_ops import sign_document
    from tests.functional.support import document, ready_document

    global _SERVICE  # noqa: PLW0603 - built once, outside the timed region, on first call
    if _SERVICE is None:
        _SERVICE = _Service(ctx, Path(tempfile.mkdtemp()))
    svc = _SERVICE
    svc.runs += 1
    app = svc.app
    document_id = ready_document(app, idempotency_key=f"bench-{svc.runs}")
    with app.app_context():
        for urutan in (1, 2, 3):
            sign_document(
                get_session(),
                get_services(),
                document(app, document_id),
                urutan=urutan,
                passphrase=ctx.passphrase.decode(),
                actor="bench",
                ip=None,
            )
        doc = document(app, document_id)
        return read_revision(get_session(), get_services().store, doc, doc.current_revision)


VARIANTS: dict[str, Callable[[Context], bytes]] = {
    "pyhanko-floor": pyhanko_floor,
    "signing-library": signing_library,
    "service-path": service_path,
}


# -- --per-signature: one approval signature per certificate provider (issue 12) ------------------

#: The Basic Auth client the agency was given by BSrE (the contract server checks it).
BENCH_BSRE_CLIENT = ("skp-bench", "rahasia-klien-bsre-bench")
PROVIDER_NAMES = ("instansi", "p12", "csc", "bsre")
PER_SIGNATURE_VARIANTS = ("floor", *PROVIDER_NAMES, "bsre-call", "csc-calls")
#: The passphrase of the pegawai's instance key and of their own .p12 from the ``tsp`` CA.
OFFICIAL_PASSPHRASE = "frasa-sandi-pegawai-bench"
#: The pegawai's passphrase at the BSrE contract server (``rahasia-<person key>``).
BSRE_PASSPHRASE = "rahasia-pegawai"
#: What the CSC dummy signs with: RSA PKCS#1 v1.5 with SHA-256.
SHA256_RSA = "1.2.840.113549.1.1.11"


def _provider_people(penyedia: str) -> dict[str, dict[str, Any]]:
    """The identities' ``sertifikat``: the pegawai (who signs first, the one timed) through
    ``penyedia``; the other two through CSC and BSrE, so every document is sealed alike.
    """
    from tests.functional.support import PROVIDERS
    from tests.outside.pki import PEOPLE

    pegawai: dict[str, Any] = {"penyedia": penyedia}
    if penyedia == "csc":
        pegawai["credential_id"] = "tsp/pegawai"
    if penyedia == "bsre":
        pegawai["nik"] = PEOPLE["pegawai"].nik
    return {**PROVIDERS, "pegawai": {"sertifikat": pegawai}}


class _PerSignature:
    """The outside servers, an app configured for all four providers, and the pegawai's two keys
    enrolled (one active at a time: an official has one active key per instansi).
    """

    def __init__(self, directory: Path) -> None:
        from cryptography.hazmat.primitives.serialization import pkcs12

        from service import create_app
        from service.db import get_session, upgrade_schema
        from service.models import SignerKey
        from service.tenancy import instansi_key
        from signing import create_dev_pki, new_signer_p12
        from signing.bsre import BsreClient
        from tests.conftest import RecordingRunner
        from tests.outside.bsre_server import BsreContractServer
        from tests.outside.pki import INSTANSI, PEOPLE
        from tests.outside.servers import OutsideServers

        self.outside = OutsideServers(directory / "outside").start()
        self.bsre = BsreContractServer(
            self.outside.pki, client_id=BENCH_BSRE_CLIENT[0], client_secret=BENCH_BSRE_CLIENT[1]
        )
        bsre_url = self.bsre.serve_on(self.outside)
        self.bsre_client = BsreClient(bsre_url, *BENCH_BSRE_CLIENT, timeout=30)
        self.pki = create_dev_pki(
            directory / "pki", organisation=INSTANSI, key_passphrase=BENCH_PKI_SECRET.encode()
        )
        self.person = PEOPLE["pegawai"]
        passphrase = OFFICIAL_PASSPHRASE.encode()
        self.instansi_p12 = new_signer_p12(
            self.pki,
            nama=self.person.nama,
            nip=self.person.nip,
            jabatan="Pranata Komputer Ahli Muda",
            instansi=INSTANSI,
            passphrase=passphrase,
        )
        self.own_p12 = self.outside.pki.p12("tsp", "pegawai", passphrase)
        self.app = create_app(
            {
                "SECRET_KEY": "b" * 40,
                "KEY_ENCRYPTION_SECRET": BENCH_PKI_SECRET,
                "DATABASE_URL": f"sqlite:///{directory / 'bench.sqlite3'}",
                "FILES_DIR": str(directory / "files"),
                "MAIL_DIR": str(directory / "mail"),
                "PKI_DIR": str(self.pki.directory),
                "RUNNER": RecordingRunner(),
                "TRUST_ANCHORS_DIR": str(self.outside.pki.anchors_dir),
                "BSRE_URL": bsre_url,
                "BSRE_CLIENT_ID": BENCH_BSRE_CLIENT[0],
                "BSRE_CLIENT_SECRET": BENCH_BSRE_CLIENT[1],
                "BSRE_TIMEOUT": 30.0,
                "CSC_URL": self.outside.csc_url,
            }
        )
        upgrade_schema(self.app.extensions["skp.engine"])
        with self.app.app_context():
            session = get_session()
            for source, data in (("issued", self.instansi_p12), ("uploaded", self.own_p12)):
                cert = pkcs12.load_pkcs12(data, passphrase).cert
                assert cert is not None
                session.add(
                    SignerKey(
                        instansi_key=instansi_key(INSTANSI),
                        nip=self.person.nip,
                        p12=data,
                        certificate_pem=cert.certificate.public_bytes(serialization.Encoding.PEM).decode(),
                        source=source,
                        enrolled_via="legacy",
                        revoked_at=None if source == "issued" else datetime.now(UTC),
                    )
                )
                session.flush()
            session.commit()
        self.documents = 0

    def close(self) -> None:
        self.bsre_client.close()
        self.app.extensions["skp"].close()
        self.app.extensions["skp.engine"].dispose()
        self.outside.close()

    def use_key(self, source: str) -> None:
        """Make the pegawai's ``issued`` (instance CA) or ``uploaded`` (own .p12) key the active one."""
        from sqlalchemy import update

        from service.db import get_session
        from service.models import SignerKey

        with self.app.app_context():
            session = get_session()
            session.execute(
                update(SignerKey).where(SignerKey.source != source).values(revoked_at=datetime.now(UTC))
            )
            session.execute(update(SignerKey).where(SignerKey.source == source).values(revoked_at=None))
            session.commit()

    def new_document(self, penyedia: str) -> str:
        """A fresh document, sealed, awaiting the pegawai (who signs through ``penyedia``)."""
        from tests.functional.support import ready_with_providers

        self.documents += 1
        if penyedia in ("instansi", "p12"):
            self.use_key("issued" if penyedia == "instansi" else "uploaded")
        return ready_with_providers(self.app, _provider_people(penyedia), key=f"bench-{self.documents}")

    def sealed(self, document_id: str) -> bytes:
        from service.composition import get_services
        from service.db import get_session
        from service.workflow.revisions import read_revision
        from tests.functional.support import document

        with self.app.app_context():
            doc = document(self.app, document_id)
            return read_revision(get_session(), get_services().store, doc, doc.current_revision)

    def sign(self, document_id: str, penyedia: str) -> None:
        """The timed part: the service's ``sign_document`` for the pegawai."""
        from service.composition import get_services
        from service.db import get_session
        from service.workflow.signing_ops import sign_document
        from tests.functional.support import document
        from tests.outside.servers import CSC_PIN

        # What the official types: a passphrase (instansi, p12, bsre) or a PIN (csc).
        passphrase, pin = {
            "instansi": (OFFICIAL_PASSPHRASE, ""),
            "p12": (OFFICIAL_PASSPHRASE, ""),
            "csc": ("", CSC_PIN),
            "bsre": (BSRE_PASSPHRASE, ""),
        }[penyedia]
        with self.app.app_context():
            sign_document(
                get_session(),
                get_services(),
                document(self.app, document_id),
                urutan=1,
                passphrase=passphrase,
                pin=pin,
                actor="bench",
                ip=None,
            )

    def trust(self) -> Any:
        from service.composition import get_services

        with self.app.app_context():
            return get_services().trust()

    def bsre_request(self, document_id: str) -> tuple[bytes, Any]:
        """The sealed revision and the appearance the service would send BSrE for the pegawai."""
        import json

        from service.composition import get_services
        from service.workflow.signing_ops import _stamp, peran_label
        from signing.bsre import BsreAppearance
        from signing.pdf import ROLE_MARKER
        from signing.stamp_image import stamp_png
        from tests.functional.support import document

        with self.app.app_context():
            doc = document(self.app, document_id)
            signer = doc.signers[0]
            stamp = _stamp(get_services(), doc, signer)
            page, x1, y1, x2, y2 = json.loads(signer.kotak_json or "null")
            appearance = BsreAppearance(
                page=page + 1,
                x=x1,
                y=y1,
                width=x2 - x1,
                height=y2 - y1,
                image_png=stamp_png(stamp, width_pt=x2 - x1, height_pt=y2 - y1, penyedia="BSrE"),
                reason=f"Menyetujui dokumen{ROLE_MARKER}{peran_label(signer)}",
            )
        return self.sealed(document_id), appearance

    def bsre_call(self, pdf: bytes, appearance: Any) -> bytes:
        """The timed part: one bare sign call to the BSrE contract server."""
        (signed,) = self.bsre_client.sign(
            [pdf], nik=self.person.nik, passphrase=BSRE_PASSPHRASE, appearances=[appearance]
        )
        return signed

    def csc_calls(self, digest: bytes) -> tuple[bytes, bytes]:
        """The timed part: credentials/info, credentials/authorize (hash-bound SAD) and
        signatures/signHash, bare, over one HTTP session; the signature and the certificate.
        """
        import base64

        import requests

        from tests.outside.servers import CSC_PIN

        base, credential = self.outside.csc_url, "tsp/pegawai"
        hash_b64 = base64.b64encode(digest).decode("ascii")
        with requests.Session() as http:

            def call(endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
                response = http.post(f"{base}/{endpoint}", json=body, timeout=30)
                response.raise_for_status()
                data: dict[str, Any] = response.json()
                return data

            info = call(
                "credentials/info", {"credentialID": credential, "certificates": "chain", "certInfo": False}
            )
            sad = call(
                "credentials/authorize",
                {"credentialID": credential, "numSignatures": 1, "hash": [hash_b64], "PIN": CSC_PIN},
            )["SAD"]
            signed = call(
                "signatures/signHash",
                {"credentialID": credential, "SAD": sad, "hash": [hash_b64], "signAlgo": SHA256_RSA},
            )["signatures"][0]
        return base64.b64decode(signed), base64.b64decode(info["cert"]["certificates"][0])


class _OneSignatureFloor:
    """Bare pyHanko, one approval on a sealed revision: the pegawai's instance key parsed once."""

    def __init__(self, per: _PerSignature) -> None:
        ctx = Context(
            pdf=b"",
            fields=[],
            pki=per.pki,
            p12={"pegawai": per.instansi_p12},
            passphrase=OFFICIAL_PASSPHRASE.encode(),
        )
        self.f = _Floor(ctx)
        self.person = per.person

    def sign(self, pdf: bytes) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields
        from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
        from pyhanko.stamp import QRStampStyle

        f = self.f
        style = QRStampStyle(
            stamp_text="%(nama)s\nNIP. %(nip)s\n%(peran)s\n%(waktu)s", border_width=1, innsep=2
        )
        meta = PdfSignatureMetadata(
            field_name="ttd_pegawai",
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            embed_validation_info=True,
            validation_context=f.vc(),
        )
        params = {
            "url": VERIFY_URL,
            "nama": self.person.nama,
            "nip": self.person.nip,
            "peran": "Pegawai yang Dinilai",
            "waktu": f"{datetime.now(WIB):%d-%m-%Y %H:%M:%S} WIB",
        }
        out = BytesIO()
        PdfSigner(meta, f.signers["pegawai"], timestamper=f.tsa, stamp_style=style).sign_pdf(
            IncrementalPdfFileWriter(BytesIO(pdf)),
            existing_fields_only=True,
            bytes_reserved=24000,
            appearance_text_params=params,
            output=out,
        )
        return out.getvalue()


def _check_one_more_signature(name: str, sealed: bytes, signed: bytes, trust: Any, signer_id: str) -> None:
    """Stop unless ``signed`` is ``sealed`` plus one B-LT signature by ``signer_id``, all ok."""
    from signing.validation import validate

    report = validate(signed, trust)
    if not signed.startswith(sealed) or not report.ok or len(report.signatures) != 2:
        raise SystemExit(f"{name}: output does not validate: {report.as_dict()}")
    newest = max(report.signatures, key=lambda s: s.revision)
    if newest.signer_nip != signer_id or newest.pades_level != "B-LT":
        raise SystemExit(f"{name}: the new signature is not {signer_id}'s at B-LT: {report.as_dict()}")


def _outside_calls(per: _PerSignature, before: int) -> list[str]:
    # OutsideServers.add_app names every added app "app": here that is the BSrE contract server.
    return [f"{'bsre' if r.server == 'app' else r.server}:{r.path}" for r in per.outside.requests[before:]]


def _warm_up(per: _PerSignature, floor: _OneSignatureFloor, trust: Any) -> dict[str, list[str]]:
    """Each variant once, its output checked; what each asked of the outside servers."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    from signing.remote import accept_remote_signature
    from signing.validation import validate

    nip, nik = per.person.nip, per.person.nik
    calls: dict[str, list[str]] = {}
    sealed = per.sealed(per.new_document("instansi"))
    _check_one_more_signature("floor", sealed, floor.sign(sealed), trust, nip)
    for name in PROVIDER_NAMES:
        document_id = per.new_document(name)
        sealed = per.sealed(document_id)
        before = len(per.outside.requests)
        per.sign(document_id, name)
        calls[name] = _outside_calls(per, before)
        signer_id = nik if name == "bsre" else nip
        _check_one_more_signature(name, sealed, per.sealed(document_id), trust, signer_id)

    sealed, appearance = per.bsre_request(per.new_document("bsre"))
    before = len(per.outside.requests)
    returned = per.bsre_call(sealed, appearance)
    calls["bsre-call"] = _outside_calls(per, before)
    # BSrE returns B-T: the service's acceptance check, and every signature intact and valid.
    accept_remote_signature(sealed, returned, trust=trust, signer_ids=(nik,))
    report = validate(returned, trust)
    if len(report.signatures) != 2 or not all(s.intact and s.valid for s in report.signatures):
        raise SystemExit(f"bsre-call: output does not validate: {report.as_dict()}")

    digest = hashes.Hash(hashes.SHA256())
    digest.update(b"bench")
    value = digest.finalize()
    before = len(per.outside.requests)
    signature, cert_der = per.csc_calls(value)
    calls["csc-calls"] = _outside_calls(per, before)
    public = x509.load_der_x509_certificate(cert_der).public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    try:
        public.verify(signature, value, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    except InvalidSignature:
        raise SystemExit("csc-calls: the signature does not verify with the credential's key") from None
    return calls


def _prepare(per: _PerSignature, floor: _OneSignatureFloor, name: str) -> Callable[[], object]:
    """Build a variant's input (not timed); return the call that is timed."""
    if name == "floor":
        pdf = per.sealed(per.new_document("instansi"))
        return lambda: floor.sign(pdf)
    if name in PROVIDER_NAMES:
        document_id = per.new_document(name)
        return lambda: per.sign(document_id, name)
    if name == "bsre-call":
        pdf, appearance = per.bsre_request(per.new_document("bsre"))
        return lambda: per.bsre_call(pdf, appearance)
    digest = hashlib.sha256(os.urandom(64)).digest()
    return lambda: per.csc_calls(digest)


def per_signature(args: argparse.Namespace) -> None:
    from signing.signers import Pkcs12Signer

    runs: int = args.runs
    with tempfile.TemporaryDirectory() as tmp:
        per = _PerSignature(Path(tmp))
        try:
            floor = _OneSignatureFloor(per)
            outside_calls = _warm_up(per, floor, per.trust())
            results: dict[str, list[float]] = {name: [] for name in PER_SIGNATURE_VARIANTS}
            kdf: dict[str, list[float]] = {"instansi": [], "p12": []}
            # Interleaved, so that drift on a shared machine hits every variant alike; the opening
            # of each .p12 (part of the instansi and p12 paths) is timed in the same rounds.
            for _ in range(runs):
                for name in PER_SIGNATURE_VARIANTS:
                    timed = _prepare(per, floor, name)
                    t0 = time.perf_counter()
                    timed()
                    results[name].append((time.perf_counter() - t0) * 1000)
                for name, data in (("instansi", per.instansi_p12), ("p12", per.own_p12)):
                    t0 = time.perf_counter()
                    Pkcs12Signer.load(data, OFFICIAL_PASSPHRASE.encode())
                    kdf[name].append((time.perf_counter() - t0) * 1000)
        finally:
            per.close()

    base = statistics.median(results["floor"])
    print(f"one approval signature (visible stamp, B-LT) on a sealed revision; n={runs}, interleaved")
    print("outside servers (Animator OCSP/CRL/TSA, CSC dummy, BSrE contract server): 127.0.0.1, this process")
    print(f"{'variant':<12} {'median':>8} {'min':>8} {'max':>8} {'/floor':>7}  (ms per signature)")
    for name, times in results.items():
        print(f"{name:<12} {_ms(times)} {statistics.median(times) / base:7.2f}")
    for provider, bare in (("bsre", "bsre-call"), ("csc", "csc-calls")):
        added = statistics.median(results[provider]) - statistics.median(results[bare])
        print(f"{provider}: the service adds {added:.1f} ms (median) to the bare provider calls ({bare})")
    for name, times in kdf.items():
        opening = statistics.median(times)
        rest = statistics.median(results[name]) - opening
        print(
            f"{name}: opening its .p12 with the passphrase {opening:.1f} ms (median); "
            f"without it {rest:.1f} ms, ratio {rest / base:.2f}"
        )
    print("requests to the outside servers in one signature (warm-up run):")
    for name, calls in outside_calls.items():
        counted: dict[str, int] = {}
        for call in calls:
            counted[call] = counted.get(call, 0) + 1
        print(f"  {name:<10} {len(calls):2d}: " + ", ".join(f"{c} x{n}" for c, n in counted.items()))


BATCH_SIZE = 30


class _Batch:
    """An app whose official (the pegawai of the 8/2021 dokumen penilaian) has an instance key."""

    def __init__(self, directory: Path) -> None:
        from types import SimpleNamespace

        from cryptography.hazmat.primitives.serialization import pkcs12

        from service import create_app
        from service.db import get_session, upgrade_schema
        from service.models import SignerKey
        from service.tenancy import instansi_key
        from signing import create_dev_pki, new_signer_p12
        from tests.conftest import RecordingRunner, load_example

        self.payload = load_example("permenpanrb_8_2021_dokumen_penilaian")
        person = self.payload["pegawai"]
        self.pki = create_dev_pki(
            directory / "pki", organisation=self.payload["instansi"], key_passphrase=BENCH_PKI_SECRET.encode()
        )
        self.p12 = new_signer_p12(
            self.pki,
            nama=person["nama"],
            nip=person["nip"],
            jabatan=person["jabatan"],
            instansi=self.payload["instansi"],
            passphrase=OFFICIAL_PASSPHRASE.encode(),
        )
        self.app = create_app(
            {
                "SECRET_KEY": "b" * 40,
                "KEY_ENCRYPTION_SECRET": BENCH_PKI_SECRET,
                "DATABASE_URL": f"sqlite:///{directory / 'bench.sqlite3'}",
                "FILES_DIR": str(directory / "files"),
                "MAIL_DIR": str(directory / "mail"),
                "PKI_DIR": str(self.pki.directory),
                "RUNNER": RecordingRunner(),
            }
        )
        upgrade_schema(self.app.extensions["skp.engine"])
        with self.app.app_context():
            session = get_session()
            cert = pkcs12.load_pkcs12(self.p12, OFFICIAL_PASSPHRASE.encode()).cert
            assert cert is not None
            session.add(
                SignerKey(
                    instansi_key=instansi_key(self.payload["instansi"]),
                    nip=person["nip"],
                    p12=self.p12,
                    certificate_pem=cert.certificate.public_bytes(serialization.Encoding.PEM).decode(),
                    source="issued",
                    enrolled_via="legacy",
                )
            )
            session.commit()
        per = SimpleNamespace(pki=self.pki, instansi_p12=self.p12, person=SimpleNamespace(**person))
        self.floor = _OneSignatureFloor(per)  # type: ignore[arg-type]  (what it reads of one)
        self.documents = 0

    def new_documents(self) -> list[str]:
        from tests.functional.support import ready_document

        made = []
        for _ in range(BATCH_SIZE):
            self.documents += 1
            made.append(ready_document(self.app, idempotency_key=f"bench-batch-{self.documents}"))
        return made

    def sealed(self, document_id: str) -> bytes:
        from service.composition import get_services
        from service.db import get_session
        from service.workflow.revisions import read_revision
        from tests.functional.support import document

        with self.app.app_context():
            doc = document(self.app, document_id)
            assert doc.signers[0].field_name == "ttd_pegawai"
            return read_revision(get_session(), get_services().store, doc, doc.current_revision)

    def sign_batch(self, ids: list[str]) -> str:
        from service.composition import get_services
        from service.db import get_session
        from service.tenancy import instansi_key
        from service.workflow import inbox

        official = inbox.Official(
            instansi_key=instansi_key(self.payload["instansi"]),
            nip=self.payload["pegawai"]["nip"],
            session_id=0,
        )
        with self.app.app_context():
            batch_id = inbox.start_batch(
                get_session(), get_services(), official, ids, passphrase=OFFICIAL_PASSPHRASE, ip=None
            )
        if not inbox.wait_for_batch(batch_id, 600):
            raise SystemExit("the batch did not finish in 600 s")
        return batch_id

    def check(self, batch_id: str, ids: list[str]) -> None:
        from service.db import get_session
        from service.models import SigningBatch
        from tests.functional.support import document

        with self.app.app_context():
            batch = get_session().get(SigningBatch, batch_id)
            assert batch is not None
            if (batch.status, batch.signed, batch.failed) != ("done", BATCH_SIZE, 0):
                raise SystemExit(
                    f"batch {batch_id}: {batch.status}, {batch.signed} signed, {batch.failed} failed"
                )
            if any(document(self.app, d).signers[0].status != "signed" for d in ids):
                raise SystemExit("a document of the batch is not signed")


def batch(args: argparse.Namespace) -> None:
    """``--batch``: 30 signatures by one official through the batch path against the floor."""
    from signing.signers import Pkcs12Signer

    runs: int = args.runs
    with tempfile.TemporaryDirectory() as tmp:
        bench = _Batch(Path(tmp))
        trust = bench.app.extensions["skp"].trust()
        try:
            # Warm-up: one batch and one floor round, checked.
            ids = bench.new_documents()
            sealed = bench.sealed(ids[0])
            _check_one_more_signature(
                "floor", sealed, bench.floor.sign(sealed), trust, bench.payload["pegawai"]["nip"]
            )
            bench.check(bench.sign_batch(ids), ids)
            batch_s: list[float] = []
            floor_s: list[float] = []
            kdf_ms: list[float] = []
            for _ in range(runs):
                ids = bench.new_documents()
                pdfs = [bench.sealed(d) for d in ids]  # the same sealed revisions, read outside the timing
                t0 = time.perf_counter()
                for pdf in pdfs:
                    bench.floor.sign(pdf)
                floor_only = time.perf_counter() - t0
                t0 = time.perf_counter()
                Pkcs12Signer.load(bench.p12, OFFICIAL_PASSPHRASE.encode())
                kdf = time.perf_counter() - t0
                kdf_ms.append(kdf * 1000)
                floor_s.append(floor_only + kdf)
                t0 = time.perf_counter()
                batch_id = bench.sign_batch(ids)
                batch_s.append(time.perf_counter() - t0)
                bench.check(batch_id, ids)
        finally:
            bench.app.extensions["skp"].close()
            bench.app.extensions["skp.engine"].dispose()
    b, f = statistics.median(batch_s), statistics.median(floor_s)
    print(f"{BATCH_SIZE} approval signatures (visible stamp, B-LT) by one official; n={runs} rounds")
    print(f"{'variant':<28} {'median':>8} {'min':>8} {'max':>8}  (s per {BATCH_SIZE} documents)")
    print(f"{'batch (inbox, one passphrase)':<28} {b:8.2f} {min(batch_s):8.2f} {max(batch_s):8.2f}")
    print(f"{'floor x30 + one KDF':<28} {f:8.2f} {min(floor_s):8.2f} {max(floor_s):8.2f}")
    print(
        f"per document: batch {b / BATCH_SIZE * 1000:.1f} ms, floor {f / BATCH_SIZE * 1000:.1f} ms; "
        f"one KDF {statistics.median(kdf_ms):.1f} ms (median)"
    )
    print(f"ratio batch / (floor x30 + KDF) = {b / f:.2f} (goal <= 1.3)")


def _ms(samples: list[float]) -> str:
    return f"{statistics.median(samples):8.1f} {min(samples):8.1f} {max(samples):8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs per variant (after 1 warm-up)")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument(
        "--per-signature",
        action="store_true",
        help="time one signature per certificate provider against the bare pyHanko floor (issue 12)",
    )
    parser.add_argument(
        "--batch",
        action="store_true",
        help=f"time {BATCH_SIZE} signatures by one official through the inbox's batch path (issue 13)",
    )
    args = parser.parse_args()
    # pyHanko logs P11 ("fetching is not allowed") on every B-LT signature; CRLs are supplied.
    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    if args.batch:
        batch(args)
        return
    (per_signature if args.per_signature else whole_document)(args)


def whole_document(args: argparse.Namespace) -> None:
    """The default mode: whole documents, variant by variant (see the module docstring)."""
    from signing.validation import validate

    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_context(Path(tmp) / "pki")
        trust = ctx.pki.trust_store()
        results: dict[str, list[float]] = {name: [] for name in args.variants}
        validation: dict[str, list[float]] = {name: [] for name in args.variants}
        finals: dict[str, bytes] = {}
        for name in args.variants:
            final = VARIANTS[name](ctx)  # warm-up (also builds the variant's long-lived objects)
            report = validate(final, trust)
            if not (report.ok and report.pades_level == "B-LTA"):
                raise SystemExit(f"{name}: output does not validate as B-LTA: {report.as_dict()}")
        # Interleaved, so that drift on a shared machine hits every variant alike.
        for _ in range(args.runs):
            for name in args.variants:
                t0 = time.perf_counter()
                finals[name] = VARIANTS[name](ctx)
                results[name].append((time.perf_counter() - t0) * 1000)
            for name in args.variants:
                t0 = time.perf_counter()
                report = validate(finals[name], trust)
                validation[name].append((time.perf_counter() - t0) * 1000)
        size = len(finals[args.variants[-1]])

        print(f"fields + seal + 3 approvals (B-LT, QR stamps) + document timestamp (B-LTA); n={args.runs}")
        print(
            f"final PDF {size:,} bytes, {len(report.signatures)} signatures, "
            f"{len(report.document_timestamps)} document timestamp"
        )
        print(f"{'variant':<18} {'median':>8} {'min':>8} {'max':>8}  (ms per document)")
        for name, times in results.items():
            print(f"{name:<18} {_ms(times)}")
        if "pyhanko-floor" in results:
            floor = statistics.median(results["pyhanko-floor"])
            for name, times in results.items():
                if name != "pyhanko-floor":
                    ratio = statistics.median(times) / floor
                    print(f"ratio {name} / pyhanko-floor = {ratio:.2f} (target <= 1.25)")
            if "service-path" in results:
                from signing.signers import Pkcs12Signer

                kdf = []
                for _ in range(5):
                    t0 = time.perf_counter()
                    Pkcs12Signer.load(ctx.p12["pegawai"], ctx.passphrase)
                    kdf.append((time.perf_counter() - t0) * 1000)
                opening = statistics.median(kdf)
                rest = statistics.median(results["service-path"]) - 3 * opening
                print(
                    f"opening one passphrase-protected .p12 (PBKDF2, 600,000 rounds): {opening:.1f} ms; "
                    f"service-path without the 3 openings: {rest:.1f} ms, "
                    f"ratio {rest / floor:.2f}"
                )
        head = f"{'validate()':<18} {'median':>8} {'min':>8} {'max':>8}"
        print(f"{head}  (ms per document: 4 signatures + 1 document timestamp)")
        for name, times in validation.items():
            print(f"{name:<18} {_ms(times)}")


if __name__ == "__main__":
    main()
