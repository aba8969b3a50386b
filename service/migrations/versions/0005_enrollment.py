"""Signer keys per official within an instansi, enrollment codes, revocation.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa  # noqa: F401 -- filled in by the issue-10 work reserving this revision
from alembic import op  # noqa: F401 -- filled in by the issue-10 work reserving this revision

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
