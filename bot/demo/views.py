"""What the page draws: emulator messages, topics and events as small JSON objects.

Text is sent as plain text plus Telegram entities (UTF-16 offsets, which JavaScript strings use
natively); the page builds the DOM from them, so nothing the bot or a user writes is ever
interpreted as HTML.
"""

from __future__ import annotations

from typing import Any

from bot.emulator import EmulatorEvent, StoredMessage, Topic

# Media are shown as placeholders: a label per content type (the page adds an icon).
MEDIA_LABELS = {
    "photo": "Photo",
    "video": "Vidéo",
    "video_note": "Vidéo ronde",
    "voice": "Message vocal",
    "audio": "Audio",
    "animation": "GIF",
    "document": "Document",
    "sticker": "Sticker",
    "location": "Position",
    "venue": "Lieu",
    "contact": "Contact",
    "poll": "Sondage",
    "dice": "Dé",
}
SERVICE_KINDS = {
    "forum_topic_created",
    "forum_topic_edited",
    "forum_topic_closed",
    "forum_topic_reopened",
    "pinned_message",
    "new_chat_members",
    "left_chat_member",
}


def _media(message: StoredMessage) -> dict[str, Any] | None:
    kind = message.content_type
    if kind not in MEDIA_LABELS:
        return None
    media: dict[str, Any] = {"kind": kind, "label": MEDIA_LABELS[kind]}
    content = message.content
    if kind == "document" and isinstance(content.get("document"), dict):
        media["filename"] = content["document"].get("file_name")
    elif kind == "sticker" and isinstance(content.get("sticker"), dict):
        media["emoji"] = content["sticker"].get("emoji")
    elif kind in ("voice", "audio", "video") and isinstance(content.get(kind), dict):
        media["duration"] = content[kind].get("duration")
    elif kind == "dice" and isinstance(content.get("dice"), dict):
        media["emoji"] = content["dice"].get("emoji")
    elif kind == "venue" and isinstance(content.get("venue"), dict):
        media["filename"] = content["venue"].get("title")
    if kind == "document" and message.file is not None and not media.get("filename"):
        media["filename"] = message.file.filename
    return media


def _service_text(message: StoredMessage) -> str | None:
    content = message.content
    if "forum_topic_created" in content:
        return f"Sujet créé : {content['forum_topic_created'].get('name', '')}"
    if "forum_topic_edited" in content:
        name = content["forum_topic_edited"].get("name")
        return f"Sujet renommé : {name}" if name else "Sujet modifié"
    if "forum_topic_closed" in content:
        return "Sujet fermé"
    if "forum_topic_reopened" in content:
        return "Sujet rouvert"
    if "pinned_message" in content:
        return "Message épinglé"
    return None


def _buttons(message: StoredMessage) -> list[list[dict[str, str]]]:
    rows = []
    for row in message.inline_keyboard:
        out = []
        for button in row:
            item = {"text": str(button.get("text", ""))}
            if "callback_data" in button:
                item["data"] = str(button["callback_data"])
            elif "url" in button:
                item["url"] = str(button["url"])
            else:
                item["inert"] = "1"
            out.append(item)
        rows.append(out)
    return rows


def message_view(message: StoredMessage) -> dict[str, Any]:
    view: dict[str, Any] = {
        "chat_id": message.chat_id,
        "message_id": message.message_id,
        "thread_id": message.thread_id,
        "from_bot": message.from_bot,
        "sender": message.sender.first_name,
        "date": message.date,
        "text": message.text or "",
        "entities": message.entities,
        "kind": message.content_type,
        "buttons": _buttons(message),
        # Telegram says "edited" when the text changed, not when only the buttons did.
        "edited": any(e.before.get("content") != e.after.get("content") for e in message.edits),
        "deleted": message.deleted,
        "seq": message.seq,
    }
    media = _media(message)
    if media is not None:
        view["media"] = media
    if message.content_type in SERVICE_KINDS:
        view["service"] = _service_text(message) or ""
    if message.reply_to is not None:
        reply = message.reply_to
        view["reply_to"] = {
            "message_id": reply.message_id,
            "sender": "bot" if reply.from_bot else reply.sender.first_name,
            "text": (reply.text or MEDIA_LABELS.get(reply.content_type, ""))[:120],
        }
    return view


def topic_view(topic: Topic) -> dict[str, Any]:
    return {
        "thread_id": topic.thread_id,
        "name": topic.name,
        "closed": topic.closed,
        "deleted": topic.deleted,
        "icon_color": topic.icon_color,
    }


MESSAGE_KINDS = {"user_message", "user_edit", "user_delete", "bot_message", "bot_edit", "bot_delete", "bot_service_message"}
TOPIC_KINDS = {"topic_created", "topic_edited", "topic_closed", "topic_reopened", "topic_deleted"}


def event_view(event: EmulatorEvent, topic: Topic | None = None) -> dict[str, Any] | None:
    """The page's form of an emulator event, or None when the page has no use for it."""
    if event.kind in MESSAGE_KINDS and event.message is not None:
        return {"type": "message", "chat_id": event.chat_id, "message": message_view(event.message)}
    if event.kind in TOPIC_KINDS:
        data = {"type": "topic", "chat_id": event.chat_id, "action": event.kind.removeprefix("topic_")}
        if topic is not None:
            data["topic"] = topic_view(topic)
        else:
            raw = event.data.get("topic", {})
            data["topic"] = {
                "thread_id": raw.get("message_thread_id", event.thread_id),
                "name": raw.get("name", ""),
                "closed": event.kind == "topic_closed",
                "deleted": event.kind == "topic_deleted",
                "icon_color": raw.get("icon_color"),
            }
        return data
    if event.kind == "callback_answer":
        return {
            "type": "toast",
            "chat_id": event.chat_id,
            "text": event.data.get("text") or "",
            "alert": bool(event.data.get("show_alert")),
        }
    if event.kind == "chat_action":
        return {"type": "typing", "chat_id": event.chat_id, "thread_id": event.thread_id, "action": event.data.get("action")}
    return None
