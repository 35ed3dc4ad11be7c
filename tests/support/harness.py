"""The real bot (Application: Dispatcher, middlewares, outbox sender, workers) against the
project's Bot API emulator, over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import select

from bot.app import Application
from bot.emulator import BotAPIEmulator
from config.settings import Settings
from storage.models import Conversation, Message, Youth

TOKEN = "123456:TEST-TOKEN"


class BotHarness:
    def __init__(self, emulator: BotAPIEmulator, settings: Settings) -> None:
        self.emulator = emulator
        self.settings = settings
        self.app: Application | None = None

    async def start(self) -> Application:
        self.app = Application(self.settings)
        await self.app.prepare()
        self.app.start()
        return self.app

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
            self.app = None

    async def restart(self) -> Application:
        await self.stop()
        return await self.start()

    @contextlib.asynccontextmanager
    async def uow(self):
        assert self.app is not None
        async with self.app.context.unit_of_work() as uow:
            yield uow

    async def settle(self, timeout: float = 10.0) -> None:
        """Every update processed and every outgoing message delivered."""
        assert self.app is not None
        await self.emulator.wait_until_idle(timeout=timeout)
        await self.app.sequencer.wait_idle()
        deadline = asyncio.get_running_loop().time() + timeout
        while True:  # the bot's answers waiting for the young person's pause
            async with self.uow() as uow:
                if await uow.conversations.next_answer_due() is None:
                    break
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("answers still due")
            await asyncio.sleep(0.05)
        await self.app.sender.wait_idle(timeout)

    async def youth(self, telegram_id: int) -> Youth | None:
        async with self.uow() as uow:
            return await uow.youths.by_telegram_id(telegram_id)

    async def messages_of(self, telegram_id: int) -> list[Message]:
        async with self.uow() as uow:
            rows = await uow.session.scalars(
                select(Message)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .join(Youth, Youth.id == Conversation.youth_id)
                .where(Youth.telegram_id == telegram_id)
                .order_by(Message.id)
            )
            return list(rows.all())

    async def conversation_of(self, telegram_id: int) -> Conversation | None:
        async with self.uow() as uow:
            youth = await uow.youths.by_telegram_id(telegram_id)
            if youth is None:
                return None
            conversations = await uow.conversations.all_for(youth.id)
            return conversations[-1] if conversations else None


@contextlib.asynccontextmanager
async def running_bot(settings_factory, *, enforce_limits: bool = False) -> AsyncIterator[BotHarness]:
    async with BotAPIEmulator(enforce_limits=enforce_limits) as emulator:
        emulator.add_bot(TOKEN, username="promeneur_test_bot", first_name="Promeneur")
        harness = BotHarness(emulator, settings_factory(emulator.base_url))
        await harness.start()
        try:
            yield harness
        finally:
            await harness.stop()
            await asyncio.sleep(0)
