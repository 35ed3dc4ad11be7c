"""Run the emulator standalone: ``python -m bot.emulator --port 8081 --token 123:ABC``.

Point the bot at the printed base URL (``TelegramAPIServer.from_base(url)``). With ``--chat``,
type lines to speak as a user; lines starting with ``!`` are emulator commands (``!help``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import Any

from . import BotAPIEmulator, LimitPolicy
from .events import EmulatorEvent

HELP = """Commands:
  <text>               send text as the user
  !press <data|text>   press a button of the bot's last message with a keyboard
  !photo [caption]     send a photo            !voice        send a voice note
  !doc <path>          send a file             !loc <lat> <lon>  share a location
  !topic <id> <text>   write in a forum topic  !block / !unblock
  !topics              list topics             !stats        counters
  !quit"""


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.emulator", description="Telegram Bot API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", action="append", help="bot token (repeatable); default 123456:TEST-TOKEN")
    parser.add_argument("--username", default=None, help="username of the first bot")
    parser.add_argument("--limits", action="store_true", help="enforce Telegram's flood limits (429)")
    parser.add_argument("--chat", action="store_true", help="talk to the bot from this terminal")
    parser.add_argument("--name", default="Inès", help="first name of the terminal user")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every bot message")
    return parser.parse_args(argv)


def _describe(event: EmulatorEvent) -> str | None:
    message = event.message
    if event.kind in ("bot_message", "bot_edit") and message is not None:
        tag = "edit" if event.kind == "bot_edit" else "bot"
        thread = f" [topic {message.thread_id}]" if message.thread_id is not None else ""
        body = message.text if message.text is not None else f"<{message.content_type}>"
        if message.document is not None:
            body = f"{body or ''} <document {message.document.filename}, {message.document.size} bytes>"
        lines = [f"[{tag} → {event.chat_id}{thread} #{message.message_id}] {body}"]
        for row in message.buttons:
            lines.append("    " + "  ".join(f"[{text} → {value}]" for text, value in row))
        return "\n".join(lines)
    if event.kind == "bot_delete" and message is not None:
        return f"[deleted {event.chat_id} #{message.message_id}]"
    if event.kind == "callback_answer":
        return f"[callback answer] {event.data.get('text')!r}{' (alert)' if event.data.get('show_alert') else ''}"
    if event.kind == "topic_created":
        return f"[topic created in {event.chat_id}] {event.data.get('topic')}"
    return None


async def _print_events(emu: BotAPIEmulator, chat_id: int | None) -> None:
    async with emu.subscribe() as events:
        async for event in events:
            if chat_id is not None and event.chat_id != chat_id and event.kind != "topic_created":
                continue
            text = _describe(event)
            if text:
                print(text, flush=True)


async def _chat(emu: BotAPIEmulator, name: str) -> None:
    user = emu.add_user(name)
    print(f"You are {user.first_name} (id {user.id}). {HELP}", flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        line = line.rstrip("\n")
        if not line.strip():
            continue
        try:
            if await _command(emu, user, line) is False:
                return
        except Exception as error:  # keep the session alive on a bad command
            print(f"! {type(error).__name__}: {error}", flush=True)


async def _command(emu: BotAPIEmulator, user: Any, line: str) -> bool | None:
    if not line.startswith("!"):
        await emu.send_text(user, line)
        return None
    command, _, rest = line[1:].partition(" ")
    if command == "quit":
        return False
    if command == "help":
        print(HELP)
    elif command == "press":
        target = next((m for m in reversed(emu.sent(user)) if m.inline_keyboard and not m.deleted), None)
        if target is None:
            print("! no message with buttons")
        elif rest in target.callback_data:
            await emu.press_button(user, target, rest)
        else:
            await emu.press_button(user, target, text=rest)
    elif command == "photo":
        await emu.send_photo(user, caption=rest or None)
    elif command == "voice":
        await emu.send_voice(user)
    elif command == "doc":
        with open(rest, "rb") as handle:
            await emu.send_document(user, handle.read(), rest.rsplit("/", 1)[-1])
    elif command == "loc":
        lat, lon = rest.split()
        await emu.send_location(user, float(lat), float(lon))
    elif command == "topic":
        thread, _, text = rest.partition(" ")
        await emu.send_text(user, text, thread_id=int(thread))
    elif command == "topics":
        for topic in emu.topics(user):
            print(f"  {topic.thread_id}: {topic.name}{' (closed)' if topic.closed else ''}")
    elif command == "block":
        emu.block(user)
    elif command == "unblock":
        emu.unblock(user)
    elif command == "stats":
        print(emu.stats.summary())
    else:
        print(f"! unknown command {command!r}")
    return None


async def main(argv: list[str] | None = None) -> None:
    args = _parse_args(argv)
    emu = BotAPIEmulator(enforce_limits=LimitPolicy() if args.limits else False, record_requests=False)
    for index, token in enumerate(args.token or ["123456:TEST-TOKEN"]):
        emu.add_bot(token, username=args.username if index == 0 else None)
    base_url = await emu.start(args.host, args.port)
    print(f"Bot API emulator listening on {base_url}", flush=True)
    for handle in emu.bots:
        print(f"  bot @{handle.username} token {handle.token} → {base_url}/bot{handle.token}/getMe", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    tasks = []
    if args.chat or args.verbose:
        tasks.append(asyncio.create_task(_print_events(emu, None)))
    if args.chat:
        chat_task = asyncio.create_task(_chat(emu, args.name))
        chat_task.add_done_callback(lambda _: stop.set())
        tasks.append(chat_task)
    try:
        await stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        await emu.stop()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
