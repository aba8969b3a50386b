"""Signing speed: seal + 3 approvals (B-LT) + archival timestamp (B-LTA) on one PDF.

Run: .venv/bin/python bench/sign.py [--runs 9]
Prints figures; asserts nothing except that every variant's output validates. Target (issue 5):
the library path within 1.25x of the bare pyHanko floor.

Variants (all on the same PDF with the same three empty fields, the same dev PKI, the same
in-process RFC 3161 TSA, RSA-2048, SHA-256, CRLs embedded, visible QR stamps on the approvals):

* ``pyhanko-floor`` — pyHanko used directly, private keys parsed once (pitfall P9) and
  ``bytes_reserved`` given so no dry-run signature is made;
* ``signing-library`` — ``signing.add_signature_fields/seal/approve/add_document_timestamp``.

To add a variant (e.g. the service's full path), write ``def my_variant(ctx: Context) -> bytes``
returning the final PDF and add it to ``VARIANTS``.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from asn1crypto import crl as asn1_crl  # noqa: E402 - after the sys.path fix above
from asn1crypto import keys as asn1_keys  # noqa: E402
from asn1crypto import x509 as asn1_x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402

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
                        nip=payload[role]["nip"], p12=ctx.p12[role], certificate_pem="", source="issued"
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


def _ms(samples: list[float]) -> str:
    return f"{statistics.median(samples):8.1f} {min(samples):8.1f} {max(samples):8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs per variant (after 1 warm-up)")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    args = parser.parse_args()
    # pyHanko logs P11 ("fetching is not allowed") on every B-LT signature; CRLs are supplied.
    logging.getLogger("pyhanko").setLevel(logging.ERROR)

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
