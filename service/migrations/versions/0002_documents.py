"""Documents, signers, revisions and the audit trail.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("api_clients.id"), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("type", sa.String(30), nullable=False),
        sa.Column("regime", sa.String(30), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("hasil_json", sa.Text(), nullable=False),
        sa.Column("verification_code", sa.String(40), nullable=False, unique=True),
        sa.Column("pegawai_nip", sa.String(18), nullable=False),
        sa.Column("pegawai_nama", sa.String(200), nullable=False),
        sa.Column("unit_kerja", sa.String(300), nullable=False),
        sa.Column("periode_tahun", sa.Integer(), nullable=False),
        sa.Column("current_revision", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("client_id", "idempotency_key", name="uq_documents_idempotency"),
    )
    op.create_index("ix_documents_status", "documents", ["status"])
    op.create_index("ix_documents_nip_created", "documents", ["pegawai_nip", "created_at"])
    op.create_index("ix_documents_unit_periode", "documents", ["unit_kerja", "periode_tahun", "created_at"])
    op.create_index("ix_documents_created", "documents", ["created_at"])
    op.create_table(
        "signers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.String(40), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("urutan", sa.Integer(), nullable=False),
        sa.Column("peran", sa.String(40), nullable=False),
        sa.Column("nama", sa.String(200), nullable=False),
        sa.Column("nip", sa.String(18), nullable=False),
        sa.Column("jabatan", sa.String(300), nullable=False),
        sa.Column("email", sa.String(300), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("signed_at", TS, nullable=True),
        sa.Column("field_name", sa.String(60), nullable=False),
        sa.Column("link_nonce", sa.String(64), nullable=True),
        sa.Column("link_expires_at", TS, nullable=True),
        sa.Column("link_used_at", TS, nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("delegate_json", sa.Text(), nullable=True),
        sa.UniqueConstraint("document_id", "urutan", name="uq_signers_urutan"),
    )
    op.create_index("ix_signers_document_id", "signers", ["document_id"])
    op.create_table(
        "signer_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("nip", sa.String(18), nullable=False, unique=True),
        sa.Column("p12", sa.LargeBinary(), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.String(40), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("filename", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("document_id", "number", name="uq_revisions_number"),
    )
    op.create_index("ix_revisions_document_id", "revisions", ["document_id"])
    op.create_index("ix_revisions_sha256", "revisions", ["sha256"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.String(40), nullable=True),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("data_json", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_index("ix_audit_events_document_id", "audit_events", ["document_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.String(40), nullable=False),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("api_clients.id"), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("delivered_at", TS, nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_webhook_deliveries_document_id", "webhook_deliveries", ["document_id"])
    op.create_index("ix_webhook_due", "webhook_deliveries", ["delivered_at", "next_attempt_at"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("users")
    op.drop_table("webhook_deliveries")
    op.drop_table("audit_events")
    op.drop_table("revisions")
    op.drop_table("signer_keys")
    op.drop_table("signers")
    op.drop_table("documents")
