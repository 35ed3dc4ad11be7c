"""Helpers shared by the duty-hours tests (permanences, watchdogs, retention, reports).

Everything runs on the real databases of the ``services`` fixture with a ``ManualClock``:
nothing sleeps, time moves when a test says so.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import service_context
from storage.models import ConversationStatus, Direction, Message, OutboxMessage

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in Paris, as the aware UTC instant the clock works with."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(timezone.utc)


def restarted(services):
    """Another process (or the same one after a restart) over the same database and clock:
    nothing kept in memory, only what the database holds."""
    return service_context(services.settings, services.database, services.clock)


async def add_educator(
    services,
    telegram_id: int,
    name: str,
    *,
    coordinator: bool = False,
    on_duty: bool = False,
    auto: bool = False,
    capacity: int = 3,
) -> int:
    async with services.unit_of_work() as uow:
        educator = await uow.team.add(
            telegram_id, name, "Centre social", coordinator=coordinator, capacity=capacity
        )
        if on_duty:
            educator.on_duty = True
            await uow.audit.record("educator.on_duty", uow.now(), educator_id=educator.id)
        if auto:
            await uow.duty.set_auto_duty(educator, True)
        return educator.id


async def add_slot(services, educator_id: int, weekday: int, start: str, end: str) -> int:
    from bot.services.duty import parse_time

    async with services.unit_of_work() as uow:
        educator = await uow.educators.get(educator_id)
        slot = await uow.duty.add_slot(educator, weekday, parse_time(start), parse_time(end))
        return slot.id


async def youth_says(
    services,
    telegram_id: int,
    text: str = "j'ai besoin de parler",
    *,
    risk: str = "none",
    themes: tuple[str, ...] = (),
) -> int:
    """A message from a young person, stored as the conversation service stores it (without
    the triage, so tests choose the risk and themes)."""
    async with services.unit_of_work() as uow:
        youth, _ = await uow.youths.get_or_create(telegram_id, uow.now())
        conversation = await uow.conversation.current(youth)
        conversation.last_message_at = uow.now()
        await uow.conversations.add_message(
            Message(
                conversation_id=conversation.id,
                direction=Direction.IN,
                content_type="text",
                text=text,
                risk=risk,
                themes=list(themes),
                reasons=[f'risque: "{text}"'] if risk != "none" else [],
                tg_message_id=1000 + conversation.id,
                created_at=uow.now(),
            )
        )
        if risk != "none":
            conversation.risk = risk
            conversation.reasons = [f'risque: "{text}"']
        conversation.themes = list(dict.fromkeys([*conversation.themes, *themes]))
        return conversation.id


async def waiting_youth(services, telegram_id: int, *, risk: str = "none", themes=()) -> int:
    """A young person asks for an educator and enters the queue."""
    conversation_id = await youth_says(services, telegram_id, risk=risk, themes=themes)
    async with services.unit_of_work() as uow:
        youth = await uow.youths.by_telegram_id(telegram_id)
        conversation = await uow.conversations.get(conversation_id)
        await uow.handoff.enqueue(youth, conversation, reason="risk" if risk != "none" else "request")
        assert conversation.status == ConversationStatus.WAITING
    return conversation_id


async def educator_says(services, educator_id: int, conversation_id: int, text: str = "Bonjour, je suis là") -> None:
    async with services.unit_of_work() as uow:
        educator = await uow.educators.get(educator_id)
        conversation = await uow.conversations.get(conversation_id)
        assert await uow.relay.to_youth(educator, conversation, 555, "text", text)


async def take(services, educator_id: int, conversation_id: int) -> None:
    async with services.unit_of_work() as uow:
        educator = await uow.educators.get(educator_id)
        result = await uow.handoff.take(educator, conversation_id)
        assert result.value == "taken"


async def sent_texts(services, chat_id: int) -> list[str]:
    """Everything the bot queued for one chat, in order: texts, and document names."""
    async with services.unit_of_work() as uow:
        rows = (
            await uow.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == chat_id)
                .order_by(OutboxMessage.id)
            )
        ).all()
    texts = []
    for row in rows:
        if row.method == "sendMessage":
            texts.append(row.payload["text"])
        elif row.method == "sendDocument":
            texts.append(f"[document {row.payload['document']['filename']}]")
    return texts


async def documents(services, chat_id: int) -> dict[str, bytes]:
    import base64

    async with services.unit_of_work() as uow:
        rows = (
            await uow.session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.chat_id == chat_id, OutboxMessage.method == "sendDocument"
                )
            )
        ).all()
    return {
        row.payload["document"]["filename"]: base64.b64decode(row.payload["document"]["base64"])
        for row in rows
    }
