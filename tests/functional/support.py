"""Documents ready for signing without LibreOffice: a generated PDF takes the rendered form's place.

Rendering and conversion have their own tests (tests/unit/documents); here the subject is what
happens after: seal, links, signatures, webhooks, archive.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask

from service.composition import get_services
from service.db import get_session
from service.jsonio import parse_json
from service.models import Document
from service.workflow import operations
from service.workflow.revisions import add_revision
from service.workflow.signing_ops import seal_document
from service.workflow.stored import payload_of
from signing import FieldSpec, add_signature_fields
from tests.conftest import load_example
from tests.unit.signing.support import sample_pdf

FIELD_BOX = {
    "pegawai": (40, 90, 210, 170),
    "pejabat_penilai": (220, 90, 390, 170),
    "atasan_pejabat_penilai": (400, 90, 570, 170),
}


def ready_document(
    app: Flask,
    *,
    example: str = "permenpanrb_8_2021_dokumen_penilaian",
    client_name: str = "test-hr",
    idempotency_key: str = "k-1",
    changes: dict[str, Any] | None = None,
) -> str:
    """Create a document through the real operation, give it revision 0 and seal it."""
    from service.clients import SCOPES, create_client
    from service.models import ApiClient

    body = load_example(example)
    body.update(changes or {})
    raw = json.dumps(body)
    with app.app_context():
        session = get_session()
        client = session.query(ApiClient).filter_by(name=client_name).first()
        if client is None:
            client = create_client(session, client_name, SCOPES).client
        services = get_services()
        created = operations.create_document(
            session,
            services,
            client=client,
            idempotency_key=idempotency_key,
            body=parse_json(raw.encode()),
            raw_body=raw,
            ip="127.0.0.1",
        )
        document = created.document
        fields = [FieldSpec(name=s.field_name, page=1, box=FIELD_BOX[s.peran]) for s in document.signers]
        unsigned = add_signature_fields(sample_pdf(pages=2), fields)
        add_revision(session, services.store, document, data=unsigned, kind="render", based_on=-1)
        session.commit()
        seal_document(session, services, document, payload=payload_of(document))
        session.commit()
        return document.id


def document(app: Flask, document_id: str) -> Document:
    session = get_session()
    found = session.get(Document, document_id)
    assert found is not None
    session.refresh(found)
    return found


def child_env(app_config: dict[str, Any], instance: Path, **extra: str) -> dict[str, str]:
    """Environment for a child process that builds the same app (same database, files, PKI)."""
    import os

    return {
        **os.environ,
        "SKP_INSTANCE_PATH": str(instance),
        "SKP_SECRET_KEY": app_config["SECRET_KEY"],
        "SKP_KEY_ENCRYPTION_SECRET": app_config["KEY_ENCRYPTION_SECRET"],
        "SKP_DATABASE_URL": app_config["DATABASE_URL"],
        "SKP_FILES_DIR": app_config["FILES_DIR"],
        "SKP_PKI_DIR": app_config["PKI_DIR"],
        **extra,
    }
