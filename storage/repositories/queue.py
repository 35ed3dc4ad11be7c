"""The shared queue: waiting conversations, atomic moves, cards and notes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Conversation,
    ConversationNote,
    ConversationStatus,
    QueueCard,
)

RISK_ORDER = case(
    (Conversation.risk == "imminent", 0),
    (Conversation.risk == "elevated", 1),
    else_=2,
)
WAITING_ORDER = (RISK_ORDER, Conversation.escalated_at, Conversation.id)


class QueueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @property
    def _postgres(self) -> bool:
        return self._session.bind.dialect.name == "postgresql"

    async def waiting(self, limit: int | None = None) -> Sequence[Conversation]:
        query = (
            select(Conversation)
            .where(Conversation.status == ConversationStatus.WAITING)
            .order_by(*WAITING_ORDER)
        )
        if limit:
            query = query.limit(limit)
        return (await self._session.scalars(query)).all()

    async def position(self, conversation: Conversation) -> int:
        """1 for the next conversation to be taken."""
        ahead = await self._session.scalar(
            select(func.count(Conversation.id)).where(
                Conversation.status == ConversationStatus.WAITING,
                Conversation.id != conversation.id,
                or_(
                    RISK_ORDER < _rank(conversation.risk),
                    (RISK_ORDER == _rank(conversation.risk))
                    & (
                        (Conversation.escalated_at < conversation.escalated_at)
                        | (
                            (Conversation.escalated_at == conversation.escalated_at)
                            & (Conversation.id < conversation.id)
                        )
                    ),
                ),
            )
        )
        return (ahead or 0) + 1

    async def next_for(self, educator_id: int) -> Conversation | None:
        """The most urgent conversation this educator may take (skipping rows others hold)."""
        query = (
            select(Conversation)
            .where(
                Conversation.status == ConversationStatus.WAITING,
                or_(
                    Conversation.preferred_educator_id.is_(None),
                    Conversation.preferred_educator_id == educator_id,
                    Conversation.offered_to_all_at.is_not(None),
                ),
            )
            .order_by(*WAITING_ORDER)
            .limit(1)
        )
        if self._postgres:
            query = query.with_for_update(skip_locked=True)
        return await self._session.scalar(query)

    async def assign(self, conversation_id: int, educator_id: int, now: datetime) -> bool:
        """waiting → assigned, only if still waiting: exactly one of concurrent takers wins."""
        result = await self._session.execute(
            update(Conversation)
            .where(
                Conversation.id == conversation_id,
                Conversation.status == ConversationStatus.WAITING,
            )
            .values(
                status=ConversationStatus.ASSIGNED,
                assigned_educator_id=educator_id,
                assigned_at=now,
                educator_thread_id=None,
                topic_outbox_id=None,
                transfer_to_id=None,
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def hand_over(self, conversation_id: int, from_id: int, to_id: int, now: datetime) -> bool:
        """assigned to one educator → assigned to the colleague who accepted the transfer."""
        result = await self._session.execute(
            update(Conversation)
            .where(
                Conversation.id == conversation_id,
                Conversation.status == ConversationStatus.ASSIGNED,
                Conversation.assigned_educator_id == from_id,
                Conversation.transfer_to_id == to_id,
            )
            .values(
                assigned_educator_id=to_id,
                assigned_at=now,
                educator_thread_id=None,
                topic_outbox_id=None,
                transfer_to_id=None,
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def release(self, conversation_id: int, educator_id: int, now: datetime) -> bool:
        """assigned → waiting (given back), keeping its place by its first escalation time."""
        result = await self._session.execute(
            update(Conversation)
            .where(
                Conversation.id == conversation_id,
                Conversation.status == ConversationStatus.ASSIGNED,
                Conversation.assigned_educator_id == educator_id,
            )
            .values(
                status=ConversationStatus.WAITING,
                assigned_educator_id=None,
                assigned_at=None,
                educator_thread_id=None,
                topic_outbox_id=None,
                transfer_to_id=None,
                preferred_educator_id=None,
                offered_to_all_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def assigned_to(self, educator_id: int) -> Sequence[Conversation]:
        return (
            await self._session.scalars(
                select(Conversation)
                .where(
                    Conversation.status == ConversationStatus.ASSIGNED,
                    Conversation.assigned_educator_id == educator_id,
                )
                .order_by(Conversation.assigned_at)
            )
        ).all()

    async def by_thread(self, educator_id: int, thread_id: int) -> Conversation | None:
        return await self._session.scalar(
            select(Conversation).where(
                Conversation.assigned_educator_id == educator_id,
                Conversation.status == ConversationStatus.ASSIGNED,
                Conversation.educator_thread_id == thread_id,
            )
        )

    async def preferred_expired(self, before: datetime) -> Sequence[Conversation]:
        return (
            await self._session.scalars(
                select(Conversation).where(
                    Conversation.status == ConversationStatus.WAITING,
                    Conversation.preferred_educator_id.is_not(None),
                    Conversation.offered_to_all_at.is_(None),
                    Conversation.escalated_at <= before,
                )
            )
        ).all()

    # -- cards -----------------------------------------------------------------------------

    async def add_card(self, card: QueueCard) -> QueueCard:
        self._session.add(card)
        await self._session.flush()
        return card

    async def active_cards(self, conversation_id: int) -> Sequence[QueueCard]:
        return (
            await self._session.scalars(
                select(QueueCard).where(
                    QueueCard.conversation_id == conversation_id, QueueCard.active.is_(True)
                )
            )
        ).all()

    async def has_card(self, conversation_id: int, chat_id: int) -> bool:
        return (
            await self._session.scalar(
                select(QueueCard.id).where(
                    QueueCard.conversation_id == conversation_id,
                    QueueCard.chat_id == chat_id,
                    QueueCard.active.is_(True),
                )
            )
        ) is not None

    # -- notes -----------------------------------------------------------------------------

    async def add_note(self, note: ConversationNote) -> None:
        self._session.add(note)
        await self._session.flush()

    async def notes(self, conversation_id: int) -> Sequence[ConversationNote]:
        return (
            await self._session.scalars(
                select(ConversationNote)
                .where(ConversationNote.conversation_id == conversation_id)
                .order_by(ConversationNote.id)
            )
        ).all()

    async def pickup_waits(self, since: datetime, limit: int = 50) -> list[float]:
        """Seconds between escalation and pick-up of recently taken conversations."""
        rows = await self._session.execute(
            select(Conversation.escalated_at, Conversation.assigned_at)
            .where(
                Conversation.assigned_at.is_not(None),
                Conversation.escalated_at.is_not(None),
                Conversation.assigned_at >= since,
            )
            .order_by(Conversation.assigned_at.desc())
            .limit(limit)
        )
        return [(taken - asked).total_seconds() for asked, taken in rows]


def _rank(risk: str) -> int:
    return {"imminent": 0, "elevated": 1}.get(risk, 2)
