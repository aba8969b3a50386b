"""Instansi of clients, archivists and documents (tenancy).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa  # noqa: F401 -- filled in by the issue-10 work reserving this revision
from alembic import op  # noqa: F401 -- filled in by the issue-10 work reserving this revision

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
