"""duty hours: permanences, exceptions, preferences, clock events, conversation archives

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "duty_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("educator_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["educator_id"],
            ["educators.id"],
            name=op.f("fk_duty_slots_educator_id_educators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_slots")),
    )
    with op.batch_alter_table("duty_slots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_slots_educator_id"), ["educator_id"], unique=False)

    op.create_table(
        "duty_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("educator_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("starts_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["educator_id"],
            ["educators.id"],
            name=op.f("fk_duty_exceptions_educator_id_educators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_exceptions")),
    )
    with op.batch_alter_table("duty_exceptions", schema=None) as batch_op:
        batch_op.create_index("ix_duty_exceptions_ends_at", ["ends_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_duty_exceptions_educator_id"), ["educator_id"], unique=False
        )

    op.create_table(
        "duty_preferences",
        sa.Column("educator_id", sa.Integer(), nullable=False),
        sa.Column("auto_duty", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["educator_id"],
            ["educators.id"],
            name=op.f("fk_duty_preferences_educator_id_educators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("educator_id", name=op.f("pk_duty_preferences")),
    )

    op.create_table(
        "clock_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("occurrence", sa.String(length=64), nullable=False),
        sa.Column("at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clock_events")),
        sa.UniqueConstraint("kind", "subject_id", "occurrence", name="uq_clock_events_once"),
    )
    with op.batch_alter_table("clock_events", schema=None) as batch_op:
        batch_op.create_index("ix_clock_events_at", ["at"], unique=False)

    op.create_table(
        "conversation_archives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opened_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("escalated_at", storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalation_reason", sa.String(length=16), nullable=True),
        sa.Column("assigned_at", storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_answer_at", storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=16), nullable=True),
        sa.Column("risk", sa.String(length=16), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("feedback", sa.String(length=16), nullable=True),
        sa.Column("territory", sa.String(length=3), nullable=True),
        sa.Column("archived_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_archives")),
    )
    with op.batch_alter_table("conversation_archives", schema=None) as batch_op:
        batch_op.create_index("ix_conversation_archives_opened_at", ["opened_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("conversation_archives", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_archives_opened_at")
    op.drop_table("conversation_archives")
    with op.batch_alter_table("clock_events", schema=None) as batch_op:
        batch_op.drop_index("ix_clock_events_at")
    op.drop_table("clock_events")
    op.drop_table("duty_preferences")
    with op.batch_alter_table("duty_exceptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_exceptions_educator_id"))
        batch_op.drop_index("ix_duty_exceptions_ends_at")
    op.drop_table("duty_exceptions")
    with op.batch_alter_table("duty_slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_slots_educator_id"))
    op.drop_table("duty_slots")
