"""Educators (promeneurs) and coordinators."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class EducatorRole(StrEnum):
    EDUCATOR = "educator"
    COORDINATOR = "coordinator"


class Educator(Base):
    __tablename__ = "educators"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    structure: Mapped[str | None] = mapped_column(String(128), default=None)
    role: Mapped[str] = mapped_column(String(16), default=EducatorRole.EDUCATOR)
    active: Mapped[bool] = mapped_column(default=True)
    on_duty: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int] = mapped_column(default=3)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Where a bare message goes when private topics are unavailable: the conversation last
    # selected (by taking it, replying in it or choosing it).
    selected_conversation_id: Mapped[int | None] = mapped_column(default=None)

    @property
    def is_coordinator(self) -> bool:
        return self.role == EducatorRole.COORDINATOR

    @property
    def signature(self) -> str:
        return f"{self.display_name} ({self.structure})" if self.structure else self.display_name


class EducatorInvite(Base):
    """A single-use, expiring link that lets a new educator register."""

    __tablename__ = "educator_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    role: Mapped[str] = mapped_column(String(16), default=EducatorRole.EDUCATOR)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("educators.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The person who opened the link and is now giving their name.
    claimed_by: Mapped[int | None] = mapped_column(BigInteger, default=None)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
