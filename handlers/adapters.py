"""Turning Telegram messages into the channel-agnostic data the services take."""

from __future__ import annotations

from aiogram.types import Message

from bot.services.conversation import Incoming

_FILE_ATTRIBUTES = ("voice", "video_note", "video", "animation", "audio", "document", "sticker")
# Content we keep no text of: a shared position or phone number is not stored.
_NO_TEXT = {"location", "venue", "contact"}


def content_type_of(message: Message) -> str:
    """"text", "photo", "voice", … (aiogram's enum value)."""
    return getattr(message.content_type, "value", str(message.content_type))


def incoming_from(message: Message) -> Incoming:
    content_type = content_type_of(message)
    file_id = None
    if message.photo:
        file_id = message.photo[-1].file_id
    else:
        for attribute in _FILE_ATTRIBUTES:
            media = getattr(message, attribute, None)
            if media is not None:
                file_id = media.file_id
                break
    text = None if content_type in _NO_TEXT else (message.text or message.caption)
    position = message.location or (message.venue.location if message.venue else None)
    return Incoming(
        content_type=content_type,
        tg_message_id=message.message_id,
        text=text,
        file_id=file_id,
        media_group_id=message.media_group_id,
        latitude=position.latitude if position else None,
        longitude=position.longitude if position else None,
    )
