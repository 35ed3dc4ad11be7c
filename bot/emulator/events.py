"""Live events of the emulator (for a web view, a log, or tests that follow a conversation).

Kinds published:

``user_message``, ``user_edit``, ``user_delete``, ``callback_query`` — what users did;
``bot_message``, ``bot_edit``, ``bot_delete``, ``callback_answer``, ``chat_action`` — what the bot did
(``bot_service_message`` for the service messages its topic operations create);
``topic_created``, ``topic_edited``, ``topic_closed``, ``topic_reopened``, ``topic_deleted``;
``update`` — any other update pushed with ``push_update``; ``member`` — membership changes;
``request`` — every Bot API call (only for subscribers that ask for it explicitly).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .models import StoredMessage


@dataclass(eq=False)
class EmulatorEvent:
    """Something that happened in the emulated world."""

    kind: str
    bot_id: int | None
    chat_id: int | None = None
    thread_id: int | None = None
    message: StoredMessage | None = None
    data: dict[str, Any] = field(default_factory=dict)
    time: float = field(default_factory=time.time)
    seq: int = 0

    def to_json(self) -> dict[str, Any]:
        """JSON-friendly form (the message rendered as a Bot API Message)."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "seq": self.seq,
            "time": self.time,
            "bot_id": self.bot_id,
            "chat_id": self.chat_id,
            "thread_id": self.thread_id,
        }
        if self.message is not None:
            out["message"] = self.message.to_api()
            out["deleted"] = self.message.deleted
        if self.data:
            out["data"] = self.data
        return out


_CLOSED = object()


class Subscription:
    """A queue of events; iterate with ``async for event in subscription``.

    Events that do not fit (``maxsize`` reached) are dropped and counted in ``dropped`` — a slow
    reader never slows the emulator down. ``close()`` (or leaving ``async with``) ends iteration.
    """

    def __init__(self, hub: EventHub, kinds: Iterable[str] | None, bot_id: int | None, maxsize: int) -> None:
        self._hub = hub
        self.kinds = frozenset(kinds) if kinds is not None else None
        self.bot_id = bot_id
        self.queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=maxsize + 1 if maxsize > 0 else 0)
        self.maxsize = maxsize
        self.dropped = 0
        self.closed = False

    def wants(self, event: EmulatorEvent) -> bool:
        if self.bot_id is not None and event.bot_id != self.bot_id:
            return False
        if self.kinds is None:
            return event.kind != "request"
        return event.kind in self.kinds

    def _offer(self, event: EmulatorEvent) -> None:
        if self.closed:
            return
        if self.maxsize > 0 and self.queue.qsize() >= self.maxsize:
            self.dropped += 1
            return
        self.queue.put_nowait(event)

    async def get(self, timeout: float | None = None) -> EmulatorEvent:
        """Next event; raises ``TimeoutError`` after ``timeout`` s, ``StopAsyncIteration`` if closed."""
        item = await asyncio.wait_for(self.queue.get(), timeout)
        if item is _CLOSED:
            self.queue.put_nowait(_CLOSED)
            raise StopAsyncIteration
        return item

    def get_nowait(self) -> EmulatorEvent | None:
        """Next event already queued, or None."""
        try:
            item = self.queue.get_nowait()
        except asyncio.QueueEmpty:
            return None
        if item is _CLOSED:
            self.queue.put_nowait(_CLOSED)
            return None
        return item

    def drain(self) -> list[EmulatorEvent]:
        """All events already queued."""
        out = []
        while (event := self.get_nowait()) is not None:
            out.append(event)
        return out

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._hub._subscriptions.discard(self)
            self.queue.put_nowait(_CLOSED)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> EmulatorEvent:
        return await self.get()

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


class EventHub:
    """Fans events out to subscriptions."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self._seq = 0

    def subscribe(self, kinds: Iterable[str] | None = None, bot_id: int | None = None, maxsize: int = 10_000) -> Subscription:
        subscription = Subscription(self, kinds, bot_id, maxsize)
        self._subscriptions.add(subscription)
        return subscription

    @property
    def active(self) -> bool:
        return bool(self._subscriptions)

    def publish(self, event: EmulatorEvent) -> None:
        self._seq += 1
        event.seq = self._seq
        for subscription in tuple(self._subscriptions):
            if subscription.wants(event):
                subscription._offer(event)

    def close_all(self) -> None:
        for subscription in tuple(self._subscriptions):
            subscription.close()


class Notifier:
    """Wakes coroutines waiting for a condition tied to keys (chat, bot, …).

    ``notify(key)`` wakes only the waiters registered on that key, so a thousand tests waiting
    on a thousand chats cost nothing when one chat changes.
    """

    def __init__(self) -> None:
        self._waiters: defaultdict[Hashable, set[asyncio.Future[None]]] = defaultdict(set)

    def notify(self, *keys: Hashable) -> None:
        waiters = self._waiters
        if not waiters:
            return
        for key in keys:
            futures = waiters.pop(key, None)
            if futures:
                for future in futures:
                    if not future.done():
                        future.set_result(None)

    def notify_all(self) -> None:
        self.notify(*list(self._waiters))

    async def wait_for(
        self,
        keys: Iterable[Hashable],
        check: Callable[[], Any],
        timeout: float | None,
    ) -> Any:
        """Return ``check()`` once it is not None, re-checking when a key is notified.

        Raises ``TimeoutError`` when ``timeout`` seconds pass first.
        """
        keys = tuple(keys)
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            result = check()
            if result is not None:
                return result
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                raise TimeoutError
            future: asyncio.Future[None] = loop.create_future()
            for key in keys:
                self._waiters[key].add(future)
            try:
                await asyncio.wait((future,), timeout=remaining)
            finally:
                for key in keys:
                    futures = self._waiters.get(key)
                    if futures is not None:
                        futures.discard(future)
                        if not futures:
                            del self._waiters[key]
                if not future.done():
                    future.cancel()
