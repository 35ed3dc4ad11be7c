"""The emulated world: bots, users, chats, messages, topics, update queues.

:class:`World` owns every piece of state and the primitive operations shared by the HTTP method
handlers (what the bot does) and the Python API (what users do): allocate ids, store messages,
queue updates, record edits, publish events and wake waiters. Everything runs on one event
loop, so no locks are needed; every operation is O(1) or O(size of its answer).
"""

from __future__ import annotations

import copy
import itertools
import secrets
import time
from bisect import bisect_right
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from typing import Any

from .events import EmulatorEvent, EventHub, Notifier
from .limits import LimitPolicy, RateLimiter
from .models import (
    ANY,
    CallbackAnswer,
    CallbackQueryRecord,
    EditRecord,
    EmuChat,
    EmuUser,
    FileRecord,
    StoredMessage,
    Topic,
    forbidden,
)
from .stats import EmulatorStats

DEFAULT_ALLOWED_UPDATES = None
"""``None`` = Telegram's default: every update type except the three below."""
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

TOPIC_ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
"""The six colours Telegram accepts for ``createForumTopic``."""

_UNSET: Any = object()


def bot_id_from_token(token: str) -> int:
    """``"123456:ABC…"`` → 123456 (raises ``ValueError`` for a malformed token)."""
    prefix, sep, secret = token.partition(":")
    if not sep or not prefix.isdigit() or not secret:
        raise ValueError(f"malformed bot token {token!r} (expected '<digits>:<secret>')")
    return int(prefix)


class BotState:
    """Everything one bot (one token) sees: its update queue, its messages, its topics."""

    def __init__(self, token: str, user: EmuUser, update_id_start: int) -> None:
        self.token = token
        self.id = user.id
        self.user = user
        # updates
        self.updates: deque[dict[str, Any]] = deque()
        self.next_update_id = update_id_start
        self.allowed_updates: list[str] | None = DEFAULT_ALLOWED_UPDATES
        self.poll_generation = 0
        self.polling = False
        self.last_poll_at: float | None = None
        # webhook
        self.webhook_url: str = ""
        self.webhook_secret: str | None = None
        self.webhook_max_connections = 40
        self.webhook_last_error: str | None = None
        self.webhook_last_error_date: int | None = None
        # messages
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.chat_messages: defaultdict[int, list[StoredMessage]] = defaultdict(list)
        self.sent_by_chat: defaultdict[int, list[StoredMessage]] = defaultdict(list)
        self.all_sent: list[StoredMessage] = []
        self.edits_by_chat: defaultdict[int, list[tuple[EditRecord, StoredMessage]]] = defaultdict(list)
        self.all_edits: list[tuple[EditRecord, StoredMessage]] = []
        self.next_message_id: dict[int, int] = {}
        self.read_pointer: dict[int | None, int] = {}
        # chats
        self.topics: dict[int, dict[int, Topic]] = {}
        self.blocked: set[int] = set()
        self.started: set[int] = set()
        self.chat_actions: dict[int, tuple[str, float, int | None]] = {}
        self.pinned: defaultdict[int, list[int]] = defaultdict(list)
        # settings
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.settings: dict[str, Any] = {}
        self.limiter: RateLimiter | None = None

    @property
    def username(self) -> str | None:
        return self.user.username

    @property
    def pending_updates(self) -> int:
        return len(self.updates)

    def __repr__(self) -> str:
        return f"<BotState {self.id} @{self.username}>"


class World:
    """All state of one emulator, plus the primitives that change it."""

    def __init__(self, *, update_id_start: int = 1, limit_policy: LimitPolicy | None = None) -> None:
        self.update_id_start = update_id_start
        self.bots: dict[int, BotState] = {}
        self.bots_by_token: dict[str, BotState] = {}
        self.default_bot: BotState | None = None
        self.users: dict[int, EmuUser] = {}
        self.chats: dict[int, EmuChat] = {}
        self.files: dict[str, FileRecord] = {}
        self.files_by_path: dict[str, FileRecord] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.notifier = Notifier()
        self.hub = EventHub()
        self.stats = EmulatorStats()
        self._limit_policy = limit_policy
        self._seq = itertools.count(1)
        self._last_seq = 0
        self._user_ids = itertools.count(7_000_000_001)
        self._supergroup_ids = itertools.count(1_000_000_001)
        self._group_ids = itertools.count(4_000_000_001)
        self._file_counter = itertools.count(1)
        self._media_group_counter = itertools.count(13_000_000_000_000_001)
        self._callback_counter = itertools.count(1)
        self.on_update: Callable[[BotState], None] | None = None
        """Hook called after an update is queued (webhook delivery)."""

    # ------------------------------------------------------------------ limits
    @property
    def limit_policy(self) -> LimitPolicy | None:
        return self._limit_policy

    @limit_policy.setter
    def limit_policy(self, policy: LimitPolicy | None) -> None:
        self._limit_policy = policy
        for bot in self.bots.values():
            bot.limiter = RateLimiter(policy) if policy is not None else None

    # ------------------------------------------------------------------ registry
    def next_seq(self) -> int:
        self._last_seq = next(self._seq)
        return self._last_seq

    @property
    def last_seq(self) -> int:
        return self._last_seq

    def add_bot(
        self,
        token: str,
        username: str | None = None,
        first_name: str | None = None,
        **capabilities: Any,
    ) -> BotState:
        bot_id = bot_id_from_token(token)
        if token in self.bots_by_token:
            raise ValueError(f"bot {token!r} already exists")
        if bot_id in self.bots or bot_id in self.users:
            raise ValueError(f"id {bot_id} is already used")
        username = username or f"test{bot_id}_bot"
        extra = {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
            "has_topics_enabled": True,
            "allows_users_to_create_topics": False,
        }
        extra.update(capabilities)
        user = EmuUser(bot_id, first_name or username, username=username, is_bot=True, extra=extra)
        bot = BotState(token, user, self.update_id_start)
        if self._limit_policy is not None:
            bot.limiter = RateLimiter(self._limit_policy)
        self.bots[bot_id] = bot
        self.bots_by_token[token] = bot
        if self.default_bot is None:
            self.default_bot = bot
        return bot

    def add_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "fr",
        user_id: int | None = None,
        is_premium: bool | None = None,
        started: bool = True,
    ) -> EmuUser:
        if user_id is None:
            user_id = next(self._user_ids)
            while user_id in self.users or user_id in self.bots:
                user_id = next(self._user_ids)
        elif user_id in self.users or user_id in self.bots or user_id <= 0:
            raise ValueError(f"user id {user_id} is already used or invalid")
        user = EmuUser(
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_premium=is_premium,
            auto_start=started,
        )
        self.users[user_id] = user
        self.chats[user_id] = EmuChat(user_id, "private", user=user)
        return user

    def add_group(
        self,
        title: str,
        *,
        supergroup: bool = True,
        forum: bool = False,
        username: str | None = None,
        chat_id: int | None = None,
        members: Iterable[EmuUser] = (),
        admins: Iterable[EmuUser] = (),
        owner: EmuUser | None = None,
        bots: Iterable[BotState] | None = None,
        bot_status: str = "administrator",
    ) -> EmuChat:
        if forum and not supergroup:
            raise ValueError("only supergroups can be forums")
        if chat_id is None:
            if supergroup:
                chat_id = -(1_000_000_000_000 + next(self._supergroup_ids))
            else:
                chat_id = -next(self._group_ids)
        if chat_id >= 0 or chat_id in self.chats:
            raise ValueError(f"chat id {chat_id} is already used or not negative")
        chat = EmuChat(chat_id, "supergroup" if supergroup else "group", title=title, username=username, is_forum=forum)
        if owner is not None:
            chat.members[owner.id] = "creator"
        for user in admins:
            chat.members[user.id] = "administrator"
        for user in members:
            chat.members.setdefault(user.id, "member")
        for bot in self.bots.values() if bots is None else bots:
            chat.bot_members[bot.id] = bot_status
        self.chats[chat_id] = chat
        return chat

    def private_chat(self, user: EmuUser) -> EmuChat:
        chat = self.chats.get(user.id)
        if chat is None:
            chat = self.chats[user.id] = EmuChat(user.id, "private", user=user)
        return chat

    def resolve_chat(self, value: Any) -> EmuChat | None:
        """A chat from an EmuChat, an EmuUser (its private chat), an id or ``"@username"``."""
        if isinstance(value, EmuChat):
            return value
        if isinstance(value, EmuUser):
            return self.private_chat(value)
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("@"):
                name = value[1:].lower()
                for chat in self.chats.values():
                    if chat.username and chat.username.lower() == name and not chat.is_private:
                        return chat
                return None
            try:
                value = int(value)
            except ValueError:
                return None
        if isinstance(value, bool):
            return None
        if not isinstance(value, int):
            # Duck typing: an aiogram Chat or User (anything with an integer ``id``).
            value = getattr(value, "id", None)
            if not isinstance(value, int) or isinstance(value, bool):
                return None
        return self.chats.get(value)

    # ------------------------------------------------------------------ files
    def new_file(
        self,
        kind: str,
        *,
        content: bytes | None = None,
        filename: str | None = None,
        mime_type: str | None = None,
        url: str | None = None,
    ) -> FileRecord:
        number = next(self._file_counter)
        token = secrets.token_hex(6)
        record = FileRecord(
            file_id=f"{kind}-{number}-{token}",
            file_unique_id=f"u{number}{token[:6]}",
            kind=kind,
            filename=filename,
            mime_type=mime_type,
            content=content,
            url=url,
            file_path=f"{kind}s/file_{number}{_extension(filename, mime_type)}",
        )
        self.files[record.file_id] = record
        self.files_by_path[record.file_path] = record  # type: ignore[index]
        return record

    def new_media_group_id(self) -> str:
        return str(next(self._media_group_counter))

    def new_callback_id(self) -> str:
        return f"{next(self._callback_counter)}{secrets.token_hex(4)}"

    # ------------------------------------------------------------------ messages
    def new_message_id(self, bot: BotState, chat_id: int) -> int:
        message_id = bot.next_message_id.get(chat_id, 0) + 1
        bot.next_message_id[chat_id] = message_id
        return message_id

    def get_message(self, bot: BotState, chat_id: int, message_id: int) -> StoredMessage | None:
        return bot.messages.get((chat_id, message_id))

    def add_message(self, bot: BotState, message: StoredMessage) -> StoredMessage:
        """Index a new message, publish it and wake whoever waits for it."""
        message.seq = self.next_seq()
        chat_id = message.chat.id
        bot.messages[(chat_id, message.message_id)] = message
        bot.chat_messages[chat_id].append(message)
        if message.from_bot:
            if message.is_service:
                # Topic events (topic_created, …) describe these; no bot_message for them.
                self.publish("bot_service_message", bot, chat_id, message)
            else:
                bot.sent_by_chat[chat_id].append(message)
                bot.all_sent.append(message)
                self.publish("bot_message", bot, chat_id, message)
            self.notifier.notify(("sent", bot.id, chat_id), ("sent", bot.id, None), "any")
        else:
            self.publish("user_message", bot, chat_id, message)
            self.notifier.notify("any")
        return message

    def edit_message(
        self,
        bot: BotState,
        message: StoredMessage,
        method: str,
        *,
        content: dict[str, Any] | None = None,
        reply_markup: Any = _UNSET,
        parse_mode: Any = _UNSET,
        source_text: Any = _UNSET,
    ) -> EditRecord:
        """Apply an edit (new content and/or markup), keeping the previous state in history."""
        before = {"content": copy.deepcopy(message.content), "reply_markup": copy.deepcopy(message.reply_markup)}
        if content is not None:
            message.content = content
        if reply_markup is not _UNSET:
            message.reply_markup = reply_markup
        if parse_mode is not _UNSET:
            message.parse_mode = parse_mode
        if source_text is not _UNSET:
            message.source_text = source_text
        now = int(time.time())
        message.edit_date = now
        record = EditRecord(
            seq=self.next_seq(),
            date=now,
            method=method,
            before=before,
            after={"content": copy.deepcopy(message.content), "reply_markup": copy.deepcopy(message.reply_markup)},
        )
        message.edits.append(record)
        chat_id = message.chat.id
        if message.from_bot:
            bot.edits_by_chat[chat_id].append((record, message))
            bot.all_edits.append((record, message))
            self.publish("bot_edit", bot, chat_id, message, {"method": method})
            self.notifier.notify(("edit", bot.id, chat_id), ("edit", bot.id, None), "any")
        else:
            self.publish("user_edit", bot, chat_id, message)
            self.notifier.notify("any")
        return record

    def delete_message(self, bot: BotState, message: StoredMessage, *, by_bot: bool = True) -> None:
        message.deleted = True
        if by_bot:
            self.publish("bot_delete", bot, message.chat.id, message)
        self.notifier.notify(("edit", bot.id, message.chat.id), ("edit", bot.id, None), "any")

    # ------------------------------------------------------------------ topics
    def get_topic(self, bot: BotState, chat_id: int, thread_id: int) -> Topic | None:
        return bot.topics.get(chat_id, {}).get(thread_id)

    def create_topic(
        self,
        bot: BotState,
        chat: EmuChat,
        name: str,
        *,
        icon_color: int = TOPIC_ICON_COLORS[0],
        icon_custom_emoji_id: str | None = None,
        creator: EmuUser,
    ) -> tuple[Topic, StoredMessage]:
        """Create a topic and its ``forum_topic_created`` service message (id == thread id)."""
        message_id = self.new_message_id(bot, chat.id)
        topic = Topic(
            chat_id=chat.id,
            thread_id=message_id,
            name=name,
            icon_color=icon_color,
            icon_custom_emoji_id=icon_custom_emoji_id,
            created_by=creator.id,
        )
        bot.topics.setdefault(chat.id, {})[message_id] = topic
        created: dict[str, Any] = {"name": name, "icon_color": icon_color}
        if icon_custom_emoji_id:
            created["icon_custom_emoji_id"] = icon_custom_emoji_id
        message = StoredMessage(
            bot_id=bot.id,
            chat=chat,
            message_id=message_id,
            date=int(time.time()),
            sender=creator,
            content={"forum_topic_created": created},
            from_bot=creator.id == bot.id,
            thread_id=message_id,
            is_topic_message=True,
            method="createForumTopic" if creator.id == bot.id else None,
        )
        self.add_message(bot, message)
        self.publish("topic_created", bot, chat.id, message, {"topic": topic.to_api()}, thread_id=message_id)
        return topic, message

    def topic_service_message(
        self, bot: BotState, chat: EmuChat, topic: Topic, content: dict[str, Any], sender: EmuUser
    ) -> StoredMessage:
        message = StoredMessage(
            bot_id=bot.id,
            chat=chat,
            message_id=self.new_message_id(bot, chat.id),
            date=int(time.time()),
            sender=sender,
            content=content,
            from_bot=sender.id == bot.id,
            thread_id=topic.thread_id,
            is_topic_message=True,
        )
        return self.add_message(bot, message)

    # ------------------------------------------------------------------ updates
    def push_update(self, bot: BotState, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for the bot (assigning ``update_id``) and wake long polls."""
        update = {key: value for key, value in update.items() if key != "update_id"}
        update = {"update_id": bot.next_update_id, **update}
        bot.next_update_id += 1
        bot.updates.append(update)
        self.stats.updates_pushed += 1
        self.notifier.notify(("updates", bot.id))
        if self.on_update is not None:
            self.on_update(bot)
        return update

    def take_updates(
        self, bot: BotState, offset: int | None, limit: int
    ) -> list[dict[str, Any]]:
        """Confirm updates below ``offset`` and return up to ``limit`` pending deliverable ones."""
        queue = bot.updates
        before = len(queue)
        if offset is not None:
            if offset < 0:
                # -N: only the last N updates remain; earlier ones are forgotten.
                while len(queue) > -offset:
                    queue.popleft()
            else:
                while queue and queue[0]["update_id"] < offset:
                    queue.popleft()
        allowed = bot.allowed_updates
        out: list[dict[str, Any]] = []
        for update in queue:
            if _is_allowed(update, allowed):
                out.append(update)
                if len(out) >= limit:
                    break
        # Updates of unwanted types at the front are dropped for good.
        while queue and not _is_allowed(queue[0], allowed):
            queue.popleft()
        if len(queue) != before:
            self.notifier.notify("any")  # wakes wait_until_idle() without waiting for the poll to end
        return out

    # ------------------------------------------------------------------ send checks
    def check_can_send(self, bot: BotState, chat: EmuChat) -> None:
        """Raise the 403 Telegram answers when the bot may not write to ``chat``."""
        if chat.is_private:
            user = chat.user
            if user is None or user.is_bot:
                raise forbidden("bot can't send messages to bots")
            if user.deactivated:
                raise forbidden("user is deactivated")
            if user.id in bot.blocked:
                raise forbidden("bot was blocked by the user")
            if not user.auto_start and user.id not in bot.started:
                raise forbidden("bot can't initiate conversation with a user")
            return
        kind = "supergroup" if chat.type == "supergroup" else "group"
        status = chat.bot_members.get(bot.id)
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if status is None or status == "left":
            raise forbidden(f"bot is not a member of the {kind} chat")

    # ------------------------------------------------------------------ waiting
    def find_sent(
        self,
        bot: BotState,
        chat_id: int | None,
        count: int,
        *,
        thread_id: Any = ANY,
        predicate: Callable[[StoredMessage], bool] | None = None,
        since: int | None = None,
    ) -> list[StoredMessage] | None:
        """First ``count`` matching bot messages (unseen ones, or those after ``since``)."""
        messages = bot.all_sent if chat_id is None else bot.sent_by_chat.get(chat_id, [])
        if since is None:
            start = bot.read_pointer.get(chat_id, 0)
            while start < len(messages) and messages[start].seen:
                start += 1
            bot.read_pointer[chat_id] = start
        else:
            start = bisect_right(messages, since, key=lambda m: m.seq)
        found: list[StoredMessage] = []
        for index in range(start, len(messages)):
            message = messages[index]
            if since is None and message.seen:
                continue
            if thread_id is not ANY and message.thread_id != thread_id:
                continue
            if predicate is not None and not predicate(message):
                continue
            found.append(message)
            if len(found) >= count:
                if since is None:
                    for item in found:
                        item.seen = True
                return found
        return None

    def find_edit(
        self,
        bot: BotState,
        chat_id: int | None,
        *,
        message_id: int | None = None,
        predicate: Callable[[StoredMessage], bool] | None = None,
        since: int | None = None,
    ) -> StoredMessage | None:
        edits = bot.all_edits if chat_id is None else bot.edits_by_chat.get(chat_id, [])
        start = 0 if since is None else bisect_right(edits, since, key=lambda e: e[0].seq)
        for index in range(start, len(edits)):
            record, message = edits[index]
            if since is None and record.seen:
                continue
            if message_id is not None and message.message_id != message_id:
                continue
            if predicate is not None and not predicate(message):
                continue
            if since is None:
                record.seen = True
            return message
        return None

    # ------------------------------------------------------------------ events
    def publish(
        self,
        kind: str,
        bot: BotState | None,
        chat_id: int | None,
        message: StoredMessage | None = None,
        data: dict[str, Any] | None = None,
        *,
        thread_id: int | None = None,
    ) -> None:
        if not self.hub.active:
            return
        if thread_id is None and message is not None:
            thread_id = message.thread_id
        self.hub.publish(
            EmulatorEvent(
                kind=kind,
                bot_id=bot.id if bot is not None else None,
                chat_id=chat_id,
                thread_id=thread_id,
                message=message,
                data=data or {},
            )
        )


def update_type(update: dict[str, Any]) -> str:
    for key in update:
        if key != "update_id":
            return key
    return "unknown"


def _is_allowed(update: dict[str, Any], allowed: list[str] | None) -> bool:
    kind = update_type(update)
    if not allowed:
        return kind not in NOT_DELIVERED_BY_DEFAULT
    return kind in allowed


_MIME_EXT = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "audio/ogg": ".oga",
    "audio/mpeg": ".mp3",
    "video/mp4": ".mp4",
    "application/pdf": ".pdf",
    "image/webp": ".webp",
    "text/plain": ".txt",
    "text/csv": ".csv",
}


def _extension(filename: str | None, mime_type: str | None) -> str:
    if filename and "." in filename:
        ext = filename.rsplit(".", 1)[1]
        if ext.isalnum() and len(ext) <= 8:
            return "." + ext.lower()
    return _MIME_EXT.get(mime_type or "", "")
