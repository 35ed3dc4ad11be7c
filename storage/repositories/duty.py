"""Duty hours and the clock: permanences, what the clock already did, watchdog and retention
queries, and the anonymous figures reports are made of."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AuditEvent,
    ClockEvent,
    Conversation,
    ConversationArchive,
    ConversationNote,
    ConversationStatus,
    Direction,
    DutyException,
    DutyPreference,
    DutySlot,
    Educator,
    Message,
    OutboxMessage,
    OutboxStatus,
    ProcessedUpdate,
    QueueCard,
    Youth,
)

DUTY_ACTIONS = ("educator.on_duty", "educator.off_duty", "educator.disabled")


class PlanningRepository:
    """Weekly permanences, one-off exceptions and the automatic-duty preference."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def slots(self, educator_id: int | None = None) -> Sequence[DutySlot]:
        query = select(DutySlot).order_by(DutySlot.weekday, DutySlot.start_minute, DutySlot.id)
        if educator_id is not None:
            query = query.where(DutySlot.educator_id == educator_id)
        return (await self._session.scalars(query)).all()

    async def active_slots(self) -> Sequence[DutySlot]:
        """Slots of active educators only: a disabled educator's permanences do not happen."""
        return (
            await self._session.scalars(
                select(DutySlot)
                .join(Educator, Educator.id == DutySlot.educator_id)
                .where(Educator.active.is_(True))
                .order_by(DutySlot.weekday, DutySlot.start_minute, DutySlot.id)
            )
        ).all()

    async def get_slot(self, slot_id: int) -> DutySlot | None:
        return await self._session.get(DutySlot, slot_id)

    async def add_slot(self, slot: DutySlot) -> DutySlot:
        self._session.add(slot)
        await self._session.flush()
        return slot

    async def remove_slot(self, slot_id: int) -> bool:
        result = await self._session.execute(delete(DutySlot).where(DutySlot.id == slot_id))
        return result.rowcount == 1

    async def exceptions(
        self, *, educator_id: int | None = None, ending_after: datetime | None = None
    ) -> Sequence[DutyException]:
        query = select(DutyException).order_by(DutyException.starts_at, DutyException.id)
        if educator_id is not None:
            query = query.where(DutyException.educator_id == educator_id)
        if ending_after is not None:
            query = query.where(DutyException.ends_at > ending_after)
        return (await self._session.scalars(query)).all()

    async def active_exceptions(self, ending_after: datetime) -> Sequence[DutyException]:
        return (
            await self._session.scalars(
                select(DutyException)
                .join(Educator, Educator.id == DutyException.educator_id)
                .where(Educator.active.is_(True), DutyException.ends_at > ending_after)
                .order_by(DutyException.starts_at, DutyException.id)
            )
        ).all()

    async def get_exception(self, exception_id: int) -> DutyException | None:
        return await self._session.get(DutyException, exception_id)

    async def add_exception(self, exception: DutyException) -> DutyException:
        self._session.add(exception)
        await self._session.flush()
        return exception

    async def remove_exception(self, exception_id: int) -> bool:
        result = await self._session.execute(
            delete(DutyException).where(DutyException.id == exception_id)
        )
        return result.rowcount == 1

    async def auto_duty(self, educator_id: int) -> bool:
        preference = await self._session.get(DutyPreference, educator_id)
        return bool(preference and preference.auto_duty)

    async def auto_duty_ids(self) -> set[int]:
        rows = await self._session.scalars(
            select(DutyPreference.educator_id).where(DutyPreference.auto_duty.is_(True))
        )
        return set(rows)

    async def set_auto_duty(self, educator_id: int, value: bool) -> None:
        preference = await self._session.get(DutyPreference, educator_id)
        if preference is None:
            self._session.add(DutyPreference(educator_id=educator_id, auto_duty=value))
        else:
            preference.auto_duty = value
        await self._session.flush()


class ClockEventLog:
    """What the clock already did, once and for all (see ``ClockEvent``)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def mark(self, kind: str, subject_id: int, occurrence: str, now: datetime) -> bool:
        """Record the event; False when it was already recorded (by us or another process).

        On PostgreSQL a concurrent transaction recording the same event waits for this one and
        then finds it recorded: exactly one of them goes on to send."""
        dialect = self._session.bind.dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(ClockEvent)
            .values(kind=kind, subject_id=subject_id, occurrence=occurrence[:64], at=now)
            .on_conflict_do_nothing(index_elements=["kind", "subject_id", "occurrence"])
        )
        result = await self._session.execute(statement)
        return result.rowcount == 1

    async def has(self, kind: str, subject_id: int, occurrence: str) -> bool:
        return (
            await self._session.scalar(
                select(ClockEvent.id).where(
                    ClockEvent.kind == kind,
                    ClockEvent.subject_id == subject_id,
                    ClockEvent.occurrence == occurrence[:64],
                )
            )
        ) is not None

    async def all(self, kind: str | None = None) -> Sequence[ClockEvent]:
        query = select(ClockEvent).order_by(ClockEvent.id)
        if kind is not None:
            query = query.where(ClockEvent.kind == kind)
        return (await self._session.scalars(query)).all()

    async def prune(self, before: datetime) -> int:
        result = await self._session.execute(delete(ClockEvent).where(ClockEvent.at < before))
        return result.rowcount or 0


class WatchRepository:
    """What the watchdogs look at."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def assigned(self) -> Sequence[Conversation]:
        return (
            await self._session.scalars(
                select(Conversation)
                .where(Conversation.status == ConversationStatus.ASSIGNED)
                .order_by(Conversation.id)
            )
        ).all()

    async def first_imminent_at(self, conversation_id: int) -> datetime | None:
        """When the young person first wrote something read as imminent danger."""
        return await self._session.scalar(
            select(func.min(Message.created_at)).where(
                Message.conversation_id == conversation_id,
                Message.direction == Direction.IN,
                Message.risk == "imminent",
            )
        )

    async def last_message(
        self, conversation_id: int, direction: str, since: datetime | None = None
    ) -> Message | None:
        query = select(Message).where(
            Message.conversation_id == conversation_id, Message.direction == direction
        )
        if since is not None:
            query = query.where(Message.created_at >= since)
        return await self._session.scalar(query.order_by(Message.id.desc()).limit(1))

    async def first_at_after(
        self, conversation_id: int, direction: str, after_id: int
    ) -> datetime | None:
        """When the first message of ``direction`` after message ``after_id`` was written."""
        return await self._session.scalar(
            select(func.min(Message.created_at)).where(
                Message.conversation_id == conversation_id,
                Message.direction == direction,
                Message.id > after_id,
            )
        )

    async def inactive(self, before: datetime, limit: int = 200) -> Sequence[Conversation]:
        """Open or assigned conversations without any message since ``before``.

        Waiting conversations are left alone: the young person was promised an answer."""
        return (
            await self._session.scalars(
                select(Conversation)
                .where(
                    Conversation.status.in_(
                        [ConversationStatus.OPEN, ConversationStatus.ASSIGNED]
                    ),
                    Conversation.last_message_at < before,
                )
                .order_by(Conversation.last_message_at)
                .limit(limit)
            )
        ).all()

    async def has_incoming(self, conversation_id: int) -> bool:
        return (
            await self._session.scalar(
                select(Message.id)
                .where(
                    Message.conversation_id == conversation_id,
                    Message.direction == Direction.IN,
                )
                .limit(1)
            )
        ) is not None


def _departement(commune_code: str | None) -> str | None:
    """The département of an INSEE commune code (971xx → 971), never the commune itself."""
    if not commune_code:
        return None
    return commune_code[:3] if commune_code.startswith("97") else commune_code[:2]


class RetentionRepository:
    """The nightly purge: every statement is a conditional, idempotent bulk change."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def archive_conversations(self, condition: ColumnElement[bool], now: datetime) -> int:
        """Copy the anonymous facts of the matching conversations, then delete them (their
        messages, notes and cards go with them)."""
        first_answer = (
            select(func.min(Message.created_at))
            .where(
                Message.conversation_id == Conversation.id,
                Message.direction == Direction.EDUCATOR,
            )
            .scalar_subquery()
        )
        rows = (
            await self._session.execute(
                select(Conversation, first_answer, Youth.commune_code)
                .join(Youth, Youth.id == Conversation.youth_id)
                .where(condition)
                .order_by(Conversation.id)
            )
        ).all()
        if not rows:
            return 0
        for conversation, first_answer_at, commune_code in rows:
            self._session.add(
                ConversationArchive(
                    opened_at=conversation.opened_at,
                    escalated_at=conversation.escalated_at,
                    escalation_reason=conversation.escalation_reason,
                    assigned_at=conversation.assigned_at,
                    first_answer_at=first_answer_at,
                    closed_at=conversation.closed_at,
                    closed_by=conversation.closed_by,
                    risk=conversation.risk,
                    themes=list(conversation.themes or []),
                    feedback=conversation.feedback,
                    territory=_departement(commune_code),
                    archived_at=now,
                )
            )
        ids = [conversation.id for conversation, _, _ in rows]
        await self._session.flush()
        for chunk in _chunks(ids, 500):
            await self._session.execute(
                delete(Conversation)
                .where(Conversation.id.in_(chunk))
                .execution_options(synchronize_session=False)
            )
        for conversation, _, _ in rows:
            self._session.expunge(conversation)
        return len(ids)

    async def archive_closed_before(self, before: datetime, now: datetime) -> int:
        return await self.archive_conversations(
            and_(
                Conversation.status == ConversationStatus.CLOSED,
                Conversation.closed_at < before,
            ),
            now,
        )

    async def erase_contents(self, before: datetime) -> int:
        """Message texts, files and triage quotes older than ``before``; timings stay."""
        result = await self._session.execute(
            update(Message)
            .where(
                Message.created_at < before,
                or_(
                    Message.text.is_not(None),
                    Message.file_id.is_not(None),
                    Message.media_group_id.is_not(None),
                ),
            )
            .values(text=None, file_id=None, media_group_id=None, reasons=[])
            .execution_options(synchronize_session=False)
        )
        erased = result.rowcount or 0
        notes = await self._session.execute(
            delete(ConversationNote).where(ConversationNote.created_at < before)
        )
        # The triage reasons quote the young person; the feedback word is theirs too.
        await self._session.execute(
            update(Conversation)
            .where(Conversation.last_message_at < before)
            .values(reasons=[], feedback_comment=None)
            .execution_options(synchronize_session=False)
        )
        return erased + (notes.rowcount or 0)

    async def forgotten_youths(self, before: datetime) -> Sequence[Youth]:
        return (
            await self._session.scalars(select(Youth).where(Youth.last_seen_at < before))
        ).all()

    async def remove_youths(self, youths: Sequence[Youth], now: datetime) -> int:
        """Young people not seen for long: their conversations are archived anonymously, then
        everything about them goes (outbox rows to their chat included)."""
        if not youths:
            return 0
        ids = [youth.id for youth in youths]
        chats = [youth.telegram_id for youth in youths]
        for chunk in _chunks(ids, 500):
            await self.archive_conversations(Conversation.youth_id.in_(chunk), now)
        for chunk in _chunks(chats, 500):
            await self._session.execute(
                delete(OutboxMessage).where(OutboxMessage.chat_id.in_(chunk))
            )
        for chunk in _chunks(ids, 500):
            await self._session.execute(
                delete(Youth)
                .where(Youth.id.in_(chunk))
                .execution_options(synchronize_session=False)
            )
        for youth in youths:
            self._session.expunge(youth)
        return len(ids)

    async def prune_updates(self, before: datetime) -> int:
        result = await self._session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before)
        )
        return result.rowcount or 0

    async def prune_outbox(self, unreferenced_before: datetime, all_before: datetime) -> int:
        """Delivered (or refused) rows: unreferenced ones after a short while, every one once
        older than the retention period (their payload holds message text).

        A row still needed is one a live card, relayed message or topic will refer to: a queue
        card that will be edited ("taken by…"), a relayed message an edit will follow, the
        topic of a conversation still going on."""
        done = OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED])
        referenced = (
            select(QueueCard.outbox_id)
            .where(QueueCard.active.is_(True), QueueCard.outbox_id.is_not(None))
            .union(
                select(Message.outbox_id)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(
                    Conversation.status != ConversationStatus.CLOSED,
                    Message.outbox_id.is_not(None),
                ),
                select(Conversation.topic_outbox_id).where(
                    Conversation.status != ConversationStatus.CLOSED,
                    Conversation.topic_outbox_id.is_not(None),
                ),
            )
        )
        first = await self._session.execute(
            delete(OutboxMessage)
            .where(
                done,
                OutboxMessage.created_at < unreferenced_before,
                OutboxMessage.id.not_in(referenced),
            )
            .execution_options(synchronize_session=False)
        )
        second = await self._session.execute(
            delete(OutboxMessage)
            .where(done, OutboxMessage.created_at < all_before)
            .execution_options(synchronize_session=False)
        )
        return (first.rowcount or 0) + (second.rowcount or 0)


def _chunks(values: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass(frozen=True)
class ConversationFacts:
    """One conversation as reports see it: timings and categories, nothing about a person."""

    opened_at: datetime
    escalated_at: datetime | None
    assigned_at: datetime | None
    first_answer_at: datetime | None
    risk: str
    themes: tuple[str, ...]
    feedback: str | None


@dataclass(frozen=True)
class DutyEvent:
    educator_id: int
    at: datetime
    on_duty: bool


class ReportRepository:
    """The figures of a period, from live conversations and anonymous archives alike."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def conversations(self, start: datetime, end: datetime) -> list[ConversationFacts]:
        """Conversations opened or escalated in ``[start, end)``."""

        def in_period(column):
            return and_(column >= start, column < end)

        first_answer = (
            select(func.min(Message.created_at))
            .where(
                Message.conversation_id == Conversation.id,
                Message.direction == Direction.EDUCATOR,
            )
            .scalar_subquery()
        )
        live = await self._session.execute(
            select(
                Conversation.opened_at,
                Conversation.escalated_at,
                Conversation.assigned_at,
                first_answer,
                Conversation.risk,
                Conversation.themes,
                Conversation.feedback,
            ).where(or_(in_period(Conversation.opened_at), in_period(Conversation.escalated_at)))
        )
        archived = await self._session.execute(
            select(
                ConversationArchive.opened_at,
                ConversationArchive.escalated_at,
                ConversationArchive.assigned_at,
                ConversationArchive.first_answer_at,
                ConversationArchive.risk,
                ConversationArchive.themes,
                ConversationArchive.feedback,
            ).where(
                or_(
                    in_period(ConversationArchive.opened_at),
                    in_period(ConversationArchive.escalated_at),
                )
            )
        )
        return [
            ConversationFacts(
                opened_at=row[0],
                escalated_at=row[1],
                assigned_at=row[2],
                first_answer_at=row[3],
                risk=row[4] or "none",
                themes=tuple(row[5] or ()),
                feedback=row[6],
            )
            for row in [*live.all(), *archived.all()]
        ]

    async def duty_events(self, start: datetime, end: datetime) -> list[DutyEvent]:
        """Every educator's duty changes in the period, preceded by their state at its start."""
        actions = AuditEvent.action.in_(DUTY_ACTIONS)
        last_before = (
            select(func.max(AuditEvent.id))
            .where(actions, AuditEvent.at < start, AuditEvent.educator_id.is_not(None))
            .group_by(AuditEvent.educator_id)
        )
        rows = (
            await self._session.execute(
                select(AuditEvent.educator_id, AuditEvent.at, AuditEvent.action)
                .where(
                    AuditEvent.educator_id.is_not(None),
                    or_(
                        AuditEvent.id.in_(last_before),
                        and_(actions, AuditEvent.at >= start, AuditEvent.at < end),
                    ),
                )
                .order_by(AuditEvent.at, AuditEvent.id)
            )
        ).all()
        return [
            DutyEvent(educator_id=row[0], at=row[1], on_duty=row[2] == "educator.on_duty")
            for row in rows
        ]
