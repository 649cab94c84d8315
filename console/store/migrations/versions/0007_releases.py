"""Release requests of reports and audio to outside parties.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "release_requests",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requester_role", sa.String(16), nullable=False),
        sa.Column("requested_at", _TS, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", _TS, nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("produced_by", sa.String(64), nullable=True),
        sa.Column("produced_at", _TS, nullable=True),
        sa.Column("output_sha256", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_release_requests"),
    )
    op.create_index("ix_release_requests_incident_id", "release_requests", ["incident_id"])
    op.create_index("ix_release_requests_status", "release_requests", ["status"])


def downgrade() -> None:
    op.drop_index("ix_release_requests_status", table_name="release_requests")
    op.drop_index("ix_release_requests_incident_id", table_name="release_requests")
    op.drop_table("release_requests")
