"""Duty hours (permanences), what the clock already did, and anonymous conversation archives."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime

MINUTES_PER_DAY = 24 * 60


class DutySlot(Base):
    """A recurring weekly permanence of one educator, in the territory's local time."""

    __tablename__ = "duty_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    educator_id: Mapped[int] = mapped_column(
        ForeignKey("educators.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column()  # 0 = Monday … 6 = Sunday
    # Minutes after local midnight; the end may be 1440 (midnight at the end of the day).
    start_minute: Mapped[int] = mapped_column()
    end_minute: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DutyExceptionKind(StrEnum):
    ABSENCE = "absence"  # holidays, illness, training: permanences in this range do not happen
    EXTRA = "extra"  # a one-off permanence outside the weekly pattern


class DutyException(Base):
    """A one-off change to an educator's permanences."""

    __tablename__ = "duty_exceptions"
    __table_args__ = (Index("ix_duty_exceptions_ends_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    educator_id: Mapped[int] = mapped_column(
        ForeignKey("educators.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DutyPreference(Base):
    """An educator's choice: be put on duty automatically when a permanence starts."""

    __tablename__ = "duty_preferences"

    educator_id: Mapped[int] = mapped_column(
        ForeignKey("educators.id", ondelete="CASCADE"), primary_key=True
    )
    auto_duty: Mapped[bool] = mapped_column(default=False)


class ClockEvent(Base):
    """Something time-based that must happen once: a reminder for one permanence, an alert for
    one threshold, a weekly report. Inserted in the transaction that writes its outbox rows, so
    a restart neither repeats nor loses it, and two processes cannot both send it."""

    __tablename__ = "clock_events"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", "occurrence", name="uq_clock_events_once"),
        Index("ix_clock_events_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    # An educator or a conversation id (0 for team-wide events).
    subject_id: Mapped[int] = mapped_column(BigInteger)
    # Which occurrence: a permanence ("slot:3:2026-11-23"), a threshold ("…:10"), a week.
    occurrence: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ConversationArchive(Base):
    """What remains of a closed conversation after retention: no link to any person."""

    __tablename__ = "conversation_archives"
    __table_args__ = (Index("ix_conversation_archives_opened_at", "opened_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    escalation_reason: Mapped[str | None] = mapped_column(String(16), default=None)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    first_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_by: Mapped[str | None] = mapped_column(String(16), default=None)
    risk: Mapped[str] = mapped_column(String(16), default="none")
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    feedback: Mapped[str | None] = mapped_column(String(16), default=None)
    # The département (from the commune code kept with consent), never the commune itself.
    territory: Mapped[str | None] = mapped_column(String(3), default=None)
    archived_at: Mapped[datetime] = mapped_column(UTCDateTime)
