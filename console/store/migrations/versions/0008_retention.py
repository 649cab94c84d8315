"""Retention: legal holds and tombstones of purged records.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(64), nullable=False),
        sa.Column("placed_at", _TS, nullable=False),
        sa.Column("released_by", sa.String(64), nullable=True),
        sa.Column("released_at", _TS, nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_legal_holds"),
    )
    op.create_index("ix_legal_holds_incident_id", "legal_holds", ["incident_id"])
    op.create_table(
        "purged_incidents",
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("original_time", _TS, nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("purged_at", _TS, nullable=False),
        sa.Column("purged_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("removed", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", name="pk_purged_incidents"),
    )


def downgrade() -> None:
    op.drop_table("purged_incidents")
    op.drop_index("ix_legal_holds_incident_id", table_name="legal_holds")
    op.drop_table("legal_holds")
