"""The nightly purge: contents go after RETENTION_DAYS, figures and counters stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock
from storage.models import (
    AuditEvent,
    Conversation,
    ConversationArchive,
    ConversationNote,
    DailyCounter,
    Message,
    OutboxMessage,
    OutboxStatus,
    ProcessedUpdate,
    Youth,
)
from tests.test_duty_helpers import (
    add_educator,
    educator_says,
    paris,
    take,
    waiting_youth,
    youth_says,
)


@pytest.fixture
def clock():
    return ManualClock(paris(2026, 9, 1, 10, 0))


async def mark_all_sent(services) -> None:
    """As if the sender had delivered everything queued so far."""
    async with services.unit_of_work() as uow:
        rows = (await uow.session.scalars(select(OutboxMessage))).all()
        for row in rows:
            row.status, row.sent_at, row.sent_message_id = OutboxStatus.SENT, uow.now(), row.id


async def counters(services) -> dict[str, int]:
    async with services.unit_of_work() as uow:
        rows = (await uow.session.execute(select(DailyCounter.name, func.sum(DailyCounter.value)).group_by(DailyCounter.name))).all()
    return {name: int(value) for name, value in rows}


async def figures(services, start, end):
    async with services.unit_of_work() as uow:
        report = await uow.reports.build(start, end)
    return (
        report.conversations,
        report.escalations,
        report.median_pickup_s,
        report.median_first_answer_s,
        report.themes,
        report.risks,
        report.feedback,
    )


async def test_purge_erases_contents_anonymises_and_keeps_the_figures(services, clock):
    lea = await add_educator(services, 50, "Léa", on_duty=True)
    start = clock.now() - timedelta(days=1)

    # An old conversation: taken, answered, closed with feedback and a comment.
    old = await waiting_youth(services, 7, risk="elevated", themes=("logement",))
    async with services.unit_of_work() as uow:
        youth = await uow.youths.by_telegram_id(7)
        youth.commune_code = "18033"  # Bourges, kept with consent
    clock.advance(minutes=4)
    await take(services, lea, old)
    clock.advance(minutes=2)
    await educator_says(services, lea, old, "On va trouver une solution pour ce soir")
    async with services.unit_of_work() as uow:
        await uow.handoff.add_note(await uow.educators.get(lea), await uow.conversations.get(old), "appelé le 115")
        await uow.handoff.close(await uow.conversations.get(old), by="educator")
        await uow.handoff.feedback(7, old, "good")
        await uow.handoff.feedback_comment(await uow.youths.by_telegram_id(7), "merci Léa, Inès")
        await uow.updates.first_time(123456, uow.now())
    await mark_all_sent(services)
    end = clock.now() + timedelta(days=1)
    before = await figures(services, start, end)

    # 31 days later, a young person still in conversation (recent messages stay).
    clock.advance(days=31)
    recent = await youth_says(services, 8, "j'ai une question sur mon contrat")
    counted = await counters(services)
    async with services.unit_of_work() as uow:
        report = await uow.retention.purge()
    assert report.conversations_anonymised == 1
    assert report.updates_pruned == 1
    assert report.outbox_pruned > 0

    async with services.unit_of_work() as uow:
        session = uow.session
        # Contents are gone: the conversation, its messages and notes, the outbox rows.
        assert await session.get(Conversation, old) is None
        assert await session.scalar(select(func.count(Message.id)).where(Message.conversation_id == old)) == 0
        assert await session.scalar(select(func.count(ConversationNote.id))) == 0
        payloads = [str(row.payload) for row in (await session.scalars(select(OutboxMessage))).all()]
        assert not any("solution pour ce soir" in p or "Inès" in p for p in payloads)
        assert await session.scalar(select(func.count(ProcessedUpdate.update_id))) == 0
        # What remains of it links to nobody: no youth, no pseudonym, no text, no commune.
        [archive] = (await session.scalars(select(ConversationArchive))).all()
        assert archive.themes == ["logement"] and archive.risk == "elevated"
        assert archive.feedback == "good" and archive.territory == "18"
        assert archive.first_answer_at is not None and archive.assigned_at is not None
        assert not hasattr(archive, "youth_id")
        # The young person who wrote recently keeps their conversation and its text.
        [message] = await uow.conversations.messages(recent)
        assert message.text == "j'ai une question sur mon contrat"
        # The audit trail lost its link to the conversation, not its existence.
        assert await session.scalar(select(func.count(AuditEvent.id))) > 0
        assert await session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.conversation_id == old)
        ) == 0
        # Nothing left anywhere in the database quotes what was written.
        for model, columns in ((Message, ("text",)), (Conversation, ("feedback_comment",))):
            for column in columns:
                values = (await session.scalars(select(getattr(model, column)))).all()
                assert not any(v and ("solution pour ce soir" in v or "Inès" in v) for v in values)

    # Counters and figures are unchanged.
    assert await counters(services) == counted
    assert await figures(services, start, end) == before
    assert before[0] == 1 and before[4] == {"logement": 1} and before[6] == {"good": 1}

    # Running it again changes nothing.
    async with services.unit_of_work() as uow:
        again = await uow.retention.purge()
    assert again.conversations_anonymised == 0 and again.contents_erased == 0


async def test_old_messages_of_a_conversation_still_going_lose_their_text(services, clock):
    conversation = await waiting_youth(services, 7, risk="elevated")  # waiting for weeks
    clock.advance(days=31)
    async with services.unit_of_work() as uow:
        report = await uow.retention.purge()
    assert report.contents_erased >= 1
    async with services.unit_of_work() as uow:
        [message] = await uow.conversations.messages(conversation)
        assert message.text is None and message.reasons == [] and message.created_at is not None
        still = await uow.conversations.get(conversation)
        assert still.status == "waiting" and still.reasons == [] and still.risk == "elevated"


async def test_young_people_not_seen_for_two_years_are_removed(services, clock):
    await youth_says(services, 7, "salut")
    async with services.unit_of_work() as uow:
        await uow.handoff.close(await uow.conversations.current_for((await uow.youths.by_telegram_id(7)).id), by="youth")
    clock.advance(days=400)
    await youth_says(services, 8, "coucou")
    clock.advance(days=340)  # 740 days after 7's last contact, 340 after 8's
    async with services.unit_of_work() as uow:
        forgotten = (await uow.youths.by_telegram_id(7)).id
    async with services.unit_of_work() as uow:
        report = await uow.retention.purge()
    assert report.youths_removed == 1
    async with services.unit_of_work() as uow:
        assert await uow.youths.by_telegram_id(7) is None
        assert await uow.youths.by_telegram_id(8) is not None
        assert await uow.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.chat_id == 7)) == 0
        assert await uow.session.scalar(select(func.count(Youth.id))) == 1
    assert (await counters(services)).get("youth.expired") == 1


async def test_outbox_rows_still_referenced_by_a_queue_card_are_kept(services, clock):
    await add_educator(services, 50, "Léa", on_duty=True)
    conversation = await waiting_youth(services, 7)
    await mark_all_sent(services)
    clock.advance(days=3)
    async with services.unit_of_work() as uow:
        await uow.retention.purge()
        [card] = await uow.queue.active_cards(conversation)
        assert card.outbox_id is not None
        assert await uow.session.get(OutboxMessage, card.outbox_id) is not None
    # Once taken, the card is edited through that row: it still works.
    lea = (await _educator_id(services, 50))
    await take(services, lea, conversation)
    async with services.unit_of_work() as uow:
        edits = (
            await uow.session.scalars(
                select(OutboxMessage).where(OutboxMessage.method == "editMessageText", OutboxMessage.chat_id == 50)
            )
        ).all()
        assert edits and "message_id_of_outbox" in edits[-1].payload


async def _educator_id(services, telegram_id: int) -> int:
    async with services.unit_of_work() as uow:
        return (await uow.educators.by_telegram_id(telegram_id)).id
