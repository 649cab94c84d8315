"""Initial schema: incidents, revisions, feed cursor, rejected alerts, audio cache, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("review", sa.String(16), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("time", _TS, nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("uncertainty_m", sa.Double(), nullable=False),
        sa.Column("address", sa.String(200), nullable=True),
        sa.Column("district", sa.String(64), nullable=True),
        sa.Column("beat", sa.String(32), nullable=True),
        sa.Column("rounds", sa.Integer(), nullable=True),
        sa.Column("shooters", sa.Integer(), nullable=True),
        sa.Column("mobile", sa.JSON(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("acknowledged_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
    )
    op.create_index("ix_incidents_time", "incidents", ["time"])
    op.create_table(
        "alert_revisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("feed_url", sa.String(2048), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alert_revisions"),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], ondelete="CASCADE",
                                name="fk_alert_revisions_incident_id_incidents"),
        sa.UniqueConstraint("incident_id", "revision",
                            name="uq_alert_revisions_incident_id_revision"),
    )
    op.create_table(
        "feed_cursor",
        sa.Column("feed_url", sa.String(2048), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.String(128), nullable=True),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("feed_url", name="pk_feed_cursor"),
    )
    op.create_table(
        "rejected_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("feed_url", sa.String(2048), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rejected_alerts"),
        sa.UniqueConstraint("raw_sha256", name="uq_rejected_alerts_raw_sha256"),
    )
    op.create_table(
        "audio_cache",
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("fetched_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "n", name="pk_audio_cache"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("acked_at", _TS, nullable=True),
        sa.Column("failed_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    )
    op.create_index("ix_outbox_acked_at_failed_at_id", "outbox", ["acked_at", "failed_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_acked_at_failed_at_id", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("audio_cache")
    op.drop_table("rejected_alerts")
    op.drop_table("feed_cursor")
    op.drop_table("alert_revisions")
    op.drop_index("ix_incidents_time", table_name="incidents")
    op.drop_table("incidents")
