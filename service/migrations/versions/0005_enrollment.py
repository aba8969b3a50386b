"""Signer keys per official within an instansi, enrollment codes, revocation.

A key made before this revision was kept per NIP for the whole instance; it now belongs to the
instansi of the first document its official signed (``enrolled_via = "legacy"``), and an official who
never signed has no key there any more. Re-enrollment of a legacy key asks for a code like a first one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ACTIVE = "revoked_at IS NULL"


def upgrade() -> None:
    # A new table, rows copied, old one dropped: the unique NIP of 0002 has no name to drop on
    # SQLite, and nothing refers to signer_keys, so a copy is the one way that works on both.
    op.create_table(
        "signer_keys_v2",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instansi_key", sa.String(300), nullable=False),
        sa.Column("nip", sa.String(18), nullable=False),
        sa.Column("p12", sa.LargeBinary(), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("enrolled_via", sa.String(20), nullable=False),
        sa.Column("enrolled_email", sa.String(300), nullable=True),
        sa.Column("vouched_by_client_id", sa.Integer(), sa.ForeignKey("api_clients.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    # ids are not copied (nothing refers to them), so PostgreSQL's sequence stays right.
    op.execute(
        """
        INSERT INTO signer_keys_v2
            (instansi_key, nip, p12, certificate_pem, source, enrolled_via, created_at)
        SELECT COALESCE((
                   SELECT d.instansi_key FROM signers s JOIN documents d ON d.id = s.document_id
                   WHERE s.nip = k.nip AND s.status = 'signed' ORDER BY s.signed_at LIMIT 1), ''),
               k.nip, k.p12, k.certificate_pem, k.source, 'legacy', k.created_at
        FROM signer_keys k
        """
    )
    op.drop_table("signer_keys")
    op.rename_table("signer_keys_v2", "signer_keys")
    op.create_index("ix_signer_keys_nip", "signer_keys", ["nip"])
    op.create_index(
        "uq_signer_keys_active",
        "signer_keys",
        ["instansi_key", "nip"],
        unique=True,
        sqlite_where=sa.text(_ACTIVE),
        postgresql_where=sa.text(_ACTIVE),
    )
    op.create_table(
        "enrollment_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("signer_id", sa.Integer(), sa.ForeignKey("signers.id"), nullable=False),
        sa.Column("code_hmac", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("sent_to", sa.String(300), nullable=True),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("api_clients.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_enrollment_codes_signer_id", "enrollment_codes", ["signer_id"])


def downgrade() -> None:
    op.drop_index("ix_enrollment_codes_signer_id", "enrollment_codes")
    op.drop_table("enrollment_codes")
    op.drop_index("uq_signer_keys_active", "signer_keys")
    op.drop_index("ix_signer_keys_nip", "signer_keys")
    op.execute("DELETE FROM signer_keys WHERE revoked_at IS NOT NULL")
    with op.batch_alter_table("signer_keys") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("vouched_by_client_id")
        batch.drop_column("enrolled_email")
        batch.drop_column("enrolled_via")
        batch.drop_column("instansi_key")
        batch.create_unique_constraint("uq_signer_keys_nip", ["nip"])
