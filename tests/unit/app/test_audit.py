"""The audit trail is a hash chain: it verifies, and a changed row is found."""

from __future__ import annotations

import itertools

from flask import Flask
from sqlalchemy import select, update

from service import audit
from service.db import get_session
from service.models import AuditEvent


def test_chain_verifies_and_detects_a_changed_row(app: Flask) -> None:
    with app.app_context():
        session = get_session()
        for i in range(5):
            audit.record(
                session,
                event="created",
                actor="client:x",
                document_id=f"doc_{i}",
                ip="127.0.0.1",
                data={"i": i},
            )
        session.commit()
        assert list(audit.verify_chain(session)) == []
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert rows[0].prev_hash == audit.GENESIS
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
        session.execute(update(AuditEvent).where(AuditEvent.id == rows[2].id).values(actor="client:mallory"))
        session.commit()
        session.expire_all()
        breaks = list(audit.verify_chain(session))
        assert [b.event_id for b in breaks] == [rows[2].id]
        assert "content" in breaks[0].reason
