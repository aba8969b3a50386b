"""Changes after signing are reported: bytes in a signed range, pages, text, fields."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields as sig_fields
from pyhanko.sign import signers as pyhanko_signers

from signing.errors import (
    FieldAlreadySignedError,
    FieldNotFoundError,
    InvalidFieldSpecError,
    SignatureFailedError,
)
from signing.pdf import FieldSpec, add_signature_fields, approve, seal
from signing.signers import Pkcs12Signer
from signing.timestamps import LocalTsa
from signing.trust import TrustStore
from signing.validation import validate
from tests.unit.signing.conftest import Person
from tests.unit.signing.support import pdfsig, sample_pdf

B_LT = 3  # index in signed_versions: sealed + three approvals, before the archival timestamp


def _incremental(pdf: bytes) -> tuple[IncrementalPdfFileWriter, BytesIO]:
    return IncrementalPdfFileWriter(BytesIO(pdf)), BytesIO()


def _finish(writer: IncrementalPdfFileWriter, out: BytesIO) -> bytes:
    writer.write(out)
    return out.getvalue()


def test_byte_changed_in_signed_content_breaks_every_signature(
    *, signed_versions: list[bytes], trust: TrustStore, nssdir: str, tmp_path: Path
) -> None:
    pdf = signed_versions[B_LT]
    # The page text is in revision 0, inside every signature's byte range.
    assert pdf.count(b"(Target 1: 100 %)") == 2
    tampered = pdf.replace(b"(Target 1: 100 %)", b"(Target 1: 900 %)", 1)
    report = validate(tampered, trust)
    assert len(report.signatures) == 4
    for sig in report.signatures:
        assert not sig.intact, sig.field_name
        assert not sig.ok, sig.field_name
    assert not report.ok
    entries = pdfsig(tampered, nssdir=nssdir, workdir=tmp_path)
    for sig in report.signatures:
        assert entries[sig.field_name].signature_validation == "Digest Mismatch."


def test_byte_changed_in_newest_revision_breaks_the_newest_signature(
    *, signed_versions: list[bytes], trust: TrustStore
) -> None:
    pdf = signed_versions[B_LT]
    marker = b"sebagai Atasan Pejabat Penilai Kinerja"
    at = pdf.rindex(marker)
    tampered = pdf[:at] + b"S" + pdf[at + 1 :]  # "sebagai" -> "Sebagai" in the last /Reason
    assert len(tampered) == len(pdf)
    report = validate(tampered, trust)
    newest = report.signature("ttd_atasan_pejabat_penilai")
    assert not newest.intact
    assert not newest.ok
    assert not report.ok


def test_page_added_after_signing_is_reported(*, signed_versions: list[bytes], trust: TrustStore) -> None:
    writer, out = _incremental(signed_versions[B_LT])
    page = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Page"),
            pdf_name("/MediaBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)]),
            pdf_name("/Contents"): writer.add_object(generic.StreamObject(stream_data=b"")),
        }
    )
    writer.insert_page(page)
    tampered = _finish(writer, out)
    report = validate(tampered, trust)
    for sig in report.signatures:
        assert sig.intact, sig.field_name  # the signed bytes are untouched ...
        assert sig.modification_level == "OTHER", sig.field_name  # ... but the document changed
        assert not sig.docmdp_ok, sig.field_name
        assert not sig.ok, sig.field_name
    assert not report.ok


def test_text_edited_after_signing_is_reported(*, signed_versions: list[bytes], trust: TrustStore) -> None:
    writer, out = _incremental(signed_versions[B_LT])
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    original = page["/Contents"].get_object().data
    assert b"(Target 1: 100 %)" in original
    edited = original.replace(b"(Target 1: 100 %)", b"(Target 1: 120 %)")
    page[pdf_name("/Contents")] = writer.add_object(generic.StreamObject(stream_data=edited))
    writer.update_container(page)
    tampered = _finish(writer, out)
    report = validate(tampered, trust)
    for sig in report.signatures:
        assert sig.intact, sig.field_name
        assert sig.modification_level == "OTHER", sig.field_name
        assert not sig.ok, sig.field_name


def test_signature_in_a_new_visible_field_after_the_seal_is_reported(
    *, signed_versions: list[bytes], signers: dict[str, Pkcs12Signer], trust: TrustStore
) -> None:
    # Outside our API (which only signs pre-created fields): raw pyHanko adds a new field.
    sealed = signed_versions[0]
    writer = IncrementalPdfFileWriter(BytesIO(sealed))
    out = BytesIO()
    pyhanko_signers.PdfSigner(
        pyhanko_signers.PdfSignatureMetadata(field_name="ttd_liar"),
        signer=signers["pegawai"].pyhanko_signer,
        new_field_spec=sig_fields.SigFieldSpec(
            sig_field_name="ttd_liar", on_page=1, box=(300, 300, 450, 360)
        ),
    ).sign_pdf(writer, output=out)
    report = validate(out.getvalue(), trust)
    seal_report = report.signature("segel")
    assert seal_report.intact
    assert not seal_report.docmdp_ok
    assert not seal_report.ok
    assert not report.ok


def test_change_to_a_locked_signed_field_is_reported(
    *, signed_versions: list[bytes], trust: TrustStore
) -> None:
    pdf = signed_versions[1]  # sealed + pegawai
    writer, out = _incremental(pdf)
    for name, _value, ref in sig_fields.enumerate_sig_fields(writer):
        if name == "ttd_pegawai":
            field = ref.get_object()
            field[pdf_name("/Rect")] = generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 10, 10)])
            writer.update_container(field)
    tampered = _finish(writer, out)
    report = validate(tampered, trust)
    pegawai = report.signature("ttd_pegawai")
    assert pegawai.field_locked
    assert pegawai.intact
    assert not pegawai.ok
    assert not report.ok


# -- the API refuses what would break the sequence ------------------------------------------------


def test_approve_refuses_a_signed_field(
    *,
    signed_versions: list[bytes],
    signers: dict[str, Pkcs12Signer],
    people: dict[str, Person],
    tsa: LocalTsa,
    trust: TrustStore,
) -> None:
    person = people["pegawai"]
    with pytest.raises(FieldAlreadySignedError) as exc:
        approve(
            signed_versions[1],
            field_name=person.field_name,
            signer=signers["pegawai"],
            timestamper=tsa,
            trust=trust,
            stamp=person.stamp(),
        )
    assert exc.value.field_name == "ttd_pegawai"


def test_approve_refuses_an_unknown_field(
    *,
    signed_versions: list[bytes],
    signers: dict[str, Pkcs12Signer],
    people: dict[str, Person],
    tsa: LocalTsa,
    trust: TrustStore,
) -> None:
    with pytest.raises(FieldNotFoundError) as exc:
        approve(
            signed_versions[0],
            field_name="ttd_kepala_dinas",
            signer=signers["pegawai"],
            timestamper=tsa,
            trust=trust,
            stamp=people["pegawai"].stamp(),
        )
    assert "ttd_pegawai" in exc.value.available


def test_approve_requires_the_field_lock_unless_told_otherwise(
    *,
    sealer: Pkcs12Signer,
    signers: dict[str, Pkcs12Signer],
    people: dict[str, Person],
    tsa: LocalTsa,
    trust: TrustStore,
) -> None:
    pdf = add_signature_fields(
        sample_pdf(pages=1), [FieldSpec(name="ttd_pegawai", page=0, box=(40, 90, 210, 170), lock=False)]
    )
    sealed = seal(pdf, signer=sealer, timestamper=tsa, trust=trust)
    kwargs = {
        "field_name": "ttd_pegawai",
        "signer": signers["pegawai"],
        "timestamper": tsa,
        "trust": trust,
        "stamp": people["pegawai"].stamp(),
    }
    with pytest.raises(InvalidFieldSpecError):
        approve(sealed, **kwargs)  # type: ignore[arg-type]
    signed = approve(sealed, lock_field=False, **kwargs)  # type: ignore[arg-type]
    report = validate(signed, trust)
    assert report.ok
    assert not report.signature("ttd_pegawai").field_locked


def test_second_certification_is_refused(
    *, signed_versions: list[bytes], sealer: Pkcs12Signer, tsa: LocalTsa, trust: TrustStore
) -> None:
    with pytest.raises(FieldAlreadySignedError):
        seal(signed_versions[0], signer=sealer, timestamper=tsa, trust=trust)
    with pytest.raises(SignatureFailedError):
        seal(signed_versions[0], signer=sealer, timestamper=tsa, trust=trust, field_name="segel_kedua")
