"""Telegram Bot API emulator: a real HTTP server speaking the Bot API, driven from Python.

The bot under test (or under benchmark, or behind a browser demo) talks to it exactly as it
talks to Telegram — aiogram only needs another base URL — while Python code plays the users,
watches what the bot sends, and breaks things on purpose.

Quick start
-----------
::

    from bot.emulator import BotAPIEmulator

    async with BotAPIEmulator() as emu:                       # listens on 127.0.0.1:<free port>
        bot = emu.add_bot("123456:TEST", username="promeneur_bot")
        session = AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url))
        aiogram_bot = Bot(bot.token, session=session)         # or: emu.make_bot()
        ...start polling...
        ines = emu.add_user("Inès")                           # private chat id == user id
        await emu.send_text(ines, "/start")
        [reply] = await emu.wait_for_messages(ines)           # the next unseen bot message
        assert "Bonjour" in reply.text
        await emu.press_button(ines, reply, "menu:help")

World
-----
* ``emu.add_bot(token, username=None, first_name=None, **getme_fields) -> BotHandle`` — the id is
  the token's numeric prefix; the first bot is the default for every ``bot=`` parameter.
  ``emu.bot(token)`` finds a handle; a handle offers the same API with ``bot=`` pre-filled.
  getMe reports ``has_topics_enabled: true``: private chats support forum topics (Bot API 9.3).
* ``emu.add_user(first_name="Test", *, last_name, username, language_code="fr", user_id,
  started=True) -> EmuUser`` — unique ids above 2**32.
* ``emu.add_group(title, *, forum=False, supergroup=True, members=(), admins=(), owner=None,
  bots=None, bot_status="administrator") -> EmuChat`` — ids ``-100…``; all bots are in it.

Acting as users (each returns the stored message; its ``update_id`` is set)
------------------------------------------------------------------------
Common keywords: ``chat=None`` (default: the private chat with the bot), ``thread_id=None``,
``reply_to=None`` (StoredMessage, aiogram Message, message id or ``(chat_id, message_id)``),
``bot=None``. Chats may be given as EmuChat, EmuUser, aiogram Chat/User, id or "@username".

* ``await emu.send_text(user, text, entities=None)`` — /commands, @mentions, URLs, #tags get
  their entities automatically (UTF-16 offsets).
* ``send_photo``, ``send_document(user, content, filename)``, ``send_voice``, ``send_video``,
  ``send_video_note``, ``send_sticker``, ``send_audio``, ``send_animation``,
  ``send_location(user, lat, lon)``, ``send_venue``, ``send_contact``, ``send_poll``,
  ``send_dice``, ``send_album(user, ["photo", "photo"])`` (one update per item, same
  ``media_group_id``), ``send_message_raw(user, {...any Message fields...})``.
* ``await emu.edit_text(user, message, "new")`` / ``edit_caption`` → ``edited_message``.
* ``await emu.press_button(user, bot_message, callback_data)`` (or ``text=``) →
  ``callback_query``; returns a :class:`CallbackQueryRecord` whose ``answer`` fills in when the
  bot answers (``await emu.wait_for_callback_answer(record)``). ``LookupError`` if no such button.
* ``await emu.create_topic(user, name, chat=None)`` — user-created topic.
* ``emu.block(user)`` / ``emu.unblock(user)`` — sends to that chat answer 403 "Forbidden: bot
  was blocked by the user"; the bot gets ``my_chat_member`` (kicked / member).
* ``emu.deactivate(user)`` — 403 "Forbidden: user is deactivated";
  ``await emu.migrate_group(group)`` — basic group → supergroup (400 with
  ``migrate_to_chat_id`` on the old id).
* ``await emu.add_user_to_group(user, group)``, ``remove_user_from_group``,
  ``add_bot_to_group(group, by=user)``, ``remove_bot_from_group(group)``.
* ``await emu.push_update({...})`` — any raw update (``update_id`` assigned).

Updates follow Telegram: ``getUpdates`` hands out up to ``limit`` (≤100) pending updates,
``offset`` confirms (drops) older ones, ``timeout`` long-polls and returns as soon as one
arrives, a newer ``getUpdates`` terminates an older one with 409, ``allowed_updates`` filters
(default: everything but chat_member / message_reaction*). ``setWebhook`` switches to HTTP
delivery to that URL (secret token header, replies-into-webhook executed).

Observing the bot
-----------------
* ``emu.sent(chat, thread_id=ANY, include_deleted=True) -> list[StoredMessage]`` (alias
  ``BotMessage``): current state of each message — ``message_id``, ``chat_id``, ``thread_id``,
  ``text`` (plain, after parse_mode; caption for media), ``source_text`` (as sent),
  ``parse_mode``, ``entities``, ``content_type``, ``buttons`` (rows of ``(text,
  callback_data|url)``), ``keyboard`` (rows of :class:`Button`), ``reply_markup``,
  ``document``/``file`` (:class:`FileRecord` with ``filename`` and ``content`` bytes),
  ``edits`` and ``history``, ``deleted``, ``copied_from``, ``reply_to``, ``method``, ``params``.
* ``emu.last_sent(chat)``, ``emu.messages(chat)`` (both sides), ``emu.transcript(chat)``.
* ``await emu.wait_for_messages(chat, count=1, timeout=5.0, predicate=None, thread_id=ANY,
  since=None)`` — without ``since``: the next ``count`` *unseen* matching messages (each
  message is returned once); with ``since=emu.mark()``: the first ``count`` matching messages
  created after the mark. ``wait_for_message`` returns one. Timeouts raise
  :class:`EmulatorTimeout` (a ``TimeoutError``) showing the conversation.
* ``await emu.wait_for_edit(chat, message_id=None)``, ``wait_for_callback_answer``,
  ``wait_for_request(method)``, ``wait_until(condition)``, ``wait_until_idle()`` (all updates
  confirmed).
* ``emu.callback_answers`` (by query id), ``emu.requests`` / ``emu.calls(method)`` (every call
  with decoded params), ``emu.topics(chat)``, ``emu.chat_action(chat)``, ``emu.commands()``,
  ``emu.file_bytes(file_id)``.
* ``emu.subscribe(kinds=None) -> Subscription`` — ``async for event in sub`` over
  ``bot_message``, ``bot_edit``, ``bot_delete``, ``user_message``, ``callback_query``,
  ``callback_answer``, ``topic_created``, … (:mod:`bot.emulator.events`).

Faults (``emu.faults``, :mod:`bot.emulator.faults`)
--------------------------------------------------
* ``emu.faults.fail(method="sendMessage", status=429, retry_after=2, times=1, chat_id=None)``
* ``emu.faults.fail(None, 500, times=3)``; ``fail(..., body="<html>")`` for undecodable answers;
  ``after=True`` performs the call and then fails (the message exists, the bot doesn't know).
* ``emu.faults.drop_connection("sendMessage", times=1, after=False)``
* ``emu.faults.delay("getUpdates", seconds=2)``; ``emu.faults.clear()``; ``rule.cancel()``.

Flood limits and statistics
---------------------------
``BotAPIEmulator(enforce_limits=True)`` (or a :class:`LimitPolicy`, or later
``emu.limits = ...``) answers ``429 Too Many Requests: retry after N`` beyond ~1 msg/s per
private chat (bursts of 3), 20/min per group, 30/s per bot (:mod:`bot.emulator.limits`).
``emu.stats`` counts requests per method, statuses, ``rate_limited`` (429s of the limiter),
injected faults, updates pushed/delivered, and timestamps every accepted send
(``max_in_window``, ``per_second``, ``throughput``, ``check_compliance(policy)`` to replay a
run against the limits without enforcing them).

Fidelity notes
--------------
parse_mode HTML / MarkdownV2 / Markdown is parsed as Telegram does (bad markup → 400 "can't
parse entities"), text is trimmed, 4096/1024 length limits apply, ``editMessageText`` without
``reply_markup`` removes the inline keyboard, a message carrying a reply keyboard can't be
edited, "message is not modified" is detected, a deleted topic answers "message thread not
found", callback_data is limited to 64 bytes, a callback query can be answered once, updates
of types excluded by ``allowed_updates`` are discarded, user ids exceed 32 bits.

Simplifications: each user action reaches one bot (``bot=``); message ids are per bot and
chat; privacy mode is off (bots see every group message); closed topics still accept the bot's
messages; no inline mode, payments, games, stories or live-location editing (methods not
implemented answer 404 "Not Found: method not found"). For long benchmarks pass
``record_requests=False`` (the request log grows with every call).

Standalone: ``python -m bot.emulator --port 8081 --token 123:ABC`` (``--chat`` to talk to the
bot from the terminal). The same port serves a JSON control API under ``/_emulator`` (create
users, send as them, press buttons, read conversations, Server-Sent Events stream of events,
faults) for a browser demo — see :mod:`bot.emulator.control`.
"""

from .emulator import BotAPIEmulator, BotHandle, EmulatorTimeout
from .events import EmulatorEvent, Subscription
from .faults import FaultInjector, FaultRule
from .formatting import ParseError, format_text, utf16_len
from .limits import LimitDecision, LimitPolicy, RateLimiter
from .models import (
    ANY,
    ApiError,
    BotMessage,
    Button,
    CallbackAnswer,
    CallbackQueryRecord,
    EditRecord,
    EmuChat,
    EmuUser,
    FileRecord,
    RequestRecord,
    StoredMessage,
    Topic,
)
from .stats import ComplianceReport, EmulatorStats, SendSample

__all__ = [
    "ANY",
    "ApiError",
    "BotAPIEmulator",
    "BotHandle",
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "CallbackQueryRecord",
    "ComplianceReport",
    "EditRecord",
    "EmuChat",
    "EmuUser",
    "EmulatorEvent",
    "EmulatorStats",
    "EmulatorTimeout",
    "FaultInjector",
    "FaultRule",
    "FileRecord",
    "LimitDecision",
    "LimitPolicy",
    "ParseError",
    "RateLimiter",
    "RequestRecord",
    "SendSample",
    "StoredMessage",
    "Subscription",
    "Topic",
    "format_text",
    "utf16_len",
]
