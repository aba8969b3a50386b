"""Validate every signature and document timestamp of a PDF against a :class:`TrustStore`.

The report is plain frozen data (``as_dict()`` is JSON-ready) so the web API and the CLI show
the same thing. Cryptographic checks, trust and modification analysis are pyHanko's; the PAdES
level is this module's best-effort reading of what the file carries:

* ``B-B`` — a ``/ETSI.CAdES.detached`` signature;
* ``B-T`` — plus a valid signature timestamp (or a valid document timestamp after it);
* ``B-LT`` — plus revocation data in the DSS (a CRL of its issuer, or an OCSP response about it)
  for every non-root certificate on the signer's and TSA's paths;
* ``B-LTA`` — plus a valid document timestamp in a later revision.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import Enum
from functools import cached_property
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext

from signing.errors import InvalidPdfError
from signing.pdf import PARSE_ERRORS, ROLE_MARKER, open_pdf
from signing.trust import TrustStore

__all__ = [
    "DocumentTimestampReport",
    "SignatureReport",
    "TimestampReport",
    "ValidationReport",
    "validate",
]

PADES_SUBFILTER = "/ETSI.CAdES.detached"


@dataclass(frozen=True, kw_only=True)
class TimestampReport:
    """An RFC 3161 signature timestamp embedded in a signature."""

    time: datetime
    tsa: str | None
    """Common name of the TSA certificate."""
    intact: bool
    valid: bool
    trusted: bool

    @property
    def ok(self) -> bool:
        """Intact, valid and trusted."""
        return self.intact and self.valid and self.trusted


@dataclass(frozen=True, kw_only=True)
class SignatureReport:
    """One signature (certification or approval)."""

    field_name: str
    revision: int
    """Zero-based revision the signature covers."""
    signer_name: str | None
    """Common name of the signer's certificate."""
    signer_nip: str | None
    """serialNumber of the signer's certificate (the NIP for civil servants)."""
    signer_subject: str
    signer_issuer: str | None
    """Common name of the CA that issued the signer's certificate (which provider signed)."""
    role: str | None
    """Role read from the ``/Reason`` ("… sebagai <role>"), if it is encoded there."""
    reason: str | None
    location: str | None
    certification: bool
    """A certification (author) signature, i.e. the instance seal."""
    docmdp_permission: str | None
    """DocMDP level set by the signature (``FILL_FORMS`` for the seal)."""
    field_locked: bool
    """The signature carries a FieldMDP lock."""
    signing_time: datetime | None
    """Time claimed by the signer (not proof; see :attr:`timestamp`)."""
    timestamp: TimestampReport | None
    intact: bool
    valid: bool
    trusted: bool
    trust_problem: str | None
    coverage: str | None
    """``ENTIRE_FILE``, ``ENTIRE_REVISION``, ``CONTIGUOUS_BLOCK_FROM_START`` or ``UNCLEAR``."""
    modification_level: str | None
    """``NONE``, ``LTA_UPDATES``, ``FORM_FILLING``, ``ANNOTATIONS`` or ``OTHER``."""
    docmdp_ok: bool | None
    pades_level: str | None
    ok: bool
    """pyHanko's bottom line: intact, valid, trusted, timestamp ok, modifications allowed."""
    error: str | None = None
    """Set when the signature could not be evaluated at all (then ``ok`` is false)."""
    trusted_at: datetime | None = None
    """``None``: :attr:`trusted` holds now. Otherwise the time of the signature timestamp at which
    the certificate was shown trusted from the DSS's revocation data (see :func:`validate`)."""


@dataclass(frozen=True, kw_only=True)
class DocumentTimestampReport:
    """One document timestamp (``/DocTimeStamp``)."""

    field_name: str
    revision: int
    time: datetime | None
    tsa: str | None
    intact: bool
    valid: bool
    trusted: bool
    coverage: str | None
    modification_level: str | None
    ok: bool
    error: str | None = None


@dataclass(frozen=True, kw_only=True)
class ValidationReport:
    """The result of :func:`validate`."""

    revisions: int
    signatures: tuple[SignatureReport, ...]
    document_timestamps: tuple[DocumentTimestampReport, ...]
    has_dss: bool

    @property
    def ok(self) -> bool:
        """At least one signature, and every signature and document timestamp is ok."""
        return (
            bool(self.signatures)
            and all(s.ok for s in self.signatures)
            and all(t.ok for t in self.document_timestamps)
        )

    @property
    def pades_level(self) -> str | None:
        """The lowest PAdES level among the signatures (``None`` if any is not PAdES)."""
        levels = [s.pades_level for s in self.signatures]
        if not levels or None in levels:
            return None
        return min(levels, key=lambda lvl: _LEVELS.index(lvl or ""))

    def signature(self, field_name: str) -> SignatureReport:
        """The report for one signature field.

        :param field_name: The field's name.
        :raises KeyError: if the document has no signature in that field.
        """
        for s in self.signatures:
            if s.field_name == field_name:
                return s
        raise KeyError(field_name)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO 8601 strings)."""
        data: dict[str, Any] = _jsonable(asdict(self))
        data["ok"] = self.ok
        data["pades_level"] = self.pades_level
        return data


_LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"]


def validate(pdf: bytes, trust: TrustStore, *, at: datetime | None = None) -> ValidationReport:
    """Validate all signatures and document timestamps of ``pdf``.

    Nothing is fetched from the network: trust comes from ``trust``, revocation from its CRLs
    and from the CRLs and OCSP responses in the file's DSS (a certificate without any fails).

    A signature whose certificate cannot be shown trusted now (typically: the OCSP responses in
    the DSS have passed their ``nextUpdate``) but whose signature timestamp is intact, valid and
    trusted is validated again as of the timestamp's time, with the DSS's revocation data
    counting for that time (:attr:`SignatureReport.trusted_at` then says so): the PAdES-LT
    reading, where the timestamp proves when the signature existed and the DSS that the
    certificate was not revoked then.

    :param pdf: The file's bytes.
    :param trust: Roots, intermediates and CRLs to validate against.
    :param at: Validate as of this time instead of now.
    :return: The report; a signature that fails is reported, not raised.
    :raises InvalidPdfError: for non-PDF input or a PDF whose structure cannot be read.
    """
    reader = open_pdf(pdf)
    revisions = reader.xrefs.total_revisions
    try:
        try:
            dss: DocumentSecurityStore | None = DocumentSecurityStore.read_dss(reader)
        except NoDSSFoundError:
            dss = None
        regular = sorted(reader.embedded_regular_signatures, key=lambda e: e.signed_revision)
        timestamps = sorted(reader.embedded_timestamp_signatures, key=lambda e: e.signed_revision)
    except PARSE_ERRORS as e:
        raise InvalidPdfError(f"{type(e).__name__}: {e}") from e
    revinfo = _DssRevinfo.read(dss)

    def context(moment: datetime | None = at, *, retroactive: bool = False) -> ValidationContext:
        return trust.validation_context(
            moment=moment,
            other_certs=revinfo.certs,
            crls=revinfo.crls,
            ocsps=revinfo.ocsps,
            retroactive_revinfo=retroactive,
        )

    doc_ts = tuple(_document_timestamp(es, context) for es in timestamps)
    signatures = tuple(_signature(es, context, doc_ts, revinfo) for es in regular)
    return ValidationReport(
        revisions=revisions,
        signatures=signatures,
        document_timestamps=doc_ts,
        has_dss=dss is not None,
    )


def _signature(
    es: EmbeddedPdfSignature,
    context: Callable[..., ValidationContext],
    doc_ts: tuple[DocumentTimestampReport, ...],
    revinfo: _DssRevinfo,
) -> SignatureReport:
    sig = es.sig_object
    cert = es.signer_cert
    reason = _text(sig.get("/Reason"))
    docmdp = es.docmdp_level
    common: dict[str, Any] = {
        "field_name": str(es.field_name),
        "revision": es.signed_revision,
        "signer_name": _name_attr(cert, "common_name"),
        "signer_nip": _name_attr(cert, "serial_number"),
        "signer_subject": cert.subject.human_friendly,
        "signer_issuer": cert.issuer.native.get("common_name"),
        "role": reason.split(ROLE_MARKER, 1)[1] if reason and ROLE_MARKER in reason else None,
        "reason": reason,
        "location": _text(sig.get("/Location")),
        "certification": es.sig_object_type == "/Sig" and _is_certification(es),
        "docmdp_permission": docmdp.name if docmdp is not None else None,
        "field_locked": es.fieldmdp is not None,
    }
    try:
        status = validate_pdf_signature(
            es,
            signer_validation_context=context(),
            ts_validation_context=context(),
        )
        trusted_at = None
        proven = status.timestamp_validity
        if not status.trusted and proven is not None and proven.intact and proven.valid and proven.trusted:
            at_signing = validate_pdf_signature(
                es,
                signer_validation_context=context(proven.timestamp, retroactive=True),
                ts_validation_context=context(),
            )
            if at_signing.trusted:
                status, trusted_at = at_signing, proven.timestamp
    except Exception as e:  # noqa: BLE001  (a malformed signature is a finding, not a crash)
        return SignatureReport(
            **common,
            signing_time=es.self_reported_timestamp,
            timestamp=None,
            intact=False,
            valid=False,
            trusted=False,
            trust_problem=None,
            coverage=None,
            modification_level=None,
            docmdp_ok=None,
            pades_level=None,
            ok=False,
            error=f"{type(e).__name__}: {e}",
        )
    ts = status.timestamp_validity
    timestamp = (
        TimestampReport(
            time=ts.timestamp,
            tsa=_name_attr(ts.signing_cert, "common_name"),
            intact=ts.intact,
            valid=ts.valid,
            trusted=ts.trusted,
        )
        if ts is not None
        else None
    )
    paths = [status.validation_path]
    if ts is not None:
        paths.append(ts.validation_path)
    level = _pades_level(
        subfilter=str(sig.get("/SubFilter")),
        crypto_ok=status.intact and status.valid and status.trusted,
        timestamp_ok=timestamp is not None and timestamp.ok,
        later_doc_ts_ok=any(t.ok and t.revision > es.signed_revision for t in doc_ts),
        revinfo_ok=_revinfo_covers(paths, revinfo),
    )
    mod = status.modification_level
    trust_problem = status.trust_problem_indic
    return SignatureReport(
        **common,
        signing_time=status.signer_reported_dt,
        timestamp=timestamp,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        trust_problem=getattr(trust_problem, "name", None) if trust_problem else None,
        coverage=status.coverage.name if status.coverage is not None else None,
        modification_level=mod.name if mod is not None else None,
        docmdp_ok=status.docmdp_ok,
        pades_level=level,
        ok=status.bottom_line,
        trusted_at=trusted_at,
    )


def _document_timestamp(
    es: EmbeddedPdfSignature, context: Callable[..., ValidationContext]
) -> DocumentTimestampReport:
    try:
        status = validate_pdf_timestamp(es, validation_context=context())
    except Exception as e:  # noqa: BLE001  (a malformed timestamp is a finding, not a crash)
        return DocumentTimestampReport(
            field_name=str(es.field_name),
            revision=es.signed_revision,
            time=None,
            tsa=None,
            intact=False,
            valid=False,
            trusted=False,
            coverage=None,
            modification_level=None,
            ok=False,
            error=f"{type(e).__name__}: {e}",
        )
    mod = status.modification_level
    ok = status.intact and status.valid and status.trusted
    # A document timestamp may only be followed by DSS/timestamp updates (or signatures).
    ok = ok and (status.docmdp_ok is not False)
    return DocumentTimestampReport(
        field_name=str(es.field_name),
        revision=es.signed_revision,
        time=status.timestamp,
        tsa=_name_attr(status.signing_cert, "common_name"),
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        coverage=status.coverage.name if status.coverage is not None else None,
        modification_level=mod.name if mod is not None else None,
        ok=ok,
    )


def _pades_level(
    *,
    subfilter: str,
    crypto_ok: bool,
    timestamp_ok: bool,
    later_doc_ts_ok: bool,
    revinfo_ok: bool,
) -> str | None:
    if subfilter != PADES_SUBFILTER or not crypto_ok:
        return None
    if not (timestamp_ok or later_doc_ts_ok):
        return "B-B"
    if not revinfo_ok:
        return "B-T"
    if not later_doc_ts_ok:
        return "B-LT"
    return "B-LTA"


def _revinfo_covers(paths: Iterable[Any], revinfo: _DssRevinfo) -> bool:
    """Every non-root certificate on the paths has, in the DSS, a CRL from its issuer or an OCSP
    response about it (matched by CertID: issuer name hash and serial number).
    """
    for path in paths:
        if path is None:
            return False
        for cert in path.iter_certs(include_root=False):
            if not revinfo.covers(cert):
                return False
    return True


@dataclass(frozen=True)
class _DssRevinfo:
    """What a PDF's DSS holds: certificates, CRLs, OCSP responses (``asn1crypto`` objects)."""

    certs: tuple[Any, ...] = ()
    crls: tuple[Any, ...] = ()
    ocsps: tuple[Any, ...] = ()

    @classmethod
    def read(cls, dss: DocumentSecurityStore | None) -> _DssRevinfo:
        """Parse the DSS; an unreadable entry is skipped (it then covers nothing)."""
        if dss is None:
            return cls()
        certs, crls, ocsps = [], [], []
        try:
            certs = list(dss.load_certs())
        except (ValueError, TypeError, *PARSE_ERRORS):
            certs = []
        for ref in dss.crls:
            try:
                crl = asn1_crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL))
                _ = crl.issuer  # parse now: a broken CRL is skipped here, not fatal later
                crls.append(crl)
            except (ValueError, TypeError, *PARSE_ERRORS):
                continue
        for ref in dss.ocsps:
            try:
                resp = asn1_ocsp.OCSPResponse.load(ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE))
                _ = resp["response_status"].native
                ocsps.append(resp)
            except (ValueError, TypeError, *PARSE_ERRORS):
                continue
        return cls(certs=tuple(certs), crls=tuple(crls), ocsps=tuple(ocsps))

    @cached_property
    def crl_issuers(self) -> frozenset[bytes]:
        """Issuer names (DER) of the CRLs."""
        return frozenset(crl.issuer.dump() for crl in self.crls)

    @cached_property
    def ocsp_cert_ids(self) -> frozenset[tuple[str, bytes, int]]:
        """``(hash algorithm, issuer name hash, serial)`` of every successful single response."""
        ids: set[tuple[str, bytes, int]] = set()
        for resp in self.ocsps:
            try:
                if resp["response_status"].native != "successful":
                    continue
                basic = resp["response_bytes"]["response"].parsed
                for single in basic["tbs_response_data"]["responses"]:
                    cert_id = single["cert_id"]
                    ids.add(
                        (
                            cert_id["hash_algorithm"]["algorithm"].native,
                            cert_id["issuer_name_hash"].native,
                            cert_id["serial_number"].native,
                        )
                    )
            except (ValueError, TypeError, KeyError):
                continue
        return frozenset(ids)

    def covers(self, cert: Any) -> bool:
        """Whether a CRL of ``cert``'s issuer or an OCSP response about ``cert`` is here."""
        issuer = cert.issuer.dump()
        if issuer in self.crl_issuers:
            return True
        for algorithm, name_hash, serial in self.ocsp_cert_ids:
            if (
                serial == cert.serial_number
                and algorithm in hashlib.algorithms_available
                and hashlib.new(algorithm, issuer).digest() == name_hash
            ):
                return True
        return False


def _is_certification(es: EmbeddedPdfSignature) -> bool:
    refs = es.sig_object.get("/Reference") or []
    return any(ref.get_object().get("/TransformMethod") == "/DocMDP" for ref in refs)


def _name_attr(cert: Any, attr: str) -> str | None:
    value = cert.subject.native.get(attr)
    return str(value) if value is not None else None


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.name
    return value
