"""Dispatcher middlewares: one unit of work per update, replays skipped, failures contained."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Update

from bot.context import AppContext
from bot.i18n import t

log = logging.getLogger(__name__)

Handler = Callable[[Update, dict[str, Any]], Awaitable[Any]]
ATTEMPTS = 2


def private_chat_id(update: Update) -> int | None:
    event = update.event
    chat = getattr(event, "chat", None) or getattr(getattr(event, "message", None), "chat", None)
    if chat is not None and chat.type == "private":
        return chat.id
    return None


class UnitOfWorkMiddleware(BaseMiddleware):
    """Runs each update in one transaction that records its ``update_id``.

    A replayed update finds its id recorded and changes nothing. A failing handler is retried
    once; if it fails again the update is recorded as processed and the young person is asked,
    kindly, to send their message again — never shown a traceback.
    """

    def __init__(self, app: AppContext) -> None:
        self.app = app

    async def __call__(self, handler: Handler, update: Update, data: dict[str, Any]) -> Any:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                async with self.app.unit_of_work() as uow:
                    if not await uow.updates.first_time(update.update_id, uow.now()):
                        log.info("update %s already processed: skipped", update.update_id)
                        return None
                    data["uow"] = uow
                    result = await handler(update, data)
                return result
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.error(
                    "update %s (%s) failed, attempt %d: %s",
                    update.update_id,
                    update.event_type,
                    attempt,
                    type(error).__name__,
                    exc_info=attempt == ATTEMPTS,
                )
        await self._give_up(update)
        return None

    async def _give_up(self, update: Update) -> None:
        async with self.app.unit_of_work() as uow:
            await uow.updates.first_time(update.update_id, uow.now())
            chat_id = private_chat_id(update)
            if chat_id is not None:
                await uow.outbox.send_text(chat_id, t("error.apology"))

