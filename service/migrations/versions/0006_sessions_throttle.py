"""Server-side archive sessions, expiring lockouts, per-address throttling.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa  # noqa: F401 -- filled in by the issue-10 work reserving this revision
from alembic import op  # noqa: F401 -- filled in by the issue-10 work reserving this revision

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
