"""What educators see: queue cards, topic names, histories. Pure rendering from the catalog."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.i18n import t
from bot.outbox import Button, Keyboard
from storage.models import Conversation, ConversationNote, Direction, Educator, Message

PREVIEW_MESSAGES = 3
PREVIEW_CHARS = 160
HISTORY_CHUNK = 3500  # below Telegram's 4096 characters per message


def pseudonym(code: str) -> str:
    return t("youth.pseudonym", code=code)


def badge(risk: str) -> str:
    return t(f"risk.badge.{risk}")


def theme_labels(themes: Sequence[str]) -> str:
    return ", ".join(t(f"theme.label.{theme}") for theme in themes) or t("theme.label.none")


def waited(since: datetime | None, now: datetime) -> str:
    seconds = max(0, int((now - since).total_seconds())) if since else 0
    minutes = seconds // 60
    if minutes < 1:
        return t("duration.under_minute")
    if minutes < 60:
        return t("duration.minutes", minutes=minutes)
    return t("duration.hours", hours=minutes // 60, minutes=f"{minutes % 60:02d}")


def shorten(text: str | None, limit: int = PREVIEW_CHARS) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def content_label(message: Message) -> str:
    """A message's text, or what it is when it has none ("[photo]")."""
    label = "" if message.content_type == "text" else t(f"content.{message.content_type}")
    text = shorten(message.text)
    if label and text:
        return f"{label} {escape(text)}"
    return label or escape(text)


def topic_name(conversation: Conversation, code: str) -> str:
    themes = ", ".join(t(f"theme.label.{theme}") for theme in conversation.themes[:2])
    name = f"{badge(conversation.risk)} {pseudonym(code)}"
    return f"{name} · {themes}" if themes else name


def queue_card(
    conversation: Conversation,
    code: str,
    recent: Sequence[Message],
    now: datetime,
    *,
    with_content: bool = True,
) -> tuple[str, Keyboard]:
    """A waiting conversation; ``with_content=False`` for the shared staff board."""
    lines = [
        t(
            "card.header",
            badge=badge(conversation.risk),
            pseudonym=pseudonym(code),
            waited=waited(conversation.escalated_at, now),
        ),
        t("card.themes", themes=theme_labels(conversation.themes)),
    ]
    if conversation.reasons and with_content:
        lines.append(t("card.reasons", reasons=escape("; ".join(conversation.reasons[-4:]))))
    previews = [content_label(m) for m in recent[-PREVIEW_MESSAGES:]]
    if previews:
        lines.append(t("card.last_messages"))
        lines += [f"› {preview}" for preview in previews if preview]
    keyboard = [[Button(t("card.button.take"), callback_data=f"q:take:{conversation.id}")]]
    return "\n".join(lines), keyboard


def taken_card(conversation: Conversation, code: str, educator: Educator) -> str:
    return t(
        "card.taken",
        badge=badge(conversation.risk),
        pseudonym=pseudonym(code),
        name=escape(educator.display_name),
    )


def closed_card(conversation: Conversation, code: str) -> str:
    return t("card.gone", badge=badge(conversation.risk), pseudonym=pseudonym(code))


def queue_line(conversation: Conversation, code: str, first: Message | None, now: datetime) -> str:
    return t(
        "queue.line",
        badge=badge(conversation.risk),
        pseudonym=pseudonym(code),
        waited=waited(conversation.escalated_at, now),
        themes=theme_labels(conversation.themes),
        first=content_label(first) if first else "",
    )


def history(
    conversation: Conversation,
    code: str,
    messages: Sequence[Message],
    notes: Sequence[ConversationNote],
    authors: dict[int, str],
    tz: ZoneInfo,
) -> list[str]:
    """The conversation so far, for the educator who takes it, in chunks Telegram accepts."""
    head = [
        t("history.header", pseudonym=pseudonym(code), badge=badge(conversation.risk)),
        t("card.themes", themes=theme_labels(conversation.themes)),
    ]
    if conversation.reasons:
        head.append(t("card.reasons", reasons=escape("; ".join(conversation.reasons))))
    lines = []
    for message in messages:
        when = message.created_at.astimezone(tz).strftime("%d/%m %H:%M")
        if message.direction == Direction.IN:
            who = pseudonym(code)
        elif message.direction == Direction.BOT:
            who = t("history.bot")
        else:
            who = escape(authors.get(message.educator_id or 0, t("history.educator")))
        lines.append(f"<i>{when}</i> <b>{who}</b> : {content_label(message)}")
    for note in notes:
        when = note.created_at.astimezone(tz).strftime("%d/%m %H:%M")
        author = escape(authors.get(note.educator_id or 0, t("history.educator")))
        lines.append(t("history.note", when=when, author=author, text=escape(note.text)))
    if not lines:
        lines.append(t("history.empty"))
    chunks, current = [], "\n".join(head)
    for line in lines:
        if len(current) + len(line) + 1 > HISTORY_CHUNK:
            chunks.append(current)
            current = line[:HISTORY_CHUNK]
        else:
            current = f"{current}\n{line}"
    chunks.append(current)
    return chunks


def wait_estimate_minutes(waits: Sequence[float], position: int) -> int | None:
    """An honest estimate only with enough recent pick-ups: the median wait times the place."""
    if len(waits) < 5:
        return None
    ordered = sorted(waits)
    median = ordered[len(ordered) // 2]
    return max(1, round(median * position / 60))


def since(now: datetime, **delta: float) -> datetime:
    return now - timedelta(**delta)
