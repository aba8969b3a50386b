"""Documents ready for signing without LibreOffice: a generated PDF takes the rendered form's place.

Rendering and conversion have their own tests (tests/unit/documents); here the subject is what
happens after: seal, links, signatures, webhooks, archive.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from service.composition import get_services
from service.db import get_session
from service.jsonio import parse_json
from service.models import Document
from service.services import Services
from service.tenancy import Caller, Tenancy
from service.workflow import enrollment, operations
from service.workflow.providers import FIELD_MAKING_PROVIDERS
from service.workflow.revisions import add_revision
from service.workflow.signing_ops import has_key, seal_document
from service.workflow.stored import payload_of
from signing import FieldSpec, add_signature_fields
from tests.conftest import load_example
from tests.unit.signing.support import sample_pdf

FIELD_BOX = {
    "pegawai": (40, 90, 210, 170),
    "pejabat_penilai": (220, 90, 390, 170),
    "atasan_pejabat_penilai": (400, 90, 570, 170),
    # The unit and coaching documents' lone signers sign on the right, as their forms have it.
    "pimpinan_yang_berwenang": (400, 90, 570, 170),
    "pejabat_yang_berwenang": (400, 90, 570, 170),
    "konselor": (400, 90, 570, 170),
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
        for signer in document.signers:
            signer.kotak_json = json.dumps([1, *FIELD_BOX[signer.peran]])
        # As the render job does: no field for a provider that makes its own (BSrE).
        fields = [
            FieldSpec(name=s.field_name, page=1, box=FIELD_BOX[s.peran])
            for s in document.signers
            if s.penyedia not in FIELD_MAKING_PROVIDERS
        ]
        unsigned = add_signature_fields(sample_pdf(pages=2), fields)
        add_revision(session, services.store, document, data=unsigned, kind="render", based_on=-1)
        session.commit()
        seal_document(session, services, document, payload=payload_of(document))
        session.commit()
        return document.id


#: An example's officials, each signing through another provider (the pegawai: the instance CA);
#: the CSC credential and the NIK are those of ``tests.outside.pki``'s people.
PROVIDERS: dict[str, dict[str, Any]] = {
    "pejabat_penilai": {"sertifikat": {"penyedia": "csc", "credential_id": "tsp/pejabat_penilai"}},
    "atasan_pejabat_penilai": {"sertifikat": {"penyedia": "bsre", "nik": "3578135504730004"}},
}


def ready_with_providers(
    app: Flask,
    people: dict[str, dict[str, Any]],
    *,
    key: str = "k-1",
    example: str = "permenpanrb_8_2021_dokumen_penilaian",
) -> str:
    """:func:`ready_document` with ``people``'s fields (e.g. ``sertifikat``) added to the identities."""
    body = load_example(example)
    changes = {peran: {**body[peran], **extra} for peran, extra in people.items()}
    return ready_document(app, example=example, idempotency_key=key, changes=changes)


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


def mailed_code(mail_dir: Path, to: str) -> str:
    """The newest ``kode_verifikasi`` e-mailed to ``to``, read from the ``.eml`` files the service
    wrote (as the official would read it).
    """
    messages = []
    for path in sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        # Only the code messages: turn messages and reminders go to the same address.
        if message["To"] == to and str(message["Subject"]).strip().startswith("Kode verifikasi"):
            messages.append(message)
    assert messages, f"no e-mail to {to} in {mail_dir}"
    body = messages[-1].get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"^\s+(\d{8})$", body.get_content(), re.MULTILINE)
    assert found, body.get_content()
    return found.group(1)


def kode_for(session: Session, services: Services, document: Document, urutan: int) -> str:
    """What the official types as ``kode_verifikasi`` to enroll: ``""`` when they have a key in the
    document's instansi; else the code e-mailed to them, or the one their HR client is handed.
    """
    signer = next(s for s in document.signers if s.urutan == urutan)
    if has_key(session, document, signer.nip):
        return ""
    channel = enrollment.channel_for(session, document, signer)
    if channel.kind == "client":
        owner = Caller(actor="client:test", tenancy=Tenancy.every(), client_id=document.client_id)
        return enrollment.code_for_client(session, services, document, urutan, owner, ip=None)[0]
    assert channel.address is not None
    enrollment.send_code(session, services, document, signer, ip=None, again=False)
    session.commit()
    return mailed_code(services.settings.mail_dir, channel.address)


def kode_for_link(app: Flask, path: str) -> str:
    """:func:`kode_for` the signer of a signing link (``/sign/<token>`` or the token alone)."""
    from service.workflow.links import resolve_token

    token = path.rstrip("/").rsplit("/", 1)[-1]
    with app.app_context():
        session = get_session()
        signer = resolve_token(
            session, token, secret=app.config["SECRET_KEY"], now=get_services().clock.now()
        )
        return kode_for(session, get_services(), signer.document, signer.urutan)
