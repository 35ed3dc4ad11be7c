"""Taking from the shared queue is atomic, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

from sqlalchemy import select

from bot.services.handoff import TakeResult
from storage.models import Conversation, ConversationStatus

ROUNDS = 200
EDUCATORS = 20
CONVERSATIONS = 10


async def _setup_team(services) -> list:
    educators = []
    async with services.unit_of_work() as uow:
        for index in range(EDUCATORS):
            # Off duty: no cards are sent, the test is about the claims themselves.
            educator = await uow.team.add(
                5000 + index, f"Edu {index}", "Centre social", capacity=1 if index % 2 else 2
            )
            educators.append(educator.id)
    return educators


async def _waiting_conversations(services, round_index: int) -> list[int]:
    ids = []
    async with services.unit_of_work() as uow:
        for index in range(CONVERSATIONS):
            youth, _ = await uow.youths.get_or_create(100_000 + round_index * 100 + index, uow.now())
            conversation = await uow.conversation.current(youth)
            await uow.handoff.enqueue(youth, conversation, reason="request")
            ids.append(conversation.id)
    return ids


async def _take(services, educator_id: int, conversation_id: int) -> TakeResult:
    async with services.unit_of_work() as uow:
        educator = await uow.educators.get(educator_id)
        return await uow.handoff.take(educator, conversation_id)


async def test_concurrent_claims_give_each_conversation_exactly_one_educator(services):
    rng = random.Random(7)
    educators = await _setup_team(services)
    capacity = {}
    async with services.unit_of_work() as uow:
        for educator_id in educators:
            capacity[educator_id] = (await uow.educators.get(educator_id)).capacity
    outcomes = Counter()
    for round_index in range(ROUNDS):
        conversations = await _waiting_conversations(services, round_index)
        attempts = [
            _take(services, educator_id, conversation_id)
            for educator_id in educators
            for conversation_id in rng.sample(conversations, 3)
        ]
        rng.shuffle(attempts)
        results = await asyncio.wait_for(asyncio.gather(*attempts), timeout=60)
        outcomes.update(result.value for result in results)
        async with services.unit_of_work() as uow:
            rows = (
                await uow.session.scalars(
                    select(Conversation).where(Conversation.id.in_(conversations))
                )
            ).all()
            taken = [row for row in rows if row.status == ConversationStatus.ASSIGNED]
            # Every conversation someone took has exactly one educator; the wins match.
            assert results.count(TakeResult.TAKEN) == len(taken)
            per_educator = Counter(row.assigned_educator_id for row in taken)
            for educator_id, count in per_educator.items():
                assert count <= capacity[educator_id]
            for row in rows:
                assert (row.status == ConversationStatus.ASSIGNED) == (row.assigned_educator_id is not None)
            # Close everything so the next round starts with free capacity.
            for row in taken + [r for r in rows if r.status == ConversationStatus.WAITING]:
                await uow.handoff.close(row, by="educator")
    assert outcomes["taken"] >= ROUNDS * CONVERSATIONS * 0.9
    assert outcomes["already_taken"] > 0
    assert outcomes["at_capacity"] > 0
