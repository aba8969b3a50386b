"""The "lembar riwayat": a sealed history sheet issued beside a completed document.

It lists the document, every signer and revision (with SHA-256) and the audit trail, and it is a
file of its own: the signed document is never touched again after its archival timestamp.
"""

from __future__ import annotations

import datetime as dt
import io

from docx import Document as Word
from docx.shared import Pt
from sqlalchemy.orm import Session

from service import audit
from service.models import AuditEvent, Document
from service.readable import REVISI, pengganti, periode, peristiwa, waktu, zona
from service.scoring.vocabulary import PERAN_LABEL
from service.services import Services
from service.workflow.stored import nomor_label, payload_of
from signing import seal

__all__ = ["HISTORY_FILE", "build_history_docx", "history_job"]

HISTORY_FILE = "lembar-riwayat.pdf"


def build_history_docx(document: Document, events: list[AuditEvent], zone: dt.tzinfo = dt.UTC) -> bytes:
    """A plain Word file with the history; converted and sealed like every other form.

    :param zone: the instance's zone (``settings.timezone``): times are printed in it (WIB/WITA/WIT).
    """
    zone_name = zona(zone)
    payload = payload_of(document)
    word = Word()
    style = word.styles["Normal"]
    style.font.name = "Liberation Sans"
    style.font.size = Pt(9)
    word.add_heading("LEMBAR RIWAYAT DOKUMEN", level=1)
    subjek = (
        f"Pegawai: {document.pegawai_nama} (NIP {document.pegawai_nip})"
        if document.pegawai_nip
        else f"Unit kerja: {document.unit_kerja}"
    )
    word.add_paragraph(
        f"Dokumen {document.id} · {document.type} · {document.regime} · periode "
        f"{periode(payload['periode'])}\n"
        f"{subjek} · {payload.get('instansi', '')}\n"
        f"Kode verifikasi: {document.verification_code}"
    )
    word.add_heading("Penanda tangan", level=2)
    table = word.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("No", "Peran", "Nama / NIP", f"Ditandatangani ({zone_name})"), strict=True
    ):
        cell.text = text
    for signer in document.signers:
        row = table.add_row().cells
        row[0].text = str(signer.urutan)
        ganti = pengganti(signer.delegate_json)
        row[1].text = f"{ganti['jenis']} {PERAN_LABEL[signer.peran]}" if ganti else PERAN_LABEL[signer.peran]
        row[2].text = f"{signer.nama}\n{nomor_label(document, signer)} {signer.nip}"
        if ganti:
            row[2].text += f"\n{ganti['jenis']} {ganti['teks']}"
        row[3].text = waktu(signer.signed_at, zone, detik=True) if signer.signed_at else "-"
    word.add_heading("Revisi berkas", level=2)
    table = word.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Revisi", "Jenis", "SHA-256"), strict=True):
        cell.text = text
    for revision in document.revisions:
        row = table.add_row().cells
        row[0].text = str(revision.number)
        row[1].text = REVISI.get(revision.kind, revision.kind)
        row[2].text = revision.sha256
    word.add_heading("Jejak audit", level=2)
    table = word.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    heads = (f"Waktu ({zone_name})", "Peristiwa", "Pelaku", "Hash")
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        cell.text = text
    for event in events:
        row = table.add_row().cells
        row[0].text = waktu(event.at, zone, detik=True)
        row[1].text = peristiwa(event.event)
        row[2].text = event.actor
        row[3].text = event.hash[:16] + "…"
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def history_job(session: Session, services: Services, document_id: str) -> None:
    """Issue the sealed history sheet of a completed document (once)."""
    document = session.get(Document, document_id)
    if document is None or document.status != "completed" or services.store.exists(document.id, HISTORY_FILE):
        return
    events = audit.document_events(session, document.id)
    pdf = services.converter().convert(
        build_history_docx(document, events, services.settings.timezone),
        timeout=services.settings.converter_timeout,
    )
    sealed = seal(
        pdf,
        signer=services.seal_signer(),
        timestamper=services.timestamper(),
        trust=services.trust(),
        reason="Lembar riwayat dokumen diterbitkan oleh layanan",
    )
    services.store.put(document.id, HISTORY_FILE, sealed)
    audit.record(
        session,
        event="history_issued",
        actor="system",
        document_id=document.id,
        data={"file": HISTORY_FILE, "bytes": len(sealed)},
    )
    session.commit()
