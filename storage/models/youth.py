"""Young people: pseudonymous, known only by their chat id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class Youth(Base):
    __tablename__ = "youths"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    # Shown to educators instead of any name ("Jeune #4F2A").
    pseudonym: Mapped[str] = mapped_column(String(12), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the bot first presented itself (by /start or in its first answer).
    welcomed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Set when Telegram answered 403: the young person blocked the bot.
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # What the bot expects next from this young person ("feedback:<conversation id>", …).
    awaiting: Mapped[str | None] = mapped_column(String(48), default=None)
    # INSEE code of the commune, kept only with the young person's consent.
    commune_code: Mapped[str | None] = mapped_column(String(5), default=None)
