"""Permanence reminders: once per permanence, across restarts, automatic duty, going off duty."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from storage.models import ClockEvent
from tests.test_duty_helpers import (
    add_educator,
    add_slot,
    paris,
    restarted,
    sent_texts,
    take,
    waiting_youth,
)

MON = 0
LEA = 50


@pytest.fixture
def clock():
    return ManualClock(paris(2026, 11, 23, 13, 0))  # Monday 23 November 2026, 13:00 in Paris


async def sweep(services):
    async with services.unit_of_work() as uow:
        return await uow.duty.sweep()


async def reminders(services) -> list[str]:
    return [text for text in await sent_texts(services, LEA) if "permanence" in text.lower()]


async def test_start_and_end_reminders_fire_once_per_permanence(services, clock):
    lea = await add_educator(services, LEA, "Léa")
    await add_slot(services, lea, MON, "14:00", "18:00")
    await waiting_youth(services, 1)
    await waiting_youth(services, 2)

    await sweep(services)
    assert await reminders(services) == []  # 13:00: nothing yet

    clock.set(paris(2026, 11, 23, 14, 0))
    result = await sweep(services)
    assert result.started == [lea]
    [start] = await reminders(services)
    assert "Ta permanence commence, jusqu'à 18h." in start
    assert "Jeunes en attente : 2." in start
    assert "/dispo" in start  # no automatic duty chosen: told how to start

    for minutes in (1, 30, 60):
        clock.set(paris(2026, 11, 23, 14, minutes % 60) if minutes < 60 else paris(2026, 11, 23, 15, 0))
        assert (await sweep(services)).started == []
    assert len(await reminders(services)) == 1

    clock.set(paris(2026, 11, 23, 18, 0))
    result = await sweep(services)
    assert result.ended == [lea]
    clock.set(paris(2026, 11, 23, 18, 1))
    assert (await sweep(services)).ended == []
    # Not on duty and no conversation: nothing to hand over, no end message to disturb her.
    assert len(await reminders(services)) == 1

    # Next Monday: a new permanence, a new reminder.
    clock.set(paris(2026, 11, 30, 14, 0))
    assert (await sweep(services)).started == [lea]
    assert len(await reminders(services)) == 2


async def test_a_restart_in_the_middle_of_a_permanence_neither_repeats_nor_loses(services, clock):
    lea = await add_educator(services, LEA, "Léa")
    marc = await add_educator(services, 51, "Marc")
    await add_slot(services, lea, MON, "14:00", "18:00")
    await add_slot(services, marc, MON, "15:00", "18:00")

    # The bot runs at 14:00 and reminds Léa, then goes down at 14:30; Marc's 15:00 is missed.
    clock.set(paris(2026, 11, 23, 14, 0))
    assert (await sweep(services)).started == [lea]

    # Back up at 15:10, in a fresh process: Marc gets his (late) reminder, Léa no second one.
    clock.set(paris(2026, 11, 23, 15, 10))
    async with restarted(services).unit_of_work() as uow:
        result = await uow.duty.sweep()
    assert result.started == [marc]
    marc_texts = await sent_texts(services, 51)
    assert [t for t in marc_texts if "permanence" in t] == [
        "⏰ Ta permanence a commencé à 15h, jusqu'à 18h.\n"
        "Personne n'attend pour l'instant.\n"
        "Écris /dispo pour recevoir les demandes."
    ]
    assert len(await reminders(services)) == 1

    # Another process sweeping the same minute changes nothing either.
    async with restarted(services).unit_of_work() as uow:
        assert (await uow.duty.sweep()).started == []
    async with services.unit_of_work() as uow:
        starts = await uow.clock_events.all("duty.start")
    assert sorted(e.subject_id for e in starts) == sorted([lea, marc])


async def test_reminders_follow_local_time_across_dst(services, clock):
    clock.set(paris(2026, 3, 30, 11, 0))  # Monday after the change to summer time
    lea = await add_educator(services, LEA, "Léa")
    await add_slot(services, lea, MON, "14:00", "18:00")
    clock.set(paris(2026, 3, 30, 13, 0))  # 11:00 UTC; the winter 14:00 would be 13:00 UTC
    assert (await sweep(services)).started == []
    clock.set(paris(2026, 3, 30, 14, 0))  # 12:00 UTC
    assert (await sweep(services)).started == [lea]


async def test_automatic_duty_puts_on_duty_offers_the_queue_and_ends_when_free(services, clock):
    lea = await add_educator(services, LEA, "Léa", auto=True)
    await add_slot(services, lea, MON, "14:00", "18:00")
    waiting = await waiting_youth(services, 1)

    clock.set(paris(2026, 11, 23, 14, 0))
    result = await sweep(services)
    assert result.put_on_duty == [lea]
    async with services.unit_of_work() as uow:
        assert (await uow.educators.get(lea)).on_duty
        # The waiting young person was offered to her at once: a card with a "take" button.
        cards = await uow.queue.active_cards(waiting)
        assert [c.educator_id for c in cards] == [lea]
    start = (await reminders(services))[0]
    assert "Jeunes en attente : 1." in start and "Je t'ai mis·e disponible" in start

    # She takes the conversation; at 18:00 she still has it: reminded to hand over, still on duty.
    await take(services, lea, waiting)
    clock.set(paris(2026, 11, 23, 18, 0))
    result = await sweep(services)
    assert result.ended == [lea] and result.off_duty == []
    texts = await sent_texts(services, LEA)
    assert any("Ta permanence est terminée. Conversations encore en cours : 1." in t for t in texts)
    async with services.unit_of_work() as uow:
        assert (await uow.educators.get(lea)).on_duty

    # Still busy at 18:05: nothing new.
    clock.set(paris(2026, 11, 23, 18, 5))
    result = await sweep(services)
    assert result.off_duty == [] and result.ended == []

    # She closes it at 18:20: the next sweep takes her off duty, once.
    clock.set(paris(2026, 11, 23, 18, 20))
    async with services.unit_of_work() as uow:
        await uow.handoff.close(await uow.conversations.get(waiting), by="educator")
    assert (await sweep(services)).off_duty == [lea]
    async with services.unit_of_work() as uow:
        assert not (await uow.educators.get(lea)).on_duty
    clock.set(paris(2026, 11, 23, 18, 21))
    assert (await sweep(services)).off_duty == []
    offs = [t for t in await sent_texts(services, LEA) if "tu n'es plus disponible" in t]
    assert len(offs) == 1


async def test_on_duty_without_conversations_goes_off_at_the_end(services, clock):
    lea = await add_educator(services, LEA, "Léa", auto=True)
    await add_slot(services, lea, MON, "14:00", "18:00")
    clock.set(paris(2026, 11, 23, 14, 0))
    await sweep(services)
    clock.set(paris(2026, 11, 23, 18, 0))
    result = await sweep(services)
    assert result.off_duty == [lea]
    async with services.unit_of_work() as uow:
        assert not (await uow.educators.get(lea)).on_duty
    assert "Ta permanence est terminée : tu n'es plus disponible." in (await sent_texts(services, LEA))[-1]


async def test_back_to_back_permanences_make_one_start_and_one_end(services, clock):
    lea = await add_educator(services, LEA, "Léa", auto=True)
    await add_slot(services, lea, MON, "14:00", "16:00")
    await add_slot(services, lea, MON, "16:00", "18:00")
    for hour in (14, 15, 16, 17):
        clock.set(paris(2026, 11, 23, hour, 0))
        await sweep(services)
    async with services.unit_of_work() as uow:
        assert (await uow.educators.get(lea)).on_duty  # not taken off at 16:00
    clock.set(paris(2026, 11, 23, 18, 0))
    await sweep(services)
    texts = await reminders(services)
    assert len(texts) == 2  # one start (until 18h), one end
    assert "jusqu'à 18h" in texts[0]


async def test_an_absence_cancels_the_reminder(services, clock):
    from datetime import date

    lea = await add_educator(services, LEA, "Léa")
    await add_slot(services, lea, MON, "14:00", "18:00")
    async with services.unit_of_work() as uow:
        await uow.duty.add_absence(await uow.educators.get(lea), date(2026, 11, 23), date(2026, 11, 27))
    clock.set(paris(2026, 11, 23, 14, 0))
    assert (await sweep(services)).started == []
    async with services.unit_of_work() as uow:
        assert await uow.clock_events.all() == []
    assert isinstance(ClockEvent.__tablename__, str)


async def test_an_end_missed_while_the_bot_was_down_still_takes_her_off_duty_quietly(services, clock):
    lea = await add_educator(services, LEA, "Léa", auto=True)
    await add_slot(services, lea, MON, "14:00", "18:00")
    clock.set(paris(2026, 11, 23, 14, 0))
    assert (await sweep(services)).put_on_duty == [lea]

    # The bot is down from 17:00 to 21:30: no "your permanence is over" hours late…
    clock.set(paris(2026, 11, 23, 21, 30))
    async with restarted(services).unit_of_work() as uow:
        result = await uow.duty.sweep()
    assert result.ended == []
    # …but the permanence put her on duty, so it takes her off, once.
    assert result.off_duty == [lea]
    async with services.unit_of_work() as uow:
        assert not (await uow.educators.get(lea)).on_duty
    clock.set(paris(2026, 11, 23, 21, 31))
    assert (await sweep(services)).off_duty == []
    texts = await sent_texts(services, LEA)
    assert not any("Ta permanence est terminée" in text for text in texts)
    assert len([text for text in texts if "tu n'es plus disponible" in text]) == 1


async def test_an_end_missed_with_a_conversation_going_on_waits_until_she_is_free(services, clock):
    lea = await add_educator(services, LEA, "Léa", auto=True)
    await add_slot(services, lea, MON, "14:00", "18:00")
    clock.set(paris(2026, 11, 23, 14, 0))
    await sweep(services)
    conversation = await waiting_youth(services, 1)
    await take(services, lea, conversation)

    clock.set(paris(2026, 11, 23, 21, 0))
    result = await sweep(services)
    assert result.off_duty == [] and result.ended == []
    async with services.unit_of_work() as uow:
        assert (await uow.educators.get(lea)).on_duty  # still with the young person
        await uow.handoff.close(await uow.conversations.get(conversation), by="educator")
    clock.set(paris(2026, 11, 23, 21, 1))
    assert (await sweep(services)).off_duty == [lea]
