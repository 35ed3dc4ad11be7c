"""Sends the bot's conversational answers once young people have paused.

The database is the truth: each conversation carries ``answer_due_at``. This worker sleeps until
the earliest due time (or until a commit wakes it), then writes the answers that are due. After a
restart it finds overdue answers and writes them: nothing is lost during the pause.
"""

from __future__ import annotations

import asyncio
import logging

from bot.context import AppContext
from bot.waiting import wait_event

log = logging.getLogger(__name__)
MAX_SLEEP_S = 60.0


class DueAnswerWorker:
    def __init__(self, app: AppContext) -> None:
        self._app = app
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                delay = await self.tick()
            except Exception:
                log.exception("due answers: tick failed")
                delay = 1.0
            await wait_event(self._wake, delay)

    async def tick(self) -> float:
        """Write every due answer; return how long to sleep until the next one."""
        app = self._app
        while True:
            async with app.unit_of_work() as uow:
                due = await uow.conversations.due_answers(uow.now())
                for conversation in due:
                    await uow.conversation.answer_due(conversation)
                if len(due) < 100:
                    upcoming = await uow.conversations.next_answer_due()
                    now = uow.now()
                    break
        if upcoming is None:
            return MAX_SLEEP_S
        return min(MAX_SLEEP_S, max(0.01, (upcoming - now).total_seconds()))
