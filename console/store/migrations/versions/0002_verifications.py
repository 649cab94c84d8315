"""Verifications: replays of recordings through the embedded locator, per incident.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.String(64), nullable=True),
        sa.Column("user_name", sa.String(128), nullable=False),
        sa.Column("user_role", sa.String(32), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data_path", sa.String(4096), nullable=False),
        sa.Column("data_sha256", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_verifications"),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], ondelete="CASCADE",
                                name="fk_verifications_incident_id_incidents"),
    )
    op.create_index("ix_verifications_incident_id", "verifications", ["incident_id"])


def downgrade() -> None:
    op.drop_index("ix_verifications_incident_id", table_name="verifications")
    op.drop_table("verifications")
