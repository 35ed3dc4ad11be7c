"""Pipeline benchmark, through the project's Bot API emulator over HTTP.

(a) Capacity: 1,000 young people each send one message at once. With REPLY_PAUSE_S=0 and the
    sending rate raised out of the way, it prints updates per second and p50/p95 latency from
    update to reply, for Promeneur and, in the same run on the same workload, for a bare aiogram
    echo bot, and the ratio.
(b) Compliance: the emulator enforces Telegram's limits; Promeneur runs with its default rates
    and answers 1,000 chats: the achieved rate against 30 a second and the number of 429s.

Run: .venv/bin/python bench/pipeline.py [--users 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot, Dispatcher, Router  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from aiogram.types import Message  # noqa: E402

from bot.app import Application  # noqa: E402
from bot.emulator import BotAPIEmulator  # noqa: E402
from config.settings import (  # noqa: E402
    DeliverySettings,
    ServiceSettings,
    Settings,
    StorageSettings,
    TelegramSettings,
)

PROMENEUR_TOKEN = "111111:BENCH-PROMENEUR"
ECHO_TOKEN = "222222:BENCH-ECHO"
TEXT = "slt je cherche un taf pour cet ete"


def settings(api_url: str, database: Path, *, fast: bool) -> Settings:
    delivery = (
        {"reply_pause_s": 0, "send_rate_overall": 10_000, "send_rate_per_chat": 100, "send_burst_per_chat": 100}
        if fast
        else {"reply_pause_s": 0}
    )
    return Settings(
        telegram=TelegramSettings(_env_file=None, bot_token=PROMENEUR_TOKEN, telegram_api_url=api_url),
        storage=StorageSettings(_env_file=None, database_url=f"sqlite+aiosqlite:///{database}"),
        service=ServiceSettings(_env_file=None, territory_name="Promeneurs du Net du Cher"),
        delivery=DeliverySettings(_env_file=None, **delivery),
    )


async def run_workload(emu: BotAPIEmulator, token: str, users: int, timeout: float) -> dict:
    """Every user sends one message at once; wait for one reply per user."""
    people = [emu.add_user(f"J{i}") for i in range(users)]
    chats = {person.id for person in people}
    subscription = emu.subscribe(kinds={"user_message", "bot_message"}, bot=token, maxsize=0)
    asked: dict[int, float] = {}
    answered: dict[int, float] = {}
    done = asyncio.Event()

    async def collect() -> None:
        async for event in subscription:
            if event.chat_id not in chats:
                continue
            if event.kind == "user_message":
                asked.setdefault(event.chat_id, event.time)
            elif event.chat_id not in answered:
                answered[event.chat_id] = event.time
                if len(answered) == users:
                    done.set()
                    return

    collector = asyncio.create_task(collect())
    started = time.time()
    await asyncio.gather(*(emu.send_text(person, TEXT, bot=token) for person in people))
    try:
        await asyncio.wait_for(done.wait(), timeout)
    finally:
        subscription.close()
        collector.cancel()
        await asyncio.gather(collector, return_exceptions=True)
    finished = max(answered.values())
    latencies = sorted(answered[c] - asked[c] for c in answered)
    return {
        "replies": len(answered),
        "seconds": finished - started,
        "rate": len(answered) / (finished - started),
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "first": min(answered.values()),
        "last": finished,
    }


@contextlib.asynccontextmanager
async def promeneur(emu: BotAPIEmulator, *, fast: bool):
    with tempfile.TemporaryDirectory() as tmp:
        app = Application(settings(emu.base_url, Path(tmp) / "bench.db", fast=fast))
        await app.prepare()
        app.freeze_startup_objects()  # as `promeneur run` does
        app.start()
        try:
            yield app
        finally:
            await app.stop()


@contextlib.asynccontextmanager
async def echo_bot(emu: BotAPIEmulator):
    bot = Bot(ECHO_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    task = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False))
    try:
        yield bot
    finally:
        await dispatcher.stop_polling()
        await asyncio.gather(task, return_exceptions=True)
        await bot.session.close()


async def capacity(users: int) -> None:
    async with BotAPIEmulator() as emu:
        emu.add_bot(ECHO_TOKEN, username="echo_bot")
        emu.add_bot(PROMENEUR_TOKEN, username="promeneur_bot")
        async with echo_bot(emu):
            echo = await run_workload(emu, ECHO_TOKEN, users, timeout=300)
        async with promeneur(emu, fast=True):
            ours = await run_workload(emu, PROMENEUR_TOKEN, users, timeout=300)
    print(f"(a) capacity: {users} young people, one message each, at once")
    for name, result in (("bare aiogram echo bot", echo), ("Promeneur", ours)):
        print(
            f"    {name:<22} {result['rate']:8.1f} updates/s   p50 {result['p50_ms']:7.1f} ms"
            f"   p95 {result['p95_ms']:7.1f} ms   ({result['replies']} replies in {result['seconds']:.2f} s)"
        )
    print(f"    ratio Promeneur / echo: {ours['rate'] / echo['rate']:.2f} (target >= 0.50)")


async def compliance(users: int) -> None:
    async with BotAPIEmulator(enforce_limits=True) as emu:
        emu.add_bot(PROMENEUR_TOKEN, username="promeneur_bot")
        async with promeneur(emu, fast=False) as app:
            result = await run_workload(emu, PROMENEUR_TOKEN, users, timeout=users / 5 + 60)
            # Each young person gets more than one message (the answer, places nearby): the
            # sender's rate is measured over all of them, until the outbox is empty.
            await app.sender.wait_idle(timeout=users / 5 + 60)
        stats = emu.stats
        rate = stats.throughput(include_edits=False)
        sent = stats.messages_sent
        limited = stats.rate_limited
        worst = stats.max_in_window(1.0)
    print(f"(b) compliance: Telegram's limits enforced, default rates, {users} chats")
    print(
        f"    {sent} messages ({result['replies']} first replies) at {rate:.1f} messages/s"
        f" = {100 * rate / 30:.1f} % of 30/s (target >= 95 %), busiest second {worst},"
        f" 429 answers: {limited} (target 0)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--only", choices=["capacity", "compliance"])
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.only in (None, "capacity"):
        asyncio.run(capacity(args.users))
    if args.only in (None, "compliance"):
        asyncio.run(compliance(args.users))


if __name__ == "__main__":
    main()
