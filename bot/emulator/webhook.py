"""Webhook delivery: when a bot called ``setWebhook``, POST its updates to that URL.

Updates are delivered one at a time and in order (Telegram keeps order per chat; one at a time
is the simplest way to guarantee it). A 2xx answer confirms the update; an answer whose JSON
body carries ``"method"`` is executed as a Bot API call (aiogram's "reply into webhook").
Anything else is an error: it is recorded (``getWebhookInfo.last_error_message``) and the
update is retried after a short back-off.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from .methods import METHODS, Call
from .models import ApiError
from .params import Params
from .state import BotState, World, _is_allowed

log = logging.getLogger("bot.emulator.webhook")


class WebhookDeliverer:
    """Background task pushing one bot's updates to its webhook URL."""

    def __init__(
        self,
        world: World,
        bot: BotState,
        *,
        retry_delay: float = 0.2,
        timeout: float = 10.0,
        recorder: Callable[..., Any] | None = None,
    ) -> None:
        self.world = world
        self.recorder = recorder
        self.bot = bot
        self.retry_delay = retry_delay
        self.timeout = timeout
        self.delivered = 0
        self.failures = 0
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"webhook-{self.bot.id}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _next(self) -> dict[str, Any] | None:
        bot = self.bot
        if not bot.webhook_url:
            return None
        queue = bot.updates
        while queue and not _is_allowed(queue[0], bot.allowed_updates):
            queue.popleft()
        return queue[0] if queue else None

    async def _run(self) -> None:
        notifier = self.world.notifier
        bot = self.bot
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        while True:
            update = await notifier.wait_for([("updates", bot.id), ("webhook", bot.id)], self._next, None)
            url = bot.webhook_url
            headers = {"Content-Type": "application/json"}
            if bot.webhook_secret:
                headers["X-Telegram-Bot-Api-Secret-Token"] = bot.webhook_secret
            try:
                async with self._session.post(url, data=json.dumps(update, ensure_ascii=False), headers=headers) as resp:
                    body = await resp.read()
                    status = resp.status
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                self._failed(f"Connection failed: {type(error).__name__}")
                await asyncio.sleep(self.retry_delay)
                continue
            if not 200 <= status < 300:
                self._failed(f"Wrong response from the webhook: {status}")
                await asyncio.sleep(self.retry_delay)
                continue
            if bot.updates and bot.updates[0] is update:
                bot.updates.popleft()
            self.delivered += 1
            self.world.stats.updates_delivered += 1
            self.world.notifier.notify("any")
            if body:
                await self._reply_method(body)

    def _failed(self, message: str) -> None:
        self.failures += 1
        self.bot.webhook_last_error = message
        self.bot.webhook_last_error_date = int(time.time())

    async def _reply_method(self, body: bytes) -> None:
        try:
            payload = json.loads(body)
        except ValueError:
            return
        if not isinstance(payload, dict) or "method" not in payload:
            return
        entry = METHODS.get(str(payload.pop("method")).lower())
        if entry is None:
            return
        canonical, handler = entry
        params = Params(payload)
        self.world.stats.requests[canonical] += 1
        record = self.recorder(self.bot, canonical, params) if self.recorder else None
        try:
            result = await handler(Call(self.world, self.bot, canonical, params))
        except ApiError as error:
            log.info("webhook reply %s failed: %s", canonical, error.description)
            if record is not None:
                record.status, record.description = error.status, error.description
            return
        if record is not None:
            record.status, record.result = 200, result
        self.world.notifier.notify("any")
