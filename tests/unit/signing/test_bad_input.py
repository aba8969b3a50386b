"""Input that is not a (readable) PDF gets a clear error class, never a pyHanko traceback."""

from __future__ import annotations

import re

import pytest

from signing.errors import InvalidPdfError
from signing.pdf import FieldSpec, add_signature_fields, signature_fields
from signing.trust import TrustStore
from signing.validation import validate


@pytest.mark.parametrize(
    "data",
    [b"", b"PK\x03\x04 this is a zip", b"Lorem ipsum " * 100, b"%PDF-1.7\n%%EOF\n"],
    ids=["empty", "zip", "text", "header-only"],
)
def test_non_pdf(data: bytes, trust: TrustStore) -> None:
    with pytest.raises(InvalidPdfError):
        validate(data, trust)
    with pytest.raises(InvalidPdfError):
        signature_fields(data)


def _break_xref(pdf: bytes) -> bytes:
    # Point startxref at a place that holds no xref section.
    match = list(re.finditer(rb"startxref\s+(\d+)", pdf))[-1]
    return pdf[: match.start(1)] + b"17" + pdf[match.end(1) :]


def test_broken_xref_in_unsigned_pdf(unsigned_pdf: bytes, trust: TrustStore) -> None:
    broken = _break_xref(unsigned_pdf)
    with pytest.raises(InvalidPdfError) as exc:
        validate(broken, trust)
    assert exc.value.reason
    with pytest.raises(InvalidPdfError):
        add_signature_fields(broken, [FieldSpec(name="x", page=0, box=(0, 0, 10, 10))])


def test_broken_xref_in_signed_pdf(signed_versions: list[bytes], trust: TrustStore) -> None:
    with pytest.raises(InvalidPdfError):
        validate(_break_xref(signed_versions[-1]), trust)


def test_truncated_pdf(signed_versions: list[bytes], trust: TrustStore) -> None:
    pdf = signed_versions[-1]
    with pytest.raises(InvalidPdfError):
        validate(pdf[: len(pdf) // 2], trust)
