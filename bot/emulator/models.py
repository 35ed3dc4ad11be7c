"""Plain data objects of the emulated Telegram world.

Everything here is a passive record: users, chats, forum topics, stored messages (both the
ones users send and the ones the bot sends), files, callback queries and the log of requests.
The logic that creates and changes them lives in :mod:`bot.emulator.state`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class _AnyType:
    """Sentinel meaning "any value" (e.g. any thread, topic or not)."""

    __slots__ = ()
    _instance: _AnyType | None = None

    def __new__(cls) -> _AnyType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ANY"

    def __reduce__(self) -> str:
        return "ANY"


ANY: Any = _AnyType()
"""Sentinel: ``thread_id=ANY`` matches messages in any thread (or none)."""


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional ``parameters``.

    Raised by method handlers; the server turns it into
    ``{"ok": false, "error_code": status, "description": ..., "parameters": ...}``.
    """

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    """400 ``Bad Request: <description>``."""
    return ApiError(400, f"Bad Request: {description}")


def forbidden(description: str) -> ApiError:
    """403 ``Forbidden: <description>``."""
    return ApiError(403, f"Forbidden: {description}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 with ``parameters.retry_after`` exactly as Telegram words it."""
    return ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )


@dataclass(eq=False)
class EmuUser:
    """A Telegram user (a person, or a bot's own user). Private chat id == user id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_premium: bool | None = None
    is_bot: bool = False
    auto_start: bool = True
    """If True the user counts as having started every bot (no 403 "can't initiate")."""
    deactivated: bool = False
    """A deleted account: sends answer 403 "user is deactivated"."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Extra fields merged into the ``User`` object (e.g. bot capabilities)."""

    @property
    def chat_id(self) -> int:
        return self.id

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_api(self, *, full: bool = False) -> dict[str, Any]:
        """The ``User`` object; ``full`` adds ``extra`` (a bot's getMe capabilities)."""
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        if self.is_premium:
            data["is_premium"] = True
        if full or not self.is_bot:
            data.update(self.extra)
        return data


CHAT_MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")


@dataclass(eq=False)
class EmuChat:
    """A chat: ``private`` (one per user, id == user id), ``group`` or ``supergroup``."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    user: EmuUser | None = None
    members: dict[int, str] = field(default_factory=dict)
    """Human members: user id -> status (creator, administrator, member, left, kicked)."""
    bot_members: dict[int, str] = field(default_factory=dict)
    """Bots in the chat: bot id -> status."""
    migrated_to: int | None = None
    """Set when this basic group was upgraded to a supergroup (its new id)."""

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private" and self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        else:
            if self.title is not None:
                data["title"] = self.title
            if self.username:
                data["username"] = self.username
            if self.is_forum:
                data["is_forum"] = True
        return data


class Button(NamedTuple):
    """One inline button: its text, the value (callback_data, url, …) and the kind of value."""

    text: str
    value: str | None
    kind: str


@dataclass(eq=False)
class FileRecord:
    """A file known to the emulator: uploaded by the bot, or sent by a user."""

    file_id: str
    file_unique_id: str
    kind: str
    """document, photo, voice, video, audio, animation, sticker, video_note, thumbnail."""
    filename: str | None = None
    mime_type: str | None = None
    content: bytes | None = None
    """The bytes, when they were uploaded (or given when a user sent the file)."""
    url: str | None = None
    """Set when the bot sent an HTTP URL instead of bytes (nothing is fetched)."""
    file_path: str | None = None

    @property
    def size(self) -> int | None:
        return len(self.content) if self.content is not None else None

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.size is not None:
            data["file_size"] = self.size
        return data


@dataclass(eq=False)
class Topic:
    """A forum topic (in a forum supergroup, or in a private chat with the bot)."""

    chat_id: int
    thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    created_by: int | None = None
    created_at: float = field(default_factory=time.time)
    closed: bool = False
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)
    """Edits/closes/reopens in order, each a dict with ``action`` and the new values."""

    @property
    def message_thread_id(self) -> int:
        return self.thread_id

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            data["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return data


@dataclass(eq=False)
class EditRecord:
    """One edit of a message: what it looked like before and after."""

    seq: int
    date: int
    method: str
    before: dict[str, Any]
    after: dict[str, Any]
    seen: bool = False

    @property
    def text(self) -> str | None:
        content = self.after.get("content", {})
        return content.get("text", content.get("caption"))


CONTENT_KEYS = (
    "text",
    "animation",
    "audio",
    "document",
    "photo",
    "sticker",
    "video",
    "video_note",
    "voice",
    "contact",
    "dice",
    "poll",
    "venue",
    "location",
    "new_chat_members",
    "left_chat_member",
    "forum_topic_created",
    "forum_topic_edited",
    "forum_topic_closed",
    "forum_topic_reopened",
    "pinned_message",
    "migrate_to_chat_id",
    "migrate_from_chat_id",
)
"""Message content fields, in the order used to name a message's content type."""

SERVICE_KEYS = frozenset(
    {
        "new_chat_members",
        "left_chat_member",
        "forum_topic_created",
        "forum_topic_edited",
        "forum_topic_closed",
        "forum_topic_reopened",
        "pinned_message",
        "migrate_to_chat_id",
        "migrate_from_chat_id",
    }
)


@dataclass(eq=False)
class StoredMessage:
    """A message as the emulator keeps it: sent by the bot or by a user.

    ``content`` holds the Bot API content fields (``text`` + ``entities``, or ``photo`` +
    ``caption`` + ``caption_entities``, …) in their *current* state; ``edits`` keeps the history.
    ``to_api()`` renders the Bot API ``Message`` object.
    """

    bot_id: int
    chat: EmuChat
    message_id: int
    date: int
    sender: EmuUser
    content: dict[str, Any]
    from_bot: bool
    seq: int = 0
    """Global order of creation (see ``BotAPIEmulator.mark``)."""
    thread_id: int | None = None
    is_topic_message: bool = False
    reply_to: StoredMessage | None = None
    reply_markup: dict[str, Any] | None = None
    parse_mode: str | None = None
    source_text: str | None = None
    """Text or caption exactly as the bot sent it (before parse_mode was applied)."""
    media_group_id: str | None = None
    files: list[FileRecord] = field(default_factory=list)
    method: str | None = None
    """Bot API method that created it (bot messages only)."""
    params: dict[str, Any] = field(default_factory=dict)
    """Decoded request parameters of that method (bot messages only)."""
    copied_from: tuple[int, int] | None = None
    """(chat_id, message_id) of the original, for copyMessage/forwardMessage."""
    forward_origin: dict[str, Any] | None = None
    edit_date: int | None = None
    edits: list[EditRecord] = field(default_factory=list)
    deleted: bool = False
    update_id: int | None = None
    """For user messages: id of the update that delivered it to the bot."""
    seen: bool = False
    """Already returned by a ``wait_for_messages`` call without ``since``."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Extra top-level Message fields (link_preview_options, …)."""

    # ----- convenient views -------------------------------------------------
    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def message_thread_id(self) -> int | None:
        return self.thread_id

    @property
    def text(self) -> str | None:
        """Text (plain, after parse_mode) — or the caption for media messages."""
        if "text" in self.content:
            return self.content["text"]
        return self.content.get("caption")

    @property
    def caption(self) -> str | None:
        return self.content.get("caption")

    @property
    def entities(self) -> list[dict[str, Any]]:
        return list(self.content.get("entities") or self.content.get("caption_entities") or [])

    @property
    def content_type(self) -> str:
        for key in CONTENT_KEYS:
            if key in self.content:
                return key
        return "unknown"

    @property
    def is_service(self) -> bool:
        return any(key in SERVICE_KEYS for key in self.content)

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            return self.reply_markup["inline_keyboard"]
        return []

    @property
    def keyboard(self) -> list[list[Button]]:
        """Buttons of the inline keyboard (or of a reply keyboard) as rows of :class:`Button`."""
        rows: list[list[Button]] = []
        markup = self.reply_markup or {}
        if "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                out = []
                for button in row:
                    kind = next((k for k in button if k != "text"), "text")
                    value = button.get(kind)
                    if isinstance(value, dict):
                        value = value.get("url") or value.get("query") or str(value)
                    out.append(Button(button.get("text", ""), value, kind))
                rows.append(out)
        elif "keyboard" in markup:
            for row in markup["keyboard"]:
                rows.append(
                    [
                        Button(b if isinstance(b, str) else b.get("text", ""), None, "reply")
                        for b in row
                    ]
                )
        return rows

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Rows of ``(text, callback_data or url)`` pairs."""
        return [[(b.text, b.value) for b in row] for row in self.keyboard]

    @property
    def button_texts(self) -> list[str]:
        return [b.text for row in self.keyboard for b in row]

    @property
    def callback_data(self) -> list[str]:
        return [b.value for row in self.keyboard for b in row if b.kind == "callback_data" and b.value]

    @property
    def file(self) -> FileRecord | None:
        """The main file of a media message (largest photo size for photos)."""
        return self.files[-1] if self.files else None

    @property
    def document(self) -> FileRecord | None:
        """The document file, when this is a document message."""
        if "document" in self.content and self.files:
            return self.files[-1]
        return None

    @property
    def history(self) -> list[str | None]:
        """Texts (or captions) the message had, oldest first, current last."""
        texts = [e.before.get("content", {}) for e in self.edits]
        values = [c.get("text", c.get("caption")) for c in texts]
        values.append(self.text)
        return values

    # ----- rendering -------------------------------------------------------
    def to_api(self, *, with_reply: bool = True) -> dict[str, Any]:
        """Render the Bot API ``Message`` object (current state)."""
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": self.chat.to_api(),
            "from": self.sender.to_api(),
        }
        if self.thread_id is not None:
            data["message_thread_id"] = self.thread_id
            if self.is_topic_message:
                data["is_topic_message"] = True
        if self.forward_origin is not None:
            data["forward_origin"] = self.forward_origin
        if with_reply and self.reply_to is not None:
            data["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.media_group_id is not None:
            data["media_group_id"] = self.media_group_id
        data.update(self.content)
        data.update(self.extra)
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        return data

    def __repr__(self) -> str:
        who = "bot" if self.from_bot else f"user {self.sender.id}"
        flags = " deleted" if self.deleted else ""
        thread = f" thread={self.thread_id}" if self.thread_id is not None else ""
        return (
            f"<StoredMessage {self.chat.id}/{self.message_id}{thread} from {who} "
            f"{self.content_type}: {self.text!r}{flags}>"
        )


BotMessage = StoredMessage
"""Alias used for messages the bot sent (``from_bot`` is True)."""


@dataclass(eq=False)
class CallbackAnswer:
    """What the bot answered to a callback query (answerCallbackQuery)."""

    callback_query_id: str
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None
    date: float = field(default_factory=time.time)


@dataclass(eq=False)
class CallbackQueryRecord:
    """A button press pushed by a user, and the bot's answer once it arrives."""

    id: str
    bot_id: int
    user: EmuUser
    message: StoredMessage
    data: str | None
    update_id: int
    answer: CallbackAnswer | None = None

    @property
    def answered(self) -> bool:
        return self.answer is not None


@dataclass(eq=False)
class RequestRecord:
    """One Bot API call received by the emulator."""

    seq: int
    time: float
    bot_id: int | None
    method: str
    params: dict[str, Any]
    files: dict[str, FileRecord]
    status: int = 0
    description: str | None = None
    result: Any = None
    fault: str | None = None
    """Name of the injected fault that answered this request, if any."""
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")
