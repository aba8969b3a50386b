"""PAdES signing for SKP documents, Flask-free (the service calls it; it never imports Flask).

The names below are loaded lazily, so ``import signing.errors`` (e.g. from the web layer's error
handlers) does not pull in pyHanko at start-up::

    from signing import create_dev_pki, add_signature_fields, seal, approve, validate
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from signing.bsre import BsreAppearance, BsreClient, BsreUserStatus
    from signing.csc import CscDocumentSigner, open_csc_signer
    from signing.issuing import (
        CertificateIssuer,
        DevCaIssuer,
        IssuedKey,
        issue_signer_certificate,
        new_signer,
        new_signer_p12,
        refresh_crls,
        revoke,
    )
    from signing.pdf import (
        FieldSpec,
        SignatureField,
        StampInfo,
        add_document_timestamp,
        add_footer_and_fields,
        add_signature_fields,
        add_verification_footer,
        approve,
        seal,
        signature_fields,
    )
    from signing.pki import DevPki, create_dev_pki, load_dev_pki
    from signing.remote import accept_remote_signature, add_validation_data
    from signing.signers import (
        DocumentSigner,
        P12Inspection,
        Pkcs11Session,
        Pkcs11Signer,
        Pkcs12Signer,
        inspect_p12,
    )
    from signing.stamp_image import stamp_png
    from signing.timestamps import HttpTsa, LocalTsa, Timestamper, respond_to_tsa_request
    from signing.trust import TrustStore
    from signing.validation import ValidationReport, validate

__all__ = [
    "BsreAppearance",
    "BsreClient",
    "BsreUserStatus",
    "CertificateIssuer",
    "CscDocumentSigner",
    "DevCaIssuer",
    "DevPki",
    "DocumentSigner",
    "FieldSpec",
    "HttpTsa",
    "IssuedKey",
    "LocalTsa",
    "P12Inspection",
    "Pkcs11Session",
    "Pkcs11Signer",
    "Pkcs12Signer",
    "SignatureField",
    "StampInfo",
    "Timestamper",
    "TrustStore",
    "ValidationReport",
    "accept_remote_signature",
    "add_document_timestamp",
    "add_footer_and_fields",
    "add_signature_fields",
    "add_validation_data",
    "add_verification_footer",
    "approve",
    "create_dev_pki",
    "inspect_p12",
    "issue_signer_certificate",
    "load_dev_pki",
    "new_signer",
    "new_signer_p12",
    "open_csc_signer",
    "refresh_crls",
    "respond_to_tsa_request",
    "revoke",
    "seal",
    "signature_fields",
    "stamp_png",
    "validate",
]

_HOME = {
    **dict.fromkeys(
        [
            "FieldSpec",
            "SignatureField",
            "StampInfo",
            "add_document_timestamp",
            "add_signature_fields",
            "add_footer_and_fields",
            "add_verification_footer",
            "approve",
            "seal",
            "signature_fields",
        ],
        "signing.pdf",
    ),
    **dict.fromkeys(
        [
            "CertificateIssuer",
            "DevCaIssuer",
            "IssuedKey",
            "issue_signer_certificate",
            "new_signer",
            "new_signer_p12",
            "refresh_crls",
            "revoke",
        ],
        "signing.issuing",
    ),
    **dict.fromkeys(["DevPki", "create_dev_pki", "load_dev_pki"], "signing.pki"),
    **dict.fromkeys(
        ["DocumentSigner", "P12Inspection", "Pkcs11Session", "Pkcs11Signer", "Pkcs12Signer", "inspect_p12"],
        "signing.signers",
    ),
    **dict.fromkeys(["HttpTsa", "LocalTsa", "Timestamper", "respond_to_tsa_request"], "signing.timestamps"),
    **dict.fromkeys(["TrustStore"], "signing.trust"),
    **dict.fromkeys(["ValidationReport", "validate"], "signing.validation"),
    **dict.fromkeys(["BsreAppearance", "BsreClient", "BsreUserStatus"], "signing.bsre"),
    **dict.fromkeys(["CscDocumentSigner", "open_csc_signer"], "signing.csc"),
    **dict.fromkeys(["accept_remote_signature", "add_validation_data"], "signing.remote"),
    **dict.fromkeys(["stamp_png"], "signing.stamp_image"),
}


def __getattr__(name: str) -> Any:
    try:
        module = _HOME[name]
    except KeyError:
        raise AttributeError(f"module 'signing' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
