"""Order and bursts under load, end to end: one young person writes 50 messages in four bursts
while ten others talk at the same time. Every message is stored in the order it was written,
and each burst gets one answer once its writer pauses."""

from __future__ import annotations

import asyncio

from tests.conftest import make_settings
from tests.support.databases import fresh_sqlite_url
from tests.support.harness import running_bot

PAUSE_S = 0.8  # REPLY_PAUSE_S for this test: bursts are written much faster than that
BURSTS = (13, 13, 12, 12)  # 50 messages


async def _write(emu, person, texts: list[str]) -> None:
    for text in texts:
        await emu.send_text(person, text)


async def test_fifty_messages_in_order_answered_as_bursts_while_ten_chats_talk(tmp_path):
    url = fresh_sqlite_url(tmp_path, "order.db")
    settings = lambda api: make_settings(url, api, delivery={"reply_pause_s": PAUSE_S})  # noqa: E731
    async with running_bot(settings) as bot:
        emu = bot.emulator
        zoe = emu.add_user("Zoé")
        others = [emu.add_user(f"Jeune {n}") for n in range(10)]
        await emu.send_text(zoe, "/start")
        await emu.wait_for_message(zoe)

        written: list[str] = []
        others_written: dict[int, list[str]] = {person.id: [] for person in others}
        for number, size in enumerate(BURSTS):
            burst = [f"bout {len(written) + i + 1} de mon histoire" for i in range(size)]
            written += burst
            writers = [_write(emu, zoe, burst)]
            if number in (0, 2):  # the others talk during the first and third bursts
                for person in others:
                    theirs = [f"{person.first_name} dit {number}-{i}" for i in range(5)]
                    others_written[person.id] += theirs
                    writers.append(_write(emu, person, theirs))
            await asyncio.gather(*writers)
            await asyncio.sleep(PAUSE_S * 3)  # the pause: the burst's answer goes out
        await bot.settle()

        stored = [m.text for m in await bot.messages_of(zoe.id) if m.direction == "in"]
        assert stored == written  # /start is a command, not a message of the conversation
        answers = emu.sent(zoe.id)[1:]  # after the welcome
        assert len(answers) == len(BURSTS), emu.transcript(zoe.id)
        for person in others:
            theirs = [m.text for m in await bot.messages_of(person.id) if m.direction == "in"]
            assert theirs == others_written[person.id]
            assert len(emu.sent(person.id)) == 2, emu.transcript(person.id)  # one per burst
