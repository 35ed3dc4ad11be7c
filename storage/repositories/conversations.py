"""Conversations and their messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation, ConversationStatus, Direction, Message


# Built once: the statements every young person's message runs.
_CURRENT_FOR = (
    select(Conversation)
    .where(
        Conversation.youth_id == bindparam("youth_id"),
        Conversation.status != ConversationStatus.CLOSED,
    )
    .order_by(Conversation.id.desc())
    .limit(1)
)
_INCOMING_SINCE = (
    select(Message)
    .where(
        Message.conversation_id == bindparam("conversation_id"),
        Message.direction == Direction.IN,
        Message.id > bindparam("after_id"),
    )
    .order_by(Message.id)
)


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, conversation_id: int) -> Conversation | None:
        return await self._session.get(Conversation, conversation_id)

    async def current_for(self, youth_id: int) -> Conversation | None:
        """The young person's conversation that is not closed, if any."""
        return await self._session.scalar(_CURRENT_FOR, {"youth_id": youth_id})

    async def open(self, youth_id: int, now: datetime) -> Conversation:
        """A new conversation, written now (it gets its id)."""
        conversation = self.begin(youth_id, now)
        await self._session.flush()
        return conversation

    def begin(self, youth_id: int, now: datetime) -> Conversation:
        """A new conversation, written with the transaction's next flush."""
        conversation = Conversation(
            youth_id=youth_id,
            status=ConversationStatus.OPEN,
            risk="none",
            themes=[],
            reasons=[],
            places_offered=[],
            opened_at=now,
            last_message_at=now,
        )
        self._session.add(conversation)
        return conversation

    async def all_for(self, youth_id: int) -> Sequence[Conversation]:
        return (
            await self._session.scalars(
                select(Conversation)
                .where(Conversation.youth_id == youth_id)
                .order_by(Conversation.id)
            )
        ).all()

    async def add_message(self, message: Message) -> Message:
        """Store a message now (it gets its id)."""
        self._session.add(message)
        await self._session.flush()
        return message

    def queue_message(self, message: Message) -> None:
        """Store a message with the transaction's next flush (no id needed before)."""
        self._session.add(message)

    async def messages(self, conversation_id: int) -> Sequence[Message]:
        return (
            await self._session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.id)
            )
        ).all()

    async def incoming_since(self, conversation_id: int, after_id: int) -> Sequence[Message]:
        """The young person's messages after ``after_id``: the burst not yet answered."""
        return (
            await self._session.scalars(
                _INCOMING_SINCE, {"conversation_id": conversation_id, "after_id": after_id}
            )
        ).all()

    async def incoming_by_telegram_id(
        self, conversation_ids: Sequence[int], tg_message_id: int
    ) -> Message | None:
        return await self._session.scalar(
            select(Message).where(
                Message.conversation_id.in_(conversation_ids),
                Message.direction == Direction.IN,
                Message.tg_message_id == tg_message_id,
            )
        )

    async def due_answers(self, now: datetime, limit: int = 100) -> Sequence[Conversation]:
        return (
            await self._session.scalars(
                select(Conversation)
                .where(Conversation.answer_due_at.is_not(None), Conversation.answer_due_at <= now)
                .order_by(Conversation.answer_due_at)
                .limit(limit)
            )
        ).all()

    async def next_answer_due(self) -> datetime | None:
        return await self._session.scalar(
            select(func.min(Conversation.answer_due_at)).where(
                Conversation.answer_due_at.is_not(None)
            )
        )

    async def claim_due_answer(
        self, conversation: Conversation, due_at: datetime, up_to: int
    ) -> bool:
        """Take the pending answer of a conversation, unless a new message moved it meanwhile."""
        result = await self._session.execute(
            update(Conversation)
            .where(Conversation.id == conversation.id, Conversation.answer_due_at == due_at)
            .values(answer_due_at=None, answered_up_to=up_to)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            conversation.answer_due_at = None
            conversation.answered_up_to = up_to
            return True
        return False

    async def by_copy(self, chat_id: int, copy_message_id: int) -> Message | None:
        """The message whose relayed copy in ``chat_id`` has this id."""
        return await self._session.scalar(
            select(Message).where(
                Message.copy_chat_id == chat_id, Message.copy_message_id == copy_message_id
            )
        )

    async def educator_message(self, educator_id: int, tg_message_id: int) -> Message | None:
        return await self._session.scalar(
            select(Message).where(
                Message.educator_id == educator_id,
                Message.direction == Direction.EDUCATOR,
                Message.tg_message_id == tg_message_id,
            )
        )

    async def record_copy(self, message_id: int, chat_id: int, copy_message_id: int | None) -> None:
        await self._session.execute(
            update(Message)
            .where(Message.id == message_id)
            .values(copy_chat_id=chat_id, copy_message_id=copy_message_id)
        )

    async def record_topic(self, conversation_id: int, outbox_id: int, thread_id: int | None) -> None:
        """The topic created by ``outbox_id`` exists: unless a newer one replaced it."""
        await self._session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.topic_outbox_id == outbox_id)
            .values(educator_thread_id=thread_id, topic_outbox_id=None)
        )
