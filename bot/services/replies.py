"""The bot's own words for young people, composed from the message catalog.

Pure functions: they take plain data and return ``(html_text, keyboard)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.i18n import t
from bot.outbox import Button, Keyboard

MEDIA_TYPES = (
    "sticker",
    "voice",
    "video_note",
    "photo",
    "video",
    "animation",
    "audio",
    "document",
    "location",
    "contact",
)


def educator_button() -> Button:
    return Button(t("button.educator"), callback_data="conv:educator")


def welcome(territory: str) -> tuple[str, Keyboard]:
    return t("start.welcome", territory=escape(territory)), [[educator_button()]]


def help_text() -> str:
    return t("help.text")


def privacy_notice(retention_days: int) -> str:
    return t("privacy.notice", days=retention_days)


def format_helplines(lines: Sequence) -> str:
    return "\n".join(
        t(
            "helpline.line",
            number=escape(line.number),
            name=escape(line.name),
            hours=escape(line.hours),
        )
        for line in lines
    )


def risk_answer(risk: str, lines: Sequence) -> tuple[str, Keyboard]:
    key = "risk.imminent" if risk == "imminent" else "risk.elevated"
    return t(key, lines=format_helplines(lines)), []


def burst_answer(
    burst: Sequence,
    *,
    conversation_themes: Sequence[str],
    waiting: bool,
    first_contact: bool,
    territory: str,
) -> tuple[str, Keyboard]:
    """One answer for everything the young person wrote since the bot last answered."""
    parts: list[str] = []
    if first_contact:
        parts.append(t("reply.intro", territory=escape(territory)))
    keyboard: Keyboard = [[educator_button()]]
    burst_themes = [theme for message in burst for theme in (message.themes or [])]
    has_text = any(message.text for message in burst)
    if waiting:
        parts.append(t("reply.waiting"))
        keyboard = []
    elif burst_themes:
        parts.append(t(f"theme.ack.{burst_themes[0]}"))
        parts.append(t("reply.theme.next"))
    elif not has_text:
        kinds = [m.content_type for m in burst if m.content_type in MEDIA_TYPES]
        kind = kinds[-1] if kinds else "other"
        parts.append(t(f"reply.media.{kind}"))
    else:
        variant = burst[-1].id % 3
        parts.append(t(f"reply.listen.{variant}"))
    return "\n\n".join(parts), keyboard
