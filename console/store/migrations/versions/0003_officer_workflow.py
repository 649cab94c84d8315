"""Officer workflow: unit events, canvass areas and visits, evidence, links, unit identity.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "unit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_unit_events"),
        sa.UniqueConstraint("event_id", name="uq_unit_events_event_id"),
    )
    op.create_index("ix_unit_events_incident_id", "unit_events", ["incident_id"])
    op.create_table(
        "canvass_areas",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("center_lat", sa.Double(), nullable=False),
        sa.Column("center_lon", sa.Double(), nullable=False),
        sa.Column("radius_m", sa.Double(), nullable=True),
        sa.Column("polygon_geojson", sa.Text(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_canvass_areas"),
    )
    op.create_index("ix_canvass_areas_incident_id", "canvass_areas", ["incident_id"],
                    unique=True)
    op.create_table(
        "canvass_visits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("visit_id", sa.String(36), nullable=False),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("address_key", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("heard_time", sa.String(64), nullable=True),
        sa.Column("heard_count", sa.Integer(), nullable=True),
        sa.Column("heard_direction", sa.String(32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("witness_name", sa.Text(), nullable=True),
        sa.Column("witness_contact", sa.Text(), nullable=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_canvass_visits"),
        sa.UniqueConstraint("visit_id", name="uq_canvass_visits_visit_id"),
    )
    op.create_index("ix_canvass_visits_incident_id", "canvass_visits", ["incident_id"])
    op.create_table(
        "evidence_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(36), nullable=False),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_items"),
        sa.UniqueConstraint("item_id", name="uq_evidence_items_item_id"),
    )
    op.create_index("ix_evidence_items_incident_id", "evidence_items", ["incident_id"])
    op.create_table(
        "incident_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("related_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("linked_at", _TS, nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_incident_links"),
        sa.UniqueConstraint("incident_id", "related_id",
                            name="uq_incident_links_incident_id_related_id"),
    )
    op.create_index("ix_incident_links_incident_id", "incident_links", ["incident_id"])
    op.create_table(
        "unit_identity",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("call_sign", sa.String(64), nullable=False),
        sa.Column("shift_started_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_unit_identity"),
    )


def downgrade() -> None:
    op.drop_table("unit_identity")
    op.drop_index("ix_incident_links_incident_id", table_name="incident_links")
    op.drop_table("incident_links")
    op.drop_index("ix_evidence_items_incident_id", table_name="evidence_items")
    op.drop_table("evidence_items")
    op.drop_index("ix_canvass_visits_incident_id", table_name="canvass_visits")
    op.drop_table("canvass_visits")
    op.drop_index("ix_canvass_areas_incident_id", table_name="canvass_areas")
    op.drop_table("canvass_areas")
    op.drop_index("ix_unit_events_incident_id", table_name="unit_events")
    op.drop_table("unit_events")
