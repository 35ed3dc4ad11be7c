"""The durable outbox against the emulator over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot.clock import Clock
from bot.emulator import BotAPIEmulator
from bot.outbox import Button, Outbox
from bot.outbox.sender import OutboxSender
from config.settings import DeliverySettings
from storage.models import OutboxMessage, OutboxStatus

TOKEN = "777:OUTBOX"


@pytest.fixture
async def emulator():
    async with BotAPIEmulator() as emu:
        emu.add_bot(TOKEN, username="outbox_bot")
        yield emu


@pytest.fixture
async def api(emulator):
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url)))
    yield bot
    await bot.session.close()


class Running:
    def __init__(self, database, api, **kwargs) -> None:
        self.blocked: list[int] = []
        self.rejected: list[str] = []

        async def on_blocked(session, chat_id):
            self.blocked.append(chat_id)

        async def on_rejected(session, row, error):
            self.rejected.append(error)

        settings = DeliverySettings(_env_file=None, **kwargs)
        self.sender = OutboxSender(
            database, api, Clock(), settings, on_blocked=on_blocked, on_rejected=on_rejected
        )
        self.task = asyncio.create_task(self.sender.run())

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def write(database, rows: list[tuple[int, str]]) -> list[int]:
    ids = []
    async with database.transaction() as session:
        outbox = Outbox(session, Clock())
        for chat_id, text in rows:
            ids.append(await outbox.id_of(await outbox.send_text(chat_id, text)))
    return ids


async def statuses(database) -> dict[int, OutboxMessage]:
    async with database.sessionmaker() as session:
        return {row.id: row for row in (await session.scalars(select(OutboxMessage))).all()}


async def test_rows_are_delivered_in_order_per_chat_and_ids_recorded(database, emulator, api):
    a, b = emulator.add_user("A"), emulator.add_user("B")
    ids = await write(database, [(a.id, f"a{i}") for i in range(5)] + [(b.id, f"b{i}") for i in range(5)])
    running = Running(database, api, send_rate_per_chat=50, send_burst_per_chat=5)
    try:
        running.sender.wake()
        await running.sender.wait_idle(10)
    finally:
        await running.stop()
    assert [m.text for m in emulator.sent(a.id)] == [f"a{i}" for i in range(5)]
    assert [m.text for m in emulator.sent(b.id)] == [f"b{i}" for i in range(5)]
    rows = await statuses(database)
    sent_ids = {m.text: m.message_id for m in emulator.sent(a.id) + emulator.sent(b.id)}
    for row_id in ids:
        row = rows[row_id]
        assert row.status == OutboxStatus.SENT
        assert row.sent_message_id == sent_ids[row.payload["text"]]


async def test_429_is_honoured_and_nothing_is_lost(database, emulator, api):
    user = emulator.add_user("C")
    emulator.faults.fail("sendMessage", status=429, retry_after=1, times=1)
    await write(database, [(user.id, "one"), (user.id, "two")])
    running = Running(database, api)
    started = time.monotonic()
    try:
        running.sender.wake()
        await emulator.wait_for_messages(user, count=2, timeout=10)
    finally:
        await running.stop()
    assert time.monotonic() - started >= 1.0  # waited what Telegram asked
    assert [m.text for m in emulator.sent(user.id)] == ["one", "two"]
    assert running.sender.stats["retry_after"] == 1


async def test_server_errors_and_dropped_connections_are_retried(database, emulator, api):
    user = emulator.add_user("D")
    emulator.faults.fail("sendMessage", status=500, times=2)
    emulator.faults.drop_connection("sendMessage", times=1)
    await write(database, [(user.id, "still here")])
    running = Running(database, api)
    try:
        running.sender.wake()
        [message] = await emulator.wait_for_messages(user, timeout=20)
    finally:
        await running.stop()
    assert message.text == "still here"
    assert running.sender.stats["transient"] == 3
    rows = await statuses(database)
    assert [r.status for r in rows.values()] == [OutboxStatus.SENT]


async def test_403_fails_the_chat_and_reports_it(database, emulator, api):
    blocked, fine = emulator.add_user("E"), emulator.add_user("F")
    emulator.block(blocked, notify=False)
    await write(database, [(blocked.id, "x"), (blocked.id, "y"), (fine.id, "ok")])
    running = Running(database, api)
    try:
        running.sender.wake()
        await running.sender.wait_idle(10)
    finally:
        await running.stop()
    assert running.blocked == [blocked.id]
    rows = await statuses(database)
    by_chat = {}
    for row in rows.values():
        by_chat.setdefault(row.chat_id, []).append(row.status)
    assert by_chat[blocked.id] == [OutboxStatus.FAILED, OutboxStatus.FAILED]
    assert by_chat[fine.id] == [OutboxStatus.SENT]
    assert len([r for r in emulator.requests if r.method == "sendMessage"]) == 2  # not retried


async def test_400_is_recorded_and_the_chat_goes_on(database, emulator, api):
    user = emulator.add_user("G")
    async with database.transaction() as session:
        outbox = Outbox(session, Clock())
        await outbox.send_text(user.id, "<b>broken")  # Telegram cannot parse this
        await outbox.send_text(user.id, "after")
    running = Running(database, api)
    try:
        running.sender.wake()
        await running.sender.wait_idle(10)
    finally:
        await running.stop()
    rows = list((await statuses(database)).values())
    assert rows[0].status == OutboxStatus.FAILED and "parse" in rows[0].error
    assert rows[1].status == OutboxStatus.SENT
    assert [m.text for m in emulator.sent(user.id)] == ["after"]


async def test_a_restart_sends_unsent_rows_and_never_resends_sent_ones(database, emulator, api):
    user = emulator.add_user("H")
    await write(database, [(user.id, "first")])
    running = Running(database, api)
    running.sender.wake()
    await emulator.wait_for_messages(user, timeout=5)
    await running.sender.wait_idle(5)
    # The process dies while Telegram is unreachable: the next rows stay pending.
    emulator.faults.fail("sendMessage", status=502, times=1000)
    await write(database, [(user.id, "second"), (user.id, "third")])
    running.sender.wake()
    await emulator.wait_for_request("sendMessage", timeout=5)
    await running.stop()  # killed
    emulator.faults.clear()
    restarted = Running(database, api)  # a new process: loads pending rows from the database
    try:
        await emulator.wait_for_messages(user, count=2, timeout=20)
        await restarted.sender.wait_idle(10)
    finally:
        await restarted.stop()
    assert [m.text for m in emulator.sent(user.id)] == ["first", "second", "third"]


async def test_rows_handed_over_at_commit_and_read_back_are_sent_once(database, emulator, api):
    """A unit of work hands its committed rows to the sender; a load asked for at the same
    time reads them too: each message still goes out once, in order, and is recorded as sent."""
    user = emulator.add_user("H")
    async with database.transaction() as session:
        outbox = Outbox(session, Clock())
        for text in ("un", "deux", "trois"):
            await outbox.send_text(user.id, text)
    running = Running(database, api)
    try:
        running.sender.wake()  # a load reads the pending rows from the database…
        running.sender.offer(outbox.rows)  # …while the same rows are handed over
        running.sender.wake()
        await running.sender.wait_idle(10)
        await asyncio.sleep(0.3)  # outcomes are recorded in small batches
    finally:
        await running.stop()
    assert [m.text for m in emulator.sent(user.id)] == ["un", "deux", "trois"]
    rows = await statuses(database)
    assert [row.status for row in rows.values()] == [OutboxStatus.SENT] * 3
    assert sorted(row.sent_message_id for row in rows.values()) == sorted(
        m.message_id for m in emulator.sent(user.id)
    )


async def test_edits_refer_to_a_message_sent_by_an_earlier_row(database, emulator, api):
    user = emulator.add_user("I")
    async with database.transaction() as session:
        outbox = Outbox(session, Clock())
        card = await outbox.send_text(user.id, "card", keyboard=[[Button("Go", callback_data="go")]])
        await outbox.edit_text(user.id, "card, taken", of_outbox=card)
    running = Running(database, api)
    try:
        running.sender.wake()
        await running.sender.wait_idle(10)
    finally:
        await running.stop()
    [message] = emulator.sent(user.id)
    assert message.text == "card, taken"
    assert message.buttons == []


async def test_overall_rate_is_kept(database, emulator, api):
    users = [emulator.add_user(f"R{i}") for i in range(40)]
    await write(database, [(u.id, "hello") for u in users])
    running = Running(database, api, send_rate_overall=20)
    started = time.monotonic()
    try:
        running.sender.wake()
        await running.sender.wait_idle(20)
    finally:
        await running.stop()
    elapsed = time.monotonic() - started
    assert elapsed >= 39 / 20 * 0.95  # 40 messages at 20 a second
    assert emulator.stats.max_in_window(1.0) <= 21
