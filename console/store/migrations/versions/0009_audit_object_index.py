"""Index the audit log by object, for an incident's audit trail on its page.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_log_object_id", "audit_log", ["object_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_object_id", table_name="audit_log")
