"""The audit chain's head in one row, so concurrent appends queue up instead of forking the chain.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
    )
    conn = op.get_bind()
    last = conn.execute(sa.text("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1")).scalar()
    count = conn.execute(sa.text("SELECT COUNT(*) FROM audit_events")).scalar()
    conn.execute(
        sa.text("INSERT INTO audit_head (id, hash, events) VALUES (1, :hash, :events)"),
        {"hash": last or GENESIS, "events": count or 0},
    )


def downgrade() -> None:
    op.drop_table("audit_head")
