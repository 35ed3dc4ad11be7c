"""Conversations and the messages they hold."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, UTCDateTime

if TYPE_CHECKING:
    from storage.models.outbox import OutboxMessage


class ConversationStatus(StrEnum):
    OPEN = "open"  # the young person talks with the bot
    WAITING = "waiting"  # in the queue for an educator
    ASSIGNED = "assigned"  # an educator is in the conversation
    CLOSED = "closed"


class Direction(StrEnum):
    IN = "in"  # from the young person
    BOT = "bot"  # the bot's own answer
    EDUCATOR = "educator"  # relayed from an educator


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_youth_status", "youth_id", "status"),
        Index("ix_conversations_status_answer_due", "status", "answer_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    youth_id: Mapped[int] = mapped_column(ForeignKey("youths.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=ConversationStatus.OPEN)
    # Highest risk seen so far: none, elevated, imminent.
    risk: Mapped[str] = mapped_column(String(16), default="none")
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Why the triage decided what it did: shown to the educator who takes over.
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Themes for which the bot already offered places nearby (offered once per conversation).
    places_offered: Mapped[list[str]] = mapped_column(JSON, default=list)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Escalation request: when and why the conversation asked for a human.
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    escalation_reason: Mapped[str | None] = mapped_column(String(16), default=None)
    assigned_educator_id: Mapped[int | None] = mapped_column(
        ForeignKey("educators.id", ondelete="SET NULL"), default=None
    )
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The bot's conversational answer waits for the young person to pause.
    answer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Last incoming message already covered by a bot answer.
    answered_up_to: Mapped[int] = mapped_column(default=0)
    feedback: Mapped[str | None] = mapped_column(String(16), default=None)
    feedback_comment: Mapped[str | None] = mapped_column(Text, default=None)
    closed_by: Mapped[str | None] = mapped_column(String(16), default=None)
    # Forum topic of this conversation in the assigned educator's private chat with the bot.
    educator_thread_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # The outbox row creating that topic, while Telegram has not answered yet.
    topic_outbox_id: Mapped[int | None] = mapped_column(default=None)
    # A returning young person asked for the same educator: offered to them first, until then.
    preferred_educator_id: Mapped[int | None] = mapped_column(
        ForeignKey("educators.id", ondelete="SET NULL"), default=None
    )
    offered_to_all_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # A transfer proposed to a colleague, waiting for them to accept.
    transfer_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("educators.id", ondelete="SET NULL"), default=None
    )


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        Index("ix_messages_chat_message", "conversation_id", "tg_message_id"),
        Index("ix_messages_copy", "copy_chat_id", "copy_message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    # Set instead of ``conversation_id`` when the conversation is opened in the same flush.
    conversation: Mapped[Conversation] = relationship(lazy="raise")
    direction: Mapped[str] = mapped_column(String(12))
    content_type: Mapped[str] = mapped_column(String(24))
    # Text or caption; erased by the retention purge.
    text: Mapped[str | None] = mapped_column(Text, default=None)
    # Telegram file reference, so an educator can be shown the media later.
    file_id: Mapped[str | None] = mapped_column(String(255), default=None)
    media_group_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # Message id in its author's chat: the young person's (in) or the educator's (educator).
    tg_message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # The copy on the other side (the educator's chat for "in", the young person's otherwise),
    # through the outbox row that delivers it; the id is filled in once it is sent.
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), default=None
    )
    # Set instead of ``outbox_id`` when the row is queued in the same flush (written first).
    outbox_row: Mapped[OutboxMessage | None] = relationship(lazy="raise")
    copy_message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    copy_chat_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    educator_id: Mapped[int | None] = mapped_column(
        ForeignKey("educators.id", ondelete="SET NULL"), default=None
    )
    risk: Mapped[str] = mapped_column(String(16), default="none")
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class ConversationNote(Base):
    """An educator's internal note: never relayed, shown to whoever takes over."""

    __tablename__ = "conversation_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    educator_id: Mapped[int | None] = mapped_column(
        ForeignKey("educators.id", ondelete="SET NULL"), default=None
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QueueCard(Base):
    """A card announcing a waiting conversation, in an educator's chat or on the staff board."""

    __tablename__ = "queue_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    educator_id: Mapped[int | None] = mapped_column(
        ForeignKey("educators.id", ondelete="CASCADE"), default=None
    )
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), default=None
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
