"""Receiving updates: long polling, ordered per chat, concurrent across chats.

Updates of one chat are processed one after another in arrival order; different chats run
concurrently. An update is confirmed to Telegram (by asking for the next offset) only once every
update of its batch has been processed and committed, so a crash makes Telegram deliver it
again, and the processed-update journal makes that replay change nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.types import Update

log = logging.getLogger(__name__)

Process = Callable[[Update], Awaitable[None]]


def chat_key(update: Update) -> int | str:
    """The key that orders updates: the chat they belong to (or the user, or the update)."""
    event = update.event
    chat = getattr(event, "chat", None)
    if chat is None:
        message = getattr(event, "message", None)  # callback queries carry their message
        chat = getattr(message, "chat", None)
    if chat is not None:
        return chat.id
    user = getattr(event, "from_user", None)
    if user is not None:
        return user.id
    return f"update:{update.update_id}"


class ChatSequencer:
    """Runs each chat's updates in order; at most ``max_chats`` chats at once."""

    def __init__(self, process: Process, max_chats: int = 256) -> None:
        self._process = process
        self._queues: dict[int | str, deque[Update]] = {}
        self._slots = asyncio.Semaphore(max_chats)
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks: set[asyncio.Task] = set()

    def submit(self, update: Update) -> None:
        key = chat_key(update)
        self._pending += 1
        self._idle.clear()
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(update)
            return
        self._queues[key] = deque([update])
        task = asyncio.create_task(self._drain(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, key: int | str) -> None:
        queue = self._queues[key]
        async with self._slots:
            while queue:
                update = queue[0]
                try:
                    await self._process(update)
                except Exception:
                    log.exception("update %s failed", update.update_id)
                finally:
                    queue.popleft()
                    self._pending -= 1
        del self._queues[key]
        if self._pending == 0:
            self._idle.set()

    async def wait_idle(self) -> None:
        await self._idle.wait()

    async def close(self) -> None:
        await self.wait_idle()


class Poller:
    """Long polling with confirm-after-commit semantics."""

    def __init__(
        self,
        bot: Bot,
        sequencer: ChatSequencer,
        *,
        allowed_updates: list[str] | None = None,
        timeout: int = 25,
        limit: int = 100,
    ) -> None:
        self._bot = bot
        self._sequencer = sequencer
        self._allowed = allowed_updates
        self._timeout = timeout
        self._limit = limit
        self._offset: int | None = None

    async def run(self) -> None:
        backoff = 1.0
        while True:
            try:
                updates = await self._bot.get_updates(
                    offset=self._offset,
                    timeout=self._timeout,
                    limit=self._limit,
                    allowed_updates=self._allowed,
                    request_timeout=self._timeout + 10,
                )
                backoff = 1.0
            except TelegramRetryAfter as error:
                await asyncio.sleep(error.retry_after)
                continue
            except (TelegramNetworkError, TelegramServerError, TimeoutError) as error:
                log.warning("getUpdates failed (%s); retrying in %.0fs", type(error).__name__, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            if not updates:
                continue
            for update in updates:
                self._sequencer.submit(update)
            # Confirm the batch only once all of it is committed.
            await self._sequencer.wait_idle()
            self._offset = updates[-1].update_id + 1
