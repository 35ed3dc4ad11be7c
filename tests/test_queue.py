"""The shared queue as services see it (no Telegram), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.clock import ManualClock
from bot.services.handoff import TakeResult


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc))


async def enqueue(services, telegram_id: int, risk: str = "none"):
    async with services.unit_of_work() as uow:
        youth, _ = await uow.youths.get_or_create(telegram_id, uow.now())
        conversation = await uow.conversation.current(youth)
        conversation.risk = risk
        await uow.handoff.enqueue(youth, conversation, reason="request")
        return conversation.id


async def add_educator(services, telegram_id: int, name: str, *, on_duty=True, capacity=3):
    async with services.unit_of_work() as uow:
        educator = await uow.team.add(telegram_id, name, "Centre social", capacity=capacity)
        educator.on_duty = on_duty
        return educator.id


async def test_waiting_order_is_risk_first_then_oldest(services, clock):
    calm_old = await enqueue(services, 1)
    clock.advance(minutes=1)
    elevated = await enqueue(services, 2, "elevated")
    clock.advance(minutes=1)
    calm_new = await enqueue(services, 3)
    clock.advance(minutes=1)
    imminent = await enqueue(services, 4, "imminent")
    clock.advance(minutes=1)
    elevated_new = await enqueue(services, 5, "elevated")
    async with services.unit_of_work() as uow:
        order = [c.id for c in await uow.queue.waiting()]
        assert order == [imminent, elevated, elevated_new, calm_old, calm_new]
        positions = {}
        for conversation in await uow.queue.waiting():
            positions[conversation.id] = await uow.queue.position(conversation)
        assert [positions[i] for i in order] == [1, 2, 3, 4, 5]


async def test_take_next_takes_the_most_urgent(services, clock):
    await enqueue(services, 1)
    clock.advance(minutes=1)
    urgent = await enqueue(services, 2, "imminent")
    educator_id = await add_educator(services, 50, "Léa")
    async with services.unit_of_work() as uow:
        educator = await uow.educators.get(educator_id)
        assert await uow.handoff.take_next(educator) == TakeResult.TAKEN
        conversation = await uow.conversations.get(urgent)
        assert conversation.status == "assigned" and conversation.assigned_educator_id == educator_id


async def test_capacity_limit_is_kept(services, clock):
    ids = [await enqueue(services, n) for n in (1, 2, 3)]
    educator_id = await add_educator(services, 50, "Léa", capacity=2)
    results = []
    for conversation_id in ids:
        async with services.unit_of_work() as uow:
            educator = await uow.educators.get(educator_id)
            results.append(await uow.handoff.take(educator, conversation_id))
    assert results == [TakeResult.TAKEN, TakeResult.TAKEN, TakeResult.AT_CAPACITY]
    async with services.unit_of_work() as uow:
        assert await uow.educators.active_count(educator_id) == 2
        assert (await uow.conversations.get(ids[2])).status == "waiting"


async def test_returning_young_person_is_offered_to_the_same_educator_first(services, clock):
    lea = await add_educator(services, 50, "Léa")
    marc = await add_educator(services, 51, "Marc")
    first = await enqueue(services, 7)
    async with services.unit_of_work() as uow:
        educator = await uow.educators.get(lea)
        assert await uow.handoff.take(educator, first) == TakeResult.TAKEN
        await uow.handoff.close(await uow.conversations.get(first), by="educator")
    clock.advance(days=3)
    async with services.unit_of_work() as uow:
        await uow.handoff.request(7, same_educator=True)
    async with services.unit_of_work() as uow:
        youth = await uow.youths.by_telegram_id(7)
        second = await uow.conversations.current_for(youth.id)
        assert second.preferred_educator_id == lea
        cards = await uow.queue.active_cards(second.id)
        assert [c.educator_id for c in cards] == [lea]  # only Léa gets the card at first
        # Marc cannot take it with /prendre yet…
        assert await uow.queue.next_for(marc) is None
    clock.advance(minutes=6)
    async with services.unit_of_work() as uow:
        assert await uow.handoff.offer_to_all_when_preferred_waited() == 1
    async with services.unit_of_work() as uow:
        cards = await uow.queue.active_cards(second.id)
        assert sorted(c.educator_id for c in cards) == sorted([lea, marc])
        assert (await uow.queue.next_for(marc)).id == second.id


async def test_when_the_preferred_educator_is_off_duty_everyone_gets_it(services, clock):
    lea = await add_educator(services, 50, "Léa")
    marc = await add_educator(services, 51, "Marc")
    first = await enqueue(services, 7)
    async with services.unit_of_work() as uow:
        assert await uow.handoff.take(await uow.educators.get(lea), first) == TakeResult.TAKEN
        await uow.handoff.close(await uow.conversations.get(first), by="educator")
        (await uow.educators.get(lea)).on_duty = False
    async with services.unit_of_work() as uow:
        await uow.handoff.request(7, same_educator=True)
    async with services.unit_of_work() as uow:
        youth = await uow.youths.by_telegram_id(7)
        second = await uow.conversations.current_for(youth.id)
        assert [c.educator_id for c in await uow.queue.active_cards(second.id)] == [marc]


async def test_wait_estimate_only_with_enough_history():
    from bot.services.workspace import wait_estimate_minutes

    assert wait_estimate_minutes([60, 120], 1) is None
    assert wait_estimate_minutes([300] * 6, 2) == 10
