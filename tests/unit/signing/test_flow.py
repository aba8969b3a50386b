"""Seal + three approvals + archival timestamp; every step re-opened and validated twice.

Independent checks: pyHanko (via :func:`signing.validation.validate`) and poppler's ``pdfsig``
with an NSS database that trusts only the instance root.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from signing.pdf import add_document_timestamp, signature_fields
from signing.timestamps import LocalTsa
from signing.trust import TrustStore
from signing.validation import validate
from tests.unit.signing.conftest import Person
from tests.unit.signing.support import PERAN_LABEL, ROLES, pdfsig

FIELDS_IN_ORDER = ["segel", *(f"ttd_{r}" for r in ROLES)]


@pytest.mark.parametrize("step", [0, 1, 2, 3, 4], ids=["seal", *ROLES, "lta"])
def test_every_earlier_signature_survives_each_step(
    *,
    step: int,
    signed_versions: list[bytes],
    unsigned_pdf: bytes,
    trust: TrustStore,
    people: dict[str, Person],
    nssdir: str,
    tmp_path: Path,
) -> None:
    pdf = signed_versions[step]
    previous = unsigned_pdf if step == 0 else signed_versions[step - 1]
    # Incremental: the earlier file is a byte-for-byte prefix of the new one.
    assert pdf.startswith(previous)
    assert len(pdf) > len(previous)

    report = validate(pdf, trust)
    expected = FIELDS_IN_ORDER[: min(step, 3) + 1]
    assert [s.field_name for s in report.signatures] == expected
    for sig in report.signatures:
        assert sig.intact, sig.field_name
        assert sig.valid, sig.field_name
        assert sig.trusted, sig.field_name
        assert sig.docmdp_ok, sig.field_name
        assert sig.timestamp is not None
        assert sig.timestamp.ok, sig.field_name
        assert sig.coverage == "ENTIRE_REVISION"  # each is followed by at least its DSS revision
        assert sig.pades_level in {"B-LT", "B-LTA"}
        assert sig.ok, sig.field_name
    newest = report.signatures[-1]
    if step < 4:
        assert newest.modification_level == "LTA_UPDATES"  # only its own DSS after it
    assert report.ok
    assert report.has_dss

    seal_report = report.signature("segel")
    assert seal_report.certification
    assert seal_report.docmdp_permission == "FILL_FORMS"
    assert seal_report.signer_name == "Pemerintah Kabupaten Contoh Segel Elektronik"
    for role in ROLES[:step]:
        sig = report.signature(f"ttd_{role}")
        assert not sig.certification
        assert sig.field_locked
        assert sig.role == PERAN_LABEL[role]
        assert sig.signer_nip == people[role].nip
        assert sig.signer_name == people[role].nama
        assert sig.modification_level in {"FORM_FILLING", "LTA_UPDATES"}

    # Independently: poppler/NSS.
    entries = pdfsig(pdf, nssdir=nssdir, workdir=tmp_path)
    for name in expected:
        assert entries[name].signature_validation == "Signature is Valid.", name
        assert entries[name].certificate_validation == "Certificate is Trusted.", name
        assert entries[name].signature_type == "ETSI.CAdES.detached"


def test_final_file_is_b_lta(
    signed_versions: list[bytes], trust: TrustStore, nssdir: str, tmp_path: Path
) -> None:
    final = signed_versions[-1]
    report = validate(final, trust)
    assert report.pades_level == "B-LTA"
    assert all(s.pades_level == "B-LTA" for s in report.signatures)
    assert len(report.document_timestamps) == 1
    doc_ts = report.document_timestamps[0]
    assert doc_ts.ok
    assert doc_ts.tsa == "Pemerintah Kabupaten Contoh TSA"
    assert doc_ts.revision > max(s.revision for s in report.signatures)
    # Before the archival timestamp the same file is "only" B-LT.
    assert validate(signed_versions[-2], trust).pades_level == "B-LT"
    # pdfsig does not verify RFC 3161 document timestamps: it lists them as type unknown.
    entries = pdfsig(final, nssdir=nssdir, workdir=tmp_path)
    assert entries[doc_ts.field_name].signature_type == "unknown"
    assert all(f.signed for f in signature_fields(final))


def test_report_as_dict_is_json_ready(signed_versions: list[bytes], trust: TrustStore) -> None:
    import json

    data = validate(signed_versions[-1], trust).as_dict()
    text = json.dumps(data)
    assert data["ok"] is True
    assert data["pades_level"] == "B-LTA"
    assert data["signatures"][1]["role"] == PERAN_LABEL["pegawai"]
    assert '"coverage": "ENTIRE_REVISION"' in text


def test_archival_timestamp_can_be_renewed(
    signed_versions: list[bytes], tsa: LocalTsa, trust: TrustStore
) -> None:
    renewed = add_document_timestamp(signed_versions[-1], timestamper=tsa, trust=trust)
    report = validate(renewed, trust)
    assert len(report.document_timestamps) == 2
    assert all(t.ok for t in report.document_timestamps)
    assert report.ok
    assert report.pades_level == "B-LTA"
