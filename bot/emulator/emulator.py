"""The Python API of the emulator: :class:`BotAPIEmulator`.

It runs the HTTP server, lets code act as Telegram users (send text and media, edit, press
buttons, join groups, block the bot), observe what the bot sent, wait for it, inject faults,
and read statistics. See the package docstring (``bot.emulator``) for a guided tour.
"""

from __future__ import annotations

import functools
import json
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .control import ControlApi
from .faults import FaultInjector
from .formatting import auto_entities
from .events import Subscription
from .limits import LimitPolicy
from .methods import media_content, member_update, poll_json
from .models import (
    ANY,
    CallbackAnswer,
    CallbackQueryRecord,
    EmuChat,
    EmuUser,
    RequestRecord,
    StoredMessage,
    Topic,
)
from .server import ApiServer
from .state import TOPIC_ICON_COLORS, BotState, World
from .webhook import WebhookDeliverer

if TYPE_CHECKING:
    from aiogram import Bot

ChatRef = EmuChat | EmuUser | int | str
BotRef = "BotHandle | BotState | str | int | None"
MessageRef = StoredMessage | int | tuple[int, int] | Any
"""A StoredMessage, an aiogram Message, ``(chat_id, message_id)`` or a message id (in the user's chat)."""


class EmulatorTimeout(TimeoutError):
    """A ``wait_for_*`` call timed out; the message says what was there instead."""


_FAKE_CONTENT = {
    "photo": (b"\xff\xd8\xff\xe0fake-jpeg", "photo.jpg", "image/jpeg"),
    "document": (b"%PDF-1.4 fake", "document.pdf", "application/pdf"),
    "voice": (b"OggS fake voice", None, "audio/ogg"),
    "video": (b"\x00\x00\x00\x18ftypmp42 fake", "video.mp4", "video/mp4"),
    "video_note": (b"\x00\x00\x00\x18ftypmp42 fake", None, "video/mp4"),
    "audio": (b"ID3 fake audio", "audio.mp3", "audio/mpeg"),
    "animation": (b"\x00\x00\x00\x18ftypmp42 fake gif", "animation.mp4", "video/mp4"),
    "sticker": (b"RIFF fake webp", None, "image/webp"),
}


class BotHandle:
    """One emulated bot. Offers the emulator's bot-scoped API with ``bot=`` pre-filled.

    ``handle.sent(chat)`` is ``emu.sent(chat, bot=handle)``, ``await handle.send_text(user, "hi")``
    is ``await emu.send_text(user, "hi", bot=handle)``, and so on for every method listed in
    ``BotHandle.SCOPED``.
    """

    SCOPED = frozenset(
        {
            "send_text",
            "send_photo",
            "send_document",
            "send_voice",
            "send_video",
            "send_video_note",
            "send_sticker",
            "send_audio",
            "send_animation",
            "send_location",
            "send_venue",
            "send_contact",
            "send_poll",
            "send_dice",
            "send_album",
            "send_message_raw",
            "edit_text",
            "edit_caption",
            "delete_as_user",
            "press_button",
            "create_topic",
            "push_update",
            "block",
            "unblock",
            "migrate_group",
            "add_user_to_group",
            "remove_user_from_group",
            "add_bot_to_group",
            "remove_bot_from_group",
            "sent",
            "last_sent",
            "messages",
            "message",
            "all_sent",
            "transcript",
            "mark_read",
            "wait_for_messages",
            "wait_for_message",
            "wait_for_edit",
            "calls",
            "topics",
            "topic",
            "pending_updates",
            "wait_until_idle",
            "chat_action",
            "commands",
            "make_bot",
        }
    )

    def __init__(self, emulator: BotAPIEmulator, state: BotState) -> None:
        self._emulator = emulator
        self.state = state

    @property
    def token(self) -> str:
        return self.state.token

    @property
    def id(self) -> int:
        return self.state.id

    @property
    def username(self) -> str | None:
        return self.state.username

    @property
    def user(self) -> EmuUser:
        return self.state.user

    @property
    def api_url(self) -> str:
        """``{base_url}/bot{token}`` (append ``/{method}``)."""
        return self._emulator.api_url(self)

    def __getattr__(self, name: str) -> Any:
        if name in BotHandle.SCOPED:
            return functools.partial(getattr(self._emulator, name), bot=self)
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"<BotHandle {self.id} @{self.username}>"


class BotAPIEmulator:
    """A Telegram Bot API server in a box. See the ``bot.emulator`` package docstring."""

    def __init__(
        self,
        *,
        enforce_limits: bool | LimitPolicy = False,
        record_requests: bool = True,
        update_id_start: int = 1,
        token: str | None = None,
        username: str | None = None,
    ) -> None:
        """
        :param enforce_limits: ``True`` for Telegram's default limits, a :class:`LimitPolicy`
            for custom ones, ``False`` to never throttle (sends are still timestamped in stats).
        :param record_requests: keep every call in ``emu.requests`` (turn off for long runs).
        :param update_id_start: first ``update_id`` of every bot.
        :param token: register a first bot right away (``username`` for it).
        """
        policy = LimitPolicy() if enforce_limits is True else (enforce_limits or None)
        self.world = World(update_id_start=update_id_start, limit_policy=policy)
        self.faults = FaultInjector()
        self.faults._bot_resolver = lambda bot: self._bot(bot).id
        self._closing = False
        self.server = ApiServer(self.world, self.faults, record_requests=record_requests, closing=lambda: self._closing)
        ControlApi(self, self.server.app)
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self.host: str | None = None
        self.port: int | None = None
        self._handles: dict[int, BotHandle] = {}
        self._webhooks: dict[int, WebhookDeliverer] = {}
        self.world.on_update = self._on_update
        self._aiogram_bots: list[Bot] = []
        if token is not None:
            self.add_bot(token, username=username)

    # ================================================================== lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0 = a free port) and return ``base_url``."""
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        self._closing = False
        runner = web.AppRunner(self.server.app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port, backlog=4096)
        await site.start()
        self._runner, self._site = runner, site
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.host = host
        self.port = sockets[0].getsockname()[1] if sockets else port
        for bot in self.world.bots.values():
            self._on_update(bot)
        return self.base_url

    async def stop(self) -> None:
        """Answer pending long polls with no updates, then close the server."""
        self._closing = True
        self.world.notifier.notify("closing")
        self.world.notifier.notify_all()
        for deliverer in self._webhooks.values():
            await deliverer.stop()
        self._webhooks.clear()
        for bot in self._aiogram_bots:
            await bot.session.close()
        self._aiogram_bots.clear()
        self.world.hub.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = self._site = None

    async def __aenter__(self) -> BotAPIEmulator:
        if self._runner is None:
            await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def running(self) -> bool:
        return self._runner is not None

    @property
    def base_url(self) -> str:
        """``http://host:port`` — give it to ``TelegramAPIServer.from_base``."""
        if self.port is None:
            raise RuntimeError("emulator not started")
        host = self.host if self.host not in (None, "", "0.0.0.0", "::") else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def api_url(self, bot: Any = None) -> str:
        """``{base_url}/bot{token}``."""
        return f"{self.base_url}/bot{self._bot(bot).token}"

    # ================================================================== registry
    def add_bot(
        self,
        token: str = "123456:TEST-TOKEN",
        username: str | None = None,
        first_name: str | None = None,
        **capabilities: Any,
    ) -> BotHandle:
        """Register a bot. Its id is the token's numeric prefix; the first bot is the default.

        ``capabilities`` override fields of getMe (``has_topics_enabled=False`` disables topics
        in private chats, ``can_read_all_group_messages=True``, …).
        """
        state = self.world.add_bot(token, username, first_name, **capabilities)
        handle = self._handles[state.id] = BotHandle(self, state)
        if self.running:
            self._on_update(state)
        return handle

    def bot(self, token: str | int | None = None) -> BotHandle:
        """The bot with that token (or id); the default bot without argument."""
        return self._handles[self._bot(token).id]

    @property
    def bots(self) -> list[BotHandle]:
        return list(self._handles.values())

    def _bot(self, bot: Any) -> BotState:
        world = self.world
        if bot is None:
            if world.default_bot is None:
                raise LookupError("no bot registered: call add_bot() first")
            return world.default_bot
        if isinstance(bot, BotHandle):
            return bot.state
        if isinstance(bot, BotState):
            return bot
        if isinstance(bot, str):
            state = world.bots_by_token.get(bot)
            if state is None:
                raise LookupError(f"unknown bot token {bot!r}")
            return state
        if isinstance(bot, int):
            if bot not in world.bots:
                raise LookupError(f"unknown bot id {bot}")
            return world.bots[bot]
        token = getattr(bot, "token", None)  # an aiogram Bot
        if isinstance(token, str):
            return self._bot(token)
        raise TypeError(f"not a bot reference: {bot!r}")

    def add_user(
        self,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "fr",
        user_id: int | None = None,
        is_premium: bool | None = None,
        started: bool = True,
    ) -> EmuUser:
        """Create a user with a unique id (above 2**32, like recent accounts).

        Private chat id == user id. ``started=False``: the bot gets 403 "bot can't initiate
        conversation with a user" until the user writes to it.
        """
        return self.world.add_user(
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            user_id=user_id,
            is_premium=is_premium,
            started=started,
        )

    def add_group(
        self,
        title: str = "Groupe",
        *,
        forum: bool = False,
        supergroup: bool = True,
        username: str | None = None,
        chat_id: int | None = None,
        members: Iterable[EmuUser] = (),
        admins: Iterable[EmuUser] = (),
        owner: EmuUser | None = None,
        bots: Iterable[Any] | None = None,
        bot_status: str = "administrator",
    ) -> EmuChat:
        """Create a group (ids ``-100…`` for supergroups, ``-4…`` for basic groups).

        Every registered bot is in it (as ``bot_status``) unless ``bots`` lists which ones; no
        update is sent (use ``add_bot_to_group`` for the my_chat_member flow).
        """
        states = None if bots is None else [self._bot(b) for b in bots]
        return self.world.add_group(
            title,
            supergroup=supergroup,
            forum=forum,
            username=username,
            chat_id=chat_id,
            members=members,
            admins=admins,
            owner=owner,
            bots=states,
            bot_status=bot_status,
        )

    @property
    def users(self) -> dict[int, EmuUser]:
        return self.world.users

    @property
    def chats(self) -> dict[int, EmuChat]:
        return self.world.chats

    def chat(self, ref: ChatRef) -> EmuChat:
        """Resolve a chat reference (EmuChat, EmuUser, id, "@username")."""
        chat = self.world.resolve_chat(ref)
        if chat is None:
            raise LookupError(f"unknown chat {ref!r}")
        return chat

    # ================================================================== settings
    @property
    def limits(self) -> LimitPolicy | None:
        """The enforced :class:`LimitPolicy`, or None. Assign to change it (resets counters)."""
        return self.world.limit_policy

    @limits.setter
    def limits(self, policy: LimitPolicy | bool | None) -> None:
        self.world.limit_policy = LimitPolicy() if policy is True else (policy or None)

    @property
    def stats(self):  # -> EmulatorStats
        """Counters and send timestamps (:class:`~bot.emulator.stats.EmulatorStats`)."""
        return self.world.stats

    @property
    def requests(self) -> list[RequestRecord]:
        """Every Bot API call received, in order (when ``record_requests``)."""
        return self.server.requests

    @property
    def callback_answers(self) -> dict[str, CallbackAnswer]:
        """answerCallbackQuery calls by callback query id."""
        return self.world.callback_answers

    # ================================================================== user actions
    def _resolve_user_chat(self, state: BotState, user: EmuUser, chat: ChatRef | None) -> EmuChat:
        if chat is None:
            return self.world.private_chat(user)
        resolved = self.chat(chat)
        if resolved.is_private and resolved.id != user.id:
            raise ValueError(f"user {user.id} cannot write in the private chat of {resolved.id}")
        return resolved

    def _message_ref(self, state: BotState, ref: MessageRef, chat: EmuChat | None) -> StoredMessage:
        if isinstance(ref, StoredMessage):
            return ref
        if hasattr(ref, "message_id") and hasattr(ref, "chat"):  # an aiogram Message
            ref = (ref.chat.id, ref.message_id)
        if isinstance(ref, tuple):
            chat_id, message_id = ref
        else:
            if chat is None:
                raise ValueError("a bare message id needs a chat")
            chat_id, message_id = chat.id, int(ref)
        message = self.world.get_message(state, int(chat_id), int(message_id))
        if message is None:
            raise LookupError(f"no message {chat_id}/{message_id}")
        return message

    def _user_message(
        self,
        user: EmuUser,
        content: dict[str, Any],
        *,
        chat: ChatRef | None = None,
        thread_id: int | None = None,
        reply_to: MessageRef | None = None,
        bot: Any = None,
        files: Sequence[Any] = (),
        media_group_id: str | None = None,
        forward_origin: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> StoredMessage:
        world = self.world
        state = self._bot(bot)
        target = self._resolve_user_chat(state, user, chat)
        if target.is_private:
            if user.id in state.blocked:
                raise RuntimeError(f"user {user.id} has blocked the bot; call unblock() first")
            state.started.add(user.id)
        else:
            if target.migrated_to is not None:
                raise RuntimeError(f"chat {target.id} was upgraded to supergroup {target.migrated_to}")
            if target.bot_members.get(state.id) in (None, "left", "kicked"):
                raise RuntimeError(f"bot {state.id} is not in chat {target.id}")
            if target.members.get(user.id) in ("left", "kicked"):
                raise RuntimeError(f"user {user.id} is not in chat {target.id}")
            target.members.setdefault(user.id, "member")
        is_topic = False
        if thread_id is not None:
            if target.is_private or target.is_forum:
                topic = world.get_topic(state, target.id, thread_id)
                if topic is None or topic.deleted:
                    raise LookupError(f"no topic {thread_id} in chat {target.id}")
                is_topic = True
            elif world.get_message(state, target.id, thread_id) is None:
                raise LookupError(f"no thread {thread_id} in chat {target.id}")
        reply = self._message_ref(state, reply_to, target) if reply_to is not None else None
        if reply is not None and thread_id is None and reply.thread_id is not None:
            thread_id, is_topic = reply.thread_id, reply.is_topic_message
        message = StoredMessage(
            bot_id=state.id,
            chat=target,
            message_id=world.new_message_id(state, target.id),
            date=int(time.time()),
            sender=user,
            content=content,
            from_bot=False,
            thread_id=thread_id,
            is_topic_message=is_topic,
            reply_to=reply,
            media_group_id=media_group_id,
            files=list(files),
            forward_origin=forward_origin,
            extra=dict(extra or {}),
        )
        world.add_message(state, message)
        update = world.push_update(state, {"message": message.to_api()})
        message.update_id = update["update_id"]
        return message

    async def send_text(
        self,
        user: EmuUser,
        text: str,
        *,
        chat: ChatRef | None = None,
        thread_id: int | None = None,
        reply_to: MessageRef | None = None,
        entities: list[dict[str, Any]] | None = None,
        bot: Any = None,
    ) -> StoredMessage:
        """``user`` writes ``text`` (in the private chat with the bot unless ``chat`` is given).

        Entities Telegram would detect (``/commands``, @mentions, URLs, #hashtags) are added
        unless ``entities`` is given. Returns the stored message (``update_id`` set).
        """
        if not text:
            raise ValueError("empty text")
        content: dict[str, Any] = {"text": text}
        found = entities if entities is not None else auto_entities(text)
        if found:
            content["entities"] = found
        return self._user_message(user, content, chat=chat, thread_id=thread_id, reply_to=reply_to, bot=bot)

    def _user_file(
        self, kind: str, content: bytes | None, filename: str | None, mime_type: str | None, options: dict[str, Any]
    ) -> tuple[dict[str, Any], Any]:
        default_content, default_name, default_mime = _FAKE_CONTENT[kind]
        record = self.world.new_file(
            kind,
            content=content if content is not None else default_content,
            filename=filename or default_name,
            mime_type=mime_type or default_mime,
        )
        return media_content(kind, record, options), record

    async def _send_media(
        self,
        kind: str,
        user: EmuUser,
        *,
        content: bytes | None = None,
        filename: str | None = None,
        mime_type: str | None = None,
        caption: str | None = None,
        caption_entities: list[dict[str, Any]] | None = None,
        options: dict[str, Any] | None = None,
        **where: Any,
    ) -> StoredMessage:
        fields, record = self._user_file(kind, content, filename, mime_type, options or {})
        if caption:
            fields["caption"] = caption
            found = caption_entities if caption_entities is not None else auto_entities(caption)
            if found:
                fields["caption_entities"] = found
        return self._user_message(user, fields, files=[record], **where)

    async def send_photo(
        self, user: EmuUser, *, caption: str | None = None, content: bytes | None = None, width: int = 1280, height: int = 960, **where: Any
    ) -> StoredMessage:
        """``user`` sends a photo (``where``: chat, thread_id, reply_to, bot)."""
        return await self._send_media("photo", user, content=content, caption=caption, options={"width": width, "height": height}, **where)

    async def send_document(
        self,
        user: EmuUser,
        content: bytes | None = None,
        filename: str | None = None,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        **where: Any,
    ) -> StoredMessage:
        """``user`` sends a document (bytes readable by the bot through getFile)."""
        return await self._send_media("document", user, content=content, filename=filename, mime_type=mime_type, caption=caption, **where)

    async def send_voice(
        self, user: EmuUser, *, duration: int = 3, content: bytes | None = None, caption: str | None = None, **where: Any
    ) -> StoredMessage:
        """``user`` sends a voice note."""
        return await self._send_media("voice", user, content=content, caption=caption, options={"duration": duration}, **where)

    async def send_video(
        self,
        user: EmuUser,
        *,
        duration: int = 10,
        width: int = 1280,
        height: int = 720,
        content: bytes | None = None,
        caption: str | None = None,
        **where: Any,
    ) -> StoredMessage:
        """``user`` sends a video."""
        return await self._send_media(
            "video", user, content=content, caption=caption, options={"duration": duration, "width": width, "height": height}, **where
        )

    async def send_video_note(self, user: EmuUser, *, duration: int = 5, content: bytes | None = None, **where: Any) -> StoredMessage:
        """``user`` sends a round video note."""
        return await self._send_media("video_note", user, content=content, options={"duration": duration}, **where)

    async def send_sticker(self, user: EmuUser, emoji: str = "🙂", **where: Any) -> StoredMessage:
        """``user`` sends a sticker."""
        return await self._send_media("sticker", user, options={"emoji": emoji}, **where)

    async def send_audio(
        self,
        user: EmuUser,
        *,
        duration: int = 180,
        title: str | None = None,
        performer: str | None = None,
        filename: str | None = None,
        content: bytes | None = None,
        caption: str | None = None,
        **where: Any,
    ) -> StoredMessage:
        """``user`` sends an audio file."""
        return await self._send_media(
            "audio",
            user,
            content=content,
            filename=filename,
            caption=caption,
            options={"duration": duration, "title": title, "performer": performer},
            **where,
        )

    async def send_animation(
        self, user: EmuUser, *, content: bytes | None = None, caption: str | None = None, **where: Any
    ) -> StoredMessage:
        """``user`` sends a GIF (an ``animation`` message, with ``document`` too, as Telegram does)."""
        return await self._send_media("animation", user, content=content, caption=caption, **where)

    async def send_location(
        self, user: EmuUser, latitude: float, longitude: float, *, live_period: int | None = None, **where: Any
    ) -> StoredMessage:
        """``user`` shares a location (``live_period`` for a live location)."""
        location: dict[str, Any] = {"latitude": float(latitude), "longitude": float(longitude)}
        if live_period:
            location["live_period"] = live_period
        return self._user_message(user, {"location": location}, **where)

    async def send_venue(
        self, user: EmuUser, latitude: float, longitude: float, title: str, address: str, **where: Any
    ) -> StoredMessage:
        """``user`` shares a venue."""
        location = {"latitude": float(latitude), "longitude": float(longitude)}
        return self._user_message(
            user, {"venue": {"location": location, "title": title, "address": address}, "location": location}, **where
        )

    async def send_contact(
        self,
        user: EmuUser,
        phone_number: str,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        contact_user_id: int | None = None,
        **where: Any,
    ) -> StoredMessage:
        """``user`` shares a contact (their own by default: ``user_id`` = theirs)."""
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name or user.first_name}
        if last_name:
            contact["last_name"] = last_name
        contact["user_id"] = contact_user_id if contact_user_id is not None else user.id
        return self._user_message(user, {"contact": contact}, **where)

    async def send_poll(
        self, user: EmuUser, question: str, options: Sequence[str], *, is_anonymous: bool = True, **where: Any
    ) -> StoredMessage:
        """``user`` sends a poll."""
        poll = poll_json(question, list(options), is_anonymous=is_anonymous)
        return self._user_message(user, {"poll": poll}, **where)

    async def send_dice(self, user: EmuUser, emoji: str = "🎲", value: int = 6, **where: Any) -> StoredMessage:
        """``user`` throws a dice."""
        return self._user_message(user, {"dice": {"emoji": emoji, "value": value}}, **where)

    async def send_album(
        self, user: EmuUser, items: Sequence[str | dict[str, Any]], *, caption: str | None = None, **where: Any
    ) -> list[StoredMessage]:
        """``user`` sends an album: one message per item, all with the same ``media_group_id``.

        Items are kinds (``"photo"``, ``"video"``, ``"document"``, ``"audio"``) or dicts
        ``{"type": "photo", "content": b"...", "filename": ..., "caption": ...}``. ``caption``
        goes on the first item. Each message is its own update, as in Telegram.
        """
        if not 2 <= len(items) <= 10:
            raise ValueError("an album has 2 to 10 items")
        group_id = self.world.new_media_group_id()
        out = []
        for index, item in enumerate(items):
            spec = {"type": item} if isinstance(item, str) else dict(item)
            kind = spec.get("type", "photo")
            fields, record = self._user_file(kind, spec.get("content"), spec.get("filename"), spec.get("mime_type"), spec)
            text = spec.get("caption") or (caption if index == 0 else None)
            if text:
                fields["caption"] = text
            out.append(self._user_message(user, fields, files=[record], media_group_id=group_id, **where))
        return out

    async def send_message_raw(
        self,
        user: EmuUser,
        fields: dict[str, Any],
        *,
        chat: ChatRef | None = None,
        thread_id: int | None = None,
        reply_to: MessageRef | None = None,
        bot: Any = None,
    ) -> StoredMessage:
        """``user`` sends a message whose content fields are given as-is (any Bot API fields:
        ``{"text": ..., "forward_origin": {...}}``, ``{"story": {...}}``, ``{"checklist": ...}``…).

        ``forward_origin`` and unknown top-level fields are passed through to the update.
        """
        fields = dict(fields)
        forward_origin = fields.pop("forward_origin", None)
        content = {key: value for key, value in fields.items() if key in _CONTENT_FIELDS}
        extra = {key: value for key, value in fields.items() if key not in _CONTENT_FIELDS}
        return self._user_message(
            user,
            content,
            chat=chat,
            thread_id=thread_id,
            reply_to=reply_to,
            bot=bot,
            forward_origin=forward_origin,
            extra=extra,
        )

    async def edit_text(
        self, user: EmuUser, message: MessageRef, text: str, *, entities: list[dict[str, Any]] | None = None, bot: Any = None
    ) -> StoredMessage:
        """``user`` edits one of their text messages → an ``edited_message`` update."""
        state = self._bot(bot)
        stored = self._own_message(state, user, message)
        if "text" not in stored.content:
            raise ValueError("not a text message")
        content: dict[str, Any] = {"text": text}
        found = entities if entities is not None else auto_entities(text)
        if found:
            content["entities"] = found
        return self._user_edit(state, stored, content)

    async def edit_caption(self, user: EmuUser, message: MessageRef, caption: str, *, bot: Any = None) -> StoredMessage:
        """``user`` edits the caption of one of their media messages → ``edited_message``."""
        state = self._bot(bot)
        stored = self._own_message(state, user, message)
        content = {k: v for k, v in stored.content.items() if k not in ("caption", "caption_entities")}
        if caption:
            content["caption"] = caption
        return self._user_edit(state, stored, content)

    def _own_message(self, state: BotState, user: EmuUser, ref: MessageRef) -> StoredMessage:
        stored = self._message_ref(state, ref, self.world.private_chat(user))
        if stored.from_bot or stored.sender.id != user.id:
            raise ValueError("a user can only edit their own messages")
        if stored.deleted:
            raise ValueError("message was deleted")
        return stored

    def _user_edit(self, state: BotState, stored: StoredMessage, content: dict[str, Any]) -> StoredMessage:
        self.world.edit_message(state, stored, "user_edit", content=content)
        update = self.world.push_update(state, {"edited_message": stored.to_api()})
        stored.update_id = update["update_id"]
        return stored

    async def delete_as_user(self, user: EmuUser, message: MessageRef, *, bot: Any = None) -> StoredMessage:
        """``user`` deletes a message in their private chat (no update: Telegram sends none)."""
        state = self._bot(bot)
        stored = self._message_ref(state, message, self.world.private_chat(user))
        self.world.delete_message(state, stored, by_bot=False)
        self.world.publish("user_delete", state, stored.chat.id, stored)
        return stored

    async def press_button(
        self,
        user: EmuUser,
        message: MessageRef,
        callback_data: str | None = None,
        *,
        text: str | None = None,
        bot: Any = None,
    ) -> CallbackQueryRecord:
        """``user`` presses an inline button of a bot message → a ``callback_query`` update.

        The button is found by ``callback_data`` (or by its ``text``); ``LookupError`` when the
        message has no such button. ``message`` is a StoredMessage, ``(chat_id, message_id)``
        or a message id in the user's private chat. The record's ``answer`` is filled when the
        bot calls answerCallbackQuery (see ``wait_for_callback_answer``).
        """
        if callback_data is None and text is None:
            raise ValueError("give callback_data or text")
        world = self.world
        state = self._bot(bot)
        stored = self._message_ref(state, message, world.private_chat(user))
        if not stored.from_bot:
            raise ValueError("only bot messages carry inline keyboards")
        if stored.deleted:
            raise LookupError("the message was deleted")
        if stored.chat.is_private and stored.chat.id != user.id:
            raise ValueError(f"user {user.id} cannot see chat {stored.chat.id}")
        if stored.chat.is_private and user.id in state.blocked:
            raise RuntimeError(f"user {user.id} has blocked the bot")
        button = None
        for row in stored.inline_keyboard:
            for candidate in row:
                if callback_data is not None and candidate.get("callback_data") == callback_data:
                    button = candidate
                elif callback_data is None and candidate.get("text") == text:
                    button = candidate
                if button is not None:
                    break
            if button is not None:
                break
        if button is None:
            wanted = f"callback_data={callback_data!r}" if callback_data is not None else f"text={text!r}"
            raise LookupError(f"no inline button with {wanted} on {stored!r}; buttons: {stored.buttons}")
        if "callback_data" not in button:
            raise ValueError(f"button {button.get('text')!r} is not a callback button: {button}")
        query_id = world.new_callback_id()
        chat_instance = str((state.id * 1_000_003 ^ stored.chat.id) & 0xFFFFFFFFFFFF)
        query = {
            "id": query_id,
            "from": user.to_api(),
            "message": stored.to_api(),
            "chat_instance": chat_instance,
            "data": button["callback_data"],
        }
        update = world.push_update(state, {"callback_query": query})
        record = CallbackQueryRecord(
            id=query_id, bot_id=state.id, user=user, message=stored, data=button["callback_data"], update_id=update["update_id"]
        )
        world.callback_queries[query_id] = record
        world.publish("callback_query", state, stored.chat.id, stored, {"callback_query_id": query_id, "data": record.data})
        return record

    async def create_topic(
        self,
        user: EmuUser,
        name: str,
        *,
        chat: ChatRef | None = None,
        icon_color: int = TOPIC_ICON_COLORS[0],
        bot: Any = None,
    ) -> Topic:
        """``user`` creates a forum topic (forum group, or their private chat with the bot)."""
        state = self._bot(bot)
        target = self._resolve_user_chat(state, user, chat)
        if not (target.is_forum or target.is_private):
            raise ValueError("the chat is not a forum")
        topic, message = self.world.create_topic(state, target, name, icon_color=icon_color, creator=user)
        update = self.world.push_update(state, {"message": message.to_api()})
        message.update_id = update["update_id"]
        return topic

    async def push_update(self, update: dict[str, Any], *, bot: Any = None) -> dict[str, Any]:
        """Queue any raw update (``update_id`` is assigned); returns it."""
        state = self._bot(bot)
        queued = self.world.push_update(state, update)
        self.world.publish("update", state, None, data={"update": queued})
        return queued

    def block(self, user: EmuUser, *, bot: Any = None, notify: bool = True) -> None:
        """``user`` blocks the bot: sends to them answer 403 "Forbidden: bot was blocked by the user".

        With ``notify`` the bot receives the my_chat_member update (member → kicked).
        """
        state = self._bot(bot)
        if user.id in state.blocked:
            return
        state.blocked.add(user.id)
        if notify:
            chat = self.world.private_chat(user)
            self.world.push_update(state, {"my_chat_member": member_update(chat, user, state.user, "member", "kicked")})
        self.world.publish("member", state, user.id, data={"user_id": state.id, "status": "kicked"})

    def unblock(self, user: EmuUser, *, bot: Any = None, notify: bool = True) -> None:
        """``user`` unblocks the bot (my_chat_member kicked → member with ``notify``)."""
        state = self._bot(bot)
        if user.id not in state.blocked:
            return
        state.blocked.discard(user.id)
        if notify:
            chat = self.world.private_chat(user)
            self.world.push_update(state, {"my_chat_member": member_update(chat, user, state.user, "kicked", "member")})
        self.world.publish("member", state, user.id, data={"user_id": state.id, "status": "member"})

    def deactivate(self, user: EmuUser) -> None:
        """``user`` deletes their account: sends to them answer 403 "Forbidden: user is deactivated"."""
        user.deactivated = True

    async def migrate_group(self, group: ChatRef, *, bot: Any = None) -> EmuChat:
        """Upgrade a basic group to a supergroup (new ``-100…`` id), as Telegram does.

        Members, bots and titles move over; calls to the old id answer 400 with
        ``parameters.migrate_to_chat_id`` (aiogram raises ``TelegramMigrateToChat``); the bot
        gets the ``migrate_to_chat_id`` / ``migrate_from_chat_id`` service messages.
        """
        old = self.chat(group)
        if old.type != "group":
            raise ValueError("only basic groups can be migrated")
        new = self.world.add_group(old.title or "", supergroup=True, username=old.username, bots=[])
        new.members = dict(old.members)
        new.bot_members = dict(old.bot_members)
        state = self._bot(bot)
        actor = next((self.world.users[u] for u, s in old.members.items() if s == "creator" and u in self.world.users), None)
        if actor is not None and old.bot_members.get(state.id) not in (None, "left", "kicked"):
            self._user_message(actor, {"migrate_to_chat_id": new.id}, chat=old, bot=state)
            self._user_message(actor, {"migrate_from_chat_id": old.id}, chat=new, bot=state)
        old.migrated_to = new.id
        return new

    async def add_user_to_group(
        self, user: EmuUser, group: ChatRef, *, by: EmuUser | None = None, status: str = "member", bot: Any = None
    ) -> StoredMessage:
        """``user`` joins ``group`` (added ``by`` someone, or by themselves).

        The bot gets a service message with ``new_chat_members`` and a ``chat_member`` update
        (delivered only if the bot asked for ``chat_member`` in ``allowed_updates``).
        """
        state = self._bot(bot)
        chat = self.chat(group)
        old = chat.members.get(user.id)
        chat.members[user.id] = status
        actor = by or user
        self.world.push_update(state, {"chat_member": member_update(chat, actor, user, old, status)})
        message = self._user_message(actor, {"new_chat_members": [user.to_api()]}, chat=chat, bot=state)
        self.world.publish("member", state, chat.id, data={"user_id": user.id, "status": status})
        return message

    async def remove_user_from_group(
        self, user: EmuUser, group: ChatRef, *, by: EmuUser | None = None, kicked: bool = False, bot: Any = None
    ) -> StoredMessage:
        """``user`` leaves (or is removed from) ``group``: ``left_chat_member`` + ``chat_member``."""
        state = self._bot(bot)
        chat = self.chat(group)
        old = chat.members.get(user.id, "member")
        actor = by or user
        message = self._user_message(actor, {"left_chat_member": user.to_api()}, chat=chat, bot=state)
        status = "kicked" if kicked else "left"
        chat.members[user.id] = status
        self.world.push_update(state, {"chat_member": member_update(chat, actor, user, old, status)})
        self.world.publish("member", state, chat.id, data={"user_id": user.id, "status": status})
        return message

    async def add_bot_to_group(
        self, group: ChatRef, *, by: EmuUser | None = None, status: str = "administrator", bot: Any = None
    ) -> dict[str, Any]:
        """The bot is added to ``group`` by ``by``: a ``my_chat_member`` update (and the
        ``new_chat_members`` service message when ``by`` is given). Returns the update."""
        state = self._bot(bot)
        chat = self.chat(group)
        old = chat.bot_members.get(state.id)
        chat.bot_members[state.id] = status
        actor = by or next((self.world.users[u] for u, s in chat.members.items() if s == "creator" and u in self.world.users), None)
        if actor is None:
            actor = self.add_user("Admin")
            chat.members[actor.id] = "creator"
        update = self.world.push_update(state, {"my_chat_member": member_update(chat, actor, state.user, old, status)})
        if by is not None and old in (None, "left", "kicked"):
            self._user_message(by, {"new_chat_members": [state.user.to_api()]}, chat=chat, bot=state)
        self.world.publish("member", state, chat.id, data={"user_id": state.id, "status": status})
        return update

    async def remove_bot_from_group(
        self, group: ChatRef, *, by: EmuUser | None = None, kicked: bool = True, bot: Any = None
    ) -> dict[str, Any]:
        """The bot is removed from ``group``: ``my_chat_member`` (→ kicked or left)."""
        state = self._bot(bot)
        chat = self.chat(group)
        old = chat.bot_members.get(state.id, "member")
        status = "kicked" if kicked else "left"
        chat.bot_members[state.id] = status
        actor = by or state.user
        update = self.world.push_update(state, {"my_chat_member": member_update(chat, actor, state.user, old, status)})
        self.world.publish("member", state, chat.id, data={"user_id": state.id, "status": status})
        return update

    # ================================================================== observation
    def sent(
        self,
        chat: ChatRef,
        thread_id: Any = ANY,
        *,
        bot: Any = None,
        include_deleted: bool = True,
        include_service: bool = False,
    ) -> list[StoredMessage]:
        """Messages the bot sent to ``chat`` (current state), oldest first.

        ``thread_id``: ``ANY`` (default), ``None`` (outside topics) or a topic id.
        """
        state = self._bot(bot)
        chat_id = self.chat(chat).id
        source = (
            [m for m in state.chat_messages.get(chat_id, []) if m.from_bot]
            if include_service
            else state.sent_by_chat.get(chat_id, [])
        )
        return [
            m
            for m in source
            if (thread_id is ANY or m.thread_id == thread_id) and (include_deleted or not m.deleted)
        ]

    def last_sent(self, chat: ChatRef, thread_id: Any = ANY, *, bot: Any = None) -> StoredMessage | None:
        """The bot's latest message in ``chat`` (or None)."""
        messages = self.sent(chat, thread_id, bot=bot)
        return messages[-1] if messages else None

    def all_sent(self, *, bot: Any = None) -> list[StoredMessage]:
        """Every message the bot sent, all chats, in order."""
        return list(self._bot(bot).all_sent)

    def messages(self, chat: ChatRef, *, bot: Any = None) -> list[StoredMessage]:
        """The whole conversation in ``chat`` (user and bot messages, service messages too)."""
        state = self._bot(bot)
        return list(state.chat_messages.get(self.chat(chat).id, []))

    def message(self, chat: ChatRef, message_id: int, *, bot: Any = None) -> StoredMessage | None:
        """One message by id."""
        return self.world.get_message(self._bot(bot), self.chat(chat).id, message_id)

    def transcript(self, chat: ChatRef, *, bot: Any = None) -> str:
        """The conversation as readable lines (handy in assertion messages)."""
        lines = []
        for m in self.messages(chat, bot=bot):
            who = "BOT" if m.from_bot else m.sender.first_name
            thread = f"[{m.thread_id}]" if m.thread_id is not None else ""
            flags = " (deleted)" if m.deleted else (" (edited)" if m.edits else "")
            body = m.text if m.text is not None else f"<{m.content_type}>"
            buttons = f" {m.buttons}" if m.inline_keyboard else ""
            lines.append(f"#{m.message_id}{thread} {who}: {body}{buttons}{flags}")
        return "\n".join(lines)

    def mark(self, chat: ChatRef | None = None) -> int:
        """A cursor: pass it as ``since=`` to wait only for what happens after this call.

        There is one sequence for all chats and bots, so ``chat`` is accepted (for readability,
        ``emu.mark(user)``) but does not change the value.
        """
        return self.world.last_seq

    def mark_read(self, chat: ChatRef | None = None, *, bot: Any = None) -> None:
        """Mark the bot's messages so far (in ``chat`` or everywhere) as already seen."""
        state = self._bot(bot)
        messages = state.all_sent if chat is None else state.sent_by_chat.get(self.chat(chat).id, [])
        for message in messages:
            message.seen = True
        edits = state.all_edits if chat is None else state.edits_by_chat.get(self.chat(chat).id, [])
        for record, _ in edits:
            record.seen = True

    async def wait_for_messages(
        self,
        chat: ChatRef | None,
        count: int = 1,
        *,
        timeout: float = 5.0,
        predicate: Callable[[StoredMessage], bool] | None = None,
        thread_id: Any = ANY,
        since: int | None = None,
        bot: Any = None,
    ) -> list[StoredMessage]:
        """Wait until the bot has sent ``count`` matching messages to ``chat``; return them.

        Semantics:

        * without ``since`` — *the next unseen messages*: the first ``count`` matching messages
          not returned by an earlier ``since``-less call; they are then marked seen. So a test
          can alternate ``send_text`` / ``wait_for_messages`` and get each reply exactly once.
          (Messages sent before the call count if still unseen; ``mark_read`` skips them.)
        * with ``since=emu.mark()`` — the first ``count`` matching messages created after the
          mark, whether seen or not; nothing is marked.

        ``chat=None`` waits across all chats. ``thread_id``: ``ANY``, ``None`` or a topic id.
        Raises :class:`EmulatorTimeout` (a ``TimeoutError``) with the chat's transcript.
        """
        if count < 1:
            raise ValueError("count must be >= 1")
        state = self._bot(bot)
        chat_id = None if chat is None else self.chat(chat).id
        try:
            return await self.world.notifier.wait_for(
                [("sent", state.id, chat_id)],
                lambda: self.world.find_sent(state, chat_id, count, thread_id=thread_id, predicate=predicate, since=since),
                timeout,
            )
        except TimeoutError:
            context = self.transcript(chat_id, bot=state) if chat_id is not None else f"{len(state.all_sent)} sent in all"
            raise EmulatorTimeout(
                f"timed out after {timeout}s waiting for {count} bot message(s) in chat {chat_id}"
                f" (thread {thread_id!r}). Conversation:\n{context}"
            ) from None

    async def wait_for_message(
        self,
        chat: ChatRef | None,
        *,
        timeout: float = 5.0,
        predicate: Callable[[StoredMessage], bool] | None = None,
        thread_id: Any = ANY,
        since: int | None = None,
        bot: Any = None,
    ) -> StoredMessage:
        """``wait_for_messages(count=1)`` returning the message itself."""
        messages = await self.wait_for_messages(
            chat, 1, timeout=timeout, predicate=predicate, thread_id=thread_id, since=since, bot=bot
        )
        return messages[0]

    async def wait_for_edit(
        self,
        chat: ChatRef | None,
        message_id: int | None = None,
        *,
        timeout: float = 5.0,
        predicate: Callable[[StoredMessage], bool] | None = None,
        since: int | None = None,
        bot: Any = None,
    ) -> StoredMessage:
        """Wait for the bot to edit a message in ``chat`` (optionally that ``message_id``).

        Same unseen/``since`` semantics as ``wait_for_messages`` (per edit). Returns the
        message in its current state; ``message.edits[-1]`` is the edit.
        """
        state = self._bot(bot)
        chat_id = None if chat is None else self.chat(chat).id
        try:
            return await self.world.notifier.wait_for(
                [("edit", state.id, chat_id)],
                lambda: self.world.find_edit(state, chat_id, message_id=message_id, predicate=predicate, since=since),
                timeout,
            )
        except TimeoutError:
            raise EmulatorTimeout(
                f"timed out after {timeout}s waiting for an edit in chat {chat_id} (message {message_id})"
            ) from None

    async def wait_for_callback_answer(self, query: CallbackQueryRecord | str, *, timeout: float = 5.0) -> CallbackAnswer:
        """Wait for the bot to answer a callback query (from ``press_button``)."""
        query_id = query.id if isinstance(query, CallbackQueryRecord) else query
        try:
            return await self.world.notifier.wait_for(
                [("callback", query_id)], lambda: self.world.callback_answers.get(query_id), timeout
            )
        except TimeoutError:
            raise EmulatorTimeout(f"callback query {query_id} not answered within {timeout}s") from None

    async def wait_until(self, condition: Callable[[], Any], *, timeout: float = 5.0) -> Any:
        """Wait until ``condition()`` is truthy (re-checked after every call and update).

        Returns the truthy value; raises :class:`EmulatorTimeout`.
        """

        def check() -> Any:
            value = condition()
            return value if value else None

        try:
            return await self.world.notifier.wait_for(["any"], check, timeout)
        except TimeoutError:
            raise EmulatorTimeout(f"condition not met within {timeout}s") from None

    async def wait_until_idle(self, *, timeout: float = 5.0, bot: Any = None) -> None:
        """Wait until the bot has confirmed every pending update (its queue is empty)."""
        state = self._bot(bot)
        await self.wait_until(lambda: not state.updates, timeout=timeout)

    async def wait_for_request(
        self,
        method: str,
        *,
        predicate: Callable[[RequestRecord], bool] | None = None,
        since: int = 0,
        timeout: float = 5.0,
    ) -> RequestRecord:
        """Wait for a call to ``method`` (after request number ``since``) and return it."""
        wanted = method.lower()

        requests = self.requests

        def check() -> RequestRecord | None:
            for index in range(bisect_right(requests, since, key=lambda r: r.seq), len(requests)):
                record = requests[index]
                if record.status and record.method.lower() == wanted:
                    if predicate is None or predicate(record):
                        return record
            return None

        try:
            return await self.world.notifier.wait_for(["any"], check, timeout)
        except TimeoutError:
            raise EmulatorTimeout(f"no {method} call within {timeout}s") from None

    def calls(self, method: str | None = None, *, bot: Any = None) -> list[RequestRecord]:
        """Recorded calls (of ``method``, of ``bot``), in order."""
        bot_id = None if bot is None else self._bot(bot).id
        wanted = method.lower() if method else None
        return [
            record
            for record in self.requests
            if (wanted is None or record.method.lower() == wanted) and (bot_id is None or record.bot_id == bot_id)
        ]

    def topics(self, chat: ChatRef, *, bot: Any = None, include_deleted: bool = False) -> list[Topic]:
        """Forum topics of ``chat`` (a private chat with the bot or a forum group)."""
        state = self._bot(bot)
        topics = state.topics.get(self.chat(chat).id, {}).values()
        return [topic for topic in topics if include_deleted or not topic.deleted]

    def topic(self, chat: ChatRef, thread_id: int, *, bot: Any = None) -> Topic | None:
        return self.world.get_topic(self._bot(bot), self.chat(chat).id, thread_id)

    def pending_updates(self, *, bot: Any = None) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot."""
        return list(self._bot(bot).updates)

    def chat_action(self, chat: ChatRef, *, bot: Any = None) -> str | None:
        """The last sendChatAction action in ``chat``."""
        entry = self._bot(bot).chat_actions.get(self.chat(chat).id)
        return entry[0] if entry else None

    def commands(self, *, scope: dict[str, Any] | None = None, language_code: str = "", bot: Any = None) -> list[dict[str, Any]]:
        """Commands set with setMyCommands for that scope/language."""
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return list(self._bot(bot).commands.get(key, []))

    def file_bytes(self, file_id: str) -> bytes | None:
        """Content of a file by file_id (uploaded by the bot or sent by a user)."""
        record = self.world.files.get(file_id)
        return record.content if record else None

    def subscribe(self, kinds: Iterable[str] | None = None, *, bot: Any = None, maxsize: int = 10_000) -> Subscription:
        """Live events (see :mod:`bot.emulator.events`): ``async for event in emu.subscribe(): …``."""
        bot_id = None if bot is None else self._bot(bot).id
        return self.world.hub.subscribe(kinds, bot_id, maxsize)

    # ================================================================== aiogram helper
    def make_bot(self, *, bot: Any = None, **kwargs: Any) -> Bot:
        """An ``aiogram.Bot`` talking to this emulator (its session is closed by ``stop()``)."""
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer

        state = self._bot(bot)
        session = AiohttpSession(api=TelegramAPIServer.from_base(self.base_url))
        aiogram_bot = Bot(token=state.token, session=session, **kwargs)
        self._aiogram_bots.append(aiogram_bot)
        return aiogram_bot

    # ================================================================== webhook
    def _on_update(self, state: BotState) -> None:
        if not self.running or not state.webhook_url:
            return
        deliverer = self._webhooks.get(state.id)
        if deliverer is None:
            deliverer = self._webhooks[state.id] = WebhookDeliverer(self.world, state, recorder=self.server.record_call)
        deliverer.start()


_CONTENT_FIELDS = frozenset(
    {
        "text",
        "entities",
        "caption",
        "caption_entities",
        "animation",
        "audio",
        "document",
        "photo",
        "sticker",
        "story",
        "video",
        "video_note",
        "voice",
        "contact",
        "dice",
        "game",
        "poll",
        "venue",
        "location",
        "checklist",
        "new_chat_members",
        "left_chat_member",
        "new_chat_title",
        "migrate_to_chat_id",
        "migrate_from_chat_id",
        "pinned_message",
        "forum_topic_created",
        "forum_topic_edited",
        "forum_topic_closed",
        "forum_topic_reopened",
        "users_shared",
        "chat_shared",
        "web_app_data",
        "link_preview_options",
    }
)
