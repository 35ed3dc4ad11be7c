"""Bot API method handlers.

Each handler takes a :class:`Call` (the bot, its parameters, the world) and returns the
``result`` of a successful answer, or raises :class:`~bot.emulator.models.ApiError`. Answers
follow the Bot API shapes so aiogram's types parse them; errors use Telegram's wording where it
is known (``Bad Request: chat not found``, ``Forbidden: bot was blocked by the user``, …).
"""

from __future__ import annotations

import copy
import json
import mimetypes
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .formatting import ParseError, format_text, utf16_len
from .models import (
    CallbackAnswer,
    EmuChat,
    EmuUser,
    FileRecord,
    StoredMessage,
    Topic,
    ApiError,
    bad_request,
    forbidden,
    too_many_requests,
)
from .params import Params
from .state import TOPIC_ICON_COLORS, BotState, World, update_type

Handler = Callable[["Call"], Awaitable[Any]]

METHODS: dict[str, tuple[str, Handler]] = {}
"""lower-case method name -> (canonical name, handler)."""

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
CALLBACK_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
MAX_TEXT = 4096
MAX_CAPTION = 1024


def method(*names: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = (name, handler)
        return handler

    return register


@dataclass(eq=False)
class Call:
    """One Bot API call being processed."""

    world: World
    bot: BotState
    method: str
    params: Params
    closing: Callable[[], bool] = lambda: False
    created_files: list[FileRecord] = field(default_factory=list)

    # ----- shared helpers ------------------------------------------------
    def chat(self, name: str = "chat_id") -> EmuChat:
        value = self.params.raw(name)
        if value is None:
            raise bad_request("chat_id is empty")
        chat = self.world.resolve_chat(value)
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.is_group and chat.bot_members.get(self.bot.id) is None:
            # A bot never sees a group it was never added to.
            raise bad_request("chat not found")
        return chat

    def admit(self, chat: EmuChat, cost: int = 1) -> None:
        """Apply the flood limits to ``cost`` messages for ``chat`` (429 when exceeded)."""
        limiter = self.bot.limiter
        if limiter is None:
            return
        if self.method.lower().startswith("edit") and not limiter.policy.count_edits:
            return
        decision = limiter.check(chat.id, chat.type, cost)
        if decision is not None:
            self.world.stats.record_limited(decision.scope, decision.chat_id)
            raise too_many_requests(decision.retry_after)

    def record_send(self, chat: EmuChat, cost: int = 1) -> None:
        self.world.stats.record_send(self.bot.id, chat.id, chat.type, self.method, cost)

    def message_id(self, name: str = "message_id") -> int:
        return self.params.int(name, required=True, error="message identifier is not specified")  # type: ignore[return-value]


# ====================================================================== helpers


def _thread(call: Call, chat: EmuChat) -> tuple[int | None, bool]:
    """Validate ``message_thread_id``: (thread id, is it a forum topic)."""
    thread_id = call.params.int("message_thread_id")
    if thread_id is None:
        return None, False
    if chat.is_private or chat.is_forum:
        topic = call.world.get_topic(call.bot, chat.id, thread_id)
        if topic is None or topic.deleted:
            raise bad_request("message thread not found")
        return thread_id, True
    target = call.world.get_message(call.bot, chat.id, thread_id)
    if target is None:
        raise bad_request("message thread not found")
    return thread_id, False


def _reply(call: Call, chat: EmuChat) -> StoredMessage | None:
    params = call.params
    reply_parameters = params.json("reply_parameters", error="can't parse reply parameters JSON object")
    if isinstance(reply_parameters, dict) and reply_parameters.get("message_id") is not None:
        message_id = reply_parameters.get("message_id")
        allow = bool(reply_parameters.get("allow_sending_without_reply"))
        target_chat = chat
        if reply_parameters.get("chat_id") not in (None, "", chat.id):
            other = call.world.resolve_chat(reply_parameters["chat_id"])
            if other is None:
                raise bad_request("chat not found")
            target_chat = other
    else:
        message_id = params.int("reply_to_message_id")
        allow = params.bool("allow_sending_without_reply")
        target_chat = chat
    if message_id is None:
        return None
    try:
        message_id = int(message_id)
    except (TypeError, ValueError):
        raise bad_request("message to be replied not found") from None
    target = call.world.get_message(call.bot, target_chat.id, message_id)
    if target is None or target.deleted:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return target


_URL_RE = re.compile(r"^(https?|tg|ton)://\S+$", re.IGNORECASE)


def _markup(call: Call, name: str = "reply_markup", *, inline_only: bool = False) -> dict[str, Any] | None:
    markup = call.params.json(name, error="can't parse reply keyboard markup JSON object")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    markup = _drop_none(markup)
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise bad_request("can't parse inline keyboard button: Text must be a String")
                actions = [key for key in button if key != "text"]
                if not actions:
                    raise bad_request("text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None:
                    size = len(str(data).encode("utf-8"))
                    if size == 0 or size > 64:
                        raise bad_request("BUTTON_DATA_INVALID")
                url = button.get("url")
                if url is not None and not _URL_RE.match(str(url)):
                    raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    elif inline_only:
        raise bad_request("inline keyboard expected")
    elif not any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _inline(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return markup if markup and "inline_keyboard" in markup else None


def _format(text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[dict[str, Any]]]:
    if entities is not None and not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    try:
        return format_text(text, parse_mode, entities)
    except ParseError as error:
        raise bad_request(f"can't parse entities: {error}") from None


def _text_content(call: Call) -> tuple[dict[str, Any], str, str | None]:
    params = call.params
    text = params.str("text")
    if not text:
        raise bad_request("message text is empty")
    parse_mode = params.str("parse_mode")
    entities = params.json("entities", error="can't parse entities JSON object")
    plain, found = _format(text, parse_mode, entities)
    if not plain:
        raise bad_request("message text is empty")
    if utf16_len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    content: dict[str, Any] = {"text": plain}
    if found:
        content["entities"] = found
    link_preview = params.json("link_preview_options", error="can't parse link preview options JSON object")
    if isinstance(link_preview, dict) and link_preview:
        content["link_preview_options"] = link_preview
    return content, text, parse_mode


def _caption(
    caption: str | None, parse_mode: str | None, entities: Any
) -> tuple[dict[str, Any], str | None]:
    if not caption:
        return {}, None
    plain, found = _format(caption, parse_mode, entities)
    if utf16_len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    out: dict[str, Any] = {}
    if plain:
        out["caption"] = plain
        if found:
            out["caption_entities"] = found
    return out, caption


def _caption_from_params(call: Call) -> tuple[dict[str, Any], str | None]:
    params = call.params
    return _caption(
        params.str("caption"),
        params.str("parse_mode"),
        params.json("caption_entities", error="can't parse entities JSON object"),
    )


_KIND_TITLES = {
    "photo": "Photo",
    "document": "Document",
    "voice": "Voice",
    "video": "Video",
    "audio": "Audio",
    "animation": "Animation",
    "sticker": "Sticker",
    "video_note": "VideoNote",
}
_DEFAULT_MIME = {
    "photo": "image/jpeg",
    "voice": "audio/ogg",
    "video": "video/mp4",
    "video_note": "video/mp4",
    "animation": "video/mp4",
    "sticker": "image/webp",
    "audio": "audio/mpeg",
}


def resolve_input_file(call: Call, kind: str, value: Any, field_name: str) -> FileRecord:
    """A file from ``attach://name``, a file part named like the field, a file_id or a URL."""
    world = call.world
    upload = None
    if isinstance(value, str) and value.startswith("attach://"):
        upload = call.params.uploads.get(value[len("attach://") :])
        if upload is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
    elif value is None or value == "":
        upload = call.params.uploads.get(field_name)
        if upload is None:
            raise bad_request(f"there is no {kind} in the request")
    if upload is not None:
        if not upload.content:
            raise bad_request("file must be non-empty")
        mime = upload.content_type
        if not mime or mime == "application/octet-stream":
            guessed = mimetypes.guess_type(upload.filename or "")[0]
            mime = guessed or (_DEFAULT_MIME.get(kind) if kind != "document" else mime)
        record = world.new_file(kind, content=upload.content, filename=upload.filename, mime_type=mime)
        call.created_files.append(record)
        return record
    value = str(value)
    if value.lower().startswith(("http://", "https://")):
        filename = value.rsplit("/", 1)[-1].split("?", 1)[0] or None
        record = world.new_file(
            kind, url=value, filename=filename, mime_type=mimetypes.guess_type(filename or "")[0] or _DEFAULT_MIME.get(kind)
        )
        call.created_files.append(record)
        return record
    existing = world.files.get(value)
    if existing is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if existing.kind != kind and kind != "document" and not (kind == "photo" and existing.kind == "thumbnail"):
        raise bad_request(
            f"can't use file of type {_KIND_TITLES.get(existing.kind, existing.kind)} as {_KIND_TITLES.get(kind, kind)}"
        )
    return existing


def media_content(kind: str, record: FileRecord, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Bot API content field for a file of ``kind`` (``{"photo": [...]}``, …)."""
    options = options or {}

    def number(name: str, default: int) -> int:
        try:
            return int(options.get(name) or default)
        except (TypeError, ValueError):
            return default

    base = record.to_api()
    if kind == "photo":
        width, height = number("width", 1280), number("height", 960)
        return {"photo": [{**base, "width": width, "height": height}]}
    if kind in ("document", "audio", "video", "animation", "voice") and record.mime_type:
        base["mime_type"] = record.mime_type
    if kind in ("document", "audio", "video", "animation") and record.filename:
        base["file_name"] = record.filename
    if kind == "document":
        return {"document": base}
    if kind == "voice":
        base.setdefault("mime_type", "audio/ogg")
        return {"voice": {**base, "duration": number("duration", 3)}}
    if kind == "audio":
        audio = {**base, "duration": number("duration", 180)}
        for key in ("performer", "title"):
            if options.get(key):
                audio[key] = str(options[key])
        return {"audio": audio}
    if kind == "video":
        return {"video": {**base, "width": number("width", 1280), "height": number("height", 720), "duration": number("duration", 10)}}
    if kind == "animation":
        animation = {**base, "width": number("width", 320), "height": number("height", 240), "duration": number("duration", 3)}
        return {"animation": animation, "document": dict(base)}
    if kind == "video_note":
        return {"video_note": {**base, "length": number("length", 240), "duration": number("duration", 5)}}
    if kind == "sticker":
        return {
            "sticker": {
                **base,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": str(options.get("emoji") or "🙂"),
            }
        }
    raise ValueError(f"unknown media kind {kind}")


@dataclass(eq=False)
class Target:
    chat: EmuChat
    thread_id: int | None
    is_topic: bool
    reply_to: StoredMessage | None
    reply_markup: dict[str, Any] | None


def _target(call: Call, *, markup: bool = True, chat_param: str = "chat_id") -> Target:
    chat = call.chat(chat_param)
    call.world.check_can_send(call.bot, chat)
    thread_id, is_topic = _thread(call, chat)
    reply_to = _reply(call, chat)
    if reply_to is not None and thread_id is None and reply_to.thread_id is not None:
        thread_id, is_topic = reply_to.thread_id, reply_to.is_topic_message
    reply_markup = _markup(call) if markup else None
    return Target(chat, thread_id, is_topic, reply_to, reply_markup)


def _store_bot_message(
    call: Call,
    target: Target,
    content: dict[str, Any],
    *,
    source_text: str | None = None,
    parse_mode: str | None = None,
    files: list[FileRecord] | None = None,
    media_group_id: str | None = None,
    copied_from: tuple[int, int] | None = None,
    forward_origin: dict[str, Any] | None = None,
    with_markup: bool = True,
) -> StoredMessage:
    world, bot = call.world, call.bot
    extra = {}
    if "link_preview_options" in content:
        extra["link_preview_options"] = content.pop("link_preview_options")
    message = StoredMessage(
        bot_id=bot.id,
        chat=target.chat,
        message_id=world.new_message_id(bot, target.chat.id),
        date=int(time.time()),
        sender=bot.user,
        content=content,
        from_bot=True,
        thread_id=target.thread_id,
        is_topic_message=target.is_topic,
        reply_to=target.reply_to,
        reply_markup=target.reply_markup if with_markup else None,
        parse_mode=parse_mode,
        source_text=source_text,
        media_group_id=media_group_id,
        files=list(files or []),
        method=call.method,
        params=call.params.decoded(),
        copied_from=copied_from,
        forward_origin=forward_origin,
        extra=extra,
    )
    return world.add_message(bot, message)


# ====================================================================== bot & updates


@method("getMe")
async def get_me(call: Call) -> Any:
    return call.bot.user.to_api(full=True)


@method("logOut", "close")
async def log_out(call: Call) -> Any:
    return True


@method("getUpdates")
async def get_updates(call: Call) -> Any:
    world, bot, params = call.world, call.bot, call.params
    if bot.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        )
    offset = params.int("offset")
    limit = params.int("limit", 100) or 100
    limit = max(1, min(100, limit))
    timeout = max(0, params.int("timeout", 0) or 0)
    allowed = params.json("allowed_updates", error="can't parse allowed_updates JSON object")
    if isinstance(allowed, list):
        bot.allowed_updates = [str(kind) for kind in allowed] or None
    bot.poll_generation += 1
    generation = bot.poll_generation
    # A newer getUpdates terminates an older one still waiting (as Telegram does).
    world.notifier.notify(("updates", bot.id))
    bot.last_poll_at = time.time()

    def ready() -> list[dict[str, Any]] | None:
        if bot.poll_generation != generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            )
        if call.closing():
            return []
        updates = world.take_updates(bot, offset, limit)
        return updates or None

    updates = ready()
    if updates is None and timeout > 0:
        bot.polling = True
        try:
            updates = await world.notifier.wait_for([("updates", bot.id), "closing"], ready, timeout)
        except TimeoutError:
            updates = []
        finally:
            bot.polling = False
        # Confirmation by offset happened in ready(); later calls confirm further.
    updates = updates or []
    world.stats.updates_delivered += len(updates)
    return updates


@method("setWebhook")
async def set_webhook(call: Call) -> Any:
    params, bot = call.params, call.bot
    url = params.str("url", "") or ""
    if url and not url.lower().startswith(("https://", "http://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    bot.webhook_url = url
    bot.webhook_secret = params.str("secret_token")
    bot.webhook_max_connections = params.int("max_connections", 40) or 40
    allowed = params.json("allowed_updates")
    if isinstance(allowed, list):
        bot.allowed_updates = [str(kind) for kind in allowed] or None
    if params.bool("drop_pending_updates"):
        bot.updates.clear()
    call.world.notifier.notify(("updates", bot.id), ("webhook", bot.id))
    if url and call.world.on_update is not None:
        call.world.on_update(bot)
    return True


@method("deleteWebhook")
async def delete_webhook(call: Call) -> Any:
    bot = call.bot
    bot.webhook_url = ""
    if call.params.bool("drop_pending_updates"):
        bot.updates.clear()
    call.world.notifier.notify(("webhook", bot.id))
    return True


@method("getWebhookInfo")
async def get_webhook_info(call: Call) -> Any:
    bot = call.bot
    info: dict[str, Any] = {
        "url": bot.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(bot.updates),
    }
    if bot.webhook_url:
        info["max_connections"] = bot.webhook_max_connections
        if bot.allowed_updates:
            info["allowed_updates"] = bot.allowed_updates
        if bot.webhook_last_error:
            info["last_error_date"] = bot.webhook_last_error_date
            info["last_error_message"] = bot.webhook_last_error
    return info


_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


def _commands_key(call: Call) -> tuple[str, str]:
    scope = call.params.json("scope", {"type": "default"}) or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    return json.dumps(_drop_none(scope), sort_keys=True), call.params.str("language_code", "") or ""


@method("setMyCommands")
async def set_my_commands(call: Call) -> Any:
    commands = call.params.json("commands", error="can't parse commands JSON object")
    if not isinstance(commands, list):
        raise bad_request('parameter "commands" is required')
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    cleaned = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name = str(command.get("command", "")).lstrip("/")
        description = str(command.get("description", ""))
        if not _COMMAND_RE.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name, "description": description})
    call.bot.commands[_commands_key(call)] = cleaned
    return True


@method("deleteMyCommands")
async def delete_my_commands(call: Call) -> Any:
    call.bot.commands.pop(_commands_key(call), None)
    return True


@method("getMyCommands")
async def get_my_commands(call: Call) -> Any:
    return call.bot.commands.get(_commands_key(call), [])


_SETTINGS = {
    "setmydescription": ("description", "description"),
    "setmyshortdescription": ("short_description", "short_description"),
    "setmyname": ("name", "name"),
}


@method("setMyDescription", "setMyShortDescription", "setMyName")
async def set_my_text(call: Call) -> Any:
    key, param = _SETTINGS[call.method.lower()]
    language = call.params.str("language_code", "") or ""
    call.bot.settings[(key, language)] = call.params.str(param, "") or ""
    return True


@method("getMyDescription", "getMyShortDescription", "getMyName")
async def get_my_text(call: Call) -> Any:
    key = {"getmydescription": "description", "getmyshortdescription": "short_description", "getmyname": "name"}[
        call.method.lower()
    ]
    language = call.params.str("language_code", "") or ""
    value = call.bot.settings.get((key, language), call.bot.user.first_name if key == "name" else "")
    return {key: value}


@method("setChatMenuButton", "setMyDefaultAdministratorRights")
async def set_misc(call: Call) -> Any:
    call.bot.settings[call.method] = call.params.decoded()
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(call: Call) -> Any:
    stored = call.bot.settings.get("setChatMenuButton", {}).get("menu_button")
    return stored or {"type": "commands"}


# ====================================================================== chats


def _chat_full_info(chat: EmuChat) -> dict[str, Any]:
    data = chat.to_api()
    data.update(
        {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
    )
    return data


@method("getChat")
async def get_chat(call: Call) -> Any:
    return _chat_full_info(call.chat())


def chat_member_json(status: str, user: EmuUser) -> dict[str, Any]:
    """A ChatMember object for ``status``."""
    if status == "creator":
        return {"status": "creator", "user": user.to_api(), "is_anonymous": False}
    if status == "administrator":
        rights = dict.fromkeys(
            (
                "can_be_edited",
                "is_anonymous",
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_promote_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
                "can_send_welcome_messages",
            ),
            False,
        )
        rights.update(
            can_manage_chat=True,
            can_delete_messages=True,
            can_restrict_members=True,
            can_invite_users=True,
            can_pin_messages=True,
            can_manage_topics=True,
        )
        return {"status": "administrator", "user": user.to_api(), **rights}
    if status == "kicked":
        return {"status": "kicked", "user": user.to_api(), "until_date": 0}
    if status in ("member", "restricted"):
        return {"status": "member", "user": user.to_api()}
    return {"status": "left", "user": user.to_api()}


@method("getChatMember")
async def get_chat_member(call: Call) -> Any:
    chat = call.chat()
    user_id = call.params.int("user_id", required=True)
    world = call.world
    if user_id in world.bots:
        user = world.bots[user_id].user
        status = "member" if chat.is_private else chat.bot_members.get(user_id, "left")
    else:
        user = world.users.get(user_id)  # type: ignore[arg-type]
        if user is None:
            raise bad_request("user not found")
        if chat.is_private:
            status = "member" if user.id == chat.id else "left"
        else:
            status = chat.members.get(user.id, "left")
    return chat_member_json(status, user)


@method("getChatAdministrators")
async def get_chat_administrators(call: Call) -> Any:
    chat = call.chat()
    if chat.is_private:
        raise bad_request("there are no administrators in the private chat")
    world = call.world
    out = []
    for user_id, status in chat.members.items():
        if status in ("creator", "administrator") and user_id in world.users:
            out.append(chat_member_json(status, world.users[user_id]))
    for bot_id, status in chat.bot_members.items():
        if status == "administrator" and bot_id in world.bots:
            out.append(chat_member_json(status, world.bots[bot_id].user))
    return out


@method("getChatMemberCount", "getChatMembersCount")
async def get_chat_member_count(call: Call) -> Any:
    chat = call.chat()
    if chat.is_private:
        return 2
    present = ("creator", "administrator", "member", "restricted")
    return sum(1 for s in chat.members.values() if s in present) + sum(
        1 for s in chat.bot_members.values() if s in present
    )


@method("leaveChat")
async def leave_chat(call: Call) -> Any:
    chat = call.chat()
    if chat.is_private:
        raise bad_request("chat member status can't be changed in private chats")
    bot = call.bot
    old = chat.bot_members.get(bot.id)
    if old in (None, "left", "kicked"):
        raise forbidden(f"bot is not a member of the {chat.type} chat")
    chat.bot_members[bot.id] = "left"
    call.world.push_update(bot, {"my_chat_member": member_update(chat, bot.user, bot.user, old, "left")})
    call.world.publish("member", bot, chat.id, data={"user_id": bot.id, "status": "left"})
    return True


def member_update(chat: EmuChat, actor: EmuUser, subject: EmuUser, old: str | None, new: str) -> dict[str, Any]:
    """A ChatMemberUpdated object (for my_chat_member / chat_member updates)."""
    return {
        "chat": chat.to_api(),
        "from": actor.to_api(),
        "date": int(time.time()),
        "old_chat_member": chat_member_json(old or "left", subject),
        "new_chat_member": chat_member_json(new, subject),
    }


@method("sendChatAction")
async def send_chat_action(call: Call) -> Any:
    chat = call.chat()
    call.world.check_can_send(call.bot, chat)
    action = call.params.str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    thread_id, _ = _thread(call, chat)
    call.bot.chat_actions[chat.id] = (action, time.time(), thread_id)
    call.world.publish("chat_action", call.bot, chat.id, data={"action": action}, thread_id=thread_id)
    return True


@method("pinChatMessage")
async def pin_chat_message(call: Call) -> Any:
    chat = call.chat()
    message_id = call.message_id()
    message = call.world.get_message(call.bot, chat.id, message_id)
    if message is None or message.deleted:
        raise bad_request("message to pin not found")
    pinned = call.bot.pinned[chat.id]
    if message_id in pinned:
        pinned.remove(message_id)
    pinned.append(message_id)
    return True


@method("unpinChatMessage")
async def unpin_chat_message(call: Call) -> Any:
    chat = call.chat()
    pinned = call.bot.pinned[chat.id]
    message_id = call.params.int("message_id")
    if message_id is None:
        if pinned:
            pinned.pop()
    elif message_id in pinned:
        pinned.remove(message_id)
    return True


@method("unpinAllChatMessages")
async def unpin_all_chat_messages(call: Call) -> Any:
    call.bot.pinned[call.chat().id].clear()
    return True


@method("getFile")
async def get_file(call: Call) -> Any:
    file_id = call.params.str("file_id", required=True)
    record = call.world.files.get(file_id)  # type: ignore[arg-type]
    if record is None:
        raise bad_request("invalid file_id")
    data = record.to_api()
    data["file_path"] = record.file_path
    return data


# ====================================================================== sending


@method("sendMessage")
async def send_message(call: Call) -> Any:
    target = _target(call)
    content, source, parse_mode = _text_content(call)
    call.admit(target.chat)
    message = _store_bot_message(call, target, content, source_text=source, parse_mode=parse_mode)
    call.record_send(target.chat)
    return message.to_api()


_MEDIA_METHODS = {
    "sendphoto": "photo",
    "senddocument": "document",
    "sendvoice": "voice",
    "sendvideo": "video",
    "sendaudio": "audio",
    "sendanimation": "animation",
    "sendsticker": "sticker",
    "sendvideonote": "video_note",
}


@method("sendPhoto", "sendDocument", "sendVoice", "sendVideo", "sendAudio", "sendAnimation", "sendSticker", "sendVideoNote")
async def send_media(call: Call) -> Any:
    kind = _MEDIA_METHODS[call.method.lower()]
    target = _target(call)
    record = resolve_input_file(call, kind, call.params.raw(kind), kind)
    caption: dict[str, Any] = {}
    source = None
    if kind not in ("sticker", "video_note"):
        caption, source = _caption_from_params(call)
    content = media_content(kind, record, call.params.decoded())
    content.update(caption)
    call.admit(target.chat)
    message = _store_bot_message(
        call, target, content, source_text=source, parse_mode=call.params.str("parse_mode"), files=[record]
    )
    call.record_send(target.chat)
    return message.to_api()


@method("sendLocation")
async def send_location(call: Call) -> Any:
    target = _target(call)
    latitude = call.params.float("latitude", required=True)
    longitude = call.params.float("longitude", required=True)
    assert latitude is not None and longitude is not None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad_request("wrong coordinates")
    location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    for key in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
        if call.params.has(key):
            location[key] = call.params.float(key)
    call.admit(target.chat)
    message = _store_bot_message(call, target, {"location": location})
    call.record_send(target.chat)
    return message.to_api()


@method("sendVenue")
async def send_venue(call: Call) -> Any:
    target = _target(call)
    params = call.params
    location = {
        "latitude": params.float("latitude", required=True),
        "longitude": params.float("longitude", required=True),
    }
    venue = {
        "location": location,
        "title": params.str("title", required=True),
        "address": params.str("address", required=True),
    }
    call.admit(target.chat)
    message = _store_bot_message(call, target, {"venue": venue, "location": location})
    call.record_send(target.chat)
    return message.to_api()


@method("sendContact")
async def send_contact(call: Call) -> Any:
    target = _target(call)
    params = call.params
    contact: dict[str, Any] = {
        "phone_number": params.str("phone_number", required=True),
        "first_name": params.str("first_name", required=True),
    }
    if params.has("last_name"):
        contact["last_name"] = params.str("last_name")
    call.admit(target.chat)
    message = _store_bot_message(call, target, {"contact": contact})
    call.record_send(target.chat)
    return message.to_api()


@method("sendPoll")
async def send_poll(call: Call) -> Any:
    target = _target(call)
    params = call.params
    question = params.str("question", required=True)
    options = params.json("options", error="can't parse options JSON object")
    if not isinstance(options, list) or not 2 <= len(options) <= 12:
        raise bad_request("poll must have at least 2 option")
    poll = poll_json(
        question,  # type: ignore[arg-type]
        [str(o.get("text") if isinstance(o, dict) else o) for o in options],
        is_anonymous=params.bool("is_anonymous", True),
        kind=params.str("type", "regular") or "regular",
        allows_multiple_answers=params.bool("allows_multiple_answers"),
    )
    call.admit(target.chat)
    message = _store_bot_message(call, target, {"poll": poll})
    call.record_send(target.chat)
    return message.to_api()


def poll_json(
    question: str,
    options: list[str],
    *,
    is_anonymous: bool = True,
    kind: str = "regular",
    allows_multiple_answers: bool = False,
) -> dict[str, Any]:
    """A Poll object (fresh, no votes)."""
    poll_id = str(random.randrange(10**17, 10**18))
    return {
        "id": poll_id,
        "question": question,
        "options": [
            {"persistent_id": f"{poll_id}-{index}", "text": text, "voter_count": 0}
            for index, text in enumerate(options)
        ],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": is_anonymous,
        "type": kind,
        "allows_multiple_answers": allows_multiple_answers,
        "allows_revoting": False,
        "members_only": False,
    }


@method("sendDice")
async def send_dice(call: Call) -> Any:
    target = _target(call)
    emoji = call.params.str("emoji", "🎲") or "🎲"
    top = {"🎰": 64, "🏀": 5, "⚽": 5, "🎯": 6, "🎳": 6}.get(emoji, 6)
    call.admit(target.chat)
    message = _store_bot_message(call, target, {"dice": {"emoji": emoji, "value": random.randint(1, top)}})
    call.record_send(target.chat)
    return message.to_api()


_ALBUM_KINDS = {"photo", "video", "document", "audio"}


@method("sendMediaGroup")
async def send_media_group(call: Call) -> Any:
    target = _target(call, markup=False)
    media = call.params.json("media", error="can't parse media JSON object")
    if not isinstance(media, list):
        raise bad_request('parameter "media" is required')
    if len(media) < 2:
        raise bad_request("there must be at least 2 media in an album")
    if len(media) > 10:
        raise bad_request("too many messages to send as an album")
    kinds = []
    for item in media:
        if not isinstance(item, dict) or item.get("type") not in _ALBUM_KINDS:
            raise bad_request("can't parse InputMedia JSON object")
        kinds.append(item["type"])
    for special in ("document", "audio"):
        if special in kinds and any(kind != special for kind in kinds):
            raise bad_request(f"{special} can't be mixed with other media types")
    prepared = []
    for item in media:
        kind = item["type"]
        record = resolve_input_file(call, kind, item.get("media"), "media")
        caption, source = _caption(item.get("caption"), item.get("parse_mode"), item.get("caption_entities"))
        content = media_content(kind, record, item)
        content.update(caption)
        prepared.append((content, source, item.get("parse_mode"), record))
    call.admit(target.chat)
    group_id = call.world.new_media_group_id()
    messages = [
        _store_bot_message(
            call, target, content, source_text=source, parse_mode=mode, files=[record], media_group_id=group_id
        )
        for content, source, mode, record in prepared
    ]
    call.record_send(target.chat)
    return [message.to_api() for message in messages]


def _source_message(call: Call, from_chat: EmuChat, message_id: int, action: str) -> StoredMessage:
    source = call.world.get_message(call.bot, from_chat.id, message_id)
    if source is None or source.deleted:
        raise bad_request(f"message to {action} not found")
    if source.is_service:
        raise bad_request(f"message can't be {'copied' if action == 'copy' else 'forwarded'}")
    return source


def _copied_content(call: Call, source: StoredMessage, *, caption_override: bool) -> tuple[dict[str, Any], str | None]:
    content = copy.deepcopy(source.content)
    source_text = source.source_text
    if not _has_media(content):
        return content, source_text
    params = call.params
    if params.bool("remove_caption"):
        content.pop("caption", None)
        content.pop("caption_entities", None)
        source_text = None
    elif caption_override and params.raw("caption") is not None:
        content.pop("caption", None)
        content.pop("caption_entities", None)
        caption, source_text = _caption_from_params(call)
        content.update(caption)
    return content, source_text


def _has_media(content: dict[str, Any]) -> bool:
    return any(key in content for key in ("photo", "video", "document", "audio", "animation", "voice"))


@method("copyMessage")
async def copy_message(call: Call) -> Any:
    target = _target(call)
    from_chat = call.chat("from_chat_id")
    source = _source_message(call, from_chat, call.message_id(), "copy")
    content, source_text = _copied_content(call, source, caption_override=True)
    call.admit(target.chat)
    message = _store_bot_message(
        call,
        target,
        content,
        source_text=source_text,
        parse_mode=call.params.str("parse_mode") or source.parse_mode,
        files=source.files,
        copied_from=(from_chat.id, source.message_id),
    )
    call.record_send(target.chat)
    return {"message_id": message.message_id}


def _message_ids(call: Call) -> list[int]:
    ids = call.params.json("message_ids", error="can't parse message identifiers JSON object")
    if not isinstance(ids, list) or not ids:
        raise bad_request("message identifiers are not specified")
    if len(ids) > 100:
        raise bad_request("too many message identifiers specified")
    try:
        values = [int(i) for i in ids]
    except (TypeError, ValueError):
        raise bad_request("message identifiers are invalid") from None
    if any(b <= a for a, b in zip(values, values[1:])):
        raise bad_request("message identifiers must be in strictly increasing order")
    return values


@method("copyMessages", "forwardMessages")
async def copy_messages(call: Call) -> Any:
    forward = call.method.lower() == "forwardmessages"
    target = _target(call, markup=False)
    from_chat = call.chat("from_chat_id")
    sources = []
    for message_id in _message_ids(call):
        source = call.world.get_message(call.bot, from_chat.id, message_id)
        if source is not None and not source.deleted and not source.is_service:
            sources.append(source)
    if not sources:
        raise bad_request(f"there are no messages to {'forward' if forward else 'copy'}")
    call.admit(target.chat, len(sources))
    out = []
    for source in sources:
        content = copy.deepcopy(source.content)
        if not forward and call.params.bool("remove_caption"):
            content.pop("caption", None)
            content.pop("caption_entities", None)
        message = _store_bot_message(
            call,
            target,
            content,
            source_text=source.source_text,
            parse_mode=source.parse_mode,
            files=source.files,
            copied_from=(from_chat.id, source.message_id),
            forward_origin=_forward_origin(source) if forward else None,
        )
        out.append({"message_id": message.message_id})
    call.record_send(target.chat, len(sources))
    return out


def _forward_origin(source: StoredMessage) -> dict[str, Any]:
    if source.forward_origin is not None:
        return source.forward_origin
    return {"type": "user", "sender_user": source.sender.to_api(), "date": source.date}


@method("forwardMessage")
async def forward_message(call: Call) -> Any:
    target = _target(call, markup=False)
    from_chat = call.chat("from_chat_id")
    source = _source_message(call, from_chat, call.message_id(), "forward")
    call.admit(target.chat)
    message = _store_bot_message(
        call,
        target,
        copy.deepcopy(source.content),
        source_text=source.source_text,
        parse_mode=source.parse_mode,
        files=source.files,
        copied_from=(from_chat.id, source.message_id),
        forward_origin=_forward_origin(source),
    )
    call.record_send(target.chat)
    return message.to_api()


# ====================================================================== editing


def _message_to_edit(call: Call) -> tuple[EmuChat, StoredMessage]:
    if call.params.has("inline_message_id") and not call.params.has("chat_id"):
        raise bad_request("message to edit not found")
    chat = call.chat()
    message = call.world.get_message(call.bot, chat.id, call.message_id())
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    if message.reply_markup is not None and _inline(message.reply_markup) is None:
        # "It is currently only possible to edit messages without reply_markup or with inline keyboards."
        raise bad_request("message can't be edited")
    return chat, message


def _edited_markup(call: Call, message: StoredMessage) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(new inline markup, markup to store): omitting reply_markup removes an inline keyboard."""
    new_inline = _markup(call, inline_only=True)
    return new_inline, new_inline


def _edit_result(message: StoredMessage) -> Any:
    return message.to_api()


@method("editMessageText")
async def edit_message_text(call: Call) -> Any:
    chat, message = _message_to_edit(call)
    if "text" not in message.content:
        raise bad_request("there is no text in the message to edit")
    new_content, source, parse_mode = _text_content(call)
    link_preview = new_content.pop("link_preview_options", None)
    new_inline, stored_markup = _edited_markup(call, message)
    if new_content == {k: v for k, v in message.content.items() if k in ("text", "entities")} and new_inline == _inline(
        message.reply_markup
    ):
        raise bad_request(NOT_MODIFIED)
    call.admit(chat)
    if link_preview:
        message.extra["link_preview_options"] = link_preview
    call.world.edit_message(
        call.bot,
        message,
        call.method,
        content=new_content,
        reply_markup=stored_markup,
        parse_mode=parse_mode,
        source_text=source,
    )
    call.record_send(chat)
    return _edit_result(message)


@method("editMessageCaption")
async def edit_message_caption(call: Call) -> Any:
    chat, message = _message_to_edit(call)
    if not _has_media(message.content):
        raise bad_request("there is no caption in the message to edit")
    caption, source = _caption_from_params(call)
    new_content = {k: v for k, v in message.content.items() if k not in ("caption", "caption_entities")}
    new_content.update(caption)
    new_inline, stored_markup = _edited_markup(call, message)
    if new_content == message.content and new_inline == _inline(message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    call.admit(chat)
    call.world.edit_message(
        call.bot,
        message,
        call.method,
        content=new_content,
        reply_markup=stored_markup,
        parse_mode=call.params.str("parse_mode"),
        source_text=source,
    )
    call.record_send(chat)
    return _edit_result(message)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> Any:
    chat, message = _message_to_edit(call)
    new_inline, stored_markup = _edited_markup(call, message)
    if new_inline == _inline(message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    call.admit(chat)
    call.world.edit_message(call.bot, message, call.method, reply_markup=stored_markup)
    call.record_send(chat)
    return _edit_result(message)


@method("editMessageMedia")
async def edit_message_media(call: Call) -> Any:
    chat, message = _message_to_edit(call)
    media = call.params.json("media", error="can't parse InputMedia JSON object")
    if not isinstance(media, dict) or media.get("type") not in _ALBUM_KINDS | {"animation"}:
        raise bad_request("can't parse InputMedia JSON object")
    if not _has_media(message.content):
        raise bad_request("there is no media in the message to edit")
    kind = media["type"]
    record = resolve_input_file(call, kind, media.get("media"), "media")
    caption, source = _caption(media.get("caption"), media.get("parse_mode"), media.get("caption_entities"))
    content = media_content(kind, record, media)
    content.update(caption)
    new_inline, stored_markup = _edited_markup(call, message)
    call.admit(chat)
    message.files = [record]
    call.world.edit_message(
        call.bot, message, call.method, content=content, reply_markup=stored_markup, source_text=source
    )
    call.record_send(chat)
    return _edit_result(message)


@method("deleteMessage")
async def delete_message(call: Call) -> Any:
    chat = call.chat()
    message = call.world.get_message(call.bot, chat.id, call.message_id())
    if message is None or message.deleted:
        raise bad_request("message to delete not found")
    if chat.is_group and not message.from_bot and chat.bot_members.get(call.bot.id) != "administrator":
        raise bad_request("message can't be deleted")
    call.world.delete_message(call.bot, message)
    return True


@method("deleteMessages")
async def delete_messages(call: Call) -> Any:
    chat = call.chat()
    for message_id in _message_ids(call):
        message = call.world.get_message(call.bot, chat.id, message_id)
        if message is not None and not message.deleted:
            call.world.delete_message(call.bot, message)
    return True


# ====================================================================== callbacks


@method("answerCallbackQuery")
async def answer_callback_query(call: Call) -> Any:
    params = call.params
    query_id = params.str("callback_query_id", required=True)
    world = call.world
    record = world.callback_queries.get(query_id)  # type: ignore[arg-type]
    if record is None or record.bot_id != call.bot.id or record.answer is not None:
        raise bad_request(CALLBACK_TOO_OLD)
    text = params.str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    answer = CallbackAnswer(
        callback_query_id=query_id,  # type: ignore[arg-type]
        text=text,
        show_alert=params.bool("show_alert"),
        url=params.str("url"),
        cache_time=params.int("cache_time"),
    )
    record.answer = answer
    world.callback_answers[query_id] = answer  # type: ignore[index]
    world.publish(
        "callback_answer",
        call.bot,
        record.message.chat.id,
        record.message,
        {"callback_query_id": query_id, "text": text, "show_alert": answer.show_alert},
    )
    world.notifier.notify(("callback", query_id), "any")
    return True


# ====================================================================== forum topics


def _topic_chat(call: Call) -> EmuChat:
    chat = call.chat()
    if chat.is_private:
        if not call.bot.user.extra.get("has_topics_enabled"):
            raise bad_request("the chat is not a forum")
        call.world.check_can_send(call.bot, chat)
    else:
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        call.world.check_can_send(call.bot, chat)
        if chat.bot_members.get(call.bot.id) != "administrator":
            raise bad_request("not enough rights to manage topics")
    return chat


def _existing_topic(call: Call, chat: EmuChat) -> Topic:
    thread_id = call.params.int("message_thread_id", required=True)
    topic = call.world.get_topic(call.bot, chat.id, thread_id)  # type: ignore[arg-type]
    if topic is None or topic.deleted:
        raise bad_request("message thread not found")
    return topic


@method("createForumTopic")
async def create_forum_topic(call: Call) -> Any:
    chat = _topic_chat(call)
    name = call.params.str("name")
    if not name:
        raise bad_request("TOPIC_TITLE_EMPTY")
    if len(name) > 128:
        raise bad_request("TOPIC_TITLE_TOO_LONG")
    icon_color = call.params.int("icon_color", TOPIC_ICON_COLORS[0])
    if icon_color not in TOPIC_ICON_COLORS:
        raise bad_request("TOPIC_ICON_COLOR_INVALID")
    topic, _ = call.world.create_topic(
        call.bot,
        chat,
        name,
        icon_color=icon_color,  # type: ignore[arg-type]
        icon_custom_emoji_id=call.params.str("icon_custom_emoji_id"),
        creator=call.bot.user,
    )
    return topic.to_api()


@method("editForumTopic")
async def edit_forum_topic(call: Call) -> Any:
    chat = _topic_chat(call)
    topic = _existing_topic(call, chat)
    changes: dict[str, Any] = {}
    name = call.params.str("name")
    if name is not None and name != topic.name:
        if len(name) > 128:
            raise bad_request("TOPIC_TITLE_TOO_LONG")
        changes["name"] = name
    if call.params.raw("icon_custom_emoji_id") is not None:
        emoji = call.params.str("icon_custom_emoji_id") or None
        if emoji != topic.icon_custom_emoji_id:
            changes["icon_custom_emoji_id"] = emoji or ""
    if not changes:
        raise bad_request("TOPIC_NOT_MODIFIED")
    if "name" in changes:
        topic.name = changes["name"]
    if "icon_custom_emoji_id" in changes:
        topic.icon_custom_emoji_id = changes["icon_custom_emoji_id"] or None
    topic.history.append({"action": "edit", **changes})
    call.world.topic_service_message(call.bot, chat, topic, {"forum_topic_edited": changes}, call.bot.user)
    call.world.publish("topic_edited", call.bot, chat.id, data={"topic": topic.to_api()}, thread_id=topic.thread_id)
    return True


@method("closeForumTopic", "reopenForumTopic")
async def close_forum_topic(call: Call) -> Any:
    chat = _topic_chat(call)
    topic = _existing_topic(call, chat)
    closing = call.method.lower() == "closeforumtopic"
    if topic.closed == closing:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.closed = closing
    topic.history.append({"action": "close" if closing else "reopen"})
    key = "forum_topic_closed" if closing else "forum_topic_reopened"
    call.world.topic_service_message(call.bot, chat, topic, {key: {}}, call.bot.user)
    call.world.publish(
        "topic_closed" if closing else "topic_reopened",
        call.bot,
        chat.id,
        data={"topic": topic.to_api()},
        thread_id=topic.thread_id,
    )
    return True


@method("deleteForumTopic")
async def delete_forum_topic(call: Call) -> Any:
    chat = _topic_chat(call)
    topic = _existing_topic(call, chat)
    topic.deleted = True
    topic.history.append({"action": "delete"})
    for message in call.bot.chat_messages.get(chat.id, []):
        if message.thread_id == topic.thread_id and not message.deleted:
            message.deleted = True
    call.world.publish("topic_deleted", call.bot, chat.id, data={"topic": topic.to_api()}, thread_id=topic.thread_id)
    call.world.notifier.notify("any")
    return True


@method("unpinAllForumTopicMessages")
async def unpin_all_forum_topic_messages(call: Call) -> Any:
    chat = _topic_chat(call)
    _existing_topic(call, chat)
    return True


@method("getForumTopicIconStickers")
async def get_forum_topic_icon_stickers(call: Call) -> Any:
    return []


__all__ = ["METHODS", "Call", "chat_member_json", "media_content", "member_update", "update_type"]
