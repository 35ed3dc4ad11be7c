"""The outbox sender: delivers pending rows in order per chat, within Telegram's limits.

Pending rows go into per-chat queues: a unit of work hands over the rows it committed; rows
written elsewhere are read back (at start, when woken, and by a periodic scan). Each chat sends
one row at a time, oldest first; chats are served concurrently under the overall rate. Outcomes
are written back in small batched transactions:
- sent: status ``sent`` with the message id (or the row is deleted when ``erase_on_send``);
- 429: the chat pauses for ``retry_after``; 5xx and network errors: retried with backoff;
- 403: the user blocked the bot; every pending row of that chat is failed and ``on_blocked`` runs;
- 400: the row is failed with Telegram's description and the chat goes on.
A crash loses nothing: rows not yet recorded as sent are sent after a restart (at least once).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.outbox.delivery import DeliveryResult, Outcome, deliver
from bot.outbox.ratelimit import ChatLimits, Spacing
from bot.outbox.writer import REFERENCES, THREAD_REF
from bot.waiting import wait_event
from config.settings import DeliverySettings
from storage.db import Database
from storage.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

BlockedHook = Callable[[AsyncSession, int], Awaitable[None]]
RejectedHook = Callable[[AsyncSession, "QueuedRow", str], Awaitable[None]]
SentHook = Callable[[AsyncSession, "QueuedRow", int | None], Awaitable[None]]

MAX_BACKOFF_S = 300.0
REQUEST_TIMEOUT_S = 30.0
# Loading looks back this many ids below the highest seen: on PostgreSQL a transaction may commit
# after a later one, with a smaller id. A periodic full scan catches anything older.
LOOKBACK_IDS = 1000
FULL_SCAN_S = 5.0
LOAD_CHUNK = 500
_QUEUED_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.chat_id,
    OutboxMessage.method,
    OutboxMessage.payload,
    OutboxMessage.erase_on_send,
    OutboxMessage.ref_kind,
    OutboxMessage.ref_id,
    OutboxMessage.attempts,
    OutboxMessage.not_before,
)


@dataclass
class QueuedRow:
    id: int
    chat_id: int
    method: str
    payload: dict[str, Any]
    erase_on_send: bool
    ref_kind: str | None = None
    ref_id: int | None = None
    attempts: int = 0
    not_before: float = 0.0  # monotonic
    # Rows of the same chat given up with this one (403: the chat is unreachable).
    dropped: list[int] = field(default_factory=list)


@dataclass
class _ChatQueue:
    rows: deque[QueuedRow] = field(default_factory=deque)
    busy: bool = False
    paused_until: float = 0.0


class OutboxSender:
    def __init__(
        self,
        database: Database,
        bot: Bot,
        clock: Clock,
        settings: DeliverySettings,
        *,
        on_blocked: BlockedHook | None = None,
        on_rejected: RejectedHook | None = None,
        on_sent: SentHook | None = None,
    ) -> None:
        self._db = database
        self._bot = bot
        self._clock = clock
        self._overall = Spacing(settings.send_rate_overall)
        self._chats_limits = ChatLimits(
            settings.send_rate_per_chat,
            settings.send_burst_per_chat,
            settings.send_rate_per_group_per_minute,
        )
        self._on_blocked = on_blocked
        self._on_rejected = on_rejected
        self._on_sent = on_sent
        self._queues: dict[int, _ChatQueue] = {}
        self._loaded_up_to = 0
        self._known: set[int] = set()  # queued, in flight, or sent and not yet recorded
        self._last_full_scan = 0.0
        self._queued = 0
        self._in_flight = 0
        self._wake = asyncio.Event()
        self._reload = True
        self._results: list[tuple[QueuedRow, DeliveryResult]] = []
        self._results_ready = asyncio.Event()
        self._sent_ids: OrderedDict[int, int | None] = OrderedDict()
        self._failed_ids: set[int] = set()
        self._tasks: set[asyncio.Task] = set()
        self._idle = asyncio.Event()
        self._running = False
        self.stats = {"sent": 0, "retry_after": 0, "transient": 0, "blocked": 0, "rejected": 0}

    # -- public API ------------------------------------------------------------------------

    def offer(self, rows: list[OutboxMessage]) -> None:
        """Rows a unit of work has just committed: queued at once, without reading them back."""
        now, now_wall = time.monotonic(), self._clock.now()
        for row in rows:
            if row.id not in self._sent_ids and row.id not in self._failed_ids:
                self._queue_row(row, now, now_wall)
        self._idle.clear()
        self._wake.set()

    def wake(self) -> None:
        """New rows were committed elsewhere: load them soon."""
        self._reload = True
        self._idle.clear()
        self._wake.set()

    async def run(self) -> None:
        self._running = True
        flusher = asyncio.create_task(self._flush_loop(), name="outbox-flush")
        try:
            await self._dispatch_loop()
        finally:
            self._running = False
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            flusher.cancel()
            await asyncio.gather(flusher, return_exceptions=True)
            await self._flush()

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until nothing is pending nor in flight (tests, graceful stop)."""
        if not await wait_event(self._idle, timeout):
            raise TimeoutError("the outbox is still busy")

    # -- loading ---------------------------------------------------------------------------

    async def _load(self) -> None:
        self._reload = False
        now = time.monotonic()
        since = max(0, self._loaded_up_to - LOOKBACK_IDS)
        if now - self._last_full_scan >= FULL_SCAN_S:
            since, self._last_full_scan = 0, now
        async with self._db.sessionmaker() as session:
            # The ids first: most pending rows are already queued here, and reading a row's
            # payload costs far more than its id.
            pending = await session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.id > since)
                .order_by(OutboxMessage.id)
            )
            # A row sent (or failed) while this query ran may still read as pending here: its
            # outcome is committed and forgotten from ``_known`` meanwhile.
            fresh = [
                row_id
                for row_id in pending
                if row_id not in self._known
                and row_id not in self._sent_ids
                and row_id not in self._failed_ids
            ]
            now_wall = self._clock.now()
            for start in range(0, len(fresh), LOAD_CHUNK):
                chunk = fresh[start : start + LOAD_CHUNK]
                rows = await session.execute(
                    select(*_QUEUED_COLUMNS)
                    .where(OutboxMessage.id.in_(chunk))
                    .order_by(OutboxMessage.id)
                )
                for row in rows:
                    self._queue_row(row, now, now_wall)

    def _queue_row(self, row: Any, now: float, now_wall: datetime) -> None:
        if row.id in self._known:  # offered while a load was reading it
            return
        self._known.add(row.id)
        delay = (row.not_before - now_wall).total_seconds() if row.not_before else 0.0
        queued = QueuedRow(
            id=row.id,
            chat_id=row.chat_id,
            method=row.method,
            payload=row.payload,
            erase_on_send=row.erase_on_send,
            ref_kind=row.ref_kind,
            ref_id=row.ref_id,
            attempts=row.attempts,
            not_before=now + max(0.0, delay),
        )
        self._queues.setdefault(row.chat_id, _ChatQueue()).rows.append(queued)
        self._queued += 1
        self._loaded_up_to = max(self._loaded_up_to, row.id)

    # -- dispatching -----------------------------------------------------------------------

    async def _dispatch_loop(self) -> None:
        while True:
            if self._reload:
                try:
                    await self._load()
                except Exception:
                    log.exception("outbox: loading pending rows failed; retrying")
                    self._reload = True
                    await asyncio.sleep(1.0)
                    continue
            next_at = self._dispatch_ready()
            if self._queued == 0 and self._in_flight == 0 and not self._results:
                self._idle.set()
            self._wake.clear()
            scan_at = self._last_full_scan + FULL_SCAN_S
            timeout = max(0.0, min(next_at or scan_at, scan_at) - time.monotonic())
            if timeout == 0.0:
                if time.monotonic() >= scan_at:
                    self._reload = True
                await asyncio.sleep(0)
                continue
            if not await wait_event(self._wake, timeout):
                self._reload = self._reload or time.monotonic() >= scan_at

    def _dispatch_ready(self) -> float | None:
        """Start every row that may go now; return when the next one may go."""
        now = time.monotonic()
        next_at: float | None = None
        for chat_id in list(self._queues):
            queue = self._queues[chat_id]
            if queue.busy:
                continue
            if not queue.rows:
                del self._queues[chat_id]
                continue
            head = queue.rows[0]
            ready = max(
                head.not_before,
                queue.paused_until,
                self._chats_limits.ready_at(chat_id, now),
            )
            if ready <= now:
                ready = self._overall.ready_at(now)
                if ready <= now:
                    stamp = self._overall.take(now)
                    self._chats_limits.take(chat_id, now)
                    queue.busy = True
                    self._start(queue, head, stamp)
                    continue
            next_at = ready if next_at is None else min(next_at, ready)
        return next_at

    def _start(self, queue: _ChatQueue, row: QueuedRow, stamp: list[float]) -> None:
        self._in_flight += 1
        task = asyncio.create_task(self._send(queue, row, stamp))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, queue: _ChatQueue, row: QueuedRow, stamp: list[float]) -> None:
        try:
            payload = await self._resolve_refs(row)
            if payload is None:
                result = DeliveryResult(Outcome.REJECTED, error="referenced message was not sent")
            else:
                Spacing.started(stamp, time.monotonic())
                result = await deliver(self._bot, row.method, payload, REQUEST_TIMEOUT_S)
            self._apply(queue, row, result)
        except Exception:  # never let one row stop its chat
            log.exception("outbox: unexpected failure on %s", row.method)
            self._apply(queue, row, DeliveryResult(Outcome.TRANSIENT, error="internal"))
        finally:
            queue.busy = False
            self._in_flight -= 1
            self._wake.set()

    async def _resolve_refs(self, row: QueuedRow) -> dict[str, Any] | None:
        """Fill in what earlier rows produced (a message id, a topic id); None if never sent."""
        if not any(key in row.payload for key in REFERENCES):
            return row.payload
        payload = dict(row.payload)
        for key, field_name in REFERENCES.items():
            if key not in payload:
                continue
            ref = payload.pop(key)
            value = self._sent_ids.get(ref)
            if value is None and ref not in self._failed_ids:
                async with self._db.sessionmaker() as session:
                    value = await sent_message_id(session, ref)
            if value is not None:
                payload[field_name] = value
            elif key != THREAD_REF:
                return None
            # A topic that could not be created: the message goes to the chat itself.
        return payload

    def _apply(self, queue: _ChatQueue, row: QueuedRow, result: DeliveryResult) -> None:
        now = time.monotonic()
        self.stats[result.outcome.value] += 1
        if result.outcome is Outcome.SENT:
            self._pop(queue, row)
            self._remember(row.id, result.message_id)
        elif result.outcome is Outcome.RETRY_AFTER:
            queue.paused_until = now + max(result.retry_after, 0.5)
            log.warning("outbox: 429 for chat, waiting %.1fs", result.retry_after)
            return
        elif result.outcome is Outcome.TRANSIENT:
            row.attempts += 1
            backoff = min(MAX_BACKOFF_S, 0.5 * 2 ** min(row.attempts, 10))
            row.not_before = now + backoff * random.uniform(0.8, 1.2)
            log.warning("outbox: %s on %s, retry %d", result.error, row.method, row.attempts)
        elif result.outcome is Outcome.BLOCKED:
            for pending in list(queue.rows):
                self._pop(queue, pending)
                self._failed_ids.add(pending.id)
                if pending is not row:
                    row.dropped.append(pending.id)
            log.info("outbox: chat unreachable (403), pending rows failed")
        else:
            self._pop(queue, row)
            self._failed_ids.add(row.id)
            log.warning("outbox: %s rejected: %s", row.method, result.error)
        self._results.append((row, result))
        self._results_ready.set()

    def _pop(self, queue: _ChatQueue, row: QueuedRow) -> None:
        if queue.rows and queue.rows[0] is row:
            queue.rows.popleft()
        else:
            queue.rows.remove(row)
        self._queued -= 1

    def _remember(self, outbox_id: int, message_id: int | None) -> None:
        self._sent_ids[outbox_id] = message_id
        while len(self._sent_ids) > 50_000:
            self._sent_ids.popitem(last=False)

    # -- recording outcomes ----------------------------------------------------------------

    async def _flush_loop(self) -> None:
        while True:
            await self._results_ready.wait()
            await asyncio.sleep(0.02)  # gather a few results per transaction
            try:
                await self._flush()
            except Exception:
                log.exception("outbox: recording outcomes failed; retrying")
                await asyncio.sleep(1.0)
            self._wake.set()

    async def _flush(self) -> None:
        self._results_ready.clear()
        batch, self._results = self._results, []
        if not batch:
            return
        try:
            async with self._db.transaction() as session:
                sent: list[dict[str, Any]] = []
                for row, result in batch:
                    if result.outcome is Outcome.SENT and not row.erase_on_send:
                        await self._record_sent(session, row, result, sent)
                    else:
                        await self._record(session, row, result)
                if sent:
                    await session.execute(_MARK_SENT, sent)
        except Exception:
            self._results = batch + self._results
            self._results_ready.set()
            raise
        for row, result in batch:
            if result.outcome is not Outcome.TRANSIENT:
                self._known.discard(row.id)
                self._known.difference_update(row.dropped)

    async def _record_sent(
        self,
        session: AsyncSession,
        row: QueuedRow,
        result: DeliveryResult,
        sent: list[dict[str, Any]],
    ) -> None:
        """A sent row: its hook now, its status with the others of the batch (one statement)."""
        if row.ref_kind and self._on_sent is not None:
            await self._on_sent(session, row, result.message_id)
        sent.append(
            {
                "row_id": row.id,
                "when": self._clock.now(),
                "message_id": result.message_id,
                "tries": row.attempts + 1,
            }
        )

    async def _record(self, session: AsyncSession, row: QueuedRow, result: DeliveryResult) -> None:
        now = self._clock.now()
        where = OutboxMessage.id == row.id
        if result.outcome is Outcome.SENT:  # a row erased once delivered (others: _record_sent)
            if row.ref_kind and self._on_sent is not None:
                await self._on_sent(session, row, result.message_id)
            await session.execute(delete(OutboxMessage).where(where))
        elif result.outcome is Outcome.TRANSIENT:
            delay = max(0.0, row.not_before - time.monotonic())
            await session.execute(
                update(OutboxMessage)
                .where(where)
                .values(
                    attempts=row.attempts,
                    not_before=now + timedelta(seconds=delay),
                    error=result.error,
                )
            )
        elif result.outcome is Outcome.BLOCKED:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([row.id, *row.dropped]))
                .values(status=OutboxStatus.FAILED, error=result.error)
            )
            if self._on_blocked is not None:
                await self._on_blocked(session, row.chat_id)
        elif result.outcome is Outcome.REJECTED:
            await session.execute(
                update(OutboxMessage)
                .where(where)
                .values(status=OutboxStatus.FAILED, error=result.error, attempts=row.attempts + 1)
            )
            if self._on_rejected is not None:
                await self._on_rejected(session, row, result.error or "")


_OUTBOX = OutboxMessage.__table__
# Built once; run for every sent row of a batch at once (executemany).
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(
        status=OutboxStatus.SENT,
        sent_at=bindparam("when"),
        sent_message_id=bindparam("message_id"),
        attempts=bindparam("tries"),
    )
)


async def sent_message_id(session: AsyncSession, outbox_id: int) -> int | None:
    """The Telegram message id an outbox row produced, once it was sent."""
    return await session.scalar(
        select(OutboxMessage.sent_message_id).where(OutboxMessage.id == outbox_id)
    )
