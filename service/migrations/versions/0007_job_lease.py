"""Job leases: a live worker reclaims documents whose worker died.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No rows for documents already `rendering`: the first reclaim round finds them (no lease, not
    # touched for a lease period) and queues them, as the start-up resume did before.
    op.create_table(
        "job_leases",
        sa.Column("document_id", sa.String(40), sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("job", sa.String(30), primary_key=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reclaims", sa.Integer(), nullable=False),
    )
    op.create_index("ix_job_leases_holder", "job_leases", ["holder"])
    op.create_index("ix_job_leases_expires_at", "job_leases", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_job_leases_expires_at", table_name="job_leases")
    op.drop_index("ix_job_leases_holder", table_name="job_leases")
    op.drop_table("job_leases")
