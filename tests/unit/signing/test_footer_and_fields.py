"""Footer and signature fields in one incremental update: one QR code shared by every page."""

from __future__ import annotations

import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from signing import (
    LocalTsa,
    Pkcs12Signer,
    TrustStore,
    add_footer_and_fields,
    seal,
    signature_fields,
    validate,
)
from signing.errors import FieldExistsError
from tests.unit.signing.support import field_specs, sample_pdf

BAND = (34.0, 10.0, 560.0, 62.0)
URL = "https://skp.example.go.id/v/0123456789abcdef"


def _xobjects(pdf: bytes) -> list[set[int]]:
    """Per page, the object numbers of the form XObjects its resources name."""
    found = []
    for page in PdfReader(BytesIO(pdf)).pages:
        xobjects = page["/Resources"].get("/XObject", {})
        found.append({xobjects.raw_get(name).idnum for name in xobjects})
    return found


def test_one_update_adds_the_footer_on_every_page_and_the_fields(tmp_path: Path) -> None:
    original = sample_pdf(pages=3)
    out = add_footer_and_fields(original, url=URL, code="0123456789abcdef", box=BAND, fields=field_specs(2))
    assert out.startswith(original)  # incremental: the original bytes are untouched
    assert out.count(b"%%EOF") == original.count(b"%%EOF") + 1  # exactly one more revision
    assert [f.name for f in signature_fields(out)] == [s.name for s in field_specs(2)]
    per_page = _xobjects(out)
    assert len(per_page) == 3
    shared = set.intersection(*per_page)
    assert shared, "every page refers to the same footer XObject"
    path = tmp_path / "out.pdf"
    path.write_bytes(out)
    for page in (1, 2, 3):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert "0123456789abcdef" in text, page


def test_the_result_seals_and_validates(sealer: Pkcs12Signer, tsa: LocalTsa, trust: TrustStore) -> None:
    out = add_footer_and_fields(sample_pdf(pages=2), url=URL, code="c0de", box=BAND, fields=field_specs(1))
    report = validate(seal(out, signer=sealer, timestamper=tsa, trust=trust), trust)
    assert report.ok
    assert len(report.signatures) == 1


def test_a_field_given_twice_is_refused() -> None:
    specs = field_specs(1)
    with pytest.raises(FieldExistsError):
        add_footer_and_fields(sample_pdf(pages=2), url=URL, code="c0de", box=BAND, fields=[*specs, specs[0]])
